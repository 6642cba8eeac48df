"""Price cluster 0x0700 (ZigBee Smart Energy 1.4).

Publish Price grew optional fields in Smart Energy 1.1 and 1.2; they are declared as
trailing fields, so a frame from an older device decodes with them as None.
"""

from __future__ import annotations

from collections.abc import Iterator

from construct import Array, Int8ul, Int16ul, Int32ul, Struct, this

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import CountedList, RecordsToEnd, Trailing
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import DataType as T
from commshub.codecs.zigbee.zcl.types import OctetString, UInt24, UInt48, UtcTime

__all__ = [
    "CANCEL_TARIFF",
    "GET_BILLING_PERIOD",
    "GET_BLOCK_THRESHOLDS",
    "GET_CURRENT_PRICE",
    "GET_PRICE_MATRIX",
    "GET_SCHEDULED_PRICES",
    "GET_TARIFF_INFORMATION",
    "PRICE",
    "PRICE_ACKNOWLEDGEMENT",
    "PUBLISH_BILLING_PERIOD",
    "PUBLISH_BLOCK_PERIOD",
    "PUBLISH_BLOCK_THRESHOLDS",
    "PUBLISH_CALORIFIC_VALUE",
    "PUBLISH_CO2_VALUE",
    "PUBLISH_CONSOLIDATED_BILL",
    "PUBLISH_CONVERSION_FACTOR",
    "PUBLISH_CPP_EVENT",
    "PUBLISH_CREDIT_PAYMENT",
    "PUBLISH_CURRENCY_CONVERSION",
    "PUBLISH_PRICE",
    "PUBLISH_PRICE_MATRIX",
    "PUBLISH_TARIFF_INFORMATION",
    "PUBLISH_TIER_LABELS",
]

PRICE_ID = 0x0700
# Duration of a price that lasts until changed (Smart Energy 1.4), minutes.
DURATION_UNTIL_CHANGED = 0xFFFF


def _tier_labels() -> Iterator[tuple[int, str, T]]:
    for tier in range(1, 49):
        yield 0x0000 + tier - 1, f"tier{tier}_price_label", T.OCTET_STRING


def _block_thresholds() -> Iterator[tuple[int, str, T]]:
    for block in range(1, 16):
        yield 0x0100 + block - 1, f"block{block}_threshold", T.UINT48
    yield 0x010F, "block_threshold_count", T.UINT8


def _block_prices() -> Iterator[tuple[int, str, T]]:
    # NoTierBlockNPrice at 0x0400 + N - 1; TierTBlockNPrice at 0x0400 + 16 T + N - 1.
    for block in range(1, 17):
        yield 0x0400 + block - 1, f"no_tier_block{block}_price", T.UINT32
    for tier in range(1, 16):
        for block in range(1, 17):
            yield 0x0400 + 16 * tier + block - 1, f"tier{tier}_block{block}_price", T.UINT32


def _extended_tier_prices() -> Iterator[tuple[int, str, T]]:
    for tier in range(16, 49):
        yield 0x0500 + tier - 1, f"price_tier{tier}", T.UINT32


