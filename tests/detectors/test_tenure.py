"""A customer's tenure (account_length, account_age, acct_len, tenure) is usage, not an account ID.

Under the policy, CPNI includes "when and how you use" a service: how long a
subscriber has had it is usage tied to that subscriber. Tied to nobody (a
regional average), it is aggregate information and no finding.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scanner.core.config import ScanConfig
from scanner.core.engine import scan


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def columns(path: Path) -> dict[str, tuple[tuple[str, ...], bool]]:
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    return {c.ref.column: (tuple(c.entities), c.cpni) for c in table.columns}


@pytest.mark.parametrize(("name", "span"), [
    ("account_length", 243), ("Account Length", 243), ("AccountLength", 243),
    ("acct_len", 120), ("account_age", 3650), ("tenure", 72), ("customer_tenure", 72),
])
def test_tenure_beside_a_customer_is_usage(tmp_path: Path, name: str, span: int) -> None:
    rows = [[f"(415) 555-{i:04d}", 1 + (i * 37) % span, round(30 + (i * 7) % 190 + 0.5, 1),
             "yes" if i % 3 else "no"] for i in range(80)]
    path = write(tmp_path / "churn.csv",
                 ["phone_number", name, "total_day_minutes", "voice_mail_plan"], rows)
    found = columns(path)
    entities, cpni = found[name]
    assert "ACCOUNT_ID" not in entities
    assert entities == ("SERVICE_USAGE",)
    assert cpni


def test_account_ids_beside_a_tenure_are_still_account_ids(tmp_path: Path) -> None:
    rows = [[f"AC-{700100 + i}", 1 + (i * 13) % 200, round(19.5 + i % 60, 2)] for i in range(60)]
    path = write(tmp_path / "accounts.csv", ["account_id", "account_length", "monthly_charge"],
                 rows)
    found = columns(path)
    assert "ACCOUNT_ID" in found["account_id"][0]
    assert found["account_length"][0] == ("SERVICE_USAGE",)


def test_average_tenure_by_region_is_aggregate(tmp_path: Path) -> None:
    rows = [[f"region {i}", 12 + i, 30 + i * 2] for i in range(12)]
    path = write(tmp_path / "regions.csv", ["region", "tenure", "account_length"], rows)
    found = columns(path)
    assert found["tenure"] == ((), False)
    assert found["account_length"] == ((), False)


def test_timestamps_in_an_account_age_column_are_no_tenure(tmp_path: Path) -> None:
    # Epoch milliseconds are far beyond any count of days or months.
    rows = [[f"(415) 555-{i:04d}", 1_700_000_000_000 + i * 86_400_000] for i in range(50)]
    path = write(tmp_path / "signups.csv", ["phone_number", "account_age"], rows)
    found = columns(path)
    assert "SERVICE_USAGE" not in found["account_age"][0]
    assert "ACCOUNT_ID" not in found["account_age"][0]
