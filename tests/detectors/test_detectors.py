"""Detector tables: values that must validate and look-alikes that must not.

One parametrized test reads the table; adding a case is adding a line.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from national_values import value_cases

from detectors.base import ValueView
from detectors.registry import all_detectors

DETECTORS = {d.name: d for d in all_detectors()}

# (detector, value, validates?)
CASES: list[tuple[str, object, bool]] = [
    # Cards: issuer prefix + length + Luhn.
    ("credit_card", "4111111111111111", True),
    ("credit_card", "4111 1111 1111 1111", True),
    ("credit_card", "4111-1111-1111-1111", True),
    ("credit_card", "5500005555555559", True),
    ("credit_card", "2223000048400011", True),
    ("credit_card", "378282246310005", True),
    ("credit_card", "6011111111111117", True),
    ("credit_card", "3530111333300000", True),
    ("credit_card", 4012888888881881, True),  # stored as an integer
    ("credit_card", "4111111111111112", False),  # order number failing Luhn
    ("credit_card", "1234567812345670", False),  # Luhn-valid but no issuer starts with 1
    ("credit_card", "0000000000000000", False),
    ("credit_card", "20150517100503", False),  # a timestamp
    ("credit_card", "411111111111", False),  # too short
    ("credit_card", "4111111111111111111111", False),  # too long
    # Bank accounts: IBAN mod-97; bank codes: the ABA routing checksum.
    ("bank_account", "GB82WEST12345698765432", True),
    ("bank_account", "GB82 WEST 1234 5698 7654 32", True),
    ("bank_account", "DE89370400440532013000", True),
    ("bank_account", "GB82WEST12345698765433", False),
    ("bank_account", "DEUTDEFF500", False),  # a BIC names a bank, not an account
    ("bank_code", "011000015", True),  # Federal Reserve Bank routing number
    ("bank_code", "121000358", True),
    ("bank_code", "011000016", False),
    ("bank_code", "991000015", False),  # bad Federal Reserve prefix
    # SSNs: SSA rules, formatted.
    ("us_ssn", "172-32-1176", True),
    ("us_ssn", "514 14 8905", True),
    ("us_ssn", "000-12-3456", False),
    ("us_ssn", "666-12-3456", False),
    ("us_ssn", "900-12-3456", False),
    ("us_ssn", "123-00-4567", False),
    ("us_ssn", "123-45-0000", False),
    ("us_ssn", "078-05-1120", False),  # the Woolworth wallet card
    ("us_ssn", "94025", False),  # a ZIP code
    ("us_ssn", "94025-1234", False),  # ZIP+4
    # Emails.
    ("email", "jwhite@domain.com", True),
    ("email", "first.last+tag@mail.example.co.uk", True),
    ("email", "Jane Doe <jane.doe@example.com>", True),
    ("email", "user@localhost", False),
    ("email", "not an email", False),
    ("email", "user@domain.notarealtld", False),
    ("email", "@domain.com", False),
    # Phones: NANP from libphonenumber's metadata, international with a plus.
    ("phone", "(415) 555-0132", True),
    ("phone", "408 496-7223", True),
    ("phone", "+1 212-555-0199", True),
    ("phone", "1-424-643-7828x573", True),
    ("phone", 6175550123, True),
    ("phone", "+44 20 7946 0958", True),
    ("phone", "+33 1 42 68 53 00", True),
    ("phone", "1431849600", False),  # epoch seconds
    ("phone", "2015-05-17", False),  # a date
    ("phone", "10.0.19041.1", False),  # a version string
    ("phone", "(123) 456-7890", False),  # area codes never start with 1
    ("phone", "12:30:45", False),
    ("phone", "+44 12", False),
    # IP addresses.
    ("ip_address", "83.149.9.216", True),
    ("ip_address", "10.0.0.1", True),
    ("ip_address", "2001:db8::8a2e:370:7334", True),
    ("ip_address", "::1", True),
    ("ip_address", "256.1.1.1", False),
    ("ip_address", "10.0.19041.1", False),  # Windows build number
    ("ip_address", "1.2.3", False),
    ("ip_address", "12:30:45", False),  # a time, not IPv6
    ("ip_address", "2026-11-25", False),
    # MAC addresses.
    ("mac_address", "00:1A:2B:3C:4D:5E", True),
    ("mac_address", "00-1a-2b-3c-4d-5e", True),
    ("mac_address", "001a.2b3c.4d5e", True),
    ("mac_address", "00:1A:2B:3C:4D", False),
    ("mac_address", "12:30:45", False),
    # Device identifiers: IMEI / ICCID check digit.
    ("device_id", "490154203237518", True),  # IMEI
    ("device_id", "49-015420-323751-8", True),
    ("device_id", "89148000000000000003", False),  # ICCID with a wrong check digit
    ("device_id", "89148000000000000001", True),  # ICCID, 20 digits
    ("device_id", "8914800000000000006", True),  # ICCID, 19 digits
    # Tenure: whole days or months a customer has had the service (account_length, tenure).
    ("service_tenure", "128", True),
    ("service_tenure", 72, True),
    ("service_tenure", "0", True),
    ("service_tenure", "12.5", False),
    ("service_tenure", "-3", False),
    ("service_tenure", "1700000000000", False),  # epoch milliseconds: a time, not a count
    ("device_id", "490154203237519", False),
    # User agents.
    ("user_agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", True),
    ("user_agent", "curl/8.5.0", True),
    ("user_agent", "Googlebot/2.1 (+http://www.google.com/bot.html)", True),
    ("user_agent", "lib/testNumbers.js", False),
    ("user_agent", "rafaelklaessen/creditcard lib/testNumbers.js", False),
    ("user_agent", "https://example.com/a/b", False),
    # Street addresses.
    ("street_address", "10932 Bigge Rd", True),
    ("street_address", "309 63rd St. #411", True),
    ("street_address", "4469 Sherman Street", True),
    ("street_address", "PO Box 1234", True),
    ("street_address", "135 Main St, Houlton, ME 04730", True),
    ("street_address", "12 apples", False),
    ("street_address", "Main Street", False),
    # Postal codes, states (these detectors confirm a telling column name).
    ("postal_code", "94025", True),
    ("postal_code", "04730-1234", True),
    ("postal_code", "K1A 0B1", True),
    ("postal_code", "hello", False),
    # Value-only readings for unnamed columns (the table context is classify's).
    ("postal_code_values", "94025", True),
    ("postal_code_values", "D-80331", True),
    ("postal_code_values", "1987", False),  # a year
    ("postal_code_values", "123", False),
    ("postal_code_shape", "SW1A 2AA", True),
    ("postal_code_shape", "K1A 0B1", True),
    ("postal_code_shape", "hello", False),
    ("birth_date_values", "1968-04-12", True),
    ("birth_date_values", "1968-04-12 00:00:00.000", True),
    ("birth_date_values", "19680412", True),
    ("birth_date_values", "19681312", False),  # no thirteenth month: an id, not a date
    ("birth_date_values", "1968-04-12 14:33:10", False),  # a time of day: a stamp
    ("birth_date_values", "1890-01-01", False),  # older than anyone alive
    ("birth_date_values", "2099-01-01", False),
    ("user_name", "mgonzalez", True),
    ("user_name", "kibana_admin", True),
    ("user_name", "maria gonzalez", False),
    ("domain_account", "CORP\\jdoe", True),
    ("domain_account", "adventure-works\\ken0", True),
    ("domain_account", "logs\\app.log", False),
    ("domain_account", "C:\\Windows", False),
    ("name_lexicon", "MARY", True),
    ("name_lexicon", "Alvarez", True),
    ("name_lexicon", "Linda K. Qwzxv", False),
    ("name_lexicon", "Patricia Nguyen", True),
    ("name_lexicon", "Mountain-100 Silver", False),
    ("name_lexicon", "Qwxz", False),
    ("us_state", "CA", True),
    ("us_state", "Maine", True),
    ("us_state", "Kigali", False),
    # Coordinates.
    ("geo_coordinates", "44.1234, -68.5678", True),
    ("geo_coordinates", "-33.8688;151.2093", True),
    ("geo_coordinates", "POINT(-71.0589 42.3601)", True),
    ("geo_coordinates", "SRID=4326;POINT(2.3522 48.8566)", True),
    ("geo_coordinates", "1, 2", False),
    ("geo_coordinates", "95.1234, 10.5678", False),
    # Dates of birth (plausible dates only).
    ("date_of_birth", "1958/04/21", True),
    ("date_of_birth", "01/01/1970", True),
    ("date_of_birth", "1958-04-21T00:00:00.000Z", True),
    ("date_of_birth", "21 Apr 1958", True),
    ("date_of_birth", "April 21, 1958", True),
    ("date_of_birth", "1850-01-01", False),
    ("date_of_birth", "2999-01-01", False),
    ("date_of_birth", "yesterday", False),
    # Person names (shape check under a person-name column).
    ("person_name_column", "Ada Lovelace", True),
    ("person_name_column", "O'Brien", True),
    ("person_name_column", "Zoë Müller", True),
    ("person_name_column", "SKU-1234", False),
    ("caller_id_name", '"Ada Lovelace" <2125550142>', True),
    ("caller_id_name", 'Grace Hopper <sip:grace@example.com>', True),
    ("caller_id_name", '"client1" <client1>', False),
    ("caller_id_name", '<2125550142>', False),
    # Call parties in national formats (claimed only inside call records).
    ("call_party_number", "78130 00821", True),
    ("call_party_number", "(022)28952819", True),
    ("call_party_number", "+44 20 7946 0000", True),
    ("call_party_number", "2001", False),
    ("call_party_number", "2016-09-01", False),
    ("call_party_number", "01.09.2016", False),
    ("person_name_column", "lowercase words", False),
    # Embedded: the entity inside a sentence, URL or JSON (tests/detectors/test_embedded.py).
    ("embedded_us_ssn", "customer SSN 234-56-7890 verified", True),
    ("embedded_us_ssn", "order 234-56-7890 shipped", False),
    ("embedded_credit_card", "paid with visa 4111 1111 1111 1111", True),
    ("embedded_credit_card", "invoice 4111111111111111 paid", False),
    ("embedded_email", "write to jane.doe@example.com please", True),
    ("embedded_email", "ssh git@localhost failed", False),
    ("embedded_phone", "call me at (212) 555-0142 tonight", True),
    ("embedded_phone", "Invoice 212-555-0142 sent", False),
    ("embedded_ip_address", "login from 203.0.113.7 blocked", True),
    ("embedded_ip_address", "upgraded to version 10.2.1.5", False),
    ("embedded_mac_address", "modem 00:1a:2b:3c:4d:5e rebooted", True),
    ("embedded_mac_address", "modem 00:00:00:00:00:00 rebooted", False),
    ("embedded_imei", "handset IMEI 490154203237518 swapped", True),
    ("embedded_imei", "shelf 490154203237518 restocked", False),
    ("embedded_iban", "refund to GB82 WEST 1234 5698 7654 32 today", True),
    ("embedded_iban", "refund to GB82 WEST 1234 5698 7654 33 today", False),
    ("embedded_date_of_birth", "GET /signup?dob=1980-02-03&step=2", True),
    ("embedded_date_of_birth", "GET /signup?created=1980-02-03&step=2", False),
    ("embedded_person_name", '{"first_name": "Jane", "plan": "gold"}', True),
    ("embedded_person_name", '{"plan_name": "Gold Plan", "id": 3}', False),
    ("embedded_street_address", "update billing_address=12+Main+St ok", True),
    ("embedded_street_address", "update ip_address=12 Main St ok", False),
    ("embedded_account_id", 'SecurityEvent="InvalidPassword",AccountID="2207",Service="SIP"', True),
    ("embedded_account_id", "IN=eth0 SRC=203.0.113.7 LEN=60 ID=37308 UID=1000 PROTO=TCP", False),
    # National IDs, tax numbers, passports, driving licences (tests/national_values.py).
    *value_cases(),
]


@pytest.mark.parametrize(("detector", "value", "valid"), CASES,
                         ids=[f"{d}-{i}" for i, (d, _, _) in enumerate(CASES)])
def test_value_table(detector: str, value: object, valid: bool) -> None:
    det = DETECTORS[detector]
    view = ValueView(pa.array([value]))
    m = det.match(view)
    matched = m.matched if m is not None else 0
    assert (matched == 1) is valid, f"{detector} on case {value!r}: matched={matched}"


def test_every_detector_has_cases_and_a_description() -> None:
    covered = {d for d, _, _ in CASES}
    name_only = {"account_id", "call_detail", "service_plan", "service_usage",
                 "credit_history", "city", "geo_location"}
    for name, det in DETECTORS.items():
        assert det.description() and det.description() != det.entity
        if name not in name_only:
            assert name in covered, f"no value cases for {name}"


def test_evidence_is_masked() -> None:
    det = DETECTORS["credit_card"]
    m = det.match(ValueView(pa.array(["4111 1111 1111 1111"] * 3)))
    assert m is not None and m.evidence == ("**** **** **** 1111",)
    email = DETECTORS["email"].match(ValueView(pa.array(["jane.doe@example.com"])))
    assert email is not None and email.evidence == ("j***@example.com",)
    named = DETECTORS["email"].match(ValueView(pa.array(["Jane Doe <jane.doe@example.com>"])))
    assert named is not None and named.evidence == ("j***@example.com",)
    ip = DETECTORS["ip_address"].match(ValueView(pa.array(["203.0.113.7"])))
    assert ip is not None and ip.evidence == ("203.0.113.*",)
    ssn = DETECTORS["us_ssn"].match(ValueView(pa.array(["172-32-1176"])))
    assert ssn is not None and ssn.evidence == ("***-**-1176",)
