"""What every detector shares: value views, name evidence, the match-rate verdict.

A detector looks at one batch of one column at a time (``match``) and returns a
boolean mask of the values that validated. The engine adds the counts up across
batches, then asks the detector to ``judge`` the column from the totals and the
column name. Patterns run on whole Arrow arrays (RE2 through ``pyarrow.compute``);
Python-level validators see only the candidates a pattern proposed.
"""

from __future__ import annotations

import math
import random
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from detectors.fastpaths import any_has, as_arrow, byte_set, edges_allow, where
from detectors.names import NameEvidence, NameRule
from scanner.plugins import Registry

#: Values that stand for "nothing here" in exports and logs.
NULL_TOKENS = pa.array(["", "-", "--", "null", "NULL", "Null", "None", "none", "N/A", "n/a", "NA",
                        "nan", "NaN", "\\N"])

#: z for a one-sided 97.5% bound: the rate we claim is at least this.
_Z = 1.96


#: Fewer values than this give no rate worth the name (see Detector.judge).
SMALL_SAMPLE = 8


def wilson_lower(k: int, n: int, z: float = _Z) -> float:
    """Lower bound of the Wilson score interval for k successes in n trials."""
    if n <= 0:
        return 0.0
    p = k / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denom)


class ValueView:
    """One batch of one column, with derived arrays computed once and shared by detectors."""

    def __init__(self, values: pa.Array | pa.ChunkedArray, is_text: bool | None = None,
                 region: str | None = None, column: str | None = None) -> None:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        self.raw = values
        #: The table's region (ISO 3166 alpha-2), for national phone and postal formats.
        self.region = region
        #: The column's name, when the engine reads a column (None: any name may follow).
        self.column = column
        if is_text is not None:
            # The engine decided it on the column's first values.
            self.__dict__["is_text"] = is_text

    @cached_property
    def kind(self) -> str:
        t = self.raw.type
        if pa.types.is_integer(t):
            return "integer"
        if pa.types.is_floating(t) or pa.types.is_decimal(t):
            return "float"
        if pa.types.is_temporal(t):
            return "temporal"
        if pa.types.is_boolean(t):
            return "boolean"
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return "string"
        if pa.types.is_binary(t) or pa.types.is_large_binary(t):
            return "binary"
        return "other"

    @cached_property
    def strings(self) -> pa.Array:
        """Non-null values as trimmed UTF-8 strings, without empty and null-like tokens."""
        kind = self.kind
        if kind in {"binary", "other", "boolean"}:
            return pa.array([], pa.string())
        arr = self.raw.drop_null()
        if kind == "string":
            if pa.types.is_large_string(arr.type):
                arr = arr.cast(pa.string())
            arr = pc.utf8_trim_whitespace(arr)
            arr = arr.filter(pc.invert(pc.is_in(arr, value_set=NULL_TOKENS)))
            return arr
        if kind == "temporal":
            return pc.cast(arr, pa.string())
        if kind == "float":
            return pc.cast(arr, pa.string())
        return pc.cast(arr, pa.string())

    @cached_property
    def count(self) -> int:
        """How many non-null, non-empty values this batch holds."""
        if self.kind in {"string"}:
            return len(self.strings)
        if self.kind in {"binary", "other"}:
            return 0
        return len(self.raw) - self.raw.null_count

    @cached_property
    def numbers(self) -> pa.Array:
        """Values as float64 (numeric columns, or strings that parse as numbers)."""
        if self.kind in {"integer", "float"}:
            return pc.cast(self.raw.drop_null(), pa.float64(), safe=False)
        if self.kind == "string":
            s = self.numeric
            ok = pc.match_substring_regex(s, r"^[+-]?\d+(\.\d+)?$")
            return pc.cast(s.filter(ok), pa.float64())
        return pa.array([], pa.float64())

    @cached_property
    def lengths(self) -> pa.Array:
        return pc.utf8_length(self.strings)

    @cached_property
    def numeric_mask(self) -> pa.BooleanArray:
        """Values made of digits and separators only (cards, phones, SSNs, IMEIs, IPv4 ...).

        One pass shared by every number-shaped detector, which then reads only
        ``numeric``; an email or a name column costs them nothing.
        """
        s = self.strings
        if self.kind == "integer":
            return pc.is_valid(s)
        # Only values that start and end as a number can: a name, an address or a note
        # column is ruled out by two bytes per value, without a pattern run.
        could = edges_allow(s, _NUMBER_FIRST, _NUMBER_LAST)
        if could is not None and not could.all():
            return as_arrow(where(s, could, _NUMBER_SHAPE))
        return pc.match_substring_regex(s, _NUMBER_SHAPE)

    @cached_property
    def numeric(self) -> pa.Array:
        """The values of ``strings`` that pass ``numeric_mask``.

        Integers under 1,000 (durations, counts, flags) are no card, phone, SSN,
        IMEI or account number: they are left out before the cast to text.
        """
        if self.kind == "integer":
            ints = self.raw.drop_null()
            big = pc.greater_equal(pc.abs(ints), 1_000)
            return pc.cast(filter_if_any(ints, big), pa.string())
        return self.strings.filter(self.numeric_mask)

    @cached_property
    def textual(self) -> pa.Array:
        """The values of ``strings`` that are not number-shaped (names, addresses, text)."""
        if self.kind == "integer":
            return pa.array([], pa.string())
        mask = self.numeric_mask
        if not mask.true_count:
            return self.strings  # no copy of a column of text
        return self.strings.filter(pc.invert(mask))

    def having(self, literal: str, among_numbers: bool = False) -> pa.Array:
        """Values containing a literal substring (a memchr, far cheaper than a regex).

        Only the values that are not number-shaped are searched unless
        ``among_numbers`` is set (an IPv6 address can be all digits and colons).
        """
        s = self.strings if among_numbers or self.kind != "string" else self.textual
        if not any_has(s, literal):
            return s.slice(0, 0)
        return filter_if_any(s, pc.match_substring(s, literal))

    def of_length(self, low: int, high: int) -> pa.Array:
        """Values whose length lies in [low, high]."""
        n = self.lengths
        return filter_if_any(self.strings,
                              pc.and_(pc.greater_equal(n, low), pc.less_equal(n, high)))


    @cached_property
    def is_text(self) -> bool:
        """Whether this looks like free text (sentences) rather than single values."""
        s = self.strings
        if len(s) == 0:
            return False
        mean_len = pc.mean(self.lengths).as_py() or 0
        if mean_len < 30:
            return False
        spaced = pc.mean(pc.cast(pc.greater_equal(pc.count_substring(s, " "), 3), pa.int8()))
        return (spaced.as_py() or 0) >= 0.5


