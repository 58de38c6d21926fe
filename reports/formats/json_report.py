"""JSON: the ScanResult contract (schema_version 1) plus ``policy`` and ``residency``."""

from __future__ import annotations

import json
from typing import TextIO

from reports.formats._common import policy_section
from reports.model import Report
from reports.renderer import Renderer, register


@register
class JsonRenderer(Renderer):
    """The machine-readable result; ``piiscan report`` re-renders it later."""

    name = "json"
    description = "JSON result (schema_version 1) with policy and residency sections"
    extension = "json"

    def render(self, report: Report, out: TextIO) -> None:
        """Write the result's ``to_dict()`` plus the ``policy`` and ``residency`` sections."""
        data = report.result.to_dict()
        data["policy"] = policy_section(report)
        data["residency"] = report.residency.to_dict()
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
