"""``commshub zigbee``: ZigBee helpers, starting with install codes and link keys."""

from __future__ import annotations

import click

from commshub.codecs.zigbee.install_code import (
    append_crc,
    install_code_from_text,
    parse_install_code,
)
from commshub.errors import CodecError

__all__ = ["zigbee"]


@click.group()
def zigbee() -> None:
    """ZigBee tools: install codes and link keys."""


@zigbee.command("link-key")
@click.argument("code")
@click.option("--add-crc", is_flag=True,
              help="CODE is 6, 8, 12 or 16 bytes without its CRC (as GBCS CCS01 carries it); "
                   "append the CRC before hashing.")
def link_key(code: str, add_crc: bool) -> None:
    """Print the trust centre link key for install code CODE (hex, CRC at the end).

    The key is the AES-MMO hash of the code with its CRC-16/X-25 appended least significant
    byte first. A code whose length or CRC is wrong is rejected with the reason.
    """
    try:
        data = install_code_from_text(code)
        if add_crc:
            data = append_crc(data)
        checked = parse_install_code(data)
    except CodecError as exc:
        raise click.ClickException(exc.reason) from None
    click.echo(f"install code: {checked.code.hex().upper()} ({len(checked.code)} bytes)")
    click.echo(f"CRC-16/X-25:  0x{checked.crc:04X} (valid; on the wire "
               f"{checked.with_crc[-2:].hex(' ').upper()})")
    click.echo(f"link key:     {checked.link_key.hex().upper()}")
