"""Item 3: control characters in file, table or column names never reach a terminal raw.

A clear-screen, a colour and an OSC-8 link in a file name and in a column name
used to reach the terminal report, the stderr log lines and Markdown as they
were. They are now shown as escapes (``\\x1b``); Markdown and ``diff`` tables
also keep pipes, newlines and HTML of a name inside its cell.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from support import run_cli

from reports import build_report, render
from scanner.model import ScanResult
from scanner.policy import Policy
from scanner.policy.residency import assess
from scanner.redact import printable

ESC = "\x1b"
EVIL_FILE = "evil\x1b[2J\x1b]8;;https:\\\\x\x07link\x1b]8;;\x07.csv"
EVIL_COLUMN = "email\x1b[31m|<b>red</b>\u202e"


def _data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / EVIL_FILE).write_text(f'"{EVIL_COLUMN}",id\nzelda@example.org,1\nquill@example.org,2\n')
    (d / "bad\x1b[2Jfile.csv").write_bytes(b"\x00\x01\x02" * 100)
    return d


def _clean(text: str, where: str) -> None:
    assert ESC not in text and "\x07" not in text and "\u202e" not in text, where


def test_printable_escapes_controls_and_keeps_the_rest() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("line\nnext") == "line\\x0anext"
    assert printable("line\nnext", keep_newlines=True) == "line\nnext"
    assert printable("Zoë ✓ 東京") == "Zoë ✓ 東京"


def test_terminal_markdown_and_log_lines_show_escapes(tmp_path: Path) -> None:
    data = _data(tmp_path)
    for fmt in ("table", "markdown"):
        out = run_cli("scan", str(data), "--format", fmt, "--no-store", "--no-ner", "-q")
        assert out.code == 3, out.stderr
        _clean(out.stdout, f"--format {fmt}")
        _clean(out.stderr, "stderr")
        assert "\\x1b[2J" in out.stdout
        assert "\\x1b[2J" in out.stderr  # the broken file's error line names it, escaped
    # The machine formats keep the exact names (JSON escapes them itself).
    js = run_cli("scan", str(data), "--format", "json", "--no-store", "--no-ner", "-q")
    names = {s["name"] for s in json.loads(js.stdout)["sources"]}
    assert str(data / EVIL_FILE) in names


def test_diff_table_and_markdown_escape_names(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("id\n1\n2\n")
    store = tmp_path / "store.db"
    run_cli("scan", str(data), "--no-ner", "-q", "--store", str(store), "--format", "json")
    # The same configuration (the directory) again: two new files with hostile names.
    (data / EVIL_FILE).write_text(f'"{EVIL_COLUMN}",id\nzelda@example.org,1\n')
    (data / "new\nline|<i>x<i>.csv").write_text("email\nquill@example.org\n")
    run_cli("scan", str(data), "--no-ner", "-q", "--store", str(store), "--format", "json")
    for fmt in ("table", "markdown"):
        out = run_cli("diff", "--store", str(store), "--format", fmt)
        assert out.code == 1, out.stderr  # something new
        _clean(out.stdout + out.stderr, f"diff --format {fmt}")
        if fmt == "markdown":
            assert "<i>" not in out.stdout and "\\|" in out.stdout
            rows = [line for line in out.stdout.splitlines() if "line" in line]
            assert rows and all(r.startswith("|") and r.endswith("|") for r in rows), rows
        else:
            assert "new\\x0aline" in out.stdout


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_report_on_a_tty_keeps_its_styles_but_not_the_names_controls(
        tmp_path: Path) -> None:
    data = _data(tmp_path)
    js = run_cli("scan", str(data), "--format", "json", "--no-store", "--no-ner", "-q")
    result = ScanResult.from_dict(json.loads(js.stdout))
    policy = Policy.load(None)
    report = build_report(result, policy, assess(result, policy, None))
    for fmt in ("terminal", "markdown"):
        out = _Tty()
        render(fmt, report, out=out)
        text = out.getvalue()
        for raw in ("\x1b[2J", "\x1b]8;;", "\x07", "\u202e"):  # rich styles are its own
            assert raw not in text, (fmt, raw)
        assert "\\x1b[2J" in text
