"""``piiscan history`` and ``piiscan diff``: recorded runs, and what changed between two.

Exit codes: ``history`` 0, ``diff`` 0 when nothing is new and 1 when something
is (a new PII column, an added entity type, a column that became CPNI, a new
storage violation); both 2 on usage errors (an unknown run id, too few runs)
and 3 when the results store cannot be read.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import TYPE_CHECKING, NoReturn

import click

from scanner.model import ExitCode

if TYPE_CHECKING:
    from scanner.workflows.store import RunInfo, Store

logger = logging.getLogger(__name__)


_STORE_HELP = ("Results store: a SQLite path or a database URL "
               "(default: $PIISCAN_STORE, else ~/.local/share/piiscan/results.db).")
_CONFIG_HELP = "Only runs of this scan configuration (the file given to scan --config)."


def _fail(message: str) -> NoReturn:
    click.echo(f"piiscan: error: {message}", err=True)
    sys.exit(ExitCode.PARTIAL)


def _config_hash(config_path: str | None) -> str | None:
    from scanner.workflows.store import config_identity

    return config_identity(config_path).hash if config_path else None


@click.group("history", invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=_CONFIG_HELP)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many runs to list, newest first.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--store", "store_option", metavar="URL", help=_STORE_HELP)
@click.pass_context
def history_command(ctx: click.Context, config_path: str | None, limit: int, fmt: str,
                    store_option: str | None) -> None:
    """List recorded scans, newest first (``history prune`` removes old ones)."""
    if ctx.invoked_subcommand is not None:
        return
    from scanner.workflows.store import NoStore, Store, StoreError

    try:
        with Store.open(store_option, create=False) as store:
            runs = store.runs(_config_hash(config_path), limit)
    except NoStore as exc:
        logger.debug("%s", exc)
        runs = []
    except StoreError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps([r.to_dict() for r in runs], indent=2, sort_keys=True))
        return
    if not runs:
        click.echo("no runs recorded" + (" for this configuration" if config_path else ""))
        return
    click.echo(_history_table(runs))


_AGE_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def _age(text: str | None) -> dt.timedelta | None:
    """Parse ``--older-than``: a whole number of hours, days or weeks (``12h``, ``30d``, ``8w``)."""
    if text is None:
        return None
    value = text.strip().lower()
    if len(value) < 2 or value[-1] not in _AGE_UNITS or not value[:-1].isdigit():
        raise click.BadParameter(f"{text!r}: give a number and h, d or w (30d, 12h, 8w)",
                                 param_hint="--older-than")
    return dt.timedelta(seconds=int(value[:-1]) * _AGE_UNITS[value[-1]])


@history_command.command("prune")
@click.option("--keep", type=click.IntRange(min=1), default=None,
              help="Keep the newest N runs of each configuration.")
@click.option("--older-than", "older_than", metavar="AGE",
              help="Remove runs started longer ago than AGE (30d, 12h, 8w).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Only runs of this scan configuration.")
@click.option("--store", "store_option", metavar="URL", help=_STORE_HELP)
def prune_command(keep: int | None, older_than: str | None, config_path: str | None,
                  store_option: str | None) -> None:
    """Remove old runs from the results store (both rules given: a run must break both)."""
    from scanner.workflows.store import NoStore, Store, StoreError

    age = _age(older_than)
    if keep is None and age is None:
        raise click.UsageError("give --keep N and/or --older-than AGE")
    try:
        with Store.open(store_option, create=False) as store:
            gone = store.prune(keep=keep, older_than=age, config_hash=_config_hash(config_path))
            left = len(store.runs(_config_hash(config_path), counts=False))
    except NoStore as exc:
        logger.debug("%s", exc)
        gone, left = 0, 0
    except StoreError as exc:
        _fail(str(exc))
    click.echo(f"{gone} run{'s' if gone != 1 else ''} removed, {left} kept")


def _history_table(runs: list[RunInfo]) -> str:
    head = ("run", "started", "seconds", "complete", "pii", "cpni", "violations",
            "notified", "configuration")
    rows = [
        (str(r.id), r.started_at, f"{r.seconds:.1f}", "yes" if r.complete else "no",
         str(r.pii_columns), str(r.cpni_columns), str(r.violations),
         r.notification or "-", r.config_name)
        for r in runs
    ]
    widths = [max(len(head[i]), *(len(row[i]) for row in rows)) for i in range(len(head) - 1)]

    def line(cells: tuple[str, ...]) -> str:
        fixed = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=True))
        return f"{fixed}  {cells[-1]}"

    return "\n".join([line(head), *(line(r) for r in rows)])


@click.command("diff")
@click.argument("old", type=click.IntRange(min=1), required=False)
@click.argument("new", type=click.IntRange(min=1), required=False)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=_CONFIG_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True)
@click.option("--store", "store_option", metavar="URL", help=_STORE_HELP)
def diff_command(old: int | None, new: int | None, config_path: str | None, fmt: str,
                 store_option: str | None) -> None:
    """Show new, removed and changed PII columns and new storage violations between two runs.

    With no run ids: the latest run (of --config, else of any configuration)
    against the run before it. With one id: that run against the run before
    it. "The run before" is the latest earlier complete run of the same
    configuration, else the latest earlier run. Exits 1 when something is new.
    """
    from reports.diff import RENDERERS
    from scanner.workflows.history import compare
    from scanner.workflows.store import NoStore, Store, StoreError

    try:
        with Store.open(store_option, create=False) as store:
            newer, older = _pick(store, old, new, config_path)
            diff = compare(store, older, newer)
    except NoStore as exc:
        raise click.UsageError(str(exc)) from exc
    except StoreError as exc:
        _fail(str(exc))
    click.echo(RENDERERS[fmt](diff), nl=False)
    sys.exit(ExitCode.FINDINGS if diff.has_new else ExitCode.OK)


def _pick(store: Store, old: int | None, new: int | None,
          config_path: str | None) -> tuple[RunInfo, RunInfo]:
    """Return (newer, older) for the diff's arguments; UsageError when they name nothing."""
    if old is not None and new is not None:
        return _get(store, new), _get(store, old)
    if old is not None:
        newer = _get(store, old)
    else:
        latest = store.runs(_config_hash(config_path), limit=1)
        if not latest:
            where = "for this configuration" if config_path else f"in {store.where}"
            raise click.UsageError(f"no runs recorded {where}")
        newer = latest[0]
    older = store.previous(newer)
    if older is None:
        raise click.UsageError(
            f"run {newer.id} is the only run of its configuration; nothing to compare with"
        )
    return newer, older


def _get(store: Store, run_id: int) -> RunInfo:
    run = store.run(run_id)
    if run is None:
        raise click.UsageError(f"no run {run_id} in {store.where} (see piiscan history)")
    return run
