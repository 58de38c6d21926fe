"""The Python API: scan, scan_frame, load_policy, the result helpers and the pytest gate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import ROOT

from scanner import ScanConfig, ScanResult, load_policy, scan, scan_frame
from scanner.model import FINDING_COLUMNS, Status
from scanner.policy import PolicyError
from scanner.testing import UnapprovedPII, approve_frame, assert_no_unapproved_pii

FAST = ScanConfig(ner=False)
N = 400
EMAILS = [f"customer{i}@example.org" for i in range(N)]
CARDS = ["4111111111111111", "5500005555555559", "340000000000009", "6011000000000004"] * (N // 4)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": range(N),
        "contact_email": EMAILS,
        "card_number": CARDS,
        "amount": [i * 1.25 for i in range(N)],
        "note": ["delivered"] * N,
    })


def _found(result: ScanResult) -> set[tuple[str, str]]:
    return {(column, entity) for _s, _t, column, entity in result.flatten()}


def test_scan_frame_finds_pii_in_a_dataframe() -> None:
    result = scan_frame(_frame(), name="orders", config=FAST)
    assert _found(result) == {("contact_email", "EMAIL_ADDRESS"), ("card_number", "CREDIT_CARD")}
    assert result.complete
    table = result.sources[0].tables[0]
    assert (table.name, table.rows_scanned, table.rows_total) == ("orders", N, N)


def test_dataframe_and_parquet_file_give_the_same_findings(tmp_path: Path) -> None:
    df = _frame()
    path = tmp_path / "orders.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
    from_file = scan(path, config=FAST)
    from_frame = scan_frame(df, name="orders.parquet", config=FAST)
    assert _found(from_file) == _found(from_frame)
    file_conf = {(f.column, f.entity): f.confidence for f in from_file.findings()}
    frame_conf = {(f.column, f.entity): f.confidence for f in from_frame.findings()}
    assert file_conf == frame_conf


def test_arrow_table_and_record_batch_reader() -> None:
    table = pa.table({"email": EMAILS, "n": list(range(N))})
    assert _found(scan_frame(table, name="t", config=FAST)) == {("email", "EMAIL_ADDRESS")}
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=64))
    result = scan_frame(reader, name="stream", config=FAST)
    assert _found(result) == {("email", "EMAIL_ADDRESS")}
    assert result.sources[0].tables[0].rows_total is None
    assert result.sources[0].tables[0].rows_scanned == N


def test_large_table_is_sampled_not_read_whole() -> None:
    big = pa.table({"email": [f"u{i}@example.net" for i in range(30_000)]})
    result = scan_frame(big, name="big", config=ScanConfig(ner=False, sample_size=1_000))
    table = result.sources[0].tables[0]
    assert (table.rows_scanned, table.rows_total) == (1_000, 30_000)
    assert _found(result) == {("email", "EMAIL_ADDRESS")}


def test_nested_arrow_columns_are_flattened_and_lists_scanned() -> None:
    table = pa.table({"customer": [{"email": e, "age": 30} for e in EMAILS[:100]]})
    assert ("customer.email", "EMAIL_ADDRESS") in _found(
        scan_frame(table, name="nested", config=FAST))


def test_awkward_dataframes_still_scan() -> None:
    # Integer column labels, a mixed-type object column and a meaningful index.
    df = pd.DataFrame({0: EMAILS[:100], 1: [1, "a", 2.5, None] * 25})
    df.index = pd.Index(EMAILS[100:200], name="login_email")
    found = _found(scan_frame(df, name="odd", config=FAST))
    assert ("0", "EMAIL_ADDRESS") in found
    assert ("login_email", "EMAIL_ADDRESS") in found


def test_include_exclude_apply_to_frames() -> None:
    from connectors.base import ConnectorOptions

    cfg = ScanConfig(ner=False, connector=ConnectorOptions(exclude=("orders.card_number",)))
    assert _found(scan_frame(_frame(), name="orders", config=cfg)) == {
        ("contact_email", "EMAIL_ADDRESS")}


def test_scan_frame_rejects_what_it_cannot_read() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        scan_frame([{"email": "x"}], name="rows")  # type: ignore[arg-type]


def test_result_helpers_hold_no_raw_values() -> None:
    result = scan_frame(_frame(), name="orders", config=FAST)
    df = result.to_pandas()
    assert list(df.columns) == list(FINDING_COLUMNS)
    assert set(zip(df["column"], df["entity"], strict=True)) == _found(result)
    assert df.loc[df.entity == "EMAIL_ADDRESS", "identity"].item() == "orders/orders/contact_email"
    text = result.to_json()
    for raw in EMAILS[:50] + CARDS[:4]:
        assert raw not in text
        assert raw not in df.to_string()
    assert ScanResult.from_dict(json.loads(text)).flatten() == result.flatten()
    assert result.findings(min_confidence=1.01) == []
    assert result.to_pandas(min_confidence=1.01).empty
    assert len(result.findings(min_confidence=0.5)) == 2


def test_scan_of_paths_returns_failures_in_the_result(tmp_path: Path) -> None:
    result = scan([tmp_path / "missing.csv"], config=FAST)
    assert not result.complete
    assert result.sources[0].status is Status.FAILED
    assert "no such file" in (result.sources[0].error or "")


def test_load_policy_and_a_policy_path(tmp_path: Path) -> None:
    policy = load_policy()
    assert "customer_provided" in [c.id for c in policy.categories]
    with pytest.raises(PolicyError):
        load_policy(tmp_path / "missing.yaml")
    result = scan_frame(_frame(), name="orders", config=FAST, policy=policy)
    assert result.findings()[0].categories


def test_location_feeds_the_storage_check() -> None:
    from scanner.policy.residency import StorageVerdict, assess

    result = scan_frame(_frame(), name="orders", config=FAST, location="DE")
    verdict = assess(result, load_policy()).sources[0].verdict
    assert verdict is StorageVerdict.VIOLATION


def test_assert_no_unapproved_pii_gates_a_table(tmp_path: Path) -> None:
    baseline = tmp_path / "orders.baseline.json"
    with pytest.raises(UnapprovedPII) as failed:
        assert_no_unapproved_pii(_frame(), baseline=None, name="orders", config=FAST)
    message = str(failed.value)
    assert "orders/orders/contact_email" in message and "EMAIL_ADDRESS" in message
    assert not any(raw in message for raw in EMAILS + CARDS)

    approve_frame(_frame(), baseline, name="orders", reason="checkout", config=FAST)
    outcome = assert_no_unapproved_pii(_frame(), baseline=baseline, name="orders", config=FAST)
    assert len(outcome.approved) == 2

    grown = _frame().assign(customer_phone=[f"+1 212 555 {i:04d}" for i in range(N)])
    with pytest.raises(AssertionError, match="customer_phone"):
        assert_no_unapproved_pii(grown, baseline=baseline, name="orders", config=FAST)
    # Only the severities asked for fail.
    assert_no_unapproved_pii(grown, baseline=baseline, name="orders", config=FAST,
                             fail_on="critical")


def test_importing_the_package_stays_cheap() -> None:
    code = ("import sys, scanner.model, scanner; "
            "print(sorted(m for m in ('pandas', 'scanner.api', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
