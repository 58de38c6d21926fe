"""CSV: one row per flagged column, for spreadsheets and ad-hoc filtering."""

from __future__ import annotations

import csv
from typing import TextIO

from reports.formats._common import confidence, one_line, spreadsheet_safe
from reports.model import Report
from reports.renderer import Renderer, register
from scanner.model import Detection

COLUMNS = (
    "source",
    "table",
    "column",
    "position",
    "data_type",
    "entities",
    "scope",
    "confidence",
    "categories",
    "sensitivity",
    "cpni",
    "location",
    "residency",
    "reasons",
    "evidence",
)


def _scope(d: Detection) -> str:
    """``value``, or ``embedded 12/10000`` (values holding it / values searched)."""
    return f"embedded {d.matched}/{d.sampled}" if d.scope == "embedded" else d.scope


@register
class CsvRenderer(Renderer):
    """One row per flagged column; multi-valued cells are joined with ``; ``.

    Text cells that a spreadsheet would evaluate as a formula (starting with
    ``=``, ``+``, ``-`` or ``@``) are prefixed with ``'``: column names come
    from the scanned data and are not trusted.
    """

    name = "csv"
    description = "CSV, one row per flagged column"
    extension = "csv"

    def render(self, report: Report, out: TextIO) -> None:
        """Write the header and one row per flagged column."""
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        residency = {r.source: r for r in report.residency.sources}
        for c in report.flagged:
            res = residency[c.source]
            row = [
                c.source,
                c.table,
                c.column,
                str(c.position),
                c.data_type,
                "; ".join(c.entities),
                "; ".join(_scope(d) for d in c.detections),
                confidence(c.confidence),
                "; ".join(c.categories),
                c.sensitivity,
                "yes" if c.cpni else "no",
                res.location.label,
                res.verdict.value,
                "; ".join(one_line(r) for r in c.reasons),
                "; ".join(c.evidence),
            ]
            writer.writerow([spreadsheet_safe(v) for v in row])
