r"""Zeek (formerly Bro) logs in Zeek's ASCII format: tab-separated with ``#`` header lines.

Zeek's ASCII writer starts every log with directives::

    #separator \x09
    #set_separator	,
    #empty_field	(empty)
    #unset_field	-
    #path	conn
    #open	2024-06-01-10-00-00
    #fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto ...
    #types	time	string	addr	port	addr	port	enum ...

then one entry per line, fields separated by ``#separator`` (a tab written
as ``\x09``), and ``#close`` at the end. ``#unset_field`` (``-``) is an
absent value and ``#empty_field`` an empty set. The table is named after
``#path`` (conn, dns, http, dhcp, ssl ...); its columns are the ``#fields``
names (``id.orig_h`` is the connection's originator address). Times of type
``time`` are epoch seconds with a fraction, kept as text.

Records are network log entries: client addresses, MACs, host and user
names and user agents (information collected automatically).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from connectors.base import ColumnInfo, SourceError, Table
from connectors.lines import LineRecordSource, LineRecordTable, decode_line, read_head
from connectors.registry import register

FORMAT = "zeek-log"
_SEPARATOR = re.compile(rb"^#separator[ \t]+(\S+)", re.M)
_FIELDS_LINE = re.compile(rb"^#fields\t", re.M)


def _separator(head: bytes) -> str:
    m = _SEPARATOR.search(head)
    if not m:
        return "\t"
    raw = m.group(1).decode("ascii", errors="replace")
    try:
        return raw.encode("ascii").decode("unicode_escape") or "\t"
    except UnicodeDecodeError:
        return "\t"


def read_header(head: bytes) -> dict[str, list[str]]:
    """Read the ``#`` directives of a Zeek log head: separator, path, fields, types ..."""
    sep = _separator(head)
    out: dict[str, list[str]] = {"separator": [sep]}
    for raw in head.split(b"\n"):
        if not raw.startswith(b"#") or raw.startswith(b"#separator"):
            continue
        parts = decode_line(raw.rstrip(b"\r")).split(sep)
        key = parts[0][1:]
        if key and key not in out:
            out[key] = parts[1:]
    return out


def iter_entries(lines: Iterator[str], sep: str, width: int) -> Iterator[list[str] | int]:
    """Yield each entry's values, or the line number of one with the wrong field count."""
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text or text.startswith("#"):
            continue
        values = text.split(sep)
        if len(values) != width:
            yield number
            continue
        yield values


class ZeekLogTable(LineRecordTable[list[str]]):
    """One Zeek log file: one row per entry, columns named by ``#fields``."""

    malformed_message = "field count differs from #fields"

    def __init__(self, path: Path, header: dict[str, list[str]]) -> None:
        names = header["fields"]
        types = header.get("types") or []
        kind = (header.get("path") or ["log"])[0]
        super().__init__(
            name=path.name,
            columns=[ColumnInfo(n, f"zeek:{types[i]}" if i < len(types) else "string")
                     for i, n in enumerate(names)],
            format=FORMAT,
            format_reason=f"Zeek ASCII log (#path {kind}): #separator, #fields and #types "
                          f"directives, {len(names)} tab-separated fields",
            record_kind="network_log",
            # An entry that does not match #fields is reported; the rest are read.
            partial_on_warnings=False,
        )
        self.path = path
        self.names = names
        self.sep = header["separator"][0]
        self.unset = (header.get("unset_field") or ["-"])[0]
        self.empty = (header.get("empty_field") or ["(empty)"])[0]

    def records(self, lines: Iterator[str]) -> Iterator[list[str] | int]:
        """Yield each entry's values, or the line number of a malformed one."""
        return iter_entries(lines, self.sep, len(self.names))

    def _batch(self, rows: list[list[str]]) -> pa.RecordBatch:
        """One column per ``#fields`` name; unset and empty fields are null."""
        arrays = []
        for i in range(len(self.names)):
            col = [r[i] for r in rows]
            arrays.append(pa.array([None if v in (self.unset, self.empty) else v for v in col],
                                   pa.string()))
        return pa.RecordBatch.from_arrays(arrays, names=self.names)


@register
class ZeekLogSource(LineRecordSource):
    """Zeek/Bro ASCII logs (conn, dns, http, dhcp, ssl ...): ``#separator`` and ``#fields``."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def recognise(cls, head: bytes) -> int:
        """Score the first bytes of a file as this format (0: not it)."""
        if head.startswith(b"#separator") and _FIELDS_LINE.search(head):
            return 60
        return 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        header = read_header(read_head(path))
        if not header.get("fields"):
            raise SourceError(f"{path}: Zeek log without a #fields line")
        yield self.forced(ZeekLogTable(path, header))
