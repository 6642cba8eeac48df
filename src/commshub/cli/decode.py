"""``commshub decode``: decode frames from hex strings, files, directories or standard input."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from commshub.cli.layers import LAYERS, RECORD_KEYS, DecodeOptions, DecodeResult, load_decoder, set_up_layer
from commshub.codecs.zigbee.pcap import is_capture, read_capture
from commshub.errors import CommshubError

__all__ = ["Input", "decode", "iter_inputs"]

_HEX_TEXT = re.compile(rb"^[0-9A-Fa-f\s]+$")
_EUI64_TEXT = re.compile(r"^[0-9A-Fa-f]{16}$")


def _hex_to_bytes(text: str, label: str) -> bytes:
    cleaned = re.sub(r"[\s:]", "", text)
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise click.BadParameter(f"{label}: not a hex string and not an existing file") from None


@dataclass(frozen=True)
class Input:
    """One frame to decode: where it came from and its octets, or why they could not be read."""

    label: str
    data: bytes = b""
    error: str | None = None


def _hex_text_input(label: str, text: bytes) -> Input:
    digits = re.sub(rb"\s", b"", text)
    if len(digits) % 2:
        return Input(label, error=f"{label}: hex text with an odd number of hex digits ({len(digits)}); "
                                  "two digits make one byte, so the text may be truncated")
    return Input(label, bytes.fromhex(digits.decode("ascii")))


def _capture_inputs(label: str, content: bytes) -> Iterator[Input]:
    """Yield one frame per packet of a pcap or pcapng capture of 802.15.4 frames, labelled
    ``label#N`` from 1; a capture that cannot be read gives one failed input."""
    try:
        frames = read_capture(content)
    except CommshubError as exc:
        yield Input(label, error=f"{label}: {exc}")
        return
    for number, frame in enumerate(frames, start=1):
        yield Input(f"{label}#{number}", frame.psdu)


def _read_file(path: Path) -> Iterator[Input]:
    content = path.read_bytes()
    if is_capture(content):
        yield from _capture_inputs(str(path), content)
        return
    # RTDS files and most test vectors are hex text; anything else is taken as raw bytes.
    if content.strip() and _HEX_TEXT.match(content):
        yield _hex_text_input(str(path), content)
        return
    yield Input(str(path), content)


def _read_stdin() -> Iterator[Input]:
    """Yield one frame per non-empty line of hex text, or the whole input as raw bytes."""
    data = sys.stdin.buffer.read()
    if is_capture(data):
        yield from _capture_inputs("<stdin>", data)
        return
    if not (data.strip() and _HEX_TEXT.match(data)):
        yield Input("<stdin>", data)
        return
    lines = [(number, line) for number, line in enumerate(data.splitlines(), start=1) if line.strip()]
    for number, line in lines:
        label = "<stdin>" if len(lines) == 1 else f"<stdin>:{number}"
        yield _hex_text_input(label, line)


def iter_inputs(sources: tuple[str, ...]) -> Iterator[Input]:
    """Yield an :class:`Input` for every hex string, file, file under a directory, or line of stdin."""
    if not sources:
        sources = ("-",)
    for source in sources:
        if source == "-":
            yield from _read_stdin()
            continue
        if not source.strip():
            # Path("") is the current folder: an unset shell variable must not select it.
            raise click.BadParameter("empty source: give a hex string, a file, a folder or - for stdin")
        path = Path(source)
        kind = _path_kind(path)
        if kind == "dir":
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _read_file(child)
        elif kind == "file":
            yield from _read_file(path)
        else:
            label = source if len(source) <= 40 else source[:37] + "..."
            yield Input(label, _hex_to_bytes(source, source[:40]))


def _path_kind(path: Path) -> str | None:
    """Return "dir", "file" or None; a long hex string is too long to be a file name."""
    try:
        if path.is_dir():
            return "dir"
        if path.is_file():
            return "file"
    except OSError:
        return None
    return None


def _check_eui(context: click.Context, parameter: click.Parameter, value: str) -> str:
    if not _EUI64_TEXT.match(value):
        raise click.BadParameter(f"expected 16 hex digits, got {value!r}")
    return value


_CLUSTER_ID_MAX = 0xFFFF  # ZCL cluster identifiers are 16 bits


