"""Items 11, 17 and 21: the results store keeps alerts, reads when read-only, stays tidy.

Webhooks are real local HTTP servers, down (nothing listens) and then up.

Permissions are real: as root, the reader runs without the capabilities that
let root ignore them (``setpriv --bounding-set -dac_override,-dac_read_search``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults_support import webhook
from support import ROOT


def _cli(*args: str, drop_root: bool = False, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scanner", *args]
    if drop_root and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        cmd = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *cmd]
    return subprocess.run(cmd, cwd=cwd or ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def _scan(data: Path, store: Path, *extra: str, cwd: Path | None = None
          ) -> subprocess.CompletedProcess:
    return _cli("scan", str(data), "--store", str(store), "--no-ner", "-q", "--format", "json",
                *extra, cwd=cwd)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("email\nzelda@example.org\nquill@example.net\n")
    return path


# --- 17: a read-only store is read ---


@pytest.fixture
def readonly_store(tmp_path: Path, data: Path) -> Iterator[Path]:
    folder = tmp_path / "archive"
    folder.mkdir()
    store = folder / "results.db"
    assert _scan(data, store).returncode == 0
    yield store
    folder.chmod(0o755)
    store.chmod(0o600)


@pytest.mark.parametrize("what", ["file", "directory", "both"])
def test_history_reads_a_read_only_store(readonly_store: Path, what: str) -> None:
    if what in ("file", "both"):
        readonly_store.chmod(0o444)
    if what in ("directory", "both"):
        readonly_store.parent.chmod(0o555)
    before = readonly_store.read_bytes()
    proc = _cli("history", "--store", str(readonly_store), "--format", "json", drop_root=True)
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)
    assert [r["pii_columns"] for r in runs] == [1]
    assert readonly_store.read_bytes() == before  # nothing written


# --- 21: retention, history by name, no lock files left ---


def test_prune_keeps_the_newest_runs(tmp_path: Path, data: Path) -> None:
    store = tmp_path / "results.db"
    for _ in range(3):
        assert _scan(data, store).returncode == 0
    young = _cli("history", "prune", "--older-than", "30d", "--store", str(store))
    assert young.returncode == 0, young.stderr
    assert young.stdout.strip() == "0 runs removed, 3 kept"  # all started today
    pruned = _cli("history", "prune", "--keep", "1", "--store", str(store))
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.strip() == "2 runs removed, 1 kept"
    runs = json.loads(_cli("history", "--store", str(store), "--format", "json").stdout)
    assert [r["id"] for r in runs] == [3]
    assert runs[0]["pii_columns"] == 1  # the kept run keeps its findings


@pytest.mark.parametrize("args", [(), ("--older-than", "30 days"), ("--keep", "0")])
def test_prune_without_a_sane_rule_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc = _cli("history", "prune", *args, "--store", str(tmp_path / "results.db"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr


def test_history_follows_a_named_configuration_to_another_folder(tmp_path: Path) -> None:
    store = tmp_path / "results.db"
    checkouts = [tmp_path / "ci-1234", tmp_path / "ci-1235"]
    for folder in checkouts:
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "customers.csv").write_text("email\nzelda@example.org\n")
        (folder / "scan.yaml").write_text("name: nightly\nsources:\n  - path: data\n")
        proc = _cli("scan", "--config", str(folder / "scan.yaml"), "--store", str(store),
                    "--no-ner", "-q", "--format", "json")
        assert proc.returncode == 0, proc.stderr
    runs = json.loads(_cli("history", "--config", str(checkouts[1] / "scan.yaml"),
                           "--store", str(store), "--format", "json").stdout)
    assert [r["configuration"] for r in runs] == ["nightly", "nightly"]


def test_a_run_leaves_no_lock_file(tmp_path: Path, data: Path) -> None:
    store = tmp_path / "store" / "results.db"
    assert _scan(data, store).returncode == 0
    assert _scan(data, store).returncode == 0
    assert sorted(p.name for p in store.parent.iterdir()) == ["results.db"]


# --- 11: an alert sent while the webhook is down is not lost ---


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _notified(store: Path) -> list[str | None]:
    proc = _cli("history", "--store", str(store), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return [r["notification"] for r in json.loads(proc.stdout)]


def test_alert_missed_while_the_webhook_is_down_goes_out_on_the_next_run(
        tmp_path: Path, data: Path) -> None:
    store = tmp_path / "results.db"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hooks/T0KEN-path"
    down = _scan(data, store, "--notify", url)  # nothing listens on the port
    assert down.returncode == 3
    [line] = down.stderr.strip().splitlines()
    assert "kept in the outbox" in line and "T0KEN" not in line
    assert _notified(store) == ["pending"]
    with webhook(port=port) as hook:
        up = _scan(data, store, "--notify", url)  # nothing new, but the missed alert goes
        assert up.returncode == 0, up.stderr
    assert len(hook.bodies) == 1
    posted = json.loads(hook.bodies[0])
    assert posted["new_columns"] and "zelda" not in hook.bodies[0]
    assert _notified(store) == [None, "sent"]  # newest first: the second run had nothing new


def test_notify_retry_sends_what_is_waiting(tmp_path: Path, data: Path) -> None:
    store = tmp_path / "results.db"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/hooks/T0KEN-path"
    assert _scan(data, store, "--notify", url).returncode == 3
    still_down = _cli("notify", "--retry", "--webhook", url, "--store", str(store))
    assert still_down.returncode == 3
    assert _notified(store) == ["pending"]
    with webhook(port=port) as hook:
        sent = _cli("notify", "--retry", "--webhook", url, "--store", str(store))
        assert sent.returncode == 0, sent.stderr
        again = _cli("notify", "--retry", "--webhook", url, "--store", str(store))
        assert again.returncode == 0, again.stderr
    assert len(hook.bodies) == 1  # delivered once, not again
    assert _notified(store) == ["sent"]


def test_prune_keeps_a_run_whose_alert_is_waiting(tmp_path: Path, data: Path) -> None:
    store = tmp_path / "results.db"
    url = f"http://127.0.0.1:{_free_port()}/hook"
    assert _scan(data, store, "--notify", url).returncode == 3  # its alert waits
    assert _scan(data, store).returncode == 0
    assert _scan(data, store).returncode == 0
    pruned = _cli("history", "prune", "--keep", "1", "--store", str(store))
    assert pruned.stdout.strip() == "1 run removed, 2 kept", pruned.stderr
    assert _notified(store) == [None, "pending"]
