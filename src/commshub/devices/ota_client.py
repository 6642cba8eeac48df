"""The OTA Upgrade client of a virtual meter (ZCL revision 6, chapter 11) with GBCS rules.

The client asks the hub's OTA server for a newer image (Query Next Image), fetches it block
by block (Image Block Request / Response, the client drives the transfer, which suits a sleepy
gas meter), checks it and ends with Upgrade End Request. GBCS changes the end of the story: the
meter verifies the supplier's signature over the manufacturer image and then *holds* the image;
it runs it only when a CS06 Activate Firmware command names the image's manufacturer image hash.

The functions are pure: they take the client's :class:`OtaProgress` and return the new one
with the ZCL frames to send and, when a transfer ends, an :class:`OtaOutcome`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.zigbee.ota import read_ota_file
from commshub.codecs.zigbee.zcl import Status, ZclFrame
from commshub.codecs.zigbee.zcl.clusters.ota import (
    IMAGE_BLOCK_REQUEST,
    IMAGE_BLOCK_RESPONSE,
    IMAGE_NOTIFY,
    QUERY_NEXT_IMAGE_REQUEST,
    QUERY_NEXT_IMAGE_RESPONSE,
    UPGRADE_END_REQUEST,
    UPGRADE_END_RESPONSE,
)
from commshub.devices.transitions import DeviceComponent, DeviceTrigger, OtaClientState, advance
from commshub.errors import CodecError

__all__ = [
    "HeldImage",
    "OtaConfig",
    "OtaOutcome",
    "OtaProgress",
    "block_request",
    "firmware_version_of",
    "on_ota_frame",
    "query_next_image",
]

LOGGER = logging.getLogger(__name__)

# Bytes the client asks for per Image Block Request: a block must fit one ZigBee APS frame
# with the Image Block Response header; 48 leaves room for APS security (not public in GBCS).
DEFAULT_MAX_BLOCK = 48


def firmware_version_of(file_version: int) -> bytes:
    """Return the 4-octet GBCS firmware version of an OTA file version (big-endian)."""
    return file_version.to_bytes(4, "big")


@dataclass(frozen=True)
class OtaConfig:
    """Client settings: its manufacturer code, image type and running file version, and the
    supplier key that must have signed an image (None: not checked)."""

    manufacturer_code: int
    image_type: int
    file_version: int
    hardware_version: int = 1
    max_block: int = DEFAULT_MAX_BLOCK
    signer: ec.EllipticCurvePublicKey | None = None


@dataclass(frozen=True)
class HeldImage:
    """A verified image waiting for CS06 activation."""

    file_version: int
    manufacturer_image_hash: bytes

    @property
    def firmware_version(self) -> bytes:
        return firmware_version_of(self.file_version)


@dataclass(frozen=True)
class OtaProgress:
    """The client's transfer: state, the image being fetched and what arrived so far."""

    state: OtaClientState = OtaClientState.IDLE
    file_version: int | None = None
    image_size: int = 0
    data: bytes = b""
    held: HeldImage | None = None


@dataclass(frozen=True)
class OtaOutcome:
    """A finished transfer: ``held`` is set when the image verified, else ``reason`` gives why."""

    held: HeldImage | None
    reason: str = ""


def query_next_image(progress: OtaProgress, config: OtaConfig, *, device: str) -> tuple[OtaProgress, ZclFrame]:
    """Start a transfer: ask the server whether it has a newer image for this device."""
    state = advance(DeviceComponent.OTA, progress.state, DeviceTrigger.IMAGE_QUERIED, device=device)
    frame = QUERY_NEXT_IMAGE_REQUEST.frame(
        field_control=0x01, manufacturer_code=config.manufacturer_code, image_type=config.image_type,
        current_file_version=config.file_version, hardware_version=config.hardware_version,
    )
    return replace(progress, state=state), frame


def block_request(progress: OtaProgress, config: OtaConfig) -> ZclFrame:
    """Return the Image Block Request for the next bytes of the transfer under way."""
    return IMAGE_BLOCK_REQUEST.frame(
        field_control=0x00, manufacturer_code=config.manufacturer_code, image_type=config.image_type,
        file_version=progress.file_version, file_offset=len(progress.data),
        maximum_data_size=config.max_block,
    )


