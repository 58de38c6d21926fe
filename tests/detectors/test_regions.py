"""Regions: national phone numbers and postal codes read in a table's country.

Numbers are written in each country's national format (ITU-T E.164 national
significant numbers with the trunk prefix); look-alikes are dates, versions and
identifiers with the same separators.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from support import run_cli

from detectors.base import ValueView
from detectors.contact import PhoneDetector, PostalCodeDetector, _in_region
from detectors.regions import infer_region

# (region, value, a national number of that region written as one?)
NATIONAL: list[tuple[str, str, bool]] = [
    ("DE", "030-0074321", True), ("DE", "089 4512377", True), ("DE", "(0221) 9823411", True),
    ("DE", "0171-3324591", True), ("PH", "0917-123-4567", True), ("PH", "(02) 8527-4410", True),
    ("IN", "78130 00821", True), ("IN", "(022)28952819", True), ("IN", "98450-12377", True),
    ("FR", "06 12 34 56 78", True), ("GB", "020 7946 0321", True), ("BR", "(11) 3847-2210", True),
    ("MX", "55 5281 4490", True),
    # Dates, versions, bare identifiers, numbers of another region.
    ("DE", "2016-09-01", False), ("DE", "01.09.2016", False), ("DE", "0301234567", False),
    ("PH", "1234-5678", False), ("IN", "2016-09-01", False), ("IN", "7813000821", False),
    ("FR", "12.04.2023", False), ("GB", "1.2.3", False), ("MX", "2023-04-12", False),
    ("BR", "(11) 2023", False),
]


@pytest.mark.parametrize(("region", "value", "valid"), NATIONAL)
def test_national_numbers_of_a_region(region: str, value: str, valid: bool) -> None:
    assert _in_region(value, region) is valid


def test_a_region_lets_values_alone_count() -> None:
    values = pa.array(["030-0074321", "089 4512377", "0171-3324591", "(0221) 9823411"])
    phone = PhoneDetector()
    without = phone.match(ValueView(values))
    within = phone.match(ValueView(values, region="DE"))
    assert without is not None and without.matched == 0 and without.named_valid == 4
    assert within is not None and within.matched == 4


@pytest.mark.parametrize(("region", "good", "bad"), [
    ("FR", ["75008", "13001", "F-69002"], ["K1A 0B1", "SW1A 1AA", "7500"]),
    ("DE", ["10115", "01067", "D-80331"], ["1234 AB", "00-950", "101150"]),
    ("NL", ["1012 AB", "3511LX"], ["10115", "AB 1012"]),
    ("GB", ["SW1A 1AA", "M1 1AE", "EC1A1BB"], ["75008", "K1A 0B1"]),
])
def test_postal_codes_of_a_region(region: str, good: list[str], bad: list[str]) -> None:
    m = PostalCodeDetector().match(ValueView(pa.array(good + bad), region=region))
    assert m is not None and m.matched == len(good)


def _batch(**columns: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(columns)


def test_inferred_from_a_country_column() -> None:
    region = infer_region(_batch(name=["a"] * 10, Country=["Germany"] * 8 + ["Austria"] * 2))
    assert region is not None and region.code == "DE"
    assert region.how == "inferred from column `Country` (8 of 10 values)"


def test_inferred_from_email_domains_and_phone_codes() -> None:
    mails = _batch(email=[f"user{i}@firma{i}.de" for i in range(9)] + ["x@example.com"])
    assert (infer_region(mails) or pytest.fail("no region")).code == "DE"
    phones = _batch(tel=["+63 917 123 4567", "+63 2 8527 4410", "0063 917 555 0142",
                         "+63 918 222 3344", "+63 919 765 4321"])
    assert (infer_region(phones) or pytest.fail("no region")).code == "PH"


def test_no_region_without_a_clear_majority() -> None:
    mixed = ["Germany", "Mexico", "UK", "Sweden", "France", "Spain", "Brazil", "USA"]
    assert infer_region(_batch(country=mixed)) is None
    assert infer_region(_batch(email=[f"u{i}@example.com" for i in range(10)])) is None
    assert infer_region(_batch(note=["hello"] * 10)) is None


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text(",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows))
    return path


NUMBERS = ["030-0074321", "089-4512377", "0171-3324591", "0221-9823411", "040-30051234",
           "0711-2205512", "0351-4820317", "0611-9934120"]


def _table(doc: dict) -> dict:
    return doc["sources"][0]["tables"][0]


def _entities(doc: dict, column: str) -> set[str]:
    cols = {c["name"]: c for c in _table(doc)["columns"]}
    return {e["type"] for e in cols[column]["entities"]}


def test_cli_region_reads_national_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path / "kunden.csv", ["kunde", "kontakt"],
                  [[f"K{i}", n] for i, n in enumerate(NUMBERS)])
    plain = run_cli("scan", str(path), "--format", "json", "--no-ner", "--no-store")
    assert plain.code == 0, plain.stderr
    assert "PHONE_NUMBER" not in _entities(plain.json(), "kontakt")
    assert "region" not in _table(plain.json())
    run = run_cli("scan", str(path), "--region", "de", "--format", "json", "--no-ner",
                  "--no-store")
    assert run.code == 0, run.stderr
    assert "PHONE_NUMBER" in _entities(run.json(), "kontakt")
    assert _table(run.json())["region"] == {"code": "DE", "how": "configured"}
    table = run_cli("scan", str(path), "--region", "DE", "--no-ner", "--no-store")
    assert "region DE (configured)" in table.stdout


def test_cli_region_inferred_from_the_data(tmp_path: Path) -> None:
    path = _write(tmp_path / "kunden.csv", ["kontakt", "land"],
                  [[n, "Deutschland"] for n in NUMBERS])
    run = run_cli("scan", str(path), "--format", "json", "--no-ner", "--no-store")
    assert run.code == 0, run.stderr
    assert _table(run.json())["region"] == {
        "code": "DE", "how": "inferred from column `land` (8 of 8 values)"}
    assert "PHONE_NUMBER" in _entities(run.json(), "kontakt")


def test_cli_unknown_region_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", ["x"], [["1"]])
    run = run_cli("scan", str(path), "--region", "XX", "--no-store")
    assert run.code == 2
    assert "unknown region 'XX'" in run.stderr and "Traceback" not in run.stderr


def test_configuration_regions(tmp_path: Path) -> None:
    _write(tmp_path / "manila.csv", ["contact"], [[n] for n in [
        "0917-123-4567", "0918-222-3344", "(02) 8527-4410", "0919-765-4321", "0920-111-2233"]])
    _write(tmp_path / "berlin.csv", ["kontakt"], [[n] for n in NUMBERS])
    config = tmp_path / "scan.yaml"
    config.write_text("version: 1\ndefault_region: DE\nsources:\n  - path: berlin.csv\n"
                      "  - path: manila.csv\n    region: PH\n")
    run = run_cli("scan", "--config", str(config), "--format", "json", "--no-ner", "--no-store")
    assert run.code in (0, 3), run.stderr
    regions = {s["tables"][0]["name"]: s["tables"][0]["region"]["code"]
               for s in run.json()["sources"]}
    assert regions == {"berlin.csv": "DE", "manila.csv": "PH"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ndefault_region: Germany\nsources: [berlin.csv]\n")
    failed = run_cli("scan", "--config", str(bad), "--no-store")
    assert failed.code == 2 and "line 2" in failed.stderr and "unknown region" in failed.stderr
    assert json.dumps("Traceback") not in failed.stderr
