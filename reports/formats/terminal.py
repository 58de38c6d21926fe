"""Terminal summary (rich): violations first, then policy categories, CPNI, flagged columns.

On a terminal it uses colour and rounded boxes; written to a file or a pipe it
degrades to plain ASCII text of a fixed width, so the output is the same on
every machine (and in golden files).
"""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reports.formats._common import confidence, explain_lines, headline, one_line, plural
from reports.model import FlaggedColumn, Report
from reports.renderer import Renderer, register
from scanner.policy.residency import StorageVerdict

#: Longest list shown per section; the HTML and CSV reports hold everything.
MAX_ROWS = 200
PLAIN_WIDTH = 120

_VERDICT_STYLE = {
    StorageVerdict.VIOLATION: "bold red",
    StorageVerdict.UNVERIFIED: "yellow",
    StorageVerdict.COMPLIANT: "green",
}
_SENSITIVITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


@register
class TerminalRenderer(Renderer):
    """Human summary for a terminal; also what ``--format table`` prints."""

    name = "terminal"
    human = True
    aliases = ("table", "text")
    description = "summary for people: violations, policy categories, CPNI, flagged columns"
    extension = "txt"

    def render(self, report: Report, out: TextIO) -> None:
        """Print the summary to ``out`` (plain text when ``out`` is not a terminal)."""
        tty = _isatty(out)
        console = Console(
            file=out,
            force_terminal=tty,
            color_system="auto" if tty else None,
            width=None if tty else PLAIN_WIDTH,
            markup=False,
            emoji=False,
            highlight=False,
            legacy_windows=False,
            soft_wrap=False,
        )
        frame = box.ROUNDED if tty else box.ASCII
        _header(console, report)
        _changes(console, report)
        _storage(console, report, frame)
        _categories(console, report, frame)
        _cpni(console, report, frame)
        _flagged(console, report, frame)
        if report.explain:
            _explain(console, report)
        _problems(console, report)


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _table(frame: box.Box, *headers: str) -> Table:
    table = Table(box=frame, show_lines=False, expand=False)
    for h in headers:
        table.add_column(h, overflow="fold")
    return table


def _title(console: Console, text: str, style: str = "bold") -> None:
    console.print(Text(text, style=style))


def _header(console: Console, report: Report) -> None:
    r = report.result
    console.print(Text(f"piiscan: {headline(report)}", style="bold"))
    state = "complete" if report.complete else "partial, see Problems"
    console.print(
        f"Policy: {report.policy.name} ({report.policy.source}). "
        f"Scan {r.started_at}, {r.seconds:.1f} s, {state}."
    )
    console.print()


def _changes(console: Console, report: Report) -> None:
    """Say what changed since the previous recorded run, column by column."""
    ch = report.changes
    if ch is None:
        return
    console.print(Text(f"Changed since the last run: {ch.summary}", style="bold"))
    lines = ([(f"+ {cid}", "red") for cid in ch.new]
             + [(f"~ {c.id}  {c.change_detail}", "yellow")
                for c in report.flagged if c.change == "changed"]
             + [(f"- {r.id}  {', '.join(r.entities)}", "green") for r in ch.removed])
    for line, style in lines[:MAX_ROWS]:
        console.print(Text(f"  {one_line(line)}", style=style))
    _more(console, len(lines))
    if ch.unconfirmed:
        console.print(f"  ({plural(len(ch.unconfirmed), 'column')} of the last run not compared: "
                      "their source was not read completely)")
    console.print()


def _storage(console: Console, report: Report, frame: box.Box) -> None:
    quote = report.policy.storage_quote
    console.print(Text(f'Storage rule: "{quote}"', style="bold"))
    if report.violations:
        _title(console, f"VIOLATIONS ({len(report.violations)})", "bold red")
        table = _table(frame, "Source", "Location", "Why")
        for v in report.violations:
            table.add_row(
                Text(v.source, style="bold red"),
                f"{v.residency.location.label}\n({v.residency.location.how.value})",
                v.residency.reason,
            )
        console.print(table)
    else:
        console.print(Text("No storage violations.", style="green"))
    if report.unverified:
        _title(console, f"UNVERIFIED ({len(report.unverified)})", "bold yellow")
        table = _table(frame, "Source", "Why", "To settle")
        for u in report.unverified:
            table.add_row(Text(u.source, style="yellow"), u.reason, u.settle or "")
        console.print(table)
    compliant = [s for s in report.sources if s.residency.verdict is StorageVerdict.COMPLIANT]
    if compliant:
        names = ", ".join(f"{s.name} [{s.residency.location.label}]" for s in compliant)
        console.print(Text(f"Compliant: {names}", style="green"))
    console.print()


