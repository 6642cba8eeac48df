"""Device Management cluster 0x0708 (ZigBee Smart Energy 1.4) and Events cluster
0x0709 (annex D.11)."""

from __future__ import annotations

from construct import GreedyBytes, Int8ul, Int16ul, Int32ul, Struct, Switch, this

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import CountedList, RecordsToEnd
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import DataType as T
from commshub.codecs.zigbee.zcl.types import OctetString, UtcTime

__all__ = [
    "CLEAR_EVENT_LOG_REQUEST",
    "CLEAR_EVENT_LOG_RESPONSE",
    "DEVICE_MANAGEMENT",
    "EVENTS",
    "GET_CHANGE_OF_SUPPLIER",
    "GET_CHANGE_OF_TENANCY",
    "GET_CIN",
    "GET_EVENT_CONFIGURATION",
    "GET_EVENT_LOG",
    "GET_SITE_ID",
    "PUBLISH_CHANGE_OF_SUPPLIER",
    "PUBLISH_CHANGE_OF_TENANCY",
    "PUBLISH_EVENT",
    "PUBLISH_EVENT_LOG",
    "REPORT_EVENT_CONFIGURATION",
    "REQUEST_NEW_PASSWORD",
    "REQUEST_NEW_PASSWORD_RESPONSE",
    "SET_EVENT_CONFIGURATION",
    "UPDATE_CIN",
    "UPDATE_SITE_ID",
]

DEVICE_MANAGEMENT_ID = 0x0708
EVENTS_ID = 0x0709

# Set Event Configuration: the configuration control selects how the events are chosen
# (Smart Energy 1.4).
_EVENT_SELECTION = Switch(this.configuration_control, {
    0: Struct("event_ids" / CountedList(Int8ul, Int16ul)),  # apply by list
    1: Struct("event_group_id" / Int16ul),  # apply by event group
    2: Struct("log_id" / Int8ul),  # apply by log type
    3: Struct("configuration_value_match" / Int8ul),  # apply by configuration match
}, default=GreedyBytes)

_DM_TO_SERVER = commands(
    DEVICE_MANAGEMENT_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "get_change_of_tenancy", Struct()),
    (0x01, "get_change_of_supplier", Struct()),
    (0x02, "request_new_password", Struct("password_type" / Int8ul)),
    (0x03, "get_site_id", Struct()),
    (0x04, "report_event_configuration", Struct(
        "command_index" / Int8ul,
        "total_commands" / Int8ul,
        "event_configurations" / RecordsToEnd(Struct("event_id" / Int16ul, "event_configuration" / Int8ul)),
    )),
    (0x05, "get_cin", Struct()),
)

_DM_TO_CLIENT = commands(
    DEVICE_MANAGEMENT_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "publish_change_of_tenancy", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "tariff_type" / Int8ul,
        "implementation_date_time" / UtcTime,
        "proposed_tenancy_change_control" / Int32ul,
    )),
    (0x01, "publish_change_of_supplier", Struct(
        "current_provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "tariff_type" / Int8ul,
        "proposed_provider_id" / Int32ul,
        "provider_change_implementation_time" / UtcTime,
        "provider_change_control" / Int32ul,
        "proposed_provider_name" / OctetString,
        "proposed_provider_contact_details" / OctetString,
    )),
    (0x02, "request_new_password_response", Struct(
        "issuer_event_id" / Int32ul,
        "implementation_date_time" / UtcTime,
        "duration_in_minutes" / Int16ul,
        "password_type" / Int8ul,
        "password" / OctetString,
    )),
    (0x03, "update_site_id", Struct(
        "issuer_event_id" / Int32ul,
        "site_id_time" / UtcTime,
        "provider_id" / Int32ul,
        "site_id" / OctetString,
    )),
    (0x04, "set_event_configuration", Struct(
        "issuer_event_id" / Int32ul,
        "start_date_time" / UtcTime,
        "event_configuration" / Int8ul,
        "configuration_control" / Int8ul,
        "selection" / _EVENT_SELECTION,
    )),
    (0x05, "get_event_configuration", Struct("event_id" / Int16ul)),
    (0x06, "update_cin", Struct(
        "issuer_event_id" / Int32ul,
        "implementation_time" / UtcTime,
        "provider_id" / Int32ul,
        "customer_id_number" / OctetString,
    )),
)

