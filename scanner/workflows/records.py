"""What the results store records, without SQL: where it lives, the run lock, the records.

Everything here is plain Python (no SQLAlchemy), so recording a scan in the
default SQLite store (:mod:`scanner.workflows.sqlite_store`) and comparing it
with the run before cost no database toolkit's import. :mod:`scanner.workflows.store`
holds the schema, the migrations and the SQLAlchemy store, and re-exports these names.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from scanner.redact import redact_url, scrub_message

if TYPE_CHECKING:
    from scanner.model import ScanResult
    from scanner.policy.residency import Residency

logger = logging.getLogger("scanner.workflows.store")

#: The environment variable naming the store (a path or a SQLAlchemy URL).
ENV_STORE = "PIISCAN_STORE"
#: The file name of the default SQLite store inside the data directory.
DEFAULT_FILE = "results.db"
#: The prefix of the store's tables.
_PREFIX = "piiscan_"
#: The schema version this piiscan writes: the number of migrations (``store.MIGRATIONS``).
SCHEMA_VERSION = 2


class StoreError(Exception):
    """The store cannot be opened, read or written. One line; never a password or a value."""


class NoStore(StoreError):
    """The SQLite store file does not exist yet (nothing was ever recorded there)."""


class RunBusy(Exception):
    """Another run of the same configuration holds the run lock."""


# --- Where the store lives ---


def data_dir() -> Path:
    """Return piiscan's data directory: ``$XDG_DATA_HOME/piiscan`` or ``~/.local/share/piiscan``."""
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "piiscan"


def store_location(option: str | None = None) -> str:
    """Return the store as given: ``--store``, else ``$PIISCAN_STORE``, else the default file."""
    for value in (option, os.environ.get(ENV_STORE)):
        if value is not None and value.strip():
            return value.strip()
    return str(data_dir() / DEFAULT_FILE)



def store_file(location: str) -> Path | None:
    """Return the SQLite file a store location names (a path), None for a database URL."""
    if "://" in location:
        return None
    return Path(os.path.abspath(os.path.expanduser(location)))


# --- Which configuration a run belongs to ---


@dataclass(frozen=True)
class ConfigIdentity:
    """The configuration a run belongs to: history, diffs and locks key on its hash."""

    #: The configuration's ``name:`` (else its file's absolute path), or ``sources: A B``
    #: for command-line sources.
    name: str
    #: SHA-256 of ``name`` (hex).
    hash: str

    @property
    def short(self) -> str:
        """Return the first 16 hex digits (lock file names)."""
        return self.hash[:16]


def config_identity(config_path: str | None, sources: Sequence[str] = ()) -> ConfigIdentity:
    """Return the identity of a run of ``config_path`` and/or command-line ``sources``.

    A configuration file is identified by the ``name:`` it gives itself (so
    its history survives a move or another checkout), else by its absolute
    path; command-line sources by their sorted list, paths made absolute and
    URL passwords hidden, so the same sweep from another directory is the
    same configuration.
    """
    listed = sorted(
        redact_url(s) if "://" in s else os.path.abspath(os.path.expanduser(s)) for s in sources
    )
    parts = []
    if config_path:
        parts.append(config_name(config_path) or os.path.abspath(config_path))
    if listed:
        parts.append("sources: " + " ".join(listed))
    name = " + ".join(parts)
    return ConfigIdentity(name, hashlib.sha256(name.encode("utf-8")).hexdigest())


