"""Header rows made only of words are headers; a wide header is read whole.

csv.Sniffer votes only on numbers and fixed lengths, so a header over text
columns (names, cities) used to be read as the first data row: the columns
came out as column_1..., and the column-name evidence was lost.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from support import run_cli

from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import open_source

PEOPLE = [("Maria", "Gonzalez", "Austin"), ("Kenji", "Watanabe", "Denver"),
          ("Amara", "Okafor", "Boston"), ("Lukas", "Schmidt", "Seattle"),
          ("Priya", "Raman", "Chicago")]


def _table(path: Path):
    return next(open_source(str(path), ConnectorOptions()).tables())


# (header, rows): word-only headers over text columns.
HEADERS = [
    ("first_name,last_name,city", [",".join(p) for p in PEOPLE]),
    ("col_a,col_b,full_name", [f"x{i},blue,{f} {last}" for i, (f, last, _) in enumerate(PEOPLE)]),
    ("Name,City", [f"{f} {last},{c}" for f, last, c in PEOPLE]),
    ("FirstName;LastName;HomeTown", [";".join(p) for p in PEOPLE]),
    ("Label\tSMS", ["ham\tsee you at the station at six", "spam\tyou have won a prize",
                    "ham\tok lar", "ham\twhere are you now"]),
    ("customer name", [f"{f} {last}" for f, last, _ in PEOPLE]),
]


@pytest.mark.parametrize(("header", "rows"), HEADERS, ids=[h for h, _ in HEADERS])
def test_word_headers_are_headers(tmp_path: Path, header: str, rows: list[str]) -> None:
    path = tmp_path / "people.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    table = _table(path)
    names = [c.name for c in table.columns]
    assert names == [h.strip() for h in header.replace("\t", ",").replace(";", ",").split(",")]
    assert "with header" in table.format_reason
    assert "read as column names" in table.format_reason
    data = pa.Table.from_batches(list(table.batches(ReadPlan())))
    assert data.num_rows == len(rows)


# First rows that are data, though made of words: no header.
NO_HEADERS = [
    ["Maria,Gonzalez,Austin", "Kenji,Watanabe,Denver", "Amara,Okafor,Boston"],
    ["Alice Smith,Boston", "Bob Jones,Austin", "Carol White,Denver"],
]


@pytest.mark.parametrize("rows", NO_HEADERS, ids=[r[0] for r in NO_HEADERS])
def test_word_rows_of_data_are_not_headers(tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / "data.csv"
    path.write_text("\n".join(rows) + "\n")
    table = _table(path)
    assert [c.name for c in table.columns][0] == "column_1"
    assert "no header" in table.format_reason


def test_five_row_names_csv_gives_person_names(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("first_name,last_name,city\n" + "\n".join(",".join(p) for p in PEOPLE) + "\n")
    run = run_cli("scan", str(path), "--format", "json", "--no-store", "--no-ner")
    assert run.code == 0, run.stderr
    cols = {c["name"]: {e["type"] for e in c["entities"]}
            for c in run.json()["sources"][0]["tables"][0]["columns"]}
    assert "PERSON_NAME" in cols["first_name"]
    assert "PERSON_NAME" in cols["last_name"]
    assert "POSTAL_ADDRESS" in cols["city"]


def test_header_over_64_kib_is_read_whole(tmp_path: Path) -> None:
    names = [f"measure_{i:05d}" for i in range(8000)] + ["email"]  # about 110 KB of names
    rows = [",".join(["1"] * 8000 + [f"user{i}@example.org"]) for i in range(3)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + "\n".join(rows) + "\n")
    assert len(",".join(names)) > 64 * 1024
    table = _table(path)
    assert [c.name for c in table.columns] == names
    data = pa.Table.from_batches(list(table.batches(ReadPlan())))
    assert data.num_rows == 3
    assert table.warnings == []


def test_first_line_past_the_bound_is_one_clear_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors import files
    from connectors.base import SourceError

    monkeypatch.setattr(files, "MAX_HEADER_BYTES", 256 * 1024)  # the real bound is 2 MiB
    path = tmp_path / "huge.csv"
    path.write_text(",".join(f"a_rather_long_column_name_{i:06d}" for i in range(9000))
                    + "\n1\n")
    with pytest.raises(SourceError, match=r"huge\.csv: the first line is longer than"):
        list(open_source(str(path), ConnectorOptions()).tables())
