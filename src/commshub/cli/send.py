"""``commshub send``: act as a remote party against a running `commshub run`.

``commshub send USE_CASE [NAME=VALUE ...]`` builds the use case's command, signs it when it is
critical, MACs it, sends it to the hub through the gateway, waits for the response, checks its
MAC and signature and prints it decoded. Three more forms: ``send firmware FILE`` delivers an
OTA image to the hub's data store in Category 1 chunks, ``send retrieve`` polls the cached
scheduled reads (Category 2) and ``send schedule USE_CASE`` schedules a meter read.

The exit status is 0 when a verified response came back that reports no failure, 1 otherwise
(a DLMS access result or a CS06 response code other than success counts as a failure).
"""

from __future__ import annotations

import ipaddress
import json
import sys
from pathlib import Path
from typing import Any

import click

from commshub.cli.bench_controls import GATEWAY_OPTION, resolve_gateway, run_async

__all__ = ["send"]

# Bench seconds `send` lets pass for a response on a virtual clock (a sleepy gas meter
# answers when it next polls).
_DEFAULT_WAIT_S = 7200.0


def _parameters(items: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="PARAMS")
        params[name.strip()] = value.strip()
    return params


def _use_case_help() -> str:
    from commshub.benchclient import USE_CASES

    lines = []
    for spec in USE_CASES.values():
        params = ", ".join(spec.params) or "-"
        lines.append(f"{spec.name} (0x{spec.message_code:04X}, {spec.target.upper()}): {params}")
    return "\n".join(lines)


def _list_use_cases(context: click.Context, _param: click.Parameter, value: bool) -> None:
    # Eager, so that it runs before click checks for the missing USE_CASE argument.
    if value and not context.resilient_parsing:
        click.echo(_use_case_help())
        context.exit()


@click.command(context_settings={"ignore_unknown_options": False})
@click.argument("use_case")
@click.argument("params", nargs=-1)
@click.option("--hub", "hub", default="0", show_default=True,
              help="Hub number, network address or CHF EUI-64.")
@click.option("--keys", "keystore", type=click.Path(exists=True, file_okay=False),
              help="Key store folder (default: the one the running service names).")
@click.option("--wait", "wait", type=float, default=_DEFAULT_WAIT_S, show_default=True,
              help="Seconds of bench time to wait for the response.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records instead of trees.")
@click.option("--list", is_flag=True, is_eager=True, expose_value=False,
              callback=_list_use_cases,
              help="List the use cases and their parameters, then exit.")
@GATEWAY_OPTION
def send(use_case: str, params: tuple[str, ...], hub: str, keystore: str | None, wait: float,
         as_json: bool, gateway: str | None) -> None:
    """Send USE_CASE (CCS01, ECS52, CS06 ...) with NAME=VALUE parameters, or `firmware FILE`,
    `retrieve`, `schedule USE_CASE`; print what comes back, checked and decoded."""
    host, port = resolve_gateway(gateway)
    verb = use_case.lower()

    async def act() -> bool:
        from commshub.fleet.session import BenchSession

        session = await BenchSession.connect(port, host=host, name=f"send-{use_case}",
                                             keystore=keystore)
        try:
            bench = session.bench(_hub_index(hub, session.hubs))
            if verb == "firmware":
                return await _firmware(bench, params)
            if verb == "retrieve":
                return _print_all(await bench.retrieve(), as_json, bench.keys)
            if verb == "schedule":
                if not params:
                    raise click.UsageError("send schedule USE_CASE [NAME=VALUE ...]")
                exchange = await bench.schedule(params[0], _parameters(params[1:]))
                click.echo(exchange.describe() if exchange.result and exchange.result.ok
                           else f"not scheduled: {exchange.describe()}")
                return bool(exchange.result and exchange.result.ok)
            exchange, pending = await bench.submit(use_case, _parameters(params))
            result = await session.drive(pending, limit=wait)
            bench.finish(exchange, result)
            for failure in result.failures:
                click.echo(f"failed: {failure.message} (status 0x{failure.status:04X})", err=True)
            _print_all(exchange.responses, as_json, bench.keys)
            failures = _response_failures(exchange.response) if exchange.ok else []
            if failures:
                click.echo(f"{use_case}: the response reports a failure: {'; '.join(failures)}",
                           err=True)
            return exchange.ok and not failures
        finally:
            await session.close()

    if not run_async(act):
        sys.exit(1)


