"""Items 19 and 22: each file is scanned once, and --include/--exclude apply to files.

``--include``/``--exclude`` used to reach databases only: files ignored them
in silence, so an excluded file was scanned and reported all the same. A
configuration listing a file twice, or a directory and a file inside it,
scanned that file twice. The scans run as real piiscan processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT


def _scan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scanner", "scan", *args, "--no-store",
                           "--no-ner", "-q", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def _columns(proc: subprocess.CompletedProcess) -> dict[str, list[str]]:
    """Return {file name: [columns scanned]}."""
    assert proc.returncode == 0, proc.stderr
    return {t["name"]: [c["name"] for c in t["columns"]]
            for s in json.loads(proc.stdout)["sources"] for t in s["tables"]}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "customers.csv").write_text(
        "email,ssn,name\nzelda@example.org,536-90-4399,Zelda Quill\n")
    (tmp_path / "leads.csv").write_text("phone,email\n+1 202 555 0143,bo@example.net\n")
    return tmp_path


@pytest.mark.parametrize(("option", "expected"), [
    (("--exclude", "customers.csv"), {"leads.csv": ["phone", "email"]}),
    (("--include", "customers.csv"), {"customers.csv": ["email", "ssn", "name"]}),
    (("--include", "customers.csv.email"), {"customers.csv": ["email"]}),
    (("--exclude", "*.email"), {"customers.csv": ["ssn", "name"], "leads.csv": ["phone"]}),
    (("--include", "*.csv.email"), {"customers.csv": ["email"], "leads.csv": ["email"]}),
])
def test_include_exclude_select_files_and_columns(
        folder: Path, option: tuple[str, str], expected: dict[str, list[str]]) -> None:
    assert _columns(_scan(str(folder), *option)) == expected


def test_exclude_by_path_leaves_the_file_out(folder: Path) -> None:
    proc = _scan(str(folder), "--exclude", str(folder / "customers.csv"))
    assert _columns(proc) == {"leads.csv": ["phone", "email"]}
    assert "536-90" not in proc.stdout


# --- 19: overlapping entries ---


def _scan_config(config: Path) -> tuple[subprocess.CompletedProcess, dict]:
    proc = subprocess.run([sys.executable, "-m", "scanner", "scan", "--config", str(config),
                           "--no-store", "--no-ner", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc, json.loads(proc.stdout)


@pytest.fixture
def semicolons(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("email;ssn\nzelda@example.org;536-90-4399\n")
    (data / "b.csv").write_text("email\nbo@example.net\n")
    return tmp_path


def _warnings(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if "overlapping" in line]


def test_a_file_listed_twice_is_scanned_once(semicolons: Path) -> None:
    config = semicolons / "scan.yaml"
    config.write_text("sources:\n"
                      "  - {path: data/a.csv, location: DE, options: {delimiter: ';'}}\n"
                      "  - {path: data/a.csv, location: US, options: {delimiter: ';'}}\n")
    proc, doc = _scan_config(config)
    assert [s["name"] for s in doc["sources"]] == [str(semicolons / "data" / "a.csv")]
    [verdict] = doc["residency"]["sources"]
    assert verdict["verdict"] == "violation"  # the first listing (DE) wins, once
    [warning] = _warnings(proc)
    assert "line 3" in warning and "listed twice" in warning


def test_a_file_inside_a_listed_directory_is_scanned_by_its_own_entry(semicolons: Path) -> None:
    config = semicolons / "scan.yaml"
    config.write_text("sources:\n"
                      "  - {path: data, location: DE}\n"
                      "  - {path: data/a.csv, location: US, options: {delimiter: ';'}}\n")
    proc, doc = _scan_config(config)
    a, b = str(semicolons / "data" / "a.csv"), str(semicolons / "data" / "b.csv")
    names = [s["name"] for s in doc["sources"]]
    assert sorted(names) == [a, b]  # a.csv once, not again through the directory
    columns = {s["name"]: [c["name"] for t in s["tables"] for c in t["columns"]]
               for s in doc["sources"]}
    assert columns[a] == ["email", "ssn"]  # read with the file's own delimiter
    verdicts = {v["source"]: v["verdict"] for v in doc["residency"]["sources"]}
    assert verdicts == {a: "compliant", b: "violation"}
    [warning] = _warnings(proc)
    assert "inside data" in warning


def test_command_line_sources_overlapping_are_scanned_once(semicolons: Path) -> None:
    data = semicolons / "data"
    proc = _scan(str(data), str(data / "b.csv"), str(data / "b.csv"))
    names = [s["name"] for s in json.loads(proc.stdout)["sources"]]
    assert sorted(names) == [str(data / "a.csv"), str(data / "b.csv")]
