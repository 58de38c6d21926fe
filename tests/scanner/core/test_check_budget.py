"""Per-value Python checks in a full scan: a budget per column, the same findings.

Validators written in Python (libphonenumber, email-validator, usaddress) hold
the interpreter lock, so on a big table they decide how much of the machine a
full scan can use. Past a column's first values each batch checks a small
seeded subset; its counts are scaled up, so what a user sees does not change.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from connectors.base import DEFAULT_BATCH_SIZE
from detectors import contact
from detectors.base import (
    _NUMBER_SHAPE,
    ValueView,
    check_each,
    python_checks_capped,
)
from detectors.fastpaths import byte_set, edges_allow
from detectors.registry import all_detectors
from scanner.core import engine as engine_module
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

EMAIL = next(d for d in all_detectors() if d.name == "email")


def test_a_cap_checks_a_subset_and_scales_the_count_up() -> None:
    values = pa.array([f"{i:04d}" for i in range(1_000)])
    seen: list[str] = []

    def even(v: str) -> bool:
        seen.append(v)
        return int(v) % 2 == 0

    whole = check_each(values, even, EMAIL)
    assert (whole.matched, whole.subset, len(seen)) == (500, None, 1_000)
    seen.clear()
    with python_checks_capped(100):
        part = check_each(values, even, EMAIL)
    assert len(seen) == 100 and part.subset == 100
    assert 350 <= part.matched <= 650  # an estimate of the 500, from 100 drawn at random
    seen.clear()
    check_each(values, even, EMAIL)  # the cap ends with its block
    assert len(seen) == 1_000


def test_number_shaped_values_are_found_as_by_the_pattern_alone() -> None:
    rng = random.Random(7)
    alphabet = "0123456789 +-().,;/#:xtenabé\t"
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
              for _ in range(5_000)]
    values += ["212-555-0144", "(212) 555-0144 ext. 7", "+44 20 7946 0958", "1", "-", "+",
               "12 ", " 12", "١٢٣", "x12", "12x"]
    view = ValueView(pa.array(values))
    expected = pc.match_substring_regex(view.strings, _NUMBER_SHAPE)
    assert view.numeric_mask.to_pylist() == expected.to_pylist()
    assert view.textual.to_pylist() == view.strings.filter(pc.invert(expected)).to_pylist()


def test_first_and_last_bytes_of_sliced_and_empty_values() -> None:
    digits = byte_set(b"0123456789")
    arr = pa.array(["a1", "12", "", "3", "4b", "55"]).slice(1, 4)
    assert edges_allow(arr, digits, digits).tolist() == [True, False, True, False]
    assert edges_allow(pa.array(["", ""]), digits, digits).tolist() == [False, False]
    assert edges_allow(pa.array(["1", None]), digits, digits) is None


def _emails(path: Path, rows: int) -> None:
    domains = ["example.com", "mail.example.org", "example.net"]
    pq.write_table(pa.table({"email": [f"user{i}@{domains[i % 3]}" for i in range(rows)]}),
                   path)


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = contact.email_valid

    def counting(value: str) -> object:
        calls[0] += 1
        return real(value)

    monkeypatch.setattr(contact, "email_valid", counting)
    return calls


def test_a_full_scan_checks_fewer_values_past_a_columns_first_batches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "contacts.parquet"
    _emails(path, 4 * DEFAULT_BATCH_SIZE)  # four batches
    calls = _counted(monkeypatch)
    monkeypatch.setattr(engine_module, "_FULL_CHECKS", 1 << 40)
    before = scan([str(path)], ScanConfig(full=True, ner=False)).findings()
    unbudgeted = calls[0]
    calls[0] = 0
    monkeypatch.setattr(engine_module, "_FULL_CHECKS", DEFAULT_BATCH_SIZE)
    monkeypatch.setattr(engine_module, "_LATER_CHECKS", 16)
    after = scan([str(path)], ScanConfig(full=True, ner=False)).findings()
    assert calls[0] * 3 < unbudgeted
    # The same column, the same type, the same confidence and count: every address is valid.
    found = [(f.column, f.entity, f.confidence, f.matched) for f in after]
    assert found == [(f.column, f.entity, f.confidence, f.matched) for f in before]
    assert found == [("email", "EMAIL_ADDRESS", found[0][2], 4 * DEFAULT_BATCH_SIZE)]