def _check_cluster(context: click.Context, parameter: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        cluster = int(value, 0)
    except ValueError:
        raise click.BadParameter(f"invalid cluster ID {value!r}: write a number such as 0x0702 or 1794") from None
    if not 0 <= cluster <= _CLUSTER_ID_MAX:
        raise click.BadParameter(f"{value} is outside 0..0x{_CLUSTER_ID_MAX:04X}")
    return cluster


@click.command()
@click.argument("sources", nargs=-1)
@click.option("--as", "layer", type=click.Choice(list(LAYERS)), default="gbcs", show_default=True,
              help="Layer the input starts at.")
@click.option("--keys", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Key store folder (RTDS keystore/ layout) used to check MACs and signatures.")
@click.option("--acb", default="90B3D51F30000002", show_default=True, callback=_check_eui,
              help="EUI-64 of the Access Control Broker whose key MACs commands.")
@click.option("--cluster", metavar="ID", callback=_check_cluster, help="ZCL cluster ID for --as zcl, e.g. 0x0702.")
@click.option("--direction", type=click.Choice(["client", "server"]),
              help="For --as zcl: which side sent the frame (client to server, or server to client).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per frame.")
def decode(sources: tuple[str, ...], layer: str, keys: Path | None, acb: str, cluster: int | None,
           direction: str | None, as_json: bool) -> None:
    """Decode frames given as hex strings, files, directories (recursively) or stdin ("-").

    Hex text on stdin holds one frame per non-empty line; other stdin input is one binary frame.
    """
    options = DecodeOptions(keys=keys, acb=acb.upper(), cluster=cluster, direction=direction)
    decoder = load_decoder(layer)
    try:
        warnings = set_up_layer(layer, options)
    except CommshubError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    required = dict.fromkeys(RECORD_KEYS.get(layer, ("ok", "error")))
    totals = {"frames": 0, "parsed": 0, "round_tripped": 0, "failures": 0}
    valid_counts: dict[str, int] = {}
    for item in iter_inputs(sources):
        totals["frames"] += 1
        if item.error is not None:
            result = DecodeResult({"ok": False, "error": item.error})
        else:
            try:
                result = decoder(item.data, options)
            except CommshubError as exc:
                result = DecodeResult({"ok": False, "error": str(exc)})
        record = {"input": item.label, **required, **result.record}
        _count(totals, valid_counts, record)
        if as_json:
            click.echo(json.dumps(record, default=str))
        else:
            _print_tree(item.label, record, result)
    if totals["frames"] > 1 or totals["failures"]:
        checks = "".join(f"{valid_counts[key]} {label}, " for key, label in _CHECKS.items()
                         if key in valid_counts)
        click.echo(
            "{frames} frames: {parsed} parsed, {round_tripped} round-tripped, ".format(**totals)
            + checks + "{failures} failures".format(**totals),
            err=True,
        )
    if totals["failures"]:
        sys.exit(1)


# Checks a record may report, by record key, with the label of their count in the summary. The
# summary counts only the checks that the layer's records carry: GBCS MACs and signatures, the
# 802.15.4 FCS, ZigBee NWK and APS MICs.
_CHECKS = {"mac": "MAC valid", "signature": "signature valid", "fcs": "FCS valid",
           "nwk_mic": "NWK MIC valid", "aps_mic": "APS MIC valid"}


def _count(totals: dict[str, int], valid_counts: dict[str, int], record: dict[str, object]) -> None:
    if record.get("ok"):
        totals["parsed"] += 1
    else:
        totals["failures"] += 1
    if record.get("round_trip"):
        totals["round_tripped"] += 1
    for key in _CHECKS:
        if key in record:
            valid_counts[key] = valid_counts.get(key, 0) + (record[key] == "valid")


def _print_tree(label: str, record: dict[str, object], result: DecodeResult) -> None:
    click.echo(f"== {label}")
    if not record.get("ok"):
        click.echo(f"error: {record.get('error')}")
    if result.tree is not None:
        click.echo(result.tree.render())
    checks = [f"{key}: {record[key]}" for key in ("round_trip", "mac", "signature") if key in record]
    if checks:
        click.echo("  ".join(checks))
