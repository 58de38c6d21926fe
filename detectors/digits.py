"""How many digits each number-shaped value holds: exact rejections before a pattern.

A card number has 13 to 19 digits, a North American telephone number ten or
eleven, an account number at most seventeen: a value whose count of digits lies
outside a pattern's bounds cannot match it, so the pattern need not run on it.
Counting is one pass over the batch's bytes in NumPy, shared by every detector
that reads ``ValueView.numeric``; a regex pass over the same values costs several
times more.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import ValueView
from detectors.fastpaths import among


def digit_counts(values: pa.Array) -> np.ndarray:
    """Count each value's ASCII digits (what RE2's digit class matches), one pass over the bytes."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    data = values.buffers()[2] if pa.types.is_string(values.type) else None
    if values.null_count or data is None:
        return np.asarray(pc.utf8_length(pc.replace_substring_regex(values, r"\D", "")),
                          dtype=np.int64)
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[
        values.offset:values.offset + n + 1]
    starts = offsets[:-1] - offsets[0]
    is_digit = ((np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] - 48) < 10).view(
        np.int8)
    if not (np.diff(offsets) > 0).all():  # an empty value: reduceat would misread it
        running = np.concatenate(([0], np.cumsum(is_digit, dtype=np.int64)))
        return running[offsets[1:] - offsets[0]] - running[starts]
    return np.add.reduceat(is_digit, starts, dtype=np.int64)


def byte_lengths(values: pa.Array) -> np.ndarray:
    """Each value's length in bytes (its characters, for ASCII numbers)."""
    return np.asarray(pc.fill_null(pc.binary_length(values), 0), dtype=np.int64)


def numeric_digits(view: ValueView) -> np.ndarray:
    """Digits of each value of ``view.numeric``, counted once per batch for every detector."""
    cached = view.__dict__.get("_numeric_digits")
    if cached is None:
        cached = view.__dict__["_numeric_digits"] = digit_counts(view.numeric)
    return cached


def numeric_all_digits(view: ValueView) -> np.ndarray:
    """Which values of ``view.numeric`` are digits only (nothing else), once per batch."""
    cached = view.__dict__.get("_numeric_all_digits")
    if cached is None:
        cached = numeric_digits(view) == byte_lengths(view.numeric)
        view.__dict__["_numeric_all_digits"] = cached
    return cached


def containing(values: pa.Array, char: str) -> pa.Array:
    """Keep the values holding one ASCII character, found by one NumPy pass over the bytes.

    An ASCII byte never occurs inside another character's UTF-8 encoding: the values
    are those ``pc.match_substring`` would keep, without a per-value search.
    """
    n = len(values)
    if n == 0:
        return values
    if values.null_count or not pa.types.is_string(values.type) \
            or values.buffers()[2] is None:
        return values.filter(pc.fill_null(pc.match_substring(values, char), False))
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[
        values.offset:values.offset + n + 1]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    at = np.flatnonzero(data == ord(char))
    if len(at) == 0:
        return values.slice(0, 0)
    keep = np.zeros(n, dtype=bool)
    keep[np.searchsorted(offsets[1:] - offsets[0], at, side="right")] = True
    return among(values, keep)
