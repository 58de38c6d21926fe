"""The CI gate's commands: ``piiscan baseline create|approve``, ``piiscan check``, ``piiscan ddl``.

Exit codes of ``check``: 0 nothing new; 1 a finding fails the gate (a column
gained PII, an approved column gained an entity type, an approval expired, a
storage violation appeared), which wins over 3; 2 usage error (a missing or
malformed baseline is reported on one line naming the file and the line);
3 the scan could not complete, so the check cannot pass. ``baseline create``
exits 3 without writing when the scan is incomplete (a partial baseline would
silently drop approvals).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scanner.cli.common import (
    ScanArgs,
    emit,
    fail_usage,
    load_inputs,
    run_scan,
    setup_logging,
)
from scanner.cli.options import scan_options
from scanner.model import ExitCode
from scanner.redact import redact_url
from scanner.workflows import BASELINE_PATH as DEFAULT_PATH

if TYPE_CHECKING:
    from scanner.model import ScanResult
    from scanner.policy import Policy
    from scanner.policy.residency import Residency
    from scanner.workflows.baseline import Baseline, GateProblem

logger = logging.getLogger("piiscan")


_F = TypeVar("_F", bound=Callable[..., Any])


def _scan_options(func: _F) -> _F:
    """Add the options of ``piiscan scan`` that change what a scan finds, and the DDL ones."""
    options = [
        click.option("--ddl", "ddl_mode", is_flag=True,
                     help="SOURCES are SQL DDL files (migrations, schema dumps), not data."),
        click.option("--dialect", type=click.Choice(["auto", "postgres", "mysql", "sqlite"]),
                     default="auto", show_default=True, help="SQL dialect of --ddl files."),
        click.option("--ddl-source", default="ddl", show_default=True,
                     help="Source part of DDL column identities (e.g. the database URL, to "
                     "share approvals with scans of that database)."),
        click.option("--ddl-schema", default=None,
                     help="Schema of unqualified DDL tables (default: public for PostgreSQL, "
                     "none otherwise; '' for none)."),
    ]
    for option in reversed(options):
        func = option(func)
    return scan_options(func)


@dataclass(frozen=True)
class _Scanned:
    """What a command scanned: the result, its residency, DDL locations and problems."""

    result: ScanResult
    policy: Policy
    residency: Residency | None
    locations: dict[str, tuple[str, int]]
    problems: tuple[GateProblem, ...]


def _setup(verbose: int, debug: bool) -> None:
    setup_logging(verbose, debug)


def _scan(sources: tuple[str, ...], kw: dict[str, Any]) -> _Scanned:
    """Scan the sources (or read the DDL files) with the given options."""
    args = ScanArgs.of(sources, kw)
    inputs = load_inputs(args)
    if kw["ddl_mode"]:
        if inputs.config_file is not None:
            raise click.UsageError("--config lists data sources; it does not go with --ddl")
        from scanner.core.ddl import DdlError, scan_ddl
        from scanner.workflows.baseline import GateProblem

        try:
            ddl = scan_ddl(args.sources, inputs.policy, dialect=kw["dialect"],
                           source=kw["ddl_source"], schema=kw["ddl_schema"])
        except DdlError as exc:
            fail_usage(str(exc))
        for w in ddl.warnings:
            logger.warning("%s: line %s: %s", w.file, w.line, w.message)
        for p in ddl.problems:
            logger.error("%s: line %s: %s", p.file, p.line, p.message)
        shown = redact_url(kw["ddl_source"])
        problems = tuple(GateProblem(shown, p.message, file=p.file, line=p.line)
                         for p in ddl.problems)
        locations = {k: (v.file, v.line) for k, v in ddl.locations.items()}
        return _Scanned(ddl.result, inputs.policy, None, locations, problems)
    result, residency = run_scan(args, inputs)
    return _Scanned(result, inputs.policy, residency, {}, ())


def _expires(value: str | None) -> dt.date | None:
    from scanner.workflows.baseline import parse_date

    if value is None:
        return None
    try:
        day = parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc).replace("'expires'", "the date"),
                                 param_hint="--expires") from exc
    if day < dt.date.today():
        # An approval that never held would fail the very next check.
        raise click.BadParameter(f"{value} is in the past (the last day the approval holds)",
                                 param_hint="--expires")
    return day


def _load_baseline(path: str, *, missing_ok: bool = False) -> Baseline:
    from scanner.workflows.baseline import Baseline, BaselineError, load

    if missing_ok and not Path(path).exists():
        return Baseline()
    try:
        return load(path)
    except BaselineError as exc:
        fail_usage(str(exc))


def _save(baseline: Baseline, path: str) -> None:
    from scanner.workflows.baseline import BaselineError

    try:
        baseline.save(path)
    except BaselineError as exc:
        fail_usage(str(exc))


# --- baseline --------------------------------------------------------------------------------


@click.group("baseline")
def baseline_group() -> None:
    """Record and edit the approved PII columns that `piiscan check` compares against."""


@baseline_group.command("create")
@click.argument("sources", nargs=-1)
@_scan_options
@click.option("--output", "-o", default=DEFAULT_PATH, show_default=True,
              type=click.Path(dir_okay=False), help="Baseline file to write (updated in place "
              "if it exists: existing reasons and expiries are kept).")
@click.option("--reason", help="Reason recorded on approvals this run adds.")
@click.option("--expires", help="Last day (YYYY-MM-DD) the approvals this run adds hold.")
def create(sources: tuple[str, ...], output: str, reason: str | None, expires: str | None,
           **kw: Any) -> None:
    """Scan SOURCES and approve every PII column found (the baseline CI checks against)."""
    from scanner.workflows.baseline import from_result

    _setup(kw["verbose"], kw["debug"])
    until = _expires(expires)
    previous = _load_baseline(output, missing_ok=True)
    scanned = _scan(sources, kw)
    if not scanned.result.complete:
        for source in scanned.result.sources:
            if source.error:
                logger.error("%s", source.error)
        logger.error("the scan did not complete: %s left unchanged", output)
        sys.exit(ExitCode.PARTIAL)
    baseline = from_result(scanned.result, scanned.residency, previous=previous,
                           reason=reason, expires=until)
    _save(baseline, output)
    added = sum(1 for ident, ents in baseline.columns.items() for e in ents
                if e not in previous.columns.get(ident, {}))
    total = sum(len(ents) for ents in baseline.columns.values())
    click.echo(f"{output}: {total} approved finding{'s' if total != 1 else ''} in "
               f"{len(baseline.columns)} column{'s' if len(baseline.columns) != 1 else ''} "
               f"({added} new), {len(baseline.storage)} storage approval"
               f"{'s' if len(baseline.storage) != 1 else ''}", err=True)


@baseline_group.command("approve")
@click.argument("columns", nargs=-1, required=True)
@click.option("--entity", "-e", "entities", multiple=True, required=True,
              help="Entity type to approve (repeatable), e.g. US_SSN.")
@click.option("--baseline", "-b", "baseline_path", default=DEFAULT_PATH,
              show_default=True, type=click.Path(dir_okay=False), help="Baseline file to edit.")
@click.option("--reason", help="Why the column may hold it (kept in the file).")
@click.option("--expires", help="Last day (YYYY-MM-DD) the approval holds.")
def approve(columns: tuple[str, ...], entities: tuple[str, ...], baseline_path: str,
            reason: str | None, expires: str | None) -> None:
    """Approve entity types on COLUMNS (identities as `piiscan check` prints them).

    A column may be a glob (`'crm/*/ssn'`, `'exports/*.csv/email'`): the
    approval holds for every column it names, now and later; an exact
    identity, then the longest glob, wins.

    Without --reason or --expires an existing approval keeps its own; give
    them to renew or explain it.
    """
    from scanner.model import ENTITY_TYPES
    from scanner.workflows.baseline import Approval

    _setup(0, False)
    bad = [e for e in entities if e not in ENTITY_TYPES]
    if bad:
        raise click.BadParameter(f"unknown entity type {bad[0]!r} (one of "
                                 f"{', '.join(ENTITY_TYPES)})", param_hint="--entity")
    for ident in columns:
        if "/" not in ident:
            raise click.BadParameter(f"{ident!r} is not a column identity "
                                     "(source/table/column)", param_hint="COLUMNS")
    until = _expires(expires)
    baseline = _load_baseline(baseline_path, missing_ok=True)
    for ident in columns:
        for entity in entities:
            old = baseline.columns.get(ident, {}).get(entity) or Approval()
            new = Approval(reason if reason is not None else old.reason,
                           until if until is not None else old.expires)
            baseline = baseline.approve(ident, [entity], new)
    _save(baseline, baseline_path)
    click.echo(f"{baseline_path}: approved {', '.join(entities)} on {len(columns)} column"
               f"{'s' if len(columns) != 1 else ''}", err=True)


# --- check -----------------------------------------------------------------------------------


@click.command("check")
@click.argument("sources", nargs=-1)
@click.option("--baseline", "-b", "baseline_path", default=DEFAULT_PATH,
              show_default=True, type=click.Path(dir_okay=False),
              help="Baseline of approved PII columns.")
@click.option("--fail-on", default="all", show_default=True,
              help="Severities that fail the check: critical,high,medium,low (comma-separated); "
              "'high+' means high and above; 'none' only reports.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "junit", "sarif"]),
              default="table", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the report here instead of standard output.")
@_scan_options
def check(sources: tuple[str, ...], baseline_path: str, fail_on: str, fmt: str,
          output: str | None, **kw: Any) -> None:
    """Scan SOURCES (or read --ddl files) and fail on PII the baseline does not approve."""
    from reports.gate import render, summary
    from scanner.workflows.baseline import check as run_check
    from scanner.workflows.baseline import parse_fail_on

    _setup(kw["verbose"], kw["debug"])
    try:
        severities = parse_fail_on(fail_on)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from exc
    baseline = _load_baseline(baseline_path)
    scanned = _scan(sources, kw)
    outcome = run_check(scanned.result, baseline, scanned.policy, scanned.residency,
                        fail_on=severities, locations=scanned.locations,
                        extra_problems=scanned.problems)
    buffer = io.StringIO()
    render(fmt, outcome, buffer, result=scanned.result, policy=scanned.policy,
           residency=scanned.residency, baseline_path=baseline_path,
           locations=scanned.locations)
    emit(buffer.getvalue(), output)
    if output or fmt != "table":
        click.echo(summary(outcome), err=True)
    sys.exit(outcome.exit_code)


# --- ddl -------------------------------------------------------------------------------------


@click.command("ddl")
@click.argument("files", nargs=-1, required=True)
@click.option("--dialect", type=click.Choice(["auto", "postgres", "mysql", "sqlite"]),
              default="auto", show_default=True, help="SQL dialect (auto: guessed per file).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--ddl-source", default="ddl", show_default=True,
              help="Source part of the column identities.")
@click.option("--ddl-schema", default=None,
              help="Schema of unqualified tables (default: public for PostgreSQL).")
@click.option("--all", "show_all", is_flag=True, help="List every column, not only PII ones.")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
              help="Policy YAML (default: the bundled policy).")
@click.option("--verbose", "-v", count=True, help="More log output.")
@click.option("--debug", is_flag=True, help="Show internal tracebacks.")
def ddl(files: tuple[str, ...], dialect: str, fmt: str, ddl_source: str, ddl_schema: str | None,
        show_all: bool, policy_path: str | None, verbose: int, debug: bool) -> None:
    """Classify the columns that SQL migrations create (CREATE TABLE, ALTER TABLE ... ADD).

    Exit 0 when every statement was read, 3 when one could not be parsed.
    """
    import json

    from scanner.core.ddl import DdlError, scan_ddl
    from scanner.policy import Policy, PolicyError
    from scanner.workflows.baseline import severity

    _setup(verbose, debug)
    try:
        policy = Policy.load(policy_path)
    except PolicyError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        scanned = scan_ddl(files, policy, dialect=dialect, source=ddl_source, schema=ddl_schema)
    except DdlError as exc:
        fail_usage(str(exc))
    rows: list[dict[str, Any]] = []
    for table in scanned.result.sources[0].tables:
        for col in table.columns:
            if not col.detections and not show_all:
                continue
            ident = str(col.ref)
            loc = scanned.locations[ident]
            entities = sorted({d.entity for d in col.detections})
            sev = max((severity(policy, e, col.cpni) for e in entities),
                      key=_severity_rank, default=None)
            rows.append({
                "identity": ident, "file": loc.file, "line": loc.line,
                "table": col.ref.table_path, "column": col.ref.column,
                "data_type": col.ref.data_type, "entities": entities,
                "categories": list(col.categories), "cpni": col.cpni, "severity": sev,
                "reasons": [r for d in col.detections for r in d.reasons],
            })
    problems = [{"file": p.file, "line": p.line, "message": p.message}
                for p in scanned.problems]
    warnings = [{"file": w.file, "line": w.line, "message": w.message}
                for w in scanned.warnings]
    if fmt == "json":
        click.echo(json.dumps({"columns": rows, "problems": problems, "warnings": warnings,
                               "complete": scanned.complete}, indent=2, ensure_ascii=False))
    else:
        _ddl_table(rows, problems, warnings)
    sys.exit(ExitCode.OK if scanned.complete else ExitCode.PARTIAL)


def _severity_rank(sev: str) -> int:
    from scanner.policy import SENSITIVITIES

    return SENSITIVITIES.index(sev)


def _ddl_table(rows: Sequence[dict[str, Any]], problems: Sequence[dict[str, Any]],
               warnings: Sequence[dict[str, Any]]) -> None:
    for r in rows:
        entities = ", ".join(r["entities"]) or "-"
        cpni = " [CPNI]" if r["cpni"] else ""
        click.echo(f"{r['file']}:{r['line']}: {r['table']}.{r['column']} "
                   f"{r['data_type'] or '?'}: {entities}{cpni}"
                   f"{' (' + r['severity'] + ')' if r['severity'] else ''}")
    for w in warnings:
        click.echo(f"{w['file']}:{w['line']}: warning: {w['message']}")
    for p in problems:
        click.echo(f"{p['file']}:{p['line']}: error: {p['message']}")
    flagged = sum(1 for r in rows if r["entities"])
    click.echo(f"{flagged} column{'s' if flagged != 1 else ''} with PII"
               f"{f', {len(problems)} unreadable statements' if problems else ''}")
