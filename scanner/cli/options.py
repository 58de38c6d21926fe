"""Options shared by every command that scans (`scan`, `baseline create`, `check`).

Defined once so that a CI gate reads a cp1251 CSV or a Cisco CDR file exactly
as `piiscan scan` does.
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from connectors.base import DEFAULT_SAMPLE_SIZE, ConnectorOptions

if TYPE_CHECKING:
    from scanner.policy import Policy

_F = TypeVar("_F", bound=Callable[..., Any])

#: More rows than this is not a sample: ``--full`` streams every row instead.
MAX_SAMPLE_SIZE = 10_000_000
#: A query allowed a whole day is a query with no timeout.
MAX_QUERY_TIMEOUT = 86_400.0
#: A week: longer is no limit at all.
MAX_SOURCE_TIMEOUT = 604_800.0


def scan_options(func: _F) -> _F:
    """Add the options that change what a scan reads and finds."""
    options = [
        click.option("--sample-size", type=click.IntRange(min=1, max=MAX_SAMPLE_SIZE),
                     default=DEFAULT_SAMPLE_SIZE,
                     show_default=True, help="Rows sampled per table."),
        click.option("--full", is_flag=True, help="Read every row (streams in batches)."),
        click.option("--include", multiple=True,
                     help="Glob on schema.table.column to scan (repeatable)."),
        click.option("--exclude", multiple=True,
                     help="Glob on schema.table.column to skip (repeatable)."),
        click.option("--include-views", is_flag=True, help="Scan database views too."),
        click.option("--query-timeout", type=click.FloatRange(min=0.1, max=MAX_QUERY_TIMEOUT),
                     default=30.0,
                     show_default=True, help="Seconds allowed per database query."),
        click.option("--source-timeout", type=click.FloatRange(min=1, max=MAX_SOURCE_TIMEOUT),
                     default=3600.0, show_default=True,
                     help="Seconds allowed for one source in all; tables not read by then "
                     "fail with that reason."),
        click.option("--jobs", type=click.IntRange(min=1, max=32), default=2,
                     show_default=True, help="Tables scanned at once (databases)."),
        click.option("--encoding", help="Text encoding of delimited files (default: detected)."),
        click.option("--delimiter",
                     help="Field delimiter of delimited files (default: detected)."),
        click.option("--header/--no-header", default=None,
                     help="Whether delimited files have a header row (default: detected)."),
        click.option("--cdr-format",
                     help="Force a record format instead of detecting it: a call-record "
                     "layout, a log (zeek-log, syslog ...) or a documented table "
                     "(kamailio-acc, freeradius-radacct ...)."),
        click.option("--cdr-layout", type=click.Path(exists=True, dir_okay=False),
                     help="YAML field layout for fixed-width SMDR files."),
        click.option("--no-ner", is_flag=True,
                     help="Skip the language model (names in free text)."),
        click.option("--detectors", "custom_detectors", multiple=True,
                     type=click.Path(exists=True, dir_okay=False),
                     help="YAML file of your own detectors, presidio recognizer style "
                     "(repeatable)."),
        click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
                     help="Policy YAML to check against (default: the bundled policy)."),
        click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
                     help="Scan configuration YAML: sources, where each is stored, options "
                     "(see examples/scan.yaml)."),
        click.option("--location", metavar="PLACE",
                     help="Where the SOURCE arguments are stored, for the storage check: a "
                     "country code (US, DE) or a cloud region (us-east-1, westeurope)."),
        click.option("--region", metavar="CC",
                     help="The country national phone numbers and postal codes are written "
                     "for (DE, PH, IN); default: inferred per table from a country column, "
                     "e-mail domains or phone country codes."),
        click.option("--executor", metavar="dask://HOST:PORT",
                     help="Run the scan's files, datasets and databases as tasks on a Dask "
                     "cluster (default: local threads)."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        click.option("--verbose", "-v", count=True, help="More log output."),
        click.option("--debug", is_flag=True,
                     help="Show internal tracebacks (never data values)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def connector_options(*, include: tuple[str, ...], exclude: tuple[str, ...],
                      include_views: bool, query_timeout: float, jobs: int,
                      encoding: str | None, delimiter: str | None, header: bool | None,
                      cdr_format: str | None, cdr_layout: str | None,
                      source_timeout: float = 3600.0) -> ConnectorOptions:
    """Check the reading options as given on the command line and bundle them."""
    if delimiter is not None:
        delimiter = delimiter.encode().decode("unicode_escape")  # `\t` as typed in a shell
        if len(delimiter) != 1:
            raise click.BadParameter("a delimiter is one character", param_hint="--delimiter")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise click.BadParameter(f"unknown encoding {encoding!r}",
                                     param_hint="--encoding") from exc
    # FloatRange lets nan through (every comparison with it is false).
    if not math.isfinite(query_timeout):
        raise click.BadParameter("give a number of seconds", param_hint="--query-timeout")
    if not math.isfinite(source_timeout):
        raise click.BadParameter("give a number of seconds", param_hint="--source-timeout")
    if cdr_format is not None:
        from connectors.registry import format_names

        known = format_names()
        if cdr_format not in known:
            raise click.BadParameter(f"unknown format (choose from {', '.join(known)})",
                                     param_hint="--cdr-format")
    if cdr_layout is not None:
        # Read once up front: a bad layout is a usage error, not a failure of every source.
        from connectors.base import SourceError
        from connectors.cdr.fixed_width import load_layout

        try:
            load_layout(cdr_layout)
        except SourceError as exc:
            raise click.UsageError(str(exc)) from exc
    return ConnectorOptions(
        include=include, exclude=exclude, include_views=include_views,
        query_timeout=query_timeout, source_timeout=source_timeout, jobs=jobs,
        encoding=encoding, delimiter=delimiter,
        header=header, cdr_format=cdr_format, cdr_layout=cdr_layout)


def check_custom_detectors(paths: tuple[str, ...], policy: Policy | None = None) -> Policy | None:
    """Load each detector file once up front: a malformed one is a usage error (exit 2).

    Returns ``policy`` with the new entity types the files declare placed in
    their categories (a category the policy lacks is a usage error too).
    """
    from detectors.custom import CustomDetectorError, load, new_types

    for path in paths:
        try:
            detectors = load(path)
            if policy is not None:
                listed = frozenset(e for c in policy.categories for e in c.entities)
                ids = frozenset(c.id for c in policy.categories)
                policy = policy.with_entities(new_types(detectors, ids, listed))
        except CustomDetectorError as exc:
            raise click.UsageError(str(exc)) from exc
    return policy
