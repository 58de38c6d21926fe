"""The renderer interface: one :class:`Renderer` subclass per file in ``reports/formats/``.

A format module defines a subclass decorated with :func:`register`; the
registry (``reports.registry``) finds it by importing the package's modules.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, TextIO

from reports.model import Report
from scanner.plugins import Registry


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


#: Every report format, registered with ``@register`` in its module of ``reports.formats``.
FORMATS: Registry[type[Renderer]] = Registry("reports.formats")


def register(cls: type[Renderer]) -> type[Renderer]:
    """Class decorator: make a renderer available by its name."""
    return FORMATS.register(cls)
