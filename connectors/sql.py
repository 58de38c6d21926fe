"""Databases: PostgreSQL, MySQL/MariaDB, SQLite and any other SQLAlchemy URL.

Sources are URLs (``postgresql://user@host/db``, ``mysql+pymysql://...``,
``sqlite:///path.db``) or SQLite files recognised by their header. Every
session is read-only and every query has a timeout. Tables are introspected
with SQLAlchemy's inspector and read with SQLAlchemy constructs only, so odd
identifiers are quoted by the dialect and never formatted into SQL.

Sampling reads a bounded slice of each table, never the whole of a large one:

* PostgreSQL: ``TABLESAMPLE SYSTEM`` (whole pages) for large tables,
  ``BERNOULLI`` (row by row, a sequential scan) for mid-sized ones, a plain read
  for tables no larger than the sample.
* MySQL/MariaDB and SQLite: ranges of an integer primary key (or rowid) at
  random start points; ``RAND() < f`` (a scan without a sort) when there is no
  such key.

``--full`` pages through tables by primary key (so a dropped connection can
resume where it stopped) or, without a key, streams a server-side cursor.
"""

from __future__ import annotations

import logging
import math
import random
import re
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.engine.reflection import ObjectKind
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from connectors._sql_arrow import (
    Converter,
    Kind,
    kind_of,
    parse_json,
    record_batch,
    type_label,
)
from connectors._sql_flavors import (
    Failure,
    Flavor,
    Stats,
    flavor_for,
    sqlite_creator,
    sqlite_has_rowid,
)
from connectors.base import (
    SUPPLEMENT_KEY,
    ColumnInfo,
    ConnectorOptions,
    ReadPlan,
    Source,
    SourceError,
    Table,
    TableError,
)
from connectors.registry import Sniff, redact_url, register

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"

#: Up to this many times the sample size, PostgreSQL samples row by row (BERNOULLI
#: scans the table; at 20 x 10,000 rows that is a few tens of milliseconds).
BERNOULLI_MAX_FACTOR = 2
#: TABLESAMPLE SYSTEM asks for this many times the rows it needs: pages vary in
#: how many live rows they hold, and LIMIT trims the surplus.
SYSTEM_OVERSAMPLE = 1.5
#: Key-range sampling reads this many ranges at random start points.
KEY_RANGES = 32
#: A column is sparse when fewer than this share of the sampled rows hold a value;
#: sparse columns get one extra, bounded query for non-null values.
SPARSE_SHARE = 0.1
#: JSON sub-columns: documents probed, keys kept per column, key shape.
JSON_PROBE_ROWS = 500
JSON_MAX_KEYS = 50
_JSON_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")
#: Schema metadata on a batch that only tops up sparse columns (other columns null).
TOPUP_METADATA = {SUPPLEMENT_KEY: b"1"}

_URL_SCHEMES = ("postgresql", "postgres", "mysql", "mariadb", "sqlite")

T = TypeVar("T")


def _url_error(spec: str) -> str:
    return f"{redact_url(spec)}: not a valid database URL"


@dataclass
class _Column:
    """One scanned output column and where its values come from."""

    info: ColumnInfo
    db_name: str
    kind: Kind
    json_key: str | None = None
    #: A server-side cast that spares the driver slow Python objects (Decimal).
    cast: Any = None


