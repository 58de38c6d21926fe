"""Golden files: every renderer on one fixed scan, compared byte for byte.

Regenerate after an intended change with::

    PIISCAN_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_reports_golden.py

and review the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import pytest
from reports_sample import sample_config, sample_result

from reports import build_report, render, renderers
from scanner.policy import Policy
from scanner.policy.residency import assess

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("PIISCAN_REGEN_GOLDEN") == "1"
FORMATS = sorted(renderers())


def _report():
    policy = Policy.load(None)
    result = sample_result()
    residency = assess(result, policy, sample_config())
    return build_report(result, policy, residency, tool_version="0.0.0-test")


def _render(fmt: str) -> str:
    buf = io.StringIO()
    render(fmt, _report(), out=buf)
    return buf.getvalue()


def test_every_format_has_a_golden_file() -> None:
    assert FORMATS == ["csv", "html", "json", "junit", "markdown", "sarif", "terminal"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str) -> None:
    path = GOLDEN / f"sample.{renderers()[fmt].extension}"
    text = _render(fmt)
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{fmt} output differs from {path}; see the module docstring"


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_data_gives_identical_bytes(fmt: str) -> None:
    assert _render(fmt) == _render(fmt)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "json"])
def test_source_and_table_order_do_not_matter(fmt: str) -> None:
    # The engine may finish sources in any order; every human report sorts.
    policy = Policy.load(None)
    result = sample_result()
    shuffled = dataclasses.replace(
        result,
        sources=tuple(
            dataclasses.replace(s, tables=tuple(reversed(s.tables)))
            for s in reversed(result.sources)
        ),
    )
    outs = []
    for r in (result, shuffled):
        buf = io.StringIO()
        report = build_report(r, policy, assess(r, policy, sample_config()), tool_version="x")
        render(fmt, report, out=buf)
        outs.append(buf.getvalue())
    assert outs[0] == outs[1]


def test_render_to_a_path_writes_the_same_bytes(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    render("csv", _report(), out=target)
    assert target.read_text(encoding="utf-8") == _render("csv")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary left behind


def test_table_is_an_alias_of_terminal() -> None:
    assert _render("table") == _render("terminal")
