"""Reading a delimited CDR file with its layout, malformed lines included.

:class:`DelimitedCdrTable` reads any :class:`~connectors.cdr.layout.Layout`:

* The file is cut into chunks that end on a line boundary (a few MiB each), so
  memory stays flat however big the file is, and a chunk that pyarrow cannot
  parse falls back to a careful per-line Python parser without restarting the
  file.
* The fast path parses a chunk with ``pyarrow.csv`` (every column as binary, so
  bad bytes never fail the parse), then decodes UTF-8 per column, falling back
  per value to cp1251 or latin-1.
* Malformed rows (wrong field count, over-long lines, a truncated last line)
  are counted and reported by line number, never by content.
* Partial means partial: a file read to its end whose few malformed lines
  were skipped is complete, with a warning count. Only a truncated last
  record, an over-long line (which may hide records) or so many malformed
  lines that the layout may not fit (:data:`LOSS_SHARE`) make it partial.
"""

from __future__ import annotations

import io
import logging
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.base import ColumnInfo, ConnectorOptions, ReadPlan, Table, TableError
from connectors.cdr.decode import decode_column, decode_value, parse_line, type_columns
from connectors.cdr.layout import Layout
from connectors.lines import MAX_LINE_BYTES, MAX_WARNINGS, LineCounts, iter_chunks, rebatch

__all__ = ["FULL_CHUNK_BYTES", "MAX_LINE_BYTES", "MAX_WARNINGS", "SAMPLE_CHUNK_BYTES",
           "ChunkParser", "Counters", "DelimitedCdrTable", "iter_chunks", "rebatch"]

logger = logging.getLogger(__name__)

#: Chunk sizes: full reads favour throughput, samples favour reading little.
FULL_CHUNK_BYTES = 8 * 1024 * 1024
SAMPLE_CHUNK_BYTES = 1024 * 1024
#: Malformed lines above this share of all lines suggest records were lost.
LOSS_SHARE = 0.2
#: Chunks parsed ahead in worker threads during full reads.
PIPELINE_DEPTH = 2


@dataclass
class Counters(LineCounts):
    """What went wrong while reading one call-record table, by line number."""

    #: Whether the last record was cut off.
    truncated: bool = False
    decoded_fallback: int = 0
    first_fallback_line: int | None = None

    def merge(self, other: LineCounts) -> None:
        """Add what one chunk's parse found (chunks are parsed in worker threads)."""
        super().merge(other)
        if isinstance(other, Counters):
            self.truncated = self.truncated or other.truncated
            self.decoded_fallback += other.decoded_fallback
            if self.first_fallback_line is None:
                self.first_fallback_line = other.first_fallback_line


_Chunk = tuple[int, bytes, bool]  # first line number, bytes, ends with a newline


def _is_utf8(chunk: bytes) -> bool:
    try:
        pa.array([chunk], pa.binary()).cast(pa.string())
    except pa.ArrowInvalid:
        return False
    return True


def _has_long_line(chunk: bytes) -> bool:
    if len(chunk) <= MAX_LINE_BYTES:
        return False
    view = np.frombuffer(chunk, dtype=np.uint8)
    ends = np.flatnonzero(view == 10)
    if ends.size == 0:
        return True
    bounds = np.concatenate(([-1], ends, [len(chunk) - 1]))
    return bool(np.max(np.diff(bounds)) > MAX_LINE_BYTES)


