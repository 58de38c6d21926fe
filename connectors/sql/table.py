"""One table (or view) of a database: its JSON sub-columns and its read.

A :class:`SqlTable` is what the catalog lists and the engine reads.
``batches`` picks the read (a bounded sample or every row, both in
:mod:`connectors.sql.sampling`) and turns database errors into a
:class:`TableError` with a classified reason, never the server's message.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from connectors.base import (
    ColumnInfo,
    ConnectorOptions,
    ReadPlan,
    SourceError,
    Table,
    TableError,
)
from connectors.sql import sampling
from connectors.sql.arrow import Kind, parse_json
from connectors.sql.query import ScanColumn, TableQuery
from connectors.sql.session import fetch

log = logging.getLogger(__name__)

#: JSON sub-columns: documents probed, keys kept per column, key shape.
JSON_PROBE_ROWS = 500
JSON_MAX_KEYS = 50
_JSON_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")


class SqlTable(TableQuery):
    """A table or view of a SqlSource."""

    def add_json_subcolumns(self, conn: Connection, options: ConnectorOptions) -> None:
        """Flatten JSON objects one level: ``payload.email`` becomes a column of its own.

        Keys come from the first documents of the table; a key must look like an
        identifier and recur (a key seen once may be a value used as a key).
        """
        session = self.db()
        json_cols = [c for c in self.readable() if c.kind is Kind.JSON]
        if not json_cols:
            return
        tbl = self.sa_table()
        stmt = sa.select(*(tbl.c[c.db_name] for c in json_cols)).limit(JSON_PROBE_ROWS)
        try:
            rows = fetch(conn, stmt)
        except SQLAlchemyError as exc:
            log.debug("%s: JSON keys not probed (%s)", self.path,
                      session.flavor.classify(exc).reason)
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
                if not options.wants(self.schema or "", self.name, name):
                    continue
                info = ColumnInfo(name=name, data_type=f"{col.info.data_type} key")
                self.scanned.insert(position, ScanColumn(info, col.db_name, Kind.STRING, key))
                self.columns.insert(position, info)
                position += 1

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield a bounded sample, or (``plan.full``) every row in batches."""
        session = self.db()
        if session.lost is not None:
            raise TableError(f"{self.path}: not read, {session.lost}")
        if not self.readable():
            return
        try:
            if plan.full:
                yield from sampling.full(self, plan)
            else:
                yield from sampling.sample(self, plan)
        except (TableError, GeneratorExit):
            raise
        except SourceError as exc:
            raise TableError(f"{self.path}: {exc}") from exc
        except SQLAlchemyError as exc:
            raise TableError(f"{self.path}: {session.flavor.classify(exc).reason}") from exc


class UnlistedTable(Table):
    """A table the catalog names but whose columns could not be read: it fails alone.

    A table locked by another session, one the user may read some columns of
    only, a view the server cannot describe: the rest of the database is
    still scanned, and this table's read raises the classified reason.
    """

    def __init__(self, name: str, schema: str | None, reason: str) -> None:
        super().__init__(name=name, columns=[], schema=schema)
        self.reason = reason

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Raise the reason its columns could not be listed (a generator: raised on read)."""
        path = f"{self.schema}.{self.name}" if self.schema else self.name
        raise TableError(f"{path}: cannot list its columns ({self.reason})")
        yield  # pragma: no cover - makes this a generator
