"""The CHF on the HAN: Trust Centre, Time server, OTA Upgrade server, Tunneling server and the
GSME's Metering mirror.

HAN traffic arrives and leaves at the ZCL level: :class:`~commshub.hub.events.HanFrameReceived`
carries a ZCL frame from a device, :class:`~commshub.hub.actions.SendHan` one to a device. The
frame-level encoding below that (APS, NWK, MAC, CCM*) belongs to the driver.

- Trust Centre: a device joins only if it is in the CHF device log, joining is open (or it
  rejoins with the key it joined with) and it proves the link key derived from its install code
  (AES-MMO hash of the code and its CRC), a historic key, or a key whose hash CCS03 restored.
- Time cluster server: Time in seconds since 2000-01-01 UTC, TimeStatus 0x09 (master and
  superseding, GBCS 9.1.3).
- OTA Upgrade server: serves verified images from the data store; the meter drives the transfer
  (the sleepy GSME at its own pace); each finished transfer is reported with CCS08 (alert 0x8F8A
  success, 0x8F89 failure). The meter waits for CS06 before it activates, so Upgrade End
  Response tells it to wait.
- Tunneling server: GBCS over tunnel protocol 6, see :mod:`commshub.hub.proxy`.
- Metering: the GSME's mirror, which keeps the attributes the GSME reports for reads. The GSME
  also pushes its Prepayment and Price attributes and its daily prepayment snapshots there, for
  the GPF's copy of its data (:mod:`commshub.hub.gpf_data`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.codecs.zigbee.ota import OtaHeader, read_ota_header
from commshub.codecs.zigbee.tunnel import (
    GBCS_PROTOCOL_ID,
    TunnelCommand,
    parse_tunnel_data,
    tunnel_get_response,
    tunnel_put,
)
from commshub.codecs.zigbee.zcl import build_zcl, foundation, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import general, metering, ota, prepayment, price, tunneling
from commshub.codecs.zigbee.zcl.foundation import Status
from commshub.codecs.zigbee.zcl.frame import Direction, ZclFrame
from commshub.codecs.zigbee.zcl.schema import Cluster
from commshub.errors import CodecError
from commshub.hub import events as ev
from commshub.hub import gbcs_io, gpf_data, proxy
from commshub.hub.actions import JoinDecision, WanKind
from commshub.hub.chf import device_log_changed
from commshub.hub.device_log import hash_link_key
from commshub.hub.firmware import (
    FirmwareImage,
    image_bytes,
    images,
    is_own_image,
    verified_image_for,
)
from commshub.hub.logs import EventCode
from commshub.hub.persistence import dump_json, load_json
from commshub.hub.state import DeviceStats
from commshub.hub.transitions import (
    Component,
    FirmwareState,
    JoinState,
    OtaState,
    PowerState,
    Trigger,
    legal_triggers,
)

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = [
    "MAX_INCOMING_TRANSFER_SIZE",
    "MIRROR_ENDPOINT",
    "announce_image",
    "mirror_attributes",
    "push_queued",
]

LOGGER = logging.getLogger(__name__)

# Largest Transfer Data the Tunneling server accepts (bytes), as the public CH emulator
# advertises in Request Tunnel Response.
MAX_INCOMING_TRANSFER_SIZE = 1500
MIRROR_ENDPOINT = 2  # the endpoint the hub hosts the GSME's Metering mirror on
CCS08_MESSAGE_CODE = 0x0128
FIRMWARE_TRANSFER_SUCCESS = 0x8F8A
FIRMWARE_TRANSFER_FAIL = 0x8F89
# FirmwareTransferAlert response codes (GBCS CCS08).
TRANSFER_SUCCESS = 0
TRANSFER_IMAGE_DISCARDED = 1
TRANSFER_FILE_FAILURE = 3
# FunctionalNotificationFlags bit 0 "New OTA Firmware" (Smart Energy 1.4 D.3.2.2.1.1).
NEW_OTA_FIRMWARE = 0x00000001
# Query jitter of Image Notify: with 100 every client queries at once (ZCL 11.13.3.2).
IMAGE_NOTIFY_JITTER = 100
# Basic cluster values the CHF reports (power source 0x01: mains, single phase).
_BASIC_VALUES = {"zcl_version": 3, "power_source": 0x01, "physical_environment": general.GBCS_PHYSICAL_ENVIRONMENT}



def _tunnel_ids(hub: Hub) -> dict[bytes, int]:
    """Open GBCS tunnels, device -> tunnel ID (a power cut closes them all)."""
    tunnels: dict[bytes, int] = hub.state.volatile.setdefault("tunnels", {})
    return tunnels


def _ota_states(hub: Hub) -> dict[bytes, OtaState]:
    """OTA transfers, device -> state (a meter starts again after the hub restarts)."""
    states: dict[bytes, OtaState] = hub.state.volatile.setdefault("ota", {})
    return states


def _send(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    hub.send_han(device, frame.cluster_id, build_zcl(frame))


def _default_response(hub: Hub, device: bytes, request: ZclFrame, status: Status) -> None:
    if request.disable_default_response and status == Status.SUCCESS:
        return
    if request.is_global and request.command_id == foundation.DEFAULT_RESPONSE.id:
        return
    _send(hub, device, foundation.DEFAULT_RESPONSE.reply(request, command_id=request.command_id,
                                                        status=int(status)))


# --- Trust Centre -------------------------------------------------------------------------


def _on_join(hub: Hub, event: ev.DeviceJoinRequested) -> None:
    state = hub.state
    if state.power.state is not PowerState.MAINS_ON:
        return
    entry = state.device_log.get(event.device)
    reason = None
    if entry is None:
        reason = "not in the CHF device log"
    else:
        rejoin = bool(entry.tc_link_key) and event.link_key == entry.tc_link_key
        keys = [key for key in (entry.historic_key, entry.tc_link_key) if key]
        if entry.install_code:
            keys.append(link_key_from_install_code(append_crc(entry.install_code)))
        known = event.link_key in keys or (
            bool(entry.restored_hash) and hash_link_key(event.link_key) == entry.restored_hash)
        if state.join is not JoinState.OPEN and not rejoin:
            reason = "joining is closed"
        elif not known:
            reason = "the link key does not match its install code"
    if reason is not None:
        LOGGER.warning("hub %s: Trust Centre refused %s: %s", hub.id, event.device.hex(), reason)
        hub.log_event(EventCode.DEVICE_JOINING_FAILED, event.device)
        hub.emit(JoinDecision(event.device, False, reason))
        return
    assert entry is not None
    changed, hash_changed = state.device_log.set_link_key(event.device, event.link_key)
    if changed:
        state.touch("device_log")
    if hash_changed:
        device_log_changed(hub)
    hub.log_event(EventCode.DEVICE_JOINING_SUCCEEDED, event.device)
    state.device_stats.setdefault(event.device, DeviceStats())
    LOGGER.info("hub %s: device %s joined", hub.id, event.device.hex())
    hub.emit(JoinDecision(event.device, True, "joined", event.link_key))


# --- frames from devices ------------------------------------------------------------------


def _on_han_frame(hub: Hub, event: ev.HanFrameReceived) -> None:
    state = hub.state
    if state.power.state is not PowerState.MAINS_ON:
        return
    entry = state.device_log.get(event.device)
    if entry is None or not entry.tc_link_key:
        LOGGER.warning("hub %s: frame from %s dropped: the device has not joined", hub.id, event.device.hex())
        return
    state.device_stats.setdefault(event.device, DeviceStats()).record(state.now, event.rssi_dbm, event.lqi)
    try:
        frame = parse_zcl(event.payload, event.cluster)
    except CodecError as exc:
        LOGGER.warning("hub %s: invalid ZCL frame from %s: %s", hub.id, event.device.hex(), exc)
        return
    handler = _CLUSTERS.get(event.cluster)
    if handler is None:
        _default_response(hub, event.device, frame, Status.UNSUPPORTED_CLUSTER)
        return
    if frame.manufacturer_code is not None and frame.is_raw:
        # The hub implements no manufacturer's extensions, and a manufacturer-specific frame
        # whose payload did not decode has no fields a handler could read.
        LOGGER.warning("hub %s: manufacturer-specific ZCL command 0x%02X (manufacturer 0x%04X) from %s"
                       " not supported", hub.id, frame.command_id, frame.manufacturer_code, event.device.hex())
        status = Status.UNSUP_MANUF_GENERAL_COMMAND if frame.is_global else Status.UNSUP_MANUF_CLUSTER_COMMAND
        _default_response(hub, event.device, frame, status)
        return
    handler(hub, event.device, frame)


def _read_attributes(hub: Hub, device: bytes, frame: ZclFrame, values: dict[str, Any], cluster: Cluster) -> None:
    records = []
    for attribute_id in frame["attribute_ids"]:
        attribute = cluster.attributes.get(attribute_id)
        if attribute is not None and attribute.name in values:
            records.append(attribute.read_record(values[attribute.name]))
        else:
            records.append({"attribute_id": attribute_id, "status": int(Status.UNSUPPORTED_ATTRIBUTE)})
    _send(hub, device, foundation.READ_ATTRIBUTES_RESPONSE.reply(frame, records=records))


def _time_values(hub: Hub) -> dict[str, Any]:
    return {"time": gbcs_io.zigbee_time(hub.state.utc), "time_status": int(general.GBCS_HUB_TIME_STATUS)}


def _on_time(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    if foundation.READ_ATTRIBUTES.matches(frame) and frame.direction == Direction.CLIENT_TO_SERVER:
        _read_attributes(hub, device, frame, _time_values(hub), general.TIME)
        return
    _default_response(hub, device, frame, Status.UNSUP_GENERAL_COMMAND)


def _on_basic(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    if foundation.READ_ATTRIBUTES.matches(frame) and frame.direction == Direction.CLIENT_TO_SERVER:
        _read_attributes(hub, device, frame, _BASIC_VALUES, general.BASIC)
        return
    _default_response(hub, device, frame, Status.UNSUP_GENERAL_COMMAND)


# --- OTA Upgrade server -------------------------------------------------------------------


def announce_image(hub: Hub, image: FirmwareImage) -> None:
    """Tell the mains-powered devices that a verified image is available (Image Notify); the
    sleepy GSME finds it itself, through its Query Next Image and the mirror's notification flag."""
    notify = ota.IMAGE_NOTIFY.frame(
        disable_default_response=True, payload_type=3, query_jitter=IMAGE_NOTIFY_JITTER,
        manufacturer_code=image.manufacturer_code, image_type=image.image_type,
        new_file_version=image.file_version,
    )
    for entry in hub.state.device_log:
        if entry.tc_link_key and not proxy.is_sleepy(hub, entry.eui):
            _send(hub, entry.eui, notify)


