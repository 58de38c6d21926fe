"""``piiscan report RESULT.json``: re-render a saved JSON result without scanning again.

The saved file is what ``piiscan scan --format json`` wrote: the ScanResult
contract plus the ``policy`` and ``residency`` sections. The policy used at
scan time is restored from the ``policy`` section unless ``--policy`` names
another; source locations come from ``residency`` unless a ``--config`` file
declares them anew.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scanner.fileio import FileProblem, reading
from scanner.model import ScanResult

if TYPE_CHECKING:
    # Imported where used: `piiscan --help` loads no report, policy or residency module.
    from scanner.policy import Policy
    from scanner.policy.residency import Location
    from scanner.workflows.history import RunDiff

logger = logging.getLogger(__name__)


class ReportInputError(Exception):
    """The saved result cannot be read. The message names the file and the problem."""


@dataclass(frozen=True)
class SavedResult:
    """A JSON result read back: the scan, and the policy and locations it was reported with."""

    result: ScanResult
    policy: Policy | None
    locations: dict[str, Location]
    #: For a run read back from the results store: what changed since the run before it.
    history: RunDiff | None = None


def load_saved(path: str | Path) -> SavedResult:
    """Read a JSON result written by ``piiscan scan --format json``."""
    where = str(path)
    text = reading(ReportInputError)(path)
    try:
        data = json.loads(text)
    except RecursionError as exc:  # 100,000 nested brackets: one line, not a traceback
        raise ReportInputError(f"{where}: not a piiscan JSON result (nested too deeply)") from exc
    except json.JSONDecodeError as exc:
        raise ReportInputError(f"{where}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc
    return saved_from_data(data, where)


def load_recorded(run_id: int, store: str | None = None) -> SavedResult:
    """Read run ``run_id`` back from the results store (``--store``, else the default)."""
    from scanner.workflows.history import compare
    from scanner.workflows.store import Store, StoreError

    history = None
    try:
        with Store.open(store) as opened:
            data = opened.result(run_id)
            where = f"run {run_id} of {opened.where}"
            run = opened.run(run_id) if data is not None else None
            if run is not None:
                try:
                    history = compare(opened, opened.previous(run), run)
                except StoreError as exc:
                    logger.warning("%s; the report cannot say what changed since the run "
                                   "before", exc)
    except StoreError as exc:
        raise ReportInputError(str(exc)) from exc
    if data is None:
        raise ReportInputError(f"run {run_id}: no such run in the results store")
    return dataclasses.replace(saved_from_data(data, where), history=history)


def saved_from_data(data: Any, where: str) -> SavedResult:
    """Read a result already parsed from JSON; ``where`` names it in messages."""
    from scanner.policy import Policy, PolicyError
    from scanner.policy.residency import Residency

    if not isinstance(data, dict):
        raise ReportInputError(f"{where}: not a piiscan JSON result (expected an object)")
    try:
        result = ScanResult.from_dict(data)
    except ValueError as exc:
        raise ReportInputError(f"{where}: {exc}") from exc
    except (KeyError, TypeError, AttributeError) as exc:
        raise ReportInputError(
            f"{where}: not a piiscan JSON result (bad or missing {exc})"
        ) from exc
    policy: Policy | None = None
    saved_policy: Any = data.get("policy")
    if isinstance(saved_policy, dict):
        try:
            policy = Policy.from_dict(saved_policy, where=f"{where} (saved policy)")
        except PolicyError as exc:
            logger.warning("%s; using the default policy", exc)
    locations: dict[str, Location] = {}
    saved_residency: Any = data.get("residency")
    if isinstance(saved_residency, dict):
        try:
            locations = Residency.locations_from_dict(saved_residency)
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("%s: saved residency section unreadable (%s); inferring", where, exc)
    return SavedResult(result, policy, locations)


def rerender(
    result_path: str | Path | SavedResult,
    fmt: str,
    *,
    output: str | Path | None = None,
    policy_path: str | None = None,
    config_path: str | None = None,
    explain: bool = False,
) -> None:
    """Re-render a saved result (a file, or one read back already) to ``output``.

    Standard output when ``output`` is None. Raises ReportInputError,
    PolicyError, ConfigFileError or UnknownFormat with a message fit for one
    line on the terminal.
    """
    from reports.registry import get_renderer, render
    from scanner.policy import Policy
    from scanner.policy.residency import assess

    get_renderer(fmt)  # an unknown format fails before any reading
    saved = result_path if isinstance(result_path, SavedResult) else load_saved(result_path)
    policy = Policy.load(policy_path) if policy_path else (saved.policy or Policy.load(None))
    scanfile = None
    if config_path:
        from scanner.core.config_file import load_config_file

        scanfile = load_config_file(config_path)
    from reports.model import build_report
    from scanner.core.classify import apply_policy

    # A saved result shown under another policy takes that policy's categories.
    result = apply_policy(saved.result, policy)
    residency = assess(result, policy, scanfile, known=saved.locations)
    report = build_report(result, policy, residency, history=saved.history, explain=explain)
    render(fmt, report, out=output or sys.stdout)
    if output:
        logger.info("report written to %s", output)


@click.command("report")
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--run", "run_id", type=click.IntRange(min=1), metavar="ID",
              help="Render run ID of the results store (see `piiscan history`) instead of a file.")
@click.option("--store", "store", metavar="URL", help="Results store of --run (default: "
              "$PIISCAN_STORE, else ~/.local/share/piiscan/results.db).")
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Output format: html, json, sarif, csv, markdown, junit, terminal (or table). "
    "Default: from the -o file's suffix (report.sarif, report.md), else html.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report here instead of standard output.",
)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Policy YAML (default: the policy saved in the result, else the bundled one).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Scan configuration whose declared locations override the saved ones.",
)
@click.option("--explain", is_flag=True, help="Add every column to the table report: its "
              "findings and why, or how it was read and how close the detectors came.")
def report_command(
    result_file: str | None,
    run_id: int | None,
    store: str | None,
    fmt: str | None,
    output: str | None,
    policy_path: str | None,
    config_path: str | None,
    explain: bool,
) -> None:
    """Re-render a saved JSON result (piiscan scan --format json) without scanning again."""
    from reports.registry import UnknownFormat
    from scanner.cli.habits import format_for_output
    from scanner.core.config_file import ConfigFileError
    from scanner.policy import PolicyError

    fmt = fmt or format_for_output(output)

    if (result_file is None) == (run_id is None):
        raise click.UsageError("give a RESULT_FILE or --run ID (one of them)")
    try:
        saved: str | SavedResult = result_file if result_file is not None \
            else load_recorded(run_id or 0, store)
        rerender(saved, fmt, output=output, policy_path=policy_path, config_path=config_path,
                 explain=explain)
    except UnknownFormat as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    except (ReportInputError, PolicyError, ConfigFileError) as exc:
        raise click.UsageError(str(exc)) from exc
    except FileProblem as exc:
        raise click.FileError(str(output), hint=str(exc).split(": ", 1)[-1]) from exc
