"""ZCL foundation: status codes and every global (profile-wide) command (ZCL revision 6; commands 0x00-0x16)."""

from __future__ import annotations

from enum import IntEnum

from construct import Array, Int8ul, Int16ul, Struct, Switch, this

from commshub.codecs.zigbee.zcl.constructs import LoneStatus, Maybe, RecordsToEnd
from commshub.codecs.zigbee.zcl.schema import GlobalCommand
from commshub.codecs.zigbee.zcl.types import ANALOG_TYPES, VALUE, DataType, value_construct

__all__ = [
    "CONFIGURE_REPORTING",
    "CONFIGURE_REPORTING_RESPONSE",
    "DEFAULT_RESPONSE",
    "DISCOVER_ATTRIBUTES",
    "DISCOVER_ATTRIBUTES_EXTENDED",
    "DISCOVER_ATTRIBUTES_EXTENDED_RESPONSE",
    "DISCOVER_ATTRIBUTES_RESPONSE",
    "DISCOVER_COMMANDS_GENERATED",
    "DISCOVER_COMMANDS_GENERATED_RESPONSE",
    "DISCOVER_COMMANDS_RECEIVED",
    "DISCOVER_COMMANDS_RECEIVED_RESPONSE",
    "GLOBAL_COMMANDS",
    "READ_ATTRIBUTES",
    "READ_ATTRIBUTES_RESPONSE",
    "READ_ATTRIBUTES_STRUCTURED",
    "READ_REPORTING_CONFIGURATION",
    "READ_REPORTING_CONFIGURATION_RESPONSE",
    "REPORT_ATTRIBUTES",
    "RESPONSE_COMMANDS",
    "WRITE_ATTRIBUTES",
    "WRITE_ATTRIBUTES_NO_RESPONSE",
    "WRITE_ATTRIBUTES_RESPONSE",
    "WRITE_ATTRIBUTES_STRUCTURED",
    "WRITE_ATTRIBUTES_STRUCTURED_RESPONSE",
    "WRITE_ATTRIBUTES_UNDIVIDED",
    "ReportingDirection",
    "Status",
]


class Status(IntEnum):
    """ZCL status codes (ZCL revision 6, with the OTA Upgrade statuses)."""

    SUCCESS = 0x00
    FAILURE = 0x01
    NOT_AUTHORIZED = 0x7E
    RESERVED_FIELD_NOT_ZERO = 0x7F
    MALFORMED_COMMAND = 0x80
    UNSUP_CLUSTER_COMMAND = 0x81
    UNSUP_GENERAL_COMMAND = 0x82
    UNSUP_MANUF_CLUSTER_COMMAND = 0x83
    UNSUP_MANUF_GENERAL_COMMAND = 0x84
    INVALID_FIELD = 0x85
    UNSUPPORTED_ATTRIBUTE = 0x86
    INVALID_VALUE = 0x87
    READ_ONLY = 0x88
    INSUFFICIENT_SPACE = 0x89
    DUPLICATE_EXISTS = 0x8A
    NOT_FOUND = 0x8B
    UNREPORTABLE_ATTRIBUTE = 0x8C
    INVALID_DATA_TYPE = 0x8D
    INVALID_SELECTOR = 0x8E
    WRITE_ONLY = 0x8F
    INCONSISTENT_STARTUP_STATE = 0x90
    DEFINED_OUT_OF_BAND = 0x91
    INCONSISTENT = 0x92
    ACTION_DENIED = 0x93
    TIMEOUT = 0x94
    ABORT = 0x95
    INVALID_IMAGE = 0x96
    WAIT_FOR_DATA = 0x97
    NO_IMAGE_AVAILABLE = 0x98
    REQUIRE_MORE_IMAGE = 0x99
    NOTIFICATION_PENDING = 0x9A
    HARDWARE_FAILURE = 0xC0
    SOFTWARE_FAILURE = 0xC1
    CALIBRATION_ERROR = 0xC2
    UNSUPPORTED_CLUSTER = 0xC3


class ReportingDirection(IntEnum):
    """Direction field of a reporting configuration record (ZCL revision 6)."""

    SEND_REPORTS = 0  # the receiver sends reports: type, intervals and change follow
    RECEIVE_REPORTS = 1  # the receiver expects reports: a timeout period follows


_SUCCESS = Status.SUCCESS.value
_SEND = ReportingDirection.SEND_REPORTS.value
_RECEIVE = ReportingDirection.RECEIVE_REPORTS.value

# The reportable change of an analog attribute, typed like the attribute; discrete types have none.
_REPORTABLE_CHANGE = Switch(this.type, {type_id: VALUE[type_id] for type_id in ANALOG_TYPES})

_ATTRIBUTE_VALUE = Struct("attribute_id" / Int16ul, "type" / Int8ul, "value" / value_construct())

