"""Parquet datasets: one table per folder, strays skipped with a reason, bounded sampling."""

from __future__ import annotations

from pathlib import Path

import pyarrow.fs as pafs
import pytest
from lake_data import write_dataset

from connectors.base import ReadPlan
from connectors.lake import (
    MAX_SAMPLE_FILES,
    SCHEMA_PROBES,
    LakeTable,
    dataset_root,
    list_local,
    partition_values,
    spread_order,
)
from connectors.registry import expand
from scanner.core.config import ScanConfig
from scanner.core.engine import scan
from scanner.model import Status


def _table(root: Path) -> LakeTable:
    files, skipped = list_local(str(root))
    return LakeTable(name=root.name, fs=pafs.LocalFileSystem(), root=str(root), files=files,
                     spec=str(root), skipped=skipped)


def test_spread_order_covers_ends_then_middles() -> None:
    assert spread_order(0) == []
    assert spread_order(1) == [0]
    assert spread_order(5)[:3] == [0, 4, 2]
    for n in (2, 3, 7, 100, 1000):
        assert sorted(spread_order(n)) == list(range(n))


def test_paths() -> None:
    assert dataset_root("b/usage/month=2024-01/day=02/p.parquet") == "b/usage"
    assert dataset_root("b/usage/2024/07/p.parquet") == "b/usage"
    assert dataset_root("b/usage/p.parquet") == "b/usage"
    assert partition_values("month=2024-01/day=02/p.parquet") == [("month", "2024-01"),
                                                                ("day", "02")]


def test_dataset_with_a_stray_readme_is_one_source_and_one_table(tmp_path: Path) -> None:
    root = tmp_path / "usage"
    write_dataset(root, files=20, rows_per_file=50)
    (root / "README.txt").write_text("exported monthly\n")
    (root / "_SUCCESS").write_text("")
    assert expand(str(tmp_path)) == [str(root)]
    result = scan([str(tmp_path)], ScanConfig(ner=False))
    assert len(result.sources) == 1
    source = result.sources[0]
    assert source.status is Status.OK and len(source.tables) == 1
    table = source.tables[0]
    assert table.name == "usage"
    assert table.warnings == ("README.txt: skipped: not a Parquet file in a Parquet dataset",)
    cols = {c.ref.column for c in table.columns}
    assert {"subscriber_email", "msisdn", "month"} <= cols
    found = {(c.ref.column, d.entity) for c in table.columns for d in c.detections}
    assert ("subscriber_email", "EMAIL_ADDRESS") in found


def test_a_folder_of_mixed_files_is_still_split(tmp_path: Path) -> None:
    write_dataset(tmp_path / "d", files=2, rows_per_file=5)
    for i in range(3):
        (tmp_path / "d" / f"notes{i}.csv").write_text("a,b\n1,2\n")
    assert len(expand(str(tmp_path))) == 5


def test_sample_opens_a_bounded_spread_of_files(tmp_path: Path) -> None:
    root = tmp_path / "big"
    write_dataset(root, files=120, rows_per_file=40)
    table = _table(root)
    probed = table.files_opened
    assert probed <= SCHEMA_PROBES
    rows = sum(b.num_rows for b in table.batches(ReadPlan(sample_size=1_000)))
    assert rows >= 1_000 // 2
    assert table.files_opened - probed <= MAX_SAMPLE_FILES
    months = {m for b in _table(root).batches(ReadPlan(sample_size=1_000))
              for m in b.column(b.schema.get_field_index("month")).to_pylist()}
    assert len(months) >= 4  # spread over the partitions, not the first folder only


def test_full_reads_every_file_in_bounded_batches(tmp_path: Path) -> None:
    root = tmp_path / "full"
    write_dataset(root, files=6, rows_per_file=300, row_group_size=1_000)
    table = _table(root)
    sizes = [b.num_rows for b in table.batches(ReadPlan(sample_size=None, batch_size=128))]
    assert sum(sizes) == 6 * 300 and max(sizes) <= 128


def test_sample_of_large_row_groups_reads_a_slice(tmp_path: Path) -> None:
    root = tmp_path / "wide"
    write_dataset(root, files=2, rows_per_file=20_000)  # one 20k-row group per file
    table = _table(root)
    rows = sum(b.num_rows for b in table.batches(ReadPlan(sample_size=500)))
    assert rows == 500


@pytest.mark.parametrize("bad", ["garbage", ""])
def test_unreadable_file_in_a_dataset_is_skipped_not_fatal(tmp_path: Path, bad: str) -> None:
    root = tmp_path / "d"
    write_dataset(root, files=3, rows_per_file=20)
    (root / "month=2024-01" / "broken.parquet").write_text(bad)
    table = _table(root)
    rows = sum(b.num_rows for b in table.batches(ReadPlan(sample_size=None)))
    assert rows == 60
    assert any("broken.parquet: skipped" in w for w in table.warnings)


def test_small_files_are_read_in_full_batches_across_files(tmp_path: Path) -> None:
    root = tmp_path / "small"
    write_dataset(root, files=10, rows_per_file=50)
    table = _table(root)
    batches = list(table.batches(ReadPlan(sample_size=None, batch_size=128)))
    assert [b.num_rows for b in batches] == [128, 128, 128, 116]
    # Each row keeps its own file's partition value across the joined files.
    months = [m for b in batches for m in b.column(b.schema.get_field_index("month")).to_pylist()]
    assert months == [f"2024-{m:02d}" for m in range(1, 11) for _ in range(50)]
    assert table.rows_total == 500


def test_damaged_file_among_small_files_keeps_the_rows_read_before_it(tmp_path: Path) -> None:
    root = tmp_path / "d"
    write_dataset(root, files=4, rows_per_file=50)
    victim = sorted(root.rglob("*.parquet"))[2]
    data = bytearray(victim.read_bytes())
    data[8:400] = b"Z" * 392  # the column chunks, not the footer
    victim.write_bytes(bytes(data))
    table = scan([str(root)], ScanConfig(ner=False, full=True)).sources[0].tables[0]
    assert table.status is Status.PARTIAL and table.rows_scanned == 100
    assert "part-00002.parquet: damaged Parquet data" in (table.error or "")


def test_sample_reads_no_footer_twice(tmp_path: Path) -> None:
    root = tmp_path / "spread"
    write_dataset(root, files=30, rows_per_file=100)
    table = _table(root)
    rows = sum(b.num_rows for b in table.batches(ReadPlan(sample_size=1_000)))
    assert rows == 1_000
    # The sample's first files are the ones the schema probe opened: they are not reopened.
    read = int(table.format_reason.split("the sample read ")[1].split()[0])
    assert table.files_opened == read == 10
