"""What a scan leaves out: ``--include``/``--exclude`` on every source, and overlapping entries.

Databases apply the globs while listing (``schema.table.column``). Files get
the same treatment here, on ``file.column`` and ``file`` alone, where ``file``
is the file's name or its path as scanned: ``--exclude 'customers.csv'``
leaves a file out, ``--include '*.csv.email'`` reads only the ``email``
column of each CSV file. A column left out is neither listed nor read.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

from connectors.base import ConnectorOptions, Source, Table
from scanner.core.overlap import covered

logger = logging.getLogger(__name__)


class Selection:
    """The include/exclude globs of one scan, applied to the tables of every source."""

    def __init__(self, options: ConnectorOptions) -> None:
        self.active = bool(options.include or options.exclude)
        self._include = replace(options, exclude=())
        self._exclude = tuple(options.exclude)
        #: Names of sources none of whose tables were selected (left out of results).
        self.emptied: set[str] = set()

    def _keep(self, names: list[str], column: str | None) -> bool:
        parts = [(n, column) if column is not None else (n,) for n in names]
        if self._include.include and not any(self._include.wants(*p) for p in parts):
            return False
        only_exclude = ConnectorOptions(exclude=self._exclude)
        return all(only_exclude.wants(*p) for p in parts)

    def tables(self, source: Source, tables: Iterable[Table]) -> Iterator[Table]:
        """Yield the tables of ``source`` as the globs select them (all when none are given)."""
        if not self.active:
            yield from tables
            return
        seen = kept = 0
        for table in tables:
            seen += 1
            names = [".".join(p for p in (table.schema, table.name) if p)]
            if "://" not in source.name and source.name != table.name:
                names.append(source.name)  # a file's path as scanned
            if self._exclude_names(names):
                logger.info("%s: %s left out by --exclude", source.name, table.name)
                continue
            chosen = _Selected(table, lambda column, n=names: self._keep(n, column))
            if table.columns and not chosen.columns:
                logger.info("%s: %s: no column selected by --include/--exclude", source.name,
                            table.name)
                continue
            kept += 1
            yield chosen  # type: ignore[misc]
        if seen and not kept:
            self.emptied.add(source.name)

    def _exclude_names(self, names: list[str]) -> bool:
        """Tell whether an exclude glob names the table itself (not only some columns)."""
        return any(fnmatch.fnmatchcase(n, pat) for n in names for pat in self._exclude)


class _Selected:
    """A table seen through the globs: unselected columns are neither listed nor read."""

    def __init__(self, table: Table, keep: Callable[[str], bool]) -> None:
        self._table = table
        self._keep = keep
        self.columns = [c for c in table.columns if keep(c.name)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def batches(self, plan: Any) -> Iterator[Any]:
        for batch in self._table.batches(plan):
            # Columns found only in the data (a header-less file, late JSON fields) too.
            names = [f.name for f in batch.schema if self._keep(f.name)]
            yield batch if len(names) == batch.num_columns else batch.select(names)


__all__ = ["Selection", "covered"]
