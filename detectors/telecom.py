"""Telecom data: device identifiers, location, calling details, plans and usage (CPNI)."""

from __future__ import annotations

from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import (
    ColumnFacts,
    Detector,
    Match,
    Tally,
    ValueView,
    Verdict,
    count,
    filter_if_any,
    mask_tail,
    register,
    take_evidence,
    wilson_lower,
)
from detectors.checksums import luhn
from detectors.fastpaths import digit_counts, has, holding, matches, may_hold
from detectors.names import NO_EVIDENCE, NameEvidence, NameRule, tokenize

# IMSI: mobile country code (MCC 2xx-7xx) then MNC and subscriber number, 15 digits in all.
_IMSI = r"^[2-7]\d{14}$"
# ICCID: 89 (telecom) + country code + issuer + account, Luhn check digit; 19 or 20 digits.
_ICCID = r"^89\d{17,18}$"
_MEID = r"^[0-9A-Fa-f]{14}$"


@register
class DeviceIdDetector(Detector):
    """Device identifiers: IMEI and ICCID (Luhn), IMSI and MEID (by shape and name)."""

    entity = "DEVICE_ID"
    name = "device_id"
    kinds = frozenset({"string", "integer"})
    names = NameRule(strong=("imei", "imsi", "iccid", "meid", "esn", "sim", "sim number",
                             "device id", "handset id", "equipment id", "serial number",
                             "device serial", "advertising id", "android id", "sim serial",
                             "device name", "mobile device"),
                     veto=("count", "type", "model", "vendor", "manufacturer", "session"))
    # A column named imei or serial_number is reported even when its values do not validate.
    name_only_needs_shape = False
    named_shape_counts = True
    specificity = 75
    valid_word = "IMEI/ICCID check digit valid"

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.numeric
        # Fourteen to twenty-five characters before the pattern (phones and SSNs are shorter).
        n = pc.utf8_length(s)
        s = filter_if_any(s, pc.and_(pc.greater_equal(n, 14), pc.less_equal(n, 25)))
        if not pc.all(pc.ascii_is_decimal(s)).as_py():
            s = s.filter(pc.match_substring_regex(s, r"^\d[\d /-]{13,24}$"))
            digits = pc.replace_substring_regex(s, r"[ /-]", "")
        else:
            digits = s  # all digits: the pattern holds
        # Digits only from here: the forms are lengths and leading digits.
        n = pc.utf8_length(digits)
        is15 = pc.equal(n, 15)
        iccid = pc.and_(pc.starts_with(digits, "89"),
                        pc.and_(pc.greater_equal(n, 19), pc.less_equal(n, 20)))
        lead = pc.utf8_slice_codeunits(digits, 0, 1)
        imsi = pc.and_(is15, pc.and_(pc.greater_equal(lead, "2"), pc.less_equal(lead, "7")))
        meid = pc.match_substring_regex(view.of_length(14, 14), _MEID)
        # An IMSI has no check digit: it counts as shaped, and as matched only
        # when the column name supports it (see judge).
        imei_iccid = _luhn_where(digits, pc.or_(is15, iccid))
        shaped = count(pc.or_(pc.or_(is15, iccid), imsi)) + count(meid)
        # Under a telling name an IMSI or MEID counts by its form (no check digit);
        # an IMEI or ICCID only with its check digit (see judge).
        return Match(shaped, count(imei_iccid), take_evidence(s, imei_iccid, self),
                     named_valid=count(pc.or_(imei_iccid, imsi)) + count(meid))

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        said = name.reason.lower()
        if "imei" in said or "iccid" in said:
            # The name says the values carry a Luhn check digit: nothing else counts.
            tally = Tally(tally.shaped, tally.matched, tally.checked, tally.subsampled,
                          tally.evidence, specimens=tally.specimens,
                          named_valid=tally.matched)
        return super().judge(tally, facts, name)

    def mask(self, value: str) -> str:
        return mask_tail(value, 3)


def _luhn_where(digits: pa.Array, where: pa.BooleanArray) -> pa.BooleanArray:
    """Luhn check of the digit strings ``where`` says (IMEI and ICCID lengths); False elsewhere."""
    if not pc.any(where).as_py():
        return where
    return pc.replace_with_mask(where, where, luhn(digits.filter(where), range(15, 21)))


