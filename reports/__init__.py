"""Reports: one model built from a ScanResult, a Policy and residency; one renderer per format.

The CLI builds the report once and renders it::

    from reports import build_report, render
    render("html", build_report(result, policy, residency), out=stream_or_path)

``reports`` reads results only: it never imports ``connectors`` or ``detectors``.
"""

from reports.model import Report, build_report
from reports.registry import UnknownFormat, format_names, get_renderer, render, renderers
from reports.renderer import Renderer, register

__all__ = [
    "Renderer",
    "Report",
    "UnknownFormat",
    "build_report",
    "format_names",
    "get_renderer",
    "register",
    "render",
    "renderers",
]
