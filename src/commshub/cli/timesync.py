"""``commshub time``: query an NTP server with the hub's time client, or serve emulated time."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import click
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.ntp import NTP_PORT
from commshub.errors import CodecError
from commshub.hil.ntp_client import UdpTimeClient, load_chrony_keys
from commshub.hub.timesync import (
    ClockSlewed,
    ClockStepped,
    ResponseRejected,
    TimeClient,
    TimeSyncSettings,
)
from commshub.wan.time_service import EmulatedTimeService, TimeServiceServer, TimeServiceSettings

__all__ = ["time_group"]

# EUI-64s used when none is given; both are in no manufacturer's range (the locally
# administered bit is set).
_DEFAULT_HUB_ID = "0200000000000001"
_DEFAULT_SERVICE_ID = "0200000000000C5A"


def _parse_server(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host:
        return text, NTP_PORT
    if not port.isdigit():
        raise click.BadParameter(f"{text!r}: expected HOST or HOST:PORT")
    return host, int(port)


def _parse_eui64(text: str) -> bytes:
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != 8:
        raise click.BadParameter(f"{text!r} is not an EUI-64 of 16 hex digits")
    return value


@click.group("time")
def time_group() -> None:
    """Synchronise with NTP servers the way the hub does, or serve emulated CSP time."""


@time_group.command("query")
@click.argument("server")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="chrony key file holding the NTP key.")
@click.option("--key-id", type=int, required=True, help="Identifier of the key in --keyfile.")
@click.option("--hub-id", default=_DEFAULT_HUB_ID, show_default=True,
              help="The hub's EUI-64, in hex.")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for an accepted response.")
def query(server: str, keyfile: Path, key_id: int, hub_id: str, timeout: float) -> None:
    """Run the hub's time client against SERVER (HOST or HOST:PORT) until it accepts a response.

    Prints the offset of this machine's clock from the server and the error bound. When no
    response is accepted within --timeout, prints the rejection reasons and exits with status 1.
    """
    try:
        keys = load_chrony_keys(keyfile)
    except CodecError as exc:
        raise click.BadParameter(str(exc), param_hint="--keyfile") from None
    if key_id not in keys:
        raise click.BadParameter(f"key {key_id} is not in {keyfile} (or of an unsupported type)",
                                 param_hint="--key-id")
    settings = TimeSyncSettings(hub_id=_parse_eui64(hub_id), ntp_key=keys[key_id],
                                drift_ppm=0.0, retry_initial_s=1.0)
    address = _parse_server(server)

    async def run() -> tuple[ClockStepped | ClockSlewed | None, list[ResponseRejected]]:
        async with UdpTimeClient(TimeClient(settings), ntp_server=address) as runner:
            try:
                adjustment: ClockStepped | ClockSlewed | None = await runner.synchronise(
                    timeout=timeout
                )
            except TimeoutError:
                adjustment = None
            rejected = [a for a in runner.history if isinstance(a, ResponseRejected)]
            return adjustment, rejected

    adjustment, rejected = asyncio.run(run())
    for rejection in rejected:
        click.echo(f"rejected: {rejection.reason.name}: {rejection.detail}", err=True)
    if adjustment is None:
        click.echo(f"no response from {address[0]}:{address[1]} accepted within {timeout} s",
                   err=True)
        raise SystemExit(1)
    click.echo(f"offset {adjustment.offset_s:+.6f} s, max error {adjustment.max_error_s:.6f} s")


@time_group.command("serve")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="chrony key file with the NTP keys to accept.")
@click.option("--signing-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM P-256 private key for signed time; a new one is made when absent.")
@click.option("--service-id", default=_DEFAULT_SERVICE_ID, show_default=True,
              help="The time service's EUI-64, in hex.")
@click.option("--ntp-port", type=int, default=0, help="UDP port for NTP; 0 picks a free one.")
@click.option("--time-port", type=int, default=0,
              help="UDP port for signed time messages; 0 picks a free one.")
@click.option("--duration", type=float, help="Stop after this many seconds (default: never).")
def serve(keyfile: Path, signing_key: Path | None, service_id: str, ntp_port: int,
          time_port: int, duration: float | None) -> None:
    """Serve emulated CSP time on 127.0.0.1: NTP and signed time messages.

    Prints both ports and the public key that hubs must trust, then serves until interrupted.
    """
    try:
        keys = load_chrony_keys(keyfile)
    except CodecError as exc:
        raise click.BadParameter(str(exc), param_hint="--keyfile") from None
    if signing_key is None:
        private_key = ec.generate_private_key(ec.SECP256R1())
    else:
        loaded = serialization.load_pem_private_key(signing_key.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise click.BadParameter("not an EC private key", param_hint="--signing-key")
        private_key = loaded
    service = EmulatedTimeService(TimeServiceSettings(
        service_id=_parse_eui64(service_id), signing_key=private_key, ntp_keys=keys,
    ))

    async def run() -> None:
        server = await TimeServiceServer.start(service, ntp_port=ntp_port, time_port=time_port)
        public_pem = service.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
        click.echo(f"ntp {server.ntp_address[0]}:{server.ntp_address[1]}")
        click.echo(f"signed-time {server.time_address[0]}:{server.time_address[1]}")
        click.echo(public_pem, nl=False)
        try:
            if duration is None:
                await asyncio.Event().wait()
            else:
                await asyncio.sleep(duration)
        finally:
            server.close()

    started = time.monotonic()
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        click.echo(f"stopped after {time.monotonic() - started:.0f} s", err=True)
