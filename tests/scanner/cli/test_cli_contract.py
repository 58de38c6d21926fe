"""The command line and the JSON contract as users and CI pipelines rely on them."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from support import ROOT, luhn_complete, run_cli

ENTITIES = {
    "PERSON_NAME", "POSTAL_ADDRESS", "PHONE_NUMBER", "EMAIL_ADDRESS", "DATE_OF_BIRTH",
    "US_SSN", "ACCOUNT_ID", "CREDIT_CARD", "BANK_ACCOUNT", "CREDIT_HISTORY", "IP_ADDRESS",
    "MAC_ADDRESS", "USER_AGENT", "DEVICE_ID", "GEO_LOCATION", "CALL_DETAIL", "SERVICE_PLAN",
    "SERVICE_USAGE", "PASSPORT", "DRIVER_LICENSE", "NATIONAL_ID", "TAX_ID",
}


@pytest.fixture
def table(tmp_path: Path) -> Path:
    rng = random.Random(1)
    path = tmp_path / "orders.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["order_id", "payment", "created_at", "contact", "empty_ssn", "qty"])
        for i in range(300):
            w.writerow([f"ORD-{100000 + i}", luhn_complete("4" + "".join(rng.choice("0123456789")
                                                             for _ in range(14))),
                        f"2026-01-{1 + i % 28:02d} 10:00:00", f"user{i}@example.com", "",
                        rng.randint(1, 9)])
    return path


def test_json_contract(table: Path) -> None:
    run = run_cli("scan", str(table), "--format", "json")
    assert run.code == 0, run.stderr
    doc = run.json()
    assert doc["schema_version"] == 1
    (source,) = doc["sources"]
    assert {"name", "kind", "status", "error", "tables"} <= source.keys()
    assert source["status"] == "ok" and source["error"] is None
    (tbl,) = source["tables"]
    assert {"name", "rows_scanned", "rows_total", "columns"} <= tbl.keys()
    assert tbl["rows_scanned"] == 300
    # Every scanned column appears, in order, with entities: [] when nothing was found.
    assert [c["name"] for c in tbl["columns"]] == ["order_id", "payment", "created_at",
                                                  "contact", "empty_ssn", "qty"]
    assert [c["position"] for c in tbl["columns"]] == list(range(6))
    cols = {c["name"]: c for c in tbl["columns"]}
    for c in cols.values():
        assert {"name", "position", "data_type", "entities", "categories", "cpni"} <= c.keys()
        for e in c["entities"]:
            assert e["type"] in ENTITIES
            assert 0 < e["confidence"] <= 1
            assert {"matched", "sampled", "reasons", "evidence"} <= e.keys()
            assert e["reasons"], "every finding says why"
    # Values flag a card column whatever its name; a created_at column is not a birth date.
    assert [e["type"] for e in cols["payment"]["entities"]] == ["CREDIT_CARD"]
    assert cols["payment"]["categories"] == ["customer_provided"]
    assert cols["created_at"]["entities"] == []
    assert cols["order_id"]["entities"] == []
    assert cols["qty"]["entities"] == []
    assert [e["type"] for e in cols["contact"]["entities"]] == ["EMAIL_ADDRESS"]
    # A telling name over an empty column is reported, at lower confidence.
    (ssn,) = cols["empty_ssn"]["entities"]
    assert ssn["type"] == "US_SSN" and ssn["confidence"] < 0.5 and ssn["sampled"] == 0


def test_exit_codes(table: Path, tmp_path: Path) -> None:
    assert run_cli("scan", str(table), "--format", "json").code == 0
    missing = run_cli("scan", str(table), str(tmp_path / "nope.csv"), "--format", "json")
    assert missing.code == 3
    assert json.loads(missing.stdout)["sources"][0]["status"] == "ok"  # the rest is scanned
    assert len([ln for ln in missing.stderr.splitlines() if "error" in ln]) == 1
    assert "nope.csv" in missing.stderr and "Traceback" not in missing.stderr
    assert run_cli("scan", str(table), "--format", "nope").code == 2
    assert run_cli("scan", str(table), "--sample-size", "0").code == 2
    assert run_cli("scan").code == 2
    assert run_cli("frobnicate").code == 2


def test_output_file_and_sample_size(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run = run_cli("scan", str(table), "--format", "json", "-o", str(out), "--sample-size", "50")
    assert run.code == 0 and run.stdout == ""
    doc = json.loads(out.read_text())
    assert doc["sources"][0]["tables"][0]["rows_scanned"] == 50


def test_full_reads_every_row(table: Path) -> None:
    run = run_cli("scan", str(table), "--format", "json", "--sample-size", "10", "--full")
    assert run.json()["sources"][0]["tables"][0]["rows_scanned"] == 300


def test_detectors_command_lists_every_entity() -> None:
    run = run_cli("detectors", "--format", "json")
    assert run.code == 0
    rows = json.loads(run.stdout)
    assert {r["entity"] for r in rows} == ENTITIES
    assert all(r["description"] for r in rows)


def test_no_progress_bar_when_stderr_is_not_a_terminal(table: Path) -> None:
    run = run_cli("scan", str(table), "--format", "json")
    assert run.stderr == ""


def test_console_script_is_installed() -> None:
    exe = ROOT / ".venv" / "bin" / "piiscan"
    if not exe.exists():
        pytest.skip("not installed in .venv")
    import subprocess

    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "scan" in proc.stdout


def test_the_ci_gate_reads_files_as_scan_does(tmp_path: Path) -> None:
    """`check` takes the same reading options as `scan` (here a cp1251 file)."""
    path = tmp_path / "clients.txt"
    rows = ["имя|email"] + [f"Иван Петров|ivan{i}@example.ru" for i in range(30)]
    path.write_bytes(("\n".join(rows) + "\n").encode("cp1251"))
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"approved": {}, "format": "piiscan-baseline", "storage": {}, '
                        '"version": 1}\n')
    run = run_cli("check", str(path), "--baseline", str(baseline), "--no-ner",
                  "--encoding", "cp1251", "--delimiter", "|", "--format", "json")
    assert run.code == 1, run.stderr
    assert "EMAIL_ADDRESS" in run.stdout and "email" in run.stdout
    bad = run_cli("check", str(path), "--baseline", str(baseline), "--encoding", "klingon")
    assert bad.code == 2 and "klingon" in bad.stderr


def test_a_missing_database_driver_says_which_extra(tmp_path: Path) -> None:
    run = run_cli("scan", "mssql+pyodbc://sa:hunter2@127.0.0.1:1433/crm", "--format", "json",
                  "--no-store")
    assert run.code == 3
    assert "pip install 'piiscan-cpni[mssql]'" in run.stderr
    assert "hunter2" not in run.stderr + run.stdout


def test_version_is_the_installed_packages() -> None:
    """`--version`, and what a run records, name the release pip installed."""
    from importlib import metadata

    installed = metadata.version("piiscan-cpni")
    run = run_cli("--version")
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == f"piiscan, version {installed}"
