"""Library-grade validators: uap-core (ua-parser), email-validator and usaddress.

These parsers cost tens to hundreds of microseconds a call, so they never see a
whole column: a vectorized pattern proposes candidates, and ``check_distinct``
runs the parser once per distinct candidate (user agents and street names repeat
a lot), on at most ``limit`` distinct values per batch. Nothing here touches
the network: uap-core's regexes ship inside ``ua-parser-builtins``, email
syntax is checked with ``check_deliverability=False`` (no DNS), and the public
suffix list is tldextract's bundled snapshot.
"""

from __future__ import annotations

import importlib.util
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import MAX_PYTHON_CHECKS, Detector, check_limit


@dataclass(frozen=True)
class Distinct:
    """What a parser made of a batch's candidates, each distinct value parsed once."""

    #: Candidates (with repeats) that validated, estimated from a subset when one was drawn.
    matched: int
    #: Masked examples of validated values.
    evidence: tuple[str, ...]
    #: How many distinct values were parsed when a subset was drawn, else None.
    subset: int | None
    #: The distinct values parsed, the parser's verdict on each and how many
    #: candidates each stands for (for a second, looser reading: ``rows_where``).
    values: tuple[str, ...] = field(default=(), repr=False)  # raw: never printed
    verdicts: tuple[Any, ...] = ()
    weights: tuple[int, ...] = ()
    #: All candidates, parsed or not.
    total: int = 0

    def rows_where(self, accept: Callable[[Any], bool]) -> int:
        """How many candidates have a verdict ``accept`` keeps (scaled up from a subset)."""
        rows = sum(w for w, r in zip(self.weights, self.verdicts, strict=True) if accept(r))
        seen = sum(self.weights)
        if self.subset is None or not seen:
            return rows
        return round(rows * self.total / seen)


def check_distinct(candidates: pa.Array, verdict: Callable[[str], Any], detector: Detector,
                   limit: int = MAX_PYTHON_CHECKS,
                   accept: Callable[[Any], bool] = bool) -> Distinct:
    """Run ``verdict`` once per distinct candidate; count the candidates ``accept`` keeps.

    Past ``limit`` distinct values, a seeded random subset of them is parsed and
    the count scaled up by the rows they stand for.
    """
    if len(candidates) == 0:
        return Distinct(0, (), None)
    vc = pc.value_counts(candidates)
    values = vc.field("values")
    counts = vc.field("counts")
    subset: int | None = None
    total = len(candidates)
    limit = check_limit(limit)
    if len(values) > limit:
        picks = pa.array(sorted(random.Random(len(values)).sample(range(len(values)), limit)))
        values, counts = values.take(picks), counts.take(picks)
        subset = limit
    texts = values.to_pylist()
    weights = counts.to_pylist()
    verdicts = [verdict(v) for v in texts]
    result = Distinct(0, (), subset, tuple(texts), tuple(verdicts), tuple(weights), total)
    evidence: list[str] = []
    for v, r in zip(texts, verdicts, strict=True):
        if not accept(r):
            continue
        m = detector.mask(v)
        if m not in evidence:
            evidence.append(m)
        if len(evidence) >= 3:
            break
    return replace(result, matched=result.rows_where(accept), evidence=tuple(evidence))


# --- user agents: uap-core ---------------------------------------------------------

def _ua_parser() -> Any:
    try:
        import ua_parser
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ImportError("ua-parser is needed for user agents: pip install piiscan-cpni") from exc
    # The package's own parser picks the fastest matcher installed (ua-parser-rs, a
    # Rust regex set; then re2; then Python's re) and builds it once per process.
    return ua_parser.parser


def uap_recognises(value: str) -> bool:
    """Tell whether uap-core's regexes name a client or a device in ``value``.

    uap-core answers "Other" (None here) for anything it does not know; a known
    family is evidence the string was written by a client.
    """
    from ua_parser import Domain

    result = _ua_parser()(value, Domain.USER_AGENT | Domain.DEVICE)
    # uap-core's generic device rules ("Generic Feature Phone") fire on bare protocol
    # names and model numbers; an operating system alone (`Windows 10 Pro`) is a
    # product name as often as an agent.
    device = result.device is not None and not result.device.family.startswith("Generic")
    return result.user_agent is not None or device


# --- emails: email-validator and the public suffix list ----------------------------

