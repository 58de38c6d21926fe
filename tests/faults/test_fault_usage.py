"""Item 16: options that cannot work are usage errors (exit 2, one error line), before scanning."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import run_cli

BAD_LAYOUT = "fields:\n  - {name: caller, start: 0}\n"  # no width, start must be >= 1


@pytest.mark.parametrize(("args", "said"), [
    (("--sample-size", "999999999999"), "--sample-size"),
    (("--query-timeout", "nan"), "--query-timeout"),
    (("--query-timeout", "inf"), "--query-timeout"),
    (("--query-timeout", "1e308"), "--query-timeout"),
    (("--cdr-format", "no-such-format"), "--cdr-format"),
    (("--cdr-layout", "{layout}"), "invalid CDR layout"),
    (("--notify", "https://user:S3cretPw@hooks.example/x"), "--notify"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    data = tmp_path / "a.csv"
    data.write_text("email\nzelda@example.org\n")
    layout = tmp_path / "layout.yaml"
    layout.write_text(BAD_LAYOUT)
    out = run_cli("scan", str(data), "--no-ner", "-q",
                  *[a.format(layout=layout) for a in args])
    assert out.code == 2, out.stderr
    assert "Traceback" not in out.stderr
    errors = [line for line in out.stderr.splitlines() if "rror" in line]
    assert len(errors) == 1 and said in errors[0], out.stderr
    assert "S3cretPw" not in out.stderr
    assert "zelda" not in out.stdout  # nothing was scanned


def test_a_layout_with_an_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("email\nzelda@example.org\n")
    layout = tmp_path / "layout.yaml"
    layout.write_text("encoding: klingon-8\nfields:\n  - {name: caller, start: 1, width: 10}\n")
    out = run_cli("scan", str(data), "--no-ner", "-q", "--cdr-layout", str(layout))
    assert out.code == 2, out.stderr
    errors = [line for line in out.stderr.splitlines() if "rror" in line]
    assert len(errors) == 1 and "encoding" in errors[0] and "layout.yaml" in errors[0], errors


def test_known_cdr_format_is_still_accepted(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("email\nzelda@example.org\n")
    out = run_cli("scan", str(data), "--no-ner", "-q", "--no-store",
                  "--cdr-format", "generic-call-log")
    assert out.code in (0, 3), out.stderr
    assert "Traceback" not in out.stderr
