"""Cluster commands a hub serves or uses, on published frames and built by the hub's API."""

from __future__ import annotations

from typing import Any

import pytest

from commshub.cli.layers import DecodeOptions
from commshub.codecs.zigbee.describe_zcl import decode_zcl
from commshub.codecs.zigbee.tunnel import GBCS_PROTOCOL_ID, tunnel_get, tunnel_get_response
from commshub.codecs.zigbee.zcl import (
    Direction,
    Status,
    ZclFrame,
    build_zcl,
    foundation,
    parse_zcl,
)
from commshub.codecs.zigbee.zcl.clusters import (
    calendar,
    device_management,
    general,
    key_establishment,
    messaging,
    metering,
    ota,
    prepayment,
    price,
    tunneling,
)
from commshub.errors import CodecError, LocalProtocolError

OTA = ota.OTA_UPGRADE.id


def roundtrip(hex_frame: str, cluster_id: int) -> ZclFrame:
    data = bytes.fromhex(hex_frame.replace(" ", ""))
    frame = parse_zcl(data, cluster_id)
    assert build_zcl(frame) == data
    return frame


def test_image_block_request_from_zigpy_issue():
    # zigpy/zigpy issue 497: Image Block Request for IKEA 0x117C / 0x4204, offset 0, max 63.
    frame = roundtrip("01 06 03 00 7c11 0442 23960220 00000000 3f", OTA)
    assert ota.IMAGE_BLOCK_REQUEST.matches(frame)
    payload = frame.payload
    assert (payload["manufacturer_code"], payload["image_type"], payload["file_version"]) == (
        0x117C, 0x4204, 0x20029623)
    assert (payload["file_offset"], payload["maximum_data_size"]) == (0, 63)
    later = roundtrip("01 07 03 00 7c11 0442 23960220 50000000 3f", OTA)
    assert later.payload["file_offset"] == 80


def test_image_notify_from_device_handler_issue():
    # zigpy/zha-device-handlers issue 3018: Image Notify, payload type 0, jitter 100.
    frame = roundtrip("19 3b 00 00 64", OTA)
    assert ota.IMAGE_NOTIFY.matches(frame)
    assert frame.disable_default_response
    assert (frame.payload["payload_type"], frame.payload["query_jitter"]) == (0, 100)
    assert frame.payload["manufacturer_code"] is None


def test_query_next_image_request_from_home_assistant_issue():
    # home-assistant/core issue 114375: Legrand 0x1021 / 0x0011, current version 0x005343FF.
    frame = roundtrip("01 87 01 00 2110 1100 ff435300", OTA)
    assert ota.QUERY_NEXT_IMAGE_REQUEST.matches(frame)
    assert (frame.payload["manufacturer_code"], frame.payload["image_type"]) == (0x1021, 0x0011)
    assert frame.payload["current_file_version"] == 0x005343FF
    assert frame.payload["hardware_version"] is None


def test_query_next_image_response_from_herdsman_issue():
    # Koenkk/zigbee-herdsman-converters issue 9368: 0x10F2 / 0x7B32, version 0x02600460, 150014 bytes.
    frame = roundtrip("19 18 02 00 f210 327b 60046002 fe490200", OTA)
    payload = frame.payload
    assert (payload["status"], payload["manufacturer_code"], payload["image_type"]) == (0, 0x10F2, 0x7B32)
    assert (payload["file_version"], payload["image_size"]) == (0x02600460, 150014)


def test_image_block_response_from_zsmartsystems_log():
    # zsmartsystems cluster-0019-OtaUpgrade.txt: 36 bytes at offset 211140 of 10132/257/48.
    data = "80027900021211C082C0837A00790012 23EAD28790619674 06F0D083D0820212 11FFFFFF"
    frame = roundtrip("09 D9 05 00 9427 0101 30000000 C4380300 24" + data, OTA)
    payload = frame.payload
    assert (payload["manufacturer_code"], payload["image_type"], payload["file_version"]) == (10132, 257, 48)
    assert payload["file_offset"] == 211140
    assert payload["image_data"] == bytes.fromhex(data.replace(" ", ""))