# Both parts carry decimals: "1, 2" is a pair of numbers, not a position.
_LATLON_PAIR = (
    r"^[(\[]?\s*[+-]?(?:90\.0{2,}|[1-8]?\d\.\d{2,})\s*[,; ]\s*"
    r"[+-]?(?:180\.0{2,}|1[0-7]\d\.\d{2,}|[1-9]?\d\.\d{2,})\s*[)\]]?$"
)
# One angle in degrees, minutes (and seconds) or decimal degrees, with its hemisphere.
_DMS = (r"(?:\d{1,3}°\s*\d{1,2}(?:\.\d+)?\s*['′](?:\s*\d{1,2}(?:\.\d+)?\s*(?:[\"″]|''))?"
        r"|\d{1,3}(?:\.\d+)?\s*°)")
_DMS_PAIR = rf"^{_DMS}\s*[NSns]\s*[,;/ ]?\s*{_DMS}\s*[EWOew]$"
_DMS_ONE = rf"^[NSEWO]?\s*{_DMS}\s*[NSEWOnsewo]?$"
#: The characters a pair can open with (values are trimmed: no space first).
_PAIR_OPENS = pa.array(list("([+-0123456789"))


# Well-known text, as spatial databases export a point: POINT(lon lat).
_WKT_POINT = (
    r"^(?:SRID=\d+;)?POINT\s*\(\s*[+-]?1?\d{1,2}\.\d+\s+[+-]?\d{1,2}\.\d+\s*\)$"
)


@register
class GeoCoordinatePairDetector(Detector):
    """Coordinate pairs in one value (``44.1234, -68.5678``): latitude and longitude together."""

    entity = "GEO_LOCATION"
    name = "geo_coordinates"
    names = NameRule(strong=("coordinates", "latitude longitude", "geo location", "gps",
                             "location", "position"),
                     veto=("count", "type", "name", "code", "accuracy", "source", "method"))
    specificity = 70
    valid_word = "coordinate pairs"

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        # Pairs may open with a bracket and a minus sign, `(-17.73, 85.60)`.
        s = view.strings if view.kind == "string" else view.numeric
        # One search of the bytes says which forms can be there at all.
        dots, point, degrees = holding(view.strings, ".", "POINT", "°")
        # A pair holds two decimal points and opens with a bracket, a sign or a digit;
        # the anchored pattern then fails within a few characters of any other value.
        if not dots:
            s = s.slice(0, 0)
        s = filter_if_any(s, pc.is_in(pc.utf8_slice_codeunits(s, 0, 1), value_set=_PAIR_OPENS))
        pair = pc.match_substring_regex(s, _LATLON_PAIR)
        text = view.textual if view.kind == "string" else view.strings
        points = filter_if_any(text, has(text, "POINT")) if point else text.slice(0, 0)
        wkt = pc.match_substring_regex(points, _WKT_POINT)
        # Degrees, minutes and seconds with hemispheres: 40°26'46"N 79°58'56"W.
        signs = (filter_if_any(text, has(text, "°")) if view.kind == "string" and degrees
                 else view.strings.slice(0, 0))
        dms = pc.match_substring_regex(signs, _DMS_PAIR)
        k = count(pair) + count(wkt) + count(dms)
        evidence = (take_evidence(s, pair, self) + take_evidence(points, wkt, self)
                    + take_evidence(signs, dms, self))
        return Match(k, k, evidence[:3])

    def mask(self, value: str) -> str:
        return "**.***, **.***"


