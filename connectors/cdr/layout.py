"""CDR layouts: the fields of a delimited call-record format and how each is typed.

A format is described by a :class:`Layout`: its delimiter, how many header
lines to skip and an ordered tuple of :class:`Field` (spec name plus a value
kind).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

#: Value kinds a Field may have, and the Arrow type each becomes.
KIND_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "phone": pa.string(),
    "int": pa.int64(),
    "duration": pa.int64(),
    "hms": pa.int64(),
    "timestamp": pa.timestamp("s"),
    "epoch": pa.timestamp("s"),
    "ipv4int": pa.string(),
    "float": pa.float64(),
}


@dataclass(frozen=True)
class Field:
    """One field of a CDR layout: its spec name and how its values are typed.

    ``kind`` is one of :data:`KIND_TYPES`: ``str``/``phone`` (text; phone
    numbers stay text so leading zeros and ``+`` survive), ``int``,
    ``duration`` (whole seconds), ``hms`` (``[H]H:MM:SS`` to seconds),
    ``timestamp`` (parsed with ``fmt``), ``epoch`` (Unix seconds, 0 = absent),
    ``ipv4int`` (Cisco signed 32-bit little-endian IPv4, 0 = absent),
    ``float``.
    """

    name: str
    kind: str = "str"
    fmt: str | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return KIND_TYPES[self.kind]


@dataclass(frozen=True)
class Layout:
    """A delimited CDR layout: what each field is called and typed as."""

    format: str
    fields: tuple[Field, ...]
    delimiter: str = ","
    #: Lines before the first record (a header line, Cisco's type line).
    skip_lines: int = 0
    #: Trim blanks and one pair of surrounding double quotes from text values.
    trim_quotes: bool = False
    #: A regex whose matches are removed from each line before parsing
    #: (FreeSWITCH's ``sql`` template wraps records in ``INSERT ... (...);``).
    strip_re: str | None = None
    #: Quote character, or None when the format defines no quoting.
    quote_char: str | None = '"'
    #: What the records are (see ``connectors.base.RECORD_KINDS``).
    record_kind: str = "call_detail"

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]
