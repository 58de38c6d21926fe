"""Avaya IP Office SMDR (Station Message Detail Recording) files.

IP Office writes one comma-separated record per call leg, CR LF terminated,
without quoting, in a documented field order. Older releases stop after
Park Time (17 fields), most write 30, newer ones 35 (server addresses, unique
call ids and the record time added at the end); a header line of the field
names is optional. Field names are the documented ones.

Recognition: Call Start as ``YYYY/MM/DD HH:MM:SS``, Connected Time as
``HH:MM:SS``, an integer Ring Time, Direction ``I`` or ``O`` and integer Call
ID and Continuation where the spec puts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.base import ConnectorOptions
from connectors.cdr.base import CdrSource
from connectors.cdr.layout import Field, Layout
from connectors.cdr.sniff import (
    CLAIM_STRONG,
    DATETIME_SLASH,
    HMS,
    Detected,
    fraction,
    head_lines,
    is_int,
    split_records,
)
from connectors.registry import register

FORMAT = "avaya-ipo-smdr"
_TS = "%Y/%m/%d %H:%M:%S"

#: Field names and kinds in the documented order.
SMDR_FIELDS: tuple[Field, ...] = (
    Field("Call Start", "timestamp", _TS),
    Field("Connected Time", "hms"),
    Field("Ring Time", "duration"),
    Field("Caller", "phone"),
    Field("Direction"),
    Field("Called Number", "phone"),
    Field("Dialled Number", "phone"),
    Field("Account"),
    Field("Is Internal", "int"),
    Field("Call ID", "int"),
    Field("Continuation", "int"),
    Field("Party1Device"),
    Field("Party1Name"),
    Field("Party2Device"),
    Field("Party2Name"),
    Field("Hold Time", "duration"),
    Field("Park Time", "duration"),
    Field("AuthValid", "int"),
    Field("AuthCode"),
    Field("User Charged"),
    Field("Call Charge", "float"),
    Field("Currency"),
    Field("Amount at Last User Change", "float"),
    Field("Call Units", "int"),
    Field("Units at Last User Change", "int"),
    Field("Cost per Unit", "float"),
    Field("Mark Up", "float"),
    Field("External Targeting Cause"),
    Field("External Targeter Id"),
    Field("External Targeted Number", "phone"),
    Field("Calling Party Server IP Address"),
    Field("Unique Call ID for the Caller Extension"),
    Field("Called Party Server IP Address"),
    Field("Unique Call ID for the Called Extension"),
    Field("SMDR Record Time", "timestamp", _TS),
)
MIN_FIELDS = 17


def _shape(r: Sequence[str]) -> bool:
    return (
        MIN_FIELDS <= len(r) <= len(SMDR_FIELDS)
        and bool(DATETIME_SLASH.match(r[0]))
        and bool(HMS.match(r[1]))
        and is_int(r[2])
        and r[4] in ("I", "O")
        and is_int(r[9])
        and r[10] in ("0", "1")
    )


def _is_header(record: Sequence[str]) -> bool:
    return (
        len(record) >= 3
        and record[0].strip().lower().startswith("call start")
        and (record[1].strip().lower() in ("connected time", "call duration"))
    )


@register
class AvayaIpOfficeSmdr(CdrSource):
    """Avaya IP Office SMDR CSV (17 to 35 documented fields, optional header line)."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise IP Office SMDR by the shapes of its first eleven fields."""
        records = split_records(head_lines(head))
        skip = 1 if records and _is_header(records[0]) else 0
        data = records[skip:]
        widths = [len(r) for r in data]
        width = max(set(widths), key=widths.count) if widths else len(SMDR_FIELDS)
        width = min(max(width, MIN_FIELDS), len(SMDR_FIELDS))
        share = fraction(data, lambda r: len(r) == width and _shape(r))
        if share < 0.8 and not (skip and not data) and not forced:
            return None
        layout = Layout(FORMAT, SMDR_FIELDS[:width], skip_lines=skip, quote_char=None)
        reason = (
            f"{width} comma-separated fields{' after a header line' if skip else ''}; "
            f"Call Start YYYY/MM/DD HH:MM:SS, Connected Time HH:MM:SS, Direction I/O, "
            f"integer Call ID and Continuation at their documented places "
            f"({share:.0%} of {len(data)} sniffed lines)"
        )
        return Detected(layout, CLAIM_STRONG, reason)