#: What ``ValueView.numeric_mask`` matches: digits and separators, perhaps an extension.
_NUMBER_SHAPE = r"^[+(-]?\d[\d\s().,;/#:+-]*(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?$"


#: The bytes a value of ``_NUMBER_SHAPE`` can start and end with.
_NUMBER_FIRST = byte_set(b"0123456789+(-")
_NUMBER_LAST = byte_set(b"0123456789().,;/#:+- \t\n\r\f\v")


def filter_if_any(values: pa.Array, mask: pa.BooleanArray) -> pa.Array:
    """Filter by a mask, skipping the copy when nothing matches (the common case)."""
    if not pc.any(mask).as_py():
        return values.slice(0, 0)
    return values.filter(mask)


@dataclass(frozen=True)
class Match:
    """What one detector found in one batch."""

    #: Values with the right shape (before validation), e.g. 16 digits.
    shaped: int
    #: Values that validated.
    matched: int
    #: Up to a few masked examples of validated values.
    evidence: tuple[str, ...] = ()
    #: When validation ran on a subset, how many candidates it checked.
    checked: int | None = None
    #: Of ``matched``, those backed by context (a telling word or key next to the value).
    strong: int = 0
    #: For ``named_shape_counts`` detectors: values that validate once a telling column
    #: name vouches for their form (a bare nine-digit SSN passing the SSA rules). None
    #: means every shaped value does (an IMSI has no check digit).
    named_valid: int | None = None
    #: Values that are published specimens or test numbers (never counted as found).
    specimens: int = 0


