"""Billing information: card numbers, bank accounts, credit history."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    ColumnFacts,
    Detector,
    Match,
    Tally,
    ValueView,
    Verdict,
    check_each,
    count,
    mask_digits_keep_last,
    register,
    take_evidence,
)
from detectors.checksums import aba_routing, iban_valid, luhn
from detectors.digits import byte_lengths, numeric_all_digits, numeric_digits
from detectors.fastpaths import among, any_has, as_arrow, where
from detectors.names import NO_EVIDENCE, NameEvidence, NameRule

# 13-19 digits, optionally grouped by single spaces or dashes.
_CARD_SHAPE = r"^(?:\d[ -]?){12,18}\d$"
# Issuer prefixes and lengths (ISO/IEC 7812 IIN ranges as the networks publish them).
_CARD_ISSUER = (
    r"^(?:"
    r"4(?:\d{12}|\d{15}|\d{18})"  # Visa 13, 16, 19
    r"|5[1-5]\d{14}"  # Mastercard
    r"|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}"  # Mastercard 2-series
    r"|3[47]\d{13}"  # American Express
    r"|3(?:0[0-5]|09|6\d|[89]\d)\d{10,15}"  # Diners Club
    r"|35(?:2[89]|[3-8]\d)\d{12,15}"  # JCB
    r"|220[0-4]\d{12,15}"  # Mir
    r"|6\d{11,18}"  # Discover, UnionPay, Maestro 6x, RuPay
    r"|5[06-9]\d{10,17}"  # Maestro, Dankort
    r")$"
)


@register
class CreditCardDetector(Detector):
    """Payment card numbers: issuer prefix and length, then the Luhn checksum."""

    entity = "CREDIT_CARD"
    name = "credit_card"
    kinds = frozenset({"string", "integer"})
    names = NameRule(
        strong=("credit card number", "card number", "credit card", "debit card", "payment card"),
        weak=("card",),
        veto=("type", "brand", "issuer", "holder", "expiry", "expiration", "exp", "expire",
              "expires", "expired", "cvc", "cvv",
              "cvv2", "network", "count", "id", "token", "fingerprint", "last4", "bin"),
    )
    # A strict validator: chance matches are rare, so fewer values convince.
    min_rate = 0.4
    specificity = 90
    valid_word = "Luhn-valid"

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.numeric
        # 13 to 19 digits: an IP address, an SSN, a phone number or an amount is no card.
        digits = numeric_digits(view)
        could = (digits >= 13) & (digits <= 19)
        if not could.any():
            return Match(0, 0)
        # Digits only, 13 to 19 of them, have the shape; values with separators are
        # matched against it.
        plain = could & numeric_all_digits(view)
        shaped_mask = plain | where(s, could & ~plain, _CARD_SHAPE)
        shaped = int(shaped_mask.sum())
        if not shaped:
            return Match(0, 0)
        cand = among(s, shaped_mask)
        digits = pc.replace_substring_regex(cand, r"[ -]", "") if any_has(cand, " ", "-") \
            else cand
        issuer = pc.match_substring_regex(digits, _CARD_ISSUER)
        ok = pc.and_(issuer, luhn(digits))
        return Match(shaped, count(ok), take_evidence(cand, ok, self))

    def mask(self, value: str) -> str:
        return mask_digits_keep_last(value, 4)


_IBAN_SHAPE = r"^[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}$"
# IBAN length per country (ISO 13616 registry): hex strings and codes that start
# like an IBAN rarely have a real country's exact length.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
_IBAN_KEYS = pa.array(sorted(_IBAN_LENGTHS))
_IBAN_LENS = pa.array([_IBAN_LENGTHS[k] for k in sorted(_IBAN_LENGTHS)], pa.int32())


def _may_start_iban(values: pa.Array) -> np.ndarray:
    """Which values may begin as an IBAN does: two letters, two digits (values of 4+ bytes).

    Read from the first bytes: an ASCII letter (either case), then ASCII digits. A
    value with a non-ASCII byte among the first two stays in: under case folding a
    letter such as the long s matches a pattern's [A-Z].
    """
    n = len(values)
    if n == 0 or values.null_count or not pa.types.is_string(values.type) \
            or values.buffers()[2] is None:
        return np.ones(n, dtype=bool)
    starts = np.frombuffer(values.buffers()[1], dtype=np.int32)[
        values.offset:values.offset + n].astype(np.int64)
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    if (byte_lengths(values) < 4).any():
        return np.ones(n, dtype=bool)
    b = [data[starts + i] for i in range(4)]
    letter = [((x | 0x20) - 97) < 26 for x in b[:2]]
    digit = [(x - 48) < 10 for x in b[2:]]
    wide = (b[0] >= 0x80) | (b[1] >= 0x80)
    return (letter[0] & letter[1] & digit[0] & digit[1]) | wide


def iban_length_ok(values: pa.Array) -> pa.BooleanArray:
    """Whether each value's country code and length fit the IBAN registry (vectorized)."""
    compact = pc.replace_substring(values, " ", "")
    where = pc.index_in(pc.utf8_slice_codeunits(compact, 0, 2), value_set=_IBAN_KEYS)
    expected = _IBAN_LENS.take(pc.fill_null(where, 0))
    fits = pc.and_(pc.is_valid(where), pc.equal(pc.utf8_length(compact), expected))
    return pc.fill_null(fits, False)