def _verify(data: bytes, config: OtaConfig, file_version: int) -> OtaOutcome:
    try:
        image = read_ota_file(data, layout="gbcs")
    except CodecError as exc:
        return OtaOutcome(None, f"not a GBCS OTA file: {exc}")
    header = image.header
    if (header.manufacturer_code, header.image_type) != (config.manufacturer_code, config.image_type):
        return OtaOutcome(None, f"image is for manufacturer 0x{header.manufacturer_code:04X} "
                                f"type 0x{header.image_type:04X}")
    if header.file_version != file_version:
        return OtaOutcome(None, f"file version 0x{header.file_version:08X} differs from the offered "
                                f"0x{file_version:08X}")
    if image.upgrade_image is None:
        return OtaOutcome(None, "the file carries no GBCS upgrade image")
    if config.signer is not None and not image.upgrade_image.verify(config.signer):
        return OtaOutcome(None, "the supplier signature of the manufacturer image does not verify")
    return OtaOutcome(HeldImage(header.file_version, image.upgrade_image.manufacturer_image_hash))


def on_ota_frame(progress: OtaProgress, config: OtaConfig, frame: ZclFrame, *,
                 device: str) -> tuple[OtaProgress, list[ZclFrame], OtaOutcome | None]:
    """Take an OTA Upgrade frame from the server; return the new progress, the frames to send
    and the outcome once the transfer ends (held image or failure)."""

    def move(trigger: DeviceTrigger) -> OtaClientState:
        return advance(DeviceComponent.OTA, progress.state, trigger, device=device)

    if IMAGE_NOTIFY.matches(frame):
        if progress.state in (OtaClientState.IDLE, OtaClientState.HELD):
            progress, query = query_next_image(progress, config, device=device)
            return progress, [query], None
        return progress, [], None
    if QUERY_NEXT_IMAGE_RESPONSE.matches(frame) and progress.state is OtaClientState.QUERYING:
        if frame["status"] != Status.SUCCESS or frame["file_version"] == config.file_version or (
                progress.held is not None and frame["file_version"] == progress.held.file_version):
            return replace(progress, state=move(DeviceTrigger.NO_IMAGE) if progress.held is None
                           else OtaClientState.HELD), [], None
        progress = replace(progress, state=move(DeviceTrigger.DOWNLOAD_STARTED),
                           file_version=frame["file_version"], image_size=frame["image_size"], data=b"")
        return progress, [block_request(progress, config)], None
    if IMAGE_BLOCK_RESPONSE.matches(frame) and progress.state is OtaClientState.DOWNLOADING:
        return _on_block(progress, config, frame, device=device)
    if UPGRADE_END_RESPONSE.matches(frame) and progress.state is OtaClientState.VERIFYING:
        outcome = _verify(progress.data, config, progress.file_version or 0)
        assert outcome.held is not None  # VERIFYING is reached only after a verified image
        LOGGER.info("device %s holds image 0x%08X until activation", device, outcome.held.file_version)
        held = replace(progress, state=move(DeviceTrigger.IMAGE_ACCEPTED), data=b"", held=outcome.held)
        return held, [], outcome
    LOGGER.debug("device %s ignores OTA command 0x%02X in %s", device, frame.command_id, progress.state.value)
    return progress, [], None


def _on_block(progress: OtaProgress, config: OtaConfig, frame: ZclFrame, *,
              device: str) -> tuple[OtaProgress, list[ZclFrame], OtaOutcome | None]:
    def move(trigger: DeviceTrigger) -> OtaClientState:
        return advance(DeviceComponent.OTA, progress.state, trigger, device=device)

    def end(status: Status) -> ZclFrame:
        return UPGRADE_END_REQUEST.frame(status=status, manufacturer_code=config.manufacturer_code,
                                         image_type=config.image_type, file_version=progress.file_version)

    if frame["status"] == Status.WAIT_FOR_DATA:
        return progress, [block_request(progress, config)], None
    if frame["status"] != Status.SUCCESS or frame["file_offset"] != len(progress.data) \
            or frame["file_version"] != progress.file_version:
        reason = f"block at offset {frame['file_offset']} with status 0x{frame['status']:02X}"
        failed = replace(progress, state=move(DeviceTrigger.IMAGE_REJECTED), data=b"")
        return failed, [end(Status.ABORT)], OtaOutcome(None, reason)
    data = progress.data + bytes(frame["image_data"])
    if len(data) < progress.image_size:
        progress = replace(progress, state=move(DeviceTrigger.BLOCK_RECEIVED), data=data)
        return progress, [block_request(progress, config)], None
    outcome = _verify(data, config, progress.file_version or 0)
    if outcome.held is None:
        failed = replace(progress, state=move(DeviceTrigger.IMAGE_REJECTED), data=b"")
        return failed, [end(Status.INVALID_IMAGE)], outcome
    # The verdict goes out now; the image is held once the server answers the Upgrade End.
    return replace(progress, state=move(DeviceTrigger.DOWNLOAD_COMPLETE), data=data), [end(Status.SUCCESS)], None
