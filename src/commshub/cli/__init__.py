"""The ``commshub`` command."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

import click

from commshub import __version__

__all__ = ["COMMANDS", "LazyGroup", "main"]

# Each subcommand by name, as "module:attribute". A module is imported only when its command runs
# or help lists it, so one module that fails to import does not break the other commands.
COMMANDS: dict[str, str] = {
    "decode": "commshub.cli.decode:decode",
    "zigbee": "commshub.cli.zigbee:zigbee",
    "audit": "commshub.cli.audit:audit",
    "fw": "commshub.cli.fw:fw",
    "time": "commshub.cli.timesync:time_group",
    "replay": "commshub.cli.replay:replay",
    "run": "commshub.cli.run:run",
    "send": "commshub.cli.send:send",
    "power": "commshub.cli.bench_controls:power",
    "wan": "commshub.cli.bench_controls:wan",
    "install": "commshub.cli.bench_controls:install",
    "advance": "commshub.cli.bench_controls:advance",
    "status": "commshub.cli.bench_controls:status",
}


class LazyGroup(click.Group):
    """A click group that imports each subcommand from its "module:attribute" on first use."""

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_commands:
            return command
        # An import error here is a packaging bug in that one command, so it is not hidden.
        command = self._load(cmd_name)
        self.add_command(command, cmd_name)
        return command

    def _load(self, name: str) -> click.Command:
        module_name, _, attribute = self.lazy_commands[name].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_commands[name]} is a {type(command).__name__}, not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every command with its short help.

        A command whose module fails to import is listed with the error, so that the help of
        the other commands still shows.
        """
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            try:
                command = self.get_command(ctx, name)
            except Exception as exc:  # noqa: BLE001 - any import-time failure of one module
                rows.append((name, f"unavailable: {type(exc).__name__}: {exc}"))
                continue
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="commshub")
@click.option("-v", "--verbose", count=True, help="Log more: -v for INFO, -vv for DEBUG.")
def main(verbose: int) -> None:
    """Emulate a GB smart metering Communications Hub and decode its traffic."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
