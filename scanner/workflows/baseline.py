"""The approved PII columns of a project, and the check of a scan against them (the CI gate).

The baseline file (``.piiscan-baseline.json``, committed next to the code)::

    {
      "approved": {
        "postgresql://app@db:5432/app/public.customers/email": {
          "EMAIL_ADDRESS": {}
        },
        "postgresql://app@db:5432/app/public.customers/ssn": {
          "US_SSN": {"expires": "2026-06-30", "reason": "KYC, ticket SEC-812"}
        }
      },
      "format": "piiscan-baseline",
      "storage": {},
      "version": 1
    }

* ``approved`` maps a column's stable identity (``source/table/column``, the
  string form of :class:`~scanner.model.ColumnRef`) to the entity types
  approved for it; each approval may carry a ``reason`` and an ``expires``
  date (``YYYY-MM-DD``, the last day it holds).
* ``storage`` maps a source name to an approved storage violation (a source
  holding PII outside the policy's countries), with the same optional fields.
* Nothing that changes from run to run is written: no timestamps, scores,
  row counts or sampled values. Keys are sorted, indentation is two spaces,
  the file ends with a newline, so it diffs and merges line by line.

Severities (``--fail-on``) come from the policy's category sensitivity: a
finding on a CPNI column is ``critical``; otherwise it is the highest
sensitivity among the policy categories of its entity type (with the bundled
policy: ``high`` for what customers give, other sources and location,
``medium`` for what is collected automatically), ``medium`` when no category
names it. A storage violation has the highest severity among the source's
findings (``critical`` when it holds CPNI, ``high`` otherwise).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from scanner.fileio import FileProblem, reading, write_text
from scanner.model import ColumnVerdict, ScanResult, Status
from scanner.policy import SENSITIVITIES, Policy
from scanner.policy.residency import Residency, StorageVerdict
from scanner.validation import Invalid, validate
from scanner.workflows import BASELINE_PATH

logger = logging.getLogger(__name__)

FORMAT_NAME = "piiscan-baseline"
FORMAT_VERSION = 1
DEFAULT_PATH = BASELINE_PATH


class BaselineError(Exception):
    """A baseline file is missing or malformed. The message names the file and the line."""


@dataclass(frozen=True)
class Approval:
    """Why a finding is accepted, and until when (inclusive)."""

    reason: str | None = None
    expires: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        """Tell whether the approval no longer holds on ``today``."""
        return self.expires is not None and today > self.expires

    def to_dict(self) -> dict[str, str]:
        """Return the approval as it is written to the file (empty fields left out)."""
        out: dict[str, str] = {}
        if self.expires is not None:
            out["expires"] = self.expires.isoformat()
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class Baseline:
    """Approved entity types per column identity, and approved storage violations per source."""

    columns: Mapping[str, Mapping[str, Approval]] = field(default_factory=dict)
    storage: Mapping[str, Approval] = field(default_factory=dict)

    def to_json(self) -> str:
        """Return the file's text: sorted keys, two-space indent, trailing newline."""
        doc = {
            "approved": {
                ident: {entity: a.to_dict() for entity, a in entities.items()}
                for ident, entities in self.columns.items()
            },
            "format": FORMAT_NAME,
            "storage": {source: a.to_dict() for source, a in self.storage.items()},
            "version": FORMAT_VERSION,
        }
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self, path: str | Path) -> None:
        """Write the baseline atomically (a temporary file renamed over ``path``)."""
        try:
            write_text(path, self.to_json(), newline="\n")
        except FileProblem as exc:
            raise BaselineError(str(exc)) from exc

    def approve(self, identity: str, entities: Iterable[str], approval: Approval) -> Baseline:
        """Return a copy with ``entities`` approved for ``identity`` (replacing their approval)."""
        columns = {k: dict(v) for k, v in self.columns.items()}
        slot = columns.setdefault(identity, {})
        for entity in entities:
            slot[entity] = approval
        return Baseline(columns, dict(self.storage))


# --- Reading ---------------------------------------------------------------------------------


