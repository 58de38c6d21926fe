"""The no-leak check (test_no_leak.py) extended to the privacy site.

The same distinctive values of every kind, scanned twice into a results store
(the second time with debug logging and the broken files that make error
paths run), then ``piiscan site`` with debug logging (``-vv``): not one raw value may
appear in any file of the site (pages, per-run reports, the search index, the
manifest), nor in what the command printed.
"""

from __future__ import annotations

from pathlib import Path

from support import run_cli
from test_no_leak import SECRETS, _assert_clean, _write


def test_no_raw_value_anywhere_in_the_site(tmp_path: Path) -> None:
    sources = _write(tmp_path)
    store = tmp_path / "store" / "results.db"
    first = run_cli("scan", sources[0], "--store", str(store), "-q")
    assert first.code == 0, first.stderr
    second = run_cli("scan", *sources, "--store", str(store), "-q", "--debug")
    assert second.code == 3, second.stderr  # partial: the ragged and truncated files
    site = tmp_path / "site"
    run = run_cli("site", "--store", str(store), "-o", str(site), "-vv")
    assert run.code == 0, run.stderr
    files = [p for p in site.rglob("*") if p.is_file()]
    # The site really shows the findings: column pages, masked evidence, two run reports.
    assert len([p for p in files if p.parent.name == "columns"]) >= 12
    assert (site / "runs" / "2-report.html").exists()
    assert "<code>" in "".join(p.read_text("utf-8") for p in files
                               if p.parent.name == "columns")
    for path in files:
        _assert_clean(path.read_text("utf-8"), f"the site's {path.relative_to(site)}")
    _assert_clean(run.stdout, "standard output")
    _assert_clean(run.stderr, "the log and error lines")
    assert SECRETS["email"] not in run.stderr
