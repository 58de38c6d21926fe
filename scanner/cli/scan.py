"""``piiscan scan`` and ``piiscan detectors``.

Exit codes: 0 the scan completed; 2 usage or configuration error; 3 the scan
completed only partly (a source or a table failed, or the run could not be recorded).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from scanner.cli.common import (
    ScanArgs,
    check_output,
    load_inputs,
    run_scan,
    setup_logging,
    write_report,
)
from scanner.cli.options import check_custom_detectors, scan_options
from scanner.model import ExitCode

logger = logging.getLogger("piiscan")


def _format_choices() -> list[str]:
    from reports import format_names

    return list(format_names())


@click.command()
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
@click.option("--explain", is_flag=True, help="Add every column to the table report: its "
              "findings and why, or how it was read and how close the detectors came "
              "(JSON always carries these as each column's notes).")
def scan(sources: tuple[str, ...], fmt: str, output: str | None, store: str | None,
         no_store: bool, notify: str | None, explain: bool, **options: Any) -> None:
    """Scan files, directories, globs and database URLs for PII and CPNI."""
    from reports import build_report
    from scanner.workflows.recording import RunBusy, ScanRecording

    setup_logging(options["verbose"], options["debug"])
    if fmt not in _format_choices():
        raise click.BadParameter(f"choose from {', '.join(_format_choices())}",
                                 param_hint="--format")
    check_output(output)  # before scanning: a long scan is not thrown away at the end
    args = ScanArgs.of(sources, options)
    inputs = load_inputs(args)
    try:
        recording = ScanRecording.prepare(store=store, enabled=not no_store,
                                          config_path=args.config_path, sources=sources,
                                          notify=notify)
        recording.start()  # the run lock: two runs of one configuration never overlap
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    except RunBusy as exc:
        logger.error("%s", exc)
        sys.exit(ExitCode.PARTIAL)
    with recording:  # releases the run lock
        result, residency = run_scan(args, inputs)
        # Recorded before the report is written: a failed write or Ctrl-C loses nothing.
        recorded = recording.finish(result, residency)  # a store failure is one line and exit 3
        try:
            write_report(fmt, build_report(result, inputs.policy, residency,
                                           history=recording.diff, explain=explain), output)
        except click.FileError as exc:
            again = ""
            if recording.run_id is not None:
                again = (f"; run {recording.run_id} is in the results store: render it with "
                         f"`piiscan report --run {recording.run_id} --format {fmt} -o FILE`")
                if store:
                    again = again[:-1] + " --store STORE`"
            logger.error("cannot write %s (%s)%s", exc.filename, exc.message, again)
            sys.exit(ExitCode.PARTIAL)
    sys.exit(ExitCode.OK if result.complete and recorded else ExitCode.PARTIAL)


@click.command()
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
