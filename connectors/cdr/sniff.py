"""Recognising a CDR format from a file's first bytes: value shapes, variants, scores.

Each format module's ``detect`` parses the sniffed head with these helpers and
says why it recognised the format (a :class:`Detected`), or that it did not.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from connectors.cdr.decode import decode_value, parse_line
from connectors.cdr.layout import Layout
from connectors.cdr.timefmt import looks_like_time, retime
from connectors.registry import CLAIM_FORCED as CLAIM_FORCED
from connectors.registry import SNIFF_BYTES

#: Score a recognised CDR file claims with; the generic CSV reader claims ~10.
CLAIM_STRONG = 60
CLAIM_WEAK = 40


@dataclass(frozen=True)
class Detected:
    """A format recognised in a file's first bytes, with the evidence."""

    layout: Layout
    score: int
    reason: str


# ---------------------------------------------------------------------------
# Value shapes used by the sniffers


DATETIME_ISO = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?$")
DATETIME_SLASH = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d$")
HMS = re.compile(r"^\d{1,3}:\d\d:\d\d$")
INT = re.compile(r"^-?\d{1,18}$")
EPOCH = re.compile(r"^\d{9,10}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ASTERISK_UNIQUEID = re.compile(r"^(?:[\w.-]+-)?\d{9,10}\.\d+$")
UPPER_WORDS = re.compile(r"^[A-Z][A-Z _]*$")
ASTERISK_DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})


def is_dt(value: str) -> bool:
    """Tell whether a value is a date and time: ISO, or as a spreadsheet re-saved it."""
    return bool(DATETIME_ISO.match(value)) or looks_like_time(value)


def is_dt_or_empty(value: str) -> bool:
    """Tell whether a value is empty or a date and time (see :func:`is_dt`)."""
    return value == "" or is_dt(value)


def fit_times(layout: Layout, records: Sequence[Sequence[str]]) -> Layout:
    """Give each timestamp field the format its sniffed values use (re-saved dates).

    Only records of the layout's width count; values are unquoted first.
    """
    n = len(layout.fields)
    rows = [r for r in records if len(r) == n]
    if not rows or not any(f.kind == "timestamp" for f in layout.fields):
        return layout
    fields = []
    for i, f in enumerate(layout.fields):
        if f.kind == "timestamp":
            f = retime(f, [r[i].strip().strip('"') for r in rows])
        fields.append(f)
    return dataclasses.replace(layout, fields=tuple(fields))


def is_int(value: str) -> bool:
    """Tell whether a value is a (possibly negative) integer."""
    return bool(INT.match(value))


def head_lines(head: bytes) -> list[str]:
    """Split sniffed bytes into decoded lines, dropping a line cut by the sniff limit."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = head.split(b"\n")
    if len(head) >= SNIFF_BYTES - 3 and len(lines) > 1:
        lines = lines[:-1]
    out = []
    for raw in lines:
        text = decode_value(raw.rstrip(b"\r"), None)
        if text.strip():
            out.append(text)
    return out


def split_records(lines: Sequence[str], delimiter: str = ",", limit: int = 50) -> list[list[str]]:
    """Parse the first ``limit`` lines with the csv module (never raises)."""
    out: list[list[str]] = []
    for line in lines[:limit]:
        out.append(parse_line(line, delimiter, '"'))
    return out


def fraction(records: Sequence[Sequence[str]], test: Callable[[Sequence[str]], bool]) -> float:
    """Share of records passing ``test`` (0 when there are none)."""
    if not records:
        return 0.0
    return sum(1 for r in records if test(r)) / len(records)


# ---------------------------------------------------------------------------
# Variants of headerless formats


@dataclass(frozen=True)
class Variant:
    """One field-count variant of a headerless format, with its per-record test."""

    layout: Layout
    test: Callable[[Sequence[str]], bool]
    description: str


def best_variant(
    records: Sequence[Sequence[str]],
    variants: Sequence[Variant],
    min_share: float = 0.8,
) -> tuple[Variant, float] | None:
    """Pick the variant most sniffed records fit; None when under ``min_share``.

    A record fits a variant when it has exactly that many fields and passes
    the variant's value-shape test. A few malformed lines in the head do not
    stop recognition; a file mostly made of something else does.
    """
    best: tuple[Variant, float] | None = None
    for variant in variants:
        n = len(variant.layout.fields)
        share = fraction(records, lambda r, n=n, v=variant: len(r) == n and v.test(r))
        if best is None or share > best[1]:
            best = (variant, share)
    if best is None or best[1] < min_share:
        return None
    return best


def closest_variant(records: Sequence[Sequence[str]], variants: Sequence[Variant]) -> Variant:
    """For a forced format: the variant whose field count is nearest the first record's."""
    width = len(records[0]) if records else 0
    return min(variants, key=lambda v: abs(len(v.layout.fields) - width))


def detect_variant(
    records: Sequence[Sequence[str]],
    variants: Sequence[Variant],
    forced: bool,
    why: Callable[[Variant, float], str],
    score: int = CLAIM_STRONG,
) -> Detected | None:
    """Recognise one of a format's variants, saying why; with ``forced``, the closest one."""
    found = best_variant(records, variants)
    if found is None:
        if not forced:
            return None
        variant = closest_variant(records, variants)
        layout = fit_times(variant.layout, records)
        return Detected(layout, score, f"assumed {variant.description}")
    variant, share = found
    layout = fit_times(variant.layout, records)
    reason = why(variant, share)
    if layout != variant.layout:
        changed = [f"{f.name} as {f.fmt or f.kind}" for f, g in
                   zip(layout.fields, variant.layout.fields, strict=True) if f != g]
        reason += f"; re-saved times read as {', '.join(changed[:3])}"
    return Detected(layout, score, reason)
