"""Item 13: ``--cdr-layout`` claims only the files whose lines fit it.

A fixed-width layout without a record pattern used to claim every text or
binary file long enough for it: CSV, Parquet, JSON Lines and access logs were
sliced into call-record columns, the SSNs in them went unreported and the
status said ok. A line now fits a layout when the columns between its fields
are blank and its typed fields parse; with fields side by side, when the
records share one width. Binary files are never records.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support import ROOT

NAMES = ["Zelda Quill", "Orin Rhea", "Kara Ansel", "Tomas Vey", "Ilse Marrow", "Devi Okafor",
         "Bram Tully", "Nell Oduya", "Paz Imber", "Luca Fenn", "Rosa Delgado", "Hal Brisco"]
# Area 512+, group 31+, serial 4127+: valid by the SSA's rules, none of them advertised.
SSNS = [f"{512 + 7 * i:03d}-{31 + i:02d}-{4127 + 371 * i:04d}" for i in range(len(NAMES))]
EMAILS = [n.lower().replace(" ", ".") + "@example.org" for n in NAMES]

SPACED = """\
name: site-pbx
fields:
  - {name: date, start: 1, width: 5}
  - {name: start_time, start: 7, width: 5}
  - {name: duration, start: 13, width: 8, type: hms}
  - {name: extension, start: 22, width: 4, type: phone}
  - {name: dialled_number, start: 27, width: 15, type: phone}
"""
# The same record with no blank column between fields, and every field text.
PACKED = """\
name: packed-pbx
fields:
  - {name: stamp, start: 1, width: 12}
  - {name: duration, start: 13, width: 9}
  - {name: extension, start: 22, width: 5}
  - {name: dialled_number, start: 27, width: 15}
"""


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A directory of ordinary exports beside one fixed-width SMDR file."""
    data = tmp_path / "exports"
    data.mkdir()
    rows = list(zip(NAMES, EMAILS, SSNS, strict=True))
    (data / "customers.csv").write_text(
        "full_name,email,ssn\n" + "".join(f"{n},{m},{s}\n" for n, m, s in rows))
    pq.write_table(pa.table({"full_name": NAMES, "ssn": SSNS}), data / "customers.parquet")
    (data / "events.jsonl").write_text(
        "".join(json.dumps({"name": n, "email": m, "ssn": s}) + "\n" for n, m, s in rows))
    (data / "access.log").write_text("".join(
        f'203.0.113.{10 + 9 * i} - - [02/Dec/2026:09:{i:02d}:17 +0000] '
        f'"GET /{"billing/" * (i % 3)}account/{37 ** (i % 5)} HTTP/1.1" {200 + 102 * (i % 3)} '
        f'{512 + 97 * i} "-" "Mozilla/5.0 (X11; Linux x86_64)"\n' for i in range(12)))
    (data / "smdr.txt").write_text("".join(
        f"12/01 09:{i:02d} 00:0{i % 6}:{(7 * i) % 60:02d} {210 + i:<4} "
        f"{'1415555' + str(1000 + 37 * i):<15}\n" for i in range(12)))
    return data


@pytest.mark.parametrize("layout_text", [SPACED, PACKED], ids=["gaps", "side-by-side"])
def test_a_layout_leaves_other_formats_to_their_readers(mixed: Path, tmp_path: Path,
                                                        layout_text: str) -> None:
    layout = tmp_path / "layout.yaml"
    layout.write_text(layout_text)
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", str(mixed), "--cdr-layout", str(layout),
         "--no-store", "--no-ner", "-q", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    tables = {Path(s["name"]).name: t for s in json.loads(proc.stdout)["sources"]
              for t in s["tables"]}
    formats = {name: t["format"]["name"] for name, t in tables.items()}
    assert formats == {
        "access.log": "access-log",
        "customers.csv": "delimited-text",
        "customers.parquet": "parquet",
        "events.jsonl": "json-lines",
        "smdr.txt": "smdr-fixed-width",
    }
    for name in ("customers.csv", "customers.parquet", "events.jsonl"):
        found = {e["type"] for c in tables[name]["columns"] for e in c["entities"]}
        assert "US_SSN" in found, name
    smdr = tables["smdr.txt"]
    assert smdr["status"] == "ok" and smdr["rows_scanned"] == 12
