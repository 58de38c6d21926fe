"""One report model, built from a ScanResult, a Policy and the residency verdicts.

Every renderer reads a :class:`Report`; none looks at sources, connectors or
detectors. Everything here is sorted deterministically (sources and tables by
name, columns by table then position, categories in policy order), so two
reports of the same data are identical.

The report never holds a raw value: it carries only what the ScanResult holds,
whose evidence is already masked.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reports.record_kinds import kind_label
from scanner.model import (
    ENTITY_TYPES,
    ColumnVerdict,
    Detection,
    ScanResult,
    SourceResult,
    Status,
    TableResult,
)
from scanner.model import tool_version as installed_version
from scanner.policy import SENSITIVITIES, Policy
from scanner.policy.residency import Residency, SourceResidency, StorageVerdict

if TYPE_CHECKING:
    from scanner.workflows.history import RunDiff

logger = logging.getLogger(__name__)

#: Human names of the entity vocabulary (DESIGN.md), used in rule descriptions.
ENTITY_TITLES: dict[str, str] = {
    "PERSON_NAME": "Person name",
    "POSTAL_ADDRESS": "Postal address",
    "PHONE_NUMBER": "Telephone number",
    "EMAIL_ADDRESS": "Email address",
    "DATE_OF_BIRTH": "Date of birth",
    "US_SSN": "US Social Security number",
    "ACCOUNT_ID": "Customer account identifier",
    "CREDIT_CARD": "Credit card number",
    "BANK_ACCOUNT": "Bank account number (IBAN, ABA routing, account)",
    "CREDIT_HISTORY": "Credit history or credit reporting data",
    "IP_ADDRESS": "IP address",
    "MAC_ADDRESS": "MAC address",
    "USER_AGENT": "Browser information (user agent)",
    "DEVICE_ID": "Device identifier (IMEI, IMSI, ICCID, MEID)",
    "GEO_LOCATION": "Location or positioning information",
    "CALL_DETAIL": "Calling detail (call times, durations, numbers in a call record)",
    "SERVICE_PLAN": "Type of services a customer has",
    "SERVICE_USAGE": "Service usage and its charges",
    "PASSPORT": "Passport number",
    "DRIVER_LICENSE": "Driver's licence number",
    "NATIONAL_ID": "National identity or personal number (non-US)",
    "TAX_ID": "Tax identification number (EIN, VAT, foreign TIN)",
}

#: Pseudo-category for flagged columns whose entity types the policy does not name.
UNCATEGORIZED = "uncategorized"


@dataclass(frozen=True)
class PolicyRule:
    """A rule of the policy that a source can break (SARIF rules, JUnit cases)."""

    id: str
    name: str
    title: str
    description: str
    level: str


def scope_label(d: Detection) -> str:
    """``US_SSN`` for a column of SSNs; ``US_SSN in 12 of 10,000 values`` when found inside."""
    if d.scope == "embedded":
        return f"{d.entity} in {d.matched:,} of {d.sampled:,} values"
    return d.entity


@dataclass(frozen=True)
class FlaggedColumn:
    """A column holding at least one entity type, with its policy mapping."""

    id: str
    source: str
    source_kind: str
    table: str
    column: str
    position: int
    data_type: str
    detections: tuple[Detection, ...]
    categories: tuple[str, ...]
    cpni: bool
    confidence: float
    sensitivity: str
    is_call_record: bool
    file_path: str | None
    #: What to do about it, from the policy's ``next_steps``: approve, move, mask or delete.
    next_step: str | None = None
    #: Since the previous recorded run: ``new``, ``changed`` or ``same``; None without history.
    change: str | None = None
    #: For a changed column: entity types added (``+US_SSN``) and removed (``-EMAIL_ADDRESS``).
    change_detail: str = ""

    @property
    def matched(self) -> int:
        """How many sampled values bore out the most confident finding."""
        return self.detections[0].matched

    @property
    def sampled(self) -> int:
        """How many values the most confident finding was judged on (0: the name alone)."""
        return self.detections[0].sampled

    @property
    def sample_label(self) -> str:
        """The evidence behind the verdict: ``12 of 10,000 values``, or ``column name only``."""
        if not self.sampled:
            return "column name only"
        return f"{self.matched:,} of {self.sampled:,} values"

    @property
    def entities(self) -> tuple[str, ...]:
        """Entity types, most confident first."""
        return tuple(d.entity for d in self.detections)

    @property
    def labels(self) -> tuple[str, ...]:
        """Entity types as shown: ``US_SSN in 12 of 10,000 values`` for an embedded finding."""
        return tuple(scope_label(d) for d in self.detections)

    @property
    def primary(self) -> str:
        """The most confident entity type (ties broken by name)."""
        return self.detections[0].entity

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every detection's reasons, prefixed with its entity type when there are several."""
        if len(self.detections) == 1:
            return self.detections[0].reasons
        return tuple(f"{d.entity}: {r}" for d in self.detections for r in d.reasons)

    @property
    def evidence(self) -> tuple[str, ...]:
        """Masked evidence of every detection, without duplicates, in order."""
        return tuple(dict.fromkeys(e for d in self.detections for e in d.evidence))


