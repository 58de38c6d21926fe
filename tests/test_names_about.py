"""Column names that say what a field is ABOUT, not what it HOLDS; bank codes are no accounts.

A remark on a field (``Bemerkung (Telefon)``, ``phone_comment``), a fact about
it (``email_verified``, ``Adresse Gültig von``, ``Anschrift manuell geändert``)
and a SWIFT/BIC code are not the entity; a bank code (routing number, BLZ) is
part of someone's bank details only beside an account, never in a directory of
banks. A German master-data export of a few rows (``Straße``, ``Postfach``,
``Telefon`` written ``0221/...``) is read for what it holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detectors.registry import all_detectors
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

DETECTORS = {d.name: d for d in all_detectors()}
ENTITY = {"phone": "PHONE_NUMBER", "email": "EMAIL_ADDRESS", "street_address": "POSTAL_ADDRESS",
          "person_name_column": "PERSON_NAME", "bank_account": "BANK_ACCOUNT",
          "date_of_birth": "DATE_OF_BIRTH", "credit_card": "CREDIT_CARD"}


def _named(column: str) -> set[str]:
    """The entities whose detectors read ``column`` as a telling name."""
    return {ENTITY[name] for name in ENTITY
            if DETECTORS[name].names.evaluate(column).score >= 0.5}


@pytest.mark.parametrize("column", [
    # Remarks about a field, in several languages and conventions.
    "Bemerkung (Telefon)", "Remark (E-Mail)", "phone_comment", "notes on address",
    "Kommentar zur Adresse", "observaciones_telefono", "commentaire (courriel)",
    "opmerking telefoon", "PhoneNotes", "email_description",
    # Whether, or since when, a field is valid, checked or changed.
    "Adresse Gültig von", "Adresse Gültig bis (Rechnungsadresse)", "address_valid_from",
    "Anschrift manuell geändert (Korrespondenzadresse)", "email_verified", "phone_changed_at",
    "telefono_valido", "HomeAddressLastUpdated", "date_of_birth_confirmed",
    "card_number_validated", "Address (valid from)", "Adresse (gültig bis)",
    "phone (changed on)",
])
def test_a_column_about_a_field_is_not_the_field(column: str) -> None:
    assert _named(column) == set(), column


@pytest.mark.parametrize(("column", "entity"), [
    ("Telefon", "PHONE_NUMBER"), ("Fax", "PHONE_NUMBER"), ("Telefon (privat)", "PHONE_NUMBER"),
    ("phone (mobile)", "PHONE_NUMBER"), ("updated_phone", "PHONE_NUMBER"),
    ("E-Mail", "EMAIL_ADDRESS"), ("comment_author_email", "EMAIL_ADDRESS"),
    ("Straße", "POSTAL_ADDRESS"), ("Straße (Rechnungsadresse)", "POSTAL_ADDRESS"),
    ("Postfach", "POSTAL_ADDRESS"), ("po_box", "POSTAL_ADDRESS"),
    ("Name (Adressatentyp natürl. Person)", "PERSON_NAME"), ("Vorname", "PERSON_NAME"),
    ("IBAN 1", "BANK_ACCOUNT"), ("Bankkonto-Nummer", "BANK_ACCOUNT"),
    ("Card (number)", "CREDIT_CARD"), ("Last (name)", "PERSON_NAME"),
    ("Date (of birth)", "DATE_OF_BIRTH"),
])
def test_a_column_holding_a_field_still_is(column: str, entity: str) -> None:
    assert entity in _named(column), column


@pytest.mark.parametrize("column", ["Name (Unternehmen)", "nombre (empresa)"])
def test_a_name_qualified_as_a_company_is_no_person(column: str) -> None:
    assert "PERSON_NAME" not in _named(column)


@pytest.mark.parametrize("column", ["SWIFT-Code 1", "bic", "swift_bic", "bank_bic",
                                    "bank_code", "Bankleitzahl", "sort_code"])
def test_bank_identifiers_are_not_account_names(column: str) -> None:
    assert DETECTORS["bank_account"].names.evaluate(column).score == 0


def _iban(country: str, bban: str) -> str:
    """An IBAN with correct mod-97 check digits for a made-up BBAN."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _aba(body: str) -> str:
    weights = [3, 7, 1, 3, 7, 1, 3, 7]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + str((10 - total % 10) % 10)


def _found(path: Path) -> dict[str, set[str]]:
    result = scan([str(path)], ScanConfig(ner=False))
    (source,) = result.sources
    (table,) = source.tables
    assert table.error is None
    return {c.ref.column: set(c.entities) for c in table.columns}


