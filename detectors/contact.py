"""Contact details: email addresses, telephone numbers, postal addresses."""

from __future__ import annotations

import re
from functools import cache, lru_cache, partial

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
    filter_if_any,
    mask_digits_keep_last,
    register,
    take_evidence,
    value_cache,
    wilson_lower,
)
from detectors.digits import containing, digit_counts, numeric_digits
from detectors.fastpaths import (
    among,
    any_has,
    as_arrow,
    extract_regex,
    holding,
    match_regex,
    where,
)
from detectors.libraries import (
    STREET,
    STREET_NAMED,
    STREET_TYPES,
    check_distinct,
    email_valid,
    public_tlds,
    us_street,
)
from detectors.names import NameEvidence, NameRule
from detectors.regions import POSTAL_CODES

# An address, alone or with a display name: `Jane Doe <jane@example.com>`. Local
# parts and domains may be internationalised (josé@bücher.de) and a local part
# quoted ("john doe"@example.org): the shape only proposes, email-validator decides.
# Negated classes, not Unicode letter classes: RE2 runs them fifty times faster.
_EMAIL = (
    r'^(?:[^<>@]*<)?(?:"(?:[^"\\]|\\.){1,64}"|[^\s"@<>()\[\],;:]+)'
    r'@[^\s@<>()\[\],;:"]+\.[^\s@<>()\[\],;:".]{2,63}>?$'
)
# In text, a URL's path or query and quotes end the local part (`/users/jane@…`).
_EMAIL_IN_TEXT = (r'[^\s"\'@<>()\[\],;:/=?&]+@[^\s@<>()\[\],;:"\'/]+'
                  r'\.[^\s@<>()\[\],;:"\'./?&#=]{2,63}')


@lru_cache(maxsize=1)
def known_tlds() -> pa.Array:
    """Top-level domains of tldextract's bundled public suffix snapshot (no network).

    Private and special-use names (``.local``, ``.internal``, ``.test``) are not
    among them: an address there reaches no one outside one network.
    """
    return pa.array(sorted(public_tlds()))


@register
class EmailDetector(Detector):
    """Email addresses: RFC 5322 syntax (email-validator) and a public top-level domain."""

    entity = "EMAIL_ADDRESS"
    name = "email"
    valid_word = "valid address"
    names = NameRule(strong=("email", "e mail"), veto=("verified", "opt", "optin", "status",
                                                       "count", "sent", "bounce", "template"))
    # A strict validator: chance matches are rare, so fewer values convince.
    min_rate = 0.4
    specificity = 80
    in_text = True

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        # The values holding an @ (what ``view.having`` keeps), found in the bytes at once.
        s = containing(view.textual if view.kind == "string" else view.strings, "@")
        if view.is_text:
            found = pc.extract_regex(s, f"(?P<e>{_EMAIL_IN_TEXT})")
            hit = pc.is_valid(found)
            s = pc.struct_field(found.filter(hit), [0])
        shaped_mask = pc.match_substring_regex(s, _EMAIL)
        shaped = count(shaped_mask)
        if not shaped:
            return Match(0, 0)
        # RFC 5322 syntax by email-validator (no DNS) and a public top-level domain,
        # once per distinct candidate (about 0.1 ms each, so a random 500 past that).
        ok = check_distinct(s.filter(shaped_mask), email_valid, self, limit=500)
        return Match(shaped, ok.matched, ok.evidence, ok.subset)

    def mask(self, value: str) -> str:
        address = value.rsplit("<", 1)[-1].rstrip(">")
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"


# --- telephone numbers ----------------------------------------------------------

# International numbers: a plus (or 00) and a country code that is not 1.
_INTL_SHAPE = r"^(?:\+|00)[2-9]\d{0,2}[ .()-]{0,2}(?:\d[ .()-]{0,2}){5,13}\d$"
_NANP_PARTS = (
    r"^(?:\+?1[ .-]?)?(?:\((?P<a>[2-9]\d{2})\)|(?P<a2>[2-9]\d{2}))[ .-]?(?P<b>\d{3})[ .-]?"
    r"(?P<c>\d{4})(?:\s*(?:x|ext\.?|extension|#)\s*\d{1,6})?$"
)


