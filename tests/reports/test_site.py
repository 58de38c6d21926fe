"""``piiscan site``: the privacy site built from a store of five real scans.

Things appear and disappear across the runs (an email column goes, a billing
export lands in Ireland, call records arrive, a column with a hostile name
changes type), so every page kind has something to show. The checks read the
site as a user or a web server would: pages and links, counts against
``history`` and ``diff``, the search index, escaping, no raw values, and what
a rebuild touches.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import luhn_complete, run_cli

from scanner.workflows.baseline import Approval, Baseline
from scanner.workflows.store import Store

EMAILS = [f"zelda.quartermain{i}@example.org" for i in range(40)]
PHONES = [f"+1 617 555 {140 + i:04d}" for i in range(40)]
LABELS = [f"Item {i}" for i in range(40)]
HOSTILE = "<img src=x onerror=alert(1)>"


CARDS = [luhn_complete(f"45567375{i:07d}") for i in range(40)]
CALLERS = [f"2125550{100 + i}" for i in range(40)]
SECRETS = EMAILS + PHONES + CARDS + CALLERS


def _csv(path: Path, columns: dict[str, list[str]]) -> None:
    rows = zip(*columns.values(), strict=True)
    path.write_text(",".join(columns) + "\n" + "\n".join(",".join(r) for r in rows) + "\n")


def _cdr(path: Path, *, disposition: bool) -> None:
    cols = {
        "calldate": [f"2024-01-{1 + i % 28:02d} 10:00:00" for i in range(40)],
        "src": CALLERS,
        "billsec": [str(20 + i) for i in range(40)],
    }
    if disposition:
        cols["disposition"] = ["ANSWERED"] * 40
    _csv(path, cols)


def _config(path: Path, *, billing: bool, cdr: bool) -> None:
    text = ("version: 1\ndefault_location: US\nsources:\n"
            "  - path: data/customers.csv\n    location: us-east-1\n")
    if billing:
        text += "  - path: data/billing.csv\n    location: eu-west-1\n"
    if cdr:
        text += "  - path: data/cdr.csv\n    location: US\n"
    path.write_text(text)


@dataclass
class Estate:
    root: Path
    data: Path
    config: Path
    store: Path
    site: Path
    baseline: Path

    def ident(self, file: str, column: str) -> str:
        path = self.data / file
        return f"{path}/{file}/{column}"

    def scan(self) -> None:
        run = run_cli("scan", "--config", str(self.config), "--store", str(self.store),
                      "--no-ner", "-q", "--format", "json", "-o", str(self.root / "last.json"))
        assert run.code == 0, run.stderr

    def build(self, *extra: str) -> str:
        run = run_cli("site", "--store", str(self.store), "-o", str(self.site), *extra)
        assert run.code == 0, run.stderr
        return run.stdout


def _estate(root: Path, runs: int = 5) -> Estate:
    data = root / "data"
    data.mkdir(parents=True)
    e = Estate(root, data, root / "scans.yaml", root / "store" / "results.db", root / "site",
               root / "baseline.json")
    customers = data / "customers.csv"
    # 1: emails.
    _config(e.config, billing=False, cdr=False)
    _csv(customers, {"email": EMAILS, "label": LABELS})
    e.scan()
    if runs == 1:
        return e
    # 2: a phone column appears.
    _csv(customers, {"email": EMAILS, "label": LABELS, "phone": PHONES})
    e.scan()
    if runs == 2:
        return e
    # 3: the email column goes; card numbers land in Ireland (a storage violation).
    _csv(customers, {"label": LABELS, "phone": PHONES})
    _csv(data / "billing.csv", {"card": CARDS, "label": LABELS})
    _config(e.config, billing=True, cdr=False)
    e.scan()
    # 4: call records (CPNI) and a column with a hostile name holding emails.
    _csv(customers, {"label": LABELS, "phone": PHONES, HOSTILE: EMAILS})
    _cdr(data / "cdr.csv", disposition=True)
    _config(e.config, billing=True, cdr=True)
    e.scan()
    # 5: the hostile column now holds phone numbers; the disposition column goes.
    _csv(customers, {"label": LABELS, "phone": PHONES, HOSTILE: PHONES})
    _cdr(data / "cdr.csv", disposition=False)
    e.scan()
    return e


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Estate:
    e = _estate(tmp_path_factory.mktemp("estate"))
    soon = dt.date.today() + dt.timedelta(days=10)
    later = dt.date.today() + dt.timedelta(days=400)
    Baseline(
        columns={
            e.ident("customers.csv", "phone"): {
                "PHONE_NUMBER": Approval("support callbacks <b>needed</b>", soon)},
            e.ident("billing.csv", "card"): {"CREDIT_CARD": Approval("PCI vault", later)},
        },
        storage={str(e.data / "billing.csv"): Approval("EU billing pilot", soon)},
    ).save(e.baseline)
    out = e.build("--baseline", str(e.baseline), "--reports", "5")
    assert "site written to" in out
    return e


def _pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text("utf-8")
            for p in sorted(site.rglob("*.html"))}


def _links(text: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', text)


def _main(text: str) -> str:
    return text[text.index("<main>"):text.index("</main>")]


def _column_page(estate: Estate, ident: str) -> Path:
    entries = json.loads((estate.site / "search-index.json").read_text("utf-8"))
    [entry] = [x for x in entries if x["id"] == ident]
    return estate.site / entry["href"]


# --- Pages and links ---


def test_every_page_kind_exists_and_every_link_resolves(estate: Estate) -> None:
    pages = _pages(estate.site)
    for rel in ("index.html", "changes.html", "columns.html", "runs.html",
                *(f"runs/{i}.html" for i in range(1, 6)),
                *(f"runs/{i}-report.html" for i in range(1, 6))):
        assert rel in pages, rel
    assert len([p for p in pages if p.startswith("sources/")]) == 3
    # email, phone, card, the hostile column, calldate, src, billsec, disposition
    assert len([p for p in pages if p.startswith("columns/")]) == 8
    assert _broken_links(estate.site) == []


def _broken_links(site: Path) -> list[tuple[str, str]]:
    broken = []
    for rel, text in _pages(site).items():
        if rel.endswith("-report.html"):
            continue  # the per-run report has only in-page anchors
        for href in _links(text):
            assert not href.startswith(("http:", "https:", "//", "javascript:")), (rel, href)
            target = href.split("#", 1)[0]
            if target and not (site / rel).parent.joinpath(target).resolve().exists():
                broken.append((rel, href))
    return broken


def test_a_window_of_the_newest_runs_links_only_to_pages_it_has(estate: Estate,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "site"
    run = run_cli("site", "--store", str(estate.store), "-o", str(out), "--runs", "2",
                  "--reports", "1")
    assert run.code == 0, run.stderr
    pages = _pages(out)
    # Two runs or more: the window moves in steps of two, so it starts at run 3.
    assert sorted(p for p in pages if p.startswith("runs/")) == [
        "runs/3.html", "runs/4.html", "runs/5-report.html", "runs/5.html"]
    assert "run 2" in pages["runs/3.html"]  # the run before the window: named, not linked
    assert _broken_links(out) == []


def test_overview_shows_current_state_storage_cpni_expiring_approvals_and_trend(
        estate: Estate) -> None:
    main = _main((estate.site / "index.html").read_text("utf-8"))
    # Current: phone, card, the hostile column, calldate, src, billsec.
    assert '<span class="big">6</span> PII columns' in main
    assert '<span class="big">3</span> CPNI columns' in main
    assert '<span class="big">1</span> storage violations' in main
    assert "outside US" in main and "billing.csv" in main
    # The approvals expiring within 30 days: the phone column and the Irish source, not the card.
    approvals = main[main.index('id="approvals"'):]
    assert "support callbacks &lt;b&gt;needed&lt;/b&gt;" in approvals
    assert "EU billing pilot" in approvals
    assert "PCI vault" not in approvals
    trend = main[main.index('id="trend"'):main.index('id="storage"')]
    assert trend.count("<polyline") >= 3  # total, CPNI, at least one category
    assert "last 5 runs" in trend


def test_changes_feed_links_appeared_disappeared_and_changed_columns(estate: Estate) -> None:
    text = (estate.site / "changes.html").read_text("utf-8")
    latest = text[text.index('id="latest"'):text.index('id="feed"')]
    # Run 5 against run 4: the hostile column changed type, disposition disappeared.
    assert "run 5" in latest and "against" in latest
    assert re.search(r"Changed: <a href=\"columns/[^\"]+\">[^<]*&lt;img src=x onerror=alert\(1\)"
                     r"&gt;</a> <span class=\"ent\">\+PHONE_NUMBER</span> "
                     r"<span class=\"ent gone\">−EMAIL_ADDRESS</span>", latest)
    assert re.search(r"Disappeared: <a href=\"columns/[^\"]+\">[^<]*/disposition</a>", latest)
    feed = text[text.index('id="feed"'):]
    email = estate.ident("customers.csv", "email")
    card = estate.ident("billing.csv", "card")
    m = re.search(r'Disappeared: <a href="([^"]+)">' + re.escape(email) + "</a>", feed)
    assert m, feed
    page = (estate.site / m.group(1)).read_text("utf-8")
    # Following the link: the email column's page and its timeline.
    assert f'<dd class="ident">{email}</dd>' in page
    timeline = page[page.index('id="timeline"'):page.index('id="evidence"')]
    assert re.search(r"run 1</a> – <a [^>]+>run 2</a> \(2 runs\).*found.*EMAIL_ADDRESS", timeline)
    assert re.search(r"since <a [^>]+>run 3</a>.*now</td><td>not found", timeline)
    assert re.search(r'Appeared: <a href="columns/[^"]+">' + re.escape(card) + "</a>", feed)
    assert "New storage violation: <a href=\"sources/" in feed


def test_counts_match_history_and_diff(estate: Estate) -> None:
    history = run_cli("history", "--store", str(estate.store), "--format", "json")
    assert history.code == 0, history.stderr
    runs = {r["id"]: r for r in history.json()}
    table = (estate.site / "runs.html").read_text("utf-8")
    for run_id, r in runs.items():
        row = re.search(rf'<tr><td><a href="runs/{run_id}.html">run {run_id}</a></td>(.*?)</tr>',
                        table)
        assert row, run_id
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        assert cells[2:5] == [str(r["pii_columns"]), str(r["cpni_columns"]),
                              str(r["violations"])], run_id
        if run_id == 1:
            continue
        diff = run_cli("diff", str(run_id), "--store", str(estate.store), "--format", "json")
        counts = diff.json()["counts"]
        page = (estate.site / "runs" / f"{run_id}.html").read_text("utf-8")
        for key, noun in (("new_columns", "new PII column"), ("changed_columns", "changed column"),
                          ("removed_columns", "removed column"),
                          ("new_violations", "new storage violation")):
            n = counts[key]
            assert f"{n} {noun}{'' if n == 1 else 's'}" in page, (run_id, key)


def test_source_page_shows_verdict_reasons_and_current_columns(estate: Estate) -> None:
    pages = _pages(estate.site)
    [billing] = [t for p, t in pages.items() if p.startswith("sources/billing-csv")]
    main = _main(billing)
    assert '<span class="badge v-violation">violation</span>' in main
    assert "IE" in main and "outside US" in main
    assert "EU billing pilot" in main  # the storage approval
    assert re.search(r'<a href="\.\./columns/card-[0-9a-f]{12}\.html">card</a>', main)
    [cdr] = [t for p, t in pages.items() if p.startswith("sources/cdr-csv")]
    assert "disposition" not in _main(cdr)  # gone in the latest run


def test_column_page_shows_masked_evidence_and_baseline_status(estate: Estate) -> None:
    page = _column_page(estate, estate.ident("customers.csv", "phone")).read_text("utf-8")
    main = _main(page)
    assert "PHONE_NUMBER" in main
    evidence = main[main.index('id="evidence"'):main.index('id="baseline"')]
    assert "<code>" in evidence and "*" in evidence
    baseline = main[main.index('id="baseline"'):]
    assert '<span class="badge approved">approved</span>' in baseline
    assert "support callbacks &lt;b&gt;needed&lt;/b&gt;" in baseline
    src = _main(_column_page(estate, estate.ident("cdr.csv", "src")).read_text("utf-8"))
    assert "Not in the baseline" in src and "CPNI" in src


def test_run_page_links_the_stored_report(estate: Estate) -> None:
    page = (estate.site / "runs" / "3.html").read_text("utf-8")
    assert 'href="3-report.html"' in page
    report = (estate.site / "runs" / "3-report.html").read_text("utf-8")
    assert "<svg" in report and "billing.csv" in report and "violation" in report


# --- The search index ---


def test_search_index_lists_every_column_with_filters_fields(estate: Estate) -> None:
    entries = json.loads((estate.site / "search-index.json").read_text("utf-8"))
    by_id = {e["id"]: e for e in entries}
    assert len(entries) == 8
    email = by_id[estate.ident("customers.csv", "email")]
    assert (email["current"], email["entities"], email["cpni"]) == (
        False, ["EMAIL_ADDRESS"], False)
    assert email["categories"] == ["customer_provided"]
    hostile = by_id[estate.ident("customers.csv", HOSTILE)]
    assert hostile["column"] == HOSTILE and hostile["entities"] == ["PHONE_NUMBER"]
    cpni = sorted(e["column"] for e in entries if e["cpni"] and e["current"])
    assert cpni == ["billsec", "calldate", "src"]
    assert {e["source"] for e in entries} == {str(estate.data / f) for f in
                                              ("customers.csv", "billing.csv", "cdr.csv")}
    for e in entries:
        assert (estate.site / e["href"]).exists()
    # The search page carries the same rows, filterable by data attributes.
    page = (estate.site / "columns.html").read_text("utf-8")
    rows = re.findall(r"<tr data-search=.*?</tr>", page)
    assert len(rows) == 8
    assert sum('data-cpni="1"' in r and 'data-state="current"' in r for r in rows) == 3


# --- Safety ---


def test_hostile_names_are_escaped_everywhere(estate: Estate) -> None:
    for path in estate.site.rglob("*.html"):
        text = path.read_text("utf-8")
        assert "<img src=x" not in text, path
    pages = _pages(estate.site)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in t for t in pages.values())


def test_no_raw_value_anywhere_in_the_site(estate: Estate) -> None:
    files = [p for p in estate.site.rglob("*") if p.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_text("utf-8")
        for value in SECRETS:
            assert value not in text, f"a raw value leaked into {path}"
        digits = re.sub(r"\D", "", text)
        for card in CARDS:
            assert card not in digits or card not in text.replace(" ", ""), path


def test_every_page_has_a_strict_csp_and_only_hashed_scripts(estate: Estate) -> None:
    for rel, text in _pages(estate.site).items():
        if rel.endswith("-report.html"):
            continue
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert csp, rel
        policy = csp.group(1)
        assert policy.startswith("default-src 'none';")
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
        assert _hash(style) in policy
        scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
        if rel == "columns.html":
            assert len(scripts) == 1 and _hash(scripts[0]) in policy
        else:
            assert scripts == [] and "script-src 'none'" in policy


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- Building ---


def _state(site: Path) -> dict[str, tuple[str, float]]:
    return {str(p.relative_to(site)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                       p.stat().st_mtime)
            for p in site.rglob("*") if p.is_file()}


def test_rebuild_after_one_more_run_rewrites_only_changed_pages(tmp_path: Path) -> None:
    e = _estate(tmp_path, runs=2)
    e.build()
    # Age every file so a rewrite is visible whatever the clock's resolution.
    past = 1_600_000_000
    for p in e.site.rglob("*"):
        os.utime(p, (past, past))
    out = e.build()
    assert "0 written" in out and " 0 removed" in out
    assert all(mtime == past for _, mtime in _state(e.site).values())

    # One more run in which only the phone column changes (it now also holds emails).
    _csv(e.data / "customers.csv", {"email": EMAILS, "label": LABELS,
                                    "phone": [p if i % 2 else m for i, (p, m)
                                              in enumerate(zip(PHONES, EMAILS, strict=True))]})
    before = _state(e.site)
    e.scan()
    e.build()
    after = _state(e.site)
    written = {rel for rel, (digest, mtime) in after.items() if mtime != past}
    changed = {rel for rel in after if before.get(rel, ("", 0))[0] != after[rel][0]}
    assert written == changed
    # Pages of what did not change keep their bytes and times.
    email_page = str(_column_page(e, e.ident("customers.csv", "email")).relative_to(e.site))
    for rel in (email_page, "runs/1.html", "runs/2.html", "runs/1-report.html",
                "runs/2-report.html"):
        assert rel not in written, rel
    phone_page = str(_column_page(e, e.ident("customers.csv", "phone")).relative_to(e.site))
    for rel in ("index.html", "changes.html", "runs.html", "runs/3.html", "runs/3-report.html",
                phone_page):
        assert rel in written, rel


def test_refuses_to_replace_a_directory_that_is_not_a_site(tmp_path: Path,
                                                           results_store: Path) -> None:
    Store.open(str(results_store)).close()
    site = tmp_path / "site"
    site.mkdir()
    (site / "keep.txt").write_text("mine")
    run = run_cli("site", "--store", str(results_store), "-o", str(site))
    assert run.code == 2
    assert "not a piiscan site" in run.stderr
    assert sorted(p.name for p in site.iterdir()) == ["keep.txt"]
    assert (site / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [results_store.parent.name, "site"]


def test_an_empty_store_builds_a_site_that_says_so(tmp_path: Path, results_store: Path) -> None:
    Store.open(str(results_store)).close()
    run = run_cli("site", "--store", str(results_store), "-o", str(tmp_path / "site"))
    assert run.code == 0, run.stderr
    assert "No runs recorded in this store yet" in (tmp_path / "site" / "index.html").read_text()
    assert json.loads((tmp_path / "site" / "search-index.json").read_text()) == []
    assert _broken_links(tmp_path / "site") == []


def test_no_store_is_a_usage_error(tmp_path: Path, results_store: Path) -> None:
    run = run_cli("site", "--store", str(results_store), "-o", str(tmp_path / "site"))
    assert run.code == 2
    assert "no runs recorded yet" in run.stderr
    assert not (tmp_path / "site").exists()


# --- In a real browser ---

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)")

#: Placed before the page's Content-Security-Policy (so it is not subject to it): records
#: errors, CSP violations and console.error calls, and what the page shows after loading.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  var t = e.target || {};
  window.__errors.push('error: ' + (e.message || t.src || t.href || 'resource failed'));
}, true);
document.addEventListener('securitypolicyviolation', function (e) {
  window.__errors.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI);
});
var origError = console.error;
console.error = function () {
  window.__errors.push('console: ' + Array.prototype.join.call(arguments, ' '));
  origError.apply(console, arguments);
};
window.addEventListener('load', function () {
  setTimeout(function () {
    var rows = document.querySelectorAll('#columns tbody tr');
    var out = document.createElement('pre');
    out.id = 'piiscan-probe';
    out.textContent = JSON.stringify({
      errors: window.__errors,
      title: document.title,
      h1: (document.querySelector('h1') || {}).textContent,
      svgs: document.querySelectorAll('svg').length,
      sections: Array.prototype.map.call(
        document.querySelectorAll('section[id]'), function (s) { return s.id; }),
      rows: rows.length,
      visible: Array.prototype.filter.call(rows, function (r) { return !r.hidden; }).map(
        function (r) { return r.cells[0].textContent; }),
      shown: (document.getElementById('shown') || {}).textContent,
      width: document.documentElement.scrollWidth
    });
    document.body.appendChild(out);
  }, 100);
});
</script>
"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _open(tmp_path: Path, page: Path, fragment: str = "") -> dict:
    """Open a copy of ``page`` (beside it, so its links resolve) with the probe; return it."""
    probed = page.with_name(f"probe-{page.name}")
    probed.write_text(page.read_text("utf-8").replace("<head>", "<head>\n" + PROBE, 1), "utf-8")
    try:
        proc = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom",
                         probed.as_uri() + fragment)
    finally:
        probed.unlink()
    m = re.search(r'<pre id="piiscan-probe">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"probe did not report (rc={proc.returncode}): {proc.stderr[-2000:]}"
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln or "Refused to" in ln]
    assert console == [], console
    return json.loads(html.unescape(m.group(1)))


@needs_chromium
def test_browser_overview_change_to_column_and_cpni_filter(estate: Estate,
                                                          tmp_path: Path) -> None:
    overview = _open(tmp_path, estate.site / "index.html")
    assert overview["errors"] == []
    assert overview["sections"] == ["totals", "categories", "trend", "storage", "sources",
                                     "cpni", "approvals"]
    assert overview["svgs"] >= 2  # the category bars and the trend
    assert overview["width"] <= 1400

    # Follow the newest "Appeared" change to its column page.
    changes = (estate.site / "changes.html").read_text("utf-8")
    href = re.search(r'Appeared: <a href="([^"]+)">([^<]+)</a>', changes)
    assert href
    column = _open(tmp_path, estate.site / href.group(1))
    assert column["errors"] == []
    assert href.group(2).endswith("/" + html.unescape(column["h1"]))
    assert column["sections"] == ["timeline", "evidence", "baseline"]

    # The column search, filtered to CPNI by the link the overview's CPNI count carries:
    # the hashed script runs under the CSP and hides every other row.
    entries = json.loads((estate.site / "search-index.json").read_text("utf-8"))
    cpni_now = sorted(e["column"] for e in entries if e["cpni"] and e["current"])
    search = _open(tmp_path, estate.site / "columns.html", "#cpni=1")
    assert search["errors"] == []
    assert search["rows"] == len(entries)
    assert sorted(search["visible"]) == cpni_now
    assert search["shown"] == str(len(cpni_now))
    everything = _open(tmp_path, estate.site / "columns.html", "#state=")
    assert len(everything["visible"]) == len(entries)
    hostile = _open(tmp_path, estate.site / "columns.html", "#q=onerror")
    assert hostile["visible"] == [HOSTILE]  # shown as text, never as markup


@needs_chromium
def test_browser_overview_counts_match_history(estate: Estate, tmp_path: Path) -> None:
    shot = tmp_path / "overview.png"
    proc = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2200",
                     (estate.site / "index.html").as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    assert len(shot.read_bytes()) > 20_000
    latest = run_cli("history", "--store", str(estate.store), "--limit", "1",
                     "--format", "json").json()[0]
    dom = _chromium(tmp_path, "--dump-dom", (estate.site / "index.html").as_uri()).stdout
    assert f'<span class="big">{latest["pii_columns"]}</span> PII columns' in dom
    assert f'<span class="big">{latest["cpni_columns"]}</span> CPNI columns' in dom
    assert f'<span class="big">{latest["violations"]}</span> storage violations' in dom
