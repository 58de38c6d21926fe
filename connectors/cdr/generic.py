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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

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


def _infer(name: str, values: Sequence[str], party: bool = False) -> Field:
    present = [v.strip() for v in values if v.strip()]
    party = party or _is_party(name)
    if party or not present:
        return Field(name, "phone" if party else "str")
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


_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def _is_phone_text(value: str) -> bool:
    value = value.strip()
    if (not _PHONE_TEXT.match(value) or looks_like_time(value) or EPOCH_TIME.match(value)
            or DATE_ANY.match(value) or _IPV4.match(value)):
        # A date (``1969-01-29``, ``01-09-2016``) or a host (``192.168.100.200``) is no
        # telephone number, however many digits it has.
        return False
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
        parties: set[str] = set()
        if names is not None:
            shape = call_log_shape(names)
            if shape is not None and (why is not None or shape.by_names or confirm_values(
                    shape, {n: [r[i] for r in data] for i, n in enumerate(names)})):
                # Mobile toolkits' plain words (user, other, direction, antenna_id):
                # the columns together describe calls.
                why = why or shape.evidence
                parties = set(shape.columns("party"))
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
        fields = tuple(_infer(n, [r[i] for r in data], n in parties)
                       for i, n in enumerate(names))
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


# ---------------------------------------------------------------------------
# Recognition by structure: what the columns together describe
#
# Mobile-phone metadata toolkits, carriers' research extracts and app exports
# name their columns in plain words (``user, other, direction, duration,
# timestamp, antenna_id, cost``; ``A_PARTY, B_PARTY, CALL_DATE, B_CELL``;
# ``_user, _other, _direction, _length, _timestamp``). No one name says
# "call", but together they describe one: two parties, a time, and a duration
# or a direction. The same reading serves every table (SQL, JSON, Parquet),
# from its names; a file connector can also ask the values to confirm.

#: Words putting a column on the subscriber's side (A) or the other party's (B).
_SIDE_A = frozenset({"user", "subscriber", "caller", "calling", "from", "src", "source",
                     "orig", "originating", "origin", "sender", "sending", "a", "msisdn", "ego",
                     "own", "local"})
_SIDE_B = frozenset({"other", "callee", "called", "to", "dst", "dest", "destination",
                     "terminating", "recipient", "receiver", "receiving", "b", "correspondent",
                     "remote", "dialed", "dialled", "peer"})
#: Words a party's column may add to its side: what the value is (a number, an id, a hash).
_PARTY_NOUNS = frozenset({"number", "num", "nbr", "no", "nr", "id", "party", "phone", "telephone",
                          "tel", "msisdn", "hash", "hashed", "pseudonym", "anon", "anonymised",
                          "anonymized", "user", "subscriber", "line", "digits", "cli", "ani",
                          "address", "addr"})
#: Sides that name a call's parties on their own (``caller``, ``a_party``); ``user`` or
#: ``from`` also name a sender of mail or the user of a web session.
_CALL_SIDES = frozenset({"caller", "callee", "calling", "called", "dialed", "dialled",
                         "originating", "terminating", "correspondent", "msisdn"})
#: Plain words that still name people on each side (a subscriber and the other party), where
#: ``src``/``dst``, ``from``/``to`` or ``local``/``remote`` name hosts, mailboxes and places too.
_PERSON_A = frozenset({"user", "subscriber", "ego", "own", "msisdn"})
_PERSON_B = frozenset({"other", "correspondent", "peer"})
_NUMBERED = frozenset({"number", "num", "nbr", "no", "nr", "party", "phone", "telephone", "tel",
                       "msisdn", "cli", "ani"})
#: Whole names of times that are not a call's: a row's bookkeeping, a person's dates.
_NOT_CALL_TIME = frozenset({"created", "updated", "modified", "deleted", "inserted", "loaded",
                            "birth", "dob", "expiry", "expires", "expiration", "valid", "due"})
_STRUCT_TIME = frozenset({"timestamp", "datetime", "date", "time", "start", "started", "begin",
                          "stamp", "ts", "answer", "answered", "end", "connect", "connected",
                          "setup", "calldate", "cdate", "ctime", "starttime", "eventtime"})
