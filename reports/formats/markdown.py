"""Markdown for pull-request comments (GitHub-flavoured tables).

Column names and reasons come from scanned data, so every cell is escaped:
identifiers go in code spans, free text has Markdown and HTML punctuation
backslash-escaped. Long lists are cut at ``MAX_ROWS`` to stay well under a PR
comment's size limit; the HTML and CSV reports hold everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TextIO

from reports.formats._common import confidence, headline, one_line, plural
from reports.model import Report
from reports.renderer import Renderer, register
from scanner.policy.residency import StorageVerdict

MAX_ROWS = 100
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_VERDICT_MARK = {StorageVerdict.VIOLATION: "❌", StorageVerdict.UNVERIFIED: "⚠️",
                 StorageVerdict.COMPLIANT: "✅"}


def text(value: str) -> str:
    """Escape free text for a table cell (no markup, no HTML, no @mentions)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(value).replace("&", "&amp;"))
    return escaped.replace("@", "@\u200b")


def code(value: str) -> str:
    """Put an identifier in a code span that survives any backticks and pipes in it."""
    value = one_line(value)
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    # GFM splits table cells before parsing code spans; `\|` keeps a pipe inside one.
    value = value.replace("|", "\\|")
    return f"{fence}{pad}{value}{pad}{fence}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


@register
class MarkdownRenderer(Renderer):
    """Summary for a pull-request comment."""

    name = "markdown"
    human = True
    aliases = ("md",)
    description = "Markdown for pull-request comments"
    extension = "md"

    def render(self, report: Report, out: TextIO) -> None:
        """Write the Markdown summary."""
        lines: list[str] = []
        add = lines.append
        add("## piiscan report")
        add("")
        add(f"**{text(headline(report))}.** Policy: {text(report.policy.name)}.")
        if not report.complete:
            add("")
            problems = plural(len(report.problems), "problem")
            add(f"> The scan completed only partly: {problems} below.")
        add("")

        add("### Storage")
        add("")
        add(f"> {text(report.policy.storage_quote)}")
        add("")
        add(_row("", "Source", "Location", "Verdict", "Why", "To settle"))
        add(_row("---", "---", "---", "---", "---", "---"))
        order = {StorageVerdict.VIOLATION: 0, StorageVerdict.UNVERIFIED: 1,
                 StorageVerdict.COMPLIANT: 2}
        for s in sorted(report.sources, key=lambda s: (order[s.residency.verdict], s.name)):
            r = s.residency
            add(
                _row(
                    _VERDICT_MARK[r.verdict],
                    code(s.name),
                    text(f"{r.location.label} ({r.location.how.value})"),
                    f"**{r.verdict.value}**",
                    text(r.reason),
                    text(r.settle or ""),
                )
            )
        add("")

        add("### Policy categories")
        add("")
        add(_row("Category", "Sensitivity", "Columns", "Sources"))
        add(_row("---", "---", "---:", "---:"))
        for cat in report.categories:
            add(
                _row(
                    f"{text(cat.title)} ({code(cat.id)})",
                    cat.sensitivity,
                    str(len(cat.columns)),
                    str(len(cat.sources)),
                )
            )
        if report.uncategorized:
            add(_row("Not in the policy", "", str(len(report.uncategorized)), ""))
        add("")

        add(f"### CPNI ({plural(len(report.cpni), 'column')})")
        add("")
        if report.cpni:
            add(_row("Column", "Entity types", "Why"))
            add(_row("---", "---", "---"))
            for c in report.cpni[:MAX_ROWS]:
                add(_row(code(c.id), ", ".join(c.entities), text("; ".join(c.reasons))))
            _more(add, len(report.cpni))
        else:
            add("No column holds CPNI.")
        add("")

        add(f"### Flagged columns ({len(report.flagged)})")
        add("")
        if report.flagged:
            add("<details><summary>Show the flagged columns</summary>")
            add("")
            add(_row("Column", "Entity types", "Confidence", "Categories", "CPNI", "Evidence"))
            add(_row("---", "---", "---:", "---", "---", "---"))
            for c in report.flagged[:MAX_ROWS]:
                add(
                    _row(
                        code(c.id),
                        ", ".join(c.labels),
                        confidence(c.confidence),
                        ", ".join(c.categories) or "none",
                        "yes" if c.cpni else "",
                        ", ".join(code(e) for e in c.evidence[:2]),
                    )
                )
            _more(add, len(report.flagged))
            add("")
            add("</details>")
        else:
            add("No column holds personal data.")
        if report.problems:
            add("")
            add(f"### Problems ({len(report.problems)})")
            add("")
            for p in report.problems:
                where = f"{p.source}/{p.table}" if p.table else p.source
                add(f"- {code(where)} ({p.status.value}): {text(p.message)}")
        out.write("\n".join(lines) + "\n")


def _more(add: Callable[[str], None], total: int) -> None:
    if total > MAX_ROWS:
        add("")
        add(f"_… and {total - MAX_ROWS} more: the HTML or CSV report lists every column._")
