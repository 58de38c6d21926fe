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
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from scanner.cli_options import check_custom_detectors, connector_options, scan_options

if TYPE_CHECKING:
    from scanner.baseline import Baseline, Problem
    from scanner.model import ScanResult
    from scanner.policy import Policy
    from scanner.residency import Residency

logger = logging.getLogger("piiscan")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

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
class _ScanArgs:
    """The scan options of a command, as given."""

    sources: tuple[str, ...]
    sample_size: int
    full: bool
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    include_views: bool
    query_timeout: float
    jobs: int
    encoding: str | None
    delimiter: str | None
    header: bool | None
    cdr_format: str | None
    cdr_layout: str | None
    no_ner: bool
    custom_detectors: tuple[str, ...]
    policy_path: str | None
    config_path: str | None
    ddl_mode: bool
    dialect: str
    ddl_source: str
    ddl_schema: str | None
    quiet: bool


@dataclass(frozen=True)
class _Scanned:
    """What a command scanned: the result, its residency, DDL locations and problems."""

    result: ScanResult
    policy: Policy
    residency: Residency | None
    locations: dict[str, tuple[str, int]]
    problems: tuple[Problem, ...]


def _fail_usage(message: str) -> NoReturn:
    """Print one line, ``piiscan: error: ...``, and exit 2."""
    logger.error("%s", message)
    sys.exit(EXIT_USAGE)


def _setup(verbose: int, debug: bool) -> None:
    from scanner.cli import _setup_logging

    _setup_logging(verbose, debug)
    # sqlglot warns about statements it reads loosely, quoting them; ours say what matters.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _scan(args: _ScanArgs) -> _Scanned:
    """Scan the sources (or read the DDL files) with the given options."""
    from scanner.policy import Policy, PolicyError
    from scanner.scanconfig import ScanConfigError, load_scan_config, merge_results

    try:
        scanfile = load_scan_config(args.config_path) if args.config_path else None
    except ScanConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if not args.sources and scanfile is None:
        raise click.UsageError("give one or more SOURCE arguments, or --config FILE")
    policy_path = args.policy_path
    if policy_path is None and scanfile is not None:
        policy_path = scanfile.policy
    try:
        policy = Policy.load(policy_path)
    except PolicyError as exc:
        raise click.UsageError(str(exc)) from exc

    if args.ddl_mode:
        if scanfile is not None:
            raise click.UsageError("--config lists data sources; it does not go with --ddl")
        from scanner.baseline import Problem
        from scanner.ddl import DdlError, scan_ddl

        try:
            ddl = scan_ddl(args.sources, policy, dialect=args.dialect, source=args.ddl_source,
                           schema=args.ddl_schema)
        except DdlError as exc:
            _fail_usage(str(exc))
        for w in ddl.warnings:
            logger.warning("%s: line %s: %s", w.file, w.line, w.message)
        for p in ddl.problems:
            logger.error("%s: line %s: %s", p.file, p.line, p.message)
        problems = tuple(Problem(args.ddl_source, p.message, file=p.file, line=p.line)
                         for p in ddl.problems)
        locations = {k: (v.file, v.line) for k, v in ddl.locations.items()}
        return _Scanned(ddl.result, policy, None, locations, problems)

    from scanner.cli import _progress
    from scanner.config import ScanConfig
    from scanner.engine import scan as run_scan
    from scanner.residency import assess

    check_custom_detectors(args.custom_detectors)
    config = ScanConfig(
        sample_size=args.sample_size, full=args.full, ner=not args.no_ner,
        custom_detectors=args.custom_detectors,
        policy_path=policy_path, progress=not args.quiet and sys.stderr.isatty(),
        connector=connector_options(
            include=args.include, exclude=args.exclude, include_views=args.include_views,
            query_timeout=args.query_timeout, jobs=args.jobs, encoding=args.encoding,
            delimiter=args.delimiter, header=args.header, cdr_format=args.cdr_format,
            cdr_layout=args.cdr_layout),
    )
    plans = [(list(args.sources), config)] if args.sources else []
    if scanfile is not None:
        ctx = click.get_current_context()
        keep = {n for n in ("sample_size", "full")
                if ctx.get_parameter_source(n) is click.core.ParameterSource.COMMANDLINE}
        plans += scanfile.plan(config, keep=keep)
    with _progress(config.progress) as hook:
        result = merge_results([run_scan(specs, cfg, progress=hook) for specs, cfg in plans])
    return _Scanned(result, policy, assess(result, policy, scanfile), {}, ())


