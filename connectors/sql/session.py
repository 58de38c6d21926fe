"""Database sessions: the engine and its pool, read-only timed sessions, reconnects.

A :class:`Session` owns one SQLAlchemy engine. Every connection it hands out
is read-only and time-bounded (the flavor installs both on connect), and
every failure it reports names the server (``host:port/db``) with a safe,
classified reason, never the driver's message.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from connectors.base import SourceError, TableError
from connectors.sql.flavors import Flavor, sqlite_creator
from scanner.redact import redact_url

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Optional extras of piiscan, by SQLAlchemy backend (pyproject.toml declares them).
_EXTRAS = {"mssql": "mssql", "oracle": "oracle", "snowflake": "snowflake",
           "redshift": "redshift"}


def url_error(spec: str) -> str:
    """Return the message for a spec that is not a database URL (password hidden)."""
    return f"{redact_url(spec)}: not a valid database URL"


def driver_hint(backend: str) -> str:
    """Say how to install the missing driver of a SQLAlchemy backend."""
    extra = _EXTRAS.get(backend)
    if extra:
        return f"pip install 'piiscan-cpni[{extra}]'"
    return "install the SQLAlchemy dialect and DBAPI driver for this database"


def fetch(conn: Connection, stmt: sa.Executable) -> list[Any]:
    """Run a query and return the driver's row tuples.

    No Row objects: the columns are untyped, so SQLAlchemy has nothing to process,
    and building Rows costs time.
    """
    result = conn.execute(stmt)
    try:
        cursor = result.cursor
        return list(cursor.fetchall()) if cursor is not None else list(result.all())
    finally:
        result.close()


class Session:
    """One database's engine: lazily created, shared by the threads reading its tables."""

    def __init__(
        self,
        spec: str,
        url: URL,
        flavor: Flavor,
        *,
        sqlite_path: str | None,
        timeout: float,
        pool_size: int,
    ) -> None:
        self.spec = spec
        self.url = url
        self.flavor = flavor
        self.sqlite_path = sqlite_path
        self.timeout = timeout
        self.pool_size = pool_size
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._lost: str | None = None

    @property
    def place(self) -> str:
        """Where the database lives, for messages: ``host:port/db`` or a file path."""
        if self.sqlite_path is not None:
            return self.sqlite_path
        url = self.url
        port = url.port or {"postgresql": 5432, "mysql": 3306}.get(self.flavor.name)
        host = url.host or "localhost"
        where = f"{host}:{port}" if port else host
        return f"{where}/{url.database}" if url.database else where

    # ------------------------------------------------------------ engine

    def engine(self) -> Engine:
        """Return the (lazily created) engine; raise SourceError if its driver is missing."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._create_engine()
            return self._engine

    def _create_engine(self) -> Engine:
        timeout = self.timeout
        kwargs: dict[str, Any] = {
            "pool_size": self.pool_size,
            "max_overflow": 1,
            "pool_pre_ping": True,
            "pool_timeout": max(30.0, timeout * 2),
        }
        try:
            if self.sqlite_path is not None:
                path = os.path.abspath(self.sqlite_path)
                if not os.path.isfile(path):
                    raise SourceError(f"{self.sqlite_path}: no such database file")
                engine = sa.create_engine(
                    "sqlite+pysqlite://",
                    creator=sqlite_creator(path),
                    poolclass=sa.pool.QueuePool,
                    **kwargs,
                )
            else:
                kwargs.update(self.flavor.engine_kwargs(timeout))
                engine = sa.create_engine(self.url, hide_parameters=True, **kwargs)
        except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
            raise SourceError(
                f"{redact_url(self.spec)}: no driver for {self.url.drivername} "
                f"({driver_hint(self.url.get_backend_name())})"
            ) from exc
        except ArgumentError as exc:
            raise SourceError(url_error(self.spec)) from exc
        self.flavor.install(engine, timeout)
        return engine

    def reset_pool(self) -> None:
        """Drop the pooled connections after a disconnect.

        A server that killed one session may be killing the others, and a pre-ping
        can still pass on a dying one. Connections in use elsewhere are discarded
        when they come back.
        """
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()

    def close(self) -> None:
        """Dispose of the connection pool."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # ------------------------------------------------------------ connections

    def connect(self) -> Connection:
        """Check out a connection; raise SourceError naming host:port when there is none."""
        if self._lost is not None:
            raise SourceError(f"{self.place}: {self._lost}")
        try:
            return self.engine().connect()
        except SourceError:
            raise
        except DBAPIError as exc:
            reason = self._connect_reason(exc)
            raise SourceError(f"{self.place}: cannot connect ({reason})") from exc
        except SQLAlchemyError as exc:
            raise SourceError(f"{self.place}: cannot connect ({type(exc).__name__})") from exc

    def _connect_reason(self, exc: DBAPIError) -> str:
        # Classify from the driver's text, but never echo it: it may name the password's
        # owner, never the password itself, yet stay conservative.
        text = str(exc.orig).lower()
        args = getattr(exc.orig, "args", ())
        errno = args[0] if args and isinstance(args[0], int) else None
        if errno in (1045, 1698) or "password authentication failed" in text:
            return "authentication failed"
        if errno == 1049 or ("database" in text and "does not exist" in text):
            return "database does not exist"
        if errno == 1044 or "permission denied" in text:
            return "permission denied"
        if "refused" in text or errno == 2003:
            return "connection refused"
        if "timeout" in text or "timed out" in text:
            return "connection timed out"
        if "name or service not known" in text or "could not translate host" in text:
            return "unknown host"
        if "no pg_hba.conf entry" in text:
            return "rejected by pg_hba.conf"
        if "unable to open" in text or "not a database" in text:
            return "cannot open database file"
        if "role" in text and "does not exist" in text:
            return "role does not exist"
        if "not permitted to log in" in text:
            return "role may not log in"
        return type(exc.orig).__name__

    def connection(self, path: str) -> Connection:
        """Check out a connection to read table ``path``; TableError when there is none.

        A table that cannot get a connection marks the server lost, so the tables
        still queued fail at once instead of each waiting out a connect timeout.
        """
        try:
            return self.connect()
        except SourceError as exc:
            self.mark_lost("connection lost and reconnect failed")
            raise TableError(f"{path}: {exc}") from exc

    def run(self, path: str, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` on a connection; after a dropped connection, reconnect once and retry."""
        for attempt in (0, 1):
            with self.connection(path) as conn:
                try:
                    return fn(conn)
                except DBAPIError as exc:
                    failure = self.flavor.classify(exc)
                    if failure.disconnect and attempt == 0:
                        log.warning("%s: connection lost; reconnecting once", path)
                        self.reset_pool()
                        continue
                    raise
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ fault handling

    def mark_lost(self, reason: str) -> None:
        """Remember that the server is gone: every later read fails at once."""
        self._lost = reason

    @property
    def lost(self) -> str | None:
        """Why the database can no longer be read, or None."""
        return self._lost
