"""Prepayment cluster 0x0705 (ZigBee Smart Energy 1.4)."""

from __future__ import annotations

from collections.abc import Iterator

from construct import GreedyBytes, Int8ul, Int16ul, Int32sl, Int32ul, Struct, Switch, this

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import RecordsToEnd
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import DataType as T
from commshub.codecs.zigbee.zcl.types import OctetString, UtcTime

__all__ = [
    "CHANGE_DEBT",
    "CHANGE_PAYMENT_MODE",
    "CHANGE_PAYMENT_MODE_RESPONSE",
    "CONSUMER_TOP_UP",
    "CONSUMER_TOP_UP_RESPONSE",
    "CREDIT_ADJUSTMENT",
    "EMERGENCY_CREDIT_SETUP",
    "GET_DEBT_REPAYMENT_LOG",
    "GET_PREPAY_SNAPSHOT",
    "GET_TOP_UP_LOG",
    "PREPAYMENT",
    "PUBLISH_DEBT_LOG",
    "PUBLISH_PREPAY_SNAPSHOT",
    "PUBLISH_TOP_UP_LOG",
    "SELECT_AVAILABLE_EMERGENCY_CREDIT",
    "SET_LOW_CREDIT_WARNING_LEVEL",
    "SET_MAXIMUM_CREDIT_LIMIT",
    "SET_OVERALL_DEBT_CAP",
    "SNAPSHOT_DEBT_CREDIT_STATUS",
]

PREPAYMENT_ID = 0x0705
# Prepay snapshot payload type "Debt/Credit Status" (Smart Energy 1.4).
SNAPSHOT_DEBT_CREDIT_STATUS = 0


def _top_up_attributes() -> Iterator[tuple[int, str, T]]:
    # Top-up attribute set (0x01): five entries of four attributes at 0x0100 + 0x10 (N - 1).
    for entry in range(1, 6):
        base = 0x0100 + 0x10 * (entry - 1)
        yield base, f"top_up_date_time_{entry}", T.UTC_TIME
        yield base + 1, f"top_up_amount_{entry}", T.INT32
        yield base + 2, f"originating_device_{entry}", T.ENUM8
        yield base + 3, f"top_up_code_{entry}", T.OCTET_STRING


def _debt_attributes() -> Iterator[tuple[int, str, T]]:
    # Debt attribute set (0x02): three debts at 0x0210, 0x0220 and 0x0230.
    for debt in range(1, 4):
        base = 0x0200 + 0x10 * debt
        yield base, f"debt_label_{debt}", T.OCTET_STRING
        yield base + 1, f"debt_amount_{debt}", T.UINT32
        yield base + 2, f"debt_recovery_method_{debt}", T.ENUM8
        yield base + 3, f"debt_recovery_start_time_{debt}", T.UTC_TIME
        yield base + 4, f"debt_recovery_collection_time_{debt}", T.UINT16
        yield base + 6, f"debt_recovery_frequency_{debt}", T.ENUM8
        yield base + 7, f"debt_recovery_amount_{debt}", T.UINT32
        yield base + 9, f"debt_recovery_top_up_percentage_{debt}", T.UINT16


_SERVER_ATTRIBUTES = attributes(
    (0x0000, "payment_control_configuration", T.BITMAP16),
    (0x0001, "credit_remaining", T.INT32),
    (0x0002, "emergency_credit_remaining", T.INT32),
    (0x0003, "credit_status", T.BITMAP8),
    (0x0004, "credit_remaining_timestamp", T.UTC_TIME),
    (0x0005, "accumulated_debt", T.INT32),
    (0x0006, "overall_debt_cap", T.INT32),
    (0x0010, "emergency_credit_limit_allowance", T.UINT32),
    (0x0011, "emergency_credit_threshold", T.UINT32),
    (0x0020, "total_credit_added", T.UINT48),
    (0x0021, "max_credit_limit", T.UINT32),
    (0x0022, "max_credit_per_top_up", T.UINT32),
    (0x0030, "friendly_credit_warning", T.UINT8),
    (0x0031, "low_credit_warning_level", T.UINT32),
    (0x0032, "ihd_low_credit_warning_level", T.UINT32),
    (0x0033, "interrupt_suspend_time", T.UINT8),
    (0x0034, "remaining_friendly_credit_time", T.UINT16),
    (0x0035, "next_friendly_credit_period", T.UTC_TIME),
    (0x0040, "cut_off_value", T.INT32),
    (0x0080, "token_carrier_id", T.OCTET_STRING),
    _top_up_attributes(),
    _debt_attributes(),
    (0x0400, "prepayment_alarm_status", T.BITMAP16),
    (0x0401, "prepay_generic_alarm_mask", T.BITMAP16),
    (0x0402, "prepay_switch_alarm_mask", T.BITMAP16),
    (0x0403, "prepay_event_alarm_mask", T.BITMAP16),
    (0x0500, "historical_cost_consumption_formatting", T.BITMAP8),
    (0x0501, "consumption_unit_of_measurement", T.ENUM8),
    (0x0502, "currency_scaling_factor", T.ENUM8),
    (0x0503, "currency", T.UINT16),
    GLOBAL_ATTRIBUTES,
)

# Sub-payload of prepay snapshot type 0 (Smart Energy 1.4). The field order matches the DCC
# RTDS 4.5.0 GCS15b and GCS16b responses.
_DEBT_CREDIT_STATUS = Struct(
    "accumulated_debt" / Int32sl,
    "type1_debt_remaining" / Int32ul,
    "type2_debt_remaining" / Int32ul,
    "type3_debt_remaining" / Int32ul,
    "emergency_credit_remaining" / Int32sl,
    "credit_remaining" / Int32sl,
)