DEVICE_MANAGEMENT = register(Cluster(
    DEVICE_MANAGEMENT_ID, "Device Management",
    attributes=attributes(
        (0x0000, "provider_id", T.UINT32),
        (0x0001, "provider_name", T.OCTET_STRING),
        (0x0002, "provider_contact_details", T.OCTET_STRING),
        (0x0010, "proposed_provider_id", T.UINT32),
        (0x0011, "proposed_provider_name", T.OCTET_STRING),
        (0x0012, "proposed_provider_change_date_time", T.UTC_TIME),
        (0x0013, "proposed_provider_change_control", T.BITMAP32),
        (0x0014, "proposed_provider_contact_details", T.OCTET_STRING),
        (0x0100, "change_of_tenancy_update_date_time", T.UTC_TIME),
        (0x0101, "proposed_tenancy_change_control", T.BITMAP32),
        GLOBAL_ATTRIBUTES,
    ),
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_DM_TO_SERVER,
    commands_to_client=_DM_TO_CLIENT,
))

GET_CHANGE_OF_TENANCY = _DM_TO_SERVER[0x00]
GET_CHANGE_OF_SUPPLIER = _DM_TO_SERVER[0x01]
REQUEST_NEW_PASSWORD = _DM_TO_SERVER[0x02]
GET_SITE_ID = _DM_TO_SERVER[0x03]
REPORT_EVENT_CONFIGURATION = _DM_TO_SERVER[0x04]
GET_CIN = _DM_TO_SERVER[0x05]
PUBLISH_CHANGE_OF_TENANCY = _DM_TO_CLIENT[0x00]
PUBLISH_CHANGE_OF_SUPPLIER = _DM_TO_CLIENT[0x01]
REQUEST_NEW_PASSWORD_RESPONSE = _DM_TO_CLIENT[0x02]
UPDATE_SITE_ID = _DM_TO_CLIENT[0x03]
SET_EVENT_CONFIGURATION = _DM_TO_CLIENT[0x04]
GET_EVENT_CONFIGURATION = _DM_TO_CLIENT[0x05]
UPDATE_CIN = _DM_TO_CLIENT[0x06]

_EVENTS_TO_SERVER = commands(
    EVENTS_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "get_event_log", Struct(
        "event_control_log_id" / Int8ul,  # high nibble event control, low nibble log id
        "event_id" / Int16ul,
        "start_time" / UtcTime,
        "end_time" / UtcTime,
        "number_of_events" / Int8ul,
        "event_offset" / Int16ul,
    )),
    (0x01, "clear_event_log_request", Struct("log_id" / Int8ul)),
)

_EVENTS_TO_CLIENT = commands(
    EVENTS_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "publish_event", Struct(
        "log_id" / Int8ul,
        "event_id" / Int16ul,
        "event_time" / UtcTime,
        "event_control" / Int8ul,
        "event_data" / OctetString,
    )),
    (0x01, "publish_event_log", Struct(
        "total_number_of_matching_events" / Int16ul,
        "command_index" / Int8ul,
        "total_commands" / Int8ul,
        "log_payload_control" / Int8ul,  # low nibble: number of events in this command
        "events" / RecordsToEnd(Struct(
            "log_id" / Int8ul, "event_id" / Int16ul, "event_time" / UtcTime, "event_data" / OctetString)),
    )),
    (0x02, "clear_event_log_response", Struct("cleared_events_logs" / Int8ul)),
)

EVENTS = register(Cluster(
    EVENTS_ID, "Events",
    attributes=attributes(GLOBAL_ATTRIBUTES),
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_EVENTS_TO_SERVER,
    commands_to_client=_EVENTS_TO_CLIENT,
))

GET_EVENT_LOG = _EVENTS_TO_SERVER[0x00]
CLEAR_EVENT_LOG_REQUEST = _EVENTS_TO_SERVER[0x01]
PUBLISH_EVENT = _EVENTS_TO_CLIENT[0x00]
PUBLISH_EVENT_LOG = _EVENTS_TO_CLIENT[0x01]
CLEAR_EVENT_LOG_RESPONSE = _EVENTS_TO_CLIENT[0x02]