@register
class GeoLocationDetector(Detector):
    """Latitude and longitude columns (values in range, with decimals) and cell IDs, by name."""

    entity = "GEO_LOCATION"
    name = "geo_location"
    kinds = frozenset({"string", "float", "integer"})
    names = NameRule(strong=("latitude", "longitude", "geohash", "cell id", "cell tower",
                             "cell site", "serving cell", "geo", "reclat", "reclong",
                             "lat deg", "lon deg"),
                     exact=("x", "y", "geo x", "geo y", "coord x", "coord y", "point x",
                            "point y"),
                     veto=("count", "type", "name", "code", "accuracy", "source", "method",
                           "timezone"))
    # A column of decimals between -180 and 180 is not a location by itself.
    requires_name = True
    specificity = 45
    valid_word = "in coordinate range"

    def match(self, view: ValueView) -> Match | None:
        nums = view.numbers
        dms = 0
        if view.kind == "string":
            # 40°26'46"N, 40.446° N: an angle written for people.
            dms = count(pc.match_substring_regex(view.having("°"), _DMS_ONE))
        if len(nums) == 0:
            return Match(dms, dms, strong=dms)
        in_range = pc.and_(pc.greater_equal(nums, -180), pc.less_equal(nums, 180))
        # ``strong``: in range with a fractional part (x/y columns need it: pixel and
        # grid coordinates are whole numbers).
        fraction = pc.not_equal(nums, pc.floor(nums))
        return Match(count(in_range) + dms, count(in_range) + dms,
                     strong=count(pc.and_(in_range, fraction)) + dms)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        if name.score >= 0.5 and "cell" in name.reason.lower() and facts.values:
            # Cell IDs are plain integers: the name is the evidence.
            tally = Tally(facts.values, facts.values, tally.checked, False, tally.evidence)
        elif 0.5 <= name.score < 0.9:
            # A bare `x` or `y`: only decimals in coordinate range count.
            if tally.strong * 5 < facts.values * 4:
                return None
            tally = Tally(tally.strong, tally.strong, tally.checked, False, tally.evidence)
        return super().judge(tally, facts, name)


@register
class CallDetailDetector(Detector):
    """Calling details in call records: times, durations, parties, trunks, dispositions."""

    entity = "CALL_DETAIL"
    name = "call_detail"
    valid_word = "non-empty"
    kinds = frozenset({"string", "integer", "float", "temporal"})
    names = NameRule(
        strong=("billable seconds", "call duration", "call start", "call end", "call time",
                "call date", "destination channel", "disposition", "hangup cause", "called party",
                "calling party", "dialed number", "dialled number", "dialed digits",
                "destination number", "last data", "trunk", "call type", "answer stamp",
                "start stamp", "end stamp", "date time origination", "date time connect",
                "date time disconnect", "orig span", "dest span", "original called party",
                "final called party", "call direction", "ring time", "talk time", "hold time",
                "connected time", "call start time", "caller id number", "outbound cid",
                "answered", "cause value", "directory number", "redirecting number",
                "outpulsed", "hunt pilot", "last redirect", "call date", "call time",
                "wait time", "park time", "dialled", "dialed", "call number", "rec number",
                "receiver number", "recipient number", "sender number", "sending telephone",
                "receiving telephone", "a number", "b number", "other number", "sip code",
                "sip reason", "setup time", "call start time", "sent time", "received time",
                "a party", "b party", "correspondent", "correspondent id", "call kind",
                "call direction"),
        weak=("start", "end", "answer", "duration", "channel", "caller", "called", "calling",
              "caller id", "time", "date", "dial", "span", "direction", "context", "timestamp",
              "sent", "received", "cell", "a cell", "b cell"),
        # A lone "dst" or "src" is a call party in a call record.
        exact=("source", "destination"),
        veto=("created", "updated", "modified", "birth", "expiry", "expiration", "user",
              "name", "rowid", "flag", "flags", "imported", "unique", "uuid", "location",
              "precedence", "node", "ip", "port", "address", "codec", "bandwidth",
              "resolution", "payload", "bit", "frames", "packet", "packets", "octets",
              "video", "jitter", "delay", "metrics", "content", "role", "rsvp", "dtmf",
              "conversation", "cluster", "manager", "global", "partition", "pattern", "leg",
              "identifier", "behalf", "reason", "type", "session", "stat", "method", "trip",
              "latency", "mos", "device", "version"),
    )
    requires_name = True
    name_only_needs_shape = False
    specificity = 10

    def match(self, view: ValueView) -> Match | None:
        k = view.count
        return Match(k, k)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        verdict = super().judge(tally, facts, name)
        if verdict is None:
            return None
        # Every calling-detail claim holds only inside a call record: the engine
        # keeps it when the table is one (see scanner.core.classify).
        return Verdict(verdict.entity, verdict.confidence, verdict.matched, verdict.sampled,
                       verdict.reasons, (), verdict.from_values, needs_call_record=True)


