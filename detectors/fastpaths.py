"""Cheap vectorized tests that stand in for a pattern where they say the same thing.

A regex pass over an Arrow array costs about the same per value whatever the
pattern; a substring search costs less on short values and RE2's literal scan
less on long text; a column with few distinct values needs a pattern run on
each distinct value once. These helpers pick the cheaper way; the answer is
the same.
"""

from __future__ import annotations

import functools
import re
from typing import Any

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


#: Bytes of text above which a literal is looked for in place (RE2 over the buffer)
#: rather than in a copy.
_IN_PLACE = 1 << 16


def _text(values: pa.Array) -> bytes | pa.Array | None:
    """Return the bytes of a string array's values, or None when it is not plain strings.

    Short text comes as a copy; long text as one binary value over the array's own
    buffer (copying it costs more than searching it).
    """
    if not pa.types.is_string(values.type) or values.null_count:
        return None
    data = values.buffers()[2]
    if data is None:
        return b""
    low, high = _span(values)
    if high - low <= _IN_PLACE:
        return memoryview(data)[low:high].tobytes()
    return _one_value(data, low, high)


def _one_value(data: pa.Buffer, low: int, high: int) -> pa.Array:
    """Return bytes ``[low, high)`` of a buffer as one string value, in place.

    Strings, not binary: RE2 then reads them as UTF-8, as it reads each value (case
    folding included: ``(?i)s`` matches the long s).
    """
    offsets = pa.py_buffer(np.array([0, high - low], dtype=np.int32).tobytes())
    return pa.Array.from_buffers(pa.string(), 1, [None, offsets, data.slice(low, high - low)])


def _literal(text: str) -> str:
    r"""Return an RE2 pattern matching ``text`` literally (ASCII punctuation as ``\x{..}``)."""
    return "".join(ch if ch.isalnum() or ord(ch) > 127 else f"\\x{{{ord(ch):02x}}}"
                   for ch in text)


def _holds(found: bytes | pa.Array, literal: str) -> bool:
    """Tell whether ``literal`` is in ``found``.

    A substring search of several bytes reads about 1 GB/s, a search of one byte
    (memchr) ten times that: in a copy, a literal one of whose bytes is missing
    altogether (an upper-case ``SEP`` in lower-case text, the ``°`` of a degree sign
    in ASCII) is ruled out by its bytes first. In place, RE2 looks for a literal
    with memchr.
    """
    if isinstance(found, pa.Array):
        return bool(pc.match_substring_regex(found, _literal(literal))[0].as_py())
    raw = literal.encode()
    if len(raw) > 1 and not all(found.find(b) >= 0 for b in
                                sorted({raw[i:i + 1] for i in range(len(raw))})):
        return False
    return raw in found


def holding(values: pa.Array, *literals: str) -> tuple[bool, ...]:
    """Tell, for each literal, whether some value may contain it (one search of the bytes).

    False means no value does; True means one may (or the array is not plain strings).
    """
    if len(values) == 0:
        return (False,) * len(literals)
    found = _text(values)
    if found is None:
        return (True,) * len(literals)
    return tuple(_holds(found, literal) for literal in literals)


def as_arrow(values: Any) -> pa.Array:
    """Return values as an Arrow array: a 1-D NumPy array of booleans or numbers in place.

    ``pa.array`` reads NumPy arrays the same, but it first asks whether one is a
    masked array, which imports ``numpy.ma`` (15 ms of a small scan's start).
    Anything else (a list, a masked array) goes to ``pa.array``.
    """
    if not isinstance(values, np.ndarray) or values.ndim != 1 or values.dtype.kind not in "biuf":
        return pa.array(values)
    values = np.ascontiguousarray(values)
    if values.dtype.kind == "b":
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values),
                                 [None, pa.py_buffer(values)])


def all_ascii(values: pa.Array) -> bool:
    """Tell whether every byte of a string array's text is ASCII (False for other types)."""
    if not pa.types.is_string(values.type):
        return False
    data = values.buffers()[2]
    if data is None or len(values) == 0:
        return True
    low, high = _span(values)  # null slots' bytes, if any, are read too: never wrongly True
    return high == low or int(np.frombuffer(data, dtype=np.uint8)[low:high].max()) < 128


#: Unicode's letter classes, as RE2 writes them, and the letters each holds among ASCII.
_ASCII_LETTERS = {"L": "A-Za-z", "Lu": "A-Z", "Ll": "a-z"}
_LETTER_CLASS = re.compile(r"\\p\{(L|Lu|Ll)\}")


