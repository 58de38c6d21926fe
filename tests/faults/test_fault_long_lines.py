"""Item 8: a huge line costs that line, not minutes and hundreds of MB.

A 100 MB single-line file took 140 s and 654 MB; a 2 MiB first line of
comma-separated noise became 54,000 "columns" judged one by one (more than ten
minutes); a long line in the middle of a CSV failed the whole file. Now a
line past a real bound is skipped and named by its number, the rest is read;
a first line wider than any export is one error naming the file and line.

The scanner runs as a child process; its peak memory is read from wait4.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from support import ROOT

NOISE_MB = 40


def _noise(size: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789 ,;") -> str:
    rng = random.Random(8)
    block = "".join(rng.choice(alphabet) for _ in range(1 << 16))
    return (block * (size // len(block) + 1))[:size]


def _scan(path: Path, tmp: Path) -> tuple[int, str, dict, int]:
    """Scan one file; return exit code, stderr, the source's JSON and peak RSS in MiB."""
    out, err = tmp / "out.json", tmp / "err.txt"
    with out.open("w") as fo, err.open("w") as fe:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanner", "scan", str(path), "--no-store", "--no-ner",
             "-q", "--format", "json"], cwd=ROOT, stdout=fo, stderr=fe)
        watchdog = threading.Timer(180, proc.kill)  # a hang fails the test, not the suite
        watchdog.start()
        # The scanner's own high-water mark (VmHWM starts afresh at exec). getrusage's
        # ru_maxrss would also count the test process's pages the child had before exec,
        # which is the whole test session's memory when the suite runs in one process.
        peak_kib = 0
        while proc.poll() is None:
            peak_kib = max(peak_kib, _vm_hwm_kib(proc.pid))
            time.sleep(0.02)
        watchdog.cancel()
    stderr = err.read_text()
    assert "Traceback" not in stderr, stderr
    return (proc.returncode, stderr, json.loads(out.read_text())["sources"][0], peak_kib // 1024)


def _vm_hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def test_a_huge_line_in_a_csv_is_skipped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    with path.open("w") as fh:
        fh.write("name,email\nZelda Quill,zelda.q@example.org\n")
        fh.write(_noise(NOISE_MB << 20) + "\n")
        fh.write("Orin Rhea,orin.rhea@example.net\nKara Ansel,k.ansel@example.com\n")
    code, stderr, source, peak = _scan(path, tmp_path)
    assert code == 3, stderr
    table = source["tables"][0]
    assert table["rows_scanned"] == 3  # the rows before and after the long line
    assert table["warnings"][0].startswith("line 3: longer than")
    assert {e["type"] for c in table["columns"] for e in c["entities"]} >= {"EMAIL_ADDRESS"}
    errors = [ln for ln in stderr.splitlines() if "contacts.csv" in ln]
    assert len(errors) == 1 and "line 3" in errors[0]
    assert peak < 400, f"peak RSS {peak} MiB"


def test_a_first_line_wider_than_any_export_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "blob.csv"
    path.write_text(_noise((1 << 21) - 4096, "abcdefghij,") + "\n"
                    + "".join(f"row{i},member{i}@example.org\n" for i in range(50)))
    code, stderr, source, _peak = _scan(path, tmp_path)
    assert code == 3
    assert source["status"] == "failed"
    errors = [ln for ln in stderr.splitlines() if "blob.csv" in ln]
    assert len(errors) == 1 and "line 1 has" in errors[0] and "more than 16,384" in errors[0]


def test_a_huge_line_in_json_lines_is_skipped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with path.open("w") as fh:
        fh.write(json.dumps({"email": "zelda.q@example.org"}) + "\n")
        fh.write(json.dumps({"note": _noise(NOISE_MB << 20)}) + "\n")
        fh.write(json.dumps({"email": "orin.rhea@example.net"}) + "\n")
    code, stderr, source, peak = _scan(path, tmp_path)
    assert code == 3, stderr
    table = source["tables"][0]
    assert table["rows_scanned"] == 2
    assert table["warnings"] == ["line 2: longer than 16 MiB, not read"]
    assert peak < 400, f"peak RSS {peak} MiB"


def test_a_huge_line_in_an_access_log_is_skipped_and_named(tmp_path: Path) -> None:
    lines = [f'198.51.100.{10 + i} - - [02/Dec/2026:09:{i:02d}:17 +0000] "GET /bill/{i} '
             f'HTTP/1.1" 200 {700 + i} "-" "Mozilla/5.0 (X11; Linux x86_64)"' for i in range(30)]
    lines[5] = lines[5].replace("/bill/5", "/bill/" + "x" * (4 << 20))
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    code, stderr, source, _peak = _scan(path, tmp_path)
    assert code == 3, stderr
    table = source["tables"][0]
    assert table["rows_scanned"] == 29
    assert table["warnings"] == ["line 6: longer than 65536 bytes"]
