"""Fixtures every test shares. Plain helpers live in ``support.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import run_cli


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True)
def _private_results_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans record their results by default: keep every test's store in its tmp dir."""
    monkeypatch.setenv("PIISCAN_STORE", str(tmp_path / "piiscan-store" / "results.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
