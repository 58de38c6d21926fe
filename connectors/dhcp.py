r"""ISC DHCP server lease databases (``dhcpd.leases``, documented in dhcpd.leases(5)).

The file is a journal of lease declarations::

    lease 192.0.2.10 {
      starts 3 2024/05/01 10:00:00;
      ends 3 2024/05/01 22:00:00;
      binding state active;
      hardware ethernet 00:00:5e:00:53:01;
      uid "\001\000\000^\000S\001";
      client-hostname "laptop-17";
    }

Each ``lease`` block becomes one row: the leased address (``lease address``),
then one column per statement keyword in the order the manual lists them
(``starts``, ``ends``, ``tstp``, ``tsfp``, ``atsfp``, ``cltt``, ``binding
state``, ``next binding state``, ``rewind binding state``, ``hardware
ethernet``, ``uid``, ``client-hostname``, ``set <variable>``, ``option
<name>``...). Times become timestamps (``never`` and ``epoch`` forms
included); a ``uid`` holding a hardware-type-1 client identifier becomes the
MAC it carries. Declarations other than leases (``server-duid``, ``host``,
``failover peer``, ``authoring-byte-order``) are skipped. The table's records
are IP assignments: an address, a device and a time.

Recognised from content: ``lease <IPv4> {`` blocks with dhcpd's statement
keywords, or the manual's comment line at the top.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from connectors.base import ColumnInfo, SourceError, Table
from connectors.lines import LineRecordSource, LineRecordTable, decode_line, read_head
from connectors.registry import register

FORMAT = "isc-dhcpd-leases"
_LEASE = re.compile(rb"^\s*lease\s+(\d{1,3}(?:\.\d{1,3}){3})\s*\{", re.M)
_MANUAL = b"dhcpd.leases(5)"
_KEYWORDS = re.compile(rb"^\s*(?:starts|ends|hardware ethernet|binding state|cltt)\s", re.M)
_TIME_KEYS = ("starts", "ends", "tstp", "tsfp", "atsfp", "cltt")
#: Columns in the order dhcpd.leases(5) lists the statements.
CANONICAL = ("lease address", *_TIME_KEYS, "binding state", "next binding state",
             "rewind binding state", "hardware ethernet", "uid", "client-hostname", "hostname")
_MULTI = ("next binding state", "rewind binding state", "binding state")
_STATEMENT = re.compile(r"^\s*([^;]*?)\s*;\s*(?:#.*)?$")
_TIME = re.compile(r"^(?:\d\s+)?(\d{4}/\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2}:\d{2})$")
_EPOCH = re.compile(r"^epoch\s+(\d{1,12})")
_ESCAPE = re.compile(r"\\([0-7]{3}|.)")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _octets(text: str) -> bytes:
    """Turn dhcpd's quoted string (octal escapes for non-printing bytes) into bytes."""

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        return chr(int(code, 8)) if len(code) == 3 else code

    return _ESCAPE.sub(one, text).encode("latin-1", errors="replace")


def uid_value(raw: str) -> str:
    """Show a client identifier: the MAC of a type-1 identifier, else colon-separated hex."""
    raw = raw.strip()
    if raw.startswith('"'):
        data = _octets(_unquote(raw))
    else:  # already hex: 1:0:15:5d:2:eb:7
        try:
            data = bytes(int(p, 16) for p in raw.split(":"))
        except ValueError:
            return raw
    if len(data) == 7 and data[0] == 1:
        data = data[1:]
    return ":".join(f"{b:02x}" for b in data)


def _split(statement: str) -> tuple[str, str] | None:
    """Split one statement into its keyword and value (None for ones without a value)."""
    for key in _MULTI:
        if statement.startswith(key + " "):
            return key, statement[len(key) + 1:]
    if statement.startswith("hardware "):
        parts = statement.split(None, 2)
        return (f"hardware {parts[1]}", parts[2]) if len(parts) == 3 else None
    if statement.startswith(("set ", "option ")):
        head, _, value = statement.partition("=") if "=" in statement else (
            statement.rsplit(None, 1)[0], "", statement.rsplit(None, 1)[-1])
        return head.strip(), value.strip()
    parts = statement.split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "true")


