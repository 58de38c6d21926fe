"""End to end through the CLI on the labelled third-party files in ../shared/corpus/pii.

Each labelled column must come out flagged with its label (or an accepted
alternative), and a column labelled NONE must not be flagged, except where the
label itself marks the call as low confidence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import CORPUS, run_cli


def _cases() -> list[tuple[str, str, dict]]:
    out = []
    for labels in sorted((CORPUS / "pii").glob("*/labels.json")):
        for fname, spec in json.loads(labels.read_text())["files"].items():
            for col in spec.get("columns", []):
                out.append((f"{labels.parent.name}/{fname}", col["name"], col))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def scanned() -> dict[tuple[str, str], set[str]]:
    """Scan the whole pii corpus once, as a user would: one command, JSON out."""
    if not (CORPUS / "pii").exists():
        pytest.skip("the shared corpus is not present")
    run = run_cli("scan", str(CORPUS / "pii"), "--format", "json")
    # The labels files beside the data are reported as not data (exit 3); all else is read.
    failed = [s["name"] for s in run.json()["sources"] if s["status"] != "ok"]
    assert all(name.endswith("labels.json") for name in failed), run.stderr
    assert run.code == (3 if failed else 0), run.stderr
    assert "Traceback" not in run.stderr
    result = run.json()
    found: dict[tuple[str, str], set[str]] = {}
    for source in result["sources"]:
        rel = Path(source["name"]).resolve().relative_to((CORPUS / "pii").resolve())
        for table in source["tables"]:
            for col in table["columns"]:
                found[(str(rel), col["name"])] = {e["type"] for e in col["entities"]}
    return found


@pytest.mark.skipif(not CASES, reason="the shared corpus is not present")
@pytest.mark.parametrize(("file", "column", "label"), CASES,
                         ids=[f"{f}:{c}" for f, c, _ in CASES])
def test_labelled_column(scanned: dict, file: str, column: str, label: dict) -> None:
    if file.endswith(".log"):
        # Log fields are named from the format (remote_host, user_agent, ...).
        names = {"remote host": "remote_host", "ident": "ident", "authuser": "auth_user",
                 "time": "time", "request line": "request", "status": "status",
                 "bytes": "bytes", "referer": "referer", "user agent": "user_agent"}
        column = names[column]
    got = scanned.get((file, column))
    assert got is not None, f"{file}:{column} is missing from the report"
    accepted = {label["label"], *label.get("also", [])}
    if label["label"] == "NONE" or ("NONE" in accepted and not got):
        assert got <= accepted, f"{file}:{column} should not be flagged, got {sorted(got)}"
    else:
        assert got & accepted, f"{file}:{column} expected {sorted(accepted)}, got {sorted(got)}"
        assert got <= accepted | {"NONE"}, f"{file}:{column} extra types {sorted(got - accepted)}"


def test_free_text_entities(scanned: dict) -> None:
    """google_dlp_samples/test.txt: a phone number and an email inside a sentence."""
    got = scanned.get(("google_dlp_samples/test.txt", "line"))
    assert got is not None
    assert {"PHONE_NUMBER", "EMAIL_ADDRESS"} <= got
