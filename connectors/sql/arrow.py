"""Turn database values into Arrow arrays with one stable type per column.

The target Arrow type comes from the column's declared (reflected) type, so
every batch of one table has the same schema. Values that do not fit the
declared type (SQLite stores anything anywhere; MySQL returns zero dates as
text) fall back to strings when the first batch is converted, or to null (with
a count, never the value) in later batches of a full scan.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

import pyarrow as pa
from sqlalchemy import types as satypes

log = logging.getLogger(__name__)

#: How JSON leaves and array elements are joined into one string cell.
#: A semicolon ends digit and word runs, so two phone numbers never read as one.
LEAF_SEPARATOR = "; "


class Kind(Enum):
    """How a column's values are converted."""

    INT = "int"
    UINT = "uint"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    TIMESTAMP = "timestamp"
    TIMESTAMP_TZ = "timestamptz"
    STRING = "string"
    JSON = "json"
    ARRAY = "array"
    BIT = "bit"
    BINARY = "binary"


ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.INT: pa.int64(),
    Kind.UINT: pa.uint64(),
    Kind.FLOAT: pa.float64(),
    Kind.BOOL: pa.bool_(),
    Kind.DATE: pa.date32(),
    Kind.TIMESTAMP: pa.timestamp("us"),
    Kind.TIMESTAMP_TZ: pa.timestamp("us", tz="UTC"),
    Kind.STRING: pa.string(),
    Kind.JSON: pa.string(),
    Kind.ARRAY: pa.string(),
    Kind.BIT: pa.int64(),
}

#: Numeric(p, 0) with at most this many digits always fits int64.
_INT64_DIGITS = 18


def kind_of(sa_type: satypes.TypeEngine[Any]) -> Kind:
    """Map a reflected SQLAlchemy type to a conversion kind."""
    # Order matters: Float is a Numeric, BLOB is a LargeBinary, JSON is indexable.
    if isinstance(sa_type, satypes._Binary):
        return Kind.BINARY
    type_name = type(sa_type).__name__.upper()
    if type_name == "BIT" and sa_type.__class__.__module__.startswith("sqlalchemy.dialects.mysql"):
        return Kind.BIT
    if type_name in {"GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
                     "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"}:
        return Kind.BINARY
    if isinstance(sa_type, satypes.JSON):
        return Kind.JSON
    if isinstance(sa_type, satypes.ARRAY):
        return Kind.ARRAY
    if isinstance(sa_type, satypes.Boolean):
        return Kind.BOOL
    if isinstance(sa_type, satypes.Integer):
        if getattr(sa_type, "unsigned", False) and isinstance(sa_type, satypes.BigInteger):
            return Kind.UINT
        return Kind.INT
    if isinstance(sa_type, satypes.Float):
        return Kind.FLOAT
    if isinstance(sa_type, satypes.Numeric):
        precision = sa_type.precision
        scale = sa_type.scale
        if scale == 0 and precision is not None and precision <= _INT64_DIGITS:
            return Kind.INT
        if scale is not None and scale > 0:
            return Kind.FLOAT
        # numeric without bounds, or wider than int64: keep every digit as text.
        return Kind.STRING
    if isinstance(sa_type, satypes.DateTime):
        return Kind.TIMESTAMP_TZ if getattr(sa_type, "timezone", False) else Kind.TIMESTAMP
    if isinstance(sa_type, satypes.Date):
        return Kind.DATE
    return Kind.STRING


def type_label(sa_type: satypes.TypeEngine[Any], dialect: Any = None) -> str:
    """Return the declared type as the database would spell it, lower case."""
    try:
        return str(sa_type.compile(dialect=dialect)).lower()
    except Exception:  # noqa: BLE001 - some reflected types cannot compile without a dialect
        return type(sa_type).__name__.lower()


# --------------------------------------------------------------------- leaves


def json_leaves(value: Any) -> list[str]:
    """Return the scalar leaves of a JSON document (or its text) as strings, in order."""
    if isinstance(value, (str, bytes, bytearray)):
        text = value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else value
        try:
            value = json.loads(text)
        except ValueError:
            return [text] if text else []
    out: list[str] = []
    _collect(value, out)
    return out


