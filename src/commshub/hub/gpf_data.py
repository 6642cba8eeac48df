"""The GPF's copy of the GSME's data, and the GBCS reads the GPF serves from that copy.

The sleepy gas meter pushes its data to the GPF whenever it wakes, through the Metering mirror
that the CHF hosts for it (Smart Energy mirroring, :mod:`commshub.hub.han`): Report Attributes
of its Metering, Prepayment and Price attributes, and a Publish Prepay Snapshot for every daily
snapshot it takes. The GPF keeps, in NVM (table ``gsme_data``):

- the last reported value of every attribute, by cluster;
- the Prepayment daily read log: the last :data:`PREPAYMENT_DAILY_READ_LOG_DEPTH` snapshots;
- the daily consumption log, which the GPF works out itself from the mirrored Current
  Summation Delivered: the first reading of each UTC day, kept for
  :data:`DAILY_CONSUMPTION_LOG_DEPTH` days.

A remote party that addresses a read to the GPF (rather than to the GSME) gets the response from
that copy at once, without waiting for the meter to wake: GCS13a, GCS13b and GCS13c (consumption
registers), GCS14 (prepayment registers), GCS16b (prepayment daily read log), GCS60a (balance)
and GCS61 (daily consumption log). The responses have the structure of the gas meter's own,
as the GPF's responses of the DCC RTDS 4.5.0 show: the same components, encrypted and with the
disable-default-response bit where the reference sets them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.gbz import (
    ENCRYPTED_COMPONENT,
    LAST_COMPONENT,
    GbzComponent,
    GbzEncryption,
    GbzPayload,
    build_gbz,
    parse_gbz,
)
from commshub.codecs.zigbee.zcl import FrameType, Status, ZclFrame, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import metering, prepayment, price
from commshub.codecs.zigbee.zcl.foundation import (
    DEFAULT_RESPONSE,
    READ_ATTRIBUTES,
    READ_ATTRIBUTES_RESPONSE,
)
from commshub.errors import CodecError
from commshub.hub import gbcs_io
from commshub.hub.commands import Command, CommandRejected, Function, PayloadKind, use_case_handler
from commshub.hub.logs import EventCode
from commshub.hub.persistence import dump_json, load_json
from commshub.hub.settings import Role

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = [
    "DAILY_CONSUMPTION_LOG_DEPTH",
    "DAILY_CONSUMPTION_SAMPLE_ID",
    "GPF_READS",
    "MIRRORED_CLUSTERS",
    "PREPAYMENT_DAILY_READ_LOG_DEPTH",
    "attribute_values",
    "daily_consumption",
    "mirrored_device",
    "store_attributes",
    "store_prepay_snapshot",
]

LOGGER = logging.getLogger(__name__)

# Clusters whose attributes the GSME reports to its mirror.
MIRRORED_CLUSTERS = frozenset({metering.METERING_ID, prepayment.PREPAYMENT_ID, price.PRICE_ID})
# NOTE: GBCS's log depths are not in the public material. These follow the RTDS commands: GCS16b
# reads 31 snapshot offsets and GCS61 requests 731 daily samples.
PREPAYMENT_DAILY_READ_LOG_DEPTH = 31  # snapshots
DAILY_CONSUMPTION_LOG_DEPTH = 731  # days
# Sample ID of the daily consumption log in Get Sampled Data (the RTDS GCS61 command's value).
DAILY_CONSUMPTION_SAMPLE_ID = 1
CONSUMPTION_DELIVERED = 0  # Get Sampled Data sample type (Smart Energy 1.4 D.3.2.3.1.8)
# A day does not fit the 16-bit Sample Request Interval (seconds): the log gives the maximum,
# as the RTDS GPF's GCS61 response does.
DAILY_SAMPLE_INTERVAL = 0xFFFF
CURRENT_SUMMATION_DELIVERED = 0x0000  # Metering attribute
ALL_SNAPSHOT_CAUSES = 0xFFFFFFFF  # Get (Prepay) Snapshot cause mask that selects every cause
_DAY = 86_400  # seconds

# The reads the GPF serves: message code -> (use case, the response components it encrypts as
# (cluster, frame type, command ID)). Taken from the GPF's responses in the DCC RTDS 4.5.0, which
# also date the responses of the attribute reads (GCS13a, GCS13b, GCS13c, GCS14, GCS60a) and not
# those of the log reads.
_READ_ATTRIBUTES_RESPONSE = (FrameType.GLOBAL, READ_ATTRIBUTES_RESPONSE.id)
GPF_READS: Mapping[int, tuple[str, frozenset[tuple[int, FrameType, int]]]] = {
    0x0074: ("GCS13a", frozenset({(metering.METERING_ID, *_READ_ATTRIBUTES_RESPONSE)})),
    0x00B8: ("GCS13b", frozenset({(metering.METERING_ID, *_READ_ATTRIBUTES_RESPONSE)})),
    0x00B6: ("GCS13c", frozenset({(metering.METERING_ID, *_READ_ATTRIBUTES_RESPONSE)})),
    0x0075: ("GCS14", frozenset({(prepayment.PREPAYMENT_ID, *_READ_ATTRIBUTES_RESPONSE)})),
    0x0096: ("GCS16b", frozenset({(prepayment.PREPAYMENT_ID, FrameType.CLUSTER,
                                   prepayment.PUBLISH_PREPAY_SNAPSHOT.id)})),
    0x012A: ("GCS60a", frozenset()),
    0x00A0: ("GCS61", frozenset({(metering.METERING_ID, FrameType.CLUSTER,
                                  metering.GET_SAMPLED_DATA_RESPONSE.id)})),
}
# The RTDS GPF sets the disable-default-response bit on its cluster-specific responses and on
# the Read Attributes Responses of GCS13a, GCS13b and GCS13c, and clears it on the others.
_DEFAULT_RESPONSE_DISABLED_READS = frozenset({0x0074, 0x00B8, 0x00B6})
# NOTE: GBCS's table of which roles may send which use case is not public in full. These reads
# change nothing, so every role that reads meter data may send them. The Access Control Broker
# is the originator of commands from unknown remote parties (the RTDS "URP" variants).
_READ_ROLES = frozenset({Role.SUPPLIER, Role.NETWORK_OPERATOR, Role.OTHER, Role.ACCESS_CONTROL_BROKER})


# --- the copy ------------------------------------------------------------------------------


def _data(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("gsme_data", {})


def _json_value(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": bytes(value).hex()}
    return value


def _from_json_value(value: Any) -> Any:
    if isinstance(value, dict) and "bytes" in value:
        return bytes.fromhex(value["bytes"])
    return value


def mirrored_device(hub: Hub) -> bytes | None:
    """Return the device with a mirror on the CHF (the GPF's GSME), or None."""
    for key in sorted(_data(hub)):
        if key.startswith("mirror:"):
            return bytes.fromhex(key.split(":", 1)[1])
    return None


def forget_device(hub: Hub, device: bytes) -> None:
    """Drop everything the GPF keeps for ``device`` (its mirror was removed)."""
    data = _data(hub)
    marker = f":{device.hex()}"
    for key in [key for key in data if marker in key]:
        del data[key]
    hub.state.touch("gsme_data")


def attribute_values(hub: Hub, device: bytes, cluster: int) -> dict[int, tuple[int, Any]]:
    """Return the attributes ``device`` reported on ``cluster``: ID -> (ZCL type, value)."""
    prefix = f"attribute:{device.hex()}:{cluster:04x}:"
    values = {}
    for key, record in _data(hub).items():
        if key.startswith(prefix):
            value = load_json(record)
            values[int(key[len(prefix):], 16)] = (int(value["type"]), _from_json_value(value["value"]))
    return values


def store_attributes(hub: Hub, device: bytes, cluster: int, records: list[Mapping[str, Any]]) -> None:
    """Keep the attribute values of a Report Attributes from ``device``."""
    data = _data(hub)
    for record in records:
        data[f"attribute:{device.hex()}:{cluster:04x}:{record['attribute_id']:04x}"] = dump_json(
            {"type": record["type"], "value": _json_value(record["value"])})
        if cluster == metering.METERING_ID and record["attribute_id"] == CURRENT_SUMMATION_DELIVERED:
            _note_reading(hub, device, int(record["value"]))
    hub.state.touch("gsme_data")


def store_prepay_snapshot(hub: Hub, device: bytes, publish: ZclFrame) -> None:
    """Keep a Publish Prepay Snapshot that ``device`` pushed, in the Prepayment daily read log."""
    payload = publish["snapshot_payload"]
    if not isinstance(payload, Mapping):
        LOGGER.warning("hub %s: prepay snapshot of payload type %d from %s dropped: only the debt and "
                       "credit status type is kept", hub.id, publish["snapshot_payload_type"], device.hex())
        return
    data = _data(hub)
    time = int(publish["snapshot_time"])
    data[f"prepay_snapshot:{device.hex()}:{time:010d}"] = dump_json({
        "snapshot_id": publish["snapshot_id"], "snapshot_time": time, "snapshot_cause": publish["snapshot_cause"],
        "snapshot_payload_type": publish["snapshot_payload_type"],
        "snapshot_payload": {name: _json_value(value) for name, value in payload.items()
                             if not str(name).startswith("_")},
    })
    _trim(data, f"prepay_snapshot:{device.hex()}:", PREPAYMENT_DAILY_READ_LOG_DEPTH)
    hub.state.touch("gsme_data")


def _prepay_snapshots(hub: Hub, device: bytes) -> list[dict[str, Any]]:
    """Return the Prepayment daily read log of ``device``, oldest first."""
    prefix = f"prepay_snapshot:{device.hex()}:"
    data = _data(hub)
    return [load_json(data[key]) for key in sorted(key for key in data if key.startswith(prefix))]


def _trim(data: dict[str, bytes], prefix: str, depth: int) -> None:
    keys = sorted(key for key in data if key.startswith(prefix))
    for key in keys[:max(0, len(keys) - depth)]:
        del data[key]


def _note_reading(hub: Hub, device: bytes, summation: int) -> None:
    """Record the first Current Summation Delivered of each UTC day.

    A day's first reading marks the day's start only if the GPF also had a reading on the day
    before. Otherwise it is the first reading the GPF ever got, or the first after a gap, so a
    day counted from it would show less than its consumption.
    """
    data = _data(hub)
    day = hub.state.utc // _DAY
    latest_key = f"latest_reading:{device.hex()}"
    latest = load_json(data[latest_key]) if latest_key in data else None
    if latest is None or day > latest["day"]:
        boundary = latest is not None and latest["day"] == day - 1
        data[f"reading:{device.hex()}:{day:06d}"] = dump_json({"summation": summation, "day_start": boundary})
        _trim(data, f"reading:{device.hex()}:", DAILY_CONSUMPTION_LOG_DEPTH + 1)
    data[latest_key] = dump_json({"day": max(day, latest["day"]) if latest else day})


def daily_consumption(hub: Hub, device: bytes) -> list[tuple[int, int]]:
    """Return the daily consumption log of ``device``: (day start in UTC seconds, consumption in
    register units) for each whole day the GPF saw begin and end, oldest first."""
    prefix = f"reading:{device.hex()}:"
    data = _data(hub)
    readings = {int(key[len(prefix):]): load_json(data[key]) for key in data if key.startswith(prefix)}
    log = []
    for day in sorted(readings):
        start, end = readings[day], readings.get(day + 1)
        if start["day_start"] and end is not None and end["day_start"]:
            log.append((day * _DAY, max(0, end["summation"] - start["summation"])))
    return log[-DAILY_CONSUMPTION_LOG_DEPTH:]


# --- the reads the GPF serves --------------------------------------------------------------


def _answer_read(hub: Hub, command: Command) -> bytes:
    frame = command.frame
    try:
        request = parse_gbz(command.payload)
    except CodecError as exc:
        raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED, f"GBZ payload: {exc}") from None
    device = mirrored_device(hub)
    replies = []
    for component in request.components:
        if component.encryption is not None:
            raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED,
                                  "an encrypted command component is not a read")
        header = bytes([component.frame_control, component.sequence_number, component.command_id])
        try:
            zcl = parse_zcl(header + component.payload, component.cluster)
        except CodecError as exc:
            raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED, f"ZCL command: {exc}") from None
        replies.append(_reply(hub, device, zcl))
    _, encrypted = GPF_READS[frame.message_code]
    components = [_component(hub, frame, reply, last=index == len(replies) - 1, encrypted=encrypted)
                  for index, reply in enumerate(replies)]
    return build_gbz(GbzPayload(tuple(components)))


