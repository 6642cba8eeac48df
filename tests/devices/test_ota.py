"""OTA transfers from the hub's data store to the virtual meters, then CS06 activation."""

from __future__ import annotations

import hashlib

import pytest
from device_bench import (
    SITE_IDS,
    START,
    SUPPLIER,
    access_response,
    dlms_command,
    get,
    response,
    send,
)

from commshub.codecs.dlms import parse_apdu
from commshub.codecs.dlms.xdlms import DataNotification
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import decode_asn1, encode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.gbz import FirmwareReceipt, parse_gbz_alert
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.ota import build_gbcs_ota_file
from commshub.devices.esme import ESME_IMAGE_TYPE, Esme
from commshub.devices.gsme import GSME_IMAGE_TYPE, Gsme, GsmeSettings
from commshub.devices.ota_client import HeldImage
from commshub.devices.site import Kind, Site, SiteKeys
from commshub.devices.transitions import OtaClientState
from commshub.hub import events as hub_events
from commshub.hub.actions import WanKind
from commshub.hub.gbcs_io import generalized_time

CS06 = 0x0012
CHUNK = 200  # bytes per Category 1 chunk
NEW_VERSION = 0x0123ABCE
IMAGE = bytes(range(256)) * 6  # a 1536-byte manufacturer image


def _image(remote_keys: KeyStore, image_type: int) -> bytes:
    private = remote_keys.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    assert private is not None
    return build_gbcs_ota_file(IMAGE, manufacturer_code=0x1234, image_type=image_type,
                               file_version=NEW_VERSION, private_key=private)


def _load_into_hub(site: Site, data: bytes, image_id: str) -> None:
    for offset in range(0, len(data), CHUNK):
        site.network.to_hub(hub_events.FirmwareChunkReceived, image_id=image_id, offset=offset,
                            total_size=len(data), data=data[offset:offset + CHUNK])
        site.network.run()


def _activate(site: Site, recipient: bytes, counter: int) -> GbcsFrame:
    content = encode_asn1("ActivateFirmwareCommand", {
        "manufacturerImageHash": hashlib.sha256(IMAGE).digest(), "originatorCounter": counter})
    return GbcsFrame.command(originator=SUPPLIER, recipient=recipient, originator_counter=counter,
                             message_code=CS06, content=content)


def test_esme_transfer_and_activation(site_keys: SiteKeys, remote_keys: KeyStore) -> None:
    site = site_keys.build(now=START, join=[Kind.ESME])
    meter = site.devices[Kind.ESME]
    assert isinstance(meter, Esme)
    before = len(site.network.wan)
    _load_into_hub(site, _image(remote_keys, ESME_IMAGE_TYPE), "esme-image")
    assert meter.state.ota.state is OtaClientState.HELD
    assert meter.state.ota.held is not None
    assert meter.state.ota.held.manufacturer_image_hash == hashlib.sha256(IMAGE).digest()
    forwarded = [parse_frame(message.data) for message in site.wan_since(before)
                 if message.kind is WanKind.FORWARDED]
    receipts = [frame for frame in forwarded if frame.message_code == 0x00CE]
    assert len(receipts) == 1 and receipts[0].recipient == SUPPLIER
    assert crypto.verify_signature(receipts[0], site.keys) is crypto.Verdict.VALID
    body = parse_apdu(receipts[0].content)
    assert isinstance(body, DataNotification)
    assert body.body.value[0].value == 0x8F72
    assert body.body.value[2].value == hashlib.sha256(IMAGE).digest()

    command = _activate(site, SITE_IDS["ESME"], 2000)
    outcome = decode_asn1(response(send(site, site.command(command, critical=True)), command).content,
                          CS06, Cra.RESPONSE).value
    assert outcome == ("executionOutcome", {"responseCode": 0, "firmwareVersion": NEW_VERSION.to_bytes(4, "big")})
    assert [activation.version for _, activation in site.network.activations] == [NEW_VERSION.to_bytes(4, "big")]
    read = dlms_command(SITE_IDS["ESME"], 0x0059, 2001, [get(1, "0-0:0.2.1.255", 2)])
    version = access_response(response(send(site, site.command(read)), read)).data[0].value
    assert version == NEW_VERSION.to_bytes(4, "big")


