"""``piiscan site``: build the privacy site (a static website) from the results store.

Exit codes: 0 built; 2 usage errors (a bad baseline or policy file, an output
directory that is not a piiscan site); 3 when the store cannot be read or the
site cannot be written.
"""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

import click

from scanner.model import ExitCode

logger = logging.getLogger(__name__)


def _fail(message: str) -> NoReturn:
    click.echo(f"piiscan: error: {message}", err=True)
    sys.exit(ExitCode.PARTIAL)


@click.command("site")
@click.option("--output", "-o", "output", required=True,
              type=click.Path(file_okay=False, writable=True),
              help="The site's directory (created; an earlier site there is updated).")
@click.option("--store", "store_option", metavar="URL",
              help="Results store: a SQLite path or a database URL "
                   "(default: $PIISCAN_STORE, else ~/.local/share/piiscan/results.db).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Only runs of this scan configuration (the file given to scan --config).")
@click.option("--baseline", "baseline_path", type=click.Path(exists=True, dir_okay=False),
              help="Baseline file: approvals shown on column pages, expiring ones on the overview.")
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False),
              help="Policy YAML for category titles (default: the bundled policy).")
@click.option("--runs", type=click.IntRange(min=1), default=30, show_default=True,
              help="At least this many of the newest runs for the trend, changes and "
                   "timelines (the window moves in steps of this many runs).")
@click.option("--reports", type=click.IntRange(min=0), default=3, show_default=True,
              help="Keep the full HTML report of this many of the newest runs.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def site_command(output: str, store_option: str | None, config_path: str | None,
                 baseline_path: str | None, policy_path: str | None, runs: int, reports: int,
                 quiet: bool) -> None:
    """Build a static website from the results store: overview, changes, sources, columns, runs.

    Rebuilding after another scan rewrites only the pages whose content
    changed; the new site replaces the old one in one step.
    """
    from reports.site import SiteError, build_site, collect
    from scanner.policy import Policy, PolicyError
    from scanner.workflows.baseline import BaselineError, load
    from scanner.workflows.store import NoStore, Store, StoreError, config_identity

    try:
        policy = Policy.load(policy_path)
        baseline = load(baseline_path) if baseline_path else None
    except (PolicyError, BaselineError) as exc:
        raise click.UsageError(str(exc)) from exc
    config_hash = config_identity(config_path).hash if config_path else None
    try:
        with Store.open(store_option, create=False) as store:
            data = collect(store, policy, config_hash=config_hash, runs=runs, baseline=baseline)
            stats = build_site(store, data, output, reports=reports)
    except NoStore as exc:
        raise click.UsageError(str(exc)) from exc
    except StoreError as exc:
        _fail(str(exc))
    except SiteError as exc:
        if "not a piiscan site" in str(exc):
            raise click.UsageError(str(exc)) from exc
        _fail(str(exc))
    if not quiet:
        click.echo(f"site written to {output}/index.html: {stats.pages} pages, "
                   f"{len(stats.written)} written, {stats.unchanged} unchanged, "
                   f"{len(stats.removed)} removed")