def _scan_args(sources: tuple[str, ...], kw: dict[str, Any]) -> _ScanArgs:
    return _ScanArgs(sources=sources, **{k: kw[k] for k in _ScanArgs.__dataclass_fields__
                                         if k != "sources"})


def _expires(value: str | None) -> dt.date | None:
    from scanner.baseline import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc).replace("'expires'", "the date"),
                                 param_hint="--expires") from exc


def _load_baseline(path: str, *, missing_ok: bool = False) -> Baseline:
    from scanner.baseline import Baseline, BaselineError, load

    if missing_ok and not Path(path).exists():
        return Baseline()
    try:
        return load(path)
    except BaselineError as exc:
        _fail_usage(str(exc))


def _save(baseline: Baseline, path: str) -> None:
    from scanner.baseline import BaselineError

    try:
        baseline.save(path)
    except BaselineError as exc:
        _fail_usage(str(exc))


# --- baseline --------------------------------------------------------------------------------


@click.group("baseline")
def baseline_group() -> None:
    """Record and edit the approved PII columns that `piiscan check` compares against."""


@baseline_group.command("create")
@click.argument("sources", nargs=-1)
@_scan_options
@click.option("--output", "-o", default=".piiscan-baseline.json", show_default=True,
              type=click.Path(dir_okay=False), help="Baseline file to write (updated in place "
              "if it exists: existing reasons and expiries are kept).")
@click.option("--reason", help="Reason recorded on approvals this run adds.")
@click.option("--expires", help="Last day (YYYY-MM-DD) the approvals this run adds hold.")
def create(sources: tuple[str, ...], output: str, reason: str | None, expires: str | None,
           **kw: Any) -> None:
    """Scan SOURCES and approve every PII column found (the baseline CI checks against)."""
    from scanner.baseline import from_result

    _setup(kw["verbose"], kw["debug"])
    until = _expires(expires)
    previous = _load_baseline(output, missing_ok=True)
    scanned = _scan(_scan_args(sources, kw))
    if not scanned.result.complete:
        for source in scanned.result.sources:
            if source.error:
                logger.error("%s", source.error)
        logger.error("the scan did not complete: %s left unchanged", output)
        sys.exit(EXIT_PARTIAL)
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
@click.option("--baseline", "-b", "baseline_path", default=".piiscan-baseline.json",
              show_default=True, type=click.Path(dir_okay=False), help="Baseline file to edit.")
@click.option("--reason", help="Why the column may hold it (kept in the file).")
@click.option("--expires", help="Last day (YYYY-MM-DD) the approval holds.")
def approve(columns: tuple[str, ...], entities: tuple[str, ...], baseline_path: str,
            reason: str | None, expires: str | None) -> None:
    """Approve entity types on COLUMNS (identities as `piiscan check` prints them).

    Without --reason or --expires an existing approval keeps its own; give
    them to renew or explain it.
    """
    from scanner.baseline import Approval
    from scanner.model import ENTITY_TYPES

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
@click.option("--baseline", "-b", "baseline_path", default=".piiscan-baseline.json",
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
    from scanner.baseline import check as run_check
    from scanner.baseline import parse_fail_on
    from scanner.gate_report import render, summary

    _setup(kw["verbose"], kw["debug"])
    try:
        severities = parse_fail_on(fail_on)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail-on") from exc
    baseline = _load_baseline(baseline_path)
    scanned = _scan(_scan_args(sources, kw))
    outcome = run_check(scanned.result, baseline, scanned.policy, scanned.residency,
                        fail_on=severities, locations=scanned.locations,
                        extra_problems=scanned.problems)
    buffer = io.StringIO()
    render(fmt, outcome, buffer, result=scanned.result, policy=scanned.policy,
           residency=scanned.residency, baseline_path=baseline_path,
           locations=scanned.locations)
    _emit(buffer.getvalue(), output)
    if output or fmt != "table":
        click.echo(summary(outcome), err=True)
    sys.exit(outcome.exit_code)


def _emit(text: str, output: str | None) -> None:
    if not output:
        click.echo(text, nl=False)
        return
    import os
    import tempfile

    target = Path(output)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from exc
    logger.info("report written to %s", output)


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

    from scanner.baseline import severity
    from scanner.ddl import DdlError, scan_ddl
    from scanner.policy import Policy, PolicyError

    _setup(verbose, debug)
    try:
        policy = Policy.load(policy_path)
    except PolicyError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        scanned = scan_ddl(files, policy, dialect=dialect, source=ddl_source, schema=ddl_schema)
    except DdlError as exc:
        _fail_usage(str(exc))
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
    sys.exit(EXIT_OK if scanned.complete else EXIT_PARTIAL)


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
