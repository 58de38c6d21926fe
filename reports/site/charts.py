"""Inline SVG charts for the privacy site: numbers in, geometry out (templates draw it).

No script and no external asset: each chart is plain data that a jinja macro
turns into ``<svg>`` markup, with every label escaped by autoescaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports.site.collect import TrendPoint

#: Category line colours, in policy order, cycling (also the legend's).
PALETTE = ("#1f6feb", "#d1242f", "#8250df", "#bf8700", "#1a7f37", "#0a7f8f", "#cf222e",
           "#6e7781", "#953800", "#116329")
LABEL_CHARS = 40


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart."""

    label: str
    value: int
    width: float
    y: int
    css: str


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart, ready to draw."""

    bars: tuple[Bar, ...]
    height: int
    label_w: int = 300
    bar_w: int = 300


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(rows: Sequence[tuple[str, int, str]]) -> BarChart:
    """Return a bar chart of ``(label, value, css class)`` rows."""
    top = max((v for _, v, _ in rows), default=0)
    bars = tuple(
        Bar(_short(label), value, round(value / top * 300, 1) if top else 0.0, i * 28 + 6, css)
        for i, (label, value, css) in enumerate(rows)
    )
    return BarChart(bars, len(rows) * 28 + 12)


@dataclass(frozen=True)
class Series:
    """One line of the trend chart."""

    key: str
    title: str
    colour: str
    points: str
    last: int


@dataclass(frozen=True)
class TrendChart:
    """Flagged columns per category over runs, ready to draw."""

    series: tuple[Series, ...]
    ticks: tuple[tuple[float, str], ...]
    yticks: tuple[tuple[float, int], ...]
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    runs: int


def trend_chart(points: Sequence[TrendPoint], categories: Sequence[tuple[str, str]],
                *, width: int = 720, height: int = 260) -> TrendChart:
    """Return one line per category (and the total) over ``points``, oldest first."""
    left, top, right, bottom = 48, 12, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    values: list[tuple[str, str, list[int]]] = [
        ("total", "All flagged columns", [p.total for p in points]),
        ("cpni", "CPNI columns", [p.cpni for p in points]),
    ]
    for cid, title in categories:
        series = [p.by_category.get(cid, 0) for p in points]
        if any(series):
            values.append((cid, title, series))
    top_value = max((v for _, _, vs in values for v in vs), default=0) or 1

    def x(i: int) -> float:
        return round(left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: int) -> float:
        return round(top + plot_h - plot_h * v / top_value, 1)

    series_out = tuple(
        Series(key, title, "#24292f" if key == "total" else PALETTE[i % len(PALETTE)],
               " ".join(f"{x(j)},{y(v)}" for j, v in enumerate(vs)), vs[-1] if vs else 0)
        for i, (key, title, vs) in enumerate(values)
    )
    step = max(1, n // 8)
    ticks = tuple((x(i), f"#{points[i].run.id}") for i in range(0, n, step))
    ysteps = sorted({0, top_value // 2, top_value})
    yticks = tuple((y(v), v) for v in ysteps)
    return TrendChart(series_out, ticks, yticks, width, height, left, top, plot_w, plot_h, n)
