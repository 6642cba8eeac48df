"""GBCS messages between the SMWAN and HAN devices: queues, the gas proxy, routing back.

Commands for a device in the CHF device log cross to the HAN unchanged, byte for byte
(DESIGN: the hub must not change a byte up to and including the MAC). Each device has a queue
in NVM. A mains-powered device with an open GBCS tunnel gets its messages pushed at once (PUT);
the sleepy GSME polls with a tunnel GET and gets one message with the count still waiting
(GET-RESPONSE), which is the gas proxy. A queue holds at most 32 messages (the public CH
emulator's GSME queue size).

Messages from devices (tunnel PUT) go the other way: a response to a command the hub
forwarded, or a device alert (Category 3), goes to the WAN; a response that a Category 2
schedule covers waits in the cache (:mod:`commshub.hub.cat2`); anything else is unsolicited
and is dropped and logged, never forwarded.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.tables import Cra
from commshub.errors import CodecError
from commshub.hub import cat2, gbcs_io
from commshub.hub.actions import WanKind
from commshub.hub.logs import EventCode
from commshub.hub.persistence import dump_json, load_json

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = [
    "EXPECTED_MAX",
    "GSME_DEVICE_TYPE",
    "QUEUE_MAX",
    "forward_command",
    "message_from_device",
    "pop_message",
    "queued",
]

LOGGER = logging.getLogger(__name__)

QUEUE_MAX = 32  # GBCS messages held per device (HenryGiraldo/gbcs ch.h, GSME queue)
GSME_DEVICE_TYPE = 1  # register_device device_type of a gas meter: sleepy, polls the GPF
# Forwarded commands whose responses the hub still expects (not public; bounds the table).
EXPECTED_MAX = 256


def _queue(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("han_queue", {})


def _expected(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("han_expected", {})


def queued(hub: Hub, device: bytes) -> list[tuple[str, bytes]]:
    """The messages waiting for ``device``, oldest first, as (record key, GBCS bytes)."""
    prefix = device.hex() + ":"
    return sorted((key, value) for key, value in _queue(hub).items() if key.startswith(prefix))


def pop_message(hub: Hub, device: bytes) -> tuple[bytes, int] | None:
    """Take the oldest message for ``device``; return it with the count still waiting."""
    waiting = queued(hub, device)
    if not waiting:
        return None
    key, message = waiting[0]
    del _queue(hub)[key]
    hub.state.touch("han_queue")
    return message, len(waiting) - 1


def is_sleepy(hub: Hub, device: bytes) -> bool:
    entry = hub.state.device_log.get(device)
    return entry is not None and entry.device_type == GSME_DEVICE_TYPE


def forward_command(hub: Hub, frame: GbcsFrame, data: bytes) -> bool:
    """Queue a command for a device in the CHF device log; False if the device is not logged."""
    device = frame.recipient
    if device not in hub.state.device_log:
        return False
    waiting = queued(hub, device)
    if len(waiting) >= QUEUE_MAX:
        LOGGER.warning("hub %s: queue for %s is full (%d messages); command 0x%04X dropped",
                       hub.id, device.hex(), QUEUE_MAX, frame.message_code)
        hub.log_event(EventCode.GSME_COMMAND_NOT_RETRIEVED, frame.message_code.to_bytes(2, "big"))
        return True
    sequence = int(waiting[-1][0].split(":")[1]) + 1 if waiting else 1
    _queue(hub)[f"{device.hex()}:{sequence:08d}"] = bytes(data)
    hub.state.touch("han_queue")
    expected = _expected(hub)
    expected[f"{device.hex()}:{frame.originator.hex()}:{frame.originator_counter:020d}"] = dump_json(
        {"message_code": frame.message_code, "at": hub.state.utc})
    while len(expected) > EXPECTED_MAX:
        del expected[min(expected, key=lambda key: load_json(expected[key])["at"])]
    hub.state.touch("han_expected")
    LOGGER.debug("hub %s: queued command 0x%04X for %s", hub.id, frame.message_code, device.hex())
    from commshub.hub import han

    if not is_sleepy(hub, device):
        han.push_queued(hub, device)
    return True


def message_from_device(hub: Hub, device: bytes, data: bytes) -> None:
    """Route a GBCS message a HAN device sent over its tunnel (PUT)."""
    try:
        frame = gbcs_io.parse(data)
    except CodecError as exc:
        LOGGER.warning("hub %s: invalid GBCS message from %s dropped: %s", hub.id, device.hex(), exc)
        hub.log_security(EventCode.COMMAND_INTEGRITY_FAILED)
        return
    if frame.originator != device:
        _drop(hub, device, frame, "its originator is not the device that sent it")
        return
    if frame.cra == Cra.ALERT:
        hub.send_wan(WanKind.FORWARDED, frame.recipient, frame.message_code, data)
        return
    if frame.cra != Cra.RESPONSE:
        _drop(hub, device, frame, "devices send only responses and alerts to the WAN")
        return
    key = f"{device.hex()}:{frame.recipient.hex()}:{frame.originator_counter:020d}"
    expected = _expected(hub)
    if key in expected:
        del expected[key]
        hub.state.touch("han_expected")
        hub.send_wan(WanKind.FORWARDED, frame.recipient, frame.message_code, data)
        return
    if cat2.cache_response(hub, device, frame, data):
        return
    _drop(hub, device, frame, "no command asked for it and no Category 2 schedule covers it")


def _drop(hub: Hub, device: bytes, frame: GbcsFrame, reason: str) -> None:
    LOGGER.warning("hub %s: unsolicited message 0x%04X from %s dropped: %s", hub.id,
                   frame.message_code, device.hex(), reason)
    hub.log_security(EventCode.UNAUTHORISED_COMMUNICATION_ACCESS, frame.message_code.to_bytes(2, "big"))