_SERVER_ATTRIBUTES = attributes(
    _tier_labels(),
    _block_thresholds(),
    (0x0200, "start_of_block_period", T.UTC_TIME),
    (0x0201, "block_period_duration", T.UINT24),  # minutes
    (0x0202, "threshold_multiplier", T.UINT24),
    (0x0203, "threshold_divisor", T.UINT24),
    (0x0204, "block_period_duration_type", T.BITMAP8),
    (0x0300, "commodity_type", T.ENUM8),
    (0x0301, "standing_charge", T.UINT32),
    (0x0302, "conversion_factor", T.UINT32),
    (0x0303, "conversion_factor_trailing_digit", T.BITMAP8),
    (0x0304, "calorific_value", T.UINT32),
    (0x0305, "calorific_value_unit", T.ENUM8),
    (0x0306, "calorific_value_trailing_digit", T.BITMAP8),
    _block_prices(),
    _extended_tier_prices(),
    (0x05FE, "cpp1_price", T.UINT32),
    (0x05FF, "cpp2_price", T.UINT32),
    (0x0610, "tariff_label", T.OCTET_STRING),
    (0x0611, "number_of_price_tiers_in_use", T.UINT8),
    (0x0612, "number_of_block_thresholds_in_use", T.UINT8),
    (0x0613, "tier_block_mode", T.ENUM8),
    (0x0615, "unit_of_measure", T.ENUM8),
    (0x0616, "currency", T.UINT16),  # ISO 4217 numeric code, 826 = GBP
    (0x0617, "price_trailing_digit", T.BITMAP8),
    (0x0619, "tariff_resolution_period", T.ENUM8),
    (0x0620, "co2", T.UINT32),
    (0x0621, "co2_unit", T.ENUM8),
    (0x0622, "co2_trailing_digit", T.BITMAP8),
    (0x0700, "current_billing_period_start", T.UTC_TIME),
    (0x0701, "current_billing_period_duration", T.UINT24),
    (0x0702, "last_billing_period_start", T.UTC_TIME),
    (0x0703, "last_billing_period_duration", T.UINT24),
    (0x0704, "last_billing_period_consolidated_bill", T.UINT32),
    (0x0800, "credit_payment_due_date", T.UTC_TIME),
    (0x0801, "credit_payment_status", T.ENUM8),
    (0x0802, "credit_payment_overdue_amount", T.UINT32),
    (0x080A, "payment_discount", T.UINT32),
    (0x080B, "payment_discount_period", T.ENUM8),
    GLOBAL_ATTRIBUTES,
)

_CLIENT_ATTRIBUTES = attributes(
    (0x0000, "price_increase_randomize_minutes", T.UINT8),
    (0x0001, "price_decrease_randomize_minutes", T.UINT8),
    (0x0002, "commodity_type", T.ENUM8),
    GLOBAL_ATTRIBUTES,
)

_EVENT_QUERY = (
    "earliest_start_time" / UtcTime,
    "min_issuer_event_id" / Int32ul,
    "number_of_commands" / Int8ul,
)

_BILLING_PERIOD = (
    "provider_id" / Int32ul,
    "issuer_event_id" / Int32ul,
    "billing_period_start_time" / UtcTime,
    "billing_period_duration" / UInt24,
    "billing_period_duration_type" / Int8ul,
    "tariff_type" / Int8ul,
)

