"""PII inside values: card numbers, SSNs, emails, phones, IPs, IBANs, MACs, IMEIs, accounts.

Notes, comments, URLs, JSON payloads and log lines hold personal data that is
not the whole value of a column. Every string column is searched, whatever its
average length, and the question asked is "does this column ever hold X", not
"is this column X": one validated card number in 10,000 notes is a finding.

How a value is decided (per value, never per column average):

1. One RE2 pass over the whole Arrow array with every entity's pattern keeps the
   values holding any candidate (``pc.match_substring_regex``, unanchored).
2. For each entity, ``pc.extract_regex`` runs on those values only and pulls out
   the first candidate with up to 40 characters before it and 24 after it (the
   context). A candidate glued to letters, digits or dashes (``ORD-123-45-6789``,
   ``v10.2.1.5``, a UUID's digit groups) is no candidate. When a value's first
   candidate fails, it is cut out and the next one is tried (three in all).
3. The validator decides: Luhn plus issuer prefix (cards), SSA area/group/serial
   rules (SSNs), an existing top-level domain (emails), libphonenumber's
   numbering plan (phones), octet ranges and ``ipaddress`` (IPs), mod-97 and the
   country's length (IBANs), the Luhn check digit and reporting body (IMEIs).
4. Context decides what validation cannot. A telling word or key next to the
   candidate (``ssn``, ``card``, ``visa``, ``imei``, ``"ssn": ...``,
   ``?phone=...``) is context; a look-alike word right before it (``order``,
   ``invoice``, ``tracking``, ``ref``, ``#``, ``version``) rejects it unless
   context says otherwise. Shapes that are common look-alikes count only with
   context: a bare 9-digit SSN, a run of 13-19 digits for a card, ten bare digits
   for a phone, fifteen bare digits for an IMEI.

Log lines add their own forms: an address with its port (``203.0.113.7:51234``,
``[2001:db8::1]:443``), netfilter's ``MAC=`` (the Ethernet header: both MACs and
an EtherType), and accounts, which have no checksum and count only where the
line says so: under a key the account rules accept (``AccountID="1001"``,
``user=jdoe``), as a SIP URI's user part, or as ``user 1001@host`` / ``for [1001]``.

A finding's confidence reflects the validation and the context: for example
0.95 for an SSN next to ``ssn``, 0.7 for a dashed SSN with no telling word.
Entities that are the whole value of a column are left to the value
detectors; these report only values in which the entity is part of the text.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import ClassVar

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
    filter_if_any,
    mask_digits_keep_last,
    register,
)
from detectors.checksums import iban_valid, luhn
from detectors.contact import (
    _STREET_SUFFIX,
    StreetAddressDetector,
    known_tlds,
    nanp_pattern,
)
from detectors.fastpaths import any_has, as_arrow, holding, match_regex, pattern_for
from detectors.financial import iban_length_ok
from detectors.identity import (
    AccountIdDetector,
    DateOfBirthDetector,
    PersonNameDetector,
    UserNameDetector,
)
from detectors.names import NameEvidence, NameRule, tokenize
from detectors.network import names_a_network

#: Characters of context kept before and after a candidate.
_BEFORE = 40
_AFTER = 24
#: Candidates tried per value: the first, and the next two when one fails.
_ROUNDS = 3
#: Words that make a number a look-alike when they come right before it.
_LOOKALIKE = (
    r"(?i)(?:^|[^a-z])(?:order|ord|invoice|inv|ref|reference|ticket|tkt|case|tracking|track|"
    r"shipment|parcel|confirmation|conf|po|sku|serial|sn|txn|transaction|receipt|claim|id|"
    r"account|acct|customer|cust|member|booking|reservation|job|batch|build|lot|part|model|"
    r"no|num|number|nr|#)[^a-z0-9]{0,4}$"
)
#: Fields end at these characters: context must sit in the candidate's own field.
_FIELD = r"[^,;&|{}\n]"
#: Around a number: not glued to a word, a dash, a dot or a slash, and not one group
#: of a longer run of digit groups ("4000 1234 5678 9010 1234 56" is a tracking number).
_NUM_BEFORE = r"[^\w./ -]|[^\d] "
_NUM_AFTER = r"[^\w/ .-]|[ .-](?:$|\D)"


def _context_before(words: str) -> str:
    return rf"(?i)(?:^|[^a-z])(?:{words})(?:[^a-z]{_FIELD}*)?$"


def _context_after(words: str) -> str:
    return rf"(?i)^{_FIELD}{{0,8}}(?:{words})(?:[^a-z]|$)"


def _decode_percent(values: pa.Array) -> pa.Array:
    """Undo the URL escapes that hide PII in query strings (``jane%40example.com``)."""
    pct = pc.match_substring(values, "%")
    if not pc.any(pct).as_py():
        return values
    decoded = values
    for code, char in (("40", "@"), ("2B", "+"), ("2D", "-"), ("2E", "."), ("20", " "),
                       ("3A", ":"), ("3D", "="), ("26", "&"), ("22", '"'), ("28", "("),
                       ("29", ")")):
        for variant in {code, code.lower()}:
            decoded = pc.replace_substring(decoded, "%" + variant, char)
    return pc.if_else(pct, decoded, values)


class EmbeddedDetector(Detector):
    """Base class of the detectors that search inside values."""

    kinds = frozenset({"string"})
    in_text = True
    #: Embedded findings come from the values; the column name is not asked.
    names = NameRule()
    #: The entity inside text: RE2, no anchors, no capture groups.
    span: ClassVar[str] = ""
    #: A character allowed right before / after the candidate (besides the text's ends).
    before: ClassVar[str] = r"[^\w-]"
    after: ClassVar[str] = r"[^\w-]"
    #: Words (RE2 alternation) that make a candidate strong when next to it.
    context: ClassVar[str] = ""
    #: Words right before a candidate that make it a look-alike.
    lookalike: ClassVar[str] = _LOOKALIKE
    #: Candidates tried per value.
    rounds: ClassVar[int] = _ROUNDS
    #: Confidence of a finding without and with context.
    base_conf: ClassVar[float] = 0.7
    context_conf: ClassVar[float] = 0.92

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        """Which candidate spans are the entity (vectorized; Python only on candidates)."""
        return pc.is_valid(spans)

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        """Which spans count only next to a telling word (look-alike shapes)."""
        return pc.is_null(spans)

    def context_mask(self, pre: pa.Array, post: pa.Array) -> pa.BooleanArray:
        """Which candidates have a telling word or key next to them (in their own field)."""
        return pc.or_(pc.match_substring_regex(pre, _context_before(self.context)),
                      pc.match_substring_regex(post, _context_after(self.context)))

    def rows(self, view: ValueView) -> pa.Array:
        """Return the batch's values worth searching for this entity."""
        return searched(view)

    def _parts(self, ex: pa.Array) -> tuple[pa.Array, pa.Array]:
        """Return what matched before the candidate (its allowed character) and the candidate."""
        return pc.struct_field(ex, "b"), pc.struct_field(ex, "x")

    # The search ----------------------------------------------------------------

    def _extract_pattern(self) -> str:
        # The candidate only: its context is cut out of the value by byte position
        # afterwards (capturing ".{0,40}?" around it makes RE2 several times slower).
        return rf"(?s)(?P<b>^|{self.before})(?P<x>{self.span})(?:$|{self.after})"

    def _cut_pattern(self) -> str:
        return rf"(?s)(?:^|{self.before})(?:{self.span})(?:$|{self.after})"

    def match(self, view: ValueView) -> Match | None:
        if view.kind != "string" or view.count == 0:
            return None
        rows = self.rows(view)
        if len(rows) == 0:
            return Match(0, 0)
        # Values whose only candidates are glued to a word or a longer run are out at once.
        # (Their ASCII forms where the text is ASCII: it stays so as it is narrowed.)
        extract, cut = (pattern_for(rows, p) for p in (self._extract_pattern(),
                                                        self._cut_pattern()))
        rows = filter_if_any(rows, pc.match_substring_regex(rows, cut))
        if len(rows) == 0:
            return Match(0, 0)
        lengths = pc.utf8_length(rows)
        found = np.zeros(len(rows), dtype=bool)
        strong = np.zeros(len(rows), dtype=bool)
        spans_ok: list[pa.Array] = []
        shaped = 0
        idx = as_arrow(np.arange(len(rows), dtype=np.int64))
        text = rows
        for round_ in range(self.rounds):
            ex = pc.extract_regex(text, extract)
            hit = pc.is_valid(ex)
            if not pc.any(hit).as_py():
                break
            where = pc.indices_nonzero(hit)
            ex, text, idx = ex.take(where), text.take(where), idx.take(where)
            if round_ == 0:
                shaped = len(idx)
            b, x = self._parts(ex)
            start = pc.add(pc.find_substring_regex(text, cut), pc.binary_length(b))
            end = pc.add(start, pc.binary_length(x))
            start, end = start.to_numpy(), end.to_numpy()
            pre = _window(text, start - _BEFORE - 1, start)
            post = _window(text, end, end + _AFTER)
            ctx = self.context_mask(pre, post)
            lookalike = pc.and_(pc.match_substring_regex(pre, self.lookalike), pc.invert(ctx))
            # The whole value is the value detectors' business, not an embedded finding.
            part = pc.less(pc.utf8_length(x), lengths.take(idx))
            ok = pc.and_(pc.and_(part, pc.invert(lookalike)),
                         pc.or_(pc.invert(self.needs_context(x)), ctx))
            ok = pc.and_(pc.fill_null(ok, False), pc.fill_null(self.validate(x), False))
            if pc.any(ok).as_py():
                mark = pc.indices_nonzero(ok)
                found[idx.take(mark).to_numpy()] = True
                strong[idx.filter(pc.and_(ok, ctx)).to_numpy()] = True
                spans_ok.append(x.take(mark))
            # Values whose candidate failed try their next candidate.
            again = pc.invert(ok)
            if not pc.any(again).as_py():
                break
            text = pc.replace_substring_regex(text.filter(again), cut, " ; ", max_replacements=1)
            idx = idx.filter(again)
        evidence: list[str] = []
        for arr in spans_ok:
            for v in arr.slice(0, 6).to_pylist():
                masked = self.mask(str(v))
                if masked not in evidence:
                    evidence.append(masked)
            if len(evidence) >= 3:
                break
        return Match(shaped, int(found.sum()), tuple(evidence[:3]), strong=int(strong.sum()))

    # The verdict ---------------------------------------------------------------

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        k, n = tally.matched, facts.values
        if k == 0 or n == 0:
            return None
        conf = self.context_conf if tally.strong else self.base_conf
        if k >= 3:
            conf += 0.03
        reasons = [f"{self.valid_word} inside {k:,} of {n:,} values searched"]
        if tally.strong:
            reasons.append(f"{tally.strong:,} next to a telling word or key")
        return Verdict(entity=self.entity, confidence=round(min(conf, 0.99), 3), matched=k,
                       sampled=n, reasons=tuple(reasons), evidence=tuple(tally.evidence),
                       from_values=True, in_text=True)


