"""JSON array exports (``[{...}, {...}]`` in a ``.json`` file): one table, one column per key.

API and admin-console exports are often one JSON array of objects rather than
JSON Lines, or one object wrapping that array (``{"calls": [...]}``,
``{"data": [...], "count": 49}``): the first list of objects among the
document's members is the table (the other members, a page count or a status,
are not records). The array is read object by object
(``json.JSONDecoder.raw_decode`` over a bounded buffer), so memory stays flat
however long it is; nested objects become dotted columns and lists one text
value per row, as for JSON Lines. Malformed JSON is a one-line error that
says where, never what, and the rows read before it still count.
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
from connectors.cdr.generic import call_log_shape, confirm_values
from connectors.registry import SNIFF_BYTES, Sniff, register

_CHUNK = 1 << 20
#: One object larger than this is taken for malformed JSON (the buffer stays bounded).
_MAX_OBJECT = 64 << 20
_SUFFIXES = {".json"}


#: Members a wrapper may hold before its list of records (``status``, ``count``, ``page``).
_MAX_LEADING_MEMBERS = 16
_WS = " \t\r\n"
_OPEN_OBJECT = "the JSON object is not closed (truncated file?)"


def _starts_an_array(head: bytes) -> bool:
    """Tell whether a document opens a JSON array of objects: ``[`` then ``{``."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"["):
        return False
    return text[1:].lstrip(b" \t\r\n")[:1] == b"{"


def _objects_per_line(head: bytes) -> bool:
    """Tell whether the first lines each hold a whole object (JSON Lines, not one document)."""
    lines = [ln for ln in head.split(b"\n")[:-1] if ln.strip()][:5]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(ln), dict) for ln in lines)
    except (ValueError, UnicodeDecodeError):
        return False


def records_key(head: bytes) -> str | None:
    """Return the member of a wrapping object that holds the list of records, or None.

    ``{"calls": [{...}, ...]}`` gives ``calls`` (see :func:`wrapper`).
    """
    found = wrapper(head)
    return found[0] if found is not None else None


def wrapper(head: bytes) -> tuple[str, dict[str, Any]] | None:
    """Find the list of records in a wrapping object: its member's name and the members before.

    The members before it must be whole in ``head`` (metadata: a status, a
    count); the first member whose value opens ``[`` then ``{`` is the table.
    JSON Lines (an object per line) is not a wrapper.
    """
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff" + _WS)
    if not text.startswith("{") or _objects_per_line(head):
        return None
    decoder = json.JSONDecoder()
    pos = 1
    before: dict[str, Any] = {}
    for _ in range(_MAX_LEADING_MEMBERS):
        while pos < len(text) and text[pos] in _WS + ",":
            pos += 1
        if pos >= len(text) or text[pos] != '"':
            return None
        try:
            key, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        if pos >= len(text) or text[pos] != ":":
            return None
        pos += 1
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        if text[pos:pos + 1] == "[" and text[pos + 1:].lstrip(_WS)[:1] == "{":
            return str(key), before
        try:
            before[str(key)], pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None  # a member longer than the head, or not JSON
    return None


@register
class JsonArraySource(Source):
    """JSON array exports: a file holding one array of objects, read as a table."""

    kind = "json"

    @classmethod
    def claims(cls, sniff: Sniff, options: ConnectorOptions) -> int:
        if sniff.path is None or sniff.path.is_dir():
            return 0
        suffixes, compressed = sniff.inner_suffixes, sniff.gzipped
        named = bool(suffixes) and suffixes[-1] in _SUFFIXES
        head = sniff.head
        if compressed:
            try:
                head = gzip.decompress(head)
            except (OSError, EOFError):
                # A head is a truncated stream: read what it gives.
                head = _partial_gunzip(sniff.head)
        if _starts_an_array(head) or records_key(head) is not None:
            # An array of objects is unmistakable, whatever the file is called.
            return 40 if named else 30
        return 0

    def tables(self) -> Iterator[Table]:
        path = Path(self.spec)
        compressed = path.suffix.lower() == ".gz"
        key = self._records_key(path, compressed)
        reason = ("one JSON array of objects" if key is None else
                  f"one JSON object whose `{key}` member is a list of records")
        table = JsonArrayTable(name=path.name, columns=[], path=path, compressed=compressed,
                               spec=self.spec, key=key,
                               format="json-array" if key is None else "json-records",
                               format_reason=reason)
        try:
            first = next(table.batches(ReadPlan(sample_size=None)), None)
        except TableError as exc:
            raise SourceError(str(exc)) from exc
        if first is None:
            raise SourceError(f"{self.spec}: an empty JSON array")
        table.columns = [ColumnInfo(f.name, str(f.type)) for f in first.schema]
        table.record_kind = _call_log_kind(first)
        yield table
        if key is not None and self._members:
            # The wrapper's other members (a customer's name beside their orders) are
            # scanned too: one row, a column per member.
            batch = _to_batch([self._members])
            yield JsonMembersTable(
                name=f"{path.name} (members)", batch=batch,
                columns=[ColumnInfo(f.name, str(f.type)) for f in batch.schema],
                format="json-records",
                format_reason=f"the JSON object's members beside its `{key}` records")

    def _records_key(self, path: Path, compressed: bool) -> str | None:
        self._members: dict[str, Any] = {}
        try:
            with path.open("rb") as f:
                raw = f.read(SNIFF_BYTES + 1)
        except OSError as exc:
            raise SourceError(f"{self.spec}: cannot read ({type(exc).__name__})") from exc
        whole = len(raw) <= SNIFF_BYTES and not compressed
        head = raw[:SNIFF_BYTES]
        if compressed:
            try:
                head = gzip.decompress(head)
            except (OSError, EOFError):
                head = _partial_gunzip(head)
        found = None if _starts_an_array(head) else wrapper(head)
        if found is None:
            return None
        key, self._members = found
        if whole:
            # A small document is read whole: the members after the records count too.
            try:
                doc = json.loads(raw.decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError):
                doc = None  # the records' reader says where it is malformed
            if isinstance(doc, dict):
                self._members = {k: v for k, v in doc.items() if k != key}
        return key


def _call_log_kind(batch: pa.RecordBatch) -> str | None:
    """Say whether the records are calls or messages their names and values describe.

    Plain names (``user``, ``other``, ``duration``) alone leave it open (the
    scan then decides from the names, see ``scanner.core.records``); here the
    first records' values can confirm them.
    """
    shape = call_log_shape(batch.schema.names)
    if shape is None or shape.by_names:
        return None
    head = batch.slice(0, 500)
    columns = {name: ["" if v is None else str(v) for v in head.column(i).to_pylist()]
               for i, name in enumerate(head.schema.names) if name in shape.roles}
    return shape.kind if confirm_values(shape, columns) else None


class JsonMembersTable(Table):
    """The members of a wrapping JSON object beside its list of records: one row."""

    def __init__(self, *, batch: pa.RecordBatch, **kw: Any) -> None:
        super().__init__(**kw)
        self.batch = batch

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        yield self.batch


def _partial_gunzip(data: bytes) -> bytes:
    import zlib

    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data)
    except zlib.error:
        return b""


