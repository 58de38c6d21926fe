"""Reading line-oriented record files: bounded lines, malformed-line counts, even batches.

Every text log and call-record connector reads the same way:

* The file is cut into chunks that end on a line boundary (:func:`iter_chunks`),
  so memory stays flat however big it is. A line longer than
  :data:`MAX_LINE_BYTES` is skipped while streaming (a newline-free file
  cannot exhaust memory) and reported by number: it may hide records.
* Malformed lines are counted by :class:`LineCounts`, which keeps the first
  :data:`MAX_WARNINGS` of them as warnings naming the line number, never the
  line's content, and says how many more there were.
* Records are gathered into Arrow record batches of the plan's batch size
  (:func:`rebatch`).

:class:`LineRecordTable` puts these together for connectors whose records
are parsed line by line in Python (Zeek, W3C, dhcpd.leases, RADIUS detail):
a subclass says how lines become records and how records become a batch.
:class:`LineRecordSource` is their connector's side: it claims a file its
format recognises, or any file when ``--cdr-format`` names that format.
"""

from __future__ import annotations

import io
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

import numpy as np
import pyarrow as pa

from connectors.base import ConnectorOptions, ReadPlan, Source, SourceError, Table
from connectors.registry import CLAIM_FORCED, Sniff

#: A physical line longer than this is malformed (real log and CDR lines are < 4 KiB).
MAX_LINE_BYTES = 64 * 1024
#: Stop listing malformed lines after this many (the total is still reported).
MAX_WARNINGS = 50
#: Chunk size for connectors that parse lines in Python.
LINE_CHUNK_BYTES = 1024 * 1024
#: How much of a file a connector reads to learn its columns.
HEAD_BYTES = 1 << 16

R = TypeVar("R")


@dataclass
class LineCounts:
    """Malformed lines met while reading one table, listed by line number up to a bound."""

    malformed: int = 0
    listed: int = 0
    #: Lines skipped for their length (they may hide several records).
    long_lines: int = 0
    warnings: list[str] = field(default_factory=list)
    #: A physical line longer than this is malformed.
    max_line: int = MAX_LINE_BYTES

    def malformed_line(self, message: str) -> None:
        """Count one malformed line; list it while fewer than MAX_WARNINGS are listed."""
        self.malformed += 1
        if self.listed < MAX_WARNINGS:
            self.listed += 1
            self.warnings.append(message)

    def long_line(self, line_no: int) -> None:
        """Count a line skipped for its length."""
        self.long_lines += 1
        self.malformed_line(f"line {line_no}: longer than {self.max_line} bytes")

    def merge(self, other: LineCounts) -> None:
        """Add what another reader found (a chunk parsed in a worker thread), in file order."""
        self.long_lines += other.long_lines
        for message in other.warnings:
            self.malformed_line(message)
        self.malformed += other.malformed - len(other.warnings)

    def note_unlisted(self) -> None:
        """Say how many malformed lines were counted but not listed."""
        if self.malformed > self.listed:
            self.warnings.append(f"{self.malformed - self.listed} more malformed lines not listed")


_Chunk = tuple[int, bytes, bool]  # first line number, bytes, ends with a newline


def newlines(data: bytes, end: int | None = None) -> int:
    r"""Count the ``\n`` bytes of ``data`` (up to ``end``): twice as fast as ``bytes.count``.

    Line counting runs over every byte of a streamed file on the reading thread,
    which holds the interpreter lock for ``bytes.count``; numpy's pass is shorter.
    """
    view = np.frombuffer(data, np.uint8)
    if end is not None:
        view = view[:end]
    return int(np.count_nonzero(view == 10))


def line_stats(data: bytes | bytearray, end: int | None = None,
               window: int = 1 << 17) -> tuple[int, bool]:
    r"""Count the ``\n`` bytes of ``data`` (up to ``end``); tell whether every line is short.

    Short means under three ``window``\ s of bytes: every aligned ``window`` of the
    text holds a line break, so no line spans two whole ones (the last partial
    window adds at most one more). Counted window by window, each pass within
    the processor's cache (a pass over a whole 16 MiB block is twice as slow).
    """
    view = np.frombuffer(data, np.uint8)
    end = len(view) if end is None else end
    total, short = 0, True
    for at in range(0, end, window):
        n = int(np.count_nonzero(view[at:min(at + window, end)] == 10))
        total += n
        short = short and (n > 0 or at + window > end)
    return total, short


def iter_chunks(
    fh: io.BufferedIOBase, first_line: int, chunk_bytes: int, counts: LineCounts
) -> Iterator[_Chunk]:
    """Cut a binary stream into chunks ending on line boundaries.

    A line longer than ``counts.max_line`` that does not fit in a chunk is
    skipped while streaming and reported by number.
    """
    max_line = counts.max_line
    line_no = first_line
    pending = b""
    skipping = False
    while True:
        block = fh.read(chunk_bytes)
        if not block:
            break
        if skipping:
            nl = block.find(b"\n")
            if nl < 0:
                continue
            skipping = False
            line_no += 1
            block = block[nl + 1 :]
        data = pending + block
        cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) > max_line:
                counts.long_line(line_no)
                pending = b""
                skipping = True
            else:
                pending = data
            continue
        chunk = data[: cut + 1]
        pending = data[cut + 1 :]
        yield line_no, chunk, True
        line_no += newlines(chunk)
        if len(pending) > max_line:
            counts.long_line(line_no)
            pending = b""
            skipping = True
    if pending and not skipping:
        yield line_no, pending, False


