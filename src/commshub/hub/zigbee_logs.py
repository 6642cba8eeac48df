"""CS10a, CS10b and CS11 on the CHF: its logs read and cleared through the ZigBee Events
cluster, in GBZ payloads.

CS10a (Read ZigBee Device Event Log) reads the CHF event log, CS10b (Read ZigBee Device
Security Log) the CHF security log, each with a Get Event Log command (log ID 3 general, 4
security) answered by Publish Event Log; no matching entry is answered by a Default Response
with NOT_FOUND, as in the DCC's reference data. CS11 (Clear ZigBee Device Event Log) clears the
event log; the security log cannot be cleared, so a request for it clears nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from commshub.codecs.gbcs.gbz import LAST_COMPONENT, GbzComponent, GbzPayload, build_gbz, parse_gbz
from commshub.codecs.zigbee.zcl import build_zcl, foundation, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.device_management import (
    CLEAR_EVENT_LOG_REQUEST,
    CLEAR_EVENT_LOG_RESPONSE,
    EVENTS_ID,
    GET_EVENT_LOG,
    PUBLISH_EVENT_LOG,
)
from commshub.codecs.zigbee.zcl.foundation import Status
from commshub.codecs.zigbee.zcl.frame import ZclFrame
from commshub.errors import CodecError
from commshub.hub import gbcs_io
from commshub.hub.commands import Command, CommandRejected, Function, PayloadKind, use_case_handler
from commshub.hub.logs import BoundedLog, EventCode
from commshub.hub.settings import Role

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = ["GENERAL_EVENT_LOG", "SECURITY_EVENT_LOG"]

LOGGER = logging.getLogger(__name__)

# Log IDs of the Events cluster (Smart Energy 1.4, D.11.2.4.1): 0 all logs, 3 general, 4 security.
ALL_LOGS = 0
GENERAL_EVENT_LOG = 3
SECURITY_EVENT_LOG = 4
ALL_EVENTS = 0x0000  # event ID 0 selects every event
_LOG_ID_MASK = 0x0F
_MAX_EVENTS_IN_PAYLOAD_CONTROL = 0x0F  # Log Payload Control, low nibble: events in this command
_ROLES = frozenset({Role.ACCESS_CONTROL_BROKER, Role.SUPPLIER})


def _request(command: Command, expected: Any) -> ZclFrame:
    """The one ZCL command of a GBZ request, checked against the use case."""
    try:
        payload = parse_gbz(command.payload)
        (component,) = payload.components
        header = bytes([component.frame_control, component.sequence_number, component.command_id])
        frame = parse_zcl(header + component.payload, component.cluster)
    except (CodecError, ValueError) as exc:
        raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED, f"GBZ payload: {exc}") from None
    if component.cluster != EVENTS_ID or not expected.matches(frame) or frame.is_raw:
        raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED, "the GBZ component is not the use case's command")
    return frame


def _response(frame: ZclFrame) -> bytes:
    """A GBZ response with one component carrying ``frame``."""
    encoded = build_zcl(frame)
    component = GbzComponent(
        control=LAST_COMPONENT, cluster=frame.cluster_id, frame_control=encoded[0],
        sequence_number=encoded[1], command_id=encoded[2], payload=encoded[3:],
    )
    return build_gbz(GbzPayload((component,)))


def _read(hub: Hub, command: Command, log_id: int, log: BoundedLog) -> bytes:
    request = _request(command, GET_EVENT_LOG)
    if request["event_control_log_id"] & _LOG_ID_MASK not in (ALL_LOGS, log_id):
        raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED, "Get Event Log names another log")
    start, end = request["start_time"], request["end_time"]
    events = [
        entry for entry in log.entries()
        if start <= gbcs_io.zigbee_time(entry.at) <= end
        and request["event_id"] in (ALL_EVENTS, entry.code)
    ]
    events.sort(key=lambda entry: entry.sequence, reverse=True)  # newest first
    selected = events[request["event_offset"]:]
    if request["number_of_events"]:
        selected = selected[:request["number_of_events"]]
    if not selected:
        return _response(foundation.DEFAULT_RESPONSE.reply(request, command_id=request.command_id,
                                                          status=int(Status.NOT_FOUND)))
    reply = PUBLISH_EVENT_LOG.reply(
        request, total_number_of_matching_events=len(events), command_index=0, total_commands=1,
        # NOTE: the low nibble can count 15 events; the DCC's reference data sends 0 with 32
        # events, so commshub writes the count modulo 16 as the nibble allows.
        log_payload_control=len(selected) & _MAX_EVENTS_IN_PAYLOAD_CONTROL,
        events=[{"log_id": log_id, "event_id": entry.code, "event_time": gbcs_io.zigbee_time(entry.at),
                 "event_data": entry.info} for entry in selected],
    )
    return _response(reply)


@use_case_handler(0x0014, Function.CHF, roles=_ROLES, payload=PayloadKind.GBZ)
def _cs10a(hub: Hub, command: Command) -> bytes:
    return _read(hub, command, GENERAL_EVENT_LOG, hub.state.event_log)


@use_case_handler(0x00A1, Function.CHF, roles=_ROLES, payload=PayloadKind.GBZ)
def _cs10b(hub: Hub, command: Command) -> bytes:
    return _read(hub, command, SECURITY_EVENT_LOG, hub.state.security_log)


@use_case_handler(0x0015, Function.CHF, roles=_ROLES, payload=PayloadKind.GBZ)
def _cs11(hub: Hub, command: Command) -> bytes:
    request = _request(command, CLEAR_EVENT_LOG_REQUEST)
    cleared = 0
    if request["log_id"] in (ALL_LOGS, GENERAL_EVENT_LOG):
        count = hub.state.event_log.clear()
        hub.state.touch("event_log")
        hub.log_security(EventCode.EVENT_LOG_CLEARED)
        cleared = 1 << GENERAL_EVENT_LOG
        LOGGER.info("hub %s: event log cleared (%d entries)", hub.id, count)
    # The DCC's reference response leaves default responses enabled (frame control 0x09).
    return _response(CLEAR_EVENT_LOG_RESPONSE.reply(request, disable_default_response=False,
                                                     cleared_events_logs=cleared))
