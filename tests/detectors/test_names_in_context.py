"""Person names in context: a `Name` in a catalogue table names a thing, not a person.

The table (genres, media types, products, albums) and the values (single
words, titles, company names) both speak; organisation columns are not people;
a mother's maiden name is a person's name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scanner.core.config import ScanConfig
from scanner.core.engine import scan

PEOPLE = ["Maria Gonzalez", "Kenji Watanabe", "Amara Okafor", "Lukas Schmidt", "Priya Raman",
          "Jean-Luc Martin", "Ana de la Cruz", "Tomás O'Neill", "Ingrid van der Berg",
          "Yusuf Demir"]
TABLES = {
    "genres": ["Rock", "Jazz", "Metal", "Blues", "Latin", "Reggae", "Classical", "Electronica",
               "Soundtrack", "Bossa Nova"],
    "media_types": ["MP3 audio file", "Ogg Vorbis audio", "FLAC lossless audio",
                    "WebM video file", "WAV audio file", "AAC audio file", "Opus audio",
                    "MPEG-4 video file", "AIFF audio file", "Matroska video"],
    "products": ["Darjeeling Tea", "Smoked Paprika", "Oat Crackers", "Maple Syrup",
                 "Blue Cheese", "Olive Oil", "Rye Bread", "Ginger Beer", "Sea Salt",
                 "Dark Chocolate"],
    "albums": ["Northern Lights", "Songs of the Sea", "Blue Hour", "Glass Rivers",
               "Night Train", "The Long Road", "Paper Moons", "Quiet Storm", "Iron Bloom",
               "Summer Static"],
    # No telling table name: the values (single words) say it.
    "inventory": ["Hammer", "Wrench", "Pliers", "Chisel", "Saw", "Drill", "Clamp", "Level",
                  "Sander", "Router"],
    "customers": PEOPLE,
}
ORGANIZATIONS = ["Acme Logistics", "Blue Harbor Insurance", "Greenfield Dairy Co",
                 "Summit Analytics", "Riverbend Hospital", "Orion Freight", "Cedar Bank",
                 "Polar Systems", "Harbor Lights Media", "Keystone Builders"]
MAIDEN = ["Schmidt", "Okafor", "Gonzalez", "Watanabe", "Raman", "Martin", "Cruz", "O'Neill",
          "Berg", "Demir"]


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], set[str]]:
    db = Path(tmp_path_factory.mktemp("names")) / "shop.db"
    con = sqlite3.connect(db)
    for table, names in TABLES.items():
        con.execute(f"CREATE TABLE {table} (id INTEGER, Name TEXT)")
        con.executemany(f"INSERT INTO {table} VALUES (?, ?)", list(enumerate(names * 3)))
    con.execute("CREATE TABLE contacts (id INTEGER, Organization TEXT, CompanyName TEXT, "
                "MothersMaiden TEXT, FullName TEXT)")
    con.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?, ?)",
                    [(i, o, o, m, p) for i, (o, m, p) in
                     enumerate(zip(ORGANIZATIONS * 3, MAIDEN * 3, PEOPLE * 3, strict=True))])
    con.commit()
    con.close()
    result = scan([str(db)], ScanConfig())
    return {(table, column): set(entities)
            for _source, table, column, entities in _flat(result)}


def _flat(result):
    for s in result.sources:
        for t in s.tables:
            for c in t.columns:
                yield s.name, t.name, c.ref.column, c.entities


@pytest.mark.parametrize("table", ["genres", "media_types", "products", "albums", "inventory"])
def test_catalogue_names_are_not_person_names(found: dict, table: str) -> None:
    assert "PERSON_NAME" not in found[(table, "Name")]


def test_customer_names_are_person_names(found: dict) -> None:
    assert "PERSON_NAME" in found[("customers", "Name")]
    assert "PERSON_NAME" in found[("contacts", "FullName")]


@pytest.mark.parametrize("column", ["Organization", "CompanyName"])
def test_organisations_are_not_persons(found: dict, column: str) -> None:
    assert "PERSON_NAME" not in found[("contacts", column)]


def test_mothers_maiden_name_is_a_name(found: dict) -> None:
    assert "PERSON_NAME" in found[("contacts", "MothersMaiden")]
