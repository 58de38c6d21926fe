"""Values from outside the US: national phone numbers, postal codes, street lines.

Each table holds values that must be found and look-alikes that must not,
written from the numbering plans (ITU-T E.164 national formats), the postal
code formats of each country and the way street lines are written there.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from detectors.contact import _INTL_STREET, _national_valid
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

# National formats, no country code: Germany, UK, Philippines, India (mobile and
# Mumbai landline), Mexico City, Spain, Argentina, Australia, France, Brazil.
NATIONAL_PHONES = ["089-4512377", "(0221) 9823411", "0171-3324591", "020 7946 0321",
                   "0917-555-0142", "98450 12377", "(022)26354410", "(55) 5281-4490",
                   "91 523 44 10", "(011) 4786-2233", "0412 345 678", "06 12 34 56 78",
                   "(11) 3847-2210"]
NOT_PHONES = ["12-44", "2023", "1-2-3", "v1.2.3", "12", "1234"]

STREETS = ["Obere Str. 57", "Avda. de la Constitución 2222", "Hauptstraße 5",
           "Kerkstraat 12", "Storgatan 3", "12, rue des Bouchers", "Rua Orós, 92",
           "via Monte Bianco 34", "C/ Araquil, 67", "Calle Mayor 14, 3º B",
           "Berliner Allee 112a", "Av. Paulista 1578", "Piazza Navona 45", "Strandvejen 130",
           "ul. Marszałkowska 84", "8 avenue Victor Hugo"]
NOT_STREETS = ["Windows 10 Pro", "Room 101", "Version 2.3 build 5", "Plan 30 GB",
               "The meeting is at 10", "Rock and roll 2", "Level 3", "Volvo V70", "iPhone 12",
               "Offering 3", "Gate 12", "Spring 2024"]

POSTAL_CODES = ["94025.0", "02134", "10115", "75008", "28013", "SW1A 1AA", "K1A 0B1",
                "1012 AB", "00-950", "01310-100", "1000-001", "100-0001", "114 55",
                "D02 X285", "C1002AAB", "D-80331", "560001"]


@pytest.mark.parametrize("value", NATIONAL_PHONES)
def test_national_numbers_are_valid_in_some_region(value: str) -> None:
    assert _national_valid(value)


@pytest.mark.parametrize("value", NOT_PHONES)
def test_short_or_odd_numbers_are_not_phones(value: str) -> None:
    assert not _national_valid(value)


def test_street_lines() -> None:
    got = pc.match_substring_regex(pa.array(STREETS + NOT_STREETS), _INTL_STREET).to_pylist()
    assert dict(zip(STREETS + NOT_STREETS, got, strict=True)) == (
        {s: True for s in STREETS} | {s: False for s in NOT_STREETS})


def _scan(tmp_path: Path, columns: dict[str, list[str]]) -> dict[str, set[str]]:
    path = tmp_path / "intl.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(zip(*columns.values(), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    return {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}


def test_a_scan_finds_them_under_their_columns(tmp_path: Path) -> None:
    n = len(NATIONAL_PHONES)
    found = _scan(tmp_path, {
        "Phone": NATIONAL_PHONES,
        "telefono": list(reversed(NATIONAL_PHONES)),
        "Address": (STREETS * 2)[:n],
        "PostalCode": (POSTAL_CODES * 2)[:n],
        "zip": ["94025.0", "10001.0", "2134.0", "60614.0", "73301.0", "30301.0", "98101.0",
                "33101.0", "80202.0", "02108", "19103.0", "85001.0", "97201.0"],
        # National-looking numbers under a name that says nothing: not phones.
        "ref": NATIONAL_PHONES,
    })
    assert found["Phone"] == {"PHONE_NUMBER"}
    assert found["telefono"] == {"PHONE_NUMBER"}
    assert found["Address"] == {"POSTAL_ADDRESS"}
    assert found["PostalCode"] == {"POSTAL_ADDRESS"}
    assert found["zip"] == {"POSTAL_ADDRESS"}
    assert "PHONE_NUMBER" not in found["ref"]