def decode_line(raw: bytes) -> str:
    """Decode one line as UTF-8, or as latin-1 when it is not (every byte is then a letter)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def iter_lines(
    fh: io.BufferedIOBase, counts: LineCounts, chunk_bytes: int = LINE_CHUNK_BYTES
) -> Iterator[str]:
    """Yield every line of a binary stream, decoded, without its newline.

    An over-long line is counted in ``counts`` and stands as an empty line, so
    the lines that follow keep their numbers.
    """
    expected = 1
    for first, chunk, complete in iter_chunks(fh, 1, chunk_bytes, counts):
        while expected < first:  # lines skipped for their length
            expected += 1
            yield ""
        lines = chunk.split(b"\n")
        if complete:
            lines.pop()  # what follows the last newline belongs to the next chunk
        for raw in lines:
            if len(raw) > counts.max_line:
                counts.long_line(expected)
                raw = b""
            expected += 1
            yield decode_line(raw)


def open_binary(path: Path) -> io.BufferedReader:
    """Open a file for reading, or raise SourceError naming it and why."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from exc


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """Read a file's first ``size`` bytes, or raise SourceError naming it and why."""
    with open_binary(path) as fh:
        try:
            return fh.read(size)
        except OSError as exc:
            raise SourceError(
                f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from exc


def rebatch(batches: Iterable[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """Yield batches of exactly ``size`` rows (the last may be shorter)."""
    pending: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        rows += batch.num_rows
        while rows >= size:
            table = pa.Table.from_batches(pending)
            head = table.slice(0, size).combine_chunks()
            yield from head.to_batches(max_chunksize=size)
            rest = table.slice(size)
            pending = rest.combine_chunks().to_batches() if rest.num_rows else []
            rows = rest.num_rows
    if rows:
        yield from pa.Table.from_batches(pending).combine_chunks().to_batches(max_chunksize=size)


class LineRecordTable(Table, Generic[R]):
    """A file whose records a subclass parses from its lines, read in even batches.

    Subclasses set ``path`` after calling ``Table.__init__`` and implement
    :meth:`records` (lines → records, or the line number of a malformed one)
    and :meth:`_batch` (records → one record batch).
    """

    path: Path
    #: What a malformed line's warning says after its number.
    malformed_message = "malformed"

    @abstractmethod
    def records(self, lines: Iterator[str]) -> Iterator[R | int]:
        """Yield each record, or the 1-based line number of a malformed one."""

    @abstractmethod
    def _batch(self, rows: list[R]) -> pa.RecordBatch:
        """Turn records into one record batch following ``columns``."""

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield records in batches (the first ``sample_size`` unless reading in full)."""
        self.warnings.clear()
        counts = LineCounts(warnings=self.warnings)
        limit, size = plan.sample_size, max(1, plan.batch_size)
        rows: list[R] = []
        seen = 0
        with open_binary(self.path) as fh:
            for item in self.records(iter_lines(fh, counts)):
                if isinstance(item, int):
                    counts.malformed_line(f"line {item}: {self.malformed_message}")
                    continue
                rows.append(item)
                seen += 1
                if len(rows) >= size:
                    yield self._batch(rows)
                    rows = []
                if limit is not None and seen >= limit:
                    break
        if rows:
            yield self._batch(rows)
        counts.note_unlisted()
        if counts.long_lines:
            # A line skipped for its length may hide records: the read is partial.
            self.partial_on_warnings = True


class FieldRecordTable(LineRecordTable[dict[str, str]]):
    """A line-record table whose records map field names to text (FreeRADIUS detail, W3C).

    Subclasses set ``names``, the columns in order; a record without one of
    them (a field it left out) is null in that column.
    """

    names: list[str]

    def _batch(self, rows: list[dict[str, str]]) -> pa.RecordBatch:
        """One string column per name in ``names``."""
        arrays = [pa.array([r.get(n) for r in rows], pa.string()) for n in self.names]
        return pa.RecordBatch.from_arrays(arrays, names=self.names)


class LineRecordSource(Source):
    """A connector for one text record format, recognised from a file's first bytes.

    ``--cdr-format`` naming the format (one of ``formats``) makes it claim any
    file, above every other connector; the tables it yields then say so in
    their format reason. Naming another format makes it claim none.
    """

    formats: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def recognise(cls, head: bytes) -> int:
        """Score how sure the format is from the first bytes of a file (0: not this format)."""
        return 0

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        """Claim a file this format recognises, or any file when the format is forced."""
        if sniff.path is None or sniff.path.is_dir():
            return 0
        if options.cdr_format:
            return CLAIM_FORCED if options.cdr_format in cls.formats else 0
        return cls.recognise(sniff.head) if sniff.head else 0

    def forced(self, table: Table) -> Table:
        """Say in the table's format reason that ``--cdr-format`` chose the format."""
        if self.options.cdr_format:
            table.format_reason = f"--cdr-format {self.options.cdr_format}; {table.format_reason}"
        return table
