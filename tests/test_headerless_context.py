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


# --- birth dates from values --------------------------------------------------------

def _ago(years: float, i: int) -> dt.date:
    return TODAY - dt.timedelta(days=round(years * 365.25) + (i * 53) % 360)


def _adult_birth_dates(n: int) -> list[str]:
    """Ages of 18 to 85 spread over the whole range, as a customer table has them."""
    return [_ago(18 + (i * 37) % 68, i).isoformat() for i in range(n)]


def _people_file(path: Path, dates: list[str], delimiter: str = "|",
                 with_name: bool = True) -> Path:
    rows = []
    for i, date in enumerate(dates):
        first, last = FIRST[i % 20], LAST[(i * 7) % 20]
        who = [first, last] if with_name else [f"CORP\\{first[0].lower()}{last.lower()}{i}"]
        rows.append(delimiter.join([str(5000 + i), *who, date, "M" if i % 2 else "F",
                                    f"{first.lower()}.{i}@example.net"]))
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(("dates", "with_name"), [
    (_adult_birth_dates(80), True),
    # SQL Server writes a date as a datetime with a zero time part.
    ([d + " 00:00:00.000" for d in _adult_birth_dates(80)], True),
    ([d.replace("-", "/") for d in _adult_birth_dates(80)], True),
    ([d.replace("-", "") for d in _adult_birth_dates(80)], True),
    # An employee table with a login (DOMAIN\user) and no name: still about people.
    (_adult_birth_dates(80), False),
], ids=["iso", "datetime-midnight", "slashes", "compact", "beside-a-login"])
def test_birth_dates_are_told_by_their_ages(tmp_path: Path, dates: list[str],
                                           with_name: bool) -> None:
    found = _found(_people_file(tmp_path / "people.txt", dates, with_name=with_name))
    position = 3 if with_name else 2
    dob = found[position].get("DATE_OF_BIRTH")
    assert dob is not None
    assert 0.5 <= dob.confidence < 0.8  # inferred, so below a named column's confidence
    assert dob.reasons[0].startswith("inferred from values")
    assert any(r.startswith("beside `column_") for r in dob.reasons)
    # Evidence says the century at most, never a date.
    assert all("*" in e and not any(d[:4] in e for d in dates) for e in dob.evidence)


def _recent(days: int, n: int) -> list[str]:
    return [(TODAY - dt.timedelta(days=(i * 97) % days + 1)).isoformat() for i in range(n)]


@pytest.mark.parametrize("dates", [
    _recent(3 * 365, 80),       # order dates of the last three years
    _recent(10 * 365, 80),      # hire dates of the last ten years
    # created_at stamps spread over decades, but with a time of day.
    [f"{_ago(15 + (i * 11) % 40, i).isoformat()} {(i * 7) % 24:02d}:{(i * 13) % 60:02d}:05"
     for i in range(80)],
    ["1994-07-01"] * 80,        # a 1990s default date, every row the same day
    # Dates a few years apart only: a cohort, not a population.
    [_ago(30 + (i % 4), i).isoformat() for i in range(80)],
], ids=["orders", "hires", "created-at", "one-day", "one-cohort"])
def test_other_dates_beside_names_are_not_birth_dates(tmp_path: Path, dates: list[str]) -> None:
    found = _found(_people_file(tmp_path / "people.txt", dates))
    assert "DATE_OF_BIRTH" not in found[3]
    assert "PERSON_NAME" in found[1]  # the table is about people all the same


def test_dates_spread_over_decades_in_a_table_of_no_one(tmp_path: Path) -> None:
    # A catalogue of recordings: release dates spread like ages, nobody's birth.
    rows = [f"REC-{i:04d}|{_adult_birth_dates(60)[i]}|{20 + i % 50}|{(i * 7) % 5 + 1}"
            for i in range(60)]
    path = tmp_path / "releases.txt"
    path.write_text("\n".join(rows) + "\n")
    found = _found(path)
    assert not any(found.values())


def test_a_named_column_is_left_to_its_name(tmp_path: Path) -> None:
    lines = ["id,first_name,last_name,hire_date"] + [
        f"{i},{FIRST[i % 20]},{LAST[i % 20]},{d}" for i, d in enumerate(_adult_birth_dates(60))]
    path = tmp_path / "staff.csv"
    path.write_text("\n".join(lines) + "\n")
    assert "DATE_OF_BIRTH" not in _found(path)[3]


# --- postal codes from values and their table -----------------------------------------

def _zip(i: int) -> str:
    # Spread over the country, New England's leading zero included.
    return f"{(i * 48271) % 98999 + 1000:05d}"


def _address_rows(n: int, code: object, street: bool = True, city: bool = True) -> list[str]:
    rows = []
    for i in range(n):
        cells = [str(700 + i), f"{FIRST[i % 20]} {LAST[(i * 3) % 20]}"]
        if street:
            cells.append(f"{100 + (i * 37) % 9800} {STREETS[i % 10]}")
        if city:
            cells.append(CITIES[(i * 3) % 10])
        cells.append(str(code(i)) if callable(code) else str(code))
        rows.append("\t".join(cells))
    return rows