@dataclass(frozen=True)
class RemovedColumn:
    """A column the previous run flagged and this one, having read its source, does not."""

    id: str
    entities: tuple[str, ...]


@dataclass(frozen=True)
class Changes:
    """What changed since the previous recorded run of the same configuration."""

    #: The run compared with (None: this is the first recorded run).
    previous_run: int | None
    previous_started_at: str | None
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[RemovedColumn, ...] = ()
    #: Columns of the previous run whose source this run did not read completely.
    unconfirmed: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        """Tell whether anything was added, changed or removed."""
        return bool(self.new or self.changed or self.removed)

    @property
    def summary(self) -> str:
        """Return one line: ``since run 12 (2026-11-30T…): 2 new, 1 changed, 1 removed``."""
        if self.previous_run is None:
            return "first recorded run of this configuration: nothing to compare with"
        parts = [f"{len(self.new)} new", f"{len(self.changed)} changed",
                 f"{len(self.removed)} removed"]
        return (f"since run {self.previous_run} ({self.previous_started_at}): "
                f"{', '.join(parts)} PII columns"
                if self.any else
                f"since run {self.previous_run} ({self.previous_started_at}): no change")


@dataclass(frozen=True)
class CategorySummary:
    """One policy category and the flagged columns that fall in it."""

    id: str
    title: str
    quote: str
    sensitivity: str
    entities: tuple[str, ...]
    columns: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Violation:
    """A source that breaks the storage rule."""

    id: str
    rule: str
    source: str
    residency: SourceResidency
    message: str
    columns: tuple[str, ...]
    categories: tuple[str, ...]
    cpni: bool
    file_path: str | None


@dataclass(frozen=True)
class TableSummary:
    """One table with its flagged columns (HTML per-table detail, JUnit test cases)."""

    source: str
    name: str
    status: Status
    error: str | None
    rows_scanned: int
    rows_total: int | None
    is_call_record: bool
    format: str | None
    warnings: tuple[str, ...]
    columns: int
    skipped: int
    flagged: tuple[FlaggedColumn, ...]
    #: What the records are (``call_detail`` ...) and how a report names it:
    #: ``call records (FreeSWITCH CSV)``; None when of no known kind.
    record_kind: str | None = None
    kind_label: str | None = None
    #: ``DE (configured)``: the region national formats were read in; None when none.
    region: str | None = None


@dataclass(frozen=True)
class SourceSummary:
    """One source: counts, status and residency."""

    name: str
    kind: str
    status: Status
    error: str | None
    tables: int
    columns: int
    flagged: int
    cpni: int
    residency: SourceResidency
    file_path: str | None


@dataclass(frozen=True)
class Problem:
    """A source or table that could not be scanned completely."""

    source: str
    table: str | None
    status: Status
    message: str


@dataclass(frozen=True)
class Totals:
    """Headline numbers."""

    sources: int
    tables: int
    columns: int
    flagged: int
    cpni: int
    skipped: int
    violations: int
    unverified: int
    compliant: int
    problems: int


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs, sorted and ready to print."""

    result: ScanResult
    policy: Policy
    residency: Residency
    rules: tuple[PolicyRule, ...]
    tool_version: str
    totals: Totals
    flagged: tuple[FlaggedColumn, ...]
    categories: tuple[CategorySummary, ...]
    uncategorized: tuple[str, ...]
    cpni: tuple[FlaggedColumn, ...]
    violations: tuple[Violation, ...]
    unverified: tuple[SourceResidency, ...]
    sources: tuple[SourceSummary, ...]
    tables: tuple[TableSummary, ...]
    problems: tuple[Problem, ...]
    entity_counts: tuple[tuple[str, int], ...]
    #: Since the previous recorded run; None when the run is not in a results store.
    changes: Changes | None = None
    #: ``--explain``: human formats add every column's reasons and reading notes.
    explain: bool = False

    @property
    def complete(self) -> bool:
        """Whether every source was scanned completely."""
        return self.result.complete

    def column(self, column_id: str) -> FlaggedColumn:
        """Return the flagged column with this id (KeyError when it is not flagged)."""
        for c in self.flagged:
            if c.id == column_id:
                return c
        raise KeyError(column_id)


def file_path_of(source: str) -> str | None:
    """Return the local file path of a source name, or None for a remote source."""
    if source.startswith("sqlite:///"):
        return source[len("sqlite:///") :] or None
    if source.startswith("file://"):
        return source[len("file://") :] or None
    if "://" in source:
        return None
    return source


def stable_id(*parts: str) -> str:
    """Return a short stable hash of ``parts`` (SARIF fingerprints, HTML anchors)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:24]


