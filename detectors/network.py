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


# Product/version tokens that browsers, apps and HTTP clients send.
_UA = (
    r"^(?:Mozilla/\d|Opera/\d|Dalvik/\d|curl/\d|Wget/\d|python-requests/\d|okhttp/\d|Java/\d|"
    r"[A-Za-z][\w.-]*/\d[\w.]* \(|[A-Za-z][\w.-]*/\d[\w.]*(?: [A-Za-z][\w.-]*/\d[\w.]*)+$|"
    r"[\w.-]*(?:[Bb]ot|[Ss]pider|[Cc]rawler)[\w.-]*/\d)"
)


@register
class UserAgentDetector(Detector):
    """Browser and client user-agent strings (product/version tokens)."""

    entity = "USER_AGENT"
    name = "user_agent"
    valid_word = "user-agent-shaped"
    names = NameRule(strong=("user agent", "browser", "http user agent"),
                     veto=("count", "family", "version"))
    # A strict validator: chance matches are rare, so fewer values convince.
    min_rate = 0.4
    specificity = 75

    def match(self, view: ValueView) -> Match | None:
        if view.count == 0:
            return None
        s = view.having("/")
        ok = pc.match_substring_regex(s, _UA)
        k = count(ok)
        return Match(k, k, take_evidence(s, ok, self))

    def mask(self, value: str) -> str:
        return value.split(" ", 1)[0] + " …" if " " in value else value[:12]