_TO_CLIENT = commands(
    PRICE_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "publish_price", Struct(
        "provider_id" / Int32ul,
        "rate_label" / OctetString,
        "issuer_event_id" / Int32ul,
        "current_time" / UtcTime,
        "unit_of_measure" / Int8ul,
        "currency" / Int16ul,
        "price_trailing_digit_and_price_tier" / Int8ul,  # high nibble digits, low nibble tier
        "number_of_price_tiers_and_register_tier" / Int8ul,
        "start_time" / UtcTime,
        "duration_in_minutes" / Int16ul,
        "price" / Int32ul,
        # Smart Energy 1.1 additions.
        "price_ratio" / Trailing(Int8ul),
        "generation_price" / Trailing(Int32ul),
        "generation_price_ratio" / Trailing(Int8ul),
        "alternate_cost_delivered" / Trailing(Int32ul),
        "alternate_cost_unit" / Trailing(Int8ul),
        "alternate_cost_trailing_digit" / Trailing(Int8ul),
        "number_of_block_thresholds" / Trailing(Int8ul),
        "price_control" / Trailing(Int8ul),
        # Smart Energy 1.2 additions.
        "number_of_generation_tiers" / Trailing(Int8ul),
        "generation_tier" / Trailing(Int8ul),
        "extended_number_of_price_tiers" / Trailing(Int8ul),
        "extended_price_tier" / Trailing(Int8ul),
        "extended_register_tier" / Trailing(Int8ul),
    )),
    (0x01, "publish_block_period", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "block_period_start_time" / UtcTime,
        "block_period_duration" / UInt24,
        "block_period_control" / Int8ul,
        "block_period_duration_type" / Int8ul,
        "tariff_type" / Int8ul,
        "tariff_resolution_period" / Int8ul,
    )),
    (0x02, "publish_conversion_factor", Struct(
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "conversion_factor" / Int32ul,
        "conversion_factor_trailing_digit" / Int8ul,
    )),
    (0x03, "publish_calorific_value", Struct(
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "calorific_value" / Int32ul,
        "calorific_value_unit" / Int8ul,
        "calorific_value_trailing_digit" / Int8ul,
    )),
    (0x04, "publish_tariff_information", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "issuer_tariff_id" / Int32ul,
        "start_time" / UtcTime,
        "tariff_type_charging_scheme" / Int8ul,
        "tariff_label" / OctetString,
        "number_of_price_tiers_in_use" / Int8ul,
        "number_of_block_thresholds_in_use" / Int8ul,
        "unit_of_measure" / Int8ul,
        "currency" / Int16ul,
        "price_trailing_digit" / Int8ul,
        "standing_charge" / Int32ul,
        "tier_block_mode" / Int8ul,
        "block_threshold_multiplier" / UInt24,
        "block_threshold_divisor" / UInt24,
    )),
    (0x05, "publish_price_matrix", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "issuer_tariff_id" / Int32ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "sub_payload_control" / Int8ul,
        "entries" / RecordsToEnd(Struct("tier_block_id" / Int8ul, "price" / Int32ul)),
    )),
    (0x06, "publish_block_thresholds", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "issuer_tariff_id" / Int32ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "sub_payload_control" / Int8ul,
        # Per tier: high nibble tier, low nibble threshold count, then the thresholds.
        "entries" / RecordsToEnd(Struct(
            "tier_number_of_block_thresholds" / Int8ul,
            "block_thresholds" / Array(this.tier_number_of_block_thresholds & 0x0F, UInt48),
        )),
    )),
    (0x07, "publish_co2_value", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "tariff_type" / Int8ul,
        "co2_value" / Int32ul,
        "co2_value_unit" / Int8ul,
        "co2_value_trailing_digit" / Int8ul,
    )),
    (0x08, "publish_tier_labels", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "issuer_tariff_id" / Int32ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "tier_labels" / CountedList(Int8ul, Struct("tier_id" / Int8ul, "tier_label" / OctetString)),
    )),
    (0x09, "publish_billing_period", Struct(*_BILLING_PERIOD)),
    (0x0A, "publish_consolidated_bill", Struct(
        *_BILLING_PERIOD,
        "consolidated_bill" / Int32ul,
        "currency" / Int16ul,
        "bill_trailing_digit" / Int8ul,
    )),
    (0x0B, "publish_cpp_event", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "duration_in_minutes" / Int16ul,
        "tariff_type" / Int8ul,
        "cpp_price_tier" / Int8ul,
        "cpp_auth" / Int8ul,
    )),
    (0x0C, "publish_credit_payment", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "credit_payment_due_date" / UtcTime,
        "credit_payment_overdue_amount" / Int32ul,
        "credit_payment_status" / Int8ul,
        "credit_payment" / Int32ul,
        "credit_payment_date" / UtcTime,
        "credit_payment_ref" / OctetString,
    )),
    (0x0D, "publish_currency_conversion", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "start_time" / UtcTime,
        "old_currency" / Int16ul,
        "new_currency" / Int16ul,
        "conversion_factor" / Int32ul,
        "conversion_factor_trailing_digit" / Int8ul,
        "currency_change_control_flags" / Int32ul,
    )),
    (0x0E, "cancel_tariff", Struct(
        "provider_id" / Int32ul,
        "issuer_tariff_id" / Int32ul,
        "tariff_type" / Int8ul,
    )),
)

