"""Parquet datasets (a folder or a bucket prefix of many files) read as one table.

A lake of thousands of files is one table per dataset root, not one source
per file. Its files are listed once (a directory walk, or a bucket listing),
never opened all: a sample opens a bounded, spread-out set of files (first,
last, middle, quarters, … in path order, so partitions ``key=value`` and
date folders are spread over) and reads a row-group slice of each, so the
cost of a sample does not grow with the number of files. ``--full`` reads
every file in batches of ``ReadPlan.batch_size`` rows.

Small files are read together: the rows of consecutive small files (a sample's
files, or a ``--full`` chunk of them, see ``LakeTable.chunks``) go to the
detectors in batches of ``ReadPlan.batch_size`` rows across files, since the
cost of a batch, not of a row, dominates a file of a few thousand rows (a lake
of 1,000-row files cost 16x per row what one large file does when each file was
a batch of its own). The files the schema probe opened stay open for the read
that follows, so no footer is fetched twice.

Files that do not belong (a README, a CSV dropped among the Parquet files,
a file whose columns clash with the dataset's) are reported as skipped with
the reason, in the table's warnings; they do not make the result partial.
The reader works on any ``pyarrow.fs`` filesystem: the local disk, or an
object store wrapped with ``pyarrow.fs.PyFileSystem(FSSpecHandler(...))``.
"""

from __future__ import annotations

import copy
import logging
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pyarrow as pa

from connectors._nested import flat_schema, flatten
from connectors.base import ColumnInfo, ReadPlan, SourceError, Table, TableError
from connectors.parquet import open_parquet

if TYPE_CHECKING:
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq

logger = logging.getLogger(__name__)

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
#: A sample never opens more files than this, however large the lake.
MAX_SAMPLE_FILES = 16
#: ... and opens at least this many (when there are as many), so one file's
#: partition does not stand for the whole lake.
MIN_SAMPLE_FILES = 4
#: Footers read up front to settle the dataset's columns.
SCHEMA_PROBES = 3
#: A file of at most this many bytes is small: its rows are read together with the
#: next small files' (batches of ``ReadPlan.batch_size`` rows across files), since the
#: detectors' cost per batch, not per row, dominates a batch of a few thousand rows.
SMALL_FILE_BYTES = 1 << 20
#: Consecutive small files read as one stream hold at most this many bytes (a run
#: of files read by one Dask task starts and ends where such a stream does).
COALESCE_BYTES = 4 << 20


def is_parquet_name(name: str) -> bool:
    """Tell whether a file name says Parquet."""
    return name.lower().endswith(PARQUET_SUFFIXES)


def is_hidden(name: str) -> bool:
    """Markers and checksums (``_SUCCESS``, ``.part.crc``, ``_metadata``): not data."""
    return name.startswith((".", "_"))


def is_partition_dir(name: str) -> bool:
    """Tell whether a folder is a partition: hive ``key=value``, or a date (``2024``, ``07``)."""
    return "=" in name or name.replace("-", "").isdigit()


def dataset_root(path: str) -> str:
    """Return the folder above the first partition folder of a ``/``-separated file path."""
    parts = path.split("/")[:-1]
    for i, part in enumerate(parts):
        if is_partition_dir(part):
            return "/".join(parts[:i])
    return "/".join(parts)


def partition_values(relative: str) -> list[tuple[str, str]]:
    """Return the hive ``key=value`` pairs on a file's path below its dataset root."""
    out = []
    for part in relative.split("/")[:-1]:
        if "=" in part:
            key, value = part.split("=", 1)
            out.append((unquote(key), unquote(value)))
    return out


def spread_order(n: int) -> list[int]:
    """Return 0..n-1 in an order spread over the range: first, last, middle, quarters, …."""
    if n <= 0:
        return []
    order: list[int] = [0]
    if n > 1:
        order.append(n - 1)
    seen = set(order)
    parts = 2
    while len(order) < n:
        for k in range(1, parts, 2):
            i = round(k * (n - 1) / parts)
            if i not in seen:
                seen.add(i)
                order.append(i)
        parts *= 2
        if parts > 4 * n:  # every index is reached long before this
            order.extend(i for i in range(n) if i not in seen)
            break
    return order


