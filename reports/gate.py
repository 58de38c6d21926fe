"""Output of ``piiscan check``: a text table, JSON, JUnit XML and SARIF 2.1.0.

* JUnit: one ``<testsuite>`` per source (a DDL source is one suite); a test
  case per column that holds PII (``classname`` = source, ``name`` =
  ``table/column``, plus ``file`` and ``line`` for DDL columns) that fails
  when a finding on it fails the gate and passes when the baseline approves
  it; a ``storage location`` case when the source breaks the storage rule;
  a ``(scan)`` case that errors when the source could not be scanned
  completely. No times: two runs over the same data give the same XML.
* SARIF: the scan report's SARIF log (``reports.formats.sarif``) with each
  result marked against the baseline: ``baselineState`` ``new`` (column not
  approved), ``updated`` (new entity type or expired approval) or
  ``unchanged``; approved results carry an accepted external
  ``suppression`` with the approval's reason, so code scanning shows only
  what fails. Findings below ``--fail-on`` are ``note``. DDL columns point at
  their file and line.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Literal, TextIO

from reports import build_report
from reports.formats._common import one_line, xml_safe
from reports.formats.sarif import artifact_uri, sarif_log
from scanner.model import ScanResult
from scanner.policy import Policy
from scanner.policy.residency import Residency, assess
from scanner.workflows.baseline import Approved, Finding, FindingKind, Outcome

FORMATS: tuple[str, ...] = ("table", "json", "junit", "sarif")

_KIND_TEXT = {
    FindingKind.NEW_COLUMN: "new PII column",
    FindingKind.NEW_ENTITY: "new entity type",
    FindingKind.EXPIRED: "approval expired",
    FindingKind.STORAGE: "storage violation",
}


def render(fmt: str, outcome: Outcome, out: TextIO, *, result: ScanResult, policy: Policy,
           residency: Residency | None, baseline_path: str,
           locations: Mapping[str, tuple[str, int]]) -> None:
    """Write the outcome in ``fmt`` (one of FORMATS) to ``out``."""
    if fmt == "json":
        doc = outcome.to_dict()
        doc["baseline"] = baseline_path
        json.dump(doc, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "junit":
        write_junit(outcome, out)
    elif fmt == "sarif":
        log = sarif(outcome, result, policy, residency, locations, baseline_path)
        json.dump(log, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        write_table(outcome, out, baseline_path)


def summary(outcome: Outcome) -> str:
    """One line: the verdict and its exit code."""
    failing = len(outcome.failing)
    others = len(outcome.findings) - failing
    parts = []
    if failing:
        parts.append(f"{failing} finding{'s fail' if failing != 1 else ' fails'} the check")
    if others:
        parts.append(f"{others} below --fail-on")
    parts.append(f"{len(outcome.approved)} approved")
    if outcome.stale:
        parts.append(f"{len(outcome.stale)} stale approval{'s' if len(outcome.stale) != 1 else ''}")
    if not outcome.complete:
        parts.append(f"scan incomplete ({len(outcome.problems)} problem"
                     f"{'s' if len(outcome.problems) != 1 else ''})")
    verdict = {0: "PASSED", 1: "FAILED", 3: "INCOMPLETE"}[outcome.exit_code]
    return f"piiscan check {verdict}: {', '.join(parts)} (exit {outcome.exit_code})"


def _where(file: str | None, line: int | None) -> str:
    return f"{file}:{line}: " if file else ""


def write_table(outcome: Outcome, out: TextIO, baseline_path: str) -> None:
    """Plain text for CI logs: failing findings first, then warnings, problems, a summary."""
    fail_on = ", ".join(outcome.fail_on) or "nothing"
    out.write(f"baseline {baseline_path}; failing on: {fail_on}\n")
    if outcome.findings:
        out.write("\n")
    for f in outcome.findings:
        tag = "FAIL" if f.fails else "warn"
        out.write(f"{tag:<5} {f.severity:<8} {_where(f.file, f.line)}{f.message}\n")
        if f.reasons:
            out.write(f"      {one_line('; '.join(f.reasons))}\n")
        if f.kind in {FindingKind.NEW_COLUMN, FindingKind.NEW_ENTITY} and f.entity:
            out.write(f"      approve: piiscan baseline approve --baseline {baseline_path} "
                      f"{_shell(f.identity)} --entity {f.entity} --reason '...'\n")
    if outcome.problems:
        out.write("\n")
    for p in outcome.problems:
        what = f"{p.source}/{p.table}" if p.table else p.source
        out.write(f"ERROR {_where(p.file, p.line)}{what}: {one_line(p.message)}\n")
    if outcome.stale:
        out.write(f"\n{len(outcome.stale)} approval(s) no longer found (re-run `piiscan "
                  "baseline create` to prune):\n")
        for ident in outcome.stale:
            out.write(f"      {ident}\n")
    out.write(f"\n{summary(outcome)}\n")


def _shell(text: str) -> str:
    if all(c.isalnum() or c in "@%+=:,./-_" for c in text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _grouped(
    outcome: Outcome, key: Literal["source", "identity"]
) -> tuple[dict[str, list[Finding]], dict[str, list[Approved]]]:
    """Return the outcome's findings and approvals grouped by their source or identity."""
    findings: dict[str, list[Finding]] = defaultdict(list)
    approved: dict[str, list[Approved]] = defaultdict(list)
    for f in outcome.findings:
        findings[getattr(f, key)].append(f)
    for a in outcome.approved:
        approved[getattr(a, key)].append(a)
    return findings, approved