def searched(view: ValueView) -> pa.Array:
    """Return the values of one batch worth searching, shared by every embedded detector.

    Values made of digits and separators only are the value detectors' (a phone
    column); of the rest (``candidates``), those holding a candidate of some
    embedded pattern and not being one whole are kept, then URL-decoded. Cached
    on the batch's view.
    """
    cached = view.__dict__.get("_embedded_rows")
    if cached is not None:
        return cached
    text = candidates(view)
    facts = _facts(view)
    if len(text):
        # A value that is an entity and nothing else is the value detectors' business.
        # This anchored pass comes first: it fails fast on text, and it empties a
        # column of e-mails or addresses before the unanchored one.
        text = filter_if_any(text, pc.invert(
            match_regex(text, f"^(?:{_gate()})$")))
    if len(text) and facts.keyed_or_account:
        # The candidates' pass also let in key and account words: keep the values
        # holding a candidate of a searcher.
        text = filter_if_any(text, match_regex(text, facts.gate))
    if len(text) and facts.percent:
        text = _decode_percent(text)
    view.__dict__["_embedded_rows"] = text
    return text


@dataclass(frozen=True)
class _Facts:
    """What one search of a batch's bytes says about the embedded patterns worth running."""

    #: A value may hold a URL escape (``%40``).
    percent: bool
    #: A value may hold a key of ``_KEY_GATE`` (it needs a ``:`` or ``=``).
    keys: bool
    #: A value may hold an account form (``:`` or ``=``, or a blank and ``@`` or ``]``).
    accounts: bool

    @property
    def keyed_or_account(self) -> bool:
        return self.keys or self.accounts

    @property
    def gate(self) -> str:
        """The searchers' pattern for this batch's raw values.

        Where no value holds a URL escape, a value is worth searching only when some
        searcher's candidate stands apart from the text around it (each detector's
        own first pass, ``_cut_pattern``): a digit run glued to a word is out at once.
        An escaped value may free its candidate once decoded, so such batches keep
        the bare candidates.
        """
        return _gate() if self.percent else _cut_gate()


