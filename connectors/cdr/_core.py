"""Shared machinery of the call-accounting (CDR) connectors.

A CDR format is described by a :class:`Layout`: its delimiter, how many header
lines to skip and an ordered tuple of :class:`Field` (spec name plus a value
kind). :class:`DelimitedCdrTable` reads any such layout:

* The file is cut into chunks that end on a line boundary (a few MiB each), so
  memory stays flat however big the file is, and a chunk that pyarrow cannot
  parse falls back to a careful per-line Python parser without restarting the
  file.
* The fast path parses a chunk with ``pyarrow.csv`` (every column as binary, so
  bad bytes never fail the parse), then decodes UTF-8 per column, falling back
  per value to cp1251 or latin-1 (real Asterisk files carry cp1251 caller
  names).
* Malformed rows (wrong field count, over-long lines, a truncated last line)
  are counted and reported by line number, never by content.
* Values are typed column-wise with ``pyarrow.compute``: timestamps, epoch
  seconds, durations, signed-integer IPv4 addresses (Cisco CUCM).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.base import (
    ColumnInfo,
    ConnectorOptions,
    ReadPlan,
    Source,
    SourceError,
    Table,
    TableError,
)
from connectors.registry import SNIFF_BYTES, Sniff

logger = logging.getLogger(__name__)

#: A physical line longer than this is malformed (real CDR lines are < 4 KiB).
MAX_LINE_BYTES = 64 * 1024
#: Chunk sizes: full reads favour throughput, samples favour reading little.
FULL_CHUNK_BYTES = 8 * 1024 * 1024
SAMPLE_CHUNK_BYTES = 1024 * 1024
#: Stop listing malformed lines after this many (the total is still reported).
MAX_WARNINGS = 50
#: Chunks parsed ahead in worker threads during full reads.
PIPELINE_DEPTH = 2
#: Score a recognised CDR file claims with; the generic CSV reader claims ~10.
CLAIM_STRONG = 60
CLAIM_WEAK = 40
CLAIM_FORCED = 100

#: Value kinds a Field may have, and the Arrow type each becomes.
KIND_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "phone": pa.string(),
    "int": pa.int64(),
    "duration": pa.int64(),
    "hms": pa.int64(),
    "timestamp": pa.timestamp("s"),
    "epoch": pa.timestamp("s"),
    "ipv4int": pa.string(),
    "float": pa.float64(),
}


@dataclass(frozen=True)
class Field:
    """One field of a CDR layout: its spec name and how its values are typed.

    ``kind`` is one of :data:`KIND_TYPES`: ``str``/``phone`` (text; phone
    numbers stay text so leading zeros and ``+`` survive), ``int``,
    ``duration`` (whole seconds), ``hms`` (``[H]H:MM:SS`` to seconds),
    ``timestamp`` (parsed with ``fmt``), ``epoch`` (Unix seconds, 0 = absent),
    ``ipv4int`` (Cisco signed 32-bit little-endian IPv4, 0 = absent),
    ``float``.
    """

    name: str
    kind: str = "str"
    fmt: str | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return KIND_TYPES[self.kind]


@dataclass(frozen=True)
class Layout:
    """A delimited CDR layout: what each field is called and typed as."""

    format: str
    fields: tuple[Field, ...]
    delimiter: str = ","
    #: Lines before the first record (a header line, Cisco's type line).
    skip_lines: int = 0
    #: Trim blanks and one pair of surrounding double quotes from text values.
    trim_quotes: bool = False
    #: A regex whose matches are removed from each line before parsing
    #: (FreeSWITCH's ``sql`` template wraps records in ``INSERT ... (...);``).
    strip_re: str | None = None
    #: Quote character, or None when the format defines no quoting.
    quote_char: str | None = '"'

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Detected:
    """A format recognised in a file's first bytes, with the evidence."""

    layout: Layout
    score: int
    reason: str


# ---------------------------------------------------------------------------
# Value shapes used by the sniffers


DATETIME_ISO = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?$")
DATETIME_SLASH = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d$")
HMS = re.compile(r"^\d{1,3}:\d\d:\d\d$")
INT = re.compile(r"^-?\d{1,18}$")
EPOCH = re.compile(r"^\d{9,10}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ASTERISK_UNIQUEID = re.compile(r"^(?:[\w.-]+-)?\d{9,10}\.\d+$")
UPPER_WORDS = re.compile(r"^[A-Z][A-Z _]*$")
ASTERISK_DISPOSITIONS = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})


def is_dt(value: str) -> bool:
    """Tell whether a value looks like ``YYYY-MM-DD HH:MM:SS``."""
    return bool(DATETIME_ISO.match(value))