def config_name(path: str) -> str | None:
    """Return the ``name:`` a configuration file gives itself, or None (also when unreadable).

    Read without the rest of the file (no ``${VAR}`` needed), so ``history
    --config`` finds the runs of a configuration it could not scan.
    """
    from scanner.fileio import FileProblem, reading
    from scanner.policy import yamlsource

    try:
        doc = yamlsource.load(reading(FileProblem)(path))
    except (FileProblem, yamlsource.YamlSourceError):
        return None
    name = doc.get("name") if isinstance(doc, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None


# --- The run lock ---


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``piiscan-<hash>.lock``, held for one run.

    The kernel drops the lock when the process ends, however it ends, so a
    killed run never leaves a stale lock behind (only an unlocked file, which
    the next run takes and removes); a run that ends normally removes the file.
    The lock is per machine: runs of one configuration on two hosts sharing a
    PostgreSQL store do not see it.
    """

    def __init__(self, directory: Path, identity: ConfigIdentity) -> None:
        self.path = directory / f"piiscan-{identity.short}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock. Raises RunBusy when another run holds it, OSError when it cannot."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise RunBusy("another run of this configuration is in progress") from exc
                raise
            # The run before may have removed the file between our open and our lock:
            # a lock on a file no longer at the path locks nothing, so start again.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self._fd = fd
        logger.debug("run lock %s taken", self.path)

    def release(self) -> None:
        """Release the lock and remove its file (removed while held, so no run races it)."""
        if self._fd is not None:
            try:
                self.path.unlink()
            except OSError as exc:  # a read-only directory: the file stays, harmless
                logger.debug("run lock %s not removed (%s)", self.path, exc.strerror)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- Records ---


@dataclass(frozen=True)
class RunInfo:
    """One recorded run, with counts for history listings."""

    id: int
    config_name: str
    config_hash: str
    started_at: str
    finished_at: str
    seconds: float
    complete: bool
    tool_version: str
    recorded_at: str
    pii_columns: int = 0
    cpni_columns: int = 0
    violations: int = 0
    #: Its webhook notification: ``sent``, ``pending`` (not delivered yet) or None.
    notification: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return plain data (``piiscan history --format json``)."""
        return {
            "id": self.id,
            "configuration": self.config_name,
            "config_hash": self.config_hash,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
            "pii_columns": self.pii_columns,
            "cpni_columns": self.cpni_columns,
            "violations": self.violations,
            "tool_version": self.tool_version,
            "recorded_at": self.recorded_at,
            "notification": self.notification,
        }


@dataclass(frozen=True)
class Notification:
    """A notification in the outbox: which run, which webhook (label), what to post."""

    id: int
    run_id: int
    webhook: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class ColumnFinding:
    """One PII column of a run: its entity types and CPNI flag."""

    column: str
    source: str
    entities: tuple[str, ...]
    cpni: bool
    confidence: float
    categories: tuple[str, ...]


@dataclass(frozen=True)
class SourceVerdict:
    """One source of a run: how far its scan got and its storage verdict."""

    source: str
    kind: str
    status: str
    country: str | None
    location_how: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class RunSnapshot:
    """What one run found, keyed for diffs: PII columns by identity, sources by name."""

    run: RunInfo
    columns: dict[str, ColumnFinding]
    sources: dict[str, SourceVerdict]


def _finding_rows(run_id: int, result: ScanResult) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for source in result.sources:
        for table in source.tables:
            for column in table.columns:
                categories = ",".join(column.categories)
                for det in column.detections:
                    rows.append({
                        "run_id": run_id, "source": source.name, "column_id": str(column.ref),
                        "entity": det.entity, "confidence": round(det.confidence, 3),
                        "cpni": column.cpni, "categories": categories,
                    })
    return rows


def _source_rows(
    run_id: int, result: ScanResult, residency: Residency | None
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for source in result.sources:
        entry = residency.get(source.name) if residency is not None else None
        rows.append({
            "run_id": run_id, "source": source.name, "kind": source.kind,
            "status": source.status.value,
            "country": entry.location.country if entry is not None else None,
            "location_how": entry.location.how.value if entry is not None else "unknown",
            "verdict": entry.verdict.value if entry is not None else "unverified",
            "reason": entry.reason if entry is not None else "no storage verdict recorded",
        })
    return rows



def _info(row: Any, counts: tuple[int, int, int]) -> RunInfo:
    return RunInfo(
        id=int(row.id), config_name=row.config_name, config_hash=row.config_hash,
        started_at=row.started_at, finished_at=row.finished_at, seconds=float(row.seconds),
        complete=bool(row.complete), tool_version=row.tool_version, recorded_at=row.recorded_at,
        pii_columns=counts[0], cpni_columns=counts[1], violations=counts[2],
    )


def _snapshot(run: RunInfo, findings: Iterable[Any], sources: Iterable[Any]) -> RunSnapshot:
    """Assemble a run's snapshot from its finding rows (in id order) and source rows."""
    columns: dict[str, dict[str, Any]] = {}
    for f in findings:
        col = columns.setdefault(f.column_id, {
            "source": f.source, "entities": [], "cpni": False, "confidence": 0.0,
            "categories": tuple(c for c in f.categories.split(",") if c),
        })
        col["entities"].append(f.entity)
        col["cpni"] = col["cpni"] or bool(f.cpni)
        col["confidence"] = max(col["confidence"], float(f.confidence))
    verdicts = {
        s.source: SourceVerdict(s.source, s.kind, s.status, s.country, s.location_how,
                                s.verdict, s.reason)
        for s in sources
    }
    return RunSnapshot(
        run=run,
        columns={
            key: ColumnFinding(key, c["source"], tuple(sorted(set(c["entities"]))), c["cpni"],
                               c["confidence"], c["categories"])
            for key, c in columns.items()
        },
        sources=verdicts,
    )


def _reason(exc: BaseException) -> str:
    """Return a short reason for a database error: its first line, without SQL or parameters."""
    orig = getattr(exc, "orig", None)
    # A driver's message is untrusted: it may quote values or the connection string.
    reason = scrub_message(str(orig if orig is not None else exc)) or type(exc).__name__
    return reason[:200]