class ChunkParser:
    """Parse chunks of one layout into text columns (fast path, then careful path)."""

    def __init__(self, layout: Layout, encoding: str | None) -> None:
        self.layout = layout
        self.encoding = encoding
        self.n = len(layout.fields)
        self._keys = [f"f{i}" for i in range(self.n)]
        self._strip = re.compile(layout.strip_re.encode(), re.M) if layout.strip_re else None

    def parse(
        self, first_line: int, chunk: bytes, complete: bool
    ) -> tuple[pa.RecordBatch, Counters]:
        """Return the typed well-formed rows of ``chunk`` and what was wrong with the rest.

        Thread-safe: each call keeps its own counters, merged in file order by the caller.
        """
        counters = Counters(max_line=MAX_LINE_BYTES)
        columns = self._parse_text(first_line, chunk, complete, counters)
        return type_columns(self.layout, columns), counters

    def _parse_text(
        self, first_line: int, chunk: bytes, complete: bool, counters: Counters
    ) -> list[pa.Array]:
        # No newline after the last line: either an export that omits it (CUCM
        # does) or a file cut off mid-record. Only the second leaves a record
        # of the wrong shape, so the line is flagged as truncated only then.
        malformed_before = counters.malformed
        columns = self._parse_lines(first_line, chunk, counters)
        if not complete and counters.malformed > malformed_before and counters.warnings:
            counters.warnings[-1] += " (truncated last line)"
            counters.truncated = True
        return columns

    def _parse_lines(self, first_line: int, chunk: bytes, counters: Counters) -> list[pa.Array]:
        if self._strip is not None:
            chunk = self._strip.sub(b"", chunk)
        if self.encoding is None or self.encoding.lower().replace("-", "") in {
            "utf8",
            "ascii",
            "latin1",
            "cp1251",
        }:
            if not _has_long_line(chunk):
                try:
                    return self._parse_arrow(first_line, chunk, counters)
                except (pa.ArrowException, ValueError) as exc:
                    logger.debug("fast CSV path failed at line %s (%s)", first_line, type(exc))
        return self._parse_python(first_line, chunk, counters)

    def _parse_arrow(self, first_line: int, chunk: bytes, counters: Counters) -> list[pa.Array]:
        n = self.n
        bad_rows: list[tuple[int | None, int]] = []

        def on_invalid(row: pacsv.InvalidRow) -> str:
            bad_rows.append((row.number, row.actual_columns))
            return "skip"

        read_options = pacsv.ReadOptions(
            column_names=self._keys, use_threads=False, block_size=len(chunk) + 1
        )
        # pyarrow decodes an invalid row's text as UTF-8 before calling the
        # handler; when the chunk is not UTF-8, install no handler so a bad row
        # fails the fast path and the careful path counts it instead.
        handler = {"invalid_row_handler": on_invalid} if _is_utf8(chunk) else {}
        parse_options = pacsv.ParseOptions(
            delimiter=self.layout.delimiter,
            quote_char=self.layout.quote_char or False,
            double_quote=True,
            newlines_in_values=False,
            ignore_empty_lines=False,
            **handler,
        )
        convert_options = pacsv.ConvertOptions(
            column_types={k: pa.binary() for k in self._keys},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        table = pacsv.read_csv(
            pa.py_buffer(chunk),
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        lines: list[bytes] | None = None
        for number, actual in bad_rows:
            if actual == 1 and number is not None:
                # A blank (whitespace-only) line is not a malformed record.
                if lines is None:
                    lines = chunk.split(b"\n")
                if number <= len(lines) and not lines[number - 1].strip():
                    continue
            where = f"line {first_line + number - 1}" if number is not None else "a line"
            counters.malformed_line(f"{where}: {actual} fields, expected {n}")
        if b"\n\n" in chunk or b"\n\r\n" in chunk or chunk.startswith((b"\n", b"\r\n")):
            table = self._drop_blank_rows(table)
        columns: list[pa.Array] = []
        for i in range(n):
            col = table.column(i).combine_chunks()
            text, bad = decode_column(col, self.encoding)
            if bad:
                counters.decoded_fallback += bad
                if counters.first_fallback_line is None:
                    counters.first_fallback_line = first_line
            columns.append(text)
        return columns

    def _drop_blank_rows(self, table: pa.Table) -> pa.Table:
        total = None
        for i in range(self.n):
            lengths = pc.binary_length(table.column(i))
            total = lengths if total is None else pc.add(total, lengths)
        assert total is not None
        return table.filter(pc.greater(total, 0))

    def _parse_python(self, first_line: int, chunk: bytes, counters: Counters) -> list[pa.Array]:
        n = self.n
        delimiter = self.layout.delimiter
        quote = self.layout.quote_char
        cols: list[list[str]] = [[] for _ in range(n)]
        for offset, raw in enumerate(chunk.split(b"\n")):
            line_no = first_line + offset
            raw = raw.rstrip(b"\r")
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES:
                counters.long_line(line_no)
                continue
            try:
                text = raw.decode(self.encoding or "utf-8")
            except (UnicodeDecodeError, LookupError):
                text = decode_value(raw, None)
                counters.decoded_fallback += 1
                if counters.first_fallback_line is None:
                    counters.first_fallback_line = line_no
            text = text.replace("\x00", "")
            values = parse_line(text, delimiter, quote)
            if len(values) != n:
                counters.malformed_line(f"line {line_no}: {len(values)} fields, expected {n}")
                continue
            for i, v in enumerate(values):
                cols[i].append(v)
        return [pa.array(c, type=pa.string()) for c in cols]


def _pipelined(
    parser: ChunkParser, chunks: Iterator[_Chunk]
) -> Iterator[tuple[pa.RecordBatch, Counters]]:
    """Parse the next chunks in worker threads while the caller handles this one.

    pyarrow releases the GIL while parsing and computing, so on a 2-core
    machine this overlaps reading with the engine's detection. At most
    ``PIPELINE_DEPTH`` chunks are in flight, which keeps memory flat.
    """
    with ThreadPoolExecutor(max_workers=PIPELINE_DEPTH) as pool:
        pending: deque[Future[tuple[pa.RecordBatch, Counters]]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(parser.parse, *chunk))
            if len(pending) >= PIPELINE_DEPTH:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class DelimitedCdrTable(Table):
    """One delimited CDR file read with a :class:`Layout`."""

    def __init__(self, path: Path, layout: Layout, reason: str, options: ConnectorOptions) -> None:
        super().__init__(
            name=path.name,
            columns=[ColumnInfo(f.name, str(f.arrow_type)) for f in layout.fields],
            format=layout.format,
            format_reason=reason,
            is_call_record=layout.record_kind == "call_detail",
            record_kind=layout.record_kind,
        )
        self.path = path
        self.layout = layout
        self.encoding = options.encoding

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield typed batches: every row (``plan.full``) or the first ``sample_size``."""
        self.warnings.clear()
        counters = Counters(warnings=self.warnings, max_line=MAX_LINE_BYTES)
        limit = plan.sample_size
        chunk_bytes = FULL_CHUNK_BYTES if limit is None else SAMPLE_CHUNK_BYTES
        rows = 0
        for batch in rebatch(self._typed(counters, chunk_bytes, limit), max(1, plan.batch_size)):
            rows += batch.num_rows
            yield batch
        self._finish(counters, rows)

    def _typed(
        self, counters: Counters, chunk_bytes: int, limit: int | None
    ) -> Iterator[pa.RecordBatch]:
        parser = ChunkParser(self.layout, self.encoding)
        seen = 0
        try:
            fh = self.path.open("rb")
        except OSError as exc:
            raise TableError(
                f"{self.path}: cannot read ({exc.strerror or type(exc).__name__})"
            ) from exc
        with fh:
            first_line = self._skip_header(fh)
            chunks = iter_chunks(fh, first_line, chunk_bytes, counters)
            if limit is not None:
                results: Iterator[tuple[pa.RecordBatch, Counters]] = (
                    parser.parse(*c) for c in chunks
                )
            else:
                results = _pipelined(parser, chunks)
            for batch, found in results:
                counters.merge(found)
                if limit is not None and seen + batch.num_rows >= limit:
                    yield batch.slice(0, limit - seen)
                    return
                seen += batch.num_rows
                yield batch

    def _skip_header(self, fh: io.BufferedIOBase) -> int:
        """Skip a byte-order mark and the layout's header lines; return the next line number."""
        bom = fh.read(3)
        if bom != b"\xef\xbb\xbf":
            fh.seek(0)
        line_no = 1
        for _ in range(self.layout.skip_lines):
            skipped = 0
            while True:
                piece = fh.readline(MAX_LINE_BYTES)
                skipped += len(piece)
                if not piece or piece.endswith(b"\n"):
                    break
            line_no += 1
        return line_no

    def _finish(self, counters: Counters, rows: int) -> None:
        lines = rows + counters.malformed
        lost = (counters.truncated or counters.long_lines > 0
                or counters.malformed > LOSS_SHARE * lines)
        # Warnings make a table partial only when records may be missing.
        self.partial_on_warnings = lost
        counters.note_unlisted()
        if counters.decoded_fallback:
            self.warnings.append(
                f"{counters.decoded_fallback} values were not UTF-8 (first near line "
                f"{counters.first_fallback_line}); decoded as cp1251/latin-1"
            )
        if counters.malformed:
            logger.warning("%s: %s malformed lines skipped (%s)", self.path, counters.malformed,
                           "records may be missing" if lost else f"{rows} records read")
