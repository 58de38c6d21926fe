"""PII inside firewall, VPN, proxy and VoIP log lines, as those programs write them.

The lines are written here from the programs' documented formats (netfilter's
LOG target, HAProxy's HTTP log, OpenVPN's peer notation, Asterisk's security
events, FreeSWITCH's sofia messages, SIP URIs of RFC 3261), with documentation
addresses (RFC 5737, RFC 3849) and locally administered MACs.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from detectors.base import ColumnFacts, Tally, ValueView
from detectors.embedded import EmbeddedDetector, EmbeddedIPDetector, EmbeddedMacDetector
from detectors.network import IPAddressDetector


def run(detector: EmbeddedDetector | IPAddressDetector, values: list[str]) -> Tally:
    tally = Tally()
    m = detector.match(ValueView(pa.array(values)))
    if m is not None:
        tally.add(m)
    return tally


def netfilter(i: int, header: str) -> str:
    return (f"Nov  4 07:{i % 60:02d}:12 edge-fw kernel: [811{i:03d}.402117] [UFW BLOCK] "
            f"IN=eth0 OUT= MAC={header} SRC=203.0.113.{i % 250 + 1} DST=192.0.2.10 LEN=60 "
            f"TOS=0x00 PREC=0x00 TTL=52 ID={30000 + i} DF PROTO=TCP SPT={40000 + i} DPT=22 "
            "WINDOW=64240 RES=0x00 SYN URGP=0")


ADDRESSES_WITH_PORTS = [
    # HAProxy's HTTP log starts with the client's address and source port.
    '203.0.113.7:51234 [04/Nov/2024:07:10:02.114] www~ app/web2 0/0/1/12/13 200 5120 - - '
    '---- 12/12/0/0/0 0/0 "GET /status HTTP/1.1"',
    # OpenVPN names a peer by address:port, with a protocol tag or a certificate name.
    "2024-11-04 07:11:40 198.51.100.23:1194 TLS: Initial packet from [AF_INET]198.51.100.23:1194",
    "2024-11-04 07:11:41 laptop-7/198.51.100.24:40122 MULTI: primary virtual IP assigned",
    # A bracketed IPv6 address with its port.
    "2024-11-04 07:12:00 accepted connection from [2001:db8:40::17]:443 on listener tls",
]


@pytest.mark.parametrize("line", ADDRESSES_WITH_PORTS)
def test_an_address_with_its_port_is_found_in_a_line(line: str) -> None:
    tally = run(EmbeddedIPDetector(), [line])
    assert tally.matched == 1
    assert all("*" in e for e in tally.evidence)


def test_a_port_does_not_turn_a_version_or_a_timer_into_an_address() -> None:
    lines = ["2024-11-04 07:10:00 OpenVPN 2.6.8 x86_64-pc-linux-gnu [SSL (OpenSSL)] started",
             "fe-main be-app/srv1 0/0/0/1263/1264 200 20602 - - ---- 19/19/3/4/0 0/0",
             "agent v10.2.1.5:8080 upgraded"]
    assert run(EmbeddedIPDetector(), lines).matched == 0


def test_netfilter_mac_field_gives_both_addresses_masked() -> None:
    lines = [netfilter(i, "02:1a:2b:3c:4d:5e:02:aa:bb:cc:dd:0" + f"{i % 10}:08:00")
             for i in range(20)]
    tally = run(EmbeddedMacDetector(), lines)
    assert tally.matched == 20
    evidence = tally.evidence[0]
    # Destination and source MAC, each masked; the EtherType is no address.
    assert evidence.count("**:**:**") == 2 and "08:00" not in evidence
    assert "02:1a:2b" in evidence and "02:aa:bb" in evidence


def test_a_loopback_link_header_is_no_mac_address() -> None:
    line = netfilter(1, "00:00:00:00:00:00:00:00:00:00:00:00:08:00").replace("eth0", "lo")
    assert run(EmbeddedMacDetector(), [line]).matched == 0
    # Fourteen octets that end in no EtherType are no link-layer header.
    odd = netfilter(2, "02:1a:2b:3c:4d:5e:02:aa:bb:cc:dd:01:00:20")
    assert run(EmbeddedMacDetector(), [odd]).matched == 0


def test_forwarded_for_chain_is_an_address_column() -> None:
    chains = [f"203.0.113.{i}, 203.0.113.{i}, 10.20.0.4" for i in range(1, 30)]
    chains += [f"2001:db8::{i:x}, 10.20.0.4" for i in range(1, 30)]
    values = ValueView(pa.array(chains))
    value = IPAddressDetector().match(values)
    assert value is not None and value.matched == len(chains)
    facts = ColumnFacts("request_ip", "string", "string", len(chains))
    verdict = IPAddressDetector().judge(Tally(value.shaped, value.matched),
                                        facts, IPAddressDetector.names.evaluate("request_ip"))
    assert verdict is not None and verdict.entity == "IP_ADDRESS"
    # Inside a column judged as text (long chains), the embedded search finds them.
    assert run(EmbeddedIPDetector(), chains).matched == len(chains)


def test_number_lists_are_no_forwarded_for_chain() -> None:
    values = ["1.5, 2.5, 3.5", "10.25, 11.5", "4, 5, 6"]
    assert run(EmbeddedIPDetector(), values).matched == 0
    m = IPAddressDetector().match(ValueView(pa.array(values)))
    assert m is None or m.matched == 0


@pytest.mark.parametrize("column", ["version", "data.version", "serverVersion", "build",
                                    "fw_release"])
def test_a_version_field_is_never_an_address(column: str) -> None:
    versions = [f"{27 + i % 3}.0.{i % 4}.{10 + i}" for i in range(40)]
    det = IPAddressDetector()
    m = det.match(ValueView(pa.array(versions)))
    assert m is not None and m.matched == 40  # the shape alone would say address
    facts = ColumnFacts(column, "string", "string", 40)
    assert det.judge(Tally(m.shaped, m.matched), facts, det.names.evaluate(column)) is None
    # The same values under an address's name stay an address.
    facts = ColumnFacts("peer_ip", "string", "string", 40)
    assert det.judge(Tally(m.shaped, m.matched), facts, det.names.evaluate("peer_ip"))

