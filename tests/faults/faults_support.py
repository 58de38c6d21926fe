"""Helpers of the fault suite: a local webhook that records or drips, a piiscan process.

Real servers and processes, no mocks: the webhook is an HTTP server on
127.0.0.1 in a thread; the scanner runs as a child process.
"""

from __future__ import annotations

import http.server
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from support import ROOT


@dataclass
class Hook:
    """A webhook on 127.0.0.1: ``url``, and every body POSTed to it."""

    url: str
    bodies: list[str] = field(default_factory=list)


@contextmanager
def webhook(drip_seconds: float | None = None, port: int = 0) -> Iterator[Hook]:
    """Serve a webhook (on ``port``, else any free one).

    With ``drip_seconds`` it answers one byte every that many seconds.
    """
    hook = Hook("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            hook.bodies.append(self.rfile.read(length).decode("utf-8", "replace"))
            if drip_seconds is None:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                return
            # A status line that never ends: one byte at a time, forever (until closed).
            try:
                for ch in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000:
                    self.wfile.write(bytes([ch]))
                    self.wfile.flush()
                    time.sleep(drip_seconds)
            except OSError:
                return

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()


def spawn(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start ``piiscan ARGS`` as a child process (stdout and stderr piped).

    Ctrl-C is given its default meaning in the child, as in a user's shell: a test
    run started in the background (``make test &``, some CI runners) inherits an
    ignored SIGINT, which Python would then keep ignoring.
    """
    return subprocess.Popen([sys.executable, "-m", "scanner", *args], cwd=cwd or ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