_READ_ATTRIBUTE_STATUS = Struct(
    "attribute_id" / Int16ul,
    "status" / Int8ul,
    "type" / Maybe(this.status == _SUCCESS, Int8ul),
    "value" / Maybe(this.status == _SUCCESS, value_construct()),
)

# A write or configure response contains one record per failed attribute. When every attribute
# succeeded it is a lone SUCCESS status with no further fields.
_WRITE_ATTRIBUTE_STATUS = LoneStatus(
    RecordsToEnd(Struct("status" / Int8ul, "attribute_id" / Int16ul)), ("attribute_id",))

_REPORTING_CONFIGURATION = Struct(
    "direction" / Int8ul,
    "attribute_id" / Int16ul,
    "type" / Maybe(this.direction == _SEND, Int8ul),
    "minimum_interval" / Maybe(this.direction == _SEND, Int16ul),  # seconds
    "maximum_interval" / Maybe(this.direction == _SEND, Int16ul),  # seconds
    "reportable_change" / Maybe(this.direction == _SEND, _REPORTABLE_CHANGE),
    "timeout" / Maybe(this.direction == _RECEIVE, Int16ul),  # seconds
)

_CONFIGURE_REPORTING_STATUS = LoneStatus(
    RecordsToEnd(Struct("status" / Int8ul, "direction" / Int8ul, "attribute_id" / Int16ul)),
    ("direction", "attribute_id"))

_REPORTING_CONFIGURATION_WITH_STATUS = Struct(
    "status" / Int8ul,
    "direction" / Int8ul,
    "attribute_id" / Int16ul,
    "type" / Maybe((this.status == _SUCCESS) & (this.direction == _SEND), Int8ul),
    "minimum_interval" / Maybe((this.status == _SUCCESS) & (this.direction == _SEND), Int16ul),
    "maximum_interval" / Maybe((this.status == _SUCCESS) & (this.direction == _SEND), Int16ul),
    "reportable_change" / Maybe((this.status == _SUCCESS) & (this.direction == _SEND), _REPORTABLE_CHANGE),
    "timeout" / Maybe((this.status == _SUCCESS) & (this.direction == _RECEIVE), Int16ul),
)

# Selects an element of an array or structure attribute. Bits 0-3 of the indicator count the
# indexes. In Write Attributes Structured, bits 4-7 ask to add (1) or remove (2) an element.
_SELECTOR = Struct("indicator" / Int8ul, "indexes" / Array(this.indicator & 0x0F, Int16ul))

_DISCOVERY_COMPLETE = VALUE[DataType.BOOLEAN]


READ_ATTRIBUTES = GlobalCommand(0x00, "read_attributes", Struct("attribute_ids" / RecordsToEnd(Int16ul)))
READ_ATTRIBUTES_RESPONSE = GlobalCommand(
    0x01, "read_attributes_response", Struct("records" / RecordsToEnd(_READ_ATTRIBUTE_STATUS)))
WRITE_ATTRIBUTES = GlobalCommand(0x02, "write_attributes", Struct("records" / RecordsToEnd(_ATTRIBUTE_VALUE)))
WRITE_ATTRIBUTES_UNDIVIDED = GlobalCommand(
    0x03, "write_attributes_undivided", Struct("records" / RecordsToEnd(_ATTRIBUTE_VALUE)))
WRITE_ATTRIBUTES_RESPONSE = GlobalCommand(
    0x04, "write_attributes_response", Struct("records" / _WRITE_ATTRIBUTE_STATUS))
WRITE_ATTRIBUTES_NO_RESPONSE = GlobalCommand(
    0x05, "write_attributes_no_response", Struct("records" / RecordsToEnd(_ATTRIBUTE_VALUE)))
CONFIGURE_REPORTING = GlobalCommand(
    0x06, "configure_reporting", Struct("records" / RecordsToEnd(_REPORTING_CONFIGURATION)))
CONFIGURE_REPORTING_RESPONSE = GlobalCommand(
    0x07, "configure_reporting_response", Struct("records" / _CONFIGURE_REPORTING_STATUS))
READ_REPORTING_CONFIGURATION = GlobalCommand(
    0x08, "read_reporting_configuration",
    Struct("records" / RecordsToEnd(Struct("direction" / Int8ul, "attribute_id" / Int16ul))))
READ_REPORTING_CONFIGURATION_RESPONSE = GlobalCommand(
    0x09, "read_reporting_configuration_response",
    Struct("records" / RecordsToEnd(_REPORTING_CONFIGURATION_WITH_STATUS)))
REPORT_ATTRIBUTES = GlobalCommand(0x0A, "report_attributes", Struct("records" / RecordsToEnd(_ATTRIBUTE_VALUE)))
DEFAULT_RESPONSE = GlobalCommand(0x0B, "default_response", Struct("command_id" / Int8ul, "status" / Int8ul))
DISCOVER_ATTRIBUTES = GlobalCommand(
    0x0C, "discover_attributes",
    Struct("start_attribute_id" / Int16ul, "maximum_attribute_ids" / Int8ul))
