"""Bad input, end to end through ``piiscan scan``.

For every kind of bad source: one error line on stderr naming the file and
the problem, never a traceback, the good sources of the same invocation still
scanned and in the JSON report, the bad one marked failed or partial, exit
code 3. No value from a bad row may leak into stderr or the report.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from support import ROOT

from scanner.cli import main

PIISCAN = ROOT / ".venv" / "bin" / "piiscan"
SECRETS = ("4111-1111-1111-1111", "SECRET-VALUE-123")
EXIT_PARTIAL = 3


@dataclass
class Outcome:
    """What one scan printed, wrote and returned."""

    code: int
    stderr: str
    report: dict[str, Any]
    report_text: str

    def source(self, path: Path | str) -> dict[str, Any]:
        [found] = [s for s in self.report["sources"] if s["name"] == str(path)]
        return found

    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith("piiscan: error:")]


def write_good(path: Path) -> Path:
    rows = [("Alice Smith", "alice@example.com", "+1 202-555-0143"),
            ("Bob Jones", "bob@example.org", "+1 202-555-0178"),
            ("Carol White", "carol@example.net", "+1 415-555-0111")]
    path.write_text("customer_name,email,phone\n" + "".join(",".join(r) + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.fixture
def piiscan(tmp_path: Path) -> Iterator[Callable[..., Outcome]]:
    """Run ``piiscan scan ... --format json -o FILE`` in-process; restore root logging after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    runner = CliRunner()

    def invoke(*args: str) -> Outcome:
        out = tmp_path / "report.json"
        out.unlink(missing_ok=True)
        res = runner.invoke(main, ["scan", *args, "--no-ner", "--format", "json", "-o", str(out)])
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exc_info
        text = out.read_text(encoding="utf-8")
        return Outcome(res.exit_code, res.stderr, json.loads(text), text)

    yield invoke
    root.handlers[:], root.level = saved[0], saved[1]


# --- the bad inputs ----------------------------------------------------------------
# Each builder returns the path to name on the command line, what the error line
# must say, the statuses allowed and extra CLI options.

@dataclass
class Case:
    path: Path
    problem: str
    statuses: tuple[str, ...] = ("failed",)
    options: tuple[str, ...] = ()


def missing_path(tmp: Path) -> Case:
    return Case(tmp / "no-such-export.csv", "no such file")


def dangling_symlink(tmp: Path) -> Case:
    link = tmp / "latest.csv"
    os.symlink(tmp / "rotated-away.csv", link)
    return Case(link, "no such file")


def glob_matching_nothing(tmp: Path) -> Case:
    return Case(tmp / "exports-*.csv", "no file matches")


def directory_without_data(tmp: Path) -> Case:
    # Files no connector reads are each reported (tests/faults/test_fault_files.py);
    # here nothing is found at all: an empty subdirectory and a hidden file.
    d = tmp / "docs"
    (d / "empty-subdir").mkdir(parents=True)
    (d / ".keep").write_text("", encoding="utf-8")
    return Case(d, "no data files")


def empty_directory(tmp: Path) -> Case:
    d = tmp / "incoming"
    d.mkdir()
    return Case(d, "no data files")


def binary_junk_csv(tmp: Path) -> Case:
    path = tmp / "customers.csv"
    path.write_bytes(bytes(range(256)) * 64 + b"SECRET-VALUE-123\x00\x01")
    return Case(path, "binary")


def empty_file(tmp: Path) -> Case:
    path = tmp / "empty.csv"
    path.write_bytes(b"")
    return Case(path, "empty")


def blank_lines_only(tmp: Path) -> Case:
    path = tmp / "blank.csv"
    path.write_bytes(b"\n\n  \n\r\n")
    return Case(path, "empty")


def _rows(n: int) -> list[str]:
    return [f"{i},user{i}@example.com,Customer {i}" for i in range(n)]


def ragged_rows(tmp: Path) -> Case:
    lines = ["id,email,name", *_rows(30)]
    lines.insert(10, "9,mallory@example.com,Mallory,4111-1111-1111-1111,SECRET-VALUE-123")
    lines.insert(20, "SECRET-VALUE-123")
    path = tmp / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case(path, "line 11", ("partial",))


def unbalanced_quote(tmp: Path) -> Case:
    lines = ["id,email,name", *_rows(30)]
    lines.insert(5, '4,"SECRET-VALUE-123,4111-1111-1111-1111')
    path = tmp / "quotes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Case(path, "line 6", ("partial",))


def undecodable_bytes(tmp: Path) -> Case:
    lines = [s.encode() for s in ["id,email,name", *_rows(30)]]
    lines.insert(12, "11,SECRET-VALUE-123,Jos\xe9 4111-1111-1111-1111".encode("latin-1"))
    path = tmp / "mixed.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return Case(path, "UTF-8", ("failed", "partial"), ("--encoding", "utf-8"))


def late_undecodable_bytes(tmp: Path) -> Case:
    # UTF-8 as far as the sniffer reads; a latin-1 byte far beyond it.
    lines = [s.encode() for s in ["id,email,name", *_rows(5_000)]]
    lines.insert(4_000, "11,SECRET-VALUE-123,Jos\xe9 4111-1111-1111-1111".encode("latin-1"))
    path = tmp / "late.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert path.stat().st_size > 64 * 1024
    return Case(path, "not valid UTF-8", ("failed", "partial"))


def truncated_gzip(tmp: Path) -> Case:
    body = ("id,email,name\n" + "\n".join(_rows(200)) + "\n").encode()
    packed = gzip.compress(body)
    path = tmp / "export.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    return Case(path, "damaged or truncated", ("failed", "partial"))