@lru_cache(maxsize=1)
def public_tlds() -> frozenset[str]:
    """Top-level domains of the bundled public suffix snapshot, in ASCII (IDNs as punycode).

    Private-use and special-use names (``.local``, ``.internal``, ``.test``,
    ``.invalid``, ``.localhost``) are not in the list: an address under them
    reaches no one outside one network.
    """
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("tldextract is needed for email domains: pip install piiscan-cpni")
    snapshot = Path(spec.submodule_search_locations[0]) / ".tld_set_snapshot"
    tlds: set[str] = set()
    for line in snapshot.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        tld = line.split()[0].rsplit(".", 1)[-1].lstrip("!*").lower()
        if not tld:
            continue
        try:
            tlds.add(tld if tld.isascii() else tld.encode("idna").decode("ascii"))
        except UnicodeError:
            continue
    return frozenset(tlds)


def email_valid(value: str) -> bool:
    """Tell whether ``value`` is an address by RFC 5322 syntax, under a public top-level domain.

    email-validator checks the syntax (internationalised and quoted local parts
    allowed, no DNS query). On top of it: an ASCII top-level domain must be on
    the public suffix list, and the local part must hold no ``/``: RFC 5322 allows
    one, but mailbox providers never hand such names out, while device and path
    names (``S0/SU2/DS1-0@HQRTR.corp.local``) are full of them.
    """
    from email_validator import EmailNotValidError, validate_email

    address = value.rsplit("<", 1)[-1].rstrip(">").strip() if value.endswith(">") else value
    try:
        parsed = validate_email(address, check_deliverability=False, allow_smtputf8=True,
                                allow_quoted_local=True, allow_domain_literal=False,
                                globally_deliverable=True)
    except EmailNotValidError:
        return False
    if "/" in parsed.local_part:
        return False
    if not parsed.domain.rsplit(".", 1)[-1].isascii():
        # An internationalised top-level domain that IDNA accepts: private and
        # special-use names are all ASCII (.local, .lan, .corp), and the snapshot
        # lags behind newly delegated IDN domains.
        return True
    return parsed.ascii_domain.rsplit(".", 1)[-1].lower() in public_tlds()


# --- US street addresses: usaddress ------------------------------------------------

#: What usaddress must find, besides a house number and a street name, for a
#: street line to count on its values alone: a street type (St, Avenue), a
#: direction (N, SW) or the rest of an address (city, state, ZIP).
_STREET_CONFIRMING = frozenset({"StreetNamePostType", "StreetNamePreType",
                                "StreetNamePreDirectional", "StreetNamePostDirectional",
                                "StateName", "ZipCode"})

#: Street types of USPS Publication 28 (appendix C1), spelled out and abbreviated: the
#: CRF model also tags `Abs` in `6 Pack Abs` as one.
STREET_TYPES = frozenset("""
    alley aly allee anex anx annex arcade arc avenue ave av bayou byu beach bch bend bnd
    bluff blf bottom btm boulevard blvd branch br bridge brg brook brk burg bg bypass byp
    camp cp canyon cyn cape cpe causeway cswy center ctr centre circle cir cliff clf club
    clb common cmn corner cor corners cors course crse court ct courts cts cove cv creek crk
    crescent cres crest crst crossing xing dale dl dam dm divide dv drive dr drives drs
    estate est estates ests expressway expy expwy extension ext falls fls ferry fry field fld
    fields flds flat flt flats flts ford frd forest frst forge frg fork frk freeway fwy
    garden gdn gardens gdns gateway gtwy glen gln green grn grove grv harbor hbr haven hvn
    heights hts highway hwy hill hl hills hls hollow holw inlet inlt island is islands iss
    isle junction jct key ky knoll knl knolls knls lake lk lakes lks landing lndg lane ln
    light lgt loaf lf lock lck lodge ldg loop mall manor mnr meadow mdw meadows mdws mews
    mill ml mills mls mission msn motorway mtwy mount mt mountain mtn neck nck orchard orch
    oval park pk parkway pkwy pass passage psge path pike pine pne pines pnes place pl plain
    pln plains plns plaza plz point pt points pts port prt prairie pr radial radl ranch
    rnch rapids rpds rest rst ridge rdg ridges rdgs river riv road rd roads rds route rte
    row rue run
    shoal shl shore shr skyway skwy spring spg springs spgs spur square sq squares sqs
    station sta stravenue stra stream strm street st streets sts summit smt terrace ter
    trace trce track trak trail trl tunnel tunl turnpike tpke underpass upas union un
    valley vly viaduct via view vw village vlg ville vl vista vis walk way ways well wl
""".split())