_TO_SERVER = commands(
    PRICE_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "get_current_price", Struct("command_options" / Int8ul)),
    (0x01, "get_scheduled_prices", Struct("start_time" / UtcTime, "number_of_events" / Int8ul)),
    (0x02, "price_acknowledgement", Struct(
        "provider_id" / Int32ul,
        "issuer_event_id" / Int32ul,
        "price_ack_time" / UtcTime,
        "control" / Int8ul,
    )),
    (0x03, "get_block_periods", Struct(
        "start_time" / UtcTime, "number_of_events" / Int8ul, "tariff_type" / Trailing(Int8ul))),
    (0x04, "get_conversion_factor", Struct(*_EVENT_QUERY)),
    (0x05, "get_calorific_value", Struct(*_EVENT_QUERY)),
    (0x06, "get_tariff_information", Struct(*_EVENT_QUERY, "tariff_type" / Int8ul)),
    (0x07, "get_price_matrix", Struct("issuer_tariff_id" / Int32ul)),
    (0x08, "get_block_thresholds", Struct("issuer_tariff_id" / Int32ul)),
    (0x09, "get_co2_value", Struct(*_EVENT_QUERY, "tariff_type" / Trailing(Int8ul))),
    (0x0A, "get_tier_labels", Struct("issuer_tariff_id" / Int32ul)),
    (0x0B, "get_billing_period", Struct(*_EVENT_QUERY, "tariff_type" / Trailing(Int8ul))),
    (0x0C, "get_consolidated_bill", Struct(*_EVENT_QUERY, "tariff_type" / Trailing(Int8ul))),
    (0x0D, "cpp_event_response", Struct("issuer_event_id" / Int32ul, "cpp_auth" / Int8ul)),
    (0x0E, "get_credit_payment", Struct("latest_end_time" / UtcTime, "number_of_records" / Int8ul)),
    (0x0F, "get_currency_conversion", Struct()),
    (0x10, "get_tariff_cancellation", Struct()),
)

PRICE = register(Cluster(
    PRICE_ID, "Price",
    attributes=_SERVER_ATTRIBUTES,
    client_attributes=_CLIENT_ATTRIBUTES,
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

PUBLISH_PRICE = _TO_CLIENT[0x00]
PUBLISH_BLOCK_PERIOD = _TO_CLIENT[0x01]
PUBLISH_CONVERSION_FACTOR = _TO_CLIENT[0x02]
PUBLISH_CALORIFIC_VALUE = _TO_CLIENT[0x03]
PUBLISH_TARIFF_INFORMATION = _TO_CLIENT[0x04]
PUBLISH_PRICE_MATRIX = _TO_CLIENT[0x05]
PUBLISH_BLOCK_THRESHOLDS = _TO_CLIENT[0x06]
PUBLISH_CO2_VALUE = _TO_CLIENT[0x07]
PUBLISH_TIER_LABELS = _TO_CLIENT[0x08]
PUBLISH_BILLING_PERIOD = _TO_CLIENT[0x09]
PUBLISH_CONSOLIDATED_BILL = _TO_CLIENT[0x0A]
PUBLISH_CPP_EVENT = _TO_CLIENT[0x0B]
PUBLISH_CREDIT_PAYMENT = _TO_CLIENT[0x0C]
PUBLISH_CURRENCY_CONVERSION = _TO_CLIENT[0x0D]
CANCEL_TARIFF = _TO_CLIENT[0x0E]
GET_CURRENT_PRICE = _TO_SERVER[0x00]
GET_SCHEDULED_PRICES = _TO_SERVER[0x01]
PRICE_ACKNOWLEDGEMENT = _TO_SERVER[0x02]
GET_TARIFF_INFORMATION = _TO_SERVER[0x06]
GET_PRICE_MATRIX = _TO_SERVER[0x07]
GET_BLOCK_THRESHOLDS = _TO_SERVER[0x08]
GET_BILLING_PERIOD = _TO_SERVER[0x0B]
