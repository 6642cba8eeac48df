"""What every virtual HAN device does on the ZigBee side: join, open its GBCS tunnel, read the
hub's time, and exchange ZCL frames with the hub.

These functions are pure: they take a :class:`HanState` and return the new state with the
actions to send. A device keeps one HanState inside its own state.

Joining follows the GB HAN install-code scheme: the device proves the link key derived from
its install code (AES-MMO hash of the code and its CRC). GBCS messages then travel in the
Tunneling cluster: the device opens a tunnel with protocol 6 (GB-HGRP), and each Transfer Data
carries one GBCS tunnel command (GET, GET-RESPONSE or PUT).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.codecs.zigbee.tunnel import (
    GBCS_FLOW_CONTROL,
    GBCS_MANUFACTURER_CODE,
    GBCS_PROTOCOL_ID,
    TunnelMessage,
    parse_tunnel_data,
    tunnel_get,
    tunnel_put,
)
from commshub.codecs.zigbee.zcl import Direction, ZclFrame, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.general import TIME_ID
from commshub.codecs.zigbee.zcl.clusters.tunneling import (
    REQUEST_TUNNEL,
    REQUEST_TUNNEL_RESPONSE,
    TRANSFER_DATA_TO_CLIENT,
    TRANSFER_DATA_TO_SERVER,
    TUNNELING_ID,
    TunnelStatus,
)
from commshub.codecs.zigbee.zcl.foundation import READ_ATTRIBUTES, READ_ATTRIBUTES_RESPONSE
from commshub.devices.events import DeviceAction, RequestJoin, SendHan
from commshub.devices.transitions import (
    DeviceComponent,
    DeviceTrigger,
    JoinState,
    TunnelState,
    advance,
)
from commshub.errors import CodecError, LocalProtocolError, RemoteProtocolError
from commshub.hub.gbcs_io import ZIGBEE_EPOCH

__all__ = [
    "MAX_INCOMING_TRANSFER_SIZE",
    "HanState",
    "join_completed",
    "link_key",
    "next_frame",
    "on_time_response",
    "on_tunneling_frame",
    "read_time",
    "reply_frame",
    "request_join",
    "send_get",
    "send_put",
]

LOGGER = logging.getLogger(__name__)

# Largest Transfer Data the device accepts, bytes (the public CH emulator advertises 1500).
MAX_INCOMING_TRANSFER_SIZE = 1500
_TIME_ATTRIBUTE = 0x0000
_TIME_STATUS_ATTRIBUTE = 0x0001


@dataclass(frozen=True)
class HanState:
    """The device's HAN membership.

    ``hub`` is the CHF's IEEE address (big-endian), where frames go; ``tsn`` the next ZCL
    transaction sequence number; ``time_offset`` the hub's UTC minus the driver's clock, once
    read from the hub's Time cluster.
    """

    hub: bytes
    join: JoinState = JoinState.UNJOINED
    tunnel: TunnelState = TunnelState.CLOSED
    tunnel_id: int | None = None
    tsn: int = 0
    time_offset: int | None = None


def link_key(install_code: bytes) -> bytes:
    """Return the trust centre link key of a 16-octet install code given without its CRC."""
    return link_key_from_install_code(append_crc(install_code))


def request_join(state: HanState, install_code: bytes, *, device: str) -> tuple[HanState, list[DeviceAction]]:
    """Ask the Trust Centre to let the device join."""
    joined = replace(state, join=advance(DeviceComponent.JOIN, state.join, DeviceTrigger.JOIN_REQUESTED,
                                         device=device))
    return joined, [RequestJoin(link_key(install_code))]


def next_frame(state: HanState, frame: ZclFrame, *, to: bytes | None = None) -> tuple[HanState, SendHan]:
    """Number ``frame`` with the next transaction sequence number and address it to ``to``
    (default: the hub)."""
    numbered = replace(frame, tsn=state.tsn)
    destination = state.hub if to is None else to
    return replace(state, tsn=(state.tsn + 1) & 0xFF), SendHan(destination, frame.cluster_id, build_zcl(numbered))


def reply_frame(state: HanState, frame: ZclFrame, *, to: bytes) -> SendHan:
    """Address a reply (which keeps its request's sequence number) to ``to``."""
    return SendHan(to, frame.cluster_id, build_zcl(frame))


def join_completed(state: HanState, accepted: bool, *, device: str,
                   tunnel: bool = True) -> tuple[HanState, list[DeviceAction]]:
    """Take the Trust Centre's answer; once joined, read the hub's time and, when ``tunnel``,
    open the GBCS tunnel."""
    trigger = DeviceTrigger.JOIN_ACCEPTED if accepted else DeviceTrigger.JOIN_REJECTED
    state = replace(state, join=advance(DeviceComponent.JOIN, state.join, trigger, device=device))
    if not accepted:
        LOGGER.warning("device %s: the Trust Centre refused the join", device)
        return state, []
    LOGGER.info("device %s joined the HAN", device)
    if not tunnel:
        state, time_request = read_time(state)
        return state, [time_request]
    state = replace(state, tunnel=advance(DeviceComponent.TUNNEL, state.tunnel,
                                          DeviceTrigger.TUNNEL_REQUESTED, device=device))
    state, tunnel_request = next_frame(state, REQUEST_TUNNEL.frame(
        protocol_id=GBCS_PROTOCOL_ID, manufacturer_code=GBCS_MANUFACTURER_CODE,
        flow_control_support=GBCS_FLOW_CONTROL, maximum_incoming_transfer_size=MAX_INCOMING_TRANSFER_SIZE,
    ))
    state, time_request = read_time(state)
    return state, [tunnel_request, time_request]


def read_time(state: HanState) -> tuple[HanState, SendHan]:
    """Read Time and TimeStatus from the hub's Time cluster server."""
    return next_frame(state, READ_ATTRIBUTES.frame(TIME_ID, Direction.CLIENT_TO_SERVER,
                                                   attribute_ids=[_TIME_ATTRIBUTE, _TIME_STATUS_ATTRIBUTE]))


def on_time_response(state: HanState, frame: ZclFrame, at: int) -> HanState:
    """Keep the hub's UTC from a Read Attributes Response of the Time cluster."""
    if not READ_ATTRIBUTES_RESPONSE.matches(frame):
        return state
    for record in frame["records"]:
        if record["attribute_id"] == _TIME_ATTRIBUTE and record["status"] == 0:
            return replace(state, time_offset=int(record["value"]) + ZIGBEE_EPOCH - at)
    return state


def on_tunneling_frame(state: HanState, payload: bytes, *, device: str) -> tuple[HanState, list[TunnelMessage]]:
    """Take a Tunneling cluster frame from the hub; return the GBCS tunnel messages it carries.

    Raises RemoteProtocolError for a frame that does not decode or names another tunnel.
    """
    try:
        frame = parse_zcl(payload, TUNNELING_ID, direction=Direction.SERVER_TO_CLIENT)
    except CodecError as exc:
        raise RemoteProtocolError(f"device {device}: undecodable Tunneling frame: {exc}") from None
    if REQUEST_TUNNEL_RESPONSE.matches(frame):
        opened = frame["tunnel_status"] == TunnelStatus.SUCCESS
        trigger = DeviceTrigger.TUNNEL_OPENED if opened else DeviceTrigger.TUNNEL_REFUSED
        tunnel = advance(DeviceComponent.TUNNEL, state.tunnel, trigger, device=device)
        return replace(state, tunnel=tunnel, tunnel_id=frame["tunnel_id"] if opened else None), []
    if TRANSFER_DATA_TO_CLIENT.matches(frame):
        if state.tunnel is not TunnelState.OPEN or frame["tunnel_id"] != state.tunnel_id:
            raise RemoteProtocolError(
                f"device {device}: Transfer Data on tunnel {frame['tunnel_id']}, open tunnel is "
                f"{state.tunnel_id}")
        try:
            return state, [parse_tunnel_data(frame["data"])]
        except CodecError as exc:
            raise RemoteProtocolError(f"device {device}: bad GBCS tunnel data: {exc}") from None
    LOGGER.debug("device %s ignores Tunneling command 0x%02X", device, frame.command_id)
    return state, []


def _transfer(state: HanState, data: bytes, *, device: str) -> tuple[HanState, SendHan]:
    if state.tunnel is not TunnelState.OPEN or state.tunnel_id is None:
        raise LocalProtocolError(f"device {device}: no open GBCS tunnel to send on")
    return next_frame(state, TRANSFER_DATA_TO_SERVER.frame(tunnel_id=state.tunnel_id, data=data))


def send_put(state: HanState, message: bytes, *, device: str) -> tuple[HanState, SendHan]:
    """Send one GBCS message to the hub (tunnel PUT)."""
    return _transfer(state, tunnel_put(message), device=device)


def send_get(state: HanState, *, device: str) -> tuple[HanState, SendHan]:
    """Ask the hub for the next GBCS message queued for this device (tunnel GET)."""
    return _transfer(state, tunnel_get(), device=device)
