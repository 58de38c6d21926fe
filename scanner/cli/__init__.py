"""The command line: parse options, build a configuration, run the engine, render.

One module per command group: ``scan`` (scan, detectors), ``report``,
``history`` (history, diff) and ``gate`` (baseline, check, ddl); ``common``
holds what they share and ``options`` the scan options they all accept. Exit
codes are ``scanner.model.ExitCode``.
"""

from __future__ import annotations

from scanner.cli import startup

startup.starting()  # before the imports below (see scanner.cli.startup)

import importlib

import click

from scanner.cli import habits
from scanner.version import __version__

#: Every command: the module that defines it and its name there. A command's module is
#: imported when the command is run (or listed by --help), not for every command.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scanner.cli.scan", "scan"),
    "detectors": ("scanner.cli.scan", "detectors"),
    "report": ("scanner.cli.report", "report_command"),
    "history": ("scanner.cli.history", "history_command"),
    "diff": ("scanner.cli.history", "diff_command"),
    "baseline": ("scanner.cli.gate", "baseline_group"),
    "check": ("scanner.cli.gate", "check"),
    "ddl": ("scanner.cli.gate", "ddl"),
    "eval": ("scanner.cli.eval", "eval_command"),
    "site": ("scanner.cli.site", "site_command"),
    "export": ("scanner.cli.export", "export_command"),
    "schema": ("scanner.cli.schema", "schema_command"),
    "notify": ("scanner.cli.notify", "notify_command"),
}


class _Commands(click.Group):
    """piiscan's commands, each imported the first time it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), name)
            # -q/-v/-vv and an example in each help, as for the group itself.
            habits.give_habits(command, cmd_name)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="piiscan",
                      message="%(prog)s, version %(version)s",
                      help="Show the version and exit.")
def main() -> None:
    """piiscan: find personal data (PII) and calling details (CPNI), checked against a policy."""


# -q/-v/-vv, an example in each help and `piiscan: error: ...` for every command.
habits.apply(main)


if __name__ == "__main__":
    main()
