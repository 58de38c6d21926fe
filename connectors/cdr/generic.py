"""Generic call logs: delimited text with a header naming call-record fields.

Many PBXs, carriers and billing exports write a header line such as
``caller,called,start,duration``. Such a file is recognised from its header
alone: it needs a calling or called party (caller, callee, calling/called
number, ANI, DNIS, CLI, MSISDN, a src/dst or from/to pair, or a subscriber id)
together with a call time or duration (start, answer, end, date, time,
duration, billsec, seconds ...). The generic CSV reader claims such files
too, but with a lower score; this connector adds the call-record flag and the
typing below.

Columns keep the header's names. Party columns stay text; columns whose
sniffed values are all timestamps, ``H:MM:SS`` durations or integers are
typed as such (values that later fail to parse become null).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from connectors.base import ConnectorOptions
from connectors.cdr.base import CdrSource
from connectors.cdr.layout import Field, Layout
from connectors.cdr.sniff import (
    DATETIME_ISO,
    DATETIME_SLASH,
    HMS,
    INT,
    Detected,
    head_lines,
    split_records,
)
from connectors.registry import register

FORMAT = "generic-call-log"
CLAIM_GENERIC = 30
DELIMITERS = (",", "\t", ";", "|")

_PARTY_PARTS = (
    "caller",
    "calling",
    "callee",
    "called",
    "dialed",
    "dialled",
    "msisdn",
    "dnis",
    "anumber",
    "bnumber",
    "aparty",
    "bparty",
    "callerid",
    "destinationnumber",
)
_PARTY_TOKENS = frozenset({"ani", "cli", "clid", "cid"})
_PAIRS = (
    frozenset({"src", "dst"}),
    frozenset({"from", "to"}),
    frozenset({"source", "destination"}),
    frozenset({"orig", "dest"}),
    frozenset({"origin", "destination"}),
)
_SUBSCRIBER_TOKENS = frozenset({"subid", "subscriber", "imsi", "msisdn"})
_TIME_TOKENS = frozenset(
    {
        "start",
        "started",
        "date",
        "time",
        "timestamp",
        "datetime",
        "begin",
        "end",
        "answer",
        "answered",
        "connect",
        "connected",
        "calldate",
        "cdate",
        "ctime",
        "setup",
        "stamp",
    }
)
_DURATION_TOKENS = frozenset(
    {"duration", "billsec", "billable", "seconds", "secs", "sec", "minutes", "mins", "dur"}
)


def tokens(name: str) -> list[str]:
    """Split a column name into lower-case tokens (snake, kebab, spaces and camelCase)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _is_party(name: str) -> bool:
    compact = _compact(name)
    return any(p in compact for p in _PARTY_PARTS) or bool(_PARTY_TOKENS & set(tokens(name)))


def _is_time(name: str) -> bool:
    return bool(_TIME_TOKENS & set(tokens(name)))


def _is_duration(name: str) -> bool:
    return bool(_DURATION_TOKENS & set(tokens(name)))


def classify_header(names: Sequence[str]) -> str | None:
    """Say why a header names a call log (the evidence), or None when it does not."""
    all_tokens = {t for n in names for t in tokens(n)}
    party = [n for n in names if _is_party(n)]
    pair = next((p for p in _PAIRS if p <= all_tokens), None)
    subscriber = [n for n in names if _SUBSCRIBER_TOKENS & set(tokens(n))]
    when = [n for n in names if _is_time(n) or _is_duration(n)]
    duration = [n for n in names if _is_duration(n)]
    if (party or pair) and when:
        who = ", ".join(party[:3]) if party else "/".join(sorted(pair or ()))
        times = ", ".join(when[:3])
        return f"header names a call party ({who}) and a call time or duration ({times})"
    if subscriber and duration:
        return (
            f"header names a subscriber ({', '.join(subscriber[:2])}) and a duration "
            f"({', '.join(duration[:2])})"
        )
    return None


def _unique(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(names):
        name = raw.strip() or f"column_{i + 1}"
        base, k = name, 2
        while name in seen:
            name = f"{base}_{k}"
            k += 1
        seen.add(name)
        out.append(name)
    return out


def _infer(name: str, values: Sequence[str]) -> Field:
    present = [v.strip() for v in values if v.strip()]
    if _is_party(name) or not present:
        return Field(name, "phone" if _is_party(name) else "str")
    if all(DATETIME_ISO.match(v) for v in present):
        sep = "T" if "T" in present[0] else " "
        return Field(name, "timestamp", f"%Y-%m-%d{sep}%H:%M:%S")
    if all(DATETIME_SLASH.match(v) for v in present):
        return Field(name, "timestamp", "%Y/%m/%d %H:%M:%S")
    if _is_duration(name) and all(HMS.match(v) for v in present):
        return Field(name, "hms")
    if all(INT.match(v) for v in present) and not _is_time(name):
        return Field(name, "duration" if _is_duration(name) else "int")
    return Field(name, "str")


def _sniff_delimiter(lines: Sequence[str]) -> str | None:
    best: tuple[int, str] | None = None
    for delim in DELIMITERS:
        records = split_records(lines[:20], delim)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width)
        if consistent >= 0.8 * len(records) and (best is None or width > best[0]):
            best = (width, delim)
    return best[1] if best else None


@register
class GenericCallLog(CdrSource):
    """Delimited call logs with a header naming call parties and times."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise a call log from its header's names."""
        lines = head_lines(head)
        if not lines:
            return None
        delimiter = options.delimiter or _sniff_delimiter(lines)
        if delimiter is None:
            return None
        records = split_records(lines, delimiter)
        names = _unique(records[0])
        why = classify_header(names)
        if why is None:
            if not forced:
                return None
            why = "header names no call party and time; read as a call log as asked"
        data = [r for r in records[1:] if len(r) == len(names)]
        fields = tuple(_infer(n, [r[i] for r in data]) for i, n in enumerate(names))
        layout = Layout(FORMAT, fields, delimiter=delimiter, skip_lines=1)
        shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
            delimiter, "delimiter"
        )
        reason = f"{why}; {len(names)} {shown}-separated columns"
        return Detected(layout, CLAIM_GENERIC, reason)
