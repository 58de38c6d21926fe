"""Forcing a documented table layout with ``--cdr-format``: SIP, RADIUS and DHCP tables.

Kamailio/OpenSIPS ``acc`` and ``cdrs``, FreeRADIUS ``radacct`` and Kea's lease
files are tables (a database export, a CSV) rather than file formats of their
own: the scan recognises them from their column names. When a user knows
better than the column names (a ``radacct`` export that the call-log sniffer
takes for call records, say), ``--cdr-format kamailio-acc`` (or
``kamailio-cdrs``, ``freeradius-radacct``, ``kea-leases``) reads the file with
the connector that would read it anyway (CSV, JSON lines, Parquet ...) and
declares what its records are, so the documented schema's reading of each
column applies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import ClassVar

from connectors.base import ConnectorOptions, Source, Table
from connectors.registry import CLAIM_FORCED, Sniff, open_source, register

#: Format name -> (record kind, what the format is).
SCHEMA_FORMATS: dict[str, tuple[str, str]] = {
    "kamailio-acc": ("call_detail", "Kamailio/OpenSIPS acc table (SIP accounting)"),
    "kamailio-cdrs": ("call_detail", "Kamailio cdrs table (SIP call records)"),
    "freeradius-radacct": ("subscriber_usage",
                           "FreeRADIUS radacct table (RADIUS accounting sessions)"),
    "kea-leases": ("ip_assignment", "Kea DHCP lease file"),
}


@register
class DocumentedTableSource(Source):
    """A table in a documented layout named by ``--cdr-format`` (acc, cdrs, radacct, Kea)."""

    kind = "documented-table"
    formats: ClassVar[tuple[str, ...]] = tuple(SCHEMA_FORMATS)

    def __init__(self, spec: str, options: ConnectorOptions) -> None:
        super().__init__(spec, options)
        self._inner: Source | None = None

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        """Claim a file only when ``--cdr-format`` names one of these layouts."""
        if sniff.path is None or sniff.path.is_dir():
            return 0
        return CLAIM_FORCED if options.cdr_format in SCHEMA_FORMATS else 0

    def tables(self) -> Iterator[Table]:
        """Yield the file's tables as its usual connector reads them, with the declared kind."""
        name = self.options.cdr_format or ""
        kind, title = SCHEMA_FORMATS[name]
        self._inner = open_source(self.spec, dataclasses.replace(self.options, cdr_format=None))
        for table in self._inner.tables():
            read_as = table.format or self._inner.kind
            table.format = name
            table.format_reason = f"--cdr-format {name}: a {title}, read as {read_as}"
            table.record_kind = kind
            table.is_call_record = kind == "call_detail"
            yield table

    def close(self) -> None:
        """Close the connector that read the file."""
        if self._inner is not None:
            self._inner.close()
