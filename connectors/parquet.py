"""One Parquet file, read with memory bounded by the batch size, never by the file.

``--full`` streams the file with ``ParquetFile.iter_batches``: column chunks
are read through a small buffer (``READ_BUFFER``), page by page, and decoded
``batch_size`` rows at a time. Nothing is pre-buffered: pyarrow's
pre-buffering (on by default) keeps every row group's compressed bytes until
the reader is closed, so peak memory grew with the file (a 10-million-row
file held most of its compressed bytes at the end).

A sample never decodes a whole large row group. Parquet has no way to start
reading in the middle of a row group, so a sample decodes rows from the start
of a few row groups spread over the file (first, last and evenly between) and
stops as soon as each has given its share: about twice the sample in all, at
any file size. A small file (``WHOLE_FILE_ROWS``) costs no more to read whole,
so its sample is drawn from all its rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from connectors._nested import flatten
from connectors.base import ReadPlan, Table, TableError

if TYPE_CHECKING:
    import pyarrow.parquet as pq

#: Bytes read at a time from a column chunk (without it, pyarrow reads each
#: column chunk whole before decoding its first page).
READ_BUFFER = 1 << 20
#: A file of at most this many rows (or twice the sample) is read whole for a
#: sample, which is then drawn from every row.
WHOLE_FILE_ROWS = 100_000
#: A sample of a larger file reads from at least this many places (row groups).
MIN_PLACES = 4
#: Errors pyarrow raises on data it cannot decode.
PARQUET_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OSError,
                  EOFError)


def open_parquet(source: Any) -> pq.ParquetFile:
    """Open a Parquet file (a path or an open input file) for bounded, page-by-page reads."""
    import pyarrow.parquet as pq  # deferred: it brings pyarrow.fs and its TLS, 25 ms to start

    return pq.ParquetFile(source, buffer_size=READ_BUFFER, pre_buffer=False)


def sample_places(sizes: list[int], want: int) -> list[tuple[int, int]]:
    """Return ``(row group, rows to read from its start)`` for about ``want`` rows in all.

    The row groups are evenly spaced over the file, first and last included, at
    least ``MIN_PLACES`` of them (when there are as many), more when row groups
    are small; a group shorter than its share leaves the rest to the others.
    """
    groups = len(sizes)
    if not groups or want <= 0:
        return []
    average = max(1, sum(sizes) // groups)
    k = min(groups, max(MIN_PLACES, -(-want // average)))
    last = groups - 1
    picked = sorted({round(i * last / max(1, k - 1)) for i in range(k)})
    shares: dict[int, int] = {}
    left = want
    by_size = sorted(picked, key=lambda g: sizes[g])
    for j, g in enumerate(by_size):
        share = min(sizes[g], -(-left // (len(by_size) - j)))
        shares[g] = share
        left -= share
    return [(g, shares[g]) for g in picked if shares[g]]


def read_head(pf: pq.ParquetFile, group: int, rows: int, batch_size: int,
              columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """Yield the first ``rows`` rows of one row group, decoding no further than them."""
    got = 0
    batches = pf.iter_batches(batch_size=max(1, min(rows, batch_size)), row_groups=[group],
                              columns=columns)
    try:
        for batch in batches:
            batch = batch.slice(0, rows - got)
            got += batch.num_rows
            yield batch
            if got >= rows:
                return
    finally:
        batches.close()


def sample_file(pf: pq.ParquetFile, n: int, seed: int, batch_size: int,
                columns: list[str] | None = None) -> pa.Table:
    """Return ``n`` random rows (in file order) from the spread places of ``sample_places``."""
    total = pf.metadata.num_rows
    if total <= max(2 * n, WHOLE_FILE_ROWS):
        parts = list(pf.iter_batches(batch_size=batch_size, columns=columns))
    else:
        sizes = [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)]
        parts = [batch for group, rows in sample_places(sizes, 2 * n)
                 for batch in read_head(pf, group, rows, batch_size, columns)]
    schema = parts[0].schema if parts else pf.schema_arrow
    table = pa.Table.from_batches(parts, schema=schema)
    if table.num_rows <= n:
        return table
    rng = random.Random(seed)
    return table.take(pa.array(sorted(rng.sample(range(table.num_rows), n))))


class ParquetFileTable(Table):
    """A Parquet file: a sample from spread row groups, or every row in bounded batches."""

    def __init__(self, *, path: str, spec: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.path = path
        self.spec = spec

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        try:
            pf = open_parquet(self.path)
            if plan.sample_size is not None and pf.metadata.num_rows > plan.sample_size:
                sample = sample_file(pf, plan.sample_size, plan.seed, plan.batch_size)
                for batch in sample.to_batches(plan.batch_size):
                    yield flatten(batch)
                return
            for batch in pf.iter_batches(batch_size=plan.batch_size):
                yield flatten(batch)
        except PARQUET_ERRORS as exc:
            raise TableError(f"{self.spec}: damaged Parquet data ({type(exc).__name__})") from exc
