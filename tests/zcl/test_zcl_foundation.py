"""ZCL header and global commands, on published frames and on reported device behaviour."""

from __future__ import annotations

import pytest

from commshub.codecs.common import parse
from commshub.codecs.zigbee.zcl import (
    Direction,
    FrameType,
    Status,
    ZclFrame,
    build_zcl,
    foundation,
    parse_zcl,
)
from commshub.codecs.zigbee.zcl.clusters import general, metering
from commshub.errors import CodecError

METERING = metering.METERING.id


def roundtrip(hex_frame: str, cluster_id: int) -> ZclFrame:
    data = bytes.fromhex(hex_frame.replace(" ", ""))
    frame = parse_zcl(data, cluster_id)
    assert build_zcl(frame) == data
    return frame


def test_header_fields():
    frame = roundtrip("1c 5f11 21 0a 5500 10 00", 0x0000)
    assert frame.frame_type == FrameType.GLOBAL
    assert frame.manufacturer_code == 0x115F
    assert frame.direction == Direction.SERVER_TO_CLIENT
    assert frame.disable_default_response
    assert (frame.tsn, frame.command_id) == (0x21, 0x0A)


def test_reserved_frame_control_bits_survive():
    frame = roundtrip("e0 01 00 0000", 0x0000)
    assert frame.reserved == 7


def test_read_attributes_from_scapy_issue():
    # APS payload of secdev/scapy issue 3084: Read Attributes of attribute 0x0010, tsn 0x0E.
    frame = roundtrip("10 0e 00 1000", 0x0101)
    assert frame.command_id == foundation.READ_ATTRIBUTES.id
    assert frame.payload["attribute_ids"] == [0x0010]


def test_read_attributes_response_from_scapy_issue():
    # secdev/scapy issue 1818: (0x0000, uint8 1) and (0x0004, string "sengled").
    frame = roundtrip("18 20 01 0000 00 20 01 0400 00 42 07 73656e676c6564", 0x0000)
    records = frame.payload["records"]
    assert [(r.attribute_id, r.status, r.type, r.value) for r in records] == [
        (0x0000, 0, 0x20, 1), (0x0004, 0, 0x42, "sengled")]


def test_read_reporting_configuration_uint48_change():
    # zigpy/zigpy issue 918: Metering CurrentSummationDelivered reported with a 6-byte change.
    frame = roundtrip("18 56 09 00 00 0000 25 1e00 8403 010000000000", METERING)
    record = frame.payload["records"][0]
    assert (record.status, record.direction, record.attribute_id, record.type) == (0, 0, 0, 0x25)
    assert (record.minimum_interval, record.maximum_interval, record.reportable_change) == (30, 900, 1)


def test_read_reporting_configuration_failed_records():
    # A record whose status is not SUCCESS ends after its attribute identifier, in both
    # directions: UNSUPPORTED_ATTRIBUTE (0x86) for a send record, then a receive record with
    # a 60-second timeout.
    frame = roundtrip("18 57 09 86 00 0000 86 01 0100 00 01 0200 3c00", METERING)
    failed_send, failed_receive, receive = frame.payload["records"]
    assert failed_send.type is None
    assert failed_send.reportable_change is None
    assert failed_receive.attribute_id == 0x0001
    assert failed_receive.timeout is None
    assert receive.attribute_id == 0x0002
    assert receive.timeout == 60


def test_structured_selector_with_many_indexes():
    # The low nibble of the selector indicator counts the indexes, up to 15.
    indexes = "".join(index.to_bytes(2, "little").hex() for index in range(1, 11))
    frame = roundtrip("00 01 0e 0400 0a" + indexes, 0x0000)
    record = frame.payload["records"][0]
    assert record.attribute_id == 0x0004
    assert record.selector.indexes == list(range(1, 11))


def test_report_attributes_bool_and_bitmap():
    # Report Attributes from zigpy/zigpy-znp issue 155: attr 0x0055 bool 0, attr 0x006F map8 0.
    frame = roundtrip("18 af 0a 5500 10 00 6f00 18 00", 0x000F)
    assert [(r.attribute_id, r.value) for r in frame.payload["records"]] == [(0x55, False), (0x6F, 0)]


def test_empty_payload_is_rejected_cleanly():
    # home-assistant/core issue 138765: a ZCL payload without even a frame control byte.
    with pytest.raises(CodecError, match="at least 3 bytes"):
        parse_zcl(b"", 0x0000)