_STRUCT_DURATION = frozenset({"duration", "dur", "billsec", "length", "len", "seconds", "secs",
                              "sec", "minutes", "mins", "talktime", "airtime", "callduration"})
_STRUCT_DIRECTION = frozenset({"direction", "dir", "inout", "interaction", "calltype",
                               "callkind", "calldirection"})
_STRUCT_CELL = frozenset({"antenna", "antennaid", "cell", "cellid", "tower", "towerid", "bts",
                          "btsid", "lac", "cgi", "ecgi", "enodeb", "sector", "sectorid"})
_STRUCT_COST = frozenset({"cost", "charge", "charged", "charges", "price", "fee", "amount",
                          "billed"})
_SPLIT_WORDS = tuple(sorted(_SIDE_A | _SIDE_B | {"call"}, key=len, reverse=True))

#: What each role of a call log's column is, in the order a name is tried.
ROLES = ("party", "duration", "direction", "cell", "cost", "time")


def _words(name: str) -> list[str]:
    """Tokens of a name, a run-together side and noun split (``aparty``, ``callingnumber``)."""
    out: list[str] = []
    for tok in tokens(name):
        if tok not in _SIDE_A | _SIDE_B | _PARTY_NOUNS:
            head = next((w for w in _SPLIT_WORDS if tok.startswith(w)
                         and tok[len(w):] in _PARTY_NOUNS | {"type", "kind", "direction"}), None)
            if head is not None:
                out.extend((head, tok[len(head):]))
                continue
        out.append(tok)
    return out


def party_side(name: str) -> tuple[str, bool] | None:
    """Say which side of a call a column names (``A`` or ``B``) and whether it says "call".

    Every word of the name must be a side or a party noun: ``user_id`` and
    ``other`` are parties, ``user_name``, ``from_date`` and ``source_ip`` are not.
    A lone ``a`` or ``b`` is no party; ``a_party`` and ``bnumber`` are.
    """
    words = _words(name)
    if not words or any(w not in _SIDE_A | _SIDE_B | _PARTY_NOUNS for w in words):
        return None
    a = [w for w in words if w in _SIDE_A]
    b = [w for w in words if w in _SIDE_B]
    if bool(a) == bool(b):
        # ``other_user`` is the other party: the side word comes first.
        if not (a and b):
            return None
        side = "A" if words.index(a[0]) < words.index(b[0]) else "B"
    else:
        side = "A" if a else "B"
    sides = set(a + b)
    if sides <= {"a", "b"} and not set(words) & _NUMBERED:
        return None
    strong = bool(sides & _CALL_SIDES) or (bool(sides & {"a", "b", "sender", "recipient",
                                                          "receiver", "sending", "receiving"})
                                           and bool(set(words) & _NUMBERED))
    return side, strong


def column_role(name: str) -> str | None:
    """Say what a column is in a call log: party, duration, direction, cell, cost or time."""
    if party_side(name) is not None:
        return "party"
    words = _words(name)
    compact = _compact(name)
    bag = set(words) | {compact}
    if bag & _NOT_CALL_TIME:
        return None
    if bag & _STRUCT_DURATION:
        return "duration"
    if bag & _STRUCT_DIRECTION or {"call", "type"} <= set(words):
        return "direction"
    if bag & _STRUCT_CELL and not bag & _NUMBERED - {"no"}:
        return "cell"  # ``cell_phone`` is a telephone number, not a serving cell
    if bag & _STRUCT_COST:
        return "cost"
    if bag & _STRUCT_TIME:
        return "time"
    return None


@dataclass(frozen=True)
class CallLogShape:
    """A table's columns read as a call or messaging log: each column's role, and why."""

    kind: str
    roles: dict[str, str]
    #: The names are telling enough on their own; else the values must confirm.
    by_names: bool
    evidence: str

    def columns(self, role: str) -> list[str]:
        """Return the columns of one role, in table order."""
        return [n for n, r in self.roles.items() if r == role]


