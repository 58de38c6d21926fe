"""Embedded PII: entities inside notes, URLs, JSON and log lines, counted per value.

Every value below is generated here from the formats' specifications (SSA
rules, Luhn, mod-97, the North American numbering plan, IEEE MAC notation,
the IMEI check digit), never taken from a data set.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import phonenumbers
import pyarrow as pa
import pytest
from support import luhn_complete

from detectors.base import ColumnFacts, Tally, ValueView
from detectors.embedded import (
    EmbeddedCardDetector,
    EmbeddedDetector,
    EmbeddedEmailDetector,
    EmbeddedIBANDetector,
    EmbeddedIMEIDetector,
    EmbeddedIPDetector,
    EmbeddedMacDetector,
    EmbeddedPhoneDetector,
    EmbeddedSSNDetector,
)
from detectors.names import NameRule

SEARCHERS = (EmbeddedSSNDetector, EmbeddedCardDetector, EmbeddedEmailDetector,
             EmbeddedPhoneDetector, EmbeddedIPDetector, EmbeddedMacDetector,
             EmbeddedIMEIDetector, EmbeddedIBANDetector)


def ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def card(rng: random.Random) -> str:
    digits = luhn_complete("4" + "".join(str(rng.randint(0, 9)) for _ in range(14)))
    return " ".join(digits[i:i + 4] for i in range(0, 16, 4))


def email(rng: random.Random) -> str:
    return f"user{rng.randint(1, 10**6)}.{rng.choice(['kim', 'lee', 'diaz'])}@example.org"


def phone(rng: random.Random) -> str:
    while True:
        area = rng.choice([212, 303, 415, 512, 617, 206, 312, 404])
        number = f"{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse("+1" + number)):
            return f"({number[:3]}) {number[3:6]}-{number[6:]}"


def ipv4(rng: random.Random) -> str:
    # Loopback (127/8) is no one's address and is not reported.
    first = rng.choice([o for o in range(1, 224) if o != 127])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def mac(rng: random.Random) -> str:
    return ":".join(f"{rng.randint(0, 255):02x}" for _ in range(6)).replace("00:00:00:00:00:00",
                                                                            "02:00:00:00:00:01")


def imei(rng: random.Random) -> str:
    return luhn_complete("35" + "".join(str(rng.randint(0, 9)) for _ in range(12)))


def iban(rng: random.Random) -> str:
    bban = "".join(str(rng.randint(0, 9)) for _ in range(18))
    check = 98 - int(bban + "131400") % 97  # D=13, E=14
    return f"DE{check:02d}{bban}"


#: entity detector, generator, sentence holding the value.
CASES: dict[str, tuple[type[EmbeddedDetector], Callable[[random.Random], str], str]] = {
    "ssn": (EmbeddedSSNDetector, ssn, "Customer verified, SSN {} on file per call"),
    "card": (EmbeddedCardDetector, card, "Paid by visa {} after the outage credit"),
    "email": (EmbeddedEmailDetector, email, "please send the bill to {} from now on"),
    "phone": (EmbeddedPhoneDetector, phone, "call back at {} after 5pm re modem"),
    "ipv4": (EmbeddedIPDetector, ipv4, "login from {} blocked after 3 tries"),
    "mac": (EmbeddedMacDetector, mac, "replaced modem, new cpe mac {} provisioned"),
    "imei": (EmbeddedIMEIDetector, imei, "new handset IMEI {} activated on plan"),
    "iban": (EmbeddedIBANDetector, iban, "refund wired to IBAN {} next week"),
}

#: Notes without PII, full of look-alikes: order and tracking numbers, timestamps,
#: versions, ZIP+4, invoice ids, UUIDs.
FILLER = (
    "Order #48213377 shipped via ground, ETA 3 days",
    "order 123-45-6789 was cancelled by the customer",
    "ORD-234-56-7891 refunded",
    "tracking 1Z999AA10123456784 delivered to front desk",
    "USPS tracking 9400 1000 0000 0000 0000 00 in transit",
    "ticket opened 2024-03-15T10:22:33Z, closed 2024-03-16 09:01:02",
    "epoch 1700000000123 logged; retry at 1700000600",
    "router firmware upgraded to version 10.2.1.5 overnight",
    "client v4.19.0.1 reported a crash",
    "Mozilla/5.0 (X11) Chrome/120.0.6099.109 Safari/537.36",
    "mailing ZIP 94105-1234 confirmed",
    "Invoice 212-555-0187 sent to billing",
    "INV-2125550187 overdue",
    "request id 550e8400-e29b-41d4-a716-446655440000 failed",
    "invoice 4111111111111111 paid in full",
    "reference 490154203237518 for the repair",
    "account 123456789 moved to the new plan",
    "speed test 940.5 Mbps down, 35.2 up",
    "agent notes: customer happy, no further action",
)


def notes(kind: str, rows: int, density: float, seed: int = 11) -> tuple[list[str], int]:
    """``rows`` notes, ``density`` of which hold one generated value of ``kind``."""
    rng = random.Random(seed)
    _, gen, template = CASES[kind]
    hits = max(1, round(rows * density))
    chosen = set(rng.sample(range(rows), hits))
    out = [template.format(gen(rng)) if i in chosen else rng.choice(FILLER)
           for i in range(rows)]
    return out, hits


def run(detector: EmbeddedDetector, values: list[str], batch: int = 2_500) -> tuple[Tally, int]:
    tally = Tally()
    for start in range(0, len(values), batch):
        m = detector.match(ValueView(pa.array(values[start:start + batch])))
        if m is not None:
            tally.add(m)
    return tally, len(values)


@pytest.mark.parametrize("density", [0.001, 0.01, 0.1, 0.5])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_embedded_value_is_counted(kind: str, density: float) -> None:
    values, hits = notes(kind, 5_000, density)
    det = CASES[kind][0]()
    tally, n = run(det, values)
    assert tally.matched == hits
    verdict = det.judge(tally, ColumnFacts("notes", "string", "string", n), NameRule().evaluate(""))
    assert verdict is not None and verdict.in_text
    assert (verdict.matched, verdict.sampled) == (hits, n)
    assert verdict.confidence >= 0.7


@pytest.mark.parametrize("detector", SEARCHERS, ids=lambda c: c.name)
def test_look_alikes_are_not_flagged(detector: type[EmbeddedDetector]) -> None:
    tally, _ = run(detector(), list(FILLER) * 20)
    assert tally.matched == 0


BARE_WITHOUT_CONTEXT = [
    ("embedded_us_ssn", "ref code 234567891 printed on the form"),
    ("embedded_credit_card", "batch 4111111111111111 queued"),
    ("embedded_phone", "value was 2125550187 at the time"),
    ("embedded_imei", "shelf 490154203237518 restocked"),
]
BARE_WITH_CONTEXT = [
    ("embedded_us_ssn", "customer social security number is 234567891"),
    ("embedded_us_ssn", 'payload {"name": "x", "ssn": "234567891"}'),
    ("embedded_us_ssn", "GET /verify?ssn=234567891&step=2 HTTP/1.1"),
    ("embedded_credit_card", "cc=4111111111111111&exp=1230"),
    ("embedded_phone", "msisdn=2125550187 attached"),
    ("embedded_imei", "imei: 490154203237518"),
]


@pytest.mark.parametrize(("name", "text"), BARE_WITHOUT_CONTEXT)
def test_bare_numbers_need_a_telling_word(name: str, text: str) -> None:
    det = next(c() for c in SEARCHERS if c.name == name)
    assert run(det, [text])[0].matched == 0


@pytest.mark.parametrize(("name", "text"), BARE_WITH_CONTEXT)
def test_keys_and_words_are_context(name: str, text: str) -> None:
    det = next(c() for c in SEARCHERS if c.name == name)
    tally = run(det, [text])[0]
    assert (tally.matched, tally.strong) == (1, 1)


def test_query_strings_are_decoded() -> None:
    line = "GET /account?email=jane.roe%40example.net&phone=%2B1-212-555-0142 HTTP/1.1"
    found = {c.entity for c in SEARCHERS if run(c(), [line])[0].matched}
    assert found == {"EMAIL_ADDRESS", "PHONE_NUMBER"}


def test_a_later_candidate_is_found_after_a_look_alike() -> None:
    text = "order 123-45-6789 then customer ssn 234-56-7890 verified"
    assert run(EmbeddedSSNDetector(), [text])[0].matched == 1


def test_whole_values_are_left_to_the_value_detectors() -> None:
    values = ["jane@example.com", "234-56-7890", "4111 1111 1111 1111", "203.0.113.9"]
    for det in SEARCHERS:
        assert run(det(), values)[0].matched == 0


def test_context_raises_confidence() -> None:
    det = EmbeddedSSNDetector()
    facts = ColumnFacts("notes", "string", "string", 2)
    plain = det.judge(run(det, ["seen 234-56-7890 today", "x"])[0], facts,
                      NameRule().evaluate(""))
    strong = det.judge(run(det, ["ssn 234-56-7890 today", "x"])[0], facts,
                       NameRule().evaluate(""))
    assert plain is not None and strong is not None
    assert strong.confidence > plain.confidence


@pytest.mark.parametrize("kind", sorted(CASES))
def test_evidence_masks_the_span_never_the_note(kind: str) -> None:
    values, _ = notes(kind, 200, 0.5)
    det = CASES[kind][0]()
    tally, _ = run(det, values)
    assert tally.evidence
    raw = [v for v in values if v not in FILLER]
    for e in tally.evidence:
        assert len(e) <= 40
        for note in raw:
            assert e not in note  # masked: not a substring of any note


KEYED = [
    ("DATE_OF_BIRTH", "GET /signup?first=x&dob=1980-02-03 HTTP/1.1", 1),
    ("DATE_OF_BIRTH", '{"birth_date": "07/14/1975", "plan": "gold"}', 1),
    ("DATE_OF_BIRTH", "created=2024-01-02 updated=2024-01-03", 0),
    ("PERSON_NAME", "GET /signup?first_name=Jane&last_name=Roe HTTP/1.1", 1),
    ("PERSON_NAME", '{"customer": {"full_name": "Raj Patel"}}', 1),
    ("PERSON_NAME", "plan_name=Gold Plan name=Support Team", 0),
    ("POSTAL_ADDRESS", "user=jdoe address=221+Baker+Street action=update", 1),
    ("POSTAL_ADDRESS", '{"billing_address": "12 Main St", "zip": "94105"}', 1),
    ("POSTAL_ADDRESS", "note: moved desk to 12 Main St office", 0),
]


@pytest.mark.parametrize(("entity", "text", "hits"), KEYED)
def test_keys_name_values_that_have_no_checksum(entity: str, text: str, hits: int) -> None:
    from detectors.embedded import (
        KeyedAddressDetector,
        KeyedBirthDateDetector,
        KeyedPersonNameDetector,
    )

    det = next(c() for c in (KeyedAddressDetector, KeyedBirthDateDetector,
                             KeyedPersonNameDetector) if c.entity == entity)
    tally = run(det, [text, "unrelated note"] * 3)[0]
    assert tally.matched == 3 * hits
    for e in tally.evidence:
        assert e not in text


def test_context_windows_cut_through_any_text() -> None:
    values = ["Kundin José Müller — SSN 234-56-7890 — bestätigt ✓✓✓",
              "234-56-7890 is the ssn",
              "ééééééééééééééééééééééééééééééééééééééé ssn: 234-56-7890 ✓"]
    tally = run(EmbeddedSSNDetector(), values)[0]
    assert (tally.matched, tally.strong) == (3, 3)
