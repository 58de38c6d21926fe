"""Helpers the tests share: where the project and the corpus are, how to run the CLI.

Importable from any test (``pythonpath = ["tests"]`` in pyproject.toml); the
fixtures themselves live in conftest.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The shared development corpus of real third-party files, beside the project.
CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass
class CliRun:
    """What one `piiscan` invocation printed and returned."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> CliRun:
    """Run the real console entry point in a fresh process (as a user would)."""
    proc = subprocess.run([sys.executable, "-m", "scanner", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


def require_corpus(*parts: str) -> Path:
    """Return a path inside the shared corpus, or skip the test when it is not there."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"the shared corpus ({path}) is not present beside this checkout")
    return path


def luhn_complete(body: str) -> str:
    """Return ``body`` with the Luhn check digit appended (a valid card number for a body)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)
