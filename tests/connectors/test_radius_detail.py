"""FreeRADIUS detail files, written here from the detail module's documented layout."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan
from connectors.radius_detail import iter_records
from connectors.registry import open_source
from scanner.core.config import ScanConfig
from scanner.core.engine import scan


def block(i: int, station: str) -> list[str]:
    return [
        f"Sat Jun  {i % 9 + 1} 10:{i % 60:02d}:00 2024",
        "\tAcct-Status-Type = Stop",
        f'\tUser-Name = "subscriber{1000 + i}"',
        f'\tAcct-Session-Id = "{i:08X}"',
        "\tNAS-IP-Address = 192.0.2.1",
        f"\tNAS-Port = {i}",
        f"\tFramed-IP-Address = 100.64.{i % 250}.{i % 200 + 1}",
        f'\tCalling-Station-Id = "{station}"',
        f"\tAcct-Session-Time = {3600 + i}",
        f"\tAcct-Input-Octets = {123456 + i}",
        f"\tAcct-Output-Octets = {654321 + i}",
        f'\tEvent-Timestamp = "Jun  {i % 9 + 1} 2024 10:{i % 60:02d}:00 UTC"',
        f"\tTimestamp = {1717236000 + i}",
        "",
    ]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_detail_blocks_become_rows(tmp_path: Path) -> None:
    lines = [ln for i in range(25) for ln in block(i, f"00-00-5E-00-53-{i:02X}")]
    table = next(open_source(str(write(tmp_path / "detail-20240601", lines)),
                             ConnectorOptions()).tables())
    assert table.format == "freeradius-detail"
    assert table.record_kind == "subscriber_usage"
    data = pa.Table.from_batches(list(table.batches(ReadPlan(sample_size=None))))
    assert data.num_rows == 25
    assert data.column("User-Name").to_pylist()[0] == "subscriber1000"
    assert data.column("Record-Time").to_pylist()[0] == "Sat Jun  1 10:00:00 2024"


@pytest.mark.parametrize("station", ["mac", "phone"])
def test_detail_file_is_usage_tied_to_a_subscriber(tmp_path: Path, station: str) -> None:
    lines = [ln for i in range(25) for ln in block(
        i, f"00-00-5E-00-53-{i:02X}" if station == "mac" else f"+1202555{i:04d}")]
    result = scan([str(write(tmp_path / "detail", lines))], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert not table.is_call_record
    found = {c.ref.column: c.entities for c in table.columns}
    cpni = {c.ref.column: c.cpni for c in table.columns}
    assert "ACCOUNT_ID" in found["User-Name"]
    assert "IP_ADDRESS" in found["Framed-IP-Address"]
    assert ("MAC_ADDRESS" if station == "mac" else "PHONE_NUMBER") in found["Calling-Station-Id"]
    for usage in ("Acct-Session-Time", "Acct-Input-Octets", "Acct-Output-Octets"):
        assert set(found[usage]) == {"SERVICE_USAGE"} and cpni[usage], usage
    for plain in ("Acct-Session-Id", "Acct-Status-Type", "NAS-Port", "Timestamp"):
        assert not found[plain], plain


def test_a_config_file_is_not_a_detail_file(tmp_path: Path) -> None:
    from connectors.radius_detail import RadiusDetailSource
    from connectors.registry import sniff

    path = write(tmp_path / "radiusd.conf", ["prefix = /usr", "\tlogdir = ${prefix}/log"])
    assert RadiusDetailSource.claims(sniff(str(path)), ConnectorOptions()) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.sampled_from(
    ["Sat Jun  1 10:00:00 2024", "\tUser-Name = \"x\"", "\tA = ", "", "\t= 1"])), max_size=30))
def test_parser_never_raises(lines: list[str]) -> None:
    for record in iter_records(iter(lines)):
        assert "Record-Time" in record
