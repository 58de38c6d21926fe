"""The HTML report opened in real headless Chromium: no console errors, a screenshot.

Needs Debian's ``chromium`` (``apt-get install -y chromium``); skipped with a
clear reason when /usr/bin/chromium is absent. Console errors are caught two
ways: a probe script placed before the report's Content-Security-Policy
records ``error`` events, CSP violations and ``console.error`` calls into the
DOM (read back with ``--dump-dom``), and Chromium's own log is searched for
console messages.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from reports_sample import sample_config, sample_result

from reports import build_report, render
from scanner.model import ScanResult
from scanner.policy import Policy
from scanner.policy.residency import assess
from scanner.workflows.history import RunDiff, diff_snapshots
from scanner.workflows.store import ColumnFinding, RunInfo, RunSnapshot, SourceVerdict

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (apt-get install -y chromium)",
)

PROBE = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  var t = e.target || {};
  window.__errors.push('error: ' + (e.message || t.src || t.href || 'resource failed'));
}, true);
window.addEventListener('unhandledrejection', function (e) {
  window.__errors.push('rejection: ' + e.reason);
});
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
    var out = document.createElement('pre');
    out.id = 'piiscan-probe';
    out.textContent = JSON.stringify({
      errors: window.__errors,
      svgs: document.querySelectorAll('svg').length,
      sections: Array.prototype.map.call(
        document.querySelectorAll('section[id]'), function (s) { return s.id; }),
      width: document.documentElement.scrollWidth
    });
    document.body.appendChild(out);
  }, 50);
});
</script>
"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _report_file(tmp_path: Path, history: RunDiff | None = None) -> Path:
    policy = Policy.load(None)
    result = sample_result()
    report = build_report(result, policy, assess(result, policy, sample_config()),
                          history=history)
    path = tmp_path / "report.html"
    render("html", report, out=path)
    return path


def _probe(tmp_path: Path, page: Path) -> tuple[dict, str]:
    text = page.read_text("utf-8")
    probed = tmp_path / f"probe-{page.name}"
    # Before the CSP meta tag, so the policy does not apply to the probe itself.
    probed.write_text(text.replace("<head>", "<head>\n" + PROBE, 1), "utf-8")
    proc = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    m = re.search(r'<pre id="piiscan-probe">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"probe did not report (rc={proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(html.unescape(m.group(1))), proc.stderr


def _console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Refused to" in line]


def test_report_opens_without_console_errors(tmp_path: Path) -> None:
    page = _report_file(tmp_path)
    probe, stderr = _probe(tmp_path, page)
    assert probe["errors"] == []
    assert _console_lines(stderr) == []
    assert probe["svgs"] == 2
    assert probe["sections"] == ["violations", "charts", "findings", "cpni", "categories",
                                 "tables", "problems"]


def test_report_screenshot(tmp_path: Path) -> None:
    page = _report_file(tmp_path)
    shot = tmp_path / "report.png"
    proc = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank page compresses to a few kilobytes
    assert _console_lines(proc.stderr) == []


def test_probe_catches_errors(tmp_path: Path) -> None:
    # The check above is only worth something if a broken page fails it.
    page = _report_file(tmp_path)
    broken = tmp_path / "broken.html"
    broken.write_text(
        page.read_text("utf-8").replace(
            "</main>", '<img src="https://example.invalid/x.png"><script>boom()</script></main>'
        ),
        "utf-8",
    )
    probe, stderr = _probe(tmp_path, broken)
    assert any(e.startswith("csp:") for e in probe["errors"]), probe["errors"]
    assert _console_lines(stderr), "Chromium's log should show the blocked image and script"


# --- Sorting and filtering the findings table, as a reader would -------------------------------

#: Drives the page after load: each step sets a control (or clicks a heading) and reads back
#: the visible rows' column names. Placed before the CSP, as the probe is.
DRIVER = """<script>
window.addEventListener('load', function () {
  function visible() {
    return Array.prototype.filter.call(
      document.querySelectorAll('#findings-table tbody tr'), function (r) { return !r.hidden; }
    ).map(function (r) { return r.cells[2].textContent.trim(); });
  }
  function set(id, value) {
    var el = document.getElementById(id);
    if (el.type === 'checkbox') { el.checked = value; } else { el.value = value; }
    el.dispatchEvent(new Event('input', {bubbles: true}));
  }
  function sortBy(label) {
    Array.prototype.forEach.call(document.querySelectorAll('#findings-table th'), function (th) {
      if (th.textContent.trim() === label) { th.querySelector('button').click(); }
    });
  }
  var out = {formShown: !document.getElementById('finding-filters').hidden, all: visible()};
  set('f-text', 'iban'); out.text = visible(); set('f-text', '');
  set('f-step', 'move'); out.move = visible(); set('f-step', '');
  set('f-sens', 'critical'); out.critical = visible(); set('f-sens', '');
  var changed = document.getElementById('f-changed');
  if (changed) { set('f-changed', true); out.changed = visible(); set('f-changed', false); }
  sortBy('Confidence'); out.ascending = visible();
  sortBy('Confidence'); out.descending = visible();
  out.count = document.getElementById('f-count').textContent;
  var pre = document.createElement('pre');
  pre.id = 'piiscan-driver';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def _drive(tmp_path: Path, page: Path) -> dict:
    driven = tmp_path / f"driven-{page.name}"
    driven.write_text(page.read_text("utf-8").replace("<head>", "<head>\n" + PROBE + DRIVER, 1),
                      "utf-8")
    proc = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", driven.as_uri())
    m = re.search(r'<pre id="piiscan-driver">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"driver did not report (rc={proc.returncode}): {proc.stderr[-2000:]}"
    probe = re.search(r'<pre id="piiscan-probe">(.*?)</pre>', proc.stdout, re.S)
    assert probe and json.loads(html.unescape(probe.group(1)))["errors"] == []
    assert _console_lines(proc.stderr) == []
    return json.loads(html.unescape(m.group(1)))


def _flagged(result: ScanResult) -> list[tuple[str, float, str]]:
    policy = Policy.load(None)
    report = build_report(result, policy, assess(result, policy, sample_config()))
    return [(c.column, c.confidence, c.next_step or "") for c in report.flagged]


def test_findings_sort_and_filter_under_the_csp(tmp_path: Path) -> None:
    page = _report_file(tmp_path)
    text = page.read_text("utf-8")
    # The CSP admits one script, by hash; the page holds no other.
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", text)
    assert text.count("<script>") == 1 and "unsafe-inline'; img-src data:; script" in text
    out = _drive(tmp_path, page)
    flagged = _flagged(sample_result())
    assert out["formShown"] is True  # the controls appear only where the script runs
    assert len(out["all"]) == len(flagged) and out["count"].endswith(f"of {len(flagged)} "
                                                                     "columns shown")
    assert out["text"] == ["iban"]
    assert sorted(out["move"]) == sorted(c for c, _, step in flagged if step == "move")
    assert out["move"] and len(out["move"]) < len(flagged)
    assert out["critical"] and len(out["critical"]) < len(flagged)
    by_conf = {c: conf for c, conf, _ in flagged}
    ascending = [by_conf[c] for c in out["ascending"]]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    assert [by_conf[c] for c in out["descending"]] == sorted(ascending, reverse=True)


def _history(result: ScanResult) -> RunDiff:
    """A previous run that lacked `email`, had `dob` as another type and a column since gone."""
    columns = {str(c.ref): c for s in result.sources for t in s.tables for c in t.columns
               if c.detections}
    email = next(k for k in columns if k.endswith("/email"))
    dob = next(k for k in columns if k.endswith("/dob"))
    source = columns[dob].ref.source

    def finding(key: str, entities: tuple[str, ...]) -> ColumnFinding:
        c = columns[key]
        return ColumnFinding(key, c.ref.source, entities, c.cpni, c.confidence, c.categories)

    before = {k: finding(k, tuple(d.entity for d in c.detections))
              for k, c in columns.items() if k != email}
    before[dob] = finding(dob, ("ACCOUNT_ID",))
    gone = f"{source}/customers/ssn_old"
    before[gone] = ColumnFinding(gone, source, ("US_SSN",), False, 0.9, ("customer_provided",))
    after = {k: finding(k, tuple(d.entity for d in c.detections)) for k, c in columns.items()}
    sources = {s.name: SourceVerdict(s.name, s.kind, "ok", "US", "declared", "compliant", "")
               for s in result.sources}

    def run(run_id: int) -> RunInfo:
        return RunInfo(run_id, "scan.yaml", "h", f"2026-01-0{run_id}T00:00:00Z",
                       f"2026-01-0{run_id}T00:01:00Z", 60.0, True, "x", "r")

    return diff_snapshots(RunSnapshot(run(1), before, sources), RunSnapshot(run(2), after, sources))


def test_changes_since_the_last_run_are_shown_and_filterable(tmp_path: Path) -> None:
    result = sample_result()
    page = _report_file(tmp_path, history=_history(result))
    probe, _ = _probe(tmp_path, page)
    assert probe["errors"] == []
    assert probe["sections"][:3] == ["violations", "changes", "charts"]
    text = page.read_text("utf-8")
    assert "Since run 1 (2026-01-01T00:00:00Z): 1 new, 1 changed, 1 removed PII columns" in text
    assert "+DATE_OF_BIRTH -ACCOUNT_ID" in text and "customers/ssn_old" in text
    out = _drive(tmp_path, page)
    assert sorted(out["changed"]) == ["dob", "email"]
