"""The webhook ``piiscan scan --notify`` posts to when a run finds something new.

Only counts, column identities and entity types are posted; error messages
name the webhook's scheme and host, never its path or query (often a secret).
A notification waits in the results store's outbox until it is delivered:
one that cannot go out now goes out on the next run (or ``piiscan notify
--retry``), oldest first.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scanner.model import tool_version as installed_version
from scanner.redact import scrub_message
from scanner.workflows.history import RunDiff

if TYPE_CHECKING:
    from scanner.workflows.store import Store

logger = logging.getLogger(__name__)

#: Seconds one request may take in all (connect, send, answer); one retry at most.
WEBHOOK_TIMEOUT = 10.0
RETRY_DELAY = 1.0


class NotifyError(Exception):
    """The webhook could not be reached or refused the post. Names only scheme and host."""

def webhook_label(url: str) -> str:
    """Return ``scheme://host[:port]`` only: webhook paths and queries are often secrets."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def check_webhook_url(url: str) -> str | None:
    """Return why ``url`` cannot be a webhook, or None when it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "--notify needs an http:// or https:// URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "--notify needs an http:// or https:// URL"
    if parts.username is not None or parts.password is not None:
        # A user and password in the URL would travel in every error report and log.
        return f"--notify {webhook_label(url)}: no user or password in the URL, please " \
               "(webhooks take their secret in the path)"
    return None


def webhook_payload(diff: RunDiff) -> dict[str, Any]:
    """Return the JSON posted to the webhook: counts, column identities, entity types.

    ``text`` carries the one-line summary so chat webhooks (Slack, Mattermost)
    show something readable without a template.
    """
    doc = diff.to_dict()
    doc.pop("unconfirmed_columns", None)
    doc.pop("removed_columns", None)
    return {"text": diff.summary(), "tool": "piiscan", "event": "scan.new_findings", **doc}


def post_webhook(url: str, payload: dict[str, Any], *, timeout: float = WEBHOOK_TIMEOUT,
                 retry_delay: float = RETRY_DELAY) -> None:
    """POST ``payload`` as JSON; one retry on network errors, 429 and 5xx.

    Raises NotifyError naming only the webhook's scheme and host.
    """
    body = json.dumps(payload, sort_keys=True).encode("utf-8")
    label = webhook_label(url)
    last = ""
    for attempt in (1, 2):
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json",
                     "User-Agent": f"piiscan/{installed_version()}"},
        )
        deadline = _Deadline(timeout)
        try:
            with deadline.opener().open(request, timeout=timeout) as response:
                response.read(_MAX_ANSWER)
            logger.info("webhook %s notified", label)
            return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            retry = exc.code == 429 or exc.code >= 500
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            # Past the deadline (a dripping server) or a socket timeout: both "timed out".
            expired = deadline.expired or isinstance(reason, TimeoutError)
            last = "timed out" if expired else _short(reason)
            retry = True
        finally:
            deadline.cancel()
        if not retry or attempt == 2:
            break
        logger.info("webhook %s: %s; retrying", label, last)
        time.sleep(retry_delay)
    tries = "after 2 attempts" if retry else "not retried"
    raise NotifyError(f"webhook {label}: {last} ({tries})")


def deliver_pending(store: Store, url: str, config_hash: str | None = None) -> bool:
    """Post the outbox's undelivered notifications for ``url``, oldest first.

    ``config_hash`` limits them to one configuration. The first failure stops
    the round (the webhook is down) and is one line; what is left stays in the
    outbox for the next run or ``piiscan notify --retry``. Returns whether all
    went out.
    """
    pending = store.pending(webhook_label(url), config_hash)
    for i, note in enumerate(pending):
        try:
            post_webhook(url, note.payload)
        except NotifyError as exc:
            store.delivered(note.id, str(exc))
            left = len(pending) - i
            logger.error("%s; %s kept in the outbox (sent on the next run with --notify, or by "
                         "piiscan notify --retry)", exc,
                         "1 notification" if left == 1 else f"{left} notifications")
            return False
        store.delivered(note.id)
        logger.info("notification of run %s delivered", note.run_id)
    return True


#: The answer is not used: a webhook that sends more is not read further.
_MAX_ANSWER = 64 * 1024


class _Deadline:
    """A total deadline for one request: connect, send and answer together.

    urllib's ``timeout`` bounds each socket operation, so a server dripping
    one byte a second holds a request open for ever; when the deadline passes,
    the timer shuts the request's sockets down and the blocked read returns.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._conns: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for conn in self._conns:
                sock = conn.sock
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

    def cancel(self) -> None:
        self._timer.cancel()

    def _track(self, cls: type[http.client.HTTPConnection]) -> Any:
        def make(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
            conn = cls(*args, **kwargs)
            with self._lock:
                self._conns.append(conn)
            return conn
        return make

    def opener(self) -> urllib.request.OpenerDirector:
        """Return an opener (proxies and redirects as usual) whose connections obey the deadline."""
        deadline = self

        class HTTP(urllib.request.HTTPHandler):
            def http_open(self, req: urllib.request.Request) -> Any:
                return self.do_open(deadline._track(http.client.HTTPConnection), req)

        class HTTPS(urllib.request.HTTPSHandler):
            def https_open(self, req: urllib.request.Request) -> Any:
                kwargs: dict[str, Any] = {"context": getattr(self, "_context", None)}
                if hasattr(self, "_check_hostname"):
                    kwargs["check_hostname"] = self._check_hostname
                return self.do_open(deadline._track(http.client.HTTPSConnection), req,
                                    **kwargs)

        return urllib.request.build_opener(HTTP, HTTPS)


def _short(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return (scrub_message(str(reason)) or type(reason).__name__)[:120]
