"""dbt: a ``schema.yml`` patch with ``meta`` and tags per column, keyed by model and column.

Merge it into the project's ``models/schema.yml`` (or keep it as its own
properties file): each column gets ``meta.piiscan`` (entity types, policy
categories, CPNI, confidence, sensitivity) and tags (``pii``,
``pii:email_address``, ``policy:customer_provided``, ``cpni``) that dbt
selectors (``dbt ls -s tag:pii``) and catalogs read. The model is the table's
name without its schema or file extension (``exports/customers.csv`` ->
``customers``); the same model found in two sources merges.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import yaml

from reports.exports import Exporter, flagged, register
from scanner.model import ScanResult
from scanner.policy import Policy

#: File extensions dropped from a table name to make the dbt model name.
_DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".parq", ".pq", ".jsonl", ".ndjson",
                  ".json", ".gz", ".log")


@register
class DbtExporter(Exporter):
    """A dbt ``schema.yml`` patch: ``meta`` and tags per column."""

    name = "dbt"
    description = "dbt schema.yml patch: meta (entities, categories, CPNI, confidence) and tags"
    suffix = ".schema.yml"

    def export(self, result: ScanResult, policy: Policy, *, min_confidence: float = 0.0) -> str:
        return yaml.safe_dump(patch(result, policy, min_confidence), sort_keys=False,
                              allow_unicode=True, width=100)


def model_name(table: str) -> str:
    """Return the dbt model name of a table or file name (no schema, no data extension)."""
    name = PurePosixPath(table.replace("\\", "/")).name
    lowered = name.lower()
    changed = True
    while changed:
        changed = False
        for suffix in _DATA_SUFFIXES:
            if lowered.endswith(suffix) and len(lowered) > len(suffix):
                name, lowered = name[: -len(suffix)], lowered[: -len(suffix)]
                changed = True
    return name


def patch(result: ScanResult, policy: Policy, min_confidence: float = 0.0) -> dict[str, Any]:
    """Return the ``schema.yml`` document (``version: 2``, ``models:``) as plain data."""
    models: dict[str, dict[str, dict[str, Any]]] = {}
    for item in flagged(result, min_confidence):
        columns = models.setdefault(model_name(item.table.name), {})
        col = item.column
        meta = columns.get(col.ref.column)
        if meta is None:
            meta = columns[col.ref.column] = {"entities": set(), "categories": [],
                                              "cpni": False, "confidence": 0.0}
        meta["entities"].update(item.entities)
        meta["categories"] += [c for c in col.categories if c not in meta["categories"]]
        meta["cpni"] = meta["cpni"] or col.cpni
        meta["confidence"] = max(meta["confidence"], item.confidence)
    out = []
    for model in sorted(models):
        cols = []
        for column, meta in models[model].items():
            entities = sorted(meta["entities"])
            sensitivity = "critical" if meta["cpni"] else (
                policy.sensitivity(meta["categories"]) or "medium")
            tags = ["pii", *(f"pii:{e.lower()}" for e in entities),
                    *(f"policy:{c}" for c in meta["categories"])]
            if meta["cpni"]:
                tags.append("cpni")
            cols.append({
                "name": column,
                "meta": {"piiscan": {
                    "entities": entities,
                    "categories": meta["categories"],
                    "cpni": meta["cpni"],
                    "confidence": round(meta["confidence"], 3),
                    "sensitivity": sensitivity,
                }},
                "tags": tags,
            })
        out.append({"name": model, "columns": cols})
    return {"version": 2, "models": out}
