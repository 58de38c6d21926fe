"""``piiscan eval``: the table, the JSON, and the thresholds that make CI fail."""

from __future__ import annotations

import json
from pathlib import Path

from support import run_cli

EMAILS = ["ana.lima@example.org", "b.okafor@example.net", "chen.wei@example.com",
          "dora.k@example.org", "e.muller@example.net", "farah.h@example.com"]
WORDS = ["open", "closed", "pending", "open", "closed", "pending"]


def _corpus(root: Path) -> Path:
    """Two labelled columns: one found (email), one labelled with a type the scan won't say."""
    rows = ["contact,status"] + [f"{e},{w}" for e, w in zip(EMAILS, WORDS, strict=True)]
    (root / "t.csv").write_text("\n".join(rows) + "\n")
    (root / "labels.json").write_text(json.dumps({"files": {"t.csv": {
        "has_header": True, "columns": [
            {"index": 0, "name": "contact", "label": "EMAIL_ADDRESS"},
            {"index": 1, "name": "status", "label": "SERVICE_PLAN"}]}}}))
    return root


def test_table_per_type_and_overall(tmp_path: Path) -> None:
    run = run_cli("eval", str(_corpus(tmp_path)), "--no-ner")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    email = next(line.split() for line in lines if line.startswith("EMAIL_ADDRESS"))
    plan = next(line.split() for line in lines if line.startswith("SERVICE_PLAN"))
    overall = next(line.split() for line in lines if line.startswith("overall"))
    assert email[1:] == ["1", "1", "0", "0", "1.000", "1.000", "1.000"]
    assert plan[1:5] == ["1", "0", "0", "1"]
    assert overall[-3:] == ["1.000", "0.500", "0.667"]
    assert "t.csv:status: missed: expected SERVICE_PLAN, found nothing" in run.stdout
    for value in EMAILS:
        assert value not in run.stdout + run.stderr


def test_json_and_thresholds(tmp_path: Path) -> None:
    corpus = str(_corpus(tmp_path))
    run = run_cli("eval", corpus, "--no-ner", "--format", "json", "--min-f1", "0.6")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["overall"]["f1"] == 0.6667
    assert doc["per_type"]["SERVICE_PLAN"]["fn"] == 1
    assert doc["thresholds"]["passed"] is True

    below = run_cli("eval", corpus, "--no-ner", "--min-f1", "0.7")
    assert below.code == 1
    assert "F1 0.667 is below --min-f1 0.700" in below.stderr
    assert run_cli("eval", corpus, "--no-ner", "--min-precision", "1.0").code == 0


def test_no_labels_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("eval", str(tmp_path))
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [f"piiscan: error: no labels.json under {tmp_path}"]
