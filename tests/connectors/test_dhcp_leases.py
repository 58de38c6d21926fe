"""ISC dhcpd.leases and Kea lease files, written here from dhcpd.leases(5) and Kea's docs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.base import ConnectorOptions, ReadPlan
from connectors.dhcp import iter_leases, uid_value
from connectors.registry import open_source
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

HEADER = [
    "# The format of this file is documented in the dhcpd.leases(5) manual page.",
    "# This lease file was written by isc-dhcp-4.4.3",
    "",
    "authoring-byte-order little-endian;",
    "",
    'server-duid "\\000\\001\\000\\001\\000\\000\\000\\000\\000\\000^\\000S\\000";',
    "",
]


def lease(i: int, extra: list[str] | None = None) -> list[str]:
    return [
        f"lease 198.51.100.{i} {{",
        f"  starts 3 2024/05/0{i % 9 + 1} 10:{i:02d}:00;",
        f"  ends 3 2024/05/0{i % 9 + 1} 22:{i:02d}:00;",
        f"  cltt 3 2024/05/0{i % 9 + 1} 10:{i:02d}:00;",
        "  binding state active;",
        "  next binding state free;",
        f"  hardware ethernet 00:00:5e:00:53:{i:02x};",
        f'  uid "\\001\\000\\000^\\000S{chr(0x40 + i) if 0x40 + i < 0x7f else "x"}";',
        f'  client-hostname "host-{i}";',
        *(extra or []),
        "}",
    ]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> tuple[object, pa.Table]:
    table = next(open_source(str(path), ConnectorOptions()).tables())
    batches = list(table.batches(ReadPlan(sample_size=None, batch_size=7)))
    return table, pa.Table.from_batches(batches)


@pytest.mark.parametrize("with_header", [True, False])
def test_leases_become_rows(tmp_path: Path, with_header: bool) -> None:
    lines = (HEADER if with_header else []) + [ln for i in range(20) for ln in lease(i + 1)]
    table, data = read(write(tmp_path / "dhcpd.leases", lines))
    assert table.format == "isc-dhcpd-leases"
    assert table.record_kind == "ip_assignment"
    assert data.num_rows == 20
    assert data.column("lease address").to_pylist()[0] == "198.51.100.1"
    assert data.column("starts").to_pylist()[0] == dt.datetime(2024, 5, 2, 10, 1)
    assert data.column("hardware ethernet").to_pylist()[1] == "00:00:5e:00:53:02"
    assert data.column("client-hostname").to_pylist()[0] == "host-1"
    assert "server-duid" not in data.column_names


def test_extra_statements_never_and_epoch_times(tmp_path: Path) -> None:
    extra = ['  set vendor-class-identifier = "MSFT 5.0";', "  option agent.circuit-id 0:1:2:3;",
             "  on commit {", '    set ClientHost = "x";', "  }"]
    lines = HEADER + lease(1, extra) + [
        "lease 198.51.100.2 {", "  starts epoch 1714557600; # Wed May 01 10:00:00 2024",
        "  ends never;", "  hardware ethernet 00:00:5e:00:53:99;", "}"]
    _, data = read(write(tmp_path / "dhcpd.leases", lines))
    assert data.num_rows == 2
    assert data.column("set vendor-class-identifier").to_pylist()[0] == "MSFT 5.0"
    assert data.column("option agent.circuit-id").to_pylist()[0] == "0:1:2:3"
    assert data.column("starts").to_pylist()[1] == dt.datetime(2024, 5, 1, 10, 0)
    assert data.column("ends").to_pylist()[1] is None
    assert "ClientHost" not in " ".join(data.column_names)


def test_uid_shows_the_mac_of_a_type_one_client_identifier() -> None:
    assert uid_value('"\\001\\000\\025]\\002\\353\\007"') == "00:15:5d:02:eb:07"
    assert uid_value("1:0:15:5d:2:eb:7") == "00:15:5d:02:eb:07"
    assert uid_value('"ab"') == "61:62"


def test_scan_flags_address_and_device(tmp_path: Path) -> None:
    lines = HEADER + [ln for i in range(20) for ln in lease(i + 1)]
    result = scan([str(write(tmp_path / "dhcpd.leases", lines))], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.record_kind == "ip_assignment" and not table.is_call_record
    found = {c.ref.column: c.entities for c in table.columns}
    assert "IP_ADDRESS" in found["lease address"]
    assert "MAC_ADDRESS" in found["hardware ethernet"]
    assert "MAC_ADDRESS" in found["uid"]
    assert not found["binding state"] and not found["starts"]


def test_kea_lease_csv_is_an_ip_assignment(tmp_path: Path) -> None:
    lines = ["address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,"
             "hostname,state,user_context"] + [
        f"192.0.2.{i},00:00:5e:00:53:{i:02x},01:00:00:5e:00:53:{i:02x},4000,{1714557600 + i},"
        f"1,0,0,host{i}.example.net,0," for i in range(1, 30)]
    result = scan([str(write(tmp_path / "kea-leases4.csv", lines))], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.record_kind == "ip_assignment"
    found = {c.ref.column: c.entities for c in table.columns}
    assert "IP_ADDRESS" in found["address"] and "MAC_ADDRESS" in found["hwaddr"]
    assert not found["subnet_id"] and not found["valid_lifetime"]


def test_other_text_is_not_claimed(tmp_path: Path) -> None:
    from connectors.dhcp import DhcpdLeasesSource
    from connectors.registry import sniff

    path = write(tmp_path / "notes.txt", ["a lease of 10 years", "lease agreement {", "}"])
    assert DhcpdLeasesSource.claims(sniff(str(path)), ConnectorOptions()) == 0


_line = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["lease 10.0.0.1 {", "}", "{", "  starts 1 2024/01/01 00:00:00;",
                     "  hardware ethernet 0:1:2:3:4:5;", '  uid "\\001";', "ends never;",
                     "  on commit {", "set x = \"y\";", "starts epoch 99999999999999;"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line, max_size=40))
def test_parser_never_raises(lines: list[str]) -> None:
    from connectors.dhcp import DhcpdLeasesTable

    rows = list(iter_leases(iter(lines)))
    assert all("lease address" in row for row in rows)
    table = DhcpdLeasesTable(Path("fuzz.leases"), ["lease address", "starts", "ends", "uid"])
    batch = table._batch(rows)
    assert batch.num_rows == len(rows)
