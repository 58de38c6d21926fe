"""What a customer's equipment reveals: IP and MAC addresses, browser user agents."""

from __future__ import annotations

import ipaddress

import pyarrow.compute as pc

from detectors.base import (
    Detector,
    Match,
    ValueView,
    check_each,
    count,
    filter_if_any,
    register,
    take_evidence,
)
from detectors.names import NameRule

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"^{_OCTET}(?:\.{_OCTET}){{3}}(?:/(?:3[0-2]|[12]?\d))?(?::\d{{1,5}})?$"
_IPV6_SHAPE = r"^\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%\w+)?\]?(?:/\d{1,3})?$"


def _ipv6_valid(value: str) -> bool:
    v = value.strip("[]").split("%", 1)[0].split("/", 1)[0]
    if v.count(":") < 2:
        return False
    try:
        ipaddress.IPv6Address(v)
    except ValueError:
        return False
    return True


@register
class IPAddressDetector(Detector):
    """IPv4 and IPv6 addresses (octet ranges; IPv6 checked by the ipaddress module)."""

    entity = "IP_ADDRESS"
    name = "ip_address"
    valid_word = "valid address"
    names = NameRule(strong=("ip", "ip address", "remote addr", "remote host", "client ip",
                             "source ip", "x forwarded for", "ipv4", "ipv6", "inet"),
                     veto=("count", "version", "type", "port"))
    # A strict validator: chance matches are rare, so fewer values convince.
    min_rate = 0.4
    specificity = 80
    in_text = True

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.numeric
        six = view.having(":", among_numbers=True)
        if view.is_text:
            found = pc.extract_regex(view.strings,
                                     rf"(?P<ip>\b{_OCTET}(?:\.{_OCTET}){{3}}\b)")
            s = pc.struct_field(found.filter(pc.is_valid(found)), [0])
        v4 = pc.match_substring_regex(s, _IPV4)
        v6_shape = pc.match_substring_regex(six, _IPV6_SHAPE)
        shaped = count(v4) + count(v6_shape)
        matched = count(v4)
        evidence = list(take_evidence(s, v4, self))
        v6 = check_each(six.filter(v6_shape), _ipv6_valid, self)
        evidence.extend(v6.evidence)
        return Match(shaped, matched + v6.matched, tuple(evidence[:3]), v6.subset)

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
        s = view.of_length(12, 17)
        ok = pc.match_substring_regex(s, _MAC)
        bare = pc.match_substring_regex(s, r"^[0-9A-Fa-f]{12}$")
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


@register
class UserAgentDetector(Detector):
    """Browser and client user-agent strings (product/version tokens)."""

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
        s = filter_if_any(text, pc.match_substring_regex(text, r"^[A-Za-z(]"))
        grammar = pc.match_substring_regex(s, _UA_GRAMMAR)
        spaced = pc.match_substring(s, " ")
        ok = pc.and_(pc.and_(grammar, pc.match_substring_regex(s, _UA_VERSIONED)),
                     pc.or_(spaced, pc.match_substring_regex(s, _UA_LONE)))
        ok = pc.and_(ok, pc.invert(pc.match_substring_regex(s, _UA_PROTOCOL)))
        k = count(ok)
        # Plain words fit the grammar too: they count only under a user-agent name,
        # and only when some value of the column is a full user agent.
        named = count(grammar) if k else k
        return Match(count(grammar), k, take_evidence(s, ok, self), named_valid=named)

    def mask(self, value: str) -> str:
        return value.split(" ", 1)[0] + " …" if " " in value else value[:12]
