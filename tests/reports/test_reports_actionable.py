"""Reports people act on, through the real CLI: what changed since the last recorded run,
the sample behind each verdict and the policy's next step per finding."""

from __future__ import annotations

from pathlib import Path

from support import run_cli

ROWS = 60


def _write(folder: Path, with_phone: bool) -> None:
    head = "customer_email,note" + (",mobile_phone" if with_phone else "")
    lines = [head]
    for i in range(ROWS):
        row = f"client{i}@example.net,order {i} shipped"
        if with_phone:
            row += f",+1 415 555 {1000 + i:04d}"
        lines.append(row)
    (folder / "customers.csv").write_text("\n".join(lines) + "\n")


def test_second_run_says_what_changed_with_sample_and_next_step(tmp_path: Path) -> None:
    data = tmp_path / "exports"
    data.mkdir()
    store = tmp_path / "results.db"
    common = ("--no-ner", "--store", str(store), "--format", "table")
    _write(data, with_phone=False)
    first = run_cli("scan", str(data), *common)
    assert first.code == 0, first.stderr
    assert "first recorded run of this configuration" in first.stdout
    assert f"{ROWS} of {ROWS} values" in first.stdout  # the sample behind the email verdict
    assert "mask" in first.stdout  # customer-provided data: the bundled policy says mask

    _write(data, with_phone=True)
    second = run_cli("scan", str(data), *common)
    assert second.code == 0, second.stderr
    assert "Changed since the last run: since run 1" in second.stdout
    assert "1 new, 0 changed, 0 removed PII columns" in second.stdout
    assert "+ " in second.stdout and "customers.csv/mobile_phone" in second.stdout
    assert "client1@example.net" not in second.stdout  # no raw value reaches the report

    html = tmp_path / "run2.html"
    again = run_cli("report", "--run", "2", "--store", str(store), "-o", str(html))
    assert again.code == 0, again.stderr
    page = html.read_text()
    assert '<section id="changes">' in page and 'class="badge b-new">new' in page
    assert 'data-change="new"' in page and "mobile_phone" in page


def test_without_a_results_store_no_change_is_claimed(tmp_path: Path) -> None:
    data = tmp_path / "exports"
    data.mkdir()
    _write(data, with_phone=True)
    out = run_cli("scan", str(data), "--no-ner", "--no-store", "--format", "table")
    assert out.code == 0, out.stderr
    assert "Changed since the last run" not in out.stdout
    assert "Next step" in out.stdout and "Sample" in out.stdout
