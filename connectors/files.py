"""File sources: delimited text (CSV, TSV, …), Parquet files and datasets, web access logs.

Large files stream through pyarrow in blocks, so memory does not grow with the
file. Every value is read as text for delimited files (a ZIP code keeps its
leading zero, a card number stays whole); the detectors parse numbers where
they need them.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import gzip
import logging
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors._nested import flat_schema
from connectors.base import (
    ColumnInfo,
    ConnectorOptions,
    ReadPlan,
    Source,
    SourceError,
    Table,
    TableError,
)
from connectors.headers import names_header
from connectors.lake import LakeTable, list_local
from connectors.lines import LineCounts, iter_chunks, line_stats, newlines
from connectors.parquet import PARQUET_ERRORS, ParquetFileTable, open_parquet
from connectors.registry import CLAIM_FORCED, Sniff, register
from connectors.textdoc import read_as_lines

logger = logging.getLogger(__name__)

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".psv", ".dat", ".tab", ".log"}
_CANDIDATE_DELIMITERS = ",;\t|~"
# 24 MiB blocks: fewer, larger batches for every kernel and detector call, each of which
# holds the interpreter lock a little (argument packing, options, results). A full scan
# of a 300,000-row, 10-column CSV took 8.7 s of CPU with 16 MiB against 13.5 s with 4
# (11.3 s with 8). Once blocks were parsed in 1 MiB steps, the 3M-row file of
# benchmarks/throughput.py (~76,000 rows a block, as Parquet's 65,536-row batches)
# took 34 CPU-s and 18-19 s with 24 MiB against 35-38 and 19-21 s with 16 (CPU use
# 1.83-1.87 against 1.77-1.84), peak RSS 500-515 MiB against 410-420; 32 MiB saved no
# more CPU and used both cores less.
_BLOCK = 24 << 20
#: Access logs are cut into blocks of whole lines of this size.
_LOG_BLOCK = 1 << 22
#: Bytes pyarrow's CSV parser reads per step inside a block (see _line_blocks):
#: reading the 331 MB CSV of benchmarks/throughput.py took 1.54 CPU-s in 16 MiB
#: steps, 0.71 in 1 MiB ones (the parser's working set then stays in cache).
_PARSE_STEP = 1 << 20
#: ``line_stats`` calls a block's lines short when each of its aligned windows of this
#: many bytes holds a break: every line is then under three windows, under half a step.
_SHORT = _PARSE_STEP // 8
_MAX_WARNINGS = 1000
#: Files at least this large are sampled at SPREAD_PARTS evenly spaced places
#: (SPREAD_WINDOW bytes each) rather than from their first rows only.
SPREAD_MIN_BYTES = 32 * 1024 * 1024
SPREAD_PARTS = 8
SPREAD_WINDOW = 4 * 1024 * 1024


def _decompressed_head(sniff: Sniff, size: int = 64 * 1024) -> bytes:
    if sniff.head[:2] == b"\x1f\x8b" and sniff.path is not None:
        try:
            with gzip.open(sniff.path, "rb") as fh:
                return fh.read(size)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{sniff.spec}: damaged or truncated gzip file ({exc})") from exc
    return sniff.head


#: The longest first (header) line read: a row must fit in one of pyarrow's blocks.
MAX_HEADER_BYTES = 1 << 21
#: The most columns a delimited file may have: Excel's limit. A wider first line
#: is a blob, not a header.
MAX_COLUMNS = 16_384
#: A row longer than this is skipped, named by its line number; the rest is read.
MAX_ROW_BYTES = 8 << 20
_LINE_CHUNK = 4 << 20


def _read_head(sniff: Sniff, compressed: bool) -> tuple[bytes, bool]:
    """Return the head of a text file, long enough to hold its whole first line.

    The flag says whether the file goes on past the head (its last line may then be cut).

    64 KiB usually; more when the first non-blank line is longer (a wide
    header), up to MAX_HEADER_BYTES, past which the file cannot be read.
    """
    size = 64 * 1024
    while True:
        if compressed:
            head = _decompressed_head(sniff, size)
        elif size <= len(sniff.head):
            head = sniff.head[:size]
        else:
            try:
                with open(sniff.path or sniff.spec, "rb") as fh:
                    head = fh.read(size)
            except OSError as exc:
                raise SourceError(f"{sniff.spec}: cannot read ({exc.strerror})") from exc
        cut = len(head) >= size
        body = head.lstrip(b"\r\n\x00")
        end = body.find(b"\n")
        if end > MAX_HEADER_BYTES or (end == -1 and len(body) > MAX_HEADER_BYTES):
            raise SourceError(f"{sniff.spec}: the first line is longer than "
                              f"{MAX_HEADER_BYTES // (1024 * 1024)} MiB; not delimited text "
                              "this scanner can read")
        if not cut or end != -1:
            return head, cut
        size *= 2


def looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters: not text."""
    if not head:
        return False
    if b"\x00" in head[:8192]:
        return True
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return controls / len(sample) > 0.05


