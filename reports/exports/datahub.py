"""DataHub: a file of metadata change proposals for DataHub's ``file`` ingestion source.

One ``glossaryTermInfo`` proposal per entity type found (terms
``piiscan.EMAIL_ADDRESS`` and so on), then one ``editableSchemaMetadata``
proposal per table giving each flagged schema field its glossary terms and
tags (``pii``, ``cpni``, ``policy.<category>``). Ingest it with a recipe whose
source is ``type: file`` and ``config: {path: piiscan.datahub.json}``.

``editableSchemaMetadata`` is written whole (an UPSERT): fields edited by hand
in DataHub's UI for the same tables are replaced, so ingest into a fresh
environment first or review the file. The proposals are plain JSON in the form
``MetadataChangeProposalWrapper.to_obj()`` writes; this module does not import
DataHub.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

from reports.exports import Exporter, Flagged, flagged, register
from reports.model import ENTITY_TITLES
from scanner.model import ScanResult
from scanner.policy import Policy

#: DataHub platform of each source kind; files of any format are the ``file`` platform.
PLATFORMS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite",
             "mssql": "mssql", "oracle": "oracle", "snowflake": "snowflake",
             "redshift": "redshift", "s3": "s3", "gcs": "gcs", "azure": "abs"}
ACTOR = "urn:li:corpuser:piiscan"
ENV = "PROD"


@register
class DataHubExporter(Exporter):
    """DataHub: metadata change proposals (glossary terms and tags per schema field)."""

    name = "datahub"
    description = "DataHub metadata change proposals: glossary terms and tags per schema field"
    suffix = ".datahub.json"

    def export(self, result: ScanResult, policy: Policy, *, min_confidence: float = 0.0) -> str:
        return json.dumps(proposals(result, min_confidence), indent=2, ensure_ascii=False) + "\n"


def term_urn(entity: str) -> str:
    """Return the glossary term URN of an entity type."""
    return f"urn:li:glossaryTerm:piiscan.{entity}"


def dataset_urn(item: Flagged) -> str:
    """Return the dataset URN of a flagged column's table (platform from the source kind)."""
    source, table = item.source, item.table
    platform = PLATFORMS.get(source.kind, "file" if "://" not in source.name else source.kind)
    if "://" in source.name and platform != "s3":
        database = urlsplit(source.name).path.strip("/").split("/")[0]
        parts = [p for p in (database, table.schema, table.name) if p]
        name = ".".join(parts)
    else:
        name = source.name if source.name.endswith(table.name) else f"{source.name}/{table.name}"
    return f"urn:li:dataset:(urn:li:dataPlatform:{platform},{name},{ENV})"


def _mcp(entity_type: str, urn: str, aspect_name: str, aspect: dict[str, Any]) -> dict[str, Any]:
    return {"entityType": entity_type, "entityUrn": urn, "changeType": "UPSERT",
            "aspectName": aspect_name,
            "aspect": {"value": json.dumps(aspect, ensure_ascii=False),
                       "contentType": "application/json"}}


def _millis(stamp: str) -> int:
    try:
        return int(dt.datetime.fromisoformat(stamp).timestamp() * 1000)
    except ValueError:
        return 0


def proposals(result: ScanResult, min_confidence: float = 0.0) -> list[dict[str, Any]]:
    """Return the proposals (plain data): glossary terms first, then one per table."""
    audit = {"time": _millis(result.finished_at), "actor": ACTOR}
    by_table: dict[str, list[dict[str, Any]]] = {}
    entities: set[str] = set()
    for item in flagged(result, min_confidence):
        col = item.column
        entities.update(item.entities)
        tags = ["pii", *(["cpni"] if col.cpni else []),
                *(f"policy.{c}" for c in col.categories)]
        by_table.setdefault(dataset_urn(item), []).append({
            "fieldPath": col.ref.column,
            "description": f"piiscan: {', '.join(item.entities)} "
                           f"(confidence {item.confidence:.2f})",
            "globalTags": {"tags": [{"tag": f"urn:li:tag:{t}"} for t in tags]},
            "glossaryTerms": {"terms": [{"urn": term_urn(e)} for e in item.entities],
                              "auditStamp": audit},
        })
    out = [_mcp("glossaryTerm", term_urn(e), "glossaryTermInfo", {
        "name": ENTITY_TITLES.get(e, e), "definition": f"piiscan entity type {e}",
        "termSource": "EXTERNAL"}) for e in sorted(entities)]
    for urn in sorted(by_table):
        out.append(_mcp("dataset", urn, "editableSchemaMetadata", {
            "created": audit, "lastModified": audit,
            "editableSchemaFieldInfo": by_table[urn]}))
    return out
