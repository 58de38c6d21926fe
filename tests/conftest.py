"""Shared test helpers: where the corpus lives, how to run the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass
class CliRun:
    """What one `piiscan` invocation printed and returned."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path | None = None) -> CliRun:
    """Run the real console entry point in a fresh process (as a user would)."""
    proc = subprocess.run([sys.executable, "-m", "scanner", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=300)
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


def require_corpus(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus file {path} is not present")
    return path


@pytest.fixture(autouse=True)
def _private_results_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans record their results by default: keep every test's store in its tmp dir."""
    monkeypatch.setenv("PIISCAN_STORE", str(tmp_path / "piiscan-store" / "results.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