def _categories(console: Console, report: Report, frame: box.Box) -> None:
    _title(console, "Policy categories")
    table = _table(frame, "Category", "Sensitivity", "Columns", "Sources", "Entity types")
    for cat in report.categories:
        table.add_row(
            f"{cat.title} ({cat.id})",
            Text(cat.sensitivity, style=_SENSITIVITY_STYLE.get(cat.sensitivity, "")),
            str(len(cat.columns)),
            str(len(cat.sources)),
            ", ".join(cat.entities) or "-",
        )
    if report.uncategorized:
        table.add_row("Not in the policy", "-", str(len(report.uncategorized)), "-", "-")
    console.print(table)
    console.print()


def _cpni(console: Console, report: Report, frame: box.Box) -> None:
    if not report.cpni:
        console.print("CPNI: no column holds CPNI.")
        console.print()
        return
    _title(console, f"CPNI ({plural(len(report.cpni), 'column')})", "bold red")
    table = _table(frame, "Source", "Table", "Column", "Entity types", "Why")
    for c in report.cpni[:MAX_ROWS]:
        table.add_row(
            c.source,
            c.table,
            c.column,
            ", ".join(c.entities),
            "; ".join(one_line(r) for r in c.reasons),
        )
    console.print(table)
    _more(console, len(report.cpni))
    console.print()


def _flagged(console: Console, report: Report, frame: box.Box) -> None:
    if not report.flagged:
        console.print("No column holds personal data.")
        return
    _title(console, f"Flagged columns ({len(report.flagged)})")
    shown = report.flagged[:MAX_ROWS]
    for source in report.sources:
        rows = [c for c in shown if c.source == source.name]
        if not rows:
            continue
        res = source.residency
        console.print(
            Text(f"{source.name}  [{res.verdict.value}: {res.location.label}]"),
            style=_VERDICT_STYLE[res.verdict],
        )
        for t in report.tables:
            if t.source == source.name and (t.kind_label or t.format):
                console.print(Text(f"  {t.name}: {t.kind_label or t.format}"))
            if t.source == source.name and t.region:
                console.print(Text(f"  {t.name}: region {t.region}"))
        history = report.changes is not None and report.changes.previous_run is not None
        headers = ["Table", "Column", "Entity types", "Conf.", "Sample", "Categories", "CPNI",
                   "Next step"] + (["Change"] if history else [])
        table = _table(frame, *headers)
        for c in rows:
            cells: list[str | Text] = [
                c.table,
                c.column,
                ", ".join(c.labels),
                confidence(c.confidence),
                c.sample_label,
                Text(", ".join(c.categories) or "-", style=_sens_style(c)),
                Text("CPNI", style="bold red") if c.cpni else "",
                c.next_step or "-",
            ]
            if history:
                cells.append(_change_cell(c))
            table.add_row(*cells)
        console.print(table)
    _more(console, len(report.flagged))


def _change_cell(c: FlaggedColumn) -> Text:
    if c.change == "new":
        return Text("new", style="bold red")
    if c.change == "changed":
        return Text(f"changed {c.change_detail}".strip(), style="yellow")
    return Text("")


def _sens_style(c: FlaggedColumn) -> str:
    return _SENSITIVITY_STYLE.get(c.sensitivity, "")


def _more(console: Console, total: int) -> None:
    if total > MAX_ROWS:
        console.print(f"... and {total - MAX_ROWS} more; --format html or csv lists every column.")


def _explain(console: Console, report: Report) -> None:
    """Every column: what was found and why, or how it was read and why nothing was."""
    console.print()
    _title(console, "Every column, explained")
    for source in sorted(report.result.sources, key=lambda s: s.name):
        console.print(Text(source.name, style="bold"))
        for line in explain_lines(source):
            console.print(Text(f"  {line}"))
    console.print()


def _problems(console: Console, report: Report) -> None:
    if not report.problems:
        return
    console.print()
    console.print(Text(f"Problems ({len(report.problems)})", style="bold yellow"))
    for p in report.problems:
        where = f"{p.source}/{p.table}" if p.table else p.source
        console.print(f"- {where} [{p.status.value}]: {one_line(p.message)}")
