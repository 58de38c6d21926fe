"""What differs between database servers: sessions, statistics, sampling, errors.

One ``Flavor`` per family (PostgreSQL, MySQL/MariaDB, SQLite, anything else
SQLAlchemy speaks). The connector in ``connectors.sql`` drives them; a flavor
never formats an identifier into SQL, it builds SQLAlchemy constructs, and the
few catalog queries written as text take names only as bound parameters.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

#: Rows per page assumed when PostgreSQL has never analysed a table.
_GUESS_ROWS_PER_PAGE = 50

#: Seconds a connect may take in all (TCP, TLS, the server's greeting, login and
#: session setup), whatever --query-timeout says: a server that accepts and then
#: stays silent is given up on after this long, PostgreSQL and MySQL alike.
CONNECT_TIMEOUT = 10

#: Seconds a PostgreSQL query waits for a table lock (at most the query timeout).
LOCK_TIMEOUT = 10.0


def connect_timeout(query_timeout: float) -> int:
    """Return the whole seconds a connect may take: the query timeout, at most 10."""
    return max(1, int(min(query_timeout, CONNECT_TIMEOUT)))


@dataclass(frozen=True)
class Stats:
    """What the catalog says about a table's size, without reading it."""

    rows: int | None
    #: PostgreSQL: current number of pages (for scaling a stale row estimate).
    pages: int | None = None
    is_view: bool = False


@dataclass(frozen=True)
class Failure:
    """A classified database error: a safe reason and what to do about it."""

    reason: str
    disconnect: bool = False
    timeout: bool = False


class Flavor:
    """Defaults for any SQLAlchemy dialect: plain reads, no session settings."""

    name = "sql"
    system_schemas: frozenset[str] = frozenset({"information_schema"})
    #: Whether TABLESAMPLE is available.
    tablesample = False

    def engine_kwargs(self, timeout: float) -> dict[str, Any]:
        """Return extra ``create_engine`` arguments."""
        return {}

    def install(self, engine: Engine, timeout: float) -> None:
        """Install session setup (read-only, timeouts) on every new connection."""

    def schemas(self, insp: sa.Inspector, url_database: str | None) -> list[str | None]:
        """Return the schemas to scan."""
        names = insp.get_schema_names()
        return [s for s in names if s not in self.system_schemas and not s.startswith("pg_")]

    def stats(self, conn: Connection, schema: str | None) -> dict[str, Stats]:
        """Return size estimates per table name (empty when unknown)."""
        return {}

    def keep_alive(self, conn: Connection) -> None:
        """Restart the per-query clock before a fetch (SQLite's progress handler)."""

    def fix_columns(
        self, conn: Connection, schema: str | None, columns: dict[Any, list[Any]]
    ) -> None:
        """Correct reflected columns in place where the dialect's reflection falls short."""

    def rand_below(self, fraction: float, seed: int) -> sa.ColumnElement[bool]:
        """Return a per-row predicate true for about ``fraction`` of the rows."""
        return sa.true()

    def classify(self, exc: BaseException) -> Failure:
        """Turn a driver error into a safe, one-line reason."""
        return _generic_failure(exc)


def _generic_failure(exc: BaseException) -> Failure:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return Failure("connection lost", disconnect=True)
    orig = getattr(exc, "orig", exc)
    return Failure(f"query failed ({type(orig).__name__})")


# ------------------------------------------------------------------ PostgreSQL

_PG_SQLSTATES: dict[str, str] = {
    "42501": "permission denied",
    "57014": "timed out (statement_timeout)",
    "55P03": "table is locked (lock_timeout)",
    "40P01": "deadlock detected",
    "42P01": "table no longer exists",
    "42703": "column no longer exists",
    "53100": "server out of disk space",
    "53200": "server out of memory",
    "25006": "refused: transaction is read-only",
}
_PG_DISCONNECT = {"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"}


