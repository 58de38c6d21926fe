"""Fides: a dataset manifest (``dataset:``) with fideslang data categories per field.

One Fides dataset per scanned source, one collection per table, one field per
column with findings. Each field's ``data_categories`` come from the policy's
``fides_categories`` mapping (entity type -> fideslang key, e.g.
``EMAIL_ADDRESS: user.contact.email``); a dotted column (``customer.email``,
from a nested JSON or Parquet column) becomes a nested field, as Fides writes
them. Apply it with ``fides push`` or the Fides UI's dataset upload.
"""

from __future__ import annotations

from typing import Any

import yaml

from reports.exports import Exporter, Flagged, flagged, register, slug
from scanner.model import ScanResult
from scanner.policy import Policy


@register
class FidesExporter(Exporter):
    """A Fides dataset manifest (YAML) with fideslang data categories per field."""

    name = "fides"
    description = "Fides dataset manifest (YAML) with fideslang data categories per field"
    suffix = ".fides.yml"

    def export(self, result: ScanResult, policy: Policy, *, min_confidence: float = 0.0) -> str:
        return yaml.safe_dump({"dataset": datasets(result, policy, min_confidence)},
                              sort_keys=False, allow_unicode=True, width=100)


def datasets(result: ScanResult, policy: Policy, min_confidence: float = 0.0
             ) -> list[dict[str, Any]]:
    """Return the Fides datasets (plain data, as fideslang's ``Dataset`` reads it)."""
    by_source: dict[str, dict[str, list[Flagged]]] = {}
    kinds: dict[str, str] = {}
    for item in flagged(result, min_confidence):
        tables = by_source.setdefault(item.source.name, {})
        tables.setdefault(_table_path(item), []).append(item)
        kinds[item.source.name] = item.source.kind
    out: list[dict[str, Any]] = []
    for source in sorted(by_source):
        collections = []
        for table, items in sorted(by_source[source].items()):
            fields: list[dict[str, Any]] = []
            for item in items:
                _place(fields, item.column.ref.column.split("."), _field(item, policy))
            collections.append({
                "name": table,
                "description": f"{len(items)} column(s) with personal data found by piiscan",
                "fields": fields,
            })
        out.append({
            "fides_key": f"piiscan_{slug(source)}"[:200],
            "name": source,
            "description": f"Personal data piiscan found in {source} ({kinds[source]})",
            "meta": {"piiscan_source": source, "piiscan_kind": kinds[source]},
            "collections": collections,
        })
    return out


def _table_path(item: Flagged) -> str:
    table = item.table
    return f"{table.schema}.{table.name}" if table.schema else table.name


def _field(item: Flagged, policy: Policy) -> dict[str, Any]:
    categories: list[str] = []
    for entity in item.entities:
        for key in policy.fides_categories(entity):
            if key not in categories:
                categories.append(key)
    col = item.column
    words = ", ".join(item.entities)
    policy_cats = ", ".join(col.categories) or "uncategorized"
    cpni = "; CPNI" if col.cpni else ""
    return {
        "name": col.ref.column.split(".")[-1],
        "description": f"piiscan: {words} (confidence {item.confidence:.2f}); "
                       f"policy: {policy_cats}{cpni}",
        "data_categories": categories,
    }


def _place(fields: list[dict[str, Any]], path: list[str], leaf: dict[str, Any]) -> None:
    """Put ``leaf`` at ``path`` (``customer.email`` -> field customer, subfield email)."""
    if len(path) == 1:
        fields.append(leaf)
        return
    parent = next((f for f in fields if f["name"] == path[0] and "fields" in f), None)
    if parent is None:
        parent = {"name": path[0], "fields": []}
        fields.append(parent)
    _place(parent["fields"], path[1:], leaf)
