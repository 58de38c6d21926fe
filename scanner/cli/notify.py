"""``piiscan notify --retry``: post the notifications a webhook missed.

Exit codes: 0 every waiting notification went out (or none was waiting);
2 usage error; 3 the webhook or the results store could not be reached
(what is left stays in the outbox).
"""

from __future__ import annotations

import logging
import sys

import click

from scanner.model import ExitCode

logger = logging.getLogger("piiscan")


@click.command("notify")
@click.option("--retry", is_flag=True, required=True,
              help="Post the notifications still waiting in the outbox, oldest first.")
@click.option("--webhook", "url", required=True, metavar="URL",
              help="The webhook the scans notify (their --notify URL).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Only notifications of this scan configuration.")
@click.option("--store", "store_option", metavar="URL",
              help="Results store: a SQLite path or a database URL.")
def notify_command(retry: bool, url: str, config_path: str | None,
                   store_option: str | None) -> None:
    """Post the webhook notifications that could not be delivered when their scan ran."""
    from scanner.workflows.notify import check_webhook_url, deliver_pending, webhook_label
    from scanner.workflows.store import NoStore, Store, StoreError, config_identity

    problem = check_webhook_url(url)
    if problem:
        raise click.BadParameter(problem.replace("--notify", "--webhook"), param_hint="--webhook")
    config_hash = config_identity(config_path).hash if config_path else None
    try:
        with Store.open(store_option, create=False) as store:
            waiting = len(store.pending(webhook_label(url), config_hash))
            ok = deliver_pending(store, url, config_hash)
    except NoStore:
        waiting, ok = 0, True
    except StoreError as exc:
        logger.error("%s", exc)
        sys.exit(ExitCode.PARTIAL)
    if ok:
        click.echo(f"{waiting} notification{'s' if waiting != 1 else ''} delivered", err=True)
    sys.exit(ExitCode.OK if ok else ExitCode.PARTIAL)
