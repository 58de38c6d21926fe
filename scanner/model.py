"""Core value objects shared by connectors, detectors, the engine and the renderers.

This module imports nothing from the rest of the project, so every layer may
depend on it without creating a cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import Enum, IntEnum
from typing import Any

SCHEMA_VERSION = 1


class ExitCode(IntEnum):
    """The exit codes of every command: a public contract, as the README lists them."""

    #: The scan completed (findings or not).
    OK = 0
    #: ``check`` and ``diff``: something new and unapproved was found; ``eval``: below a threshold.
    FINDINGS = 1
    #: A usage or configuration error.
    USAGE = 2
    #: The scan completed only partly: a source, file or table could not be (fully) read.
    PARTIAL = 3


def tool_version() -> str:
    """Return piiscan's version (``scanner.version``: the package's version too)."""
    from scanner.version import __version__

    return __version__

#: The entity vocabulary is a public contract: baselines and history key on it.
ENTITY_TYPES: tuple[str, ...] = (
    "PERSON_NAME",
    "POSTAL_ADDRESS",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "DATE_OF_BIRTH",
    "US_SSN",
    "ACCOUNT_ID",
    "CREDIT_CARD",
    "BANK_ACCOUNT",
    "CREDIT_HISTORY",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "USER_AGENT",
    "DEVICE_ID",
    "GEO_LOCATION",
    "CALL_DETAIL",
    "SERVICE_PLAN",
    "SERVICE_USAGE",
    # Added later, never renamed: passports, driving licences, non-US national and
    # personal identity numbers, tax numbers (EIN, VAT, foreign TINs).
    "PASSPORT",
    "DRIVER_LICENSE",
    "NATIONAL_ID",
    "TAX_ID",
)


#: A custom entity type's name: capitals, digits and underscores (``EMPLOYEE_BADGE``).
_CUSTOM_ENTITY = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")


def entity_type_problem(name: object) -> str | None:
    """Say what is wrong with an entity type's name; None for the vocabulary's and custom ones.

    Custom detectors may add their own types (``EMPLOYEE_BADGE``), written in
    capitals and underscores; a name a letter or two away from one of the
    vocabulary (``US_SNN``) is taken for a typo of it.
    """
    if name in ENTITY_TYPES:
        return None
    text = str(name)
    import difflib  # only for a mistake

    hint = difflib.get_close_matches(text.upper(), ENTITY_TYPES, n=1, cutoff=0.8)
    if hint:
        return f"unknown entity type '{text}' (did you mean {hint[0]}?)"
    if not isinstance(name, str) or not _CUSTOM_ENTITY.match(name):
        return (f"entity type '{text}' is neither one of the vocabulary nor a custom type "
                "in capitals and underscores (like EMPLOYEE_BADGE)")
    return None


class Status(str, Enum):  # noqa: UP042 - str mixin keeps json.dumps(Status.OK) working
    """How far a source or a table got."""

    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


@dataclass(frozen=True)
class ColumnRef:
    """Where a column lives. Its string form is the column's stable identity."""

    source: str
    table: str
    column: str
    position: int
    data_type: str = ""
    schema: str | None = None
    #: The source's identity when it is not its name: the ``name:`` a scan
    #: configuration gives it, or a URL without user and host.
    source_id: str | None = field(default=None, compare=False)

    @property
    def table_path(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table

    @property
    def address(self) -> str:
        """Return ``source/table/column`` with the source's name (the identity before naming)."""
        return f"{self.source}/{self.table_path}/{self.column}"

    def __str__(self) -> str:
        return f"{self.source_id or self.source}/{self.table_path}/{self.column}"


@dataclass(frozen=True)
class Detection:
    """One detector's claim about one column. Holds masked evidence only."""

    entity: str
    detector: str
    confidence: float
    matched: int
    sampled: int
    reasons: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    #: ``value``: the column's values are the entity; ``embedded``: the entity appears
    #: inside values (notes, URLs, JSON, log lines), ``matched`` of ``sampled`` searched.
    scope: str = "value"

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.entity,
            "detector": self.detector,
            "confidence": round(self.confidence, 3),
            "matched": self.matched,
            "sampled": self.sampled,
            "reasons": list(self.reasons),
            "evidence": list(self.evidence),
            "scope": self.scope,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Detection:
        """Rebuild a detection from ``to_dict()`` output (a saved JSON result)."""
        return cls(
            entity=str(data["type"]),
            detector=str(data.get("detector", "")),
            confidence=float(data.get("confidence", 0.0)),
            matched=int(data.get("matched", 0)),
            sampled=int(data.get("sampled", 0)),
            reasons=tuple(str(r) for r in data.get("reasons") or ()),
            evidence=tuple(str(e) for e in data.get("evidence") or ()),
            # Results written before scopes existed hold value findings only.
            scope=str(data.get("scope") or "value"),
        )


@dataclass(frozen=True)
class ColumnVerdict:
    """The final word on one column."""

    ref: ColumnRef
    detections: tuple[Detection, ...]
    categories: tuple[str, ...] = ()
    cpni: bool = False
    skipped: str | None = None
    #: How the column was read and judged, for ``--explain``: read as dates, checked on
    #: its distinct values, the closest a detector came. Counts and names, never values.
    notes: tuple[str, ...] = ()

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(d.entity for d in self.detections)

    @property
    def confidence(self) -> float:
        return max((d.confidence for d in self.detections), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.ref.column,
            "position": self.ref.position,
            "data_type": self.ref.data_type,
            "entities": [d.to_dict() for d in self.detections],
            "categories": list(self.categories),
            "cpni": self.cpni,
        }
        if self.skipped:
            out["skipped"] = self.skipped
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, source: str, table: str, schema: str | None = None
    ) -> ColumnVerdict:
        """Rebuild a column verdict from ``to_dict()`` output, within its source and table."""
        ref = ColumnRef(
            source=source,
            table=table,
            column=str(data["name"]),
            position=int(data.get("position", 0)),
            data_type=str(data.get("data_type") or ""),
            schema=schema,
        )
        return cls(
            ref=ref,
            detections=tuple(Detection.from_dict(d) for d in data.get("entities") or ()),
            categories=tuple(str(c) for c in data.get("categories") or ()),
            cpni=bool(data.get("cpni", False)),
            skipped=data.get("skipped"),
            notes=tuple(str(n) for n in data.get("notes") or ()),
        )


