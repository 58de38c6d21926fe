"""The layers of DESIGN.md, checked on the source: connectors and detectors stay apart,
reports read results and never sources, and nothing below the engine imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

# package -> top-level project packages (or modules) it must not import. The core
# types (scanner.model) are shared by every layer and import nothing of the project.
_ENGINE = {"scanner.core.engine", "scanner.cli", "scanner.core.classify", "scanner.core.config",
           "scanner.policy", "scanner.policy.residency", "scanner.workflows.store", "scanner.workflows.baseline"}
FORBIDDEN = {
    "connectors": {"detectors", "reports"} | _ENGINE,
    "detectors": {"connectors", "reports"} | _ENGINE,
    "reports": {"connectors", "detectors", "scanner.core.engine", "scanner.cli",
                "scanner.core.classify"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            for banned in FORBIDDEN[package]:
                if name == banned or name.startswith(banned + "."):
                    bad.append(f"{path.relative_to(ROOT)} imports {name}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_boundaries(package: str) -> None:
    assert _violations(package) == []


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom detectors.base import Detector\n")
    assert "detectors.base" in _imports(probe)


def test_core_types_import_nothing_of_the_project() -> None:
    project = {"connectors", "detectors", "reports", "scanner"}
    names = _imports(ROOT / "scanner" / "model.py")
    assert not {n for n in names if n.split(".")[0] in project}
