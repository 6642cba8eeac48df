"""The GBCS tables: message codes, alert codes, device types."""

from __future__ import annotations

import pytest

from commshub.codecs.gbcs import (
    ALERT_CODES,
    ASN1_DEVICE_TYPES,
    DLMS_DEVICE_TYPES,
    MESSAGE_CODES,
    alert_name,
    message_code_for,
    use_case,
)


def test_table_sizes() -> None:
    # 224 codes of gbcs-parser, CCS05/CCS04 (0x0004) from wireshark, 15 named from the RTDS.
    assert len(MESSAGE_CODES) == 240
    # 184 codes of gbcs-parser and 0x8F85-0x8F88 from the RTDS.
    assert len(ALERT_CODES) == 188


@pytest.mark.parametrize("code, identifier", [
    (0x0001, "CCS01"), (0x0018, "CS14"), (0x00FE, "CCS07"), (0x010F, "CCS06"), (0x0128, "CCS08"),
    (0x0123, "ECS200"), (0x012B, "CS09"), (0x00B3, "ECS04b"), (0x0004, "CCS05/CCS04"),
])
def test_use_case_identifiers(code: int, identifier: str) -> None:
    case = use_case(code)
    assert case is not None
    assert case.identifier == identifier
    assert case.name.startswith(identifier)


def test_generic_alerts_have_no_identifier() -> None:
    case = use_case(0x1000)
    assert case is not None
    assert case.identifier is None
    assert case.name == "Generic Critical Alert"
    assert use_case(0xFFFF) is None


def test_message_code_for() -> None:
    assert message_code_for("ccs01") == 0x0001
    assert message_code_for("CS02b") == 0x0100
    with pytest.raises(KeyError):
        message_code_for("XYZ99")


def test_alert_names() -> None:
    assert alert_name(0x8F12) == "CHF Device Log Changed"
    assert alert_name(0x8F8A) == "Firmware transfer alert SUCCESS"
    assert alert_name(0x1234) is None


def test_device_type_numberings_differ() -> None:
    assert DLMS_DEVICE_TYPES[0] == "ESME"
    assert ASN1_DEVICE_TYPES[0] == "GSME"
    assert DLMS_DEVICE_TYPES[254] == "GPF"
    assert ASN1_DEVICE_TYPES[3] == "GPF"
