"""Nested Arrow data (JSON objects, Parquet structs and lists) as flat, scannable columns.

Nested objects become dotted columns (``customer.email``) and lists one text
value per row, so every leaf is scanned under a name that says where it came from.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc


def flatten(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nested objects to dotted columns; lists to one `; `-joined text value per row."""
    if not any(_nested(f.type) for f in batch.schema):
        return batch
    table = pa.Table.from_batches([batch])
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    arrays, names = [], []
    for name, column in zip(table.column_names, table.columns, strict=True):
        arr = column.combine_chunks()
        if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
            arr = _join_list(arr)
        elif pa.types.is_null(arr.type):
            arr = arr.cast(pa.string())
        arrays.append(arr)
        names.append(name)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _join_list(arr: pa.Array) -> pa.Array:
    value_type = arr.type.value_type
    if not (pa.types.is_string(value_type) or pa.types.is_integer(value_type)
            or pa.types.is_floating(value_type) or pa.types.is_boolean(value_type)):
        # Lists of objects or lists: their JSON text, still scanned as free text.
        return pa.array([None if v is None else json.dumps(v, default=str)
                         for v in arr.to_pylist()], pa.string())
    as_text = arr.cast(pa.list_(pa.string()))
    return pc.binary_join(as_text, "; ")


def flat_schema(schema: pa.Schema) -> pa.Schema:
    """Return the schema ``flatten`` produces for batches of ``schema``."""
    return flatten(pa.RecordBatch.from_pylist([], schema=schema)).schema


def _nested(t: pa.DataType) -> bool:
    return (pa.types.is_struct(t) or pa.types.is_list(t) or pa.types.is_large_list(t)
            or pa.types.is_null(t))
