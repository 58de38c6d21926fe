"""FreeSWITCH ``mod_cdr_csv`` files written with the shipped templates.

``cdr_csv.conf.xml`` ships these templates (``example`` is the default):

* ``example``: caller_id_name, caller_id_number, destination_number, context,
  start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid,
  bleg_uuid, accountcode, read_codec, write_codec (15 fields);
* ``linksys``: ``example`` plus sip_user_agent, sip_p_rtp_stat (17);
* ``snom``: ``example`` plus sip_user_agent, call_clientcode, sip_rtp_rxstat,
  sip_rtp_txstat, sofia_record_file (20);
* ``sql``: the first 13 ``example`` fields inside ``INSERT INTO cdr VALUES
  (...);``;
* ``asterisk``: Asterisk's cdr_csv order filled from FreeSWITCH variables
  (accountcode, caller_id_number, destination_number, context, caller_id,
  channel_name, bridge_channel, last_app, last_arg, start_stamp, answer_stamp,
  end_stamp, duration, billsec, hangup_cause, amaflags, uuid, userfield);
* ``opencdrrate``: uuid, signal_bond, direction, ani, destination_number,
  answer_stamp, end_stamp, billsec, accountcode, userfield, network_addr,
  original_caller_id_name, sip_gateway_name (13).

Every value is written in double quotes (the ``sql`` and ``snom`` templates
put a blank before the accountcode's quote), so text values are trimmed of
blanks and one pair of quotes. Recognition: the field count, timestamps where
the template puts them, a Q.850 hangup cause name (NORMAL_CLEARING,
ORIGINATOR_CANCEL ...) and a UUID call id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from connectors.base import ConnectorOptions
from connectors.cdr.base import CdrSource
from connectors.cdr.layout import Field, Layout
from connectors.cdr.sniff import (
    CLAIM_STRONG,
    UUID,
    Detected,
    Variant,
    detect_variant,
    head_lines,
    is_dt,
    is_dt_or_empty,
    is_int,
    split_records,
)
from connectors.registry import register

_TS = "%Y-%m-%d %H:%M:%S"
#: Hangup causes are Q.850 names in upper case with underscores.
HANGUP_CAUSE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{4,}$")
SQL_WRAPPER = r"^\s*INSERT INTO \w+ VALUES \(|\);?[ \t]*(?=\r?$)"
FORMAT = "freeswitch-cdr-csv"

_KINDS = {
    "caller_id_number": "phone",
    "destination_number": "phone",
    "ani": "phone",
    "start_stamp": "timestamp",
    "answer_stamp": "timestamp",
    "end_stamp": "timestamp",
    "duration": "duration",
    "billsec": "duration",
}

EXAMPLE = (
    "caller_id_name caller_id_number destination_number context start_stamp answer_stamp "
    "end_stamp duration billsec hangup_cause uuid bleg_uuid accountcode read_codec write_codec"
).split()
LINKSYS = [*EXAMPLE, "sip_user_agent", "sip_p_rtp_stat"]
SNOM = [
    *EXAMPLE,
    "sip_user_agent",
    "call_clientcode",
    "sip_rtp_rxstat",
    "sip_rtp_txstat",
    "sofia_record_file",
]
SQL = EXAMPLE[:13]
ASTERISK = (
    "accountcode caller_id_number destination_number context caller_id channel_name "
    "bridge_channel last_app last_arg start_stamp answer_stamp end_stamp duration billsec "
    "hangup_cause amaflags uuid userfield"
).split()
OPENCDRRATE = (
    "uuid signal_bond direction ani destination_number answer_stamp end_stamp billsec "
    "accountcode userfield network_addr original_caller_id_name sip_gateway_name"
).split()


def _clean(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _layout(names: list[str], sql: bool = False) -> Layout:
    fields = []
    for name in names:
        kind = _KINDS.get(name, "str")
        fields.append(Field(name, kind, _TS if kind == "timestamp" else None))
    return Layout(FORMAT, tuple(fields), trim_quotes=True, strip_re=SQL_WRAPPER if sql else None)


def _times_and_cause(start: int, uuid_at: int) -> Callable[[Sequence[str]], bool]:
    """Test for the templates that write start, answer, end, duration, billsec, cause, uuid."""

    def test(r: Sequence[str]) -> bool:
        v = [_clean(x) for x in r[start:start + uuid_at + 1]]
        return (
            is_dt(v[0])
            and is_dt_or_empty(v[1])
            and is_dt(v[2])
            and is_int(v[3])
            and is_int(v[4])
            and bool(HANGUP_CAUSE.match(v[5]))
            and bool(UUID.match(v[uuid_at]))
        )

    return test


# `example`, `linksys`, `snom` and `sql` put the times at field 5; `asterisk` at field 10,
# with one more field before its uuid.
_example_test = _times_and_cause(4, 6)
_asterisk_test = _times_and_cause(9, 7)


def _opencdrrate_test(r: Sequence[str]) -> bool:
    v = [_clean(x) for x in r[:8]]
    return (
        bool(UUID.match(v[0]))
        and v[2] in ("inbound", "outbound")
        and is_dt_or_empty(v[5])
        and is_dt(v[6])
        and is_int(v[7])
    )


_CSV_VARIANTS = [
    Variant(_layout(EXAMPLE), _example_test, "template `example` (the shipped default)"),
    Variant(_layout(LINKSYS), _example_test, "template `linksys`"),
    Variant(_layout(SNOM), _example_test, "template `snom`"),
    Variant(_layout(ASTERISK), _asterisk_test, "template `asterisk`"),
    Variant(_layout(OPENCDRRATE), _opencdrrate_test, "template `opencdrrate`"),
]
_SQL_VARIANTS = [Variant(_layout(SQL, sql=True), _example_test, "template `sql`")]
_SQL_LINE = re.compile(r"^\s*INSERT INTO \w+ VALUES \(", re.I)


def _unwrap(line: str) -> str:
    line = _SQL_LINE.sub("", line)
    return re.sub(r"\);?\s*$", "", line)


@register
class FreeswitchCdrCsv(CdrSource):
    """FreeSWITCH ``mod_cdr_csv`` output in one of the shipped templates."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise a template by field count, timestamps, hangup cause and UUID shapes."""
        lines = head_lines(head)
        sql_lines = sum(1 for line in lines[:50] if _SQL_LINE.match(line))
        if lines and sql_lines >= 0.8 * min(len(lines), 50):
            records = split_records([_unwrap(line) for line in lines])
            variants = _SQL_VARIANTS
        else:
            records = split_records(lines)
            variants = _CSV_VARIANTS
        return detect_variant(records, variants, forced, lambda v, share: (
            f"{len(v.layout.fields)} quoted fields per line, no header; start/end timestamps, "
            f"integer duration/billsec, a Q.850 hangup cause name and a UUID where "
            f"mod_cdr_csv's {v.description} puts them ({share:.0%} of {len(records)} sniffed "
            "lines)"), score=CLAIM_STRONG + 2)