def _time(value: str) -> dt.datetime | None:
    value = value.strip()
    m = _TIME.match(value)
    if m:
        try:
            return dt.datetime.strptime(re.sub(r"\s+", " ", m.group(1)), "%Y/%m/%d %H:%M:%S")
        except ValueError:
            return None
    m = _EPOCH.match(value)
    if m:
        try:
            return dt.datetime.fromtimestamp(int(m.group(1)), dt.UTC).replace(tzinfo=None)
        except (ValueError, OverflowError, OSError):
            return None
    return None


def iter_leases(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Yield each lease block as keyword -> raw value (other declarations are skipped)."""
    current: dict[str, str] | None = None
    depth = 0
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if current is None:
            if depth == 0:
                m = re.match(r"^lease\s+(\d{1,3}(?:\.\d{1,3}){3})\s*\{", text)
                if m:
                    current = {"lease address": m.group(1)}
                    continue
            depth += text.count("{") - text.count("}")
            depth = max(depth, 0)
            continue
        if text.startswith("}"):
            if depth == 0:
                yield current
                current = None
            else:
                depth -= 1
            continue
        if text.endswith("{"):  # ``on commit { ... }`` inside a lease
            depth += 1
            continue
        if depth:
            continue
        m = _STATEMENT.match(text)
        if not m or not m.group(1):
            continue
        found = _split(m.group(1))
        if found is not None:
            key, value = found
            current.setdefault(key, value)
    if current is not None:
        yield current


def _columns(head: bytes) -> list[str]:
    """Column names: the canonical statements plus any others the sniffed leases use."""
    seen: list[str] = []
    for lease in iter_leases(iter(decode_line(head).splitlines())):
        for key in lease:
            if key not in seen:
                seen.append(key)
    known = [n for n in CANONICAL if n in seen or n == "lease address"]
    return known + [n for n in seen if n not in known]


class DhcpdLeasesTable(LineRecordTable[dict[str, str]]):
    """The lease blocks of one dhcpd.leases file, one row per lease."""

    def __init__(self, path: Path, names: list[str]) -> None:
        super().__init__(
            name=path.name,
            columns=[ColumnInfo(n, "timestamp[s]" if n in _TIME_KEYS else "string")
                     for n in names],
            format=FORMAT,
            format_reason="`lease <address> {` blocks with dhcpd.leases(5) statements "
                          "(starts, ends, hardware ethernet, binding state)",
            record_kind="ip_assignment",
        )
        self.path = path
        self.names = names

    def _batch(self, rows: list[dict[str, str]]) -> pa.RecordBatch:
        arrays = []
        for name in self.names:
            values = [r.get(name) for r in rows]
            if name in _TIME_KEYS:
                arrays.append(pa.array([_time(v) if v else None for v in values],
                                       pa.timestamp("s")))
            elif name == "uid":
                arrays.append(pa.array([uid_value(v) if v else None for v in values],
                                       pa.string()))
            else:
                arrays.append(pa.array([_unquote(v) if v is not None else None
                                        for v in values], pa.string()))
        return pa.RecordBatch.from_arrays(arrays, names=self.names)

    def records(self, lines: Iterator[str]) -> Iterator[dict[str, str] | int]:
        """Yield each lease block as keyword -> raw value."""
        return iter_leases(lines)


@register
class DhcpdLeasesSource(LineRecordSource):
    """ISC dhcpd.leases lease databases: one row per lease (address, times, MAC, hostname)."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def recognise(cls, head: bytes) -> int:
        """Score the first bytes of a file as this format (0: not it)."""
        leases = len(_LEASE.findall(head))
        if leases and (_MANUAL in head[:4096] or len(_KEYWORDS.findall(head)) >= leases):
            return 60
        return 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        head = read_head(path)
        if not _LEASE.search(head):  # possible only when --cdr-format forced the format
            raise SourceError(f"{path}: no `lease <address> {{` block in the first "
                              f"{len(head)} bytes")
        yield self.forced(DhcpdLeasesTable(path, _columns(head)))
