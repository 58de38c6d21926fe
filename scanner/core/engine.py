"""The scan: sources → tables → batches → detector tallies → column verdicts.

Memory stays flat however large a table is: each batch is checked and
dropped; only counts, a few masked examples and a bounded text sample for the
language model are kept per column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from connectors.base import (
    Source,
    SourceError,
    Table,
    TableError,
    UnrecognisedSource,
    is_supplement,
)
from connectors.registry import CONFIDENT_CLAIM, expand, open_source
from detectors import custom
from detectors.base import (
    SMALL_SAMPLE,
    ColumnFacts,
    Detector,
    Tally,
    ValueView,
    Verdict,
    forget_values,
    python_checks_capped,
    wilson_lower,
)
from detectors.embedded import EmbeddedDetector
from detectors.language import NerCounts, names_things
from detectors.regions import Region, infer_region
from detectors.registry import all_detectors
from scanner.core.classify import Claim, finish_records, judge_column, resolve_column
from scanner.core.config import ScanConfig
from scanner.core.pipeline import ColumnPipeline
from scanner.core.readahead import read_ahead
from scanner.core.selection import Selection, covered
from scanner.model import (
    ColumnRef,
    ColumnVerdict,
    ScanResult,
    SourceResult,
    Status,
    TableResult,
)
from scanner.policy import Policy
from scanner.redact import redact_url

logger = logging.getLogger(__name__)

#: Batches smaller than this are checked directly (deduplicating would cost more).
_DEDUPE_MIN = 2_000

#: Values of a free-text column read before the value detectors that find (almost)
#: nothing in it stop reading it, and that share of them (see Engine._settle).
_SETTLE_AFTER = 50_000
_SETTLE_SHARE = 0.05

#: Values of a column whose candidates per-value Python validators (libphonenumber,
#: email-validator, usaddress ...) check at their usual limit; past them a full scan's
#: column has shown its share, and each batch checks at most ``_LATER_CHECKS`` per
#: validator (a seeded subset, its count scaled up: a share that appears late still
#: counts). This Python work holds the interpreter lock, so it bounds both cores' use.
_FULL_CHECKS = 1 << 17
_LATER_CHECKS = 64

#: Batches a column may have waiting beyond the one being checked (bounds memory).
_BATCHES_IN_FLIGHT = 2

#: Characters of each value kept in the language model's sample: a document or a log
#: payload in one cell must not hold megabytes per column until its table is judged.
_NER_CHARS = 2_000

#: Text columns whose every value has one of these shapes are read as the type the
#: shape writes, as a Parquet file or a database would hold them: ISO dates as dates,
#: decimal fractions as floating-point numbers. The same table then gets the same
#: verdict from a CSV export as from a typed one, and its dates and amounts skip the
#: text detectors (a phone, a card or a name is never one of them). Decided on a
#: column's first values; a later batch that breaks the shape is read as text.
_SHAPES: tuple[tuple[str, str, pa.DataType], ...] = (
    ("date", r"^\d{4}-\d{2}-\d{2}$", pa.date32()),
    ("decimal", r"^[+-]?\d{1,15}\.\d{1,15}$", pa.float64()),
)

#: Distinct values of a repetitive column remembered as checked: a status or a plan
#: column is then checked once, not once per batch (see Engine._worth_running).
_PROBE_KEEP = 4_096
_PROBE_KEEP_BYTES = 256 * 1024

#: Lines of ``--explain`` notes kept per column.
_MAX_NOTES = 6

#: What each shape says in ``--explain``.
_SHAPE_NOTES = {"date": "read as dates: every value an ISO date (YYYY-MM-DD)",
                "decimal": "read as numbers: every value a decimal fraction"}

#: The error of a table not started before its source's time limit.
_LATE = "not read: the source's time limit (--source-timeout) was reached"

#: Called after each batch with (table name, rows read so far, rows expected or None).
ProgressHook = Callable[[str, int, int | None], None]


@dataclass
class _RunningColumn:
    """Running totals for one column while its batches stream past."""

    ref: ColumnRef
    skip_reason: str | None = None
    kind: str = "other"
    values: int = 0
    is_text: bool | None = None
    tallies: dict[str, Tally] = field(default_factory=dict)
    #: Detectors worth running on this column (those needing a name only when it has one).
    active: list[Detector] = field(default_factory=list)
    # Raw text kept only for the language model, bounded by ScanConfig.ner_sample,
    # never logged, dropped when the table is done.
    ner_sample: list[str] = field(default_factory=list)
    #: Size of ``ner_sample`` when it last failed the language model's cheap test.
    ner_tested: int = -1
    #: The shape (see ``_SHAPES``) every value of a text column has: None until its
    #: first values are read, "" for none.
    shape: str | None = None
    #: How the column was read, for ``--explain`` (counts and names, never values).
    notes: list[str] = field(default_factory=list)
    #: Distinct values of a repetitive column already checked by ``_worth_running``
    #: (bounded by ``_PROBE_KEEP``; dropped when the table's read ends, never sent on),
    #: the detectors that matched some of them, and those that matched none.
    probed: pa.Array | None = None
    probe_hits: set[str] = field(default_factory=set)
    probe_misses: set[str] = field(default_factory=set)

    def note(self, text: str) -> None:
        """Keep one line of how the column was read (once; a few per column)."""
        if text not in self.notes and len(self.notes) < _MAX_NOTES:
            self.notes.append(text)


@dataclass
class TableRead:
    """A table (or part of one) read into running column state, not yet judged."""

    columns: list[_RunningColumn]
    rows: int = 0
    status: Status = Status.OK
    error: str | None = None
    region: Region | None = None


def merge_reads(reads: list[TableRead], ner_sample: int) -> TableRead:
    """Join the reads of one table's consecutive parts, in order, as one read of it.

    Counts add up; evidence and the language model's sample are the first ones in
    read order, as one pass would have kept; whether a column is free text, and
    the region, are what the first part's values said.
    """
    out = TableRead([], status=Status.OK)
    by_name: dict[str, _RunningColumn] = {}
    for read in reads:
        out.rows += read.rows
        if read.status is not Status.OK and out.status is Status.OK:
            out.status, out.error = read.status, read.error
        out.region = out.region or read.region
        for col in read.columns:
            mine = by_name.get(col.ref.column)
            if mine is None:
                mine = by_name[col.ref.column] = dataclasses.replace(
                    col, tallies={}, active=[], ner_sample=[], values=0)
                out.columns.append(mine)
            _merge_column(mine, col, ner_sample)
    if out.status is Status.FAILED and out.rows:
        # Other parts were read: the table is partial, not failed.
        out.status = Status.PARTIAL
    return out


def _merge_column(into: _RunningColumn, col: _RunningColumn, ner_sample: int) -> None:
    into.skip_reason = into.skip_reason or col.skip_reason
    if col.values:
        into.kind = col.kind  # the last values read say it, as in one pass
    into.values += col.values
    if into.is_text is None:
        into.is_text = col.is_text
    if into.shape is None:
        into.shape = col.shape
    for text in col.notes:
        into.note(text)
    for name, t in col.tallies.items():
        into.tallies.setdefault(name, Tally()).merge(t)
    into.ner_sample.extend(col.ner_sample[:max(0, ner_sample - len(into.ner_sample))])


def _explained(verdicts: list[ColumnVerdict], cols: list[_RunningColumn],
               judged: list[tuple[ColumnRef, list[Claim], str | None]]) -> list[ColumnVerdict]:
    """Give each verdict the notes of how its column was read and judged (``--explain``).

    Beside the reading notes: for a column with no finding, the detectors that came
    closest; for claims the table's context did not keep, which ones.
    """
    by_name = {c.ref.column: c for c in cols}
    claims = {ref.column: found for ref, found, _ in judged}
    out = []
    for v in verdicts:
        col = by_name.get(v.ref.column)
        if col is None:
            out.append(v)
            continue
        notes = list(col.notes)
        kept = set(v.entities)
        told = set()
        for c in claims.get(v.ref.column, ()):
            if c.verdict.entity not in kept:
                notes.append(f"{c.verdict.entity} ({c.detector}) was claimed but not kept: "
                             "the table's context rules it out")
                kept.add(c.verdict.entity)
                told.add(c.detector)
        if not v.detections and not v.skipped and col.values:
            notes.extend(_closest(col, told))
        out.append(dataclasses.replace(v, notes=tuple(notes)) if notes else v)
    return out


def _closest(col: _RunningColumn, told: set[str], top: int = 2) -> list[str]:
    """Say which detectors came closest to claiming a column that has no finding."""
    near = []
    for name, t in col.tallies.items():
        k = max(t.matched, t.shaped)
        if k and name not in told:
            near.append((k, name, "were valid" if t.matched >= t.shaped else "had its form"))
    if not near:
        return [] if told else [f"no detector matched any of its {col.values:,} values"]
    near.sort(key=lambda x: (-x[0], x[1]))
    # A detector claims by share, column name and context together: a high share alone
    # (a plan name, a word that is also a surname) is not a claim.
    return [f"closest: {name}, {k:,} of {col.values:,} values {how} ({k / col.values:.1%}); "
            "no claim with this name and content" for k, name, how in near[:top]]


def _typed(col: _RunningColumn, view: ValueView) -> ValueView:
    """Return the batch as dates or numbers when all its text has the column's shape."""
    strings = view.strings
    if len(strings) == 0:
        return view
    for name, pattern, type_ in _SHAPES:
        if col.shape not in (None, name):
            continue
        if not pc.all(pc.match_substring_regex(strings, pattern)).as_py():
            continue
        try:
            typed = pc.cast(strings, type_)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue  # 2024-02-30 has the shape of a date without being one
        col.shape = name
        col.note(_SHAPE_NOTES[name])
        return ValueView(typed, is_text=False, region=view.region, column=view.column)
    if col.shape is None:
        col.shape = ""
    return view


