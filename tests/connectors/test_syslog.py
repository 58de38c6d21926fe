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
                  "mail from", "message"):
        assert not found[plain], plain
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
