"""Fixtures every test shares. Plain helpers live in ``support.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import run_cli


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True)
def results_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scans record their results by default: keep every test's store in its tmp dir.

    Never the real home directory: the store (this path, not created) and the
    run locks (``XDG_DATA_HOME``) live under ``tmp_path``.
    """
    store = tmp_path / "piiscan-store" / "results.db"
    monkeypatch.setenv("PIISCAN_STORE", str(store))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return store
