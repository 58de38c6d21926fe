"""``--explain``: every column says what was found and why, or how it was read and why not.

The notes travel in the JSON result, so a saved run explains itself with
``piiscan report --explain``; they hold counts and detector names, never values.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from support import run_cli


def _export(path: Path, rows: int = 4_000) -> None:
    rng = random.Random(3)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["email", "amount", "status", "signup_date", "opted_in"])
        for i in range(rows):
            w.writerow([f"member{i}@example.net", f"{rng.uniform(1, 500):.2f}",
                        rng.choice(["active", "suspended", "closed"]),
                        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        rng.choice(["true", "false"])])


def _section(stdout: str) -> dict[str, str]:
    """Each column's explanation (its lines joined) from the table report."""
    text = stdout.split("Every column, explained", 1)[1]
    out: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("  ") and not line.startswith("    ") and ": " in line:
            current = line.strip().split(": ", 1)[0].rsplit(".", 1)[-1]
            out[current] = line.strip()
        elif line.startswith("    ") and current:
            out[current] += " | " + line.strip()
    return out


def test_explain_says_why_for_every_column(tmp_path: Path) -> None:
    data = tmp_path / "members.csv"
    _export(data)
    run = run_cli("scan", str(data), "--no-store", "--no-ner", "--explain")
    assert run.code == 0, run.stderr
    said = _section(run.stdout)
    assert set(said) == {"email", "amount", "status", "signup_date", "opted_in"}
    assert "EMAIL_ADDRESS" in said["email"] and "column name" in said["email"]
    assert "nothing found" in said["amount"] and "read as numbers" in said["amount"]
    assert "read as dates" in said["signup_date"]
    assert "3 distinct" in said["status"]
    # Counts and detector names only: no value of the file is shown.
    for value in ("member0@example.net", "suspended", "2024-"):
        assert value not in run.stdout


def test_a_saved_result_explains_itself(tmp_path: Path) -> None:
    data = tmp_path / "members.csv"
    _export(data)
    saved = tmp_path / "result.json"
    run = run_cli("scan", str(data), "--no-store", "--no-ner", "--format", "json", "-o",
                  str(saved))
    assert run.code == 0, run.stderr
    columns = {c["name"]: c for s in json.loads(saved.read_text())["sources"]
               for t in s["tables"] for c in t["columns"]}
    assert any("read as numbers" in n for n in columns["amount"]["notes"])
    again = run_cli("report", str(saved), "--format", "table", "--explain")
    assert again.code == 0, again.stderr
    assert "read as dates" in _section(again.stdout)["signup_date"]
    plain = run_cli("report", str(saved), "--format", "table")
    assert "Every column, explained" not in plain.stdout
