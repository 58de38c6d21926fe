"""What a customer's equipment reveals: IP and MAC addresses, browser user agents."""

from __future__ import annotations

import ipaddress

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
    register,
    take_evidence,
)
from detectors.fastpaths import any_has, has, matches
from detectors.libraries import check_distinct, uap_recognises
from detectors.names import NameEvidence, NameRule, tokenize

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"^{_OCTET}(?:\.{_OCTET}){{3}}(?:/(?:3[0-2]|[12]?\d))?(?::\d{{1,5}})?$"
_IPV6_SHAPE = r"^\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%\w+)?\]?(?:/\d{1,3})?$"
_CHAIN = r"^([0-9A-Fa-f:.\[\]]+)(?:\s*,\s*[0-9A-Fa-f\[]*[.:][0-9A-Fa-f:.\[\]]*)+$"
#: A field named for a version or build holds dotted numbers that are no address.
_VERSION_WORDS = frozenset({"version", "ver", "vers", "build", "release", "firmware",
                            "revision"})


def _ipv6_valid(value: str) -> bool:
    v = value.strip("[]").split("%", 1)[0].split("/", 1)[0]
    if v.count(":") < 2:
        return False
    try:
        ipaddress.IPv6Address(v)
    except ValueError:
        return False
    if "/" in value and names_a_network(value.strip("[]").split("%", 1)[0]):
        return False
    return True


def names_a_network(value: str) -> bool:
    """Tell whether ``address/prefix`` is a network (``10.50.0.0/20``), not a host on it.

    A route, a subnet or a firewall rule's source names a network, no one's address;
    a host written with its prefix (``192.0.2.17/24``, as interfaces list it) is one.
    """
    try:
        iface = ipaddress.ip_interface(value)
    except ValueError:
        return False
    net = iface.network
    return iface.ip == net.network_address and net.prefixlen < net.max_prefixlen


def _networks(values: pa.Array, v4: pa.BooleanArray) -> pa.BooleanArray:
    """Mark the IPv4 values written ``network/prefix`` (checked once per distinct value)."""
    prefixed = pc.fill_null(pc.and_(v4, pc.match_substring(values, "/")), False)
    if not pc.any(prefixed).as_py():
        return prefixed
    nets = [v for v in pc.unique(values.filter(prefixed)).to_pylist() if names_a_network(v)]
    return pc.fill_null(pc.is_in(values, value_set=pa.array(nets, values.type)), False)


def _colon_first(values: pa.Array) -> pa.Array:
    """Return the values that open with an IPv6 address's characters up to a colon.

    Only they can be an IPv6 address, or a forwarded-for chain opening with one: an
    anchored pass that stops within a few characters of a sentence, where a search
    for the colon would read all of it.
    """
    if not any_has(values, ":"):
        return values.slice(0, 0)
    return filter_if_any(values, pc.match_substring_regex(values, r"^\[?[0-9A-Fa-f:.]*:"))


def _first_of_chain(values: pa.Array) -> pa.Array:
    """Replace each forwarded-for chain by its first address (values without a comma stay)."""
    if len(values) == 0 or not pc.any(has(values, ",")).as_py():
        return values
    return pc.replace_substring_regex(values, _CHAIN, r"\1")


