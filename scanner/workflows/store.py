"""The results store: every scan's result, its findings and storage verdicts, in SQL.

Where it lives (first that applies):

1. ``--store URL`` on the command line;
2. the ``PIISCAN_STORE`` environment variable;
3. ``$XDG_DATA_HOME/piiscan/results.db``, else ``~/.local/share/piiscan/results.db``.

A value without ``://`` is the path of a SQLite file; anything else is a
SQLAlchemy URL (``postgresql://scanner@db.internal/piiscan``; bare
``postgresql://`` and ``mysql://`` use the psycopg 3 and PyMySQL drivers that
piiscan already depends on).

Tables (all prefixed ``piiscan_`` so a shared database stays tidy):

- ``piiscan_schema_version``: one row per applied migration (version, when);
- ``piiscan_runs``: run id, configuration name and hash, started, finished,
  seconds, complete flag, piiscan version, the result JSON (the ScanResult
  contract, whose evidence is masked by construction) and when it was recorded;
- ``piiscan_findings``: one row per run, column and entity type (column
  identity ``source/table/column``, confidence, CPNI flag, policy categories),
  for history and diffs;
- ``piiscan_run_sources``: each source's scan status and storage verdict
  (country, how the location was established, verdict, reason);
- ``piiscan_outbox``: webhook notifications (run, webhook as ``scheme://host``,
  the JSON posted, attempts, last error, when delivered), kept until delivered
  so an alert sent while the webhook was down goes out on the next run.

Migrations are ordered functions applied when the store is opened, inside one
transaction that other piiscan processes wait for (SQLite ``BEGIN IMMEDIATE``,
a PostgreSQL advisory lock). A store written by a newer piiscan is refused,
never rewritten.

Nothing stored is a raw sampled value or a password: source names are
redacted by the engine before they reach a result, configuration names are
their ``name:``, a file path or the redacted source list, webhooks are kept as
``scheme://host`` only (their path is often a secret), and the store's own URL is never
written anywhere (messages hide its password).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from scanner.model import ScanResult
from scanner.model import tool_version as installed_version
from scanner.policy.residency import Residency
from scanner.redact import redact_url
from scanner.workflows.records import (
    _PREFIX,
    _finding_rows,
    _info,
    _now,
    _reason,
    _snapshot,
    _source_rows,
)
from scanner.workflows.records import DEFAULT_FILE as DEFAULT_FILE
from scanner.workflows.records import ENV_STORE as ENV_STORE
from scanner.workflows.records import SCHEMA_VERSION as SCHEMA_VERSION
from scanner.workflows.records import ColumnFinding as ColumnFinding
from scanner.workflows.records import ConfigIdentity as ConfigIdentity
from scanner.workflows.records import NoStore as NoStore
from scanner.workflows.records import Notification as Notification
from scanner.workflows.records import RunBusy as RunBusy
from scanner.workflows.records import RunInfo as RunInfo
from scanner.workflows.records import RunLock as RunLock
from scanner.workflows.records import RunSnapshot as RunSnapshot
from scanner.workflows.records import SourceVerdict as SourceVerdict
from scanner.workflows.records import StoreError as StoreError
from scanner.workflows.records import config_identity as config_identity
from scanner.workflows.records import config_name as config_name
from scanner.workflows.records import data_dir as data_dir
from scanner.workflows.records import store_location as store_location

logger = logging.getLogger(__name__)

#: A fixed key for PostgreSQL's advisory lock that serialises migrations.
_PG_MIGRATION_LOCK = 7_305_826_115


def store_url(location: str) -> URL:
    """Turn a store location (a path or a URL) into a SQLAlchemy URL.

    Raises StoreError for a malformed URL; the message hides any password.
    """
    if "://" not in location:
        return URL.create("sqlite", database=os.path.abspath(os.path.expanduser(location)))
    try:
        url = sa.engine.make_url(location)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise StoreError(f"results store: not a database URL ({_scheme(location)}://...)") from exc
    driver = url.drivername
    if driver in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    elif driver.startswith("postgres+"):
        url = url.set(drivername="postgresql" + driver[len("postgres"):])
    elif driver == "mysql":
        url = url.set(drivername="mysql+pymysql")
    return url


def describe(url: URL) -> str:
    """Return the URL for messages: password hidden, SQLite as its file path."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return redact_url(url.render_as_string(hide_password=True))


