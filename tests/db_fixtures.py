"""Throwaway databases on the local PostgreSQL and MariaDB servers, and read helpers.

Each fixture creates a uniquely named database, yields its URL and drops it
afterwards. A server that is not up skips the tests that need it (``.ci/run``
makes sure both are up in CI).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence

import pyarrow as pa
import pytest
import sqlalchemy as sa

from connectors.base import ConnectorOptions, ReadPlan, Source, Table, is_supplement
from connectors.registry import open_source

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MY_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/"


def unique(prefix: str) -> str:
    """Return a database or role name no other test run uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _reachable(url: str) -> bool:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def pg_exec(url: str, *statements: str) -> None:
    """Run statements in autocommit mode (DDL, roles, CREATE DATABASE), verbatim."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for stmt in statements:
            conn.execute(stmt.encode("utf-8"))  # bytes: no placeholder parsing


def my_exec(url: str, *statements: str) -> None:
    """Run statements on MariaDB in autocommit mode."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            cur = conn.connection.dbapi_connection.cursor()
            for stmt in statements:
                cur.execute(stmt)  # no args: PyMySQL leaves % alone
            cur.close()
    finally:
        engine.dispose()


Execute = Callable[..., None]


def _throwaway_database(
    server: str, admin: str, execute: Execute, create: str, drop: str
) -> Iterator[str]:
    """Create a uniquely named database through ``admin``; yield its URL; drop it.

    ``create`` and ``drop`` are statements with a ``{name}`` to fill in. A
    server that is not up skips the test.
    """
    where = sa.make_url(admin)
    if not _reachable(admin):
        pytest.skip(f"{server} is not running on {where.host}:{where.port}")
    name = unique("piiscan_t")
    execute(admin, create.format(name=name))
    try:
        yield where.set(database=name).render_as_string(hide_password=False)
    finally:
        execute(admin, drop.format(name=name))


def pg_database() -> Iterator[str]:
    """Create a PostgreSQL database; yield its psycopg URL; drop it (forcing out sessions)."""
    return _throwaway_database("PostgreSQL", PG_ADMIN, pg_exec, 'CREATE DATABASE "{name}"',
                               'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def my_database() -> Iterator[str]:
    """Create a MariaDB database; yield its PyMySQL URL; drop it."""
    return _throwaway_database("MariaDB", MY_ADMIN, my_exec,
                               "CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
                               "DROP DATABASE IF EXISTS `{name}`")


def database_with(database: Iterator[str], execute: Execute,
                  statements: Sequence[str]) -> Iterator[str]:
    """Yield the URL of a throwaway ``database`` once ``statements`` have run in it.

    For a module's fixture: ``yield from database_with(pg_database(), pg_exec, FIXTURES)``.
    The database is dropped when the fixture ends, also when a statement fails.
    """
    try:
        url = next(database)
        execute(url, *statements)
        yield url
    finally:
        database.close()


def scan_tables(
    spec: str, options: ConnectorOptions | None = None
) -> tuple[Source, dict[str, Table]]:
    """Open a source through the registry and list its tables by ``schema.table``."""
    src = open_source(spec, options or ConnectorOptions())
    tables = {(f"{t.schema}.{t.name}" if t.schema else t.name): t for t in src.tables()}
    return src, tables


def read(table: Table, plan: ReadPlan | None = None, supplement: bool = False) -> pa.Table:
    """Read a table's batches into one Arrow table (top-up batches only when asked)."""
    batches = [
        b for b in table.batches(plan or ReadPlan())
        if supplement or not is_supplement(b)
    ]
    if not batches:
        return pa.table({})
    return pa.Table.from_batches(batches)
