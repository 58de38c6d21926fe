"""What sample exports and log schemas look like: made-up numbers, flags, network addresses.

Public sample databases write telephone numbers with area codes no plan assigns;
security logs name a dozen kinds of addresses; directory exports are full of
boolean flags whose names mention accounts and addresses. Each case here is
one a scan of such files met.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from detectors.registry import all_detectors
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

DETECTORS = {d.name: d for d in all_detectors()}


def _scan(tmp_path: Path, columns: dict[str, list[str]], header: bool = True,
          delimiter: str = ",") -> dict[str, set[str]]:
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        if header:
            w.writerow(columns)
        w.writerows(zip(*columns.values(), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    return {c.ref.column: set(c.entities) for c in table.columns}


@pytest.mark.parametrize(("detector", "column", "supports"), [
    # A rule's abbreviations read like the column's: remote addr = remoteAddress.
    ("ip_address", "remoteAddress", True),
    ("ip_address", "req.remote_addr", True),
    ("ip_address", "SourceTranslatedAddress", True),
    ("ip_address", "DeviceAddress", True),
    ("ip_address", "MaliciousIPLatitude", False),
    ("ip_address", "MaliciousIPCountry", False),
    ("ip_address", "DeviceCustomIPv6Address1Label", False),
    ("street_address", "SourceTranslatedAddress", False),
    ("street_address", "SipProxyAddress", False),
    ("street_address", "ShowInAddressList", False),
    ("street_address", "billing_address", True),
    # Flags say whether, not what.
    ("account_id", "AccountEnabled", False),
    ("email", "is_email_verified", False),
    ("phone", "has_phone", False),
    ("phone", "phone_format", False),
    ("phone", "mobile_phone", True),
])
def test_name_evidence(detector: str, column: str, supports: bool) -> None:
    evidence = DETECTORS[detector].names.evaluate(column)
    assert (evidence.score >= 0.5) is supports, (column, evidence)


def _fictional_nanp(rng: random.Random, n: int) -> list[str]:
    # Area codes drawn at random, most of them unassigned; 555-01xx lines.
    out = []
    for i in range(n):
        area = rng.randint(200, 999)
        line = f"555-01{rng.randint(0, 99):02d}"
        out.append(f"{area}-{line}" if i % 3 else f"1 (11) 500 {line}")
    return out


def test_made_up_area_codes_are_still_telephone_numbers(tmp_path: Path) -> None:
    rng = random.Random(7)
    n = 60
    found = _scan(tmp_path, {
        "id": [str(i) for i in range(n)],
        "contact": _fictional_nanp(rng, n),
        # Look-alikes written with dashes: SSNs, ZIP+4, ISO dates, ISBNs, versions.
        "ssn": [f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
                for _ in range(n)],
        "zip4": [f"{rng.randint(10000, 99999)}-{rng.randint(1000, 9999)}" for _ in range(n)],
        "day": [f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                for _ in range(n)],
        "isbn": [f"978-{rng.randint(0, 9)}-{rng.randint(10, 99)}-{rng.randint(100000, 999999)}-"
                 f"{rng.randint(0, 9)}" for _ in range(n)],
        "version": [f"{rng.randint(1, 20)}.{rng.randint(0, 99)}.{rng.randint(0, 999)}"
                    for _ in range(n)],
    })
    assert "PHONE_NUMBER" in found["contact"]
    for look_alike in ("zip4", "day", "isbn", "version"):
        assert "PHONE_NUMBER" not in found[look_alike], look_alike


def test_a_headerless_employee_table_is_not_a_call_log(tmp_path: Path) -> None:
    # Nine-digit national IDs, birth and hire dates, a midnight "modified" stamp:
    # two number-like columns and a date-time, but nobody called anyone.
    rng = random.Random(3)
    n = 40
    found = _scan(tmp_path, {
        "id": [str(i + 1) for i in range(n)],
        "national_id": [str(rng.randint(100_000_000, 999_999_999)) for _ in range(n)],
        "login": [f"corp\\user{i}" for i in range(n)],
        "title": ["Engineer"] * n,
        "birth": [f"19{rng.randint(50, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                  for _ in range(n)],
        "hire": [f"20{rng.randint(10, 20)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}"
                 for _ in range(n)],
        "modified": ["2014-06-30 00:00:00.000"] * n,
    }, header=False, delimiter="\t")
    assert not any("CALL_DETAIL" in v for v in found.values()), found


def test_a_two_row_table_is_judged_on_its_values(tmp_path: Path) -> None:
    # Seed data of an application: two customers. No rate can be had from two rows,
    # but two valid addresses, and a telling name over street lines, are findings.
    found = _scan(tmp_path, {
        "ID": ["1e2f2640-6866-4dcf-8f4d-3027aa831cad", "24e718c9-ff99-47f1-8ca3-950c850777d4"],
        "createdBy": ["ines.moreau@example.org", "kai.berg@example.net"],
        "street": ["Lindenallee 14", "Harbour Road 9"],
        "creditCardNo": ["5500-0000-1234-0000", "4000-1234-5678-0000"],
        "status": ["open", "closed"],
    })
    assert found["createdBy"] == {"EMAIL_ADDRESS"}
    assert found["street"] == {"POSTAL_ADDRESS"}
    # Card numbers that fail the Luhn check under a card name: a name-only finding.
    assert found["creditCardNo"] == {"CREDIT_CARD"}
    assert found["status"] == set() and found["ID"] == set()


def test_one_value_is_not_a_rate_without_a_strict_check(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"code": ["4111-11"], "ref": ["2125550142"], "n": ["17"]})
    assert found == {"code": set(), "ref": set(), "n": set()}


def test_places_are_an_address_only_beside_a_person(tmp_path: Path) -> None:
    cities = ["Springfield", "Riverside", "Fairview", "Madison", "Georgetown", "Salem"] * 5
    states = ["IL", "CA", "TN", "WI", "TX", "OR"] * 5
    zips = ["62701", "92501", "37062", "53703", "78626", "97301"] * 5
    registry = _scan(tmp_path, {"zip_code": zips, "city": cities, "state": states,
                                "population": [str(1000 + i) for i in range(30)]})
    assert registry == {"zip_code": set(), "city": set(), "state": set(), "population": set()}
    people = ["Ada Byrne", "Tomas Ruiz", "Mei Chen", "Olu Adeyemi", "Sara Lind", "Ivan Petrov"]
    customers = _scan(tmp_path, {"full_name": people * 5, "city": cities, "state": states,
                                 "zip_code": zips})
    assert customers["city"] == customers["state"] == customers["zip_code"] == {
        "POSTAL_ADDRESS"}


@pytest.mark.parametrize(("text", "filler"), [
    ("Lorem ipsum dolor sit amet, consetetur sadipscing elitr, sed diam nonumy.", True),
    ("Quos esse aut eum omnis magnam. Voluptatem et excepturi veniam modi beatae.", True),
    ("Called Maria Lopez back about the router; she wants a technician on Friday.", False),
    ("Et cetera", False),
])
def test_placeholder_text_is_not_read_for_names(text: str, filler: bool) -> None:
    from detectors.language import placeholder

    assert placeholder(text) is filler


@pytest.mark.parametrize(("column", "detector"), [
    ("Vorname", "person_name_column"), ("Nachname", "person_name_column"),
    ("apellidos", "person_name_column"), ("prénom", "person_name_column"),
    ("sobrenome", "person_name_column"), ("achternaam", "person_name_column"),
    ("Geburtsdatum", "date_of_birth"), ("fecha_nacimiento", "date_of_birth"),
    ("data_nascimento", "date_of_birth"), ("date_de_naissance", "date_of_birth"),
    ("Teléfono", "phone"), ("Telefonnummer", "phone"), ("celular", "phone"),
    ("correo_electronico", "email"), ("E-Mail-Adresse", "email"),
    ("Straße", "street_address"), ("calle", "street_address"),
    ("PLZ", "postal_code"), ("Código Postal", "postal_code"), ("Postleitzahl", "postal_code"),
    ("Kundennummer", "account_id"), ("Benutzername", "user_name"),
])
def test_headers_in_other_languages(column: str, detector: str) -> None:
    assert DETECTORS[detector].names.evaluate(column).score >= 0.5, column


def test_a_german_customer_export(tmp_path: Path) -> None:
    found = _scan(tmp_path, {
        "Kundennummer": [f"K-{1000 + i}" for i in range(12)],
        "Vorname": ["Jürgen", "Anja", "Katrin", "Stefan", "Ute", "Björn"] * 2,
        "Nachname": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"] * 2,
        "Straße": ["Hauptstraße 5", "Lindenweg 12", "Am Markt 3", "Bahnhofstr. 44",
                   "Gartenstraße 7a", "Schulweg 9"] * 2,
        "PLZ": ["10115", "80331", "50667", "20095", "70173", "01067"] * 2,
        "Ort": ["Berlin", "München", "Köln", "Hamburg", "Stuttgart", "Dresden"] * 2,
        "Telefon": ["030 1234567", "089 7654321", "0221 998877", "040 555123",
                    "0711 246810", "0351 135790"] * 2,
    })
    assert found["Vorname"] == found["Nachname"] == {"PERSON_NAME"}
    assert found["Straße"] == found["PLZ"] == found["Ort"] == {"POSTAL_ADDRESS"}
    assert found["Kundennummer"] == {"ACCOUNT_ID"}
    assert found["Telefon"] == {"PHONE_NUMBER"}


def test_names_known_by_their_words_in_a_headerless_export(tmp_path: Path) -> None:
    # An unload file: no header, names in capitals, an e-mail beside them.
    first = ["MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH", "JENNIFER", "MARIA",
             "SUSAN", "MARGARET", "DOROTHY", "JAMES", "ROBERT"]
    last = ["SMITH", "JOHNSON", "WILLIAMS", "JONES", "BROWN", "DAVIS", "MILLER", "WILSON",
            "MOORE", "TAYLOR", "ANDERSON", "THOMAS"]
    mails = [f"{f[0]}.{s}@example.org".lower() for f, s in zip(first, last, strict=True)]
    found = _scan(tmp_path, {"id": [str(i) for i in range(12)], "f": first, "l": last,
                             "m": mails}, header=False, delimiter="|")
    assert found["column_2"] == found["column_3"] == {"PERSON_NAME"}, found


def test_words_that_are_also_surnames_are_not_names_alone(tmp_path: Path) -> None:
    # Colours, towns and flags: many are census surnames, none is a person here.
    found = _scan(tmp_path, {
        "shade": ["Green", "White", "Black", "Brown", "Gray", "Gold", "Silver", "Rose",
                  "Olive", "Amber", "Coral", "Ivory"],
        "column_b": ["Franklin", "Clinton", "Madison", "Salem", "Georgetown", "Springfield",
                     "Austin", "Dallas", "Houston", "Boston", "Denver", "Phoenix"],
        "active": ["TRUE", "FALSE"] * 6,
    })
    assert all(v == set() for v in found.values()), found


def test_short_foreign_words_split_no_english_word() -> None:
    from detectors.names import tokenize

    assert tokenize("export") == ("export",)
    assert tokenize("Telefonnummer") == ("telephone", "number")


@pytest.mark.parametrize(("text", "skipped"), [
    ("Comércio varejista de lubrificantes", True),
    ("Servicios de limpieza de oficinas y locales comerciales", True),
    ("Maria de la Cruz Lopez", False),
    ("João da Silva Santos", False),
    ("Called the customer back about the router", False),
])
def test_prose_in_other_languages_is_not_read_by_the_english_model(text: str,
                                                                     skipped: bool) -> None:
    from detectors.language import placeholder

    assert placeholder(text) is skipped


def test_a_title_line_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "expenses.csv"
    path.write_text('"LAST UPDATE";"18/05/2017 04:00"\n'
                    '"YEAR";"SENATOR";"EMAIL";"AMOUNT"\n'
                    '"2009";"Ada Byrne";"ada.byrne@example.org";"5000"\n'
                    '"2009";"Tomas Ruiz";"t.ruiz@example.net";"120"\n')
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert [c.ref.column for c in table.columns] == ["YEAR", "SENATOR", "EMAIL", "AMOUNT"]
    assert {c.ref.column: set(c.entities) for c in table.columns}["EMAIL"] == {"EMAIL_ADDRESS"}


def test_tilde_separated_exports(tmp_path: Path) -> None:
    path = tmp_path / "metadata.txt"
    path.write_text("Uuid~Correo~Monto\n" + "".join(
        f"E7215E3B-2DC5-4A40-AB10-C902FF9258D{i}~user{i}@example.org~{100 + i}.50\n"
        for i in range(8)))
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert {c.ref.column: set(c.entities) for c in table.columns}["Correo"] == {"EMAIL_ADDRESS"}


def test_a_mobile_toolkit_call_log_is_a_call_record(tmp_path: Path) -> None:
    # cellyzer/bandicoot style: the subscriber, the other party, a direction, a time.
    path = tmp_path / "calls.csv"
    path.write_text("user,other,direction,duration,timestamp\n" + "".join(
        f"76100396{i:02d},74346774{i:02d},{'Incoming' if i % 2 else 'Outgoing'},{30 + i},"
        f"2010-09-15 19:{i:02d}:44\n" for i in range(20)))
    result = scan([str(path)], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert table.record_kind == "call_detail"
    found = {c.ref.column: set(c.entities) for c in table.columns}
    assert "CALL_DETAIL" in found["direction"] and "CALL_DETAIL" in found["timestamp"]
