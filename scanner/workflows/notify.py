"""The webhook ``piiscan scan --notify`` posts to when a run finds something new.

Only counts, column identities and entity types are posted; error messages
name the webhook's scheme and host, never its path or query (often a secret).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from scanner.model import tool_version as installed_version
from scanner.redact import scrub_message
from scanner.workflows.history import RunDiff

logger = logging.getLogger(__name__)

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
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read()
            logger.info("webhook %s notified", label)
            return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            retry = exc.code == 429 or exc.code >= 500
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = "timed out" if isinstance(reason, TimeoutError) else _short(reason)
            retry = True
        if not retry or attempt == 2:
            break
        logger.info("webhook %s: %s; retrying", label, last)
        time.sleep(retry_delay)
    tries = "after 2 attempts" if retry else "not retried"
    raise NotifyError(f"webhook {label}: {last} ({tries}); no notification sent")


def _short(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return (scrub_message(str(reason)) or type(reason).__name__)[:120]