def test_image_notify_from_client_raw():
    # espressif/esp-zigbee-sdk issue 859: Image Notify only goes server to client; sent the
    # other way it is not a command of this cluster and stays raw.
    frame = roundtrip("11 3b 00 00 64", OTA)
    assert frame.is_raw


def test_image_notify_too_short_for_its_payload_type():
    with pytest.raises(CodecError, match=r"image_notify -> new_file_version"):
        parse_zcl(bytes.fromhex("19 3b 00 03 64 7c11 0442 2396"), OTA)


def test_no_image_reply_header():
    # zsmartsystems PR 788: the "no image" response goes back with default response disabled.
    request = parse_zcl(bytes.fromhex("01 87 01 00 2110 1100 ff435300"), OTA)
    reply = ota.QUERY_NEXT_IMAGE_RESPONSE.reply(request, status=Status.NO_IMAGE_AVAILABLE)
    assert build_zcl(reply) == bytes.fromhex("19 87 02 98")


def test_reply_to_wrong_direction_is_refused():
    request = parse_zcl(bytes.fromhex("19 3b 00 00 64"), OTA)
    with pytest.raises(LocalProtocolError, match="cannot respond"):
        ota.QUERY_NEXT_IMAGE_RESPONSE.reply(request, status=0)


def test_image_block_response_wait_for_data():
    frame = ota.IMAGE_BLOCK_RESPONSE.frame(tsn=3, status=Status.WAIT_FOR_DATA, current_time=100,
                                           request_time=160, minimum_block_period=250)
    assert build_zcl(frame) == bytes.fromhex("09 03 05 97 64000000 a0000000 fa00")
    older = roundtrip("09 03 05 97 64000000 a0000000", OTA)
    assert older.payload["minimum_block_period"] is None


def test_query_next_image_request_field_control_is_computed():
    frame = ota.QUERY_NEXT_IMAGE_REQUEST.frame(manufacturer_code=0x1234, image_type=1,
                                               current_file_version=2, hardware_version=0x0105)
    assert build_zcl(frame) == bytes.fromhex("01 00 01 01 3412 0100 02000000 0501")


def test_field_control_contradiction_is_rejected():
    frame = ota.IMAGE_BLOCK_REQUEST.frame(field_control=0, manufacturer_code=1, image_type=2, file_version=3,
                                          file_offset=4, maximum_data_size=40, minimum_block_period=5)
    with pytest.raises(CodecError, match="flag 0x2 is clear"):
        build_zcl(frame)


def test_upgrade_end_response_upgrade_now():
    frame = ota.UPGRADE_END_RESPONSE.frame(tsn=1, manufacturer_code=0x1234, image_type=1, file_version=2,
                                           current_time=0, upgrade_time=ota.UPGRADE_TIME_NOW)
    assert parse_zcl(build_zcl(frame), OTA) == frame


def test_image_page_request_and_device_specific_file():
    page = roundtrip("01 05 04 01 3412 0100 02000000 00010000 40 0004 6400 0102030405060708", OTA)
    assert (page.payload["page_size"], page.payload["response_spacing"]) == (1024, 100)
    assert page.payload["request_node_address"] == 0x0807060504030201
    roundtrip("01 06 08 0102030405060708 3412 0100 02000000 0200", OTA)
    roundtrip("09 06 09 98", OTA)


