"""``piiscan report RESULT.json``: a saved JSON result re-rendered without scanning."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from reports_sample import CDR, RDS, sample_config, sample_result
from support import ROOT

from reports import build_report, render
from scanner.cli.report import ReportInputError, load_saved, report_command
from scanner.model import ScanResult
from scanner.policy import Policy
from scanner.policy.residency import How, assess


def _saved(tmp_path: Path) -> Path:
    policy = Policy.load(None)
    result = sample_result()
    path = tmp_path / "result.json"
    render("json", build_report(result, policy, assess(result, policy, sample_config())),
           out=path)
    return path


def _rerendered_json(tmp_path: Path, *options: str) -> dict[str, Any]:
    """Re-render a saved result as a JSON report with ``options``; return the report."""
    out = tmp_path / "r.json"
    run = CliRunner().invoke(
        report_command, [str(_saved(tmp_path)), "--format", "json", *options, "-o", str(out)])
    assert run.exit_code == 0, run.output
    return json.loads(out.read_text("utf-8"))  # type: ignore[no-any-return]


def test_scan_result_round_trips_through_json() -> None:
    result = sample_result()
    data = json.loads(json.dumps(result.to_dict()))
    again = ScanResult.from_dict(data)
    assert again.to_dict() == result.to_dict()
    assert again.flatten() == result.flatten()


def test_from_dict_rejects_newer_schema() -> None:
    data = sample_result().to_dict()
    data["schema_version"] = 99
    with pytest.raises(ValueError, match="unsupported schema_version 99"):
        ScanResult.from_dict(data)


def test_saved_result_keeps_policy_and_locations(tmp_path: Path) -> None:
    saved = load_saved(_saved(tmp_path))
    assert saved.policy == Policy.load(None)
    assert saved.locations[RDS].how is How.INFERRED
    assert saved.locations[RDS].country == "IE"


@pytest.mark.parametrize("fmt", ["html", "sarif", "csv", "markdown", "junit", "terminal", "json"])
def test_rerender_matches_a_direct_render(tmp_path: Path, fmt: str) -> None:
    saved = _saved(tmp_path)
    out = tmp_path / f"again.{fmt}"
    run = CliRunner().invoke(report_command, [str(saved), "--format", fmt, "-o", str(out)])
    assert run.exit_code == 0, run.output
    policy = Policy.load(None)
    result = sample_result()
    direct = io.StringIO()
    render(fmt, build_report(result, policy, assess(result, policy, sample_config())), out=direct)
    assert out.read_text("utf-8") == direct.getvalue()


def test_rerender_to_stdout(tmp_path: Path) -> None:
    run = CliRunner().invoke(report_command, [str(_saved(tmp_path)), "--format", "csv"])
    assert run.exit_code == 0
    assert run.output.splitlines()[0].startswith("source,table,column")
    assert len(run.output.splitlines()) == 16


def test_rerender_with_another_policy_recomputes_categories(tmp_path: Path) -> None:
    policy_file = tmp_path / "p.yaml"
    policy_file.write_text(
        "name: Strict\nstorage: {allowed_countries: [US, IE], quote: US or Ireland.}\n"
        "categories:\n  - id: cards\n    quote: Cards.\n    sensitivity: critical\n"
        "    entities: [CREDIT_CARD]\n",
        "utf-8",
    )
    data = _rerendered_json(tmp_path, "--policy", str(policy_file))
    assert [c["id"] for c in data["policy"]["categories"]] == ["cards"]
    assert data["policy"]["categories"][0]["columns"] == [
        "examples/data/customers.sqlite/customers/card_number"
    ]
    verdicts = {s["source"]: s["verdict"] for s in data["residency"]["sources"]}
    assert verdicts[RDS] == "compliant"  # Ireland is allowed by this policy


def test_rerender_with_a_config_declares_locations(tmp_path: Path) -> None:
    config = tmp_path / "scan.yaml"
    config.write_text(f"sources:\n  - path: {CDR}\n    location: DE\n", "utf-8")
    data = _rerendered_json(tmp_path, "--config", str(config))
    cdr = next(s for s in data["residency"]["sources"] if s["source"] == CDR)
    assert (cdr["verdict"], cdr["location"]["how"]) == ("violation", "declared")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema_version": 1,', "line 1: invalid JSON"),
        ("[1, 2]", "not a piiscan JSON result"),
        ('{"schema_version": 1}', "not a piiscan result"),
        ('{"schema_version": 7, "sources": []}', "unsupported schema_version 7"),
        ('{"schema_version": 1, "sources": [{"kind": "csv"}]}', "bad or missing 'name'"),
    ],
)
def test_bad_input_is_one_line_usage_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    with pytest.raises(ReportInputError, match=message):
        load_saved(path)
    run = CliRunner().invoke(report_command, [str(path)])
    assert run.exit_code == 2
    assert message in run.output
    assert "Traceback" not in run.output


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    run = CliRunner().invoke(report_command, [str(_saved(tmp_path)), "--format", "pdf"])
    assert run.exit_code == 2
    assert "unknown format 'pdf'" in run.output


def test_one_command_over_sources_in_two_regions(tmp_path: Path) -> None:
    # The "done when": scan the examples with examples/scan.yaml and get the
    # categories, the CPNI columns and the source that breaks the US-only rule.
    import shutil
    import subprocess
    import sys

    from scanner.cli import main

    root = ROOT
    subprocess.run(
        [sys.executable, str(root / "examples" / "generate.py"), str(tmp_path / "data")],
        check=True,
        capture_output=True,
    )
    shutil.copy(root / "examples" / "scan.yaml", tmp_path / "scan.yaml")
    out = tmp_path / "result.json"
    run = CliRunner().invoke(
        main,
        ["scan", "--config", str(tmp_path / "scan.yaml"), "--no-ner", "-q",
         "--format", "json", "-o", str(out)],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    data = json.loads(out.read_text("utf-8"))
    verdicts = {
        Path(s["source"]).name: (s["verdict"], s["location"]["how"], s["location"]["country"])
        for s in data["residency"]["sources"]
    }
    assert verdicts == {
        "billing.csv": ("violation", "declared", "IE"),
        "customers.db": ("compliant", "declared", "US"),
        "weblog.parquet": ("compliant", "default", "US"),
    }
    cpni = next(c for c in data["policy"]["categories"] if c["id"] == "cpni")
    assert cpni["columns"], "the example data has call records and service usage"
    html_out = tmp_path / "report.html"
    run = CliRunner().invoke(main, ["report", str(out), "--format", "html", "-o", str(html_out)])
    assert run.exit_code == 0, run.output
    assert "violation" in html_out.read_text("utf-8")