# A telephone number as any country writes it nationally: digits with blanks,
# dots, dashes and brackets, an optional +, 7 to 15 digits in all.
_PARTY_SHAPE = r"^\+?\(?\d[\d\s().-]{5,20}\d$"
_DATE_SHAPE = r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$"


@register
class CallPartyNumberDetector(Detector):
    """Call parties' telephone numbers in any national format, inside call and messaging records.

    Without a country, ``78130 00821`` or ``(022)28952819`` cannot be validated
    as a number plan would; inside a call record, under a party's name
    (``call_num``, ``rec_num``, ``sending_telephone``), its shape is enough.
    """

    entity = "PHONE_NUMBER"
    name = "call_party_number"
    valid_word = "telephone-number shaped"
    kinds = frozenset({"string", "integer"})
    names = NameRule(
        strong=("call number", "rec number", "receiver number", "recipient number",
                "sender number", "sending telephone", "receiving telephone", "sending number",
                "receiving number", "calling number", "called number", "caller number",
                "callee number", "a number", "b number", "other number", "remote number",
                "source number", "destination number", "from number", "to number",
                "party number", "dialed number", "dialled number", "msisdn", "calling party",
                "called party", "caller id number", "sender telephone", "recipient telephone",
                "originating number", "terminating number", "sender phone", "recipient phone",
                "caller phone", "callee phone", "from phone", "to phone"),
        veto=("type", "count", "name", "plan", "prefix", "country", "area", "id", "pattern",
              "partition", "mask", "transformation", "unicode", "presentation", "numbering"),
    )
    requires_name = True
    specificity = 20

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.numeric
        # Seven to fifteen digits first (counted without a pattern), then the shapes.
        digits = digit_counts(s)
        s = filter_if_any(s, pc.and_(pc.greater_equal(digits, 7), pc.less_equal(digits, 15)))
        ok = pc.and_(pc.match_substring_regex(s, _PARTY_SHAPE),
                     pc.invert(pc.match_substring_regex(s, _DATE_SHAPE)))
        ok = pc.fill_null(ok, False)
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        return mask_tail(value, 2)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        verdict = super().judge(tally, facts, name)
        if verdict is None or not verdict.from_values:
            return None
        # Only a call or messaging record makes a party's number of this shape a
        # telephone number (see scanner.core.classify).
        return Verdict(verdict.entity, verdict.confidence, verdict.matched, verdict.sampled,
                       verdict.reasons, verdict.evidence, True, needs_call_record=True)


#: Words of plans, contracts and subscriptions as carriers and ISPs write them.
_PLAN_TERMS = (
    r"month[- ]to[- ]month|(?:one|two|three|1|2|3)[- ]years?|12[- ]months?|"
    r"24[- ]months?|annual|monthly|d?v?a?dsl|fib(?:er|re)(?: optic)?|ftt[hpcx]|cable|coax|"
    r"satellite|fixed wireless|unlimited(?: \w+)?|pre-?paid|post-?paid|pay[- ]as[- ]you[- ]go|"
    r"payg|no (?:internet|phone) service|bundle|triple play|double play|family plan|"
    r"(?:basic|standard|premium|gold|silver|bronze|platinum) (?:plan|package|tier)|"
    r"\d+\s?(?:mbps|gbps|gb|mb)(?: plan)?"
)
_PLAN_VOCABULARY = rf"(?i)^\s*(?:{_PLAN_TERMS})\s*$"


#: Words of telecom and internet services inside a product's label.
_SERVICE_TERMS = (
    r"plans?|unlimited|data|minutes|mins|talk|texts?|sms|voice|calling|"
    r"mobile|cellular|wireless|[345]g|lte|internet|broadband|fib(?:er|re)|dsl|adsl|vdsl|"
    r"ftt[hpcx]|tv|iptv|landline|home phone|prepaid|pre-paid|postpaid|post-paid|payg|"
    r"pay as you go|roaming|tariff|subscription|streaming|hotspot|sim only|e?sim|"
    r"\d+\s?(?:gb|mb|mbps|gbps)"
)
_SERVICE_WORDS = rf"(?i)(?:^|[^a-z0-9])(?:{_SERVICE_TERMS})(?:$|[^a-z0-9])"
#: Names that say plan, tariff or package as such; a bare ``product`` or ``offer`` does not.
_AMBIGUOUS_PLAN_WORDS = ("product", "offer")


