"""Passports, driving licences, non-US national IDs and tax numbers.

Valid numbers are built in ``national_values`` from each format's rules; the
look-alikes are the same numbers with a check character changed, forms the
rules forbid, and generic numeric IDs (orders, invoices, customer numbers).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow as pa
import pytest
from national_values import make, named_cases, value_cases

from detectors.base import ValueView
from detectors.registry import all_detectors
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

DETECTORS = {d.name: d for d in all_detectors()}
VALUES = value_cases()
NAMED = named_cases()


@pytest.mark.parametrize(("detector", "value", "valid"), VALUES,
                         ids=[f"{d}-{i}" for i, (d, _, _) in enumerate(VALUES)])
def test_counted_from_values_alone(detector: str, value: str, valid: bool) -> None:
    m = DETECTORS[detector].match(ValueView(pa.array([value])))
    assert ((m.matched if m else 0) == 1) is valid


@pytest.mark.parametrize(("detector", "value", "valid"), NAMED,
                         ids=[f"{d}-{i}" for i, (d, _, _) in enumerate(NAMED)])
def test_valid_under_a_telling_name(detector: str, value: str, valid: bool) -> None:
    m = DETECTORS[detector].match(ValueView(pa.array([value])))
    named = 0 if m is None else (m.shaped if m.named_valid is None else m.named_valid)
    assert (named == 1) is valid


def _scan(tmp_path: Path, columns: dict[str, list[object]]) -> dict[str, dict[str, object]]:
    path = tmp_path / "people.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(zip(*columns.values(), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    return {c.ref.column: {d.entity: d for d in c.detections} | {"_categories": c.categories}
            for c in result.sources[0].tables[0].columns}


def _bare(values: list[str]) -> list[str]:
    return [v.replace(" ", "").replace(".", "").replace("-", "") for v in values]


def test_named_columns_of_bare_numbers(tmp_path: Path) -> None:
    n = 40
    found = _scan(tmp_path, {
        "pesel": make("pl_pesel", n),
        "bsn": make("nl_bsn", n),
        "SIN": _bare(make("ca_sin", n)),
        "steuer_id": _bare(make("de_idnr", n)),
        "vat_number": make("eu_vat", n),
        "passport_no": [f"{random.Random(i).choice('CFGHJK')}{1000000 + i * 7919}"
                        for i in range(n)],
        "DriverLicenseNumber": [f"D{5120000 + i * 37:07d}" for i in range(n)],
    })
    assert "NATIONAL_ID" in found["pesel"] and "NATIONAL_ID" in found["bsn"]
    assert "NATIONAL_ID" in found["SIN"]
    assert "TAX_ID" in found["steuer_id"] and "TAX_ID" in found["vat_number"]
    assert found["pesel"]["NATIONAL_ID"].reasons[0] == f"valid Polish PESEL {n}/{n}"
    passport = found["passport_no"]["PASSPORT"]
    assert passport.confidence <= 0.8
    assert any("no check digit" in r for r in passport.reasons)
    assert "DRIVER_LICENSE" in found["DriverLicenseNumber"]
    for column in ("pesel", "vat_number", "passport_no", "DriverLicenseNumber"):
        assert found[column]["_categories"] == ("customer_provided",)


def test_written_forms_are_found_without_a_telling_name(tmp_path: Path) -> None:
    n = 40
    found = _scan(tmp_path, {
        "col_a": make("br_cpf", n),
        "col_b": make("es_dni", n),
        "col_c": make("br_cnpj", n),
        "col_d": make("it_codicefiscale", n),
    })
    assert set(found["col_a"]) - {"_categories"} == {"NATIONAL_ID"}
    assert set(found["col_b"]) - {"_categories"} == {"NATIONAL_ID"}
    assert set(found["col_c"]) - {"_categories"} == {"TAX_ID"}
    assert set(found["col_d"]) - {"_categories"} == {"NATIONAL_ID"}


def test_generic_numeric_ids_are_not_national_ids(tmp_path: Path) -> None:
    rng = random.Random(3)
    n = 200
    found = _scan(tmp_path, {
        "customer_number": [rng.randint(10**8, 10**9 - 1) for _ in range(n)],
        "order_ref": [rng.randint(10**9, 10**10 - 1) for _ in range(n)],
        "invoice": [str(rng.randint(10**10, 10**11 - 1)) for _ in range(n)],
        "sequence": [str(40_000_000_000 + i) for i in range(n)],
        "product_code": [f"{rng.randint(10**7, 10**8 - 1)}{rng.choice('ABCXYZ')}"
                         for _ in range(n)],
    })
    for column, entities in found.items():
        assert not {"NATIONAL_ID", "TAX_ID"} & set(entities), column


def test_a_telling_name_over_invalid_numbers_says_so(tmp_path: Path) -> None:
    rng = random.Random(5)
    found = _scan(tmp_path, {"national_id": [str(rng.randint(10**10, 10**11 - 1))
                                             for _ in range(60)]})
    claim = found["national_id"].get("NATIONAL_ID")
    assert claim is not None and claim.confidence < 0.5
    assert claim.reasons[0].startswith("name only:")


def test_passport_names_over_free_text_are_name_only(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"passport_number": ["see attached scan", "not provided",
                                                 "ask the customer", "pending"] * 5})
    claim = found["passport_number"]["PASSPORT"]
    assert claim.confidence < 0.5 and claim.reasons[0].startswith("name only")


def test_evidence_is_masked() -> None:
    value = make("pl_pesel", 1)[0]
    m = DETECTORS["pl_pesel"].match(ValueView(pa.array([value])))
    assert m is not None and m.evidence == ("*********" + value[-2:],)
