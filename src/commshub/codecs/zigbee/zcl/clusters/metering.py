"""Metering cluster 0x0702 (ZigBee Smart Energy 1.4): attributes, the commands
of both directions, and the mirroring exchange a hub uses to stand in for a sleepy gas meter.

Mirroring: the meter (Metering server) sends Request Mirror, and the hub responds with Request
Mirror Response carrying the mirror endpoint (0xFFFF rejects the mirror). The meter then sends
Configure Mirror and reports its attributes to the mirror, which responds with Mirror Report
Attribute Response carrying the notification flags.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

from construct import Array, GreedyBytes, Int8ul, Int16ul, Int32ul, Struct, Switch, this

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import CountedList, RecordsToEnd
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import Bitmap24, Boolean, UInt24, UInt48, UtcTime
from commshub.codecs.zigbee.zcl.types import DataType as T

__all__ = [
    "CHANGE_SUPPLY",
    "CONFIGURE_MIRROR",
    "CONFIGURE_NOTIFICATION_FLAGS",
    "CONFIGURE_NOTIFICATION_SCHEME",
    "GET_NOTIFIED_MESSAGE",
    "GET_PROFILE",
    "GET_PROFILE_RESPONSE",
    "GET_SAMPLED_DATA",
    "GET_SAMPLED_DATA_RESPONSE",
    "GET_SNAPSHOT",
    "LOCAL_CHANGE_SUPPLY",
    "METERING",
    "MIRROR_ENDPOINT_REFUSED",
    "MIRROR_REMOVED",
    "MIRROR_REPORT_ATTRIBUTE_RESPONSE",
    "PUBLISH_SNAPSHOT",
    "REMOVE_MIRROR",
    "REQUEST_FAST_POLL_MODE",
    "REQUEST_FAST_POLL_MODE_RESPONSE",
    "REQUEST_MIRROR",
    "REQUEST_MIRROR_RESPONSE",
    "RESET_LOAD_LIMIT_COUNTER",
    "SCHEDULE_SNAPSHOT",
    "SCHEDULE_SNAPSHOT_RESPONSE",
    "SET_SUPPLY_STATUS",
    "SET_UNCONTROLLED_FLOW_THRESHOLD",
    "SNAPSHOT_BLOCK_TIER_DELIVERED_NO_BILLING",
    "START_SAMPLING",
    "START_SAMPLING_RESPONSE",
    "SUPPLY_STATUS_RESPONSE",
    "TAKE_SNAPSHOT",
    "TAKE_SNAPSHOT_RESPONSE",
    "SnapshotCause",
]

METERING_ID = 0x0702
# Request Mirror Response endpoint that refuses the mirror (Smart Energy 1.4).
MIRROR_ENDPOINT_REFUSED = 0xFFFF
# Snapshot payload type "Block Tier Information Set Delivered (No Billing)" (Smart Energy 1.4),
# the payload a GBCS gas meter publishes.
SNAPSHOT_BLOCK_TIER_DELIVERED_NO_BILLING = 6


def _numbered(start: int, count: int, pattern: str, data_type: T, *, step: int = 1,
              first: int = 1) -> Iterator[tuple[int, str, T]]:
    for index in range(count):
        yield start + index * step, pattern.format(index + first), data_type


def _tier_summations() -> Iterator[tuple[int, str, T]]:
    # CurrentTierNSummationDelivered at 0x0100 + 2(N-1), ...Received right after (N = 1..48).
    for tier in range(1, 49):
        yield 0x0100 + 2 * (tier - 1), f"current_tier{tier}_summation_delivered", T.UINT48
        yield 0x0101 + 2 * (tier - 1), f"current_tier{tier}_summation_received", T.UINT48


def _block_summations() -> Iterator[tuple[int, str, T]]:
    # Block information set: no-tier blocks at 0x0700..0x070F, tier N block M at
    # 0x0700 + 16 N + (M - 1) for N = 1..15.
    for block in range(1, 17):
        yield 0x0700 + block - 1, f"current_no_tier_block{block}_summation_delivered", T.UINT48
    for tier in range(1, 16):
        for block in range(1, 17):
            yield (0x0700 + 16 * tier + block - 1,
                   f"current_tier{tier}_block{block}_summation_delivered", T.UINT48)


_SERVER_ATTRIBUTES = attributes(
    # Reading information set (0x00).
    (0x0000, "current_summation_delivered", T.UINT48),
    (0x0001, "current_summation_received", T.UINT48),
    (0x0002, "current_max_demand_delivered", T.UINT48),
    (0x0003, "current_max_demand_received", T.UINT48),
    (0x0004, "dft_summation", T.UINT48),
    (0x0005, "daily_freeze_time", T.UINT16),
    (0x0006, "power_factor", T.INT8),
    (0x0007, "reading_snapshot_time", T.UTC_TIME),
    (0x0008, "current_max_demand_delivered_time", T.UTC_TIME),
    (0x0009, "current_max_demand_received_time", T.UTC_TIME),
    (0x000A, "default_update_period", T.UINT8),
    (0x000B, "fast_poll_update_period", T.UINT8),
    (0x000C, "current_block_period_consumption_delivered", T.UINT48),
    (0x000D, "daily_consumption_target", T.UINT24),
    (0x000E, "current_block", T.ENUM8),
    (0x000F, "profile_interval_period", T.ENUM8),
    (0x0010, "interval_read_reporting_period", T.UINT16),
    (0x0011, "preset_reading_time", T.UINT16),
    (0x0012, "volume_per_report", T.UINT16),
    (0x0013, "flow_restriction", T.UINT8),
    (0x0014, "supply_status", T.ENUM8),
    (0x0015, "current_inlet_energy_carrier_summation", T.UINT48),
    (0x0016, "current_outlet_energy_carrier_summation", T.UINT48),
    (0x0017, "inlet_temperature", T.INT24),
    (0x0018, "outlet_temperature", T.INT24),
    (0x0019, "control_temperature", T.INT24),
    (0x001A, "current_inlet_energy_carrier_demand", T.INT24),
    (0x001B, "current_outlet_energy_carrier_demand", T.INT24),
    # TOU information set (0x01).
    _tier_summations(),
    (0x01FC, "cpp1_summation_delivered", T.UINT48),
    (0x01FE, "cpp2_summation_delivered", T.UINT48),
    # Meter status set (0x02).
    (0x0200, "status", T.BITMAP8),
    (0x0201, "remaining_battery_life", T.UINT8),
    (0x0202, "hours_in_operation", T.UINT24),
    (0x0203, "hours_in_fault", T.UINT24),
    (0x0204, "extended_status", T.BITMAP64),
    (0x0205, "remaining_battery_life_in_days", T.UINT16),
    (0x0206, "current_meter_id", T.OCTET_STRING),
    (0x0207, "ambient_consumption_indicator", T.ENUM8),
    # Formatting set (0x03).
    (0x0300, "unit_of_measure", T.ENUM8),
    (0x0301, "multiplier", T.UINT24),
    (0x0302, "divisor", T.UINT24),
    (0x0303, "summation_formatting", T.BITMAP8),
    (0x0304, "demand_formatting", T.BITMAP8),
    (0x0305, "historical_consumption_formatting", T.BITMAP8),
    (0x0306, "metering_device_type", T.BITMAP8),
    (0x0307, "site_id", T.OCTET_STRING),
    (0x0308, "meter_serial_number", T.OCTET_STRING),
    (0x0309, "energy_carrier_unit_of_measure", T.ENUM8),
    (0x030A, "energy_carrier_summation_formatting", T.BITMAP8),
    (0x030B, "energy_carrier_demand_formatting", T.BITMAP8),
    (0x030C, "temperature_unit_of_measure", T.ENUM8),
    (0x030D, "temperature_formatting", T.BITMAP8),
    (0x030E, "module_serial_number", T.OCTET_STRING),
    (0x030F, "operating_tariff_label_delivered", T.OCTET_STRING),
    (0x0310, "operating_tariff_label_received", T.OCTET_STRING),
    (0x0311, "customer_id_number", T.OCTET_STRING),
    (0x0312, "alternative_unit_of_measure", T.ENUM8),
    (0x0313, "alternative_demand_formatting", T.BITMAP8),
    (0x0314, "alternative_consumption_formatting", T.BITMAP8),
    # Historical consumption set (0x04).
    (0x0400, "instantaneous_demand", T.INT24),
    (0x0401, "current_day_consumption_delivered", T.UINT24),
    (0x0402, "current_day_consumption_received", T.UINT24),
    (0x0403, "previous_day_consumption_delivered", T.UINT24),
    (0x0404, "previous_day_consumption_received", T.UINT24),
    (0x0405, "current_partial_profile_interval_start_time_delivered", T.UTC_TIME),
    (0x0406, "current_partial_profile_interval_start_time_received", T.UTC_TIME),
    (0x0407, "current_partial_profile_interval_value_delivered", T.UINT24),
    (0x0408, "current_partial_profile_interval_value_received", T.UINT24),
    (0x0409, "current_day_max_pressure", T.UINT48),
    (0x040A, "current_day_min_pressure", T.UINT48),
    (0x040B, "previous_day_max_pressure", T.UINT48),
    (0x040C, "previous_day_min_pressure", T.UINT48),
    (0x040D, "current_day_max_demand", T.INT24),
    (0x040E, "previous_day_max_demand", T.INT24),
    (0x040F, "current_month_max_demand", T.INT24),
    (0x0410, "current_year_max_demand", T.INT24),
    (0x0411, "current_day_max_energy_carrier_demand", T.INT24),
    (0x0412, "previous_day_max_energy_carrier_demand", T.INT24),
    (0x0413, "current_month_max_energy_carrier_demand", T.INT24),
    (0x0414, "current_month_min_energy_carrier_demand", T.INT24),
    (0x0415, "current_year_max_energy_carrier_demand", T.INT24),
    (0x0416, "current_year_min_energy_carrier_demand", T.INT24),
    # PreviousDayNConsumptionDelivered/Received for N = 2..8 at 0x0420 + 2(N-2).
    _numbered(0x0420, 7, "previous_day{}_consumption_delivered", T.UINT24, step=2, first=2),
    _numbered(0x0421, 7, "previous_day{}_consumption_received", T.UINT24, step=2, first=2),
    (0x0430, "current_week_consumption_delivered", T.UINT24),
    (0x0431, "current_week_consumption_received", T.UINT24),
    _numbered(0x0432, 5, "previous_week{}_consumption_delivered", T.UINT24, step=2),
    _numbered(0x0433, 5, "previous_week{}_consumption_received", T.UINT24, step=2),
    (0x0440, "current_month_consumption_delivered", T.UINT32),
    (0x0441, "current_month_consumption_received", T.UINT32),
    _numbered(0x0442, 13, "previous_month{}_consumption_delivered", T.UINT32, step=2),
    _numbered(0x0443, 13, "previous_month{}_consumption_received", T.UINT32, step=2),
    (0x045C, "historical_freeze_time", T.UINT16),
    # Load profile configuration set (0x05).
    (0x0500, "max_number_of_periods_delivered", T.UINT8),
    # Supply limit set (0x06).
    (0x0600, "current_demand_delivered", T.UINT24),
    (0x0601, "demand_limit", T.UINT24),
    (0x0602, "demand_integration_period", T.UINT8),
    (0x0603, "number_of_demand_subintervals", T.UINT8),
    (0x0604, "demand_limit_arm_duration", T.UINT16),
    (0x0605, "load_limit_supply_state", T.ENUM8),
    (0x0606, "load_limit_counter", T.UINT8),
    (0x0607, "supply_tamper_state", T.ENUM8),
    (0x0608, "supply_depletion_state", T.ENUM8),
    (0x0609, "supply_uncontrolled_flow_state", T.ENUM8),
    # Block information set (0x07).
    _block_summations(),
    # Alarm set (0x08).
    (0x0800, "generic_alarm_mask", T.BITMAP16),
    (0x0801, "electricity_alarm_mask", T.BITMAP32),
    (0x0802, "generic_flow_pressure_alarm_mask", T.BITMAP16),
    (0x0803, "water_specific_alarm_mask", T.BITMAP16),
    (0x0804, "heat_and_cooling_specific_alarm_mask", T.BITMAP16),
    (0x0805, "gas_specific_alarm_mask", T.BITMAP16),
    (0x0806, "extended_generic_alarm_mask", T.BITMAP48),
    (0x0807, "manufacturer_alarm_mask", T.BITMAP16),
    # Billing set (0x0A).
    (0x0A00, "bill_to_date_delivered", T.UINT32),
    (0x0A01, "bill_to_date_timestamp_delivered", T.UTC_TIME),
    (0x0A02, "projected_bill_delivered", T.UINT32),
    (0x0A03, "projected_bill_timestamp_delivered", T.UTC_TIME),
    (0x0A04, "bill_delivered_trailing_digit", T.BITMAP8),
    (0x0A10, "bill_to_date_received", T.UINT32),
    (0x0A11, "bill_to_date_timestamp_received", T.UTC_TIME),
    (0x0A12, "projected_bill_received", T.UINT32),
    (0x0A13, "projected_bill_timestamp_received", T.UTC_TIME),
    (0x0A14, "bill_received_trailing_digit", T.BITMAP8),
    # Supply control set (0x0B).
    (0x0B00, "proposed_change_supply_implementation_time", T.UTC_TIME),
    (0x0B01, "proposed_change_supply_status", T.ENUM8),
    (0x0B10, "uncontrolled_flow_threshold", T.UINT16),
    (0x0B11, "uncontrolled_flow_threshold_unit_of_measure", T.ENUM8),
    (0x0B12, "uncontrolled_flow_multiplier", T.UINT16),
    (0x0B13, "uncontrolled_flow_divisor", T.UINT16),
    (0x0B14, "flow_stabilisation_period", T.UINT8),
    (0x0B15, "flow_measurement_period", T.UINT16),
    GLOBAL_ATTRIBUTES,
)

# The client's notification attribute set (0x00): FunctionalNotificationFlags and
# NotificationFlags2..8, bitmaps a mirror sets for the sleepy meter to read.
_CLIENT_ATTRIBUTES = attributes(
    (0x0000, "functional_notification_flags", T.BITMAP32),
    _numbered(0x0001, 7, "notification_flags{}", T.BITMAP32, first=2),
    GLOBAL_ATTRIBUTES,
)

_SNAPSHOT_SCHEDULE = Struct(
    "snapshot_schedule_id" / Int8ul,
    "snapshot_start_time" / UtcTime,
    "snapshot_schedule" / Bitmap24,
    "snapshot_payload_type" / Int8ul,
    "snapshot_cause" / Int32ul,
)


class SnapshotCause(enum.IntFlag):
    """Snapshot Cause bits of Schedule, Take, Get and Publish Snapshot (Smart Energy 1.4)."""

    GENERAL = 0x0000_0001
    END_OF_BILLING_PERIOD = 0x0000_0002
    END_OF_BLOCK_PERIOD = 0x0000_0004
    CHANGE_OF_TARIFF_INFORMATION = 0x0000_0008
    CHANGE_OF_PRICE_MATRIX = 0x0000_0010
    CHANGE_OF_BLOCK_THRESHOLDS = 0x0000_0020
    CHANGE_OF_CV = 0x0000_0040
    CHANGE_OF_CF = 0x0000_0080
    CHANGE_OF_CALENDAR = 0x0000_0100
    CRITICAL_PEAK_PRICING = 0x0000_0200
    MANUALLY_TRIGGERED_FROM_CLIENT = 0x0000_0400
    END_OF_RESOLVE_PERIOD = 0x0000_0800
    CHANGE_OF_TENANCY = 0x0000_1000
    CHANGE_OF_SUPPLIER = 0x0000_2000
    CHANGE_OF_METER_MODE = 0x0000_4000
    DEBT_PAYMENT = 0x0000_8000
    SCHEDULED_SNAPSHOT = 0x0001_0000
    OTA_FIRMWARE_DOWNLOAD = 0x0002_0000


# Sub-payload of snapshot type 6. The high nibble of the tiers-and-block-thresholds octet counts
# tiers and the low nibble blocks. A GBCS gas meter sends 0x14 followed by four tier-block
# registers (DCC RTDS 4.5.0, GCS15b and GCS16a responses), so the register count is the product.
_BLOCK_TIER_DELIVERED_NO_BILLING = Struct(
    "current_summation_delivered" / UInt48,
    "number_of_tiers_in_use" / Int8ul,
    "tier_summations" / Array(this.number_of_tiers_in_use, UInt48),
    "number_of_tiers_and_block_thresholds_in_use" / Int8ul,
    "tier_block_summations" / Array(
        (this.number_of_tiers_and_block_thresholds_in_use >> 4)
        * (this.number_of_tiers_and_block_thresholds_in_use & 0x0F), UInt48),
)

_TO_SERVER = commands(
    METERING_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "get_profile", Struct(
        "interval_channel" / Int8ul,  # 0 consumption delivered, 1 consumption received
        "end_time" / UtcTime,
        "number_of_periods" / Int8ul,
    )),
    (0x01, "request_mirror_response", Struct("endpoint_id" / Int16ul)),
    (0x02, "mirror_removed", Struct("endpoint_id" / Int16ul)),
    (0x03, "request_fast_poll_mode", Struct(
        "fast_poll_update_period" / Int8ul,  # seconds
        "duration" / Int8ul,  # minutes
    )),
    (0x04, "schedule_snapshot", Struct(
        "issuer_event_id" / Int32ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "snapshot_schedule" / _SNAPSHOT_SCHEDULE,
    )),
    (0x05, "take_snapshot", Struct("snapshot_cause" / Int32ul)),
    (0x06, "get_snapshot", Struct(
        "earliest_start_time" / UtcTime,
        "latest_end_time" / UtcTime,
        "snapshot_offset" / Int8ul,
        "snapshot_cause" / Int32ul,
    )),
    (0x07, "start_sampling", Struct(
        "issuer_event_id" / Int32ul,
        "start_sampling_time" / UtcTime,
        "sample_type" / Int8ul,
        "sample_request_interval" / Int16ul,  # seconds
        "max_number_of_samples" / Int16ul,
    )),
    (0x08, "get_sampled_data", Struct(
        "sample_id" / Int16ul,
        "earliest_sample_time" / UtcTime,
        "sample_type" / Int8ul,
        "number_of_samples" / Int16ul,
    )),
    (0x09, "mirror_report_attribute_response", Struct(
        "notification_scheme" / Int8ul,
        "notification_flags" / RecordsToEnd(Int32ul),
    )),
    (0x0A, "reset_load_limit_counter", Struct("provider_id" / Int32ul, "issuer_event_id" / Int32ul)),
    (0x0B, "change_supply", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "request_date_time" / UtcTime,
        "implementation_date_time" / UtcTime,
        "proposed_supply_status" / Int8ul,
        "supply_control_bits" / Int8ul,
    )),
    (0x0C, "local_change_supply", Struct("proposed_supply_status" / Int8ul)),
    (0x0D, "set_supply_status", Struct(
        "issuer_event_id" / Int32ul,
        "supply_tamper_state" / Int8ul,
        "supply_depletion_state" / Int8ul,
        "supply_uncontrolled_flow_state" / Int8ul,
        "load_limit_supply_state" / Int8ul,
    )),
    (0x0E, "set_uncontrolled_flow_threshold", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "uncontrolled_flow_threshold" / Int16ul,
        "unit_of_measure" / Int8ul,
        "multiplier" / Int16ul,
        "divisor" / Int16ul,
        "stabilisation_period" / Int8ul,  # seconds
        "measurement_period" / Int16ul,  # seconds
    )),
)

_TO_CLIENT = commands(
    METERING_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "get_profile_response", Struct(
        "end_time" / UtcTime,
        "status" / Int8ul,
        "profile_interval_period" / Int8ul,
        "number_of_periods_delivered" / Int8ul,
        "intervals" / RecordsToEnd(UInt24),
    )),
    (0x01, "request_mirror", Struct()),
    (0x02, "remove_mirror", Struct()),
    (0x03, "request_fast_poll_mode_response", Struct(
        "applied_update_period" / Int8ul,  # seconds
        "fast_poll_mode_end_time" / UtcTime,
    )),
    (0x04, "schedule_snapshot_response", Struct(
        "issuer_event_id" / Int32ul,
        "snapshot_responses" / RecordsToEnd(Struct(
            "snapshot_schedule_id" / Int8ul, "snapshot_schedule_confirmation" / Int8ul)),
    )),
    (0x05, "take_snapshot_response", Struct("snapshot_id" / Int32ul, "snapshot_confirmation" / Int8ul)),
    (0x06, "publish_snapshot", Struct(
        "snapshot_id" / Int32ul,
        "snapshot_time" / UtcTime,
        "total_snapshots_found" / Int8ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "snapshot_cause" / Int32ul,
        "snapshot_payload_type" / Int8ul,
        # Declared for the payload type a gas meter publishes; other types stay bytes.
        "snapshot_payload" / Switch(this.snapshot_payload_type, {
            SNAPSHOT_BLOCK_TIER_DELIVERED_NO_BILLING: _BLOCK_TIER_DELIVERED_NO_BILLING,
        }, default=GreedyBytes),
    )),
    (0x07, "get_sampled_data_response", Struct(
        "sample_id" / Int16ul,
        "sample_start_time" / UtcTime,
        "sample_type" / Int8ul,
        "sample_request_interval" / Int16ul,  # seconds
        "number_of_samples" / Int16ul,
        "samples" / RecordsToEnd(UInt24),
    )),
    (0x08, "configure_mirror", Struct(
        "issuer_event_id" / Int32ul,
        "reporting_interval" / UInt24,  # seconds
        "mirror_notification_reporting" / Boolean,
        "notification_scheme" / Int8ul,
    )),
    (0x09, "configure_notification_scheme", Struct(
        "issuer_event_id" / Int32ul,
        "notification_scheme" / Int8ul,
        "notification_flag_order" / Int32ul,
    )),
    (0x0A, "configure_notification_flags", Struct(
        "issuer_event_id" / Int32ul,
        "notification_scheme" / Int8ul,
        "notification_flag_attribute_id" / Int16ul,
        "cluster_id" / Int16ul,
        "manufacturer_code" / Int16ul,
        "command_ids" / CountedList(Int8ul, Int8ul),
    )),
    (0x0B, "get_notified_message", Struct(
        "notification_scheme" / Int8ul,
        "notification_flag_attribute_id" / Int16ul,
        "notification_flags" / Int32ul,
    )),
    (0x0C, "supply_status_response", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "implementation_date_time" / UtcTime,
        "supply_status" / Int8ul,
    )),
    (0x0D, "start_sampling_response", Struct("sample_id" / Int16ul)),
)

METERING = register(Cluster(
    METERING_ID, "Metering",
    attributes=_SERVER_ATTRIBUTES,
    client_attributes=_CLIENT_ATTRIBUTES,
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

GET_PROFILE = _TO_SERVER[0x00]
REQUEST_MIRROR_RESPONSE = _TO_SERVER[0x01]
MIRROR_REMOVED = _TO_SERVER[0x02]
REQUEST_FAST_POLL_MODE = _TO_SERVER[0x03]
SCHEDULE_SNAPSHOT = _TO_SERVER[0x04]
TAKE_SNAPSHOT = _TO_SERVER[0x05]
GET_SNAPSHOT = _TO_SERVER[0x06]
START_SAMPLING = _TO_SERVER[0x07]
GET_SAMPLED_DATA = _TO_SERVER[0x08]
MIRROR_REPORT_ATTRIBUTE_RESPONSE = _TO_SERVER[0x09]
RESET_LOAD_LIMIT_COUNTER = _TO_SERVER[0x0A]
CHANGE_SUPPLY = _TO_SERVER[0x0B]
LOCAL_CHANGE_SUPPLY = _TO_SERVER[0x0C]
SET_SUPPLY_STATUS = _TO_SERVER[0x0D]
SET_UNCONTROLLED_FLOW_THRESHOLD = _TO_SERVER[0x0E]
GET_PROFILE_RESPONSE = _TO_CLIENT[0x00]
REQUEST_MIRROR = _TO_CLIENT[0x01]
REMOVE_MIRROR = _TO_CLIENT[0x02]
REQUEST_FAST_POLL_MODE_RESPONSE = _TO_CLIENT[0x03]
SCHEDULE_SNAPSHOT_RESPONSE = _TO_CLIENT[0x04]
TAKE_SNAPSHOT_RESPONSE = _TO_CLIENT[0x05]
PUBLISH_SNAPSHOT = _TO_CLIENT[0x06]
GET_SAMPLED_DATA_RESPONSE = _TO_CLIENT[0x07]
CONFIGURE_MIRROR = _TO_CLIENT[0x08]
CONFIGURE_NOTIFICATION_SCHEME = _TO_CLIENT[0x09]
CONFIGURE_NOTIFICATION_FLAGS = _TO_CLIENT[0x0A]
GET_NOTIFIED_MESSAGE = _TO_CLIENT[0x0B]
SUPPLY_STATUS_RESPONSE = _TO_CLIENT[0x0C]
START_SAMPLING_RESPONSE = _TO_CLIENT[0x0D]
