"""Files without a header: the values and the rest of the table say what a column is.

A header-less export names its columns ``column_1``, ``column_2`` ...; nothing
in the name helps. SQL Server's bcp writes multi-character terminators
(``-t "+|" -r "&|\\n"``) that must not stay glued to the values. Birth dates
are told from the ages they give, in a table that holds people's names; bare
postal codes from a street or city column beside them. All values below are
written for these tests (NANP 555-01xx numbers, made-up names and streets).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import open_source
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

FIRST = ["Maria", "James", "Aisha", "Kenji", "Olga", "Pedro", "Linda", "Tomas", "Grace", "Omar",
         "Helen", "Victor", "Nadia", "Samuel", "Irene", "Paul", "Rosa", "Daniel", "Emma", "Luis"]
LAST = ["Garcia", "Miller", "Okafor", "Tanaka", "Petrova", "Silva", "Brown", "Novak", "Kim",
        "Haddad", "Walker", "Reyes", "Ivanova", "Turner", "Lopez", "Bennett", "Cruz", "Young",
        "Fischer", "Morgan"]
STREETS = ["Maple Avenue", "Cedar Lane", "Harbor View Road", "Elm Street", "Ridge Drive",
           "Lakeshore Boulevard", "Orchard Court", "Willow Way", "Summit Place", "Mill Road"]
CITIES = ["Springfield", "Riverton", "Fairview", "Oak Ridge", "Lakewood", "Brookfield",
          "Greenville", "Clinton", "Madison", "Franklin"]
TODAY = dt.date.today()


def _table(path: Path):
    return next(open_source(str(path), ConnectorOptions()).tables())


def _rows(path: Path) -> pa.Table:
    return pa.Table.from_batches(list(_table(path).batches(ReadPlan())))


def _found(path: Path) -> dict[int, dict[str, object]]:
    """Column position -> {entity: detection} for the one table of a scanned file."""
    result = scan([str(path)], ScanConfig(ner=False))
    return {c.ref.position: {d.entity: d for d in c.detections}
            for c in result.sources[0].tables[0].columns}


# --- bcp terminators --------------------------------------------------------------

def _bcp_lines(n: int) -> list[str]:
    rows = []
    for i in range(n):
        phone = f"{212 + 37 * (i % 20)}-555-01{i % 100:02d}"
        rows.append(f"{1000 + i}+|{phone}+|{1 + i % 3}+|2021-0{1 + i % 9}-1{i % 10} "
                    f"00:00:00.000&|")
    return rows


def test_bcp_field_and_row_terminators_are_stripped(tmp_path: Path) -> None:
    path = tmp_path / "PhoneExport.csv"
    path.write_text("\n".join(_bcp_lines(60)) + "\n")
    table = _table(path)
    # The closing `|` of each row leaves no empty column behind.
    assert [c.name for c in table.columns] == ["column_1", "column_2", "column_3", "column_4"]
    assert "+| ending fields" in table.format_reason
    assert "&| ending rows" in table.format_reason
    data = _rows(path)
    assert data.column("column_1")[0].as_py() == "1000"
    assert data.column("column_2")[0].as_py() == "212-555-0100"
    assert data.column("column_4")[0].as_py() == "2021-01-10 00:00:00.000"


def test_bcp_export_phone_column_is_found(tmp_path: Path) -> None:
    path = tmp_path / "PhoneExport.csv"
    path.write_text("\n".join(_bcp_lines(60)) + "\n")
    found = _found(path)
    assert "PHONE_NUMBER" in found[1]
    assert not found[0] and not found[2]


def test_empty_bcp_field_is_the_terminator_alone(tmp_path: Path) -> None:
    lines = [f"{i}+|Note {i}+|+|x{i}&|" for i in range(10)]
    path = tmp_path / "notes.dat"
    path.write_text("\n".join(lines) + "\n")
    data = _rows(path)
    assert data.column("column_3").to_pylist() == [""] * 10
    assert data.column("column_4")[0].as_py() == "x0"


@pytest.mark.parametrize("lines", [
    # A plus sign that ends some values only (phone numbers in international form).
    ["1|+44 20 7946 0000|a", "2|0207 946 0001|b", "3|+44 20 7946 0002|c"],
    # Amounts whose every value carries a percent sign: only one column, not every field.
    ["1|12%|north", "2|7%|south", "3|30%|east"],
], ids=["plus-in-some-values", "percent-in-one-column"])
def test_ordinary_values_keep_their_last_character(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(lines) + "\n")
    data = _rows(path)
    assert data.column("column_2").to_pylist() == [ln.split("|")[1] for ln in lines]
    assert "ending fields" not in _table(path).format_reason


def test_informix_unload_closing_delimiter_leaves_no_column(tmp_path: Path) -> None:
    lines = [f"{i}|{FIRST[i]}|{LAST[i]}|2006-02-15 04:45:30.00000|" for i in range(10)]
    path = tmp_path / "customer.unl"
    path.write_text("\n".join(lines) + "\n")
    assert [c.name for c in _table(path).columns] == [
        "column_1", "column_2", "column_3", "column_4"]
    assert _rows(path).num_rows == 10
