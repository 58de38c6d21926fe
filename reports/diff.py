"""``piiscan diff`` output: what changed between two recorded runs, as a table, Markdown or JSON.

Names come from scanned sources and may hold anything: Markdown escapes them
(pipes, newlines, HTML), the table prints them on one line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from scanner.redact import printable
from scanner.workflows.history import ColumnChange, RunDiff
from scanner.workflows.records import ColumnFinding, RunInfo


def _run_line(run: RunInfo | None) -> str:
    if run is None:
        return "nothing recorded before"
    partial = "" if run.complete else ", incomplete"
    return f"run {run.id} ({run.started_at}{partial})"


def _entities(c: ColumnFinding) -> str:
    return ", ".join(c.entities) + (" [CPNI]" if c.cpni else "")


def _change(c: ColumnChange) -> str:
    parts = [f"+{e}" for e in c.added] + [f"-{e}" for e in c.removed]
    if c.cpni_before != c.cpni_after:
        parts.append("CPNI " + ("yes" if c.cpni_after else "no"))
    return " ".join(parts)


def render_table(diff: RunDiff) -> str:
    """Return the diff as plain text for a terminal."""
    lines = [
        f"configuration: {diff.new.config_name}",
        f"comparing {_run_line(diff.new)} with {_run_line(diff.old)}",
    ]

    def section(title: str, rows: Sequence[str]) -> None:
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(f"  {r}" for r in rows)

    section("New PII columns", [f"+ {c.column}  {_entities(c)}" for c in diff.new_columns])
    section("Changed columns", [f"~ {c.column}  {_change(c)}" for c in diff.changed_columns])
    section("Removed PII columns",
            [f"- {c.column}  {_entities(c)}" for c in diff.removed_columns])
    section("New storage violations",
            [f"! {v.source}  {v.reason}" for v in diff.new_violations])
    section("Not compared (their source is missing or incomplete in the newer run)",
            [f"? {c.column}  {_entities(c)}" for c in diff.unconfirmed])
    lines.append("")
    lines.append(diff.summary())
    # Each line of a name on one line, its control characters shown as escapes.
    return "\n".join(printable(line) for line in lines) + "\n"


def _md(text: str) -> str:
    """One Markdown table cell: one line, no HTML, no table breaks, no control characters."""
    one = " ".join(text.splitlines())
    one = one.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return printable(one).replace("|", "\\|").replace("`", "'")


def render_markdown(diff: RunDiff) -> str:
    """Return the diff as Markdown (a merge-request comment, a ticket)."""
    out = [
        "# piiscan diff",
        "",
        f"Configuration: `{_md(diff.new.config_name)}`  ",
        f"Comparing {_run_line(diff.new)} with {_run_line(diff.old)}.",
        "",
        f"**{_md(diff.summary())}**",
    ]

    def table(title: str, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        if not rows:
            return
        out.extend(["", f"## {title} ({len(rows)})", "", "| " + " | ".join(head) + " |",
                    "|" + "---|" * len(head)])
        out.extend("| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows)

    table("New PII columns", ("Column", "Entity types", "CPNI"),
          [(c.column, ", ".join(c.entities), "yes" if c.cpni else "no")
           for c in diff.new_columns])
    table("Changed columns", ("Column", "Added", "Removed", "CPNI"),
          [(c.column, ", ".join(c.added), ", ".join(c.removed),
            f"{'yes' if c.cpni_before else 'no'} → {'yes' if c.cpni_after else 'no'}")
           for c in diff.changed_columns])
    table("Removed PII columns", ("Column", "Entity types"),
          [(c.column, ", ".join(c.entities)) for c in diff.removed_columns])
    table("New storage violations", ("Source", "Reason"),
          [(v.source, v.reason) for v in diff.new_violations])
    table("Not compared (source missing or incomplete in the newer run)",
          ("Column", "Entity types"),
          [(c.column, ", ".join(c.entities)) for c in diff.unconfirmed])
    return "\n".join(out) + "\n"


def render_json(diff: RunDiff) -> str:
    """Return the diff as JSON (sorted keys)."""
    return json.dumps(diff.to_dict(), indent=2, sort_keys=True) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}