def call_log_shape(names: Sequence[str]) -> CallLogShape | None:
    """Read a table's column names as a call or messaging log, or return None.

    A log has two parties (one on each side: ``user``/``other``,
    ``caller``/``callee``, ``a_party``/``b_party``, ``from``/``to``), a time,
    and a duration (or length) or a direction (or call type); a serving cell
    and a cost may come with them. Parties named as a call's
    (``calling_number``) need nothing more. A subscriber and the other party in
    plain words (``user``/``other``) need a direction and one more call
    attribute (a duration, a cell, a cost). Otherwise (only a duration; or
    ``src``/``dst``, ``from``/``to``, which also name hosts and mailboxes) the
    values must confirm (see :func:`confirm_values`): a web session, an order
    or a network flow has a user or a source, a time and a duration too.
    """
    roles: dict[str, str] = {}
    sides: dict[str, tuple[str, bool]] = {}
    for name in names:
        role = column_role(name)
        if role is not None:
            roles[name] = role
        if role == "party":
            found = party_side(name)
            if found is not None:
                sides[name] = found
    a = [n for n, (s, _) in sides.items() if s == "A"]
    b = [n for n, (s, _) in sides.items() if s == "B"]
    present = set(roles.values())
    if not a or not b or "time" not in present:
        return None
    if not present & {"duration", "direction"}:
        return None
    strong = any(st for _, st in sides.values())
    personal = (any(set(_words(n)) & _PERSON_A for n in a)
                and any(set(_words(n)) & _PERSON_B for n in b))
    by_names = strong or (personal and "direction" in present
                          and bool(present & {"duration", "cell", "cost"}))
    kind = "messaging" if _is_messaging(names) else "call_detail"
    shown = [f"{role} ({', '.join(n for n, r in roles.items() if r == role)[:60]})"
             for role in ROLES if role in present]
    what = "messages" if kind == "messaging" else "calls"
    evidence = f"columns describe {what}: {'; '.join(shown)}"
    return CallLogShape(kind, roles, by_names, evidence)


#: How call directions are written: words and codes of mobile and PBX exports.
_DIRECTION_VALUES = frozenset({"in", "out", "incoming", "outgoing", "inbound", "outbound", "mo",
                               "mt", "moc", "mtc", "originating", "terminating", "received",
                               "sent", "missed", "dialed", "dialled", "answered", "i", "o",
                               "inc", "outg", "internal", "external", "call", "text", "sms",
                               "voice", "data", "mms", "forwarded"})
_PSEUDONYM = re.compile(r"^(?:[0-9a-fA-F]{8,64}|[A-Za-z0-9+/=_-]{16,88})$")


def _shaped(values: Sequence[str], test: Callable[[str], bool]) -> bool | None:
    """Tell whether 80% of the present values pass ``test`` (None when none is present)."""
    present = [v.strip().strip('"') for v in values if v is not None and v.strip()]
    if not present:
        return None
    return sum(1 for v in present if test(v)) >= 0.8 * len(present)


def _party_id(value: str) -> bool:
    digits = sum(c.isdigit() for c in value)
    return _is_phone_text(value) or (bool(_PSEUDONYM.match(value)) and digits > 0)


def _direction_value(value: str) -> bool:
    return value.lower() in _DIRECTION_VALUES or value.isdigit() and len(value) <= 2


def confirm_values(shape: CallLogShape, columns: Mapping[str, Sequence[str]]) -> bool:
    """Tell whether a table's values bear out the shape its names describe.

    Both sides hold telephone numbers or pseudonyms (hashes, tokens): an
    order's user id beside a free-text ``other`` is not a call. A direction
    column holds directions (``Incoming``, ``out``, ``MO``, small codes) and a
    duration column numbers or ``H:MM:SS``.
    """
    sides = {n: party_side(n) for n in shape.columns("party")}
    empty = 0
    for side in ("A", "B"):
        cols = [n for n, s in sides.items() if s is not None and s[0] == side]
        shaped = [_shaped(columns.get(n, ()), _party_id) for n in cols]
        if all(ok is None for ok in shaped):
            empty += 1  # the other party withheld (texts exported with it blanked)
        elif not any(shaped):
            return False
    directions = [_shaped(columns.get(n, ()), _direction_value)
                  for n in shape.columns("direction")]
    if False in directions:
        return False
    if empty == 2 or (empty and True not in directions):
        # One party alone is a call only with its direction (a user id, a blank and a
        # duration are as much an order as a call).
        return False
    for name in shape.columns("duration"):
        if _shaped(columns.get(name, ()), lambda v: bool(INT.match(v) or HMS.match(v)
                                                         or _DECIMAL.match(v))) is False:
            return False
    return True