@dataclass
class Tally:
    """A detector's counts for one column, added up over batches."""

    shaped: int = 0
    matched: int = 0
    checked: int = 0
    subsampled: bool = False
    evidence: list[str] = field(default_factory=list)
    strong: int = 0
    #: Values valid under a telling name (see ``Match.named_valid``); shaped ones by default.
    named_valid: int = 0
    specimens: int = 0

    def add(self, m: Match, max_evidence: int = 3) -> None:
        self.specimens += m.specimens
        self.shaped += m.shaped
        self.matched += m.matched
        self.strong += m.strong
        self.named_valid += m.shaped if m.named_valid is None else m.named_valid
        if m.checked is not None:
            self.subsampled = True
        for e in m.evidence:
            if len(self.evidence) >= max_evidence:
                break
            if e not in self.evidence:
                self.evidence.append(e)

    def merge(self, other: Tally, max_evidence: int = 3) -> None:
        """Add another part's counts (a table read in parts), its evidence after ours."""
        self.specimens += other.specimens
        self.shaped += other.shaped
        self.matched += other.matched
        self.checked += other.checked
        self.subsampled = self.subsampled or other.subsampled
        self.strong += other.strong
        self.named_valid += other.named_valid
        for e in other.evidence:
            if len(self.evidence) >= max_evidence:
                break
            if e not in self.evidence:
                self.evidence.append(e)


@dataclass(frozen=True)
class ColumnFacts:
    """What the engine tells a detector about the column as a whole."""

    name: str
    data_type: str
    kind: str
    values: int
    is_text: bool = False
    #: The table (or file) the column is in: `name` in `genres` is no person's name.
    table: str = ""
    #: The names of the table's columns: a `name` beside `bic` and `website` names a firm.
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """A detector's claim about a column (the engine turns it into a Detection)."""

    entity: str
    confidence: float
    matched: int
    sampled: int
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    #: Claimed from values (True) or only from the column name (False).
    from_values: bool
    #: The claim holds only inside a call record (calling details).
    needs_call_record: bool = False
    #: Found inside free text rather than as the column's values.
    in_text: bool = False
    #: A generic claim read from one word inside a longer name (``RfcACuentaTerceros``
    #: holds tax ids "on behalf of" someone, no account): it gives way when the values
    #: validate as a specific type.
    yields: bool = False


#: Every detector class, registered with ``@register`` in its module.
DETECTORS: Registry[type[Detector]] = Registry("detectors")


#: Clears of the caches that hold values (answers kept per value, across batches).
_VALUE_CACHES: list[Callable[[], object]] = []


def value_cache(clear: Callable[[], object]) -> None:
    """Register how to empty a cache keyed by values read from the data.

    Such caches speed up a scan whose columns repeat values across batches; the
    engine empties them when a scan ends (``forget_values``), so no value read stays
    in a long-lived process (the Python API, a Dask worker) after its scan.
    """
    _VALUE_CACHES.append(clear)


def forget_values() -> None:
    """Empty every cache that holds values read from the data (see ``value_cache``)."""
    for clear in _VALUE_CACHES:
        clear()


def register(cls: type[Detector]) -> type[Detector]:
    """Class decorator: make a detector one that every scan runs."""
    return DETECTORS.register(cls)


