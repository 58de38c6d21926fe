"""CLI habits every command shares: -q/-v/-vv, one error style, examples in help, `scan -`,
configuration discovery and `report -o` picking its format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from support import ROOT, run_cli

from scanner.cli import main
from scanner.cli.habits import format_for_output

CSV = "name,email,phone\n" + "".join(
    f"Person {i},user{i}@example.org,+1 212 555 {i:04d}\n" for i in range(40))
JSONL = "".join(json.dumps({"customer_email": f"c{i}@example.net", "n": i}) + "\n"
                for i in range(40))


def _commands() -> list[tuple[str, click.Command]]:
    out = []

    def walk(cmd: click.Command, path: str) -> None:
        out.append((path, cmd))
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, f"piiscan {path} {name}: listed but not found"
                walk(sub, f"{path} {name}".strip())

    walk(main, "")
    return out


def _piiscan(*args: str, stdin: str = "", cwd: Path | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scanner", *args], input=stdin, text=True,
                          capture_output=True, cwd=cwd or ROOT, timeout=300,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.mark.parametrize(("path", "command"), _commands(), ids=lambda v: str(v) or "piiscan")
def test_every_command_has_quiet_verbose_and_an_example(path: str, command: click.Command) -> None:
    opts = {o for p in command.params for o in getattr(p, "opts", [])}
    assert {"-q", "-v"} <= opts
    if path:  # the group itself lists commands instead
        assert "Examples:" in (command.epilog or "") and "piiscan " in (command.epilog or "")


def test_vv_is_the_debug_level(tmp_path: Path) -> None:
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps({"schema_version": 1, "sources": []}))
    quiet = run_cli("report", str(saved), "--format", "json", "-v")
    assert "piiscan: debug:" not in quiet.stderr
    loud = run_cli("report", str(saved), "--format", "json", "-vv")
    assert loud.code == 0 and "piiscan: debug:" in loud.stderr
    before = run_cli("-vv", "report", str(saved), "--format", "json")
    assert "piiscan: debug:" in before.stderr


@pytest.mark.parametrize("argv", [
    ["scan"], ["scan", "--sample-size", "0", "x.csv"], ["report"], ["report", "--nope"],
    ["export", "--to", "nowhere", "README.md"], ["nosuchcommand"], ["baseline", "approve"],
    ["diff", "--format", "pdf"],
])
def test_one_error_style(argv: list[str]) -> None:
    run = run_cli(*argv)
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("piiscan: error: "), run.stderr
    assert "Usage:" not in run.stderr and "Error:" not in run.stderr


@pytest.mark.parametrize(("data", "column", "entity"), [
    (CSV, "email", "EMAIL_ADDRESS"), (JSONL, "customer_email", "EMAIL_ADDRESS")])
def test_scan_reads_standard_input(tmp_path: Path, data: str, column: str, entity: str) -> None:
    run = _piiscan("scan", "-", "--no-ner", "--format", "json", stdin=data,
                   env={"TMPDIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    (source,) = json.loads(run.stdout)["sources"]
    assert source["name"] == "stdin"
    (table,) = source["tables"]
    assert table["name"] == "stdin" and table["rows_scanned"] == 40
    found = {(c["name"], e["type"]) for c in table["columns"] for e in c["entities"]}
    assert (column, entity) in found
    assert not list(tmp_path.glob("piiscan-stdin-*")), "the spooled copy is removed"
    assert "user1@example.org" not in run.stdout + run.stderr


def test_scan_of_empty_standard_input_is_a_usage_error() -> None:
    run = _piiscan("scan", "-", "--no-ner")
    assert run.returncode == 2
    assert run.stderr.startswith("piiscan: error: standard input is empty")


def _project(tmp_path: Path, name: str = "piiscan.yaml") -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "people.csv").write_text(CSV)
    (tmp_path / "data" / "other.csv").write_text(CSV)
    (tmp_path / name).write_text(
        "version: 1\ndefault_location: DE\nsources:\n  - path: data/people.csv\n")
    return tmp_path


@pytest.mark.parametrize("name", ["piiscan.yaml", ".piiscan.yaml"])
def test_configuration_is_discovered_in_the_working_directory(tmp_path: Path, name: str) -> None:
    project = _project(tmp_path, name)
    run = _piiscan("scan", "--no-ner", "--format", "json", cwd=project)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [s["name"] for s in doc["sources"]] == ["data/people.csv"]
    # Given SOURCE arguments, the discovered file lends its settings, not its sources.
    run = _piiscan("scan", "data/other.csv", "--no-ner", "--format", "json", cwd=project)
    doc = json.loads(run.stdout)
    assert [s["name"] for s in doc["sources"]] == ["data/other.csv"]
    assert doc["residency"]["sources"][0]["verdict"] == "violation"  # DE, from the file


def test_configuration_from_the_environment(tmp_path: Path) -> None:
    project = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "piiscan.yaml").rename(elsewhere / "scan.yaml")
    (elsewhere / "data").symlink_to(project / "data")
    run = _piiscan("scan", "--no-ner", "--format", "json", cwd=project,
                   env={"PIISCAN_CONFIG": str(elsewhere / "scan.yaml")})
    assert run.returncode == 0, run.stderr
    assert len(json.loads(run.stdout)["sources"]) == 1
    missing = _piiscan("scan", "--no-ner", cwd=project,
                       env={"PIISCAN_CONFIG": str(tmp_path / "nope.yaml")})
    assert missing.returncode == 2 and "PIISCAN_CONFIG" in missing.stderr


@pytest.mark.parametrize(("output", "fmt"), [
    ("r.sarif", "sarif"), ("out/r.md", "markdown"), ("r.HTML", "html"), ("r.csv", "csv"),
    ("r.xml", "junit"), ("r.json", "json"), ("r.txt", "terminal"), ("r.sarif.json", "sarif"),
    ("r.unknown", "html"), (None, "html"),
])
def test_report_format_from_the_output_suffix(output: str | None, fmt: str) -> None:
    assert format_for_output(output) == fmt


def test_report_picks_its_format_from_o(tmp_path: Path) -> None:
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps({"schema_version": 1, "sources": []}))
    sarif = tmp_path / "r.sarif"
    assert run_cli("report", str(saved), "-o", str(sarif)).code == 0
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    md = tmp_path / "r.md"
    assert run_cli("report", str(saved), "-o", str(md), "--format", "json").code == 0
    assert json.loads(md.read_text())["schema_version"] == 1  # --format wins


def test_shell_completion_script_is_offered() -> None:
    script = ROOT / ".venv" / "bin" / "piiscan"
    if not script.exists():
        pytest.skip("the piiscan console script is not installed in .venv")
    run = subprocess.run([str(script)], capture_output=True, text=True,
                         env={**os.environ, "_PIISCAN_COMPLETE": "bash_source"},
                         timeout=120, check=False)
    assert "_PIISCAN_COMPLETE" in run.stdout and "complete " in run.stdout


@pytest.mark.parametrize(("place", "verdict"), [("DE", "violation"), ("us-east-1", "compliant")])
def test_location_for_an_ad_hoc_scan(tmp_path: Path, place: str, verdict: str) -> None:
    data = tmp_path / "people.csv"
    data.write_text(CSV)
    run = run_cli("scan", str(data), "--no-ner", "--format", "json", "--location", place)
    assert run.code == 0, run.stderr
    (entry,) = run.json()["residency"]["sources"]
    assert entry["verdict"] == verdict


def test_unknown_location_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "people.csv"
    data.write_text(CSV)
    run = run_cli("scan", str(data), "--no-ner", "--location", "Atlantis")
    assert run.code == 2 and run.stderr.startswith("piiscan: error: ")
    assert "--location" in run.stderr