@register
class ServicePlanDetector(Detector):
    """The type of services a customer has: plan, package, tariff, contract, add-ons.

    Telling names (``rate_plan``, ``Contract``, ``InternetService``,
    ``StreamingTV``) with short labels, or, whatever the name, values in the
    vocabulary of plans and contracts (month-to-month, one/two year, DSL,
    fiber optic, unlimited, prepaid/postpaid, bundle names).
    """

    entity = "SERVICE_PLAN"
    name = "service_plan"
    valid_word = "short labels"
    kinds = frozenset({"string", "integer"})
    names = NameRule(strong=("service plan", "rate plan", "plan", "tariff", "package",
                             "subscription", "service type", "product", "plan name", "plan code",
                             "bundle", "service level", "features", "service tier", "contract",
                             "contract type", "internet service", "phone service",
                             "multiple lines", "streaming tv", "streaming movies",
                             "streaming music", "online security", "online backup",
                             "device protection", "tech support", "technical support",
                             "paperless billing", "add on", "addon",
                             "add ons", "addons", "premium tech support", "unlimited data",
                             "internet type", "offer", "speed tier", "data plan"),
                     veto=("count", "price", "cost", "date", "id", "start", "end", "created",
                           "updated", "file", "number", "charge", "charges", "amount", "total",
                           "minutes", "calls",
                           # How a customer pays (card, transfer, cheque) is no service.
                           "payment",
                           # The product of a vendor or of the software that wrote a log.
                           "vendor", "manufacturer", "software", "version"))
    # Unnamed columns are judged on the plan vocabulary alone (see judge).
    requires_name = False

    def match(self, view: ValueView) -> Match | None:
        s = view.strings
        if len(s) == 0:
            return None
        ok = pc.less_equal(view.lengths, 80)
        k = count(ok)
        # Both vocabularies need words, which number-shaped values (phones, ids) never hold.
        words = view.textual if view.kind == "string" else s.slice(0, 0)
        # The terms, without the anchors and word bounds around them, are looked for in
        # all the batch's text at once first: a column of e-mails or names holds none.
        strong, evidence = 0, ()
        if may_hold(words, f"(?i){_PLAN_TERMS}"):
            vocab, = matches(words, _PLAN_VOCABULARY)
            strong, evidence = count(vocab), take_evidence(words, vocab, self)
        evidence = evidence or _first_evidence(s, ok, self)
        # ``named_valid`` carries the labels that name a telecom or internet service (see
        # judge: under a bare ``product`` or ``offer`` only those count).
        service = 0
        if may_hold(words, f"(?i){_SERVICE_TERMS}"):
            short = filter_if_any(words, pc.less_equal(pc.utf8_length(words), 80))
            service = count(matches(short, _SERVICE_WORDS)[0])
        return Match(k, k, evidence, strong=strong, named_valid=service)

    def mask(self, value: str) -> str:
        return value[:1] + "***"

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        n = facts.values
        if name.score >= 0.5 and _made_by_a_machine(facts.name):
            name = NO_EVIDENCE
        elif name.score >= 0.5 and _plan_as_such().evaluate(facts.name).score < 0.5:
            # A bare ``product`` or ``offer`` names a shop's goods as often as a carrier's
            # services: the labels must say which (``Mobile Unlimited``, ``Fiber 500``,
            # not ``Desk lamp``).
            if not n or tally.named_valid * 2 < n:
                return None
        if name.score >= 0.5:
            verdict = super().judge(tally, facts, name)
            if verdict is not None and tally.strong:
                reasons = (*verdict.reasons, f"plan vocabulary {tally.strong}/{n}")
                return Verdict(verdict.entity, min(0.97, verdict.confidence + 0.03),
                               verdict.matched, verdict.sampled, reasons, verdict.evidence,
                               verdict.from_values)
            return verdict
        if n and tally.strong and wilson_lower(tally.strong, n) >= 0.5:
            lower = wilson_lower(tally.strong, n)
            vocab = Tally(tally.strong, tally.strong, tally.checked, tally.subsampled,
                          tally.evidence)
            return self._verdict(0.5 + 0.35 * lower, vocab, n,
                                 [f"plan and contract vocabulary {tally.strong}/{n}"], True)
        return None


#: Values whose evidence is looked for first (``take_evidence`` reads the first twelve).
_EVIDENCE_HEAD = 1_000


