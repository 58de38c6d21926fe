"""Item 6: a webhook that drips one byte a second cannot hold the run.

urllib's timeout bounds each read, so a server sending one byte a second
held a run (and its lock) for over ten minutes. Each request now has a total
deadline. The server is real: a local HTTP server dripping its status line.
"""

from __future__ import annotations

import time

import pytest
from faults_support import webhook

from scanner.workflows.notify import NotifyError, post_webhook


def test_dripping_webhook_gives_up_at_the_deadline() -> None:
    with webhook(drip_seconds=0.2) as hook:
        t0 = time.monotonic()
        with pytest.raises(NotifyError) as caught:
            post_webhook(hook.url, {"text": "x"}, timeout=1.5, retry_delay=0.1)
        took = time.monotonic() - t0
    assert took < 6, f"two attempts of 1.5 s took {took:.1f} s"
    assert "timed out (after 2 attempts)" in str(caught.value)
    assert "/hook" not in str(caught.value)  # the path (often a secret) is never shown
    assert len(hook.bodies) == 2  # one retry


def test_answering_webhook_is_notified_once() -> None:
    with webhook() as hook:
        post_webhook(hook.url, {"text": "x"}, timeout=1.5, retry_delay=0.1)
    assert len(hook.bodies) == 1