@lru_cache(maxsize=1)
def nanp_pattern() -> str:
    """One RE2 pattern for every valid North American number, from libphonenumber's metadata."""
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    from phonenumbers import PhoneMetadata
    pats: list[str] = []
    for region in phonenumbers.region_codes_for_country_code(1):
        md = PhoneMetadata.metadata_for_region(region)
        if md is None:
            continue
        for desc in (md.fixed_line, md.mobile, md.toll_free, md.premium_rate, md.voip,
                     md.personal_number, md.uan, md.pager):
            if desc is not None and desc.national_number_pattern:
                pats.append(desc.national_number_pattern)
    return "^(?:" + "|".join(dict.fromkeys(pats)) + ")$"


#: A number written the way telephone numbers are, whether or not its plan assigns it:
#: North American ``(653) 555-0144`` / ``653-555-0144`` / ``+1 653.555.0144``, and an
#: international number with its country code and an area code in brackets or groups.
_WRITTEN_AS_PHONE = (
    r"^(?:(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}"
    r"|\+?\d{1,3}\s?\(\d{1,4}\)\s?\d{2,4}(?:[ .-]\d{2,4}){1,3}"
    r"|\+\d{1,3}[ .-]\d{1,4}(?:[ .-]\d{2,4}){2,4})$"
)
# National numbers without a country code: `030-0074321`, `(022)28952819`, `0917-123-4567`.
# German and Austrian writing puts one slash after the area code: `0221/1234567`.
_NATIONAL_SHAPE = (r"^(?:\(?\d{1,5}\)?[ .-]?|0\d{1,5} ?/ ?)\d{2,5}(?:[ .-]?\d{2,5}){0,3}$")
#: Regions a national number is tried in when the column gives none: the main
#: European, Latin American and Asian numbering plans.
NATIONAL_REGIONS = ("GB", "DE", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "PT", "IE", "SE",
                    "NO", "DK", "FI", "PL", "BR", "MX", "AR", "CL", "CO", "PE", "IN", "PH",
                    "AU", "NZ", "ZA", "CN", "JP", "SG", "MY", "ID")


def _starts(values: pa.Array, prefix: str) -> np.ndarray:
    """Which values begin with ``prefix``, as a NumPy mask."""
    return pc.fill_null(pc.starts_with(values, prefix), False).to_numpy(zero_copy_only=False)


def _has(values: pa.Array, literal: str) -> np.ndarray:
    """Which values contain ``literal``, as a NumPy mask."""
    return pc.fill_null(pc.match_substring(values, literal), False).to_numpy(
        zero_copy_only=False)


