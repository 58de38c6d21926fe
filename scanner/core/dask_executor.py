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
    for spec in specs:
        try:
            items = expand(spec)
        except SourceError as exc:
            logger.error("%s", exc)
            failed_specs[spec] = SourceResult(redact_url(spec), "unknown", (), Status.FAILED,
                                              str(exc))
            continue
        for item in items:
            units.append((spec, item, CONFIDENT_CLAIM if item != spec else 1))
    results_by_unit = _run_units(address, shown, units, config, policy, engine_cls)
    results: list[SourceResult] = []
    for spec in specs:
        if spec in failed_specs:
            results.append(failed_specs[spec])
            continue
        found = [r for (s, _, _), r in zip(units, results_by_unit, strict=True)
                 if s == spec and r is not None]
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
        # Keys are numbers: a unit's URL may carry a password, and keys show on the dashboard.
        futures = [client.submit(scan_unit, engine_cls, unit, score, config, policy_future,
                                 pure=False, retries=RETRIES, key=f"piiscan-{run_id}-{i}")
                   for i, (_, unit, score) in enumerate(units)]
        deadline = None if config.unit_timeout is None else \
            time.monotonic() + config.unit_timeout * max(1, len(units))
        for (_, unit, _), future in zip(units, futures, strict=True):
            try:
                left = None if deadline is None else max(1.0, deadline - time.monotonic())
                out.append(future.result(timeout=left))
            except Exception as exc:  # a lost worker, a timeout, a task error: say which
                what = type(exc).__name__
                reason = ("its worker was lost" if what == "KilledWorker"
                          else "timed out" if "Timeout" in what else f"failed ({what})")
                msg = f"{redact_url(unit)}: {reason} on the Dask cluster " \
                      f"(tried {RETRIES + 1} times)" if what == "KilledWorker" else \
                      f"{redact_url(unit)}: {reason} on the Dask cluster"
                logger.error("%s", msg)
                future.cancel()
                out.append(_failed(unit, msg))
    finally:
        client.close()
    return out


def _failed(unit: str, msg: str) -> SourceResult:
    return SourceResult(redact_url(unit), "unknown", (), Status.FAILED, msg)
