"""Run history: what changed between two recorded runs, the webhook, and recording a scan.

A diff compares two runs' PII columns by stable column identity
(``source/table/column``):

- *new*: a column with PII in the newer run and none in the older;
- *removed*: a column with PII in the older run and none in the newer, whose
  source the newer run read completely (otherwise the column is *unconfirmed*:
  a failed source must not look like cleaned-up data);
- *changed*: entity types added or removed, or the CPNI flag flipped;
- *new storage violations*: sources whose verdict became ``violation``.

"Something new" means a new column, an added entity type, a column that
became CPNI, or a new storage violation; ``piiscan diff`` then exits 1 and
``--notify`` posts. Removals are reported but are never "new".
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from scanner.model import ScanResult
from scanner.residency import Residency
from scanner.store import (
    ColumnFinding,
    ConfigIdentity,
    RunBusy,
    RunInfo,
    RunLock,
    RunSnapshot,
    SourceVerdict,
    Store,
    StoreError,
    config_identity,
    lock_dir,
    store_location,
    store_url,
)

__all__ = ["RunBusy", "RunDiff", "ScanRecording", "compare", "diff_snapshots", "post_webhook"]

logger = logging.getLogger(__name__)

#: Seconds a webhook may take to answer; one retry after RETRY_DELAY seconds.
WEBHOOK_TIMEOUT = 10.0
RETRY_DELAY = 1.0


class NotifyError(Exception):
    """The webhook could not be reached or refused the post. Names only scheme and host."""


# --- Diffs ---


@dataclass(frozen=True)
class ColumnChange:
    """A column with PII in both runs whose entity types or CPNI flag differ."""

    column: str
    entities_before: tuple[str, ...]
    entities_after: tuple[str, ...]
    cpni_before: bool
    cpni_after: bool

    @property
    def added(self) -> tuple[str, ...]:
        """Return entity types the newer run found and the older did not."""
        return tuple(sorted(set(self.entities_after) - set(self.entities_before)))

    @property
    def removed(self) -> tuple[str, ...]:
        """Return entity types the older run found and the newer did not."""
        return tuple(sorted(set(self.entities_before) - set(self.entities_after)))

    @property
    def is_new(self) -> bool:
        """Tell whether the change adds something (an entity type, the CPNI flag)."""
        return bool(self.added) or (self.cpni_after and not self.cpni_before)

    def to_dict(self) -> dict[str, Any]:
        """Return plain data (JSON output, webhook)."""
        return {
            "column": self.column,
            "entities": list(self.entities_after),
            "entities_added": list(self.added),
            "entities_removed": list(self.removed),
            "cpni_before": self.cpni_before,
            "cpni": self.cpni_after,
        }


@dataclass(frozen=True)
class RunDiff:
    """What changed from ``old`` (None: nothing recorded before) to ``new``."""

    old: RunInfo | None
    new: RunInfo
    new_columns: tuple[ColumnFinding, ...] = ()
    removed_columns: tuple[ColumnFinding, ...] = ()
    changed_columns: tuple[ColumnChange, ...] = ()
    new_violations: tuple[SourceVerdict, ...] = ()
    #: Columns of the older run whose source the newer run did not read completely.
    unconfirmed: tuple[ColumnFinding, ...] = field(default=())

    @property
    def has_new(self) -> bool:
        """Tell whether anything new appeared (exit code 1, a webhook post)."""
        return bool(self.new_columns or self.new_violations
                    or any(c.is_new for c in self.changed_columns))

    def counts(self) -> dict[str, int]:
        """Return how many of each kind of change there are."""
        return {
            "new_columns": len(self.new_columns),
            "changed_columns": len(self.changed_columns),
            "removed_columns": len(self.removed_columns),
            "new_violations": len(self.new_violations),
            "unconfirmed_columns": len(self.unconfirmed),
        }

    def summary(self) -> str:
        """Return one line saying what is new (chat webhooks show it as the message)."""
        c = self.counts()
        where = f"run {self.new.id} of {self.new.config_name}"
        if not self.has_new:
            return f"piiscan: nothing new in {where}"
        return (
            f"piiscan: {_n(c['new_columns'], 'new PII column')}, "
            f"{_n(c['changed_columns'], 'changed column')}, "
            f"{_n(c['new_violations'], 'new storage violation')} in {where}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return plain data: counts, column identities, entity types; never a value."""
        return {
            "configuration": self.new.config_name,
            "config_hash": self.new.config_hash,
            "old_run": _run_ref(self.old),
            "new_run": _run_ref(self.new),
            "has_new": self.has_new,
            "counts": self.counts(),
            "new_columns": [_column_dict(c) for c in self.new_columns],
            "changed_columns": [c.to_dict() for c in self.changed_columns],
            "removed_columns": [_column_dict(c) for c in self.removed_columns],
            "new_violations": [_violation_dict(v) for v in self.new_violations],
            "unconfirmed_columns": [_column_dict(c) for c in self.unconfirmed],
        }


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _run_ref(run: RunInfo | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"id": run.id, "started_at": run.started_at, "finished_at": run.finished_at,
            "complete": run.complete}


