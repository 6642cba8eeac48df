"""``commshub run``: the gateway with its hubs and their virtual meters, as a bench runs them.

Two modes:

- ``commshub run --serve`` starts the service and keeps it running until SIGINT or SIGTERM: a
  gateway on 127.0.0.1 (its port is logged and written to ``<out>/gateway.port``) with N hubs,
  each with a virtual ESME, GSME and IHD, driven over the socket by `commshub send`, the bench
  controls (`commshub power`, `wan`, `install`, `status`) or any gateway client.
- ``commshub run`` (or ``--scenario NAME``) plays a scripted day on a virtual clock against
  the same service, in this process but over the loopback socket, and exits with a report: 0
  when every step passed, 1 otherwise. A scenario starts from new hubs, so the files of the
  run folder's previous run are removed first.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import sys
from pathlib import Path

import click

from commshub.cli.bench_controls import run_async

__all__ = ["run"]

LOGGER = logging.getLogger(__name__)

# Files and folders of a run folder that belong to one run (see commshub.fleet.service).
_RUN_FILES = ("audit.db", "audit.db-wal", "audit.db-shm", "audit.csv", "audit.jsonl",
              "gateway.port", "report.txt", "report.json")
_RUN_GLOBS = ("han-hub*.pcap", "han-hub*.keys")


@click.command()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="TOML file overriding the embedded defaults (see --print-config).")
@click.option("--hubs", type=click.IntRange(1, 10_000), help="Number of hubs (default 1).")
@click.option("--port", type=click.IntRange(0, 65_535),
              help="Gateway port on 127.0.0.1 (default: any free port).")
@click.option("--scenario", "scenario_name", help="Play this scenario and exit (default: "
              "`default` unless --serve).")
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Run folder for state, audit trail, capture and report (default ./out).")
@click.option("--serve", is_flag=True, help="Run as a service until SIGINT or SIGTERM.")
@click.option("--clock", type=click.Choice(["system", "virtual"]),
              help="With --serve: the host's clock, or a virtual one moved by `commshub advance` "
                   "(default: run.clock of the configuration, \"system\" in the embedded one; a "
                   "scenario always runs on a virtual clock).")
@click.option("--print-config", is_flag=True, help="Print the embedded default configuration.")
def run(config_path: str | None, hubs: int | None, port: int | None, scenario_name: str | None,
        out: str | None, serve: bool, clock: str | None, print_config: bool) -> None:
    """Start the SMWAN gateway with emulated hubs and virtual meters: play a scenario (the
    default) or serve a bench (--serve)."""
    from commshub.config import ConfigError, default_text, load_config

    if print_config:
        click.echo(default_text(), nl=False)
        return
    if serve and scenario_name:
        raise click.UsageError("--serve and --scenario exclude each other")
    try:
        config = load_config(config_path)
        if hubs is not None:
            config = config.replaced("run", hubs=hubs)
        if port is not None:
            config = config.replaced("gateway", port=port)
        if clock is not None:
            config = config.replaced("run", clock=clock)
        if out is not None:
            config = config.replaced("run", out=out)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    folder = Path(config.run.out)
    if serve:
        _service_logging()
        run_async(lambda: _serve(config, folder))
        return
    name = scenario_name or config.run.default_scenario
    # A scenario plays a whole day: it always runs on a virtual clock.
    config = config.replaced("run", clock="virtual")
    _clear_run(folder)
    passed = run_async(lambda: _play(config, folder, name))
    sys.exit(0 if passed else 1)


def _service_logging() -> None:
    """A service logs its lifecycle: INFO for commshub unless -v/-vv asked for more."""
    package = logging.getLogger("commshub")
    if package.getEffectiveLevel() > logging.INFO:
        package.setLevel(logging.INFO)


def _clear_run(folder: Path) -> None:
    state = folder / "state"
    if state.is_dir():
        shutil.rmtree(state)
    for name in _RUN_FILES:
        (folder / name).unlink(missing_ok=True)
    for pattern in _RUN_GLOBS:
        for path in folder.glob(pattern):
            path.unlink()


async def _serve(config: object, folder: Path) -> None:
    from commshub.fleet.service import BenchService

    service = BenchService(config, folder)  # type: ignore[arg-type]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    await service.start()
    try:
        click.echo(f"commshub run: gateway on {service.config.gateway.host}:{service.port}, "
                   f"{len(service.runners)} hub(s), {'virtual' if service.virtual else 'system'} "
                   f"clock; run folder {folder}", err=True)
        await stop.wait()
        LOGGER.info("stop requested; shutting down")
    finally:
        await service.close()


async def _play(config: object, folder: Path, name: str) -> bool:
    from commshub.fleet.scenario import SCENARIOS, run_scenario
    from commshub.fleet.service import BenchService
    from commshub.fleet.session import BenchSession

    if name not in SCENARIOS:
        raise click.UsageError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    service = BenchService(config, folder)  # type: ignore[arg-type]
    await service.start()
    try:
        session = await BenchSession.connect(service.port, name="scenario")
        try:
            report = await run_scenario(session, name,
                                        progress=lambda text: click.echo(text, err=True))
        finally:
            await session.close()
    finally:
        await service.close()
    report.files["report"] = str(folder / "report.txt")
    (folder / "report.txt").write_text(report.render() + "\n", encoding="utf-8")
    (folder / "report.json").write_text(report.dumps() + "\n", encoding="utf-8")
    click.echo(report.render())
    return report.passed
