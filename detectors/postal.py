"""Postal codes told by their values, for columns whose name says nothing.

Under ``zip`` or ``postcode`` the name does the work (``detectors.contact``).
A header-less file gives only values: five digits are as often an id, a count
or an amount as a ZIP code, so a column of them counts only beside a street
or city column of the same table (``scanner.core.classify`` checks that).
Canadian (``K1A 0B1``) and British (``SW1A 2AA``) codes have a shape nothing
else has: a column of them is telling on its own. Shapes follow the postal
administrations' formats in ``detectors.regions``.
"""

from __future__ import annotations

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
    take_evidence,
    wilson_lower,
)
from detectors.contact import PostalCodeDetector
from detectors.dates import tells_nothing
from detectors.names import NameEvidence
from detectors.regions import POSTAL_CODES

#: Shapes no other value has: Canadian, British and Irish codes.
_TELLING = "|".join(f"(?:{POSTAL_CODES[c]})" for c in ("CA", "GB", "IE"))
#: Codes of digits: US ZIP and ZIP+4, four- and five-digit European codes, with the
#: country prefix some exports keep (D-80331, CH-8001).
_DIGITS = r"^(?:[A-Z]{1,2}-)?\d{4,5}$|^\d{5}-\d{4}$"
#: Other countries' codes with a separator or letters: Dutch, Polish, Portuguese,
#: Swedish, Brazilian, Japanese.
_OTHER = r"^\d{4} ?[A-Z]{2}$|^\d{2}-\d{3}$|^\d{4}-\d{3}$|^\d{3} \d{2}$|^\d{5}-\d{3}$|^\d{3}-\d{4}$"
#: Postal codes repeat and come in no order; row ids ascend.
_MAX_ASCENDING = 0.9
#: Codes of one country have one length; amounts and counts do not.
_MIN_SAME_LENGTH = 0.8
#: Share of the values that must be postal codes (lower confidence bound).
MIN_SHARE = 0.6
#: Share of them that must be Canadian, British or Irish for the shape to tell alone.
TELLING_SHARE = 0.5


def _digits_look_like_codes(digits: pa.Array) -> bool:
    """Whether a batch's digit codes read as postal codes, not ids or amounts."""
    n = len(digits)
    bare = pc.replace_substring_regex(digits, r"^[A-Z]{1,2}-|-\d{4}$", "")
    numbers = pc.cast(bare, pa.int64())
    if n == 0 or pc.all(pc.and_(pc.equal(pc.utf8_length(bare), 4),
                                pc.and_(pc.greater_equal(numbers, 1800),
                                        pc.less_equal(numbers, 2100)))).as_py():
        return False  # 1987, 2006, 2024: years (of release, of expiry), not codes
    if n == 1:
        return True
    rising = count(pc.greater(numbers.slice(1), numbers.slice(0, n - 1)))
    if rising > _MAX_ASCENDING * (n - 1):
        return False  # 10001, 10002, 10005 ...: row ids
    lengths = pc.value_counts(pc.utf8_length(bare)).field("counts").to_pylist()
    return max(lengths) >= _MIN_SAME_LENGTH * n


@register
class PostalCodeValuesDetector(Detector):
    """Postal codes from values alone: ZIP and European codes, beside a street or city column."""

    entity = "POSTAL_ADDRESS"
    name = "postal_code_values"
    valid_word = "postal-code-shaped"
    # The named detector's words: under them this one stands aside (see judge).
    names = PostalCodeDetector.names
    specificity = 30

    def match(self, view: ValueView) -> Match | None:
        s = view.strings
        if len(s) == 0:
            return None
        head = pc.utf8_upper(s.slice(0, 50))
        if count(pc.match_substring_regex(head, f"{_TELLING}|{_DIGITS}|{_OTHER}")) * 2 < len(head):
            return None  # a cheap first look: most columns hold no postal codes at all
        up = pc.utf8_upper(s)
        telling = pc.match_substring_regex(up, _TELLING)
        digits = pc.and_(pc.match_substring_regex(up, _DIGITS), pc.invert(telling))
        other = pc.and_(pc.match_substring_regex(up, _OTHER),
                        pc.invert(pc.or_(telling, digits)))
        ok = pc.or_(telling, other)
        if count(digits) and _digits_look_like_codes(up.filter(digits)):
            ok = pc.or_(ok, digits)
        k = count(ok)
        shaped = count(pc.or_(ok, digits))
        return Match(shaped, k, take_evidence(s, ok, self), strong=count(telling))

    def _telling(self, tally: Tally) -> bool:
        return tally.matched > 0 and tally.strong >= TELLING_SHARE * tally.matched

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        n, k = facts.values, tally.matched
        if n < SMALL_SAMPLE or not tells_nothing(facts.name) or name.score > 0:
            return None
        if self._telling(tally):
            return None  # PostalShapeDetector's claim: no street or city needed
        lower = wilson_lower(k, n)
        if lower < MIN_SHARE:
            return None
        reasons = [f"inferred from values: {self.valid_word} {k}/{n}"]
        return self._verdict(0.45 + 0.25 * lower, tally, n, reasons, True)

    def mask(self, value: str) -> str:
        return value[:2] + "*" * max(0, len(value) - 2)


@register
class PostalShapeDetector(PostalCodeValuesDetector):
    """Canadian, British and Irish postal codes from values alone: shapes nothing else has."""

    name = "postal_code_shape"
    valid_word = "Canadian, British or Irish postal codes among postal-code-shaped"
    specificity = 35

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        n, k = facts.values, tally.matched
        if n < SMALL_SAMPLE or not tells_nothing(facts.name) or name.score > 0:
            return None
        lower = wilson_lower(k, n)
        if not self._telling(tally) or lower < MIN_SHARE:
            return None
        reasons = [f"inferred from values: {tally.strong} {self.valid_word} {k}/{n}"]
        return self._verdict(0.5 + 0.3 * lower, tally, n, reasons, True)
