"""OTA Upgrade cluster 0x0019 (ZCL revision 6): the commands a hub's OTA server
receives and sends. All attributes of this cluster live on the client (the device)."""

from __future__ import annotations

from enum import IntEnum

from construct import GreedyBytes, Int8ul, Int16ul, Int32ul, Prefixed, Struct, this

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import Maybe, PresenceFlags, Trailing
from commshub.codecs.zigbee.zcl.foundation import Status
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import DataType as T
from commshub.codecs.zigbee.zcl.types import Eui64, UtcTime

__all__ = [
    "IMAGE_BLOCK_REQUEST",
    "IMAGE_BLOCK_RESPONSE",
    "IMAGE_NOTIFY",
    "IMAGE_PAGE_REQUEST",
    "OTA_UPGRADE",
    "QUERY_DEVICE_SPECIFIC_FILE_REQUEST",
    "QUERY_DEVICE_SPECIFIC_FILE_RESPONSE",
    "QUERY_NEXT_IMAGE_REQUEST",
    "QUERY_NEXT_IMAGE_RESPONSE",
    "UPGRADE_END_REQUEST",
    "UPGRADE_END_RESPONSE",
    "UPGRADE_TIME_NOW",
    "UPGRADE_TIME_WAIT",
    "ImageNotifyPayloadType",
    "ImageUpgradeStatus",
]

OTA_UPGRADE_ID = 0x0019

# Upgrade End Response: an upgrade time of 0 (with current time 0) means "upgrade now";
# 0xFFFFFFFF means "wait for another Upgrade End Response" (ZCL revision 6).
UPGRADE_TIME_NOW = 0x00000000
UPGRADE_TIME_WAIT = 0xFFFFFFFF


class ImageNotifyPayloadType(IntEnum):
    """How many fields an Image Notify carries after the query jitter (ZCL revision 6)."""

    JITTER = 0
    JITTER_MANUFACTURER = 1
    JITTER_MANUFACTURER_IMAGE_TYPE = 2
    JITTER_MANUFACTURER_IMAGE_TYPE_VERSION = 3


class ImageUpgradeStatus(IntEnum):
    """Values of the client attribute ImageUpgradeStatus 0x0006 (ZCL revision 6)."""

    NORMAL = 0
    DOWNLOAD_IN_PROGRESS = 1
    DOWNLOAD_COMPLETE = 2
    WAITING_TO_UPGRADE = 3
    COUNT_DOWN = 4
    WAIT_FOR_MORE = 5
    WAITING_TO_UPGRADE_VIA_EXTERNAL_EVENT = 6


_SUCCESS = Status.SUCCESS.value
_WAIT_FOR_DATA = Status.WAIT_FOR_DATA.value

_TO_CLIENT = commands(
    OTA_UPGRADE_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "image_notify", Struct(
        "payload_type" / Int8ul,
        "query_jitter" / Int8ul,  # 1..100: a client responds when random(1..100) <= jitter
        "manufacturer_code" / Maybe(this.payload_type >= 1, Int16ul),
        "image_type" / Maybe(this.payload_type >= 2, Int16ul),
        "new_file_version" / Maybe(this.payload_type >= 3, Int32ul),
    )),
    (0x02, "query_next_image_response", Struct(
        "status" / Int8ul,
        "manufacturer_code" / Maybe(this.status == _SUCCESS, Int16ul),
        "image_type" / Maybe(this.status == _SUCCESS, Int16ul),
        "file_version" / Maybe(this.status == _SUCCESS, Int32ul),
        "image_size" / Maybe(this.status == _SUCCESS, Int32ul),  # bytes, the whole OTA file
    )),
    (0x05, "image_block_response", Struct(
        "status" / Int8ul,
        "manufacturer_code" / Maybe(this.status == _SUCCESS, Int16ul),
        "image_type" / Maybe(this.status == _SUCCESS, Int16ul),
        "file_version" / Maybe(this.status == _SUCCESS, Int32ul),
        "file_offset" / Maybe(this.status == _SUCCESS, Int32ul),
        "image_data" / Maybe(this.status == _SUCCESS, Prefixed(Int8ul, GreedyBytes)),
        "current_time" / Maybe(this.status == _WAIT_FOR_DATA, UtcTime),
        "request_time" / Maybe(this.status == _WAIT_FOR_DATA, UtcTime),
        # Added in OTA revision 3; older servers stop after request_time.
        "minimum_block_period" / Maybe(this.status == _WAIT_FOR_DATA, Trailing(Int16ul)),  # ms
    )),
    (0x07, "upgrade_end_response", Struct(
        "manufacturer_code" / Int16ul,
        "image_type" / Int16ul,
        "file_version" / Int32ul,
        "current_time" / UtcTime,
        "upgrade_time" / UtcTime,
    )),
    (0x09, "query_device_specific_file_response", Struct(
        "status" / Int8ul,
        "manufacturer_code" / Maybe(this.status == _SUCCESS, Int16ul),
        "image_type" / Maybe(this.status == _SUCCESS, Int16ul),
        "file_version" / Maybe(this.status == _SUCCESS, Int32ul),
        "image_size" / Maybe(this.status == _SUCCESS, Int32ul),
    )),
)