#: Street types written before the name (`Highway 6`, `County Road 9`, `Avenue of the
#: Americas`, `Calle Ocho`), by their first word.
_PRE_TYPES = frozenset("""
    avenue ave av highway hwy route rte road rd county state interstate i us u.s. fm farm
    ranch rr calle camino via rue paseo avenida alameda boulevard blvd loop parkway pkwy
    expressway expy freeway fwy turnpike tpke old
""".split())

#: A distance, not a house number (`4km`, `12.5 mi`), and street names that are a unit or a
#: preposition of a place's description (`4km W of ...`).
_DISTANCE = re.compile(r"(?i)^\d+(?:[.,]\d+)?\s*(?:km|mi|miles?|kilomet(?:er|re)s?)$")
_NOT_A_STREET = frozenset({"of", "from", "km", "mi"})

#: usaddress's verdicts: a full street line, a street line only a telling column
#: name can vouch for ("350 Broadway", "12 Angry Men" alike), or no address.
STREET = 2
STREET_NAMED = 1
NOT_STREET = 0


def _leading_tags(tokens: list[tuple[str, str]]) -> tuple[dict[str, str], str]:
    """Join usaddress's token labels up to the first label that comes back."""
    tags: dict[str, str] = {}
    last = ""
    for token, label in tokens:
        if label in tags and label != last:
            break
        tags[label] = f"{tags[label]} {token}" if label in tags else token
        last = label
    tags = {k: v.strip(" ,;") for k, v in tags.items()}
    kind = "PO Box" if "USPSBoxID" in tags else "Street Address"
    return tags, kind


def us_street(value: str) -> int:
    """Read one candidate with usaddress: STREET, STREET_NAMED or NOT_STREET.

    A PO box, rural route or highway contract box (``RR 2 Box 152``) is an
    address; an occupancy alone (``Suite 200``, ``Apt 4B``) is not. The CRF
    model tags any "number words" phrase as a street (``47 Ronin``), so a street
    type, a direction or a city/state/ZIP must confirm it.
    """
    import usaddress

    try:
        tags, kind = usaddress.tag(value[:200])
    except usaddress.RepeatedLabelError as exc:
        # A label that comes back later (`..., CA 94043, United States of America`): the
        # address is what comes before it.
        tags, kind = _leading_tags(exc.parsed_string)
    if kind == "PO Box":
        return STREET if tags.get("USPSBoxID") else NOT_STREET
    if kind != "Street Address" or not tags.get("AddressNumber") or not tags.get("StreetName"):
        return NOT_STREET
    if _DISTANCE.match(tags["AddressNumber"]) or tags["StreetName"].lower() in _NOT_A_STREET:
        # `4km W of Castaic, CA`, `2 mi E of Lakeview`: a distance from a place, no house.
        return NOT_STREET
    before = ("Recipient", "BuildingName", "LandmarkName")
    if len(tags["StreetName"].split()) > 4 or any(len(tags.get(k, "").split()) > 4
                                                   for k in before):
        # A sentence with a number in it (`... who must Outrace a Robot 5 in A Mountain
        # Village`): street names and the building before them are short.
        return NOT_STREET
    if not any(c.isdigit() for c in tags["AddressNumber"]):
        # "One Microsoft Way": spelled-out numbers are rare and mostly titles.
        return STREET_NAMED
    if tags.get("OccupancyIdentifier") and not tags.get("OccupancyType") and not any(
            c.isdigit() or c == "#" for c in tags["OccupancyIdentifier"]):
        # `1 Park Place Game`: an occupancy is a number, a letter after #, or typed.
        return STREET_NAMED
    post = tags.get("StreetNamePostType", "").rstrip(".").lower()
    if post and post not in STREET_TYPES:
        return STREET_NAMED
    pre = tags.get("StreetNamePreType", "").split(" ", 1)[0].rstrip(".").lower()
    if pre and pre not in _PRE_TYPES:
        # `57 Way Radio`: a street type before the name is a highway, a county road,
        # an Avenue of ... or a Spanish or French street word.
        return STREET_NAMED
    if _STREET_CONFIRMING.intersection(tags):
        return STREET
    if tags.get("PlaceName") and tags.get("StateName"):
        return STREET
    return STREET_NAMED
