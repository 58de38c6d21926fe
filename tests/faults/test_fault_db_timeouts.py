"""Item 7: a database that accepts the connection and never answers does not stall the scan.

A MySQL server that accepted and stayed silent held a scan for 66 s by default
and 206 s with ``--query-timeout 100`` (PyMySQL's connect_timeout covers the
TCP connect only; the greeting was read with the query read timeout). A connect
now has a bound of its own, at most 10 s, for PostgreSQL and MySQL alike, and
``--source-timeout`` bounds the whole scan of one source.

The silent server is real: a TCP socket on 127.0.0.1 that accepts and says
nothing. The slow database is the local PostgreSQL server.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from db_fixtures import pg_database, pg_exec
from support import ROOT


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A server on 127.0.0.1 that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)  # kept open, never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        server.close()
        for conn in held:
            conn.close()


def _scan(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    cmd = [sys.executable, "-m", "scanner", "scan", *args, "--no-store", "--no-ner", "-q",
           "--format", "json"]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - t0


@pytest.mark.parametrize("scheme", ["mysql+pymysql", "postgresql+psycopg"])
def test_a_silent_server_is_given_up_on_after_the_connect_bound(silent_port: int,
                                                                 scheme: str) -> None:
    # A long query timeout must not stretch the connect: the connect has its own bound.
    url = f"{scheme}://scanner@127.0.0.1:{silent_port}/crm"
    proc, took = _scan(url, "--query-timeout", "100")
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if f"127.0.0.1:{silent_port}/crm" in ln]
    assert lines and "cannot connect (connection timed out)" in lines[0], proc.stderr
    # 10 s to connect, plus the interpreter's start on a busy machine.
    assert took < 40, f"{scheme}: gave up after {took:.0f} s"


@pytest.fixture
def slow_views() -> Iterator[str]:
    """A database whose views each take a second and a half to read."""
    for url in pg_database():
        pg_exec(url, *[
            f"CREATE VIEW contacts_{i} AS SELECT pg_sleep(1.5)::text AS pause,"
            f" 'member{i}@example.org'::text AS email"
            for i in range(6)
        ])
        yield url


@pytest.mark.db
def test_the_source_timeout_bounds_a_whole_database(slow_views: str) -> None:
    proc, _ = _scan(slow_views, "--include-views", "--jobs", "1", "--source-timeout", "2")
    assert proc.returncode == 3, proc.stderr
    source = json.loads(proc.stdout)["sources"][0]
    assert source["status"] == "partial"
    statuses = [t["status"] for t in source["tables"]]
    assert "ok" in statuses  # what was read in time is reported
    late = [t for t in source["tables"] if t["status"] == "failed"]
    assert late and all("time limit" in t["error"] for t in late)
    lines = [ln for ln in proc.stderr.splitlines() if "--source-timeout" in ln]
    assert len(lines) == 1 and f"{len(late)} of 6 tables not read" in lines[0], proc.stderr


def test_a_bad_source_timeout_is_a_usage_error() -> None:
    proc, _ = _scan("nothing.csv", "--source-timeout", "nan")
    assert proc.returncode == 2
    assert "--source-timeout" in proc.stderr
