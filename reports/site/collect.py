"""What the privacy site shows, read from the results store.

Everything here is plain data built from the store's runs, findings and
source verdicts, plus the stored result JSON of a few runs for what the
findings table does not keep (table and column names, data types, reasons,
masked evidence). Diffs are :func:`scanner.workflows.history.diff_snapshots`,
so the site's counts are the counts ``piiscan history`` and ``piiscan diff``
print. Nothing here is a raw sampled value: the store never holds one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reports.model import stable_id
from scanner.policy import Policy
from scanner.redact import redact_url
from scanner.workflows.baseline import Approval, Baseline
from scanner.workflows.history import RunDiff, diff_snapshots
from scanner.workflows.store import RunInfo, RunSnapshot, SourceVerdict, Store

logger = logging.getLogger(__name__)

#: Days the changes feed looks back from the newest run.
FEED_DAYS = 30
#: How many stored results of earlier runs are read for the evidence of columns gone since.
DETAIL_RESULTS = 5
#: Approvals expiring within this many days (of the build date) are listed on the overview.
EXPIRY_DAYS = 30


def slug(text: str, *parts: str) -> str:
    """Return a file-name-safe, stable name: a readable prefix and a hash of the identity."""
    prefix = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"
    return f"{prefix}-{stable_id(*parts)[:12]}"


def clean(name: str) -> str:
    """Return a name fit to show: any URL in it without a password.

    Stored names are redacted before they are recorded; this is the second lock
    on the door, applied to every name a page shows.
    """
    return redact_url(name) if "://" in name else name


@dataclass(frozen=True)
class Detail:
    """What the stored result says about a column beyond its findings row."""

    table: str
    column: str
    data_type: str
    labels: tuple[str, ...]
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    run_id: int


@dataclass(frozen=True)
class Span:
    """Consecutive runs in which a column was in the same state."""

    first: RunInfo
    last: RunInfo
    runs: int
    #: ``found``, ``absent`` (its source was read and the column held nothing) or ``unread``.
    state: str
    entities: tuple[str, ...] = ()
    cpni: bool = False


@dataclass(frozen=True)
class ApprovalView:
    """One approval from the baseline file, as the site shows it."""

    target: str
    entity: str
    reason: str
    expires: dt.date | None
    expired: bool
    href: str | None


@dataclass
class SiteColumn:
    """A column with PII in at least one run the site covers."""

    id: str
    source: str
    table: str
    name: str
    slug: str
    config_hash: str
    #: Entity types, CPNI flag and categories in the current state (None: not current).
    entities: tuple[str, ...] = ()
    cpni: bool = False
    categories: tuple[str, ...] = ()
    confidence: float = 0.0
    current: bool = False
    last_seen: RunInfo | None = None
    detail: Detail | None = None
    timeline: tuple[Span, ...] = ()
    #: The latest run of the column's configuration (a span reaching it is ongoing).
    latest_id: int = 0
    approvals: tuple[ApprovalView, ...] = ()


@dataclass
class SiteSource:
    """A source seen in the runs the site covers."""

    name: str
    slug: str
    verdict: SourceVerdict
    run: RunInfo
    current: bool
    columns: list[SiteColumn] = field(default_factory=list)
    approval: ApprovalView | None = None


@dataclass(frozen=True)
class TrendPoint:
    """Flagged columns per category in one run."""

    run: RunInfo
    total: int
    cpni: int
    by_category: dict[str, int]


@dataclass
class SiteData:
    """Everything the site's pages are rendered from."""

    store: str
    policy: Policy
    runs: list[RunInfo]
    latest: list[RunInfo]
    diffs: dict[int, RunDiff]
    columns: dict[str, SiteColumn]
    sources: dict[str, SiteSource]
    trend: list[TrendPoint]
    expiring: list[ApprovalView]
    feed_since: str | None
    baseline_given: bool
    #: Each loaded run's sources and their storage verdicts, by run id.
    verdicts: dict[int, dict[str, SourceVerdict]] = field(default_factory=dict)

    @property
    def current_columns(self) -> list[SiteColumn]:
        """Columns with PII in the latest run of their configuration, sorted by identity."""
        return sorted((c for c in self.columns.values() if c.current), key=lambda c: c.id)

    @property
    def current_sources(self) -> list[SiteSource]:
        """Sources of the latest runs, sorted by name."""
        return sorted((s for s in self.sources.values() if s.current), key=lambda s: s.name)