def test_status_only_read_answer_is_a_codec_error():
    # zigpy/bellows issue 19: a Read Attributes answered by a bare SOFTWARE_FAILURE status.
    with pytest.raises(CodecError, match=r"records -> \[0\]"):
        parse_zcl(bytes.fromhex("1801 01 c1"), 0x0000)
    answer = roundtrip("18 01 0b 00 c1", 0x0000)
    assert answer.payload["status"] == Status.SOFTWARE_FAILURE


def test_invalid_string_length_in_report():
    # zigpy/zigpy PR 1412: a character string with length 0xFF is invalid, not 255 bytes.
    frame = roundtrip("18 01 0a 0500 42 ff", 0x0000)
    assert frame.payload["records"][0].value is None


def test_octet_string_where_char_string_expected():
    # zigpy/zigpy issue 1235: IKEA product code sent as an octet string (type 0x41).
    frame = roundtrip("18 07 01 0a00 00 41 05 4532323031", 0x0000)
    assert frame.payload["records"][0].value == b"E2201"


def test_manufacturer_report_with_binary_string():
    # zigpy/zha-device-handlers issue 881: manufacturer 0x115F reports attribute 0xFF01 as a
    # 68-byte character string that holds a binary TLV list. The header bytes are the reported
    # ones; the 68 content bytes here are stand-ins with NULs and non-UTF-8 bytes in them.
    content = bytes(range(0x44))
    data = bytes.fromhex("1c5f11210a01ff4244") + content
    frame = parse_zcl(data, 0x0000)
    assert frame.manufacturer_code == 0x115F
    record = frame.payload["records"][0]
    assert (record.attribute_id, record.type) == (0xFF01, 0x42)
    assert record.value.raw == content
    assert build_zcl(frame) == data


def test_undecodable_manufacturer_frame_stays_raw():
    data = bytes.fromhex("1c5f11210a01ff99")
    frame = parse_zcl(data, 0x0000)
    assert frame.payload == bytes.fromhex("01ff99")
    assert build_zcl(frame) == data


def test_configure_reporting_with_two_records():
    # espressif/esp-zigbee-sdk issue 855: several records in one Configure Reporting.
    frame = roundtrip("00 05 06 00 0000 25 1e00 8403 010000000000 00 0004 2a 0100 1000 640000", METERING)
    records = frame.payload["records"]
    assert [r.attribute_id for r in records] == [0x0000, 0x0400]
    assert records[1].reportable_change == 100


def test_configure_reporting_receive_direction_has_timeout():
    frame = roundtrip("00 05 06 01 0000 3c00", METERING)
    assert frame.payload["records"][0].timeout == 60


def test_write_attributes_response_lone_success():
    frame = roundtrip("18 02 04 00", 0x0000)
    assert frame.payload["records"] == [{"status": 0, "attribute_id": None}]
    failures = roundtrip("18 02 04 86 0500 88 0600", 0x0000)
    assert [(r.status, r.attribute_id) for r in failures.payload["records"]] == [(0x86, 5), (0x88, 6)]


def test_discover_and_structured_commands():
    roundtrip("10 01 0c 0000 10", 0x0000)
    discovered = roundtrip("18 01 0d 01 0000 20 0100 20", 0x0000)
    assert discovered.payload["discovery_complete"] is True
    structured = roundtrip("10 02 0e 0500 02 0100 0200", 0x0000)
    assert structured.payload["records"][0]["selector"]["indexes"] == [1, 2]
    roundtrip("10 03 0f 0500 01 0300 20 07", 0x0000)
    roundtrip("18 03 10 00", 0x0000)
    roundtrip("18 03 10 87 0500 01 0300", 0x0000)
    roundtrip("10 04 11 00 20", 0x0000)
    roundtrip("18 04 12 01 00 40", 0x0000)
    roundtrip("10 04 13 00 20", 0x0000)
    roundtrip("18 04 14 00 00 01", 0x0000)
    roundtrip("10 04 15 0000 20", 0x0000)
    extended = roundtrip("18 04 16 01 0000 20 01", 0x0000)
    assert extended.payload["records"][0]["access_control"] == 1


def test_unknown_global_command_stays_raw():
    frame = roundtrip("10 04 40 0102", 0x0000)
    assert frame.is_raw


