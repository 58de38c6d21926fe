"""Run history: what changed between two recorded runs.

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

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from scanner.workflows.records import ColumnFinding, RunInfo, RunSnapshot, SourceVerdict

if TYPE_CHECKING:
    from scanner.workflows.sqlite_store import SqliteStore
    from scanner.workflows.store import Store

__all__ = ["ColumnChange", "RunDiff", "compare", "diff_snapshots"]

logger = logging.getLogger(__name__)

#: Seconds a webhook may take to answer; one retry after RETRY_DELAY seconds.
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


def _same_keys(before: dict[str, ColumnFinding],
               after: dict[str, ColumnFinding]) -> dict[str, ColumnFinding]:
    """Key ``before``'s columns as ``after`` does where only the source's identity changed.

    Runs recorded before sources had identities key a database column on its
    URL with user and host; the same column now has its source's identity.
    Without this, the first run after the change would show every such column
    as new (and notify them all) and every old one as removed.
    """
    def tail(key: str, source: str) -> str | None:
        return key[len(source) + 1:] if key.startswith(source + "/") else None

    renamed: dict[tuple[str, str], str] = {}
    for key, col in after.items():
        if tail(key, col.source) is None:  # keyed on an identity, not on the source's name
            table_column = "/".join(key.rsplit("/", 2)[1:])
            renamed[(col.source, table_column)] = key
    if not renamed:
        return before
    out: dict[str, ColumnFinding] = {}
    for key, col in before.items():
        rest = tail(key, col.source)
        now = renamed.get((col.source, rest)) if rest is not None else None
        if now is not None and now not in before:
            out[now] = replace(col, column=now)
        else:
            out[key] = col
    return out


def diff_snapshots(old: RunSnapshot | None, new: RunSnapshot) -> RunDiff:
    """Compare two runs' snapshots (``old`` None: everything in ``new`` is new)."""
    after = new.columns
    before = _same_keys(old.columns, after) if old is not None else {}
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


def compare(store: Store | SqliteStore, old: RunInfo | None, new: RunInfo) -> RunDiff:
    """Diff two recorded runs."""
    return diff_snapshots(store.snapshot(old) if old is not None else None, store.snapshot(new))
