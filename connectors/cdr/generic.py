"""Generic call and messaging logs: delimited text recognised by names or by content.

Many PBXs, carriers and billing exports write a header line such as
``caller,called,start,duration``. Such a file is recognised from its header
alone: it needs a calling or called party (caller, callee, calling/called
number, ANI, DNIS, CLI, MSISDN, a src/dst or from/to pair, or a subscriber id)
together with a call time or duration (start, answer, end, date, time,
duration, billsec, seconds ...). The generic CSV reader claims such files
too, but with a lower score; this connector adds the call-record flag and the
typing below.

Party names also count when they pair a number word with a role
(``call_num``/``rec_num``, ``sending_telephone``/``receiving_telephone``,
``a_number``). A log whose header names nothing known, or that has no
header, is recognised by content: two columns of telephone numbers in any
national format (``78130 00821``, ``(022)28952819``, ``+44 20 7946 0000``)
and a column of date-times in any common format; the format reason says so.
Without a header, columns are named from what they hold (``calling_number``,
``start_time``, ``duration``). A log whose names speak of messages (SMS,
sender/recipient, sending/receiving) and has no duration is a messaging
record; otherwise a call record.

Columns keep the header's names. Party columns stay text; columns whose
sniffed values are all date-times (ISO, re-saved ``Y/m/d H:M``, day-first
``d-m-Y H:M:S``, US ``m/d/Y``, epoch seconds, SMDR ``mm/dd hh:mm``),
``H:MM:SS`` durations or integers are typed as such (values that later fail
to parse become null).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from connectors.base import ConnectorOptions
from connectors.cdr.base import CdrSource
from connectors.cdr.layout import Field, Layout
from connectors.cdr.sniff import (
    HMS,
    INT,
    Detected,
    head_lines,
    split_records,
)
from connectors.cdr.timefmt import DATE_ANY, EPOCH_TIME, infer_time_field, looks_like_time
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
    # Mobile-phone metadata toolkits (bandicoot, cellyzer): the subscriber and the other party.
    frozenset({"user", "other"}),
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


#: A party column pairs a number word with a role (``rec_num``, ``sending_telephone``).
_NUMBER_TOKENS = frozenset({"num", "number", "nbr", "no", "phone", "telephone", "tel", "msisdn"})
_ROLE_TOKENS = frozenset({
    "call", "caller", "calling", "called", "rec", "receiver", "receiving", "recipient",
    "sender", "sending", "from", "to", "orig", "originating", "term", "terminating", "a", "b",
    "source", "src", "dest", "dst", "destination", "other", "remote", "dialed", "dialled",
    "target", "origin",
})
#: Names of a customer's own numbers: a contact list, not a call's parties.
_CONTACT_TOKENS = frozenset({"home", "work", "office", "alt", "alternate", "fax", "contact",
                             "emergency", "billing", "primary", "secondary"})
_MESSAGE_TOKENS = frozenset({"sms", "mms", "message", "messages", "msg", "text", "sender",
                             "sending", "recipient", "receiving"})


#: Numbers that are not a call's parties (``sender_account_number``).
_NOT_PARTY = frozenset({"account", "card", "bank", "iban", "routing", "order", "invoice",
                        "transaction", "ticket", "serial", "port", "mac", "ip", "tracking"})


def _is_strong_party(name: str) -> bool:
    compact = _compact(name)
    return any(p in compact for p in _PARTY_PARTS) or bool(_PARTY_TOKENS & set(tokens(name)))


def _is_party(name: str) -> bool:
    if _is_strong_party(name):
        return True
    words = set(tokens(name))
    return bool(words & _NUMBER_TOKENS and words & _ROLE_TOKENS and not words & _NOT_PARTY)


def _weak_party_columns(names: Sequence[str]) -> list[int] | None:
    """Columns whose values must confirm a party (None when a name is telling on its own).

    ``caller`` or ``dnis`` name a call party; ``source``/``destination`` or
    ``sending_telephone`` only may (a firewall log has a source and a
    destination too), so their values must look like numbers or extensions.
    """
    if any(_is_strong_party(n) for n in names):
        return None
    pair_words = {w for p in _PAIRS for w in p}
    return [i for i, n in enumerate(names)
            if _is_party(n) or (set(tokens(n)) & pair_words and not set(tokens(n)) & _NOT_PARTY)]


_EXTENSION = re.compile(r"^\+?\d{2,15}$")


def _party_values(values: Sequence[str]) -> bool:
    present = [v.strip().strip('"') for v in values if v.strip()]
    ok = sum(1 for v in present if _EXTENSION.match(v) or _is_phone_text(v))
    return bool(present) and ok >= 0.5 * len(present)


def _is_time(name: str) -> bool:
    return bool(_TIME_TOKENS & set(tokens(name)))


def _is_duration(name: str) -> bool:
    return bool(_DURATION_TOKENS & set(tokens(name)))


def _is_messaging(names: Sequence[str]) -> bool:
    words = {t for n in names for t in tokens(n)}
    return bool(words & _MESSAGE_TOKENS) and not any(_is_duration(n) for n in names)


#: RADIUS accounting attributes (FreeRADIUS ``radacct``): a session's usage, not a call, even
#: beside ``CallingStationId`` and session times.
_RADIUS_ACCOUNTING = frozenset({"acctsessionid", "acctuniqueid", "acctsessiontime",
                                "acctinputoctets", "acctoutputoctets", "acctstatustype",
                                "acctterminatecause", "nasipaddress", "framedipaddress"})


def _is_radius_accounting(names: Sequence[str]) -> bool:
    return len(_RADIUS_ACCOUNTING & {_compact(n) for n in names}) >= 2


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
    timed = None
    if all(looks_like_time(v) for v in present):
        timed = infer_time_field(name, present, min_share=1.0)
    elif _is_time(name) and all(EPOCH_TIME.match(v) for v in present):
        timed = Field(name, "epoch")
    if timed is not None:
        return timed
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


# ---------------------------------------------------------------------------
# Recognition by content

#: A telephone number as people and exports write it: digits with blanks,
#: dots, dashes, brackets, an optional ``+``; 7 to 15 digits in all.
_PHONE_TEXT = re.compile(r"^\+?[\d\s().-]{7,22}$")


_DECIMAL = re.compile(r"^-?\d{1,3}\.\d+$")


def _is_phone_text(value: str) -> bool:
    value = value.strip()
    if (not _PHONE_TEXT.match(value) or looks_like_time(value) or EPOCH_TIME.match(value)
            or DATE_ANY.match(value)):
        return False  # a date (``1969-01-29``, ``01-09-2016``) is no telephone number
    digits = sum(c.isdigit() for c in value)
    return 7 <= digits <= 15


_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00(?:\.0+)?)?$")


def _time_of_day(value: str) -> bool:
    value = value.strip()
    return looks_like_time(value) and not _MIDNIGHT.search(value)


def _column_role(values: Sequence[str]) -> str | None:
    """Say what a sniffed column holds: ``phone``, ``time``, ``int`` or None (mixed, text)."""
    present = [v.strip() for v in values if v.strip()]
    if not present:
        return None
    share = 0.8 * len(present)
    if sum(looks_like_time(v) for v in present) >= share:
        return "time"
    if sum(_is_phone_text(v) for v in present) >= share:
        return "phone"
    if all(INT.match(v) or HMS.match(v) for v in present):
        return "int"
    if all(_DECIMAL.match(v) for v in present):
        return "decimal"
    return None


def _looks_like_header(row: Sequence[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and all(_column_role([c]) is None for c in cells) and any(
        ch.isalpha() for c in cells for ch in c)


def by_content(names: Sequence[str] | None, data: Sequence[Sequence[str]]
               ) -> tuple[list[str], str] | None:
    """Recognise a call or messaging log from its values: two parties and a time.

    Returns the column names (synthesised from the roles when there is no
    header) and the evidence, or None. A customer table's home and work
    numbers beside a sign-up date are not a call: contact names rule it out.
    """
    if not data:
        return None
    width = len(data[0])
    roles = [_column_role([r[i] for r in data]) for i in range(width)]
    phones = [i for i, r in enumerate(roles) if r == "phone"]
    times = [i for i, r in enumerate(roles) if r == "time"]
    if len(phones) < 2 or not times:
        return None
    if not any(_time_of_day(r[i]) for r in data for i in times):
        # Calls happen at a time of day; stamps that are all midnight are dates in
        # disguise (a record's ``modified`` date), not when anyone called.
        return None
    if names is not None and any(_CONTACT_TOKENS & set(tokens(names[i])) for i in phones):
        return None
    ints = [i for i, r in enumerate(roles) if r == "int"]
    words = [i for i, r in enumerate(roles) if r is None
             and any(ch.isalpha() for row in data for ch in row[i])]
    if names is None and words and not ints:
        # Two numbers, a date and names but no duration: a contact list as likely as a log.
        return None
    if names is None:
        messaging = not ints
        party = ("sender_number", "recipient_number") if messaging else (
            "calling_number", "called_number")
        out = [f"column_{i + 1}" for i in range(width)]
        for k, i in enumerate(phones):
            out[i] = party[k] if k < 2 else f"party_number_{k + 1}"
        for k, i in enumerate(times):
            out[i] = ("start_time", "end_time")[k] if k < 2 else f"time_{k + 1}"
        _name_numbers(out, data, ints, times, roles)
    else:
        out = list(names)
    evidence = (f"recognised by content: {len(phones)} columns of telephone numbers "
                f"({', '.join(out[i] for i in phones[:3])}) and date-times "
                f"({', '.join(out[i] for i in times[:2])})")
    return out, evidence


def _name_numbers(out: list[str], data: Sequence[Sequence[str]], ints: list[int],
                  times: list[int], roles: list[str | None]) -> None:
    """Name a headerless log's number columns from where and what they are.

    The duration is the integer column after the call time (else the last
    one); integer codes of few values are the call type and direction;
    two adjacent decimals in range are latitude and longitude.
    """
    after = [i for i in ints if i > times[0]]
    duration = after[0] if after else (ints[-1] if ints else None)
    if duration is not None:
        out[duration] = "duration"
    codes = [i for i in ints if i != duration
             and len({r[i].strip() for r in data}) <= 4]
    for k, i in enumerate(codes):
        out[i] = ("call_kind", "call_direction")[k] if k < 2 else f"code_{k + 1}"
    for i in range(len(roles) - 1):
        if roles[i] == roles[i + 1] == "decimal":
            lat = [float(r[i]) for r in data if r[i].strip()]
            lon = [float(r[i + 1]) for r in data if r[i + 1].strip()]
            if all(-90 <= v <= 90 for v in lat) and all(-180 <= v <= 180 for v in lon):
                out[i], out[i + 1] = "latitude", "longitude"
                break


@register
class GenericCallLog(CdrSource):
    """Delimited call and messaging logs, recognised by their header names or their values."""

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
        header = _looks_like_header(records[0])
        names = _unique(records[0]) if header else None
        if names is not None and not forced and _is_radius_accounting(names):
            return None  # RADIUS sessions: usage, read as a plain table (see core.records)
        data = [r for r in records[int(header):] if len(r) == len(records[0])]
        why = classify_header(names) if names is not None else None
        if why is not None and names is not None:
            weak = _weak_party_columns(names)
            by_party = "call party" in why  # not the subscriber-and-duration evidence
            if weak is not None and by_party and not any(
                    _party_values([r[i] for r in data]) for i in weak if i < len(names)):
                why = None  # source/destination of something other than calls
        if why is None:
            found = by_content(names, data)
            if found is not None:
                names, why = _unique(found[0]), found[1]
        if why is None or names is None:
            if not forced:
                return None
            why = "header names no call party and time; read as a call log as asked"
            if names is None:
                names = _unique([f"column_{i + 1}" for i in range(len(records[0]))])
        fields = tuple(_infer(n, [r[i] for r in data]) for i, n in enumerate(names))
        kind = "messaging" if _is_messaging(names) else "call_detail"
        layout = Layout(FORMAT, fields, delimiter=delimiter, skip_lines=int(header),
                        record_kind=kind)
        shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
            delimiter, "delimiter"
        )
        what = "messaging log" if kind == "messaging" else "call log"
        reason = (f"{why}; a {what}, {len(names)} {shown}-separated columns"
                  f"{'' if header else ', no header'}")
        return Detected(layout, CLAIM_GENERIC, reason)