@pytest.mark.parametrize("city", [True, False], ids=["street-and-city", "street"])
def test_zip_codes_beside_a_street_are_postal_codes(tmp_path: Path, city: bool) -> None:
    path = tmp_path / "addresses.tsv"
    path.write_text("\n".join(_address_rows(60, _zip, city=city)) + "\n")
    found = _found(path)
    code = found[max(found)]["POSTAL_ADDRESS"]
    assert code.reasons[0].startswith("inferred from values")
    assert "beside `column_3` (street lines) in the same table" in code.reasons


@pytest.mark.parametrize("code", [
    lambda i: _zip(i),  # five digits, no address beside
], ids=["zip-shaped-alone"])
def test_five_digits_without_an_address_are_not_postal_codes(tmp_path: Path, code) -> None:
    path = tmp_path / "accounts.tsv"
    path.write_text("\n".join(_address_rows(60, code, street=False, city=False)) + "\n")
    assert "POSTAL_ADDRESS" not in _found(path)[2]


@pytest.mark.parametrize("code", [
    lambda i: str(10001 + 3 * i),                           # ascending row ids
    lambda i: str(1990 + i % 30),                           # years
    lambda i: str([125, 4380, 19999, 870, 56012][i % 5] + i),  # amounts of many lengths
], ids=["ascending-ids", "years", "amounts"])
def test_numbers_beside_a_street_that_are_no_postal_codes(tmp_path: Path, code) -> None:
    path = tmp_path / "addresses.tsv"
    path.write_text("\n".join(_address_rows(60, code)) + "\n")
    found = _found(path)
    assert "POSTAL_ADDRESS" in found[2]  # the street line is found
    assert "POSTAL_ADDRESS" not in found[4]


@pytest.mark.parametrize("code", [
    lambda i: ["K1A 0B1", "M5V 2T6", "H2X 1Y4", "V6B 4Y8", "T2P 3C5"][i % 5],
    lambda i: ["SW1A 2AA", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT"][i % 6],
], ids=["canadian", "british"])
def test_canadian_and_british_codes_tell_alone(tmp_path: Path, code) -> None:
    rows = [f"{i}|{FIRST[i % 20]}|{LAST[(i * 3) % 20]}|{FIRST[i % 20].lower()}.{i}@example.org|"
            f"{code(i)}" for i in range(40)]
    path = tmp_path / "contacts.txt"
    path.write_text("\n".join(rows) + "\n")
    found = _found(path)
    assert "POSTAL_ADDRESS" in found[4]


def test_unnamed_index_column_of_a_headed_file_is_no_postal_code(tmp_path: Path) -> None:
    # pandas writes its row index as a first column with an empty header cell.
    rows = ["\tName\tStreet\tCity\tPostal Code"] + [
        f"{(i * 48271) % 60000 + 20000}\t{FIRST[i % 20]} {LAST[i % 20]}\t"
        f"{100 + i} {STREETS[i % 10]}\t{CITIES[i % 10]}\t{_zip(i)}" for i in range(60)]
    path = tmp_path / "orders.tsv"
    path.write_text("\n".join(rows) + "\n")
    found = _found(path)
    assert "POSTAL_ADDRESS" not in found[0]
    assert "POSTAL_ADDRESS" in found[4]


def test_database_datetimes_count_at_midnight_only() -> None:
    from detectors.base import ValueView
    from detectors.dates import BirthDateValuesDetector

    births = [dt.datetime.combine(_ago(20 + i % 60, i), dt.time()) for i in range(40)]
    stamps = [b.replace(hour=9 + i % 8, minute=i % 60) for i, b in enumerate(births)]
    det = BirthDateValuesDetector()
    at_midnight = det.match(ValueView(pa.array(births, pa.timestamp("ms"))))
    with_times = det.match(ValueView(pa.array(stamps, pa.timestamp("ms"))))
    assert at_midnight is not None and at_midnight.matched == 40
    assert at_midnight.strong == 40  # spread over decades
    assert with_times is not None and with_times.matched == 0
    dates = det.match(ValueView(pa.array([b.date() for b in births], pa.date32())))
    assert dates is not None and dates.matched == 40


def test_bcp_header_names_lose_the_terminators(tmp_path: Path) -> None:
    lines = ["id+|phone+|kind+|changed&|", *_bcp_lines(20)]
    path = tmp_path / "PhoneExport.csv"
    path.write_text("\n".join(lines) + "\n")
    table = next(open_source(str(path), ConnectorOptions(header=True)).tables())
    assert [c.name for c in table.columns] == ["id", "phone", "kind", "changed"]


def test_birth_dates_in_a_subscriber_list(tmp_path: Path) -> None:
    # A telephone number per row identifies the subscriber as well as a name does.
    dates = _adult_birth_dates(60)
    rows = [f"+1 {212 + (i * 37) % 700} 555 01{i % 100:02d},{d},{1 + i % 4}"
            for i, d in enumerate(dates)]
    path = tmp_path / "subscribers.csv"
    path.write_text("\n".join(rows) + "\n")
    found = _found(path)
    assert "PHONE_NUMBER" in found[0]
    assert "beside `column_1` (phone number) in the same table" in \
        found[1]["DATE_OF_BIRTH"].reasons
