"""Items 11, 17 and 21: the results store keeps alerts, reads when read-only, stays tidy.

Permissions are real: as root, the reader runs without the capabilities that
let root ignore them (``setpriv --bounding-set -dac_override,-dac_read_search``).
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


def _cli(*args: str, drop_root: bool = False, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scanner", *args]
    if drop_root and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        cmd = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *cmd]
    return subprocess.run(cmd, cwd=cwd or ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def _scan(data: Path, store: Path, *extra: str, cwd: Path | None = None
          ) -> subprocess.CompletedProcess:
    return _cli("scan", str(data), "--store", str(store), "--no-ner", "-q", "--format", "json",
                *extra, cwd=cwd)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("email\nzelda@example.org\nquill@example.net\n")
    return path


# --- 17: a read-only store is read ---


@pytest.fixture
def readonly_store(tmp_path: Path, data: Path) -> Iterator[Path]:
    folder = tmp_path / "archive"
    folder.mkdir()
    store = folder / "results.db"
    assert _scan(data, store).returncode == 0
    yield store
    folder.chmod(0o755)
    store.chmod(0o600)


@pytest.mark.parametrize("what", ["file", "directory", "both"])
def test_history_reads_a_read_only_store(readonly_store: Path, what: str) -> None:
    if what in ("file", "both"):
        readonly_store.chmod(0o444)
    if what in ("directory", "both"):
        readonly_store.parent.chmod(0o555)
    before = readonly_store.read_bytes()
    proc = _cli("history", "--store", str(readonly_store), "--format", "json", drop_root=True)
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)
    assert [r["pii_columns"] for r in runs] == [1]
    assert readonly_store.read_bytes() == before  # nothing written