def _column_dict(c: ColumnFinding) -> dict[str, Any]:
    return {"column": c.column, "entities": list(c.entities), "cpni": c.cpni,
            "categories": list(c.categories)}


def _violation_dict(v: SourceVerdict) -> dict[str, Any]:
    return {"source": v.source, "country": v.country, "reason": v.reason}


def diff_snapshots(old: RunSnapshot | None, new: RunSnapshot) -> RunDiff:
    """Compare two runs' snapshots (``old`` None: everything in ``new`` is new)."""
    before = old.columns if old is not None else {}
    after = new.columns
    new_cols = tuple(after[k] for k in sorted(after.keys() - before.keys()))
    removed: list[ColumnFinding] = []
    unconfirmed: list[ColumnFinding] = []
    for key in sorted(before.keys() - after.keys()):
        col = before[key]
        src = new.sources.get(col.source)
        (removed if src is not None and src.status == "ok" else unconfirmed).append(col)
    changed = []
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if set(a.entities) != set(b.entities) or a.cpni != b.cpni:
            changed.append(ColumnChange(key, a.entities, b.entities, a.cpni, b.cpni))
    old_sources = old.sources if old is not None else {}
    violations = tuple(
        v for name, v in sorted(new.sources.items())
        if v.verdict == "violation"
        and (name not in old_sources or old_sources[name].verdict != "violation")
    )
    return RunDiff(
        old=old.run if old is not None else None, new=new.run, new_columns=new_cols,
        removed_columns=tuple(removed), changed_columns=tuple(changed),
        new_violations=violations, unconfirmed=tuple(unconfirmed),
    )


def compare(store: Store, old: RunInfo | None, new: RunInfo) -> RunDiff:
    """Diff two recorded runs."""
    return diff_snapshots(store.snapshot(old) if old is not None else None, store.snapshot(new))


# --- Rendering ---


def _run_line(run: RunInfo | None) -> str:
    if run is None:
        return "nothing recorded before"
    partial = "" if run.complete else ", incomplete"
    return f"run {run.id} ({run.started_at}{partial})"


def _entities(c: ColumnFinding) -> str:
    return ", ".join(c.entities) + (" [CPNI]" if c.cpni else "")


def _change(c: ColumnChange) -> str:
    parts = [f"+{e}" for e in c.added] + [f"-{e}" for e in c.removed]
    if c.cpni_before != c.cpni_after:
        parts.append("CPNI " + ("yes" if c.cpni_after else "no"))
    return " ".join(parts)