def _grouped_ten(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Find the values written as ten digits grouped 3-3-4 (`212-555-0144`), from the bytes.

    Returns that mask and, within it, those whose first digit is 2 to 9 (a North
    American area code's). Blanks, dots and dashes separate the groups.
    """
    n = len(values)
    grouped, area = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if n == 0 or values.null_count or not pa.types.is_string(values.type) \
            or values.buffers()[2] is None:
        return grouped, area
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[
        values.offset:values.offset + n + 1]
    twelve = np.diff(offsets) == 12
    if not twelve.any():
        return grouped, area
    starts = offsets[:-1][twelve].astype(np.int64)
    rows = np.frombuffer(values.buffers()[2], dtype=np.uint8)[starts[:, None] + np.arange(12)]
    digit = (rows - 48) < 10
    gap = (rows == ord(" ")) | (rows == ord(".")) | (rows == ord("-"))
    ok = digit[:, [0, 1, 2, 4, 5, 6, 8, 9, 10, 11]].all(axis=1) & gap[:, 3] & gap[:, 7]
    grouped[twelve] = ok
    area[twelve] = ok & (rows[:, 0] >= ord("2"))
    return grouped, area


# Answers are kept per value: dates, codes and numbers repeat across a column's batches
# (a pure function of the value; a few MiB at most).
@lru_cache(maxsize=1 << 16)
def _national_valid(value: str, regions: tuple[str, ...] = NATIONAL_REGIONS) -> bool:
    """Whether a number written without a country code is valid in one of ``regions``."""
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    digits = _plain_digits(value)
    for region in regions:
        if digits is not None and not _could_be_valid(digits, region):
            continue  # parsing would find no valid number and raise nothing
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(value, region)):
                return True
        except phonenumbers.NumberParseException:
            return False
    return False


value_cache(_national_valid.cache_clear)


@cache
def _plan_gate(region: str) -> tuple[re.Pattern[str] | None, tuple[re.Pattern[str], ...]]:
    """Say what a number's digits must look like for libphonenumber to find it valid in a region.

    Without an international prefix, libphonenumber reads a number as its digits,
    less perhaps the plan's country code and a national prefix (twice at most), and
    a valid number's national part matches the pattern of one of its types (fixed
    line, mobile, toll free ...) in a plan of that country code: digits that fit
    none of these readings are no valid number there, and parsing them raises
    nothing. Returns that pattern, matched from the first digit (digits that begin
    with the international prefix pass: parsing reads them otherwise), and the
    national prefixes that rewrite a number (Argentina's `0 11 15` → `9 11`), which
    the pattern cannot follow. None: no shortcut, every number is parsed.
    """
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    from phonenumbers import PhoneMetadata
    md = PhoneMetadata.metadata_for_region(region)
    if md is None:
        return None, ()
    cc = md.country_code
    plans = [PhoneMetadata.metadata_for_region(r)
             for r in phonenumbers.region_codes_for_country_code(cc)]
    # A valid number is of some type (fixed line, mobile, toll free ...): it matches
    # that type's pattern.
    general = list(dict.fromkeys(
        d.national_number_pattern for m in plans if m is not None
        for d in (m.premium_rate, m.toll_free, m.shared_cost, m.voip, m.personal_number,
                  m.pager, m.uan, m.voicemail, m.fixed_line, m.mobile)
        if d is not None and d.national_number_pattern))
    if not general:
        return None, ()
    # The national prefix is read with the region's metadata, then with that of its
    # country code's main region.
    readers = [m for m in (md, PhoneMetadata.metadata_for_region_or_calling_code(
        cc, phonenumbers.region_code_for_country_code(cc))) if m is not None]
    prefixes = list(dict.fromkeys(m.national_prefix_for_parsing for m in readers
                                  if m.national_prefix_for_parsing))
    rewriting = tuple(re.compile(m.national_prefix_for_parsing) for m in readers
                      if m.national_prefix_for_parsing and m.national_prefix_transform_rule)
    prefix = ("(?:" + "|".join(f"(?:{p})" for p in prefixes) + ")?") if prefixes else ""
    gate = f"(?:{cc})?{prefix}{prefix}(?:" + "|".join(f"(?:{g})" for g in general) + r")\Z"
    if md.international_prefix:
        gate = f"(?:{md.international_prefix})|{gate}"
    return re.compile(gate), rewriting


def _rewritten(digits: str, rewriting: tuple[re.Pattern[str], ...]) -> bool:
    """Whether a rewriting national prefix could apply somewhere in ``digits``."""
    for pattern in rewriting:
        for i in range(len(digits)):
            m = pattern.match(digits, i)
            if m is not None and m.groups() and m.groups()[-1] is not None:
                return True
    return False


_PLAIN_NUMBER = re.compile(r"[0-9 .()/-]+\Z")


def _plain_digits(value: str) -> str | None:
    """Return the digits of a number written plainly (6 to 12 digits, separators), else None.

    Only these have their plans told by ``_could_be_valid``.
    """
    if not _PLAIN_NUMBER.match(value):
        return None
    digits = re.sub(r"[^0-9]", "", value)
    return digits if 6 <= len(digits) <= 12 else None


def _could_be_valid(digits: str, region: str) -> bool:
    """Whether parsing a number of these digits in ``region`` could find it valid (or raise)."""
    gate, rewriting = _plan_gate(region)
    return gate is None or gate.match(digits) is not None or _rewritten(digits, rewriting)


@lru_cache(maxsize=1 << 16)
def _in_region(value: str, region: str) -> bool:
    """Tell whether a value is a national number of ``region`` whose form says so.

    Grouped, with the trunk prefix (``030-0074321``, ``(022)28952819``), or a
    mobile (``78130 00821``).
    """
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    from phonenumbers import PhoneMetadata
    if not re.search(r"[ ()./-]", value):
        return False  # a bare run of digits is as likely an identifier
    digits = _plain_digits(value)
    if digits is not None and not _could_be_valid(digits, region):
        return False
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number_for_region(number, region):
        return False
    md = PhoneMetadata.metadata_for_region(region)
    prefix = md.national_prefix if md is not None else None
    if prefix and re.sub(r"\D", "", value).startswith(prefix):
        return True
    if value.lstrip().startswith("(") or (not prefix and len(re.findall(r"[ .-]", value)) >= 2):
        return True  # an area code in brackets, or grouped where no trunk prefix exists
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


value_cache(_in_region.cache_clear)


def _intl_valid(value: str) -> bool:
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    raw = value.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, None))
    except phonenumbers.NumberParseException:
        return False


@register
class PhoneDetector(Detector):
    """Telephone numbers, North American and international, as text or integers (libphonenumber)."""

    entity = "PHONE_NUMBER"
    name = "phone"
    valid_word = "valid number"
    kinds = frozenset({"string", "integer"})
    names = NameRule(
        strong=("phone", "telephone", "mobile phone", "msisdn", "fax", "caller id number",
                "calling number", "called number", "contact number", "callback number",
                "calling party number", "called party number", "caller number", "cell phone",
                "telefono", "telefone", "telefon", "telephone number", "celular", "movil"),
        weak=("mobile", "tel", "contact"),
        veto=("type", "count", "verified", "carrier", "model", "country", "prefix", "area",
              "ext", "extension", "name", "plan"),
    )
    specificity = 60
    in_text = True
    # National numbers (no country code) valid in some region count under a phone name.
    named_shape_counts = True

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.numeric
        if view.is_text:
            found = pc.extract_regex(
                view.strings, r"(?P<p>(?:\+?1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]\d{4})")
            s = pc.struct_field(found.filter(pc.is_valid(found)), [0])
        n = len(s)
        # Each pattern runs only on the values whose count of digits and first
        # character it allows (a card, an SSN, an IPv4 address or a date is no North
        # American or international number): the same answers at a fraction of the passes.
        digits = digit_counts(s) if view.is_text else numeric_digits(view)
        extension, bracket, plus = holding(s, "x", "(", "+") if n else (False,) * 3
        extension = extension or (n > 0 and any_has(s, "#"))
        first_plus = _starts(s, "+") if plus else np.zeros(n, dtype=bool)
        # North American: ten digits, eleven with the leading 1, more only with an
        # extension (x, ext, extension or #).
        nanp_could = (digits >= 10) & (digits <= (17 if extension else 11))
        nanp_mask = np.zeros(n, dtype=bool)
        nanp_ok = np.zeros(n, dtype=bool)
        matched = 0
        evidence: list[str] = []
        # Ten digits grouped 3-3-4 by blanks, dots or dashes (`212-555-0144`), read from
        # the bytes: North American-shaped when the area code starts with 2-9, written as
        # a phone number and of national shape, with no pattern run.
        grouped, area_ok = _grouped_ten(s)
        if nanp_could.any():
            bare = nanp_could & grouped & area_ok
            rest = nanp_could & ~grouped
            nanp_mask |= bare
            national: list[pa.Array] = []
            at: list[np.ndarray] = []
            if bare.any():
                g = s.filter(as_arrow(bare))
                national.append(pc.binary_join_element_wise(
                    pc.utf8_slice_codeunits(g, 0, 3), pc.utf8_slice_codeunits(g, 4, 7),
                    pc.utf8_slice_codeunits(g, 8, 12), ""))
                at.append(np.flatnonzero(bare))
            if rest.any():
                # One pass pulls area code, exchange and line out of North American shapes.
                parts = pc.extract_regex(among(s, rest), _NANP_PARTS)
                shaped_here = pc.is_valid(parts).to_numpy(zero_copy_only=False)
                nanp_mask[rest] = shaped_here
                if shaped_here.any():
                    # Groups: area code in brackets or bare (one of them is empty),
                    # exchange, line.
                    parts = parts.filter(as_arrow(shaped_here))
                    national.append(pc.binary_join_element_wise(
                        *(pc.struct_field(parts, [i]) for i in range(4)), ""))
                    at.append(np.flatnonzero(rest)[shaped_here])
            if national:
                valid = pc.match_substring_regex(pa.concat_arrays(national), nanp_pattern())
                nanp_ok[np.concatenate(at)] = pc.fill_null(valid, False).to_numpy(
                    zero_copy_only=False)
                matched += int(nanp_ok.sum())
                evidence.extend(take_evidence(s, as_arrow(nanp_ok), self))
        # International: a plus or 00 first.
        intl_could = first_plus | _starts(s, "00") if n else first_plus
        intl_mask = where(s, intl_could, _INTL_SHAPE)
        # Not North American, no country code: a national number of some other plan,
        # valid in one of the common regions (counted only under a phone name), with six
        # to twelve digits.
        other_could = (digits >= 6) & (digits <= 12) & ~nanp_ok & ~intl_mask
        other = where(s, other_could & ~grouped, _NATIONAL_SHAPE) | (other_could & grouped)
        shaped = int(nanp_mask.sum() + intl_mask.sum() + (other & ~nanp_mask).sum())
        if not shaped:
            return Match(0, 0)
        intl = check_each(s.filter(as_arrow(intl_mask)), _intl_valid, self)
        matched += intl.matched
        evidence.extend(intl.evidence)
        checked = intl.subset
        regions = NATIONAL_REGIONS if not view.region else (view.region, *NATIONAL_REGIONS)
        others = s.filter(as_arrow(other))
        named_valid = matched
        if self.named_for(view):
            # libphonenumber's answers count only under a phone name: under any other
            # (an SSN, an IP address, an account) they are not worked out.
            local = check_each(others, partial(_national_valid, regions=regions), self,
                               limit=500)
            evidence.extend(local.evidence)
            named_valid += local.matched
        if view.region:
            # In the table's region its national numbers count from their values alone.
            here = check_each(others, partial(_in_region, region=view.region), self, limit=500)
            matched += here.matched
        written = 0
        if not view.is_text:
            # Ten or eleven digits, an area code in brackets, or a plus first.
            could = (digits >= 10) & (digits <= 11) | first_plus
            if bracket:
                could |= _has(s, "(")
            written = int((where(s, could & ~grouped, _WRITTEN_AS_PHONE) | grouped).sum())
        return Match(shaped, matched, tuple(evidence[:3]), checked,
                     named_valid=named_valid, strong=written)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        verdict = super().judge(tally, facts, name)
        if (verdict is not None and verdict.from_values) or facts.is_text or not facts.values:
            return verdict
        # Sample and test data write numbers as people do but with made-up area codes
        # (`653-555-0144`, `1 (11) 500 555-0143`): what libphonenumber rejects is still a
        # column of telephone numbers when nearly every value is written as one.
        n, k = facts.values, tally.strong
        lower = wilson_lower(k, n)
        if lower < 0.7:
            return verdict
        reasons = [f"written as telephone numbers {k}/{n} (only {tally.matched} valid: "
                   "unassigned area codes, as in sample or test data)"]
        if name.score > 0:
            reasons.append(name.reason)
        return self._verdict(min(0.9, 0.45 + 0.3 * lower + 0.1 * name.score), tally, n,
                             reasons, True)

    def mask(self, value: str) -> str:
        return mask_digits_keep_last(value, 2)


# --- postal addresses -----------------------------------------------------------

_STREET_SUFFIX = (
    "st|street|ave|avenue|av|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl|place|"
    "ter|terrace|pkwy|parkway|hwy|highway|cir|circle|sq|square|trl|trail|loop|row|aly|alley|"
    "plz|plaza|crescent|cres|close|grove|gardens|mews|walk|path|pike|route|rte|expy|expressway|"
    "fwy|freeway|tpke|turnpike|xing|crossing|run|pass|point|pt|ridge|hill|heights|hts"
)
_US_STATES = pa.array(sorted({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
    "ALABAMA", "ALASKA", "ARIZONA", "ARKANSAS", "CALIFORNIA", "COLORADO", "CONNECTICUT",
    "DELAWARE", "DISTRICT OF COLUMBIA", "FLORIDA", "GEORGIA", "HAWAII", "IDAHO", "ILLINOIS",
    "INDIANA", "IOWA", "KANSAS", "KENTUCKY", "LOUISIANA", "MAINE", "MARYLAND", "MASSACHUSETTS",
    "MICHIGAN", "MINNESOTA", "MISSISSIPPI", "MISSOURI", "MONTANA", "NEBRASKA", "NEVADA",
    "NEW HAMPSHIRE", "NEW JERSEY", "NEW MEXICO", "NEW YORK", "NORTH CAROLINA", "NORTH DAKOTA",
    "OHIO", "OKLAHOMA", "OREGON", "PENNSYLVANIA", "RHODE ISLAND", "SOUTH CAROLINA",
    "SOUTH DAKOTA", "TENNESSEE", "TEXAS", "UTAH", "VERMONT", "VIRGINIA", "WASHINGTON",
    "WEST VIRGINIA", "WISCONSIN", "WYOMING", "PUERTO RICO", "GUAM",
}))


# Street lines in the main European and Latin American languages: a street type
# first (Avda. de la Constitución 2222, via Roma 12, rue de la Paix, Rua Orós, 92), a
# street word at the end (Obere Str. 57, Hauptstraße 5, Kerkstraat 12, Storgatan 3),
# or a house number first (12, rue des Bouchers).
_STREET_TYPES = (
    r"calle|c/|avda\.?|avenida|av\.|paseo|pso\.?|plaza|pza\.?|rua|r\.|travessa|tv\.?|"
    r"rambla|camino|carrera|cra\.?|carretera|ctra\.?|ronda|via|viale|v\.le|piazza|p\.za|"
    r"corso|vicolo|largo|rue|bd\.?|boulevard|place|chemin|allée|impasse|quai|avenue|"
    r"praça|alameda|estrada|jirón|jr\.?|calzada|callejón|ul\.|ulica|aleja|"
    r"carrer|passeig|avinguda|plaça|rúa|rodovia|promenade"
)
_STREET_WORDS = (
    r"stra(?:ss|ß)e|str\.|weg|gasse|platz|allee|chaussee|"
    r"straat|laan|gracht|plein|singel|"
    r"vägen|gatan|väg|gata|gade|vejen|vej|veien|katu|"
    r"damm|ufer|markt|steig|pfad"
)
_INTL_STREET = (
    r"(?i)^(?:(?:" + _STREET_TYPES + r")\s*[\p{L}\d .,'ºª°/-]{1,60}?,?\s*(?:n[º°o.]\s*)?"
    r"\d{1,5}\s?[a-z]?\b.{0,40}"
    r"|[\p{L}.' -]{0,40}?(?:" + _STREET_WORDS + r")\s*\d{1,5}\s?[a-z]?\b.{0,40}"
    r"|\d{1,5}(?:\s*(?:bis|ter))?,?\s+(?:" + _STREET_TYPES + r")\s+\p{L}.{1,60})$"
)

#: ``_INTL_STREET`` with its long bounded repeats unbounded: every value it matches
#: matches this. RE2 builds it in a few milliseconds where ``_INTL_STREET`` (sixty
#: copies of a Unicode letter class) takes some fifty, on every batch it reads.
_INTL_STREET_LOOSE = _INTL_STREET.replace(r"[\p{L}\d .,'ºª°/-]{1,60}?",
                                          r"[\p{L}\d .,'ºª°/-]+?").replace(
    r"[\p{L}.' -]{0,40}?", r"[\p{L}.' -]*?")


def _intl_street(values: pa.Array) -> pa.BooleanArray:
    """Match ``_INTL_STREET``, built only when some value matches its loose form."""
    loose = match_regex(values, _INTL_STREET_LOOSE)
    if not pc.any(loose).as_py():
        return loose
    return as_arrow(where(values, loose.to_numpy(zero_copy_only=False), _INTL_STREET))


#: Where usaddress is asked: a house number first (`#500-75 O'Connor Street`,
#: `N6W23001 Bluemound Rd`), a PO box, rural route or highway contract box, or a
#: building or floor before the number (`Butterfield Hse, 7-251 Chapel St`).
_US_CANDIDATE = (r"(?i)^(?:#?\d|[nsew]\d|p\.?\s*o\.?\s*box\b|(?:rr|hc|box)\s*\d)"
                 r"|^[^,]{1,40},\s*#?\d{1,6}(?:-\d{1,6})?[a-z]?\s+\p{L}")
#: Longer values are sentences, not street lines.
_STREET_MAX_LENGTH = 120
#: A street line inside text: number, up to four words, a street type; or a PO box.
_STREET_SPAN = (
    r"(?i)(?P<a>\b\d{1,6}[a-z]?\s+(?:[nsew]\.?\s+)?(?:[\p{L}\d.'-]+\s+){0,3}"
    r"(?:" + _STREET_SUFFIX + r")\b\.?(?:\s+[nsew]{1,2}\b\.?)?"
    r"(?:,?\s+(?:apt|suite|ste|unit|#)\.?\s*[\w-]+)?|\bp\.?\s*o\.?\s*box\s+\d+)"
)
#: What every value holding a ``_STREET_SPAN`` holds (its words need only be no spaces).
_STREET_SPAN_HINT = (
    r"(?i)\d[a-z]?\s+(?:[nsew]\.?\s+)?(?:\S+\s+){0,3}(?:" + _STREET_SUFFIX + r")\b"
    r"|\bp\.?\s*o\.?\s*box\s+\d"
)
#: Spans of free text usaddress reads per batch.
_SPAN_LIMIT = 200
#: One to four words ending in a USPS street type, and nothing else.
_NAMED_STREET = r"^(?:[NSEW]\.?\s+)?[\p{L}'.-]+(?:\s+[\p{L}'.-]+){0,3}\s+(?P<t>\p{L}+)\.?$"
_STREET_TYPE_SET = pa.array(sorted(STREET_TYPES))
#: What a value's last word is when ``_NAMED_STREET`` finds a street type there: one of
#: them in any case (`İ` lowercases to `i` where RE2 folds no case), after a space.
_ENDS_IN_STREET_TYPE = (r"(?i)\s(?:" + "|".join(
    w.replace("i", "[iİ]") for w in sorted(STREET_TYPES, key=lambda w: (-len(w), w)))
    + r")\.?$")
#: A street's name and a house number, with no street word (`Am Lindenhof 14`, `Unter den
#: Linden 77`, `Marktplatz 3a`): a street line only under a column named for one.
_NAMED_NUMBERED = (r"^\p{L}[\p{L}.'’ -]{1,60}\s\d{1,5}(?:\s?[a-zA-Z])?"
                   r"(?:\s?[-/]\s?\d{1,5}[a-zA-Z]?)?$")
#: Distinct values usaddress reads per batch (about 0.2 ms each).
_USADDRESS_LIMIT = 500


@register
class StreetAddressDetector(Detector):
    """Street addresses: US lines confirmed by usaddress, PO boxes, European and Latin lines."""

    entity = "POSTAL_ADDRESS"
    name = "street_address"
    valid_word = "street-address-shaped"
    names = NameRule(
        strong=("street address", "address line", "home address", "mailing address",
                "billing address", "shipping address", "postal address", "street",
                "residential address", "service address", "po box", "post office box"),
        weak=("address",),
        veto=("ip", "mac", "email", "web", "url", "memory", "hardware", "bluetooth", "wallet",
              "transport", "media", "node", "server", "host", "id", "type", "count",
              # Network and messaging addresses (CEF's SourceTranslatedAddress, a SIP proxy).
              "translated", "device", "remote", "client", "local", "peer", "proxy", "sip",
              "gateway", "nat", "broadcast", "multicast", "list", "network", "framed", "nas"),
    )
    specificity = 55
    # Under an address name, a house number and a street name usaddress reads without a
    # street type (`350 Broadway`) count too; on values alone they could be titles.
    named_shape_counts = True

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        # A house number and a street name, or a PO box: never without a space.
        spaced = view.having(" ")
        spaced = filter_if_any(spaced, pc.less_equal(pc.utf8_length(spaced), _STREET_MAX_LENGTH))
        # Street lines of other countries: the number comes after the street's name.
        # (Only values holding a digit can: a column of names runs no pattern.)
        t = among(spaced, where(spaced, digit_counts(spaced) > 0, r"\p{L}.*\d|^#?\d"))
        no = pa.array([], pa.bool_())
        intl = _intl_street(t) if len(t) else no
        ki = count(intl)
        # US lines (a number first, a PO box or rural route, or a building before the
        # number): usaddress's CRF parser confirms them, once per distinct value.
        us_shaped = match_regex(t, _US_CANDIDATE) if len(t) else no
        s = filter_if_any(t, pc.and_(us_shaped, pc.invert(intl)))
        us = check_distinct(s, us_street, self, limit=_USADDRESS_LIMIT,
                            accept=lambda verdict: verdict == STREET)
        shaped = (count(pc.match_substring_regex(s, r"^\d{1,6}\s+\S+")) if len(s) else 0) + ki
        evidence = us.evidence + take_evidence(t, intl, self)
        found = us.matched + ki
        if view.is_text:
            # Free text (`Leave it with the neighbour at 12 Harbor View Ln`): the first
            # street-shaped span of each value that is no street line itself, confirmed
            # by usaddress like a whole value.
            rest = view.strings
            if len(s) or ki:
                whole = pc.or_(pc.is_in(view.strings, value_set=s),
                               pc.is_in(view.strings, value_set=t.filter(intl)))
                rest = filter_if_any(view.strings, pc.invert(whole))
            # Spans are read only in values with a number, then a street type or a PO box.
            rest = filter_if_any(rest, pc.match_substring_regex(rest, _STREET_SPAN_HINT))
            spans = pa.array([], pa.string())
            if len(rest):
                spans = extract_regex(rest, _STREET_SPAN)
                spans = pc.struct_field(spans.filter(pc.is_valid(spans)), [0])
            inside = check_distinct(spans, us_street, self, limit=_SPAN_LIMIT,
                                    accept=lambda verdict: verdict == STREET)
            found += inside.matched
            shaped += len(spans)
            evidence = evidence + inside.evidence
        # A street's name without a number (`Barrows Junction`): an address only when the
        # column's name says so.
        # (Read only where the last word is a street type: a column of names has none.)
        ending = filter_if_any(spaced, pc.match_substring_regex(spaced, _ENDS_IN_STREET_TYPE))
        bare = 0
        if len(ending):
            last = pc.struct_field(extract_regex(ending, _NAMED_STREET), [0])
            bare = count(pc.fill_null(pc.is_in(pc.utf8_lower(last), value_set=_STREET_TYPE_SET),
                                      False))
        if len(t):
            bare += count(pc.and_(match_regex(t, _NAMED_NUMBERED),
                                  pc.invert(pc.or_(intl, us_shaped))))
        return Match(max(shaped, found), found, evidence[:3], us.subset,
                     named_valid=found - us.matched + bare + us.rows_where(
                         lambda verdict: verdict >= STREET_NAMED))

    def mask(self, value: str) -> str:
        words = value.split()
        return " ".join(["***"] + words[1:2] + ["***"] * (len(words) > 2))


@register
class PostalCodeDetector(Detector):
    """ZIP and postal codes, in columns named for them."""

    entity = "POSTAL_ADDRESS"
    name = "postal_code"
    valid_word = "postal-code-shaped"
    kinds = frozenset({"string", "integer", "float"})
    names = NameRule(strong=("zip", "postal code", "zip code", "post code", "postcode",
                             "postal", "plz", "cep", "codigo postal", "code postal",
                             "pincode", "pin code"),
                     veto=("file", "archive", "count"))
    requires_name = True

    def match(self, view: ValueView) -> Match | None:
        s = view.strings
        if len(s) == 0:
            return None
        # US ZIP and ZIP+4 (also as a spreadsheet's float, 94025.0), Canadian, UK, Dutch,
        # Polish, Brazilian, Portuguese, Japanese, Swedish, Irish, Argentine, six-digit
        # (India, China, Russia) and country-prefixed (D-80331, CH-8001) codes.
        upper = pc.utf8_upper(pc.utf8_trim_whitespace(s))
        if view.region in POSTAL_CODES and view.kind == "string":
            # The table's country says which codes are its own (leading zeros intact).
            ok = pc.match_substring_regex(upper, POSTAL_CODES[view.region])
        else:
            ok = pc.match_substring_regex(
                upper,
                r"^(?:\d{3,6}(?:\.0+)?|\d{5}-\d{4}|[A-Z]\d[A-Z] ?\d[A-Z]\d"
                r"|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4} ?[A-Z]{2}|\d{2}-\d{3}|\d{5}-\d{3}"
                r"|\d{4}-\d{3}|\d{3}-\d{4}|\d{3} \d{2}|[A-Z]\d{2} ?[A-Z\d]{4}"
                r"|[A-Z]\d{4}[A-Z]{3}|[A-Z]{1,2}-\d{4,5})$")
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        return value[:2] + "*" * max(0, len(value) - 2)


@register
class StateDetector(Detector):
    """US states and territories (codes or names), in columns named for them."""

    entity = "POSTAL_ADDRESS"
    name = "us_state"
    valid_word = "US state"
    names = NameRule(strong=("state code", "billing state", "home state", "mailing state"),
                     exact=("state",), veto=("status", "machine", "session", "call"))
    requires_name = True

    def match(self, view: ValueView) -> Match | None:
        s = view.strings
        if len(s) == 0:
            return None
        ok = pc.is_in(pc.utf8_upper(s), value_set=_US_STATES)
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        return value[:1] + "*" * (len(value) - 1)


@register
class CityDetector(Detector):
    """Cities and towns of an address, in columns named for them."""

    entity = "POSTAL_ADDRESS"
    name = "city"
    valid_word = "place-name-shaped"
    names = NameRule(strong=("billing city", "home city", "mailing city", "city name"),
                     exact=("city", "town"))
    requires_name = True

    def match(self, view: ValueView) -> Match | None:
        s = view.strings
        if len(s) == 0:
            return None
        ok = pc.match_substring_regex(s, r"^[^\d\W][^\d]{1,40}$")
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        return value[:1] + "***"
