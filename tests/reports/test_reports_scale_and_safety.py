"""Large results render quickly; reports escape untrusted names; layering holds."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from reports_sample import SQLITE, big_result, col, det, sample_config, sample_result

from reports import build_report, render, renderers
from scanner.model import ScanResult, SourceResult, TableResult
from scanner.policy import Policy
from scanner.policy.residency import assess

POLICY = Policy.load(None)


def _render(fmt: str, result: ScanResult) -> str:
    buf = io.StringIO()
    render(fmt, build_report(result, POLICY, assess(result, POLICY, sample_config())), out=buf)
    return buf.getvalue()


def test_ten_thousand_columns_render_in_every_format_within_seconds() -> None:
    result = big_result(10_000)
    started = time.perf_counter()
    report = build_report(result, POLICY, assess(result, POLICY))
    outputs = {}
    for fmt in sorted(renderers()):
        buf = io.StringIO()
        render(fmt, report, out=buf)
        outputs[fmt] = buf.getvalue()
    elapsed = time.perf_counter() - started
    assert elapsed < 15, f"10,000 columns took {elapsed:.1f} s"  # about 2 s on the dev machine
    assert report.totals.columns == 10_000 and report.totals.flagged == 5_000
    assert len(json.loads(outputs["sarif"])["runs"][0]["results"]) == 5_000 + 4
    assert len(outputs["csv"].splitlines()) == 5_001
    assert outputs["html"].count('<tr><td class="num">') == 5_000
    # Human summaries are cut, and say so.
    assert "and 4800 more" in outputs["terminal"]
    assert "and 4900 more" in outputs["markdown"]


def _hostile_result() -> ScanResult:
    name = "<img src=x onerror=alert(1)>|=cmd()\x07`tick`"
    table = TableResult(
        name="t<script>",
        rows_scanned=10,
        rows_total=10,
        columns=(col(SQLITE, "t<script>", name, 0, "TEXT", (
            det("EMAIL_ADDRESS", 0.9, 9, 10, ("reason with <b>markup</b> & @someone",),
                ("a***@example.com",)),
        ), cpni=True),),
    )  # fmt: skip
    return ScanResult((SourceResult(SQLITE, "sqlite", (table,)),), "", "", 0.0)


def test_html_escapes_untrusted_names() -> None:
    out = _render("html", _hostile_result())
    assert "<img src=x" not in out and "t<script>" not in out and "<b>markup" not in out
    assert out.count("<script>") == 1  # the report's own, admitted by its CSP hash
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "t&lt;script&gt;" in out


def test_markdown_escapes_untrusted_names() -> None:
    out = _render("markdown", _hostile_result())
    # Untrusted text appears only inside code spans, which render literally.
    outside = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", out)
    outside = re.sub(r"</?(details|summary)>", "", outside)
    assert not re.search(r"(?<!\\)<", outside), outside
    assert "\\<b\\>" in out  # the reason's markup is escaped text
    assert "@someone" not in out  # no mention notifications from a PR comment
    row = next(line for line in out.splitlines() if "onerror" in line and "0.90" in line)
    # The pipe inside the column name must not open a new table cell.
    assert row.count(" | ") == 5


def test_csv_defuses_formulas_and_keeps_columns() -> None:
    out = _render("csv", _hostile_result())
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    assert rows[1][2].startswith("<img")
    formula = dataclasses.replace(
        _hostile_result().sources[0].tables[0].columns[0],
        ref=dataclasses.replace(_hostile_result().sources[0].tables[0].columns[0].ref,
                                column="=HYPERLINK(\"http://x\")"),
    )  # fmt: skip
    table = dataclasses.replace(_hostile_result().sources[0].tables[0], columns=(formula,))
    result = ScanResult((SourceResult(SQLITE, "sqlite", (table,)),), "", "", 0.0)
    row = list(csv.reader(io.StringIO(_render("csv", result))))[1]
    assert row[2] == '\'=HYPERLINK("http://x")'


def test_junit_is_well_formed_with_control_characters() -> None:
    root = ET.fromstring(_render("junit", _hostile_result()))
    assert root.tag == "testsuites"
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == ["storage location", "t<script>"]
    failure = cases[1].find("failure")
    assert failure is not None and "\ufffd" in (failure.text or "")  # the BEL character


def test_evidence_is_copied_as_masked_and_nothing_else_appears() -> None:
    result = sample_result()
    evidence = {e for s in result.sources for t in s.tables for c in t.columns
                for d in c.detections for e in d.evidence}  # fmt: skip
    for fmt in sorted(renderers()):
        out = _render(fmt, result)
        if fmt in {"json", "sarif", "csv", "html"}:
            assert all(e.replace("&", "&amp;") in out or e in out for e in evidence), fmt
        # Every evidence string is masked: none carries a full card number or address.
        assert "4111111111111111" not in out and "4242424242424242" not in out


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_plain_when_not_a_tty_and_coloured_on_one() -> None:
    result = sample_result()
    plain = _render("terminal", result)
    assert "\x1b[" not in plain
    assert plain.isascii() or all(ord(ch) < 128 for ch in plain if ch not in "…")
    tty = _Tty()
    render("terminal", build_report(result, POLICY, assess(result, POLICY, sample_config())),
           out=tty)
    assert "\x1b[" in tty.getvalue()


@pytest.mark.parametrize("module", ["reports", "reports.gate", "reports.diff"])
def test_reports_never_import_connectors_or_detectors(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "from reports import renderers\n"
        "renderers()\n"
        "import scanner.core.config_file, scanner.policy.residency\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('connectors', 'detectors'))\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""
