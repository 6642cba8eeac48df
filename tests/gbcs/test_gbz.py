"""GBZ payloads: components, encrypted components and alert bodies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commshub.codecs.gbcs import (
    FirmwareReceipt,
    FutureDatedOutcome,
    GbzAlert,
    GbzComponent,
    GbzEncryption,
    GbzPayload,
    IntegrityWarning,
    build_gbz,
    build_gbz_alert,
    parse_gbz,
    parse_gbz_alert,
)
from commshub.codecs.strategies import gbz_alerts, gbz_payloads
from commshub.errors import CodecError

# A read of the Metering cluster's CurrentSummationDelivered attribute (ZCL read attributes,
# command 0x00, attribute 0x0000 little-endian), the only and last component.
READ_SUMMATION = bytes.fromhex("0109" "01" "01" "0702" "0005" "00" "2A" "00" "0000")


def test_plain_component_fields() -> None:
    payload = parse_gbz(READ_SUMMATION)
    assert payload == GbzPayload((GbzComponent(
        control=0x01, cluster=0x0702, frame_control=0x00, sequence_number=0x2A, command_id=0x00,
        payload=b"\x00\x00"),))
    assert payload.components[0].is_last
    assert build_gbz(payload) == READ_SUMMATION


def test_from_date_time_counts_in_length() -> None:
    component = GbzComponent(control=0x11, cluster=0x0702, frame_control=0x01, sequence_number=1,
                             command_id=0x08, payload=b"\x01", from_date_time=0x1C374A80)
    wire = build_gbz(GbzPayload((component,)))
    assert wire[6:8] == b"\x00\x08"  # 4 (from date-time) + 3 (ZCL header) + 1
    assert wire[8:12] == bytes.fromhex("1C374A80")
    assert parse_gbz(wire).components[0] == component


def test_encrypted_component_layout() -> None:
    encryption = GbzEncryption(additional_header_control=0, additional_frame_counter=0,
                               ciphertext=bytes(range(20)))
    component = GbzComponent(control=0x03, cluster=0x0702, frame_control=0x19, sequence_number=0,
                             command_id=0x06, encryption=encryption)
    wire = build_gbz(GbzPayload((component,)))
    body = wire[8:]
    assert body[:2] == b"\x00\x00"  # additional header control, frame counter
    assert body[2:5] == b"\x19\x00\x06"  # ZCL header
    assert body[5:7] == (5 + 20).to_bytes(2, "big")  # ciphered length: security header + data
    assert body[7:12] == bytes.fromhex("3100000000")
    assert parse_gbz(wire).components[0] == component


@pytest.mark.parametrize("control, changes", [
    (0x10, {}),  # from date-time flag without a value
    (0x02, {}),  # encrypted flag without encryption fields
    (0x00, {"from_date_time": 5}),
])
def test_control_bits_must_agree(control: int, changes: dict[str, object]) -> None:
    with pytest.raises(CodecError):
        GbzComponent(control=control, cluster=0, frame_control=0, sequence_number=0, command_id=0,
                     **changes)  # type: ignore[arg-type]


def test_count_mismatch_is_an_error() -> None:
    wire = bytearray(READ_SUMMATION)
    wire[2] = 2
    with pytest.raises(CodecError) as raised:
        parse_gbz(bytes(wire))
    assert raised.value.path[0] == "gbz"


def test_wrong_profile_is_an_error() -> None:
    with pytest.raises(CodecError):
        parse_gbz(b"\x01\x04" + READ_SUMMATION[2:])


def test_future_dated_alert_body() -> None:
    alert = GbzAlert(alert_code=0x8F66, timestamp=0x1C374A80, component_count=1,
                     body=FutureDatedOutcome(message_code=0x006B, originator_counter=1005,
                                             cluster=0x0700, frame_control=0x09, command_id=0x06))
    wire = build_gbz_alert(alert)
    assert wire == bytes.fromhex("0109018F661C374A80" "0E" "006B" "00000000000003ED" "0700" "09" "06")
    assert parse_gbz_alert(wire, 0x00CD) == alert


def test_firmware_receipt_body() -> None:
    alert = GbzAlert(alert_code=0x8F72, timestamp=1, component_count=1,
                     body=FirmwareReceipt(bytes(range(32))))
    wire = build_gbz_alert(alert)
    assert wire[9:11] == b"\x09\x20"
    assert parse_gbz_alert(wire, 0x00CF) == alert


def test_integrity_warning_and_generic_alerts() -> None:
    warning = GbzAlert(alert_code=0x81A0, timestamp=2, component_count=1, body=IntegrityWarning(5))
    assert parse_gbz_alert(build_gbz_alert(warning), 0x00F2) == warning
    generic = GbzAlert(alert_code=0x8F30, timestamp=3)
    assert build_gbz_alert(generic) == bytes.fromhex("0109008F3000000003")
    assert parse_gbz_alert(build_gbz_alert(generic), 0x1000) == generic


def test_bad_alert_body_names_offset() -> None:
    with pytest.raises(CodecError) as raised:
        parse_gbz_alert(bytes.fromhex("0109018F661C374A80" "0E" "006B"), 0x00CD)
    assert raised.value.path[:2] == ("gbz_alert", "body")
    assert raised.value.offset is not None and raised.value.offset >= 9


@given(gbz_payloads())
def test_payload_round_trip(payload: GbzPayload) -> None:
    assert parse_gbz(build_gbz(payload)) == payload


@given(gbz_alerts())
def test_alert_round_trip(item: tuple[int, GbzAlert]) -> None:
    message_code, alert = item
    assert parse_gbz_alert(build_gbz_alert(alert), message_code) == alert


@given(st.binary(max_size=120), st.sampled_from([0x00CD, 0x00CF, 0x00F2, 0x008B, 0x1000]))
def test_random_bytes_give_value_or_codec_error(data: bytes, message_code: int) -> None:
    for parse in (parse_gbz, lambda raw: parse_gbz_alert(raw, message_code)):
        try:
            parse(data)
        except CodecError as exc:
            assert str(exc)
