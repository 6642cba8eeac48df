"""The GPF's own use cases: its device log, GCS59 (restore) and GCS62 (backup alert 0x8071).

The GPF device log lists the devices the GPF talks to ({entity ID, device type} with the ASN.1
device-type numbering). Whenever it changes the GPF sends GCS62, alert 0x8071 "GPF Device Log
Changed" with the whole log, to the Access Control Broker. Commands for the GSME itself (GCS28
Set Clock on GSME and the other GCS use cases) are not processed here: they wait in the gas
proxy queue for the GSME (:mod:`commshub.hub.proxy`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from commshub.hub import gbcs_io
from commshub.hub.actions import WanKind
from commshub.hub.commands import Command, CommandRejected, Function, PayloadKind, use_case_handler
from commshub.hub.logs import EventCode
from commshub.hub.persistence import dump_json, load_json
from commshub.hub.settings import Role

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = ["GCS59_MESSAGE_CODE", "GCS62_MESSAGE_CODE", "GPF_DEVICE_LOG_CHANGED", "gpf_device_log"]

LOGGER = logging.getLogger(__name__)

GCS59_MESSAGE_CODE = 0x008C
GCS62_MESSAGE_CODE = 0x00B2
GPF_DEVICE_LOG_CHANGED = 0x8071
# JoinResponseCode values of a GCS59 restore outcome.
JOIN_SUCCESS = 0
JOIN_DEVICE_LOG_FULL = 4
_ASN1_DEVICE_TYPES = range(7)  # gsme .. type2


def _log(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("gpf_device_log", {})


def gpf_device_log(hub: Hub) -> list[tuple[bytes, int]]:
    """The GPF device log in order: (entity ID, ASN.1 device type)."""
    return [(bytes.fromhex(load_json(value)["id"]), int(load_json(value)["type"]))
            for _, value in sorted(_log(hub).items())]


def _replace(hub: Hub, entries: list[tuple[bytes, int]]) -> None:
    table = _log(hub)
    table.clear()
    for index, (device, kind) in enumerate(entries):
        table[f"{index:03d}"] = dump_json({"id": device, "type": kind})
    hub.state.touch("gpf_device_log")


def send_backup_alert(hub: Hub) -> None:
    """GCS62: alert 0x8071 with the GPF device log, MACed, to the Access Control Broker."""
    state = hub.state
    content = gbcs_io.encode_asn1_payload("GpfDeviceLogBackupAlert", {
        "alertCode": GPF_DEVICE_LOG_CHANGED, "backupDateTime": gbcs_io.generalized_time(state.utc),
        "deviceLogEntries": [{"deviceId": device, "deviceType": kind} for device, kind in gpf_device_log(hub)],
    })
    acb = hub.gbcs.acb
    data = hub.gbcs.alert(originator=state.identity.gpf_id, recipient=acb, counter=hub.next_alert_counter(),
                          message_code=GCS62_MESSAGE_CODE, content=content, critical=False)
    hub.send_wan(WanKind.ALERT, acb, GCS62_MESSAGE_CODE, data, alert_code=GPF_DEVICE_LOG_CHANGED)


@use_case_handler(GCS59_MESSAGE_CODE, Function.GPF, roles=frozenset({Role.ACCESS_CONTROL_BROKER}),
                  payload=PayloadKind.ASN1)
def _gcs59(hub: Hub, command: Command) -> bytes:
    value: dict[str, Any] = command.payload
    requested: list[tuple[bytes, int]] = []
    for entry in value["deviceLogEntries"]:
        device, kind = bytes(entry["deviceId"]), int(entry["deviceType"])
        if len(device) != 8 or kind not in _ASN1_DEVICE_TYPES:
            raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED,
                                  f"GCS59 entry {device.hex()} of type {kind} is not a device")
        requested.append((device, kind))
    capacity = hub.state.settings.gpf_device_log_capacity
    kept = requested[:capacity]
    _replace(hub, kept)
    outcomes = [{"deviceLogEntry": {"deviceId": device, "deviceType": kind},
                 "joinResponseCode": JOIN_SUCCESS if index < capacity else JOIN_DEVICE_LOG_FULL}
                for index, (device, kind) in enumerate(requested)]
    LOGGER.info("hub %s: GPF device log restored with %d devices", hub.id, len(kept))
    hub.log_event(GPF_DEVICE_LOG_CHANGED)
    hub.after_response(lambda: send_backup_alert(hub))
    return gbcs_io.encode_asn1_payload("GpfDeviceLogRestoreResponse", {"restoreOutcomes": outcomes})