# A DATEV-style master-data export: a format line, the German header, Windows-1252,
# one natural person and two companies; most columns empty, as such exports are.
_HEADER = ["Konto", "Name (Adressatentyp Unternehmen)", "Name (Adressatentyp natürl. Person)",
           "Vorname (Adressatentyp natürl. Person)", "Straße", "Postfach", "Postleitzahl", "Ort",
           "Adresse Gültig von", "Telefon", "Bemerkung (Telefon)", "E-Mail",
           "Bemerkung (E-Mail)", "Fax", "Bankleitzahl 1", "Bankkonto-Nummer 1", "IBAN 1",
           "SWIFT-Code 1", "Anschrift manuell geändert (Rechnungsadresse)"]
_ROWS = [
    ["12000", "", "Brandhuber", "Josefine", "Zur Alten Mühle 9", "", "80331", "München",
     "", "089/2718281", "nur vormittags", "j.brandhuber@posteo.de", "", "089/2718282",
     "70020270", "", _iban("DE", "700202700015550001"), "HYVEDEMMXXX", ""],
    ["70010", "Kesselring Maschinenbau GmbH", "", "", "", "", "", "", "", "", "", "", "",
     "", "", "", "", "", ""],
    ["70011", "Lindqvist Holz AG", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
     "", "", ""],
]


