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
        suffixes = sniff.suffixes
        compressed = bool(suffixes) and suffixes[-1] == ".gz"
        if compressed:
            suffixes = suffixes[:-1]
        if not suffixes or suffixes[-1] not in _SUFFIXES:
            return 0
        if suffixes[-1] != ".json":
            return 35  # named as JSON Lines: a bad line is then reported, not guessed around
        return 35 if not compressed and _objects_per_line(sniff.head) else 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        compressed = path.suffix.lower() == ".gz"
        try:
            first = next(iter(_reader(path, compressed)), None)
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            raise SourceError(f"{self.spec}: {_describe(exc)}") from exc
        if first is None:
            raise SourceError(f"{self.spec}: empty file")
        flat = flatten(first)
        yield JsonLinesTable(
            name=path.name, columns=[ColumnInfo(f.name, str(f.type)) for f in flat.schema],
            path=path, compressed=compressed, spec=self.spec, format="json-lines",
            format_reason="one JSON object per line")


def _reader(path: Path, compressed: bool) -> pajson.JSONStreamingReader:
    stream = pa.input_stream(str(path), compression="gzip" if compressed else None)
    return pajson.open_json(
        stream, read_options=pajson.ReadOptions(block_size=_BLOCK),
        # Fields that first appear after the first block are left out rather
        # than failing the file; the first block fixes the columns.
        parse_options=pajson.ParseOptions(unexpected_field_behavior="ignore"))


class JsonLinesTable(Table):
    """One JSON Lines file, read in blocks."""

    def __init__(self, *, path: Path, compressed: bool, spec: str, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.path = path
        self.compressed = compressed
        self.spec = spec

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        try:
            for batch in _reader(self.path, self.compressed):
                yield flatten(batch)
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
