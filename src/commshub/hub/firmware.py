"""The hub's firmware data store (Category 1) and the CH's own firmware activation (CS06).

Category 1 delivers a GBCS OTA upgrade image in chunks. Each chunk is written to NVM before it
is acknowledged, so after a restart the store acknowledges with the offset it has and the
sender resumes there. A complete image is checked before it is offered: the OTA file must have
the GBCS layout (manufacturer image, force-replace byte, 0x40, ECDSA P-256 signature), and the
signature must verify with the signing key of a supplier or of the Access Control Broker the
hub trusts. The SHA-256 of the manufacturer image is the hash CS06 and alert 0x8F72 quote.

A verified image for the CH itself (its manufacturer code and image type) is reported with
alert 0x8F72 (message code 0x00CE) to the party that signed it and waits for CS06. An image
whose OTA header names the CH but that fails verification is reported with alert 0x8F1C in the
same structure, to the Access Control Broker. Any other verified image is offered to the meters
over the OTA Upgrade cluster (:mod:`commshub.hub.han`).
The running firmware keeps running until CS06 activates the new one, which changes only the
version the CH reports: no state is lost and no service stops.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from commshub.codecs.dlms import Data, DataType
from commshub.codecs.gbcs.keystore import KeyUsage
from commshub.codecs.zigbee.ota import OtaFile, OtaHeader, read_ota_file, read_ota_header
from commshub.errors import CodecError
from commshub.hub import events as ev
from commshub.hub import gbcs_io
from commshub.hub.actions import FirmwareChunkAck, WanKind
from commshub.hub.commands import Command, CommandRejected, Function, PayloadKind, use_case_handler
from commshub.hub.logs import EventCode
from commshub.hub.persistence import dump_json, load_json
from commshub.hub.settings import Role
from commshub.hub.transitions import Component, FirmwareState, Trigger

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = [
    "ACTIVATION_TIMER",
    "MAX_IMAGE_SIZE",
    "FirmwareImage",
    "image_bytes",
    "images",
    "verified_image_for",
]

LOGGER = logging.getLogger(__name__)

ACTIVATION_TIMER = "firmware_activation"
# Largest image the data store accepts (bytes): the OTA header's 32-bit total size allows more,
# but a CH's data store is a few megabytes (not public; an estimate).
MAX_IMAGE_SIZE = 16 * 1024 * 1024
_IMAGE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_SIGNING_ROLES = (Role.SUPPLIER, Role.ACCESS_CONTROL_BROKER)
# CS06 and the firmware alerts.
CS06_MESSAGE_CODE = 0x0012
FUTURE_DATED_ACTIVATION_ALERT = 0x00CA
FIRMWARE_RECEIPT_ALERT = 0x00CE  # Firmware Distribution Receipt Alert, DLMS devices
ACTIVATION_SUCCEEDED = 0x8F66  # Future-date HAN Interface Command Successfully Actioned
ACTIVATION_FAILED = 0x8F67
# ActivateFirmwareExecutionOutcome response codes (GBCS CS06).
OUTCOME_SUCCESS = 0
OUTCOME_NO_IMAGE_HELD = 1
OUTCOME_HASH_MISMATCH = 2


@dataclass(frozen=True)
class FirmwareImage:
    """One image in the data store; the OTA header fields are known once it is verified."""

    image_id: str
    total_size: int
    received: int
    state: FirmwareState
    image_hash: bytes = b""
    manufacturer_code: int | None = None
    image_type: int | None = None
    file_version: int | None = None
    signer: bytes = b""

    def to_record(self) -> bytes:
        return dump_json({
            "image_id": self.image_id, "total_size": self.total_size, "received": self.received,
            "state": self.state.value, "image_hash": self.image_hash,
            "manufacturer_code": self.manufacturer_code, "image_type": self.image_type,
            "file_version": self.file_version, "signer": self.signer,
        })

    @classmethod
    def from_record(cls, data: bytes) -> FirmwareImage:
        value: dict[str, Any] = load_json(data)
        return cls(
            value["image_id"], value["total_size"], value["received"], FirmwareState(value["state"]),
            bytes.fromhex(value["image_hash"]), value["manufacturer_code"], value["image_type"],
            value["file_version"], bytes.fromhex(value["signer"]),
        )


def _store(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("firmware", {})


def _chunks(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("firmware_chunks", {})


def images(hub: Hub) -> list[FirmwareImage]:
    return [FirmwareImage.from_record(value) for key, value in sorted(_store(hub).items())
            if key.startswith("image:")]


def _get(hub: Hub, image_id: str) -> FirmwareImage | None:
    raw = _store(hub).get(f"image:{image_id}")
    return FirmwareImage.from_record(raw) if raw is not None else None


def _put(hub: Hub, image: FirmwareImage) -> None:
    _store(hub)[f"image:{image.image_id}"] = image.to_record()
    hub.state.touch("firmware")


def image_bytes(hub: Hub, image_id: str) -> bytes:
    """The whole OTA file of an image from its chunks (complete images only)."""
    prefix = f"{image_id}:"
    return b"".join(value for key, value in sorted(_chunks(hub).items()) if key.startswith(prefix))


def verified_image_for(hub: Hub, manufacturer_code: int, image_type: int) -> FirmwareImage | None:
    """The newest verified image for a manufacturer code and image type, if any."""
    candidates = [image for image in images(hub) if image.state is FirmwareState.VERIFIED
                  and image.manufacturer_code == manufacturer_code and image.image_type == image_type]
    return max(candidates, key=lambda image: image.file_version or 0, default=None)


def is_own_image(hub: Hub, image: FirmwareImage) -> bool:
    return _names_the_ch(hub, image.manufacturer_code, image.image_type)


def _names_the_ch(hub: Hub, manufacturer_code: int | None, image_type: int | None) -> bool:
    settings = hub.state.settings
    return manufacturer_code == settings.manufacturer_code and image_type == settings.image_type


# --- Category 1 ingestion -----------------------------------------------------------------


def _on_chunk(hub: Hub, event: ev.FirmwareChunkReceived) -> None:
    if hub.dropped_without_mains(event):
        return
    if not _IMAGE_ID.match(event.image_id):
        LOGGER.warning("hub %s: firmware chunk with invalid image id %r dropped", hub.id, event.image_id)
        return
    if not 0 < event.total_size <= MAX_IMAGE_SIZE:
        LOGGER.warning("hub %s: firmware image %s of %d bytes refused (limit %d)", hub.id,
                       event.image_id, event.total_size, MAX_IMAGE_SIZE)
        hub.send_csp(FirmwareChunkAck(event.image_id, 0, event.total_size, False))
        return
    image = _get(hub, event.image_id)
    if image is not None and image.total_size != event.total_size:
        LOGGER.info("hub %s: image %s restarted with a new size", hub.id, event.image_id)
        _discard(hub, image.image_id)
        image = None
    if image is None:
        image = FirmwareImage(event.image_id, event.total_size, 0, FirmwareState.RECEIVING)
    if image.state is not FirmwareState.RECEIVING:
        hub.send_csp(FirmwareChunkAck(image.image_id, image.received, image.total_size,
                                      image.state is FirmwareState.VERIFIED))
        return
    if event.offset != image.received or not event.data or event.offset + len(event.data) > image.total_size:
        # Out of order, empty or too long: the store keeps what it has and acknowledges the
        # offset to resume from.
        _put(hub, image)
        hub.send_csp(FirmwareChunkAck(image.image_id, image.received, image.total_size))
        return
    state = hub.move(Component.FIRMWARE, image.state, Trigger.CHUNK_STORED, "FirmwareChunkReceived",
                     instance=image.image_id)
    _chunks(hub)[f"{image.image_id}:{event.offset:012d}"] = bytes(event.data)
    hub.state.touch("firmware_chunks")
    image = FirmwareImage(image.image_id, image.total_size, image.received + len(event.data), state)
    if image.received < image.total_size:
        _put(hub, image)
        hub.send_csp(FirmwareChunkAck(image.image_id, image.received, image.total_size))
        return
    image = _verify(hub, image)
    _put(hub, image)
    hub.send_csp(FirmwareChunkAck(image.image_id, image.received, image.total_size,
                                  image.state is FirmwareState.VERIFIED))


def _discard(hub: Hub, image_id: str) -> None:
    _store(hub).pop(f"image:{image_id}", None)
    prefix = f"{image_id}:"
    for key in [key for key in _chunks(hub) if key.startswith(prefix)]:
        del _chunks(hub)[key]
    hub.state.touch("firmware", "firmware_chunks")


def _verify(hub: Hub, image: FirmwareImage) -> FirmwareImage:
    data = image_bytes(hub, image.image_id)
    try:
        ota: OtaFile = read_ota_file(data, layout="gbcs")
    except CodecError as exc:
        return _rejected(hub, image, f"not a GBCS OTA upgrade image: {exc}", data)
    upgrade = ota.upgrade_image
    if upgrade is None:
        return _rejected(hub, image, "the OTA file has no GBCS upgrade image", data)
    signer = b""
    for party in hub.state.identity.remote_parties:
        if party.role not in _SIGNING_ROLES:
            continue
        public = hub.gbcs.keys.public_key(party.entity_id, KeyUsage.DIGITAL_SIGNATURE)
        if public is not None and upgrade.verify(public):
            signer = party.entity_id
            break
    if not signer:
        return _rejected(hub, image, "no trusted supplier's signature verifies", data,
                         upgrade.manufacturer_image_hash)
    header = ota.header
    state = hub.move(Component.FIRMWARE, image.state, Trigger.IMAGE_VERIFIED, "FirmwareChunkReceived",
                     instance=image.image_id)
    verified = FirmwareImage(
        image.image_id, image.total_size, image.received, state, upgrade.manufacturer_image_hash,
        header.manufacturer_code, header.image_type, header.file_version, signer,
    )
    LOGGER.info("hub %s: image %s verified (manufacturer 0x%04X, type 0x%04X, version 0x%08X)",
                hub.id, image.image_id, header.manufacturer_code, header.image_type, header.file_version)
    hub.log_event(EventCode.FIRMWARE_VERIFICATION_SUCCESSFUL, verified.image_hash)
    if is_own_image(hub, verified):
        _send_receipt(hub, EventCode.FIRMWARE_VERIFICATION_SUCCESSFUL, verified.image_hash, signer)
    else:
        from commshub.hub import han

        han.announce_image(hub, verified)
    return verified


def _rejected(hub: Hub, image: FirmwareImage, reason: str, data: bytes,
              image_hash: bytes | None = None) -> FirmwareImage:
    """Reject a complete image; ``image_hash`` is its manufacturer image hash when the upgrade
    image decoded."""
    state = hub.move(Component.FIRMWARE, image.state, Trigger.IMAGE_REJECTED, "FirmwareChunkReceived",
                     instance=image.image_id)
    LOGGER.warning("hub %s: image %s rejected: %s", hub.id, image.image_id, reason)
    hub.log_event(EventCode.FIRMWARE_VERIFICATION_FAILED)
    header = _header_of(data)
    if header is not None and _names_the_ch(hub, header.manufacturer_code, header.image_type):
        # NOTE: no party's signature verified, so the receipt cannot go to the signer as 0x8F72
        # does; GBCS's recipient for a CH image is not public, and the ACB is the party every CH
        # trusts. Without a decodable upgrade image the hash is the SHA-256 of the whole file.
        quoted = image_hash if image_hash is not None else hashlib.sha256(data).digest()
        _send_receipt(hub, EventCode.FIRMWARE_VERIFICATION_FAILED, quoted, hub.gbcs.acb)
    # The chunks of a rejected image are of no use. Its record stays, so that a sender that
    # retries gets the verdict.
    prefix = f"{image.image_id}:"
    for key in [key for key in _chunks(hub) if key.startswith(prefix)]:
        del _chunks(hub)[key]
    hub.state.touch("firmware_chunks")
    return FirmwareImage(image.image_id, image.total_size, image.received, state)


def _header_of(data: bytes) -> OtaHeader | None:
    try:
        return read_ota_header(data)
    except CodecError:
        return None


def _send_receipt(hub: Hub, alert_code: int, image_hash: bytes, recipient: bytes) -> None:
    """Send the Firmware Distribution Receipt Alert (0x8F72 / 0x8F1C), signed, as DLMS devices do."""
    state = hub.state
    counter = hub.next_alert_counter()
    content = gbcs_io.dlms_alert_content(counter, alert_code, state.utc, Data(DataType.OCTET_STRING, image_hash))
    data = hub.gbcs.alert(originator=state.identity.chf_id, recipient=recipient, counter=counter,
                          message_code=FIRMWARE_RECEIPT_ALERT, content=content, critical=True)
    hub.send_wan(WanKind.ALERT, recipient, FIRMWARE_RECEIPT_ALERT, data, alert_code=alert_code)


# --- CS06 for the CH's own firmware -------------------------------------------------------


def _activate(hub: Hub, image_hash: bytes) -> tuple[int, bytes]:
    """Activate the CH image with ``image_hash``; return (outcome code, running version)."""
    state = hub.state
    own = [image for image in images(hub)
           if image.state is FirmwareState.VERIFIED and is_own_image(hub, image)]
    if not own:
        return OUTCOME_NO_IMAGE_HELD, state.firmware_version
    match = next((image for image in own if image.image_hash == image_hash), None)
    if match is None or match.file_version is None:
        return OUTCOME_HASH_MISMATCH, state.firmware_version
    version = match.file_version.to_bytes(4, "big")
    if version != state.firmware_version:
        state.firmware_version = version
        state.touch("chf")
        hub.log_event(EventCode.FIRMWARE_VERSION_CHANGED, version)
        LOGGER.info("hub %s now runs firmware %s", hub.id, version.hex())
    return OUTCOME_SUCCESS, version


@use_case_handler(CS06_MESSAGE_CODE, Function.CHF, roles=frozenset(_SIGNING_ROLES),
                  payload=PayloadKind.ASN1, critical=True)
def _cs06(hub: Hub, command: Command) -> bytes:
    value = command.payload
    image_hash = bytes(value["manufacturerImageHash"])
    if len(image_hash) != 32:
        raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED, "the image hash must be 32 octets")
    execution = value.get("executionDateTime")
    if execution is not None:
        at = int(execution.replace(tzinfo=datetime.UTC).timestamp())
        if at > hub.state.utc:
            key = f"activation:{command.frame.originator.hex()}:{value['originatorCounter']:020d}"
            _store(hub)[key] = dump_json({"hash": image_hash, "originator": command.frame.originator,
                                          "counter": value["originatorCounter"], "at": at})
            hub.state.touch("firmware")
            hub.start_timer(f"{ACTIVATION_TIMER}:{key}", hub.state.now + (at - hub.state.utc))
            return gbcs_io.encode_asn1_payload("ActivateFirmwareResponse", ("commandAccepted", None))
    outcome, version = _activate(hub, image_hash)
    return gbcs_io.encode_asn1_payload(
        "ActivateFirmwareResponse",
        ("executionOutcome", {"responseCode": outcome, "firmwareVersion": version}),
    )


def _on_activation_timer(hub: Hub, name: str) -> None:
    key = name.split(":", 1)[1]
    raw = _store(hub).pop(key, None)
    if raw is None:
        return
    hub.state.touch("firmware")
    value = load_json(raw)
    outcome, version = _activate(hub, bytes.fromhex(value["hash"]))
    alert_code = ACTIVATION_SUCCEEDED if outcome == OUTCOME_SUCCESS else ACTIVATION_FAILED
    content = gbcs_io.encode_asn1_payload("ActivateFirmwareAlert", {
        "alertCode": alert_code, "executionDateTime": gbcs_io.generalized_time(hub.state.utc),
        "originatorCounter": value["counter"],
        "executionOutcome": {"responseCode": outcome, "firmwareVersion": version},
    })
    recipient = bytes.fromhex(value["originator"])
    state = hub.state
    data = hub.gbcs.alert(originator=state.identity.chf_id, recipient=recipient,
                          counter=hub.next_alert_counter(), message_code=FUTURE_DATED_ACTIVATION_ALERT,
                          content=content, critical=True)
    hub.send_wan(WanKind.ALERT, recipient, FUTURE_DATED_ACTIVATION_ALERT, data, alert_code=alert_code)


def _register() -> None:
    from commshub.hub.hub import handles, handles_timer

    handles(ev.FirmwareChunkReceived)(_on_chunk)
    handles_timer(ACTIVATION_TIMER)(_on_activation_timer)


_register()
