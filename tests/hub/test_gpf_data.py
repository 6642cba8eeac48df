"""The GPF's copy of the GSME's data: what the gas meter pushes to its mirror, and the reads
addressed to the GPF that the hub serves from it (GCS13a, GCS14, GCS16b, GCS60a, GCS61)."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ACB, GPF, GSME, SUPPLIER, Bench
from test_han import han, join

from commshub.codecs.gbcs.gbz import GbzComponent, GbzPayload, build_gbz, parse_gbz
from commshub.codecs.gbcs.payload import decrypt_component
from commshub.codecs.zigbee.zcl import ZclFrame, build_zcl, foundation, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import metering, prepayment, price
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.hub import gpf_data
from commshub.hub.gbcs_io import ZIGBEE_EPOCH

DAY = 86_400
CREDIT_REMAINING = 0x0001  # Prepayment attribute
CURRENCY = 0x0616  # Price attribute


def report(cluster: int, records: list[dict[str, Any]]) -> ZclFrame:
    return foundation.REPORT_ATTRIBUTES.frame(cluster, Direction.SERVER_TO_CLIENT, disable_default_response=True,
                                              records=records)


def summation(value: int) -> ZclFrame:
    return report(metering.METERING_ID, [{"attribute_id": 0x0000, "type": 0x25, "value": value}])


def prepay_snapshot(at: int, credit: int) -> ZclFrame:
    return prepayment.PUBLISH_PREPAY_SNAPSHOT.frame(
        disable_default_response=True, snapshot_id=at // DAY, snapshot_time=at - ZIGBEE_EPOCH,
        total_snapshots_found=1, command_index=0, total_number_of_commands=1, snapshot_cause=1,
        snapshot_payload_type=prepayment.SNAPSHOT_DEBT_CREDIT_STATUS,
        snapshot_payload={"accumulated_debt": 0, "type1_debt_remaining": 0, "type2_debt_remaining": 0,
                          "type3_debt_remaining": 0, "emergency_credit_remaining": 0, "credit_remaining": credit})


def read_command(bench: Bench, message_code: int, *requests: ZclFrame, originator: bytes = SUPPLIER) -> bytes:
    components = []
    for index, request in enumerate(requests):
        encoded = build_zcl(request)
        components.append(GbzComponent(0x01 if index == len(requests) - 1 else 0x00, request.cluster_id,
                                       encoded[0], encoded[1], encoded[2], encoded[3:]))
    content = build_gbz(GbzPayload(tuple(components)))
    return bench.command(message_code, content=content, originator=originator, recipient=GPF, supplementary=False)


def answer(bench: Bench, command: bytes) -> list[tuple[GbzComponent, ZclFrame]]:
    """Send a read to the GPF; return the response's components with their ZCL frames."""
    (response,) = bench.wan(bench.send(command))
    frame, _ = bench.open(response)
    assert frame.originator == GPF
    replies = []
    for component in parse_gbz(frame.content).components:
        payload = component.payload
        if component.encryption is not None:
            decrypted = decrypt_component(frame, component, bench.keys)
            assert decrypted is not None
            payload = decrypted
        header = bytes([component.frame_control, component.sequence_number, component.command_id])
        replies.append((component, parse_zcl(header + payload, component.cluster)))
    return replies


@pytest.fixture()
def bench() -> Bench:
    bench = Bench()
    bench.commission()
    join(bench, GSME, 1)
    (reply,) = han(bench, GSME, metering.REQUEST_MIRROR.frame())
    assert reply["endpoint_id"] == 2
    return bench


def test_gcs14_answered_from_the_copy(bench: Bench) -> None:
    han(bench, GSME, report(price.PRICE_ID, [{"attribute_id": CURRENCY, "type": 0x21, "value": 826}]))
    han(bench, GSME, report(prepayment.PREPAYMENT_ID, [{"attribute_id": CREDIT_REMAINING, "type": 0x2B,
                                                        "value": -250}]))
    bench.restart()
    (price_part, price_reply), (prepay_part, prepay_reply) = answer(bench, read_command(
        bench, 0x0075,
        foundation.READ_ATTRIBUTES.frame(price.PRICE_ID, Direction.CLIENT_TO_SERVER, attribute_ids=[CURRENCY]),
        foundation.READ_ATTRIBUTES.frame(prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, tsn=1,
                                         attribute_ids=[CREDIT_REMAINING, 0x0005])))
    assert price_part.encryption is None
    assert price_reply["records"] == [{"attribute_id": CURRENCY, "status": 0, "type": 0x21, "value": 826}]
    assert prepay_part.encryption is not None
    assert prepay_part.is_last
    assert prepay_reply.tsn == 1
    assert prepay_reply["records"][0]["value"] == -250
    assert prepay_reply["records"][1]["status"] == 0x86  # never reported: unsupported attribute


def test_gcs13a_sets_disable_default_response(bench: Bench) -> None:
    han(bench, GSME, summation(12_345))
    ((part, reply),) = answer(bench, read_command(bench, 0x0074, foundation.READ_ATTRIBUTES.frame(
        metering.METERING_ID, Direction.CLIENT_TO_SERVER, attribute_ids=[0x0000])))
    assert part.frame_control == 0x18
    assert part.encryption is not None
    assert reply["records"][0]["value"] == 12_345


