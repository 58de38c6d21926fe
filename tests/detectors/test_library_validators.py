"""Library-grade validators: e-mail syntax (email-validator), user agents (uap-core), US streets.

Each table holds values that must be found and look-alikes that must not. The
values are written from the formats' specifications (RFC 5322 and RFC 6531 for
addresses, RFC 9110 and RFC 3261 for User-Agent headers, USPS Publication 28
for street lines) and from the clients and devices that write them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from detectors.base import ValueView
from detectors.contact import EmailDetector, StreetAddressDetector
from detectors.network import UserAgentDetector
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

EMAILS = [
    "josé@bücher.de",  # internationalised local part and domain (RFC 6531)
    "用户@例子.广告",
    "иван.петров@почта.рф",
    '"john doe"@example.org',  # quoted local part with a space (RFC 5322 3.4.1)
    '"billing,dept"@example.com',
    "o'connor.maeve@example.ie",
    "pedro.alvarez@correo.example.com.mx",
    "jane.roe+invoices@example.co.uk",
    "Ana Souza <ana.souza@exemplo.com.br>",
    "k.tanaka@example.co.jp",
]
NOT_EMAILS = [
    "S0/SU2/DS1-0@HQRTR.cciecarl.local",  # a phone-system device name
    "S0/SU2/DS1-1@HQRTR.example.com",  # the same shape under a public domain
    "printer-3f@office.local",
    "svc-backup@corp.internal",
    "qa-runner@shop.test",
    "user@localhost",
    "jane..roe@example.com",
    "jane.@example.com",
    "admin@10.0.0.1",
    "user@domain.notarealtld",
    "ring@group@example.com",
    "@handle",
]


def _matched(detector: object, value: str) -> bool:
    m = detector.match(ValueView(pa.array([value])))  # type: ignore[attr-defined]
    return bool(m and m.matched)


@pytest.mark.parametrize("value", EMAILS)
def test_emails(value: str) -> None:
    assert _matched(EmailDetector(), value)


@pytest.mark.parametrize("value", NOT_EMAILS)
def test_not_emails(value: str) -> None:
    assert not _matched(EmailDetector(), value)


def _scan(tmp_path: Path, columns: dict[str, list[str]]) -> dict[str, set[str]]:
    path = tmp_path / "values.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(zip(*columns.values(), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    return {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}


def test_email_columns_in_a_scan(tmp_path: Path) -> None:
    n = 24
    found = _scan(tmp_path, {
        "contact": [EMAILS[i % len(EMAILS)] for i in range(n)],
        "device_name": [f"S0/SU{i % 4}/DS1-{i}@HQRTR.branch{i % 3}.local" for i in range(n)],
    })
    assert found["contact"] == {"EMAIL_ADDRESS"}
    assert "EMAIL_ADDRESS" not in found["device_name"]


def test_email_validation_runs_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    # 20,000 rows of 50 distinct addresses: the validator sees the 50, the count covers all rows.
    import detectors.contact as contact

    seen: list[str] = []

    def counting(value: str) -> bool:
        seen.append(value)
        return contact_valid(value)

    contact_valid = contact.email_valid
    monkeypatch.setattr(contact, "email_valid", counting)
    m = EmailDetector().match(ValueView(pa.array([f"user{i % 50}@example.com"
                                                  for i in range(20_000)])))
    assert m is not None and m.matched == 20_000
    assert len(seen) == 50


# User agents of apps, bots, HTTP libraries, podcast clients, WAP phones and in-app
# browsers, and SIP phones (RFC 3261 User-Agent: maker, model, firmware). A SIP phone's
# string is a device user agent: it identifies the customer's equipment and firmware.
AGENTS = [
    "Spotify/1.0", "Python-urllib/3.4", "GuzzleHttp/6.3.3 PHP/7.1", "okhttp/3.12.1",
    "curl/7.64.1", "Googlebot/2.1", "axios/0.21.1", "PostmanRuntime/7.26.8",
    "Dalvik/2.1.0 (Linux; U; Android 9; SM-G960F Build/PPR1.180610.011)",
    "WhatsApp/2.21.4.22 A", "Dart/2.12 (dart:io)", "AntennaPod/2.2.1",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Instagram 187.0.0.32.120 Android (29/10; 420dpi; 1080x2220; samsung; SM-G973F; en_US)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 14_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone11,8;FBSV/14.4;FBLC/en_US]",
    "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) "
    "Presto/2.5.25 Version/10.54",
    "BlackBerry8520/5.0.0.681 Profile/MIDP-2.1 Configuration/CLDC-1.1 VendorID/600",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13901; Pro)",
    "Yealink SIP-T46S 66.85.0.5", "Grandstream GXP2170 1.0.9.135", "snom D785 10.1.54.13",
    "Zoiper rv2.10.11.1", "Cisco/SPA504G-7.6.2c", "MicroSIP/3.20.7",
    "FreeSWITCH-mod_sofia/1.10.7",
]
NOT_AGENTS = [
    "1.2.3", "version 2.3.1", "src/main.py", "/usr/lib/python3.8/site.py", "docs/readme.md",
    "api/v1.2", "Windows 10 Pro", "Windows 10 Pro (x64; build 19041)", "Microsoft Office 2016",
    "iPhone 12", "iPhone 12 (128GB; Blue)", "Samsung Galaxy S10", "Ubuntu 20.04", "Android 11",
    "Yealink SIP-T46S", "Cisco IP Phone 7960", "Lenovo ThinkPad T14 Gen 2", "Python 3.8.10",
    "SIP/100-0001", "IAX2/200-1234", "HTTP/1.1", "GET /index.html HTTP/1.1",
    "https://cdn.example.com/v1.2/app.js", "COVID/19 cases", "mg/5ml syrup", "20/20 vision",
    "AC/DC - Back in Black",
]


@pytest.mark.parametrize("value", AGENTS)
def test_user_agents(value: str) -> None:
    assert _matched(UserAgentDetector(), value)


@pytest.mark.parametrize("value", NOT_AGENTS)
def test_not_user_agents(value: str) -> None:
    assert not _matched(UserAgentDetector(), value)


def test_user_agent_columns_in_a_scan(tmp_path: Path) -> None:
    n = 27
    found = _scan(tmp_path, {
        "ua": [AGENTS[i % len(AGENTS)] for i in range(n)],
        "useragent": [AGENTS[-7 + i % 7] for i in range(n)],  # a SIP registrar's peers
        "product": [NOT_AGENTS[6 + i % 13] for i in range(n)],  # a device catalogue
    })
    assert found["ua"] == {"USER_AGENT"}
    assert found["useragent"] == {"USER_AGENT"}
    assert "USER_AGENT" not in found["product"]


def test_uap_core_reads_each_distinct_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import detectors.network as network

    seen: list[str] = []
    real = network.uap_recognises

    def counting(value: str) -> bool:
        seen.append(value)
        return real(value)

    monkeypatch.setattr(network, "uap_recognises", counting)
    # Undotted versions and in-app browsers go to uap-core; 10,000 rows, 20 distinct.
    rows = [f"Instagram {i % 20}.0.0.1 Android (29/10; 420dpi; en_US)" for i in range(10_000)]
    m = UserAgentDetector().match(ValueView(pa.array(rows)))
    assert m is not None and m.matched == 10_000
    assert sorted(seen) == sorted(set(rows))


# Street lines: US forms usaddress confirms (a street type, a direction or the rest of
# the address must back the number and name), PO boxes and rural routes, and the street
# lines of Europe and Latin America.
STREETS = [
    "1420 Elm Street", "77 W Jackson Blvd", "3100 N Clark St Apt 2F", "601 E Ocean Blvd Ste 300",
    "12 Harbor View Ln, Portland, ME 04101", "8800 Highway 71 South", "1200 County Road 9",
    "500 S Main", "N6W23001 Bluemound Rd", "#400-88 Queen Street",
    "Butterfield House, 7-251 Chapel St", "PO Box 4471", "P.O. Box 77", "RR 3 Box 210",
    "HC 65 Box 12", "Obere Str. 57", "Avda. de la Constitución 2222", "Carrer de Mallorca 401",
    "Kurfürstendamm 21", "Rua Augusta, 1450",
]
NOT_STREETS = [
    "12 oz bottle of shampoo with 3 scents", "3 Piece Sofa Set", "4 GB RAM 256 GB SSD",
    "12 Angry Men", "47 Ronin", "500 Days of Summer", "10 Things I Hate About You",
    "2 Way Radio", "24 Hour Fitness", "6 Pack Abs", "3 Point Turn", "1 Park Place Game",
    "Suite 200", "Apt 4B", "2nd Floor", "Gate 12",
    "A Thoughtful Saga of a Lighthouse Keeper And a Dentist who must Outrace a Robot in "
    "A Mountain Village",
]


@pytest.mark.parametrize("value", STREETS)
def test_street_addresses(value: str) -> None:
    assert _matched(StreetAddressDetector(), value)


@pytest.mark.parametrize("value", NOT_STREETS)
def test_not_street_addresses(value: str) -> None:
    assert not _matched(StreetAddressDetector(), value)


def test_street_address_columns_in_a_scan(tmp_path: Path) -> None:
    n = 30
    found = _scan(tmp_path, {
        "line": [STREETS[i % 15] for i in range(n)],  # no telling name: the values decide
        # Under an address name, streets without a type count too (`350 Broadway`).
        "address": [f"{100 + 7 * i} {('Broadway', 'Bowery', 'Elm St')[i % 3]}" for i in range(n)],
        "title": [NOT_STREETS[i % 11] for i in range(n)],
        "description": [NOT_STREETS[-1].replace("Robot", f"Robot {i}") for i in range(n)],
    })
    assert found["line"] == {"POSTAL_ADDRESS"}
    assert found["address"] == {"POSTAL_ADDRESS"}
    assert "POSTAL_ADDRESS" not in found["title"]
    assert "POSTAL_ADDRESS" not in found["description"]


def test_street_addresses_inside_free_text(tmp_path: Path) -> None:
    n = 24
    streets = ["12 Harbor View Ln", "4410 N Kedzie Ave Apt 3", "P.O. Box 4471", "77 W Jackson Blvd",
               "1420 Elm Street", "8800 Highway 71 South"]
    found = _scan(tmp_path, {
        "delivery_notes": [f"Leave parcel {i} with the neighbour at {streets[i % 6]} if nobody "
                           "answers" for i in range(n)],
        "synopsis": [f"A Thoughtful Saga of {i} Lighthouse Keepers who must Outrace 3 Robots in "
                     "A Mountain Village" for i in range(n)],
        "specs": [f"Includes {i + 2} Piece Sofa Set and 2 Way Radio, shipping in 5 business days"
                  for i in range(n)],
    })
    assert found["delivery_notes"] == {"POSTAL_ADDRESS"}
    assert "POSTAL_ADDRESS" not in found["synopsis"]
    assert "POSTAL_ADDRESS" not in found["specs"]


def test_street_names_without_a_number_need_a_street_column(tmp_path: Path) -> None:
    names = ["Kessler Crossing", "Maple Grove Ln", "Oakridge Trail", "Hilltop Junction",
             "N Birch Ave", "Quarry Run"]
    found = _scan(tmp_path, {
        "order_no": [str(5000 + i) for i in range(24)],
        "shipping_street": [names[i % 6] for i in range(24)],
        "venue": [names[i % 6] for i in range(24)],
    })
    assert found["shipping_street"] == {"POSTAL_ADDRESS"}
    assert "POSTAL_ADDRESS" not in found["venue"]


def test_the_libraries_work_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # No DNS lookup for e-mail domains, no download of uap-core's regexes or of the
    # public suffix list: users' machines may have no internet.
    import socket

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    from detectors.libraries import email_valid, uap_recognises, us_street

    assert email_valid("josé@bücher.de") and not email_valid("printer-3f@office.local")
    assert uap_recognises("Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert us_street("1420 Elm Street") and not us_street("Suite 200")