def _facts(view: ValueView) -> _Facts:
    """Return (and cache on the view) what the bytes of the batch's text allow."""
    cached = view.__dict__.get("_embedded_facts")
    if cached is not None:
        return cached
    colon, equals, at, bracket, blank, tab, percent = holding(
        view.textual, ":", "=", "@", "]", " ", "\t", "%")
    facts = _Facts(percent=percent, keys=colon or equals,
                   accounts=colon or equals or ((blank or tab) and (at or bracket)))
    view.__dict__["_embedded_facts"] = facts
    return facts


def candidates(view: ValueView) -> pa.Array:
    """Return the textual values holding anything some embedded detector searches for.

    One RE2 pass over the whole batch with every searcher's pattern, the keys that
    name a person or address and the account forms, combined into one pattern: on
    free text nearly all values fail it, and each detector's own pass then reads
    the few that are left. The key and account forms enter only where the batch's
    bytes allow them (see ``_facts``). Cached on the batch's view.
    """
    cached = view.__dict__.get("_embedded_candidates")
    if cached is not None:
        return cached
    text = view.textual
    if len(text):
        facts = _facts(view)
        parts = [facts.gate]
        if facts.keys:
            parts.append(_KEY_GATE)
        if facts.accounts:
            # The account forms enter by their words alone (a superset: each reader
            # filters by its own pattern after): their counted repetitions would make
            # this pass slow.
            parts.append(_ACCOUNT_HINT)
        text = filter_if_any(text, match_regex(text, "|".join(f"(?:{p})" for p in parts)))
    view.__dict__["_embedded_candidates"] = text
    return text


@functools.cache
def _gate() -> str:
    spans = [cls.span for cls in _SEARCHERS]
    return "|".join(f"(?:{s})" for s in spans)


@functools.cache
def _cut_gate() -> str:
    return "|".join(f"(?:{cls()._cut_pattern()})" for cls in _SEARCHERS)


def _window(text: pa.Array, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
    """Bytes ``[lo, hi)`` of each value (clipped to the value), as a binary array.

    Context words are ASCII, so a window that cuts a multi-byte character at its
    edge loses nothing; binary keeps RE2 from rejecting the cut character.
    """
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=text.offset + n + 1)
    offsets = offsets[text.offset:].astype(np.int64)
    data_buf = text.buffers()[2]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else \
        np.zeros(0, dtype=np.uint8)
    begin, finish = offsets[:-1], offsets[1:]
    a = np.clip(begin + lo, begin, finish)
    b = np.clip(begin + hi, a, finish)
    lengths = b - a
    new_offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=new_offsets[1:])
    gather = np.repeat(a - new_offsets[:-1], lengths) + np.arange(new_offsets[-1])
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(new_offsets),
                                                  pa.py_buffer(data[gather].tobytes())])


