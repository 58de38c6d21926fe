"""What every command shares: logging, the progress bar, exit codes, writing output, scan setup.

A scan run by ``piiscan scan``, ``baseline create`` or ``check`` is set up here
once, so the CI gate reads a source exactly as a scan does: one configuration
file, one policy (loaded once and handed to every engine), one storage
assessment.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from scanner.cli.options import check_custom_detectors, connector_options
from scanner.fileio import FileProblem, write_text
from scanner.model import ExitCode
from scanner.redact import printable, redact_text, scrub_traceback

if TYPE_CHECKING:
    from reports.model import Report
    from scanner.core.config_file import ConfigFile
    from scanner.model import ScanResult
    from scanner.policy import Policy
    from scanner.policy.residency import Residency

logger = logging.getLogger("piiscan")


class _OneLine(logging.Formatter):
    """``piiscan: error: <message>`` on one line; tracebacks only with --debug."""

    def __init__(self, debug: bool) -> None:
        super().__init__()
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        # No URL credential in any line, whoever wrote the message.
        msg = printable(redact_text(record.getMessage()).replace("\n", " "))
        line = f"piiscan: {record.levelname.lower()}: {msg}"
        if self.debug and record.exc_info:
            # Exception messages (a driver's above all) may quote data: frames only,
            # each message scrubbed to its first line.
            line += "\n" + printable(scrub_traceback(self.formatException(record.exc_info)),
                                     keep_newlines=True)
        return line


#: The -v count and -q flag given anywhere on the command line (kept in the root context).
VERBOSE_KEY = "piiscan.verbose"
QUIET_KEY = "piiscan.quiet"


def setup_logging(verbose: int, debug: bool) -> None:
    """Send log records to stderr, one line each, at the level the options ask for.

    ``-vv`` (or ``--debug``) is DEBUG, ``-v`` INFO, ``-q`` errors only, else WARNING;
    ``-v``/``-q`` given before the command name count too.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine(debug))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    ctx = click.get_current_context(silent=True)
    meta = ctx.find_root().meta if ctx is not None else {}
    verbose = max(verbose, int(meta.get(VERBOSE_KEY, 0)))
    if debug or verbose >= 2:
        level = logging.DEBUG
    elif verbose:
        level = logging.INFO
    else:
        level = logging.ERROR if meta.get(QUIET_KEY) else logging.WARNING
    root.setLevel(level)
    # sqlglot warns about statements it reads loosely, quoting them; ours say what matters.
    for noisy in ("presidio-analyzer", "urllib3", "filelock", "asyncio", "sqlglot"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def fail_usage(message: str) -> NoReturn:
    """Print one line, ``piiscan: error: ...``, and exit 2."""
    logger.error("%s", message)
    sys.exit(ExitCode.USAGE)


def progress(enabled: bool) -> AbstractContextManager[Any]:
    """Return a context giving a progress hook (a bar on stderr), or None when disabled."""
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


def emit(text: str, output: str | None) -> None:
    """Print ``text``, or write it to ``output`` atomically (never a half-written file)."""
    if not output:
        click.echo(text, nl=False)
        return
    try:
        write_text(output, text)
    except FileProblem as exc:
        raise click.FileError(output, hint=str(exc).split(": ", 1)[-1]) from exc
    logger.info("report written to %s", output)


def check_output(output: str | None, option: str = "--output") -> None:
    """Before a scan, make sure ``output`` can be written; exit 2 otherwise.

    Its directory must exist and take a new file, so a long scan is not thrown
    away at the end.
    """
    if not output:
        return
    target = Path(output)
    if target.is_dir():
        raise click.BadParameter(f"{output} is a directory", param_hint=option)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise click.BadParameter(f"{output}: directory {directory} does not exist",
                                 param_hint=option)
    try:
        import tempfile  # only where a report is written

        # The real test: the report is written to a temporary file in this directory.
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=directory)
    except OSError as exc:
        raise click.BadParameter(f"{output}: cannot write in {directory} "
                                 f"({exc.strerror or type(exc).__name__})",
                                 param_hint=option) from exc
    os.close(fd)
    Path(probe).unlink(missing_ok=True)


def write_report(fmt: str, report: Report, output: str | None) -> None:
    """Render ``report`` in ``fmt`` to standard output or, atomically, to ``output``."""
    from reports import render

    if not output:
        render(fmt, report, out=sys.stdout)
        return
    try:
        render(fmt, report, out=output)
    except FileProblem as exc:
        raise click.FileError(output, hint=str(exc).split(": ", 1)[-1]) from exc
    logger.info("report written to %s", output)


