"""SARIF 2.1.0 for code-scanning interfaces.

* Rules: one per entity type of the vocabulary (``pii/CREDIT_CARD``), in
  vocabulary order, then the policy rules (``policy/storage-location``,
  ``policy/storage-unverified``). Rule indexes are therefore stable.
* Results: one per flagged column (rule: its most confident entity type; the
  others are listed in the message and properties), one per storage
  violation (error) and one per unverified source (warning).
* Locations: ``logicalLocations`` name source (``module``), table (``type``)
  and column (``member``), linked by ``parentIndex`` in the run's
  ``logicalLocations``; for local files an ``artifactLocation`` with the
  file's URI as well.
* ``partialFingerprints`` hash the rule and the column identity, never a
  value or a score, so code-scanning tracks findings across scans.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from reports.formats._common import confidence, one_line
from reports.model import ENTITY_TITLES, FlaggedColumn, Report, stable_id
from reports.renderer import Renderer, register
from scanner.model import ENTITY_TYPES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_SEVERITY = {"critical": "9.0", "high": "7.5", "medium": "5.0", "low": "2.0"}


def artifact_uri(path: str) -> str:
    """Return a URI reference for a local path: relative stays relative, absolute gets file://."""
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix)
    return quote(posix.removeprefix("./"))


def _utc(stamp: str) -> str | None:
    """Return an ISO 8601 UTC timestamp for SARIF, or None when ``stamp`` is not one."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Locations:
    """The run's logicalLocations: sources, tables and columns, each added once."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[tuple[str, ...], int] = {}

    def add(self, key: tuple[str, ...], entry: dict[str, Any]) -> int:
        if key not in self._index:
            self._index[key] = len(self.items)
            self.items.append(entry)
        return self._index[key]

    def source(self, name: str) -> int:
        return self.add((name,), {"name": name, "fullyQualifiedName": name, "kind": "module"})

    def table(self, source: str, table: str) -> int:
        parent = self.source(source)
        return self.add(
            (source, table),
            {
                "name": table,
                "fullyQualifiedName": f"{source}/{table}",
                "kind": "type",
                "parentIndex": parent,
            },
        )

    def column(self, c: FlaggedColumn) -> int:
        parent = self.table(c.source, c.table)
        return self.add(
            (c.source, c.table, c.column),
            {
                "name": c.column,
                "fullyQualifiedName": c.id,
                "kind": "member",
                "parentIndex": parent,
            },
        )

    def ref(self, index: int) -> dict[str, Any]:
        entry = self.items[index]
        return {
            "index": index,
            "name": entry["name"],
            "fullyQualifiedName": entry["fullyQualifiedName"],
            "kind": entry["kind"],
        }


@register
class SarifRenderer(Renderer):
    """SARIF 2.1.0 log with one run."""

    name = "sarif"
    description = "SARIF 2.1.0 for code-scanning interfaces"
    extension = "sarif"

    def render(self, report: Report, out: TextIO) -> None:
        """Write the SARIF log as JSON."""
        json.dump(sarif_log(report), out, indent=2, ensure_ascii=False)
        out.write("\n")


