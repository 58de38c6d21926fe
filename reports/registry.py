"""Finding a renderer by format name, and rendering a report to a stream or a file.

A renderer module defines a :class:`Renderer` subclass decorated with
:func:`register`; importing the package's modules registers them, so adding a
format is one new file and never an edit to an if/elif chain.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TextIO

from reports.model import Report
from reports.renderer import FORMATS, Renderer, printable_copy
from scanner.fileio import atomic_writer
from scanner.redact import printable

logger = logging.getLogger(__name__)


class UnknownFormat(ValueError):
    """No renderer has this name. The message lists the known ones."""


def _registry() -> dict[str, type[Renderer]]:
    return {cls.name: cls for cls in FORMATS.classes()}


def renderers() -> dict[str, Renderer]:
    """Return one instance of every renderer, keyed by format name, sorted by name."""
    registry = _registry()
    return {name: registry[name]() for name in sorted(registry)}


def format_names(*, aliases: bool = True) -> list[str]:
    """Return the accepted ``--format`` names (for click's Choice), sorted."""
    registry = _registry()
    names = set(registry)
    if aliases:
        names.update(a for cls in registry.values() for a in cls.aliases)
    return sorted(names)


def get_renderer(name: str) -> Renderer:
    """Return the renderer for a format name or alias; UnknownFormat otherwise."""
    key = name.strip().lower()
    for cls in _registry().values():
        if key == cls.name or key in cls.aliases:
            return cls()
    raise UnknownFormat(f"unknown format '{name}' (choose from {', '.join(format_names())})")


def render(format_name: str, report: Report, *, out: TextIO | str | Path) -> Report:
    """Render ``report`` (see :func:`reports.model.build_report`) in ``format_name`` to ``out``.

    ``out`` is a text stream or a file path; a file is written to a temporary
    name first and renamed, so a failed render leaves no half-written report
    (FileProblem names the file). Returns the report.
    """
    renderer = get_renderer(format_name)
    if renderer.human:
        _render_printable(renderer, report, out)
    elif isinstance(out, str | Path):
        with atomic_writer(out) as fh:
            renderer.render(report, fh)
    else:
        renderer.render(report, out)
        out.flush()
    logger.debug("rendered %s report", renderer.name)
    return report


def _render_printable(renderer: Renderer, report: Report, out: TextIO | str | Path) -> None:
    """Render for people: no control character of a name reaches a terminal or a comment.

    Plain text (a file, a pipe) holds no control character of its own, so the
    rendered text is escaped as a whole; a terminal gets styles, so the names
    of the report are escaped before it renders instead.
    """
    if isinstance(out, str | Path) or not _isatty(out):
        buffer = io.StringIO()
        renderer.render(report, buffer)
        text = printable(buffer.getvalue(), keep_newlines=True)
        if isinstance(out, str | Path):
            with atomic_writer(out) as fh:
                fh.write(text)
        else:
            out.write(text)
            out.flush()
        return
    renderer.render(printable_copy(report), out)
    out.flush()


def _isatty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