@register
class IPAddressDetector(Detector):
    """IPv4 and IPv6 addresses (octet ranges; IPv6 checked by the ipaddress module)."""

    entity = "IP_ADDRESS"
    name = "ip_address"
    valid_word = "valid address"
    names = NameRule(strong=("ip", "ip address", "remote addr", "remote host", "client ip",
                             "source ip", "x forwarded for", "ipv4", "ipv6", "inet",
                             # Network records' own words for an address (CEF, NetFlow, NAT).
                             "translated address", "source address", "destination address",
                             "device address", "client address", "server address",
                             "host address", "local address", "peer address", "nat address",
                             "gateway address", "framed address", "nas address"),
                     # A column about an address (where it is, what it is) is not one.
                     veto=("count", "version", "type", "port", "latitude", "longitude",
                           "country", "city", "region", "geo", "location", "asn", "isp",
                           "reputation", "score", "range", "mask", "subnet"))
    # A strict validator: chance matches are rare, so fewer values convince.
    min_rate = 0.4
    specificity = 80
    in_text = True

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        # A forwarded-for chain (``198.51.100.4, 10.0.0.2``) is its addresses: the first,
        # the client's, stands for the value.
        six = _first_of_chain(_colon_first(view.strings))
        if view.is_text:
            # Three dots between digits first (one fast pass: RE2 skips from dot to dot
            # with memchr when the pattern opens with one), then the addresses.
            text = view.strings
            text = filter_if_any(text, pc.match_substring_regex(text, r"\.\d{1,3}\.\d{1,3}\.\d"))
            text = filter_if_any(text, pc.match_substring_regex(
                text, r"\d\.\d{1,3}\.\d{1,3}\.\d"))
            found = pc.extract_regex(text, rf"(?P<ip>\b{_OCTET}(?:\.{_OCTET}){{3}}\b)")
            s = pc.struct_field(found.filter(pc.is_valid(found)), [0])
        else:
            # An IPv4 address has dots: cards, phones and SSNs go no further.
            s = view.numeric
            s = _first_of_chain(filter_if_any(s, has(s, ".")))
        v4 = pc.match_substring_regex(s, _IPV4)
        v6_shape = pc.match_substring_regex(six, _IPV6_SHAPE)
        shaped = count(v4) + count(v6_shape)
        v4 = pc.and_(v4, pc.invert(_networks(s, v4)))
        matched = count(v4)
        evidence = list(take_evidence(s, v4, self))
        v6 = check_each(six.filter(v6_shape), _ipv6_valid, self)
        evidence.extend(v6.evidence)
        return Match(shaped, matched + v6.matched, tuple(evidence[:3]), v6.subset)

    def judge(self, tally: Tally, facts: ColumnFacts, name: NameEvidence) -> Verdict | None:
        if _VERSION_WORDS.intersection(tokenize(facts.name)):
            return None  # `version`: 23.0.0.10 is a release, not a host
        return super().judge(tally, facts, name)

    def mask(self, value: str) -> str:
        if ":" in value and value.count(":") >= 2:
            head = value.split(":")[:2]
            return ":".join(head) + ":****"
        parts = value.split(".")
        return ".".join(parts[:3]) + ".*" if len(parts) == 4 else "*.*.*.*"


_MAC = (
    r"^(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){4}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
    # Cisco names IP phones and adapters after their MAC: SEP001122334455.
    r"|(?:SEP|ATA|BAT)[0-9A-Fa-f]{12})$"
)
_BARE_MAC = r"^[0-9A-Fa-f]{12}$"
#: What either pattern matches.
_ANY_MAC = (r"^(?:[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){4}"
            r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}|(?:SEP|ATA|BAT)?[0-9A-Fa-f]{12})$")