def is_dt_or_empty(value: str) -> bool:
    """Tell whether a value is empty or looks like ``YYYY-MM-DD HH:MM:SS``."""
    return value == "" or is_dt(value)


def is_int(value: str) -> bool:
    """Tell whether a value is a (possibly negative) integer."""
    return bool(INT.match(value))


def head_lines(head: bytes) -> list[str]:
    """Split sniffed bytes into decoded lines, dropping a line cut by the sniff limit."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = head.split(b"\n")
    if len(head) >= SNIFF_BYTES - 3 and len(lines) > 1:
        lines = lines[:-1]
    out = []
    for raw in lines:
        text = decode_value(raw.rstrip(b"\r"), None)
        if text.strip():
            out.append(text)
    return out


def split_records(lines: Sequence[str], delimiter: str = ",", limit: int = 50) -> list[list[str]]:
    """Parse the first ``limit`` lines with the csv module (never raises)."""
    out: list[list[str]] = []
    for line in lines[:limit]:
        out.append(parse_line(line, delimiter, '"'))
    return out


def parse_line(line: str, delimiter: str, quote_char: str | None) -> list[str]:
    """Parse one CSV line into fields; a parse problem yields the raw split."""
    if quote_char is None:
        return line.split(delimiter)
    try:
        rows = list(csv.reader([line], delimiter=delimiter, quotechar=quote_char, strict=False))
    except csv.Error:
        return line.split(delimiter)
    return rows[0] if rows else []


def fraction(records: Sequence[Sequence[str]], test: Callable[[Sequence[str]], bool]) -> float:
    """Share of records passing ``test`` (0 when there are none)."""
    if not records:
        return 0.0
    return sum(1 for r in records if test(r)) / len(records)


# ---------------------------------------------------------------------------
# Decoding


def decode_value(raw: bytes, encoding: str | None) -> str:
    """Decode one value: the configured encoding, else UTF-8, else cp1251/latin-1.

    The fallback picks cp1251 when most bytes are high (a Cyrillic name is
    nearly all high bytes) and latin-1 when a few accented letters sit among
    ASCII ones; neither ever raises.
    """
    if encoding:
        return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = sum(1 for b in raw if b >= 0x80)
    letters = sum(1 for b in raw if 0x41 <= (b | 0x20) <= 0x7A and (b | 0x20) >= 0x61)
    if high > letters:
        return raw.decode("cp1251", errors="replace")
    return raw.decode("latin-1")


def decode_column(arr: pa.Array, encoding: str | None) -> tuple[pa.Array, int]:
    """Turn a binary column into text; return it and how many values needed a fallback."""
    if encoding is None or encoding.lower().replace("-", "") in {"utf8", "ascii"}:
        try:
            return pc.cast(arr, pa.string()), 0
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    values = arr.to_pylist()
    out: list[str | None] = []
    bad = 0
    for raw in values:
        if raw is None:
            out.append(None)
            continue
        try:
            out.append(raw.decode("utf-8") if encoding is None else raw.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            bad += 1
            out.append(decode_value(raw, None))
    return pa.array(out, type=pa.string()), bad


# ---------------------------------------------------------------------------
# Typing


_NULL_STR = pa.scalar(None, pa.string())


def _empty_to_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), _NULL_STR, arr)


def _to_int(arr: pa.Array) -> pa.Array:
    trimmed = pc.replace_substring_regex(pc.utf8_trim_whitespace(arr), r"^\+", "")
    ok = pc.match_substring_regex(trimmed, r"^-?\d{1,18}$")
    return pc.cast(pc.if_else(ok, trimmed, _NULL_STR), pa.int64())


def _to_float(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    ok = pc.match_substring_regex(trimmed, r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
    return pc.cast(pc.if_else(ok, trimmed, _NULL_STR), pa.float64())


def _to_timestamp(arr: pa.Array, fmt: str) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    if "%f" in fmt:
        # Arrow's strptime has no %f: drop the fraction and parse the rest.
        fmt = fmt.replace(".%f", "").replace("%f", "")
        trimmed = pc.replace_substring_regex(trimmed, r"\.\d+$", "")
    return pc.strptime(trimmed, format=fmt, unit="s", error_is_null=True)


def _to_epoch(arr: pa.Array) -> pa.Array:
    ints = _to_int(arr)
    ok = pc.and_(pc.greater(ints, 0), pc.less(ints, 32_503_680_000))
    return pc.cast(pc.if_else(ok, ints, pa.scalar(None, pa.int64())), pa.timestamp("s"))


def _to_hms(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    ok = pc.match_substring_regex(trimmed, r"^\d{1,6}:\d{1,2}:\d{1,2}$")
    good = pc.if_else(ok, trimmed, _NULL_STR)
    parts = pc.split_pattern(good, ":")
    h = pc.cast(pc.list_element(parts, 0), pa.int64())
    m = pc.cast(pc.list_element(parts, 1), pa.int64())
    s = pc.cast(pc.list_element(parts, 2), pa.int64())
    return pc.add(pc.add(pc.multiply(h, 3600), pc.multiply(m, 60)), s)


def _to_ipv4(arr: pa.Array) -> pa.Array:
    # Cisco stores IPv4 as a signed 32-bit integer whose least significant
    # byte is the first octet: 239138826 = 0x0E40F80A -> 10.248.64.14.
    ints = _to_int(arr)
    ok = pc.and_(
        pc.and_(pc.not_equal(ints, 0), pc.greater_equal(ints, -(2**31))),
        pc.less(ints, 2**32),
    )
    unsigned = pc.bit_wise_and(pc.if_else(ok, ints, pa.scalar(None, pa.int64())), 0xFFFFFFFF)
    octets = [
        pc.cast(pc.bit_wise_and(pc.shift_right(unsigned, shift), 0xFF), pa.string())
        for shift in (0, 8, 16, 24)
    ]
    return pc.binary_join_element_wise(*octets, ".")


def convert(arr: pa.Array, spec: Field) -> pa.Array:
    """Type one text column as its field says; unparseable values become null."""
    arr = _empty_to_null(arr)
    kind = spec.kind
    if kind in ("str", "phone"):
        return arr
    if kind in ("int", "duration"):
        return _to_int(arr)
    if kind == "float":
        return _to_float(arr)
    if kind == "timestamp":
        return _to_timestamp(arr, spec.fmt or "%Y-%m-%d %H:%M:%S")
    if kind == "epoch":
        return _to_epoch(arr)
    if kind == "hms":
        return _to_hms(arr)
    if kind == "ipv4int":
        return _to_ipv4(arr)
    raise ValueError(f"unknown field kind {kind!r}")


def _trim_quotes(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.replace_substring_regex(trimmed, r'^"(.*)"$', r"\1")


# ---------------------------------------------------------------------------
# Reading


@dataclass
class _Counters:
    """What went wrong while reading one table, by line number."""

    malformed: int = 0
    listed: int = 0
    decoded_fallback: int = 0
    first_fallback_line: int | None = None
    warnings: list[str] = field(default_factory=list)

    def malformed_line(self, message: str) -> None:
        self.malformed += 1
        if self.listed < MAX_WARNINGS:
            self.listed += 1
            self.warnings.append(message)

    def merge(self, other: _Counters) -> None:
        """Add what one chunk's parse found (chunks are parsed in worker threads)."""
        for message in other.warnings:
            self.malformed_line(message)
        self.malformed += other.malformed - len(other.warnings)
        self.decoded_fallback += other.decoded_fallback
        if self.first_fallback_line is None:
            self.first_fallback_line = other.first_fallback_line


