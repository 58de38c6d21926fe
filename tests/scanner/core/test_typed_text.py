"""Dates and amounts written as text are read as dates and numbers; repetitive text is checked once.

A CSV export holds everything as text. Its ISO dates and decimal amounts are read
as the types they write, so the same table gets the same verdict from the CSV as
from a typed Parquet file, and those columns skip the text detectors. A batch that
breaks its column's shape is read as text, as before.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from detectors.base import ValueView
from scanner.core.config import ScanConfig
from scanner.core.engine import _RunningColumn, _typed, scan
from scanner.model import ColumnRef

_FIRST = ("Maria", "James", "Wei", "Olga", "Ahmed", "Laura", "Kenji", "Grace", "Pedro", "Anna")
_LAST = ("Garcia", "Smith", "Chen", "Ivanova", "Hassan", "Rossi", "Tanaka", "Okafor", "Silva")


def _table(rows: int = 3_000) -> pa.Table:
    rng = random.Random(5)
    today = dt.date(2026, 1, 1)
    births = [today - dt.timedelta(days=rng.randint(19 * 365, 80 * 365)) for _ in range(rows)]
    signups = [today - dt.timedelta(days=rng.randint(0, 900)) for _ in range(rows)]
    return pa.table({
        "full_name": [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rows)],
        "email": [f"user{i}@example.org" for i in range(rows)],
        "birth_date": pa.array(births, pa.date32()),
        "signup_date": pa.array(signups, pa.date32()),
        "balance": pa.array([round(rng.uniform(1, 900), 2) for _ in range(rows)], pa.float64()),
    })


def _verdicts(path: Path) -> dict[str, tuple[str, ...]]:
    result = scan([str(path)], ScanConfig(full=True, ner=False))
    return {c.ref.column: tuple(sorted(c.entities))
            for s in result.sources for t in s.tables for c in t.columns}


def test_a_csv_export_gets_the_verdict_of_the_typed_table(tmp_path: Path) -> None:
    table = _table()
    pq.write_table(table, tmp_path / "customers.parquet")
    pacsv.write_csv(table, tmp_path / "customers.csv")
    typed = _verdicts(tmp_path / "customers.parquet")
    text = _verdicts(tmp_path / "customers.csv")
    assert text == typed
    assert typed["birth_date"] == ("DATE_OF_BIRTH",)
    assert typed["email"] == ("EMAIL_ADDRESS",)


def _column() -> _RunningColumn:
    return _RunningColumn(ColumnRef("export.csv", "export", "when", 0, "string"))


def test_a_batch_that_breaks_the_shape_is_read_as_text() -> None:
    col = _column()
    first = _typed(col, ValueView(pa.array(["2024-01-31", " 2023-12-01 ", "", None])))
    assert first.kind == "temporal" and first.count == 2
    # 2024-02-30 has the shape of a date without being one; "soon" has no shape at all.
    assert _typed(col, ValueView(pa.array(["2024-02-30", "2024-03-01"]))).kind == "string"
    assert _typed(col, ValueView(pa.array(["soon", "2024-03-01"]))).kind == "string"
    assert _typed(col, ValueView(pa.array(["2024-04-01"]))).kind == "temporal"


def test_a_column_whose_first_values_are_mixed_stays_text() -> None:
    col = _column()
    assert _typed(col, ValueView(pa.array(["12.50", "n/a - waived", "3.99"]))).kind == "string"
    # Decided on the first values: later all-decimal batches are still read as text.
    assert _typed(col, ValueView(pa.array(["12.50", "3.99"]))).kind == "string"


def test_digits_without_a_fraction_stay_text() -> None:
    # Phone numbers, SSNs, card and account numbers are digits: never read as numbers.
    for values in (["2125550123", "6465550199"], ["078-05-1120"], ["4111111111111111"],
                   ["10.0.0.1"], ["212.555.0123"]):
        assert _typed(_column(), ValueView(pa.array(values))).kind == "string", values
    assert _typed(_column(), ValueView(pa.array(["-12.5", "+3.25"]))).kind == "float"


def _names(detectors) -> set[str]:  # noqa: ANN001
    return {d.name for d in detectors}


def test_a_repetitive_column_is_checked_once_yet_a_new_value_is_still_seen() -> None:
    from detectors.registry import all_detectors
    from scanner.core.engine import Engine

    detectors = [d for d in all_detectors() if "string" in d.kinds]
    statuses = pa.array(["active", "suspended", "closed"] * 1_000)
    with_mail = pa.array(["active", "closed"] * 1_000 + [f"m{i % 7}@example.org"
                                                         for i in range(1_000)])
    col = _column()
    first = Engine._worth_running(detectors, ValueView(statuses), col)
    assert "email" not in _names(first)
    # The same statuses again: nothing new to check, the same detectors run.
    assert _names(Engine._worth_running(detectors, ValueView(statuses), col)) == _names(first)
    # Addresses that were never seen: the e-mail detector reads the batch, exactly as
    # without anything remembered.
    mixed = Engine._worth_running(detectors, ValueView(with_mail), col)
    assert "email" in _names(mixed)
    assert _names(mixed) >= _names(Engine._worth_running(detectors, ValueView(with_mail),
                                                         _column()))


def test_no_value_read_stays_in_the_process_after_its_scan(tmp_path: Path) -> None:
    """Answers kept per value (phones, names) speed a scan up and end with it."""
    from detectors import contact, lexicon

    path = tmp_path / "contacts.csv"
    rows = ["full_name,phone,status"] + [
        f"{_FIRST[i % 10]} {_LAST[i % 9]},(212) 555-01{i % 100:02d},active" for i in range(3_000)]
    path.write_text("\n".join(rows) + "\n")
    result = scan([str(path)], ScanConfig(full=True, ner=False))
    assert result.complete
    assert contact._national_valid.cache_info().currsize == 0
    assert contact._in_region.cache_info().currsize == 0
    assert lexicon._MEMO == {}
