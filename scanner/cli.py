"""The command line: parse options, build a configuration, run the engine, render.

Exit codes: 0 the scan completed; 2 usage or configuration error; 3 the scan
completed only partly (a source or a table failed).
"""

from __future__ import annotations

import json
import logging
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import click

from scanner.cli_options import check_custom_detectors, connector_options, scan_options
from scanner.config import ScanConfig

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

logger = logging.getLogger("piiscan")


class _OneLine(logging.Formatter):
    """``piiscan: error: <message>`` on one line; tracebacks only with --debug."""

    def __init__(self, debug: bool) -> None:
        super().__init__()
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage().replace("\n", " ")
        line = f"piiscan: {record.levelname.lower()}: {msg}"
        if self.debug and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _setup_logging(verbose: int, debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine(debug))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.DEBUG if debug else (logging.INFO if verbose else logging.WARNING)
    root.setLevel(level)
    for noisy in ("presidio-analyzer", "urllib3", "filelock", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="piiscan")
def main() -> None:
    """piiscan: find personal data (PII) and calling details (CPNI), checked against a policy."""


def _format_choices() -> list[str]:
    from reports import format_names

    return list(format_names())


@main.command()
@click.argument("sources", nargs=-1, required=False)
@scan_options
@click.option("--format", "fmt", default="table", show_default=True,
              help="Output format: table, json, html, sarif, csv, markdown, junit.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report here instead of standard output.")
@click.option("--store", "store", metavar="URL", help="Results store: a SQLite path or a database "
              "URL (default: $PIISCAN_STORE, else ~/.local/share/piiscan/results.db).")
@click.option("--no-store", is_flag=True, help="Do not record this run in the results store.")
@click.option("--notify", metavar="URL", help="POST a JSON summary of what is new since the "
              "previous run of this configuration to this webhook.")
def scan(sources: tuple[str, ...], sample_size: int, full: bool, fmt: str, output: str | None,
         include: tuple[str, ...], exclude: tuple[str, ...], include_views: bool,
         query_timeout: float, jobs: int, encoding: str | None, delimiter: str | None,
         header: bool | None, cdr_format: str | None, cdr_layout: str | None, no_ner: bool,
         policy_path: str | None, quiet: bool, verbose: int, debug: bool,
         config_path: str | None = None, store: str | None = None, no_store: bool = False,
         notify: str | None = None, custom_detectors: tuple[str, ...] = ()) -> None:
    """Scan files, directories, globs and database URLs for PII and CPNI."""
    _setup_logging(verbose, debug)
    if fmt not in _format_choices():
        raise click.BadParameter(f"choose from {', '.join(_format_choices())}",
                                 param_hint="--format")
    connector = connector_options(
        include=include, exclude=exclude, include_views=include_views,
        query_timeout=query_timeout, jobs=jobs, encoding=encoding, delimiter=delimiter,
        header=header, cdr_format=cdr_format, cdr_layout=cdr_layout)
    from scanner.policy import Policy, PolicyError
    from scanner.scanconfig import ScanConfigError, load_scan_config, merge_results

    try:
        scanfile = load_scan_config(config_path) if config_path else None
    except ScanConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if not sources and scanfile is None:
        raise click.UsageError("give one or more SOURCE arguments, or --config FILE")
    if policy_path is None and scanfile is not None:
        policy_path = scanfile.policy
    try:
        policy = Policy.load(policy_path)
    except PolicyError as exc:
        raise click.UsageError(str(exc)) from exc
    check_custom_detectors(custom_detectors)
    config = ScanConfig(
        sample_size=sample_size, full=full, ner=not no_ner, policy_path=policy_path,
        custom_detectors=custom_detectors,
        progress=not quiet and sys.stderr.isatty(),
        connector=connector,
    )
    from scanner.engine import scan as run_scan
    from scanner.history import RunBusy, ScanRecording

    try:
        recording = ScanRecording.prepare(store=store, enabled=not no_store,
                                          config_path=config_path, sources=sources, notify=notify)
        recording.start()  # the run lock: two runs of one configuration never overlap
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    except RunBusy as exc:
        logger.error("%s", exc)
        sys.exit(EXIT_PARTIAL)
    plans = [(list(sources), config)] if sources else []
    if scanfile is not None:
        # The file's sample_size/full apply unless given on the command line.
        ctx = click.get_current_context()
        keep = {n for n in ("sample_size", "full")
                if ctx.get_parameter_source(n) is click.core.ParameterSource.COMMANDLINE}
        plans += scanfile.plan(config, keep=keep)
    with recording:  # releases the run lock
        with _progress(config.progress) as hook:
            result = merge_results([run_scan(specs, cfg, progress=hook) for specs, cfg in plans])
        from scanner.residency import assess

        residency = assess(result, policy, scanfile)
        _write(fmt, result, policy, output, residency)
        recorded = recording.finish(result, residency)  # a store failure is one line and exit 3
    sys.exit(EXIT_OK if result.complete and recorded else EXIT_PARTIAL)


def _write(fmt: str, result: Any, policy: Any, output: str | None, residency: Any = None) -> None:
    from reports import render

    if output:
        try:
            with Path(output).open("w", encoding="utf-8", newline="") as fh:
                render(fmt, result, policy=policy, residency=residency, out=fh)
        except OSError as exc:
            raise click.FileError(output, hint=exc.strerror) from exc
        logger.info("report written to %s", output)
    else:
        render(fmt, result, policy=policy, residency=residency, out=sys.stdout)


def _progress(enabled: bool) -> AbstractContextManager[Any]:
    if not enabled:
        return nullcontext(None)
    return _RichProgress()


class _RichProgress:
    """A progress bar on stderr, one task per table."""

    def __enter__(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            console=Console(stderr=True), transient=True)
        self.tasks: dict[str, Any] = {}
        self.bar.__enter__()
        return self.hook

    def hook(self, table: str, rows: int, total: int | None) -> None:
        task = self.tasks.get(table)
        if task is None:
            task = self.tasks[table] = self.bar.add_task(table, total=total)
        self.bar.update(task, completed=rows)

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--detectors", "custom_detectors", multiple=True,
              type=click.Path(exists=True, dir_okay=False),
              help="Also list the detectors of this YAML file (repeatable).")
def detectors(fmt: str, custom_detectors: tuple[str, ...]) -> None:
    """List the detectors and what each looks for."""
    from detectors.custom import load
    from detectors.registry import detector_classes

    check_custom_detectors(custom_detectors)
    rows = [{"entity": c.entity, "name": c.name, "description": c.description()}
            for c in detector_classes()]
    rows += [{"entity": d.entity, "name": d.name, "description": d.description()}
             for path in custom_detectors for d in load(path)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("entity", "detector", "description", box=None)
    for r in rows:
        table.add_row(r["entity"], r["name"], r["description"])
    Console().print(table)


def _add_report_command() -> None:
    from reports.cli_report import report_command

    main.add_command(report_command)


_add_report_command()


def _add_history_commands() -> None:
    from scanner.cli_history import diff_command, history_command

    main.add_command(history_command)
    main.add_command(diff_command)


_add_history_commands()


def _add_gate_commands() -> None:
    from scanner.cli_gate import baseline_group, check, ddl

    main.add_command(baseline_group)
    main.add_command(check)
    main.add_command(ddl)


_add_gate_commands()


if __name__ == "__main__":
    main()