DISCOVER_ATTRIBUTES_RESPONSE = GlobalCommand(
    0x0D, "discover_attributes_response",
    Struct("discovery_complete" / _DISCOVERY_COMPLETE,
           "records" / RecordsToEnd(Struct("attribute_id" / Int16ul, "type" / Int8ul))))
READ_ATTRIBUTES_STRUCTURED = GlobalCommand(
    0x0E, "read_attributes_structured",
    Struct("records" / RecordsToEnd(Struct("attribute_id" / Int16ul, "selector" / _SELECTOR))))
WRITE_ATTRIBUTES_STRUCTURED = GlobalCommand(
    0x0F, "write_attributes_structured",
    Struct("records" / RecordsToEnd(Struct(
        "attribute_id" / Int16ul, "selector" / _SELECTOR, "type" / Int8ul, "value" / value_construct()))))
WRITE_ATTRIBUTES_STRUCTURED_RESPONSE = GlobalCommand(
    0x10, "write_attributes_structured_response",
    Struct("records" / LoneStatus(RecordsToEnd(Struct(
        "status" / Int8ul, "attribute_id" / Int16ul, "selector" / _SELECTOR)), ("attribute_id", "selector"))))
DISCOVER_COMMANDS_RECEIVED = GlobalCommand(
    0x11, "discover_commands_received",
    Struct("start_command_id" / Int8ul, "maximum_command_ids" / Int8ul))
DISCOVER_COMMANDS_RECEIVED_RESPONSE = GlobalCommand(
    0x12, "discover_commands_received_response",
    Struct("discovery_complete" / _DISCOVERY_COMPLETE, "command_ids" / RecordsToEnd(Int8ul)))
DISCOVER_COMMANDS_GENERATED = GlobalCommand(
    0x13, "discover_commands_generated",
    Struct("start_command_id" / Int8ul, "maximum_command_ids" / Int8ul))
DISCOVER_COMMANDS_GENERATED_RESPONSE = GlobalCommand(
    0x14, "discover_commands_generated_response",
    Struct("discovery_complete" / _DISCOVERY_COMPLETE, "command_ids" / RecordsToEnd(Int8ul)))
DISCOVER_ATTRIBUTES_EXTENDED = GlobalCommand(
    0x15, "discover_attributes_extended",
    Struct("start_attribute_id" / Int16ul, "maximum_attribute_ids" / Int8ul))
DISCOVER_ATTRIBUTES_EXTENDED_RESPONSE = GlobalCommand(
    0x16, "discover_attributes_extended_response",
    Struct("discovery_complete" / _DISCOVERY_COMPLETE,
           "records" / RecordsToEnd(Struct(
               "attribute_id" / Int16ul, "type" / Int8ul, "access_control" / Int8ul))))

GLOBAL_COMMANDS: dict[int, GlobalCommand] = {
    command.id: command for command in (
        READ_ATTRIBUTES, READ_ATTRIBUTES_RESPONSE, WRITE_ATTRIBUTES, WRITE_ATTRIBUTES_UNDIVIDED,
        WRITE_ATTRIBUTES_RESPONSE, WRITE_ATTRIBUTES_NO_RESPONSE, CONFIGURE_REPORTING,
        CONFIGURE_REPORTING_RESPONSE, READ_REPORTING_CONFIGURATION,
        READ_REPORTING_CONFIGURATION_RESPONSE, REPORT_ATTRIBUTES, DEFAULT_RESPONSE,
        DISCOVER_ATTRIBUTES, DISCOVER_ATTRIBUTES_RESPONSE, READ_ATTRIBUTES_STRUCTURED,
        WRITE_ATTRIBUTES_STRUCTURED, WRITE_ATTRIBUTES_STRUCTURED_RESPONSE,
        DISCOVER_COMMANDS_RECEIVED, DISCOVER_COMMANDS_RECEIVED_RESPONSE,
        DISCOVER_COMMANDS_GENERATED, DISCOVER_COMMANDS_GENERATED_RESPONSE,
        DISCOVER_ATTRIBUTES_EXTENDED, DISCOVER_ATTRIBUTES_EXTENDED_RESPONSE,
    )
}

# Global commands whose attribute records belong to the sending side (responses and reports).
RESPONSE_COMMANDS = frozenset({
    READ_ATTRIBUTES_RESPONSE.id, WRITE_ATTRIBUTES_RESPONSE.id, CONFIGURE_REPORTING_RESPONSE.id,
    READ_REPORTING_CONFIGURATION_RESPONSE.id, REPORT_ATTRIBUTES.id, DISCOVER_ATTRIBUTES_RESPONSE.id,
    WRITE_ATTRIBUTES_STRUCTURED_RESPONSE.id, DISCOVER_ATTRIBUTES_EXTENDED_RESPONSE.id,
})
