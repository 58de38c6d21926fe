"""JSON array exports (``[{...}, {...}]``) are tables, and plain text documents are lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from support import run_cli

from connectors import jsonarray
from connectors.base import ConnectorOptions, ReadPlan
from connectors.registry import open_source


def _write(path: Path, records: list) -> Path:
    path.write_text(json.dumps(records, indent=2))
    return path


def _columns(data: dict) -> dict[str, list[tuple[str, str, int]]]:
    return {c["name"]: [(e["type"], e["scope"], e["matched"]) for e in c["entities"]]
            for s in data["sources"] for t in s["tables"] for c in t["columns"]}


def test_an_array_of_objects_is_one_table_with_a_column_per_key(tmp_path: Path) -> None:
    records = [{"id": i, "contact": {"email": f"user{i}@example.org"},
                "tags": ["a", "b"], "note": "called back" if i % 2 else
                f"customer ssn 2{i % 9 + 1}1-4{i % 9}-70{i % 90 + 10:02d} verified"}
               for i in range(120)]
    path = _write(tmp_path / "export.json", records)
    source = open_source(str(path), ConnectorOptions())
    assert isinstance(source, jsonarray.JsonArraySource)
    table = next(iter(source.tables()))
    assert sorted(c.name for c in table.columns) == ["contact.email", "id", "note", "tags"]
    rows = sum(b.num_rows for b in table.batches(ReadPlan(sample_size=None)))
    assert rows == 120
    run = run_cli("scan", str(path), "--format", "json")
    assert run.code == 0, run.stderr
    cols = _columns(run.json())
    assert ("EMAIL_ADDRESS", "value", 120) in cols["contact.email"]
    assert ("US_SSN", "embedded", 60) in cols["note"]


def test_a_long_array_is_read_in_bounded_pieces(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(jsonarray, "_CHUNK", 64)  # objects cut across every buffer refill
    records = [{"n": i, "v": 1.5 * i, "ok": i % 2 == 0, "s": "x" * (i % 7)} for i in range(500)]
    path = _write(tmp_path / "big.json", records)
    table = next(iter(jsonarray.JsonArraySource(str(path), ConnectorOptions()).tables()))
    got = [r for b in table.batches(ReadPlan(sample_size=None, batch_size=100))
           for r in b.to_pylist()]
    assert got == records


def test_fields_whose_type_varies_are_read_as_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "mixed.json", [{"a": 1}, {"a": "two"}, {"a": None, "b": [1, 2]}])
    table = next(iter(jsonarray.JsonArraySource(str(path), ConnectorOptions()).tables()))
    batch = next(table.batches(ReadPlan(sample_size=None)))
    assert batch.column(0).to_pylist() == ["1", "two", None]


def test_gzipped_exports_are_read(tmp_path: Path) -> None:
    path = tmp_path / "export.json.gz"
    path.write_bytes(gzip.compress(json.dumps([{"email": "a@example.org"}] * 5).encode()))
    run = run_cli("scan", str(path), "--format", "json")
    assert run.code == 0, run.stderr
    assert ("EMAIL_ADDRESS", "value", 5) in _columns(run.json())["email"]


def test_a_truncated_array_is_a_one_line_error_and_the_scan_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "cut.json"
    bad.write_text('[{"email": "a@example.org"}, {"email": "secret-value@exam')
    good = _write(tmp_path / "ok.json", [{"email": "b@example.org"}] * 3)
    run = run_cli("scan", str(bad), str(good), "--format", "json")
    assert run.code == 3
    errors = [line for line in run.stderr.splitlines() if "cut.json" in line]
    assert len(errors) == 1
    assert "secret-value" not in run.stderr + run.stdout
    assert ("EMAIL_ADDRESS", "value", 3) in _columns(run.json())["email"]


def test_a_json_document_that_is_not_an_array_of_objects_is_not_claimed(tmp_path: Path) -> None:
    config = tmp_path / "settings.json"
    config.write_text('{"debug": true, "level": 3}')
    numbers = tmp_path / "numbers.json"
    numbers.write_text("[1, 2, 3]")
    for path in (config, numbers):
        assert not isinstance(open_source(str(path), ConnectorOptions()),
                              jsonarray.JsonArraySource)


def test_plain_text_documents_are_one_column_of_lines(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(
        "Dear team, the customer called again today, and asked about the bill.\n"
        "He said, politely, that the SSN on file, 234-56-7890, is wrong.\n"
        "We agreed to call back at (212) 555-0142 tomorrow.\n"
        "Thanks, regards, Support.\n")
    log = tmp_path / "app.log"
    log.write_text(
        "2024-03-15 10:22:33,123 INFO user=jdoe email=jdoe@example.org action=login\n"
        "2024-03-15 10:22:34,456 WARN retry count=3 host=gw1\n"
        "2024-03-15 10:22:35,789 INFO card=4111-1111-1111-1111 charged amount=20\n")
    run = run_cli("scan", str(letter), str(log), "--format", "json")
    assert run.code == 0, run.stderr
    tables = {t["name"]: t for s in run.json()["sources"] for t in s["tables"]}
    for name, expected in (("letter.txt", {"US_SSN", "PHONE_NUMBER"}),
                           ("app.log", {"EMAIL_ADDRESS", "CREDIT_CARD"})):
        (col,) = tables[name]["columns"]
        assert {e["type"] for e in col["entities"] if e["scope"] == "embedded"} >= expected
    assert "234-56-7890" not in run.stdout
