"""A user scans a ticket-notes export, an access log and a JSON Lines log: PII inside values.

The notes, log lines and payloads are generated here; the SSNs, cards and
phone numbers follow the SSA, Luhn and NANP rules (see tests/detectors/test_embedded.py).
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from support import run_cli

from scanner.model import Detection, ScanResult

SSN_NOTE = "Customer called to update billing, SSN {} verified by agent"
FILLER = ("modem reset remotely", "Order #48213377 shipped", "called, no answer",
          "2024-03-15 outage ticket closed", "upgraded to version 10.2.1.5",
          "request id 550e8400-e29b-41d4-a716-446655440000 failed")


def _ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def _findings(data: dict) -> dict[tuple[str, str], Detection]:
    result = ScanResult.from_dict(data)
    out = {}
    for s in result.sources:
        for t in s.tables:
            for c in t.columns:
                for d in c.detections:
                    out[(c.ref.column, d.entity)] = d
    return out


@pytest.fixture(scope="module")
def tickets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], int]:
    rng = random.Random(5)
    secrets: list[str] = []
    rows = []
    for i in range(2_000):
        if i % 40 == 7:  # 50 of 2,000 notes
            value = _ssn(rng)
            secrets.append(value)
            rows.append((i, SSN_NOTE.format(value)))
        else:
            rows.append((i, rng.choice(FILLER)))
    path = tmp_path_factory.mktemp("tickets") / "tickets.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket_id", "notes"])
        writer.writerows(rows)
    return path, secrets, len(secrets)


def test_ssns_in_ticket_notes_are_reported_as_embedded(tickets) -> None:  # noqa: ANN001
    path, _, hits = tickets
    run = run_cli("scan", str(path), "--format", "json")
    assert run.code == 0, run.stderr
    found = _findings(run.json())
    ssn = found[("notes", "US_SSN")]
    assert (ssn.scope, ssn.matched, ssn.sampled) == ("embedded", hits, 2_000)
    assert ssn.confidence >= 0.9  # next to "SSN"
    notes = next(c for s in run.json()["sources"] for t in s["tables"] for c in t["columns"]
                 if c["name"] == "notes")
    # Policy categories treat it like a column of SSNs.
    assert "customer_provided" in notes["categories"]
    assert all(d.scope == "value" for (col, _), d in found.items() if col == "ticket_id")


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "csv", "html", "json", "sarif", "junit"])
def test_reports_say_how_many_values_hold_it_and_never_the_value(tickets, fmt: str) -> None:  # noqa: ANN001
    path, secrets, hits = tickets
    run = run_cli("scan", str(path), "--format", fmt)
    assert run.code == 0, run.stderr
    out = run.stdout + run.stderr
    if fmt == "csv":
        assert f"embedded {hits}/2000" in out
    elif fmt == "terminal":
        # The entity cell may fold at the report's fixed width; the Sample column says it.
        assert f"{hits} of 2,000 values" in out
    elif fmt != "json":
        assert f"in {hits} of 2,000 values" in out
    for value in secrets:
        assert value not in out
        assert value.replace("-", "") not in out


def test_access_log_query_strings_and_referrers(tmp_path: Path) -> None:
    lines = []
    for i in range(200):
        req = "GET /static/app.js HTTP/1.1"
        ref = "https://portal.example.net/home"
        if i % 10 == 0:
            req = f"GET /account?email=user{i}%40example.org&phone=212-555-01{i % 90:02d} HTTP/1.1"
        if i % 25 == 0:
            ref = f"https://portal.example.net/verify?ssn=2345678{i % 90:02d}&step=2"
        lines.append(f'203.0.113.{i % 250 + 1} - - [15/Mar/2024:10:22:{i % 60:02d} +0000] '
                     f'"{req}" 200 512 "{ref}" "Mozilla/5.0 (X11; Linux x86_64)"')
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    run = run_cli("scan", str(path), "--format", "json")
    assert run.code == 0, run.stderr
    found = _findings(run.json())
    assert found[("request", "EMAIL_ADDRESS")].scope == "embedded"
    assert found[("request", "EMAIL_ADDRESS")].matched == 20
    assert found[("request", "PHONE_NUMBER")].matched == 20
    assert found[("referer", "US_SSN")].matched == 8
    assert "user0@example.org" not in run.stdout


def test_json_lines_message_fields(tmp_path: Path) -> None:
    rng = random.Random(9)
    records = []
    for i in range(300):
        msg = "healthcheck ok"
        if i % 3 == 0:
            msg = json.dumps({"event": "signup", "ssn": f"{rng.randint(100, 665)}"
                              f"{rng.randint(10, 99)}{rng.randint(1000, 9999)}"})
        elif i % 3 == 1:
            msg = f"user=u{i} action=login src_ip=198.51.100.{i % 250 + 1} result=ok"
        records.append({"ts": f"2024-03-15T10:{i % 60:02d}:00Z", "level": "info",
                        "message": msg})
    path = tmp_path / "app.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    run = run_cli("scan", str(path), "--format", "json")
    assert run.code == 0, run.stderr
    found = _findings(run.json())
    assert found[("message", "US_SSN")].matched == 100
    assert found[("message", "US_SSN")].scope == "embedded"
    assert found[("message", "IP_ADDRESS")].matched == 100
    assert not any(col == "ts" for col, _ in found)


def test_a_result_written_before_scopes_still_loads(tmp_path: Path) -> None:
    old = {
        "schema_version": 1, "started_at": "", "finished_at": "", "seconds": 0.1,
        "sources": [{"name": "x.csv", "kind": "csv", "status": "ok", "tables": [{
            "name": "x.csv", "status": "ok", "rows_scanned": 3, "rows_total": 3,
            "columns": [{"name": "email", "position": 0, "data_type": "string",
                         "categories": ["customer_provided"], "cpni": False,
                         "entities": [{"type": "EMAIL_ADDRESS", "detector": "email",
                                       "confidence": 0.9, "matched": 3, "sampled": 3,
                                       "reasons": ["valid address 3/3"],
                                       "evidence": ["j***@example.com"]}]}]}]}],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    assert _findings(old)[("email", "EMAIL_ADDRESS")].scope == "value"
    run = run_cli("report", str(path), "--format", "json")
    assert run.code == 0, run.stderr
    det = run.json()["sources"][0]["tables"][0]["columns"][0]["entities"][0]
    assert det["scope"] == "value"
