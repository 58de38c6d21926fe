"""JSON Lines exports: nested objects flattened to dotted columns, lists scanned as text."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from support import run_cli

from scanner.core.config import ScanConfig
from scanner.core.engine import scan


def _records(n: int) -> list[dict]:
    rng = random.Random(11)
    return [{"id": i,
             "customer": {"name": "Ada Lovelace", "email": f"user{i}@example.com",
                          "address": {"zip": f"{rng.randint(10000, 99999)}"}},
             "phones": [f"(617) 555-{rng.randint(0, 9999):04d}"],
             "ip": f"203.0.113.{i % 250 + 1}",
             "items": [{"sku": "X1", "qty": 2}]} for i in range(n)]


def _flagged(path: Path) -> dict[str, set[str]]:
    result = scan([str(path)], ScanConfig(ner=False))
    (source,) = result.sources
    assert source.kind == "jsonl" and source.status.value == "ok", source.error
    return {c.ref.column: set(c.entities) for c in source.tables[0].columns}


def test_nested_fields_become_dotted_columns(tmp_path: Path) -> None:
    path = tmp_path / "customers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records(200)))
    cols = _flagged(path)
    assert cols["customer.email"] == {"EMAIL_ADDRESS"}
    assert cols["customer.name"] == {"PERSON_NAME"}
    assert cols["customer.address.zip"] == {"POSTAL_ADDRESS"}
    assert cols["phones"] == {"PHONE_NUMBER"}
    assert cols["ip"] == {"IP_ADDRESS"}
    assert cols["id"] == set() and cols["items"] == set()


def test_gzipped_and_json_suffix(tmp_path: Path) -> None:
    gz = tmp_path / "export.ndjson.gz"
    gz.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in _records(50)).encode()))
    assert _flagged(gz)["customer.email"] == {"EMAIL_ADDRESS"}
    plain = tmp_path / "export.json"
    plain.write_text("".join(json.dumps(r) + "\n" for r in _records(50)))
    assert _flagged(plain)["ip"] == {"IP_ADDRESS"}


def test_a_bad_line_is_one_error_and_no_content(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\n{"a": 2}\nnot json 4111-1111-1111-1111\n')
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in _records(20)))
    run = run_cli("scan", str(bad), str(good), "--format", "json")
    assert run.code == 3
    errors = [ln for ln in run.stderr.splitlines() if "error" in ln]
    assert len(errors) == 1 and "bad.jsonl" in errors[0] and "line 3" in errors[0]
    assert "4111" not in run.stderr and "4111" not in run.stdout
    # The bad line is skipped, the lines around it are read.
    statuses = {Path(s["name"]).name: s["status"] for s in run.json()["sources"]}
    assert statuses == {"bad.jsonl": "partial", "good.jsonl": "ok"}