@functools.cache
def ascii_form(pattern: str) -> str | None:
    r"""Return an RE2 pattern with its Unicode letter classes written for ASCII text.

    RE2 builds ``\p{L}`` from every letter of Unicode: a pattern with a few takes 2
    to 70 ms to compile, and pyarrow compiles a pattern on every call (once per
    batch and column). Among ASCII characters ``\p{L}`` holds exactly ``A-Za-z``,
    ``\p{Lu}`` ``A-Z`` and ``\p{Ll}`` ``a-z`` (with ``(?i)`` too), so on ASCII text
    the form returned matches the same values. None when there is nothing to
    rewrite, or something this does not rewrite (another property, ``\P``, a
    POSIX class): the pattern is then used as it is.
    """
    if "\\p{" not in pattern or "\\P" in pattern or "[:" in pattern:
        return None
    out: list[str] = []
    i, inside, rewritten = 0, False, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            letters = _LETTER_CLASS.match(pattern, i)
            if letters:
                held = _ASCII_LETTERS[letters.group(1)]
                out.append(held if inside else f"[{held}]")
                i, rewritten = letters.end(), True
                continue
            if pattern[i + 1:i + 2] in ("p", "P"):
                return None  # \p{Mn}, \pL ...: not rewritten
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[" and not inside:
            inside = True
            out.append(ch)
            i += 1
            for lead in ("^", "]"):  # a class's first ] (after a ^) is a character
                if pattern[i:i + 1] == lead:
                    out.append(lead)
                    i += 1
            continue
        if ch == "]" and inside:
            inside = False
        out.append(ch)
        i += 1
    return "".join(out) if rewritten else None


def pattern_for(values: pa.Array, pattern: str) -> str:
    """Return the pattern to run on these values: its ASCII form where their text is ASCII."""
    form = ascii_form(pattern)
    return form if form is not None and all_ascii(values) else pattern


def match_regex(values: pa.Array, pattern: str) -> pa.BooleanArray:
    """``pc.match_substring_regex`` with the pattern ``pattern_for`` these values."""
    return pc.match_substring_regex(values, pattern_for(values, pattern))


def extract_regex(values: pa.Array, pattern: str) -> pa.StructArray:
    """``pc.extract_regex`` with the pattern ``pattern_for`` these values."""
    return pc.extract_regex(values, pattern_for(values, pattern))


def any_has(values: pa.Array, *literals: str) -> bool:
    """Tell whether some value may contain one of the literals (a search of the bytes)."""
    if len(values) == 0:
        return False
    found = _text(values)
    return found is None or any(_holds(found, literal) for literal in literals)


def may_hold(values: pa.Array, pattern: str) -> bool:
    """Tell whether some value may hold a match of an RE2 pattern with no anchors or bounds.

    One pass over all the values' bytes at once (no cost per value; it stops at the
    first match). A pattern with its anchors, word bounds and the characters around
    its words left out matches a superset: False means no value holds the full
    pattern; True (or values that are not plain strings) leaves it to the per-value pass.
    """
    if len(values) == 0:
        return False
    if not pa.types.is_string(values.type) or values.null_count:
        return True
    data = values.buffers()[2]
    low, high = _span(values)
    pattern = pattern_for(values, pattern)
    if data is None or high == low:
        return pc.any(pc.match_substring_regex(values, pattern)).as_py() is True
    return bool(pc.match_substring_regex(_one_value(data, low, high), pattern)[0].as_py())


def has(values: pa.Array, literal: str) -> pa.BooleanArray:
    """Tell which values contain a literal, the fastest way for their length."""
    n = len(values)
    if n and pa.types.is_string(values.type) and not values.null_count:
        if not any_has(values, literal):
            return as_arrow(np.zeros(n, dtype=bool))
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
    table = np.zeros(256, dtype=np.uint8)
    table[[ord(c) for c in chars]] = 1
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[
        values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    # One byte per byte of text (a zero after the last), summed value by value: an
    # empty value's sum is the next byte, set to zero after.
    hits = np.empty(len(data) + 1, dtype=np.uint8)
    np.take(table, data, out=hits[:-1])
    hits[-1] = 0
    counts = np.add.reduceat(hits, offsets[:-1] - offsets[0], dtype=np.int32)
    counts[offsets[1:] == offsets[:-1]] = 0
    return as_arrow(counts)


def digit_counts(values: pa.Array) -> pa.Array:
    """Count the ASCII digits of each value."""
    return char_counts(values, "0123456789")


def matches(values: pa.Array, *patterns: str) -> list[pa.BooleanArray]:
    """Match each pattern against the values, once per distinct value when they repeat."""
    n = len(values)
    patterns = tuple(pattern_for(values, p) for p in patterns)
    if n > 2 * _PROBE and not values.null_count and pc.count_distinct(
            values.slice(0, _PROBE)).as_py() <= _REPEATS * _PROBE:
        encoded = pc.dictionary_encode(values)
        distinct, index = encoded.dictionary, encoded.indices
        if len(distinct) <= n // 2:
            return [pc.take(pc.match_substring_regex(distinct, p), index) for p in patterns]
    return [pc.match_substring_regex(values, p) for p in patterns]


def where(values: pa.Array, could: np.ndarray, pattern: str) -> np.ndarray:
    """Match ``pattern`` only where ``could`` holds (False elsewhere), as a NumPy mask."""
    found = np.zeros(len(values), dtype=bool)
    if could.any():
        kept = among(values, could)
        found[could] = match_regex(kept, pattern).to_numpy(zero_copy_only=False)
    return found


def among(values: pa.Array, could: np.ndarray) -> pa.Array:
    """Keep the values a mask holds (all of them without a copy)."""
    return values if could.all() else values.filter(as_arrow(could))


def byte_set(chars: bytes) -> np.ndarray:
    """Return a 256-entry table, true at the given bytes (for ``edges_allow``)."""
    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(chars, dtype=np.uint8)] = True
    return table


def edges_allow(values: pa.Array, first: np.ndarray, last: np.ndarray) -> np.ndarray | None:
    """Per value, whether its first and last bytes are in the tables ``first`` and ``last``.

    Two bytes read per value from the array's buffers, a cheap anchored filter
    before a pattern whose every match starts and ends in those sets. Empty
    values are never allowed; None when the array is not plain non-null strings.
    """
    n = len(values)
    if not pa.types.is_string(values.type) or values.null_count:
        return None
    data = values.buffers()[2]
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[
        values.offset:values.offset + n + 1]
    if data is None or n == 0 or offsets[-1] == offsets[0]:
        return np.zeros(n, dtype=bool)
    buf = np.frombuffer(data, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    # An empty value reads some neighbour's byte here; ``filled`` rules it out.
    heads = buf[np.minimum(starts, offsets[-1] - 1)]
    tails = buf[np.maximum(ends - 1, offsets[0])]
    return filled & first[heads] & last[tails]
