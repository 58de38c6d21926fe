"""Run a scan's work units on a Dask distributed cluster (``--executor dask://HOST:PORT``).

The client expands the specs as a local run does (directories and globs into
files, a Parquet dataset folder or a bucket prefix as one unit, a database URL
as one unit) and submits one task per unit. Each task opens its source on a
worker, scans it with the same engine a local run uses, and returns the
source's column verdicts (counts, masked evidence, reasons): rows and values
stay on the worker. The client puts the results back in spec order, so the
ScanResult is the one a local run gives.

A bucket prefix is listed once by the client and its parts (objects, datasets)
are spread over tasks. With ``--full``, a Parquet dataset of several files (a
local folder, or a dataset folder under a prefix) is split further: its file
list (no footer but the few that settle its columns) is cut into consecutive
runs of steadily fewer bytes (``RUN_TAPER``), ``GROUPS_PER_THREAD`` per worker
thread at most, each starting where a chunk of small files read together starts
(see ``LakeTable.chunks``), and each task reads one run into the engine's
running column state (detector counts, masked evidence, value counts and, with
the language model on, the first values of its bounded sample). The client
merges the states in file order and judges the table once, so a dataset gives
the columns, entities and counts of a local ``--full`` run. Two things are
decided per run on its first values, where one pass decides them once: the
region for national formats (unless configured) and whether a column is free
text; files of one dataset agree on both in practice. A free-text column stops
running the detectors that find (almost) nothing in it after 50,000 values of
each run rather than of the whole table. A sampled scan stays one task per
unit: its cost is already bounded by the sample, not by the dataset's size. A
run whose worker is lost for good leaves the table partial, saying so. On a
worker, the engine checks columns on as many threads as the worker has
(``--nthreads``): a worker's threads are its share of the machine.

A worker lost mid-task (killed, out of memory, its machine gone) has its task
retried on another worker (``RETRIES`` times); a unit that still cannot
finish, or that exceeds ``unit_timeout``, is reported ``failed`` with the
reason, never left out. A cluster that cannot be reached fails every source
with one line saying so.

Files named by path must be reachable from the workers at the same path (a
shared volume); object-store URLs and database URLs are read by the workers
with their own credential chain.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from connectors.base import SourceError
from connectors.registry import CONFIDENT_CLAIM, expand
from scanner.core.overlap import covered
from scanner.model import ScanResult, SourceResult, Status
from scanner.redact import redact_url

if TYPE_CHECKING:
    from scanner.core.config import ScanConfig
    from scanner.policy import Policy

logger = logging.getLogger(__name__)

#: How many times a unit whose worker was lost is run again elsewhere.
RETRIES = 2
#: Seconds to wait for the scheduler to answer.
CONNECT_TIMEOUT = 10


class ExecutorError(Exception):
    """The executor setting is malformed. The message is safe to show."""


def scheduler_address(executor: str) -> str:
    """Turn ``dask://HOST:PORT`` into the scheduler's ``tcp://HOST:PORT``."""
    if not executor.startswith("dask://"):
        raise ExecutorError(f"unknown executor {executor!r}: use 'local' or dask://HOST:PORT")
    rest = executor[len("dask://"):].rstrip("/")
    if not rest or "@" in rest:
        raise ExecutorError("the executor is dask://HOST:PORT (no user or password)")
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise ExecutorError(f"{executor}: expected dask://HOST:PORT")
    return f"tcp://{rest}"


def check_executor(executor: str | None) -> None:
    """Raise ExecutorError when ``executor`` is neither None/'local' nor ``dask://HOST:PORT``."""
    if executor and executor != "local":
        scheduler_address(executor)


def scan_unit(engine_cls: type, spec: str, min_score: int, config: ScanConfig,
              policy: Policy) -> SourceResult | None:
    """Scan one unit on a worker; return its verdicts (never rows). None: not a data file."""
    return _engine(engine_cls, config, policy).scan_source(spec, min_score)


