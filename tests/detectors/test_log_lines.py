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



ACCOUNT_LINES = [
    # Asterisk's security events (res_security_log) name the endpoint in AccountID.
    ('[Nov  4 07:20:11] SECURITY[2210] res_security_log.c: SecurityEvent="InvalidPassword",'
     'EventTV="2024-11-04T07:20:11.508+0000",Severity="Error",Service="SIP",EventVersion="2",'
     'AccountID="2207",SessionID="0x7f3a5c01d2e0",LocalAddress="IPV4/UDP/192.0.2.5/5060",'
     'RemoteAddress="IPV4/UDP/198.51.100.40/5071",Challenge="4a1f09be"'),
    # chan_sip's failed registration: the SIP URI's user part.
    ("[Nov  4 07:21:03] NOTICE[2214] chan_sip.c: Registration from "
     "'\"Front desk\" <sip:2311@pbx.example.net>' failed for '198.51.100.41:5060' - "
     "Wrong password"),
    # FreeSWITCH sofia: the user of an unknown address-of-record, an auth failure.
    ("2024-11-04 07:22:40.118204 97.12% [WARNING] sofia_reg.c:1819 Can't find user "
     "[3105@voip.example.org] from 198.51.100.42"),
    ("2024-11-04 07:22:41.006310 97.12% [WARNING] sofia_reg.c:3211 SIP auth failure (REGISTER) "
     "on sofia profile 'internal' for [3106@voip.example.org] from ip 198.51.100.43"),
    ("2024-11-04 07:22:42 sofia: challenge for user 3107@voip.example.org refused"),
    # Keys of applications' messages and JSON held in a text column.
    "2024-11-04T07:23:00Z auth WARN login rejected user=m.okafor reason=bad_password",
    'payload {"event": "auth.failed", "username": "tbrennan", "ip": "198.51.100.44"}',
    "Authentication attempt invalid user: (svc-backup)",
]
NO_ACCOUNT_LINES = [
    # Netfilter's packet ID, owner UID and GID are no accounts.
    netfilter(3, "02:1a:2b:3c:4d:5e:02:aa:bb:cc:dd:01:08:00"),
    "IN=eth1 OUT= SRC=198.51.100.50 DST=192.0.2.1 LEN=52 ID=4411 UID=1000 GID=1000 PROTO=TCP",
    # pfSense filterlog's CSV payload: rule numbers and sequence numbers.
    "5,,,1000000103,igb1,match,block,in,4,0x0,,64,11842,0,DF,6,tcp,60,192.0.2.9,192.0.2.1,"
    "51512,443,0,S,3049216611,,64240,,mss;sackOK;TS;nop;wscale",
    # Keys about accounts that hold no account, and prose.
    'AccountID="<unknown>",Service="PJSIP"',
    "user_agent=Mozilla/5.0 account_type=premium user_count=42 last_login=2024-03-01",
    "please ask the user: restart the modem and retry",
    "the user opened a ticket for the account",
    "sip:pbx.example.net registered",
]


@pytest.mark.parametrize("line", ACCOUNT_LINES)
def test_accounts_in_log_lines_are_named_by_key_uri_or_user_at_host(line: str) -> None:
    from detectors.embedded import KeyedAccountDetector

    tally = run(KeyedAccountDetector(), [line])
    assert (tally.matched, tally.strong) == (1, 1)
    (evidence,) = tally.evidence
    assert evidence.endswith("***") and evidence not in line


@pytest.mark.parametrize("line", NO_ACCOUNT_LINES)
def test_packet_ids_placeholders_and_prose_are_no_accounts(line: str) -> None:
    from detectors.embedded import KeyedAccountDetector

    assert run(KeyedAccountDetector(), [line]).matched == 0


def test_an_account_finding_is_embedded_and_says_why() -> None:
    from detectors.embedded import KeyedAccountDetector

    det = KeyedAccountDetector()
    lines = ACCOUNT_LINES * 5 + NO_ACCOUNT_LINES * 5
    tally = run(det, lines)
    assert tally.matched == len(ACCOUNT_LINES) * 5
    verdict = det.judge(tally, ColumnFacts("line", "string", "string", len(lines)),
                        det.names.evaluate("line"))
    assert verdict is not None and verdict.entity == "ACCOUNT_ID" and verdict.in_text
    assert "key" in verdict.reasons[0]


def test_an_account_after_prose_about_users_and_accounts_is_found() -> None:
    from detectors.embedded import KeyedAccountDetector

    line = ("the user asked the account team about user access and login account limits, "
            "user account login user account login; audit: action=unlock user=r.haddad")
    tally = run(KeyedAccountDetector(), [line] * 10 + ["the user account login"] * 10)
    assert tally.matched == 10


def test_exim_names_the_authenticated_login_set_id() -> None:
    from detectors.embedded import KeyedAccountDetector

    lines = [f"2024-11-04 07:30:0{i} plain authenticator failed for (mx.example.org) "
             f"[198.51.100.{60 + i}]:4{i}211: 535 Incorrect authentication data "
             f"(set_id=office{i})" for i in range(5)]
    assert run(KeyedAccountDetector(), lines).matched == 5
    # A message or session id is no login.
    assert run(KeyedAccountDetector(), ["queue id=1tX9aB-000123-4Q session_id=77ab"]).matched == 0