def render_table(diff: RunDiff) -> str:
    """Return the diff as plain text for a terminal."""
    lines = [
        f"configuration: {diff.new.config_name}",
        f"comparing {_run_line(diff.new)} with {_run_line(diff.old)}",
    ]

    def section(title: str, rows: Sequence[str]) -> None:
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(f"  {r}" for r in rows)

    section("New PII columns", [f"+ {c.column}  {_entities(c)}" for c in diff.new_columns])
    section("Changed columns", [f"~ {c.column}  {_change(c)}" for c in diff.changed_columns])
    section("Removed PII columns",
            [f"- {c.column}  {_entities(c)}" for c in diff.removed_columns])
    section("New storage violations",
            [f"! {v.source}  {v.reason}" for v in diff.new_violations])
    section("Not compared (their source is missing or incomplete in the newer run)",
            [f"? {c.column}  {_entities(c)}" for c in diff.unconfirmed])
    lines.append("")
    lines.append(diff.summary())
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def render_markdown(diff: RunDiff) -> str:
    """Return the diff as Markdown (a merge-request comment, a ticket)."""
    out = [
        "# piiscan diff",
        "",
        f"Configuration: `{_md(diff.new.config_name)}`  ",
        f"Comparing {_run_line(diff.new)} with {_run_line(diff.old)}.",
        "",
        f"**{_md(diff.summary())}**",
    ]

    def table(title: str, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        if not rows:
            return
        out.extend(["", f"## {title} ({len(rows)})", "", "| " + " | ".join(head) + " |",
                    "|" + "---|" * len(head)])
        out.extend("| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows)

    table("New PII columns", ("Column", "Entity types", "CPNI"),
          [(c.column, ", ".join(c.entities), "yes" if c.cpni else "no")
           for c in diff.new_columns])
    table("Changed columns", ("Column", "Added", "Removed", "CPNI"),
          [(c.column, ", ".join(c.added), ", ".join(c.removed),
            f"{'yes' if c.cpni_before else 'no'} → {'yes' if c.cpni_after else 'no'}")
           for c in diff.changed_columns])
    table("Removed PII columns", ("Column", "Entity types"),
          [(c.column, ", ".join(c.entities)) for c in diff.removed_columns])
    table("New storage violations", ("Source", "Reason"),
          [(v.source, v.reason) for v in diff.new_violations])
    table("Not compared (source missing or incomplete in the newer run)",
          ("Column", "Entity types"),
          [(c.column, ", ".join(c.entities)) for c in diff.unconfirmed])
    return "\n".join(out) + "\n"


def render_json(diff: RunDiff) -> str:
    """Return the diff as JSON (sorted keys)."""
    return json.dumps(diff.to_dict(), indent=2, sort_keys=True) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}


# --- The webhook ---


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
    from scanner.store import _tool_version

    body = json.dumps(payload, sort_keys=True).encode("utf-8")
    label = webhook_label(url)
    last = ""
    for attempt in (1, 2):
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json",
                     "User-Agent": f"piiscan/{_tool_version()}"},
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
    text = str(reason).splitlines()
    return (text[0] if text else type(reason).__name__)[:120]


# --- Recording a scan (piiscan scan) ---


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
        self._lock = RunLock(lock_dir(store_url(location)), identity) if locked else None
        self._failed = False

    @classmethod
    def prepare(cls, *, store: str | None, enabled: bool, config_path: str | None,
                sources: Sequence[str], notify: str | None) -> ScanRecording:
        """Check the scan's store options. Raises ValueError for a usage error."""
        if notify is not None:
            if not enabled:
                raise ValueError("--notify compares with the previous recorded run; "
                                 "it cannot be combined with --no-store")
            problem = check_webhook_url(notify)
            if problem:
                raise ValueError(problem)
        location = store_location(store)
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
            store = Store.open(self.location)
        except StoreError as exc:
            logger.error("%s; the run is not recorded%s", exc, tail)
            return False
        with store:
            try:
                run_id = store.record(result, self.identity, residency)
            except StoreError as exc:
                logger.error("%s; the run is not recorded%s", exc, tail)
                return False
            if self.notify is None:
                return ok
            try:
                new = store.run(run_id)
                if new is None:
                    raise StoreError(f"results store {store.where}: run {run_id} vanished")
                diff = compare(store, store.previous(new), new)
            except StoreError as exc:
                logger.error("%s; run %s is recorded but no notification was sent", exc, run_id)
                return False
        if not diff.has_new:
            logger.info("nothing new since %s; webhook not called",
                        f"run {diff.old.id}" if diff.old else "the first run")
            return ok
        try:
            post_webhook(self.notify, webhook_payload(diff))
        except NotifyError as exc:
            logger.error("%s", exc)
            return False
        return ok
