"""What one table's reads select, and how the rows they return become Arrow batches.

:class:`TableQuery` is the part of a SQL table every read strategy shares: the
scanned columns, the SQLAlchemy selectables over them (identifiers quoted by
the dialect, never formatted into SQL) and the conversion of driver rows into
record batches of one stable schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from connectors.base import ColumnInfo, Table
from connectors.sql.arrow import Converter, Kind, parse_json, record_batch
from connectors.sql.session import Session


@dataclass
class ScanColumn:
    """One scanned output column and where its values come from."""

    info: ColumnInfo
    db_name: str
    kind: Kind
    json_key: str | None = None
    #: A server-side cast that spares the driver slow Python objects (Decimal).
    cast: Any = None


@dataclass
class TableQuery(Table):
    """A table or view of a database, as the read strategies see it."""

    session: Session | None = field(default=None, repr=False, compare=False)
    scanned: list[ScanColumn] = field(default_factory=list, repr=False)
    is_view: bool = False
    #: A column to page through in order and to sample by ranges (rowid in SQLite).
    key: str | None = None
    key_is_int: bool = False
    pages: int | None = None

    # ------------------------------------------------------------ shape

    @property
    def path(self) -> str:
        """``schema.table`` as shown in messages."""
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def db(self) -> Session:
        """Return the session this table is read through."""
        assert self.session is not None, "SqlTable used without its session"
        return self.session

    def sa_table(self, extra: Sequence[str] = ()) -> sa.TableClause:
        """Return a table clause naming the scanned database columns (and ``extra``)."""
        names: list[str] = []
        for n in [c.db_name for c in self.scanned] + list(extra):
            if n not in names:
                names.append(n)
        return sa.table(self.name, *(sa.column(n) for n in names), schema=self.schema)

    def readable(self) -> list[ScanColumn]:
        """Return the scanned columns that are read (binary columns are not)."""
        return [c for c in self.scanned if c.info.skip_reason is None]

    def db_names(self) -> list[str]:
        """Return the database columns read, each once, in select-list order."""
        names: list[str] = []
        for c in self.readable():
            if c.db_name not in names:
                names.append(c.db_name)
        return names

    def selectable(self, extra: Sequence[str] = ()) -> tuple[sa.TableClause, list[Any]]:
        """Return the table clause and the select expressions of the readable columns."""
        tbl = self.sa_table(extra)
        return tbl, self.exprs(tbl)

    def exprs(self, from_: sa.FromClause) -> list[Any]:
        """Select expressions for the readable columns (each database column once)."""
        out: list[Any] = []
        seen: set[str] = set()
        for c in self.readable():
            if c.db_name in seen:
                continue
            seen.add(c.db_name)
            col = from_.c[c.db_name]
            out.append(sa.cast(col, c.cast) if c.cast is not None else col)
        return out

    # ------------------------------------------------------------ rows to Arrow

    def converters(self) -> list[Converter]:
        """Return one fresh converter per readable output column."""
        return [Converter(c.info.name, c.kind, c.json_key) for c in self.readable()]

    def to_batch(
        self,
        converters: list[Converter],
        rows: Sequence[Sequence[Any]],
        metadata: dict[bytes, bytes] | None = None,
    ) -> pa.RecordBatch:
        """Turn driver rows (in :meth:`db_names` order) into one record batch."""
        readable = self.readable()
        db_names = self.db_names()
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

    def note_dropped(self, converters: list[Converter]) -> None:
        """Warn about values that did not fit their column's type (a count, never a value)."""
        for c in converters:
            if c.dropped:
                self.warnings.append(
                    f"column {c.name}: {c.dropped} values did not fit {c.arrow_type} and were "
                    "skipped"
                )
