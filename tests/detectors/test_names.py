"""Column names as evidence: tokens, abbreviations, phrases and vetoes."""

from __future__ import annotations

import pytest

from detectors.names import tokenize
from detectors.registry import all_detectors

DETECTORS = {d.name: d for d in all_detectors()}


@pytest.mark.parametrize(("name", "tokens"), [
    ("customer_email", ("customer", "email")),
    ("callingPartyNumber", ("calling", "party", "number")),
    ("BIRTHDATE", ("birth", "date")),
    ("cc_num", ("credit", "card", "number")),
    ("ccn", ("credit", "card", "number")),
    ("PAN", ("card", "number")),
    ("dob", ("date", "of", "birth")),
    ("MSISDN", ("msisdn",)),
    ("imei", ("imei",)),
    ("ua", ("user", "agent")),
    ("billsec", ("billable", "seconds")),
    ("huntPilotDN", ("hunt", "pilot", "directory", "number")),
    ("origIpv4v6Addr", ("orig", "ip", "address")),
    ("firstname", ("first", "name")),
    ("Customer Name", ("customer", "name")),
    ("hangup_cause_q850", ("hangup", "cause", "q", "850")),
])
def test_tokenize(name: str, tokens: tuple[str, ...]) -> None:
    assert tokenize(name) == tokens


@pytest.mark.parametrize(("detector", "column", "supports"), [
    ("credit_card", "card_number", True),
    ("credit_card", "cc_num", True),
    ("credit_card", "cc_type", False),
    ("credit_card", "card_expiry", False),
    ("date_of_birth", "dob", True),
    ("date_of_birth", "birthDate", True),
    ("date_of_birth", "created_at", False),
    ("date_of_birth", "birth_place", False),
    ("phone", "msisdn", True),
    ("phone", "phone_type", False),
    ("person_name_column", "fname", True),
    ("person_name_column", "name", True),
    ("person_name_column", "product_name", False),
    ("person_name_column", "host_name", False),
    ("us_ssn", "SSN", True),
    ("ip_address", "client_ip", True),
    ("ip_address", "ip_version", False),
    ("call_detail", "billsec", True),
    ("call_detail", "globalCallID_callId", False),
    ("call_detail", "videoDuration", False),
    ("account_id", "accountcode", True),
    ("account_id", "bank_account", False),
])
def test_name_evidence(detector: str, column: str, supports: bool) -> None:
    evidence = DETECTORS[detector].names.evaluate(column)
    assert (evidence.score >= 0.5) is supports, (detector, column, evidence)
    if supports:
        assert column in evidence.reason
