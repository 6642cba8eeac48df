"""``commshub replay``: replay the DCC's reference test data against the emulator."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from commshub.fleet.replay_gateway import GatewayReplayer

__all__ = ["replay"]

# Set-up steps of a replay site (a corrupted MAC, a supply interruption) make the hub and the
# meters log warnings by design; they are shown only with -v.
_QUIET_LOGGERS = ("commshub.hub", "commshub.devices")


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per use case.")
@click.option("--use-case", "patterns", multiple=True, metavar="TEXT",
              help="Replay only the use cases whose name or folder contains TEXT (repeatable).")
@click.option("--check", is_flag=True, help="Exit with status 1 when a use case differs.")
@click.option("--gateway", "gateway", metavar="HOST:PORT",
              help="Send each command through the gateway of a running `commshub run` on this "
                   "machine instead of replaying in process.")
def replay(directory: str, as_json: bool, patterns: tuple[str, ...], check: bool,
           gateway: str | None) -> None:
    """Replay the commands of an RTDS tree and compare the responses with the reference.

    DIRECTORY holds RTDS-4.5.0/ and keystore/, or is the RTDS-4.5.0 folder itself with
    keystore/ beside it. Each command for the CHF, GPF, ESME or GSME is re-addressed to the
    emulated device, MACed and signed again with the RTDS remote-party keys, and run through
    an emulated hub with its virtual devices; the outcome is match, differ (with the first
    difference) or unsupported (with the reason).
    """
    # Imported here so that loading the CLI stays cheap for the other commands.
    from commshub.replay import CorpusError, Replayer, find_corpus, json_lines, table
    from commshub.replay.runner import CaseResult, Outcome

    if logging.getLogger().getEffectiveLevel() >= logging.WARNING:
        for name in _QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
    try:
        if gateway is None:
            replayer = Replayer(find_corpus(directory))
        else:
            replayer = _gateway_replayer(directory, gateway)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    cases = [case for case in replayer.corpus.cases()
             if not patterns or any(text in case.use_case or text in case.folder for text in patterns)]

    def show(result: CaseResult) -> None:
        if as_json:
            click.echo(json_lines([result]))

    try:
        results = replayer.run(cases, progress=show)
    finally:
        if gateway is not None:
            replayer.close()
    if not as_json:
        click.echo(table(results))
    if check and any(result.outcome is Outcome.DIFFER for result in results):
        sys.exit(1)


def _gateway_replayer(directory: str, gateway: str) -> GatewayReplayer:
    """A replayer whose commands cross the gateway at HOST:PORT (commshub.fleet.replay_gateway)."""
    from commshub.cli.bench_controls import resolve_gateway
    from commshub.errors import CommshubError
    from commshub.fleet.replay_gateway import GatewayReplayer

    host, port = resolve_gateway(gateway)
    try:
        return GatewayReplayer(directory, host=host, port=port)
    except (CommshubError, OSError) as exc:
        raise click.ClickException(f"replay through {gateway}: {exc}") from None