# --- JUnit -----------------------------------------------------------------------------------


def write_junit(outcome: Outcome, out: TextIO) -> None:
    """Write the JUnit XML document (layout in the module docstring)."""
    findings, approved = _grouped(outcome, "source")
    sources = list(dict.fromkeys([*outcome.sources, *findings, *approved]))
    root = ET.Element("testsuites", name="piiscan check")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for source in sorted(sources):
        suite = _junit_suite(source, findings[source], approved[source],
                             [p for p in outcome.problems if p.source == source])
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def _junit_suite(source: str, findings: list[Finding], approved: list[Approved],
                 problems: list[Any]) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_safe(source))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    columns: dict[str, tuple[list[Finding], list[Approved]]] = {}
    storage_f = [f for f in findings if f.column is None]
    storage_a = [a for a in approved if a.column is None]
    for f in findings:
        if f.column is not None:
            columns.setdefault(f.identity, ([], []))[0].append(f)
    for a in approved:
        if a.column is not None:
            columns.setdefault(a.identity, ([], []))[1].append(a)

    scan_case = ET.SubElement(suite, "testcase", classname=xml_safe(source), name="(scan)")
    counts["tests"] += 1
    if problems:
        err = ET.SubElement(scan_case, "error", type="scan",
                            message=xml_safe(one_line(problems[0].message)))
        err.text = xml_safe("\n".join(
            f"{_where(p.file, p.line)}{p.table + ': ' if p.table else ''}{one_line(p.message)}"
            for p in problems))
        counts["errors"] += 1

    for ident in sorted(columns):
        fs, approvals = columns[ident]
        first: Finding | Approved = fs[0] if fs else approvals[0]
        name = f"{first.table}/{first.column}"
        attrs = {"classname": xml_safe(source), "name": xml_safe(name)}
        if first.file:
            attrs["file"] = xml_safe(first.file)
            attrs["line"] = str(first.line)
        case = ET.SubElement(suite, "testcase", attrs)
        _fill_case(case, fs, [f"approved: {a.entity}{_approval_text(a)}" for a in approvals],
                   counts)

    if storage_f or storage_a:
        case = ET.SubElement(suite, "testcase", classname=xml_safe(source),
                             name="storage location")
        _fill_case(case, storage_f, [f"approved{_approval_text(a)}" for a in storage_a],
                   counts)
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _fill_case(case: ET.Element, findings: list[Finding], approved: list[str],
               counts: dict[str, int]) -> None:
    """One JUnit test case: a failure when any finding fails, the rest as output."""
    counts["tests"] += 1
    fails = [f for f in findings if f.fails]
    if fails:
        fail = ET.SubElement(case, "failure", type=fails[0].kind.value,
                             message=xml_safe(one_line(fails[0].message)))
        fail.text = xml_safe("\n".join(_finding_line(f) for f in findings))
        counts["failures"] += 1
    notes = [_finding_line(f) for f in findings if not f.fails] + approved
    if notes:
        ET.SubElement(case, "system-out").text = xml_safe("\n".join(notes))