class Postgres(Flavor):
    """PostgreSQL via psycopg 3 (or any driver SQLAlchemy has for it)."""

    name = "postgresql"
    system_schemas = frozenset({"information_schema", "pg_catalog", "pg_toast"})
    tablesample = True

    def engine_kwargs(self, timeout: float) -> dict[str, Any]:
        """Bound the connect time; name the session so DBAs can see who reads."""
        # libpq's connect_timeout bounds the whole connection establishment.
        return {"connect_args": {"connect_timeout": connect_timeout(timeout),
                                 "application_name": "piiscan"}}

    def install(self, engine: Engine, timeout: float) -> None:
        """Make every session read-only, time-bounded and UTC."""
        ms = str(max(1, int(timeout * 1000)))
        # A lock wait ends sooner than a query, and says so: a table another session
        # holds ACCESS EXCLUSIVE fails as locked, without holding the listing long.
        lock_ms = str(max(1, int(min(timeout, LOCK_TIMEOUT) * 1000)))

        @sa.event.listens_for(engine, "connect")
        def _setup(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # default_transaction_read_only makes every transaction READ ONLY (as if each
            # began with SET TRANSACTION READ ONLY). set_config takes bound values;
            # is_local=false makes them last the session.
            # Committed at once: a rolled-back SET would be undone.
            cur.execute(
                "SELECT set_config('default_transaction_read_only', 'on', false),"
                " set_config('statement_timeout', %s, false),"
                " set_config('lock_timeout', %s, false),"
                " set_config('idle_in_transaction_session_timeout', %s, false),"
                " set_config('TimeZone', 'UTC', false)",
                (ms, lock_ms, str(max(60_000, int(timeout * 4000)))),
            )
            cur.close()
            dbapi_conn.commit()
            if type(dbapi_conn).__module__.split(".")[0] == "psycopg":
                _lenient_dates(dbapi_conn)

    def stats(self, conn: Connection, schema: str | None) -> dict[str, Stats]:
        """Return planner estimates scaled to the table's current size in pages."""
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, c.reltuples::float8, c.relpages::bigint,"
                # pg_relation_size takes a lock: it would wait on a table another
                # session holds (or waits for) ACCESS EXCLUSIVE; its size stays unknown.
                " CASE WHEN EXISTS (SELECT 1 FROM pg_locks l"
                "   WHERE l.locktype = 'relation' AND l.relation = c.oid"
                "   AND l.mode = 'AccessExclusiveLock'"
                "   AND l.database = (SELECT oid FROM pg_database"
                "                     WHERE datname = current_database()))"
                " THEN NULL"
                " ELSE (pg_relation_size(c.oid) / current_setting('block_size')::int)::bigint"
                " END,"
                " c.relkind"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = :schema AND c.relkind IN ('r', 'm', 'p', 'v', 'f')"
            ),
            {"schema": schema},
        ).all()
        out: dict[str, Stats] = {}
        for name, reltuples, relpages, pages, relkind in rows:
            if relkind in ("v", "f"):
                out[name] = Stats(None, None, is_view=True)
                continue
            est: int | None
            if relkind == "p":
                est = None  # partitioned parent: no storage of its own
            elif pages is None:
                est = int(reltuples) if reltuples is not None and reltuples >= 0 else None
            elif reltuples is not None and reltuples >= 0 and relpages and relpages > 0:
                # What the planner does: density from the last ANALYZE times pages now.
                est = int(reltuples / relpages * pages)
            elif reltuples is not None and reltuples >= 0 and pages == 0:
                est = int(reltuples)
            else:
                est = int(pages * _GUESS_ROWS_PER_PAGE) if pages else 0
            out[name] = Stats(est, pages)
        return out

    def classify(self, exc: BaseException) -> Failure:
        """Map SQLSTATEs to reasons; never echo the server's message (it may quote data)."""
        orig = getattr(exc, "orig", exc)
        state = getattr(orig, "sqlstate", None) or ""
        if state in _PG_DISCONNECT or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
            return Failure("connection lost", disconnect=True)
        if state in _PG_SQLSTATES:
            return Failure(_PG_SQLSTATES[state], timeout=state == "57014")
        if state:
            return Failure(f"query failed (SQLSTATE {state})")
        text = str(orig).lower()
        if "closed" in text or "terminat" in text or "server closed" in text:
            return Failure("connection lost", disconnect=True)
        return Failure(f"query failed ({type(orig).__name__})")


def _lenient_dates(dbapi_conn: Any) -> None:
    """Load dates Python cannot hold (``infinity``, ``-infinity``, BC, past 9999) as NULL.

    psycopg raises on them, which made the whole table unreadable; none is
    personal data, and the rest of the column still is.
    """
    from psycopg import DataError
    from psycopg.types import datetime as pgdt

    def lenient(base: type) -> type:
        class Loader(base):  # type: ignore[valid-type, misc]
            def load(self, data: Any) -> Any:
                try:
                    return super().load(data)
                except DataError:
                    return None

        Loader.__name__ = "Lenient" + base.__name__
        return Loader

    for oid_name, loaders in (
        ("date", (pgdt.DateLoader, pgdt.DateBinaryLoader)),
        ("timestamp", (pgdt.TimestampLoader, pgdt.TimestampBinaryLoader)),
        ("timestamptz", (pgdt.TimestamptzLoader, pgdt.TimestamptzBinaryLoader)),
    ):
        for base in loaders:
            dbapi_conn.adapters.register_loader(oid_name, lenient(base))


# ----------------------------------------------------------------- MySQL family

