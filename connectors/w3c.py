"""W3C extended log files (W3C WD-logfile-960323), as IIS and many proxies write them.

Directives start with ``#``: ``#Version``, ``#Software``, ``#Date``,
``#Start-Date``, ``#Remark`` and ``#Fields``, which names the space-separated
fields of the lines that follow (``date time c-ip cs-username cs-method
cs-uri-stem sc-status cs(User-Agent) ...``). A log may restart with a new
``#Fields`` line (IIS does on every restart); each line is read with the
field list in force, and the table's columns are every field named in the
sniffed head, in order. ``-`` is an absent value; strict W3C writers quote
strings, IIS writes ``+`` for blanks (kept as written: a user agent stays
recognisable).

The records are network log entries: client addresses, user names and
browser information, which the policy calls information collected
automatically.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from connectors.base import ColumnInfo, SourceError, Table
from connectors.lines import FieldRecordTable, LineRecordSource, decode_line, read_head
from connectors.registry import register

FORMAT = "w3c-extended-log"
_FIELDS = re.compile(rb"^#Fields:[ \t]*(.+?)\r?$", re.M)
_DIRECTIVE = re.compile(rb"^#(?:Version|Software|Date|Start-Date|End-Date|Remark):", re.M)


def _fields(line: str) -> list[str]:
    return line.split(":", 1)[1].split()


def _values(line: str) -> list[str]:
    """Split one entry on blanks; strict writers quote strings with doubled inner quotes."""
    if '"' not in line:
        return line.split()
    try:
        return next(csv.reader([line], delimiter=" ", quotechar='"', skipinitialspace=True))
    except (csv.Error, StopIteration):
        return line.split()


def iter_entries(lines: Iterator[str]) -> Iterator[tuple[list[str], list[str]] | int]:
    """Yield (field names, values) per entry, or the line number of a malformed entry."""
    fields: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if text.startswith("#"):
            if text.startswith("#Fields:"):
                fields = _fields(text)
            continue
        if fields is None:
            yield number
            continue
        values = _values(text)
        if len(values) != len(fields):
            yield number
            continue
        yield fields, values


class W3cLogTable(FieldRecordTable):
    """The entries of one W3C extended log, one row per entry."""

    malformed_message = "fields do not match #Fields"

    def __init__(self, path: Path, names: list[str]) -> None:
        super().__init__(
            name=path.name,
            columns=[ColumnInfo(n, "string") for n in names],
            format=FORMAT,
            format_reason=f"`#Fields:` directive naming {len(names)} fields "
                          f"({' '.join(names[:4])} ...)",
            record_kind="network_log",
            # A line that does not match its #Fields is reported; the rest are read.
            partial_on_warnings=False,
        )
        self.path = path
        self.names = names

    def records(self, lines: Iterator[str]) -> Iterator[dict[str, str] | int]:
        """Yield each entry as field -> value (``-`` left out), or a malformed line's number."""
        known = set(self.names)
        for item in iter_entries(lines):
            if isinstance(item, int):
                yield item
                continue
            fields, values = item
            yield {f: v for f, v in zip(fields, values, strict=True) if f in known and v != "-"}


@register
class W3cLogSource(LineRecordSource):
    """W3C extended log files (IIS, proxies): fields named by the ``#Fields:`` directive."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def recognise(cls, head: bytes) -> int:
        """Score the first bytes of a file as this format (0: not it)."""
        if _FIELDS.search(head) and (
                _DIRECTIVE.search(head) or head.startswith(b"#Fields:")):
            return 60
        return 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        head = read_head(path)
        names: list[str] = []
        for m in _FIELDS.finditer(head):
            for name in decode_line(m.group(1)).split():
                if name not in names:
                    names.append(name)
        if not names:
            raise SourceError(f"{path}: no #Fields directive")
        yield self.forced(W3cLogTable(path, names))