def list_local(root: str) -> tuple[list[str], list[tuple[str, str]]]:
    """List a local dataset folder: its Parquet files and the files it skips, with why."""
    import pyarrow.fs as pafs  # deferred: a scan of single files never needs it

    fs = pafs.LocalFileSystem()
    files, skipped = [], []
    for info in fs.get_file_info(pafs.FileSelector(root, recursive=True)):
        if info.type != pafs.FileType.File:
            continue
        rel = posixpath.relpath(info.path, root)
        if any(is_hidden(p) for p in rel.split("/")):
            continue
        if is_parquet_name(info.base_name):
            files.append(info.path)
        else:
            skipped.append((rel, "not a Parquet file in a Parquet dataset"))
    return sorted(files), sorted(skipped)


class LakeTable(Table):
    """Many Parquet files under one root, read as one table."""

    def __init__(self, *, name: str, fs: pafs.FileSystem, root: str, files: list[str],
                 spec: str, skipped: list[tuple[str, str]] | None = None,
                 shown_root: str | None = None, sizes: dict[str, int] | None = None) -> None:
        if not files:
            raise SourceError(f"{spec}: no Parquet files")
        self.fs = fs
        self.root = root.rstrip("/")
        self.files = sorted(files)
        self.spec = spec
        #: Files opened so far (footers read), for the report and the benchmark.
        self.files_opened = 0
        #: Rows per file whose footer was read: the total is known once every footer is.
        self._row_counts: dict[str, int] = {}
        self._shown_root = shown_root if shown_root is not None else spec
        self._skipped_files: set[str] = set()
        #: Bytes per file as listed (None: asked of ``fs`` when first needed); they say
        #: which files are small enough to be read together (see ``chunks``).
        self.sizes = sizes
        #: The limits of ``chunks``, kept with the table so that a part read elsewhere
        #: (a Dask task) cuts its files where the whole table does.
        self.small_file_bytes = SMALL_FILE_BYTES
        self.coalesce_bytes = COALESCE_BYTES
        #: Files whose footer the schema probe read, kept open for the read that follows
        #: (a sample starts with the same spread files: no footer is fetched twice).
        self._probed: dict[str, pq.ParquetFile] = {}
        self.partition_keys = self._partition_keys()
        self.file_schema = self._probe_schema()
        full = self.file_schema
        for key in self.partition_keys:
            if key not in full.names:
                full = full.append(pa.field(key, pa.string()))
        self.full_schema = full
        columns = [ColumnInfo(f.name, str(f.type)) for f in flat_schema(full)]
        parts = len({posixpath.dirname(f) for f in self.files})
        where = f" in {parts} folders" if parts > 1 else ""
        super().__init__(name=name, columns=columns, rows_total=None, format="parquet",
                         format_reason=f"Parquet dataset: {len(self.files)} files{where}",
                         partial_on_warnings=False)
        for rel, why in skipped or ():
            self._skip(rel, why)
        self._settle_total()

    def _settle_total(self) -> None:
        # The row count is only ever summed from footers already read for the sample:
        # no extra file is opened just to count (a lake may hold 100,000 of them).
        if len(self._row_counts) == len(self.files):
            self.rows_total = sum(self._row_counts.values())

    # Listing --------------------------------------------------------------------

    def _relative(self, path: str) -> str:
        return path[len(self.root) + 1:] if self.root and path.startswith(self.root + "/") \
            else path

    def _partition_keys(self) -> list[str]:
        # Partition keys come from paths alone: the first and last files say them.
        keys: list[str] = []
        for path in (self.files[0], self.files[-1]):
            for key, _ in partition_values(self._relative(path)):
                if key not in keys:
                    keys.append(key)
        return keys

    def _probe_schema(self) -> pa.Schema:
        schemas = []
        for i in spread_order(len(self.files))[:SCHEMA_PROBES]:
            try:
                pf = self._open(self.files[i])
            except TableError as exc:
                logger.info("%s", exc)
                continue
            self._probed[self.files[i]] = pf
            schemas.append(pf.schema_arrow)
        if not schemas:
            raise SourceError(f"{self.spec}: not a readable Parquet dataset")
        try:
            return pa.unify_schemas(schemas, promote_options="permissive").remove_metadata()
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return schemas[0].remove_metadata()

    def _open(self, path: str) -> pq.ParquetFile:
        self.files_opened += 1
        try:
            pf = open_parquet(self.fs.open_input_file(path))
            self._row_counts[path] = pf.metadata.num_rows
            return pf
        except (pa.ArrowInvalid, OSError) as exc:
            raise TableError(f"{self._shown_root}/{self._relative(path)}: not a readable "
                             f"Parquet file ({type(exc).__name__})") from exc

    def _skip(self, rel: str, why: str) -> None:
        if rel in self._skipped_files:
            return
        self._skipped_files.add(rel)
        self.warnings.append(f"{rel}: skipped: {why}")
        logger.info("%s/%s: skipped: %s", self._shown_root, rel, why)

    # Parts (a distributed --full read) ----------------------------------------------

    def part(self, files: list[str]) -> LakeTable:
        """Return the table restricted to some of its files: one task's share of a full read.

        The part keeps the dataset's columns (probed once, for the whole dataset), so
        every part's batches have the same columns as one read of the dataset. It
        opens no footer until it is read; its ``fs`` may be swapped for the reader's own.
        """
        other = copy.copy(self)
        wanted = set(files)
        other.files = [f for f in self.files if f in wanted]
        other.files_opened = 0
        other._probed = {}
        if self.sizes is not None:
            other.sizes = {f: self.sizes[f] for f in other.files if f in self.sizes}
        other._row_counts = {}
        other._skipped_files = set()
        other.warnings = []
        other.columns = list(self.columns)
        other.rows_total = None
        return other

    def groups(self, count: int, sizes: dict[str, int] | None = None,
               taper: float = 1.0) -> list[list[str]]:
        """Split the files, in order, into at most ``count`` runs of about equal bytes.

        ``sizes`` (bytes per file, from the listing: no footer is read) weighs the
        files, and is kept as the table's; without it, the table's own sizes do.
        Runs are consecutive and start where a chunk of small files read together
        starts (see ``chunks``), so a merge of their reads in order is one read of
        the dataset, batch for batch. With ``taper`` above 1 the runs shrink
        steadily, the first ``taper`` times the last: tasks taken in order then
        end with short ones, and workers finish together.
        """
        if sizes is not None:
            self.sizes = dict(sizes)
        chunks = self.chunks()
        known = self._file_sizes()
        count = max(1, min(count, len(chunks)))
        weights = [sum(max(1, known.get(f, 1)) for f in chunk) for chunk in chunks]
        total = sum(weights)
        shares = [1 + (taper - 1) * (count - 1 - k) / max(1, count - 1) for k in range(count)]
        # Bytes the first k runs hold between them, for k = 0 .. count.
        ends = [0.0]
        for share in shares:
            ends.append(ends[-1] + total * share / sum(shares))
        out: list[list[str]] = [[]]
        held = 0
        for i, (chunk, w) in enumerate(zip(chunks, weights, strict=True)):
            left = len(chunks) - i
            # A new run starts when this chunk lies mostly past this run's share, or when
            # the runs still to fill need every chunk left.
            if out[-1] and len(out) < count and (
                    held + w / 2 > ends[len(out)] or left <= count - len(out)):
                out.append([])
            out[-1].extend(chunk)
            held += w
        return out

    def chunks(self) -> list[list[str]]:
        """Cut the files, in order, into the runs ``--full`` reads as one stream of batches.

        Consecutive small files (``small_file_bytes`` at most) go together, up to
        ``coalesce_bytes`` in all: their rows are read in batches of the plan's size
        across files, not in one short batch per file. Any other file, or one whose
        size is unknown, is a chunk of its own, read as before.
        """
        sizes = self._file_sizes()
        out: list[list[str]] = []
        held = 0
        growing = False  # the last chunk holds small files and may take more
        for path in self.files:
            size = sizes.get(path, 0)
            small = 0 < size <= self.small_file_bytes
            if small and growing and held + size <= self.coalesce_bytes:
                out[-1].append(path)
                held += size
                continue
            out.append([path])
            held, growing = size, small
        return out

    def _file_sizes(self) -> dict[str, int]:
        if self.sizes is None:
            try:
                infos = self.fs.get_file_info(self.files)
                self.sizes = {f: max(0, info.size or 0)
                              for f, info in zip(self.files, infos, strict=True)}
            except (OSError, pa.ArrowException):
                self.sizes = {}
        return self.sizes

    # Reading --------------------------------------------------------------------

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        if plan.sample_size is None:
            for chunk in self.chunks():
                if len(chunk) == 1:
                    got: Iterator[pa.RecordBatch] = self._read(chunk[0], None, plan.batch_size)
                else:
                    got = rebatch((b for path in chunk
                                   for b in self._read(path, None, plan.batch_size)),
                                  plan.batch_size)
                for batch in got:
                    yield flatten(batch)
            self._probed.clear()
            self._settle_total()
            return
        for batch in rebatch(self._sample(plan.sample_size, plan.batch_size), plan.batch_size):
            yield flatten(batch)
        self._probed.clear()
        self._settle_total()

    def _sample(self, sample_size: int, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Yield a share of the sample from each of a spread of files, until it is read."""
        n = len(self.files)
        least = min(n, MIN_SAMPLE_FILES)
        most = min(n, MAX_SAMPLE_FILES)
        quota = -(-sample_size // least)
        got = opened = 0
        for i in spread_order(n):
            if opened >= most or (got >= sample_size and opened >= least):
                break
            opened += 1
            for batch in self._read(self.files[i], quota, batch_size):
                got += batch.num_rows
                yield batch
        self.format_reason = (f"{self.format_reason}; the sample read {opened} of them, "
                              "spread over the dataset")

    def _read(self, path: str, limit: int | None,
              batch_size: int) -> Iterator[pa.RecordBatch]:
        """Yield one file's batches (``limit`` rows at most) with the dataset's columns."""
        rel = self._relative(path)
        try:
            pf = self._probed.pop(path, None) or self._open(path)
        except TableError as exc:
            self._skip(rel, str(exc).rsplit(": ", 1)[-1])
            return
        names = set(pf.schema_arrow.names)
        if not names & set(self.file_schema.names):
            self._skip(rel, "its columns are not the dataset's")
            return
        constants = dict(partition_values(rel))
        groups = list(range(pf.num_row_groups))
        if limit is not None and groups:
            # Row groups spread over the file, until they hold the file's share.
            sizes = [pf.metadata.row_group(g).num_rows for g in groups]
            picked, held = [], 0
            for g in spread_order(len(groups)):
                picked.append(g)
                held += sizes[g]
                if held >= limit:
                    break
            groups = sorted(picked)
        got = 0
        try:
            size = batch_size if limit is None else max(1, min(batch_size, limit))
            for batch in pf.iter_batches(batch_size=size, row_groups=groups,
                                         columns=[n for n in self.file_schema.names
                                                  if n in names]):
                if limit is not None:
                    batch = batch.slice(0, limit - got)
                got += batch.num_rows
                yield self._conform(batch, constants)
                if limit is not None and got >= limit:
                    break
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError,
                OSError) as exc:
            raise TableError(f"{self._shown_root}/{rel}: damaged Parquet data "
                             f"({type(exc).__name__})") from exc

    def _conform(self, batch: pa.RecordBatch, constants: dict[str, str]) -> pa.RecordBatch:
        """Give every file's batch the dataset's columns: missing ones null, partitions constant."""
        arrays = []
        for field in self.full_schema:
            if field.name in batch.schema.names:
                arr = batch.column(batch.schema.get_field_index(field.name))
                if arr.type != field.type:
                    try:
                        arr = arr.cast(field.type)
                    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                        arr = arr.cast(pa.string()) if field.type == pa.string() else \
                            pa.nulls(batch.num_rows, field.type)
            elif field.name in constants:
                arr = pa.array([constants[field.name]] * batch.num_rows, field.type)
            else:
                arr = pa.nulls(batch.num_rows, field.type)
            arrays.append(arr)
        return pa.RecordBatch.from_arrays(arrays, schema=self.full_schema)


def rebatch(batches: Iterator[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """Yield the rows of ``batches`` (one schema) in batches of ``size`` rows, the last shorter.

    When the batches stop on a read error, the rows already read are yielded first.
    """
    pending: list[pa.RecordBatch] = []
    held = 0
    try:
        for batch in batches:
            while batch.num_rows:
                take = min(size - held, batch.num_rows)
                pending.append(batch.slice(0, take) if take < batch.num_rows else batch)
                held += take
                batch = batch.slice(take)
                if held >= size:
                    yield _joined(pending)
                    pending, held = [], 0
    except TableError:
        if pending:
            yield _joined(pending)
        raise
    if pending:
        yield _joined(pending)


def _joined(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    return batches[0] if len(batches) == 1 else pa.concat_batches(batches)