class JsonArrayTable(Table):
    """One JSON array of objects, read object by object into record batches."""

    def __init__(self, *, path: Path, compressed: bool, spec: str, key: str | None = None,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.path = path
        self.compressed = compressed
        self.spec = spec
        #: The wrapping object's member holding the records (None: a bare array).
        self.key = key

    def batches(self, plan: ReadPlan) -> Iterator[pa.RecordBatch]:
        rows: list[dict[str, Any]] = []
        size = max(1, min(plan.batch_size, 50_000))
        try:
            with self._open() as f:
                for obj in _objects(f, self.spec, self.key):
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


class _Reader:
    """A JSON document read a bounded buffer at a time: the next character, the next value."""

    def __init__(self, f: TextIO, spec: str) -> None:
        self.f, self.spec = f, spec
        self.decoder = json.JSONDecoder()
        self.buf, self.pos, self.eof, self.offset = "", 0, False, 0

    def fill(self) -> bool:
        chunk = self.f.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.offset += self.pos
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self, skip: str = _WS, missing: str = _OPEN_OBJECT) -> str:
        """Return the next character after ``skip`` characters (an error at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in skip:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if self.eof or not self.fill():
                raise TableError(f"{self.spec}: {missing}")

    def malformed(self) -> TableError:
        # The message would quote the document: say where, not what.
        return TableError(f"{self.spec}: malformed JSON near character "
                          f"{self.offset + self.pos:,}")

    def value(self) -> Any:
        """Decode the next value, reading on while it is cut by the buffer's end."""
        self.peek()
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if len(self.buf) - self.pos > _MAX_OBJECT:
                    raise TableError(f"{self.spec}: malformed JSON near character "
                                     f"{self.offset + self.pos:,} (or one object over 64 MiB)"
                                     ) from None
                if not self.eof and self.fill():
                    continue
                raise self.malformed() from None
            if end == len(self.buf) and not self.eof and self.fill():
                # A number or literal cut by the buffer's end may look complete: read on.
                continue
            self.pos = end
            return obj


def _objects(f: TextIO, spec: str, key: str | None = None) -> Iterator[Any]:
    """Yield the elements of the JSON array in ``f`` (under member ``key`` of an object)."""
    r = _Reader(f, spec)
    if key is not None:
        if r.peek(missing="an empty file") != "{":
            raise TableError(f"{spec}: not a JSON object")
        r.pos += 1
        while True:
            ch = r.peek(_WS + ",")
            if ch == "}":
                raise TableError(f"{spec}: the JSON object holds no list of records")
            if ch != '"':
                raise r.malformed()
            name = r.value()
            if r.peek() != ":":
                raise r.malformed()
            r.pos += 1
            if name == key and r.peek() == "[":
                break
            r.value()  # metadata before the records
    elif r.peek(missing="an empty file") != "[":
        raise TableError(f"{spec}: not a JSON array")
    r.pos += 1
    while True:
        ch = r.peek(_WS + ",", missing="the JSON array is not closed (truncated file?)")
        if ch == "]":
            r.pos += 1
            break
        yield r.value()
    if key is not None:
        # The members after the records: read through, so a cut document is an error.
        while True:
            ch = r.peek(_WS + ",")
            if ch == "}":
                return
            if ch != '"':
                raise r.malformed()
            r.value()
            if r.peek() != ":":
                raise r.malformed()
            r.pos += 1
            r.value()


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
