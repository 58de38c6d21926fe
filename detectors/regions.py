"""The region (country) a table's people live in: configured, or inferred from its values.

A region lets national formats be read for what they are: ``030-0074321`` is a
Berlin number in Germany, ``0917-123-4567`` a mobile in the Philippines, and
``75008`` a Paris postal code in France. It is inferred cheaply from the first
batch of a table: a country column, the country-code top-level domains of
e-mail addresses, the country codes of international phone numbers. Only a
clear majority counts; a customer table spread over many countries gets none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

import pyarrow as pa
import pyarrow.compute as pc

from detectors.names import tokenize

#: Postal codes of the main countries (ISO 3166 alpha-2 -> RE2 on upper-cased values),
#: written from each postal administration's published format.
POSTAL_CODES: dict[str, str] = {
    "US": r"^\d{5}(?:-\d{4})?(?:\.0+)?$",
    "CA": r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$",
    "GB": r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$",
    "IE": r"^[A-Z]\d[\dW] ?[A-Z\d]{4}$",
    "DE": r"^(?:D-)?\d{5}$",
    "FR": r"^(?:F-)?\d{5}$",
    "ES": r"^(?:E-)?(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$",
    "IT": r"^(?:I-)?\d{5}$",
    "NL": r"^\d{4} ?[A-Z]{2}$",
    "BE": r"^(?:B-)?\d{4}$",
    "CH": r"^(?:CH-)?\d{4}$",
    "AT": r"^(?:A-)?\d{4}$",
    "PT": r"^\d{4}-\d{3}$",
    "SE": r"^(?:SE-)?\d{3} ?\d{2}$",
    "NO": r"^\d{4}$",
    "DK": r"^(?:DK-)?\d{4}$",
    "FI": r"^(?:FI-)?\d{5}$",
    "PL": r"^\d{2}-\d{3}$",
    "BR": r"^\d{5}-?\d{3}$",
    "MX": r"^\d{5}$",
    "AR": r"^(?:[A-Z]\d{4}[A-Z]{3}|\d{4})$",
    "CL": r"^\d{7}$",
    "CO": r"^\d{6}$",
    "IN": r"^\d{3} ?\d{3}$",
    "PH": r"^\d{4}$",
    "AU": r"^\d{4}$",
    "NZ": r"^\d{4}$",
    "JP": r"^\d{3}-?\d{4}$",
    "CN": r"^\d{6}$",
    "ZA": r"^\d{4}$",
}

# Country names as country columns write them (English and the country's own).
_COUNTRY_NAMES: dict[str, str] = {
    "UNITED STATES": "US", "USA": "US", "U.S.A.": "US", "U.S.": "US", "AMERICA": "US",
    "CANADA": "CA", "UNITED KINGDOM": "GB", "UK": "GB", "GREAT BRITAIN": "GB",
    "ENGLAND": "GB", "SCOTLAND": "GB", "WALES": "GB", "IRELAND": "IE", "GERMANY": "DE",
    "DEUTSCHLAND": "DE", "FRANCE": "FR", "SPAIN": "ES", "ESPAÑA": "ES", "ITALY": "IT",
    "ITALIA": "IT", "NETHERLANDS": "NL", "NEDERLAND": "NL", "HOLLAND": "NL", "BELGIUM": "BE",
    "BELGIQUE": "BE", "SWITZERLAND": "CH", "SCHWEIZ": "CH", "SUISSE": "CH", "AUSTRIA": "AT",
    "ÖSTERREICH": "AT", "PORTUGAL": "PT", "SWEDEN": "SE", "SVERIGE": "SE", "NORWAY": "NO",
    "NORGE": "NO", "DENMARK": "DK", "DANMARK": "DK", "FINLAND": "FI", "SUOMI": "FI",
    "POLAND": "PL", "POLSKA": "PL", "BRAZIL": "BR", "BRASIL": "BR", "MEXICO": "MX",
    "MÉXICO": "MX", "ARGENTINA": "AR", "CHILE": "CL", "COLOMBIA": "CO", "PERU": "PE",
    "PERÚ": "PE", "VENEZUELA": "VE", "INDIA": "IN", "PHILIPPINES": "PH", "AUSTRALIA": "AU",
    "NEW ZEALAND": "NZ", "JAPAN": "JP", "CHINA": "CN", "SOUTH AFRICA": "ZA",
    "SINGAPORE": "SG", "MALAYSIA": "MY", "INDONESIA": "ID",
}
# Top-level domains used as generic ones, whatever country they belong to.
_GENERIC_CC_TLDS = frozenset({"io", "co", "tv", "me", "ai", "ly", "fm", "am", "to", "cc", "ws",
                              "gg", "sh", "ac", "uk"})
_COUNTRY_COLUMN = frozenset({"country", "nation", "pais", "país", "land", "pays", "paese"})
#: Share of a signal's values that must agree on one region.
_MAJORITY = 0.6
#: Values of a signal needed before it counts.
_MIN_VALUES = 5
#: Values read per column for inference (the first batch's first rows).
_PEEK = 500


@dataclass(frozen=True)
class Region:
    """The region a table is read in, and how it was decided."""

    code: str
    how: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "how": self.how}


@cache
def known_regions() -> frozenset[str]:
    """Return the two-letter regions libphonenumber knows (what ``--region`` accepts)."""
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def region_problem(code: object) -> str | None:
    """Say what is wrong with a region code; None for a valid one (``DE``)."""
    if isinstance(code, str) and code.upper() in known_regions():
        return None
    return f"unknown region {code!r}: a two-letter country code such as DE, PH or IN"


def _strings(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return pa.array([], pa.string())
    return pc.utf8_trim_whitespace(column.slice(0, _PEEK).drop_null().cast(pa.string()))


def _from_country_column(name: str, values: pa.Array) -> Counter[str]:
    votes: Counter[str] = Counter()
    if not set(tokenize(name)) & _COUNTRY_COLUMN:
        return votes
    for value, n in Counter(pc.utf8_upper(values).to_pylist()).items():
        if not value:
            continue
        code = value if len(value) == 2 and value in known_regions() else _COUNTRY_NAMES.get(value)
        votes[code or "?"] += n
    return votes


def _from_emails(values: pa.Array) -> Counter[str]:
    at = values.filter(pc.match_substring(values, "@"))
    if len(at) == 0:
        return Counter()
    tld = pc.struct_field(pc.extract_regex(
        pc.utf8_lower(at), r"@[^@\s]+\.(?P<t>[a-z]{2,63})>?$"), [0])
    votes: Counter[str] = Counter()
    for t, n in Counter(v for v in tld.to_pylist() if v).items():
        code = t.upper()
        votes[code if len(t) == 2 and t not in _GENERIC_CC_TLDS and code in known_regions()
              else "?"] += n
    return votes


def _from_phones(values: pa.Array) -> Counter[str]:
    intl = values.filter(pc.match_substring_regex(values, r"^(?:\+|00)[1-9][\d ().-]{6,20}$"))
    votes: Counter[str] = Counter()
    if not len(intl):
        return votes
    import phonenumbers  # deferred: a scan with no telephone-shaped value never loads it
    for v in intl.slice(0, 200).to_pylist():
        raw = "+" + v[2:] if v.startswith("00") else v
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(raw, None))
        except phonenumbers.NumberParseException:
            continue
        votes[region or "?"] += 1
    return votes


def infer_region(batch: pa.RecordBatch) -> Region | None:
    """Infer a table's region from its first batch; None without a clear majority.

    The strongest signal wins: a country column, then e-mail domains, then the
    country codes of international phone numbers.
    """
    signals: list[tuple[str, Counter[str]]] = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        values = _strings(column)
        if len(values) == 0:
            continue
        for what, votes in ((f"column `{name}`", _from_country_column(name, values)),
                            (f"e-mail domains in `{name}`", _from_emails(values)),
                            (f"phone country codes in `{name}`", _from_phones(values))):
            if sum(votes.values()) >= _MIN_VALUES:
                signals.append((what, votes))
    for what, votes in signals:
        code, n = votes.most_common(1)[0]
        total = sum(votes.values())
        if code != "?" and n >= _MAJORITY * total:
            return Region(code, f"inferred from {what} ({n} of {total} values)")
    return None
