"""JSON Lines exports (one JSON object per line, ``.jsonl``/``.ndjson``, plain or gzipped).

pyarrow reads the objects in blocks; nested objects become dotted columns
(``customer.email``) and lists become one text value per row, so every leaf
is scanned under a name that says where it came from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pajson

from connectors._nested import flatten
from connectors.base import (
    SUPPLEMENT_KEY,
    ColumnInfo,
    ConnectorOptions,
    ReadPlan,
    Source,
    SourceError,
    Table,
    TableError,
)
from connectors.registry import Sniff, register

_BLOCK = 1 << 22
#: A JSON object on one line longer than this is skipped, with a warning naming it.
MAX_LINE_BYTES = 16 << 20
_MAX_WARNINGS = 50
#: Blocks read past a sample for fields not seen in it (64 MiB).
_LOOK_AHEAD_BLOCKS = 16
_SUFFIXES = {".jsonl", ".ndjson", ".json"}


def _objects_per_line(head: bytes) -> bool:
    """Tell whether the first complete lines of a `.json` file each hold one JSON object."""
    lines = [ln for ln in head.split(b"\n")[:-1] if ln.strip()][:20]
    if len(lines) < 2:
        return False  # one object is a JSON document (a config, a manifest), not an export
    try:
        return all(isinstance(json.loads(ln), dict) for ln in lines)
    except (ValueError, UnicodeDecodeError):
        return False


@register
class JsonLinesSource(Source):
    """JSON Lines: one object per line; nested objects flattened to dotted columns."""

    kind = "jsonl"

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        if sniff.path is None or sniff.path.is_dir():
            return 0
        suffixes, compressed = sniff.inner_suffixes, sniff.gzipped
        if not suffixes or suffixes[-1] not in _SUFFIXES:
            return 0
        if suffixes[-1] != ".json":
            return 35  # named as JSON Lines: a bad line is then reported, not guessed around
        return 35 if not compressed and _objects_per_line(sniff.head) else 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        compressed = path.suffix.lower() == ".gz"
        skipped: list[str] = []
        try:
            first = next(iter(_reader(path, compressed, skipped)), None)
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            raise SourceError(f"{self.spec}: {_describe(exc)}") from exc
        if first is None:
            raise SourceError(f"{self.spec}: " + (f"no JSON object read ({skipped[0]})"
                                                  if skipped else "empty file"))
        flat = flatten(first)
        yield JsonLinesTable(
            name=path.name, columns=[ColumnInfo(f.name, str(f.type)) for f in flat.schema],
            path=path, compressed=compressed, spec=self.spec, format="json-lines",
            format_reason="one JSON object per line")


def _reader(path: Path, compressed: bool, warnings: list[str] | None = None
            ) -> Iterator[pa.RecordBatch]:
    """Yield one record batch per block of whole lines, each block typed on its own.

    Arrow's streaming reader fixes the columns from its first block and fails on
    a field first seen later; here a field that first appears after 4 MiB is a
    column of the blocks that hold it (the scan adds columns found in the data).
    A line longer than :data:`MAX_LINE_BYTES` or not a JSON object is skipped,
    named by its number in ``warnings``; without ``warnings`` it is an error.
    """
    stream = pa.input_stream(str(path), compression="gzip" if compressed else None)
    with stream:
        line_no = 1
        pending = b""
        skipping = False  # inside a line past the bound: drop bytes up to its end
        while True:
            data = stream.read(_BLOCK)
            if skipping:
                end = data.find(b"\n")
                if end < 0 and data:
                    continue
                skipping = False
                data = data[end + 1 :] if end >= 0 else b""
                line_no += 1
            block = pending + data
            cut = block.rfind(b"\n") + 1 if data else len(block)
            pending = block[cut:]
            block = block[:cut]
            if len(pending) > MAX_LINE_BYTES:
                long_line = line_no + block.count(b"\n")
                _skip(warnings, f"line {long_line}: longer than "
                      f"{MAX_LINE_BYTES >> 20} MiB, not read")
                pending = b""
                skipping = True
            if block.strip():
                batch = _parse(block, line_no, warnings)
                if batch is not None:
                    yield batch
            line_no += block.count(b"\n")
            if not data:
                return


def _parse(block: bytes, first_line: int, warnings: list[str] | None) -> pa.RecordBatch | None:
    """Parse a block of whole lines; skip (and name) the lines that are not JSON objects."""
    options = pajson.ReadOptions(block_size=len(block) + 1, use_threads=False)
    try:
        table = pajson.read_json(pa.BufferReader(block), read_options=options)
    except pa.ArrowInvalid:
        bad = []
        for offset, line in enumerate(block.split(b"\n")):
            if not line.strip():
                continue
            try:
                ok = isinstance(json.loads(line), dict)
            except (ValueError, UnicodeDecodeError):
                ok = False
            if not ok:
                bad.append(offset)
        if not bad or warnings is None:
            raise  # a field that changes type inside the block: the kind of problem is said
        for offset in bad:
            _skip(warnings, f"line {first_line + offset}: not a JSON object, skipped")
        dropped = set(bad)
        keep = b"\n".join(b"" if i in dropped else ln
                          for i, ln in enumerate(block.split(b"\n")))
        if not keep.strip():
            return None
        table = pajson.read_json(pa.BufferReader(keep), read_options=options)
    return table.combine_chunks().to_batches()[0] if table.num_rows else None


def _skip(warnings: list[str] | None, message: str) -> None:
    if warnings is None:
        raise pa.ArrowInvalid(message)
    if len(warnings) < _MAX_WARNINGS:
        warnings.append(message)


class JsonLinesTable(Table):
    """One JSON Lines file, read in blocks."""

    def __init__(self, *, path: Path, compressed: bool, spec: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.path = path
        self.compressed = compressed
        self.spec = spec

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        self.warnings.clear()
        limit = plan.sample_size
        rows = 0
        seen: set[str] = set()
        extra_blocks = 0
        try:
            for batch in _reader(self.path, self.compressed, self.warnings):
                batch = flatten(batch)
                if limit is None or rows < limit:
                    rows += batch.num_rows
                    seen.update(batch.schema.names)
                    yield batch
                    continue
                # The sample is read. Fields first seen further on still get values
                # (a bounded look ahead), without counting as rows read.
                new = [n for n in batch.schema.names if n not in seen]
                if new:
                    seen.update(new)
                    part = batch.select(new)
                    yield part.replace_schema_metadata({SUPPLEMENT_KEY: b"1"})
                extra_blocks += 1
                if extra_blocks >= _LOOK_AHEAD_BLOCKS:
                    return
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            raise TableError(f"{self.spec}: {_describe(exc)}") from exc


def _describe(exc: Exception) -> str:
    """Pyarrow's JSON errors can quote the offending text: keep only the kind of problem."""
    if isinstance(exc, EOFError) or "gzip" in str(exc).lower():
        return "damaged or truncated compressed data"
    if isinstance(exc, OSError) and not isinstance(exc, pa.ArrowInvalid):
        return f"read error ({type(exc).__name__})"
    msg = str(exc)
    if "UTF8" in msg or "utf8" in msg or "UTF-8" in msg:
        return "bytes that are not valid UTF-8"
    if "changed" in msg.lower() or "conversion" in msg.lower():
        return "a field changes type between lines"
    return "a line that is not a JSON object"