def test_default_response_reply_reverses_direction():
    request = parse_zcl(bytes.fromhex("01 42 05 aabb 1000"), 0x0704)
    reply = foundation.DEFAULT_RESPONSE.reply(request, command_id=request.command_id, status=Status.SUCCESS)
    assert reply.direction == Direction.SERVER_TO_CLIENT
    assert build_zcl(reply) == bytes.fromhex("18 42 0b 05 00")


def test_read_attributes_response_built_from_attribute_table():
    time_status = general.TIME.attribute("time_status")
    frame = foundation.READ_ATTRIBUTES_RESPONSE.frame(
        general.TIME.id, Direction.SERVER_TO_CLIENT, tsn=9,
        records=[time_status.read_record(general.GBCS_HUB_TIME_STATUS),
                 {"attribute_id": 0x0042, "status": Status.UNSUPPORTED_ATTRIBUTE}])
    assert build_zcl(frame) == bytes.fromhex("08 09 01 0100 00 18 09 4200 86")


def test_direction_mismatch_is_reported():
    with pytest.raises(CodecError, match="direction bit is SERVER_TO_CLIENT"):
        parse_zcl(bytes.fromhex("18 01 0b 00 00"), 0x0000, direction=Direction.CLIENT_TO_SERVER)


def test_build_names_missing_field():
    frame = foundation.DEFAULT_RESPONSE.frame(0x0000, Direction.CLIENT_TO_SERVER, command_id=1)
    with pytest.raises(CodecError, match="default_response.*status"):
        build_zcl(frame)


def test_build_rejects_value_for_absent_field():
    frame = foundation.READ_ATTRIBUTES_RESPONSE.frame(
        0x0000, Direction.SERVER_TO_CLIENT, records=[{"attribute_id": 1, "status": 0x86, "type": 0x20, "value": 3}])
    with pytest.raises(CodecError, match="absent"):
        build_zcl(frame)


# Frames and their decoded meaning from zsmartsystems/com.zsmartsystems.zigbee
# src/test/resource/logs/cluster-FFFF-General.txt.
@pytest.mark.parametrize(("cluster_id", "hex_frame", "check"), [
    (0x0006, "00 51 06 00 0000 10 0100 201C",
     lambda p: (p["records"][0].type, p["records"][0].maximum_interval) == (0x10, 7200)),
    (0x0006, "00 15 0C 0000 0A", lambda p: p["maximum_attribute_ids"] == 10),
    (0x0006, "18 15 0D 01 0000 10 0040 10 0140 21 0240 21",
     lambda p: [r.attribute_id for r in p["records"]] == [0, 0x4000, 0x4001, 0x4002]),
    (0x0201, "18 3D 0D 01", lambda p: p["discovery_complete"] is True and p["records"] == []),
    (0x0006, "00 11 11 00 14", lambda p: p["maximum_command_ids"] == 20),
    (0x0B04, "00 28 06 00 0805 21 0300 201C 0100",
     lambda p: (p["records"][0].attribute_id, p["records"][0].reportable_change) == (1288, 1)),
    (0x0B04, "08 28 07 00", lambda p: p["records"][0]["status"] == 0),
    (0x0702, "18 3E 01 0000 00 48 08 0200 00 00",
     lambda p: p["records"][0].value.elements == [b"\x00", b"\x00"]),
    (0x0006, "08 25 09 00 00 0000 10 0100 2C01",
     lambda p: (p["records"][0].minimum_interval, p["records"][0].maximum_interval) == (1, 300)),
])
def test_published_general_frames(cluster_id, hex_frame, check):
    assert check(roundtrip(hex_frame, cluster_id).payload)


@pytest.mark.parametrize(("hex_frame", "message"), [
    ("10 00 02 0000 08", r"value .*expected 1, found 0"),  # data8 with no byte
    ("18 01 01 0000 00 25 010203", r"value .*expected 6, found 3"),  # uint48 cut short
    ("18 01 0a 0000 f1 00112233", r"value .*expected 16, found 4"),  # 128-bit key cut short
])
def test_truncated_fixed_size_values_raise(hex_frame, message):
    # construct's compiled parsers do not check the length of Bytes and BytesInteger reads.
    with pytest.raises(CodecError, match=message):
        parse_zcl(bytes.fromhex(hex_frame.replace(" ", "")), 0x0000)


def test_truncated_value_through_plain_stream():
    with pytest.raises(CodecError, match="expected 2, found 1"):
        parse(foundation.REPORT_ATTRIBUTES.payload, bytes.fromhex("0000 19 01"), root="report")