def test_key_establishment_from_zsmartsystems_log():
    # zsmartsystems cluster-0800-KeyEstablishment.txt: Initiate Key Establishment Response,
    # suite 1, ephemeral data in 11 s, confirm key in 16 s, a 48-byte suite 1 certificate.
    frame = roundtrip(
        "09 03 00 0100 0B 10 0306861705EC70578BDEE50A439E9A188FCE404B0863 EEEEEEEEEEEEEEEE"
        "5445535453454341 0109000F000000000000", key_establishment.KEY_ESTABLISHMENT.id)
    payload = frame.payload
    assert key_establishment.INITIATE_KEY_ESTABLISHMENT_RESPONSE.matches(frame)
    assert (payload["key_establishment_suite"], payload["ephemeral_data_generate_time"],
            payload["confirm_key_generate_time"]) == (1, 11, 16)
    certificate = payload["identity"]
    assert certificate.subject == 0xEEEEEEEEEEEEEEEE
    assert certificate.issuer.to_bytes(8, "big") == b"TESTSECA"
    assert certificate.profile_attribute_data == bytes.fromhex("0109000F000000000000")


def test_suite_2_certificate_field_offsets():
    # Issuer at offset 11 and subject at offset 28 (Silicon Labs CERT_*_OFFSET_283K1).
    raw = bytearray(74)
    raw[0] = 0x00
    raw[9], raw[10] = 0x0D, 0x08
    raw[11:19] = bytes.fromhex("5445535453454341")
    raw[28:36] = bytes.fromhex("00DB1234567890A1")
    raw[36] = 0x88
    certificate = key_establishment.parse_certificate(bytes(raw))
    assert (certificate.curve, certificate.hash, certificate.key_usage) == (0x0D, 0x08, 0x88)
    assert certificate.issuer.to_bytes(8, "big") == b"TESTSECA"
    assert certificate.subject == 0x00DB1234567890A1
    assert len(certificate.public_key_reconstruction_data) == 37
    frame = key_establishment.INITIATE_KEY_ESTABLISHMENT_REQUEST.frame(
        key_establishment_suite=2, ephemeral_data_generate_time=10, confirm_key_generate_time=15,
        identity=certificate)
    assert build_zcl(frame)[7:] == bytes(raw)


def _suite_2_certificate(valid_from: int, valid_to: int) -> bytes:
    raw = bytearray(74)
    raw[9], raw[10] = 0x0D, 0x08
    raw[19:24] = valid_from.to_bytes(5, "big")
    raw[24:28] = valid_to.to_bytes(4, "big")
    return bytes(raw)


def _certificate_fields(valid_from: int, valid_to: int) -> dict[str, Any]:
    data = bytes.fromhex("01 07 00 0200 0a 0f") + _suite_2_certificate(valid_from, valid_to)
    record = decode_zcl(data, DecodeOptions(cluster=key_establishment.KEY_ESTABLISHMENT.id,
                                            direction="client")).record
    assert record["ok"], record["error"]
    payload = next(node for node in record["frame"]["children"] if node["name"] == "payload")
    identity = next(node for node in payload["children"] if node["name"] == "identity")
    return {node["name"]: node for node in identity["children"]}


def test_suite_2_certificate_validity_shown_as_dates():
    # tshark 4.0 shows this certificate as valid from Sep 13, 2020 12:26:40 UTC to Sep 13,
    # 2021 12:26:40 UTC (Unix seconds, and seconds after valid_from).
    fields = _certificate_fields(1_600_000_000, 365 * 86400)
    assert fields["valid_from"]["value"] == 1_600_000_000
    assert fields["valid_from"]["meaning"].startswith("2020-09-13T12:26:40Z")
    assert fields["valid_to"]["value"] == 365 * 86400
    assert fields["valid_to"]["meaning"].startswith("2021-09-13T12:26:40Z")
    assert _certificate_fields(0, 0xFFFFFFFF)["valid_to"]["meaning"] == "does not expire (0xFFFFFFFF)"
    assert "beyond" in _certificate_fields(2**40 - 1, 0)["valid_from"]["meaning"]


def test_certificate_size_must_match_a_suite():
    with pytest.raises(CodecError, match="48 .* or 74"):
        key_establishment.parse_certificate(b"\x00" * 50)


