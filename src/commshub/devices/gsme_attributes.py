"""The ZCL attributes of the emulated gas meter (GSME), with its factory values.

Cluster -> attribute ID -> (ZCL data type, value). The attributes, their types and initial
values are those the reference GSME of the DCC's Reference Test Data Set 4.5.0 returns in its
Read Attributes Responses (decrypted with the published remote-party keys where the response
is encrypted), which covers every attribute an RTDS GSME use case reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commshub.codecs.zigbee.zcl.clusters.general import BASIC_ID
from commshub.codecs.zigbee.zcl.clusters.metering import METERING_ID
from commshub.codecs.zigbee.zcl.clusters.prepayment import PREPAYMENT_ID
from commshub.codecs.zigbee.zcl.clusters.price import PRICE_ID
from commshub.codecs.zigbee.zcl.types import DataType as T

__all__ = ["FIRMWARE_VERSION_ATTRIBUTE", "GSME_ATTRIBUTES"]

# Metering attribute that GCS38 reads as the GSME firmware version (octet string, 4 octets).
FIRMWARE_VERSION_ATTRIBUTE = (METERING_ID, 0x0206)

GSME_ATTRIBUTES: Mapping[int, Mapping[int, tuple[int, Any]]] = {
    BASIC_ID: {
        0x0003: (T.UINT8, 1),  # hw_version
        0x0004: (T.CHARACTER_STRING, "Critical Software"),  # manufacturer_name
        0x0005: (T.CHARACTER_STRING, "GFI     "),  # model_identifier
    },
    PRICE_ID: {
        0x0100: (T.UINT48, 100000),
        0x0101: (T.UINT48, 200000),
        0x0102: (T.UINT48, 300000),
        0x0202: (T.UINT24, 1),
        0x0203: (T.UINT24, 1000),
        0x0301: (T.UINT32, 22465),
        0x0302: (T.UINT32, 36),
        0x0303: (T.BITMAP8, 1),
        0x0304: (T.UINT32, 567),
        0x0305: (T.ENUM8, 1),
        0x0306: (T.BITMAP8, 0),
        0x0400: (T.UINT32, 10600),
        0x0401: (T.UINT32, 11200),
        0x0402: (T.UINT32, 11750),
        0x0403: (T.UINT32, 12000),
        0x0410: (T.UINT32, 9600),
        0x0420: (T.UINT32, 10200),
        0x0430: (T.UINT32, 10750),
        0x0440: (T.UINT32, 11000),
        0x0615: (T.ENUM8, 0),
        0x0616: (T.UINT16, 826),
        0x0617: (T.BITMAP8, 80),
    },
    METERING_ID: {
        0x0000: (T.UINT48, 12345),  # current_summation_delivered
        0x0014: (T.ENUM8, 2),  # supply_status
        0x0100: (T.UINT48, 1000),
        0x0102: (T.UINT48, 2000),
        0x0104: (T.UINT48, 3000),
        0x0106: (T.UINT48, 4000),
        0x0205: (T.UINT16, 100),
        0x0206: (T.OCTET_STRING, bytes.fromhex("0123abcd")),
        0x0300: (T.ENUM8, 1),  # unit_of_measure
        0x0301: (T.UINT24, 1),  # multiplier
        0x0302: (T.UINT24, 1000),  # divisor
        0x0307: (T.OCTET_STRING, b"1000999888"),  # site_id (MPRN)
        0x0607: (T.ENUM8, 3),
        0x0608: (T.ENUM8, 3),
        0x0700: (T.UINT48, 0),
        0x0701: (T.UINT48, 1),
        0x0702: (T.UINT48, 2),
        0x0703: (T.UINT48, 3),
        0x0A00: (T.UINT32, 3500000),
        0x0B10: (T.UINT16, 200),
        0x0B11: (T.ENUM8, 1),
        0x0B12: (T.UINT16, 1),
        0x0B13: (T.UINT16, 1),
        0x0B14: (T.UINT8, 10),
        0x0B15: (T.UINT16, 3600),
    },
    PREPAYMENT_ID: {
        0x0000: (T.BITMAP16, 3223),  # payment_control_configuration
        0x0001: (T.INT32, 2500000),  # credit_remaining
        0x0002: (T.INT32, 500000),  # emergency_credit_remaining
        0x0005: (T.INT32, 2500000),  # accumulated_debt
        0x0006: (T.INT32, 1000000),  # overall_debt_cap
        0x0010: (T.UINT32, 1000000),
        0x0011: (T.UINT32, 200000),
        0x0021: (T.UINT32, 10000000),
        0x0022: (T.UINT32, 5000000),
        0x0031: (T.UINT32, 500000),
        0x0040: (T.INT32, -5000000),
        0x0211: (T.UINT32, 5000),
        0x0216: (T.ENUM8, 1),
        0x0217: (T.UINT32, 500000),
        0x0221: (T.UINT32, 5000),
        0x0226: (T.ENUM8, 1),
        0x0227: (T.UINT32, 200000),
        0x0231: (T.UINT32, 5000),
        0x0239: (T.UINT16, 1000),
    },
}
