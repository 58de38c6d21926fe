"""Cheap vectorized tests that stand in for a pattern where they say the same thing.

A regex pass over an Arrow array costs about the same per value whatever the
pattern; a substring search costs less on short values and RE2's literal scan
less on long text; a column with few distinct values needs a pattern run on
each distinct value once. These helpers pick the cheaper way; the answer is
the same.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Mean bytes per value above which RE2's literal scan beats a substring search.
_LONG = 48
#: A batch whose first values repeat this much (distinct per value) is matched per
#: distinct value.
_PROBE = 1_000
_REPEATS = 0.25

def _span(values: pa.Array) -> tuple[int, int]:
    """Return the first and last byte of a string array's values in its data buffer."""
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    return int(offsets[values.offset]), int(offsets[values.offset + len(values)])


def holding(values: pa.Array, *literals: str) -> tuple[bool, ...]:
    """Tell, for each literal, whether some value may contain it (one search of the bytes).

    False means no value does; True means one may (or the array is not plain strings).
    """
    if len(values) == 0:
        return (False,) * len(literals)
    if not pa.types.is_string(values.type) or values.null_count:
        return (True,) * len(literals)
    data = values.buffers()[2]
    if data is None:
        return (False,) * len(literals)
    low, high = _span(values)
    found = memoryview(data)[low:high].tobytes()
    return tuple(literal.encode() in found for literal in literals)


def any_has(values: pa.Array, *literals: str) -> bool:
    """Tell whether some value may contain one of the literals (a search of the bytes)."""
    return any(holding(values, *literals))


def has(values: pa.Array, literal: str) -> pa.BooleanArray:
    """Tell which values contain a literal, the fastest way for their length."""
    n = len(values)
    if n and pa.types.is_string(values.type) and not values.null_count:
        if not any_has(values, literal):
            return pa.array(np.zeros(n, dtype=bool))
        low, high = _span(values)
        if high - low > _LONG * n:
            return pc.match_substring_regex(values, re.escape(literal))
    return pc.match_substring(values, literal)


def char_counts(values: pa.Array, chars: str) -> pa.Array:
    """Count the characters of each value that are among ``chars`` (ASCII), no pattern."""
    if len(values) == 0:
        return pa.array([], pa.int32())
    if values.null_count or not pa.types.is_string(values.type) or values.buffers()[2] is None:
        return pc.utf8_length(pc.replace_substring_regex(values, f"[^{re.escape(chars)}]", ""))
    table = np.zeros(256, dtype=np.int32)
    table[[ord(c) for c in chars]] = 1
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[
        values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    running = np.concatenate(([0], np.cumsum(table[data], dtype=np.int64)))
    return pa.array(np.diff(running[offsets - offsets[0]]).astype(np.int32))


def digit_counts(values: pa.Array) -> pa.Array:
    """Count the ASCII digits of each value."""
    return char_counts(values, "0123456789")


def matches(values: pa.Array, *patterns: str) -> list[pa.BooleanArray]:
    """Match each pattern against the values, once per distinct value when they repeat."""
    n = len(values)
    if n > 2 * _PROBE and not values.null_count and pc.count_distinct(
            values.slice(0, _PROBE)).as_py() <= _REPEATS * _PROBE:
        encoded = pc.dictionary_encode(values)
        distinct, index = encoded.dictionary, encoded.indices
        if len(distinct) <= n // 2:
            return [pc.take(pc.match_substring_regex(distinct, p), index) for p in patterns]
    return [pc.match_substring_regex(values, p) for p in patterns]