def guess_encoding(head: bytes) -> str:
    """UTF-8 when the bytes decode as UTF-8, else the best single-byte guess."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off at the end of the sniffed block is fine.
        if exc.start >= len(head) - 4:
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(head, cp_isolation=["cp1251", "cp1252", "latin_1", "koi8_r",
                                          "iso8859_15", "cp1250", "utf_16"]).best()
    if best is None:
        return "latin-1"
    if best.encoding != "cp1252" and _same_text(head, best.encoding, "cp1252"):
        # German text (ä, ö, ü, ß) reads alike in the Central and the Western European
        # code pages: name the Western one, which Windows exports in Western Europe use.
        return "cp1252"
    return best.encoding


def _same_text(head: bytes, one: str, other: str) -> bool:
    try:
        return head.decode(one) == head.decode(other)
    except (UnicodeDecodeError, LookupError):
        return False


def _open_text_stream(path: Path, compressed: bool) -> pa.NativeFile:
    return pa.input_stream(str(path), compression="gzip" if compressed else None)


@register
class DelimitedTextSource(Source):
    """CSV, TSV and other delimited text, plain or gzipped; a one-column text file otherwise."""

    kind = "csv"

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        if sniff.path is None or sniff.path.is_dir():
            return 0
        suffixes = sniff.suffixes
        if suffixes and suffixes[-1] == ".gz":
            suffixes = suffixes[:-1]
        if suffixes and suffixes[-1] in _TEXT_SUFFIXES:
            return 10
        return 2  # any other file: try it as text, and say so if it is not

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        try:
            with path.open("rb") as fh:
                raw_head = fh.read(64 * 1024)
        except OSError as exc:
            raise SourceError(f"{self.spec}: cannot read ({exc.strerror})") from exc
        compressed = raw_head[:2] == b"\x1f\x8b"
        head, cut = _read_head(Sniff(self.spec, path, raw_head), compressed)
        if not head.strip():
            raise SourceError(f"{self.spec}: empty file")
        encoding = self.options.encoding or _bom_encoding(head)
        try:
            codec = codecs.lookup(encoding).name if encoding else ""
        except LookupError as exc:
            raise SourceError(f"{self.spec}: unknown encoding {encoding!r}") from exc
        # UTF-16 text (Excel's "Unicode text") is full of NUL bytes but is not binary.
        if not codec.startswith(("utf-16", "utf-32")) and looks_binary(head):
            raise SourceError(f"{self.spec}: binary data, not delimited text")
        if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"  # --encoding utf-8 on a file with a BOM
        encoding = encoding or guess_encoding(head)
        try:
            text = head.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            text = head.decode(encoding, errors="replace")
        lines = text.splitlines()
        if cut and len(lines) > 1:
            lines = lines[:-1]  # the last sniffed line may be cut
        # Blank lines before the header: pyarrow's skip_rows counts them too.
        leading = 0
        while leading < len(lines) and not lines[leading].strip():
            leading += 1
        lines = lines[leading:]
        if not lines:
            raise SourceError(f"{self.spec}: empty file")
        if (self.options.header is None and not self.options.delimiter
                and _quoted_record_lines(lines) == 1):
            # A title or format line above the header (`"EXTF";700;…`, `"LAST UPDATE";
            # "18/05/2017"`): the table starts where the rows take their width.
            preamble = _preamble_lines(lines)
            leading += preamble
            lines = lines[preamble:]
        # A quoted header cell may hold a newline ("e-mail<newline>address"): the
        # header is then one record over several lines, and is read as one.
        header_lines = _quoted_record_lines(lines)
        if header_lines > 1:
            lines = ["\n".join(lines[:header_lines]), *lines[header_lines:]]
        delimiter = self.options.delimiter or _sniff_delimiter(lines)
        # A log line's "10:22:33,123" or a sentence's commas are no columns.
        document = not self.options.delimiter and read_as_lines(path, lines, delimiter)
        if document:
            delimiter = None
        header = self.options.header
        why = ""  # told by --header/--no-header
        if header is None and document:
            header, why = False, "a text document: one line per row"
        elif header is None:
            header, why = _sniff_header(lines, delimiter)
        if delimiter is None:
            columns = ["line"] if not header else [lines[0].strip() or "line"]
        else:
            first = next(csv.reader([lines[0]], delimiter=delimiter)) if lines else []
            if len(first) > MAX_COLUMNS:
                # Columns are judged one by one: a 2 MiB line of 100,000 "columns"
                # would take hours. No export is that wide.
                raise SourceError(f"{self.spec}: line {leading + 1} has {len(first):,} fields, "
                                  f"more than {MAX_COLUMNS:,}; not delimited text this "
                                  "scanner can read")
            columns = [" ".join(c.split()) for c in first] if header else \
                [f"column_{i + 1}" for i in range(len(first))]
            columns = _unique(columns)
        ends = None
        if delimiter is not None:
            ends = _terminators(lines[1:] if header else lines, delimiter, bool(header))
        if ends is not None and header and ends.field:
            last = len(columns) - (2 if ends.trailing else 1)
            columns = _unique([c.removesuffix(ends.row if i == last else ends.field)
                               for i, c in enumerate(columns)])
        yield DelimitedTable(
            name=path.name, columns=[ColumnInfo(c, "text") for c in columns], path=path,
            compressed=compressed, encoding=encoding, delimiter=delimiter, header=bool(header),
            spec=self.spec, header_why=why,
            # pyarrow skips physical lines, whatever their quotes.
            skip_rows=leading + (header_lines if header else 0), terminators=ends,
        )


@dataclass(frozen=True)
class Terminators:
    r"""Multi-character terminators around a one-character delimiter (SQL Server bcp's `-t`/`-r`).

    ``bcp -t "+|" -r "&|\n"`` writes ``1042+|212-555-0187+|2+|2021-03-09&|``: every
    field ends with ``field`` before the delimiter, the last one with ``row``, and
    the delimiter that closes each line leaves an empty column behind.
    """

    #: The character every field but the last carries before the delimiter.
    field: str
    #: The character the last field carries ('' when it carries none).
    row: str
    #: Whether each line ends with the delimiter (an empty last column to leave out).
    trailing: bool


#: Characters a terminator is made of: punctuation, never part of ordinary values' ends.
_TERMINATOR_CHARS = frozenset("+&~^#$!*%@;:`")


def _terminators(lines: list[str], delimiter: str, header: bool) -> Terminators | None:
    """Find a field terminator of two characters: the same extra character before every delimiter.

    Every field of every sampled row must end with it (an empty field is the
    terminator alone); one value that does not is enough to say no. A
    header-less file whose every line ends with the delimiter (Informix
    ``UNLOAD``, bcp's row terminator) has no last column: it is left out.
    """
    rows = [ln.rstrip("\r").split(delimiter) for ln in lines[:200] if ln.strip()]
    if len(rows) < 2 or len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
        return None
    trailing = all(r[-1] == "" for r in rows)
    cells = [r[:-1] for r in rows] if trailing else rows
    only_trailing = Terminators("", "", True) if trailing and not header else None
    if len(cells[0]) < 2:
        return only_trailing
    mark = cells[0][0][-1:]
    if mark not in _TERMINATOR_CHARS or mark == delimiter or not all(
            c.endswith(mark) for r in cells for c in r[:-1]):
        return only_trailing
    ends = {r[-1][-1:] for r in cells}
    row = next(iter(ends)) if len(ends) == 1 else ""
    return Terminators(mark, row if row in _TERMINATOR_CHARS else "", trailing)


def _widths(lines: list[str], delimiter: str) -> list[int]:
    try:
        return [len(r) for r in csv.reader(lines, delimiter=delimiter)]
    except csv.Error:
        return []


def _preamble_lines(lines: list[str], most: int = 3) -> int:
    """Count the lines above a table that are not part of it (a title, a format line).

    The rows below share one width; a preamble line has another, and the line
    after it (the header) has the rows' width. Nothing is skipped unless at
    least five rows agree, or every row of a shorter file does.
    """
    for k in range(1, most + 1):
        body = [ln for ln in lines[k:k + 60] if ln.strip()]
        if len(body) < 2:
            return 0
        delimiter = _sniff_delimiter(body)
        if delimiter is None:
            continue
        widths = _widths(body, delimiter)
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        agree = widths.count(mode)
        if mode < 3 or widths[0] != mode or (
                agree < 0.8 * len(widths) if len(widths) >= 6 else agree < len(widths)):
            continue
        head = _widths(lines[:k], delimiter)
        if head and all(w != mode for w in head):
            return k
    return 0


def _quoted_record_lines(lines: list[str], most: int = 20) -> int:
    """Return how many lines the first record spans (quotes left open run on)."""
    quotes = 0
    for i, line in enumerate(lines[:most]):
        quotes += line.count('"')
        if quotes % 2 == 0:
            return i + 1
    return 1  # never closed: not a quoted header, the reader reports the damage


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n or f"column_{i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 0
        out.append(n)
    return out


def _sniff_delimiter(lines: list[str]) -> str | None:
    sample = [ln for ln in lines[:200] if ln.strip()]
    if not sample:
        return None
    try:
        dialect = csv.Sniffer().sniff("\n".join(sample[:50]), delimiters=_CANDIDATE_DELIMITERS)
        if dialect.delimiter in _CANDIDATE_DELIMITERS:
            return dialect.delimiter
    except csv.Error:
        pass
    # Fall back to the candidate that appears the same number of times on most lines.
    best, best_score = None, 0.0
    for d in _CANDIDATE_DELIMITERS:
        counts = [ln.count(d) for ln in sample]
        if not counts or max(counts) == 0:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) if mode else 0
        if score > best_score:
            best, best_score = d, score
    return best if best_score >= 0.8 else None


class _KnownDelimiterSniffer(csv.Sniffer):
    """``csv.Sniffer.has_header`` re-sniffs the delimiter and may pick another one."""

    def __init__(self, delimiter: str) -> None:
        super().__init__()
        self._dialect = type("_Dialect", (csv.excel,), {"delimiter": delimiter})

    def sniff(self, sample: str, delimiters: str | None = None) -> type[csv.Dialect]:
        return self._dialect


def _data_chars(value: str) -> bool:
    return "@" in value or any(ch.isdigit() for ch in value)


def _looks_like_value(cell: str) -> bool:
    return "@" in cell or re.search(r"\d[\d\s().-]{5,}\d", cell) is not None


def _shape(value: str) -> str:
    """Character classes with runs collapsed: `Alice Smith` → `Aa Aa`, `ada@x.io` → `a@a.a`."""
    out: list[str] = []
    for ch in value.strip():
        c = "A" if ch.isupper() else "a" if ch.isalpha() else "9" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _shaped_like_rows(first: list[str], rest: list[list[str]]) -> bool:
    """Most telling columns' first cell has the shape most of the column's values have.

    A single capitalised word says nothing (`City` over `Austin`); two words, digits
    or punctuation do (`Alice Smith` over `Bob Jones`).
    """
    same = votes = 0
    for i, cell in enumerate(first):
        shapes = [_shape(r[i]) for r in rest if len(r) > i and r[i].strip()]
        if not shapes or not cell.strip():
            continue
        common = max(set(shapes), key=shapes.count)
        if len(common) < 3 or shapes.count(common) * 2 < len(shapes):
            continue
        votes += 1
        same += _shape(cell) == common
    return votes >= 1 and same * 2 > votes


def _name_like(value: str, words: int) -> bool:
    value = value.strip()
    return 0 < len(value) <= 64 and not _data_chars(value) and len(value.split()) <= words


def _line_groups(raw: pa.NativeFile, counts: LineCounts, size: int, first_lines: int = 0,
                 encoding: str = "") -> Iterator[tuple[int, bytes, bool]]:
    r"""Cut a binary stream into blocks of whole lines, where pyarrow's reader cuts its own.

    Block k ends at the last line break (\n or \r) before byte (k+1) * ``size``
    of the UTF-8 text (the rest goes on to the next block), so batches hold the
    rows they always held. Yields the 1-based number of each block's first line,
    its bytes, in UTF-8 (text in another ``encoding`` is transcoded), and whether
    its lines are all short (see ``line_stats``); the
    first block holds at least ``first_lines`` lines (when the file has them).
    Every line longer than ``counts.max_line`` bytes is left out and stands as
    an empty line (pyarrow skips those); ``counts`` names it.
    """
    parts: list[bytes] = []
    held = 0  # bytes in parts
    pos = 0  # where parts start in the stream
    bound = size
    start = next_line = 1
    yielded = False
    for first, chunk, _complete in iter_chunks(raw, 1, min(_LINE_CHUNK, size),  # type: ignore[arg-type]
                                               counts):
        if first > next_line:
            parts.append(b"\n" * (first - next_line))
            held += first - next_line
        next_line = first + newlines(chunk)
        if encoding:
            # Whole lines of a byte-oriented encoding: no character is cut.
            chunk = chunk.decode(encoding).encode("utf-8")
        parts.append(chunk)
        held += len(chunk)
        while pos + held >= bound:
            data = b"".join(parts) if len(parts) > 1 else parts[0]
            parts = [data]
            cut = max(data.rfind(b"\n", 0, bound - pos), data.rfind(b"\r", 0, bound - pos)) + 1
            bound += size
            lines, short = line_stats(data, cut, _SHORT)
            if cut == 0 or (not yielded and lines < first_lines):
                continue  # a row longer than a block, or the header's lines: read on
            yield start, data[:cut], short
            start += lines
            yielded = True
            parts = [data[cut:]]
            held -= cut
            pos += cut
    if held or not yielded:
        data = b"".join(parts)
        yield start, data, line_stats(data, window=_SHORT)[1]


def _fill(raw: pa.NativeFile, into: memoryview) -> int:
    """Read into ``into`` until it is full or the stream ends; return the bytes read."""
    got = 0
    while got < len(into):
        n = raw.readinto(into[got:])
        if not n:
            break
        got += n
    return got


def _utf8_line_groups(raw: pa.NativeFile, counts: LineCounts, size: int, first_lines: int = 0,
                      total: int | None = None) -> Iterator[tuple[int, memoryview, bool]]:
    r"""``_line_groups`` for UTF-8 text: the same blocks, read straight into place.

    Each block is read into its own buffer behind the part of a line the last
    one left over, and handed on as a view: one copy of each byte where cutting
    up and joining smaller reads made five (and as many passes counting lines),
    all of them on the reading thread with the interpreter lock held. Past a
    line too long to read the blocks may be cut elsewhere; the lines and their
    numbers are the same. ``total``, the stream's length where it is known, keeps
    the buffer of a small file small.
    """
    max_line = counts.max_line
    left = total  # bytes not yet read, where the length is known
    carry = b""  # what follows the last block's final line break
    start = 1  # the number of carry's first line
    skipping, skip_from = False, 0  # inside a line too long to read, from carry[skip_from]
    yielded = False
    while True:
        # One byte more than is left: a short read still tells the end of the file.
        want = size if left is None else max(1, min(size, left + 1))
        # Not cleared first (a bytearray would be, 16 MiB with the interpreter lock
        # held): the read fills it, its pages touched on the reading side of pyarrow.
        block = np.empty(len(carry) + want, dtype=np.uint8)
        block[:len(carry)] = np.frombuffer(carry, dtype=np.uint8)
        got = _fill(raw, memoryview(block)[len(carry):])
        if left is not None:
            # A file longer than it was (a log still written to) is read on unhinted.
            left = None if got == want == left + 1 else left - got
        end = len(carry) + got
        if skipping:
            at = _first_newline(block, skip_from, end)
            if at < 0:
                carry = block[:skip_from].tobytes()  # the line goes on
                if got:
                    continue
                end = skip_from  # the end of the file came first
            else:
                # The line stands as an empty one.
                block = np.concatenate((block[:skip_from], block[at:end]))
                end -= at - skip_from
            skipping = False
        cut = _after_last_break(block, end)
        if end - cut > max_line:
            # No line break in max_line bytes: that line is dropped, named by its number.
            counts.long_line(start + newlines(block, cut))
            carry, skip_from, skipping = block[:cut].tobytes(), cut, True
            if got:
                continue
            end = cut
        view = memoryview(block)[:end]
        if got < want:  # the end of the file: what is left is the last block
            if end or not yielded:
                yield start, view, line_stats(block, end, _SHORT)[1]
            return
        lines, short = line_stats(block, cut, _SHORT) if cut else (0, False)
        if cut == 0 or (not yielded and lines < first_lines):
            carry = bytes(view)  # a row longer than a block, or the header's lines: read on
            continue
        yield start, view[:cut], short
        yielded = True
        start += lines
        carry = bytes(view[cut:])


#: Bytes searched at a time for a line break (a line is found in the first, nearly always).
_SEARCH_STEP = 1 << 16


def _after_last_break(block: np.ndarray, end: int) -> int:
    r"""Return the position after the last ``\n`` or ``\r`` of ``block[:end]`` (0: none)."""
    high = end
    while high > 0:
        low = max(0, high - _SEARCH_STEP)
        part = block[low:high]
        hits = np.flatnonzero((part == 10) | (part == 13))
        if len(hits):
            return low + int(hits[-1]) + 1
        high = low
    return 0


def _first_newline(block: np.ndarray, begin: int, end: int) -> int:
    r"""Return the position of the first ``\n`` of ``block[begin:end]`` (-1: none)."""
    for low in range(begin, end, _SEARCH_STEP):
        hits = np.flatnonzero(block[low:min(end, low + _SEARCH_STEP)] == 10)
        if len(hits):
            return low + int(hits[0])
    return -1


def _blank_lines(data: bytes, after: int) -> list[int]:
    """Where the empty lines of ``data`` past its first ``after`` lines fall among its rows.

    pyarrow numbers rows leaving empty lines out: the i-th number returned (from 0)
    is one more than the rows before the i-th empty line, so that
    ``bisect_right(result, n)`` empty lines come before the n-th row.
    """
    if not (data[:1] in (b"\n", b"\r") or b"\n\n" in data or b"\n\r\n" in data):
        return []
    lines = data.split(b"\n")
    blank = [i + 1 for i, line in enumerate(lines[:-1]) if i >= after and line in (b"", b"\r")]
    return [line - i for i, line in enumerate(blank)]


def _sniff_header(lines: list[str], delimiter: str | None) -> tuple[bool, str]:
    """Decide whether the first line is a header; return the decision and why (no values)."""
    if delimiter is None:
        # One value per line: a list of emails or numbers under a one-word title.
        rows = [[ln] for ln in lines[:50] if ln.strip()]
        if len(rows) < 2 or not _name_like(rows[0][0], 3):
            return False, "no column name in the first line"
        why = names_header(rows[0], rows[1:])
        if why:
            return True, why
    else:
        rows = [r for r in csv.reader(lines[:50], delimiter=delimiter) if r]
        if len(rows) == 1:
            # A header with no rows yet (an empty export): its names are still evidence.
            named = all(_name_like(c, 8) for c in rows[0])
            return named, "a single row of names" if named else "a single row of values"
        if len(rows) < 2:
            return False, "no rows"
        # Whatever the sniffer says, a first row holding an email address or a long
        # run of digits is data: taking it for a header would show its values as
        # column names.
        if any(_looks_like_value(c) for c in rows[0]):
            return False, "the first row holds values (an address or a long number)"
        # Words that name columns (first_name, City, col_a) over values that do not
        # repeat them: a header, even when every column is text.
        why = names_header(rows[0], rows[1:])
        if why:
            return True, why
        # A first row shaped like the rows below it (`Alice Smith,Boston` over
        # `Bob Jones,Austin`) is data too.
        if _shaped_like_rows(rows[0], rows[1:21]):
            return False, "the first row is shaped like the rows below it"
        try:
            if _KnownDelimiterSniffer(delimiter).has_header("\n".join(lines[:50])):
                return True, "the first row's types differ from the rows below"
        except csv.Error:
            pass
    # has_header only votes on numbers and fixed lengths, so all-text columns
    # (name,email) get no vote. A first row free of digits and '@' over a
    # column whose values mostly have them is a header too.
    first, rest = rows[0], rows[1:]
    if not all(_name_like(c, 8) for c in first):
        return False, "the first row does not read as column names"
    for i in range(len(first)):
        values = [r[i] for r in rest if len(r) > i and r[i].strip()]
        if values and sum(map(_data_chars, values)) >= 0.8 * len(values):
            return True, "names over values with digits or '@'"
    return False, "no sign of column names"


class DelimitedTable(Table):
    """One delimited file, read in blocks of whole lines, each parsed by pyarrow on its own."""

    def __init__(self, *, name: str, columns: list[ColumnInfo], path: Path, compressed: bool,
                 encoding: str, delimiter: str | None, header: bool, spec: str,
                 skip_rows: int | None = None, header_why: str = "",
                 terminators: Terminators | None = None) -> None:
        #: Every field of a line, the empty one after a closing delimiter included.
        self._read_names = [c.name for c in columns]
        if terminators is not None and terminators.trailing:
            columns = columns[:-1]
        super().__init__(name=name, columns=columns, format="delimited-text",
                         format_reason=_reason(delimiter, header, encoding, header_why,
                                               terminators))
        self.terminators = terminators
        self.path = path
        self.compressed = compressed
        self.encoding = encoding
        self.delimiter = delimiter
        self.header = header
        self.spec = spec
        self.skip_rows = int(header) if skip_rows is None else skip_rows

    def _on_invalid(self, row: pacsv.InvalidRow) -> str:
        if len(self.warnings) < _MAX_WARNINGS:
            where = f"line {row.number}" if row.number is not None else "a row"
            # An unclosed quote swallows the following lines into one field:
            # say how many (a count, never the text).
            swallowed = row.text.count("\n") if row.text else 0
            more = f" (an unclosed quote runs over {swallowed} more lines)" if swallowed else ""
            self.warnings.append(f"{where}: {row.actual_columns} fields, expected "
                                 f"{row.expected_columns}{more}")
        return "skip"

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        if self.terminators is None:
            yield from self._batches(plan)
            return
        for batch in self._batches(plan):
            yield self._unterminated(batch)

    def _unterminated(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Strip the terminators' extra characters; leave out the empty closing column."""
        ends = self.terminators
        assert ends is not None
        names = [c.name for c in self.columns]
        arrays = []
        for i, name in enumerate(names):
            col = batch.column(name)
            mark = ends.field if i < len(names) - 1 else ends.row
            if mark:
                col = pc.if_else(pc.ends_with(col, mark), pc.utf8_slice_codeunits(col, 0, -1),
                                 col)
            arrays.append(col)
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def _batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        names = self._read_names
        utf8 = codecs.lookup(self.encoding).name in ("utf-8", "utf-8-sig")
        read = pacsv.ReadOptions(
            column_names=names, skip_rows=self.skip_rows, block_size=_BLOCK,
            # Serial reading is what gives the invalid-row handler line numbers.
            use_threads=False, encoding="utf8" if utf8 else self.encoding,
        )
        parse = pacsv.ParseOptions(
            delimiter=self.delimiter or "\x1f", quote_char='"' if self.delimiter else False,
            newlines_in_values=False, invalid_row_handler=self._on_invalid,
        )
        convert = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        try:
            if plan.sample_size is not None and self._can_spread():
                yield from self._spread_sample(plan.sample_size, read, parse, convert)
                return
            yield from self._stream(read, parse, convert)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError, EOFError) as exc:
            raise TableError(f"{self.spec}: {_describe(exc)}") from exc

    def _stream(self, read: pacsv.ReadOptions, parse: pacsv.ParseOptions,
                convert: pacsv.ConvertOptions) -> Iterator[pa.RecordBatch]:
        stream = _open_text_stream(self.path, self.compressed)
        if self.encoding == "utf-8-sig":
            stream.read(3)
        if codecs.lookup(self.encoding).name.startswith(("utf-16", "utf-32")):
            # A newline byte may be half of a character: pyarrow cuts the text itself.
            yield from pacsv.open_csv(stream, read_options=read, parse_options=parse,
                                      convert_options=convert)
            return
        with stream:
            yield from self._line_blocks(stream, read, parse, convert)

    def _line_blocks(self, stream: pa.NativeFile, read: pacsv.ReadOptions,
                     parse: pacsv.ParseOptions,
                     convert: pacsv.ConvertOptions) -> Iterator[pa.RecordBatch]:
        """Parse the file in blocks of whole lines, each on its own.

        With newlines_in_values off a line break ends a row, as it does for
        pyarrow's own blocks. pyarrow's streaming reader (open_csv) holds
        memory that grows with the file: reading the 10-column table of
        benchmarks/throughput.py peaked at 394 MiB at 1M rows and 685 at 4M;
        a block parsed alone is freed with its batch (284 and 294 MiB; a
        --full scan 763 -> 493 MiB at 1M rows, 517 at 10M). A row past
        MAX_ROW_BYTES (a 100 MB line) is dropped and named: pyarrow would
        otherwise fail the file on a row wider than a block.
        """
        counts = LineCounts(warnings=self.warnings, max_line=MAX_ROW_BYTES)
        on_invalid = parse.invalid_row_handler
        skip = read.skip_rows
        start, data, blanks, first = 1, b"", None, True

        def renumber(row: pacsv.InvalidRow) -> str:
            # pyarrow numbers the rows of the block it was given, empty lines left out:
            # count them back in and add the lines before the block.
            nonlocal blanks
            assert on_invalid is not None
            if row.number is None:
                return on_invalid(row)
            if blanks is None:
                blanks = _blank_lines(bytes(data), skip if first else 0)
            number = start - 1 + row.number + bisect.bisect_right(blanks, row.number)
            return on_invalid(row._replace(number=number))

        block_parse = pacsv.ParseOptions(
            delimiter=parse.delimiter, quote_char=parse.quote_char,
            double_quote=parse.double_quote, escape_char=parse.escape_char,
            newlines_in_values=parse.newlines_in_values,
            ignore_empty_lines=parse.ignore_empty_lines,
            invalid_row_handler=renumber if on_invalid is not None else None)
        # Text in another byte-oriented encoding is transcoded line by line, as
        # pyarrow would: blocks are cut in the UTF-8 text, where it cut them.
        name = codecs.lookup(self.encoding).name
        encoding = "" if name in ("utf-8", "utf-8-sig") else self.encoding
        groups = (_line_groups(stream, counts, _BLOCK, first_lines=skip, encoding=encoding)
                  if encoding else _utf8_line_groups(stream, counts, _BLOCK, first_lines=skip,
                                                     total=self._plain_size()))
        for start, data, short in groups:  # noqa: B007 (read by renumber)
            blanks = None
            if data or first:  # an empty first block is an error, as it always was
                # Parsed in cache-sized steps (a 16 MiB block parsed at once takes twice
                # the CPU), unless a row may be too long for them: pyarrow refuses a
                # row across more than two steps.
                step = _PARSE_STEP if short else len(data) + 1
                block_read = pacsv.ReadOptions(
                    column_names=read.column_names, skip_rows=skip if first else 0,
                    use_threads=False, encoding="utf8", block_size=step)
                table = pacsv.read_csv(pa.BufferReader(data), read_options=block_read,
                                       parse_options=block_parse, convert_options=convert)
                # One batch per block, as before: the steps' chunks joined.
                yield from table.combine_chunks().to_batches()
                del table
            first = False

    def _plain_size(self) -> int | None:
        """Return the bytes left to read of an uncompressed file (None: not known)."""
        if self.compressed:
            return None
        try:
            st = self.path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):  # a pipe or a device: its length is not known
            return None
        return max(0, st.st_size - (3 if self.encoding == "utf-8-sig" else 0))

    def _can_spread(self) -> bool:
        # Byte offsets land on line starts only in plain files of a byte-oriented encoding.
        if self.compressed or codecs.lookup(self.encoding).name.startswith(("utf-16", "utf-32")):
            return False
        return self.path.stat().st_size >= SPREAD_MIN_BYTES

    def _spread_sample(self, n: int, read: pacsv.ReadOptions, parse: pacsv.ParseOptions,
                       convert: pacsv.ConvertOptions) -> Iterator[pa.RecordBatch]:
        """Sample a large file at evenly spaced places, not only its first rows.

        The head is read as usual (header, line numbers for bad rows); each later
        part starts at a byte offset, drops the partial line there and parses a
        bounded window. Rows of the wrong shape in those windows are counted.
        """
        per = -(-n // SPREAD_PARTS)
        got = 0
        for batch in self._stream(read, parse, convert):
            batch = batch.slice(0, per - got)
            got += batch.num_rows
            yield batch
            if got >= per:
                break
        size = self.path.stat().st_size
        bad = 0

        def skip(_row: pacsv.InvalidRow) -> str:
            nonlocal bad
            bad += 1
            return "skip"

        window_parse = pacsv.ParseOptions(
            delimiter=parse.delimiter, quote_char=parse.quote_char, newlines_in_values=False,
            invalid_row_handler=skip)
        window_read = pacsv.ReadOptions(column_names=read.column_names, skip_rows=0,
                                        encoding=read.encoding, use_threads=False,
                                        block_size=SPREAD_WINDOW + 1)
        with self.path.open("rb") as fh:
            for part in range(1, SPREAD_PARTS):
                fh.seek(size * part // SPREAD_PARTS)
                data = fh.read(SPREAD_WINDOW)
                start, end = data.find(b"\n") + 1, data.rfind(b"\n") + 1
                if start <= 0 or end <= start:
                    continue
                table = pacsv.read_csv(pa.BufferReader(data[start:end]), read_options=window_read,
                                       parse_options=window_parse, convert_options=convert)
                yield from table.slice(0, per).to_batches()
        if bad:
            self.warnings.append(f"{bad} rows with the wrong number of fields in the sampled "
                                 "parts of the file (line numbers are known only with --full)")


def _reason(delimiter: str | None, header: bool, encoding: str, why: str = "",
            ends: Terminators | None = None) -> str:
    shown = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}.get(delimiter or "",
                                                                         repr(delimiter))
    said = f"{'with' if header else 'no'} header" + (f" ({why})" if why else "")
    if ends is not None and ends.field and delimiter:
        # bcp's terminators: `+|` between fields, `&|` at the end of a row.
        ending = f"{ends.field}{delimiter} ending fields" + (
            f", {ends.row}{delimiter} ending rows" if ends.row else "")
        return f"{shown}-delimited ({ending}), {said}, {encoding}"
    if delimiter is None:
        return f"one value per line, {said}, {encoding}" if header else \
            f"one value per line, {encoding}"
    return f"{shown}-delimited, {said}, {encoding}"


def _describe(exc: Exception) -> str:
    """Arrow's messages can quote the offending row: keep only the kind of problem."""
    msg = str(exc)
    if "UTF8" in msg or "utf8" in msg or "UTF-8" in msg:
        return "bytes that are not valid UTF-8 (try --encoding)"
    if any(w in msg.lower() for w in ("gzip", "compress", "zlib")) or isinstance(exc, EOFError):
        return "damaged or truncated compressed data"
    if "Expected" in msg and "columns" in msg:
        return "rows with the wrong number of fields"
    if isinstance(exc, OSError):
        return f"read error ({type(exc).__name__})"
    return "could not be parsed as delimited text"


# --- Parquet -------------------------------------------------------------------

_PARQUET_SUFFIXES = ((".parquet",), (".parq",), (".pq",))


@register
class ParquetSource(Source):
    """Parquet files, and (hive-partitioned) directories of Parquet files as one table."""

    kind = "parquet"

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        if sniff.path is None:
            return 0
        if sniff.path.is_dir():
            return 40
        if sniff.head[:4] == b"PAR1" or sniff.suffixes[-1:] in _PARQUET_SUFFIXES:
            return 40
        return 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        if path.is_dir():
            # A dataset folder: one table, sampled from a spread of its files.
            import pyarrow.fs as pafs  # deferred: only a dataset folder needs it

            files, skipped = list_local(str(path))
            yield LakeTable(name=path.name, fs=pafs.LocalFileSystem(), root=str(path),
                            files=files, spec=self.spec, skipped=skipped)
            return
        try:
            pf = open_parquet(str(path))
        except PARQUET_ERRORS as exc:
            raise SourceError(f"{self.spec}: not a readable Parquet file or dataset") from exc
        # Structs become dotted columns and lists text, as in JSON Lines.
        columns = [ColumnInfo(f.name, str(f.type)) for f in flat_schema(pf.schema_arrow)]
        yield ParquetFileTable(name=path.name, columns=columns, rows_total=pf.metadata.num_rows,
                               path=str(path), spec=self.spec, format="parquet",
                               format_reason="Parquet file")


# --- Web server access logs --------------------------------------------------------

#: One host group before ident: an address or name (``vhost:port`` too), a comma-separated
#: X-Forwarded-For chain (``10.0.0.2, 10.0.0.1, 203.0.113.9``) or a quoted chain.
_LOG_HOST = r'(?:"[^"]*"|[\w.:%\[\]-]+(?:, ?[\w.:%\[\]-]+)*)'
#: nginx and Apache formats put the forwarded-for chain or the virtual host before the
#: client address (``$http_x_forwarded_for $remote_addr``, ``%v:%p %h``): up to three
#: host groups make the remote host; a syslog prefix (date, host, program) has more.
_LOG_REMOTE = rf'(?P<remote_host>{_LOG_HOST}(?: {_LOG_HOST}){{0,2}})'
_LOG_LINE = (
    rf'^{_LOG_REMOTE} (?P<ident>\S+) (?P<auth_user>\S+) \[(?P<time>[^\]]+)\] '
    r'"(?P<request>[^"]*)" (?P<status>\d{3}|-) (?P<bytes>\d+|-)'
    r'(?: "(?P<referer>[^"]*)" "(?P<user_agent>[^"]*)")?.*$'
)
_LOG_FIELDS = ["remote_host", "ident", "auth_user", "time", "request", "status", "bytes",
               "referer", "user_agent"]
_LOG_PROBE = (
    rf'^{_LOG_REMOTE} \S+ \S+ \[\d{{2}}/\w{{3}}/\d{{4}}:\d{{2}}:\d{{2}}:\d{{2}} [+-]\d{{4}}\] "'
)


@register
class AccessLogSource(Source):
    """Web server access logs in Common or Combined Log Format (Apache, nginx)."""

    kind = "access-log"
    formats = ("access-log",)

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        if options.cdr_format and sniff.path is not None:  # --cdr-format names one format
            return CLAIM_FORCED if options.cdr_format in cls.formats else 0
        if sniff.path is None or not sniff.head:
            return 0
        try:
            head = _decompressed_head(sniff)  # rotated logs are usually gzipped
        except SourceError:
            return 0  # the text reader reports the damage
        if looks_binary(head):
            return 0
        lines = head.decode("utf-8", errors="replace").splitlines()[:20]
        lines = [ln for ln in lines if ln.strip()]
        if not lines:
            return 0
        hits = pc.sum(pc.cast(pc.match_substring_regex(pa.array(lines), _LOG_PROBE),
                              pa.int64())).as_py()
        return 60 if hits and hits >= max(1, int(0.8 * len(lines))) else 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        try:
            with path.open("rb") as fh:
                compressed = fh.read(2) == b"\x1f\x8b"
        except OSError as exc:
            raise SourceError(f"{self.spec}: cannot read ({exc.strerror})") from exc
        yield AccessLogTable(name=path.name, columns=[ColumnInfo(f, "text") for f in _LOG_FIELDS],
                             path=path, spec=self.spec, compressed=compressed, format="access-log",
                             format_reason=("--cdr-format access-log; " if self.options.cdr_format
                                            else "") + "lines match the Common/Combined Log Format")


class AccessLogTable(Table):
    """Parse log lines with one vectorized regex per block; unparsed lines are counted."""

    def __init__(self, *, path: Path, spec: str, compressed: bool = False, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.path = path
        self.spec = spec
        self.compressed = compressed

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Split blocks into lines as bytes: one bad byte or control character costs one line.

        A line that is not UTF-8, not a log line or longer than
        ``MAX_LINE_BYTES`` is skipped and named by its number; the rest is read.
        """
        self.warnings.clear()
        counts = LineCounts(warnings=self.warnings)
        try:
            with _open_text_stream(self.path, self.compressed) as stream:
                for first, chunk, complete in iter_chunks(stream, 1, _LOG_BLOCK, counts):
                    raw = pc.split_pattern(pa.array([chunk[:-1] if complete else chunk],
                                                    pa.binary()), pattern=b"\n").flatten()
                    lines = pc.utf8_rtrim(_utf8_lines(raw, first, counts), characters="\r")
                    parsed = pc.extract_regex(lines, _LOG_LINE)
                    ok = pc.is_valid(parsed)
                    # Blank lines are no records; lines already named (not UTF-8) once.
                    odd = pc.and_(pc.invert(ok), pc.greater(pc.utf8_length(lines), 0))
                    for i in pc.indices_nonzero(pc.fill_null(odd, False)).to_pylist():
                        counts.malformed_line(f"line {first + i}: not a log line")
                    good = parsed.filter(ok)
                    yield pa.RecordBatch.from_arrays(
                        [pc.struct_field(good, [i]) for i in range(len(_LOG_FIELDS))],
                        names=_LOG_FIELDS)
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            raise TableError(f"{self.spec}: {_describe(exc)}") from exc
        counts.note_unlisted()


def _utf8_lines(raw: pa.Array, first: int, counts: LineCounts) -> pa.Array:
    """Return the lines as text; a line that is not UTF-8 is null and named in ``counts``."""
    try:
        return raw.cast(pa.string())
    except pa.ArrowInvalid:
        pass
    out: list[str | None] = []
    for i, line in enumerate(raw.to_pylist()):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            counts.malformed_line(f"line {first + i}: bytes that are not UTF-8, skipped")
            out.append(None)
    return pa.array(out, pa.string())