# --- Scan setup ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanArgs:
    """The options of a command that scans (see ``options.scan_options``), as given."""

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
    quiet: bool
    executor: str | None = None
    #: Where the SOURCE arguments are stored (``--location``), for ad-hoc scans.
    location: str | None = None
    source_timeout: float = 3600.0
    #: The country national formats are read in (``--region``); None: inferred.
    region: str | None = None

    @classmethod
    def of(cls, sources: tuple[str, ...], options: Mapping[str, Any]) -> ScanArgs:
        """Pick the scan options out of a command's keyword arguments."""
        return cls(sources=sources, **{k: options[k] for k in cls.__dataclass_fields__
                                       if k != "sources"})


@dataclass(frozen=True)
class Inputs:
    """What a scan reads before it starts: the configuration file and the policy."""

    config_file: ConfigFile | None
    policy: Policy
    policy_path: str | None
    #: The configuration was found (piiscan.yaml, $PIISCAN_CONFIG), not named by --config.
    discovered: bool = False


def load_inputs(args: ScanArgs, *, need_sources: bool = True) -> Inputs:
    """Read ``--config``, the policy (once) and custom detectors; a bad one is exit 2."""
    from scanner.cli.startup import arrow_without_pandas
    from scanner.core.config_file import ConfigFileError, load_config_file
    from scanner.policy import Policy, PolicyError

    arrow_without_pandas()
    from scanner.cli.inputs import discover_config

    config_path = args.config_path or discover_config()
    if config_path and not args.config_path:
        logger.info("using the scan configuration %s", config_path)
    try:
        config_file = load_config_file(config_path) if config_path else None
    except ConfigFileError as exc:
        raise click.UsageError(str(exc)) from exc
    if need_sources and not args.sources and config_file is None:
        raise click.UsageError("give one or more SOURCE arguments, or --config FILE")
    policy_path = args.policy_path
    if policy_path is None and config_file is not None:
        policy_path = config_file.policy
    try:
        policy = Policy.load(policy_path)
    except PolicyError as exc:
        raise click.UsageError(str(exc)) from exc
    policy = check_custom_detectors(args.custom_detectors, policy) or policy
    return Inputs(config_file, policy, policy_path,
                  discovered=config_path is not None and not args.config_path)


def run_scan(args: ScanArgs, inputs: Inputs) -> tuple[ScanResult, Residency]:
    """Scan the sources of the command line and of the configuration file; assess storage."""
    from scanner.core.config import ScanConfig
    from scanner.core.config_file import merge_results
    from scanner.core.dask_executor import ExecutorError, check_executor
    from scanner.core.engine import scan
    from scanner.policy.residency import assess, parse_location

    executor = args.executor or (inputs.config_file.executor if inputs.config_file else None)
    try:
        check_executor(executor)
    except ExecutorError as exc:
        raise click.BadParameter(str(exc), param_hint="--executor") from exc

    if args.region is not None:
        from detectors.regions import region_problem

        if region_problem(args.region):
            raise click.BadParameter(str(region_problem(args.region)), param_hint="--region")
    config = ScanConfig(
        region=args.region.upper() if args.region else None,
        sample_size=args.sample_size, full=args.full, ner=not args.no_ner,
        policy_path=inputs.policy_path, custom_detectors=args.custom_detectors,
        progress=not args.quiet and sys.stderr.isatty(), executor=executor,
        connector=connector_options(
            include=args.include, exclude=args.exclude, include_views=args.include_views,
            query_timeout=args.query_timeout, jobs=args.jobs, encoding=args.encoding,
            delimiter=args.delimiter, header=args.header, cdr_format=args.cdr_format,
            cdr_layout=args.cdr_layout, source_timeout=args.source_timeout),
    )
    from scanner.cli.inputs import StdinSpool

    spool = StdinSpool(args.sources)  # `-`: standard input, spooled to a private file
    from scanner.cli.inputs import one_scan_each

    plans = [one_scan_each(spool.specs, config)] if args.sources else []
    # A discovered configuration lends SOURCE arguments its settings, not its own sources.
    if inputs.config_file is not None and not (inputs.discovered and args.sources):
        # The file's sample_size/full apply unless given on the command line.
        ctx = click.get_current_context()
        keep = {n for n in ("sample_size", "full")
                if ctx.get_parameter_source(n) is click.core.ParameterSource.COMMANDLINE}
        plans += inputs.config_file.plan(config, keep=keep)
    if args.location is not None and parse_location(args.location) is None:
        raise click.BadParameter(f"unknown location {args.location!r} (a country code like US "
                                 "or a cloud region like us-east-1)", param_hint="--location")
    with progress(config.progress) as hook:
        runs = [scan(specs, cfg, progress=hook, policy=inputs.policy) for specs, cfg in plans]
    if args.location and args.sources:
        # The first run is the command line's sources: --location says where they are stored.
        runs[0] = replace(runs[0], sources=tuple(
            replace(s, location=args.location) for s in runs[0].sources))
    from scanner.core.identity import identify

    # Baselines and history key columns on the sources' identities (name:, or a URL
    # without user and host), not on where this run happened to reach them.
    result = identify(spool.finish(merge_results(runs)), inputs.config_file)
    return result, assess(result, inputs.policy, inputs.config_file)