@register
class SqlSource(Source):
    """A database reached through SQLAlchemy: one table per base table (and view)."""

    kind = "sql"

    def __init__(self, spec: str, options: ConnectorOptions) -> None:
        super().__init__(spec, options)
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._lost: str | None = None
        self._sqlite_path: str | None = None
        if "://" in spec:
            try:
                url = make_url(spec)
            except ArgumentError as exc:
                raise SourceError(_url_error(spec)) from exc
            if url.get_backend_name() == "postgres":
                url = url.set(drivername="postgresql" + url.drivername[len("postgres"):])
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                self._sqlite_path = url.database
        else:
            self._sqlite_path = spec
            url = URL.create("sqlite", database=spec)
        self._url: URL = url
        self.flavor: Flavor = flavor_for(url.get_backend_name())
        self.kind = self.flavor.name if self.flavor.name != "sql" else url.get_backend_name()

    # ------------------------------------------------------------ identity

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        """Claim database URLs, and files that start with the SQLite header."""
        if sniff.path is not None:
            return 90 if sniff.head.startswith(SQLITE_MAGIC) else 0
        scheme = sniff.scheme
        backend = scheme.split("+", 1)[0]
        if backend in _URL_SCHEMES:
            return 80
        try:
            make_url(sniff.spec).get_dialect()
        except (ArgumentError, NoSuchModuleError, ValueError):
            return 0
        except Exception:  # noqa: BLE001 - a third-party dialect failing to load is not ours
            return 0
        return 10

    @property
    def name(self) -> str:
        """The URL without its password (or the SQLite file's path)."""
        if "://" not in self.spec:
            return self.spec
        return redact_url(self.spec)

    @property
    def place(self) -> str:
        """Where the database lives, for messages: ``host:port/db`` or a file path."""
        if self._sqlite_path is not None:
            return self._sqlite_path
        url = self._url
        port = url.port or {"postgresql": 5432, "mysql": 3306}.get(self.flavor.name)
        host = url.host or "localhost"
        where = f"{host}:{port}" if port else host
        return f"{where}/{url.database}" if url.database else where

    @property
    def concurrency(self) -> int:
        """How many tables may be read at once (``Table.batches`` from as many threads)."""
        return max(1, self.options.jobs)

    # ------------------------------------------------------------ connections

    def engine(self) -> Engine:
        """Return the (lazily created) engine; raise SourceError if its driver is missing."""
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._create_engine()
            return self._engine

    def _create_engine(self) -> Engine:
        timeout = self.options.query_timeout
        jobs = self.concurrency
        kwargs: dict[str, Any] = {
            "pool_size": jobs,
            "max_overflow": 1,
            "pool_pre_ping": True,
            "pool_timeout": max(30.0, timeout * 2),
        }
        try:
            if self._sqlite_path is not None:
                import os

                path = os.path.abspath(self._sqlite_path)
                if not os.path.isfile(path):
                    raise SourceError(f"{self._sqlite_path}: no such database file")
                engine = sa.create_engine(
                    "sqlite+pysqlite://",
                    creator=sqlite_creator(path),
                    poolclass=sa.pool.QueuePool,
                    **kwargs,
                )
            else:
                kwargs.update(self.flavor.engine_kwargs(timeout))
                engine = sa.create_engine(self._url, hide_parameters=True, **kwargs)
        except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
            raise SourceError(
                f"{self.name}: no driver for {self._url.drivername} "
                f"({_driver_hint(self._url.get_backend_name())})"
            ) from exc
        except ArgumentError as exc:
            raise SourceError(_url_error(self.spec)) from exc
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

    def close(self) -> None:
        """Dispose of the connection pool."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # ------------------------------------------------------------ listing

    def tables(self) -> Iterator[Table]:
        """List base tables (and views on request) of every non-system schema."""
        listed = self._list()
        log.info("%s: %d tables to scan", self.name, len(listed))
        yield from listed

    def _list(self) -> list[Table]:
        out: list[Table] = []
        with self.connect() as conn:
            try:
                insp = sa.inspect(conn)
                schemas = self.flavor.schemas(insp, self._url.database)
                for schema in schemas:
                    out.extend(self._list_schema(conn, insp, schema))
            except SourceError:
                raise
            except SQLAlchemyError as exc:
                failure = self.flavor.classify(exc)
                raise SourceError(f"{self.place}: cannot list tables ({failure.reason})") from exc
        return out

    def _list_schema(
        self, conn: Connection, insp: sa.Inspector, schema: str | None
    ) -> list[Table]:
        kind = ObjectKind.TABLE
        if self.options.include_views:
            kind = ObjectKind.TABLE | ObjectKind.VIEW | ObjectKind.MATERIALIZED_VIEW
        try:
            columns = insp.get_multi_columns(schema=schema, kind=kind)
        except NotImplementedError:
            columns = {}
        self.flavor.fix_columns(conn, schema, columns)
        try:
            pks = insp.get_multi_pk_constraint(schema=schema, kind=ObjectKind.TABLE)
        except NotImplementedError:
            pks = {}
        try:
            stats = self.flavor.stats(conn, schema)
        except SQLAlchemyError as exc:
            log.debug("%s: no size statistics for schema %s (%s)", self.place, schema,
                      self.flavor.classify(exc).reason)
            conn.rollback()
            stats = {}
        views: set[str] = set()
        if self.options.include_views:
            views.update(insp.get_view_names(schema=schema))
            try:
                views.update(insp.get_materialized_view_names(schema=schema))
            except NotImplementedError:
                pass
        sqlite_sql: dict[str, str | None] = {}
        if self.flavor.name == "sqlite":
            sqlite_sql = dict(
                (name, sql)
                for name, sql in conn.execute(
                    sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                )
            )
        tables: list[Table] = []
        for (_schema, name), cols in sorted(columns.items(), key=lambda kv: kv[0][1]):
            if self.flavor.name == "sqlite" and name.startswith("sqlite_"):
                continue
            is_view = name in views or stats.get(name, Stats(None)).is_view
            scanned = self._columns(schema, name, cols)
            if not scanned:
                continue  # every column excluded by --include/--exclude
            pk = pks.get((schema, name)) or {}
            pk_cols = list(pk.get("constrained_columns") or [])
            key, key_is_int = self._key(name, cols, pk_cols, sqlite_sql, is_view)
            table = SqlTable(
                name=name,
                columns=[c.info for c in scanned],
                schema=schema,
                rows_total=stats[name].rows if name in stats and not is_view else None,
                source=self,
                scanned=scanned,
                is_view=is_view,
                key=key,
                key_is_int=key_is_int,
                pages=stats[name].pages if name in stats else None,
            )
            table.add_json_subcolumns(conn)
            tables.append(table)
        return tables

    def _columns(self, schema: str | None, table: str, cols: Sequence[Any]) -> list[_Column]:
        out: list[_Column] = []
        for col in cols:
            name = col["name"]
            if not self.options.wants(schema or "", table, name):
                continue
            sa_type = col["type"]
            kind = kind_of(sa_type)
            label = type_label(sa_type, self.engine().dialect)
            skip = f"binary column ({label}) is not scanned" if kind is Kind.BINARY else None
            info = ColumnInfo(name=name, data_type=label, comment=col.get("comment"),
                              skip_reason=skip)
            cast = self._server_cast(sa_type, kind)
            out.append(_Column(info=info, db_name=name, kind=kind, cast=cast))
        return out

    def _server_cast(self, sa_type: Any, kind: Kind) -> Any:
        """Return a type to cast a column to on the server, or None.

        psycopg turns numeric into Decimal and uuid into UUID objects, slow to make
        and slower to convert again; the values are wanted as float64, int64 or text
        anyway, so the server converts them. (inet stays: its text form adds /32.)
        """
        if self.flavor.name != "postgresql":
            return None
        if isinstance(sa_type, sa.Numeric) and not isinstance(sa_type, sa.Float):
            casts = {Kind.FLOAT: sa.Float(53), Kind.INT: sa.BigInteger(), Kind.STRING: sa.Text()}
            return casts.get(kind)
        if isinstance(sa_type, sa.Uuid) or type(sa_type).__name__ in {"MACADDR", "MACADDR8",
                                                                       "INTERVAL", "MONEY"}:
            return sa.Text()
        return None

    def _key(
        self,
        table: str,
        cols: Sequence[Any],
        pk_cols: list[str],
        sqlite_sql: dict[str, str | None],
        is_view: bool,
    ) -> tuple[str | None, bool]:
        """Return the column to page and range-sample by, and whether it is an integer."""
        if is_view:
            return None, False
        if self.flavor.name == "sqlite":
            if not sqlite_has_rowid(sqlite_sql.get(table)):
                if len(pk_cols) == 1:
                    return pk_cols[0], _is_int(cols, pk_cols[0])
                return None, False
            names = {c["name"].lower() for c in cols}
            for alias in ("rowid", "_rowid_", "oid"):
                # A real column of that name shadows the alias, unless it *is* the rowid.
                if alias not in names:
                    return alias, True
                if len(pk_cols) == 1 and pk_cols[0].lower() == alias and _is_int(cols, alias):
                    return pk_cols[0], True
            return None, False
        if len(pk_cols) == 1:
            return pk_cols[0], _is_int(cols, pk_cols[0])
        return None, False

    # ------------------------------------------------------------ fault handling

    def mark_lost(self, reason: str) -> None:
        """Remember that the server is gone: every later read fails at once."""
        self._lost = reason

    @property
    def lost(self) -> str | None:
        """Why the source can no longer be read, or None."""
        return self._lost


#: Optional extras of piiscan, by SQLAlchemy backend (pyproject.toml declares them).
_EXTRAS = {"mssql": "mssql", "oracle": "oracle", "snowflake": "snowflake",
           "redshift": "redshift"}


def _driver_hint(backend: str) -> str:
    extra = _EXTRAS.get(backend)
    if extra:
        return f"pip install 'piiscan[{extra}]'"
    return "install the SQLAlchemy dialect and DBAPI driver for this database"


def _fetch(conn: Connection, stmt: sa.Executable) -> list[Any]:
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


def _is_int(cols: Sequence[Any], name: str) -> bool:
    for c in cols:
        if c["name"] == name:
            return kind_of(c["type"]) in (Kind.INT, Kind.UINT)
    return False


@dataclass
class SqlTable(Table):
    """A table or view of a SqlSource."""

    source: SqlSource | None = field(default=None, repr=False, compare=False)
    scanned: list[_Column] = field(default_factory=list, repr=False)
    is_view: bool = False
    #: A column to page through in order and to sample by ranges (rowid in SQLite).
    key: str | None = None
    key_is_int: bool = False
    pages: int | None = None
    _last_converters: list[Converter] = field(default_factory=list, repr=False)

    # ------------------------------------------------------------ shape

    @property
    def path(self) -> str:
        """``schema.table`` as shown in messages."""
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def _src(self) -> SqlSource:
        assert self.source is not None, "SqlTable used without its source"
        return self.source

    def _sa_table(self, extra: Sequence[str] = ()) -> sa.TableClause:
        names: list[str] = []
        for n in [c.db_name for c in self.scanned] + list(extra):
            if n not in names:
                names.append(n)
        return sa.table(self.name, *(sa.column(n) for n in names), schema=self.schema)

    def _readable(self) -> list[_Column]:
        return [c for c in self.scanned if c.info.skip_reason is None]

    def add_json_subcolumns(self, conn: Connection) -> None:
        """Flatten JSON objects one level: ``payload.email`` becomes a column of its own.

        Keys come from the first documents of the table; a key must look like an
        identifier and recur (a key seen once may be a value used as a key).
        """
        src = self._src()
        json_cols = [c for c in self._readable() if c.kind is Kind.JSON]
        if not json_cols:
            return
        tbl = self._sa_table()
        stmt = sa.select(*(tbl.c[c.db_name] for c in json_cols)).limit(JSON_PROBE_ROWS)
        try:
            rows = _fetch(conn, stmt)
        except SQLAlchemyError as exc:
            log.debug("%s: JSON keys not probed (%s)", self.path, src.flavor.classify(exc).reason)
            conn.rollback()
            return
        for i, col in enumerate(json_cols):
            counts: dict[str, int] = {}
            objects = 0
            for row in rows:
                doc = parse_json(row[i])
                if isinstance(doc, dict):
                    objects += 1
                    for k in doc:
                        if isinstance(k, str) and _JSON_KEY.match(k):
                            counts[k] = counts.get(k, 0) + 1
            floor = max(2, math.ceil(objects * 0.05))
            keys = [k for k, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= floor]
            position = self.scanned.index(col) + 1
            for key in sorted(keys[:JSON_MAX_KEYS]):
                name = f"{col.db_name}.{key}"
                if not src.options.wants(self.schema or "", self.name, name):
                    continue
                info = ColumnInfo(name=name, data_type=f"{col.info.data_type} key")
                self.scanned.insert(position, _Column(info, col.db_name, Kind.STRING, key))
                self.columns.insert(position, info)
                position += 1

    # ------------------------------------------------------------ reading

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield a bounded sample, or (``plan.full``) every row in batches."""
        src = self._src()
        if src.lost is not None:
            raise TableError(f"{self.path}: not read, {src.lost}")
        if not self._readable():
            return
        try:
            if plan.full:
                yield from self._full(plan)
            else:
                yield from self._sample(plan)
        except (TableError, GeneratorExit):
            raise
        except SourceError as exc:
            raise TableError(f"{self.path}: {exc}") from exc
        except SQLAlchemyError as exc:
            raise TableError(f"{self.path}: {src.flavor.classify(exc).reason}") from exc

    def _converters(self) -> list[Converter]:
        return [Converter(c.info.name, c.kind, c.json_key) for c in self._readable()]

    def _to_batch(
        self,
        converters: list[Converter],
        rows: Sequence[Sequence[Any]],
        metadata: dict[bytes, bytes] | None = None,
    ) -> pa.RecordBatch:
        readable = self._readable()
        db_names = self._db_names()
        # zip(*rows) transposes at C speed; a comprehension per column costs seconds.
        transposed = list(zip(*rows, strict=True)) if rows else [() for _ in db_names]
        by_db = {n: list(transposed[i]) for i, n in enumerate(db_names)}
        parsed: dict[str, list[Any]] = {}
        columns: list[list[Any]] = []
        for c in readable:
            if c.json_key is not None:
                if c.db_name not in parsed:
                    parsed[c.db_name] = [parse_json(v) for v in by_db[c.db_name]]
                columns.append(parsed[c.db_name])
            else:
                columns.append(by_db[c.db_name])
        return record_batch(converters, columns, metadata)

    def _db_names(self) -> list[str]:
        """Return the database columns read, each once, in select-list order."""
        names: list[str] = []
        for c in self._readable():
            if c.db_name not in names:
                names.append(c.db_name)
        return names

    def _selectable(self, extra: Sequence[str] = ()) -> tuple[sa.TableClause, list[Any]]:
        tbl = self._sa_table(extra)
        return tbl, self._exprs(tbl)

    def _exprs(self, from_: sa.FromClause) -> list[Any]:
        """Select expressions for the readable columns (each database column once)."""
        out: list[Any] = []
        seen: set[str] = set()
        for c in self._readable():
            if c.db_name in seen:
                continue
            seen.add(c.db_name)
            col = from_.c[c.db_name]
            out.append(sa.cast(col, c.cast) if c.cast is not None else col)
        return out

    def _run(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` on a connection; after a dropped connection, reconnect once and retry."""
        src = self._src()
        for attempt in (0, 1):
            with self._connection() as conn:
                try:
                    return fn(conn)
                except DBAPIError as exc:
                    failure = src.flavor.classify(exc)
                    if failure.disconnect and attempt == 0:
                        log.warning("%s: connection lost; reconnecting once", self.path)
                        src.reset_pool()
                        continue
                    raise
        raise AssertionError("unreachable")

    def _connection(self) -> Connection:
        src = self._src()
        try:
            return src.connect()
        except SourceError as exc:
            src.mark_lost("connection lost and reconnect failed")
            raise TableError(f"{self.path}: {exc}") from exc

    # ---- sampling

    def _sample(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        src = self._src()
        n = max(1, int(plan.sample_size or 1))
        seed = (plan.seed * 1_000_003 + zlib.crc32(self.path.encode("utf-8"))) & 0x7FFFFFFF
        rows, method = self._run(lambda conn: self._sample_rows(conn, n, seed))
        if self.rows_total is None and not self.is_view and src.flavor.name == "sqlite":
            self._run(self._rows_estimate)
        converters = self._converters()
        nonnull: dict[str, int] = {}
        plain = [c for c in self._readable() if c.json_key is None]
        for start in range(0, max(len(rows), 1), plan.batch_size):
            chunk = rows[start:start + plan.batch_size]
            if chunk:
                batch = self._to_batch(converters, chunk)
                for c in plain:
                    arr = batch.column(c.info.name)
                    nonnull[c.db_name] = nonnull.get(c.db_name, 0) + len(arr) - arr.null_count
                yield batch
        if method.exhaustive or not rows:
            return
        sparse = [i for i, name in enumerate(self._db_names())
                  if nonnull.get(name, 0) < SPARSE_SHARE * len(rows)]
        topup = self._topup(sparse, len(rows), method, n, seed)
        if topup:
            yield self._to_batch(converters, topup, TOPUP_METADATA)
        self._note_dropped(converters)

    def _sample_rows(self, conn: Connection, n: int, seed: int) -> tuple[list[Any], _Method]:
        src = self._src()
        flavor = src.flavor
        tbl, cols = self._selectable()
        if self.is_view or (self.rows_total is None and flavor.name not in ("sqlite", "mysql")
                            and not (flavor.tablesample and self.pages)):
            rows = _fetch(conn, sa.select(*cols).select_from(tbl).limit(n))
            return list(rows), _Method("plain", exhaustive=len(rows) < n)
        if flavor.tablesample:
            return self._sample_tablesample(conn, tbl, cols, n, seed)
        if self.key is not None and self.key_is_int:
            return self._sample_key_ranges(conn, n, seed)
        total = self._rows_estimate(conn)
        if total is not None and total <= n:
            rows = _fetch(conn, sa.select(*cols).select_from(tbl).limit(n))
            return list(rows), _Method("plain", exhaustive=len(rows) < n)
        if total is None:
            total = n * BERNOULLI_MAX_FACTOR
        fraction = min(1.0, n * 1.5 / max(total, 1))
        pred = flavor.rand_below(fraction, seed)
        rows = _fetch(conn, sa.select(*cols).select_from(tbl).where(pred).limit(n))
        return list(rows), _Method("random", fraction=fraction)

    def _rows_estimate(self, conn: Connection) -> int | None:
        if self.rows_total is not None:
            return self.rows_total
        if self._src().flavor.name == "sqlite":
            tbl = self._sa_table()
            try:
                self.rows_total = int(
                    conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar_one()
                )
            except SQLAlchemyError:
                conn.rollback()
                return None
        return self.rows_total

    def _sample_tablesample(
        self, conn: Connection, tbl: sa.TableClause, cols: list[Any], n: int, seed: int
    ) -> tuple[list[Any], _Method]:
        total = self.rows_total
        if total is None:
            total = (self.pages or 0) * 50
        if total <= n:
            rows = _fetch(conn, sa.select(*cols).select_from(tbl).limit(n))
            if len(rows) < n:
                return list(rows), _Method("plain", exhaustive=True)
            # Statistics were stale: the table grew. Sample it after all.
            total = n * BERNOULLI_MAX_FACTOR * 2
        method = "bernoulli" if total <= n * BERNOULLI_MAX_FACTOR else "system"
        over = 1.2 if method == "bernoulli" else SYSTEM_OVERSAMPLE
        percent = min(100.0, 100.0 * n * over / max(total, 1))
        rows: list[Any] = []
        for _ in range(3):
            fn = sa.func.bernoulli if method == "bernoulli" else sa.func.system
            sample = sa.tablesample(tbl, fn(percent), name="s", seed=sa.literal(seed))
            # LIMIT would keep the first pages in physical order: fetch the whole
            # (oversampled, capped) sample and thin it out client-side instead.
            stmt = sa.select(*self._exprs(sample)).limit(n * 4)
            rows = _fetch(conn, stmt)
            if len(rows) >= n // 2 or percent >= 100.0:
                break
            # Fewer rows than the statistics promised (stale, or pages mostly dead):
            # widen the sample rather than fall back to reading everything.
            percent = min(100.0, percent * max(2.0, n / max(len(rows), 1)))
        log.debug("%s: %s sample at %.4f%% gave %d rows", self.path, method, percent, len(rows))
        if len(rows) > n:
            rows = random.Random(seed).sample(rows, n)
        return rows, _Method(method, fraction=percent / 100.0)

    def _sample_key_ranges(self, conn: Connection, n: int, seed: int) -> tuple[list[Any], _Method]:
        assert self.key is not None
        tbl, cols = self._selectable([self.key])
        key = tbl.c[self.key]
        lo, hi = conn.execute(sa.select(sa.func.min(key), sa.func.max(key)).select_from(tbl)).one()
        if lo is None:
            return [], _Method("plain", exhaustive=True)
        lo, hi = int(lo), int(hi)
        span = hi - lo + 1
        if span <= n:
            rows = _fetch(conn, sa.select(*cols).select_from(tbl).limit(n))
            return list(rows), _Method("plain", exhaustive=len(rows) < n)
        rng = random.Random(seed)
        count = min(KEY_RANGES, n)
        starts = sorted(rng.sample(range(lo, hi + 1), count))
        ends = starts[1:] + [hi + 1]
        per = math.ceil(n / count)
        rows: list[Any] = []
        # Each range continues from where it stopped while the sample is short (gaps in
        # the key space leave some ranges empty); ranges never overlap, so no duplicates.
        open_ranges = list(zip(starts, ends, strict=True))
        for _round in range(3):
            want = n - len(rows)
            if want <= 0 or not open_ranges:
                break
            per = max(1, math.ceil(want / len(open_ranges)))
            next_open: list[tuple[int, int]] = []
            for start, end in open_ranges:
                stmt = (
                    sa.select(*cols, key)
                    .select_from(tbl)
                    .where(key >= start, key < end)
                    .order_by(key)
                    .limit(per)
                )
                got = _fetch(conn, stmt)
                rows.extend(r[:-1] for r in got)
                if len(got) == per and got:
                    next_open.append((int(got[-1][-1]) + 1, end))
            open_ranges = next_open
        rows = rows[:n]
        if self.rows_total is None:
            self._rows_estimate(conn)
        return rows, _Method("ranges", fraction=min(1.0, n / span), lo=lo, hi=hi)

    def _topup(
        self, sparse: list[int], sampled: int, method: _Method, n: int, seed: int
    ) -> list[Any]:
        """Fetch non-null values for columns the sample left mostly empty (bounded, optional)."""
        src = self._src()
        tbl, cols = self._selectable()
        if not sparse or sampled < n // 2:
            return []
        want = max(100, n // 10)
        cond = sa.or_(*(cols[i].isnot(None) for i in sparse))

        def query(conn: Connection) -> list[Any]:
            if method.name in ("system", "bernoulli"):
                fn = sa.func.system if method.name == "system" else sa.func.bernoulli
                pct = min(100.0, method.fraction * 100.0 * 10)
                sample = sa.tablesample(tbl, fn(pct), name="s", seed=sa.literal(seed + 1))
                exprs = self._exprs(sample)
                stmt = sa.select(*exprs).where(
                    sa.or_(*(exprs[i].isnot(None) for i in sparse))
                ).limit(want)
            elif method.name == "ranges" and self.key is not None:
                keyed, kexprs = self._selectable([self.key])
                key = keyed.c[self.key]
                assert method.lo is not None and method.hi is not None
                width = max(n * 10, (method.hi - method.lo) // 10)
                rng = random.Random(seed + 1)
                start = rng.randint(method.lo, max(method.lo, method.hi - width))
                stmt = (
                    sa.select(*kexprs)
                    .where(key >= start, key < start + width)
                    .where(sa.or_(*(kexprs[i].isnot(None) for i in sparse)))
                    .limit(want)
                )
            elif method.name == "random":
                pred = src.flavor.rand_below(min(1.0, method.fraction * 10), seed + 1)
                stmt = sa.select(*cols).select_from(tbl).where(pred, cond).limit(want)
            else:
                return []
            return _fetch(conn, stmt)

        try:
            got = self._run(query)
        except (SQLAlchemyError, TableError) as exc:
            reason = exc if isinstance(exc, TableError) else src.flavor.classify(exc).reason
            self.warnings.append(f"sparse columns not topped up ({reason})")
            return []
        keep = set(sparse)
        return [tuple(v if i in keep else None for i, v in enumerate(r)) for r in got]

    def _note_dropped(self, converters: list[Converter]) -> None:
        for c in converters:
            if c.dropped:
                self.warnings.append(
                    f"column {c.name}: {c.dropped} values did not fit {c.arrow_type} and were "
                    "skipped"
                )

    # ---- full scans

    def _full(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        if self.key is not None:
            yield from self._full_keyset(plan)
        else:
            yield from self._full_stream(plan)
        self._note_dropped(self._last_converters)

    def _full_keyset(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Page by key: each page is its own short query, so a lost connection resumes."""
        assert self.key is not None
        src = self._src()
        tbl, cols = self._selectable([self.key])
        key = tbl.c[self.key]
        converters = self._converters()
        self._last_converters = converters
        last: Any = None
        reconnected = False
        rows_read = 0
        conn = self._connection()
        try:
            while True:
                stmt = sa.select(*cols, key).select_from(tbl).order_by(key).limit(plan.batch_size)
                if last is not None:
                    stmt = stmt.where(key > last)
                try:
                    page = _fetch(conn, stmt)
                    conn.rollback()  # end the transaction: no snapshot held between pages
                except DBAPIError as exc:
                    if src.flavor.classify(exc).disconnect and not reconnected:
                        reconnected = True
                        log.warning("%s: connection lost after %d rows; reconnecting once",
                                    self.path, rows_read)
                        conn.close()
                        src.reset_pool()
                        conn = self._connection()
                        continue
                    raise
                if not page:
                    break
                last = page[-1][-1]
                rows_read += len(page)
                yield self._to_batch(converters, [r[:-1] for r in page])
                if len(page) < plan.batch_size:
                    break
        finally:
            conn.close()
        if self.rows_total is None or rows_read > (self.rows_total or 0):
            self.rows_total = rows_read

    def _full_stream(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Stream through a server-side cursor (no key to resume from after a drop)."""
        src = self._src()
        tbl, cols = self._selectable()
        converters = self._converters()
        self._last_converters = converters
        rows_read = 0
        for attempt in (0, 1):
            conn = self._connection()
            try:
                result = conn.execution_options(
                    stream_results=True, max_row_buffer=plan.batch_size
                ).execute(sa.select(*cols).select_from(tbl))
                while True:
                    src.flavor.keep_alive(conn)
                    page = result.fetchmany(plan.batch_size)
                    if not page:
                        break
                    rows_read += len(page)
                    yield self._to_batch(converters, page)
                break
            except DBAPIError as exc:
                failure = src.flavor.classify(exc)
                if failure.disconnect and attempt == 0 and rows_read == 0:
                    log.warning("%s: connection lost; reconnecting once", self.path)
                    src.reset_pool()
                    continue
                if failure.disconnect:
                    raise TableError(
                        f"{self.path}: connection lost after {rows_read} rows "
                        "(no primary key to resume from)"
                    ) from exc
                raise
            finally:
                conn.close()
        self.rows_total = rows_read


@dataclass(frozen=True)
class _Method:
    """How a sample was drawn, so a top-up query can draw the same way."""

    name: str
    exhaustive: bool = False
    fraction: float = 1.0
    lo: int | None = None
    hi: int | None = None


__all__ = ["SqlSource", "SqlTable", "TOPUP_METADATA", "Failure"]
