"""The command line: parse options, build a configuration, run the engine, render.

One module per command group: ``scan`` (scan, detectors), ``report``,
``history`` (history, diff) and ``gate`` (baseline, check, ddl); ``common``
holds what they share and ``options`` the scan options they all accept. Exit
codes are ``scanner.model.ExitCode``.
"""

from __future__ import annotations

from scanner.cli import startup

startup.starting()  # before the imports below (see scanner.cli.startup)

import click

from scanner.cli import habits
from scanner.cli.eval import eval_command
from scanner.cli.export import export_command
from scanner.cli.gate import baseline_group, check, ddl
from scanner.cli.history import diff_command, history_command
from scanner.cli.notify import notify_command
from scanner.cli.report import report_command
from scanner.cli.scan import detectors, scan
from scanner.cli.schema import schema_command
from scanner.cli.site import site_command
from scanner.model import tool_version


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # click's version_option needs the version string up front; reading the installed
    # package's metadata costs a tenth of a second, so it is read only for --version.
    if value and not ctx.resilient_parsing:
        click.echo(f"piiscan, version {tool_version()}")
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_show_version, help="Show the version and exit.")
def main() -> None:
    """piiscan: find personal data (PII) and calling details (CPNI), checked against a policy."""


for _command in (scan, detectors, report_command, history_command, diff_command,
                 baseline_group, check, ddl, eval_command, site_command, export_command,
                 schema_command):
    main.add_command(_command)
main.add_command(notify_command)
# -q/-v/-vv, an example in each help and `piiscan: error: ...` for every command.
habits.apply(main)


if __name__ == "__main__":
    main()
