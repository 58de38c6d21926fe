r"""Fixed-width SMDR from PBXs (Mitel, Avaya Definity/CM and others) via a user layout.

Fixed-width SMDR layouts differ per PBX model, release and site options, so
the user describes theirs in YAML and passes its path as ``--cdr-layout``::

    name: mitel-mivb-smdr        # optional, shown in the format reason
    encoding: latin-1            # optional (default: UTF-8, falling back per line)
    skip_lines: 0                # optional: lines before the first record
    record_pattern: '^\s*\d\d/\d\d '  # optional regex: only matching lines are records
    min_length: 40               # optional: shorter records are malformed
                                 #   (default: up to the start of the last field)
    fields:                      # required, at least one
      - name: date               # column name
        start: 1                 # 1-based column of the first character
        width: 5                 # or `end: 5` (1-based, inclusive)
        type: str                # str | phone | int | duration | hms | timestamp | float
        format: "%m/%d"          # strptime format, for type timestamp

Values are sliced from each line and trimmed of blanks; empty values are
null. Lines not matching ``record_pattern`` (page headers, separators) are
counted, not parsed.

Without ``--cdr-format smdr-fixed-width`` a layout claims a file only when 80%
of its first record lines fit: long enough, blank in every column between
fields, typed fields empty or parsing (with fields side by side, the records
share one width). CSV, JSON Lines, logs and binary files stay with their readers.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from connectors.base import (
    ColumnInfo,
    ConnectorOptions,
    ReadPlan,
    SourceError,
    Table,
    TableError,
)
from connectors.cdr.base import CdrSource, read_head
from connectors.cdr.decode import convert, decode_value
from connectors.cdr.layout import Field, Layout
from connectors.cdr.reader import (
    FULL_CHUNK_BYTES,
    MAX_LINE_BYTES,
    SAMPLE_CHUNK_BYTES,
    Counters,
    iter_chunks,
    rebatch,
)
from connectors.cdr.sniff import CLAIM_FORCED, CLAIM_STRONG, Detected, head_lines
from connectors.registry import Sniff, register
from scanner import validation
from scanner.fileio import reading

logger = logging.getLogger(__name__)

FORMAT = "smdr-fixed-width"


@dataclass(frozen=True)
class FixedField:
    """One field of a fixed-width layout: 0-based slice bounds plus its typing."""

    spec: Field
    begin: int
    stop: int


@dataclass(frozen=True)
class FixedLayout:
    """A user's fixed-width SMDR layout, validated."""

    name: str
    fields: tuple[FixedField, ...]
    skip_lines: int
    record_pattern: re.Pattern[str] | None
    min_length: int
    encoding: str | None
    path: str

    @property
    def gaps(self) -> frozenset[int]:
        """0-based columns between fields that no field covers (blank in a record)."""
        end = max(f.stop for f in self.fields)
        covered = {i for f in self.fields for i in range(f.begin, f.stop)}
        return frozenset(i for i in range(end) if i not in covered)

    def fits(self, line: str, gaps: frozenset[int]) -> bool:
        """Tell whether a line reads as a record of this layout.

        Long enough; every column between fields blank (a delimiter, a quote or
        a letter there means fields are not where the layout puts them); every
        typed field empty or parsing as its type.
        """
        if len(line) < self.min_length:
            return False
        if any(i < len(line) and not line[i].isspace() for i in gaps):
            return False
        for f in self.fields:
            if f.spec.kind in ("str", "phone"):
                continue
            value = line[f.begin : f.stop].strip()
            if value and convert(pa.array([value], pa.string()), f.spec).null_count:
                return False
        return True


def _bad(path: str, problem: str, line: int | None = None) -> SourceError:
    at = f" line {line}:" if line is not None else ""
    return SourceError(f"{path}:{at} invalid CDR layout ({problem})")


def load_layout(path: str) -> FixedLayout:
    """Read and validate a fixed-width layout YAML; raise SourceError saying what is wrong."""
    from connectors.cdr.layout_model import MESSAGES, FixedLayoutFile

    text = reading(SourceError)(path, what="CDR layout")
    try:
        doc = validation.load(text)
    except validation.YamlSourceError as exc:
        raise _bad(path, f"not valid YAML: {exc}", exc.line) from exc
    try:
        model = validation.validate(FixedLayoutFile, doc, messages=MESSAGES)
    except validation.Invalid as exc:
        raise _bad(path, exc.message, exc.line) from exc
    fields = tuple(FixedField(Field(f.name, f.type, f.format), f.start - 1, f.stop)
                   for f in model.fields)
    compiled = re.compile(model.record_pattern) if model.record_pattern is not None else None
    default_min = max(f.begin for f in fields) + 1
    min_length = model.min_length if model.min_length is not None else default_min
    name = model.name if model.name is not None else Path(path).stem
    return FixedLayout(name, fields, model.skip_lines, compiled, min_length, model.encoding, path)