def _first_evidence(values: pa.Array, mask: pa.BooleanArray, detector: Detector) -> tuple[str, ...]:
    """``take_evidence`` without filtering the whole batch when its head has enough."""
    if len(values) > _EVIDENCE_HEAD and count(mask.slice(0, _EVIDENCE_HEAD)) >= 12:
        return take_evidence(values.slice(0, _EVIDENCE_HEAD), mask.slice(0, _EVIDENCE_HEAD),
                             detector)
    return take_evidence(values, mask, detector)


@cache
def _plan_as_such() -> NameRule:
    """Return the plan rule without the words that name goods as often as services."""
    rule = ServicePlanDetector.names
    return NameRule(strong=tuple(p for p in rule.strong if p not in _AMBIGUOUS_PLAN_WORDS),
                    veto=rule.veto)


#: Words that make a product the product of a device or of software, not a customer's
#: service: CEF's header names the reporting device's vendor, product and version
#: (``DeviceProduct``), ECS its ``observer.product``, inventories an ``os_product``.
_MACHINE_WORDS = frozenset({"device", "observer", "os", "browser", "app", "application",
                            "hardware", "firmware", "agent", "sensor", "appliance", "host",
                            "server", "platform", "engine", "tool", "reporter"})


def _made_by_a_machine(column: str) -> bool:
    """Tell whether a name says ``product`` of a device or of software (``DeviceProduct``)."""
    tokens = tokenize(column)
    return any(t == "product" and i and tokens[i - 1] in _MACHINE_WORDS
               for i, t in enumerate(tokens))


@register
class ServiceUsageDetector(Detector):
    """How much of a service a customer used and its charges: minutes, data, calls, amounts."""

    entity = "SERVICE_USAGE"
    name = "service_usage"
    valid_word = "non-negative amounts"
    kinds = frozenset({"string", "integer", "float"})
    names = NameRule(strong=("minutes used", "minutes", "data usage", "data used", "usage",
                             "call count", "calls", "sms count", "messages sent", "mb used",
                             "gb used", "bytes used", "charges", "charge", "call charge",
                             "amount due", "bill amount", "monthly charge", "overage",
                             "roaming", "usage amount", "talk minutes", "airtime", "mins",
                             "vmail messages", "vmail message", "voicemail messages",
                             "voice mail messages", "voicemail", "sms", "texts", "messages",
                             "data mb", "data gb", "octets", "session time"),
                     veto=("date", "id", "type", "created", "updated", "limit", "policy",
                           "pattern", "location", "country", "region"))
    requires_name = True

    def match(self, view: ValueView) -> Match | None:
        nums = view.numbers
        if len(nums) == 0:
            return Match(0, 0) if view.kind == "string" else None
        ok = pc.greater_equal(nums, 0)
        k = count(ok)
        return Match(k, k)


#: A tenure counts days or months: a century of days at most.
MAX_TENURE = 36_600


@register
class ServiceTenureDetector(Detector):
    """How long a customer has had the service: account length, account age, tenure.

    Churn and subscriber tables count it in days or months (``account_length``
    1-243, ``tenure`` 0-72). The policy's CPNI covers when customers use their
    services, so a tenure tied to a subscriber is service usage; in a table
    tied to nobody it is aggregate information and dropped, like other usage.
    """

    entity = "SERVICE_USAGE"
    name = "service_tenure"
    valid_word = f"whole days or months (0 to {MAX_TENURE:,})"
    kinds = frozenset({"string", "integer", "float"})
    names = NameRule(strong=("account length", "account len", "account age", "tenure",
                             "customer tenure", "subscriber tenure", "service tenure",
                             "months as customer"),
                     veto=("date", "id", "created", "start", "since", "type", "status"))
    requires_name = True

    def match(self, view: ValueView) -> Match | None:
        nums = view.numbers
        if len(nums) == 0:
            return Match(0, 0) if view.kind == "string" else None
        # The form is the count itself: a timestamp or an amount is not a tenure at all.
        whole = pc.equal(pc.floor(nums), nums)
        ok = pc.and_(whole, pc.and_(pc.greater_equal(nums, 0), pc.less_equal(nums, MAX_TENURE)))
        k = count(ok)
        return Match(k, k)

