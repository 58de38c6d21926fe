"""A long free-text column: every value searched for PII inside it, no more work than that.

The embedded detectors read every note (one card in the last batch is a finding);
a value detector, which claims a column by the share of its values, stops reading
a free-text column once tens of thousands of notes gave it next to nothing.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from detectors.base import ValueView
from detectors.registry import all_detectors
from scanner.core.config import ScanConfig
from scanner.core.engine import Engine, _RunningColumn, scan
from scanner.model import ColumnRef

_WORDS = ("modem", "reset", "remotely", "customer", "asked", "about", "the", "outage",
          "ticket", "closed", "technician", "visit", "scheduled", "refund", "applied",
          "router", "replaced", "signal", "weak", "upstairs", "billing", "question")

ROWS = 140_000


def _notes(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choice(_WORDS) for _ in range(8)) + f" order {rng.randint(1, 10**7)}"
            for _ in range(n)]


def _ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"


def _found(result) -> dict[tuple[str, str], int]:  # noqa: ANN001
    return {(c, d.entity): d.matched for _, _, c, d in _detections(result)}


def _detections(result):  # noqa: ANN001, ANN202
    for s in result.sources:
        for t in s.tables:
            for c in t.columns:
                for d in c.detections:
                    yield s, t, c.ref.column, d


@pytest.fixture(scope="module")
def late_pii(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """140,000 ticket notes; SSNs only in the last 5,000, and one e-mail in the very last."""
    rng = random.Random(23)
    notes = _notes(rng, ROWS)
    planted = 0
    for i in range(ROWS - 5_000, ROWS, 100):
        notes[i] = f"caller gave ssn {_ssn(rng)} to verify the account"
        planted += 1
    notes[-1] = "please send the invoice copy to dana.whitfield@example.net today"
    path = tmp_path_factory.mktemp("notes") / "notes.parquet"
    pq.write_table(pa.table({"ticket": list(range(ROWS)), "notes": notes}), path)
    return path, planted


def test_pii_in_the_last_rows_of_long_notes_is_found(late_pii) -> None:  # noqa: ANN001
    path, planted = late_pii
    result = scan([str(path)], ScanConfig(full=True, ner=False))
    found = _found(result)
    assert found[("notes", "US_SSN")] == planted
    assert found[("notes", "EMAIL_ADDRESS")] == 1


def test_value_detectors_stop_reading_notes_they_find_nothing_in(
        late_pii, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    path, _ = late_pii
    seen: dict[str, int] = {}
    patched = {type(d) for d in all_detectors()}
    for cls in patched:
        original = cls.match

        def counting(self, view: ValueView, _original=original):  # noqa: ANN001, ANN202
            if view.kind == "string" and view.is_text and view.count > 1_000:
                seen[self.name] = seen.get(self.name, 0) + view.count
            return _original(self, view)

        monkeypatch.setattr(cls, "match", counting)
    scan([str(path)], ScanConfig(full=True, ner=False))
    # The embedded detectors read all the notes ...
    assert seen["embedded_us_ssn"] == ROWS
    assert seen["embedded_email"] == ROWS
    # ... a value detector that found (next to) no value of its kind in the first
    # batch reads no further: no column of SSNs, cards, user agents or addresses here.
    for name in ("us_ssn", "credit_card", "user_agent", "street_address"):
        assert 0 < seen[name] < ROWS // 2, name


def test_a_long_column_of_addresses_is_still_read_to_the_end(tmp_path: Path) -> None:
    """Addresses are long and spaced like text; their value detector keeps reading them."""
    rng = random.Random(8)
    streets = ("Maple Avenue", "Harbor Street", "Lincoln Road", "Birch Lane", "Quarry Drive")
    towns = ("Springfield, IL 62704", "Salem, OR 97301", "Dover, DE 19901", "Austin, TX 78701")
    rows = 120_000
    values = [f"{rng.randint(1, 9999)} {rng.choice(streets)}, {rng.choice(towns)}"
              for _ in range(rows)]
    path = tmp_path / "customers.parquet"
    pq.write_table(pa.table({"addr_line": values}), path)
    result = scan([str(path)], ScanConfig(full=True, ner=False))
    found = _found(result)
    assert ("addr_line", "POSTAL_ADDRESS") in found


def test_the_language_model_sample_holds_the_head_of_long_values() -> None:
    """A column of whole documents keeps a few thousand characters of each, not megabytes."""
    engine = Engine(ScanConfig(ner_sample=50))
    try:
        col = _RunningColumn(ColumnRef("docs.parquet", "docs", "body", 0, "string"))
        page = "Minutes of the meeting with Harriet Osei about the lease renewal. " * 3_000
        engine._keep_ner_sample(col, ValueView(pa.array([page] * 80)))
        assert len(col.ner_sample) == 50
        assert all(page.startswith(v) and 1_000 <= len(v) <= 5_000 for v in col.ner_sample)
    finally:
        engine._shutdown()