def _finding_line(f: Finding) -> str:
    reasons = f" ({one_line('; '.join(f.reasons))})" if f.reasons else ""
    return (f"{'FAIL' if f.fails else 'warn'} [{f.severity}] {_KIND_TEXT[f.kind]}: "
            f"{_where(f.file, f.line)}{f.message}{reasons}")


def _approval_text(a: Approved) -> str:
    parts = []
    if a.approval.reason:
        parts.append(a.approval.reason)
    if a.approval.expires:
        parts.append(f"until {a.approval.expires.isoformat()}")
    return f" ({'; '.join(parts)})" if parts else ""


# --- SARIF -----------------------------------------------------------------------------------


def sarif(outcome: Outcome, result: ScanResult, policy: Policy, residency: Residency | None,
          locations: Mapping[str, tuple[str, int]], baseline_path: str) -> dict[str, Any]:
    """Return the scan's SARIF log with every result marked against the baseline.

    ``residency`` is None for DDL files, which hold no data; their sources are
    then shown with the locations their names suggest, and no storage result.
    """
    shown = residency if residency is not None else assess(result, policy)
    report = build_report(result, policy, shown)
    log = sarif_log(report)
    run = log["runs"][0]
    findings, approved = _grouped(outcome, "identity")
    ddl_sources = {s.name for s in result.sources if s.kind == "ddl"}
    kept: list[dict[str, Any]] = []
    for res in run["results"]:
        logical = res["locations"][0]["logicalLocations"][0]
        ident = logical["fullyQualifiedName"]
        source = res["properties"].get("source", ident)
        if res["ruleId"] == "policy/storage-unverified" and ident in ddl_sources:
            continue  # a schema file holds no data: where it is stored is not a question
        fs = findings.get(ident, [])
        approvals = approved.get(ident, [])
        if res["ruleId"].startswith("pii/") or res["ruleId"] == "policy/storage-location":
            _mark(res, fs, approvals, baseline_path)
        if ident in locations and source in ddl_sources:
            file, line = locations[ident]
            res["locations"][0] = {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(file)},
                    "region": {"startLine": line},
                },
                "logicalLocations": res["locations"][0]["logicalLocations"],
            }
        kept.append(res)
    run["results"] = kept
    run["properties"]["gate"] = {
        "baseline": baseline_path,
        "failOn": list(outcome.fail_on),
        "exitCode": outcome.exit_code,
        "failing": len(outcome.failing),
        "approved": len(outcome.approved),
    }
    return log


def _mark(res: dict[str, Any], fs: list[Finding], approvals: list[Approved],
          baseline_path: str) -> None:
    if any(f.kind in {FindingKind.NEW_COLUMN, FindingKind.STORAGE} for f in fs):
        res["baselineState"] = "new"
    elif fs:
        res["baselineState"] = "updated"
    else:
        res["baselineState"] = "unchanged"
    if fs:
        text = " ".join(f"Gate: {_KIND_TEXT[f.kind]}"
                        f"{' ' + f.entity if f.entity else ''} ({f.severity})." for f in fs)
        res["message"]["text"] = one_line(f"{res['message']['text']} {text}")
        if not any(f.fails for f in fs):
            res["level"] = "note"
    elif approvals:
        reasons = "; ".join(a.approval.reason for a in approvals if a.approval.reason)
        res["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": reasons or f"approved in {baseline_path}",
        }]
    res["properties"]["gate"] = {
        "findings": [f.to_dict() for f in fs],
        "approved": [a.to_dict() for a in approvals],
    }
