"""Words that say a value names an organisation, not a person.

Legal forms (GmbH, Inc, Ltd, S.A., Ltda, CRL) and the nouns firms and
institutions are named by (Bank, Banco, Caixa, Travel, Airlines, Insurance):
``Honauer Reisen GmbH``, ``NOVO BANCO, SA`` and ``Sunshine Travel`` are firms
whatever a name-shaped pattern or the language model makes of them.
"""

from __future__ import annotations

from detectors.names import tokenize

#: Alternatives of the organisation pattern (lower case; matched as whole words).
ORGANISATION_ALTERNATIVES = (
    r"inc|ltd|llc|gmbh|corp|co|company|group|bank|ltda|plc|pty|ag|kg|sa|sas|sarl|srl|spa|"
    r"nv|bv|crl|eireli|s\.a|s\.l|s\.r\.l|n\.v|b\.v|corporation|incorporated|limited|"
    r"enterprises|holding|holdings|partners|associates|consulting|trading|industries|"
    r"logistics|insurance|travel|travels|tours|trips|airlines|airways|agency|banco|banque|"
    r"caixa|sparkasse|foundation|association|society|cooperative|ministry|council|reisen|"
    r"seguros|comercio|servicios|servicos|university|hospital|hotel|school|college"
)
#: A value naming an organisation (Python's ``re`` and RE2 read it alike).
ORGANISATION_WORDS = rf"(?i)\b(?:{ORGANISATION_ALTERNATIVES})\b"

#: Tables whose `name` column names things, not people.
CATALOGUE_TABLES = frozenset(
    "genre genres media type types mediatype mediatypes product products album albums "
    "playlist playlists track tracks category categories item items film films movie movies "
    "book books song songs airport airports species catalog catalogue sku skus brand brands "
    "store stores shop shops department departments country countries city cities region "
    "regions language languages currency currencies tag tags role roles team teams project "
    "projects skill skills course courses station stations site sites plan plans package "
    "packages service services device devices vendor vendors supplier suppliers company "
    "companies organization organizations organisation organisations agency agencies bank "
    "banks carrier carriers airline airlines hotel hotels merchant merchants institution "
    "institutions firm firms employer employers manufacturer manufacturers publisher "
    "publishers retailer retailers dealer dealers distributor distributors office offices "
    "school schools hospital hospitals university universities club clubs restaurant "
    "restaurants venue venues insurer insurers lender lenders operator operators provider "
    "providers issuer issuers color colors colour colours month months day days weekday "
    "weekdays pet pets animal animals dog dogs cat cats horse horses breed breeds ship "
    "ships vessel vessels boat boats storm storms hurricane hurricanes font fonts".split())


def catalogue_table(table: str) -> bool:
    """Tell whether a table's name (``genres``, ``media_types``, ``agency``) lists things."""
    words = set(tokenize(table))
    return bool((words | {w[:-1] for w in words if w.endswith("s")}) & CATALOGUE_TABLES)
