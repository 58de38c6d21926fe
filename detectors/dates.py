"""Birth dates told by their values, for columns whose name says nothing.

A header-less export names its columns ``column_1``, ``column_2`` ...: a
birth-date column is then only a column of dates. What sets it apart from
order, hire or ``created_at`` dates is the ages it gives: all in the past,
nearly all between 14 and 100 years ago, spread over decades the way a
population's ages are (not bunched in the few years a business has run), and
with no time of day (a datetime column holds midnight). The claim holds only
beside a person's name in the same table (see ``scanner.core.classify``): a
table of films or buildings has dates spread over decades too.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    SMALL_SAMPLE,
    ColumnFacts,
    Detector,
    Match,
    Tally,
    ValueView,
    Verdict,
    count,
    register,
    wilson_lower,
)
from detectors.fastpaths import any_has, as_arrow
from detectors.identity import DateOfBirthDetector, parse_dates
from detectors.names import NameEvidence, tokenize

#: The ages a birth-date column of customers, employees or patients holds.
YOUNGEST, OLDEST = 14, 100
#: Spread like a population's ages: the 10th and 90th percentiles this many years apart.
MIN_SPREAD_YEARS = 15
#: ... and no five-year span holding more than this share of them.
MAX_CLUSTER = 0.5
#: Share of a column's dates that must give such ages (lower confidence bound).
MIN_SHARE = 0.75
_SECONDS_PER_YEAR = 365.2425 * 86400
# A time of day after the date, and the one that is midnight.
_TIME = r"[T ]\d{1,2}:\d{2}"
_MIDNIGHT = r"[T ]0{1,2}:00(?::00(?:[.,]0+)?)?(?:\s*(?:Z|UTC|[+-]\d{2}:?\d{2}))?$"

#: Words that name no field: positional names of header-less files and data frames
#: (`column_3`, `field7`, `_c2`, `Unnamed: 4`, `V5`) and a bare `date`.
_ANONYMOUS = re.compile(r"(?i)^\s*(?:column|col|field|fld|f|c|_c|v|x|var|attr|attribute|"
                        r"unnamed:?|untitled|value|val)?[\s_:.-]*\d{1,4}\s*$")
_NO_MEANING = frozenset({"date", "datum", "fecha", "data", "dt", "datetime", "timestamp",
                         "value", "column", "col", "field", "unnamed", "untitled"})


def tells_nothing(column: str) -> bool:
    """Whether a column's name says nothing of what it holds (`column_5`, `_c3`, `date`).

    Value-only inferences (birth dates from ages, postal codes beside a street)
    stand only where the name gives no other reading: under `hire_date` or
    `order_id` the name is the better evidence.
    """
    if _ANONYMOUS.match(column):
        return True
    words = {t for t in tokenize(column) if not t.isdigit()}
    return bool(words) and words <= _NO_MEANING


def _ages(dates: pa.Array) -> pa.Array:
    """Years between each date and now (negative for future dates), as float64."""
    now = pa.scalar(dt.datetime.now(dt.UTC).replace(tzinfo=None), pa.timestamp("s"))
    seconds = pc.cast(pc.subtract(now, dates), pa.int64())
    return pc.divide(pc.cast(seconds, pa.float64()), _SECONDS_PER_YEAR)


def _timed(view: ValueView) -> pa.BooleanArray:
    """Which values carry a time of day other than midnight (aligned with ``view.strings``)."""
    if view.kind == "temporal":
        raw = view.raw.drop_null()
        if not pa.types.is_timestamp(raw.type):
            return pa.array([False] * len(raw), pa.bool_())
        seconds = pc.cast(pc.cast(raw, pa.timestamp("s"), safe=False), pa.int64())
        return pc.not_equal(pc.remainder(seconds, 86400), 0)
    s = view.strings
    if not any_has(s, ":"):  # no time of day anywhere (read from the bytes)
        return as_arrow(np.zeros(len(s), dtype=bool))
    return pc.and_(pc.match_substring_regex(s, _TIME),
                   pc.invert(pc.match_substring_regex(s, _MIDNIGHT)))


def _spread_like_ages(ages: pa.Array) -> bool:
    """Whether ages spread over decades, as a population's do (not one day, not a few years)."""
    if len(ages) < SMALL_SAMPLE:
        return False
    p10, p50, p90 = pc.quantile(ages, q=[0.1, 0.5, 0.9]).to_pylist()
    if p90 - p10 < MIN_SPREAD_YEARS or not 18 <= p50 <= 85:
        return False
    spans = pc.value_counts(pc.cast(pc.floor(pc.divide(ages, 5.0)), pa.int64()))
    biggest = max(spans.field("counts").to_pylist())
    return biggest <= MAX_CLUSTER * len(ages)


@register
class BirthDateValuesDetector(Detector):
    """Birth dates from values alone: ages of 14 to 100 spread over decades, beside a name."""

    entity = "DATE_OF_BIRTH"
    name = "birth_date_values"
    valid_word = "ages of 14 to 100 years spread over decades"
    kinds = frozenset({"string", "temporal"})
    # The named detector's words: under them this one stands aside (see judge).
    names = DateOfBirthDetector.names
    specificity = 45

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        if view.kind == "string":
            # Cheap look first: most string columns hold no dates at all.
            head = view.strings.slice(0, 50)
            dated = count(pc.match_substring_regex(
                head, r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"
                      r"|^(?:19|20)\d{6}$"))
            if dated * 2 < len(head):
                return None
        dates = parse_dates(view)
        ages = _ages(dates)
        parsed = pc.is_valid(dates)
        in_range = pc.fill_null(pc.and_(pc.greater_equal(ages, YOUNGEST),
                                        pc.less_equal(ages, OLDEST)), False)
        # A birth date has no time of day: a datetime column of them holds midnight.
        ok = pc.and_(in_range, pc.invert(_timed(view)))
        k = count(ok)
        future = count(pc.fill_null(pc.less(ages, 0), False))
        # The spread is judged batch by batch (a batch holds thousands of rows): the
        # counts that add up across batches cannot say how ages are spread.
        spread = k if future * 50 <= view.count and _spread_like_ages(ages.filter(ok)) else 0
        ev = tuple("****-**-** (year " + str(v.year)[:2] + "**)"
                   for v in dates.filter(ok).slice(0, 1).to_pylist() if v is not None)
        return Match(count(parsed), k, ev, strong=spread)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        n, k = facts.values, tally.matched
        if n < SMALL_SAMPLE or not tells_nothing(facts.name) or name.score > 0:
            return None
        lower = wilson_lower(k, n)
        if lower < MIN_SHARE or tally.strong < 0.9 * k:
            return None
        reasons = [f"inferred from values: {self.valid_word} {k}/{n}, no time of day"]
        return self._verdict(0.45 + 0.25 * lower, tally, n, reasons, True)