class FixedWidthTable(Table):
    """One fixed-width SMDR file sliced with the user's layout."""

    def __init__(self, path: Path, layout: FixedLayout, reason: str, encoding: str | None) -> None:
        super().__init__(
            name=path.name,
            columns=[ColumnInfo(f.spec.name, str(f.spec.arrow_type)) for f in layout.fields],
            format=FORMAT,
            format_reason=reason,
            is_call_record=True,
        )
        self.path = path
        self.layout = layout
        self.encoding = encoding or layout.encoding

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        """Yield typed batches: every record (``plan.full``) or the first ``sample_size``."""
        self.warnings.clear()
        counters = Counters(warnings=self.warnings)
        self._unmatched = 0
        limit = plan.sample_size
        chunk_bytes = FULL_CHUNK_BYTES if limit is None else SAMPLE_CHUNK_BYTES
        yield from rebatch(self._read(counters, chunk_bytes, limit), max(1, plan.batch_size))
        if counters.malformed > counters.listed:
            self.warnings.append(
                f"{counters.malformed - counters.listed} more malformed lines not listed"
            )
        if self._unmatched:
            self.warnings.append(f"{self._unmatched} lines did not match record_pattern")

    def _read(
        self, counters: Counters, chunk_bytes: int, limit: int | None
    ) -> Iterator[pa.RecordBatch]:
        try:
            fh = self.path.open("rb")
        except OSError as exc:
            raise TableError(
                f"{self.path}: cannot read ({exc.strerror or type(exc).__name__})"
            ) from exc
        seen = 0
        with fh:
            for _ in range(self.layout.skip_lines):
                fh.readline(MAX_LINE_BYTES)
            first = self.layout.skip_lines + 1
            for line_no, chunk, complete in iter_chunks(fh, first, chunk_bytes, counters):
                batch = self._parse(line_no, chunk, complete, counters)
                if limit is not None and seen + batch.num_rows >= limit:
                    yield batch.slice(0, limit - seen)
                    return
                seen += batch.num_rows
                yield batch

    def _parse(
        self, first_line: int, chunk: bytes, complete: bool, counters: Counters
    ) -> pa.RecordBatch:
        layout = self.layout
        cols: list[list[str]] = [[] for _ in layout.fields]
        lines = chunk.split(b"\n")
        if complete:
            lines = lines[:-1]
        malformed_before = counters.malformed
        for offset, raw in enumerate(lines):
            raw = raw.rstrip(b"\r")
            if not raw.strip():
                continue
            line_no = first_line + offset
            if len(raw) > MAX_LINE_BYTES:
                counters.malformed_line(f"line {line_no}: longer than {MAX_LINE_BYTES} bytes")
                continue
            text = decode_value(raw, self.encoding)
            if layout.record_pattern is not None and not layout.record_pattern.search(text):
                self._unmatched += 1
                continue
            if len(text) < layout.min_length:
                counters.malformed_line(
                    f"line {line_no}: {len(text)} characters, expected at least {layout.min_length}"
                )
                continue
            for i, f in enumerate(layout.fields):
                cols[i].append(text[f.begin : f.stop].strip())
        if not complete and counters.malformed > malformed_before and counters.warnings:
            # No newline after a record too short for the layout: it was cut off.
            counters.warnings[-1] += " (truncated last line)"
        arrays = [
            convert(pa.array(c, type=pa.string()), f.spec)
            for c, f in zip(cols, layout.fields, strict=True)
        ]
        schema = pa.schema([pa.field(f.spec.name, f.spec.arrow_type) for f in layout.fields])
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


@register
class FixedWidthSmdr(CdrSource):
    """Fixed-width SMDR read with the YAML layout given as ``--cdr-layout``."""

    kind = FORMAT
    formats = (FORMAT,)

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        """Claim files whose lines fit the user's layout (only when a layout is given)."""
        if not options.cdr_layout or sniff.path is None or sniff.path.is_dir():
            return 0
        if options.cdr_format and options.cdr_format != FORMAT:
            return 0
        try:
            found = cls.detect(sniff.head, options, bool(options.cdr_format))
        except SourceError:
            # A broken layout is reported when the file is opened (tables()).
            return CLAIM_FORCED if options.cdr_format else CLAIM_STRONG
        if found is None:
            return 0
        return CLAIM_FORCED if options.cdr_format else found.score

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Check that most sniffed record lines are long enough for the layout."""
        assert options.cdr_layout is not None
        layout = load_layout(options.cdr_layout)
        if b"\x00" in head and not forced:
            return None  # binary (Parquet, a spreadsheet, a compressed file): not text records
        lines = head_lines(head)[layout.skip_lines :]
        if layout.record_pattern is not None:
            lines = [line for line in lines if layout.record_pattern.search(line)]
        lines = lines[:50]
        gaps = layout.gaps
        fitting = sum(1 for line in lines if layout.fits(line, gaps))
        share = fitting / len(lines) if lines else 0.0
        if not gaps and layout.record_pattern is None and lines:
            # Fields side by side and no pattern: only the width says it is a record.
            # Fixed-width records share one length; delimited lines and documents do not.
            widths = Counter(len(line.rstrip()) for line in lines)
            share = min(share, widths.most_common(1)[0][1] / len(lines))
        if share < 0.8 and not forced:
            return None
        reason = (
            f"fixed-width layout `{layout.name}` from {layout.path} "
            f"({len(layout.fields)} fields; {share:.0%} of sniffed record lines fit)"
        )
        dummy = Layout(FORMAT, tuple(f.spec for f in layout.fields))
        return Detected(dummy, CLAIM_STRONG + 5, reason)

    def tables(self) -> Iterator[Table]:
        """Yield the file as one table sliced by the user's layout."""
        path = Path(self.spec)
        assert self.options.cdr_layout is not None
        layout = load_layout(self.options.cdr_layout)
        found = self.detect(read_head(path), self.options, True)
        reason = found.reason if found else f"fixed-width layout `{layout.name}`"
        yield FixedWidthTable(path, layout, reason, self.options.encoding)