def sarif_log(report: Report) -> dict[str, Any]:
    """Build the SARIF log as plain data."""
    rules, rule_index = _rules(report)
    locations = _Locations()
    for s in report.sources:
        locations.source(s.name)
    results: list[dict[str, Any]] = []
    for c in report.flagged:
        results.append(_column_result(c, rule_index, locations, report))
    for v in report.violations:
        r = v.residency
        results.append(
            _source_result(
                rule_id=v.rule,
                rule_index=rule_index[v.rule],
                level="error",
                source=v.source,
                file_path=v.file_path,
                text=f"{v.source} {r.reason}. {report.policy.storage_quote}",
                properties={
                    "location": r.location.to_dict(),
                    "verdict": r.verdict.value,
                    "categories": list(v.categories),
                    "cpni": v.cpni,
                    "columns": list(v.columns),
                },
                locations=locations,
            )
        )
    unverified_rule = report.rules[1].id
    for u in report.unverified:
        path = next(s.file_path for s in report.sources if s.name == u.source)
        results.append(
            _source_result(
                rule_id=unverified_rule,
                rule_index=rule_index[unverified_rule],
                level="warning",
                source=u.source,
                file_path=path,
                text=f"{u.source}: {u.reason}. To settle: {u.settle or 'declare its location'}.",
                properties={"location": u.location.to_dict(), "verdict": u.verdict.value},
                locations=locations,
            )
        )

    invocation: dict[str, Any] = {"executionSuccessful": report.complete}
    start = _utc(report.result.started_at)
    end = _utc(report.result.finished_at)
    if start:
        invocation["startTimeUtc"] = start
    if end:
        invocation["endTimeUtc"] = end
    notes = []
    for p in report.problems:
        loc_index = locations.table(p.source, p.table) if p.table else locations.source(p.source)
        notes.append(
            {
                "level": "error",
                "message": {"text": one_line(p.message)},
                "locations": [{"logicalLocations": [locations.ref(loc_index)]}],
            }
        )
    if notes:
        invocation["toolExecutionNotifications"] = notes

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "piiscan",
                "version": report.tool_version,
                "rules": rules,
            }
        },
        "invocations": [invocation],
        "logicalLocations": locations.items,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "policy": report.policy.name,
            "totals": {
                "sources": report.totals.sources,
                "columns": report.totals.columns,
                "flagged": report.totals.flagged,
                "cpni": report.totals.cpni,
                "violations": report.totals.violations,
                "unverified": report.totals.unverified,
            },
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    policy = report.policy
    rules: list[dict[str, Any]] = []
    known = list(ENTITY_TYPES) + sorted(
        {e for c in report.flagged for e in c.entities if e not in ENTITY_TYPES}
    )
    for entity in known:
        cats = [c for c in policy.categories if entity in c.entities]
        cat_text = ", ".join(f"{c.title} ({c.id})" for c in cats) or "no policy category"
        sensitivity = policy.sensitivity(c.id for c in cats if c.id != "cpni") or "medium"
        title = ENTITY_TITLES.get(entity, entity.replace("_", " ").capitalize())
        quotes = " ".join(f'"{c.quote}"' for c in cats)
        rules.append(
            {
                "id": f"pii/{entity}",
                "name": "".join(p.capitalize() for p in entity.split("_")),
                "shortDescription": {"text": f"{title} found in a column"},
                "fullDescription": {
                    "text": f"A column holds {title.lower()} ({entity}). Policy categories: "
                    f"{cat_text}." + (f" The policy says: {quotes}" if quotes else "")
                },
                "help": {
                    "text": "Check that the column is meant to hold this data, who can read it, "
                    "and that its source is stored where the policy allows."
                },
                "defaultConfiguration": {"level": _LEVEL.get(sensitivity, "warning")},
                "properties": {
                    "tags": ["privacy", "pii", *(c.id for c in cats)],
                    "security-severity": _SEVERITY.get(sensitivity, "5.0"),
                },
            }
        )
    for rule in report.rules:
        rules.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.description},
                "defaultConfiguration": {"level": rule.level},
                "properties": {
                    "tags": ["privacy", "policy", "residency"],
                    "security-severity": "8.0" if rule.level == "error" else "4.0",
                },
            }
        )
    return rules, {r["id"]: i for i, r in enumerate(rules)}


def _column_result(
    c: FlaggedColumn, rule_index: dict[str, int], locations: _Locations, report: Report
) -> dict[str, Any]:
    rule_id = f"pii/{c.primary}"
    top = c.detections[0]
    others = list(c.labels[1:])
    text = (
        f"Column {c.id} holds {c.labels[0]} (confidence {confidence(top.confidence)}: "
        f"{'; '.join(top.reasons) or 'no reason given'})."
    )
    if others:
        text += f" Also: {', '.join(others)}."
    text += f" Policy categories: {', '.join(c.categories) or 'none'}."
    if c.cpni:
        text += " The column is CPNI."
    location: dict[str, Any] = {"logicalLocations": [locations.ref(locations.column(c))]}
    if c.file_path:
        location = {
            "physicalLocation": {"artifactLocation": {"uri": artifact_uri(c.file_path)}},
            **location,
        }
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index[rule_id],
        "level": _LEVEL.get(c.sensitivity, "warning"),
        "message": {"text": one_line(text)},
        "locations": [location],
        "partialFingerprints": {"piiscanColumn/v1": stable_id(rule_id, c.id)},
        "properties": {
            "source": c.source,
            "table": c.table,
            "column": c.column,
            "position": c.position,
            "entities": list(c.entities),
            "categories": list(c.categories),
            "sensitivity": c.sensitivity,
            "cpni": c.cpni,
            "confidence": c.confidence,
            "reasons": list(c.reasons),
            "evidence": list(c.evidence),
        },
    }


def _source_result(
    *,
    rule_id: str,
    rule_index: int,
    level: str,
    source: str,
    file_path: str | None,
    text: str,
    properties: dict[str, Any],
    locations: _Locations,
) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [locations.ref(locations.source(source))]}
    if file_path:
        location = {
            "physicalLocation": {"artifactLocation": {"uri": artifact_uri(file_path)}},
            **location,
        }
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": one_line(text)},
        "locations": [location],
        "partialFingerprints": {"piiscanSource/v1": stable_id(rule_id, source)},
        "properties": properties,
    }