def test_ephemeral_and_confirm_key_data():
    ke = key_establishment.KEY_ESTABLISHMENT.id
    assert len(roundtrip("01 04 01" + "02" * 37, ke).payload["ephemeral_data"]) == 37
    assert len(roundtrip("09 04 01" + "03" * 22, ke).payload["ephemeral_data"]) == 22
    with pytest.raises(CodecError, match="expected 22 or 37 bytes, found 23"):
        parse_zcl(bytes.fromhex("01 04 01" + "02" * 23), ke)
    roundtrip("01 05 02" + "AB" * 16, ke)
    terminate = roundtrip("09 06 03 01 1e 0200", ke)
    assert terminate.payload["status_code"] == key_establishment.TerminateStatus.UNKNOWN_ISSUER


def test_tunnel_transfer_data_has_no_length_prefix():
    # Wireshark reads Transfer Data as all remaining bytes (dissect_zcl_tun_transfer_data).
    message = bytes.fromhex("DD0000000000003F11000000DF09")
    frame = tunneling.TRANSFER_DATA_TO_CLIENT.frame(tsn=4, tunnel_id=0, data=tunnel_get_response(message, 2))
    data = build_zcl(frame)
    assert data == bytes.fromhex("09 04 01 0000 02 02") + message
    decoded = parse_zcl(data, tunneling.TUNNELING.id)
    assert decoded.payload["data"] == b"\x02\x02" + message


def test_gbcs_tunnel_request_and_get():
    request = tunneling.REQUEST_TUNNEL.frame(tsn=1, protocol_id=GBCS_PROTOCOL_ID, manufacturer_code=0xFFFF,
                                             flow_control_support=False, maximum_incoming_transfer_size=1500)
    assert build_zcl(request) == bytes.fromhex("01 01 00 06 ffff 00 dc05")
    response = tunneling.REQUEST_TUNNEL_RESPONSE.reply(
        parse_zcl(build_zcl(request), tunneling.TUNNELING.id), tunnel_id=0,
        tunnel_status=tunneling.TunnelStatus.SUCCESS, maximum_incoming_transfer_size=1500)
    assert build_zcl(response) == bytes.fromhex("19 01 00 0000 00 dc05")
    get = tunneling.TRANSFER_DATA_TO_SERVER.frame(tsn=2, tunnel_id=0, data=tunnel_get())
    assert build_zcl(get) == bytes.fromhex("01 02 02 0000 01")
    protocols = roundtrip("19 03 05 01 02 ffff 06 3412 c8", tunneling.TUNNELING.id)
    assert [p.protocol_id for p in protocols.payload["protocols"]] == [6, 200]


def test_metering_mirror_exchange():
    mirror = metering.METERING.id
    request = roundtrip("19 10 01", mirror)
    assert metering.REQUEST_MIRROR.matches(request)
    response = metering.REQUEST_MIRROR_RESPONSE.reply(request, endpoint_id=0x7B)
    assert build_zcl(response) == bytes.fromhex("11 10 01 7b00")
    configure = roundtrip("19 11 08 01000000 100e00 01 01", mirror)
    assert configure.payload["reporting_interval"] == 3600
    assert configure.payload["mirror_notification_reporting"] is True
    flags = metering.MIRROR_REPORT_ATTRIBUTE_RESPONSE.frame(
        tsn=5, notification_scheme=1, notification_flags=[0x1, 0x0])
    assert build_zcl(flags) == bytes.fromhex("01 05 09 01 01000000 00000000")
    rejected = metering.REQUEST_MIRROR_RESPONSE.reply(request, endpoint_id=metering.MIRROR_ENDPOINT_REFUSED)
    assert build_zcl(rejected)[-2:] == b"\xff\xff"


def test_metering_profile_and_snapshot():
    profile = roundtrip("19 07 00 10000000 00 01 02 010000 020000", metering.METERING.id)
    assert profile.payload["intervals"] == [1, 2]
    roundtrip("01 08 06 00000000 ffffffff 00 ffffffff", metering.METERING.id)
    notification = roundtrip("19 09 0a 01000000 01 0000 0207 0000 02 00 01", metering.METERING.id)
    assert notification.payload["command_ids"] == [0, 1]