class Detector(ABC):
    """Base class: subclasses set ``entity``, ``name``, ``names`` and implement ``match``.

    The first line of a subclass's docstring is what ``piiscan detectors`` shows.
    """

    entity: ClassVar[str] = ""
    name: ClassVar[str] = ""
    #: Column-name evidence.
    names: ClassVar[NameRule] = NameRule()
    #: Value kinds this detector reads.
    kinds: ClassVar[frozenset[str]] = frozenset({"string"})
    #: Lower bound of the validated share needed to flag a column from values alone.
    min_rate: ClassVar[float] = 0.5
    #: ... and when the column name supports the claim.
    min_rate_named: ClassVar[float] = 0.2
    #: Values alone never flag (the value check only confirms a telling name).
    requires_name: ClassVar[bool] = False
    #: A telling name over values of the wrong shape is not a finding.
    name_only_needs_shape: ClassVar[bool] = True
    #: Higher wins when two value-shaped detectors claim the same values.
    specificity: ClassVar[int] = 50
    #: Whether the detector searches inside free text (emails in a notes column).
    in_text: ClassVar[bool] = False
    #: Words shown for a validated value, e.g. "Luhn-valid".
    valid_word: ClassVar[str] = "valid"
    #: Under a telling column name, values of the right shape count as found even
    #: without validation (a bare nine-digit SSN, an IMSI, twelve hex digits of a MAC).
    named_shape_counts: ClassVar[bool] = False

    @abstractmethod
    def match(self, view: ValueView) -> Match | None:
        """Check one batch; None when the detector does not apply to these values."""

    @classmethod
    def description(cls) -> str:
        doc = (cls.__doc__ or "").strip().splitlines()
        return doc[0] if doc else cls.entity

    def mask(self, value: str) -> str:
        """Mask one validated value for evidence (default: keep the last two characters)."""
        return mask_tail(value, keep=2)

    # The verdict --------------------------------------------------------------

    def named_for(self, view: ValueView) -> bool:
        """Tell whether the column's name could vouch for values (``named_shape_counts``).

        True when the view has no name (a probe, a caller's own batch): counts
        that only a telling name makes count are then worked out as usual.
        """
        return view.column is None or self.names.evaluate(view.column).score >= 0.5

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        """Decide from the totals and the name whether this column holds the entity."""
        if self.named_shape_counts and name.score >= 0.5 and tally.named_valid > tally.matched:
            # Only values that validate count, the name vouching for their form alone.
            tally = Tally(tally.shaped, tally.named_valid, tally.checked, tally.subsampled,
                          tally.evidence, named_valid=tally.named_valid,
                          specimens=tally.specimens)
        n, k = facts.values, tally.matched
        lower = wilson_lower(k, n)
        reasons: list[str] = []
        if k:
            reasons.append(self._rate_reason(tally, n))
        if name.score > 0:
            reasons.append(name.reason)
        if tally.specimens:
            # Reported, not hidden: a column of advertising SSNs or issuer test cards.
            reasons.append(f"{tally.specimens} known specimen or test values (not counted)")

        named = name.score >= 0.5
        if facts.is_text and self.in_text and k > 0:
            # Free text: a validated email inside a comment is PII however rare.
            conf = min(0.95, 0.5 + 0.45 * min(1.0, k / max(n, 1) * 5))
            reasons[0] = f"found inside free text in {k}/{n} values"
            return self._verdict(conf, tally, n, reasons, True, in_text=True)
        if n > 0 and not self.requires_name and lower >= self.min_rate:
            conf = 0.55 + 0.4 * lower + (0.1 if named else 0.0)
            return self._verdict(min(conf, 0.99), tally, n, reasons, True)
        if 0 < n < SMALL_SAMPLE and (k == n and self.min_rate < 0.5 or named and 2 * k >= n):
            # A table of a few rows cannot give a rate, but every value validating against
            # a strict check (an address, an e-mail) or a telling name is evidence enough:
            # confidence grows with the count.
            conf = 0.5 + 0.04 * n + (0.1 if named else 0.0)
            return self._verdict(min(conf, 0.85), tally, n, reasons, True)
        if named and n > 0 and lower >= self.min_rate_named:
            conf = 0.5 + 0.35 * lower + 0.1 * name.score
            return self._verdict(min(conf, 0.97), tally, n, reasons, True)
        if named and n == 0:
            reasons.append("no values to check: judged from the name alone")
            return self._verdict(0.3 + 0.15 * name.score, tally, n, reasons, False)
        # A telling name over values that do not validate: said as such, at low confidence.
        only = f"name only: {k} of {n} values valid"
        told = [r for r in reasons if r == name.reason or "specimen" in r]
        if named and not self.name_only_needs_shape:
            return self._verdict(0.25 + 0.1 * name.score, tally, n, [only, *told], False)
        if named and n > 0 and tally.shaped and (wilson_lower(tally.shaped, n) >= 0.5 or (
                n < SMALL_SAMPLE and tally.shaped == n)):
            reasons = [only, *told, f"{tally.shaped} of {n} have the form but do not validate"]
            return self._verdict(0.25 + 0.1 * name.score, tally, n, reasons, False)
        return None

    def _rate_reason(self, tally: Tally, n: int) -> str:
        if tally.subsampled:
            return f"{self.valid_word} ~{tally.matched}/{n} (validated a random subset)"
        return f"{self.valid_word} {tally.matched}/{n}"

    def _verdict(self, conf: float, tally: Tally, n: int, reasons: list[str],
                 from_values: bool, in_text: bool = False) -> Verdict:
        return Verdict(
            entity=self.entity,
            confidence=round(conf, 3),
            matched=tally.matched,
            sampled=n,
            reasons=tuple(reasons),
            evidence=tuple(tally.evidence),
            from_values=from_values,
            in_text=in_text,
        )


# Helpers for subclasses ---------------------------------------------------------