_Chunk = tuple[int, bytes, bool]  # first line number, bytes, ends with a newline


def iter_chunks(
    fh: io.BufferedIOBase, first_line: int, chunk_bytes: int, counters: _Counters
) -> Iterator[_Chunk]:
    """Cut a binary stream into chunks ending on line boundaries.

    A line longer than :data:`MAX_LINE_BYTES` that does not fit in a chunk is
    skipped while streaming (so a newline-free file cannot exhaust memory) and
    reported by number.
    """
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
            if len(data) > MAX_LINE_BYTES:
                counters.malformed_line(f"line {line_no}: longer than {MAX_LINE_BYTES} bytes")
                pending = b""
                skipping = True
            else:
                pending = data
            continue
        chunk = data[: cut + 1]
        pending = data[cut + 1 :]
        yield line_no, chunk, True
        line_no += chunk.count(b"\n")
        if len(pending) > MAX_LINE_BYTES:
            counters.malformed_line(f"line {line_no}: longer than {MAX_LINE_BYTES} bytes")
            pending = b""
            skipping = True
    if pending and not skipping:
        yield line_no, pending, False


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
    ) -> tuple[pa.RecordBatch, _Counters]:
        """Return the typed well-formed rows of ``chunk`` and what was wrong with the rest.

        Thread-safe: each call keeps its own counters, merged in file order by the caller.
        """
        counters = _Counters()
        columns = self._parse_text(first_line, chunk, complete, counters)
        return type_columns(self.layout, columns), counters

    def _parse_text(
        self, first_line: int, chunk: bytes, complete: bool, counters: _Counters
    ) -> list[pa.Array]:
        # No newline after the last line: either an export that omits it (CUCM
        # does) or a file cut off mid-record. Only the second leaves a record
        # of the wrong shape, so the line is flagged as truncated only then.
        malformed_before = counters.malformed
        columns = self._parse_lines(first_line, chunk, counters)
        if not complete and counters.malformed > malformed_before and counters.warnings:
            counters.warnings[-1] += " (truncated last line)"
        return columns

    def _parse_lines(self, first_line: int, chunk: bytes, counters: _Counters) -> list[pa.Array]:
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

    def _parse_arrow(self, first_line: int, chunk: bytes, counters: _Counters) -> list[pa.Array]:
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

    def _parse_python(self, first_line: int, chunk: bytes, counters: _Counters) -> list[pa.Array]:
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
                counters.malformed_line(f"line {line_no}: longer than {MAX_LINE_BYTES} bytes")
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


