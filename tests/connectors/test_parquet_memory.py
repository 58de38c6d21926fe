"""A Parquet file is read with memory bounded by the batch, never by the file.

Each read runs in a fresh process, so Arrow's memory pool high-water mark is
that read's alone: a ``--full`` read or a sample of a file of four large row
groups never holds as much as one row group decoded (the dataset reader held
several, pyarrow's pre-buffering every compressed byte, the old sampler four
whole row groups).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from connectors.parquet import sample_places

ROOT = Path(__file__).resolve().parents[2]
ROWS = 2_000_000
GROUP = 500_000

_READ = r"""
import json, sys
import pyarrow as pa
from connectors.base import ConnectorOptions, ReadPlan
from connectors.files import ParquetSource
path, sample = sys.argv[1], sys.argv[2]
table = next(iter(ParquetSource(path, ConnectorOptions()).tables()))
plan = ReadPlan(sample_size=None if sample == "full" else int(sample), batch_size=10_000)
rows, largest, seen = 0, 0, []
for batch in table.batches(plan):
    rows += batch.num_rows
    largest = max(largest, batch.num_rows)
    if sample != "full":
        seen.extend(batch.column("row").to_pylist())
print(json.dumps({"rows": rows, "largest": largest, "seen": seen,
                  "peak": pa.default_memory_pool().max_memory()}))
"""


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """Four row groups of half a million rows: a row number and a hard-to-compress token."""
    rng = np.random.default_rng(5)
    table = pa.table({
        "row": pa.array(np.arange(ROWS)),
        "token": pc.cast(pa.array(rng.integers(10**17, 2**62, ROWS)), pa.string()),
    })
    path = tmp_path_factory.mktemp("parquet") / "events.parquet"
    pq.write_table(table, path, row_group_size=GROUP)
    return path, table.nbytes // (ROWS // GROUP)


def read_in_child(path: Path, sample: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _READ, str(path), sample], cwd=ROOT,
                         check=True, capture_output=True, text=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_full_read_holds_less_than_one_row_group(big_file: tuple[Path, int]) -> None:
    path, group_bytes = big_file
    got = read_in_child(path, "full")
    assert got["rows"] == ROWS
    assert got["largest"] <= 10_000
    assert got["peak"] < group_bytes, (got["peak"], group_bytes)


def test_sample_decodes_the_heads_of_spread_row_groups(big_file: tuple[Path, int]) -> None:
    path, group_bytes = big_file
    got = read_in_child(path, "1000")
    assert got["rows"] == 1_000
    assert got["peak"] < group_bytes, (got["peak"], group_bytes)
    groups = {r // GROUP for r in got["seen"]}
    assert groups == {0, 1, 2, 3}, "every row group of four is a place to sample"
    # Only the start of each group is decoded: twice the sample, spread over the four.
    assert all(r % GROUP < 500 for r in got["seen"])
    assert got["seen"] == sorted(got["seen"])


def test_sample_places_spread_and_share_the_rows() -> None:
    # Ten large row groups: four places, first and last included, sharing the rows.
    places = sample_places([1_048_576] * 10, 20_000)
    assert [g for g, _ in places] == [0, 3, 6, 9]
    assert sum(rows for _, rows in places) == 20_000
    # Small row groups: as many as hold the rows, each read whole.
    places = sample_places([1_000] * 100, 20_000)
    assert len(places) == 20
    assert all(rows == 1_000 for _, rows in places)
    assert places[0][0] == 0 and places[-1][0] == 99
    # A short last group leaves its share to the others.
    places = sample_places([100_000, 100_000, 100_000, 10], 20_000)
    assert dict(places)[3] == 10
    assert sum(rows for _, rows in places) == 20_000


def test_small_file_sample_is_drawn_from_every_row(tmp_path: Path) -> None:
    # 60,000 rows in one row group: cheap to read whole, so the sample covers all of it.
    path = tmp_path / "small.parquet"
    pq.write_table(pa.table({"row": pa.array(np.arange(60_000))}), path)
    got = read_in_child(path, "1000")
    assert got["rows"] == 1_000
    assert max(got["seen"]) > 50_000 and min(got["seen"]) < 10_000