def load(path: str | Path) -> Baseline:
    """Read and validate a baseline file; BaselineError names the file and line on failure."""
    text = reading(BaselineError)(
        path, missing="no such baseline (create one with `piiscan baseline create SOURCE... "
        "-o FILE`)")
    return parse(text, str(path))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse(text: str, where: str) -> Baseline:
    """Parse baseline text; ``where`` names the file in error messages."""
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError as exc:  # 100,000 nested brackets: one line, not a traceback
        raise BaselineError(f"{where}: not a baseline (JSON nested too deeply)") from exc
    except _Duplicate as exc:
        needle = json.dumps(exc.key, ensure_ascii=False)
        first = text.find(needle)
        line = _line(text, text.find(needle, first + 1) if first >= 0 else -1)
        raise BaselineError(f"{where}: line {line}: key {needle} appears twice "
                            "(a merge that kept both sides?)") from exc
    except json.JSONDecodeError as exc:
        hint = " (an unresolved merge conflict?)" if re.search(r"^<<<<<<<", text, re.M) else ""
        raise BaselineError(f"{where}: line {exc.lineno}: not valid JSON: {exc.msg}{hint}") \
            from exc

    from scanner.workflows.baseline_model import MESSAGES, BaselineFile

    try:
        model = validate(BaselineFile, doc, messages=MESSAGES,
                         line_finder=lambda loc: _line_of_path(text, tuple(map(str, loc))))
    except Invalid as exc:
        raise BaselineError(f"{where}: line {exc.line}: {exc.message}") from exc
    if model.version > FORMAT_VERSION:
        raise BaselineError(f"{where}: line {_line_of_path(text, ('version',))}: baseline "
                            f"version {model.version} is newer than this piiscan reads "
                            f"({FORMAT_VERSION}); upgrade piiscan")
    columns = {ident: {entity: Approval(a.reason or None, a.expires)
                       for entity, a in entities.items()}
               for ident, entities in model.approved.items()}
    storage = {src: Approval(a.reason or None, a.expires) for src, a in model.storage.items()}
    logger.debug("baseline %s: %s columns, %s storage approvals", where, len(columns),
                 len(storage))
    return Baseline(columns, storage)


def parse_date(value: Any) -> dt.date:
    """Parse ``YYYY-MM-DD``; ValueError says what is wrong."""
    from scanner.workflows.baseline_model import parse_date as parse

    return parse(value)


def _line(text: str, offset: int) -> int:
    return 1 if offset < 0 else text.count("\n", 0, offset) + 1


def _line_of_path(text: str, path: tuple[str, ...]) -> int:
    """Find the line of a key path by searching for each key after the previous one."""
    pos = 0
    found = 0
    for key in path:
        hit = text.find(json.dumps(key, ensure_ascii=False) + ":", pos)
        if hit < 0:
            hit = text.find(json.dumps(key, ensure_ascii=False), pos)
        if hit < 0:
            break
        found = pos = hit
    return _line(text, found)


# --- Creating --------------------------------------------------------------------------------


def from_result(result: ScanResult, residency: Residency | None, *,
                previous: Baseline | None = None, reason: str | None = None,
                expires: dt.date | None = None) -> Baseline:
    """Approve every finding of ``result``, keeping what ``previous`` says about them.

    Approvals already in ``previous`` keep their reason and expiry (an expired
    approval stays expired: renew it with ``piiscan baseline approve``); new
    ones get ``reason`` and ``expires``. Entries of ``previous`` for sources
    this scan did not cover are kept; those of scanned sources that the scan
    no longer finds are dropped.
    """
    old = previous or Baseline()
    fresh = Approval(reason, expires)
    scanned = [s.name for s in result.sources] + [s.identity for s in result.sources
                                                  if s.identity]
    columns: dict[str, dict[str, Approval]] = {
        ident: dict(entities) for ident, entities in old.columns.items()
        if not any(ident.startswith(name + "/") for name in scanned)
    }
    for col in iter_flagged(result):
        ident = str(col.ref)
        before = old.columns.get(ident, {})
        slot = columns.setdefault(ident, {})
        for entity in sorted(set(col.entities)):
            slot[entity] = before.get(entity, fresh)
    storage = {src: a for src, a in old.storage.items() if src not in scanned}
    if residency is not None:
        for entry in residency.sources:
            if entry.verdict is StorageVerdict.VIOLATION:
                storage[entry.source] = old.storage.get(entry.source, fresh)
                logger.warning("%s: storage violation recorded as approved: %s", entry.source,
                               entry.reason)
    return Baseline(columns, storage)


def iter_flagged(result: ScanResult) -> Iterable[ColumnVerdict]:
    """Yield every column with at least one detection, in result order."""
    for source in result.sources:
        for table in source.tables:
            for col in table.columns:
                if col.detections:
                    yield col


# --- Checking --------------------------------------------------------------------------------


class FindingKind(StrEnum):
    """What a gate finding is."""

    NEW_COLUMN = "new-column"
    NEW_ENTITY = "new-entity"
    EXPIRED = "expired"
    STORAGE = "storage-violation"


