"""Call times in the formats real exports hold, and which one a column uses.

Switches write ISO timestamps, but files pass through spreadsheets and
billing tools that re-save them: ``2020/2/10 22:41`` (no seconds, no zero
padding), ``01-09-2016 06:01:12`` (day first), ``2/10/2020 10:41`` (US
order), epoch seconds, or SMDR's ``mm/dd hh:mm`` without a year. A column's
format is inferred from its sniffed values (the one most of them parse with,
vectorized through ``pyarrow.compute.strptime``); day-first and month-first
orders are told apart by the values (a first part above 12 is a day).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from connectors.cdr.decode import convert
from connectors.cdr.layout import Field

#: A date with a time of day, in any of the orders and separators below.
DATETIME_ANY = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})"
    r"[ T]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?$"
)
#: A date alone.
DATE_ANY = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})$")
#: SMDR's month/day and time without a year (``02/10 22:41``).
SMDR_TIME = re.compile(r"^\d{1,2}/\d{1,2} \d{1,2}:\d\d$")
#: Unix seconds between 2001 and 2286 (ten digits).
EPOCH_TIME = re.compile(r"^1\d{9}$")

_TIMES = (" %H:%M:%S", " %H:%M:%S.%f", " %H:%M", "T%H:%M:%S", "T%H:%M:%S.%f", "T%H:%M")
# Preferred order first: ISO, then day-first with dashes and dots (European
# exports), month-first with slashes (US exports); the values decide when
# both orders parse.
_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y",
          "%d/%m/%Y", "%m-%d-%Y")
DATETIME_FORMATS: tuple[str, ...] = tuple(d + t for d in _DATES for t in _TIMES)
DATE_FORMATS: tuple[str, ...] = _DATES
SMDR_FORMAT = "%m/%d %H:%M"


def looks_like_time(value: str) -> bool:
    """Tell whether one value is a date and time in a common format (or SMDR's)."""
    value = value.strip()
    return bool(DATETIME_ANY.match(value) or SMDR_TIME.match(value))


def infer_time_field(name: str, values: Sequence[str], min_share: float = 0.8) -> Field | None:
    """Find the timestamp :class:`Field` most of ``values`` parse as (None when none fits).

    Empty values are ignored; a column of ten-digit numbers is epoch seconds.
    """
    present = [v.strip() for v in values if v and v.strip()]
    if not present:
        return None
    if all(EPOCH_TIME.match(v) for v in present):
        return Field(name, "epoch")
    if all(SMDR_TIME.match(v) for v in present):
        return Field(name, "timestamp", SMDR_FORMAT)
    shaped = [v for v in present if DATETIME_ANY.match(v) or DATE_ANY.match(v)]
    if len(shaped) < min_share * len(present):
        return None
    candidates = DATETIME_FORMATS if any(":" in v for v in shaped) else DATE_FORMATS
    arr = pa.array(shaped, pa.string())
    best: tuple[int, str] | None = None
    for fmt in candidates:
        parsed = convert(arr, Field(name, "timestamp", fmt))
        ok = len(parsed) - parsed.null_count
        if best is None or ok > best[0]:
            best = (ok, fmt)
    if best is None or best[0] < min_share * len(present):
        return None
    return Field(name, "timestamp", best[1])


def retime(field: Field, values: Sequence[str]) -> Field:
    """Keep a layout's timestamp field, or give it the format its sniffed values use."""
    if field.kind != "timestamp":
        return field
    present = [v for v in values if v and v.strip()]
    if not present:
        return field
    arr = pa.array(present, pa.string())
    if pc.sum(pc.is_valid(convert(arr, field))).as_py() == len(present):
        return field
    found = infer_time_field(field.name, present)
    return found if found is not None else field