@dataclass(frozen=True)
class TableResult:
    """One table (or file) and the verdict on each of its columns."""

    name: str
    columns: tuple[ColumnVerdict, ...]
    rows_scanned: int
    rows_total: int | None
    status: Status = Status.OK
    error: str | None = None
    schema: str | None = None
    is_call_record: bool = False
    format: str | None = None
    format_reason: str | None = None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    #: What the records are: call_detail, messaging, subscriber_usage,
    #: ip_assignment, network_log, or None (``is_call_record`` is derived from it).
    record_kind: str | None = None
    #: The region national phone numbers and postal codes were read in (ISO 3166
    #: alpha-2), and how it was decided ("configured", "inferred from ...").
    region: str | None = None
    region_how: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "schema": self.schema,
            "status": self.status.value,
            "error": self.error,
            "rows_scanned": self.rows_scanned,
            "rows_total": self.rows_total,
            "is_call_record": self.is_call_record,
            "columns": [c.to_dict() for c in self.columns],
        }
        if self.record_kind:
            out["record_kind"] = self.record_kind
        if self.format:
            out["format"] = {"name": self.format, "reason": self.format_reason}
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.region:
            out["region"] = {"code": self.region, "how": self.region_how or ""}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str) -> TableResult:
        """Rebuild a table result from ``to_dict()`` output, within its source."""
        name = str(data["name"])
        schema = data.get("schema")
        fmt = data.get("format") or {}
        return cls(
            name=name,
            columns=tuple(
                ColumnVerdict.from_dict(c, source=source, table=name, schema=schema)
                for c in data.get("columns") or ()
            ),
            rows_scanned=int(data.get("rows_scanned") or 0),
            rows_total=data.get("rows_total"),
            status=Status(data.get("status", "ok")),
            error=data.get("error"),
            schema=schema,
            is_call_record=bool(data.get("is_call_record", False)),
            record_kind=data.get("record_kind"),
            format=fmt.get("name"),
            format_reason=fmt.get("reason"),
            warnings=tuple(str(w) for w in data.get("warnings") or ()),
            region=(data.get("region") or {}).get("code"),
            region_how=(data.get("region") or {}).get("how"),
        )


@dataclass(frozen=True)
class SourceResult:
    """One source (a file, a database) and its tables."""

    name: str
    kind: str
    tables: tuple[TableResult, ...]
    status: Status = Status.OK
    error: str | None = None
    location: str | None = None
    #: Where the storage service itself says the source is (an S3 bucket's region from
    #: GetBucketLocation); a ``location:`` in the scan configuration overrides it.
    found_location: str | None = None
    #: The identity baselines and history key its columns on, when not its name.
    identity: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "kind": self.kind,
            "status": self.status.value,
            "error": self.error,
            "tables": [t.to_dict() for t in self.tables],
        }
        if self.identity:
            out["identity"] = self.identity
        return out

    def named(self, identity: str | None) -> SourceResult:
        """Return this source with ``identity`` as its columns' source identity."""
        if not identity or identity == self.name:
            return self
        tables = tuple(replace(t, columns=tuple(
            replace(c, ref=replace(c.ref, source_id=identity)) for c in t.columns))
            for t in self.tables)
        return replace(self, identity=identity, tables=tables)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceResult:
        """Rebuild a source result from ``to_dict()`` output."""
        name = str(data["name"])
        return cls(
            name=name,
            kind=str(data.get("kind", "")),
            tables=tuple(TableResult.from_dict(t, source=name) for t in data.get("tables") or ()),
            status=Status(data.get("status", "ok")),
            error=data.get("error"),
        ).named(data.get("identity"))


