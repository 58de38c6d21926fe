"""Items 9, 10 and 18: Ctrl-C and unwritable outputs lose nothing.

- Ctrl-C (a real SIGINT) while ``scan -o`` writes leaves the previous report
  whole, no temporary file behind, the run recorded, and exit code 130.
- An ``-o`` in a missing directory is a usage error before any scanning.
- A write that still fails after the scan keeps the run in the store and
  says how to render it again with ``piiscan report --run``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from faults_support import ROOT, spawn
from support import run_cli


def _wide_csv(path: Path, columns: int = 300, rows: int = 50) -> None:
    """Many columns: a scan of a few seconds and a report that takes a while to write."""
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"contact_email_{i}" for i in range(columns)])
        for r in range(rows):
            w.writerow([f"user{r}.{i}@example.org" for i in range(columns)])


def _runs(store: Path) -> int:
    if not store.exists():
        return 0
    with sqlite3.connect(store) as db:
        return db.execute("SELECT count(*) FROM piiscan_runs").fetchone()[0]


def _wait_for(predicate, seconds: float, step: float = 0.0005) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_sigint_while_writing_keeps_the_previous_report(tmp_path: Path) -> None:
    data = tmp_path / "wide.csv"
    _wide_csv(data)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    report = out_dir / "report.html"
    report.write_text("PREVIOUS REPORT")
    store = tmp_path / "store.db"
    proc = spawn("scan", str(data), "--format", "html", "-o", str(report), "--store", str(store),
                 "--no-ner", "-q")
    # The writer's temporary file exists only while the report is being written.
    writing = _wait_for(lambda: any(p.suffix == ".tmp" for p in out_dir.iterdir()), 180)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert writing, err
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    text = report.read_text()
    assert text == "PREVIOUS REPORT" or text.rstrip().endswith("</html>")
    assert [p.name for p in out_dir.iterdir()] == ["report.html"]  # no temporary file left
    assert _runs(store) == 1  # the run is recorded before the report is written


def test_sigint_during_the_scan_exits_130(tmp_path: Path) -> None:
    data = tmp_path / "wide.csv"
    _wide_csv(data)
    store = tmp_path / "store.db"
    proc = spawn("scan", str(data), "--store", str(store), "--no-ner", "-q")
    assert _wait_for(lambda: any(tmp_path.glob("piiscan-*.lock")), 120, step=0.01)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err


def test_output_in_a_missing_directory_is_a_usage_error_before_scanning(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("email\nzelda@example.org\n")
    store = tmp_path / "store.db"
    out = run_cli("scan", str(data), "-o", str(tmp_path / "missing" / "r.json"),
                  "--store", str(store), "--no-ner", "-q")
    assert out.code == 2, out.stderr
    assert "does not exist" in out.stderr
    assert _runs(store) == 0  # nothing was scanned


def test_failed_write_after_the_scan_keeps_the_run_and_says_how_to_render_it(
        tmp_path: Path) -> None:
    data = tmp_path / "wide.csv"
    _wide_csv(data, columns=100, rows=100)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    store = tmp_path / "store.db"
    proc = spawn("scan", str(data), "--format", "json", "-o", str(out_dir / "r.json"),
                 "--store", str(store), "--no-ner", "-q")
    # The run lock is taken after the output check and before the scan: the
    # directory vanishes while the scan runs.
    assert _wait_for(lambda: any(tmp_path.glob("piiscan-*.lock")), 120, step=0.01)
    shutil.rmtree(out_dir)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 3, err
    assert "Traceback" not in err
    assert _runs(store) == 1
    assert "piiscan report --run 1" in err, err
    again = run_cli("report", "--run", "1", "--store", str(store), "--format", "json")
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["sources"][0]["name"] == str(data)


def test_ctrl_c_inside_generated_code_still_exits_130(tmp_path: Path) -> None:
    """A Ctrl-C that lands while Python runs generated code (a dataclass being made, say)
    is still exit code 130 under ``python -m``, not a death by SIGINT (-2)."""
    (tmp_path / "ctrl_c_cli.py").write_text(
        "import click\n"
        "from scanner.cli import habits\n\n"
        "@click.group()\n"
        "def cli():\n"
        "    pass\n\n"
        "@cli.command()\n"
        "def work():\n"
        "    exec('raise KeyboardInterrupt')\n\n"
        "habits.apply(cli)\n"
        "cli()\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-m", "ctrl_c_cli", "work"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip() == "piiscan: interrupted"