def _reply(hub: Hub, device: bytes | None, request: ZclFrame) -> ZclFrame:
    if READ_ATTRIBUTES.matches(request) and request.cluster_id in MIRRORED_CLUSTERS:
        values = attribute_values(hub, device, request.cluster_id) if device is not None else {}
        records: list[dict[str, Any]] = []
        for attribute_id in request["attribute_ids"]:
            if attribute_id in values:
                kind, value = values[attribute_id]
                records.append({"attribute_id": attribute_id, "status": int(Status.SUCCESS), "type": kind,
                                "value": value})
            else:
                records.append({"attribute_id": attribute_id, "status": int(Status.UNSUPPORTED_ATTRIBUTE)})
        return READ_ATTRIBUTES_RESPONSE.reply(request, records=records)
    if prepayment.GET_PREPAY_SNAPSHOT.matches(request):
        return _prepay_snapshot(hub, device, request)
    if metering.GET_SAMPLED_DATA.matches(request):
        return _sampled_data(hub, device, request)
    return _default_response(request, Status.UNSUP_GENERAL_COMMAND if request.is_global
                             else Status.UNSUP_CLUSTER_COMMAND)


def _default_response(request: ZclFrame, status: Status) -> ZclFrame:
    return DEFAULT_RESPONSE.reply(request, command_id=request.command_id, status=int(status))