def truncated_large_gzip(tmp: Path) -> Case:
    # Random-ish rows so the cut lands well after the first 64 KiB of text.
    body = ("id,email,name\n" + "\n".join(
        f"{i},u{i * 7919 % 1000003}@example.com,N{i * 104729 % 999983}" for i in range(60_000)
    ) + "\n").encode()
    packed = gzip.compress(body)
    path = tmp / "big-export.csv.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    return Case(path, "damaged or truncated", ("failed", "partial"))


def junk_parquet(tmp: Path) -> Case:
    path = tmp / "events.parquet"
    path.write_text("this is not parquet SECRET-VALUE-123\n" * 10, encoding="utf-8")
    return Case(path, "Parquet")


def parquet_cut_short(tmp: Path) -> Case:
    path = tmp / "events.parquet"
    pq.write_table(pa.table({"email": [f"u{i}@example.com" for i in range(1000)]}), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return Case(path, "Parquet")


def parquet_damaged_pages(tmp: Path) -> Case:
    # The footer is intact, so the file opens; its compressed pages do not decode.
    path = tmp / "events.parquet"
    pq.write_table(pa.table({"email": [f"u{i}@example.com" for i in range(20_000)]}), path,
                   compression="snappy", row_group_size=5_000)
    data = bytearray(path.read_bytes())
    for k in range(2_000, len(data) // 2, 97):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))
    return Case(path, "damaged Parquet data", ("partial", "failed"))


def binary_named_unknown(tmp: Path) -> Case:
    path = tmp / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 16)
    return Case(path, "binary")


CASES = [missing_path, dangling_symlink, glob_matching_nothing, directory_without_data,
         empty_directory, binary_junk_csv, empty_file, blank_lines_only, ragged_rows,
         unbalanced_quote, undecodable_bytes, late_undecodable_bytes, truncated_gzip,
         truncated_large_gzip, junk_parquet, parquet_cut_short, parquet_damaged_pages,
         binary_named_unknown]


@pytest.mark.parametrize("make", CASES, ids=[c.__name__ for c in CASES])
def test_bad_source_is_one_error_line_and_the_rest_is_scanned(
        tmp_path: Path, piiscan: Callable[..., Outcome], make: Callable[[Path], Case]) -> None:
    good_before = write_good(tmp_path / "a-good.csv")
    good_after = write_good(tmp_path / "z-good.csv")
    case = make(tmp_path)

    run = piiscan(str(good_before), str(case.path), str(good_after), *case.options)

    assert run.code == EXIT_PARTIAL
    assert "Traceback" not in run.stderr
    [line] = run.error_lines()
    assert str(case.path) in line
    assert case.problem.lower() in line.lower()
    assert not [ln for ln in run.stderr.splitlines() if str(case.path) in ln and ln != line]

    bad = run.source(case.path)
    assert bad["status"] in case.statuses
    assert bad["error"] and str(case.path) in bad["error"]
    for good in (good_before, good_after):
        src = run.source(good)
        assert src["status"] == "ok"
        assert [c["name"] for c in src["tables"][0]["columns"]] == ["customer_name", "email",
                                                                    "phone"]
        assert src["tables"][0]["rows_scanned"] == 3
    assert run.report["complete"] is False

    for secret in SECRETS:
        assert secret not in run.stderr
        assert secret not in run.report_text


def test_ragged_rows_are_reported_by_line_and_the_good_rows_scanned(
        tmp_path: Path, piiscan: Callable[..., Outcome]) -> None:
    case = ragged_rows(tmp_path)
    run = piiscan(str(case.path))
    assert run.code == EXIT_PARTIAL
    [table] = run.source(case.path)["tables"]
    assert table["rows_scanned"] == 30
    assert table["warnings"] == ["line 11: 5 fields, expected 3", "line 21: 1 fields, expected 3"]
    emails = [c for c in table["columns"] if c["name"] == "email"]
    assert [e["type"] for e in emails[0]["entities"]] == ["EMAIL_ADDRESS"]


def test_wrong_encoding_option_is_a_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["scan", str(write_good(tmp_path / "a.csv")),
                                    "--encoding", "no-such-codec", "--format", "json"])
    assert res.exit_code == 2
    assert "no-such-codec" in res.stderr


# --- the real process -----------------------------------------------------------------

def _process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PIISCAN), "scan", *args, "--no-ner", "--format", "json"],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(not PIISCAN.exists(), reason="the project's virtualenv is not installed")
def test_process_with_every_kind_of_bad_source(tmp_path: Path) -> None:
    good = write_good(tmp_path / "good.csv")
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    cases = [make(bad_dir) for make in (missing_path, dangling_symlink, binary_junk_csv,
                                        ragged_rows, truncated_gzip, junk_parquet)]
    out = tmp_path / "out.json"
    proc = _process(str(good), *(str(c.path) for c in cases), "-o", str(out))

    assert proc.returncode == EXIT_PARTIAL
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("piiscan: error:")]
    assert len(errors) == len(cases)
    for case, line in zip(cases, errors, strict=True):
        assert str(case.path) in line
    report_text = out.read_text(encoding="utf-8")
    report = json.loads(report_text)
    statuses = {s["name"]: s["status"] for s in report["sources"]}
    assert statuses[str(good)] == "ok"
    assert all(statuses[str(c.path)] in c.statuses for c in cases)
    for secret in SECRETS:
        assert secret not in proc.stderr
        assert secret not in report_text


@pytest.mark.skipif(not PIISCAN.exists(), reason="the project's virtualenv is not installed")
def test_process_good_only_scan_exits_zero(tmp_path: Path) -> None:
    good = write_good(tmp_path / "good.csv")
    proc = _process(str(good), str(tmp_path))  # the file, and the directory holding it
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["complete"] is True
    # The file named and the same file found in its directory are scanned once.
    assert [s["status"] for s in report["sources"]] == ["ok"]