_TO_SERVER = commands(
    OTA_UPGRADE_ID, Direction.CLIENT_TO_SERVER,
    (0x01, "query_next_image_request", Struct(
        "field_control" / PresenceFlags(Int8ul, {0x01: "hardware_version"}),
        "manufacturer_code" / Int16ul,
        "image_type" / Int16ul,
        "current_file_version" / Int32ul,
        "hardware_version" / Maybe(this.field_control & 0x01, Int16ul),
    )),
    (0x03, "image_block_request", Struct(
        "field_control" / PresenceFlags(Int8ul, {0x01: "request_node_address", 0x02: "minimum_block_period"}),
        "manufacturer_code" / Int16ul,
        "image_type" / Int16ul,
        "file_version" / Int32ul,
        "file_offset" / Int32ul,
        "maximum_data_size" / Int8ul,  # bytes
        "request_node_address" / Maybe(this.field_control & 0x01, Eui64),
        "minimum_block_period" / Maybe(this.field_control & 0x02, Int16ul),  # ms
    )),
    (0x04, "image_page_request", Struct(
        "field_control" / PresenceFlags(Int8ul, {0x01: "request_node_address"}),
        "manufacturer_code" / Int16ul,
        "image_type" / Int16ul,
        "file_version" / Int32ul,
        "file_offset" / Int32ul,
        "maximum_data_size" / Int8ul,  # bytes per Image Block Response
        "page_size" / Int16ul,  # bytes
        "response_spacing" / Int16ul,  # ms between Image Block Responses
        "request_node_address" / Maybe(this.field_control & 0x01, Eui64),
    )),
    (0x06, "upgrade_end_request", Struct(
        "status" / Int8ul,
        "manufacturer_code" / Int16ul,
        "image_type" / Int16ul,
        "file_version" / Int32ul,
    )),
    (0x08, "query_device_specific_file_request", Struct(
        "request_node_address" / Eui64,
        "manufacturer_code" / Int16ul,
        "image_type" / Int16ul,
        "file_version" / Int32ul,
        "zigbee_stack_version" / Int16ul,
    )),
)

OTA_UPGRADE = register(Cluster(
    OTA_UPGRADE_ID, "OTA Upgrade",
    attributes=attributes(GLOBAL_ATTRIBUTES),
    client_attributes=attributes(
        (0x0000, "upgrade_server_id", T.IEEE_ADDRESS),
        (0x0001, "file_offset", T.UINT32),
        (0x0002, "current_file_version", T.UINT32),
        (0x0003, "current_zigbee_stack_version", T.UINT16),
        (0x0004, "downloaded_file_version", T.UINT32),
        (0x0005, "downloaded_zigbee_stack_version", T.UINT16),
        (0x0006, "image_upgrade_status", T.ENUM8),
        (0x0007, "manufacturer_id", T.UINT16),
        (0x0008, "image_type_id", T.UINT16),
        (0x0009, "minimum_block_period", T.UINT16),
        (0x000A, "image_stamp", T.UINT32),
        (0x000B, "upgrade_activation_policy", T.ENUM8),
        (0x000C, "upgrade_timeout_policy", T.ENUM8),
        GLOBAL_ATTRIBUTES,
    ),
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

IMAGE_NOTIFY = _TO_CLIENT[0x00]
QUERY_NEXT_IMAGE_RESPONSE = _TO_CLIENT[0x02]
IMAGE_BLOCK_RESPONSE = _TO_CLIENT[0x05]
UPGRADE_END_RESPONSE = _TO_CLIENT[0x07]
QUERY_DEVICE_SPECIFIC_FILE_RESPONSE = _TO_CLIENT[0x09]
QUERY_NEXT_IMAGE_REQUEST = _TO_SERVER[0x01]
IMAGE_BLOCK_REQUEST = _TO_SERVER[0x03]
IMAGE_PAGE_REQUEST = _TO_SERVER[0x04]
UPGRADE_END_REQUEST = _TO_SERVER[0x06]
QUERY_DEVICE_SPECIFIC_FILE_REQUEST = _TO_SERVER[0x08]