@functools.lru_cache(maxsize=4)
def _engine(engine_cls: type, config: ScanConfig, policy: Policy) -> Any:
    # One engine per configuration per worker process: detectors and the
    # language model load once, not once per file. The class comes from the
    # caller (the engine itself), which keeps this module below it.
    engine = engine_cls(config, policy)
    threads = _worker_threads()
    if threads:
        # A worker's threads are its share of the machine: its columns are checked on
        # that many threads, not on every core (workers side by side would fight).
        engine._pool.shutdown()
        engine._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="piiscan-scan")
    return engine


def _worker_threads() -> int | None:
    """Return the threads of the Dask worker running this code (None outside a worker)."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return None


def run(specs: list[str], config: ScanConfig, policy: Policy, engine_cls: type) -> ScanResult:
    """Scan ``specs`` on the cluster ``config.executor`` names; the result a local run gives."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    address = scheduler_address(config.executor or "")
    shown = config.executor or address
    units: list[tuple[str, str, int]] = []  # (spec as given, unit, min score)
    failed_specs: dict[str, SourceResult] = {}
    passed: set[str] = set()
    for spec in specs:
        try:
            items = expand(spec)
        except SourceError as exc:
            logger.error("%s", exc)
            failed_specs[spec] = SourceResult(redact_url(spec), "unknown", (), Status.FAILED,
                                              str(exc))
            continue
        for item in items:
            if item != spec and covered(item, spec, config.claimed):
                passed.add(spec)  # a more specific entry of the configuration scans it
                continue
            units.append((spec, item, CONFIDENT_CLAIM if item != spec else 1))
    results_by_unit = _run_units(address, shown, units, config, policy, engine_cls)
    results: list[SourceResult] = []
    for spec in specs:
        if spec in failed_specs:
            results.append(failed_specs[spec])
            continue
        found = [r for (s, _, _), r in zip(units, results_by_unit, strict=True)
                 if s == spec and r is not None]
        if not found and spec in passed:
            continue
        if not found:
            msg = f"{redact_url(spec)}: no data files found"
            logger.error("%s", msg)
            found = [SourceResult(redact_url(spec), "unknown", (), Status.FAILED, msg)]
        results.extend(found)
    finished = dt.datetime.now(dt.UTC)
    return ScanResult(
        sources=tuple(results),
        started_at=started.isoformat(timespec="seconds"),
        finished_at=finished.isoformat(timespec="seconds"),
        seconds=time.perf_counter() - t0,
        config=config.to_dict(),
    )


def _run_units(address: str, shown: str, units: list[tuple[str, str, int]],
               config: ScanConfig, policy: Policy,
               engine_cls: type) -> list[SourceResult | None]:
    try:
        from distributed import Client
    except ImportError:
        msg = f"{shown}: the Dask executor needs distributed: pip install 'piiscan[dask]'"
        logger.error("%s", msg)
        return [_failed(unit, msg) for _, unit, _ in units]
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        msg = f"{shown}: Dask scheduler unreachable ({type(exc).__name__})"
        logger.error("%s", msg)
        return [_failed(unit, msg) for _, unit, _ in units]
    out: list[SourceResult | None] = []
    try:
        # The policy travels with each task: workers need no policy file.
        policy_future = client.scatter(policy, broadcast=True)
        run_id = uuid.uuid4().hex[:12]
        threads = max(1, sum(client.nthreads().values()))
        submitted: list[list[_Piece]] = []
        count = 0

        def submit(fn: Any, *args: Any) -> Any:
            nonlocal count
            # Keys are numbers: a unit's URL may carry a password, and keys show on the
            # dashboard.
            key = f"piiscan-{run_id}-{count}"
            count += 1
            return client.submit(fn, *args, pure=False, retries=RETRIES, key=key)

        for _, unit, score in units:
            pieces: list[_Piece] = []
            for task in _split(unit, score, config, threads):
                if isinstance(task, _TableTask):
                    task.futures = [submit(read_part, engine_cls, unit, task.store, part,
                                           config, policy_future) for part in task.parts]
                    pieces.append(task)
                elif task is None:
                    pieces.append(submit(scan_unit, engine_cls, unit, score, config,
                                         policy_future))
                else:
                    parts, found = task
                    pieces.append(submit(scan_parts, engine_cls, unit, parts, found, config,
                                         policy_future))
            submitted.append(pieces)
        deadline = None if config.unit_timeout is None else \
            time.monotonic() + config.unit_timeout * max(1, count)
        for (_, unit, _), pieces in zip(units, submitted, strict=True):
            got = [_table_result(unit, p, deadline, engine_cls, config, policy)
                   if isinstance(p, _TableTask) else _result(unit, p, deadline)
                   for p in pieces]
            out.append(got[0] if len(got) == 1 else _merge(got))
    finally:
        client.close()
    return out