def _collect(value: Any, out: list[str]) -> None:
    # Iterative would be faster for deep documents; JSON nesting in columns is shallow.
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, dict):
        for v in value.values():
            _collect(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect(v, out)
    elif isinstance(value, float):
        out.append(repr(value))
    else:
        out.append(str(value))


def join_leaves(leaves: Sequence[str]) -> str | None:
    """Join leaves into one cell; no leaves is null."""
    if not leaves:
        return None
    return leaves[0] if len(leaves) == 1 else LEAF_SEPARATOR.join(leaves)


def array_text(value: Any) -> str | None:
    """Flatten a (possibly nested) array into one string cell."""
    if value is None:
        return None
    if isinstance(value, str):
        # Drivers that do not parse arrays hand back their text form: {a,b}.
        return value
    out: list[str] = []
    _collect(value, out)
    return join_leaves(out)


def json_key_value(doc: Any, key: str) -> str | None:
    """Return the value under one top-level key of a parsed JSON object as a string cell."""
    if not isinstance(doc, dict) or key not in doc:
        return None
    value = doc[key]
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (dict, list)):
        out: list[str] = []
        _collect(value, out)
        return join_leaves(out)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_json(value: Any) -> Any:
    """Return a parsed JSON document (drivers give text or objects); None when unparsable."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


# ----------------------------------------------------------------- conversion


def _to_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _bit_to_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return int.from_bytes(value, "big")
    return int(value)


def _to_float(value: Any) -> Any:
    # Decimal (numeric(p, s)) has no Arrow float conversion of its own.
    return float(value) if isinstance(value, Decimal) else value


def _to_int(value: Any) -> Any:
    return int(value) if isinstance(value, Decimal) and value == value.to_integral() else value


_PREPARE: dict[Kind, Callable[[Any], Any]] = {
    Kind.FLOAT: _to_float,
    Kind.INT: _to_int,
    Kind.STRING: _to_str,
    Kind.JSON: lambda v: None if v is None else join_leaves(json_leaves(v)),
    Kind.ARRAY: array_text,
    Kind.BIT: _bit_to_int,
}


@dataclass
class Converter:
    """Converts one column's values, batch after batch, to one fixed Arrow type."""

    name: str
    kind: Kind
    #: For a JSON sub-column: the top-level key it reads; values are parsed documents.
    json_key: str | None = None
    arrow_type: pa.DataType | None = None
    #: Values dropped because they did not fit the type chosen at the first batch.
    dropped: int = field(default=0)

    def convert(self, values: list[Any]) -> pa.Array:
        """Return the values as an Arrow array of this column's (stable) type."""
        if self.json_key is not None:
            key = self.json_key
            return pa.array([json_key_value(v, key) for v in values], pa.string())
        first = self.arrow_type is None
        target = self.arrow_type or ARROW_TYPES[self.kind]
        try:
            arr = _array(values, target, self.kind)
        except _CONVERSION_ERRORS:
            if not first:
                return self._one_by_one(values)
            # The declared type lied (SQLite affinity, MySQL zero dates): use text.
            log.debug("column %s: values do not fit %s; reading as text", self.name, target)
            self.arrow_type = pa.string()
            return pa.array([_to_str(v) for v in values], pa.string())
        self.arrow_type = target
        return arr

    def _one_by_one(self, values: list[Any]) -> pa.Array:
        assert self.arrow_type is not None
        out: list[Any] = []
        for v in values:
            try:
                out.append(_array([v], self.arrow_type, self.kind)[0].as_py())
            except _CONVERSION_ERRORS:
                out.append(None)
                self.dropped += 1
        return pa.array(out, self.arrow_type)


_CONVERSION_ERRORS = (pa.ArrowException, TypeError, ValueError, OverflowError)
#: Kinds whose values always need reshaping in Python (the rest try Arrow directly first).
_ALWAYS_PREPARE = {Kind.JSON, Kind.ARRAY, Kind.BIT}


def _array(values: list[Any], arrow_type: pa.DataType, kind: Kind) -> pa.Array:
    prepare = _PREPARE.get(kind)
    if prepare is not None and kind in _ALWAYS_PREPARE:
        return pa.array([prepare(v) for v in values], arrow_type)
    if pa.types.is_string(arrow_type) and kind is not Kind.STRING:
        prepare = _to_str  # a column read as text after its declared type failed
    try:
        return _direct(values, arrow_type)
    except _CONVERSION_ERRORS:
        if prepare is None:
            raise
        # Decimal for numeric, UUID/ipaddress objects for text: convert in Python.
        return _direct([prepare(v) for v in values], arrow_type)


def _direct(values: list[Any], arrow_type: pa.DataType) -> pa.Array:
    if pa.types.is_temporal(arrow_type):
        sample = next((v for v in values if v is not None), None)
        if isinstance(sample, str):
            # Text dates (SQLite): Arrow's ISO-8601 parser (fails on mixed values).
            text = pa.array(values, pa.string())
            if pa.types.is_timestamp(arrow_type):
                # Nanosecond fractions parse at ns, then truncate to us.
                ns = pa.timestamp("ns", tz=arrow_type.tz)
                return text.cast(ns).cast(arrow_type, safe=False)
            return text.cast(arrow_type)
        if isinstance(sample, dt.datetime) and not pa.types.is_timestamp(arrow_type):
            # Timestamps in a date column (MySQL/SQLite): keep the date part.
            values = [v.date() if isinstance(v, dt.datetime) else v for v in values]
    return pa.array(values, arrow_type)


def record_batch(
    converters: Sequence[Converter],
    columns: Iterable[list[Any]],
    metadata: dict[bytes, bytes] | None = None,
) -> pa.RecordBatch:
    """Build one record batch from per-column value lists."""
    arrays = [c.convert(v) for c, v in zip(converters, columns, strict=True)]
    schema = pa.schema(
        [pa.field(c.name, a.type) for c, a in zip(converters, arrays, strict=True)],
        metadata=metadata,
    )
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