def sqlite_path(url: URL) -> Path | None:
    """Return the file of a SQLite store, None for in-memory and server stores."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def lock_dir(url: URL) -> Path:
    """Return where run locks live: next to a SQLite store, else in the data directory."""
    path = sqlite_path(url)
    return path.parent if path is not None else data_dir()


def _scheme(location: str) -> str:
    return location.split("://", 1)[0][:32]



# --- Schema ---

_META = sa.MetaData()

SCHEMA_VERSION_TABLE = sa.Table(
    _PREFIX + "schema_version", _META,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.String(40), nullable=False),
)
def _runs_table(meta: sa.MetaData) -> sa.Table:
    return sa.Table(
        _PREFIX + "runs", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("config_hash", sa.String(64), nullable=False, index=True),
        sa.Column("config_name", sa.Text, nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("tool_version", sa.String(40), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("result_json", sa.Text, nullable=False),
    )


def _per_run_table(name: str, meta: sa.MetaData, *columns: sa.Column[Any]) -> sa.Table:
    """Return a table of rows that belong to a run: an id, the run's id (cascading), ``columns``.

    Shipped migrations build their tables with it: never change what it creates.
    """
    return sa.Table(
        _PREFIX + name, meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey(_PREFIX + "runs.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        *columns,
    )


def _findings_table(meta: sa.MetaData) -> sa.Table:
    return _per_run_table(
        "findings", meta,
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("column_id", sa.Text, nullable=False, index=True),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("cpni", sa.Boolean, nullable=False),
        #: Policy categories of the column, comma-separated in policy order.
        sa.Column("categories", sa.Text, nullable=False),
    )


def _run_sources_table(meta: sa.MetaData) -> sa.Table:
    return _per_run_table(
        "run_sources", meta,
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("location_how", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


#: The tables as version 1 created them. Each migration builds its tables
#: with these builders into a MetaData of its own, so the module's current
#: schema (below) and what an old migration creates are one definition while
#: they agree. A migration that changes one of these tables must leave its
#: builder as it is (version 1 keeps creating version 1) and define the
#: module's current table apart.
RUNS = _runs_table(_META)
FINDINGS = _findings_table(_META)
RUN_SOURCES = _run_sources_table(_META)


def _migration_1(conn: Connection) -> None:
    """Create the runs, findings and source-verdict tables."""
    meta = sa.MetaData()
    for build in (_runs_table, _findings_table, _run_sources_table):
        build(meta)
    meta.create_all(conn)


def _outbox_table(meta: sa.MetaData) -> sa.Table:
    return _per_run_table(
        "outbox", meta,
        sa.Column("config_hash", sa.String(64), nullable=False, index=True),
        #: ``scheme://host[:port]`` only: a webhook's path is often its secret.
        sa.Column("webhook", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.String(40), nullable=True),
    )


def _migration_2(conn: Connection) -> None:
    """Add the outbox: notifications waiting for (or done with) their webhook."""
    meta = sa.MetaData()
    sa.Table(_PREFIX + "runs", meta, sa.Column("id", sa.Integer, primary_key=True))
    _outbox_table(meta).create(conn)


OUTBOX = _outbox_table(_META)

Migration = Callable[[Connection], None]

#: Ordered migrations: entry ``i`` brings the store from version ``i`` to ``i + 1``.
#: Append only; never edit one that has shipped.
MIGRATIONS: tuple[Migration, ...] = (_migration_1, _migration_2)
# The schema version this piiscan writes is len(MIGRATIONS); records.SCHEMA_VERSION
# says it without SQLAlchemy (for the SQLite fast path), and must be raised with it.
assert len(MIGRATIONS) == SCHEMA_VERSION, "raise records.SCHEMA_VERSION with MIGRATIONS"


def migrate(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the store up to ``len(migrations)``; return the version it is at.

    Runs in one transaction that concurrent openers wait for. Raises
    StoreError when the store is newer than ``migrations`` know.
    """
    target = len(migrations)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                         {"key": _PG_MIGRATION_LOCK})
        SCHEMA_VERSION_TABLE.create(conn, checkfirst=True)
        current = conn.execute(sa.select(sa.func.max(SCHEMA_VERSION_TABLE.c.version))).scalar()
        current = int(current or 0)
        if current > target:
            raise StoreError(
                f"results store has schema version {current}; this piiscan reads up to "
                f"{target} (upgrade piiscan)"
            )
        for version in range(current + 1, target + 1):
            logger.info("results store: migrating to schema version %s", version)
            migrations[version - 1](conn)
            conn.execute(sa.insert(SCHEMA_VERSION_TABLE).values(version=version, applied_at=_now()))
        return max(current, target)


