"""The base of the CDR connectors: one file, one table, recognised by sniffing."""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from connectors.base import ConnectorOptions, Source, SourceError, Table
from connectors.cdr.reader import DelimitedCdrTable
from connectors.cdr.sniff import CLAIM_FORCED, Detected
from connectors.registry import SNIFF_BYTES, Sniff

logger = logging.getLogger(__name__)


def read_head(path: Path) -> bytes:
    """Read the first bytes of a file as the registry sniffs them."""
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from exc


class CdrSource(Source):
    """Base of the CDR connectors: one file, one table, recognised by sniffing.

    Subclasses list the format names they can produce in ``formats`` and
    implement :meth:`detect`, which looks at a file's first bytes and returns
    the layout and why (or None). ``options.cdr_format`` forces a format:
    then only the connector producing that format claims, and its
    :meth:`detect` is asked for its best guess with ``forced=True``.
    """

    kind = "cdr"
    formats: ClassVar[tuple[str, ...]] = ()

    @classmethod
    @abstractmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise the format in ``head``; with ``forced``, always return a best guess."""

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        """Score how sure this connector is that the file is its format (0: not mine)."""
        if sniff.path is None or sniff.path.is_dir():
            return 0
        forced = bool(options.cdr_format)
        if forced and options.cdr_format not in cls.formats:
            return 0
        if not forced and not sniff.head:
            return 0
        try:
            found = cls.detect(sniff.head, options, forced)
        except Exception:  # a sniffer bug must not stop the scan of other files
            logger.exception("%s: format sniffing failed", cls.__name__)
            return 0
        if found is None:
            return 0
        return CLAIM_FORCED if forced else found.score

    def tables(self) -> Iterator[Table]:
        """Yield the file as one table in the recognised layout."""
        path = Path(self.spec)
        head = read_head(path)
        forced = bool(self.options.cdr_format)
        found = self.detect(head, self.options, forced)
        if found is None:
            raise SourceError(f"{path}: not recognised as {'/'.join(self.formats)}")
        reason = found.reason
        if forced:
            reason = f"--cdr-format {self.options.cdr_format}; {reason}"
        yield DelimitedCdrTable(path, found.layout, reason, self.options)
