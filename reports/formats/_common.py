"""Formatting helpers shared by the renderers (not a renderer itself)."""

from __future__ import annotations

import re
from typing import Any

from reports.model import Report
from scanner.model import SourceResult

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPREADSHEET_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def confidence(value: float) -> str:
    """Format a confidence as two decimals: ``0.98``."""
    return f"{value:.2f}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """Return ``1 column`` / ``3 columns``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (column names are untrusted text)."""
    return _XML_BAD.sub("\ufffd", text)


def spreadsheet_safe(text: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula (``=HYPERLINK(...)``)."""
    return "'" + text if text.startswith(_SPREADSHEET_TRIGGERS) else text


def one_line(text: str) -> str:
    """Collapse whitespace, so an error message fits one line of a table."""
    return " ".join(text.split())


def headline(report: Report) -> str:
    """One sentence: what the scan found and whether the storage rule holds."""
    t = report.totals
    parts = [
        f"{plural(t.flagged, 'flagged column')} of {t.columns}",
        f"{t.cpni} CPNI",
        f"{plural(t.violations, 'storage violation')}",
        f"{t.unverified} unverified",
    ]
    return ", ".join(parts) + f" in {plural(t.sources, 'source')}"


def policy_section(report: Report) -> dict[str, Any]:
    """Return the JSON ``policy`` section: the policy plus the columns of each category."""
    data = report.policy.to_dict()
    by_id = {c.id: c for c in report.categories}
    for cat in data["categories"]:
        summary = by_id[cat["id"]]
        cat["columns"] = list(summary.columns)
    data["uncategorized"] = list(report.uncategorized)
    return data


def explain_lines(source: SourceResult) -> list[str]:
    """Return a few lines per column of ``source``, for ``--explain``.

    A column's findings with their reasons, or why it was skipped, or how it was
    read and how close the detectors came; the lines after a column's first are
    indented. Built from the result only, so a saved run explains itself too;
    counts and detector names, never values.
    """
    out = []
    for table in source.tables:
        where = f"{table.schema}.{table.name}" if table.schema else table.name
        for c in table.columns:
            if c.skipped:
                said = [f"skipped: {c.skipped}"]
            elif c.detections:
                said = [f"{d.entity} ({confidence(d.confidence)}, {d.detector}): "
                        + ("; ".join(d.reasons) or "found") for d in c.detections]
            else:
                said = ["nothing found"]
            lines = said + list(c.notes)
            out.append(one_line(f"{where}.{c.ref.column}: {lines[0]}"))
            out.extend("    " + one_line(line) for line in lines[1:])
    return out