class Engine:
    """Runs one scan with one configuration."""

    def __init__(self, config: ScanConfig, policy: Policy | None = None,
                 progress: ProgressHook | None = None) -> None:
        self.config = config
        # The caller loads the policy once and hands it to every engine it runs;
        # loading it here is for a caller that brings none.
        self.policy = policy if policy is not None else Policy.load(config.policy_path)
        self.detectors: list[Detector] = all_detectors()
        for path in config.custom_detectors:
            mine = custom.load(path)
            self.detectors.extend(mine)
            # New entity types join the policy category their file or the policy names.
            listed = frozenset(e for c in self.policy.categories for e in c.entities)
            ids = frozenset(c.id for c in self.policy.categories)
            self.policy = self.policy.with_entities(custom.new_types(mine, ids, listed))
        # Inside values, the embedded detectors are the one authority (context,
        # look-alikes, counts per value); the value detectors' own free-text
        # search is not reported.
        self._embedded = {d.name for d in self.detectors if isinstance(d, EmbeddedDetector)}
        # So in free text, a value detector that searches inside values (e-mail, phone,
        # IP) has nothing to report unless the column's name tells its type (then its
        # name-only verdict depends on what it found): it is not run there.
        self._text_only = {d.name for d in self.detectors
                           if d.in_text and d.name not in self._embedded}
        self.progress = progress
        self._ner_failed: str | None = None
        # Whether the language model's background load has been started.
        self._ner_loading = False
        # Tables of a database are judged in parallel threads; the language model
        # (spaCy's pipeline) is used by one of them at a time.
        self._ner_lock = threading.Lock()
        # --include/--exclude on files too (databases apply them while listing).
        self._selection = Selection(config.connector)
        self._pool = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                                        thread_name_prefix="piiscan-scan")

    # Sources ----------------------------------------------------------------

    def run(self, specs: list[str]) -> ScanResult:
        if self.config.executor and self.config.executor != "local":
            # Units run as tasks on a cluster, each with an engine like this one.
            from scanner.core import dask_executor

            self._pool.shutdown()
            return dask_executor.run(specs, self.config, self.policy, type(self))
        started = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        results: list[SourceResult] = []
        for spec in specs:
            skipped: list[tuple[str, str]] = []
            try:
                items = expand(spec, skipped)
            except SourceError as exc:
                logger.error("%s", exc)
                results.append(SourceResult(redact_url(spec), "unknown", (), Status.FAILED,
                                            str(exc)))
                continue
            found = 0
            for item in items:
                found_inside = item != spec
                if found_inside and covered(item, spec, self.config.claimed):
                    found += 1  # a more specific entry of the configuration scans it
                    continue
                result = self.scan_source(item, CONFIDENT_CLAIM if found_inside else 1)
                if result is not None and result.name in self._selection.emptied:
                    found += 1  # every table left out by --include/--exclude
                elif result is not None:
                    results.append(result)
                    found += 1
            for where, reason in skipped:
                # A directory the walk could not list is a source not scanned, said once.
                msg = f"{where}: {reason}"
                logger.error("%s", msg)
                results.append(SourceResult(where, "unknown", (), Status.FAILED, msg))
                found += 1
            if not found:
                # A directory or glob holding nothing scannable must not pass as a clean scan.
                msg = f"{redact_url(spec)}: no data files found"
                logger.error("%s", msg)
                results.append(SourceResult(redact_url(spec), "unknown", (), Status.FAILED, msg))
        self._shutdown()
        finished = dt.datetime.now(dt.UTC)
        return ScanResult(
            sources=tuple(results),
            started_at=started.isoformat(timespec="seconds"),
            finished_at=finished.isoformat(timespec="seconds"),
            seconds=time.perf_counter() - t0,
            config=self.config.to_dict(),
        )

    def _shutdown(self) -> None:
        self._pool.shutdown()
        forget_values()  # no value read stays in the process after its scan
        if self._ner_loading:
            # A load begun for a column that turned out not to need it ends before
            # the process does (a thread stopped inside an import is no clean exit).
            from detectors.language import wait_preload

            wait_preload()

    def scan_source(self, spec: str, min_score: int = 1) -> SourceResult | None:
        name = redact_url(spec)
        try:
            source = open_source(spec, self.config.connector, min_score)
        except UnrecognisedSource as exc:
            # A file found in a directory that no connector reads is not scanned: say so
            # at default verbosity, and the exit code says the scan was partial.
            msg = f"{exc}; skipped"
            logger.warning("%s", msg)
            return SourceResult(name, "unknown", (), Status.FAILED, msg)
        except SourceError as exc:
            logger.error("%s", exc)
            return SourceResult(name, "unknown", (), Status.FAILED, str(exc))
        return self.scan_opened(source)

    def run_sources(self, sources: list[Source]) -> ScanResult:
        """Scan sources that are already open (in-memory tables from the Python API)."""
        started = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        results = [self.scan_opened(source) for source in sources]
        self._shutdown()
        finished = dt.datetime.now(dt.UTC)
        return ScanResult(
            sources=tuple(results),
            started_at=started.isoformat(timespec="seconds"),
            finished_at=finished.isoformat(timespec="seconds"),
            seconds=time.perf_counter() - t0,
            config=self.config.to_dict(),
        )

    def scan_opened(self, source: Source) -> SourceResult:
        """Scan every table of an open source, then close it."""
        result = self._scan_opened(source)
        # An object store says where its bucket is (S3 GetBucketLocation).
        found = getattr(source, "found_location", None)
        return dataclasses.replace(result, found_location=found) if found else result

    def _scan_opened(self, source: Source) -> SourceResult:
        name = source.name
        tables: list[TableResult] = []
        # One bound for the whole source: a server that answers every query just
        # within --query-timeout must not hold the scan for hours.
        limit = self.config.connector.source_timeout
        deadline = time.monotonic() + limit
        with source:
            name = source.name
            try:
                jobs = source.concurrency
                if jobs <= 1:
                    for table in self._selection.tables(source, source.tables()):
                        tables.append(self.scan_table(source, table, deadline))
                else:
                    # Database tables are read side by side over the source's pool.
                    listed = list(self._selection.tables(source, source.tables()))
                    with ThreadPoolExecutor(jobs, thread_name_prefix="piiscan-table") as ex:
                        tables.extend(ex.map(lambda t: self.scan_table(source, t, deadline),
                                             listed))
            except SourceError as exc:
                logger.error("%s", exc)
                status = Status.PARTIAL if tables else Status.FAILED
                return SourceResult(name, source.kind, tuple(tables), status, str(exc))
            except Exception as exc:  # a connector bug must not end the whole scan
                msg = f"{name}: unexpected {type(exc).__name__} while listing tables"
                logger.error("%s", msg)
                logger.debug("connector failure", exc_info=True)
                status = Status.PARTIAL if tables else Status.FAILED
                return SourceResult(name, source.kind, tuple(tables), status, msg)
        bad = [t for t in tables if t.status is not Status.OK]
        status = Status.OK if not bad else Status.PARTIAL
        error = None
        if bad:
            error = bad[0].error if len(bad) == 1 else f"{len(bad)} tables could not be fully read"
        late = sum(1 for t in tables if t.error == _LATE)
        if late:
            # One line for the source, not one per table left unread.
            error = f"{name}: {late} of {len(tables)} tables not read: the source's time " \
                    f"limit ({limit:g} s, --source-timeout) was reached"
            logger.error("%s", error)
        return SourceResult(name, source.kind, tuple(tables), status, error)

    # Tables ------------------------------------------------------------------

    def scan_table(self, source: Source, table: Table,
                   deadline: float | None = None) -> TableResult:
        t0 = time.perf_counter()
        if deadline is not None and time.monotonic() > deadline:
            return TableResult(
                name=table.name, schema=table.schema, columns=(), rows_scanned=0,
                rows_total=table.rows_total, status=Status.FAILED, error=_LATE,
                format=table.format, format_reason=table.format_reason,
            )
        return self.judge_read(source, table, self.read_table(source, table, deadline), t0)

    def read_table(self, source: Source, table: Table,
                   deadline: float | None = None) -> TableRead:
        """Read a table (or the part of it ``table`` holds) into running column state.

        The first half of ``scan_table``: counts, masked evidence and the bounded
        language-model sample per column, never rows. ``judge_read`` judges it,
        after ``merge_reads`` for a table read in parts.
        """
        cols = [
            self._column(ColumnRef(source.name, table.name, c.name, i, c.data_type,
                                   table.schema), c.skip_reason)
            for i, c in enumerate(table.columns)
        ]
        by_name = {c.ref.column: c for c in cols}
        rows = 0
        status, error = Status.OK, None
        region: Region | None = None
        if self.config.region:
            region = Region(self.config.region, "configured")
        # Each column's batches are checked in order, columns side by side: a fast
        # column runs ahead of a slow one instead of waiting for it every batch.
        pipeline = ColumnPipeline(self._pool, self._scan_queued,
                                  max_waiting=_BATCHES_IN_FLIGHT * max(1, len(cols)))
        try:
            # The next batch is read while this one is checked (both cores busy).
            for batch in read_ahead(self._batches(table)):
                if rows and deadline is not None and time.monotonic() > deadline:
                    # More rows came after the time limit: what was read is reported.
                    raise TableError(f"{source.name}: {table.name}: stopped after {rows:,} "
                                     "rows: the source's time limit (--source-timeout) "
                                     "was reached")
                if not is_supplement(batch):
                    if region is None and rows == 0 and batch.num_rows:
                        # National formats are read in the region the first rows show.
                        region = infer_region(batch)
                    rows += batch.num_rows
                self._scan_batch(batch, by_name, region.code if region else None, pipeline)
                if self.progress:
                    self.progress(table.name, rows, table.rows_total)
            pipeline.join()
        except TableError as exc:
            status = Status.PARTIAL if rows else Status.FAILED
            error = str(exc)
            logger.error("%s", exc)
        except Exception as exc:  # a reader bug: report it for this table, go on
            status = Status.PARTIAL if rows else Status.FAILED
            error = f"{source.name}: {table.name}: unexpected {type(exc).__name__} while reading"
            logger.error("%s", error)
            logger.debug("reader failure", exc_info=True)
        # No column is still being read when the table is judged.
        pipeline.settle()
        for col in by_name.values():
            col.probed = None
        return TableRead(list(by_name.values()), rows, status, error, region)

    def judge_read(self, source: Source, table: Table, read: TableRead,
                   t0: float | None = None) -> TableResult:
        """Judge a table's running column state once: the second half of ``scan_table``."""
        t0 = time.perf_counter() if t0 is None else t0
        rows, status, error, region = read.rows, read.status, read.error, read.region
        if status is Status.OK and table.warnings and getattr(table, "partial_on_warnings", True):
            status = Status.PARTIAL
            error = f"{source.name}: {len(table.warnings)} malformed rows skipped " \
                    f"(first: {table.warnings[0]})"
            logger.error("%s", error)  # the one line on stderr saying why the exit code is 3
        # Columns found only in the data (e.g. a header-less file) joined the table.
        cols = read.columns
        try:
            judged = self._judge_table(cols)
        except Exception as exc:  # a verdict bug: this table fails, the scan goes on
            status = Status.FAILED
            error = f"{source.name}: {table.name}: unexpected {type(exc).__name__} while judging"
            logger.error("%s", error)
            logger.debug("verdict failure", exc_info=True)
            judged = [(c.ref, [], c.skip_reason) for c in cols]
        verdicts, record = finish_records(judged, self.policy, table.is_call_record,
                                          getattr(table, "record_kind", None))
        verdicts = _explained(verdicts, cols, judged)
        return TableResult(
            name=table.name, schema=table.schema, columns=tuple(verdicts), rows_scanned=rows,
            rows_total=table.rows_total, status=status, error=error,
            is_call_record=record.kind == "call_detail", record_kind=record.kind,
            format=table.format, format_reason=table.format_reason,
            warnings=tuple(table.warnings[:50]), seconds=time.perf_counter() - t0,
            region=region.code if region else None, region_how=region.how if region else None,
        )

    def merge_reads(self, reads: list[TableRead]) -> TableRead:
        """Join the reads of one table's consecutive parts (see :func:`merge_reads`)."""
        return merge_reads(reads, self.config.ner_sample)

    def _batches(self, table: Table) -> Iterator[pa.RecordBatch]:
        plan = self.config.plan
        remaining = plan.sample_size
        for batch in table.batches(plan):
            if remaining is not None and not is_supplement(batch):
                if remaining <= 0:
                    break
                if batch.num_rows > remaining:
                    batch = batch.slice(0, remaining)
                remaining -= batch.num_rows
            yield batch

    def _scan_batch(self, batch: pa.RecordBatch, by_name: dict[str, _RunningColumn],
                    region: str | None = None, pipeline: ColumnPipeline | None = None) -> None:
        work: list[tuple[_RunningColumn, pa.Array, str | None]] = []
        for i, field_ in enumerate(batch.schema):
            col = by_name.get(field_.name)
            if col is None:
                pos = len(by_name)
                any_ref = next(iter(by_name.values())).ref if by_name else None
                ref = ColumnRef(any_ref.source if any_ref else "", any_ref.table if any_ref else "",
                                field_.name, pos, str(field_.type),
                                any_ref.schema if any_ref else None)
                col = by_name[field_.name] = self._column(ref, None)
            if not col.skip_reason:
                work.append((col, batch.column(i), region))
        if pipeline is not None:
            for item in work:
                pipeline.put(item[0].ref.column, item)
            return
        # Arrow's kernels release the GIL: columns are checked side by side.
        list(self._pool.map(self._scan_column, work))

    def _scan_queued(self, _column: str, item: tuple[_RunningColumn, pa.Array, str | None]
                     ) -> None:
        self._scan_column(item)

    def _scan_column(self, item: tuple[_RunningColumn, pa.Array, str | None]) -> None:
        col, values, region = item
        view = ValueView(values, is_text=col.is_text, region=region, column=col.ref.column)
        if view.kind == "string" and col.shape != "":
            view = _typed(col, view)
        col.kind = view.kind
        if view.kind in {"binary", "other"}:
            col.skip_reason = col.skip_reason or f"{view.raw.type} values are not scanned"
            return
        n = view.count
        col.values += n
        if n == 0:
            return
        if view.kind == "string":
            if col.is_text is None:
                # Whether a column is free text is decided once, on its first values.
                col.is_text = view.is_text
                if col.is_text:
                    col.active = [d for d in col.active if d.name not in self._text_only
                                  or d.names.evaluate(col.ref.column).score >= 0.5]
            self._keep_ner_sample(col, view)
        detectors = [d for d in col.active if view.kind in d.kinds]
        if not detectors and not col.notes:
            col.note(f"{view.kind} values: no detector reads them")
        with python_checks_capped(None if col.values - n < _FULL_CHECKS else _LATER_CHECKS):
            if view.kind in {"string", "integer"} and n >= _DEDUPE_MIN:
                detectors = self._worth_running(detectors, view, col)
            for det in detectors:
                m = det.match(view)
                if m is not None:
                    col.tallies.setdefault(det.name, Tally()).add(m)
        if col.is_text and col.values >= _SETTLE_AFTER:
            self._settle(col)
        if view.kind == "string" and not self._ner_loading and self._may_need_ner(col):
            # The model loads on the other core while the batches go on.
            from detectors.language import preload

            self._ner_loading = True
            preload()

    @staticmethod
    def _worth_running(detectors: list[Detector], view: ValueView,
                       col: _RunningColumn) -> list[Detector]:
        """Drop detectors that find nothing among the distinct values of a repetitive batch.

        A detector that matches no distinct value matches no value at all, so
        the counts stay exact; dispositions, contexts and channel names repeat
        so much that checking their distinct values first is far cheaper. The
        distinct values checked are remembered per column (a few thousand at most):
        a later batch checks only values not seen before, and a detector that
        matched a value before just runs.
        """
        values = view.raw.drop_null() if view.kind == "integer" else view.strings
        # A first look at a slice says whether the whole batch is worth deduplicating.
        head = values.slice(0, 1_000)
        if len(pc.unique(head)) * 4 > len(head):
            return detectors
        distinct = pc.unique(values)
        if len(distinct) * 4 > view.count:
            return detectors
        probed = col.probed
        if probed is not None and probed.type != distinct.type:
            probed = None  # an integer batch after text ones: start again
            col.probe_hits, col.probe_misses = set(), set()
        unseen = distinct if probed is None else distinct.filter(
            pc.invert(pc.is_in(distinct, value_set=probed)))
        known = col.probe_hits | col.probe_misses
        fresh = [d for d in detectors if d.name not in known]
        again = [d for d in detectors if d.name in col.probe_misses]
        grown = unseen if probed is None else pa.concat_arrays([probed, unseen])
        remember = len(grown) <= _PROBE_KEEP and grown.nbytes <= _PROBE_KEEP_BYTES
        hits: set[str] = set()
        # A detector never checked reads every value remembered (or the batch's).
        for dets, vals in ((fresh, grown if remember else distinct), (again, unseen)):
            if not dets or not len(vals):
                continue
            probe = ValueView(vals, is_text=view.is_text, region=view.region, column=view.column)
            for det in dets:
                m = det.match(probe)
                if m is not None and (m.shaped or m.matched):
                    hits.add(det.name)
        if remember:
            col.probed = grown
            col.probe_hits |= hits
            col.probe_misses = (col.probe_misses | {d.name for d in fresh}) - col.probe_hits
        keep = [d for d in detectors if d.name in hits or d.name in col.probe_hits]
        if not any(t.startswith("repetitive") for t in col.notes):
            col.note(f"repetitive: a batch of {view.count:,} values held {len(distinct):,} "
                     f"distinct; {len(detectors) - len(keep)} of {len(detectors)} detectors "
                     "matched none of them and skipped the batch")
        return keep

    def _settle(self, col: _RunningColumn) -> None:
        """Stop running the value detectors a free-text column gives no chance.

        A value detector claims a column by the share of its values that validate
        or have its form: a fifth at the least, under a telling name. Once
        ``_SETTLE_AFTER`` values of a free-text column are read, one whose counts are
        all under ``_SETTLE_SHARE`` of them will not get there; it stops reading the
        column (its counts so far stay). The embedded detectors, for which one value
        in a million is a finding, and those searching inside values that a telling
        name kept, read every value.
        """
        floor = _SETTLE_SHARE * col.values

        def alive(det: Detector) -> bool:
            if det.in_text or det.name in self._embedded:
                return True
            t = col.tallies.get(det.name)
            return t is not None and max(t.shaped, t.matched, t.strong, t.named_valid,
                                         t.specimens) > floor

        stopped = [d.name for d in col.active if not alive(d)]
        if stopped:
            col.active = [d for d in col.active if d.name not in stopped]
            if not any(t.startswith("free text") for t in col.notes):
                    col.note(f"free text: after {col.values:,} values, {len(stopped)} value "
                         f"detectors under {_SETTLE_SHARE:.0%} of them stopped reading it "
                         f"({', '.join(sorted(stopped)[:8])}"
                         f"{', ...' if len(stopped) > 8 else ''})")

    def _column(self, ref: ColumnRef, skip_reason: str | None) -> _RunningColumn:
        # A detector that only confirms a telling name need not read values
        # under a name that tells nothing.
        active = [d for d in self.detectors
                  if not d.requires_name or d.names.evaluate(ref.column).score >= 0.5]
        return _RunningColumn(ref, skip_reason=skip_reason, active=active)

    def _keep_ner_sample(self, col: _RunningColumn, view: ValueView) -> None:
        need = self.config.ner_sample - len(col.ner_sample)
        if need <= 0 or not self.config.ner:
            return
        head = pc.utf8_slice_codeunits(view.strings.slice(0, need), 0, _NER_CHARS)
        col.ner_sample.extend(str(v) for v in head.to_pylist())

    # Verdicts ------------------------------------------------------------------

    def _may_need_ner(self, col: _RunningColumn) -> bool:
        """Whether the column, as read so far, is one the language model will read."""
        if not self.config.ner or self._ner_failed or len(col.ner_sample) == col.ner_tested:
            return False
        if not _wordy_and_varied(col.ner_sample):
            col.ner_tested = len(col.ner_sample)
            return False
        # Values a detector already claims by the half need no model.
        return not any(t.matched * 2 >= col.values for name, t in col.tallies.items()
                       if name not in self._embedded)

    def _judge_table(self, cols: list[_RunningColumn]
                     ) -> list[tuple[ColumnRef, list[Claim], str | None]]:
        """Every column's claims; the language model reads the table's candidates at once."""
        judged = []
        wanted: list[tuple[list[Claim], ColumnFacts, list[str]]] = []
        names = tuple(col.ref.column for col in cols)
        for col in cols:
            claims: list[Claim] = []
            if not col.skip_reason:
                facts = ColumnFacts(col.ref.column, col.ref.data_type, col.kind, col.values,
                                    bool(col.is_text), table=col.ref.table, columns=names)
                claims = self._judge(col, facts)
                if self._wants_language(col, facts, claims):
                    wanted.append((claims, facts, col.ner_sample))
            col.ner_sample = []
            judged.append((col.ref, claims, col.skip_reason))
        if wanted:
            counts = self._recognise([sample for _, _, sample in wanted])
            for (claims, facts, _), c in zip(wanted, counts or (), strict=False):
                claims.extend(self._language(facts, c))
        return judged

    def _judge(self, col: _RunningColumn, facts: ColumnFacts) -> list[Claim]:
        judged = [c for c in judge_column(self.detectors, facts, col.tallies)
                  if not c.verdict.in_text or c.detector in self._embedded]
        return resolve_column(judged, col.values)

    def _wants_language(self, col: _RunningColumn, facts: ColumnFacts,
                        claims: list[Claim]) -> bool:
        if not self.config.ner or not col.ner_sample or self._ner_failed:
            return False
        for c in claims:
            v = c.verdict
            if v.entity == "PERSON_NAME" or (v.from_values and not v.in_text and facts.values
                                             and v.matched / facts.values >= 0.5):
                return False  # the values are already known to be something else
        return _wordy_and_varied(col.ner_sample)

    def _recognise(self, samples: list[list[str]]) -> list[NerCounts] | None:
        """Count each sample's names and places in one ``nlp.pipe`` pass (None if it failed)."""
        from detectors.language import LanguageModelUnavailable, recognise_each

        try:
            with self._ner_lock:
                return recognise_each(samples)
        except LanguageModelUnavailable as exc:
            self._ner_failed = str(exc)
            logger.warning("names in text are not checked: %s", exc)
        except Exception as exc:  # the model's own failure must not end the scan
            self._ner_failed = type(exc).__name__
            logger.warning("names in text are not checked: the language model failed (%s)",
                           type(exc).__name__)
            logger.debug("language model failure", exc_info=True)
        return None

    def _language(self, facts: ColumnFacts, counts: NerCounts) -> list[Claim]:
        """Names (and addresses in text) from presidio's NER on the column's bounded sample."""
        out: list[Claim] = []
        n = counts.sampled
        lower = wilson_lower(counts.person, n)
        # In free text two values naming someone, or in a note or two a full name with a
        # known given name (one stray hit of the model is not enough); a column named for
        # things (`Product Name`, `company`: brands and makers) names no one.
        names_someone = (facts.is_text and (counts.person >= 2 or (
            n < SMALL_SAMPLE and counts.full_names))) or lower >= 0.4
        if names_someone and not names_things(facts.name):
            conf = 0.5 + 0.4 * min(1.0, lower / 0.8)
            out.append(self._ner_claim("PERSON_NAME", conf, counts.person, n, facts.is_text))
        if facts.is_text and counts.location >= 2 and wilson_lower(counts.location, n) >= 0.05:
            conf = 0.45 + 0.3 * min(1.0, wilson_lower(counts.location, n) / 0.5)
            out.append(self._ner_claim("POSTAL_ADDRESS", conf, counts.location, n, True))
        return out

    @staticmethod
    def _ner_claim(entity: str, conf: float, k: int, n: int, in_text: bool) -> Claim:
        what = "a person's name" if entity == "PERSON_NAME" else "a place"
        verdict = Verdict(entity=entity, confidence=round(min(conf, 0.95), 3), matched=k,
                          sampled=n, reasons=(f"language model found {what} in {k}/{n} "
                                              "sampled values",),
                          evidence=(), from_values=True, in_text=in_text)
        # In free text, names and places are found inside values: an embedded finding.
        return Claim(verdict, "presidio_ner", 30, False)