def _details(doc: dict[str, Any], run_id: int, want: set[str]) -> Iterable[tuple[str, Detail]]:
    """Yield the detail of each wanted column of a stored result (a plain walk, no objects)."""
    for source in doc.get("sources") or ():
        sname = str(source.get("name", ""))
        for table in source.get("tables") or ():
            tname = str(table.get("name", ""))
            schema = table.get("schema")
            tpath = f"{schema}.{tname}" if schema else tname
            for col in table.get("columns") or ():
                ident = f"{sname}/{tpath}/{col.get('name', '')}"
                if ident not in want or not col.get("entities"):
                    continue
                dets = sorted(col["entities"], key=lambda d: (-float(d.get("confidence", 0)),
                                                              str(d.get("type", ""))))
                labels = tuple(
                    f"{d['type']} in {int(d.get('matched', 0)):,} of {int(d.get('sampled', 0)):,}"
                    " values" if d.get("scope") == "embedded" else str(d["type"])
                    for d in dets
                )
                many = len(dets) > 1
                reasons = tuple(
                    f"{d['type']}: {r}" if many else str(r)
                    for d in dets for r in d.get("reasons") or ()
                )
                evidence = tuple(dict.fromkeys(
                    str(e) for d in dets for e in d.get("evidence") or ()))
                yield ident, Detail(tpath, str(col.get("name", "")),
                                    str(col.get("data_type") or ""), labels, reasons, evidence,
                                    run_id)


def _split(ident: str, source: str) -> tuple[str, str]:
    """Return (table, column) of an identity when no stored result names them."""
    rest = ident[len(source) + 1:] if ident.startswith(source + "/") else ident
    table, _, column = rest.rpartition("/")
    return table, column


def _approval_views(baseline: Baseline, today: dt.date, columns: dict[str, SiteColumn],
                    sources: dict[str, SiteSource]) -> list[ApprovalView]:
    out: list[ApprovalView] = []
    for ident, entities in sorted(baseline.columns.items()):
        col = columns.get(ident)
        for entity, a in sorted(entities.items()):
            view = _view(ident, entity, a, today,
                         f"columns/{col.slug}.html" if col is not None else None)
            out.append(view)
            if col is not None:
                col.approvals = (*col.approvals, view)
    for name, a in sorted(baseline.storage.items()):
        src = sources.get(name)
        view = _view(name, "storage location", a, today,
                     f"sources/{src.slug}.html" if src is not None else None)
        out.append(view)
        if src is not None:
            src.approval = view
    return out


def _view(target: str, entity: str, a: Approval, today: dt.date, href: str | None) -> ApprovalView:
    return ApprovalView(target, entity, a.reason or "", a.expires, a.expired(today), href)