def _prepay_snapshot(hub: Hub, device: bytes | None, request: ZclFrame) -> ZclFrame:
    """Get Prepay Snapshot: the snapshot at ``snapshot_offset`` among those of the log in the
    time range with one of the causes, oldest first (as the GSME orders them)."""
    earliest, latest, mask = request["earliest_start_time"], request["latest_end_time"], request["snapshot_cause"]
    found = [snapshot for snapshot in (_prepay_snapshots(hub, device) if device is not None else [])
             if earliest <= snapshot["snapshot_time"] <= latest
             and (mask == ALL_SNAPSHOT_CAUSES or snapshot["snapshot_cause"] & mask)]
    if request["snapshot_offset"] >= len(found):
        return _default_response(request, Status.NOT_FOUND)
    snapshot = found[request["snapshot_offset"]]
    payload = {name: _from_json_value(value) for name, value in snapshot["snapshot_payload"].items()}
    return prepayment.PUBLISH_PREPAY_SNAPSHOT.reply(
        request, snapshot_id=snapshot["snapshot_id"], snapshot_time=snapshot["snapshot_time"],
        total_snapshots_found=min(len(found), 0xFF), command_index=0, total_number_of_commands=1,
        snapshot_cause=snapshot["snapshot_cause"], snapshot_payload_type=snapshot["snapshot_payload_type"],
        snapshot_payload=payload)


