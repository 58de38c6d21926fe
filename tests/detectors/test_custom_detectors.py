"""Detectors users write in YAML."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import ROOT, run_cli

from detectors.custom import CustomDetectorError, load

EXAMPLE = ROOT / "examples" / "detectors" / "company.yaml"


def test_example_file_finds_badges(tmp_path: Path) -> None:
    path = tmp_path / "staff.parquet"
    pq.write_table(pa.table({
        "badge": [f"EMP-{i:06d}" for i in range(100)],
        "ref": [f"EMP-{i:06d}" for i in range(100)],
        "loyalty_no": [f"{4000000000 + i}" for i in range(100)],
        "order_no": [f"{4000000000 + i}" for i in range(100)],
    }), path)
    run = run_cli("scan", str(path), "--detectors", str(EXAMPLE), "--format", "json")
    assert run.code == 0, run.stderr
    cols = {c["name"]: c for c in run.json()["sources"][0]["tables"][0]["columns"]}
    types = {n: {e["detector"] for e in c["entities"]} for n, c in cols.items()}
    assert "employee_badge" in types["badge"]
    assert "employee_badge" in types["ref"]  # values alone are enough for a pattern
    entities = {n: {e["type"] for e in c["entities"]} for n, c in cols.items()}
    assert "ACCOUNT_ID" in entities["loyalty_no"]
    assert entities["order_no"] == set()  # requires_context: the values alone are not enough
    ev = next(e for e in cols["badge"]["entities"] if e["detector"] == "employee_badge")
    assert all("EMP-0000" not in x for x in ev["evidence"])


@pytest.mark.parametrize(("text", "problem"), [
    ("recognizers: []", "non-empty"),
    ("recognizers:\n  - name: x\n    supported_entity: US_SNN\n    patterns: [{regex: a}]",
     "supported_entity"),
    ("recognizers:\n  - name: x\n    supported_entity: shoe size\n    patterns: [{regex: a}]",
     "supported_entity"),
    ("recognizers:\n  - name: x\n    supported_entity: ACCOUNT_ID\n    category: cpni\n"
     "    patterns: [{regex: a}]", "category"),
    ("recognizers:\n  - name: x\n    supported_entity: ACCOUNT_ID\n    patterns: [{regex: '(a'}]",
     "RE2"),
    ("recognizers:\n  - name: x\n    supported_entity: ACCOUNT_ID", "patterns"),
    ("recognizers: [\n", "invalid YAML"),
])
def test_malformed_files_name_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CustomDetectorError, match=problem) as info:
        load(path)
    assert str(path) in str(info.value)
    run = run_cli("scan", str(EXAMPLE), "--detectors", str(path), "--format", "json")
    assert run.code == 2
    assert "Traceback" not in run.stderr and problem.split()[0] in run.stderr


def test_the_ci_gate_uses_custom_detectors(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("ref\n" + "".join(f"EMP-{i:06d}\n" for i in range(50)))
    baseline = tmp_path / "baseline.json"
    run = run_cli("baseline", "create", str(path), "-o", str(baseline), "--no-ner")
    assert run.code == 0, run.stderr
    assert "ACCOUNT_ID" not in baseline.read_text()
    gated = run_cli("check", str(path), "--baseline", str(baseline), "--no-ner",
                    "--detectors", str(EXAMPLE))
    assert gated.code == 1, gated.stdout + gated.stderr
    assert "ref" in gated.stdout
