"""Renderers, one per file in ``reports/formats/``, picked by format name.

A renderer module defines a :class:`Renderer` subclass decorated with
:func:`register`; importing the package's modules registers them, so adding a
format is one new file and never an edit to an if/elif chain.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar, TextIO

from reports.model import Report
from scanner.fileio import atomic_writer

logger = logging.getLogger(__name__)


class UnknownFormat(ValueError):
    """No renderer has this name. The message lists the known ones."""


class Renderer(ABC):
    """Turns a Report into text in one format."""

    #: The ``--format`` name.
    name: ClassVar[str]
    #: Other names accepted for this format (``table`` for the terminal renderer).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: One line shown in ``--help``.
    description: ClassVar[str]
    #: File extension for ``-o`` defaults, without the dot.
    extension: ClassVar[str]

    @abstractmethod
    def render(self, report: Report, out: TextIO) -> None:
        """Write ``report`` to ``out``."""


_REGISTRY: dict[str, type[Renderer]] = {}


def register(cls: type[Renderer]) -> type[Renderer]:
    """Class decorator: make a renderer available by its name."""
    _REGISTRY[cls.name] = cls
    return cls


def _load_all() -> None:
    import reports.formats

    for info in sorted(pkgutil.iter_modules(reports.formats.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"reports.formats.{info.name}")


def renderers() -> dict[str, Renderer]:
    """Return one instance of every renderer, keyed by format name, sorted by name."""
    _load_all()
    return {name: _REGISTRY[name]() for name in sorted(_REGISTRY)}


def format_names(*, aliases: bool = True) -> list[str]:
    """Return the accepted ``--format`` names (for click's Choice), sorted."""
    _load_all()
    names = set(_REGISTRY)
    if aliases:
        names.update(a for cls in _REGISTRY.values() for a in cls.aliases)
    return sorted(names)


def get_renderer(name: str) -> Renderer:
    """Return the renderer for a format name or alias; UnknownFormat otherwise."""
    _load_all()
    key = name.strip().lower()
    for cls in _REGISTRY.values():
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
    if isinstance(out, str | Path):
        with atomic_writer(out) as fh:
            renderer.render(report, fh)
    else:
        renderer.render(report, out)
        out.flush()
    logger.debug("rendered %s report", renderer.name)
    return report