def test_esme_rejects_image_with_bad_signature(site_keys: SiteKeys) -> None:
    site = site_keys.build(now=START, join=[Kind.ESME])
    forger = KeyStore.generate(remote_parties=[SUPPLIER])
    private = forger.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    assert private is not None
    data = build_gbcs_ota_file(IMAGE, manufacturer_code=0x1234, image_type=ESME_IMAGE_TYPE,
                               file_version=NEW_VERSION, private_key=private)
    _load_into_hub(site, data, "forged")
    meter = site.devices[Kind.ESME]
    assert isinstance(meter, Esme)
    assert meter.state.ota.held is None  # the hub never offered it: its signature does not verify


@pytest.mark.parametrize("blocks_per_wake", [4, 1000])
def test_gsme_drives_its_own_transfer(site_keys: SiteKeys, remote_keys: KeyStore, blocks_per_wake: int) -> None:
    settings = GsmeSettings(poll_interval=600, ota_query_interval=3600, blocks_per_wake=blocks_per_wake)
    site = site_keys.build(now=START, join=[Kind.GSME], gsme={"settings": settings})
    meter = site.devices[Kind.GSME]
    assert isinstance(meter, Gsme)
    before = len(site.network.wan)
    _load_into_hub(site, _image(remote_keys, GSME_IMAGE_TYPE), "gsme-image")
    assert meter.state.ota.state is OtaClientState.IDLE  # asleep: the Image Notify is not for it
    held = site.network.run_until(lambda net: meter.state.ota.state is OtaClientState.HELD,
                                  limit=site.network.now + 2 * 86_400)
    assert held
    wakes_needed = site.network.now - START
    if blocks_per_wake == 4:
        assert wakes_needed > 3600 + 600, "a paced transfer spans several wakes"
    receipts = [parse_frame(message.data) for message in site.wan_since(before)]
    receipts = [frame for frame in receipts if frame.message_code == 0x00CF]
    assert len(receipts) == 1
    alert = parse_gbz_alert(receipts[0].content, 0x00CF)
    assert alert.alert_code == 0x8F72
    assert alert.body == FirmwareReceipt(hashlib.sha256(IMAGE).digest())

    command = _activate(site, SITE_IDS["GSME"], 3000)
    messages = send(site, site.command(command, critical=True))
    assert messages == [] or all(parse_frame(m.data).cra != Cra.RESPONSE for m in messages), \
        "the command waits in the GPF queue until the GSME polls"
    answered = site.network.run_until(
        lambda net: any(parse_frame(m.action.data).message_code == CS06 for m in net.wan[before:]
                        if parse_frame(m.action.data).cra == Cra.RESPONSE),
        limit=site.network.now + 2 * settings.poll_interval)
    assert answered
    assert meter.state.firmware_version == NEW_VERSION.to_bytes(4, "big")


def test_future_dated_activation_alerts(site_keys: SiteKeys) -> None:
    held = HeldImage(NEW_VERSION, hashlib.sha256(IMAGE).digest())
    site = site_keys.build(now=START, join=[Kind.ESME], esme={"held_image": held})
    content = encode_asn1("ActivateFirmwareCommand", {
        "manufacturerImageHash": held.manufacturer_image_hash, "originatorCounter": 4000,
        "executionDateTime": generalized_time(START + 7200)})
    command = GbcsFrame.command(originator=SUPPLIER, recipient=SITE_IDS["ESME"], originator_counter=4000,
                                message_code=CS06, content=content)
    before = len(site.network.wan)
    frame = response(send(site, site.command(command, critical=True)), command)
    assert decode_asn1(frame.content, CS06, Cra.RESPONSE).value == ("commandAccepted", None)
    site.network.run(until=START + 7200)
    alerts = [parse_frame(message.data) for message in site.wan_since(before)]
    alerts = [alert for alert in alerts if alert.message_code == 0x00CA]
    assert len(alerts) == 1 and alerts[0].recipient == SUPPLIER
    value = decode_asn1(alerts[0].content, 0x00CA, Cra.ALERT).value
    assert value["alertCode"] == 0x8F66 and value["originatorCounter"] == 4000
    assert value["executionOutcome"]["responseCode"] == 0