def type_columns(layout: Layout, columns: Sequence[pa.Array]) -> pa.RecordBatch:
    """Turn parsed text columns into one typed record batch."""
    arrays = []
    for spec, col in zip(layout.fields, columns, strict=True):
        if layout.trim_quotes:
            col = _trim_quotes(col)
        arrays.append(convert(col, spec))
    schema = pa.schema([pa.field(f.name, f.arrow_type) for f in layout.fields])
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


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


def _pipelined(
    parser: ChunkParser, chunks: Iterator[_Chunk]
) -> Iterator[tuple[pa.RecordBatch, _Counters]]:
    """Parse the next chunks in worker threads while the caller handles this one.

    pyarrow releases the GIL while parsing and computing, so on a 2-core
    machine this overlaps reading with the engine's detection. At most
    ``PIPELINE_DEPTH`` chunks are in flight, which keeps memory flat.
    """
    with ThreadPoolExecutor(max_workers=PIPELINE_DEPTH) as pool:
        pending: deque[Future[tuple[pa.RecordBatch, _Counters]]] = deque()
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
            is_call_record=True,
        )
        self.path = path
        self.layout = layout
        self.encoding = options.encoding

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield typed batches: every row (``plan.full``) or the first ``sample_size``."""
        self.warnings.clear()
        counters = _Counters(warnings=self.warnings)
        limit = plan.sample_size
        chunk_bytes = FULL_CHUNK_BYTES if limit is None else SAMPLE_CHUNK_BYTES
        yield from rebatch(self._typed(counters, chunk_bytes, limit), max(1, plan.batch_size))
        self._finish(counters)

    def _typed(
        self, counters: _Counters, chunk_bytes: int, limit: int | None
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
                results: Iterator[tuple[pa.RecordBatch, _Counters]] = (
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

    def _finish(self, counters: _Counters) -> None:
        if counters.malformed > counters.listed:
            self.warnings.append(
                f"{counters.malformed - counters.listed} more malformed lines not listed"
            )
        if counters.decoded_fallback:
            self.warnings.append(
                f"{counters.decoded_fallback} values were not UTF-8 (first near line "
                f"{counters.first_fallback_line}); decoded as cp1251/latin-1"
            )
        if counters.malformed:
            logger.info("%s: %s malformed lines skipped", self.path, counters.malformed)


# ---------------------------------------------------------------------------
# Sources


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


@dataclass(frozen=True)
class Variant:
    """One field-count variant of a headerless format, with its per-record test."""

    layout: Layout
    test: Callable[[Sequence[str]], bool]
    description: str


def best_variant(
    records: Sequence[Sequence[str]],
    variants: Sequence[Variant],
    min_share: float = 0.8,
) -> tuple[Variant, float] | None:
    """Pick the variant most sniffed records fit; None when under ``min_share``.

    A record fits a variant when it has exactly that many fields and passes
    the variant's value-shape test. A few malformed lines in the head do not
    stop recognition; a file mostly made of something else does.
    """
    best: tuple[Variant, float] | None = None
    for variant in variants:
        n = len(variant.layout.fields)
        share = fraction(records, lambda r, n=n, v=variant: len(r) == n and v.test(r))
        if best is None or share > best[1]:
            best = (variant, share)
    if best is None or best[1] < min_share:
        return None
    return best


def closest_variant(records: Sequence[Sequence[str]], variants: Sequence[Variant]) -> Variant:
    """For a forced format: the variant whose field count is nearest the first record's."""
    width = len(records[0]) if records else 0
    return min(variants, key=lambda v: abs(len(v.layout.fields) - width))


def detect_variant(
    records: Sequence[Sequence[str]],
    variants: Sequence[Variant],
    forced: bool,
    why: Callable[[Variant, float], str],
    score: int = CLAIM_STRONG,
) -> Detected | None:
    """Recognise one of a format's variants, saying why; with ``forced``, the closest one."""
    found = best_variant(records, variants)
    if found is None:
        if not forced:
            return None
        variant = closest_variant(records, variants)
        return Detected(variant.layout, score, f"assumed {variant.description}")
    variant, share = found
    return Detected(variant.layout, score, why(variant, share))
