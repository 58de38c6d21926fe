"""Score a scan against labelled files: column-level precision, recall and F1 per entity type.

A labelled corpus is a set of folders, each with a ``labels.json`` (the format
of ``../shared/corpus``): ``files`` maps a file name to its ``columns``, each
with ``index``, ``name``, ``label`` (an entity type or ``NONE``) and
optionally ``also`` (other accepted answers). A file of free text lists
``entities`` instead (the types expected somewhere in it).

Every labelled file is scanned as a user would scan it (the format, the
delimiter and the header are detected, not told). A labelled column is paired
with a scanned column by name (exactly, then ignoring case and punctuation),
then, for files without a header or fields the scan names differently, by
position. A file read as a single column of lines (a log the scan does not
split into fields, free text) is scored as a document: the types expected
somewhere in it against the types found in it.

Scoring, per column:

- label ``NONE``: every type found is a false positive for that type
  (unless ``also`` accepts it);
- label ``T``: a true positive for ``T`` when a found type is accepted
  (``T`` or an ``also``), else a false negative for ``T``; every found type
  that is not accepted is a false positive for that type. When ``also``
  holds ``NONE``, finding nothing is accepted too.

Overall figures are micro-averages (sums over types). Only column names and
entity types appear in the result, never a value.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.core.config import ScanConfig
from scanner.core.engine import scan
from scanner.model import ColumnVerdict, ScanResult, Status, TableResult

__all__ = ["EvalError", "Evaluation", "Mistake", "Score", "evaluate", "find_label_files"]

logger = logging.getLogger(__name__)

LABELS = "labels.json"
NONE = "NONE"


class EvalError(Exception):
    """A corpus folder or a labels file that cannot be used (one line, names the file)."""


@dataclass
class Score:
    """True positives, false positives and false negatives of one entity type (or all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """Return how many labelled columns carry this type (true positives + misses)."""
        return self.tp + self.fn

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "support": self.support,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class Mistake:
    """One labelled column the scan got wrong: what was expected and what was found."""

    file: str
    column: str
    expected: tuple[str, ...]
    found: tuple[str, ...]
    kind: str  # "missed", "wrong type", "false positive", "not found in the scan"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "column": self.column, "expected": list(self.expected),
                "found": list(self.found), "kind": self.kind}


@dataclass
class Evaluation:
    """The scores of one evaluation run: per type, overall, and every mistake."""

    per_type: dict[str, Score] = field(default_factory=dict)
    files: int = 0
    columns: int = 0
    unreadable: list[str] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.per_type.values():
            total.add(score)
        return total

    def score(self, entity: str) -> Score:
        return self.per_type.setdefault(entity, Score())

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "columns": self.columns,
            "overall": self.overall.to_dict(),
            "per_type": {t: s.to_dict() for t, s in sorted(self.per_type.items())},
            "unreadable": list(self.unreadable),
            "mistakes": [m.to_dict() for m in self.mistakes],
        }


# --- labels ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    name: str
    index: int | None
    label: str
    also: tuple[str, ...]

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset({self.label, *self.also})


@dataclass(frozen=True)
class _LabelledFile:
    path: Path
    display: str
    has_header: bool
    table: str | None
    columns: tuple[_Label, ...]
    #: Free text: types expected somewhere in the file (no columns).
    entities: tuple[str, ...] = ()


def find_label_files(roots: Sequence[str]) -> list[Path]:
    """Return every ``labels.json`` under the given folders (or the files themselves), sorted."""
    found: list[Path] = []
    for root in roots:
        path = Path(root)
        if path.is_file() and path.name == LABELS:
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(path.rglob(LABELS)))
        else:
            raise EvalError(f"{root}: not a folder with {LABELS} files")
    if not found:
        raise EvalError(f"no {LABELS} under {', '.join(roots)}")
    return found