def _ota_move(hub: Hub, device: bytes, trigger: Trigger) -> bool:
    states = _ota_states(hub)
    current = states.get(device, OtaState.IDLE)
    if trigger not in legal_triggers(Component.OTA, current):
        LOGGER.warning("hub %s: OTA %s from %s is out of order (transfer is %s)", hub.id,
                       trigger.value, device.hex(), current.value)
        return False
    states[device] = hub.move(Component.OTA, current, trigger, "HanFrameReceived", instance=device.hex())
    return True


def _on_ota(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    if ota.QUERY_NEXT_IMAGE_REQUEST.matches(frame):
        if frame["hardware_version"] is not None:
            _hardware_versions(hub)[device] = frame["hardware_version"]
        image = _image_for_query(hub, frame)
        if image is None or (image.file_version or 0) <= frame["current_file_version"]:
            _send(hub, device, ota.QUERY_NEXT_IMAGE_RESPONSE.reply(frame, status=int(Status.NO_IMAGE_AVAILABLE)))
            return
        _ota_move(hub, device, Trigger.TRANSFER_STARTED)
        _send(hub, device, ota.QUERY_NEXT_IMAGE_RESPONSE.reply(
            frame, status=int(Status.SUCCESS), manufacturer_code=image.manufacturer_code,
            image_type=image.image_type, file_version=image.file_version, image_size=image.total_size))
        return
    if ota.IMAGE_BLOCK_REQUEST.matches(frame):
        length = min(frame["maximum_data_size"], hub.state.settings.ota_max_block)
        _send_blocks(hub, device, frame, _requested_image(hub, frame), length)
        return
    if ota.IMAGE_PAGE_REQUEST.matches(frame):
        image = _requested_image(hub, frame)
        hardware_version = _hardware_versions(hub).get(device)
        if image is not None and hardware_version is not None and not _admits_hardware(
                read_ota_header(_image_cache(hub, image)), hardware_version):
            image = None
        _send_blocks(hub, device, frame, image, frame["page_size"], aps_ack=False)
        return
    if ota.UPGRADE_END_REQUEST.matches(frame):
        _upgrade_end(hub, device, frame)
        return
    _default_response(hub, device, frame, Status.UNSUP_CLUSTER_COMMAND)


def _requested_image(hub: Hub, frame: ZclFrame) -> FirmwareImage | None:
    """Return the verified image an Image Block or Page Request names, if it contains the offset."""
    image = verified_image_for(hub, frame["manufacturer_code"], frame["image_type"])
    if image is None or image.file_version != frame["file_version"] or frame["file_offset"] > image.total_size:
        return None
    return image


def _send_blocks(hub: Hub, device: bytes, frame: ZclFrame, image: FirmwareImage | None, length: int,
                 *, aps_ack: bool = True) -> None:
    """Answer an Image Block or Page Request with Image Block Responses for ``length`` bytes
    from the requested offset, each at most the request's maximum data size, or with ABORT.

    A page's responses go without APS acknowledgment (``aps_ack`` False). The hub sends them
    at once, so the request's response spacing is left to the radio driver.
    """
    if image is None:
        _send(hub, device, ota.IMAGE_BLOCK_RESPONSE.reply(frame, status=int(Status.ABORT)))
        return
    if _ota_states(hub).get(device, OtaState.IDLE) is not OtaState.TRANSFERRING:
        _ota_move(hub, device, Trigger.TRANSFER_STARTED)
    data = _image_cache(hub, image)
    size = max(1, min(frame["maximum_data_size"], hub.state.settings.ota_max_block))
    start = frame["file_offset"]
    end = min(start + length, image.total_size)
    # One response at least, so a request at the end of the image gets an empty block.
    for offset in range(start, max(end, start + 1), size):
        _ota_move(hub, device, Trigger.BLOCK_SENT)
        response = ota.IMAGE_BLOCK_RESPONSE.reply(
            frame, status=int(Status.SUCCESS), manufacturer_code=image.manufacturer_code,
            image_type=image.image_type, file_version=image.file_version, file_offset=offset,
            image_data=data[offset:min(offset + size, end)])
        hub.send_han(device, response.cluster_id, build_zcl(response), aps_ack=aps_ack)


def _hardware_versions(hub: Hub) -> dict[bytes, int]:
    """The hardware version each device last named in Query Next Image (volatile)."""
    versions: dict[bytes, int] = hub.state.volatile.setdefault("ota_hardware_versions", {})
    return versions


def _image_for_query(hub: Hub, frame: ZclFrame) -> FirmwareImage | None:
    """Return the newest verified image for a Query Next Image Request.

    A request that names the device's hardware version gets only an image whose OTA header
    admits that version, so a device outside an image's minimum and maximum hardware versions
    receives NO_IMAGE_AVAILABLE. A header without hardware versions admits every device.
    """
    hardware_version = frame["hardware_version"]
    if hardware_version is None:
        return verified_image_for(hub, frame["manufacturer_code"], frame["image_type"])
    candidates = [image for image in images(hub) if image.state is FirmwareState.VERIFIED
                  and image.manufacturer_code == frame["manufacturer_code"]
                  and image.image_type == frame["image_type"]
                  and _admits_hardware(read_ota_header(_image_cache(hub, image)), hardware_version)]
    return max(candidates, key=lambda image: image.file_version or 0, default=None)


def _admits_hardware(header: OtaHeader, hardware_version: int) -> bool:
    low, high = header.minimum_hardware_version, header.maximum_hardware_version
    if low is None or high is None:
        return True
    return low <= hardware_version <= high


def _image_cache(hub: Hub, image: FirmwareImage) -> bytes:
    cache: dict[str, bytes] = hub.state.volatile.setdefault("images", {})
    if image.image_id not in cache:
        cache[image.image_id] = image_bytes(hub, image.image_id)
    return cache[image.image_id]


def _upgrade_end(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    succeeded = frame["status"] == Status.SUCCESS
    if not _ota_move(hub, device, Trigger.TRANSFER_SUCCEEDED if succeeded else Trigger.TRANSFER_FAILED):
        _default_response(hub, device, frame, Status.FAILURE)
        return
    version = int(frame["file_version"]).to_bytes(4, "big")
    if succeeded:
        code, outcome = FIRMWARE_TRANSFER_SUCCESS, TRANSFER_SUCCESS
    elif frame["status"] == Status.INVALID_IMAGE:
        code, outcome = FIRMWARE_TRANSFER_FAIL, TRANSFER_IMAGE_DISCARDED
    else:
        code, outcome = FIRMWARE_TRANSFER_FAIL, TRANSFER_FILE_FAILURE
    _send_transfer_alert(hub, device, code, version, outcome)
    if succeeded:
        # GBCS meters activate only on CS06, so the upgrade time is "wait".
        _send(hub, device, ota.UPGRADE_END_RESPONSE.reply(
            frame, manufacturer_code=frame["manufacturer_code"], image_type=frame["image_type"],
            file_version=frame["file_version"], current_time=gbcs_io.zigbee_time(hub.state.utc),
            upgrade_time=ota.UPGRADE_TIME_WAIT))


def _send_transfer_alert(hub: Hub, device: bytes, alert_code: int, version: bytes, outcome: int) -> None:
    """CCS08 Firmware Transfer Alert to the Access Control Broker, signed."""
    state = hub.state
    content = gbcs_io.encode_asn1_payload("FirmwareTransferAlert", {
        "alertCode": alert_code, "executionDateTime": gbcs_io.generalized_time(state.utc),
        "entityId": device, "firmwareVersion": version, "responseCode": outcome,
    })
    acb = hub.gbcs.acb
    data = hub.gbcs.alert(originator=state.identity.chf_id, recipient=acb, counter=hub.next_alert_counter(),
                          message_code=CCS08_MESSAGE_CODE, content=content, critical=True)
    hub.send_wan(WanKind.ALERT, acb, CCS08_MESSAGE_CODE, data, alert_code=alert_code)
    LOGGER.info("hub %s: firmware transfer to %s %s", hub.id, device.hex(),
                "succeeded" if alert_code == FIRMWARE_TRANSFER_SUCCESS else "failed")


# --- Tunneling server ---------------------------------------------------------------------


def push_queued(hub: Hub, device: bytes) -> None:
    """Push every queued message to a mains-powered device with an open tunnel (PUT)."""
    tunnel_id = _tunnel_ids(hub).get(device)
    if tunnel_id is None:
        return
    while (item := proxy.pop_message(hub, device)) is not None:
        message, _remaining = item
        _send(hub, device, tunneling.TRANSFER_DATA_TO_CLIENT.frame(
            disable_default_response=True, tunnel_id=tunnel_id, data=tunnel_put(message)))


def _on_tunneling(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    tunnels = _tunnel_ids(hub)
    if tunneling.REQUEST_TUNNEL.matches(frame):
        if frame["protocol_id"] != GBCS_PROTOCOL_ID:
            _send(hub, device, tunneling.REQUEST_TUNNEL_RESPONSE.reply(
                frame, tunnel_id=tunneling.TUNNEL_ID_FAILED,
                tunnel_status=int(tunneling.TunnelStatus.PROTOCOL_NOT_SUPPORTED),
                maximum_incoming_transfer_size=MAX_INCOMING_TRANSFER_SIZE))
            return
        tunnel_id = tunnels.get(device) or (max(tunnels.values(), default=0) + 1)
        tunnels[device] = tunnel_id
        _send(hub, device, tunneling.REQUEST_TUNNEL_RESPONSE.reply(
            frame, tunnel_id=tunnel_id, tunnel_status=int(tunneling.TunnelStatus.SUCCESS),
            maximum_incoming_transfer_size=MAX_INCOMING_TRANSFER_SIZE))
        if not proxy.is_sleepy(hub, device):
            push_queued(hub, device)
        return
    if tunneling.CLOSE_TUNNEL.matches(frame):
        if tunnels.get(device) == frame["tunnel_id"]:
            del tunnels[device]
        return
    if not tunneling.TRANSFER_DATA_TO_SERVER.matches(frame):
        _default_response(hub, device, frame, Status.UNSUP_CLUSTER_COMMAND)
        return
    if tunnels.get(device) != frame["tunnel_id"]:
        _send(hub, device, tunneling.TRANSFER_DATA_ERROR_TO_CLIENT.reply(
            frame, tunnel_id=frame["tunnel_id"],
            transfer_data_status=int(tunneling.TransferDataStatus.NO_SUCH_TUNNEL)))
        return
    try:
        message = parse_tunnel_data(frame["data"])
    except CodecError as exc:
        LOGGER.warning("hub %s: invalid GBCS tunnel data from %s: %s", hub.id, device.hex(), exc)
        return
    if message.command == TunnelCommand.GET:
        item = proxy.pop_message(hub, device)
        body, remaining = item if item is not None else (b"", 0)
        _send(hub, device, tunneling.TRANSFER_DATA_TO_CLIENT.reply(
            frame, tunnel_id=frame["tunnel_id"], data=tunnel_get_response(body, min(remaining, 0xFF))))
        return
    if message.command == TunnelCommand.PUT:
        proxy.message_from_device(hub, device, message.message)
        return
    LOGGER.warning("hub %s: GBCS tunnel command %r from %s ignored", hub.id, message.command, device.hex())


# --- Metering: the GSME's mirror ------------------------------------------------------------


def _gsme_data(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("gsme_data", {})


def mirror_attributes(hub: Hub, device: bytes) -> dict[int, tuple[int, Any]]:
    """The Metering attributes the device reported to its mirror: id -> (ZCL type, value)."""
    return gpf_data.attribute_values(hub, device, metering.METERING_ID)


def _on_metering(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    data = _gsme_data(hub)
    mirror_key = f"mirror:{device.hex()}"
    if metering.REQUEST_MIRROR.matches(frame):
        data[mirror_key] = dump_json({"endpoint": MIRROR_ENDPOINT, "notification_reporting": False, "scheme": 0})
        hub.state.touch("gsme_data")
        _send(hub, device, metering.REQUEST_MIRROR_RESPONSE.reply(frame, endpoint_id=MIRROR_ENDPOINT))
        return
    if metering.REMOVE_MIRROR.matches(frame):
        gpf_data.forget_device(hub, device)
        _send(hub, device, metering.MIRROR_REMOVED.reply(frame, endpoint_id=MIRROR_ENDPOINT))
        return
    if metering.CONFIGURE_MIRROR.matches(frame) and mirror_key in data:
        data[mirror_key] = dump_json({"endpoint": MIRROR_ENDPOINT,
                                      "notification_reporting": bool(frame["mirror_notification_reporting"]),
                                      "scheme": frame["notification_scheme"]})
        hub.state.touch("gsme_data")
        _default_response(hub, device, frame, Status.SUCCESS)
        return
    if foundation.REPORT_ATTRIBUTES.matches(frame) and frame.direction == Direction.SERVER_TO_CLIENT:
        if mirror_key not in data:
            _default_response(hub, device, frame, Status.NOT_FOUND)
            return
        gpf_data.store_attributes(hub, device, frame.cluster_id, frame["records"])
        mirror = load_json(data[mirror_key])
        if mirror["notification_reporting"]:
            flags = NEW_OTA_FIRMWARE if _meter_images(hub) else 0
            _send(hub, device, metering.MIRROR_REPORT_ATTRIBUTE_RESPONSE.frame(
                tsn=frame.tsn, disable_default_response=True, notification_scheme=mirror["scheme"],
                notification_flags=[flags]))
        return
    if foundation.READ_ATTRIBUTES.matches(frame) and frame.direction == Direction.CLIENT_TO_SERVER:
        _read_mirror(hub, device, frame)
        return
    _default_response(hub, device, frame, Status.UNSUP_CLUSTER_COMMAND)


def _on_mirrored_cluster(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    """Prepayment and Price data that the GSME pushes to its mirror for the GPF's copy."""
    if f"mirror:{device.hex()}" not in _gsme_data(hub):
        _default_response(hub, device, frame, Status.NOT_FOUND)
        return
    if foundation.REPORT_ATTRIBUTES.matches(frame) and frame.direction == Direction.SERVER_TO_CLIENT:
        gpf_data.store_attributes(hub, device, frame.cluster_id, frame["records"])
        return
    if prepayment.PUBLISH_PREPAY_SNAPSHOT.matches(frame):
        gpf_data.store_prepay_snapshot(hub, device, frame)
        return
    _default_response(hub, device, frame, Status.UNSUP_GENERAL_COMMAND if frame.is_global
                      else Status.UNSUP_CLUSTER_COMMAND)


def _meter_images(hub: Hub) -> list[FirmwareImage]:
    """Verified images in the data store that are not the CH's own: images for meters.

    NOTE: the mirror does not learn the GSME's manufacturer code, so the "New OTA Firmware"
    flag is raised for any meter image; the GSME's Query Next Image then finds out whether it
    is one for it.
    """
    return [image for image in images(hub)
            if image.state is FirmwareState.VERIFIED and not is_own_image(hub, image)]


def _read_mirror(hub: Hub, device: bytes, frame: ZclFrame) -> None:
    """Answer a HAN device's read of the GSME's metering data from the mirror."""
    mirrored = gpf_data.mirrored_device(hub)
    attributes = mirror_attributes(hub, mirrored) if mirrored is not None else {}
    records = []
    for attribute_id in frame["attribute_ids"]:
        if attribute_id in attributes:
            kind, value = attributes[attribute_id]
            records.append({"attribute_id": attribute_id, "status": 0, "type": kind, "value": value})
        else:
            records.append({"attribute_id": attribute_id, "status": int(Status.UNSUPPORTED_ATTRIBUTE)})
    _send(hub, device, foundation.READ_ATTRIBUTES_RESPONSE.reply(frame, records=records))


_CLUSTERS = {
    general.BASIC_ID: _on_basic,
    general.TIME_ID: _on_time,
    ota.OTA_UPGRADE_ID: _on_ota,
    tunneling.TUNNELING_ID: _on_tunneling,
    metering.METERING_ID: _on_metering,
    prepayment.PREPAYMENT_ID: _on_mirrored_cluster,
    price.PRICE_ID: _on_mirrored_cluster,
}


def _register() -> None:
    from commshub.hub.hub import handles

    handles(ev.DeviceJoinRequested)(_on_join)
    handles(ev.HanFrameReceived)(_on_han_frame)


_register()
