"""FreeRADIUS ``detail`` files: the accounting packets a RADIUS server logged.

The ``detail`` module writes one block per packet: a line with the time it
was written (``Sat Jun  1 10:00:00 2024``), then one indented ``Attribute =
value`` line per attribute, then a blank line::

    Sat Jun  1 10:00:00 2024
        Acct-Status-Type = Stop
        User-Name = "alice@isp.example"
        Acct-Session-Id = "0000ABCD"
        NAS-IP-Address = 192.0.2.1
        Framed-IP-Address = 100.64.0.5
        Calling-Station-Id = "00-00-5E-00-53-01"
        Acct-Session-Time = 3600
        Acct-Input-Octets = 123456
        Timestamp = 1717236000

Each block becomes one row; its columns are the attribute names in the order
first met (``Record-Time`` holds the block's time line). Values lose their
quotes. The records are subscriber usage: who (``User-Name``), from where
(``Calling-Station-Id``, a MAC or a phone number), with which address
(``Framed-IP-Address``), how long and how much (session time, octets).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from connectors.base import ColumnInfo, SourceError, Table
from connectors.lines import FieldRecordTable, LineRecordSource, decode_line, read_head
from connectors.registry import register

FORMAT = "freeradius-detail"
_DATE_LINE = re.compile(
    rb"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    rb"[ \d]\d \d\d:\d\d:\d\d \d{4}\r?$", re.M)
_ATTRIBUTE = re.compile(rb"^[ \t]+[A-Za-z][\w-]*(?::\d+)? = ", re.M)
_PAIR = re.compile(r"^[ \t]+([A-Za-z][\w:-]*)\s*=\s*(.*?)\s*$")
RECORD_TIME = "Record-Time"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def iter_records(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Yield each packet as attribute -> value; lines outside a block are ignored."""
    current: dict[str, str] | None = None
    for line in lines:
        text = line.rstrip("\r\n")
        if not text.strip():
            if current:
                yield current
            current = None
            continue
        if not text[0].isspace():
            if current:
                yield current
            current = {RECORD_TIME: text.strip()}
            continue
        if current is None:
            continue
        m = _PAIR.match(text)
        if m:
            current.setdefault(m.group(1), _unquote(m.group(2)))
    if current:
        yield current


class RadiusDetailTable(FieldRecordTable):
    """One detail file: a row per accounting packet, a column per attribute."""

    def __init__(self, path: Path, names: list[str]) -> None:
        super().__init__(
            name=path.name,
            columns=[ColumnInfo(n, "string") for n in names],
            format=FORMAT,
            format_reason="blocks of a date line and indented `Attribute = value` lines, as "
                          "FreeRADIUS's detail module writes them",
            record_kind="subscriber_usage",
        )
        self.path = path
        self.names = names

    def records(self, lines: Iterator[str]) -> Iterator[dict[str, str] | int]:
        """Yield each accounting packet as attribute -> value."""
        return iter_records(lines)


@register
class RadiusDetailSource(LineRecordSource):
    """FreeRADIUS detail files: accounting packets as date-stamped attribute blocks."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def recognise(cls, head: bytes) -> int:
        """Score the first bytes of a file as this format (0: not it)."""
        blocks = len(_DATE_LINE.findall(head))
        if blocks and _DATE_LINE.match(head) and len(_ATTRIBUTE.findall(head)) >= 2 * blocks:
            return 60
        return 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        head = read_head(path)
        names: list[str] = []
        for record in iter_records(iter(decode_line(head).splitlines())):
            for key in record:
                if key not in names:
                    names.append(key)
        if len(names) < 2:
            raise SourceError(f"{path}: no attribute lines in the detail file")
        yield self.forced(RadiusDetailTable(path, names))
