"""General clusters a Communications Hub serves: Basic 0x0000, Identify 0x0003, Time 0x000A
(ZCL revision 6)."""

from __future__ import annotations

from enum import IntFlag

from construct import Int8ul, Int16ul, Struct

from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import DataType as T

__all__ = [
    "BASIC",
    "GBCS_HUB_TIME_STATUS",
    "GBCS_PHYSICAL_ENVIRONMENT",
    "IDENTIFY",
    "IDENTIFY_COMMAND",
    "IDENTIFY_QUERY",
    "IDENTIFY_QUERY_RESPONSE",
    "RESET_TO_FACTORY_DEFAULTS",
    "TIME",
    "TRIGGER_EFFECT",
    "TimeStatus",
]

BASIC_ID = 0x0000
IDENTIFY_ID = 0x0003
TIME_ID = 0x000A

# Global attributes every cluster may carry (ZCL revision 6).
GLOBAL_ATTRIBUTES = (
    (0xFFFD, "cluster_revision", T.UINT16),
    (0xFFFE, "attribute_reporting_status", T.ENUM8),
)


class TimeStatus(IntFlag):
    """Bits of the Time cluster's TimeStatus attribute (ZCL revision 6)."""

    MASTER = 0x01
    SYNCHRONIZED = 0x02
    MASTER_ZONE_DST = 0x04
    SUPERSEDING = 0x08


# A GB Communications Hub serves Time with TimeStatus Master | Superseding (GBCS 9.1.3, as
# quoted by the HenryGiraldo/gbcs emulator's ch.c).
GBCS_HUB_TIME_STATUS = TimeStatus.MASTER | TimeStatus.SUPERSEDING
# GBCS requires the Basic cluster's PhysicalEnvironment attribute with value 0x01 (GBCS 10.2.2,
# as quoted by the same source).
GBCS_PHYSICAL_ENVIRONMENT = 0x01

_BASIC_COMMANDS = commands(
    BASIC_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "reset_to_factory_defaults", Struct()),
)

BASIC = register(Cluster(
    BASIC_ID, "Basic",
    attributes=attributes(
        (0x0000, "zcl_version", T.UINT8),
        (0x0001, "application_version", T.UINT8),
        (0x0002, "stack_version", T.UINT8),
        (0x0003, "hw_version", T.UINT8),
        (0x0004, "manufacturer_name", T.CHARACTER_STRING),
        (0x0005, "model_identifier", T.CHARACTER_STRING),
        (0x0006, "date_code", T.CHARACTER_STRING),
        (0x0007, "power_source", T.ENUM8),
        (0x0008, "generic_device_class", T.ENUM8),
        (0x0009, "generic_device_type", T.ENUM8),
        (0x000A, "product_code", T.OCTET_STRING),
        (0x000B, "product_url", T.CHARACTER_STRING),
        (0x000C, "manufacturer_version_details", T.CHARACTER_STRING),
        (0x000D, "serial_number", T.CHARACTER_STRING),
        (0x000E, "product_label", T.CHARACTER_STRING),
        (0x0010, "location_description", T.CHARACTER_STRING),
        (0x0011, "physical_environment", T.ENUM8),
        (0x0012, "device_enabled", T.BOOLEAN),
        (0x0013, "alarm_mask", T.BITMAP8),
        (0x0014, "disable_local_config", T.BITMAP8),
        (0x4000, "sw_build_id", T.CHARACTER_STRING),
        GLOBAL_ATTRIBUTES,
    ),
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_BASIC_COMMANDS,
))
RESET_TO_FACTORY_DEFAULTS = _BASIC_COMMANDS[0x00]

_IDENTIFY_TO_SERVER = commands(
    IDENTIFY_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "identify", Struct("identify_time" / Int16ul)),  # seconds
    (0x01, "identify_query", Struct()),
    (0x40, "trigger_effect", Struct("effect_identifier" / Int8ul, "effect_variant" / Int8ul)),
)
_IDENTIFY_TO_CLIENT = commands(
    IDENTIFY_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "identify_query_response", Struct("timeout" / Int16ul)),  # seconds
)

IDENTIFY = register(Cluster(
    IDENTIFY_ID, "Identify",
    attributes=attributes((0x0000, "identify_time", T.UINT16), GLOBAL_ATTRIBUTES),
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_IDENTIFY_TO_SERVER,
    commands_to_client=_IDENTIFY_TO_CLIENT,
))
IDENTIFY_COMMAND = _IDENTIFY_TO_SERVER[0x00]
IDENTIFY_QUERY = _IDENTIFY_TO_SERVER[0x01]
TRIGGER_EFFECT = _IDENTIFY_TO_SERVER[0x40]
IDENTIFY_QUERY_RESPONSE = _IDENTIFY_TO_CLIENT[0x00]

TIME = register(Cluster(
    TIME_ID, "Time",
    attributes=attributes(
        (0x0000, "time", T.UTC_TIME),
        (0x0001, "time_status", T.BITMAP8),
        (0x0002, "time_zone", T.INT32),  # seconds east of UTC
        (0x0003, "dst_start", T.UINT32),
        (0x0004, "dst_end", T.UINT32),
        (0x0005, "dst_shift", T.INT32),  # seconds
        (0x0006, "standard_time", T.UINT32),
        (0x0007, "local_time", T.UINT32),
        (0x0008, "last_set_time", T.UTC_TIME),
        (0x0009, "valid_until_time", T.UTC_TIME),
        GLOBAL_ATTRIBUTES,
    ),
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
))