@dataclass(frozen=True)
class ColumnFinding:
    """One entity type found on one column: a flat row of a result (``ScanResult.findings``).

    Holds masked evidence only, like the detection it comes from.
    """

    source: str
    table: str
    column: str
    entity: str
    confidence: float
    matched: int
    sampled: int
    scope: str
    categories: tuple[str, ...]
    cpni: bool
    detector: str
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    schema: str | None = None

    @property
    def identity(self) -> str:
        """The column's stable identity, ``source/table/column`` (what baselines key on)."""
        table = f"{self.schema}.{self.table}" if self.schema else self.table
        return f"{self.source}/{table}/{self.column}"

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain data (one row of ``ScanResult.to_pandas``)."""
        return {
            "source": self.source,
            "schema": self.schema,
            "table": self.table,
            "column": self.column,
            "identity": self.identity,
            "entity": self.entity,
            "confidence": round(self.confidence, 3),
            "matched": self.matched,
            "sampled": self.sampled,
            "scope": self.scope,
            "categories": list(self.categories),
            "cpni": self.cpni,
            "detector": self.detector,
            "reasons": list(self.reasons),
            "evidence": list(self.evidence),
        }


#: The columns of ``ScanResult.to_pandas()``, in order (also those of an empty frame).
FINDING_COLUMNS: tuple[str, ...] = (
    "source", "schema", "table", "column", "identity", "entity", "confidence", "matched",
    "sampled", "scope", "categories", "cpni", "detector", "reasons", "evidence",
)


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan found. Renderers read only this."""

    sources: tuple[SourceResult, ...]
    started_at: str
    finished_at: str
    seconds: float
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(s.status is Status.OK for s in self.sources)

    def flatten(self) -> list[tuple[str, str, str, str]]:
        """Return ``(source, table, column, entity)`` for every detection, sorted."""
        rows = []
        for s in self.sources:
            for t in s.tables:
                for c in t.columns:
                    for d in c.detections:
                        rows.append((s.name, t.name, c.ref.column, d.entity))
        return sorted(rows)

    def findings(self, min_confidence: float = 0.0) -> list[ColumnFinding]:
        """Return one row per entity type found on a column, at least ``min_confidence``.

        Sorted by source, table and column position; the evidence is masked.
        """
        rows: list[ColumnFinding] = []
        for s in self.sources:
            for t in s.tables:
                for c in sorted(t.columns, key=lambda c: c.ref.position):
                    for d in c.detections:
                        if d.confidence < min_confidence:
                            continue
                        rows.append(ColumnFinding(
                            source=s.name, table=t.name, column=c.ref.column,
                            entity=d.entity, confidence=d.confidence, matched=d.matched,
                            sampled=d.sampled, scope=d.scope, categories=c.categories,
                            cpni=c.cpni, detector=d.detector, reasons=d.reasons,
                            evidence=d.evidence, schema=t.schema))
        return rows

    def to_pandas(self, min_confidence: float = 0.0) -> Any:
        """Return the findings as a pandas DataFrame, one row per column finding.

        The columns are :data:`FINDING_COLUMNS`; an empty result gives an empty
        frame with those columns.
        """
        import pandas as pd  # imported here: the core types must stay cheap to import

        rows = [f.to_dict() for f in self.findings(min_confidence)]
        return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))

    def to_json(self, indent: int | None = 2) -> str:
        """Return the result as JSON text (what ``piiscan report`` and ``export`` read)."""
        import json

        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "piiscan"},
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
            "config": self.config,
            "sources": [s.to_dict() for s in self.sources],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanResult:
        """Rebuild a result from ``to_dict()`` output (``piiscan report RESULT.json``).

        Raises ValueError for a document that is not a piiscan result or has a
        newer ``schema_version`` than this code reads; KeyError/TypeError for a
        malformed one.
        """
        if not isinstance(data, dict) or "sources" not in data:
            raise ValueError("not a piiscan result (no 'sources')")
        version = data.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ValueError(
                f"unsupported schema_version {version!r} "
                f"(this piiscan reads up to {SCHEMA_VERSION})"
            )
        return cls(
            sources=tuple(SourceResult.from_dict(s) for s in data["sources"]),
            started_at=str(data.get("started_at", "")),
            finished_at=str(data.get("finished_at", "")),
            seconds=float(data.get("seconds", 0.0)),
            config=dict(data.get("config") or {}),
        )
