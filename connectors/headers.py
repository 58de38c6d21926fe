"""Is the first row of a delimited file a header? The column-name side of the answer.

A first row made only of words (``first_name,last_name,city``, ``col_a,…,full_name``,
``Label<TAB>SMS``) gives ``csv.Sniffer.has_header`` nothing to vote on: it
compares numbers and fixed lengths, and all-text columns have neither. Column
names have a vocabulary of their own, though: the words databases and exports
name columns with, joined by underscores or in camelCase. A first row whose
cells mostly read as such names, and none of which recurs as a value further
down its column, is a header.

The word list is the connectors' own (connectors never import detectors); it
holds the generic words of column names, not values: ``active`` or ``male``
would make a row of data look like a header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["COLUMN_WORDS", "names_header"]

COLUMN_WORDS = frozenset("""
id ids uid uuid guid key pk fk ref no nr nbr num number code seq idx index rownum row col column
field attr attribute value val name names first last middle full given family surname
fname lname mname firstname lastname fullname nickname maiden mothers mother father display
title prefix suffix salutation initials
address addr street line city town state province region county district country zip
zipcode postal postcode post suburb area location loc place building floor unit apt
phone phones mobile cell tel telephone fax msisdn contact email emails mail
date dates time times timestamp datetime ts created updated modified deleted inserted
start end begin stop started ended at on dt day month year week hour minute second
dob birth birthdate birthday born age gender sex marital nationality citizenship
type kind class category categories group tag tags label labels status state stage
amount price cost total sum qty quantity count balance fee charge charges rate tax vat
currency payment paid invoice order orders item items product products sku
account acct customer customers client clients user users username userid login
member subscriber person people employee employees staff manager owner contact
password pass pwd hash token secret pin
card cc ccn pan cvv cvc expiry exp expiration issuer bank iban bic swift routing
ssn sin nin passport license licence driver national tax
ip ipv4 ipv6 mac host hostname domain url uri link href path file filename ext
agent browser device os platform model make vendor serial imei imsi iccid meid esn
lat latitude lon lng long longitude coord coords coordinates geo gps x y z alt altitude
description desc notes note comment comments remark remarks memo text message msg sms
subject body content summary details detail info data payload json
company organization organisation org department dept division team job role position
occupation employer salary income credit debt loan limit score rating rank level grade
plan tariff package service services usage minutes calls call duration billsec src dst
source destination from to caller called calling callee direction disposition channel
trunk context extension ext cell tower antenna site network carrier operator
version size length width height weight color colour image photo picture avatar
language lang locale timezone tz
album artist track genre media playlist song composer film movie book author publisher
school university education degree course student teacher
event action activity severity priority result outcome reason error
""".split())

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+$|^[a-z]+(?:[A-Z][a-z0-9]*)+$")


def _tokens(cell: str) -> list[str]:
    return [t.lower() for part in _SPLIT.split(cell) for t in _CAMEL.split(part) if t]


def _name_shaped(cell: str) -> bool:
    """``first_name``, ``customerId``, ``Zip Code``, ``City``, ``col_a``: reads as a column name."""
    cell = cell.strip()
    if not cell or len(cell) > 64:
        return False
    if _IDENT.match(cell):
        return True
    tokens = _tokens(cell)
    if not tokens or len(tokens) > 5:
        return False
    # A word of the vocabulary, or a short letter/number suffix (col_a, field_2).
    return all(t in COLUMN_WORDS or (len(t) <= 2 and i > 0) for i, t in enumerate(tokens))


def names_header(first: Sequence[str], rest: Sequence[Sequence[str]]) -> str | None:
    """Return why ``first`` is a row of column names (over the rows ``rest``), or None.

    Most cells must read as column names, and none may recur as a value in its
    own column below (a header is not one of its column's values).
    """
    cells = [c.strip() for c in first]
    filled = [c for c in cells if c]
    if not filled or len(set(filled)) < len(filled):
        return None
    named = 0
    for i, cell in enumerate(cells):
        if not cell:
            continue
        below = {r[i].strip().lower() for r in rest if len(r) > i}
        if cell.lower() in below:
            return None
        named += _name_shaped(cell)
    if named * 10 >= len(filled) * 6:
        return f"{named} of {len(filled)} first-row cells read as column names"
    return None