@register
class MacAddressDetector(Detector):
    """MAC addresses (colon, dash or Cisco dotted notation; bare hex when the name says so)."""

    entity = "MAC_ADDRESS"
    name = "mac_address"
    valid_word = "valid MAC"
    names = NameRule(strong=("mac", "mac address", "hardware address", "bssid", "ethernet address",
                             "wifi mac", "device mac"), veto=("count", "vendor", "os"))
    # A strict validator: chance matches are rare, so fewer values convince.
    min_rate = 0.4
    named_shape_counts = True
    specificity = 85

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        if not (any_has(view.strings, ":", "-", ".", "SEP", "ATA", "BAT")
                or pc.any(pc.equal(view.lengths, 12)).as_py()):
            return Match(0, 0, ())  # no separator and no twelve characters: no MAC
        s = view.of_length(12, 17)
        # Every form, bare hex included, in one anchored pass that fails within a few
        # characters of anything else: cards, phones and IPs go no further.
        s = filter_if_any(s, pc.match_substring_regex(s, _ANY_MAC))
        ok = pc.match_substring_regex(s, _MAC)
        bare = pc.match_substring_regex(s, _BARE_MAC)
        return Match(count(ok) + count(bare), count(ok), take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        if value[:3] in {"SEP", "ATA", "BAT"}:
            return value[:9] + "******"
        sep = ":" if ":" in value else ("-" if "-" in value else ".")
        parts = value.split(sep)
        return sep.join(parts[:3] + ["**"] * (len(parts) - 3))


# The User-Agent grammar of RFC 9110: products (token["/"version]) and comments in
# parentheses, separated by spaces. Browsers, apps, bots, libraries, podcast clients and
# WAP phones all write it: `Spotify/1.0`, `GuzzleHttp/6.3.3 PHP/7.1`,
# `Nokia6230i/2.0 (03.80) Profile/MIDP-2.0 Configuration/CLDC-1.1`.
_UA_TOKEN = r"[A-Za-z][\w!#$%&'*+.^`|~-]*"
_UA_PRODUCT = _UA_TOKEN + r"(?:/[\w!#$%&'*+.^`|~:-]+)?"
_UA_COMMENT = r"\([^()]*(?:\([^()]*\)[^()]*)*\)"
_UA_GRAMMAR = (rf"^(?:{_UA_PRODUCT}|{_UA_COMMENT})(?:[ ]*[;,]?[ ]+(?:{_UA_PRODUCT}|{_UA_COMMENT}|"
               r"\+?https?://\S+))*$")
# At least one product with a numeric version ...
_UA_VERSIONED = r"(?:^|[ (;])[A-Za-z][\w.+-]*/v?\d"
# ... and a lone product needs a dotted version: `SIP/100-0001` is a phone channel.
_UA_LONE = rf"^{_UA_TOKEN}/v?\d+(?:\.\w+)+$"
# Protocol versions are not clients.
_UA_PROTOCOL = r"(?i)^(?:https?|sip|rtsp|rtp|tls|ssl|ssh|ftp|smtp|spdy|quic)/[\d.]+$"
# What the grammar reads with confidence: a product with a dotted version
# (`okhttp/3.12.1`) or a comment (`Wget/1.20.3 (linux-gnu)`). Other grammatical values
# (`COVID/19 cases`, `mg/5ml syrup`) go to uap-core, as do agents the grammar cannot
# read (`[FBAN/FBIOS;…]` brackets, `Instagram 123.0.0.21.115 Android (…)`).
_UA_SURE = r"[A-Za-z][\w.+-]*/\d+\.\d|\([^()]*[A-Za-z][^()]*\)"
# Sent to uap-core: a product/version, a comment with fields or a bot's URL, and a slash
# somewhere (`iPhone 12 (128GB; Blue)` in a catalogue is no agent).
_UA_MARKED = r"(?:[A-Za-z]/v?\d|\([^()]*(?:;|\+?https?://)[^()]*\))"
# URLs, request lines and file paths are never agents, whatever uap-core makes of them.
_UA_NEVER = (r"(?i)^(?:[a-z][a-z0-9+.-]*://|(?:get|post|put|head|delete|options|patch|"
             r"connect|trace|propfind|register|invite)\s+\S*/|[\w.-]*/[\w./-]*\.[a-z]{1,4}$)")
# SIP phones and softphones put maker, model and firmware in RFC 3261's User-Agent
# header, without the slash: `Yealink SIP-T46S 66.85.0.5`, `Grandstream GXP2170 1.0.9.135`.
# They are device user agents. A catalogue's `Yealink SIP-T46S` has no firmware.
_UA_SIP_DEVICE = (
    r"(?i)^(?:yealink|polycom|poly|grandstream|snom|cisco|aastra|mitel|fanvil|gigaset|"
    r"panasonic|avaya|linksys|obihai|htek|zoiper|bria|x-lite|microsip|linphone|sipura|"
    r"alcatel|escene|akuvox|unify|digium|sangoma|spectralink)\b[\w./() -]{0,40}?"
    r"[ _-]r?v?\d+(?:\.\d+){2,}[\w.()-]*$"
)
# What every test but the grammar needs: a value opening with a letter or a comment,
# with a slash (product/version) or a dot (a SIP phone's firmware) somewhere.
_UA_MAYBE = r"^[A-Za-z(][^/.]*[/.]"


def _slashed(s: pa.Array, slash: pa.BooleanArray,
             sip_form: pa.BooleanArray) -> tuple[pa.BooleanArray, pa.BooleanArray]:
    """Return the sure and the unsure agents among values, read only where ``slash`` holds.

    ``s`` holds the values with a slash (``sip_form``: those that read as a SIP phone's);
    the masks come back aligned to all the values.
    """
    grammar = pc.match_substring_regex(s, _UA_GRAMMAR)
    spaced = pc.match_substring(s, " ")
    never = pc.or_(pc.match_substring_regex(s, _UA_NEVER),
                   pc.match_substring_regex(s, _UA_PROTOCOL))
    ok = pc.and_(pc.and_(grammar, pc.match_substring_regex(s, _UA_VERSIONED)),
                 pc.or_(spaced, pc.match_substring_regex(s, _UA_LONE)))
    ok = pc.and_(ok, pc.invert(never))
    sure = pc.and_(ok, pc.match_substring_regex(s, _UA_SURE))
    # The rest with a product/version or a comment: uap-core's regexes decide, once
    # per distinct value (user agents repeat a lot). A SIP phone's agent is no unsure one.
    sip = pc.and_(pc.invert(sure), sip_form)
    unsure = pc.and_(pc.invert(pc.or_(sure, sip)),
                     pc.and_(pc.or_(ok, pc.match_substring_regex(s, _UA_MARKED)),
                             pc.invert(never)))
    none = pc.and_(slash, False)
    return (pc.replace_with_mask(none, slash, sure),
            pc.replace_with_mask(none, slash, unsure))


#: Distinct values uap-core reads per batch (about 0.1 ms each with ua-parser-rs).
UAP_LIMIT = 1_000


@register
class UserAgentDetector(Detector):
    """User agents of browsers, apps, bots, libraries and SIP phones (uap-core, RFC 9110)."""

    entity = "USER_AGENT"
    name = "user_agent"
    valid_word = "user-agent-shaped"
    names = NameRule(strong=("user agent", "browser", "http user agent", "useragent",
                             "user agent string", "client user agent"),
                     veto=("count", "family", "version", "hash", "id"))
    # A strict validator: chance matches are rare, so fewer values convince.
    min_rate = 0.4
    specificity = 75
    # Under a user-agent name, any value of the grammar counts (`Pocket Casts`, `Wget`).
    named_shape_counts = True

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        text = view.textual if view.kind == "string" else view.strings
        if not any_has(text, "/"):
            return self._no_slash(text)
        # The grammar reads every value (plain words fit it: see ``shaped`` below); every
        # other test needs a slash (a product/version) or a dot (a SIP phone's firmware),
        # so one pass picks those and the rest of the patterns read only them.
        grammar_all, maybe = matches(text, _UA_GRAMMAR, _UA_MAYBE)
        in_grammar = count(grammar_all)
        s = filter_if_any(text, maybe)
        if len(s) == 0:
            return Match(in_grammar, 0, (), None, named_valid=0)
        grammar = grammar_all.filter(maybe)
        slash = has(s, "/")
        sip_form = pc.match_substring_regex(s, _UA_SIP_DEVICE)
        if pc.any(slash).as_py():
            sure, unsure = _slashed(filter_if_any(s, slash), slash, sip_form.filter(slash))
        else:
            sure = unsure = pc.and_(slash, False)
        sip = pc.and_(pc.invert(sure), sip_form)
        uap = check_distinct(filter_if_any(s, unsure), uap_recognises, self, limit=UAP_LIMIT)
        k = count(sure) + count(sip) + uap.matched
        evidence = (take_evidence(s, sure, self) + take_evidence(s, sip, self)
                    + uap.evidence)[:3]
        # Plain words fit the grammar too: they count only under a user-agent name,
        # and only when some value of the column is a full user agent.
        shaped = in_grammar - count(grammar) + count(pc.or_(pc.or_(grammar, unsure), sip))
        named = min(shaped, in_grammar + count(sip) + uap.matched) if k else k
        return Match(shaped, k, evidence, uap.subset, named_valid=named)

    def _no_slash(self, text: pa.Array) -> Match:
        """Match a batch no value of which holds a slash: only SIP phones' agents count.

        No product/version and no comment holding one can be there. The same counts as
        ``match`` (a SIP phone's agent opens with a letter and has dots, so it is among
        the values ``_UA_MAYBE`` picks), with no pass for the rest.
        """
        grammar, sip = matches(text, _UA_GRAMMAR, _UA_SIP_DEVICE)
        in_grammar, k = count(grammar), count(sip)
        shaped = in_grammar + count(pc.and_(sip, pc.invert(grammar)))
        named = min(shaped, in_grammar + k) if k else k
        return Match(shaped, k, take_evidence(text, sip, self)[:3], None, named_valid=named)

    def mask(self, value: str) -> str:
        return value.split(" ", 1)[0] + " …" if " " in value else value[:12]
