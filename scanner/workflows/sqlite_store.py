"""A SQLite results store read and written with the standard library: what recording a scan needs.

``piiscan scan`` records every run, by default in a SQLite file, and compares it
with the run before. SQLAlchemy takes half a second to import, longer than a
small scan; so when the store is a SQLite file that already has this piiscan's
schema, the scan records itself through :mod:`sqlite3` here instead: the same
rows in the same tables, in one ``BEGIN IMMEDIATE`` transaction, as
:class:`scanner.workflows.store.Store` writes them. Anything else (a database
URL, a new file, a schema to migrate or a newer one, the webhook outbox) goes
through ``Store``, which creates, migrates and refuses as it always has.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import TYPE_CHECKING, Any

from scanner.model import tool_version as installed_version
from scanner.workflows.records import (
    _PREFIX,
    SCHEMA_VERSION,
    ConfigIdentity,
    RunInfo,
    RunSnapshot,
    StoreError,
    _finding_rows,
    _info,
    _now,
    _reason,
    _snapshot,
    _source_rows,
)

if TYPE_CHECKING:
    from scanner.model import ScanResult
    from scanner.policy.residency import Residency

logger = logging.getLogger("scanner.workflows.store")

_RUNS = _PREFIX + "runs"
_FINDINGS = _PREFIX + "findings"
_RUN_SOURCES = _PREFIX + "run_sources"
_INFO = ("id, config_name, config_hash, started_at, finished_at, seconds, complete, "
         "tool_version, recorded_at")
_RUN_FIELDS = ("config_hash", "config_name", "started_at", "finished_at", "seconds",
               "complete", "tool_version", "recorded_at", "result_json")
_FINDING_FIELDS = ("run_id", "source", "column_id", "entity", "confidence", "cpni",
                   "categories")
_SOURCE_FIELDS = ("run_id", "source", "kind", "status", "country", "location_how",
                  "verdict", "reason")


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> SimpleNamespace:
    """Rows with named attributes, as SQLAlchemy's rows have."""
    return SimpleNamespace(**{d[0]: v for d, v in zip(cursor.description, values, strict=True)})


def _insert(table: str, fields: tuple[str, ...]) -> str:
    return (f"INSERT INTO {table} ({', '.join(fields)}) "
            f"VALUES ({', '.join('?' for _ in fields)})")


class SqliteStore:
    """An open SQLite results store at the current schema version (see ``open``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> SqliteStore | None:
        """Open the store file ``path``; None when ``Store`` must open it instead.

        That is when the file does not exist or cannot be written, is not a
        SQLite database, or its schema is not this piiscan's: ``Store`` then
        creates, migrates or refuses it, with its messages.
        """
        if not path.is_file() or not (os.access(path, os.W_OK)
                                      and os.access(path.parent, os.W_OK | os.X_OK)):
            return None
        conn: sqlite3.Connection | None = None
        try:
            # isolation_level None: transactions are ours (BEGIN IMMEDIATE), as in Store.
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            version = conn.execute(
                f"SELECT max(version) FROM {_PREFIX}schema_version").fetchone()[0]
        except sqlite3.Error:
            if conn is not None:
                conn.close()
            return None
        if version != SCHEMA_VERSION:
            conn.close()
            return None
        conn.row_factory = _row
        return cls(conn, path)

    @property
    def where(self) -> str:
        """Return the store for messages: its file's path."""
        return str(self.path)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise StoreError(f"results store {self.where}: {_reason(exc)}") from exc

    def record(self, result: ScanResult, identity: ConfigIdentity,
               residency: Residency | None = None) -> int:
        """Record one run in one transaction; return its id."""
        doc = json.dumps(result.to_dict(), sort_keys=True, ensure_ascii=False)
        run = {"config_hash": identity.hash, "config_name": identity.name,
               "started_at": result.started_at, "finished_at": result.finished_at,
               "seconds": float(result.seconds), "complete": result.complete,
               "tool_version": installed_version(), "recorded_at": _now(), "result_json": doc}
        with self._tx() as conn:
            cursor = conn.execute(_insert(_RUNS, _RUN_FIELDS), [run[f] for f in _RUN_FIELDS])
            run_id = int(cursor.lastrowid or 0)
            findings = _finding_rows(run_id, result)
            if findings:
                conn.executemany(_insert(_FINDINGS, _FINDING_FIELDS),
                                 [[r[f] for f in _FINDING_FIELDS] for r in findings])
            sources = _source_rows(run_id, result, residency)
            if sources:
                conn.executemany(_insert(_RUN_SOURCES, _SOURCE_FIELDS),
                                 [[r[f] for f in _SOURCE_FIELDS] for r in sources])
        logger.info("run %s recorded in %s", run_id, self.where)
        return run_id

    def run(self, run_id: int) -> RunInfo | None:
        """Return one run, or None when there is no such id."""
        with self._tx() as conn:
            row = conn.execute(f"SELECT {_INFO} FROM {_RUNS} WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return None
            counts = self._counts(conn, run_id)
        return _info(row, counts)

    def previous(self, run: RunInfo) -> RunInfo | None:
        """Return the run a diff compares ``run`` with (see ``Store.previous``)."""
        base = f"SELECT id FROM {_RUNS} WHERE config_hash = ? AND id < ?"
        args = (run.config_hash, run.id)
        with self._tx() as conn:
            found = conn.execute(
                f"{base} AND complete IS 1 ORDER BY id DESC LIMIT 1", args).fetchone()
            if found is None:
                found = conn.execute(f"{base} ORDER BY id DESC LIMIT 1", args).fetchone()
        return self.run(int(found.id)) if found is not None else None

    def snapshot(self, run: RunInfo) -> RunSnapshot:
        """Return what ``run`` found: its PII columns and its sources."""
        with self._tx() as conn:
            findings = conn.execute(
                f"SELECT * FROM {_FINDINGS} WHERE run_id = ? ORDER BY id", (run.id,)).fetchall()
            sources = conn.execute(
                f"SELECT * FROM {_RUN_SOURCES} WHERE run_id = ?", (run.id,)).fetchall()
        return _snapshot(run, findings, sources)

    @staticmethod
    def _counts(conn: sqlite3.Connection, run_id: int) -> tuple[int, int, int]:
        """Return a run's PII columns, CPNI columns and storage violations."""
        pii = cpni = 0
        for row in conn.execute(
                f"SELECT column_id, max(CASE WHEN cpni IS 1 THEN 1 ELSE 0 END) AS cpni "
                f"FROM {_FINDINGS} WHERE run_id = ? GROUP BY run_id, column_id", (run_id,)):
            pii += 1
            cpni += int(row.cpni or 0)
        violations = conn.execute(
            f"SELECT count(*) AS n FROM {_RUN_SOURCES} WHERE run_id = ? "
            "AND verdict = 'violation'", (run_id,)).fetchone().n
        return pii, cpni, int(violations)
