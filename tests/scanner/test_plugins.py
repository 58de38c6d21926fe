"""The plugin registry imports its package's plugin modules, not their validation models."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


def test_registry_skips_private_and_model_modules(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "someplugins"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "from scanner.plugins import Registry\nREG = Registry('someplugins')\n")
    for name in ("beta", "alpha"):
        (pkg / f"{name}.py").write_text(
            f"from someplugins import REG\n@REG.register\nclass {name.title()}:\n    pass\n")
    (pkg / "alpha_model.py").write_text("raise ImportError('a model is not a plugin')\n")
    (pkg / "_helper.py").write_text("raise ImportError('private')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import someplugins

        assert [c.__name__ for c in someplugins.REG.classes()] == ["Alpha", "Beta"]
        assert "someplugins.alpha_model" not in sys.modules
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "someplugins"]:
            del sys.modules[name]

