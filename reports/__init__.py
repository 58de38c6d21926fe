"""Reports: one model built from a ScanResult, a Policy and residency; one renderer per format.

The CLI calls :func:`render`::

    from reports import render
    render("html", result, policy=policy, residency=residency, out=stream_or_path)

``reports`` reads results only: it never imports ``connectors`` or ``detectors``.
"""

from reports.model import Report, build_report
from reports.registry import (
    Renderer,
    UnknownFormat,
    format_names,
    get_renderer,
    register,
    render,
    renderers,
)

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