def _sampled_data(hub: Hub, device: bytes | None, request: ZclFrame) -> ZclFrame:
    """Get Sampled Data of the daily consumption log: the days from the earliest sample time."""
    if (request["sample_id"] != DAILY_CONSUMPTION_SAMPLE_ID or request["sample_type"] != CONSUMPTION_DELIVERED
            or device is None):
        return _default_response(request, Status.NOT_FOUND)
    earliest = request["earliest_sample_time"] + gbcs_io.ZIGBEE_EPOCH
    days = [(start, volume) for start, volume in daily_consumption(hub, device) if start >= earliest]
    days = days[:request["number_of_samples"]]
    if not days:
        return _default_response(request, Status.NOT_FOUND)
    return metering.GET_SAMPLED_DATA_RESPONSE.reply(
        request, sample_id=DAILY_CONSUMPTION_SAMPLE_ID, sample_start_time=gbcs_io.zigbee_time(days[0][0]),
        sample_type=CONSUMPTION_DELIVERED, sample_request_interval=DAILY_SAMPLE_INTERVAL,
        number_of_samples=len(days), samples=[min(volume, 0xFF_FFFF) for _, volume in days])


def _component(hub: Hub, command: GbcsFrame, reply: ZclFrame, *, last: bool,
               encrypted: frozenset[tuple[int, FrameType, int]]) -> GbzComponent:
    disable = reply.frame_type == FrameType.CLUSTER or command.message_code in _DEFAULT_RESPONSE_DISABLED_READS
    if DEFAULT_RESPONSE.matches(reply):
        disable = False
    encoded = build_zcl(replace(reply, disable_default_response=disable))
    frame_control, sequence_number, command_id = encoded[:3]
    control = LAST_COMPONENT if last else 0
    if (reply.cluster_id, reply.frame_type, reply.command_id) not in encrypted:
        return GbzComponent(control, reply.cluster_id, frame_control, sequence_number, command_id, encoded[3:])
    ciphertext = hub.gbcs.encrypt_for(command, hub.state.identity.gpf_id, encoded[3:])
    return GbzComponent(control | ENCRYPTED_COMPONENT, reply.cluster_id, frame_control, sequence_number,
                        command_id, encryption=GbzEncryption(0, 0, ciphertext))


_DATED_READS = frozenset({0x0074, 0x00B8, 0x00B6, 0x0075, 0x012A})

for _code in GPF_READS:
    use_case_handler(_code, Function.GPF, roles=_READ_ROLES, payload=PayloadKind.GBZ,
                     dated=_code in _DATED_READS)(_answer_read)