def policy_rules(policy: Policy) -> tuple[PolicyRule, ...]:
    """Return the policy rules a source can break: the storage rule and its unverified twin."""
    allowed = ", ".join(policy.allowed_countries) or "no country"
    quote = policy.storage_quote or f"Data is stored in {allowed}."
    return (
        PolicyRule(
            id="policy/storage-location",
            name="StorageLocation",
            title=f"PII or CPNI stored outside {allowed}",
            description=f'The policy says: "{quote}" A source holding PII or CPNI in another '
            "country breaks this rule.",
            level="error",
        ),
        PolicyRule(
            id="policy/storage-unverified",
            name="StorageUnverified",
            title="Storage location of PII or CPNI not established",
            description=f'The policy says: "{quote}" The location of a source holding PII '
            "could not be established; declare it in the scan configuration.",
            level="warning",
        ),
    )


def build_report(
    result: ScanResult,
    policy: Policy,
    residency: Residency,
    *,
    tool_version: str | None = None,
    history: RunDiff | None = None,
    explain: bool = False,
) -> Report:
    """Build the report model: a projection of the result, nothing is judged here.

    Column categories and CPNI flags are the engine's (``scanner.core.classify``
    applied the policy); the storage verdicts are ``residency``'s, assessed
    once by the caller. ``policy`` supplies titles, quotes and sensitivities
    and each finding's next step. ``history`` (the results store's diff with the
    previous run of the same configuration) marks new and changed columns.
    """
    by_source = {r.source: r for r in residency.sources}
    marks = _change_marks(history)

    flagged: list[FlaggedColumn] = []
    tables: list[TableSummary] = []
    sources: list[SourceSummary] = []
    problems: list[Problem] = []
    total_columns = 0
    total_skipped = 0
    for source in sorted(result.sources, key=lambda s: s.name):
        res = by_source[source.name]
        path = file_path_of(source.name)
        if source.error or source.status is Status.FAILED:
            problems.append(
                Problem(source.name, None, source.status, source.error or "source failed")
            )
        src_flagged = 0
        src_cpni = 0
        src_columns = 0
        for table in sorted(source.tables, key=_table_key):
            cols = _flagged_columns(source, table, policy, path,
                                    res.verdict is StorageVerdict.VIOLATION, marks)
            skipped = sum(1 for c in table.columns if c.skipped)
            # Results saved before record kinds carry only is_call_record.
            kind = table.record_kind or ("call_detail" if table.is_call_record else None)
            tables.append(
                TableSummary(
                    source=source.name,
                    name=_table_path(table),
                    status=table.status,
                    error=table.error,
                    rows_scanned=table.rows_scanned,
                    rows_total=table.rows_total,
                    is_call_record=table.is_call_record,
                    format=table.format,
                    warnings=table.warnings,
                    columns=len(table.columns),
                    skipped=skipped,
                    flagged=cols,
                    record_kind=kind,
                    kind_label=kind_label(kind, table.format),
                    region=f"{table.region} ({table.region_how})" if table.region else None,
                )
            )
            if table.error or table.status is not Status.OK:
                problems.append(
                    Problem(
                        source.name,
                        _table_path(table),
                        table.status,
                        table.error or f"table {table.status.value}",
                    )
                )
            flagged.extend(cols)
            src_flagged += len(cols)
            src_cpni += sum(1 for c in cols if c.cpni)
            src_columns += len(table.columns)
            total_skipped += skipped
        total_columns += src_columns
        sources.append(
            SourceSummary(
                name=source.name,
                kind=source.kind,
                status=source.status,
                error=source.error,
                tables=len(source.tables),
                columns=src_columns,
                flagged=src_flagged,
                cpni=src_cpni,
                residency=res,
                file_path=path,
            )
        )

    categories = []
    for cat in policy.categories:
        cols = [c for c in flagged if cat.id in c.categories]
        categories.append(
            CategorySummary(
                id=cat.id,
                title=cat.title,
                quote=cat.quote,
                sensitivity=cat.sensitivity,
                entities=cat.entities,
                columns=tuple(c.id for c in cols),
                sources=tuple(sorted({c.source for c in cols})),
            )
        )
    uncategorized = tuple(c.id for c in flagged if not c.categories)

    violations = []
    rules = policy_rules(policy)
    for s in sources:
        if s.residency.verdict is StorageVerdict.VIOLATION:
            cols = [c for c in flagged if c.source == s.name]
            cats = [
                cat.id for cat in policy.categories if any(cat.id in c.categories for c in cols)
            ]
            violations.append(
                Violation(
                    id=f"storage/{s.name}",
                    rule=rules[0].id,
                    source=s.name,
                    residency=s.residency,
                    message=f"{s.name}: {s.residency.reason}",
                    columns=tuple(c.id for c in cols),
                    categories=tuple(cats),
                    cpni=any(c.cpni for c in cols),
                    file_path=s.file_path,
                )
            )
    unverified = tuple(s.residency for s in sources
                       if s.residency.verdict is StorageVerdict.UNVERIFIED)
    entity_counter = Counter(e for c in flagged for e in c.entities)
    entity_counts = tuple(
        (e, entity_counter[e]) for e in ENTITY_TYPES if entity_counter[e]
    ) + tuple(sorted((e, n) for e, n in entity_counter.items() if e not in ENTITY_TYPES))

    cpni = tuple(c for c in flagged if c.cpni)
    totals = Totals(
        sources=len(sources),
        tables=len(tables),
        columns=total_columns,
        flagged=len(flagged),
        cpni=len(cpni),
        skipped=total_skipped,
        violations=len(violations),
        unverified=len(unverified),
        compliant=sum(1 for s in sources if s.residency.verdict is StorageVerdict.COMPLIANT),
        problems=len(problems),
    )
    logger.debug(
        "report: %s sources, %s flagged columns, %s violations",
        totals.sources,
        totals.flagged,
        totals.violations,
    )
    return Report(
        result=result,
        policy=policy,
        residency=residency,
        rules=rules,
        tool_version=tool_version if tool_version is not None else installed_version(),
        totals=totals,
        flagged=tuple(flagged),
        categories=tuple(categories),
        uncategorized=uncategorized,
        cpni=cpni,
        violations=tuple(violations),
        unverified=unverified,
        sources=tuple(sources),
        tables=tuple(tables),
        problems=tuple(problems),
        entity_counts=entity_counts,
        changes=_changes(history),
        explain=explain,
    )