@dataclass(frozen=True)
class Finding:
    """Something the baseline does not approve (or no longer approves)."""

    kind: FindingKind
    #: Column identity, or the source name for a storage violation.
    identity: str
    entity: str | None
    severity: str
    #: Whether the severity is one ``--fail-on`` chose.
    fails: bool
    message: str
    source: str
    table: str | None = None
    column: str | None = None
    reasons: tuple[str, ...] = ()
    approval: Approval | None = None
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain data (the JSON output)."""
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "identity": self.identity,
            "entity": self.entity,
            "severity": self.severity,
            "fails": self.fails,
            "message": self.message,
            "source": self.source,
            "table": self.table,
            "column": self.column,
            "reasons": list(self.reasons),
        }
        if self.approval is not None:
            out["approval"] = self.approval.to_dict()
        if self.file is not None:
            out["file"] = self.file
            out["line"] = self.line
        return out


@dataclass(frozen=True)
class Approved:
    """A finding the baseline approves."""

    identity: str
    entity: str
    approval: Approval
    source: str
    table: str | None = None
    column: str | None = None
    file: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the approved finding as plain data."""
        out: dict[str, Any] = {"identity": self.identity, "entity": self.entity,
                               "approval": self.approval.to_dict()}
        if self.file is not None:
            out["file"] = self.file
            out["line"] = self.line
        return out


@dataclass(frozen=True)
class GateProblem:
    """A source, table or DDL statement that could not be checked."""

    source: str
    message: str
    table: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Outcome:
    """The gate's verdict on one scan."""

    findings: tuple[Finding, ...]
    approved: tuple[Approved, ...]
    #: Approvals of scanned sources that the scan no longer finds (prune with baseline create).
    stale: tuple[str, ...]
    problems: tuple[GateProblem, ...]
    complete: bool
    fail_on: tuple[str, ...]
    sources: tuple[str, ...] = ()

    @property
    def failing(self) -> tuple[Finding, ...]:
        """The findings whose severity fails the check."""
        return tuple(f for f in self.findings if f.fails)

    @property
    def exit_code(self) -> int:
        """Return 3 for an incomplete scan (even with failing findings), 1 for a failing one.

        0 otherwise. An incomplete scan cannot say the rest is clean: what it did find is still
        listed, but the exit code says the gate could not decide.
        """
        if not self.complete:
            return 3
        if self.failing:
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as plain data (the JSON output)."""
        return {
            "tool": {"name": "piiscan", "command": "check"},
            "exit_code": self.exit_code,
            "complete": self.complete,
            "fail_on": list(self.fail_on),
            "sources": list(self.sources),
            "findings": [f.to_dict() for f in self.findings],
            "approved": [a.to_dict() for a in self.approved],
            "stale": list(self.stale),
            "problems": [
                {"source": p.source, "table": p.table, "message": p.message,
                 **({"file": p.file, "line": p.line} if p.file else {})}
                for p in self.problems
            ],
        }


def parse_fail_on(text: str | Iterable[str]) -> tuple[str, ...]:
    """Parse ``--fail-on``: severity names, comma-separated; ``high+`` means high and above.

    ``all`` (or ``any``) is every severity; ``none`` fails on nothing (report only).
    ValueError names the bad word.
    """
    words = [text] if isinstance(text, str) else list(text)
    chosen: set[str] = set()
    for chunk in words:
        for raw in chunk.split(","):
            word = raw.strip().lower()
            if not word:
                continue
            if word in {"all", "any"}:
                chosen.update(SENSITIVITIES)
            elif word == "none":
                continue
            elif word.endswith("+") and word[:-1] in SENSITIVITIES:
                chosen.update(SENSITIVITIES[SENSITIVITIES.index(word[:-1]):])
            elif word in SENSITIVITIES:
                chosen.add(word)
            else:
                raise ValueError(f"unknown severity {raw.strip()!r} (choose from "
                                 f"{', '.join(reversed(SENSITIVITIES))}, all, none; "
                                 "'high+' means high and critical)")
    return tuple(s for s in reversed(SENSITIVITIES) if s in chosen)


def severity(policy: Policy, entity: str, cpni: bool) -> str:
    """Severity of one entity type on one column: critical for CPNI, else the policy's."""
    if cpni:
        return "critical"
    return policy.sensitivity(policy.categories_for([entity], False)) or "medium"


