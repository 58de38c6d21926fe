"""What every command does the same way, applied once to the whole command tree.

* ``-q``/``-v``/``-vv`` on every command (``-vv`` is the debug log level),
  also before the command name (``piiscan -v report ...``);
* one error style: ``piiscan: error: <message>`` on one line, click's usage
  errors included, with the exit codes of :class:`~scanner.model.ExitCode`;
* an example in every command's help (the epilog);
* ``report -o FILE`` picking its format from the file's suffix.

Configuration discovery and ``scan -`` (standard input) live in
``scanner.cli.inputs``, which the scan setup in ``common`` uses.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from scanner.cli.common import QUIET_KEY, VERBOSE_KEY, setup_logging
from scanner.cli.startup import ending
from scanner.model import ExitCode

logger = logging.getLogger("piiscan")

#: Exit code of a command stopped by Ctrl-C: 128 + SIGINT.
INTERRUPTED = 130

#: One example per command (its help's epilog), keyed by the command's path.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "scan": ("piiscan scan exports/ --format json -o result.json",
             "piiscan scan 'postgresql://scanner@db/app' --include 'public.*'",
             "psql -c '\\copy customers to stdout csv header' | piiscan scan -",
             "piiscan scan customers.csv --explain"),
    "detectors": ("piiscan detectors",),
    "report": ("piiscan report result.json -o report.html",
               "piiscan report result.json -o report.sarif"),
    "export": ("piiscan export --to fides result.json -o report.fides.yml",
               "piiscan export --to dbt result.json -o models/piiscan.yml",
               "piiscan export --to openmetadata result.json -o tags.openmetadata.json",
               "piiscan export --to datahub result.json -o piiscan.datahub.json"),
    "history": ("piiscan history --config piiscan.yaml",),
    "history prune": ("piiscan history prune --keep 50 --older-than 90d",),
    "notify": ("piiscan notify --retry --webhook https://hooks.example.com/T0KEN",),
    "diff": ("piiscan diff", "piiscan diff 12 15"),
    "baseline": ("piiscan baseline create exports/ -o .piiscan-baseline.json",),
    "baseline create": ("piiscan baseline create exports/ -o .piiscan-baseline.json",),
    "baseline approve": ("piiscan baseline approve 'db/public.customers/ssn' -e US_SSN "
                         "--reason 'KYC, SEC-812' --expires 2026-06-30",),
    "check": ("piiscan check exports/ --baseline .piiscan-baseline.json --fail-on high+",
              "piiscan check --ddl migrations/*.sql"),
    "ddl": ("piiscan ddl migrations/V2__add_payment.sql",),
    "eval": ("piiscan eval tests/corpus --min-f1 0.9",),
    "site": ("piiscan site -o piiscan-site/",),
    "schema": ("piiscan schema config -o piiscan-config.schema.json",
               "piiscan schema policy > policy.schema.json"),
}


# --- Verbosity ---------------------------------------------------------------------------


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep -v/-q in the root context (wherever given) and set the log level from them."""
    meta = ctx.find_root().meta
    if param.name == "verbose":
        meta[VERBOSE_KEY] = max(int(meta.get(VERBOSE_KEY, 0)), int(value or 0))
    else:
        meta[QUIET_KEY] = bool(meta.get(QUIET_KEY, False) or value)
    setup_logging(0, False)


def _verbose_option() -> click.Option:
    return click.Option(["--verbose", "-v"], count=True, expose_value=False,
                        callback=_remember, help="More log output (-vv: debug).")


def _quiet_option() -> click.Option:
    return click.Option(["--quiet", "-q"], is_flag=True, expose_value=False,
                        callback=_remember, help="Errors only.")


def _walk(command: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, f"{path} {name}".strip())


def _option_names(command: click.Command) -> set[str]:
    return {o for p in command.params for o in getattr(p, "opts", [])}


# --- Errors ------------------------------------------------------------------------------


def error_line(exc: click.ClickException) -> str:
    """Return ``piiscan: error: ...`` for a click error, naming the option and the help."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return f"piiscan: error: {message}"


def _forget_unhandled_interrupt() -> None:
    """Keep exit code 130 once a Ctrl-C has been handled, under ``python -m`` too.

    CPython (3.11, 3.12) remembers a KeyboardInterrupt that ended any string ``exec``
    (dataclass and namedtuple creation run one), even when a caller catches it; under
    ``python -m`` it then ignores the exit code and kills itself with SIGINT. A string
    ``exec`` that ends normally clears that memory; SIGINT is ignored from here on, so
    nothing can set it again before the exit.
    """
    exec("None", {})  # noqa: S102 - a constant string, run for its side effect described above


def _one_error_style(original: Callable[..., Any]) -> Callable[..., Any]:
    def main(args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return original(args, prog_name, complete_var, False, **extra)
        try:
            return _run(args, prog_name, complete_var, **extra)
        finally:
            ending()

    def _run(args: Any, prog_name: str | None, complete_var: str | None, **extra: Any) -> Any:
        try:
            rv = original(args, prog_name or "piiscan", complete_var, False, **extra)
        except click.ClickException as exc:
            click.echo(error_line(exc), err=True)
            sys.exit(exc.exit_code if exc.exit_code else ExitCode.USAGE)
        except (click.Abort, KeyboardInterrupt) as exc:
            if isinstance(exc, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt):
                # One Ctrl-C is one exit: a second interrupt (a library's own SIGINT
                # handler may pass the signal on again) must not end the exit half-way,
                # killed by the signal instead of exiting 130.
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            click.echo("piiscan: interrupted", err=True)
            _forget_unhandled_interrupt()
            sys.exit(INTERRUPTED)
        # ctx.exit(code) comes back as the code; a command's return value is not an exit code.
        sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)

    return main


def give_habits(command: click.Command, path: str = "") -> None:
    """Give ``command`` and its subcommands -q/-v and their examples (once)."""
    for where, each in _walk(command, path):
        names = _option_names(each)
        if "--verbose" not in names and "-v" not in names:
            each.params.append(_verbose_option())
        if "--quiet" not in names and "-q" not in names:
            each.params.append(_quiet_option())
        examples = EXAMPLES.get(where)
        if examples and not each.epilog:
            each.epilog = "\b\nExamples:\n" + "\n".join(f"  {e}" for e in examples)


def apply(group: click.Group) -> None:
    """Give ``group`` (and each command added so far) -q/-v, examples and the one error style.

    A command added later (``scanner.cli`` imports each when it is used) is given
    its own with ``give_habits``.
    """
    give_habits(group)
    # An instance attribute: `piiscan` (console script), `python -m scanner` and click's
    # test runner all call group.main().
    group.main = _one_error_style(group.main)  # type: ignore[method-assign]


# --- Report formats from the output's suffix -------------------------------------------------

#: Suffixes that name a format other than by the renderer's own extension.
_SUFFIX_ALIASES = {"htm": "html", "md": "markdown", "txt": "terminal", "xml": "junit",
                   "sarif.json": "sarif"}


def format_for_output(output: str | None, default: str = "html") -> str:
    """Return the report format the ``-o`` file's suffix names, else ``default``."""
    if not output:
        return default
    from reports import renderers

    name = Path(output).name.lower()
    by_ext = {r.extension.lower(): n for n, r in renderers().items() if r.extension}
    by_ext.update({k: v for k, v in _SUFFIX_ALIASES.items() if v in renderers()})
    for ext in sorted(by_ext, key=len, reverse=True):
        if name.endswith("." + ext):
            return by_ext[ext]
    return default
