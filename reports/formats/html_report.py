"""HTML: one self-contained file for a security reviewer.

No network assets: styles are inline, charts are inline SVG, and a
Content-Security-Policy meta tag forbids anything else. The one script
(``templates/findings.js``: sorting and filtering of the findings table) is
admitted by its SHA-256 hash, so no other script can run, injected or not;
without it the table is complete, only static. Everything from the scan is
escaped by jinja2's autoescaping (column names are untrusted).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, TextIO

from reports.formats._common import confidence, headline, one_line
from reports.model import UNCATEGORIZED, Report, scope_label, stable_id
from reports.renderer import Renderer, register
from scanner.policy import SENSITIVITIES
from scanner.policy.residency import StorageVerdict

if TYPE_CHECKING:
    from jinja2 import Environment

_VERDICT_ORDER = {StorageVerdict.VIOLATION: 0, StorageVerdict.UNVERIFIED: 1,
                  StorageVerdict.COMPLIANT: 2}
#: Per-table sections start open when there are at most this many tables.
OPEN_TABLES = 40
LABEL_CHARS = 42


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart."""

    label: str
    full_label: str
    value: int
    part: int
    css: str
    note: str


def _short(label: str, *, keep_end: bool = False) -> str:
    """Shorten a chart label; source names keep their end, where they differ."""
    if len(label) <= LABEL_CHARS:
        return label
    if keep_end:
        return "…" + label[-(LABEL_CHARS - 1) :]
    return label[: LABEL_CHARS - 1] + "…"


def _category_bars(report: Report) -> list[Bar]:
    bars = [
        Bar(_short(c.title), f"{c.title} ({c.id})", len(c.columns), 0, f"s-{c.sensitivity}",
            c.sensitivity)
        for c in report.categories
    ]  # fmt: skip
    if report.uncategorized:
        bars.append(
            Bar("Not in the policy", UNCATEGORIZED, len(report.uncategorized), 0, "s-medium", "")
        )
    return bars


def _source_bars(report: Report) -> list[Bar]:
    return [
        Bar(
            _short(s.name, keep_end=True),
            s.name,
            s.flagged,
            s.cpni,
            f"v-{s.residency.verdict.value}",
            f"{s.residency.verdict.value}, {s.residency.location.label}",
        )
        for s in report.sources
    ]


def _environment() -> Environment:
    # Imported for this format only: listing the formats, or writing another, needs no jinja2.
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["conf"] = confidence
    env.filters["scope"] = scope_label
    env.filters["one_line"] = one_line
    env.filters["anchor"] = lambda *parts: "t-" + stable_id(*parts)[:12]
    return env


#: What each next step means, for the legend above the findings table.
NEXT_STEPS = {
    "approve": "keep it and record the approval in the baseline",
    "move": "move it to storage the policy allows",
    "mask": "mask or tokenize the values",
    "delete": "delete the column's data",
}


def _script() -> tuple[str, str]:
    """Return the findings script and its CSP source (``sha256-...``)."""
    text = resources.files("reports").joinpath("templates/findings.js").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"sha256-{digest}"


@register
class HtmlRenderer(Renderer):
    """Self-contained HTML report."""

    name = "html"
    description = "self-contained HTML report with charts, for security reviewers"
    extension = "html"

    def render(self, report: Report, out: TextIO) -> None:
        """Render the ``report.html.j2`` template."""
        template = _environment().get_template("report.html.j2")
        sources_by_verdict = sorted(
            report.sources, key=lambda s: (_VERDICT_ORDER[s.residency.verdict], s.name)
        )
        category_bars = _category_bars(report)
        source_bars = _source_bars(report)
        from markupsafe import Markup

        script, script_hash = _script()
        steps = sorted({c.next_step for c in report.flagged if c.next_step},
                       key=lambda s: list(NEXT_STEPS).index(s) if s in NEXT_STEPS else 99)
        html = template.render(
            r=report,
            headline=headline(report),
            sources_by_verdict=sources_by_verdict,
            category_bars=category_bars,
            category_max=max((b.value for b in category_bars), default=0),
            source_bars=source_bars,
            source_max=max((b.value for b in source_bars), default=0),
            open_tables=len(report.tables) <= OPEN_TABLES,
            StorageVerdict=StorageVerdict,
            # Not escaped, byte for byte what the CSP hash was taken of.
            script=Markup(script),
            script_hash=script_hash,
            steps=steps,
            steps_legend="; ".join(f"{s}: {NEXT_STEPS.get(s, s)}" for s in steps),
            sensitivities=list(SENSITIVITIES),
            history=report.changes is not None and report.changes.previous_run is not None,
        )
        out.write(html)