def _load(labels: Path, base: Path) -> list[_LabelledFile]:
    try:
        doc = json.loads(labels.read_text(encoding="utf-8"))
        files = doc["files"]
        if not isinstance(files, dict):
            raise TypeError("'files' is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EvalError(f"{labels}: not a labels file ({exc})") from exc
    out = []
    for name, spec in sorted(files.items()):
        path = labels.parent / name
        try:
            display = str(path.relative_to(base))
        except ValueError:
            display = str(path)
        cols = tuple(
            _Label(str(c.get("name", "")), c.get("index"), str(c["label"]),
                   tuple(str(a) for a in c.get("also") or ()))
            for c in spec.get("columns") or ()
        )
        entities = tuple(sorted({str(e["label"]) for e in spec.get("entities") or ()}))
        out.append(_LabelledFile(path, display, bool(spec.get("has_header", True)),
                                 spec.get("table"), cols, entities))
    return out


# --- matching ------------------------------------------------------------------------------

_PUNCT = re.compile(r"[^0-9a-z]+")


def _norm(name: str) -> str:
    return _PUNCT.sub("", name.lower())


def _types(column: ColumnVerdict, min_confidence: float) -> frozenset[str]:
    return frozenset(d.entity for d in column.detections if d.confidence >= min_confidence)


def _pair(spec: _LabelledFile, table: TableResult,
          min_confidence: float = 0.0) -> dict[int, frozenset[str] | None]:
    """Return, for each labelled column (by its place in the labels), the types found, or None.

    None means no scanned column could be paired with the label.
    """
    found = {c.ref.column: _types(c, min_confidence) for c in table.columns}
    by_norm: dict[str, str] = {}
    for name in found:
        by_norm.setdefault(_norm(name), name)
    by_pos = {c.ref.position: c.ref.column for c in table.columns}
    used: set[str] = set()
    out: dict[int, frozenset[str] | None] = {}
    pending = []
    for i, label in enumerate(spec.columns):
        name = label.name if label.name in found else by_norm.get(_norm(label.name))
        if name is not None and name not in used:
            used.add(name)
            out[i] = found[name]
        else:
            pending.append(i)
    for i in pending:
        index = spec.columns[i].index
        name = by_pos.get(index) if isinstance(index, int) else None
        if name is not None and name not in used:
            used.add(name)
            out[i] = found[name]
        else:
            out[i] = None
    return out


# --- scoring -------------------------------------------------------------------------------


def _score_column(ev: Evaluation, file: str, label: _Label, got: frozenset[str] | None) -> None:
    accepted = label.accepted
    found = got or frozenset()
    extra = sorted(found - accepted)
    for entity in extra:
        ev.score(entity).fp += 1
    expected = tuple(sorted(accepted))
    if label.label == NONE:
        if extra:
            ev.mistakes.append(Mistake(file, label.name, expected, tuple(sorted(found)),
                                       "false positive"))
        return
    hit = found & accepted
    if hit:
        ev.score(label.label).tp += 1
    elif NONE in accepted and not found:
        ev.per_type.setdefault(label.label, Score())
    else:
        ev.score(label.label).fn += 1
    if not hit and not (NONE in accepted and not found):
        kind = ("not found in the scan" if got is None
                else "wrong type" if found else "missed")
        ev.mistakes.append(Mistake(file, label.name, expected, tuple(sorted(found)), kind))
    elif extra:
        ev.mistakes.append(Mistake(file, label.name, expected, tuple(sorted(found)),
                                   "false positive"))


def _score_document(ev: Evaluation, spec: _LabelledFile, found: frozenset[str]) -> None:
    """Score a file read as one column of lines: expected types anywhere in it."""
    if spec.entities:
        labels = [_Label("(text)", None, e, ()) for e in spec.entities]
    else:
        labels = list(spec.columns)
    accepted_any = frozenset().union(*(lab.accepted for lab in labels)) if labels else frozenset()
    for entity in sorted(found - accepted_any):
        ev.score(entity).fp += 1
        ev.mistakes.append(Mistake(spec.display, "(whole file)", (), (entity,),
                                   "false positive"))
    seen: set[str] = set()
    for lab in labels:
        if lab.label == NONE or lab.label in seen:
            continue
        seen.add(lab.label)
        ev.columns += 1
        if found & lab.accepted:
            ev.score(lab.label).tp += 1
        elif NONE in lab.accepted:
            ev.per_type.setdefault(lab.label, Score())
        else:
            ev.score(lab.label).fn += 1
            ev.mistakes.append(Mistake(spec.display, f"(whole file) {lab.name}".strip(),
                                       tuple(sorted(lab.accepted)), tuple(sorted(found)),
                                       "missed"))


def _tables(result: ScanResult) -> dict[Path, tuple[TableResult, ...] | None]:
    out: dict[Path, tuple[TableResult, ...] | None] = {}
    for source in result.sources:
        key = Path(source.name).resolve()
        out[key] = None if source.status is Status.FAILED else source.tables
    return out


def _score_file(ev: Evaluation, spec: _LabelledFile,
                tables: tuple[TableResult, ...] | None, min_confidence: float = 0.0) -> None:
    ev.files += 1
    chosen = [t for t in tables or () if spec.table is None or t.name == spec.table]
    if not chosen:
        ev.unreadable.append(spec.display)
        for label in spec.columns:
            ev.columns += 1
            _score_column(ev, spec.display, label, None)
        for entity in spec.entities:
            ev.columns += 1
            ev.score(entity).fn += 1
            ev.mistakes.append(Mistake(spec.display, "(text)", (entity,), (),
                                       "not found in the scan"))
        return
    table = max(chosen, key=lambda t: len(t.columns))
    as_document = bool(spec.entities) or (
        len(table.columns) == 1 and len(spec.columns) > 1
        and not any(_norm(c.name) == _norm(table.columns[0].ref.column) for c in spec.columns))
    if as_document:
        found = frozenset().union(*(_types(c, min_confidence) for c in table.columns))
        _score_document(ev, spec, found)
        return
    pairs = _pair(spec, table, min_confidence)
    for i, label in enumerate(spec.columns):
        ev.columns += 1
        _score_column(ev, spec.display, label, pairs[i])


def evaluate(roots: Sequence[str], config: ScanConfig | None = None,
             min_confidence: float = 0.0) -> Evaluation:
    """Scan every labelled file under ``roots`` and score the findings against the labels.

    Findings below ``min_confidence`` are left out (name-only findings sit below 0.5).
    """
    config = config or ScanConfig()
    specs: list[_LabelledFile] = []
    for labels in find_label_files(roots):
        base = next((Path(r) for r in roots if _under(labels, Path(r))), labels.parent)
        specs.extend(_load(labels, base if base.is_dir() else base.parent))
    present = [s for s in specs if s.path.is_file()]
    result = scan([str(s.path) for s in present], config) if present else None
    tables = _tables(result) if result is not None else {}
    ev = Evaluation()
    for spec in specs:
        _score_file(ev, spec, tables.get(spec.path.resolve()), min_confidence)
    return ev


def _under(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def failing(ev: Evaluation, min_f1: float | None, min_precision: float | None) -> list[str]:
    """Return what falls short of the thresholds (empty when the evaluation passes)."""
    overall = ev.overall
    out = []
    if min_f1 is not None and overall.f1 < min_f1:
        out.append(f"F1 {overall.f1:.3f} is below --min-f1 {min_f1:.3f}")
    if min_precision is not None and overall.precision < min_precision:
        out.append(f"precision {overall.precision:.3f} is below --min-precision "
                   f"{min_precision:.3f}")
    return out


def render_table(ev: Evaluation, mistakes: bool = True) -> str:
    """Return the terminal table: one row per type, then overall, then the mistakes."""
    head = ("type", "support", "tp", "fp", "fn", "precision", "recall", "f1")
    rows = [(t, str(s.support), str(s.tp), str(s.fp), str(s.fn), f"{s.precision:.3f}",
             f"{s.recall:.3f}", f"{s.f1:.3f}") for t, s in sorted(ev.per_type.items())]
    o = ev.overall
    total = ("overall", str(o.support), str(o.tp), str(o.fp), str(o.fn), f"{o.precision:.3f}",
             f"{o.recall:.3f}", f"{o.f1:.3f}")
    widths = [max(len(r[i]) for r in (head, *rows, total)) for i in range(len(head))]

    def line(cells: Iterable[str]) -> str:
        cells = list(cells)
        return "  ".join([cells[0].ljust(widths[0]),
                          *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    rule = "-" * len(line(head))
    out = [f"{ev.files} files, {ev.columns} labelled columns", "", line(head), rule,
           *(line(r) for r in rows), rule, line(total)]
    if ev.unreadable:
        out += ["", "not scanned: " + ", ".join(ev.unreadable)]
    if mistakes and ev.mistakes:
        out += ["", "mistakes:"]
        for m in ev.mistakes:
            want = "|".join(m.expected) or "-"
            got = ",".join(m.found) or "nothing"
            out.append(f"  {m.file}:{m.column}: {m.kind}: expected {want}, found {got}")
    return "\n".join(out) + "\n"