def _digits(spans: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(spans, r"\D", "")


def _has_separator(spans: pa.Array) -> pa.BooleanArray:
    return pc.match_substring_regex(spans, r"\D")


def _python_check(spans: pa.Array, where: pa.BooleanArray, check) -> pa.BooleanArray:  # noqa: ANN001
    """Run a Python validator on the candidates ``where`` marks (the others stay False)."""
    out = np.zeros(len(spans), dtype=bool)
    pick = pc.indices_nonzero(pc.fill_null(where, False))
    if len(pick):
        values = spans.take(pick).to_pylist()
        out[pick.to_numpy()] = [bool(check(v)) for v in values]
    return as_arrow(out)


# --- the entities ---------------------------------------------------------------------

_SSN_VALID = (r"^(?:00[1-9]|0[1-9]\d|[1-57-8]\d\d|6[0-57-9]\d|66[0-57-9])"
              r"(?:0[1-9]|[1-9]\d)(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})$")
_SSN_FAKE = pa.array(["078051120", "219099999", "123456789", "111111111", "999999999"])


@register
class EmbeddedSSNDetector(EmbeddedDetector):
    """US SSNs inside text: SSA rules, dashed or next to a telling word ("ssn", "social")."""

    entity = "US_SSN"
    name = "embedded_us_ssn"
    valid_word = "SSA-valid"
    span = r"\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9}"
    before = _NUM_BEFORE
    after = _NUM_AFTER
    context = (r"ssn|ssns|ss#|ss no|ssno|social security|social sec|soc sec|social|"
               r"tax id|taxid|taxpayer id|tin|itin")
    base_conf = 0.7
    context_conf = 0.95

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        d = _digits(spans)
        return pc.and_(pc.match_substring_regex(d, _SSN_VALID),
                       pc.invert(pc.is_in(d, value_set=_SSN_FAKE)))

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        # Only the dashed form is an SSN on its own; nine bare digits are a ZIP+4,
        # an order or a routing number as often.
        return pc.invert(pc.match_substring(spans, "-"))

    def mask(self, value: str) -> str:
        return "***-**-" + value[-4:]


# Issuers a card number in text must belong to (stricter than the column detector:
# a bare "6" prefix of any length would admit too many order numbers).
_CARD_ISSUER = (
    r"^(?:4\d{15}|4\d{18}|5[1-5]\d{14}|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}"
    r"|3[47]\d{13}|3(?:0[0-5]|[68]\d)\d{11}|6(?:011|5\d\d|4[4-9]\d)\d{12}"
    r"|35(?:2[89]|[3-8]\d)\d{12}|62\d{14,17})$"
)


@register
class EmbeddedCardDetector(EmbeddedDetector):
    """Card numbers inside text: issuer prefix and Luhn; bare digit runs only next to "card"."""

    entity = "CREDIT_CARD"
    name = "embedded_credit_card"
    valid_word = "Luhn-valid card number"
    span = (r"\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}(?:[ -]\d{3})?|\d{4}[ -]\d{6}[ -]\d{4,5}"
            r"|\d{13,19}")
    before = _NUM_BEFORE
    after = _NUM_AFTER
    context = (r"card|cards|visa|mastercard|master card|amex|american express|discover|"
               r"diners|jcb|cc|ccn|cc#|credit|debit|payment|pan|cardnumber|card_number")
    base_conf = 0.8
    context_conf = 0.95

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        d = _digits(spans)
        one_sep = pc.invert(pc.and_(pc.match_substring(spans, " "),
                                    pc.match_substring(spans, "-")))
        repeated = pc.match_substring_regex(d, r"^(?:0+|1+|2+|3+|4+|5+|6+|7+|8+|9+)$")
        return pc.and_(pc.and_(pc.match_substring_regex(d, _CARD_ISSUER), luhn(d)),
                       pc.and_(one_sep, pc.invert(repeated)))

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        # Grouped 4-4-4-4 is how people write a card; a bare digit run is as often an
        # order, a tracking or an account number.
        return pc.invert(_has_separator(spans))

    def mask(self, value: str) -> str:
        return mask_digits_keep_last(value, 4)


@register
class EmbeddedEmailDetector(EmbeddedDetector):
    """Email addresses inside text, URLs and JSON: shape and an existing top-level domain."""

    entity = "EMAIL_ADDRESS"
    name = "embedded_email"
    valid_word = "valid address"
    span = r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    before = r"[^\w.%+-]"
    after = r"[^\w-]"
    context = r"email|e-mail|mail|mailto"
    lookalike = r"$^"
    base_conf = 0.9
    context_conf = 0.95

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        tld = pc.utf8_lower(pc.struct_field(pc.extract_regex(spans, r"\.(?P<t>[A-Za-z]+)$"),
                                            [0]))
        local = pc.struct_field(pc.extract_regex(spans, r"^(?P<l>[^@]+)@"), [0])
        sane = pc.invert(pc.match_substring_regex(local, r"^\.|\.\.|\.$"))
        return pc.and_(pc.is_in(tld, value_set=known_tlds()), sane)

    def mask(self, value: str) -> str:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"


def _intl_phone_valid(value: str) -> bool:
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False


@register
class EmbeddedPhoneDetector(EmbeddedDetector):
    """Phone numbers inside text (libphonenumber's plan); ten bare digits only next to "call"."""

    entity = "PHONE_NUMBER"
    name = "embedded_phone"
    valid_word = "valid number"
    span = (r"\+1[ .-]?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}|\(\d{3}\) ?\d{3}[ .-]?\d{4}"
            r"|\d{3}[ .-]?\d{3}[ .-]?\d{4}|\+[2-9]\d{0,2}[ .-]?(?:\d[ .-]?){6,12}\d")
    before = r"[^\w.+/ -]|[^\d+] "
    after = _NUM_AFTER
    context = (r"phone|phones|call|called|calling|calls|cell|cellphone|mobile|mob|tel|"
               r"telephone|fax|contact|reach|text|sms|msisdn|ph|callback|dial|whatsapp")
    base_conf = 0.7
    context_conf = 0.9

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        d = _digits(spans)
        intl = pc.and_(pc.starts_with(spans, "+"), pc.invert(pc.starts_with(spans, "+1")))
        national = pc.if_else(pc.equal(pc.utf8_length(d), 11),
                              pc.utf8_slice_codeunits(d, 1, 11), d)
        nanp = pc.and_(pc.invert(intl),
                       pc.and_(pc.equal(pc.utf8_length(national), 10),
                               pc.match_substring_regex(national, nanp_pattern())))
        # Separators, when there are several, are the same character (212-555-0187).
        seps = pc.replace_substring_regex(spans, r"[\d()+]", "")
        mixed = pc.match_substring_regex(seps, r"^(?:.*-.*\..*|.*\..*-.*)$")
        nanp = pc.and_(nanp, pc.invert(mixed))
        return pc.or_(nanp, _python_check(spans, intl, _intl_phone_valid))

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        # Ten bare digits are as often an epoch timestamp or an invoice number.
        return pc.match_substring_regex(spans, r"^\+?\d+$")

    def mask(self, value: str) -> str:
        return mask_digits_keep_last(value, 2)


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H = r"[0-9A-Fa-f]{1,4}"
_IPV6 = rf"(?:{_H}:){{7}}{_H}|(?:{_H}:){{1,6}}:(?:{_H}:){{0,5}}{_H}|(?:{_H}:){{2,7}}:"
_VERSION = (r"(?i)(?:(?:^|[^a-z])(?:v|ver|version|versions|build|release|rel|firmware|fw|sw|"
            r"rev|revision|update|patch|kernel|bios|driver|sdk|api|oid|mib|snmp)[^a-z0-9]{0,3}"
            r"|[a-z]/)$")


def _ipv6_valid(value: str) -> bool:
    try:
        addr = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return not (addr.is_unspecified or addr.is_loopback)


#: The key right before an address that is the network's own configuration: a subnet,
#: a netmask, the bounds of a DHCP range or pool (``InfobloxRangeStart=``, ``pool_end:``).
_NETWORK_KEY = (r"(?i:(?:subnet|netmask|broadcast|network|(?:range|pool|scope)[ _-]?"
                r"(?:start|end|begin|from|to|low|high|first|last)|(?:start|end|first|last)"
                r"[ _-]?(?:range|pool))[\"']?\s*[:=]\s*[\"']?)$")


@register
class EmbeddedIPDetector(EmbeddedDetector):
    """IPv4 and IPv6 addresses inside text and log lines (not version strings like v10.2.1.5)."""

    entity = "IP_ADDRESS"
    name = "embedded_ip_address"
    valid_word = "valid address"
    # With its prefix length when it has one: ``10.50.0.0/20`` names a network.
    span = rf"(?:{_IPV4})(?:/\d{{1,2}})?|(?:{_IPV6})(?:/\d{{1,3}})?"
    before = r"[^\w.:-]"
    # An address may carry its port (``203.0.113.7:51234``, ``[2001:db8::1]:443``, the
    # client of an HAProxy or OpenVPN line).
    after = r"[^\w.:-]|[.:](?:$|\s)|:\d{1,5}(?:$|[^\w.:-])"
    context = (r"ip|ips|ipv4|ipv6|addr|address|from|client|remote|host|src|dst|source|origin|"
               r"forwarded|login|logged in")
    lookalike = rf"{_VERSION}|{_NETWORK_KEY}"
    base_conf = 0.8
    context_conf = 0.9

    def rows(self, view: ValueView) -> pa.Array:
        # A forwarded-for chain (``198.51.100.4, 10.0.0.2, 10.0.0.3``) is all digits and
        # separators, which the other searchers leave to the value detectors; its
        # addresses are searched here.
        text = searched(view)
        if view.kind != "string":
            return text
        chains = view.numeric
        if not any_has(chains, ","):
            return text
        chains = filter_if_any(chains, pc.match_substring_regex(chains, r"\d[.:][\d.:]*\s*,"))
        return pa.concat_arrays([text, chains]) if len(chains) else text

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        bare = pc.replace_substring_regex(spans, r"/\d+$", "")
        six = pc.match_substring(bare, ":")
        four = pc.and_(pc.invert(six),
                       pc.invert(pc.match_substring_regex(bare, r"^(?:0|127|255)\.")))
        ok = pc.or_(four, _python_check(bare, six, _ipv6_valid))
        # A subnet or a route names a network, no one's address; a host written with
        # its prefix (``192.0.2.17/24``, as interfaces list it) is an address.
        network = _python_check(spans, pc.match_substring(spans, "/"), names_a_network)
        return pc.and_(ok, pc.invert(network))

    def mask(self, value: str) -> str:
        if ":" in value:
            return ":".join(value.split(":")[:2]) + ":****"
        return ".".join(value.split(".")[:3]) + ".*"


_HX = r"[0-9A-Fa-f]{2}"


@register
class EmbeddedMacDetector(EmbeddedDetector):
    """MAC addresses inside text and log lines (colon, dash or Cisco dotted notation)."""

    entity = "MAC_ADDRESS"
    name = "embedded_mac_address"
    valid_word = "valid MAC"
    # Netfilter's LOG target (iptables, nftables, Proxmox and UFW logs) writes the whole
    # Ethernet header as MAC=: destination MAC, source MAC and EtherType, 14 octets.
    # A DHCP client identifier of hardware type 1 (RFC 2132, option 61) is the client's
    # Ethernet MAC behind a 01 octet: ``01:00:50:56:81:4d:d7``.
    span = (rf"{_HX}(?::{_HX}){{13}}|01(?::{_HX}){{6}}|{_HX}(?::{_HX}){{5}}"
            rf"|{_HX}(?:-{_HX}){{5}}|[0-9A-Fa-f]{{4}}\.[0-9A-Fa-f]{{4}}\.[0-9A-Fa-f]{{4}}")
    before = r"[^\w.:-]"
    after = r"[^\w.:-]|[.:](?:$|\s)"
    context = (r"mac|macs|mac address|hw|hwaddr|hardware|ether|ethernet|wifi|wi-fi|bssid|"
               r"device|cpe|modem|router|ont|station|client")
    lookalike = _VERSION
    base_conf = 0.8
    context_conf = 0.9

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        hexes = pc.utf8_lower(pc.replace_substring_regex(spans, r"[:.-]", ""))
        one = pc.invert(pc.match_substring_regex(hexes, r"^(?:0{12}|f{12})$"))
        # A link-layer header: an EtherType (0x0600 and up), and a source or destination
        # that is an address (a loopback header is all zeros).
        header = pc.and_(
            pc.match_substring_regex(hexes, r"^[0-9a-f]{24}(?:0[6-9a-f]|[1-9a-f][0-9a-f])"
                                            r"[0-9a-f]{2}$"),
            pc.invert(pc.match_substring_regex(hexes, r"^(?:0{24}|f{24})")))
        six = pc.equal(pc.utf8_length(hexes), 12)
        # A type-1 client identifier: the MAC after the 01 octet.
        client = pc.match_substring_regex(hexes, r"^01[0-9a-f]{12}$")
        client_mac = pc.invert(pc.match_substring_regex(hexes, r"^01(?:0{12}|f{12})$"))
        return pc.if_else(six, one, pc.if_else(client, client_mac, header))

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        # Three dotted groups of plain digits read as a version or an id as often.
        return pc.match_substring_regex(spans, r"^[\d.]+$")

    def mask(self, value: str) -> str:
        sep = ":" if ":" in value else ("-" if "-" in value else ".")
        parts = value.split(sep)
        if len(parts) == 14:
            # Both addresses of a link-layer header, destination then source.
            return " ".join(sep.join(p[:3] + ["**"] * 3) for p in (parts[:6], parts[6:12]))
        return sep.join(parts[:3] + ["**"] * (len(parts) - 3))


# Reporting bodies that allocate IMEI type allocation codes (first two digits).
_IMEI_RBI = r"^(?:01|10|30|33|35|44|45|49|50|51|52|53|54|86|91|98|99)"


@register
class EmbeddedIMEIDetector(EmbeddedDetector):
    """IMEIs inside text: Luhn check digit and reporting body; bare digits only next to "imei"."""

    entity = "DEVICE_ID"
    name = "embedded_imei"
    valid_word = "IMEI check digit valid"
    span = r"\d{2}-\d{6}-\d{6}-\d|\d{2} \d{6} \d{6} \d|\d{15}"
    before = _NUM_BEFORE
    after = _NUM_AFTER
    context = r"imei|imeis|handset|device|equipment|esn|serial|phone serial"
    base_conf = 0.75
    context_conf = 0.9

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        d = _digits(spans)
        return pc.and_(pc.match_substring_regex(d, _IMEI_RBI), luhn(d, range(15, 16)))

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        return pc.invert(_has_separator(spans))

    def mask(self, value: str) -> str:
        return mask_digits_keep_last(value, 2)


@register
class EmbeddedIBANDetector(EmbeddedDetector):
    """IBANs inside text: the country's length and the mod-97 check."""

    entity = "BANK_ACCOUNT"
    name = "embedded_iban"
    valid_word = "mod-97 valid IBAN"
    span = r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?"
    before = r"[^\w-]"
    after = r"[^\w-]"
    context = r"iban|bank|account|acct|sepa|transfer|wire"
    lookalike = r"$^"
    base_conf = 0.9
    context_conf = 0.95

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        return _python_check(spans, iban_length_ok(spans), iban_valid)

    def mask(self, value: str) -> str:
        compact = value.replace(" ", "")
        return compact[:2] + "*" * (len(compact) - 6) + compact[-4:]


_SEARCHERS: tuple[type[EmbeddedDetector], ...] = (
    EmbeddedSSNDetector, EmbeddedCardDetector, EmbeddedEmailDetector, EmbeddedPhoneDetector,
    EmbeddedIPDetector, EmbeddedMacDetector, EmbeddedIMEIDetector, EmbeddedIBANDetector,
)


# --- key=value text: the key names the value ------------------------------------------

#: Keys that may name a birth date, a person or an address (a cheap first pass; the
#: value detectors' name rules decide on the key itself).
_KEY_GATE = (r"(?i)(?:birth|dob|bday|born|name|addr|street)[\w.-]{0,30}[\"']?\s*[:=]")
#: The key right before a value: ``dob=``, ``"first_name": "``, ``birth_date: ``.
_KEY_BEFORE = r"(?P<k>[A-Za-z_][A-Za-z0-9_.-]{0,40})[\"']?\s*[:=]\s*[\"']?$"


def keyed_rows(view: ValueView) -> pa.Array:
    """Return the values holding a key that may name a person, a birth date or an address."""
    cached = view.__dict__.get("_embedded_keyed_rows")
    if cached is not None:
        return cached
    text = candidates(view)
    facts = _facts(view)
    if not facts.keys:
        text = text.slice(0, 0)
    if len(text):
        text = filter_if_any(text, pc.match_substring_regex(text, _KEY_GATE))
    if len(text) and facts.percent:
        text = _decode_percent(text)
    view.__dict__["_embedded_keyed_rows"] = text
    return text


def _as_text(key: str | bytes) -> str:
    return key.decode("utf-8", "replace") if isinstance(key, bytes) else key


class KeyedDetector(EmbeddedDetector):
    """Entities with no checksum, found inside text only under a key that names them.

    ``?dob=1980-02-03``, ``{"first_name": "Jane"}``, ``billing_address=12 Main St``:
    the key is judged by the same name rule as a column name would be.
    """

    #: The name rule the key must satisfy, and how strongly.
    key_rule: ClassVar[NameRule] = NameRule()
    key_score: ClassVar[float] = 0.5
    base_conf = 0.8
    context_conf = 0.8

    def rows(self, view: ValueView) -> pa.Array:
        return keyed_rows(view)

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        return pc.is_valid(spans)

    def context_mask(self, pre: pa.Array, post: pa.Array) -> pa.BooleanArray:
        keys = pc.struct_field(pc.extract_regex(pre, _KEY_BEFORE), [0])
        distinct = pc.unique(keys.drop_null()).to_pylist()
        telling = [k for k in distinct
                   if self.key_rule.evaluate(_as_text(k)).score >= self.key_score]
        if not telling:
            return as_arrow(np.zeros(len(pre), dtype=bool))
        return pc.fill_null(pc.is_in(keys, value_set=pa.array(telling, keys.type)), False)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        verdict = super().judge(tally, facts, name)
        if verdict is None:
            return None
        return Verdict(verdict.entity, verdict.confidence, verdict.matched, verdict.sampled,
                       (f"{verdict.matched:,} of {verdict.sampled:,} values hold it under a key "
                        "that names it",), verdict.evidence, True, in_text=True)


@register
class KeyedBirthDateDetector(KeyedDetector):
    """Birth dates inside URLs, JSON and log lines, under a key like dob= or "birth_date"."""

    entity = "DATE_OF_BIRTH"
    name = "embedded_date_of_birth"
    valid_word = "plausible birth date"
    span = (r"(?:19|20)\d\d-[01]\d-[0-3]\d|[01]?\d/[0-3]?\d/(?:19|20)\d\d"
            r"|(?:19|20)\d\d/[01]\d/[0-3]\d")
    before = r"[^\w/.-]"
    after = r"[^\w/.:-]|$"
    key_rule = DateOfBirthDetector.names

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        return pc.match_substring_regex(
            spans, r"^(?:(?:19\d\d|200\d|201\d|202[0-5])[-/](?:0[1-9]|1[0-2])[-/]"
                   r"(?:0[1-9]|[12]\d|3[01])|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/"
                   r"(?:19\d\d|200\d|201\d|202[0-5]))$")

    def mask(self, value: str) -> str:
        return "".join("*" if ch.isdigit() else ch for ch in value)


@register
class KeyedPersonNameDetector(KeyedDetector):
    """Person names inside URLs, JSON and log lines, under a key like first_name= or "full_name"."""

    entity = "PERSON_NAME"
    name = "embedded_person_name"
    valid_word = "name-shaped"
    span = r"\p{Lu}[\p{Ll}'-]+(?:(?: |\+)\p{Lu}[\p{Ll}'-]+){0,3}"
    before = r"[\"'=: ]"
    after = r"[\"'&,;}\s]"
    key_rule = PersonNameDetector.names
    # A bare "name" key names plans, products and files as often as people.
    key_score = 0.8

    def mask(self, value: str) -> str:
        return " ".join(w[:1] + "***" for w in value.replace("+", " ").split())


@register
class KeyedAddressDetector(KeyedDetector):
    """Street addresses inside URLs, JSON and log lines, under a key like address= or "street"."""

    entity = "POSTAL_ADDRESS"
    name = "embedded_street_address"
    valid_word = "street-address-shaped"
    span = (r"(?i)\d{1,6}(?: |\+)(?:[A-Za-z0-9.'-]+(?: |\+)){0,5}(?:" + _STREET_SUFFIX
            + r")\.?")
    before = r"[\"'=: ]"
    after = r"[\"'&,;}\s]"
    key_rule = StreetAddressDetector.names

    def mask(self, value: str) -> str:
        words = value.replace("+", " ").split()
        return " ".join(["***"] * (len(words) - 1) + words[-1:])


# --- accounts in log lines: the key, the SIP URI or the word names the value ------------

#: What comes right before an account, in one of three forms, each with what must
#: follow it: ``AccountID="1001"``, ``"user": "jdoe"``, ``user=jdoe``, ``invalid user:
#: (jdoe)`` (a key, then ``=``, or ``:`` with a quote or bracket: ``user: please`` is
#: prose); a SIP URI's user part ``sip:1001@example.com``; a word then a bracketed or
#: user@host identity ``user 1001@example.com``, ``Can't find user [1001@…]``, ``for [1001]``.
_ACCOUNT_VALUE = r"[A-Za-z0-9][\w.+-]{0,63}"
_KEYED_BEFORE = (r"(?:^|[^\w.-])[\w.-]{0,24}(?:user|account|acct|login|logon|set_id|authid|"
                 r"auth_id)[\w.-]{0,24}"
                 r"(?:[\"'][ \t]*[:=][ \t]*[\"']?|=[ \t]*[\"'(<\[]?|:[ \t]*[\"'(<\[]|:)")
_SIP_BEFORE = r"(?:^|[^\w.+-])sips?:"
_WORD_BEFORE = r"(?:^|[^\w.-])(?:(?:user|username|account|login)[ \t]+[\"'(<\[]?|for[ \t]+\[)"


def _account_pattern(named: bool) -> str:
    def g(name: str) -> str:
        return f"?P<{name}>" if named else "?:"

    return (rf"(?s)(?i:({g('b')}{_KEYED_BEFORE})({g('x')}{_ACCOUNT_VALUE})(?:$|[^\w.+-])"
            rf"|({g('b2')}{_SIP_BEFORE})({g('x2')}{_ACCOUNT_VALUE})@"
            rf"|({g('b3')}{_WORD_BEFORE})({g('x3')}{_ACCOUNT_VALUE})[@\]])")


#: The key of a key=value pair, as the forms above allow it.
_ACCOUNT_KEY = (r"(?P<k>[A-Za-z_][\w.-]{0,48})(?:[\"'][ \t]*[:=][ \t]*[\"']?|=[ \t]*[\"'(<\[]?"
                r"|:[ \t]*[\"'(<\[]|:)$")
#: A line worth searching holds one of the three forms whole (prose that merely says
#: "user" or "account" costs one RE2 pass, no extraction).
_ACCOUNT_GATE = _account_pattern(named=False)
#: Words one of the three forms holds (each form's key word, ``sip:``, ``for [``).
_ACCOUNT_HINT = r"(?i:user|account|acct|login|logon|set_id|authid|auth_id|sips?:|for[ \t]+\[)"
#: A word then the identity: it counts bracketed or as user@host.
_ACCOUNT_WORD = r"(?i)(?:^|[^\w.-])(?:(?:user|username|account|login)[ \t]+[\"'(<\[]?|for[ \t]+\[)$"
#: Keys that name accounts in logs beyond the column-name rules (``user=``, ``ruser=``).
# Exim logs the authenticated login as set_id= (its authenticators' server_set_id).
_ACCOUNT_KEYS = NameRule(strong=("user", "ruser", "auth user", "authuser", "sip user",
                                 "account", "acct", "set id", "auth id", "authid"))
#: Words in a key that make it about something else than the account itself.
_ACCOUNT_KEY_VETO = frozenset({
    "agent", "type", "types", "count", "role", "roles", "group", "groups", "status", "state",
    "password", "pass", "passwd", "hash", "token", "secret", "key", "time", "date", "at",
    "last", "first", "attempt", "attempts", "failed", "home", "dir", "shell", "uid", "gid",
    "level", "mode", "class", "email", "mail", "balance", "bank", "routing", "iban",
    "length", "len", "age", "tenure", "limit", "enabled", "disabled", "url", "uri", "path",
})
#: Placeholders where a log has no account.
_NO_ACCOUNT = pa.array(["unknown", "none", "null", "nil", "undefined", "anonymous", "empty",
                        "true", "false", "n", "na", "nobody", "invalid", "guest"])


@register
class KeyedAccountDetector(EmbeddedDetector):
    """Account and SIP user names inside log lines: AccountID="1001", user=jdoe, sip:1001@host."""

    entity = "ACCOUNT_ID"
    name = "embedded_account_id"
    valid_word = "account named by its key"
    span = _ACCOUNT_VALUE
    lookalike = r"$^"
    # Lines that hold a form are few (the gate), and their other keys come first.
    rounds = 6
    base_conf = 0.8
    context_conf = 0.8

    def rows(self, view: ValueView) -> pa.Array:
        cached = view.__dict__.get("_embedded_account_rows")
        if cached is not None:
            return cached
        text = candidates(view)
        facts = _facts(view)
        if not facts.accounts:
            text = text.slice(0, 0)
        if len(text):
            # The forms' words first (a cheap pass that empties a column of e-mails).
            text = filter_if_any(text, pc.match_substring_regex(text, _ACCOUNT_HINT))
        if len(text):
            text = filter_if_any(text, pc.match_substring_regex(text, _ACCOUNT_GATE))
        if len(text) and facts.percent:
            text = _decode_percent(text)
        view.__dict__["_embedded_account_rows"] = text
        return text

    def _extract_pattern(self) -> str:
        return _account_pattern(named=True)

    def _cut_pattern(self) -> str:
        return _ACCOUNT_GATE

    def _parts(self, ex: pa.Array) -> tuple[pa.Array, pa.Array]:
        # One of the three forms matched; the others' groups are empty.
        return (pc.binary_join_element_wise(*(pc.struct_field(ex, f) for f in ("b", "b2", "b3")),
                                            ""),
                pc.binary_join_element_wise(*(pc.struct_field(ex, f) for f in ("x", "x2", "x3")),
                                            ""))

    def needs_context(self, spans: pa.Array) -> pa.BooleanArray:
        return pc.is_valid(spans)

    def context_mask(self, pre: pa.Array, post: pa.Array) -> pa.BooleanArray:
        n = len(pre)
        # A SIP URI's user part, followed by its host.
        sip = pc.and_(pc.match_substring_regex(pre, r"(?i)(?:^|[^\w.+-])sips?:$"),
                      pc.match_substring_regex(post, r"^@"))
        # A word, then a bracketed identity or user@host.
        closed = pc.match_substring_regex(post, r"^[@\]]")
        word = pc.and_(pc.match_substring_regex(pre, _ACCOUNT_WORD), closed)
        # A key naming an account, judged like a column name.
        keys = pc.struct_field(pc.extract_regex(pre, _ACCOUNT_KEY), [0])
        distinct = pc.unique(keys.drop_null()).to_pylist()
        telling = [k for k in distinct if _account_key(_as_text(k))]
        keyed = (pc.fill_null(pc.is_in(keys, value_set=pa.array(telling, keys.type)), False)
                 if telling else as_arrow(np.zeros(n, dtype=bool)))
        return pc.fill_null(pc.or_(pc.or_(sip, word), keyed), False)

    def validate(self, spans: pa.Array) -> pa.BooleanArray:
        low = pc.utf8_lower(spans)
        placeholder = pc.is_in(pc.utf8_trim(low, "."), value_set=_NO_ACCOUNT)
        # Dates, times and decimals under a key (``login=2024-03-01``) are no accounts.
        when = pc.match_substring_regex(spans, r"^\d{1,4}[-/.]\d{1,2}(?:[-/.T]|$)|^\d+\.\d+$")
        return pc.and_(pc.greater_equal(pc.utf8_length(spans), 2),
                       pc.invert(pc.or_(placeholder, when)))

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        verdict = super().judge(tally, facts, name)
        if verdict is None:
            return None
        return Verdict(verdict.entity, verdict.confidence, verdict.matched, verdict.sampled,
                       (f"{verdict.matched:,} of {verdict.sampled:,} values name an account "
                        "(a user or account key, a SIP URI, a user@host)",),
                       verdict.evidence, True, in_text=True)

    def mask(self, value: str) -> str:
        return value[:1] + "***"


def _account_key(key: str) -> bool:
    """Tell whether a key of a log line names an account (``AccountID``, ``user``, ``login``)."""
    if _ACCOUNT_KEY_VETO.intersection(tokenize(key)):
        return False
    return any(rule.evaluate(key).score >= 0.5 for rule in
               (AccountIdDetector.names, UserNameDetector.names, _ACCOUNT_KEYS))