def check(result: ScanResult, baseline: Baseline, policy: Policy, residency: Residency | None,
          *, fail_on: Iterable[str] = SENSITIVITIES, today: dt.date | None = None,
          locations: Mapping[str, tuple[str, int]] | None = None,
          extra_problems: Iterable[GateProblem] = ()) -> Outcome:
    """Compare a scan with the baseline.

    ``locations`` maps column identities to ``(file, line)`` (DDL columns);
    ``extra_problems`` are problems found before the scan (unreadable DDL
    statements) and make the outcome incomplete.
    """
    day = today or dt.date.today()
    failing = set(fail_on)
    where = dict(locations or {})
    findings: list[Finding] = []
    approved: list[Approved] = []
    seen: set[str] = set()
    worst: dict[str, str] = {}
    for source in result.sources:
        for table in source.tables:
            table_path = f"{table.schema}.{table.name}" if table.schema else table.name
            for col in table.columns:
                if not col.detections:
                    continue
                ident = str(col.ref)
                seen.add(ident)
                file, line = where.get(ident, (None, None))
                known = _approvals(baseline, ident, col.ref.address)
                reasons_by_entity: dict[str, tuple[str, ...]] = {}
                for d in col.detections:
                    reasons_by_entity.setdefault(d.entity, d.reasons)
                for entity in sorted(reasons_by_entity):
                    sev = severity(policy, entity, col.cpni)
                    _raise(worst, source.name, sev)
                    approval = known.get(entity) if known is not None else None
                    common = {"identity": ident, "source": source.name, "table": table_path,
                              "column": col.ref.column, "file": file, "line": line}
                    if approval is not None and not approval.expired(day):
                        approved.append(Approved(entity=entity, approval=approval, **common))
                        continue
                    if approval is not None:
                        kind = FindingKind.EXPIRED
                        msg = (f"{ident}: the approval of {entity} expired on "
                               f"{approval.expires.isoformat() if approval.expires else '?'}")
                    elif known is None:
                        kind = FindingKind.NEW_COLUMN
                        msg = f"{ident}: new PII column ({entity})"
                    else:
                        kind = FindingKind.NEW_ENTITY
                        msg = (f"{ident}: approved for {', '.join(sorted(known))} but now "
                               f"also holds {entity}")
                    if col.cpni:
                        msg += " [CPNI]"
                    findings.append(Finding(kind=kind, entity=entity, severity=sev,
                                            fails=sev in failing, message=msg,
                                            reasons=reasons_by_entity[entity],
                                            approval=approval, **common))
    if residency is not None:
        for entry in residency.sources:
            if entry.verdict is not StorageVerdict.VIOLATION:
                continue
            sev = worst.get(entry.source, "high")
            approval = baseline.storage.get(entry.source)
            if approval is not None and not approval.expired(day):
                approved.append(Approved(entry.source, "storage", approval, entry.source))
                continue
            if approval is not None:
                msg = (f"{entry.source}: the approval of its storage location expired on "
                       f"{approval.expires.isoformat() if approval.expires else '?'}")
                kind = FindingKind.EXPIRED
            else:
                msg = f"{entry.source}: storage violation: {entry.reason}"
                kind = FindingKind.STORAGE
            findings.append(Finding(kind=kind, identity=entry.source, entity=None,
                                    severity=sev, fails=sev in failing, message=msg,
                                    source=entry.source, approval=approval))

    problems = list(extra_problems)
    explained = {p.source for p in problems}
    complete_sources = []
    for source in result.sources:
        if source.status is Status.OK:
            complete_sources += [source.name, source.identity or source.name]
            continue
        if source.name in explained:
            continue  # the problems given (unreadable DDL statements) say it better
        problems.append(GateProblem(source.name, source.error or f"source {source.status.value}"))
        for table in source.tables:
            if table.status is not Status.OK:
                problems.append(GateProblem(source.name, table.error or "table not fully read",
                                        table.name))
    stale = sorted(
        ident for ident in baseline.columns
        if ident not in seen and not _is_glob(ident)
        and any(ident.startswith(s + "/") for s in complete_sources)
    )
    order = {s: i for i, s in enumerate(reversed(SENSITIVITIES))}
    findings.sort(key=lambda f: (not f.fails, order.get(f.severity, 9), f.identity,
                                 f.entity or ""))
    approved.sort(key=lambda a: (a.identity, a.entity))
    return Outcome(
        findings=tuple(findings),
        approved=tuple(approved),
        stale=tuple(stale),
        problems=tuple(problems),
        complete=result.complete and not problems,
        fail_on=tuple(s for s in reversed(SENSITIVITIES) if s in failing),
        sources=tuple(s.name for s in result.sources),
    )


def _is_glob(identity: str) -> bool:
    return any(ch in identity for ch in "*?[")


def _approvals(baseline: Baseline, ident: str, address: str) -> dict[str, Approval] | None:
    """Return the approvals of a column: by its identity, its address, else a glob.

    The address (the source's name, a URL with user and host) is what
    baselines written before sources had identities say. Of several globs
    naming the column, the longest (the most specific) holds.
    """
    for key in (ident, address):
        if key in baseline.columns:
            return baseline.columns[key]
    globs = [k for k in baseline.columns if _is_glob(k) and fnmatch.fnmatchcase(ident, k)]
    return baseline.columns[max(globs, key=len)] if globs else None


def _raise(worst: dict[str, str], source: str, sev: str) -> None:
    cur = worst.get(source)
    if cur is None or SENSITIVITIES.index(sev) > SENSITIVITIES.index(cur):
        worst[source] = sev
