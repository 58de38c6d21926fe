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
from scanner.policy import Policy
from scanner.policy.residency import assess

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


def _report_file(tmp_path: Path) -> Path:
    policy = Policy.load(None)
    result = sample_result()
    report = build_report(result, policy, assess(result, policy, sample_config()))
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
    assert probe["sections"] == ["violations", "charts", "cpni", "categories", "tables", "problems"]


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
