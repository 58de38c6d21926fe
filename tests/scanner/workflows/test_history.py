"""History, diffs and the webhook: three scheduled runs of one configuration end to end,
the diff rules on exact results, and webhook posts, retries and failures."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support import luhn_complete, run_cli
from test_store import EMAILS, _csv, _residency, _result

from reports.diff import render_markdown, render_table
from scanner.model import ScanResult, SourceResult, Status
from scanner.workflows.history import diff_snapshots
from scanner.workflows.notify import NotifyError, post_webhook, webhook_label, webhook_payload
from scanner.workflows.store import Store, config_identity

PHONES = [f"+1 212 555 {100 + i:04d}" for i in range(40)]
LABELS = [f"Item {i}" for i in range(40)]


CARDS = [luhn_complete(f"41111111{i:07d}") for i in range(40)]


# --- A webhook receiver ---


@dataclass
class Hook:
    """A local webhook: records each POST; answers with the queued status codes, then 200."""

    url: str = ""
    posts: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.posts.append({"body": json.loads(body), "type": self.headers["Content-Type"],
                                "path": self.path})
            if state.delay:
                stop.wait(state.delay)
            code = state.statuses.pop(0) if state.statuses else 200
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T0KEN-secret-path"
    yield state
    stop.set()
    server.shutdown()
    server.server_close()


# --- Three scheduled runs of one configuration ---


def _config(tmp_path: Path, with_billing: bool) -> Path:
    config = tmp_path / "scans.yaml"
    text = ("version: 1\ndefault_location: US\nsources:\n"
            "  - path: data/customers.csv\n    location: us-east-1\n")
    if with_billing:
        text += "  - path: data/billing.csv\n    location: eu-west-1\n"
    config.write_text(text)
    return config


def test_history_and_diff_across_three_runs(tmp_path: Path, hook: Hook) -> None:
    data = tmp_path / "data"
    data.mkdir()
    customers = _csv(data / "customers.csv", {"email": EMAILS, "label": LABELS})
    config = _config(tmp_path, with_billing=False)
    scan = ("scan", "--config", str(config), "--no-ner", "-q", "--format", "json")

    first = run_cli(*scan, "--notify", hook.url)
    assert first.code == 0, first.stderr
    # Run 2: a phone column appears.
    _csv(customers, {"email": EMAILS, "label": LABELS, "phone": PHONES})
    second = run_cli(*scan)
    assert second.code == 0, second.stderr
    # Run 3: the email column goes, a billing export with card numbers lands in Ireland.
    _csv(customers, {"label": LABELS, "phone": PHONES})
    _csv(data / "billing.csv", {"card": CARDS, "label": LABELS})
    _config(tmp_path, with_billing=True)  # same file, same configuration
    third = run_cli(*scan, "--notify", hook.url)
    assert third.code == 0, third.stderr

    history = run_cli("history", "--config", str(config), "--format", "json")
    assert history.code == 0, history.stderr
    runs = history.json()
    assert [r["id"] for r in runs] == [3, 2, 1]
    assert [(r["pii_columns"], r["violations"], r["complete"]) for r in runs] == [
        (2, 1, True), (2, 0, True), (1, 0, True)]
    assert {r["configuration"] for r in runs} == {str(config)}
    table = run_cli("history", "--limit", "2")
    assert table.code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["run", "started", "seconds", "complete"]
    assert [ln.split()[0] for ln in lines[1:]] == ["3", "2"]

    ids = f"{customers}/customers.csv"
    # Default: the last two runs of the configuration.
    latest = run_cli("diff", "--config", str(config), "--format", "json")
    assert latest.code == 1, latest.stderr
    doc = latest.json()
    assert (doc["old_run"]["id"], doc["new_run"]["id"]) == (2, 3)
    assert [(c["column"], c["entities"]) for c in doc["new_columns"]] == [
        (f"{data / 'billing.csv'}/billing.csv/card", ["CREDIT_CARD"])]
    assert [c["column"] for c in doc["removed_columns"]] == [f"{ids}/email"]
    assert [(v["source"], v["country"]) for v in doc["new_violations"]] == [
        (str(data / "billing.csv"), "IE")]

    earlier = run_cli("diff", "1", "2")
    assert earlier.code == 1
    assert f"+ {ids}/phone  PHONE_NUMBER" in earlier.stdout
    assert "New storage violations" not in earlier.stdout
    one_id = run_cli("diff", "2", "--format", "json")  # run 2 against the run before it
    assert one_id.code == 1 and one_id.json()["old_run"]["id"] == 1
    same = run_cli("diff", "2", "2")
    assert same.code == 0 and "nothing new" in same.stdout
    # Backwards, email is new again; billing was not scanned in run 2, so its card column
    # is not compared rather than reported as removed.
    backwards = run_cli("diff", "3", "2", "--format", "markdown")
    assert backwards.code == 1, backwards.stdout
    assert f"| {ids}/email | EMAIL_ADDRESS | no |" in backwards.stdout
    assert "## Removed PII columns" not in backwards.stdout
    assert "## Not compared (source missing or incomplete in the newer run) (1)" \
        in backwards.stdout
    assert f"| {data / 'billing.csv'}/billing.csv/card | CREDIT_CARD |" in backwards.stdout

    # The webhook: run 1 posted its first inventory, run 3 what is new since run 2.
    assert len(hook.posts) == 2
    assert all(p["type"] == "application/json" for p in hook.posts)
    first_post, third_post = (p["body"] for p in hook.posts)
    assert first_post["old_run"] is None
    assert [c["column"] for c in first_post["new_columns"]] == [f"{ids}/email"]
    assert third_post["old_run"]["id"] == 2 and third_post["new_run"]["id"] == 3
    assert third_post["counts"]["new_columns"] == 1 and third_post["counts"]["new_violations"] == 1
    assert third_post["text"].startswith("piiscan: 1 new PII column, 0 changed columns, "
                                         "1 new storage violation in run 3 of ")
    assert third_post["event"] == "scan.new_findings"
    # Column identities and entity types only: no evidence, no sampled value.
    posted = json.dumps(hook.posts)
    assert "evidence" not in posted
    assert not any(v in posted for v in EMAILS + CARDS + PHONES)


def test_notify_posts_nothing_when_nothing_is_new(tmp_path: Path, hook: Hook) -> None:
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    assert run_cli("scan", str(data), "--no-ner", "-q").code == 0
    again = run_cli("scan", str(data), "--no-ner", "-q", "--notify", hook.url)
    assert again.code == 0, again.stderr
    assert hook.posts == []


def test_webhook_retries_once_then_succeeds(tmp_path: Path, hook: Hook) -> None:
    hook.statuses = [503]
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    run = run_cli("scan", str(data), "--no-ner", "-q", "--notify", hook.url)
    assert run.code == 0, run.stderr
    assert len(hook.posts) == 2 and hook.posts[0]["body"] == hook.posts[1]["body"]


def test_webhook_failure_is_one_line_and_exit_3_but_the_run_is_recorded(
    tmp_path: Path, hook: Hook
) -> None:
    hook.statuses = [500, 500]
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    run = run_cli("scan", str(data), "--no-ner", "-q", "--format", "json", "--notify", hook.url)
    assert run.code == 3
    assert run.json()["complete"] is True  # the report is still written
    port = hook.url.split(":")[2].split("/")[0]
    assert run.stderr.strip().splitlines() == [
        f"piiscan: error: webhook http://127.0.0.1:{port}: HTTP 500 (after 2 attempts); "
        "1 notification kept in the outbox (sent on the next run with --notify, or by piiscan "
        "notify --retry)"]
    assert "T0KEN" not in run.stderr  # the secret path of the webhook stays secret
    assert len(hook.posts) == 2
    history = run_cli("history", "--format", "json")
    assert len(history.json()) == 1


def test_unreachable_webhook(tmp_path: Path) -> None:
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    run = run_cli("scan", str(data), "--no-ner", "-q", "--notify", "http://127.0.0.1:1/x")
    assert run.code == 3
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("piiscan: error: webhook http://127.0.0.1:1: ")
    assert line.endswith("(after 2 attempts); 1 notification kept in the outbox (sent on the "
                         "next run with --notify, or by piiscan notify --retry)")


def test_webhook_timeout(hook: Hook) -> None:
    hook.delay = 2.0
    with pytest.raises(NotifyError, match=r"timed out \(after 2 attempts\)"):
        post_webhook(hook.url, {"text": "x"}, timeout=0.3, retry_delay=0)
    assert len(hook.posts) == 2


def test_webhook_client_error_is_not_retried(hook: Hook) -> None:
    hook.statuses = [404]
    with pytest.raises(NotifyError, match=r"HTTP 404 \(not retried\)"):
        post_webhook(hook.url, {"text": "x"}, retry_delay=0)
    assert len(hook.posts) == 1
    assert webhook_label(hook.url) == hook.url.split("/hooks")[0]


@pytest.mark.parametrize("args, message", [
    (("--notify", "http://127.0.0.1/x", "--no-store"), "cannot be combined with --no-store"),
    (("--notify", "file:///etc/passwd"), "--notify needs an http:// or https:// URL"),
    (("--notify", "http://h:port/x"), "--notify needs an http:// or https:// URL"),
    (("--store", "postgresql://u:pw@h:x/db"), "not a database URL"),
])
def test_scan_store_options_usage_errors(tmp_path: Path, args: tuple[str, ...],
                                         message: str) -> None:
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    run = run_cli("scan", str(data), "--no-ner", "-q", *args)
    assert run.code == 2
    assert message in run.stderr and "pw@" not in run.stderr


def test_history_and_diff_without_runs(results_store: Path, tmp_path: Path) -> None:
    empty = run_cli("history")
    assert (empty.code, empty.stdout.strip()) == (0, "no runs recorded")
    assert run_cli("history", "--format", "json").stdout.strip() == "[]"
    assert not results_store.exists()
    nothing = run_cli("diff")
    assert nothing.code == 2 and "no runs recorded yet" in nothing.stderr
    data = _csv(tmp_path / "people.csv", {"email": EMAILS})
    assert run_cli("scan", str(data), "--no-ner", "-q").code == 0
    single = run_cli("diff")
    assert single.code == 2 and "only run of its configuration" in single.stderr
    unknown = run_cli("diff", "1", "7")
    assert unknown.code == 2 and "no run 7" in unknown.stderr
    other = run_cli("history", "--config", str(tmp_path / "other.yaml"))
    assert other.stdout.strip() == "no runs recorded for this configuration"


def test_unreadable_store_exits_3(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database " * 300)
    for args in (("history",), ("diff",)):
        run = run_cli(*args, "--store", str(broken))
        assert run.code == 3
        (line,) = run.stderr.strip().splitlines()
        assert line.startswith(f"piiscan: error: results store {broken}: ")


# --- The diff rules, on exact results ---


def _snapshots(*results: tuple[ScanResult, str]) -> list:
    ident = config_identity(None, ["crm"])
    with Store.open() as store:
        infos = []
        for result, where in results:
            run = store.run(store.record(result, ident, _residency(result, where)))
            assert run is not None
            infos.append(store.snapshot(run))
    return infos


def test_changed_columns_and_what_counts_as_new() -> None:
    old, new = _snapshots(
        (_result({"phone": (("PHONE_NUMBER",), False), "acct": (("ACCOUNT_ID",), True),
                  "ip": (("IP_ADDRESS", "MAC_ADDRESS"), False)}), "US"),
        (_result({"phone": (("PHONE_NUMBER", "CALL_DETAIL"), True),
                  "acct": (("ACCOUNT_ID",), False), "ip": (("IP_ADDRESS",), False)}), "US"),
    )
    diff = diff_snapshots(old, new)
    changes = {c.column.rsplit("/", 1)[1]: (c.added, c.removed, c.cpni_after, c.is_new)
               for c in diff.changed_columns}
    assert changes == {
        "phone": (("CALL_DETAIL",), (), True, True),
        "acct": ((), (), False, False),  # CPNI flag dropped: reported, not new
        "ip": ((), ("MAC_ADDRESS",), False, False),
    }
    assert diff.has_new and not diff.new_columns and not diff.removed_columns
    text = render_table(diff)
    assert "~ crm/customers/phone  +CALL_DETAIL CPNI yes" in text
    assert "~ crm/customers/ip  -MAC_ADDRESS" in text
    assert "| crm/customers/acct |  |  | yes → no |" in render_markdown(diff)
    # Backwards, the additions are the new ones: MAC_ADDRESS returns, acct becomes CPNI.
    back = diff_snapshots(new, old)
    assert {c.column.rsplit("/", 1)[1] for c in back.changed_columns if c.is_new} == {"acct", "ip"}


def test_columns_of_a_failed_source_are_unconfirmed_not_removed() -> None:
    full = _result({"email": (("EMAIL_ADDRESS",), False)})
    failed = ScanResult((SourceResult("crm", "sql", (), Status.FAILED, "crm: refused"),),
                        "t", "t", 0.1)
    old, new = _snapshots((full, "US"), (failed, "US"))
    diff = diff_snapshots(old, new)
    assert diff.removed_columns == ()
    assert [c.column for c in diff.unconfirmed] == ["crm/customers/email"]
    assert not diff.has_new
    assert "? crm/customers/email  EMAIL_ADDRESS" in render_table(diff)


def test_a_violation_that_persists_is_not_new() -> None:
    pii = _result({"email": (("EMAIL_ADDRESS",), False)})
    old, new = _snapshots((pii, "eu-west-1"), (pii, "eu-west-1"))
    diff = diff_snapshots(old, new)
    assert diff.new_violations == () and not diff.has_new
    first = diff_snapshots(None, old)
    assert [v.verdict for v in first.new_violations] == ["violation"]
    payload = webhook_payload(first)
    assert payload["counts"]["new_violations"] == 1
    assert "removed_columns" not in payload and payload["old_run"] is None
