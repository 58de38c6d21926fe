"""Syslog files, written here from RFC 3164/5424 and the daemons' documented message formats."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import open_source
from connectors.syslog import parse_lines
from scanner.core.config import ScanConfig
from scanner.core.engine import scan


def auth_lines(n: int) -> list[str]:
    out = []
    for i in range(n):
        ip = f"198.51.100.{i % 250}"
        out += [
            f"Mar  {i % 9 + 1} 10:{i % 60:02d}:01 bastion sshd[{2000 + i}]: Accepted publickey for "
            f"ops{i} from {ip} port {40000 + i} ssh2: ED25519 SHA256:Zm9vYmFy{i:04d}",
            f"Mar  {i % 9 + 1} 10:{i % 60:02d}:02 bastion sshd[{2000 + i}]: Failed password for "
            f"invalid user guest{i} from {ip} port {40001 + i} ssh2",
            f"Mar  {i % 9 + 1} 10:{i % 60:02d}:03 bastion sudo:    ops{i} : TTY=pts/0 ; "
            "PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
        ]
    return out


def mail_lines(n: int) -> list[str]:
    return [ln for i in range(n) for ln in (
        f"<22>1 2024-06-01T10:{i % 60:02d}:00Z mx1.example.net postfix/smtpd 4{i:03d} - - "
        f"client=mail{i}.example.org[192.0.2.{i % 250}], sasl_username=customer{i}",
        f"<22>1 2024-06-01T10:{i % 60:02d}:01Z mx1.example.net postfix/qmgr 5{i:03d} - - "
        f"ABC{i:04d}: from=<customer{i}@example.org>, size=1234, nrcpt=1 (queue active)",
    )]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_auth_log_lines_are_parsed(tmp_path: Path) -> None:
    table = next(open_source(str(write(tmp_path / "auth.log", auth_lines(10))),
                             ConnectorOptions()).tables())
    assert table.format == "syslog" and table.record_kind == "network_log"
    data = pa.Table.from_batches(list(table.batches(ReadPlan(sample_size=None))))
    assert data.num_rows == 30
    rows = data.to_pylist()
    assert rows[0]["program[pid]"] == "sshd[2000]"
    assert rows[0]["user"] == "ops0" and rows[1]["user"] == "guest0"
    assert rows[2]["user"] == "ops0"  # sudo: the invoking user
    assert rows[0]["source address"] == "198.51.100.0" and rows[0]["source port"] == "40000"
    assert rows[0]["key fingerprint"].startswith("SHA256:")
    assert "198.51.100.0" not in rows[0]["message"]


def test_scan_reports_accounts_and_addresses_not_the_rest(tmp_path: Path) -> None:
    result = scan([str(write(tmp_path / "secure", auth_lines(30)))], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    found = {c.ref.column: set(c.entities) for c in table.columns}
    assert "ACCOUNT_ID" in found["user"]
    assert "IP_ADDRESS" in found["source address"]
    for plain in ("timestamp", "hostname", "program[pid]", "source port", "key fingerprint",
                  "message"):
        assert not found[plain], plain
    # Fields no line holds are no columns: an auth log has no envelope sender or MAC.
    assert not {"mail from", "mail to", "source mac", "destination address"} & set(found)
    assert not table.is_call_record


def test_rfc5424_mail_log(tmp_path: Path) -> None:
    path = write(tmp_path / "maillog", mail_lines(20))
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.format == "syslog"
    found = {c.ref.column: set(c.entities) for c in table.columns}
    assert "EMAIL_ADDRESS" in found["mail from"]
    assert "IP_ADDRESS" in found["source address"]
    data = pa.Table.from_batches(list(
        next(open_source(str(path), ConnectorOptions()).tables()).batches(ReadPlan())))
    assert data.column("program[pid]").to_pylist()[0] == "postfix/smtpd[4000]"
    assert data.column("user").to_pylist()[0] == "customer0"


def test_asterisk_messages_log_is_not_syslog_or_a_cdr(tmp_path: Path) -> None:
    lines = [f"[Mar  1 10:0{i}:00] NOTICE[12{i}] chan_sip.c: Registration from '\"20{i}\" "
             f"<sip:20{i}@192.0.2.10>' failed for '198.51.100.{i}:5060' - Wrong password"
             for i in range(5)]
    table = next(open_source(str(write(tmp_path / "messages", lines)),
                             ConnectorOptions()).tables())
    assert table.format not in ("syslog", "generic-call-log")
    assert table.record_kind != "call_detail"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=20))
def test_parser_never_raises(lines: list[str]) -> None:
    batch, ok = parse_lines(pa.array(lines, pa.string()))
    assert batch.num_rows == sum(ok.to_pylist())


def firewall_lines(n: int) -> list[str]:
    """Netfilter LOG lines (UFW) and pfSense filterlog lines, with documentation addresses."""
    out = []
    for i in range(n):
        out += [
            f"Nov  4 07:{i % 60:02d}:12 edge-fw kernel: [811{i:03d}.402117] [UFW BLOCK] IN=eth0 "
            f"OUT= MAC=02:1a:2b:3c:4d:5e:02:aa:bb:cc:{i % 90 + 10:02d}:01:08:00 "
            f"SRC=203.0.113.{i % 250 + 1} DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=52 "
            f"ID={30000 + i} DF PROTO=TCP SPT={40000 + i} DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
            f"Nov  4 07:{i % 60:02d}:13 edge-fw kernel: [811{i:03d}.5] IN=lo OUT= "
            "MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=127.0.0.1 DST=127.0.0.53 LEN=76 "
            f"TOS=0x00 PREC=0x00 TTL=64 ID={1000 + i} DF PROTO=UDP SPT=49007 DPT=53 LEN=56",
            f"<134>1 2024-11-04T07:{i % 60:02d}:14.100000+00:00 fw.example.net filterlog 6611 - - "
            f"5,,,1000000103,igb1,match,block,in,4,0x0,,64,{11000 + i},0,DF,6,tcp,60,"
            f"198.51.100.{i % 250 + 1},192.0.2.1,{50000 + i},443,0,S,{3049216611 + i},,64240,,"
            "mss;sackOK;TS;nop;wscale",
        ]
    return out


def test_firewall_logs_give_addresses_and_macs_and_no_account(tmp_path: Path) -> None:
    result = scan([str(write(tmp_path / "kern.log", firewall_lines(20)))], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    found = {c.ref.column: set(c.entities) for c in table.columns}
    assert "IP_ADDRESS" in found["source address"]
    assert "IP_ADDRESS" in found["destination address"]
    assert "MAC_ADDRESS" in found["source mac"] and "MAC_ADDRESS" in found["destination mac"]
    # No line names a user: no user column, and no account anywhere (ID= is a packet id).
    assert "user" not in found
    assert not any("ACCOUNT_ID" in entities for entities in found.values())
    data = pa.Table.from_batches(list(
        next(open_source(str(tmp_path / "kern.log"), ConnectorOptions()).tables()).batches(
            ReadPlan()))).to_pylist()
    assert data[0]["source mac"] == "02:aa:bb:cc:10:01"
    assert data[0]["destination mac"] == "02:1a:2b:3c:4d:5e"
    assert data[1]["source mac"] is None  # loopback: no link-layer address
    assert data[2]["source address"] == "198.51.100.1"
    assert data[2]["destination address"] == "192.0.2.1"


def test_asterisk_security_events_give_the_account_and_the_remote_address(
        tmp_path: Path) -> None:
    lines = [f'Nov  4 07:20:{i % 60:02d} pbx asterisk[2210]: SECURITY[2214]: res_security_log.c: '
             f'SecurityEvent="InvalidAccountID",EventTV="2024-11-04T07:20:11.508+0000",'
             f'Severity="Error",Service="PJSIP",EventVersion="1",'
             f'AccountID="{"<unknown>" if i % 3 == 0 else 2200 + i}",SessionID="0x7f3a5c01d2e0",'
             f'LocalAddress="IPV4/UDP/192.0.2.5/5060",'
             f'RemoteAddress="IPV4/UDP/198.51.100.{i + 1}/{5060 + i}"' for i in range(30)]
    path = write(tmp_path / "asterisk.log", lines)
    data = pa.Table.from_batches(list(
        next(open_source(str(path), ConnectorOptions()).tables()).batches(ReadPlan()))).to_pylist()
    assert data[0]["user"] is None and data[1]["user"] == "2201"
    assert data[1]["source address"] == "198.51.100.2"
    result = scan([str(path)], ScanConfig(ner=False))
    found = {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}
    assert "ACCOUNT_ID" in found["user"] and "IP_ADDRESS" in found["source address"]


def test_a_field_first_seen_past_the_head_still_joins_the_table(tmp_path: Path) -> None:
    # Past the first MiB, an sshd login names a user: the column is added when it comes.
    lines = firewall_lines(1700) + [
        f"Nov  4 09:00:{i:02d} edge-fw sshd[7{i:03d}]: Accepted publickey for ops{i} from "
        f"198.51.100.{i + 1} port {50000 + i} ssh2" for i in range(30)]
    path = write(tmp_path / "messages", lines)
    assert path.stat().st_size > 1 << 20
    table = next(open_source(str(path), ConnectorOptions()).tables())
    assert "user" not in [c.name for c in table.columns]
    result = scan([str(path)], ScanConfig(ner=False))
    found = {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}
    assert "ACCOUNT_ID" in found["user"]