_TO_SERVER = commands(
    PREPAYMENT_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "select_available_emergency_credit", Struct(
        "command_issue_date_time" / UtcTime,
        "originating_device" / Int8ul,
    )),
    (0x02, "change_debt", Struct(
        "issuer_event_id" / Int32ul,
        "debt_label" / OctetString,
        "debt_amount" / Int32ul,
        "debt_recovery_method" / Int8ul,
        "debt_amount_type" / Int8ul,
        "debt_recovery_start_time" / UtcTime,
        "debt_recovery_collection_time" / Int16ul,  # minutes after midnight
        "debt_recovery_frequency" / Int8ul,
        "debt_recovery_amount" / Int32ul,
        "debt_recovery_balance_percentage" / Int16ul,
    )),
    (0x03, "emergency_credit_setup", Struct(
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "emergency_credit_limit" / Int32ul,
        "emergency_credit_threshold" / Int32ul,
    )),
    (0x04, "consumer_top_up", Struct("originating_device" / Int8ul, "top_up_code" / OctetString)),
    (0x05, "credit_adjustment", Struct(
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "credit_adjustment_type" / Int8ul,
        "credit_adjustment_value" / Int32sl,
    )),
    (0x06, "change_payment_mode", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "implementation_date_time" / UtcTime,
        "proposed_payment_control_configuration" / Int16ul,
        "cut_off_value" / Int32sl,
    )),
    (0x07, "get_prepay_snapshot", Struct(
        "earliest_start_time" / UtcTime,
        "latest_end_time" / UtcTime,
        "snapshot_offset" / Int8ul,
        "snapshot_cause" / Int32ul,
    )),
    (0x08, "get_top_up_log", Struct("latest_end_time" / UtcTime, "number_of_records" / Int8ul)),
    (0x09, "set_low_credit_warning_level", Struct("low_credit_warning_level" / Int32ul)),
    (0x0A, "get_debt_repayment_log", Struct(
        "latest_end_time" / UtcTime,
        "number_of_debts" / Int8ul,
        "debt_type" / Int8ul,
    )),
    (0x0B, "set_maximum_credit_limit", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "implementation_date_time" / UtcTime,
        "maximum_credit_level" / Int32ul,
        "maximum_credit_per_top_up" / Int32ul,
    )),
    (0x0C, "set_overall_debt_cap", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "implementation_date_time" / UtcTime,
        "overall_debt_cap" / Int32sl,
    )),
)

_TO_CLIENT = commands(
    PREPAYMENT_ID, Direction.SERVER_TO_CLIENT,
    (0x01, "publish_prepay_snapshot", Struct(
        "snapshot_id" / Int32ul,
        "snapshot_time" / UtcTime,
        "total_snapshots_found" / Int8ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "snapshot_cause" / Int32ul,
        "snapshot_payload_type" / Int8ul,
        # Declared for the payload type a gas meter publishes; other types stay bytes.
        "snapshot_payload" / Switch(this.snapshot_payload_type, {
            SNAPSHOT_DEBT_CREDIT_STATUS: _DEBT_CREDIT_STATUS,
        }, default=GreedyBytes),
    )),
    (0x02, "change_payment_mode_response", Struct(
        "friendly_credit" / Int8ul,
        "friendly_credit_calendar_id" / Int32ul,
        "emergency_credit_limit" / Int32ul,
        "emergency_credit_threshold" / Int32ul,
    )),
    (0x03, "consumer_top_up_response", Struct(
        "result_type" / Int8ul,
        "top_up_value" / Int32sl,
        "source_of_top_up" / Int8ul,
        "credit_remaining" / Int32sl,
    )),
    (0x05, "publish_top_up_log", Struct(
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "top_ups" / RecordsToEnd(Struct(
            "top_up_code" / OctetString, "top_up_amount" / Int32sl, "top_up_time" / UtcTime)),
    )),
    (0x06, "publish_debt_log", Struct(
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "debts" / RecordsToEnd(Struct(
            "collection_time" / UtcTime,
            "amount_collected" / Int32ul,
            "debt_type" / Int8ul,
            "outstanding_debt" / Int32ul,
        )),
    )),
)

PREPAYMENT = register(Cluster(
    PREPAYMENT_ID, "Prepayment",
    attributes=_SERVER_ATTRIBUTES,
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

SELECT_AVAILABLE_EMERGENCY_CREDIT = _TO_SERVER[0x00]
CHANGE_DEBT = _TO_SERVER[0x02]
EMERGENCY_CREDIT_SETUP = _TO_SERVER[0x03]
CONSUMER_TOP_UP = _TO_SERVER[0x04]
CREDIT_ADJUSTMENT = _TO_SERVER[0x05]
CHANGE_PAYMENT_MODE = _TO_SERVER[0x06]
GET_PREPAY_SNAPSHOT = _TO_SERVER[0x07]
GET_TOP_UP_LOG = _TO_SERVER[0x08]
SET_LOW_CREDIT_WARNING_LEVEL = _TO_SERVER[0x09]
GET_DEBT_REPAYMENT_LOG = _TO_SERVER[0x0A]
SET_MAXIMUM_CREDIT_LIMIT = _TO_SERVER[0x0B]
SET_OVERALL_DEBT_CAP = _TO_SERVER[0x0C]
PUBLISH_PREPAY_SNAPSHOT = _TO_CLIENT[0x01]
CHANGE_PAYMENT_MODE_RESPONSE = _TO_CLIENT[0x02]
CONSUMER_TOP_UP_RESPONSE = _TO_CLIENT[0x03]
PUBLISH_TOP_UP_LOG = _TO_CLIENT[0x05]
PUBLISH_DEBT_LOG = _TO_CLIENT[0x06]
