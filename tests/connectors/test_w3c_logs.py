"""W3C extended log files, written here from W3C WD-logfile-960323 and IIS's field names."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import open_source
from connectors.w3c import iter_entries
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

IIS = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip " \
      "cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken"
AGENT = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)"


def iis_line(i: int) -> str:
    user = f"EXAMPLE\\user{i}" if i % 2 else "-"
    return (f"2024-06-01 10:{i % 60:02d}:00 192.0.2.1 GET /portal/index.aspx q={i} 443 {user} "
            f"198.51.100.{i % 250} {AGENT} 200 0 0 {15 + i}")


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def read(path: Path) -> tuple[object, pa.Table]:
    table = next(open_source(str(path), ConnectorOptions()).tables())
    batches = list(table.batches(ReadPlan(sample_size=None, batch_size=16)))
    return table, pa.Table.from_batches(batches)


HEADER = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
          "#Date: 2024-06-01 10:00:00", f"#Fields: {IIS}"]


def test_iis_log_fields_become_columns(tmp_path: Path) -> None:
    table, data = read(write(tmp_path / "u_ex240601.log", HEADER + [iis_line(i)
                                                                   for i in range(40)]))
    assert table.format == "w3c-extended-log"
    assert table.record_kind == "network_log"
    assert data.column_names == IIS.split()
    assert data.num_rows == 40
    assert data.column("cs-username").to_pylist()[:2] == [None, "EXAMPLE\\user1"]
    assert data.column("c-ip").to_pylist()[0] == "198.51.100.0"


def test_fields_change_after_a_restart_and_bad_lines_are_warnings(tmp_path: Path) -> None:
    short = "#Fields: date time c-ip cs-method sc-status"
    lines = HEADER + [iis_line(i) for i in range(5)] + [
        "#Software: Microsoft Internet Information Services 10.0", short,
        "2024-06-01 11:00:00 203.0.113.9 POST 302", "garbage line",
        "2024-06-01 11:00:01 203.0.113.10 GET 200"]
    table, data = read(write(tmp_path / "ex.log", lines))
    assert data.num_rows == 7
    assert data.column("c-ip").to_pylist()[5:] == ["203.0.113.9", "203.0.113.10"]
    assert data.column("cs(User-Agent)").to_pylist()[5] is None
    assert table.warnings == ["line 13: fields do not match #Fields"]
    assert table.partial_on_warnings is False


def test_strict_w3c_quoted_strings(tmp_path: Path) -> None:
    lines = ["#Version: 1.0", "#Fields: date time c-ip cs-uri cs(User-Agent) sc-status"] + [
        f'2024-06-01 09:00:0{i} 198.51.100.{i} "/a b/{i}" "Mozilla/5.0 (X11; Linux x86_64)" 200'
        for i in range(5)]
    _, data = read(write(tmp_path / "proxy.log", lines))
    assert data.column("cs-uri").to_pylist()[0] == "/a b/0"
    assert data.column("cs(User-Agent)").to_pylist()[0] == "Mozilla/5.0 (X11; Linux x86_64)"


def test_scan_reports_client_address_user_and_agent(tmp_path: Path) -> None:
    path = write(tmp_path / "u_ex.log", HEADER + [iis_line(i) for i in range(60)])
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.record_kind == "network_log" and not table.is_call_record
    found = {c.ref.column: c.entities for c in table.columns}
    assert "IP_ADDRESS" in found["c-ip"]
    assert "USER_AGENT" in found["cs(User-Agent)"]
    assert "ACCOUNT_ID" in found["cs-username"]
    for plain in ("date", "time", "cs-method", "sc-status", "time-taken", "s-port"):
        assert not found[plain], plain
    assert not any(c.cpni for c in table.columns)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=60), st.sampled_from(
    ["#Fields: a b c", "#Fields:", "1 2 3", '"x y" 2 3', '"unclosed 2 3', "#Version: 1.0"])),
    max_size=30))
def test_parser_never_raises(lines: list[str]) -> None:
    for item in iter_entries(iter(lines)):
        if not isinstance(item, int):
            fields, values = item
            assert len(fields) == len(values)
