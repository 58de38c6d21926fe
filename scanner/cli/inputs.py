"""What a scan reads before it starts: a discovered configuration, and standard input.

* The scan configuration is ``--config FILE``, else ``$PIISCAN_CONFIG``, else
  ``piiscan.yaml`` or ``.piiscan.yaml`` in the working directory. A discovered
  file given SOURCE arguments lends them its policy, locations and options but
  does not add its own sources.
* ``-`` among the sources is standard input (CSV or JSON Lines), spooled to a
  private temporary file the file connectors read as they read any file.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scanner.model import ScanResult

if TYPE_CHECKING:
    import tempfile

    from scanner.core.config import ScanConfig

logger = logging.getLogger("piiscan")

#: Files the configuration is discovered from, in the working directory, in this order.
CONFIG_NAMES = ("piiscan.yaml", ".piiscan.yaml")
CONFIG_ENV = "PIISCAN_CONFIG"


def discover_config(cwd: Path | None = None) -> str | None:
    """Return ``$PIISCAN_CONFIG``, else ``piiscan.yaml``/``.piiscan.yaml`` here, else None.

    A ``$PIISCAN_CONFIG`` naming no file is a usage error, not a silent fallback.
    """
    env = os.environ.get(CONFIG_ENV)
    if env:
        if not Path(env).is_file():
            raise click.UsageError(f"{CONFIG_ENV}={env}: no such configuration file")
        return env
    for name in CONFIG_NAMES:
        # Relative to the working directory, so sources keep the names the file gives them.
        path = cwd / name if cwd is not None else Path(name)
        if path.is_file():
            return str(path)
    return None


# --- Overlapping sources -------------------------------------------------------------------


def one_scan_each(specs: list[str], config: ScanConfig) -> tuple[list[str], ScanConfig]:
    """Return SOURCE arguments scanning each file once, and the config that makes it so.

    A source given twice is scanned once; a file inside a directory (or glob)
    also given is scanned as itself, not again by the walk. One warning says so.
    """
    from scanner.core.overlap import overlaps
    from scanner.redact import redact_url

    kept, claimed, notes = overlaps([(s, redact_url(s)) for s in specs])
    if notes:
        logger.warning("overlapping sources: %s", "; ".join(notes))
    config = dataclasses.replace(config, claimed=claimed) if claimed else config
    return [specs[i] for i in kept], config


# --- Standard input ------------------------------------------------------------------------

#: The name a scan of standard input shows (its source and table).
STDIN_NAME = "stdin"


class StdinSpool:
    """``-`` among the sources: standard input spooled to a file the file connectors read.

    The data is spooled, never held in memory whole, to a private temporary
    directory removed when the scan is done; results name it ``stdin``.
    """

    def __init__(self, sources: tuple[str, ...] | list[str]) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.path: str | None = None
        self.specs = list(sources)
        if "-" not in self.specs:
            return
        if self.specs.count("-") > 1:
            raise click.UsageError("standard input ('-') can be scanned once")
        import tempfile  # only for standard input

        self._tmp = tempfile.TemporaryDirectory(prefix="piiscan-stdin-")
        self.path = self._spool(sys.stdin.buffer, Path(self._tmp.name))
        self.specs = [self.path if s == "-" else s for s in self.specs]

    @staticmethod
    def _spool(stream: Any, folder: Path) -> str:
        head = stream.read(64 * 1024)
        if not head.strip():
            raise click.UsageError("standard input is empty (pipe CSV or JSON Lines into "
                                   "'piiscan scan -')")
        suffix = ".jsonl" if head.lstrip()[:1] == b"{" else ".csv"
        path = folder / f"{STDIN_NAME}{suffix}"
        with path.open("wb") as out:
            out.write(head)
            while chunk := stream.read(1 << 20):
                out.write(chunk)
        return str(path)

    def finish(self, result: ScanResult) -> ScanResult:
        """Rename the spooled file to ``stdin`` in the result and remove it."""
        if self._tmp is None or self.path is None:
            return result
        path, table = self.path, Path(self.path).name
        try:
            return _renamed(result, path, table, STDIN_NAME)
        finally:
            self._tmp.cleanup()
            self._tmp = None


def _renamed(result: ScanResult, path: str, table: str, name: str) -> ScanResult:
    def fix(text: str | None) -> str | None:
        return text.replace(path, name) if text else text

    sources = []
    for s in result.sources:
        if s.name != path:
            sources.append(s)
            continue
        tables = []
        for t in s.tables:
            cols = tuple(dataclasses.replace(c, ref=dataclasses.replace(
                c.ref, source=name, table=name if c.ref.table == table else c.ref.table))
                for c in t.columns)
            tables.append(dataclasses.replace(t, name=name if t.name == table else t.name,
                                              columns=cols, error=fix(t.error)))
        sources.append(dataclasses.replace(s, name=name, tables=tuple(tables),
                                           error=fix(s.error)))
    return dataclasses.replace(result, sources=tuple(sources))
