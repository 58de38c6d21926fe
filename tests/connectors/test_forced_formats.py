"""``--cdr-format`` forces the log and documented-table formats, not only the CDR layouts.

Files are written here from the formats' documentation (Zeek's ASCII writer,
RFC 3164, dhcpd.leases(5), FreeRADIUS's radacct schema, Kamailio's acc table).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import run_cli

from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import format_names, open_source

ZEEK = ["#separator \\x09", "#path\tdhcp", "#fields\tts\tclient_addr\tmac\thost_name",
        "#types\ttime\taddr\tstring\tstring"]


def zeek_rows(n: int) -> list[str]:
    return [f"17172360{i:02d}.5\t10.0.{i}.{i + 1}\t00:00:5e:00:53:{i:02x}\thost-{i}"
            for i in range(n)]


def open_table(path: Path, fmt: str | None) -> object:
    source = open_source(str(path), ConnectorOptions(cdr_format=fmt))
    return next(source.tables())


def test_every_log_format_can_be_named() -> None:
    names = set(format_names())
    assert {"zeek-log", "w3c-extended-log", "freeradius-detail", "isc-dhcpd-leases", "syslog",
            "access-log", "kamailio-acc", "kamailio-cdrs", "freeradius-radacct", "kea-leases",
            "asterisk-cdr-csv"} <= names


def test_zeek_log_the_sniffer_misses_is_read_when_forced(tmp_path: Path) -> None:
    # A log whose head was edited (a comment before #separator) is no longer sniffed as Zeek.
    path = tmp_path / "dhcp.txt"
    path.write_text("\n".join(["# exported from the sensor", *ZEEK, *zeek_rows(5)]) + "\n")
    assert open_table(path, None).format != "zeek-log"
    table = open_table(path, "zeek-log")
    assert table.format == "zeek-log"
    assert table.format_reason.startswith("--cdr-format zeek-log; Zeek ASCII log")
    assert table.record_kind == "network_log"
    rows = sum(b.num_rows for b in table.batches(ReadPlan(sample_size=None)))
    assert rows == 5


def test_forcing_syslog_reads_a_log_with_many_continuation_lines(tmp_path: Path) -> None:
    lines = []
    for i in range(6):
        lines.append(f"Jun  1 10:00:0{i} mx postfix/smtpd[90{i}]: connect from "
                     f"unknown[198.51.100.{i + 1}]")
        lines += ["    continuation of a wrapped message"] * 2
    path = tmp_path / "maillog.txt"
    path.write_text("\n".join(lines) + "\n")
    assert open_table(path, None).format != "syslog"
    table = open_table(path, "syslog")
    data = [b for b in table.batches(ReadPlan(sample_size=None))]
    assert sum(b.num_rows for b in data) == 6
    assert data[0].column("source address").to_pylist()[0] == "198.51.100.1"
    assert table.warnings == ["12 lines are not syslog lines; skipped"]


def test_a_forced_log_format_keeps_the_cdr_connectors_out(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text('"","1001","2125550143","default","","SIP/1001-0001","SIP/trunk","Dial",'
                    '"SIP/trunk/2125550143,30","2024-06-01 10:00:00","2024-06-01 10:00:02",'
                    '"2024-06-01 10:01:02","62","60","ANSWERED","DOCUMENTATION","17172360.1",""\n')
    assert open_table(path, None).format == "asterisk-cdr-csv"
    table = open_table(path, "syslog")
    assert table.format == "syslog"


def test_forcing_dhcpd_leases_on_another_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("lease renewals are due on Monday\n")
    out = run_cli("scan", str(path), "--no-ner", "--no-store", "-q",
                  "--cdr-format", "isc-dhcpd-leases")
    assert out.code == 3, out.stderr
    assert "Traceback" not in out.stderr
    errors = [line for line in out.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "notes.txt" in errors[0] and "lease" in errors[0]
    assert "renewals" not in out.stderr


RADACCT = ("RadAcctId,AcctSessionId,UserName,NASIPAddress,AcctStartTime,AcctStopTime,"
           "AcctSessionTime,AcctInputOctets,AcctOutputOctets,CallingStationId,FramedIPAddress\n"
           "1,5F2A0001,mara.quint@isp.example,192.0.2.1,2024-06-01 10:00:00,"
           "2024-06-01 11:00:00,3600,1048576,5242880,00-00-5E-00-53-01,100.64.0.5\n"
           "2,5F2A0002,olek.brant@isp.example,192.0.2.1,2024-06-01 10:05:00,"
           "2024-06-01 11:00:00,3300,524288,2097152,00-00-5E-00-53-02,100.64.0.6\n")


def scan_json(path: Path, *args: str) -> dict:
    out = run_cli("scan", str(path), "--no-ner", "--no-store", "--format", "json", *args)
    assert out.code in (0, 3), out.stderr
    return json.loads(out.stdout)["sources"][0]["tables"][0]


def test_forced_radacct_is_subscriber_usage_not_call_records(tmp_path: Path) -> None:
    path = tmp_path / "radacct.csv"
    path.write_text(RADACCT)
    table = scan_json(path, "--cdr-format", "freeradius-radacct")
    assert table["record_kind"] == "subscriber_usage"
    assert table["is_call_record"] is False
    assert table["format"]["name"] == "freeradius-radacct"
    assert table["format"]["reason"].startswith("--cdr-format freeradius-radacct")
    usage = {c["name"] for c in table["columns"]
             if "SERVICE_USAGE" in [e["type"] for e in c["entities"]]}
    assert {"AcctSessionTime", "AcctInputOctets"} <= usage


def test_forced_kamailio_acc_is_call_detail(tmp_path: Path) -> None:
    path = tmp_path / "acc.csv"
    path.write_text("id,method,from_tag,to_tag,callid,sip_code,sip_reason,time,src_user,"
                    "dst_user\n"
                    "1,INVITE,a1b2c3,d4e5f6,8f3e@sip.example,200,OK,2024-06-01 10:00:00,"
                    "2125550143,2125550187\n"
                    "2,BYE,a1b2c3,d4e5f6,8f3e@sip.example,200,OK,2024-06-01 10:01:00,"
                    "2125550143,2125550187\n")
    table = scan_json(path, "--cdr-format", "kamailio-acc")
    assert table["record_kind"] == "call_detail"
    assert table["is_call_record"] is True
    cpni = {c["name"] for c in table["columns"] if c["cpni"]}
    assert {"src_user", "dst_user", "time"} <= cpni


@pytest.mark.parametrize("name", ["zeek", "Zeek-Log", "kamailio"])
def test_unknown_format_lists_the_log_formats(tmp_path: Path, name: str) -> None:
    path = tmp_path / "a.log"
    path.write_text("x\n")
    out = run_cli("scan", str(path), "--no-ner", "--no-store", "-q", "--cdr-format", name)
    assert out.code == 2
    assert "zeek-log" in out.stderr and "kamailio-acc" in out.stderr
    assert "Traceback" not in out.stderr


def test_forcing_access_log_reads_a_log_behind_a_banner(tmp_path: Path) -> None:
    banner = [f"# exported by the log shipper, part {i}" for i in range(6)]
    entries = [f'198.51.100.{i} - member{i} [01/Jun/2024:10:00:{i:02d} +0000] "GET /account '
               f'HTTP/1.1" 200 {512 + i} "-" "Mozilla/5.0 (X11; Linux x86_64)"' for i in range(4)]
    path = tmp_path / "access.txt"
    path.write_text("\n".join(banner + entries) + "\n")
    assert open_table(path, None).format != "access-log"
    table = open_table(path, "access-log")
    assert table.format == "access-log"
    assert table.format_reason.startswith("--cdr-format access-log; ")
    rows = sum(b.num_rows for b in table.batches(ReadPlan(sample_size=None)))
    assert rows == 4
