"""``commshub power``, ``wan``, ``install``, ``advance`` and ``status``: the bench's own controls,
sent to a running `commshub run` over its gateway socket.

Every command finds the gateway from ``--gateway HOST:PORT``, else ``$COMMSHUB_GATEWAY``, else
the port `commshub run` wrote to ``./out/gateway.port``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from commshub.errors import CommshubError

__all__ = ["GATEWAY_OPTION", "advance", "install", "power", "resolve_gateway", "run_async",
           "status", "utc_text", "wan"]

T = TypeVar("T")
_DEFAULT_PORT_FILE = Path("out") / "gateway.port"


def resolve_gateway(value: str | None) -> tuple[str, int]:
    """Return (host, port) of the gateway from the option, the environment or the port file."""
    text = value or os.environ.get("COMMSHUB_GATEWAY")
    if not text:
        try:
            port = _DEFAULT_PORT_FILE.read_text(encoding="ascii").strip()
        except OSError:
            raise click.UsageError(
                "no gateway given: use --gateway HOST:PORT, set COMMSHUB_GATEWAY, or run this "
                f"where `commshub run` wrote {_DEFAULT_PORT_FILE}") from None
        text = f"127.0.0.1:{port}"
    host, _, port_text = text.rpartition(":")
    if not host or not port_text.isdigit():
        raise click.BadParameter(f"{text!r} is not HOST:PORT", param_hint="--gateway")
    host = host.strip("[]")
    if not _is_loopback(host):
        raise click.BadParameter(
            f"{host} is not a loopback address; the gateway of `commshub run` listens on "
            "127.0.0.1 only, so give 127.0.0.1:PORT", param_hint="--gateway")
    return host, int(port_text)


def _is_loopback(host: str) -> bool:
    # Host names other than localhost are not resolved, so nothing is sent off this machine.
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


GATEWAY_OPTION = click.option(
    "--gateway", "gateway", metavar="HOST:PORT",
    help="The gateway of a running `commshub run` (default: $COMMSHUB_GATEWAY, then "
         "./out/gateway.port).")
_HUB_OPTION = click.option("--hub", "hub", default=None,
                           help="Hub number, network address or CHF EUI-64 (default: all).")


def run_async(coroutine_function: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; turn the project's errors and connection failures into clean exits."""
    try:
        return asyncio.run(coroutine_function())  # type: ignore[arg-type]
    except (CommshubError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def _hub_argument(hub: str | None) -> Any:
    if hub is None:
        return None
    return int(hub) if hub.isdigit() else hub


def _control(gateway: str | None, command: str, **arguments: Any) -> dict[str, Any]:
    from commshub.wan.client import GatewayClient
    from commshub.wan.control import encode_control, parse_reply

    host, port = resolve_gateway(gateway)

    async def send() -> dict[str, Any]:
        client = await GatewayClient.connect(host, port, name=f"bench-controls-{os.getpid()}")
        try:
            text = await client.control(encode_control(command, **arguments), timeout=600)
        finally:
            await client.close()
        return parse_reply(text)

    return run_async(send)


def utc_text(seconds: float) -> str:
    """Return UTC seconds since 1970 as ISO 8601 to the millisecond (2015-01-01T00:05:00.000Z)."""
    moment = datetime.fromtimestamp(round(seconds, 3), UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _show_hubs(reply: dict[str, Any]) -> None:
    for hub in reply.get("hubs", []):
        click.echo(f"hub {hub['index']} {hub['chf']}: {hub['lifecycle']}, power {hub['power']}, "
                   f"WAN {hub['wan_link']}, address {hub['address'] or '-'}")


@click.command()
@click.argument("state", type=click.Choice(["off", "on"]))
@_HUB_OPTION
@GATEWAY_OPTION
def power(state: str, hub: str | None, gateway: str | None) -> None:
    """Cut (off) or restore (on) the mains of the premises: the hub and its electricity meter."""
    _show_hubs(_control(gateway, "power", state=state, hub=_hub_argument(hub)))


@click.command()
@click.argument("state", type=click.Choice(["down", "up"]))
@_HUB_OPTION
@GATEWAY_OPTION
def wan(state: str, hub: str | None, gateway: str | None) -> None:
    """Take the hub's WAN link down or bring it up (coverage arrives)."""
    _show_hubs(_control(gateway, "wan", state=state, hub=_hub_argument(hub)))


@click.command()
@_HUB_OPTION
@click.option("--postcode", help="Postcode of the premises (gateway groups, outage regions).")
@GATEWAY_OPTION
def install(hub: str | None, postcode: str | None, gateway: str | None) -> None:
    """Install the hub: the gateway assigns its network address."""
    _show_hubs(_control(gateway, "install", hub=_hub_argument(hub), postcode=postcode))


@click.command()
@click.argument("seconds", type=click.FloatRange(min=0))
@GATEWAY_OPTION
def advance(seconds: float, gateway: str | None) -> None:
    """Move a virtual clock on by SECONDS, running every timer that falls due."""
    reply = _control(gateway, "advance", seconds=seconds)
    click.echo(f"now {utc_text(reply['now'])}")


@click.command()
@_HUB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the whole status as JSON.")
@GATEWAY_OPTION
def status(hub: str | None, as_json: bool, gateway: str | None) -> None:
    """Show the hubs: lifecycle, power, WAN link, clock, device log and devices."""
    reply = _control(gateway, "status", hub=_hub_argument(hub))
    if as_json:
        click.echo(json.dumps(reply, indent=2, sort_keys=True))
        return
    click.echo(f"clock {reply['clock']}, now {utc_text(reply['now'])}, gateway port {reply['port']}, "
               f"run folder {reply['out']}")
    for item in reply["hubs"]:
        click.echo(f"hub {item['index']} {item['chf']}: {item['lifecycle']}, power {item['power']}, "
                   f"WAN {item['wan_link']}, address {item['address'] or '-'}, clock offset "
                   f"{item['clock_offset']} s, synchronised {item['synchronised']}")
        for device in item["devices"]:
            click.echo(f"  {device['kind']:<4} {device['eui']}  joined {device['joined']}  "
                       f"firmware {device.get('firmware_version', '-')}")