def _iban_candidates(values: pa.Array) -> pa.Array:
    """Keep the values whose country code and length fit the IBAN registry (vectorized)."""
    if len(values) == 0:
        return values
    return values.filter(iban_length_ok(values))


#: Names of a bank's identifier (which bank, or which branch), not of an account.
_BANK_CODE_NAMES = NameRule(
    strong=("routing number", "routing transit", "sort code", "bank code", "bank number",
            "bank routing", "account routing", "transit number"),
    veto=("name", "type", "city", "address", "country", "fee", "count", "reason", "swift",
          "bic", "description"),
)


@register
class BankAccountDetector(Detector):
    """Bank accounts: IBAN (mod-97) and account numbers in columns named for them.

    A SWIFT/BIC code or a bank code names a bank, not anyone's account: those
    columns are not accounts (see ``BankCodeDetector``).
    """

    entity = "BANK_ACCOUNT"
    name = "bank_account"
    kinds = frozenset({"string", "integer"})
    names = NameRule(
        strong=("iban", "bank account", "checking account", "savings account", "ach account"),
        weak=("bank",),
        veto=("name", "type", "branch", "city", "address", "country", "fee", "count", "swift",
              "bic", "description", "code", "routing", "sort", "transit"),
    )
    specificity = 85
    valid_word = "checksum-valid"

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.numeric
        # An IBAN starts with letters, so it is never among the number-shaped values.
        text = view.of_length(15, 42)
        # Two letters, two digits first (read from the bytes), then the shape,
        # case-blind; only candidates are upper-cased.
        text = among(text, _may_start_iban(text))
        text = text.filter(pc.match_substring_regex(text, _IBAN_SHAPE, ignore_case=True))
        upper = pc.utf8_upper(text)
        iban_mask = pc.match_substring_regex(upper, _IBAN_SHAPE)
        # Four to seventeen digits and nothing else (no pattern needed).
        lengths = byte_lengths(s)
        digits_mask = numeric_all_digits(view) & (lengths >= 4) & (lengths <= 17)
        shaped = count(iban_mask) + int(digits_mask.sum())
        ibans = check_each(_iban_candidates(upper.filter(iban_mask)), iban_valid, self)
        return Match(shaped, ibans.matched, ibans.evidence, ibans.subset)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        if name.score < 0.9 and _BANK_CODE_NAMES.evaluate(facts.name).score >= 0.5:
            # `bank_number`: the bank, not the account.
            name = NO_EVIDENCE
        verdict = super().judge(tally, facts, name)
        if verdict is None and name.score >= 0.9 and tally.shaped and facts.values:
            # Plain account numbers carry no checksum: a bank-account name over
            # digit strings is the evidence.
            share = tally.shaped / facts.values
            if share >= 0.8:
                reasons = (name.reason, f"{tally.shaped}/{facts.values} values are digit strings")
                return Verdict(self.entity, round(0.55 + 0.3 * share, 3), tally.shaped,
                               facts.values, reasons, tuple(tally.evidence), True)
        return verdict

    def mask(self, value: str) -> str:
        return mask_digits_keep_last(value, 4)