def _master_data_file(folder: Path) -> Path:
    path = folder / "EXTF_Debitoren.csv"
    lines = ['"EXTF";700;16;"Debitoren/Kreditoren";5;20240115093000000;;"RE";"";"";'
             '29098;55003;20240101;4;;;"";"";;;;"";"";"";"";"";"";;;"";""',
             ";".join(_HEADER)]
    lines += [";".join(f'"{v}"' if v and not v.isdigit() else v for v in row) for row in _ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


@pytest.fixture(scope="module")
def master_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    return _found(_master_data_file(tmp_path_factory.mktemp("datev")))


def test_a_german_windows_export_is_read_as_windows_1252(tmp_path: Path) -> None:
    result = scan([str(_master_data_file(tmp_path))], ScanConfig(ner=False))
    (table,) = result.sources[0].tables
    assert "cp1252" in (table.format_reason or "")
    assert "Straße" in {c.ref.column for c in table.columns}


@pytest.mark.parametrize(("column", "entity"), [
    ("Straße", "POSTAL_ADDRESS"), ("Postfach", "POSTAL_ADDRESS"),
    ("Telefon", "PHONE_NUMBER"), ("Fax", "PHONE_NUMBER"), ("E-Mail", "EMAIL_ADDRESS"),
    ("Name (Adressatentyp natürl. Person)", "PERSON_NAME"), ("IBAN 1", "BANK_ACCOUNT"),
])
def test_master_data_fields_are_found(master_data: dict, column: str, entity: str) -> None:
    assert entity in master_data[column], (column, master_data[column])


@pytest.mark.parametrize("column", ["Bemerkung (Telefon)", "Bemerkung (E-Mail)",
                                    "Adresse Gültig von", "SWIFT-Code 1",
                                    "Anschrift manuell geändert (Rechnungsadresse)"])
def test_master_data_remarks_and_codes_are_not(master_data: dict, column: str) -> None:
    assert master_data[column] == set(), (column, master_data[column])


_BANKS = [("10010010", "PBNKDEFFXXX", "Postbank Ndl Berlin"),
          ("20050550", "HASPDEHHXXX", "Hamburger Sparkasse"),
          ("37040044", "COBADEFFXXX", "Commerzbank Koeln"),
          ("50010517", "INGDDEFFXXX", "ING-DiBa Frankfurt"),
          ("60050101", "SOLADEST600", "Landesbank BW Stuttgart"),
          ("70150000", "SSKMDEMMXXX", "Stadtsparkasse Muenchen"),
          ("76050101", "SSKNDE77XXX", "Sparkasse Nuernberg"),
          ("86055592", "WELADE8LXXX", "Sparkasse Leipzig")]


def test_a_directory_of_banks_holds_no_account(tmp_path: Path) -> None:
    path = tmp_path / "banks.json"
    path.write_text(json.dumps([{"bank_code": c, "bic": b, "name": n, "country_code": "DE"}
                                for c, b, n in _BANKS * 3]))
    found = _found(path)
    assert "BANK_ACCOUNT" not in found["bank_code"] | found["bic"]


def test_a_routing_directory_with_phones_holds_no_account(tmp_path: Path) -> None:
    routing = [_aba(f"{d:02d}{n:06d}") for d, n in zip([11, 21, 26, 31, 44, 53, 61, 71] * 3,
                                                      range(100200, 124200, 1000),
                                                      strict=True)]
    path = tmp_path / "fedach.csv"
    rows = ["routing_number,bank_name,city,phone"]
    rows += [f"{r},First Example Bank {i},Springfield,(217) 555-01{i:02d}"
             for i, r in enumerate(routing)]
    path.write_text("\n".join(rows) + "\n")
    assert "BANK_ACCOUNT" not in _found(path)["routing_number"]


def test_a_bank_code_beside_the_account_is_bank_details(tmp_path: Path) -> None:
    path = tmp_path / "payees.csv"
    rows = ["payee,Bankleitzahl,IBAN"]
    rows += [f"Payee {i},{code},{_iban('DE', code + f'{4711000 + i * 37:010d}')}"
             for i, (code, _, _) in enumerate(_BANKS * 2)]
    path.write_text("\n".join(rows) + "\n")
    found = _found(path)
    assert "BANK_ACCOUNT" in found["IBAN"]
    assert "BANK_ACCOUNT" in found["Bankleitzahl"]


def test_routing_numbers_beside_accounts_stay_bank_details(tmp_path: Path) -> None:
    routing = [_aba(f"{d:02d}{n:06d}") for d, n in zip([11, 21, 26, 31, 44] * 4,
                                                      range(300000, 320000, 1000), strict=True)]
    path = tmp_path / "direct_deposit.csv"
    rows = ["employee_id,routing_number,account_number"]
    rows += [f"E{1000 + i},{r},{88120000 + i * 7919}" for i, r in enumerate(routing)]
    path.write_text("\n".join(rows) + "\n")
    found = _found(path)
    assert "BANK_ACCOUNT" in found["routing_number"]


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


_AMOUNTS = ["119,00", "48,50", "2380,00", "15,99", "731,40", "64,00", "1250,00", "9,90"]


def test_a_journal_account_is_a_ledger_account(tmp_path: Path) -> None:
    rows = [f"{a};{'S' if i % 2 else 'H'};{acct};{contra};{1 + i:02d}03;Rechnung {4410 + i}"
            for i, (a, acct, contra) in enumerate(zip(
                _AMOUNTS * 2, [1200, 1000, 10050, 1200, 1800, 70120, 1000, 1200] * 2,
                [8400, 4930, 8400, 4650, 1590, 3400, 4210, 8300] * 2, strict=True))]
    found = _found(_write(tmp_path / "buchungen.csv",
                          "Umsatz;Soll/Haben-Kennzeichen;Konto;Gegenkonto;Belegdatum;"
                          "Buchungstext", rows))
    assert "ACCOUNT_ID" not in found["Konto"] | found["Gegenkonto"]


def test_a_general_ledger_export_account_is_no_customer(tmp_path: Path) -> None:
    rows = [f"2024-03-{1 + i:02d},{acct},{contra},{a.replace(',', '.')},Office supplies"
            for i, (a, acct, contra) in enumerate(zip(
                _AMOUNTS * 2, [6100, 6150, 1010, 4000, 6100, 2100, 1010, 6420] * 2,
                [1010, 1010, 4000, 1200, 2000, 1010, 3000, 1010] * 2, strict=True))]
    found = _found(_write(tmp_path / "journal.csv",
                          "posting_date,account,offset_account,amount,memo", rows))
    assert "ACCOUNT_ID" not in found["account"]


def test_a_chart_of_accounts_is_no_customer_list(tmp_path: Path) -> None:
    rows = [f'{n};"{label}";"de-DE"' for n, label in [
        (420, "Technische Anlagen"), (1000, "Kasse"), (1360, "Geldtransit"),
        (1576, "Abziehbare Vorsteuer"), (3300, "Wareneingang"), (4120, "Gehälter"),
        (4930, "Bürobedarf"), (8400, "Erlöse 19 % USt")] * 2]
    found = _found(_write(tmp_path / "konten.csv", "Konto;Kontenbeschriftung;Sprach-ID", rows))
    assert "ACCOUNT_ID" not in found["Konto"]


@pytest.mark.parametrize("header", ["account,debit,credit,balance", "account,name,email,plan"])
def test_a_customer_account_beside_amounts_stays_an_account(tmp_path: Path,
                                                            header: str) -> None:
    rows = [f"AC-{300410 + i * 17},{'Helga Nyström' if 'name' in header else '12.50'},"
            f"{'h.nystrom@example.org' if 'name' in header else '0.00'},"
            f"{'Fibre 500' if 'plan' in header else '87.10'}" for i in range(12)]
    found = _found(_write(tmp_path / "accounts.csv", header, rows))
    assert "ACCOUNT_ID" in found["account"]


@pytest.mark.parametrize("column", ["gl_account", "Verknüpftes OPOS-Konto", "Sachkonto",
                                    "revenue_account"])
def test_a_named_ledger_account_is_no_customer_account(tmp_path: Path, column: str) -> None:
    rows = [f"C{1000 + i},Kim Osei,{4000 + i * 10}" for i in range(10)]
    found = _found(_write(tmp_path / "customers.csv", f"customer_id,customer_name,{column}",
                          rows))
    assert "ACCOUNT_ID" not in found[column]
    assert "ACCOUNT_ID" in found["customer_id"]