def _hub_index(hub: str, hubs: list[dict[str, Any]]) -> int:
    """Return the index of the hub ``hub`` names: its number, network address or CHF EUI-64."""
    text = hub.strip()
    if text.isdigit():
        if int(text) < len(hubs):
            return int(text)
        raise click.BadParameter(f"no hub {text}: the service runs {len(hubs)}", param_hint="--hub")
    try:
        address: str | None = str(ipaddress.IPv6Address(text))
    except ValueError:
        address = None
    for index, status in enumerate(hubs):
        if address is not None and status.get("address") == address:
            return index
        if str(status.get("chf", "")).upper() == text.upper().replace("-", "").replace(":", ""):
            return index
    raise click.BadParameter(f"no hub {text!r}: give its number, network address or CHF EUI-64",
                             param_hint="--hub")


def _response_failures(response: Any) -> list[str]:
    """Name each failure a response reports: DLMS access results other than success, and an
    ASN.1 responseCode other than 0 (CS06)."""
    from commshub.codecs.dlms.xdlms import DataAccessResult

    failures = []
    for number, (code, _) in enumerate(response.results(), start=1):
        if code != DataAccessResult.SUCCESS:
            try:
                name = DataAccessResult(code).name.lower().replace("_", "-")
            except ValueError:
                name = f"result {code}"
            failures.append(f"access {number}: {name} ({code})")
    code = _response_code(getattr(response.payload, "value", None))
    if code:
        failures.append(f"responseCode {code}")
    return failures


def _response_code(value: Any) -> int | None:
    """Return the first responseCode in a decoded ASN.1 value (nested in choices or records)."""
    if isinstance(value, dict):
        if isinstance(value.get("responseCode"), int):
            return int(value["responseCode"])
        children: list[Any] = list(value.values())
    elif isinstance(value, (tuple, list)):
        children = list(value)
    else:
        return None
    for child in children:
        code = _response_code(child)
        if code is not None:
            return code
    return None


async def _firmware(bench: Any, params: tuple[str, ...]) -> bool:
    if not params:
        raise click.UsageError("send firmware FILE [image_id=ID] [chunk=BYTES]")
    path = Path(params[0])
    options = _parameters(params[1:])
    try:
        image = path.read_bytes()
    except OSError as exc:
        raise click.UsageError(f"cannot read {path}: {exc.strerror}") from None
    image_id = options.get("image_id", path.name.replace(" ", "_")[:128])

    def progress(offset: int, total: int) -> None:
        click.echo(f"firmware: {offset}/{total} bytes in the data store", err=True)

    acks = await bench.deliver_firmware(image, image_id, chunk_size=int(options.get("chunk", 16384)),
                                        progress=progress)
    verdict = acks[-1].verified
    click.echo(f"image {image_id}: {'verified' if verdict else 'REJECTED'} by the hub "
               f"({acks[-1].next_offset} bytes, {len(acks)} chunks)")
    return bool(verdict)


def _print_all(opened: list[Any], as_json: bool, keys: Any) -> bool:
    from commshub.codecs.gbcs.describe import frame_record

    if not opened:
        click.echo("no response")
        return False
    for item in opened:
        if as_json and item.frame is not None:
            record, _ = frame_record(item.frame, item.data, keys=keys)
            record["verified"] = item.verified
            click.echo(json.dumps(record, default=str))
        else:
            click.echo(item.summary())
            click.echo(item.tree(keys).render())
    return all(item.verified for item in opened)
