"""The ``commshub`` command."""

from __future__ import annotations

import logging

import click

from commshub import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="commshub")
@click.option("-v", "--verbose", count=True, help="Log more: -v for INFO, -vv for DEBUG.")
def main(verbose: int) -> None:
    """Emulate a GB smart metering Communications Hub and decode its traffic."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _register() -> None:
    # Each subcommand lives in its own module; a module that is missing or fails to import
    # is a packaging bug, so the ImportError is not hidden.
    from commshub.cli import decode

    main.add_command(decode.decode)
    from commshub.cli import zigbee
    main.add_command(zigbee.zigbee)
    from commshub.cli import audit
    main.add_command(audit.audit)
    from commshub.cli import fw
    main.add_command(fw.fw)
    from commshub.cli import timesync
    main.add_command(timesync.time_group)
    from commshub.cli import replay
    main.add_command(replay.replay)
    from commshub.cli import bench_controls, run, send
    main.add_command(run.run)
    main.add_command(send.send)
    for control in (bench_controls.power, bench_controls.wan, bench_controls.install,
                    bench_controls.advance, bench_controls.status):
        main.add_command(control)


_register()
