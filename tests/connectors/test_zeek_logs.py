"""Zeek (Bro) ASCII logs, written here from Zeek's log writer documentation."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import open_source
from connectors.zeek import iter_entries
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

CONN_FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
               "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "history"]
CONN_TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval",
              "count", "count", "string", "string"]


def header(path: str, fields: list[str], types: list[str]) -> list[str]:
    return ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
            "#unset_field\t-", f"#path\t{path}", "#open\t2024-06-01-10-00-00",
            "#fields\t" + "\t".join(fields), "#types\t" + "\t".join(types)]


def conn_line(i: int) -> str:
    return "\t".join([f"17172360{i:02d}.123456", f"C{i:05d}abcd", f"10.20.{i % 5}.{i}",
                      str(50000 + i), f"203.0.113.{i % 200}", "443", "tcp",
                      "ssl" if i % 2 else "-", f"{i}.5", str(100 * i), str(900 * i), "SF",
                      "ShADadFf"])


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> tuple[object, pa.Table]:
    table = next(open_source(str(path), ConnectorOptions()).tables())
    return table, pa.Table.from_batches(list(table.batches(ReadPlan(sample_size=None))))


def test_conn_log_rows_are_read(tmp_path: Path) -> None:
    lines = header("conn", CONN_FIELDS, CONN_TYPES) + [conn_line(i) for i in range(30)] + [
        "#close\t2024-06-01-11-00-00"]
    table, data = read(write(tmp_path / "conn.log", lines))
    assert table.format == "zeek-log"
    assert "#path conn" in (table.format_reason or "")
    assert table.record_kind == "network_log"
    assert data.num_rows == 30
    assert data.column_names == CONN_FIELDS
    assert data.column("service").to_pylist()[:2] == [None, "ssl"]


def test_scan_exit_zero_and_addresses_flagged(tmp_path: Path) -> None:
    from support import run_cli

    lines = header("conn", CONN_FIELDS, CONN_TYPES) + [conn_line(i) for i in range(30)]
    lines.insert(12, "truncated\tline")
    path = write(tmp_path / "conn.log", lines)
    run = run_cli("scan", str(path), "--no-ner", "--format", "json")
    assert run.code == 0, run.stderr
    [table] = run.json()["sources"][0]["tables"]
    assert table["rows_scanned"] == 30
    assert table["warnings"] == ["line 13: field count differs from #fields"]
    result = scan([str(path)], ScanConfig(ner=False))
    found = {c.ref.column: c.entities for c in result.sources[0].tables[0].columns}
    assert "IP_ADDRESS" in found["id.orig_h"] and "IP_ADDRESS" in found["id.resp_h"]
    for plain in ("ts", "uid", "id.orig_p", "proto", "conn_state", "history"):
        assert not found[plain], plain


def test_dhcp_log_mac_and_assigned_address(tmp_path: Path) -> None:
    fields = ["ts", "uids", "client_addr", "server_addr", "mac", "host_name", "assigned_addr",
              "lease_time", "msg_types"]
    types = ["time", "set[string]", "addr", "addr", "string", "string", "addr", "interval",
             "vector[string]"]
    rows = ["\t".join([f"17172360{i:02d}.5", f"C{i}x,C{i}y", f"192.0.2.{i + 10}", "192.0.2.1",
                       f"00:00:5e:00:53:{i:02x}", f"laptop-{i}", f"192.0.2.{i + 10}", "86400.0",
                       "REQUEST,ACK"]) for i in range(25)]
    path = write(tmp_path / "dhcp.log", header("dhcp", fields, types) + rows)
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    found = {c.ref.column: c.entities for c in table.columns}
    assert "MAC_ADDRESS" in found["mac"]
    assert "IP_ADDRESS" in found["assigned_addr"]
    assert not found["lease_time"] and not found["msg_types"]


def test_other_tab_files_are_not_claimed(tmp_path: Path) -> None:
    from connectors.registry import sniff
    from connectors.zeek import ZeekLogSource

    path = write(tmp_path / "t.tsv", ["#fields\ta\tb", "1\t2"])
    assert ZeekLogSource.claims(sniff(str(path)), ConnectorOptions()) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=30), st.integers(min_value=1, max_value=5))
def test_parser_never_raises(lines: list[str], width: int) -> None:
    for item in iter_entries(iter(lines), "\t", width):
        assert isinstance(item, int) or len(item) == width
