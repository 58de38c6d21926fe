"""What the ``piiscan`` process does at its start and end, and leaves alone elsewhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_PROBE = """
import gc, sys
sys.argv[0] = {name!r}
default = gc.get_threshold()
from scanner.cli.startup import ending, starting
starting()
print(gc.get_threshold()[0] > default[0], gc.get_threshold()[1:] == default[1:])
ending()
print(gc.get_freeze_count() > 0)
"""


def _probe(name: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", _PROBE.format(name=name)],
                         capture_output=True, text=True, check=True)
    return run.stdout.split()


def test_the_collector_is_tuned_in_the_piiscan_process_only() -> None:
    """The command's own process sweeps less while it starts and skips the final sweep;
    a program using piiscan as a library keeps Python's settings."""
    assert _probe("/usr/local/bin/piiscan") == ["True", "True", "True"]
    assert _probe("my_service.py") == ["False", "True", "False"]


def test_the_piiscan_command_still_writes_its_whole_report_and_history(tmp_path: Path) -> None:
    """The installed command (the process that skips the sweep) leaves complete files."""
    exe = Path(sys.executable).parent / "piiscan"
    if not exe.exists():
        pytest.skip("the piiscan command is not installed beside this Python")
    data = tmp_path / "people.csv"
    data.write_text("email\n" + "".join(f"user{i}@example.com\n" for i in range(20)))
    out, db = tmp_path / "report.json", tmp_path / "runs.db"
    for _ in range(2):
        run = subprocess.run([str(exe), "scan", str(data), "--format", "json", "-o", str(out),
                              "--store", str(db)],
                             capture_output=True, text=True, cwd=tmp_path, check=False)
        assert run.returncode == 0, run.stderr
    assert '"EMAIL_ADDRESS"' in out.read_text()
    history = subprocess.run([str(exe), "history", "--format", "json", "--store", str(db)],
                             capture_output=True, text=True, cwd=tmp_path, check=False)
    assert history.returncode == 0, history.stderr
    assert len(json.loads(history.stdout)) == 2
