"""Person names in context: directories, firms, capitals, role nouns and catalogue blurbs.

* An LDAP export's ``cn``, ``sn`` and ``givenName`` are people's names and its
  ``uid`` a login; ``sn`` there is no serial number, and a table of groups or
  of devices is no directory of people.
* A ``Name`` in a table of agencies, banks or firms (by the table's name, its
  other columns or legal forms in the values) is not a person's name.
* Headers such as ``txNomeParlamentar``, ``SENADOR`` or ``nm_cliente`` name
  people, and names written in capitals (``JOÃO DA SILVA``) are read as names.
* Title-case blurbs of a catalogue are not read as people and places by the
  language model, while a full name inside them still is.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from detectors.registry import all_detectors
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

NAMES = {d.name: d for d in all_detectors()}


def _model_available() -> bool:
    from detectors.language import LanguageModelUnavailable, analyzer

    try:
        analyzer()
    except LanguageModelUnavailable:
        return False
    return True


def _write_csv(path: Path, header: list[str], rows: list[list[str]],
               delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def _found(path: Path, ner: bool = False) -> dict[str, set[str]]:
    result = scan([str(path)], ScanConfig(ner=ner))
    (source,) = result.sources
    (table,) = source.tables
    return {c.ref.column: set(c.entities) for c in table.columns}


# LDAP directory exports ------------------------------------------------------------

_PEOPLE = [("Lena", "Okonkwo"), ("Matthias", "Brenner"), ("Sofia", "Lindgren"),
           ("Ravi", "Subramanian"), ("Claire", "Dubois"), ("Tomasz", "Wieczorek"),
           ("Hannah", "Whitfield"), ("Diego", "Arroyo"), ("Yuki", "Morimoto"),
           ("Fatima", "Haddad"), ("Owen", "Gallagher"), ("Ines", "Carvalho")]


def test_an_ldap_export_names_people_and_logins(tmp_path: Path) -> None:
    rows = []
    for i, (given, family) in enumerate(_PEOPLE):
        login = f"{given[0]}{family}".lower()
        rows.append([f"uid={login},ou=Staff,dc=example,dc=net", "inetOrgPerson",
                     f"{given} {family}", family, given, login,
                     f"{login}@example.net", f"Team {i % 3}"])
    path = _write_csv(tmp_path / "directory.csv",
                      ["dn", "objectClass", "cn", "sn", "givenName", "uid", "mail",
                       "description"], rows)
    found = _found(path)
    for column in ("cn", "sn", "givenName"):
        assert found[column] == {"PERSON_NAME"}, column
    assert found["uid"] == {"ACCOUNT_ID"}
    assert "DEVICE_ID" not in found["sn"]
    assert found["mail"] == {"EMAIL_ADDRESS"}
    assert not found["objectClass"]


def test_an_active_directory_export_with_empty_attributes(tmp_path: Path) -> None:
    # A field designed to hold a name is reported from the directory's layout alone.
    rows = [[f"CN={g} {f},OU=Users,DC=corp,DC=example", f"{g[0]}{f}".lower(),
             f"{g[0]}{f}@corp.example".lower(), "", f"{g} {f}"] for g, f in _PEOPLE]
    path = _write_csv(tmp_path / "ad_users.csv",
                      ["distinguishedName", "sAMAccountName", "userPrincipalName", "sn",
                       "displayName"], rows)
    found = _found(path)
    assert found["sAMAccountName"] == {"ACCOUNT_ID"}
    assert "ACCOUNT_ID" in found["userPrincipalName"]
    assert found["sn"] == {"PERSON_NAME"}
    assert found["displayName"] == {"PERSON_NAME"}


def test_an_ldap_export_of_groups_holds_no_names(tmp_path: Path) -> None:
    groups = ["developers", "finance", "helpdesk", "printers", "vpn-users", "backup-ops",
              "wiki-editors", "sales-emea", "hr-private", "build-agents", "auditors", "interns"]
    rows = [[f"cn={g},ou=Groups,dc=example,dc=net", "posixGroup", g, str(5000 + i),
             "alice,bob"] for i, g in enumerate(groups)]
    path = _write_csv(tmp_path / "groups.csv",
                      ["dn", "objectClass", "cn", "gidNumber", "memberUid"], rows)
    assert "PERSON_NAME" not in _found(path)["cn"]


def test_sn_in_a_device_table_is_no_surname(tmp_path: Path) -> None:
    rows = [[f"edge-{i:02d}", "RT-AX58U", f"N{i}CY5K0{7 * i:03d}"] for i in range(12)]
    path = _write_csv(tmp_path / "routers.csv", ["hostname", "model", "sn"], rows)
    assert "PERSON_NAME" not in _found(path)["sn"]


# Firms are not people -------------------------------------------------------------

_FIRMS = ["Northwind Travel", "Blue Lagoon Tours", "Kessler Reisen GmbH", "Harbour & Co",
          "Atlas Airlines", "Meridian Trips Ltd.", "Silver Coast Travel", "Orchid Holidays",
          "Evergreen Journeys", "Sunny Side Agency", "Compass Rose Travel", "Polaris Voyages"]
_CUSTOMERS = ["Margaret Ellison", "Jorge Mendoza", "Aisha Rahman", "Piotr Nowak",
              "Chloe Bernard", "Samuel Osei", "Emily Hartmann", "Lucas Ferreira",
              "Naomi Fischer", "Kevin O'Brien", "Rosa Delgado", "Henrik Larsen"]


@pytest.mark.parametrize("table", ["TravelAgency", "carriers", "bank_branches"])
def test_a_name_in_a_table_of_firms_is_not_a_person(tmp_path: Path, table: str) -> None:
    rows = [[str(70000 + i), name, f"+49 30 5550{i:03d}"] for i, name in enumerate(_FIRMS)]
    path = _write_csv(tmp_path / f"{table}.csv", ["ID", "Name", "Phone"], rows)
    assert "PERSON_NAME" not in _found(path)["Name"]


def test_columns_beside_a_name_can_say_it_names_firms(tmp_path: Path) -> None:
    rows = [[name, f"https://www.example{i}.com", f"DE{811000000 + i}", "retail"]
            for i, name in enumerate(["Alder Brothers", "Juniper Row", "Fenwick Hale",
                                      "Marlow Street", "Bright Orchard", "Calder Vale",
                                      "Linden Park", "Hollis Gray", "Ashby Moore",
                                      "Wren Hollow", "Tamsin Cole", "Elmstead Farm"])]
    path = _write_csv(tmp_path / "partners.csv", ["name", "website", "vat_id", "industry"],
                      rows)
    assert "PERSON_NAME" not in _found(path)["name"]


def test_customers_with_bank_details_are_still_people(tmp_path: Path) -> None:
    # A BIC or an IBAN beside a name is a customer's bank details, not a bank.
    rows = [[name, f"DE89370400440532013{i:03d}", "COBADEFFXXX"]
            for i, name in enumerate(_CUSTOMERS)]
    path = _write_csv(tmp_path / "customers.csv", ["name", "iban", "bic"], rows)
    assert "PERSON_NAME" in _found(path)["name"]


class _EveryoneIsAPerson:
    """A stand-in model that takes every value for a person (as the real one may take
    ``MUTUO DE SOURE`` in a bank's name): what is counted is then the rule's doing."""

    def analyze_iterator(self, texts, **_kwargs):
        for text in texts:
            yield [SimpleNamespace(entity_type="PERSON", start=0, end=len(text), score=0.85)]


_BANKS = ["BANCO ATLANTICO DO NORTE, SA", "CAIXA DE CREDITO AGRICOLA DE EVORA, CRL",
          "BANCO RURAL DE MINAS, S.A.", "NORDWEST SPARKASSE", "BANQUE DU LAC, SA",
          "CAIXA POPULAR DE VALENCIA", "BANCO CENTRAL DE COMERCIO, SA", "HANSA PRIVATBANK AG",
          "ADRIATICA", "CREDITO MUTUO DE TAVIRA, CRL", "BANCO PORTUARIO DE AVEIRO, SA",
          "MERIDIAN TRUST BANK PLC"]


def test_a_column_of_firms_names_counts_no_person(monkeypatch: pytest.MonkeyPatch) -> None:
    import detectors.language as language

    monkeypatch.setattr(language, "analyzer", _EveryoneIsAPerson)
    # One bank in the list carries no legal form: among firms, it is a firm too.
    banks, people = language.recognise_each([_BANKS, _CUSTOMERS])
    assert banks.person == 0 and banks.sampled == len(_BANKS)
    assert people.person == len(_CUSTOMERS)
    # A few firms among people's names take nothing from the people.
    mixed = language.recognise(_CUSTOMERS + _BANKS[:2])
    assert mixed.person == len(_CUSTOMERS)


# Role nouns, prefixes and names in capitals ---------------------------------------

@pytest.mark.parametrize(("column", "supports"), [
    ("txNomeParlamentar", True),
    ("SENADOR", True),
    ("NombreACuentaTerceros", True),
    ("nm_cliente", True),
    ("nome_paciente", True),
    ("Passageiro", True),
    ("strFirstName", True),
    # A number or a code about a person is not their name.
    ("nuCarteiraParlamentar", False),
    ("senador_id", False),
    ("codCliente", False),
    # A login is an account, not a name; a supplier may well be a firm.
    ("NomeUsuario", False),
    ("Fornecedor", False),
    ("is_customer", False),
])
def test_role_nouns_and_prefixes_in_headers(column: str, supports: bool) -> None:
    evidence = NAMES["person_name_column"].names.evaluate(column)
    assert (evidence.score >= 0.9) is supports, (column, evidence)


_CAPS_PEOPLE = ["MARIA APARECIDA DOS SANTOS", "JOSÉ CARLOS PEREIRA", "ANA PAULA RODRIGUES",
                "FRANCISCO DE ASSIS LIMA", "ANTÔNIO MARCOS FERREIRA", "LUCIANA ALVES COSTA",
                "JOÃO BATISTA OLIVEIRA", "RITA DE CÁSSIA MOURA", "PAULO ROBERTO GOMES",
                "SANDRA REGINA BARBOSA", "MARCOS VINÍCIUS ARAÚJO", "CONCEIÇÃO NUNES PRADO"]
_CAPS_FIRMS = ["PAPELARIA CENTRAL LTDA", "AUTO POSTO BOA VIAGEM LTDA", "TELEFONIA NACIONAL S.A.",
               "DROGARIA POPULAR S.A.", "HOTEL MAJESTIC LTDA", "GRAFICA RAPIDA EIRELI",
               "COMERCIO DE COMBUSTIVEIS NORTE LTDA", "LOCADORA DE VEICULOS SUL LTDA",
               "PANIFICADORA PAO QUENTE LTDA", "CONSTRUTORA HORIZONTE S.A.",
               "POSTO ESTRELA DALVA LTDA", "SUPERMERCADO BOM PRECO"]


def test_names_in_capitals_under_a_bare_name_column(tmp_path: Path) -> None:
    rows = [[str(i), p, f] for i, (p, f) in enumerate(zip(_CAPS_PEOPLE, _CAPS_FIRMS,
                                                          strict=True))]
    path = _write_csv(tmp_path / "despesas.csv", ["id", "nome", "razao_social"], rows, ";")
    found = _found(path)
    assert "PERSON_NAME" in found["nome"]
    # The same header over firms' names in capitals is not a person's name.
    path2 = _write_csv(tmp_path / "fornecedores.csv", ["id", "nome"],
                       [[str(i), f] for i, f in enumerate(_CAPS_FIRMS)], ";")
    assert "PERSON_NAME" not in _found(path2)["nome"]


def test_a_role_noun_header_over_capitals(tmp_path: Path) -> None:
    rows = [["2019", str(i % 12 + 1), p, f"{1200 + 37 * i}"] for i, p in enumerate(_CAPS_PEOPLE)]
    path = _write_csv(tmp_path / "verbas.csv",
                      ["ANO", "MES", "DEPUTADO", "VALOR_REEMBOLSADO"], rows, ";")
    found = _found(path)
    assert "PERSON_NAME" in found["DEPUTADO"]
    assert "PERSON_NAME" not in found["VALOR_REEMBOLSADO"]


def test_accented_capitals_are_found_in_the_name_lists() -> None:
    import pyarrow as pa

    from detectors.lexicon import folded_upper, lexicon

    folded = folded_upper(pa.array(["João", "CONCEIÇÃO", "Gonçalo", "Núñez"]))
    assert folded.to_pylist() == ["JOAO", "CONCEICAO", "GONCALO", "NUNEZ"]
    first = set(lexicon()[0].to_pylist())
    assert {"JOAO", "CONCEICAO", "GONCALO"} <= first


# Catalogue blurbs --------------------------------------------------------------------

_BLURBS = [
    "An Unforgettable Journey Across The Frozen North With A Stubborn Sled Dog And His Friends",
    "The Heartwarming Story Of A Retired Baker Who Opens A Tiny Shop Beside The Busy Harbour",
    "A Daring Heist Goes Wrong When A Nervous Locksmith Falls For The Detective Hunting Him",
    "Two Rival Chefs Compete For The Last Table At A Famous Restaurant In Old Havana",
    "A Lonely Lighthouse Keeper Discovers A Message In A Bottle From A Sailor Lost At Sea",
    "An Ambitious Young Architect Must Rebuild Her Hometown After A Devastating Summer Flood",
    "The Gripping Tale Of A Mountain Guide Stranded With Strangers Across The Scottish Highlands",
    "A Quirky Inventor And His Talking Parrot Race Against Time To Save The Village Fair",
    "A Washed Up Boxer Trains A Shy Farm Girl For The Championship Fight Of The Century",
    "An Epic Voyage Of A Merchant Captain Sailing Through Storms Toward The Spice Islands",
    "A Clumsy Wizard Apprentice Accidentally Turns The Royal Court Into A Flock Of Geese",
    "Three Retired Spies Reunite For One Final Mission Deep Beneath The Streets Of Prague",
    "A Road Trip From Texas To California Turns Into A Hunt For A Missing Vintage Guitar",
    "A Stubborn Goat Farmer Battles A Greedy Developer Over The Last Meadow In Vermont",
]


def test_title_case_blurbs_are_not_people_or_places(tmp_path: Path) -> None:
    if not _model_available():
        pytest.skip("the spaCy model is not installed")
    rows = [[str(i), b, "PG-13"] for i, b in enumerate(_BLURBS)]
    path = _write_csv(tmp_path / "catalogue.csv", ["sku", "blurb", "rating"], rows)
    found = _found(path, ner=True)
    assert not found["blurb"] & {"PERSON_NAME", "POSTAL_ADDRESS"}


def test_a_full_name_in_a_title_case_blurb_is_still_a_name() -> None:
    if not _model_available():
        pytest.skip("the spaCy model is not installed")
    from detectors.language import recognise

    starring = [f"Starring {n} As A Retired Detective Who Must Find A Stolen Painting Before "
                "The Auction" for n in ("Maria Lopez", "David Chen", "Sarah Whitaker",
                                        "Michael Brennan")]
    counts = recognise(starring + _BLURBS)
    assert counts.person >= 3
    assert counts.location == 0


def test_notes_naming_people_at_firms_keep_their_names() -> None:
    if not _model_available():
        pytest.skip("the spaCy model is not installed")
    from detectors.language import organisation, recognise

    notes = [f"Called {p} at Harbour Insurance Ltd about the renewal, she will send the forms"
             for p in _CUSTOMERS]
    assert not any(organisation(n) for n in notes)
    assert recognise(notes).person >= len(notes) // 2
    assert organisation("Kessler Reisen GmbH") and organisation("BANCO DO NORTE, SA")
    assert not organisation("Maria da Silva")


def test_a_small_table_of_first_names(tmp_path: Path) -> None:
    rows = [[n, str(2800 + 150 * i)] for i, n in enumerate(["Greta", "Omar", "Lucia",
                                                             "Victor", "Nadia"])]
    path = _write_csv(tmp_path / "staff.csv", ["name", "salary"], rows)
    assert "PERSON_NAME" in _found(path)["name"]


@pytest.mark.parametrize(("table", "words"), [
    # Many colours are given names too (Amber, Rose, Ruby), not all of them.
    ("swatches", ["Amber", "Rose", "Violet", "Olive", "Ruby", "Jade", "Coral", "Ivory",
                  "Red", "Teal", "Mauve", "Slate"]),
    # A table of pets holds given names that are no person's.
    ("pets", ["Max", "Bella", "Charlie", "Luna", "Daisy", "Oscar", "Molly", "Buddy", "Rosie",
              "Toby", "Ruby", "Jack"]),
])
def test_single_words_that_are_also_given_names(tmp_path: Path, table: str,
                                                words: list[str]) -> None:
    rows = [[str(i), w] for i, w in enumerate(words)]
    path = _write_csv(tmp_path / f"{table}.csv", ["id", "name"], rows)
    assert "PERSON_NAME" not in _found(path)["name"]


def test_a_column_named_for_products_holds_no_people(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import detectors.language as language

    monkeypatch.setattr(language, "analyzer", _EveryoneIsAPerson)
    products = ["Halden Desk Lamp, Brushed Steel", "Corvo Stapler, Heavy Duty, Black",
                "Marlowe Binder Clips, Assorted Sizes", "Tessa Office Chair, Mesh Back",
                "Brandt Label Maker, Portable", "Ostrom Whiteboard Markers, 12 Pack",
                "Kelby Paper Shredder, Cross Cut", "Vance Monitor Stand, Adjustable Height",
                "Larkin Sticky Notes, Neon Colours", "Pruitt Filing Cabinet, Two Drawer",
                "Soren Wireless Mouse, Silent Click", "Hale Notebook, Dotted, A5 Size"]
    notes = [f"Delivered to {c} at the front desk, signed by the receptionist on arrival"
             for c in _CUSTOMERS]
    rows = [[str(i), p, n] for i, (p, n) in enumerate(zip(products, notes, strict=True))]
    path = _write_csv(tmp_path / "orders.csv", ["Order ID", "Product Name", "Delivery Note"],
                      rows)
    found = _found(path, ner=True)
    assert "PERSON_NAME" not in found["Product Name"]
    assert "PERSON_NAME" in found["Delivery Note"]


def test_a_preferred_name_is_a_name() -> None:
    rule = NAMES["person_name_column"].names
    assert rule.evaluate("Preferred_Name__c").score >= 0.9
    assert rule.evaluate("preferred_language").score == 0


def test_a_full_name_in_a_single_note_is_found(tmp_path: Path) -> None:
    if not _model_available():
        pytest.skip("the spaCy model is not installed")
    notes = ["Spoke with Daniel Whitmore today, he asked to move the spa booking to the "
             "afternoon because the morning shuttle from the airport was late again",
             "Room 214 reported a dripping tap in the bathroom, maintenance informed and the "
             "repair is scheduled for tomorrow morning before checkout"]
    rows = [[f"C-{i}", "Open", n] for i, n in enumerate(notes)]
    path = _write_csv(tmp_path / "cases.csv", ["CaseNumber", "Status", "Description"], rows)
    assert "PERSON_NAME" in _found(path, ner=True)["Description"]
    # The same two notes with no one named in them hold no person's name.
    rows[0][2] = ("Spoke with the guest today, who asked to move the spa booking to the "
                  "afternoon because the morning shuttle from the airport was late again")
    path = _write_csv(tmp_path / "cases2.csv", ["CaseNumber", "Status", "Description"], rows)
    assert "PERSON_NAME" not in _found(path, ner=True)["Description"]


class _PeopleIn:
    """A stand-in model that finds a person in the values holding one of some words."""

    def __init__(self, *words: str) -> None:
        self.words = words

    def __call__(self) -> _PeopleIn:
        return self

    def analyze_iterator(self, texts, **_kwargs):
        for text in texts:
            yield [SimpleNamespace(entity_type="PERSON", start=text.index(w),
                                   end=text.index(w) + len(w), score=0.85)
                   for w in self.words if w in text][:1]


def test_rare_people_in_generated_lines_are_misreadings(monkeypatch: pytest.MonkeyPatch) -> None:
    import detectors.language as language

    towns = ["Bishop", "Ridgecrest", "Anza", "Parkfield", "Hollister", "Ojai", "Mammoth Lakes",
             "Coalinga", "Borrego Springs", "Idyllwild"]
    lines = [f"M {1 + i % 4}.{i % 10} - {3 + i}km NW of {towns[i % 10]}, CA" for i in range(30)]
    monkeypatch.setattr(language, "analyzer", _PeopleIn("Bishop"))
    assert language.recognise(lines).person == 0
    monkeypatch.setattr(language, "analyzer", _PeopleIn("Bishop", "Hollister"))
    # The same few hits among varied notes are people.
    notes = [f"Ticket {i}: " + ["printer jams on tray two", "called Bishop about the invoice",
                                "VPN drops every hour", "asked Hollister for the new badge",
                                "laptop fan is loud", "password reset done"][i % 6]
             + f", follow-up due {i % 28 + 1} May" for i in range(12)]
    assert language.recognise(notes).person == 4
    # Generated lines with a name in every one are a column of names.
    calls = [f"Call from {n} lasted {i} minutes" for i, n in
             enumerate(["Bishop", "Hollister"] * 8)]
    assert language.recognise(calls).person == len(calls)