def collect(store: Store, policy: Policy, *, config_hash: str | None = None, runs: int = 30,
            baseline: Baseline | None = None, today: dt.date | None = None) -> SiteData:
    """Read the newest runs (of one configuration, or all) and everything they need.

    ``runs`` is the window's size: see :func:`window`.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    listed = window(sorted(store.runs(config_hash, counts=False), key=lambda r: r.id), runs)
    snaps: dict[int, RunSnapshot] = store.snapshots(listed)
    # The counts `piiscan history` shows, from the snapshots (the same definitions).
    recent = [_counted(r, snaps[r.id]) for r in listed]
    snaps = {r.id: dataclasses.replace(snaps[r.id], run=r) for r in recent}

    # The diff of every run with the run before it (what `piiscan diff RUN` shows).
    diffs: dict[int, RunDiff] = {}
    for run in recent:
        prev = _previous(run, recent) or store.previous(run)
        if prev is not None and prev.id not in snaps:
            snaps[prev.id] = store.snapshot(prev)
        diffs[run.id] = diff_snapshots(snaps[prev.id] if prev is not None else None, snaps[run.id])

    by_config: dict[str, list[RunInfo]] = {}
    for run in recent:
        by_config.setdefault(run.config_hash, []).append(run)
    latest = sorted((rs[-1] for rs in by_config.values()), key=lambda r: r.id)
    latest_ids = {r.id for r in latest}

    columns: dict[str, SiteColumn] = {}
    sources: dict[str, SiteSource] = {}
    for run in recent:  # oldest first: later runs overwrite what earlier ones said
        snap = snaps[run.id]
        for name, verdict in snap.sources.items():
            src = sources.get(name)
            if src is None:
                src = sources[name] = SiteSource(name, slug(_tail(name), "source", name),
                                                 verdict, run, False)
            src.verdict, src.run = verdict, run
            src.current = src.current or run.id in latest_ids
        for ident, f in snap.columns.items():
            col = columns.get(ident)
            if col is None:
                table, name = _split(ident, f.source)
                col = columns[ident] = SiteColumn(ident, f.source, table, name,
                                                  slug(name, "column", ident), run.config_hash)
            col.last_seen = run
            col.entities, col.cpni, col.categories = f.entities, f.cpni, f.categories
            col.confidence = f.confidence
            col.current = run.id in latest_ids
    # A source no longer in the latest run of its configuration is not current.
    for src in sources.values():
        src.current = src.run.id in latest_ids

    # Table and column names, reasons and masked evidence from the newest stored result
    # that has each column.
    # Stored results are large: read the latest run of each configuration (every current
    # column) and the last run that found each other column, newest first, at most
    # DETAIL_RESULTS of those; a column beyond that keeps its timeline, not its evidence.
    missing = set(columns)
    last_seen = sorted({c.last_seen.id for c in columns.values() if c.last_seen is not None
                        and c.last_seen.id not in latest_ids}, reverse=True)
    for run_id in [r.id for r in reversed(latest)] + last_seen[:DETAIL_RESULTS]:
        if not missing:
            break
        doc = store.result(run_id) or {}
        for ident, detail in _details(doc, run_id, missing):
            col = columns[ident]
            col.detail = detail
            col.table, col.name = detail.table, detail.column
            missing.discard(ident)

    for col in columns.values():
        config_runs = by_config.get(col.config_hash, [])
        col.timeline = _timeline(col, config_runs, snaps)
        col.latest_id = config_runs[-1].id if config_runs else 0
        src = sources.get(col.source)
        if src is not None and col.current:
            src.columns.append(col)
    for src in sources.values():
        src.columns.sort(key=lambda c: (c.table, c.name, c.id))

    trend = []
    for run in recent:
        cols = snaps[run.id].columns.values()
        cats = Counter(c for f in cols for c in f.categories)
        trend.append(TrendPoint(run, len(cols), sum(1 for f in cols if f.cpni), dict(cats)))

    expiring: list[ApprovalView] = []
    if baseline is not None:
        views = _approval_views(baseline, today, columns, sources)
        horizon = today + dt.timedelta(days=EXPIRY_DAYS)
        expiring = [v for v in views if v.expires is not None and v.expires <= horizon]
        expiring.sort(key=lambda v: (v.expires or today, v.target, v.entity))

    feed_since = None
    if recent:
        newest = _date(recent[-1].started_at)
        if newest is not None:
            feed_since = (newest - dt.timedelta(days=FEED_DAYS)).isoformat()
    return SiteData(
        store=store.where, policy=policy, runs=recent, latest=latest, diffs=diffs,
        columns=columns, sources=sources, trend=trend, expiring=expiring,
        feed_since=feed_since, baseline_given=baseline is not None,
        verdicts={r.id: snaps[r.id].sources for r in recent},
    )


def window(runs: list[RunInfo], size: int) -> list[RunInfo]:
    """Return at least the newest ``size`` runs (oldest first), the window moving in steps.

    The window starts at a multiple of ``size`` runs and so holds between
    ``size`` and ``2 * size - 1`` runs. Were it to slide by one run each time,
    every timeline that starts at its edge would change with every scan and a
    rebuild would rewrite most column pages; moving in steps, it does so once
    every ``size`` runs.
    """
    if len(runs) <= size:
        return runs
    return runs[(len(runs) - size) // size * size:]


def _counted(run: RunInfo, snap: RunSnapshot) -> RunInfo:
    return dataclasses.replace(
        run, pii_columns=len(snap.columns),
        cpni_columns=sum(1 for c in snap.columns.values() if c.cpni),
        violations=sum(1 for v in snap.sources.values() if v.verdict == "violation"))


def _previous(run: RunInfo, recent: list[RunInfo]) -> RunInfo | None:
    """Return ``Store.previous(run)`` when the loaded runs settle it, else None.

    ``recent`` holds every run of the configuration from its oldest member on,
    so a complete earlier run among them is the one ``Store.previous`` finds.
    """
    earlier = [r for r in recent if r.config_hash == run.config_hash and r.id < run.id]
    complete = [r for r in earlier if r.complete]
    return complete[-1] if complete else None


def _tail(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def _date(stamp: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(stamp).date()
    except ValueError:
        return None


def _timeline(col: SiteColumn, runs: list[RunInfo],
              snaps: dict[int, RunSnapshot]) -> tuple[Span, ...]:
    """Return the column's history as spans of runs in the same state, oldest first."""
    spans: list[Span] = []
    key_, source = col.id, col.source
    started = False
    state_of_last: tuple[str, tuple[str, ...], bool] | None = None
    for run in runs:
        snap = snaps[run.id]
        f = snap.columns.get(key_)
        if f is not None:
            state: tuple[str, tuple[str, ...], bool] = ("found", f.entities, f.cpni)
            started = True
        elif not started:
            continue  # the timeline starts when the column is first found
        else:
            src = snap.sources.get(source)
            state = ("absent" if src is not None and src.status == "ok" else "unread", (), False)
        if state == state_of_last:
            last = spans[-1]
            spans[-1] = Span(last.first, run, last.runs + 1, *state)
        else:
            spans.append(Span(run, run, 1, *state))
            state_of_last = state
    return tuple(spans)
