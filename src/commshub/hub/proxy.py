"""Commands for HAN devices: forwarded unchanged to the device over the HAN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from commshub.codecs.gbcs.frame import GbcsFrame

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = ["forward_command"]


def forward_command(hub: "Hub", frame: GbcsFrame, data: bytes) -> bool:
    """Forward a command for a device in the CHF device log; False if the hub cannot."""
    return False
