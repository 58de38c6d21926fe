"""Asterisk call detail records: ``cdr_csv`` Master.csv and ``cdr_custom``.

``cdr_csv`` (``cdr_csv.c``) writes no header. Its fixed order is accountcode,
src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start,
answer, end, duration, billsec, disposition, amaflags; then uniqueid when
``loguniqueid`` is on and userfield when ``loguserfield`` is on (both are on in
the shipped ``cdr.conf``); then peeraccount, linkedid and sequence when
``newcdrcolumns`` is on (Asterisk 12+). That gives 16 to 21 fields, told apart
by count and, for 17/20, by whether the extra field looks like a uniqueid.

``cdr_custom`` with the stock ``cdr_custom.conf.sample`` mapping writes clid,
src, dst, dcontext, channel, dstchannel, lastapp, lastdata, start, answer, end,
duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield,
sequence (older samples stop before sequence).

Both are recognised by where the timestamps, the two integers and the
disposition (ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION) sit.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.base import ConnectorOptions
from connectors.cdr.base import CdrSource
from connectors.cdr.layout import Field, Layout
from connectors.cdr.sniff import (
    ASTERISK_UNIQUEID,
    Detected,
    Variant,
    detect_variant,
    fraction,
    head_lines,
    is_dt,
    is_dt_or_empty,
    is_int,
    split_records,
)
from connectors.registry import register

#: Asterisk writes dispositions with ast_cdr_disp2str.
DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "UNKNOWN"})

_TS = "%Y-%m-%d %H:%M:%S"


def _f(name: str) -> Field:
    kinds = {
        "src": "phone",
        "dst": "phone",
        "start": "timestamp",
        "answer": "timestamp",
        "end": "timestamp",
        "duration": "duration",
        "billsec": "duration",
        "sequence": "int",
    }
    kind = kinds.get(name, "str")
    return Field(name, kind, _TS if kind == "timestamp" else None)


CSV_BASE = (
    "accountcode src dst dcontext clid channel dstchannel lastapp lastdata "
    "start answer end duration billsec disposition amaflags"
).split()
NEW_COLUMNS = ["peeraccount", "linkedid", "sequence"]
CUSTOM_STOCK = (
    "clid src dst dcontext channel dstchannel lastapp lastdata start answer end "
    "duration billsec disposition amaflags accountcode uniqueid userfield sequence"
).split()


def _csv_test(r: Sequence[str]) -> bool:
    return (
        is_dt(r[9])
        and is_dt_or_empty(r[10])
        and is_dt(r[11])
        and is_int(r[12])
        and is_int(r[13])
        and r[14] in DISPOSITIONS
    )


def _custom_test(r: Sequence[str]) -> bool:
    return (
        is_dt(r[8])
        and is_dt_or_empty(r[9])
        and is_dt(r[10])
        and is_int(r[11])
        and is_int(r[12])
        and r[13] in DISPOSITIONS
    )


def _csv_layout(extra: list[str]) -> Layout:
    return Layout("asterisk-cdr-csv", tuple(_f(n) for n in CSV_BASE + extra))


def _csv_variants(records: Sequence[Sequence[str]]) -> list[Variant]:
    # 17 and 20 fields: one of uniqueid/userfield is logged; a value shaped
    # like a uniqueid (epoch.sequence, maybe prefixed by a system name) says which.
    at16 = [r[16] for r in records if len(r) in (17, 20)]
    uid_share = fraction([[v] for v in at16 if v], lambda r: bool(ASTERISK_UNIQUEID.match(r[0])))
    one = ["uniqueid"] if uid_share >= 0.5 or not at16 else ["userfield"]
    options = [
        ([], "loguniqueid and loguserfield off"),
        (one, f"only {one[0]} logged"),
        (["uniqueid", "userfield"], "loguniqueid and loguserfield on (the shipped cdr.conf)"),
        (NEW_COLUMNS, "newcdrcolumns on, loguniqueid and loguserfield off"),
        (one + NEW_COLUMNS, f"newcdrcolumns on, only {one[0]} logged"),
        (["uniqueid", "userfield", *NEW_COLUMNS], "Asterisk 12+ newcdrcolumns on"),
    ]
    return [Variant(_csv_layout(extra), _csv_test, why) for extra, why in options]


_CUSTOM_VARIANTS = [
    Variant(
        Layout("asterisk-cdr-custom", tuple(_f(n) for n in CUSTOM_STOCK)),
        _custom_test,
        "stock cdr_custom.conf.sample mapping",
    ),
    Variant(
        Layout("asterisk-cdr-custom", tuple(_f(n) for n in CUSTOM_STOCK[:-1])),
        _custom_test,
        "stock cdr_custom.conf.sample mapping without sequence (before Asterisk 1.8)",
    ),
]


@register
class AsteriskCdrCsv(CdrSource):
    """Asterisk ``cdr_csv`` Master.csv (no header, 16 to 21 fields)."""

    kind = "asterisk-cdr-csv"
    formats = ("asterisk-cdr-csv",)

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise cdr_csv by field count and where its timestamps sit."""
        records = split_records(head_lines(head))
        return detect_variant(records, _csv_variants(records), forced, lambda v, share: (
            f"{len(v.layout.fields)} fields per line, no header; start/answer/end timestamps "
            f"at fields 10-12, duration and billsec integers, an Asterisk disposition at "
            f"field 15 ({share:.0%} of {len(records)} sniffed lines); {v.description}"))


@register
class AsteriskCdrCustom(CdrSource):
    """Asterisk ``cdr_custom`` Master.csv with the stock mapping (no header, 19 fields)."""

    kind = "asterisk-cdr-custom"
    formats = ("asterisk-cdr-custom",)

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise the stock cdr_custom mapping by field count and value shapes."""
        records = split_records(head_lines(head))
        return detect_variant(records, _CUSTOM_VARIANTS, forced, lambda v, share: (
            f"{len(v.layout.fields)} fields per line, no header; start/answer/end timestamps "
            f"at fields 9-11, duration and billsec integers, an Asterisk disposition at "
            f"field 14 ({share:.0%} of {len(records)} sniffed lines); {v.description}"))