#: A UK sort code as written: 12-34-56.
_SORT_CODE = r"^\d{2}-\d{2}-\d{2}$"


@register
class BankCodeDetector(Detector):
    """Bank codes beside a customer's account: US ABA routing numbers (checksum), sort codes.

    A routing number or a bank code (BLZ, sort code) names a bank. It is part of
    someone's bank details in a table that also holds an account, a card or a
    personal identifier; a directory of banks (codes, BICs, bank names) names
    institutions, and the engine drops the claim there.
    """

    entity = "BANK_ACCOUNT"
    name = "bank_code"
    kinds = frozenset({"string", "integer"})
    names = _BANK_CODE_NAMES
    specificity = 84
    valid_word = "checksum-valid"
    # Under a bank-code name, digit groups of a code's length count without a checksum
    # (a German BLZ, a UK sort code carry none).
    named_shape_counts = True

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.numeric
        # Three to nine digits and nothing else (no pattern needed), or a sort code
        # (six digits in eight characters).
        lengths = byte_lengths(s)
        plain = numeric_all_digits(view) & (lengths >= 3) & (lengths <= 9)
        sort = where(s, (lengths == 8) & (numeric_digits(view) == 6), _SORT_CODE)
        shaped = int((plain | sort).sum())
        if not shaped:
            return Match(0, 0)
        nine = plain & (lengths == 9)
        matched = 0
        evidence: tuple[str, ...] = ()
        if nine.any():
            routing = s.filter(as_arrow(nine))
            ok = aba_routing(routing)
            matched = count(ok)
            evidence = take_evidence(routing, ok, self)
        return Match(shaped, matched, evidence)

    def mask(self, value: str) -> str:
        return mask_digits_keep_last(value, 2)


@register
class CreditHistoryDetector(Detector):
    """Credit history and reporting: credit scores, ratings, delinquencies, bankruptcies."""

    entity = "CREDIT_HISTORY"
    name = "credit_history"
    valid_word = "in score or count range"
    kinds = frozenset({"string", "integer", "float"})
    names = NameRule(
        strong=("credit score", "fico", "credit rating", "credit history", "credit report",
                "delinquency", "delinquent", "delinquencies", "bankruptcy", "bankruptcies",
                "days past due", "past due", "charge off", "chargeoff", "collections",
                "credit check", "vantage score", "vantagescore", "credit bureau", "risk score",
                "credit limit", "credit class", "credit tier"),
        veto=("card", "number", "type"),
    )
    requires_name = True
    name_only_needs_shape = False

    def match(self, view: ValueView) -> Match | None:
        if view.kind in {"integer", "float"} or len(view.numbers):
            nums = view.numbers
            # FICO and VantageScore run 300-850; day counts and flags are small numbers.
            ok = pc.or_(pc.and_(pc.greater_equal(nums, 300), pc.less_equal(nums, 850)),
                        pc.and_(pc.greater_equal(nums, 0), pc.less_equal(nums, 3650)))
            k = count(ok)
            return Match(k, k)
        s = view.strings
        if len(s) == 0:
            return None
        ok = pc.less_equal(pc.utf8_length(s), 40)
        k = count(ok)
        return Match(k, k)
