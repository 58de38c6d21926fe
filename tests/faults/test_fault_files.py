"""Items 5 and 12: nothing hangs on a FIFO, and no file is passed over in silence.

A FIFO named directly or found in a directory used to hang the scan forever.
Files no connector recognises, directories that cannot be listed and files
under a directory that may not be searched were skipped silently or ended
in a traceback. Each is now a failed source with its reason, shown at default
verbosity, and the exit code is 3.

Permissions are real: the scanner runs without the capabilities that let
root ignore them (``setpriv --bounding-set -dac_override,-dac_read_search``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ROOT


def _scan(*args: str, drop_root: bool = False, timeout: float = 60) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scanner", "scan", *args, "--no-store", "--no-ner", "-q",
           "--format", "json"]
    if drop_root and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        cmd = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *cmd]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _sources(proc: subprocess.CompletedProcess) -> dict[str, dict]:
    return {s["name"]: s for s in json.loads(proc.stdout)["sources"]}


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A tree with a directory that cannot be listed; permissions restored afterwards."""
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "ok.csv").write_text("email\nzelda@example.org\n")
    (tree / "sub" / "hidden.csv").write_text("email\nquill@example.org\n")
    (tree / "sub").chmod(0)
    try:
        yield tree
    finally:
        (tree / "sub").chmod(0o755)


def test_fifo_named_directly_is_skipped_with_a_reason(tmp_path: Path) -> None:
    fifo = tmp_path / "calls.csv"
    os.mkfifo(fifo)
    proc = _scan(str(fifo), timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "not a regular file (a FIFO)" in proc.stderr
    assert _sources(proc)[str(fifo)]["status"] == "failed"


def test_fifo_in_a_directory_does_not_hang_the_others(tmp_path: Path) -> None:
    (tmp_path / "ok.csv").write_text("email\nzelda@example.org\n")
    os.mkfifo(tmp_path / "pipe.csv")
    proc = _scan(str(tmp_path), timeout=60)
    assert proc.returncode == 3, proc.stderr
    sources = _sources(proc)
    assert sources[str(tmp_path / "ok.csv")]["status"] == "ok"
    assert sources[str(tmp_path / "pipe.csv")]["status"] == "failed"
    assert "FIFO" in sources[str(tmp_path / "pipe.csv")]["error"]


@pytest.mark.parametrize(("name", "content"), [
    ("photo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("customers.bak", "\x00\x01\x02 binary backup\n"),
    ("dump.sql", "INSERT INTO t VALUES (1);\n"),
])
def test_unrecognised_file_in_a_directory_is_reported(tmp_path: Path, name: str,
                                                       content: str) -> None:
    (tmp_path / "ok.csv").write_text("email\nzelda@example.org\n")
    (tmp_path / name).write_text(content)
    proc = _scan(str(tmp_path))
    assert proc.returncode == 3, proc.stderr
    line = [ln for ln in proc.stderr.splitlines() if name in ln]
    assert line and "not a recognised data file" in line[0], proc.stderr
    assert _sources(proc)[str(tmp_path / name)]["status"] == "failed"
    assert _sources(proc)[str(tmp_path / "ok.csv")]["status"] == "ok"


def test_unlistable_subdirectory_is_reported(locked: Path) -> None:
    proc = _scan(str(locked), drop_root=True)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    sources = _sources(proc)
    assert sources[str(locked / "ok.csv")]["status"] == "ok"
    assert "cannot list this directory" in sources[str(locked / "sub")]["error"]


def test_file_under_an_unsearchable_directory_is_one_line(locked: Path) -> None:
    target = locked / "sub" / "hidden.csv"
    other = locked / "ok.csv"
    proc = _scan(str(target), str(other), drop_root=True)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if str(target) in ln]
    assert len(errors) == 1 and "permission denied" in errors[0]
    assert _sources(proc)[str(other)]["status"] == "ok"
