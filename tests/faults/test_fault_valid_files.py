"""Item 15: valid files are not read as broken.

- A JSON Lines file whose fields first appear after 4 MiB was marked partial
  (Arrow's streaming reader fixes the columns from its first block) and the
  late fields were never scanned.
- A quoted CSV header cell holding a newline failed the whole file.
- One byte that is not UTF-8, or a 0x1F, in an access log voided the log.

Now the late fields are scanned (in a sample too, without counting as rows),
the header is read as one record, and a log loses at most the one line, named
by its number.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import ROOT


def _scan(path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", str(path), *args, "--no-store", "--no-ner",
         "-q", "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, json.loads(proc.stdout)["sources"][0]


def _found(source: dict) -> dict[str, set[str]]:
    return {c["name"]: {e["type"] for e in c["entities"]}
            for t in source["tables"] for c in t["columns"]}


def _ssn(i: int) -> str:
    return f"{512 + i % 97:03d}-{31 + i % 61:02d}-{4127 + i % 5000:04d}"


def _late_fields(path: Path) -> int:
    """Page views for 5 MiB, then sign-ups with fields never seen before; return the rows."""
    rows = 0
    with path.open("w") as fh:
        while fh.tell() < 5 * 1024 * 1024:
            fh.write(json.dumps({"id": rows, "event": "page_view",
                                 "path": f"/catalog/item/{rows % 977}",
                                 "ms": 20 + rows % 300}) + "\n")
            rows += 1
        for j in range(300):
            fh.write(json.dumps({"id": rows, "event": "signup",
                                 "email": f"member{j}@example.org", "ssn": _ssn(j)}) + "\n")
            rows += 1
    return rows


def test_fields_first_seen_after_4_mib_are_scanned_in_full(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    rows = _late_fields(path)
    proc, source = _scan(path, "--full")
    assert proc.returncode == 0, proc.stderr
    assert source["status"] == "ok"
    assert source["tables"][0]["rows_scanned"] == rows
    found = _found(source)
    assert found["email"] == {"EMAIL_ADDRESS"} and found["ssn"] == {"US_SSN"}


def test_fields_first_seen_after_4_mib_are_scanned_in_a_sample(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    _late_fields(path)
    proc, source = _scan(path)
    assert proc.returncode == 0, proc.stderr
    assert source["status"] == "ok"
    assert source["tables"][0]["rows_scanned"] == 10_000  # the sample, not the look-ahead
    found = _found(source)
    assert found["email"] == {"EMAIL_ADDRESS"} and found["ssn"] == {"US_SSN"}


def test_a_quoted_header_cell_may_hold_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    rows = [("Zelda Quill", "zelda.q@example.org", _ssn(1)),
            ("Orin Rhea", "orin.rhea@example.net", _ssn(2)),
            ("Kara Ansel", "k.ansel@example.com", _ssn(3)),
            ("Tomas Vey", "tvey@example.org", _ssn(4))]
    path.write_text('"Customer\nName","E-mail\r\naddress",SSN\n'
                    + "".join(",".join(r) + "\n" for r in rows))
    proc, source = _scan(path)
    assert proc.returncode == 0, proc.stderr
    table = source["tables"][0]
    assert table["status"] == "ok" and table["rows_scanned"] == 4
    assert _found(source) == {"Customer Name": {"PERSON_NAME"},
                              "E-mail address": {"EMAIL_ADDRESS"}, "SSN": {"US_SSN"}}


def _log_line(i: int) -> bytes:
    return (f'198.51.100.{10 + i} - - [02/Dec/2026:09:{i:02d}:17 +0000] '
            f'"GET /statements/{4000 + 17 * i} HTTP/1.1" 200 {512 + 31 * i} "-" '
            f'"Mozilla/5.0 (X11; Linux x86_64)"').encode()


def test_a_bad_byte_costs_an_access_log_one_line(tmp_path: Path) -> None:
    lines = [_log_line(i) for i in range(40)]
    lines[7] = lines[7].replace(b"Linux", b"Lin\xffux")  # not UTF-8
    path = tmp_path / "access.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    proc, source = _scan(path)
    assert proc.returncode == 3, proc.stderr
    table = source["tables"][0]
    assert table["status"] == "partial" and table["rows_scanned"] == 39
    assert table["warnings"] == ["line 8: bytes that are not UTF-8, skipped"]
    assert _found(source)["remote_host"] == {"IP_ADDRESS"}
    errors = [ln for ln in proc.stderr.splitlines() if "access.log" in ln]
    assert len(errors) == 1 and "line 8" in errors[0]


def test_a_unit_separator_in_an_access_log_is_read(tmp_path: Path) -> None:
    lines = [_log_line(i) for i in range(40)]
    lines[12] = lines[12].replace(b"(X11;", b"(X11;\x1f")
    lines[20] = b"\x1f"  # a line of nothing but the control character
    path = tmp_path / "access.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    proc, source = _scan(path)
    assert proc.returncode == 3, proc.stderr
    table = source["tables"][0]
    assert table["rows_scanned"] == 39
    assert table["warnings"] == ["line 21: not a log line"]
    assert _found(source)["user_agent"] == {"USER_AGENT"}