def _result(unit: str, future: Any, deadline: float | None) -> SourceResult | None:
    try:
        left = None if deadline is None else max(1.0, deadline - time.monotonic())
        return future.result(timeout=left)  # type: ignore[no-any-return]
    except Exception as exc:  # a lost worker, a timeout, a task error: say which
        what = type(exc).__name__
        if what == "KilledWorker":
            msg = f"{redact_url(unit)}: its worker was lost on the Dask cluster " \
                  f"(tried {RETRIES + 1} times)"
        elif "Timeout" in what:
            msg = f"{redact_url(unit)}: timed out on the Dask cluster"
        else:
            msg = f"{redact_url(unit)}: failed on the Dask cluster ({what})"
        logger.error("%s", msg)
        future.cancel()
        return _failed(unit, msg)


#: A prefix is split into at most this many tasks (its parts grouped evenly).
MAX_TASKS_PER_SOURCE = 256
#: With --full, a Parquet dataset is read in at most this many tasks per worker thread
#: (several each, so a slow run does not leave the other workers idle at the end) ...
GROUPS_PER_THREAD = 4
#: ... each reading at least this many bytes of files (fewer tasks for a small dataset).
MIN_GROUP_BYTES = 4 << 20
#: The first run of files is this many times the last, the runs shrinking steadily in
#: between: tasks are taken in order, so the last ones are short and the workers finish
#: together (with runs of equal size, a worker slowed down ends a whole run late).
RUN_TAPER = 2.0


@dataclass
class _TableTask:
    """One dataset table read in file runs on the workers, judged on the client."""

    source: Any  # the source as the client opened it (its name and kind)
    table: Any  # the dataset table (LakeTable): columns, file list, how it is shown
    parts: list[Any]  # one LakeTable part per task
    store: bool  # on object storage: each worker opens the store with its own credentials
    found: str | None = None
    futures: list[Any] = dataclass_field(default_factory=list)
    started: float = dataclass_field(default_factory=time.perf_counter)


#: A unit's task: None (the whole unit), (parts of a prefix, bucket region), or a table.
_Task = None | tuple[list[Any], str | None] | _TableTask
_Piece = Any  # a future, or a _TableTask


