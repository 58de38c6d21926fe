"""Turning a CDR file's bytes and text into typed values.

Text is decoded as UTF-8, falling back per value to cp1251 or latin-1 (real
Asterisk files carry cp1251 caller names). Values are typed column-wise with
``pyarrow.compute``: timestamps, epoch seconds, durations, signed-integer IPv4
addresses (Cisco CUCM); a value that does not parse becomes null.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from connectors.cdr.layout import Field, Layout


def parse_line(line: str, delimiter: str, quote_char: str | None) -> list[str]:
    """Parse one CSV line into fields; a parse problem yields the raw split."""
    if quote_char is None:
        return line.split(delimiter)
    try:
        rows = list(csv.reader([line], delimiter=delimiter, quotechar=quote_char, strict=False))
    except csv.Error:
        return line.split(delimiter)
    return rows[0] if rows else []


# ---------------------------------------------------------------------------
# Decoding


def decode_value(raw: bytes, encoding: str | None) -> str:
    """Decode one value: the configured encoding, else UTF-8, else cp1251/latin-1.

    The fallback picks cp1251 when most bytes are high (a Cyrillic name is
    nearly all high bytes) and latin-1 when a few accented letters sit among
    ASCII ones; neither ever raises.
    """
    if encoding:
        return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = sum(1 for b in raw if b >= 0x80)
    letters = sum(1 for b in raw if 0x41 <= (b | 0x20) <= 0x7A and (b | 0x20) >= 0x61)
    if high > letters:
        return raw.decode("cp1251", errors="replace")
    return raw.decode("latin-1")


def decode_column(arr: pa.Array, encoding: str | None) -> tuple[pa.Array, int]:
    """Turn a binary column into text; return it and how many values needed a fallback."""
    if encoding is None or encoding.lower().replace("-", "") in {"utf8", "ascii"}:
        try:
            return pc.cast(arr, pa.string()), 0
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    values = arr.to_pylist()
    out: list[str | None] = []
    bad = 0
    for raw in values:
        if raw is None:
            out.append(None)
            continue
        try:
            out.append(raw.decode("utf-8") if encoding is None else raw.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            bad += 1
            out.append(decode_value(raw, None))
    return pa.array(out, type=pa.string()), bad


# ---------------------------------------------------------------------------
# Typing


_NULL_STR = pa.scalar(None, pa.string())


def _empty_to_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), _NULL_STR, arr)


def _to_int(arr: pa.Array) -> pa.Array:
    trimmed = pc.replace_substring_regex(pc.utf8_trim_whitespace(arr), r"^\+", "")
    ok = pc.match_substring_regex(trimmed, r"^-?\d{1,18}$")
    return pc.cast(pc.if_else(ok, trimmed, _NULL_STR), pa.int64())


def _to_float(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    ok = pc.match_substring_regex(trimmed, r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
    return pc.cast(pc.if_else(ok, trimmed, _NULL_STR), pa.float64())


def _to_timestamp(arr: pa.Array, fmt: str) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    if "%f" in fmt:
        # Arrow's strptime has no %f: drop the fraction and parse the rest.
        fmt = fmt.replace(".%f", "").replace("%f", "")
        trimmed = pc.replace_substring_regex(trimmed, r"\.\d+$", "")
    return pc.strptime(trimmed, format=fmt, unit="s", error_is_null=True)


def _to_epoch(arr: pa.Array) -> pa.Array:
    ints = _to_int(arr)
    ok = pc.and_(pc.greater(ints, 0), pc.less(ints, 32_503_680_000))
    return pc.cast(pc.if_else(ok, ints, pa.scalar(None, pa.int64())), pa.timestamp("s"))


def _to_hms(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    ok = pc.match_substring_regex(trimmed, r"^\d{1,6}:\d{1,2}:\d{1,2}$")
    good = pc.if_else(ok, trimmed, _NULL_STR)
    parts = pc.split_pattern(good, ":")
    h = pc.cast(pc.list_element(parts, 0), pa.int64())
    m = pc.cast(pc.list_element(parts, 1), pa.int64())
    s = pc.cast(pc.list_element(parts, 2), pa.int64())
    return pc.add(pc.add(pc.multiply(h, 3600), pc.multiply(m, 60)), s)


def _to_ipv4(arr: pa.Array) -> pa.Array:
    # Cisco stores IPv4 as a signed 32-bit integer whose least significant
    # byte is the first octet: 239138826 = 0x0E40F80A -> 10.248.64.14.
    ints = _to_int(arr)
    ok = pc.and_(
        pc.and_(pc.not_equal(ints, 0), pc.greater_equal(ints, -(2**31))),
        pc.less(ints, 2**32),
    )
    unsigned = pc.bit_wise_and(pc.if_else(ok, ints, pa.scalar(None, pa.int64())), 0xFFFFFFFF)
    octets = [
        pc.cast(pc.bit_wise_and(pc.shift_right(unsigned, shift), 0xFF), pa.string())
        for shift in (0, 8, 16, 24)
    ]
    return pc.binary_join_element_wise(*octets, ".")


def convert(arr: pa.Array, spec: Field) -> pa.Array:
    """Type one text column as its field says; unparseable values become null."""
    arr = _empty_to_null(arr)
    kind = spec.kind
    if kind in ("str", "phone"):
        return arr
    if kind in ("int", "duration"):
        return _to_int(arr)
    if kind == "float":
        return _to_float(arr)
    if kind == "timestamp":
        return _to_timestamp(arr, spec.fmt or "%Y-%m-%d %H:%M:%S")
    if kind == "epoch":
        return _to_epoch(arr)
    if kind == "hms":
        return _to_hms(arr)
    if kind == "ipv4int":
        return _to_ipv4(arr)
    raise ValueError(f"unknown field kind {kind!r}")


def _trim_quotes(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.replace_substring_regex(trimmed, r'^"(.*)"$', r"\1")


def type_columns(layout: Layout, columns: Sequence[pa.Array]) -> pa.RecordBatch:
    """Turn parsed text columns into one typed record batch."""
    arrays = []
    for spec, col in zip(layout.fields, columns, strict=True):
        if layout.trim_quotes:
            col = _trim_quotes(col)
        arrays.append(convert(col, spec))
    schema = pa.schema([pa.field(f.name, f.arrow_type) for f in layout.fields])
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
