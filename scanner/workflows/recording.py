"""Recording one ``piiscan scan``: the run lock, the results store and the webhook.

Failures here never lose the scan: the report is still written, and a store or
webhook failure is one line on stderr and exit code 3.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from scanner.workflows.history import RunDiff, compare
from scanner.workflows.records import (
    ConfigIdentity,
    RunBusy,
    RunLock,
    StoreError,
    config_identity,
    store_file,
    store_location,
)
from scanner.workflows.sqlite_store import SqliteStore

if TYPE_CHECKING:
    from scanner.model import ScanResult
    from scanner.policy.residency import Residency
    from scanner.workflows.store import Store

# SQLAlchemy (scanner.workflows.store) and the webhook client (notify) are imported
# only when needed: a scan recorded in an existing SQLite store reads and writes it
# with sqlite3 (see sqlite_store), and most scans notify nobody.

logger = logging.getLogger(__name__)

__all__ = ["RunBusy", "ScanRecording"]


class ScanRecording:
    """The store, lock and webhook side of one ``piiscan scan``.

    ``prepare`` checks the options; ``start`` takes the run lock (raising
    RunBusy); ``finish`` records the result and posts to the webhook. Failures
    are logged as one line each and make ``finish`` return False, so the
    caller still writes its report and exits 3.
    """

    def __init__(self, identity: ConfigIdentity, location: str, *, enabled: bool,
                 locked: bool, notify: str | None) -> None:
        self.identity = identity
        self.location = location
        self.enabled = enabled
        self.notify = notify
        self._lock = RunLock(_lock_dir(location), identity) if locked else None
        self._failed = False
        #: The id of the recorded run, once ``finish`` has recorded it.
        self.run_id: int | None = None
        #: What changed since the previous run of the configuration, once recorded.
        self.diff: RunDiff | None = None

    @classmethod
    def prepare(cls, *, store: str | None, enabled: bool, config_path: str | None,
                sources: Sequence[str], notify: str | None) -> ScanRecording:
        """Check the scan's store options. Raises ValueError for a usage error."""
        if notify is not None:
            if not enabled:
                raise ValueError("--notify compares with the previous recorded run; "
                                 "it cannot be combined with --no-store")
            from scanner.workflows.notify import check_webhook_url

            problem = check_webhook_url(notify)
            if problem:
                raise ValueError(problem)
        location = store_location(store)
        if store_file(location) is None:  # a URL: SQLAlchemy checks it
            from scanner.workflows.store import store_url

            try:
                store_url(location)
            except StoreError as exc:
                raise ValueError(str(exc)) from exc
        identity = config_identity(config_path, sources)
        # Scheduled sweeps (--config) and recorded runs take the lock.
        return cls(identity, location, enabled=enabled,
                   locked=enabled or config_path is not None, notify=notify)

    def start(self) -> ScanRecording:
        """Take the run lock. Raises RunBusy when another run of the configuration holds it."""
        if self._lock is not None:
            try:
                self._lock.acquire()
            except OSError as exc:
                # Without a lock the scan still runs; the exit code says something was off.
                logger.error("cannot take the run lock %s (%s)", self._lock.path,
                             exc.strerror or type(exc).__name__)
                self._failed = True
                self._lock = None
        return self

    def __enter__(self) -> ScanRecording:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._lock is not None:
            self._lock.release()

    def finish(self, result: ScanResult, residency: Residency | None) -> bool:
        """Record the run and notify; return False when anything failed (exit 3)."""
        ok = not self._failed
        if not self.enabled:
            return ok
        tail = "; no notification sent" if self.notify else ""
        try:
            store = self._open()
        except StoreError as exc:
            logger.error("%s; the run is not recorded%s", exc, tail)
            return False
        with store:
            try:
                run_id = self.run_id = store.record(result, self.identity, residency)
            except StoreError as exc:
                logger.error("%s; the run is not recorded%s", exc, tail)
                return False
            try:
                new = store.run(run_id)
                if new is None:
                    raise StoreError(f"results store {store.where}: run {run_id} vanished")
                diff = self.diff = compare(store, store.previous(new), new)
            except StoreError as exc:
                if self.notify is None:  # the report goes without "changed since the last run"
                    logger.warning("%s; the report cannot say what changed since the last run",
                                   exc)
                    return ok
                logger.error("%s; run %s is recorded but no notification was sent", exc, run_id)
                return False
            if self.notify is None:
                return ok
        return self._notify(self.notify, diff) and ok

    def _open(self) -> Store | SqliteStore:
        """Open the store to record the run in: with sqlite3 when it can, else with Store.

        The webhook's outbox is kept by ``Store``, so a run that notifies opens that.
        """
        path = store_file(self.location)
        if path is not None and self.notify is None:
            quick = SqliteStore.open(path)
            if quick is not None:
                return quick
        from scanner.workflows.store import Store

        return Store.open(self.location)

    def _notify(self, url: str, diff: RunDiff) -> bool:
        """Put what is new in the outbox, then post every notification still waiting there.

        Notifications of earlier runs that the webhook missed go first, so an
        alert is late at worst, never lost.
        """
        from scanner.workflows.notify import deliver_pending, webhook_label, webhook_payload
        from scanner.workflows.store import Store

        try:
            with Store.open(self.location) as store:
                if diff.has_new and self.run_id is not None:
                    store.enqueue(self.run_id, self.identity.hash, webhook_label(url),
                                  webhook_payload(diff))
                else:
                    logger.info("nothing new since %s", f"run {diff.old.id}" if diff.old
                                else "the first run")
                return deliver_pending(store, url, self.identity.hash)
        except StoreError as exc:
            logger.error("%s; run %s is recorded but no notification was sent", exc, self.run_id)
            return False


def _lock_dir(location: str) -> Path:
    """Return where run locks live (``store.lock_dir``): next to a SQLite store, else data_dir."""
    path = store_file(location)
    if path is not None:
        return path.parent
    from scanner.workflows.store import lock_dir, store_url

    return lock_dir(store_url(location))