def _change_marks(history: RunDiff | None) -> dict[str, tuple[str, str]] | None:
    """Return column identity -> (``new`` or ``changed``, detail); None without a previous run."""
    if history is None or history.old is None:
        return None
    marks = {c.column: ("new", "") for c in history.new_columns}
    for c in history.changed_columns:
        detail = " ".join([f"+{e}" for e in c.added] + [f"-{e}" for e in c.removed])
        if c.cpni_before != c.cpni_after:
            detail = (detail + " " if detail else "") + ("+CPNI" if c.cpni_after else "-CPNI")
        marks[c.column] = ("changed", detail)
    return marks


def _changes(history: RunDiff | None) -> Changes | None:
    if history is None:
        return None
    if history.old is None:
        return Changes(None, None)
    return Changes(
        previous_run=history.old.id,
        previous_started_at=history.old.started_at,
        new=tuple(sorted(c.column for c in history.new_columns)),
        changed=tuple(sorted(c.column for c in history.changed_columns)),
        removed=tuple(RemovedColumn(c.column, c.entities)
                      for c in sorted(history.removed_columns, key=lambda c: c.column)),
        unconfirmed=tuple(sorted(c.column for c in history.unconfirmed)),
    )


def _flagged_columns(
    source: SourceResult, table: TableResult, policy: Policy, path: str | None,
    misplaced: bool = False, marks: dict[str, tuple[str, str]] | None = None,
) -> tuple[FlaggedColumn, ...]:
    out = []
    for col in table.columns:
        if not col.detections:
            continue
        out.append(_flag(source, table, col, policy, path, misplaced, marks))
    out.sort(key=lambda c: (c.position, c.column))
    return tuple(out)


def _flag(
    source: SourceResult,
    table: TableResult,
    col: ColumnVerdict,
    policy: Policy,
    path: str | None,
    misplaced: bool = False,
    marks: dict[str, tuple[str, str]] | None = None,
) -> FlaggedColumn:
    detections = tuple(sorted(col.detections, key=lambda d: (-round(d.confidence, 3), d.entity)))
    table_path = _table_path(table)
    change, detail = (None, "") if marks is None else marks.get(str(col.ref), ("same", ""))
    return FlaggedColumn(
        id=f"{source.name}/{table_path}/{col.ref.column}",
        source=source.name,
        source_kind=source.kind,
        table=table_path,
        column=col.ref.column,
        position=col.ref.position,
        data_type=col.ref.data_type,
        detections=detections,
        categories=col.categories,
        cpni=col.cpni,
        confidence=round(col.confidence, 3),
        sensitivity=policy.sensitivity(col.categories) or SENSITIVITIES[1],
        is_call_record=table.is_call_record,
        file_path=path,
        next_step=policy.next_step(col.categories, misplaced=misplaced),
        change=change,
        change_detail=detail,
    )


def _table_path(table: TableResult) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


def _table_key(table: TableResult) -> tuple[str, str]:
    return (table.schema or "", table.name)