def test_gas_meter_snapshot_payload_decodes():
    # Decrypted Publish Snapshot of the DCC RTDS 4.5.0 GCS15b SUCCESS response (component 13).
    frame = roundtrip("19 0c 06 0c000000 006c0e1c 02 00 01 08000000 06 900000000000 04"
                      "6c0000000000 ea0000000000 840000000000 840000000000"
                      "14 4a0000000000 300000000000 b10000000000 b30000000000", metering.METERING.id)
    payload = frame["snapshot_payload"]
    assert frame["snapshot_payload_type"] == metering.SNAPSHOT_BLOCK_TIER_DELIVERED_NO_BILLING
    assert payload["current_summation_delivered"] == 0x90
    assert payload["tier_summations"] == [0x6C, 0xEA, 0x84, 0x84]
    assert payload["tier_block_summations"] == [0x4A, 0x30, 0xB1, 0xB3]


def test_snapshot_register_count_must_match_its_nibbles():
    payload = {"current_summation_delivered": 1, "number_of_tiers_in_use": 1, "tier_summations": [1],
               "number_of_tiers_and_block_thresholds_in_use": 0x14, "tier_block_summations": [1, 2, 3]}
    frame = metering.PUBLISH_SNAPSHOT.frame(
        snapshot_id=1, snapshot_time=0, total_snapshots_found=1, command_index=0, total_number_of_commands=1,
        snapshot_cause=1, snapshot_payload_type=metering.SNAPSHOT_BLOCK_TIER_DELIVERED_NO_BILLING,
        snapshot_payload=payload)
    with pytest.raises(CodecError, match="tier_block_summations"):
        build_zcl(frame)


def test_other_snapshot_payload_types_stay_bytes():
    frame = roundtrip("19 01 06 01000000 00000000 01 00 01 01000000 04 0100000000000101000000000000",
                      metering.METERING.id)
    assert frame["snapshot_payload"] == bytes.fromhex("0100000000000101000000000000")


def test_prepay_snapshot_debt_credit_status():
    # Decrypted Publish Prepay Snapshot of the DCC RTDS 4.5.0 GCS15b SUCCESS response (component 1).
    frame = roundtrip("19 00 01 00000000 006c0e1c 02 00 01 08000000 00"
                      "82000000 79000000 df000000 ca000000 32000000 42000000", prepayment.PREPAYMENT.id)
    assert frame["snapshot_payload"] == {
        "accumulated_debt": 0x82, "type1_debt_remaining": 0x79, "type2_debt_remaining": 0xDF,
        "type3_debt_remaining": 0xCA, "emergency_credit_remaining": 0x32, "credit_remaining": 0x42}
    negative = roundtrip("19 00 01 00000000 006c0e1c 01 00 01 01000000 00"
                         "00000000 00000000 00000000 00000000 c0ffffff 4bffffff", prepayment.PREPAYMENT.id)
    assert negative["snapshot_payload"]["credit_remaining"] == -181


def test_time_cluster_read_for_gbcs_hub():
    request = roundtrip("00 21 00 0000 0100", general.TIME.id)
    time = general.TIME.attribute("time")
    status = general.TIME.attribute("time_status")
    reply = foundation.READ_ATTRIBUTES_RESPONSE.reply(
        request, records=[time.read_record(0x2D000000), status.read_record(general.GBCS_HUB_TIME_STATUS)])
    assert build_zcl(reply) == bytes.fromhex("18 21 01 0000 00 e2 0000002d 0100 00 18 09")
    assert general.GBCS_HUB_TIME_STATUS == 0x09


def test_basic_and_identify():
    roundtrip("01 01 00", general.BASIC.id)
    physical = general.BASIC.attribute("physical_environment")
    assert physical.read_record(general.GBCS_PHYSICAL_ENVIRONMENT)["value"] == 1
    identify = roundtrip("01 02 00 0a00", general.IDENTIFY.id)
    assert identify.payload["identify_time"] == 10
    roundtrip("09 02 00 0500", general.IDENTIFY.id)
    roundtrip("01 03 40 00 00", general.IDENTIFY.id)


