"""Category 1 firmware: chunked ingestion that survives restarts, verification, OTA serving to
meters with CCS08 alerts, and CS06 for the CH's own firmware."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from helpers import ACB, ESME, GSME, INSTALL_CODE, SUPPLIER, Bench, action, register_device, set_

from commshub.codecs.dlms import Data, DataType
from commshub.codecs.gbcs.asn1 import decode_asn1
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.codecs.zigbee.ota import build_gbcs_ota_file, read_ota_file
from commshub.codecs.zigbee.zcl import build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import ota
from commshub.codecs.zigbee.zcl.foundation import Status
from commshub.codecs.zigbee.zcl.frame import ZclFrame
from commshub.hub import events as ev
from commshub.hub.actions import FirmwareChunkAck, SendHan, SendWan, WanKind
from commshub.hub.firmware import images
from commshub.hub.gbcs_io import encode_asn1_payload
from commshub.hub.proxy import GSME_DEVICE_TYPE
from commshub.hub.settings import HubSettings
from commshub.hub.transitions import FirmwareState

METER_MANUFACTURER = 0x1111
MANUFACTURER_IMAGE = bytes(range(256)) * 3
IMAGE_HASH = hashlib.sha256(MANUFACTURER_IMAGE).digest()


def signed_image(keys: KeyStore, *, manufacturer_code: int = METER_MANUFACTURER, version: int = 0x00000200,
                 signer: bytes = SUPPLIER) -> bytes:
    key = keys.private_key(signer, KeyUsage.DIGITAL_SIGNATURE)
    assert key is not None
    return build_gbcs_ota_file(MANUFACTURER_IMAGE, manufacturer_code=manufacturer_code, image_type=0x0001,
                               file_version=version, private_key=key)


def deliver(bench: Bench, image_id: str, data: bytes, *, chunk: int = 100, start: int = 0,
            stop: int | None = None) -> list[FirmwareChunkAck]:
    acks = []
    offset = start
    end = len(data) if stop is None else stop
    while offset < end:
        actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id=image_id, offset=offset,
                                                      total_size=len(data), data=data[offset:offset + chunk]))
        ack = [m for m in bench.csp(actions) if isinstance(m, FirmwareChunkAck)][-1]
        acks.append(ack)
        offset = ack.next_offset
    return acks


@pytest.fixture()
def bench() -> Bench:
    bench = Bench(settings=HubSettings(manufacturer_code=0x1234, image_type=0x0001))
    bench.commission()
    return bench


def test_image_is_stored_in_chunks_and_verified(bench: Bench) -> None:
    data = signed_image(bench.keys)
    acks = deliver(bench, "meter-image", data)
    assert acks[-1] == FirmwareChunkAck("meter-image", len(data), len(data), True)
    assert all(ack.verified is None for ack in acks[:-1])
    (image,) = images(bench.hub)
    assert image.state is FirmwareState.VERIFIED
    assert image.image_hash == IMAGE_HASH
    assert image.signer == SUPPLIER


def test_ingestion_resumes_after_a_restart(bench: Bench) -> None:
    data = signed_image(bench.keys)
    deliver(bench, "img", data, stop=400)
    bench.restart()
    # The sender starts again from the beginning; the store tells it where to resume.
    actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id="img", offset=0,
                                                  total_size=len(data), data=data[:100]))
    (ack,) = bench.csp(actions)
    assert ack.next_offset == 400
    acks = deliver(bench, "img", data, start=400)
    assert acks[-1].verified is True


def test_image_with_a_bad_signature_is_rejected(bench: Bench) -> None:
    data = bytearray(signed_image(bench.keys))
    data[100] ^= 0xFF  # inside the manufacturer image
    acks = deliver(bench, "bad", bytes(data))
    assert acks[-1].verified is False
    assert images(bench.hub)[0].state is FirmwareState.REJECTED
    assert 0x8F1C in [entry.code for entry in bench.hub.state.event_log.entries()]


def test_image_signed_by_an_untrusted_party_is_rejected(bench: Bench) -> None:
    stranger = KeyStore.generate(remote_parties=[SUPPLIER])
    assert deliver(bench, "x", signed_image(stranger))[-1].verified is False


def test_garbage_image_is_rejected(bench: Bench) -> None:
    assert deliver(bench, "junk", b"\x00" * 300)[-1].verified is False


def test_chunk_at_the_wrong_offset_gets_the_resume_offset(bench: Bench) -> None:
    data = signed_image(bench.keys)
    actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id="img", offset=500,
                                                  total_size=len(data), data=data[500:600]))
    assert bench.csp(actions) == [FirmwareChunkAck("img", 0, len(data))]


def join_device(bench: Bench, device: bytes, device_type: int) -> None:
    bench.send(bench.command(0x0001, [
        action(104, "0-0:30.3.0.255", 1, register_device(device, device_type=device_type)),
        set_(104, "0-0:30.3.0.255", 3, Data(DataType.LONG_UNSIGNED, 90)),
        set_(104, "0-0:30.3.0.255", 2, Data(DataType.BOOLEAN, True)),
    ]))
    bench.feed(ev.DeviceJoinRequested(at=bench.now, device=device,
                                      link_key=link_key_from_install_code(append_crc(INSTALL_CODE))))


def join_esme(bench: Bench) -> None:
    join_device(bench, ESME, 0)


def ota_request(bench: Bench, frame: ZclFrame) -> tuple[list[ZclFrame], list[Any]]:
    actions = bench.feed(ev.HanFrameReceived(at=bench.now, device=ESME, cluster=ota.OTA_UPGRADE_ID,
                                             payload=build_zcl(frame)))
    replies = [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan)]
    return replies, actions


def test_meter_downloads_the_image_over_ota(bench: Bench) -> None:
    join_esme(bench)
    data = signed_image(bench.keys)
    actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id="m", offset=0, total_size=len(data),
                                                  data=data))
    notify = [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan)]
    assert ota.IMAGE_NOTIFY.matches(notify[0])
    (reply,), _ = ota_request(bench, ota.QUERY_NEXT_IMAGE_REQUEST.frame(
        field_control=0, manufacturer_code=METER_MANUFACTURER, image_type=1, current_file_version=0x100))
    assert reply["status"] == 0
    assert reply["image_size"] == len(data)
    received = b""
    while len(received) < len(data):
        (block,), _ = ota_request(bench, ota.IMAGE_BLOCK_REQUEST.frame(
            field_control=0, manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200,
            file_offset=len(received), maximum_data_size=48))
        assert block["file_offset"] == len(received)
        received += block["image_data"]
    assert received == data
    (end,), actions = ota_request(bench, ota.UPGRADE_END_REQUEST.frame(
        status=0, manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200))
    assert end["upgrade_time"] == ota.UPGRADE_TIME_WAIT  # activation waits for CS06
    (alert,) = bench.wan(actions)
    assert alert.alert_code == 0x8F8A
    assert alert.message_code == 0x0128
    assert alert.recipient == ACB
    frame, _ = bench.open(alert)
    value = decode_asn1(frame.content, 0x0128, Cra.ALERT).value
    assert value["entityId"] == ESME
    assert value["responseCode"] == 0
    assert value["firmwareVersion"] == bytes.fromhex("00000200")


def end_transfer(bench: Bench, status: int) -> SendWan:
    """Start the ESME's OTA transfer of a meter image, end it with ``status`` and return the
    CCS08 alert the hub sends."""
    join_esme(bench)
    data = signed_image(bench.keys)
    deliver(bench, "m", data, chunk=len(data))
    ota_request(bench, ota.QUERY_NEXT_IMAGE_REQUEST.frame(
        field_control=0, manufacturer_code=METER_MANUFACTURER, image_type=1, current_file_version=0x100))
    _, actions = ota_request(bench, ota.UPGRADE_END_REQUEST.frame(
        status=status, manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200))
    (alert,) = bench.wan(actions)
    return alert


def test_failed_transfer_sends_ccs08_fail(bench: Bench) -> None:
    alert = end_transfer(bench, 0x96)  # INVALID_IMAGE
    assert alert.alert_code == 0x8F89
    value = decode_asn1(bench.open(alert)[0].content, 0x0128, Cra.ALERT).value
    assert value["responseCode"] == 1  # image discarded


def test_aborted_transfer_reports_file_failure(bench: Bench) -> None:
    alert = end_transfer(bench, 0x95)  # ABORT
    assert alert.alert_code == 0x8F89
    value = decode_asn1(bench.open(alert)[0].content, 0x0128, Cra.ALERT).value
    assert value["responseCode"] == 3  # file failure: the meter aborted (ZCL status ABORT)


def test_no_image_for_another_manufacturer(bench: Bench) -> None:
    join_esme(bench)
    deliver(bench, "m", signed_image(bench.keys), chunk=10_000)
    (reply,), _ = ota_request(bench, ota.QUERY_NEXT_IMAGE_REQUEST.frame(
        field_control=0, manufacturer_code=0x9999, image_type=1, current_file_version=0))
    assert reply["status"] == 0x98


def test_upgrade_end_out_of_order_is_refused(bench: Bench) -> None:
    join_esme(bench)
    (reply,), actions = ota_request(bench, ota.UPGRADE_END_REQUEST.frame(
        status=0, manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200))
    assert reply["status"] == 0x01
    assert bench.wan(actions) == []


def cs06(bench: Bench, image_hash: bytes, when: datetime.datetime | None = None) -> list[Any]:
    value: dict[str, Any] = {"manufacturerImageHash": image_hash, "originatorCounter": 1000}
    if when is not None:
        value["executionDateTime"] = when
    content = encode_asn1_payload("ActivateFirmwareCommand", value)
    return bench.send(bench.command(0x0012, content=content, originator=SUPPLIER, supplementary=False, sign=True))


def test_own_image_is_reported_then_activated_by_cs06(bench: Bench) -> None:
    data = signed_image(bench.keys, manufacturer_code=0x1234, version=0x0123ABCE)
    actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id="ch", offset=0, total_size=len(data),
                                                  data=data))
    (receipt,) = bench.wan(actions)
    assert receipt.alert_code == 0x8F72
    assert receipt.message_code == 0x00CE
    assert receipt.recipient == SUPPLIER
    _, payload = bench.open(receipt)
    assert payload.body.value[2] == Data(DataType.OCTET_STRING, IMAGE_HASH)
    # Service goes on while the new image waits: the CHF still answers with the old version.
    assert bench.hub.state.firmware_version == bytes.fromhex("0123ABCD")
    response = bench.wan(cs06(bench, IMAGE_HASH))[0]
    frame, _ = bench.open(response)
    outcome = decode_asn1(frame.content, 0x0012, Cra.RESPONSE).value
    assert outcome == ("executionOutcome", {"responseCode": 0, "firmwareVersion": bytes.fromhex("0123ABCE")})
    assert bench.hub.state.firmware_version == bytes.fromhex("0123ABCE")
    bench.restart()
    assert bench.hub.state.firmware_version == bytes.fromhex("0123ABCE")


def test_own_image_failing_verification_alerts_8f1c(bench: Bench) -> None:
    data = bytearray(signed_image(bench.keys, manufacturer_code=0x1234))
    data[100] ^= 0xFF  # inside the manufacturer image: the signature no longer verifies
    actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id="ch-bad", offset=0,
                                                  total_size=len(data), data=bytes(data)))
    (receipt,) = bench.wan(actions)
    assert receipt.alert_code == 0x8F1C
    assert receipt.message_code == 0x00CE
    assert receipt.recipient == ACB
    frame, payload = bench.open(receipt)
    assert frame.signature
    code, _, image_hash = payload.body.value
    assert code == Data(DataType.LONG_UNSIGNED, 0x8F1C)
    upgrade = read_ota_file(bytes(data), layout="gbcs").upgrade_image
    assert upgrade is not None
    assert image_hash == Data(DataType.OCTET_STRING, upgrade.manufacturer_image_hash)
    assert upgrade.manufacturer_image_hash != IMAGE_HASH
    assert bench.hub.state.firmware_version == bytes.fromhex("0123ABCD")


def test_meter_image_failing_verification_sends_no_alert(bench: Bench) -> None:
    data = bytearray(signed_image(bench.keys))
    data[100] ^= 0xFF
    actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id="meter-bad", offset=0,
                                                  total_size=len(data), data=bytes(data)))
    assert bench.wan(actions) == []


def test_own_garbage_image_quotes_the_file_hash(bench: Bench) -> None:
    data = signed_image(bench.keys, manufacturer_code=0x1234)[:-20]  # signature cut short
    actions = deliver(bench, "ch-cut", data, chunk=len(data))
    assert actions[-1].verified is False
    (receipt,) = bench.wan()
    _, payload = bench.open(receipt)
    assert payload.body.value[2] == Data(DataType.OCTET_STRING, hashlib.sha256(data).digest())


def test_cs06_with_an_unknown_hash(bench: Bench) -> None:
    response = bench.wan(cs06(bench, bytes(32)))[0]
    outcome = decode_asn1(bench.open(response)[0].content, 0x0012, Cra.RESPONSE).value
    assert outcome[1]["responseCode"] == 1  # no image held


def test_cs06_with_another_hash_keeps_firmware(bench: Bench) -> None:
    data = signed_image(bench.keys, manufacturer_code=0x1234, version=0x0123ABCE)
    deliver(bench, "ch", data, chunk=len(data))
    response = bench.wan(cs06(bench, bytes(32)))[0]
    outcome = decode_asn1(bench.open(response)[0].content, 0x0012, Cra.RESPONSE).value
    assert outcome == ("executionOutcome", {"responseCode": 2, "firmwareVersion": bytes.fromhex("0123ABCD")})
    assert bench.hub.state.firmware_version == bytes.fromhex("0123ABCD")


def test_future_dated_cs06_activates_later_and_alerts(bench: Bench) -> None:
    data = signed_image(bench.keys, manufacturer_code=0x1234, version=0x0123ABCE)
    deliver(bench, "ch", data, chunk=len(data))
    when = datetime.datetime.fromtimestamp(bench.now + 3600, tz=datetime.UTC).replace(tzinfo=None)
    response = bench.wan(cs06(bench, IMAGE_HASH, when))[0]
    assert decode_asn1(bench.open(response)[0].content, 0x0012, Cra.RESPONSE).value == ("commandAccepted", None)
    bench.restart()
    actions = bench.advance(3600)
    (alert,) = bench.wan(actions)
    assert alert.message_code == 0x00CA
    assert alert.alert_code == 0x8F66
    assert bench.hub.state.firmware_version == bytes.fromhex("0123ABCE")
    assert alert.kind is WanKind.ALERT


def query_next_image(bench: Bench, *, hardware_version: int | None = None,
                     device: bytes = ESME) -> ZclFrame:
    frame = ota.QUERY_NEXT_IMAGE_REQUEST.frame(
        manufacturer_code=METER_MANUFACTURER, image_type=1, current_file_version=0x100,
        hardware_version=hardware_version)
    actions = bench.feed(ev.HanFrameReceived(at=bench.now, device=device, cluster=ota.OTA_UPGRADE_ID,
                                             payload=build_zcl(frame)))
    (reply,) = [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan)]
    return reply


def test_query_next_image_checks_the_hardware_version(bench: Bench) -> None:
    # A device may name its hardware version in Query Next Image. An image whose OTA header
    # limits the hardware versions is offered only to devices inside those limits.
    join_esme(bench)
    key = bench.keys.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    assert key is not None
    data = build_gbcs_ota_file(MANUFACTURER_IMAGE, manufacturer_code=METER_MANUFACTURER, image_type=0x0001,
                               file_version=0x200, private_key=key, minimum_hardware_version=2,
                               maximum_hardware_version=4)
    assert deliver(bench, "m", data, chunk=len(data))[-1].verified is True
    for hardware_version in (1, 5, 0xFFFF):
        assert query_next_image(bench, hardware_version=hardware_version)["status"] == 0x98
    for hardware_version in (2, 3, 4):
        reply = query_next_image(bench, hardware_version=hardware_version)
        assert reply["status"] == 0
        assert reply["file_version"] == 0x200
    # A device that names no hardware version is not filtered.
    assert query_next_image(bench)["status"] == 0


def test_newest_image_for_the_hardware_version_is_offered(bench: Bench) -> None:
    join_esme(bench)
    key = bench.keys.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    assert key is not None
    for image_id, version, low, high in (("old", 0x200, 0, 9), ("new", 0x300, 5, 9)):
        data = build_gbcs_ota_file(MANUFACTURER_IMAGE, manufacturer_code=METER_MANUFACTURER, image_type=0x0001,
                                   file_version=version, private_key=key, minimum_hardware_version=low,
                                   maximum_hardware_version=high)
        deliver(bench, image_id, data, chunk=len(data))
    assert query_next_image(bench, hardware_version=1)["file_version"] == 0x200
    assert query_next_image(bench, hardware_version=6)["file_version"] == 0x300


# Image Block Request as an IKEA bulb sent it in a public zigpy bug report: tsn 6, manufacturer
# 0x117C, image type 0x4204, version 0x20029623, offset 0, maximum data size 63.
IKEA_BLOCK_REQUEST = bytes.fromhex("01 06 03 00 7c11 0442 23960220 00000000 3f")


def test_image_block_response_never_exceeds_maximum_data_size(bench: Bench) -> None:
    bench = Bench(settings=HubSettings(manufacturer_code=0x1234, image_type=0x0001, ota_max_block=200))
    bench.commission()
    join_esme(bench)
    key = bench.keys.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    assert key is not None
    data = build_gbcs_ota_file(MANUFACTURER_IMAGE, manufacturer_code=0x117C, image_type=0x4204,
                               file_version=0x20029623, private_key=key)
    assert deliver(bench, "ikea", data, chunk=len(data))[-1].verified is True
    for offset in (0, 80, len(data) - 10):
        request = IKEA_BLOCK_REQUEST[:-5] + offset.to_bytes(4, "little") + IKEA_BLOCK_REQUEST[-1:]
        actions = bench.feed(ev.HanFrameReceived(at=bench.now, device=ESME, cluster=ota.OTA_UPGRADE_ID,
                                                 payload=request))
        (block,) = [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan)]
        assert ota.IMAGE_BLOCK_RESPONSE.matches(block)
        assert block["status"] == 0
        assert block["file_offset"] == offset
        assert len(block["image_data"]) <= 63
        assert block["image_data"] == data[offset:offset + 63]


def test_sleepy_gsme_that_missed_image_notify_queries_itself(bench: Bench) -> None:
    # A sleepy GSME misses an unsolicited Image Notify (the send fails with APS_NO_ACK), so the
    # hub sends it none and serves the image when the GSME later queries by itself.
    join_device(bench, GSME, GSME_DEVICE_TYPE)
    data = signed_image(bench.keys)
    actions = bench.feed(ev.FirmwareChunkReceived(at=bench.now, image_id="m", offset=0, total_size=len(data),
                                                  data=data))
    assert [a for a in actions if isinstance(a, SendHan) and a.device == GSME] == []
    bench.advance(3600)
    reply = query_next_image(bench, device=GSME)
    assert reply["status"] == 0
    assert reply["image_size"] == len(data)
    received = b""
    while len(received) < len(data):
        actions = bench.feed(ev.HanFrameReceived(
            at=bench.now, device=GSME, cluster=ota.OTA_UPGRADE_ID,
            payload=build_zcl(ota.IMAGE_BLOCK_REQUEST.frame(
                manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200,
                file_offset=len(received), maximum_data_size=40))))
        (block,) = [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan)]
        received += block["image_data"]
    assert received == data


def test_image_page_request_is_served(bench: Bench) -> None:
    join_esme(bench)
    data = signed_image(bench.keys)
    deliver(bench, "m", data, chunk=len(data))
    query_next_image(bench)
    replies, actions = ota_request(bench, ota.IMAGE_PAGE_REQUEST.frame(
        manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200, file_offset=0,
        maximum_data_size=40, page_size=120, response_spacing=50))
    assert [len(reply["image_data"]) for reply in replies] == [40, 40, 40]
    assert [reply["file_offset"] for reply in replies] == [0, 40, 80]
    assert b"".join(reply["image_data"] for reply in replies) == data[:120]
    assert all(reply["status"] == 0 for reply in replies)
    # The page goes without APS acknowledgment; single blocks keep it.
    assert [a.aps_ack for a in actions if isinstance(a, SendHan)] == [False] * 3
    # The last page stops at the end of the image.
    replies, _ = ota_request(bench, ota.IMAGE_PAGE_REQUEST.frame(
        manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200,
        file_offset=len(data) - 50, maximum_data_size=40, page_size=120, response_spacing=50))
    assert b"".join(reply["image_data"] for reply in replies) == data[-50:]
    _, actions = ota_request(bench, ota.IMAGE_BLOCK_REQUEST.frame(
        manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200, file_offset=0,
        maximum_data_size=40))
    assert [a.aps_ack for a in actions if isinstance(a, SendHan)] == [True]
    # A page of an unknown version is aborted.
    (reply,), _ = ota_request(bench, ota.IMAGE_PAGE_REQUEST.frame(
        manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x999, file_offset=0,
        maximum_data_size=40, page_size=120, response_spacing=50))
    assert reply["status"] == Status.ABORT


def test_image_page_checks_hardware_version(bench: Bench) -> None:
    join_esme(bench)
    key = bench.keys.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    assert key is not None
    data = build_gbcs_ota_file(MANUFACTURER_IMAGE, manufacturer_code=METER_MANUFACTURER, image_type=0x0001,
                               file_version=0x200, private_key=key, minimum_hardware_version=2,
                               maximum_hardware_version=4)
    deliver(bench, "m", data, chunk=len(data))
    page = ota.IMAGE_PAGE_REQUEST.frame(manufacturer_code=METER_MANUFACTURER, image_type=1, file_version=0x200,
                                        file_offset=0, maximum_data_size=40, page_size=80, response_spacing=0)
    query_next_image(bench, hardware_version=3)
    replies, _ = ota_request(bench, page)
    assert [reply["status"] for reply in replies] == [0, 0]
    assert query_next_image(bench, hardware_version=5)["status"] == Status.NO_IMAGE_AVAILABLE
    (reply,), _ = ota_request(bench, page)
    assert reply["status"] == Status.ABORT
