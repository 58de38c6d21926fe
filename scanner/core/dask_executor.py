"""Run a scan's work units on a Dask distributed cluster (``--executor dask://HOST:PORT``).

The client expands the specs as a local run does (directories and globs into
files, a Parquet dataset folder or a bucket prefix as one unit, a database URL
as one unit) and submits one task per unit. Each task opens its source on a
worker, scans it with the same engine a local run uses, and returns the
source's column verdicts (counts, masked evidence, reasons): rows and values
stay on the worker. The client puts the results back in spec order, so the
ScanResult is the one a local run gives.

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
    return engine_cls(config, policy)


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
        submitted: list[list[Any]] = []
        count = 0
        for _, unit, score in units:
            futures = []
            # Keys are numbers: a unit's URL may carry a password, and keys show on the
            # dashboard.
            for parts, found in _split(unit, config):
                key = f"piiscan-{run_id}-{count}"
                count += 1
                if parts is None:
                    futures.append(client.submit(scan_unit, engine_cls, unit, score, config,
                                                 policy_future, pure=False, retries=RETRIES,
                                                 key=key))
                else:
                    futures.append(client.submit(scan_parts, engine_cls, unit, parts, found,
                                                 config, policy_future, pure=False,
                                                 retries=RETRIES, key=key))
            submitted.append(futures)
        deadline = None if config.unit_timeout is None else \
            time.monotonic() + config.unit_timeout * max(1, count)
        for (_, unit, _), futures in zip(units, submitted, strict=True):
            pieces = [_result(unit, future, deadline) for future in futures]
            out.append(pieces[0] if len(pieces) == 1 else _merge(pieces))
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


def _split(unit: str, config: ScanConfig) -> list[tuple[list[Any] | None, str | None]]:
    """Return the tasks of one unit: ``[(None, None)]`` for one task, else groups of parts.

    A bucket prefix of many objects and datasets is listed once here and its
    parts are spread over tasks; every other unit is one task.
    """
    from connectors.objectstore import STORES, ObjectStoreSource

    if unit.split("://", 1)[0].lower() not in STORES:
        return [(None, None)]
    source = ObjectStoreSource(unit, config.connector)
    try:
        parts = source.plan()
    except SourceError:
        return [(None, None)]  # the worker meets the same error and reports it
    finally:
        source.close()
    if len(parts) <= 1:
        return [(None, None)]
    size = -(-len(parts) // MAX_TASKS_PER_SOURCE)
    return [(parts[i:i + size], source.found_location) for i in range(0, len(parts), size)]


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