def test_messaging_display_and_confirmation():
    display = messaging.DISPLAY_MESSAGE.frame(
        tsn=1, message_id=7, message_control=0x80, start_time=0, duration_in_minutes=0xFFFF, message="Top up")
    data = build_zcl(display)
    assert data == bytes.fromhex("09 01 00 07000000 80 00000000 ffff 06") + b"Top up"
    assert parse_zcl(data, messaging.MESSAGING.id).payload["extended_message_control"] is None
    confirm = roundtrip("01 02 01 07000000 10000000", messaging.MESSAGING.id)
    assert confirm.payload["message_confirmation_control"] is None
    roundtrip("01 02 01 07000000 10000000 01 02 6f6b", messaging.MESSAGING.id)


def test_publish_price_with_and_without_optional_fields():
    base = "09 01 00 01000000 03 616263 02000000 00000000 00 3a03 11 21 00000000 ffff e8030000"
    short = roundtrip(base, price.PRICE.id)
    assert short.payload["rate_label"] == b"abc"
    assert short.payload["price_ratio"] is None
    longer = roundtrip(base + "ff 00000000 ff", price.PRICE.id)
    assert longer.payload["generation_price_ratio"] == 0xFF
    assert longer.payload["alternate_cost_delivered"] is None


def test_trailing_bytes_after_declared_payload_are_kept():
    frame = roundtrip("01 01 00 01", price.PRICE.id)
    assert frame.trailing == b""
    extra = roundtrip("01 01 0a 01000000 ab", price.PRICE.id)
    assert extra.trailing == b"\xab"


def test_price_gap_in_optional_fields_is_rejected():
    frame = price.PUBLISH_PRICE.frame(
        provider_id=1, rate_label=b"", issuer_event_id=2, current_time=0, unit_of_measure=0, currency=826,
        price_trailing_digit_and_price_tier=0x11, number_of_price_tiers_and_register_tier=0x21,
        start_time=0, duration_in_minutes=0xFFFF, price=1000, generation_price=5)
    with pytest.raises(CodecError, match="set after one that is None"):
        build_zcl(frame)


def test_prepayment_device_management_events_calendar():
    roundtrip("01 01 04 00 06 313233343536", prepayment.PREPAYMENT.id)
    top_ups = roundtrip("09 01 05 00 01 02 3132 e8030000 01000000", prepayment.PREPAYMENT.id)
    assert top_ups.payload["top_ups"][0]["top_up_amount"] == 1000
    configure = roundtrip("09 01 04 01000000 00000000 03 00 02 0100 0200", device_management.DEVICE_MANAGEMENT.id)
    assert configure.payload["selection"]["event_ids"] == [1, 2]
    roundtrip("09 02 04 01000000 00000000 03 02 05", device_management.DEVICE_MANAGEMENT.id)
    roundtrip("09 03 00 01 0100 10000000 00 02 6869", device_management.EVENTS.id)
    roundtrip("09 04 02 01000000 02000000 03000000 01 00 01 00 01 0000 01", calendar.CALENDAR.id)


def test_unknown_cluster_and_manufacturer_frames_stay_raw():
    unknown = roundtrip("05 3412 01 00 abcdef", 0xFC01)
    assert unknown.is_raw
    assert unknown.manufacturer_code == 0x1234
    vendor_command = roundtrip("05 3412 01 00 abcdef", OTA)
    assert vendor_command.is_raw
    unknown_command = roundtrip("01 01 7f 00", OTA)
    assert unknown_command.is_raw


def test_raw_frame_builds_from_bytes_only():
    frame = ZclFrame(cluster_id=0xFC01, command_id=1, payload={"x": 1}, frame_type=1,  # type: ignore[arg-type]
                     direction=Direction.CLIENT_TO_SERVER)
    with pytest.raises(CodecError, match="give the payload as bytes"):
        build_zcl(frame)
