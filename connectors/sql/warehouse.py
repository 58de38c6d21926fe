"""Warehouses: server-side sampling, session limits and read-only standing per flavor.

Snowflake, BigQuery, SQL Server, Oracle and Redshift each sample on the
server in their own words (``SAMPLE SYSTEM (p) SEED (s)``, ``TABLESAMPLE
SYSTEM (p PERCENT)``, ``TABLESAMPLE SYSTEM (p PERCENT) REPEATABLE (s)``,
``SAMPLE (p) SEED (s)``, ``WHERE RANDOM() < f``), so a sample of a billion-row
table moves a few thousand rows, not the first N of a full scan.

The statement is built by SQLAlchemy (which quotes every identifier for the
dialect, as everywhere in this package), then sqlglot adds the sampling
clause in the target dialect: no identifier is ever formatted into SQL here.
Each flavor also says how its sessions are bounded (a per-statement timeout)
and whether they can be made read-only; one that cannot says so, and the
source's report carries that note.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlglot
from sqlalchemy.engine import Connection, Engine
from sqlglot import exp

from connectors.sql.flavors import Flavor, Stats
from connectors.sql.flavors import flavor_for as _base_flavor_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pushdown:
    """How one warehouse samples and bounds a session."""

    #: sqlglot's name for the dialect.
    dialect: str
    #: TABLESAMPLE method word (SYSTEM, BERNOULLI), "" for the dialect's default, None: none.
    method: str | None
    #: Statements run on every new connection; ``{seconds}``/``{ms}`` are the query timeout.
    session: tuple[str, ...]
    read_only: bool
    #: What the report says when the session cannot be made read-only.
    read_only_note: str = ""
    #: A catalog query for row counts: (table name, rows); ``:schema`` is bound.
    stats_sql: str = ""


WAREHOUSES: dict[str, Pushdown] = {
    "snowflake": Pushdown(
        "snowflake", "SYSTEM",
        ("ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = {seconds}",
         "ALTER SESSION SET QUERY_TAG = 'piiscan'"),
        read_only=False,
        read_only_note="Snowflake sessions cannot be made read-only: scan with a role "
                       "granted SELECT only",
        stats_sql="SELECT table_name, row_count FROM information_schema.tables "
                  "WHERE table_schema = :schema"),
    "bigquery": Pushdown(
        "bigquery", "SYSTEM", (),
        read_only=False,
        read_only_note="BigQuery has no read-only session: scan with a service account "
                       "holding roles/bigquery.dataViewer and jobUser only",
        stats_sql="SELECT table_id, row_count FROM `{schema}.__TABLES__`"),
    "mssql": Pushdown(
        "tsql", "SYSTEM",
        ("SET LOCK_TIMEOUT {ms}", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"),
        read_only=False,
        read_only_note="SQL Server sessions cannot be made read-only: connect with "
                       "ApplicationIntent=ReadOnly to a readable secondary, or a login in "
                       "db_datareader only",
        stats_sql="SELECT t.name, SUM(p.rows) FROM sys.tables t "
                  "JOIN sys.schemas s ON s.schema_id = t.schema_id "
                  "JOIN sys.partitions p ON p.object_id = t.object_id AND p.index_id IN (0, 1) "
                  "WHERE s.name = :schema GROUP BY t.name"),
    "oracle": Pushdown(
        "oracle", "",
        ("ALTER SESSION SET DDL_LOCK_TIMEOUT = {seconds}",),
        read_only=True,
        stats_sql="SELECT table_name, num_rows FROM all_tables WHERE owner = :schema"),
    "redshift": Pushdown(
        "redshift", None,
        ("SET statement_timeout TO {ms}",),
        read_only=False,
        read_only_note="Redshift sessions are not made read-only: scan as a user granted "
                       "SELECT only",
        stats_sql='SELECT "table", tbl_rows FROM svv_table_info WHERE "schema" = :schema'),
}


def session_statements(warehouse: str, timeout: float) -> list[str]:
    """Return the statements that bound a new session of ``warehouse``."""
    spec = WAREHOUSES[warehouse]
    seconds = max(1, int(round(timeout)))
    return [s.format(seconds=seconds, ms=max(1, int(timeout * 1000))) for s in spec.session]


def sample_sql(select_sql: str, warehouse: str, percent: float, seed: int, limit: int,
               read: str | None = None) -> str:
    """Add server-side sampling to a single-table SELECT (SQL of dialect ``read``).

    Returns the statement in the warehouse's dialect, sampling about
    ``percent`` of the table (its blocks where the method is SYSTEM), with a
    fixed seed where the warehouse takes one, and at most ``limit`` rows.
    """
    spec = WAREHOUSES[warehouse]
    tree = sqlglot.parse_one(select_sql, read=read or spec.dialect)
    if not isinstance(tree, exp.Select):
        raise ValueError("a sample is drawn from a SELECT")
    table = tree.find(exp.Table)
    if table is None:
        raise ValueError("the SELECT names no table")
    pct = exp.Literal.number(f"{max(0.000001, min(100.0, percent)):.6g}")
    if spec.method is None:
        # No TABLESAMPLE: a random predicate, evaluated on the server.
        fraction = exp.Literal.number(f"{max(0.000001, min(1.0, percent / 100.0)):.6g}")
        tree = tree.where(exp.LT(this=exp.Rand(), expression=fraction))
    else:
        sample = exp.TableSample(percent=pct)
        if spec.method:
            sample.set("method", exp.var(spec.method))
        if spec.dialect != "bigquery":  # BigQuery's TABLESAMPLE takes no seed
            sample.set("seed", exp.Literal.number(seed))
        table.set("sample", sample)
    tree = tree.limit(limit)
    return tree.sql(dialect=spec.dialect)


class WarehouseFlavor(Flavor):
    """A warehouse: session bounds on connect, catalog row counts, server-side samples."""

    tablesample = False

    def __init__(self, warehouse: str) -> None:
        self.warehouse = warehouse
        self.pushdown = WAREHOUSES[warehouse]
        self.name = warehouse
        #: Said in the report when the session is not read-only.
        self.read_only_note = self.pushdown.read_only_note

    def install(self, engine: Engine, timeout: float) -> None:
        """Bound every new session (and make it read-only where the warehouse can)."""
        statements = session_statements(self.warehouse, timeout)
        if self.read_only_note:
            log.warning("%s: %s", engine.url.render_as_string(hide_password=True).split("@")[-1],
                        self.read_only_note)
        if not statements and self.pushdown.read_only is False:
            return

        @sa.event.listens_for(engine, "connect")
        def _setup(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            try:
                for statement in statements:
                    cur.execute(statement)
            finally:
                cur.close()

        if self.warehouse == "oracle":
            # Oracle: every transaction read-only, from its first statement.
            @sa.event.listens_for(engine, "begin")
            def _read_only(conn: Any) -> None:
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    def stats(self, conn: Connection, schema: str | None) -> dict[str, Stats]:
        """Return the catalog's row counts (no table is read to count it)."""
        if not self.pushdown.stats_sql or schema is None:
            return {}
        sql = self.pushdown.stats_sql
        if "{schema}" in sql:  # BigQuery: the dataset is part of the table name
            quoted = exp.to_identifier(schema, quoted=True).sql(dialect="bigquery")
            sql = sql.replace("`{schema}.__TABLES__`", f"{quoted}.__TABLES__")
        try:
            rows = conn.execute(sa.text(sql), {"schema": schema}).all()
        except Exception as exc:  # statistics are a hint: without them, plain LIMIT reads
            log.debug("%s: no row counts (%s)", self.warehouse, type(exc).__name__)
            return {}
        return {str(name): Stats(int(n) if n is not None else None) for name, n in rows}

    def sample_statement(self, stmt: sa.Select, dialect: Any, percent: float, seed: int,
                         limit: int) -> sa.TextClause:
        """Return ``stmt`` with server-side sampling, as text for this warehouse."""
        compiled = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        read = _SQLGLOT_READ.get(getattr(dialect, "name", ""), self.pushdown.dialect)
        return sa.text(sample_sql(compiled, self.warehouse, percent, seed, limit, read=read))


#: SQLAlchemy dialect name -> the sqlglot dialect its compiled SQL is read as.
_SQLGLOT_READ = {"postgresql": "postgres", "mssql": "tsql", "oracle": "oracle",
                 "snowflake": "snowflake", "bigquery": "bigquery", "redshift": "redshift",
                 "mysql": "mysql", "sqlite": "sqlite"}


_DIALECTS = {"snowflake": "snowflake", "bigquery": "bigquery", "mssql": "mssql",
             "oracle": "oracle", "redshift": "redshift"}


def flavor_for(dialect_name: str) -> Flavor:
    """Return the flavor for a SQLAlchemy dialect name, warehouses included."""
    if dialect_name in _DIALECTS:
        return WarehouseFlavor(_DIALECTS[dialect_name])
    return _base_flavor_for(dialect_name)
