"""JSON array exports (``[{...}, {...}]`` in a ``.json`` file): one table, one column per key.

API and admin-console exports are often one JSON array of objects rather than
JSON Lines. The array is read object by object (``json.JSONDecoder.raw_decode``
over a bounded buffer), so memory stays flat however long it is; nested objects
become dotted columns and lists one text value per row, as for JSON Lines.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa

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

_CHUNK = 1 << 20
#: One object larger than this is taken for malformed JSON (the buffer stays bounded).
_MAX_OBJECT = 64 << 20
_SUFFIXES = {".json"}


def _starts_an_array(head: bytes) -> bool:
    """Tell whether a document opens a JSON array of objects: ``[`` then ``{``."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"["):
        return False
    return text[1:].lstrip(b" \t\r\n")[:1] == b"{"


@register
class JsonArraySource(Source):
    """JSON array exports: a file holding one array of objects, read as a table."""

    kind = "json"

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        if sniff.path is None or sniff.path.is_dir():
            return 0
        suffixes = sniff.suffixes
        compressed = bool(suffixes) and suffixes[-1] == ".gz"
        if compressed:
            suffixes = suffixes[:-1]
        named = bool(suffixes) and suffixes[-1] in _SUFFIXES
        head = sniff.head
        if compressed:
            try:
                head = gzip.decompress(head)
            except (OSError, EOFError):
                # A head is a truncated stream: read what it gives.
                head = _partial_gunzip(sniff.head)
        if not _starts_an_array(head):
            return 0
        # An array of objects is unmistakable, whatever the file is called.
        return 40 if named else 30

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        compressed = path.suffix.lower() == ".gz"
        table = JsonArrayTable(name=path.name, columns=[], path=path, compressed=compressed,
                               spec=self.spec, format="json-array",
                               format_reason="one JSON array of objects")
        try:
            first = next(table.batches(ReadPlan(sample_size=None)), None)
        except TableError as exc:
            raise SourceError(str(exc)) from exc
        if first is None:
            raise SourceError(f"{self.spec}: an empty JSON array")
        table.columns = [ColumnInfo(f.name, str(f.type)) for f in first.schema]
        yield table


def _partial_gunzip(data: bytes) -> bytes:
    import zlib

    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data)
    except zlib.error:
        return b""


class JsonArrayTable(Table):
    """One JSON array of objects, read object by object into record batches."""

    def __init__(self, *, path: Path, compressed: bool, spec: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.path = path
        self.compressed = compressed
        self.spec = spec

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        rows: list[dict[str, Any]] = []
        size = max(1, min(plan.batch_size, 50_000))
        try:
            with self._open() as f:
                for obj in _objects(f, self.spec):
                    rows.append(obj if isinstance(obj, dict) else {"value": obj})
                    if len(rows) >= size:
                        yield _to_batch(rows)
                        rows = []
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise TableError(f"{self.spec}: read error ({type(exc).__name__})") from exc
        if rows:
            yield _to_batch(rows)

    def _open(self) -> TextIO:
        if self.compressed:
            return gzip.open(self.path, "rt", encoding="utf-8-sig")
        return self.path.open(encoding="utf-8-sig")


def _objects(f: TextIO, spec: str) -> Iterator[Any]:
    """Yield the elements of the JSON array in ``f``, reading a bounded buffer at a time."""
    decoder = json.JSONDecoder()
    buf, pos, eof, opened, offset = "", 0, False, False, 0

    def fill() -> bool:
        nonlocal buf, pos, eof, offset
        chunk = f.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        offset += pos
        buf = buf[pos:] + chunk
        pos = 0
        return True

    while True:
        while pos < len(buf) and buf[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(buf):
            if eof or not fill():
                raise TableError(f"{spec}: the JSON array is not closed (truncated file?)")
            continue
        if not opened:
            if buf[pos] != "[":
                raise TableError(f"{spec}: not a JSON array")
            opened = True
            pos += 1
            continue
        if buf[pos] == "]":
            return
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError:
            if len(buf) - pos > _MAX_OBJECT:
                raise TableError(f"{spec}: malformed JSON near character {offset + pos:,} "
                                 "(or one object over 64 MiB)") from None
            if not eof and fill():
                continue
            # The message would quote the document: say where, not what.
            raise TableError(f"{spec}: malformed JSON near character {offset + pos:,}") from None
        if end == len(buf) and not eof:
            # A number or literal cut by the buffer's end may look complete: read on.
            if fill():
                continue
        pos = end
        yield obj


def _to_batch(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    """Objects to a flat record batch; fields whose type varies become text."""
    try:
        batch = pa.RecordBatch.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        keys = list(dict.fromkeys(k for r in rows for k in r))
        batch = pa.RecordBatch.from_pydict(
            {k: pa.array([_text(r.get(k)) for r in rows], pa.string()) for k in keys})
    return flatten(batch)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
