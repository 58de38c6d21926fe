"""Exports of a scan to the catalogs and privacy tools users already run (``piiscan export``).

One :class:`Exporter` subclass per module of this package, decorated with
:func:`register`: ``fides`` (a Fides dataset manifest with fideslang data
categories), ``dbt`` (a ``schema.yml`` patch with ``meta`` and tags),
``openmetadata`` (JSON Patch bodies tagging columns) and ``datahub``
(metadata change proposals for DataHub's ``file`` source).
Exports read a :class:`~scanner.model.ScanResult` and the policy only, and
carry what the result carries: entity types, categories and confidence,
never a sampled value.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from scanner.model import ColumnVerdict, Detection, ScanResult, SourceResult, TableResult
from scanner.plugins import Registry
from scanner.policy import Policy


class UnknownExport(ValueError):
    """No exporter has this name. The message lists the known ones."""


class Exporter(ABC):
    """Turns a scan result into one catalog's or tool's file."""

    #: The ``--to`` name.
    name: ClassVar[str]
    #: One line shown in ``--help``.
    description: ClassVar[str]
    #: The conventional file name suffix (``.fides.yml``).
    suffix: ClassVar[str]

    @abstractmethod
    def export(self, result: ScanResult, policy: Policy, *, min_confidence: float = 0.0) -> str:
        """Return the export's text for ``result`` under ``policy``."""


#: Every exporter, registered with ``@register`` in its module of ``reports.exports``.
EXPORTERS: Registry[type[Exporter]] = Registry("reports.exports")


def register(cls: type[Exporter]) -> type[Exporter]:
    """Class decorator: make an exporter available by its name."""
    return EXPORTERS.register(cls)


def exporter_names() -> list[str]:
    """Return the accepted ``--to`` names, sorted."""
    return sorted(cls.name for cls in EXPORTERS.classes())


def get_exporter(name: str) -> Exporter:
    """Return the exporter called ``name``; UnknownExport lists the known ones."""
    for cls in EXPORTERS.classes():
        if cls.name == name.lower():
            return cls()
    raise UnknownExport(f"unknown export target {name!r} (choose from "
                        f"{', '.join(exporter_names())})")


@dataclass(frozen=True)
class Flagged:
    """A column with findings at or above the export's confidence floor."""

    source: SourceResult
    table: TableResult
    column: ColumnVerdict
    detections: tuple[Detection, ...]

    @property
    def entities(self) -> list[str]:
        """The entity types found, sorted, each once."""
        return sorted({d.entity for d in self.detections})

    @property
    def confidence(self) -> float:
        """The highest confidence among the findings."""
        return max(d.confidence for d in self.detections)


def flagged(result: ScanResult, min_confidence: float = 0.0) -> Iterator[Flagged]:
    """Yield every column with a finding of at least ``min_confidence``, in result order."""
    for source in result.sources:
        for table in source.tables:
            for column in sorted(table.columns, key=lambda c: c.ref.position):
                kept = tuple(d for d in column.detections if d.confidence >= min_confidence)
                if kept:
                    yield Flagged(source, table, column, kept)


def slug(text: str) -> str:
    """Return ``text`` as a key of letters, digits and ``_`` (passwords are never in names)."""
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9]+", "_", text)).strip("_").lower() or "source"
