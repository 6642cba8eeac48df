"""ZigBee Cluster Library: frames, data types, global commands and the Smart Energy clusters
a Communications Hub serves or uses.

Decode with :func:`parse_zcl`, encode with :func:`build_zcl`; build frames from the command
descriptors, e.g. ``ota.QUERY_NEXT_IMAGE_RESPONSE.reply(request, status=Status.SUCCESS, ...)``.
"""

from commshub.codecs.zigbee.zcl import foundation
from commshub.codecs.zigbee.zcl.clusters import (
    BASIC,
    CALENDAR,
    DEVICE_MANAGEMENT,
    EVENTS,
    IDENTIFY,
    KEY_ESTABLISHMENT,
    MESSAGING,
    METERING,
    OTA_UPGRADE,
    PREPAYMENT,
    PRICE,
    TIME,
    TUNNELING,
    calendar,
    device_management,
    general,
    key_establishment,
    messaging,
    metering,
    ota,
    prepayment,
    price,
    tunneling,
)
from commshub.codecs.zigbee.zcl.codec import build_zcl, command_of, parse_zcl
from commshub.codecs.zigbee.zcl.foundation import GLOBAL_COMMANDS, ReportingDirection, Status
from commshub.codecs.zigbee.zcl.frame import Direction, FrameType, ZclFrame
from commshub.codecs.zigbee.zcl.schema import (
    CLUSTERS,
    Attribute,
    Cluster,
    ClusterCommand,
    CommandDef,
    GlobalCommand,
    cluster_name,
)
from commshub.codecs.zigbee.zcl.types import (
    DataType,
    ZclText,
    datetime_to_utc,
    utc_to_datetime,
)

__all__ = [
    "BASIC",
    "CALENDAR",
    "CLUSTERS",
    "DEVICE_MANAGEMENT",
    "EVENTS",
    "GLOBAL_COMMANDS",
    "IDENTIFY",
    "KEY_ESTABLISHMENT",
    "MESSAGING",
    "METERING",
    "OTA_UPGRADE",
    "PREPAYMENT",
    "PRICE",
    "TIME",
    "TUNNELING",
    "Attribute",
    "Cluster",
    "ClusterCommand",
    "CommandDef",
    "DataType",
    "Direction",
    "FrameType",
    "GlobalCommand",
    "ReportingDirection",
    "Status",
    "ZclFrame",
    "ZclText",
    "build_zcl",
    "calendar",
    "cluster_name",
    "command_of",
    "datetime_to_utc",
    "device_management",
    "foundation",
    "general",
    "key_establishment",
    "messaging",
    "metering",
    "ota",
    "parse_zcl",
    "prepayment",
    "price",
    "tunneling",
    "utc_to_datetime",
]
