"""Preconditions the replay derives for GSME variants, and reference responses it cannot reproduce."""

from __future__ import annotations

import json

from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.gbz import LAST_COMPONENT, GbzComponent, GbzPayload, build_gbz, parse_gbz
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.codecs.zigbee.zcl import Direction, Status, ZclFrame, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import device_management, metering
from commshub.codecs.zigbee.zcl.foundation import DEFAULT_RESPONSE
from commshub.fleet.replay_gateway import scenario_from_json, scenario_to_json
from commshub.replay.corpus import ReplayCase
from commshub.replay.runner import (
    EMULATED_IDS,
    RTDS_IDS,
    SUPPLIER,
    Target,
    reference_anomaly,
    scenario_for,
)

GCS18, GCS31, GCS20R, GCS16A = 0x0079, 0x0080, 0x00F1, 0x0077


def gbz(*frames: ZclFrame) -> bytes:
    components = []
    for index, frame in enumerate(frames):
        data = build_zcl(frame)
        control = LAST_COMPONENT if index == len(frames) - 1 else 0
        components.append(GbzComponent(control, frame.cluster_id, data[0], data[1], data[2], data[3:]))
    return build_gbz(GbzPayload(tuple(components)))


def command(message_code: int, *frames: ZclFrame, counter: int = 500) -> GbcsFrame:
    return GbcsFrame.command(originator=SUPPLIER, recipient=RTDS_IDS["GSME"], originator_counter=counter,
                             message_code=message_code, content=gbz(*frames))


def response_to(request: GbcsFrame, *frames: ZclFrame) -> bytes:
    return GbcsFrame.response(originator=RTDS_IDS["GSME"], recipient=SUPPLIER,
                              originator_counter=request.originator_counter, message_code=request.message_code,
                              content=gbz(*frames), mac_header=False).to_bytes()


def case(name: str, frame: GbcsFrame) -> ReplayCase:
    return ReplayCase(name, "folder", frame.to_bytes(), None)


SAMPLED_DATA = metering.GET_SAMPLED_DATA.frame(sample_id=2, earliest_sample_time=1, sample_type=0,
                                               number_of_samples=41)


def test_network_data_read_starts_sampling_first():
    read = command(GCS18, SAMPLED_DATA)
    scenario = scenario_for(case("GCS18_4.10_SUCCESS", read), read, Target.GSME)
    assert scenario.gsme_tariff
    assert scenario.sampling is not None
    assert scenario.sampling.counter == read.originator_counter - 1
    assert scenario.sampling.samples == 41
    start = scenario.sampling.command()
    assert start.message_code == GCS31
    assert start.recipient == EMULATED_IDS["GSME"]
    component = parse_gbz(start.content).components[0]
    header = bytes([component.frame_control, component.sequence_number, component.command_id])
    assert metering.START_SAMPLING.matches(parse_zcl(header + component.payload, component.cluster))


def test_not_found_variant_without_tariff():
    read = command(GCS18, SAMPLED_DATA)
    scenario = scenario_for(case("GCS18_4.10_NOT_FOUND", read), read, Target.GSME)
    assert not scenario.gsme_tariff
    assert scenario.sampling is None


def test_scenario_crosses_the_gateway_as_json():
    read = command(GCS18, SAMPLED_DATA)
    scenario = scenario_for(case("GCS18_4.10_SUCCESS", read), read, Target.GSME)
    scenario = type(scenario)(scenario.target, faults={("component", 0x0702, 3): 0xC0},
                              gsme_tariff=False, sampling=scenario.sampling)
    assert scenario_from_json(json.loads(json.dumps(scenario_to_json(scenario)))) == scenario


def test_default_response_direction_anomaly():
    get = device_management.GET_EVENT_CONFIGURATION.frame(event_id=0x81FF)
    request = command(GCS20R, get)
    wrong = DEFAULT_RESPONSE.frame(0x0708, Direction.SERVER_TO_CLIENT, command_id=0x05, status=Status.HARDWARE_FAILURE)
    anomaly = reference_anomaly(request, response_to(request, wrong), KeyStore())
    assert anomaly is not None and "same direction" in anomaly
    right = DEFAULT_RESPONSE.reply(get, command_id=0x05, status=Status.HARDWARE_FAILURE)
    assert reference_anomaly(request, response_to(request, right), KeyStore()) is None


def test_future_record_anomaly():
    get = metering.GET_SNAPSHOT.frame(earliest_start_time=0, latest_end_time=0xFFFFFFFF, snapshot_offset=0,
                                      snapshot_cause=2)
    request = command(GCS16A, get)

    def published(snapshot_time: int) -> ZclFrame:
        return metering.PUBLISH_SNAPSHOT.reply(
            get, snapshot_id=1, snapshot_time=snapshot_time, total_snapshots_found=1, command_index=0,
            total_number_of_commands=1, snapshot_cause=2, snapshot_payload_type=4, snapshot_payload=b"")

    february = 476_064_000  # 2015-02-01 00:00:00 UTC in ZigBee UTCTime
    anomaly = reference_anomaly(request, response_to(request, published(february)), KeyStore())
    assert anomaly is not None and "2015-02-01" in anomaly
    assert reference_anomaly(request, response_to(request, published(february - 31 * 86_400)), KeyStore()) is None