_MY_ERRNOS: dict[int, str] = {
    1142: "permission denied",
    1143: "permission denied",
    1044: "permission denied",
    1969: "timed out (max_statement_time)",
    3024: "timed out (max_execution_time)",
    1317: "query interrupted",
    1205: "table is locked (lock wait timeout)",
    1213: "deadlock detected",
    1146: "table no longer exists",
    1054: "column no longer exists",
    1356: "view refers to tables or columns that cannot be read",
    1792: "refused: transaction is read-only",
}
_MY_DISCONNECT = {2006, 2013, 2055, 2003, 1927, 4031}


class MySQL(Flavor):
    """MySQL and MariaDB via PyMySQL (or another installed driver)."""

    name = "mysql"
    system_schemas = frozenset({"information_schema", "mysql", "performance_schema", "sys"})

    def engine_kwargs(self, timeout: float) -> dict[str, Any]:
        """Bound the whole connect, as PostgreSQL's connect_timeout does.

        PyMySQL's connect_timeout covers the TCP connect only; the server's greeting
        and the login are reads, bounded by read_timeout. So a connect reads with
        the connect bound, and the session setup then allows queries their own
        (see :meth:`install`).
        """
        bound = connect_timeout(timeout)
        return {"connect_args": {"connect_timeout": bound, "read_timeout": bound,
                                 "write_timeout": bound, "charset": "utf8mb4"}}

    def install(self, engine: Engine, timeout: float) -> None:
        """Make every session read-only and time-bounded (MariaDB and MySQL spell it apart)."""
        seconds = max(0.001, float(timeout))
        # A server that stops answering mid-query: the statement limit plus slack
        # for the rows in flight.
        read_timeout = max(5, int(timeout * 2) + 5)

        @sa.event.listens_for(engine, "connect")
        def _setup(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("SELECT VERSION()")
            version = str(cur.fetchone()[0])
            cur.execute("SET SESSION TRANSACTION READ ONLY")
            cur.execute("SET SESSION time_zone = '+00:00'")
            if "mariadb" in version.lower():
                cur.execute("SET SESSION max_statement_time = %s", (seconds,))
            else:
                cur.execute("SET SESSION max_execution_time = %s", (int(seconds * 1000),))
            cur.close()
            if hasattr(dbapi_conn, "_read_timeout"):
                # PyMySQL reads its read_timeout per read, and has no public setter.
                dbapi_conn._read_timeout = read_timeout
                dbapi_conn._write_timeout = read_timeout

    def schemas(self, insp: sa.Inspector, url_database: str | None) -> list[str | None]:
        """Return the URL's database only, or every non-system database when it names none."""
        if url_database:
            return [url_database]
        return [s for s in insp.get_schema_names() if s.lower() not in self.system_schemas]

    def stats(self, conn: Connection, schema: str | None) -> dict[str, Stats]:
        """Return InnoDB's row estimates from information_schema."""
        rows = conn.execute(
            sa.text(
                "SELECT TABLE_NAME, TABLE_ROWS, TABLE_TYPE FROM information_schema.TABLES"
                " WHERE TABLE_SCHEMA = :schema"
            ),
            {"schema": schema},
        ).all()
        return {
            name: Stats(None if kind == "VIEW" or n is None else int(n), is_view=kind == "VIEW")
            for name, n, kind in rows
        }

    def fix_columns(
        self, conn: Connection, schema: str | None, columns: dict[Any, list[Any]]
    ) -> None:
        """Take true names from information_schema; mark MariaDB's JSON (a checked LONGTEXT).

        SQLAlchemy parses SHOW CREATE TABLE and leaves a backquote inside a name
        doubled; information_schema has the name as stored.
        """
        names: dict[str, list[str]] = {}
        for table, column in conn.execute(
            sa.text(
                "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS"
                " WHERE TABLE_SCHEMA = :schema ORDER BY TABLE_NAME, ORDINAL_POSITION"
            ),
            {"schema": schema},
        ):
            names.setdefault(table, []).append(column)
        json_cols: set[tuple[str, str]] = set()
        try:
            for table, column, clause in conn.execute(
                sa.text(
                    "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE"
                    " FROM information_schema.CHECK_CONSTRAINTS"
                    " WHERE CONSTRAINT_SCHEMA = :schema"
                ),
                {"schema": schema},
            ):
                if str(clause).lower().startswith("json_valid("):
                    json_cols.add((table, column))
        except DBAPIError:
            conn.rollback()  # MySQL: no TABLE_NAME here, and JSON is a real type anyway
        for (_schema, table), cols in columns.items():
            true_names = names.get(table)
            if true_names and len(true_names) == len(cols):
                for col, name in zip(cols, true_names, strict=True):
                    col["name"] = name
            for col in cols:
                if (table, col["name"]) in json_cols:
                    col["type"] = sa.JSON()

    def rand_below(self, fraction: float, seed: int) -> sa.ColumnElement[bool]:
        """``RAND(seed) < f``: a full scan, but no sort (unlike ORDER BY RAND())."""
        return sa.func.rand(seed) < fraction

    def classify(self, exc: BaseException) -> Failure:
        """Map MySQL error numbers to reasons; never echo the message."""
        orig = getattr(exc, "orig", exc)
        args = getattr(orig, "args", ())
        errno = args[0] if args and isinstance(args[0], int) else None
        if errno in _MY_DISCONNECT or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
            return Failure("connection lost", disconnect=True)
        if errno in _MY_ERRNOS:
            return Failure(_MY_ERRNOS[errno], timeout=errno in (1969, 3024))
        if errno is not None:
            return Failure(f"query failed (error {errno})")
        return Failure(f"query failed ({type(orig).__name__})")


# --------------------------------------------------------------------- SQLite


class _Deadline:
    """The per-query clock SQLite's progress handler checks."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.until = float("inf")

    def start(self) -> None:
        self.until = time.monotonic() + self.timeout

    def expired(self) -> int:
        # Non-zero tells SQLite to interrupt the statement.
        return 1 if time.monotonic() > self.until else 0


class SQLite(Flavor):
    """SQLite files, opened read-only through a ``file:...?mode=ro`` URI."""

    name = "sqlite"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def install(self, engine: Engine, timeout: float) -> None:
        """Check a deadline every few thousand VM steps; restart it on every query."""

        @sa.event.listens_for(engine, "connect")
        def _setup(dbapi_conn: Any, record: Any) -> None:
            deadline = _Deadline(timeout)
            record.info["piiscan_deadline"] = deadline
            dbapi_conn.set_progress_handler(deadline.expired, 10_000)
            dbapi_conn.execute("PRAGMA query_only = ON")

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _clock(conn: Connection, *_args: Any) -> None:
            deadline = conn.info.get("piiscan_deadline")
            if deadline is not None:
                deadline.start()

    def schemas(self, insp: sa.Inspector, url_database: str | None) -> list[str | None]:
        """Only the main database (patterns then read ``table.column``)."""
        return [None]

    def keep_alive(self, conn: Connection) -> None:
        """Restart the clock: the timeout bounds each fetch, not a whole streamed table."""
        deadline = conn.info.get("piiscan_deadline")
        if deadline is not None:
            deadline.start()

    def rand_below(self, fraction: float, seed: int) -> sa.ColumnElement[bool]:
        """SQLite's random() is a 64-bit integer; compare its magnitude."""
        scale = 1_000_000
        return (sa.func.abs(sa.func.random()) % scale) < int(fraction * scale)

    def classify(self, exc: BaseException) -> Failure:
        """Map sqlite3 errors to reasons; its messages hold no values but stay generic."""
        orig = getattr(exc, "orig", exc)
        text = str(orig).lower()
        if "interrupted" in text:
            return Failure("timed out (query timeout)", timeout=True)
        if "locked" in text or "busy" in text:
            return Failure("database is locked")
        if "no such table" in text:
            return Failure("table no longer exists")
        if "malformed" in text or "not a database" in text:
            return Failure("database file is corrupt")
        if "readonly" in text or "read-only" in text:
            return Failure("refused: database is opened read-only")
        if isinstance(orig, sqlite3.Error):
            return Failure(f"query failed ({type(orig).__name__})")
        return _generic_failure(exc)


def sqlite_creator(path: str, immutable: bool = False) -> Callable[[], sqlite3.Connection]:
    """Return a connection factory opening ``path`` read-only (never creating it)."""
    from urllib.parse import quote

    uri = "file:" + quote(path, safe="/:") + "?mode=ro" + ("&immutable=1" if immutable else "")

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5.0)

    return connect


FLAVORS: dict[str, type[Flavor]] = {
    "postgresql": Postgres,
    "mysql": MySQL,
    "mariadb": MySQL,
    "sqlite": SQLite,
}


def flavor_for(dialect_name: str) -> Flavor:
    """Return the flavor for a SQLAlchemy dialect name (``postgresql``, ``mysql``...)."""
    return FLAVORS.get(dialect_name, Flavor)()


_WITHOUT_ROWID = re.compile(r"\bWITHOUT\s+ROWID\b", re.IGNORECASE)


def sqlite_has_rowid(create_sql: str | None) -> bool:
    """Tell whether a table keeps a rowid (``WITHOUT ROWID`` tables do not)."""
    return not (create_sql and _WITHOUT_ROWID.search(create_sql))
