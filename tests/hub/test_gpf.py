"""The GPF's device log: GCS59 restores it, GCS62 (alert 0x8071) reports every change."""

from __future__ import annotations

from helpers import ACB, GPF, GSME, SUPPLIER, Bench

from commshub.codecs.gbcs.asn1 import decode_asn1
from commshub.codecs.gbcs.tables import Cra
from commshub.hub.gbcs_io import encode_asn1_payload
from commshub.hub.gpf import gpf_device_log
from commshub.hub.settings import HubSettings

IHD = bytes.fromhex("00DB1234567890A4")


def gcs59(bench: Bench, entries: list[tuple[bytes, int]], **kwargs: object) -> list[object]:
    content = encode_asn1_payload("GpfDeviceLogRestoreCommand", {
        "deviceLogEntries": [{"deviceId": device, "deviceType": kind} for device, kind in entries]})
    return bench.send(bench.command(0x008C, content=content, recipient=GPF, supplementary=False, **kwargs))


def test_gcs59_restores_and_gcs62_reports() -> None:
    bench = Bench()
    bench.commission()
    actions = gcs59(bench, [(GSME, 0), (IHD, 5)])
    response, alert = bench.wan(actions)
    frame, _ = bench.open(response)
    assert frame.originator == GPF
    assert frame.recipient == ACB
    outcomes = decode_asn1(frame.content, 0x008C, Cra.RESPONSE).value["restoreOutcomes"]
    assert [o["joinResponseCode"] for o in outcomes] == [0, 0]
    assert alert.message_code == 0x00B2
    assert alert.alert_code == 0x8071
    alert_frame, _ = bench.open(alert)
    assert alert_frame.mac is not None
    value = decode_asn1(alert_frame.content, 0x00B2, Cra.ALERT).value
    assert [e["deviceId"] for e in value["deviceLogEntries"]] == [GSME, IHD]
    bench.restart()
    assert gpf_device_log(bench.hub) == [(GSME, 0), (IHD, 5)]


def test_gcs59_beyond_capacity_answers_device_log_full() -> None:
    bench = Bench(settings=HubSettings(gpf_device_log_capacity=1))
    bench.commission()
    response = bench.wan(gcs59(bench, [(GSME, 0), (IHD, 5)]))[0]
    outcomes = decode_asn1(bench.open(response)[0].content, 0x008C, Cra.RESPONSE).value["restoreOutcomes"]
    assert [o["joinResponseCode"] for o in outcomes] == [0, 4]
    assert gpf_device_log(bench.hub) == [(GSME, 0)]


def test_gcs59_from_supplier_gets_gbz_alert() -> None:
    from commshub.codecs.gbcs.gbz import parse_gbz_alert

    bench = Bench()
    bench.commission()
    (alert,) = bench.wan(gcs59(bench, [(GSME, 0)], originator=SUPPLIER))
    frame, _ = bench.open(alert)
    assert frame.originator == GPF
    assert frame.message_code == 0x1000
    assert parse_gbz_alert(frame.content, 0x1000).alert_code == 0x8F30
    assert gpf_device_log(bench.hub) == []
