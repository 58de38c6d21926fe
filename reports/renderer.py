"""The renderer interface: one :class:`Renderer` subclass per file in ``reports/formats/``.

A format module defines a subclass decorated with :func:`register`; the
registry (``reports.registry``) finds it by importing the package's modules.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import ClassVar, TextIO, TypeVar

from reports.model import Report
from scanner.plugins import Registry
from scanner.redact import has_control, printable


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
    #: Read by people (a terminal, a Markdown comment): control characters in the names
    #: of the report are shown as escapes before it renders (see :func:`printable_copy`).
    human: ClassVar[bool] = False

    @abstractmethod
    def render(self, report: Report, out: TextIO) -> None:
        """Write ``report`` to ``out``."""


T = TypeVar("T")


def printable_copy(value: T) -> T:
    """Return ``value`` (a report, or any part of one) with every string made printable.

    Frozen dataclasses, tuples, lists and dicts holding a string with control
    characters are copied, that string escaped (:func:`scanner.redact.printable`);
    everything else (the common case: nothing to escape) is returned as it is.
    """
    kind = type(value)
    if kind is str:
        return printable(value, keep_newlines=True) if has_control(value) else value  # type: ignore
    if kind in _PLAIN:
        return value
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.init)
    if names is not None:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = printable_copy(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value  # type: ignore
    if kind is tuple or kind is list:
        items = [printable_copy(v) for v in value]  # type: ignore[attr-defined]
        same = all(a is b for a, b in zip(items, value, strict=True))  # type: ignore
        return value if same else kind(items)  # type: ignore[call-arg]
    if kind is dict:
        pairs = [(printable_copy(k), printable_copy(v)) for k, v in value.items()]  # type: ignore
        same = all(a is k and b is v for (a, b), (k, v) in
                   zip(pairs, value.items(), strict=True))  # type: ignore[attr-defined]
        return value if same else dict(pairs)  # type: ignore[return-value]
    return value


_PLAIN = frozenset({int, float, bool, type(None), bytes})
_FIELDS: dict[type, tuple[str, ...]] = {}


#: Every report format, registered with ``@register`` in its module of ``reports.formats``.
FORMATS: Registry[type[Renderer]] = Registry("reports.formats")


def register(cls: type[Renderer]) -> type[Renderer]:
    """Class decorator: make a renderer available by its name."""
    return FORMATS.register(cls)