def read_version(engine: Engine, target: int) -> int:
    """Return the store's schema version without writing (a read-only store).

    Raises StoreError when the store is newer than this piiscan reads.
    """
    with engine.begin() as conn:
        if not sa.inspect(conn).has_table(SCHEMA_VERSION_TABLE.name):
            return 0
        current = int(conn.execute(sa.select(sa.func.max(SCHEMA_VERSION_TABLE.c.version)))
                      .scalar() or 0)
    if current > target:
        raise StoreError(f"results store has schema version {current}; this piiscan reads up "
                         f"to {target} (upgrade piiscan)")
    return current



class Store:
    """An open results store. Use ``Store.open(location)``; close it (or use ``with``)."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self.engine = engine
        self.url = url
        self.version = 0

    @classmethod
    def open(cls, location: str | None = None, migrations: Sequence[Migration] = MIGRATIONS,
             *, create: bool = True) -> Store:
        """Open (creating and migrating as needed) the store at ``location``.

        ``location`` is a path or URL; None means ``$PIISCAN_STORE`` or the
        default file. With ``create=False`` a missing SQLite file raises
        NoStore instead of being created (read-only commands). Raises
        StoreError with one line naming the store.
        """
        url = store_url(store_location(location))
        where = describe(url)
        path = sqlite_path(url)
        if not create and path is not None and not path.exists():
            raise NoStore(f"no runs recorded yet ({where} does not exist)")
        # A reader of a store it may not write (a 0444 file, a read-only
        # directory, a mounted archive) reads it as it is, migrating nothing.
        readonly = not create and path is not None and not _writable(path)
        try:
            engine = _engine(url, readonly=readonly)
        except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
            raise StoreError(f"results store {where}: no driver for {url.drivername}") from exc
        except (ArgumentError, OSError) as exc:
            raise StoreError(f"results store {where}: {_reason(exc)}") from exc
        store = cls(engine, url)
        try:
            store.version = (read_version(engine, len(migrations)) if readonly
                             else migrate(engine, migrations))
        except StoreError as exc:
            engine.dispose()
            raise StoreError(f"{where}: {exc}") from exc
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"results store {where}: {_reason(exc)}") from exc
        return store

    @property
    def where(self) -> str:
        """Return the store for messages (no password)."""
        return describe(self.url)

    def close(self) -> None:
        """Release the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"results store {self.where}: {_reason(exc)}") from exc

    # Writing

    def record(self, result: ScanResult, identity: ConfigIdentity,
               residency: Residency | None = None) -> int:
        """Record one run in one transaction; return its id."""
        doc = json.dumps(result.to_dict(), sort_keys=True, ensure_ascii=False)
        with self._tx() as conn:
            inserted = conn.execute(
                sa.insert(RUNS).values(
                    config_hash=identity.hash, config_name=identity.name,
                    started_at=result.started_at, finished_at=result.finished_at,
                    seconds=float(result.seconds), complete=result.complete,
                    tool_version=installed_version(), recorded_at=_now(), result_json=doc,
                )
            )
            # inserted_primary_key, not RETURNING: MySQL has no INSERT ... RETURNING.
            run_id = int(inserted.inserted_primary_key[0])
            findings = _finding_rows(run_id, result)
            if findings:
                conn.execute(sa.insert(FINDINGS), findings)
            sources = _source_rows(run_id, result, residency)
            if sources:
                conn.execute(sa.insert(RUN_SOURCES), sources)
        logger.info("run %s recorded in %s", run_id, self.where)
        return int(run_id)

    # The outbox

    def enqueue(self, run_id: int, config_hash: str, webhook: str,
                payload: dict[str, Any]) -> int:
        """Keep a notification of ``run_id`` for ``webhook`` (its label) until delivered."""
        with self._tx() as conn:
            inserted = conn.execute(sa.insert(OUTBOX).values(
                run_id=run_id, config_hash=config_hash, webhook=webhook,
                payload=json.dumps(payload, sort_keys=True), created_at=_now(), attempts=0))
            return int(inserted.inserted_primary_key[0])

    def pending(self, webhook: str, config_hash: str | None = None) -> list[Notification]:
        """Return the undelivered notifications for ``webhook`` (a label), oldest first."""
        query = sa.select(OUTBOX).where(OUTBOX.c.webhook == webhook,
                                        OUTBOX.c.delivered_at.is_(None)).order_by(OUTBOX.c.id)
        if config_hash is not None:
            query = query.where(OUTBOX.c.config_hash == config_hash)
        with self._tx() as conn:
            return [Notification(int(r.id), int(r.run_id), r.webhook, json.loads(r.payload),
                                 int(r.attempts)) for r in conn.execute(query)]

    def delivered(self, notification_id: int, error: str | None = None) -> None:
        """Note one attempt: delivered when ``error`` is None, else still pending with it."""
        values: dict[str, Any] = {"attempts": OUTBOX.c.attempts + 1, "last_error": error}
        if error is None:
            values["delivered_at"] = _now()
        with self._tx() as conn:
            conn.execute(sa.update(OUTBOX).where(OUTBOX.c.id == notification_id).values(**values))

    def _notifications(self, conn: Connection, run_ids: list[int]) -> dict[int, str]:
        """Return each run's delivery state: ``sent``, or ``pending`` while any is not."""
        if self.version < 2 or not run_ids:
            return {}
        out: dict[int, str] = {}
        for run_id, delivered in conn.execute(
                sa.select(OUTBOX.c.run_id, OUTBOX.c.delivered_at)
                .where(OUTBOX.c.run_id.in_(run_ids))):
            state = "sent" if delivered is not None else "pending"
            if out.get(int(run_id)) != "pending":
                out[int(run_id)] = state
        return out

    def prune(self, *, keep: int | None = None, older_than: dt.timedelta | None = None,
              config_hash: str | None = None) -> int:
        """Delete old runs (with their findings and sources); return how many.

        A run goes when every rule given says so: it is not among the newest
        ``keep`` runs of its configuration, and it started more than
        ``older_than`` ago. A run whose notification is still waiting in the
        outbox stays. ``config_hash`` limits the pruning to one configuration.
        """
        if keep is None and older_than is None:
            raise ValueError("prune needs keep or older_than")
        query = sa.select(RUNS.c.id, RUNS.c.config_hash, RUNS.c.started_at).order_by(
            RUNS.c.id.desc())
        if config_hash is not None:
            query = query.where(RUNS.c.config_hash == config_hash)
        cutoff = dt.datetime.now(dt.UTC) - older_than if older_than is not None else None
        with self._tx() as conn:
            # A run whose notification is still waiting stays until it is delivered.
            waiting = set() if self.version < 2 else set(conn.execute(
                sa.select(OUTBOX.c.run_id).where(OUTBOX.c.delivered_at.is_(None))).scalars())
            seen: dict[str, int] = {}
            doomed: list[int] = []
            for run_id, chash, started in conn.execute(query):
                seen[chash] = seen.get(chash, 0) + 1
                if (keep is not None and seen[chash] <= keep) or run_id in waiting:
                    continue
                if cutoff is not None and _parse_time(started) >= cutoff:
                    continue
                doomed.append(int(run_id))
            for chunk in _chunks(doomed, 500):
                for table in (FINDINGS, RUN_SOURCES, *((OUTBOX,) if self.version >= 2 else ())):
                    conn.execute(sa.delete(table).where(table.c.run_id.in_(chunk)))
                conn.execute(sa.delete(RUNS).where(RUNS.c.id.in_(chunk)))
        logger.info("%s runs pruned from %s", len(doomed), self.where)
        return len(doomed)

    # Reading

    def runs(self, config_hash: str | None = None, limit: int | None = None, *,
             counts: bool = True) -> list[RunInfo]:
        """Return recorded runs, newest first, optionally of one configuration.

        ``counts=False`` leaves the PII, CPNI and violation counts at 0 (a
        caller that reads the runs' snapshots counts them itself, cheaper).
        """
        query = sa.select(RUNS).order_by(RUNS.c.id.desc())
        if config_hash is not None:
            query = query.where(RUNS.c.config_hash == config_hash)
        if limit is not None:
            query = query.limit(limit)
        with self._tx() as conn:
            rows = conn.execute(query.with_only_columns(*_INFO_COLUMNS)).all()
            tally = self._counts(conn, [r.id for r in rows]) if counts else {}
            sent = self._notifications(conn, [r.id for r in rows])
        return [dataclasses.replace(_info(r, tally.get(r.id, (0, 0, 0))),
                                    notification=sent.get(r.id)) for r in rows]

    def run(self, run_id: int) -> RunInfo | None:
        """Return one run, or None when there is no such id."""
        with self._tx() as conn:
            row = conn.execute(sa.select(*_INFO_COLUMNS).where(RUNS.c.id == run_id)).first()
            if row is None:
                return None
            counts = self._counts(conn, [run_id])
        return _info(row, counts.get(run_id, (0, 0, 0)))

    def previous(self, run: RunInfo) -> RunInfo | None:
        """Return the run a diff or notification compares ``run`` with.

        That is the latest earlier *complete* run of the same configuration (a
        partial run is missing columns that would all look new), else the
        latest earlier run of any kind, else None.
        """
        base = sa.select(RUNS.c.id).where(RUNS.c.config_hash == run.config_hash,
                                          RUNS.c.id < run.id)
        with self._tx() as conn:
            found = conn.execute(
                base.where(RUNS.c.complete.is_(True)).order_by(RUNS.c.id.desc()).limit(1)
            ).scalar()
            if found is None:
                found = conn.execute(base.order_by(RUNS.c.id.desc()).limit(1)).scalar()
        return self.run(int(found)) if found is not None else None

    def snapshot(self, run: RunInfo) -> RunSnapshot:
        """Return what ``run`` found: its PII columns and its sources."""
        with self._tx() as conn:
            findings = conn.execute(
                sa.select(FINDINGS).where(FINDINGS.c.run_id == run.id).order_by(FINDINGS.c.id)
            ).all()
            sources = conn.execute(
                sa.select(RUN_SOURCES).where(RUN_SOURCES.c.run_id == run.id)).all()
        return _snapshot(run, findings, sources)

    def snapshots(self, runs: Sequence[RunInfo]) -> dict[int, RunSnapshot]:
        """Return :meth:`snapshot` of several runs at once (two queries, for many runs).

        The same snapshots as one ``snapshot`` call per run, read with one
        query for the findings and one for the sources (the privacy site reads
        a hundred runs of a large estate).
        """
        by_id = {r.id: r for r in runs}
        found: dict[int, dict[str, list[Any]]] = {i: {} for i in by_id}
        verdicts: dict[int, dict[str, SourceVerdict]] = {i: {} for i in by_id}
        f = FINDINGS.c
        with self._tx() as conn:
            for chunk in _chunks(list(by_id), 500):
                rows = conn.execute(
                    sa.select(f.run_id, f.column_id, f.source, f.entity, f.confidence, f.cpni,
                              f.categories).where(f.run_id.in_(chunk)).order_by(f.id)).all()
                for run_id, column_id, source, entity, confidence, cpni, categories in rows:
                    cols = found[run_id]
                    col = cols.get(column_id)
                    if col is None:
                        cols[column_id] = [source, {entity}, bool(cpni), float(confidence),
                                           categories]
                    else:
                        col[1].add(entity)
                        col[2] = col[2] or bool(cpni)
                        col[3] = max(col[3], float(confidence))
                for s in conn.execute(sa.select(RUN_SOURCES).where(
                        RUN_SOURCES.c.run_id.in_(chunk))):
                    verdicts[s.run_id][s.source] = SourceVerdict(
                        s.source, s.kind, s.status, s.country, s.location_how, s.verdict, s.reason)
        split: dict[str, tuple[str, ...]] = {}
        out: dict[int, RunSnapshot] = {}
        for run_id, cols in found.items():
            columns = {}
            for key, (source, entities, cpni, confidence, categories) in cols.items():
                cats = split.get(categories)
                if cats is None:
                    cats = split[categories] = tuple(c for c in categories.split(",") if c)
                columns[key] = ColumnFinding(key, source, tuple(sorted(entities)), cpni,
                                             confidence, cats)
            out[run_id] = RunSnapshot(by_id[run_id], columns, verdicts[run_id])
        return out

    def result(self, run_id: int) -> dict[str, Any] | None:
        """Return the stored result JSON of a run (the ScanResult contract), or None."""
        with self._tx() as conn:
            doc = conn.execute(sa.select(RUNS.c.result_json).where(RUNS.c.id == run_id)).scalar()
        return json.loads(doc) if doc is not None else None

    @staticmethod
    def _counts(conn: Connection, run_ids: list[int]) -> dict[int, tuple[int, int, int]]:
        if not run_ids:
            return {}
        out: dict[int, list[int]] = {i: [0, 0, 0] for i in run_ids}
        pii = (
            sa.select(FINDINGS.c.run_id, FINDINGS.c.column_id, sa.func.max(
                sa.case((FINDINGS.c.cpni.is_(True), 1), else_=0)).label("cpni"))
            .where(FINDINGS.c.run_id.in_(run_ids))
            .group_by(FINDINGS.c.run_id, FINDINGS.c.column_id)
        )
        for row in conn.execute(pii):
            out[row.run_id][0] += 1
            out[row.run_id][1] += int(row.cpni or 0)
        bad = (
            sa.select(RUN_SOURCES.c.run_id, sa.func.count())
            .where(RUN_SOURCES.c.run_id.in_(run_ids), RUN_SOURCES.c.verdict == "violation")
            .group_by(RUN_SOURCES.c.run_id)
        )
        for run_id, n in conn.execute(bad):
            out[run_id][2] = int(n)
        return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def _parse_time(text: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


_INFO_COLUMNS = (
    RUNS.c.id, RUNS.c.config_name, RUNS.c.config_hash, RUNS.c.started_at, RUNS.c.finished_at,
    RUNS.c.seconds, RUNS.c.complete, RUNS.c.tool_version, RUNS.c.recorded_at,
)



def _writable(path: Path) -> bool:
    """Tell whether a SQLite store can be written: the file, and its directory (the journal)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _readonly_engine(path: Path) -> Engine:
    import sqlite3
    from urllib.parse import quote

    uri = f"file:{quote(str(path))}?mode=ro"
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool,
                              creator=lambda: sqlite3.connect(uri, uri=True, timeout=30))

    @sa.event.listens_for(engine, "connect")
    def _no_implicit_tx(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")  # deferred: one consistent read, no write lock

    return engine


def _engine(url: URL, *, readonly: bool = False) -> Engine:
    path = sqlite_path(url)
    if path is not None and readonly:
        return _readonly_engine(path)
    if path is not None:
        # The store holds column names and masked evidence: readable by its owner only.
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool,
                                  connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _no_implicit_tx(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling skips DDL; take it over so
            # migrations and records are atomic and writers queue up.
            dbapi_conn.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() in ("postgresql", "mysql"):
        connect_args["connect_timeout"] = 10
    return sa.create_engine(url, poolclass=sa.pool.NullPool, hide_parameters=True,
                            connect_args=connect_args)
