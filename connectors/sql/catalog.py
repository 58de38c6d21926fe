"""What a database holds: schemas, tables and views, and the columns to scan.

The catalog is read through SQLAlchemy's inspector (plus the flavor's
corrections and size statistics); ``--include``/``--exclude`` select
``schema.table.column``. Each listed table gets the key it can be paged and
range-sampled by, and server-side casts for types the driver converts slowly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.engine.reflection import ObjectKind
from sqlalchemy.exc import SQLAlchemyError

from connectors.base import ColumnInfo, ConnectorOptions, SourceError, Table
from connectors.sql.arrow import Kind, kind_of, type_label
from connectors.sql.flavors import Stats, sqlite_has_rowid
from connectors.sql.query import ScanColumn
from connectors.sql.session import Session
from connectors.sql.table import SqlTable, UnlistedTable

log = logging.getLogger(__name__)


class Catalog:
    """Lists the tables of one database session that the options select."""

    def __init__(self, session: Session, options: ConnectorOptions) -> None:
        self.session = session
        self.flavor = session.flavor
        self.options = options

    def tables(self) -> list[Table]:
        """Return base tables (and views on request) of every non-system schema."""
        out: list[Table] = []
        with self.session.connect() as conn:
            try:
                insp = sa.inspect(conn)
                schemas = self.flavor.schemas(insp, self.session.url.database)
                for schema in schemas:
                    out.extend(self._list_schema(conn, insp, schema))
            except SourceError:
                raise
            except SQLAlchemyError as exc:
                failure = self.flavor.classify(exc)
                raise SourceError(
                    f"{self.session.place}: cannot list tables ({failure.reason})"
                ) from exc
        return out

    def _list_schema(
        self, conn: Connection, insp: sa.Inspector, schema: str | None
    ) -> list[Table]:
        kind = ObjectKind.TABLE
        if self.options.include_views:
            kind = ObjectKind.TABLE | ObjectKind.VIEW | ObjectKind.MATERIALIZED_VIEW
        try:
            columns, unlisted = self._each(
                conn, lambda names: insp.get_multi_columns(schema=schema, kind=kind,
                                                           filter_names=names),
                lambda: self._names(insp, schema))
        except NotImplementedError:
            columns, unlisted = {}, {}
        self.flavor.fix_columns(conn, schema, columns)
        try:
            pks, _no_pk = self._each(
                conn, lambda names: insp.get_multi_pk_constraint(
                    schema=schema, kind=ObjectKind.TABLE, filter_names=names),
                lambda: [name for (_s, name) in columns])
        except NotImplementedError:
            pks = {}
        try:
            stats = self.flavor.stats(conn, schema)
        except SQLAlchemyError as exc:
            log.debug("%s: no size statistics for schema %s (%s)", self.session.place, schema,
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
        for name, reason in sorted(unlisted.items()):
            if self.options.wants(schema or "", name):
                tables.append(UnlistedTable(name, schema, reason))
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
                session=self.session,
                scanned=scanned,
                is_view=is_view,
                key=key,
                key_is_int=key_is_int,
                pages=stats[name].pages if name in stats else None,
            )
            table.add_json_subcolumns(conn, self.options)
            tables.append(table)
        return tables

    def _each(
        self,
        conn: Connection,
        reflect: Callable[[list[str] | None], dict[Any, Any]],
        names: Callable[[], list[str]],
    ) -> tuple[dict[Any, Any], dict[str, str]]:
        """Reflect a whole schema at once; if that fails, table by table.

        One object the session cannot describe (locked ACCESS EXCLUSIVE by
        another session, readable in some columns only, a view the server
        cannot open) must not hide the others: it fails alone, with its
        classified reason. Returns what was reflected and the reason per table
        that was not.
        """
        try:
            return reflect(None), {}
        except SQLAlchemyError as exc:
            log.debug("%s: listing the schema at once failed (%s); listing table by table",
                      self.session.place, self.flavor.classify(exc).reason)
            conn.rollback()
        out: dict[Any, Any] = {}
        failed: dict[str, str] = {}
        for name in names():
            try:
                out.update(reflect([name]))
            except SQLAlchemyError as exc:
                conn.rollback()
                failed[name] = self.flavor.classify(exc).reason
        return out, failed

    def _names(self, insp: sa.Inspector, schema: str | None) -> list[str]:
        """Return the names of the tables (and views on request) of a schema."""
        names = list(insp.get_table_names(schema=schema))
        if self.options.include_views:
            names += insp.get_view_names(schema=schema)
            try:
                names += insp.get_materialized_view_names(schema=schema)
            except NotImplementedError:
                pass
        return names

    def _columns(self, schema: str | None, table: str, cols: Sequence[Any]) -> list[ScanColumn]:
        out: list[ScanColumn] = []
        for col in cols:
            name = col["name"]
            if not self.options.wants(schema or "", table, name):
                continue
            sa_type = col["type"]
            kind = kind_of(sa_type)
            label = type_label(sa_type, self.session.engine().dialect)
            skip = f"binary column ({label}) is not scanned" if kind is Kind.BINARY else None
            info = ColumnInfo(name=name, data_type=label, comment=col.get("comment"),
                              skip_reason=skip)
            cast = self._server_cast(sa_type, kind)
            out.append(ScanColumn(info=info, db_name=name, kind=kind, cast=cast))
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


def _is_int(cols: Sequence[Any], name: str) -> bool:
    for c in cols:
        if c["name"] == name:
            return kind_of(c["type"]) in (Kind.INT, Kind.UINT)
    return False