def take_evidence(strings: pa.Array, mask: pa.BooleanArray, detector: Detector,
                  limit: int = 3) -> tuple[str, ...]:
    """Mask the first few validated values. Only ``limit`` values ever reach Python."""
    picked = strings.filter(mask).slice(0, limit * 4)
    out: list[str] = []
    for v in picked.to_pylist():
        m = detector.mask(str(v))
        if m not in out:
            out.append(m)
        if len(out) >= limit:
            break
    return tuple(out)


#: Validators that run in Python (IBAN mod-97, international phone numbers, IPv6)
#: see at most this many candidates per batch; past that, a seeded random subset.
MAX_PYTHON_CHECKS = 2_000


@dataclass(frozen=True)
class Checked:
    """What a per-value validator made of a batch's candidates."""

    #: Validated values (estimated from the subset when one was drawn).
    matched: int
    #: Masked examples of validated values.
    evidence: tuple[str, ...]
    #: How many candidates were checked when it was a subset, else None.
    subset: int | None


#: The most candidates a Python validator checks in the current batch, when the
#: engine lowers ``limit`` (per thread: each column's batches run on one thread).
_CHECK_CAP: ContextVar[int | None] = ContextVar("piiscan_check_cap", default=None)


@contextmanager
def python_checks_capped(cap: int | None) -> Iterator[None]:
    """Let per-value validators check at most ``cap`` candidates per batch inside the block.

    A column's share of valid values is known closely after a few batches; past
    that, a full scan draws fewer per batch. Counts stay estimates scaled up from
    the subset (``Checked.subset``), so a share found later still counts.
    """
    token = _CHECK_CAP.set(cap)
    try:
        yield
    finally:
        _CHECK_CAP.reset(token)


def check_limit(limit: int) -> int:
    """``limit``, or the engine's lower cap for this batch (see ``python_checks_capped``)."""
    cap = _CHECK_CAP.get()
    return limit if cap is None else min(limit, cap)


def _checked_part(candidates: pa.Array, limit: int) -> tuple[pa.Array, int | None]:
    """Return the candidates to check and the subset's size (None when all are).

    Beyond ``limit`` (or the engine's cap), a seeded random ``limit`` of them.
    """
    limit = check_limit(limit)
    n = len(candidates)
    if n <= limit:
        return candidates, None
    picks = sorted(random.Random(n).sample(range(n), limit))
    return candidates.take(as_arrow(picks)), limit


def check_each(candidates: pa.Array, is_valid: Callable[[str], bool], detector: Detector,
               limit: int = MAX_PYTHON_CHECKS) -> Checked:
    """Run a Python validator on a pattern's candidates, bounded by ``limit`` per batch."""
    n = len(candidates)
    if n == 0:
        return Checked(0, (), None)
    part, subset = _checked_part(candidates, limit)
    good = [v for v in part.to_pylist() if is_valid(v)]
    return Checked(round(len(good) * n / len(part)),
                   tuple(detector.mask(v) for v in good[:3]), subset)


def check_all(candidates: pa.Array, checks: Callable[[pa.Array], pa.BooleanArray],
              detector: Detector, limit: int = MAX_PYTHON_CHECKS) -> Checked:
    """``check_each`` with an array validator: the same subset, the same counts."""
    n = len(candidates)
    if n == 0:
        return Checked(0, (), None)
    part, subset = _checked_part(candidates, limit)
    good = part.filter(checks(part))
    return Checked(round(len(good) * n / len(part)),
                   tuple(detector.mask(v) for v in good.slice(0, 3).to_pylist()), subset)


def count(mask: pa.BooleanArray | pa.ChunkedArray) -> int:
    """Count the true values of a boolean mask (nulls are not true)."""
    if isinstance(mask, pa.ChunkedArray):
        return sum(chunk.true_count for chunk in mask.chunks)
    return mask.true_count


def mask_tail(value: str, keep: int = 2) -> str:
    """``4111111111111111`` → ``**************11``; short values are fully masked."""
    v = value.strip()
    if len(v) <= keep + 2:
        return "*" * len(v)
    return re.sub(r"[A-Za-z0-9]", "*", v[:-keep]) + v[-keep:]


def mask_digits_keep_last(value: str, keep: int = 4) -> str:
    """Mask every digit but the last ``keep``, keeping separators: ``**** **** **** 1111``."""
    total = sum(ch.isdigit() for ch in value)
    seen = 0
    out = []
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else "*")
        elif ch.isalpha():
            out.append("*")
        else:
            out.append(ch)
    return "".join(out)