def _split(unit: str, score: int, config: ScanConfig, threads: int) -> list[_Task]:
    """Return the tasks of one unit, in the order their results go into its SourceResult.

    A bucket prefix of many objects and datasets is listed once here and its
    parts are spread over tasks; with --full, a Parquet dataset of several files
    (a local folder, or one under a prefix) is read in runs of files. Every other
    unit is one task.
    """
    from connectors.objectstore import STORES, ObjectStoreSource

    groups = GROUPS_PER_THREAD * threads
    if unit.split("://", 1)[0].lower() not in STORES:
        return [_local_dataset(unit, score, config, groups)]
    source = ObjectStoreSource(unit, config.connector)
    try:
        parts = source.plan()
    except SourceError:
        return [None]  # the worker meets the same error and reports it
    finally:
        source.close()
    splits = [_store_dataset(unit, p, source, config, groups) for p in parts]
    if len(parts) <= 1 and all(split is None for split in splits):
        return [None]
    size = -(-len(parts) // MAX_TASKS_PER_SOURCE)
    out: list[_Task] = []
    run: list[Any] = []
    for part, split in zip(parts, splits, strict=True):
        if split is not None or len(run) >= size:
            if run:
                out.append((run, source.found_location))
            run = []
        if split is not None:
            out.append(split)
        else:
            run.append(part)
    if run:
        out.append((run, source.found_location))
    return out


def _runs(table: Any, sizes: dict[str, int], groups: int) -> list[Any]:
    """Cut a dataset table into parts of consecutive files (one part: no split)."""
    total = sum(sizes.values())
    if total:
        groups = min(groups, -(-total // MIN_GROUP_BYTES))
    return [table.part(files) for files in table.groups(groups, sizes or None, taper=RUN_TAPER)]


def _local_dataset(unit: str, score: int, config: ScanConfig, groups: int) -> _Task:
    """Return a local Parquet dataset folder's --full read in runs of files, else None."""
    import os

    from connectors.files import ParquetSource
    from connectors.lake import LakeTable
    from connectors.registry import open_source

    if not config.plan.full or config.connector.include or config.connector.exclude \
            or not os.path.isdir(unit):
        return None
    try:
        source = open_source(unit, config.connector, score)
        if not isinstance(source, ParquetSource):
            return None
        tables = list(source.tables())
    except Exception:  # noqa: BLE001 - whatever it is, the worker meets it and reports it
        return None
    if len(tables) != 1 or not isinstance(tables[0], LakeTable) or len(tables[0].files) < 2:
        return None
    table = tables[0]
    sizes = {}
    for path in table.files:
        try:
            sizes[path] = os.stat(path).st_size
        except OSError:
            sizes[path] = 0
    parts = _runs(table, sizes, groups)
    if len(parts) < 2:
        return None
    logger.info("%s: %d files read in %d tasks", source.name, len(table.files), len(parts))
    return _TableTask(source, table, parts, store=False)


def _store_dataset(unit: str, part: Any, source: Any, config: ScanConfig,
                   groups: int) -> _TableTask | None:
    """Return a prefix's dataset part's --full read in runs of files, else None."""
    from connectors.lake import LakeTable

    if part.kind != "dataset" or len(part.paths) < 2 or not config.plan.full \
            or config.connector.include or config.connector.exclude:
        return None
    only = _store_part(unit, config, part, source.found_location)
    try:
        tables = list(only.tables())
    except Exception:  # noqa: BLE001 - the worker meets it and reports it
        return None
    finally:
        only.close()
    if len(tables) != 1 or not isinstance(tables[0], LakeTable):
        return None
    table = tables[0]
    parts = _runs(table, dict(zip(part.paths, part.sizes, strict=False)), groups)
    if len(parts) < 2:
        return None
    for p in parts:
        p.fs = None  # each worker reads the store with its own credentials
    logger.info("%s: %s: %d files read in %d tasks", only.name, table.name, len(table.files),
                len(parts))
    return _TableTask(only, table, parts, store=True, found=source.found_location)


def _store_part(unit: str, config: ScanConfig, part: Any, found: str | None) -> Any:
    """Return the prefix's source restricted to one of its parts (no second listing)."""
    from connectors.objectstore import ObjectStoreSource

    source = ObjectStoreSource(unit, config.connector)
    source.restrict([part], found)
    return source


def read_part(engine_cls: type, spec: str, store: bool, table: Any, config: ScanConfig,
              policy: Policy) -> tuple[Any, list[str], int | None]:
    """Read one run of a dataset's files on a worker into running column state.

    Returns the state (counts, masked evidence, the bounded language-model
    sample: never rows), the files skipped and the run's row count.
    """
    from connectors.files import ParquetSource
    from connectors.objectstore import ObjectStoreSource

    engine = _engine(engine_cls, config, policy)
    source: Any
    if store:
        source = ObjectStoreSource(spec, config.connector)
        table.fs = source.arrow_filesystem()
    else:
        source = ParquetSource(spec, config.connector)
    deadline = time.monotonic() + config.connector.source_timeout
    try:
        read = engine.read_table(source, table, deadline)
    finally:
        source.close()
        from detectors.base import forget_values

        forget_values()  # a worker keeps no value of the data between tasks
    for col in read.columns:
        col.active = []  # the worker's detectors stay on the worker
    return read, list(table.warnings), table.rows_total


def _table_result(unit: str, task: _TableTask, deadline: float | None, engine_cls: type,
                  config: ScanConfig, policy: Policy) -> SourceResult:
    """Merge a dataset's runs in file order and judge the table once, on the client."""
    reads: list[Any] = []
    lost: list[str] = []
    totals: list[int | None] = []
    table = task.table
    for future in task.futures:
        got = _result(unit, future, deadline)
        if isinstance(got, tuple):
            read, warnings, total = got
            reads.append(read)
            totals.append(total)
            for w in warnings:
                if w not in table.warnings:
                    table.warnings.append(w)
        else:
            lost.append(got.error if got is not None and got.error else "lost")
            totals.append(None)
    engine = _engine(engine_cls, config, policy)
    merged = engine.merge_reads(reads)
    if lost:
        why = f"{redact_url(unit)}: {table.name}: {len(lost)} of {len(task.futures)} runs " \
              f"of files not read ({lost[0].rsplit(': ', 1)[-1]})"
        merged.status = Status.PARTIAL if merged.rows else Status.FAILED
        merged.error = why
        logger.error("%s", why)
    if all(t is not None for t in totals):
        table.rows_total = sum(t for t in totals if t is not None)
    try:
        result = engine.judge_read(task.source, table, merged, task.started)
    except Exception as exc:  # noqa: BLE001 - a verdict bug fails this source, not the scan
        msg = f"{redact_url(unit)}: unexpected {type(exc).__name__} while judging"
        logger.error("%s", msg)
        return _failed(unit, msg)
    status = Status.OK if result.status is Status.OK else Status.PARTIAL
    return SourceResult(task.source.name, task.source.kind, (result,), status,
                        None if status is Status.OK else result.error, found_location=task.found)


def scan_parts(engine_cls: type, spec: str, parts: list[Any], found: str | None,
               config: ScanConfig, policy: Policy) -> SourceResult:
    """Scan some parts of an object-store prefix on a worker; return their verdicts."""
    from connectors.objectstore import ObjectStoreSource

    source = ObjectStoreSource(spec, config.connector)
    source.restrict(parts, found)
    result: SourceResult = _engine(engine_cls, config, policy).scan_opened(source)
    return result


def _merge(pieces: list[SourceResult | None]) -> SourceResult:
    """Join the results of one prefix's tasks, as one scan of the prefix would have given."""
    got = [p for p in pieces if p is not None]
    first = got[0]
    tables = tuple(t for p in got for t in p.tables)
    lost = [p.error for p in got if p.status is Status.FAILED and not p.tables]
    bad = [t for t in tables if t.status is not Status.OK]
    found = next((p.found_location for p in got if p.found_location), None)
    kind = next((p.kind for p in got if p.kind != "unknown"), first.kind)
    if not lost and not bad:
        return SourceResult(first.name, kind, tables, Status.OK, None, found_location=found)
    if not tables:
        return SourceResult(first.name, kind, (), Status.FAILED, lost[0], found_location=found)
    problems = len(bad) + len(lost)
    if problems == 1:
        error = bad[0].error if bad else lost[0]
    else:
        error = f"{problems} tables could not be fully read"
    return SourceResult(first.name, kind, tables, Status.PARTIAL, error, found_location=found)


def _failed(unit: str, msg: str) -> SourceResult:
    return SourceResult(redact_url(unit), "unknown", (), Status.FAILED, msg)
