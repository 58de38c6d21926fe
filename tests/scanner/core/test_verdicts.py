"""Column verdicts: the statistical bound, name evidence, conflicts and table context."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import luhn_complete

from detectors.base import wilson_lower
from scanner.core.config import ScanConfig
from scanner.core.engine import scan


def _not_luhn(body: str) -> str:
    good = luhn_complete(body)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def _aba(body: str) -> str:
    w = [3, 7, 1, 3, 7, 1, 3, 7]
    s = sum(int(d) * w[i] for i, d in enumerate(body))
    return body + str((10 - s % 10) % 10)


def _scan_table(tmp_path: Path, columns: dict[str, list]) -> dict[str, dict]:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table(columns), path)
    result = scan([str(path)], ScanConfig(ner=False))
    (source,) = result.sources
    (table,) = source.tables
    return {c.ref.column: {"entities": {d.entity: d for d in c.detections}, "cpni": c.cpni,
                           "call_record": table.is_call_record} for c in table.columns}


def _cards(n: int, valid: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(n):
        body = "4" + "".join(rng.choice("0123456789") for _ in range(14))
        out.append(luhn_complete(body) if i < valid else _not_luhn(body))
    rng.shuffle(out)
    return out


def test_wilson_bound() -> None:
    assert wilson_lower(0, 10) == 0
    assert wilson_lower(1, 1000) < 0.01
    assert 0.78 < wilson_lower(812, 1000) < 0.812
    assert wilson_lower(3, 3) < wilson_lower(30, 30) < 1


def test_one_lucky_hit_in_a_thousand_is_not_a_card_column(tmp_path: Path) -> None:
    cols = _scan_table(tmp_path, {"ref": _cards(1000, 1, random.Random(3))})
    assert cols["ref"]["entities"] == {}


def test_most_values_valid_is_a_card_column(tmp_path: Path) -> None:
    cols = _scan_table(tmp_path, {"ref": _cards(1000, 812, random.Random(4))})
    card = cols["ref"]["entities"]["CREDIT_CARD"]
    assert card.confidence > 0.8
    assert any("812/1000" in r for r in card.reasons)
    assert all("*" in e for e in card.evidence)


def test_a_telling_name_over_an_empty_column(tmp_path: Path) -> None:
    cols = _scan_table(tmp_path, {"card_number": pa.array([None] * 10, pa.string()),
                                  "id": list(range(10))})
    card = cols["card_number"]["entities"]["CREDIT_CARD"]
    assert card.confidence < 0.5 and card.sampled == 0
    assert any("name alone" in r for r in card.reasons)


def test_a_telling_name_over_values_of_another_kind_is_not_a_finding(tmp_path: Path) -> None:
    cols = _scan_table(tmp_path, {"cc_type": ["visa", "amex", "mastercard"] * 10,
                                  "card_number": ["visa", "amex", "mastercard"] * 10})
    assert cols["cc_type"]["entities"] == {}
    assert cols["card_number"]["entities"] == {}


def test_created_at_is_not_a_birth_date(tmp_path: Path) -> None:
    dates = [f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}" for i in range(50)]
    cols = _scan_table(tmp_path, {"created_at": dates, "dob": dates, "birthDate": dates})
    assert cols["created_at"]["entities"] == {}
    assert "DATE_OF_BIRTH" in cols["dob"]["entities"]
    assert "DATE_OF_BIRTH" in cols["birthDate"]["entities"]


def test_numbers_stored_as_integers(tmp_path: Path) -> None:
    rng = random.Random(5)
    cards = [int(luhn_complete("5" + str(rng.randint(1, 5)) + "".join(rng.choice("0123456789")
                                                             for _ in range(13))))
             for _ in range(200)]
    phones = [int(f"{rng.choice([212, 415, 617, 303])}{rng.randint(200, 999)}"
                  f"{rng.randint(0, 9999):04d}") for _ in range(200)]
    counts = list(range(200))
    cols = _scan_table(tmp_path, {"a": pa.array(cards, pa.int64()),
                                  "b": pa.array(phones, pa.int64()),
                                  "c": pa.array(counts, pa.int64())})
    assert set(cols["a"]["entities"]) == {"CREDIT_CARD"}
    assert set(cols["b"]["entities"]) == {"PHONE_NUMBER"}
    assert cols["c"]["entities"] == {}


def test_routing_numbers_are_not_also_ssns(tmp_path: Path) -> None:
    rng = random.Random(6)
    routing = [_aba(f"{rng.choice([1, 2, 3, 11, 21, 26])}".zfill(2)
                    + "".join(rng.choice("0123456789") for _ in range(6))) for _ in range(300)]
    ssns = [f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
            for _ in range(300)]
    cols = _scan_table(tmp_path, {"r": routing, "s": ssns})
    assert set(cols["r"]["entities"]) == {"BANK_ACCOUNT"}
    assert set(cols["s"]["entities"]) == {"US_SSN"}


def test_several_types_on_one_column_only_when_each_is_justified(tmp_path: Path) -> None:
    notes = [f"Call me at (617) 555-01{i % 90 + 10} or write to user{i}@example.com today"
             for i in range(100)]
    cols = _scan_table(tmp_path, {"notes": notes})
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS"} <= set(cols["notes"]["entities"])


@pytest.mark.parametrize("aggregate", [True, False])
def test_call_records_and_cpni(tmp_path: Path, aggregate: bool) -> None:
    rng = random.Random(7)
    n = 100
    phone = [f"({rng.choice([212, 415, 617])}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
             for _ in range(n)]
    if aggregate:
        cols = _scan_table(tmp_path, {"region": ["north", "south"] * (n // 2),
                                      "total_calls": list(range(n))})
        assert cols["total_calls"]["entities"] == {}, "aggregate figures are not PII"
        return
    calls = _scan_table(tmp_path, {
        "calling_number": phone, "called_number": list(reversed(phone)),
        "call_start": [f"2026-03-01 10:{i % 60:02d}:00" for i in range(n)],
        "duration": list(range(n)), "disposition": ["ANSWERED", "BUSY"] * (n // 2)})
    assert calls["calling_number"]["call_record"]
    assert calls["calling_number"]["cpni"] and calls["duration"]["cpni"]
    assert {"PHONE_NUMBER", "CALL_DETAIL"} <= set(calls["called_number"]["entities"])
    customers = _scan_table(tmp_path, {"name": ["Ada Lovelace"] * n, "phone": phone,
                                       "signup_date": ["2026-01-01"] * n})
    assert "PHONE_NUMBER" in customers["phone"]["entities"]
    assert not customers["phone"]["cpni"], "a customer's telephone number alone is not CPNI"
    assert not customers["phone"]["call_record"]


def test_python_validators_see_a_bounded_subset(tmp_path: Path) -> None:
    """5,000 international numbers: libphonenumber checks 2,000 and the count is scaled."""
    rng = random.Random(8)
    phones = [f"+44 20 7946 {rng.randint(0, 9999):04d}" for _ in range(5000)]
    path = tmp_path / "intl.parquet"
    pq.write_table(pa.table({"contact": phones}), path)
    result = scan([str(path)], ScanConfig(ner=False, full=True))
    (col,) = result.sources[0].tables[0].columns
    (phone,) = [d for d in col.detections if d.entity == "PHONE_NUMBER"]
    assert phone.sampled == 5000
    assert phone.matched > 4500
    assert any("random subset" in r for r in phone.reasons)


def test_bare_hex_is_a_mac_only_under_a_mac_column_name(tmp_path: Path) -> None:
    rng = random.Random(9)
    macs = [f"{rng.getrandbits(48):012X}" for _ in range(100)]
    cols = _scan_table(tmp_path, {"wifi_mac": macs, "token": macs})
    assert set(cols["wifi_mac"]["entities"]) == {"MAC_ADDRESS"}
    assert cols["wifi_mac"]["entities"]["MAC_ADDRESS"].confidence > 0.8
    assert cols["token"]["entities"] == {}


def test_a_failing_language_model_does_not_end_the_scan(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import detectors.language as language

    def broken(samples: list[list[str]], batch_size: int = 64) -> None:
        raise RuntimeError("model exploded on " + samples[0][0])

    monkeypatch.setattr(language, "recognise_each", broken)
    path = tmp_path / "t.parquet"
    notes = [f"Spoke with Ada Lovelace about order {i}" for i in range(50)]
    pq.write_table(pa.table({"notes": notes, "email": [f"u{i}@example.com" for i in range(50)]}),
                   path)
    result = scan([str(path)], ScanConfig())
    table = result.sources[0].tables[0]
    assert table.status.value == "ok"
    assert "EMAIL_ADDRESS" in table.columns[1].entities