def test_gcs16b_reads_the_daily_read_log(bench: Bench) -> None:
    first = bench.now - 2 * DAY
    for day in range(3):
        han(bench, GSME, prepay_snapshot(first + day * DAY, 100 + day))
    request = [prepayment.GET_PREPAY_SNAPSHOT.frame(
        tsn=offset, earliest_start_time=first + DAY - ZIGBEE_EPOCH, latest_end_time=bench.now - ZIGBEE_EPOCH,
        snapshot_offset=offset, snapshot_cause=1) for offset in range(3)]
    replies = answer(bench, read_command(bench, 0x0096, *request, originator=ACB))
    published = [reply for _, reply in replies if prepayment.PUBLISH_PREPAY_SNAPSHOT.matches(reply)]
    assert [reply["snapshot_payload"]["credit_remaining"] for reply in published] == [101, 102]
    assert replies[0][0].frame_control == 0x19
    not_found = replies[2][1]
    assert foundation.DEFAULT_RESPONSE.matches(not_found)
    assert not_found["status"] == 0x8B


def test_daily_read_log_keeps_31_snapshots(bench: Bench) -> None:
    for day in range(40):
        han(bench, GSME, prepay_snapshot(bench.now - (40 - day) * DAY, day))
    assert len(gpf_data._prepay_snapshots(bench.hub, GSME)) == gpf_data.PREPAYMENT_DAILY_READ_LOG_DEPTH


def test_raw_snapshot_payload_dropped(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    # A payload type other than debt and credit status decodes to raw bytes.
    other_type = prepayment.SNAPSHOT_DEBT_CREDIT_STATUS + 1
    publish = prepayment.PUBLISH_PREPAY_SNAPSHOT.frame(
        disable_default_response=True, snapshot_id=1, snapshot_time=bench.now - ZIGBEE_EPOCH,
        total_snapshots_found=1, command_index=0, total_number_of_commands=1, snapshot_cause=1,
        snapshot_payload_type=other_type, snapshot_payload=bytes(6))
    with caplog.at_level("WARNING", logger="commshub.hub.gpf_data"):
        replies = han(bench, GSME, publish)
    assert replies == []
    assert gpf_data._prepay_snapshots(bench.hub, GSME) == []
    assert f"payload type {other_type} from {GSME.hex()} dropped" in caplog.text


def test_gcs61_reads_whole_days_only(bench: Bench) -> None:
    midnight = bench.now - bench.now % DAY
    bench.at(midnight + 3600)
    han(bench, GSME, summation(1_000))  # the first reading: the day started unseen
    for day, value in ((1, 4_000), (2, 6_500), (3, 9_000)):
        bench.at(midnight + day * DAY + 1800)
        han(bench, GSME, summation(value))
    get = metering.GET_SAMPLED_DATA.frame(sample_id=1, earliest_sample_time=midnight - ZIGBEE_EPOCH,
                                          sample_type=0, number_of_samples=731)
    ((part, reply),) = answer(bench, read_command(bench, 0x00A0, get))
    assert part.encryption is not None
    assert reply["samples"] == [2_500, 2_500]
    assert reply["sample_start_time"] == midnight + DAY - ZIGBEE_EPOCH


def test_gcs61_beyond_the_log_is_not_found(bench: Bench) -> None:
    get = metering.GET_SAMPLED_DATA.frame(sample_id=1, earliest_sample_time=bench.now - ZIGBEE_EPOCH,
                                          sample_type=0, number_of_samples=10)
    ((part, reply),) = answer(bench, read_command(bench, 0x00A0, get))
    assert part.encryption is None
    assert foundation.DEFAULT_RESPONSE.matches(reply)
    assert reply["status"] == 0x8B


def test_gcs60a_components_stay_in_clear(bench: Bench) -> None:
    han(bench, GSME, report(metering.METERING_ID, [{"attribute_id": 0x0A00, "type": 0x23, "value": 35}]))
    replies = answer(bench, read_command(
        bench, 0x012A,
        foundation.READ_ATTRIBUTES.frame(metering.METERING_ID, Direction.CLIENT_TO_SERVER, attribute_ids=[0x0A00]),
        foundation.READ_ATTRIBUTES.frame(prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, tsn=1,
                                         attribute_ids=[CREDIT_REMAINING])))
    assert [part.encryption for part, _ in replies] == [None, None]
    assert [part.frame_control for part, _ in replies] == [0x08, 0x08]
    assert replies[0][1]["records"][0]["value"] == 35


def test_report_without_mirror_is_rejected(bench: Bench) -> None:
    han(bench, GSME, metering.REMOVE_MIRROR.frame())
    (reply,) = han(bench, GSME, report(price.PRICE_ID, [{"attribute_id": CURRENCY, "type": 0x21, "value": 1}]))
    assert reply["status"] == 0x8B
    assert gpf_data.attribute_values(bench.hub, GSME, price.PRICE_ID) == {}