def _wordy_and_varied(sample: list[str]) -> bool:
    """Tell whether a sample passes the cheap test before the language model reads it."""
    if not sample:
        return False
    # Names and places are words: codes like "ORD-1042" or "SIP/100-0001" are not
    # worth loading a language model for.
    wordy = sum(sum(ch.isalpha() or ch.isspace() for ch in v) >= 0.8 * len(v)
                for v in sample)
    if wordy * 2 < len(sample):
        return False
    # A handful of labels repeated ("Dial", "from-trunk", "active") are categories,
    # not people: names and free text vary from row to row. In a short sample
    # (a 10-row file's five statuses) a label repeated twice on average is enough.
    distinct = len(set(sample))
    return not (distinct < 20 and (distinct * 5 < len(sample)
                                   or (len(sample) < 100 and distinct * 2 <= len(sample))))


def scan(specs: list[str], config: ScanConfig | None = None,
         progress: ProgressHook | None = None, policy: Policy | None = None) -> ScanResult:
    """Scan sources (paths, globs, directories, database URLs) and return the result.

    ``policy`` gives every column its categories; by default the one
    ``config.policy_path`` names (the bundled policy when that is None).
    """
    return Engine(config or ScanConfig(), policy, progress).run(specs)


def scan_sources(sources: list[Source], config: ScanConfig | None = None,
                 progress: ProgressHook | None = None,
                 policy: Policy | None = None) -> ScanResult:
    """Scan sources that are already open (the Python API's in-memory tables).

    Each source's tables are sampled and judged exactly as a file's would be.
    """
    return Engine(config or ScanConfig(), policy, progress).run_sources(sources)
