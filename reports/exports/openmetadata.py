"""OpenMetadata: JSON Patch bodies that tag columns, and the policy as a custom classification.

The export is one JSON document:

* ``classification`` and ``tags``: the request bodies that create the policy's
  categories as a custom classification (``POST /api/v1/classifications``,
  then ``POST /api/v1/tags`` for each), named ``PiiscanPolicy`` by default;
* ``tables``: for each scanned table, its name (``schema.table``: prefix it with
  your service and database to make the fully qualified name) and the JSON
  Patch (RFC 6902) for ``PATCH /api/v1/tables/name/{fqn}``
  (``Content-Type: application/json-patch+json``) that adds to each flagged
  column the ``PII.Sensitive`` or ``PII.NonSensitive`` tag and its policy
  categories' tags. Columns are addressed by their position, as the scan read
  them.

Columns of high or critical sensitivity (CPNI, card numbers, SSNs with the
bundled policy) are ``PII.Sensitive``; the others ``PII.NonSensitive``.
"""

from __future__ import annotations

import json
from typing import Any

from reports.exports import Exporter, flagged, register
from scanner.model import ScanResult
from scanner.policy import Policy

#: The custom classification holding the policy's categories.
CLASSIFICATION = "PiiscanPolicy"
SENSITIVE = "PII.Sensitive"
NON_SENSITIVE = "PII.NonSensitive"


@register
class OpenMetadataExporter(Exporter):
    """OpenMetadata: column tag patches (PII.Sensitive/NonSensitive, policy categories)."""

    name = "openmetadata"
    description = ("OpenMetadata JSON Patch bodies: PII.Sensitive/PII.NonSensitive and the "
                   "policy categories as column tags")
    suffix = ".openmetadata.json"

    def export(self, result: ScanResult, policy: Policy, *, min_confidence: float = 0.0) -> str:
        return json.dumps(document(result, policy, min_confidence), indent=2,
                          ensure_ascii=False) + "\n"


def _tag(fqn: str) -> dict[str, str]:
    return {"tagFQN": fqn, "source": "Classification", "labelType": "Automated",
            "state": "Suggested"}


def document(result: ScanResult, policy: Policy, min_confidence: float = 0.0) -> dict[str, Any]:
    """Return the export as plain data: classification, tags and one patch per table."""
    tables: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in flagged(result, min_confidence):
        col = item.column
        sensitivity = "critical" if col.cpni else (policy.sensitivity(col.categories) or "medium")
        pii = SENSITIVE if sensitivity in ("high", "critical") else NON_SENSITIVE
        t = item.table
        name = f"{t.schema}.{t.name}" if t.schema else t.name
        ops = tables.setdefault((item.source.name, name), [])
        for fqn in (pii, *(f"{CLASSIFICATION}.{c}" for c in col.categories)):
            ops.append({"op": "add", "path": f"/columns/{col.ref.position}/tags/-",
                        "value": _tag(fqn)})
    return {
        "classification": {
            "name": CLASSIFICATION,
            "description": f"Categories of the privacy policy {policy.name!r}, set by piiscan.",
            "mutuallyExclusive": False,
        },
        "tags": [{"classification": CLASSIFICATION, "name": c.id,
                  "displayName": c.title, "description": c.quote}
                 for c in policy.categories],
        "tables": [{"source": source, "table": table, "patch": ops}
                   for (source, table), ops in sorted(tables.items())],
    }
