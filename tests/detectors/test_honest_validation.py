"""A telling column name never launders invalid values.

Under ``ssn``, ``imei`` or ``date_of_birth``, values that do not validate are not
counted as found: the finding is name-only, at low confidence, and its first
reason says what was validated ("name only: 0 of 40 values valid"). Published
specimen numbers are reported as such. Values below are written from the SSA
numbering rules, the IMEI check-digit rule (Luhn) and the calendar.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from support import luhn_complete

from scanner.core.config import ScanConfig
from scanner.core.engine import scan


def _imeis(n: int, valid: bool) -> list[str]:
    out = []
    for i in range(n):
        body = f"35{(7_412_093_300_000 + 7919 * i) % 10**12:012d}"
        check = luhn_complete(body)[-1]
        out.append(body + (check if valid else str((int(check) + 3) % 10)))
    return out


SSN_INVALID = [
    "000000000",     # area 000
    "000-12-3456",   # area 000
    "666-45-6789",   # area 666 is never issued
    "911-70-1234",   # ITIN (area 9xx)
    "923-78-4567",   # ITIN
    "123-00-4567",   # group 00
    "123-45-0000",   # serial 0000
    "12-3456789",    # EIN form
    "98-7654321",    # EIN form
    "078-05-1120",   # the wallet-card specimen
]
SSN_VALID = ["536-22-1947", "412-87-3310", "219-45-6612", "301-66-7842", "528-19-0456",
             "671-32-9087", "040-51-2298", "772-08-3145", "158-64-7023", "487-90-1186"]
DOB_IMPOSSIBLE = ["2020-02-30", "1990-02-31", "1985-04-31", "2001-11-31", "1999-06-31",
                  "2019-02-29", "1970-09-31", "1964-13-02", "1988-00-12", "1993-02-30"]
DOB_REAL = ["1984-02-29", "1975-06-30", "1990-01-31", "2001-11-30", "1962-07-04",
            "1999-12-31", "1970-09-01", "1988-03-15", "1993-02-28", "1958-10-10"]

COLUMNS = {
    "ssn": SSN_INVALID * 4,
    "social_security_number": SSN_VALID * 4,
    "imei": _imeis(40, valid=False),
    "device_imei": _imeis(40, valid=True),
    "date_of_birth": DOB_IMPOSSIBLE * 4,
    "birth_date": DOB_REAL * 4,
}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    path = Path(tmp_path_factory.mktemp("honest")) / "people.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(zip(*COLUMNS.values(), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    out = {}
    for col in result.sources[0].tables[0].columns:
        out[col.ref.column] = {d.entity: d for d in col.detections}
    return out


@pytest.mark.parametrize(("column", "entity"), [
    ("ssn", "US_SSN"), ("imei", "DEVICE_ID"), ("date_of_birth", "DATE_OF_BIRTH")])
def test_name_over_invalid_values_is_a_name_only_finding(found: dict, column: str,
                                                         entity: str) -> None:
    det = found[column][entity]
    assert det.matched == 0
    assert det.reasons[0] == "name only: 0 of 40 values valid"
    assert det.confidence < 0.5
    assert not any("valid 40/40" in r for r in det.reasons)


@pytest.mark.parametrize(("column", "entity"), [
    ("social_security_number", "US_SSN"), ("device_imei", "DEVICE_ID"),
    ("birth_date", "DATE_OF_BIRTH")])
def test_name_over_valid_values_is_a_confident_finding(found: dict, column: str,
                                                       entity: str) -> None:
    det = found[column][entity]
    assert det.matched == 40
    assert det.confidence >= 0.9
    assert not det.reasons[0].startswith("name only")


def test_specimen_ssns_are_reported_as_such(found: dict) -> None:
    reasons = found["ssn"]["US_SSN"].reasons
    assert "4 known specimen or test values (not counted)" in reasons


@pytest.mark.parametrize("value", SSN_INVALID)
def test_each_invalid_ssn_is_not_counted_alone(tmp_path: Path, value: str) -> None:
    path = tmp_path / "one.csv"
    path.write_text("ssn\n" + "\n".join([value] * 6) + "\n")
    result = scan([str(path)], ScanConfig(ner=False))
    [col] = result.sources[0].tables[0].columns
    for det in col.detections:
        assert det.matched == 0, (value, det.reasons)
