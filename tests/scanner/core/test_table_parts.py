"""A dataset read in runs of files, merged and judged once, gives one pass's verdicts.

This is what the Dask executor does with a large dataset on ``--full``; here
the runs are read in this process, so the merge itself is checked without a
cluster.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.fs as pafs
from lake_data import write_dataset

from connectors.base import ReadPlan
from connectors.lake import LakeTable, list_local
from connectors.registry import open_source
from detectors.base import Tally
from scanner.core.config import ScanConfig
from scanner.core.engine import Engine, TableRead, _RunningColumn, merge_reads
from scanner.model import ColumnRef, Status
from scanner.policy import Policy

POLICY = Policy.load(None)


def _table(root: Path, together: int = 0) -> LakeTable:
    """The dataset as a table; ``together`` small files of it read as one stream of batches."""
    files, skipped = list_local(str(root))
    table = LakeTable(name=root.name, fs=pafs.LocalFileSystem(), root=str(root), files=files,
                      spec=str(root), skipped=skipped)
    if together:
        size = max(Path(f).stat().st_size for f in files)
        table.small_file_bytes = size
        table.coalesce_bytes = together * size
    else:
        table.small_file_bytes = 0  # every file read on its own
    return table


def test_runs_of_files_are_consecutive_and_cover_the_dataset(tmp_path: Path) -> None:
    write_dataset(tmp_path / "usage", files=10, rows_per_file=50)
    table = _table(tmp_path / "usage")
    for count in (1, 3, 4, 10, 50):
        runs = table.groups(count)
        assert [f for run in runs for f in run] == table.files
        assert len(runs) == min(count, 10) and all(runs)
    # Bytes weigh the runs: one file as large as all the others is a run of its own.
    sizes = {f: 1 for f in table.files} | {table.files[0]: 9}
    assert table.groups(2, sizes)[0] == [table.files[0]]


def test_runs_split_files_of_equal_size_evenly_or_shrinking(tmp_path: Path) -> None:
    write_dataset(tmp_path / "usage", files=12, rows_per_file=50)
    table = _table(tmp_path / "usage")
    sizes = {f: 1_000 for f in table.files}
    assert [len(run) for run in table.groups(4, sizes)] == [3, 3, 3, 3]
    # Tapered, a worker's last task is a short one.
    tapered = [len(run) for run in table.groups(4, sizes, taper=3.0)]
    assert sum(tapered) == 12 and tapered == sorted(tapered, reverse=True)
    assert tapered[0] >= 2 * tapered[-1]


def test_runs_start_where_a_stream_of_small_files_starts(tmp_path: Path) -> None:
    write_dataset(tmp_path / "usage", files=10, rows_per_file=50)
    table = _table(tmp_path / "usage", together=3)
    chunks = table.chunks()
    assert [len(c) for c in chunks] == [3, 3, 3, 1]
    starts = {c[0] for c in chunks}
    for count in (2, 3, 4, 10):
        runs = table.groups(count)
        assert [f for run in runs for f in run] == table.files
        assert len(runs) == min(count, 4) and all(run[0] in starts for run in runs)
    # Small files are read in batches of the plan's size across files.
    sizes = [b.num_rows for b in table.part(chunks[0]).batches(ReadPlan(sample_size=None,
                                                                         batch_size=64))]
    assert sizes == [64, 64, 22]


def test_parts_read_merged_and_judged_once_equal_one_pass(tmp_path: Path) -> None:
    root = tmp_path / "usage"
    write_dataset(root, files=6, rows_per_file=300)
    config = ScanConfig(ner=False, full=True)
    engine = Engine(config, POLICY)
    source = open_source(str(root), config.connector, 1)
    # Small files are read two by two, in runs of them as in one pass.
    whole = engine.scan_table(source, _table(root, together=2))
    table = _table(root, together=2)
    reads = [engine.read_table(source, table.part(run)) for run in table.groups(3)]
    assert len(reads) == 3 and sum(r.rows for r in reads) == 6 * 300
    table.rows_total = 6 * 300
    merged = engine.judge_read(source, table, engine.merge_reads(reads))
    assert merged.status is Status.OK and whole.status is Status.OK
    assert (merged.rows_scanned, merged.rows_total, merged.columns) == \
        (whole.rows_scanned, whole.rows_total, whole.columns)
    assert any(c.detections for c in merged.columns)


def _col(sample: list[str], evidence: list[str], matched: int) -> _RunningColumn:
    ref = ColumnRef("s", "t", "note", 0, "string", None)
    tally = Tally(shaped=matched, matched=matched, evidence=list(evidence))
    return _RunningColumn(ref, kind="string", values=len(sample), is_text=True,
                          tallies={"email": tally}, ner_sample=list(sample))


def test_merge_keeps_first_evidence_and_sample_in_read_order() -> None:
    a = TableRead([_col(["a1", "a2"], ["x***", "y***"], 2)], rows=2)
    b = TableRead([_col(["b1", "b2", "b3"], ["y***", "z***", "w***"], 3)], rows=3,
                  status=Status.FAILED, error="t: damaged Parquet data")
    merged = merge_reads([a, b], ner_sample=4)
    col = merged.columns[0]
    assert col.values == 5 and col.tallies["email"].matched == 5
    assert col.tallies["email"].evidence == ["x***", "y***", "z***"]
    assert col.ner_sample == ["a1", "a2", "b1", "b2"]  # bounded, first values first
    # A run that failed after others were read leaves the table partial, saying why.
    assert (merged.rows, merged.status, merged.error) == \
        (5, Status.PARTIAL, "t: damaged Parquet data")
