"""CHF reads and settings: ECS26n, ECS35c/d, ECS52 and the dual-band DBCH01..DBCH05."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ESME, Bench, action, get, get_range, register_device, set_

from commshub.codecs.dlms import BitString, Data, DataType
from commshub.codecs.dlms.axdr import parse_data
from commshub.hub import events as ev
from commshub.hub.chf import DEFAULT_SUB_GHZ_CONFIGURATION
from commshub.hub.gbcs_io import ZIGBEE_EPOCH
from commshub.hub.settings import HubSettings

SUB_GHZ = "0-0:94.44.10"


def answer(bench: Bench, code: int, items: list[Any]) -> Any:
    actions = bench.send(bench.command(code, items))
    responses = [m for m in bench.wan(actions) if m.kind.value == "response"]
    assert len(responses) == 1
    return bench.open(responses[0])[1]


@pytest.fixture()
def bench() -> Bench:
    bench = Bench(settings=HubSettings(dual_band=True, ch_identity="HUBMODEL", ch_type="DUAL"))
    bench.commission()
    return bench


def test_ecs26n_reads_identity_and_type(bench: Bench) -> None:
    payload = answer(bench, 0x00FA, [get(1, "0-0:96.1.4.255", 2), get(1, "0-0:96.1.6.255", 2)])
    assert payload.data == (Data(DataType.OCTET_STRING, b"HUBMODEL"), Data(DataType.OCTET_STRING, b"DUAL"))


def test_ecs52_reads_the_running_firmware_version(bench: Bench) -> None:
    payload = answer(bench, 0x0059, [get(1, "0-0:0.2.1.255", 2)])
    assert payload.data == (Data(DataType.OCTET_STRING, bytes.fromhex("0123ABCD")),)


def test_ecs35c_returns_event_log_entries_in_range(bench: Bench) -> None:
    first = bench.now
    bench.send(bench.command(0x0001, [action(104, "0-0:30.3.0.255", 1, register_device(ESME)),
                                      set_(104, "0-0:30.3.0.255", 3, Data(DataType.LONG_UNSIGNED, 9)),
                                      set_(104, "0-0:30.3.0.255", 2, Data(DataType.BOOLEAN, True))]))
    bench.advance(3600)
    bench.feed(ev.DeviceJoinRequested(at=bench.now, device=ESME, link_key=bytes(16)))  # refused: logged
    start = first - ZIGBEE_EPOCH
    payload = answer(bench, 0x0093, [get_range(7, "0-0:99.98.0.255", start, start + 10)])
    (rows,) = payload.data
    assert rows.type is DataType.COMPACT_ARRAY
    assert [row.value[1].value for row in rows.value.elements] == [0x8F12]
    assert rows.value.elements[0].value[0].value == start
    payload = answer(bench, 0x0093, [get_range(7, "0-0:99.98.0.255", 0, 0xFFFFFFFF)])
    codes = [row.value[1].value for row in payload.data[0].value.elements]
    assert codes == [0x8F12, 0x8F48]


def test_ecs35d_returns_the_security_log(bench: Bench) -> None:
    bench.send(b"\x00garbage")
    payload = answer(bench, 0x0094, [get_range(7, "0-0:99.98.1.255", 0, 0xFFFFFFFF)])
    (rows,) = payload.data
    assert [len(row.value) for row in rows.value.elements] == [2]
    assert rows.value.elements[0].value[1] == Data(DataType.LONG_UNSIGNED, 0x8F1E)


def test_event_log_is_bounded() -> None:
    bench = Bench(settings=HubSettings(event_log_capacity=3))
    bench.commission()
    for n in range(5):
        bench.feed(ev.DeviceJoinRequested(at=bench.now, device=bytes([n]) * 8, link_key=bytes(16)))
    assert len(bench.hub.state.event_log) == 3


def test_dbch01_reads_the_sub_ghz_channel(bench: Bench) -> None:
    payload = answer(bench, 0x010A, [get(1, f"{SUB_GHZ}.2", 2)])
    assert payload.data == (Data(DataType.BIT_STRING, BitString(32, bytes.fromhex("E0000001"))),)


def test_dbch04_sets_what_dbch03_reads_and_alerts(bench: Bench) -> None:
    configuration = parse_data(DEFAULT_SUB_GHZ_CONFIGURATION)
    fields = list(configuration.value)
    fields[4] = Data(DataType.LONG_UNSIGNED, 0x0082)
    changed = Data(DataType.STRUCTURE, tuple(fields))
    actions = bench.send(bench.command(0x010D, [set_(1, f"{SUB_GHZ}.0", 2, changed)]))
    messages = bench.wan(actions)
    assert [m.kind.value for m in messages] == ["response", "alert"]
    frame, alert = bench.open(messages[1])
    assert frame.message_code == 0x0113
    assert alert.body.value[0] == Data(DataType.LONG_UNSIGNED, 0x8F2A)
    assert alert.body.value[2] == changed
    payload = answer(bench, 0x010C, [get(1, f"{SUB_GHZ}.0", 2)])
    assert payload.data == (changed,)


def test_dbch04_with_the_wrong_shape_is_rejected(bench: Bench) -> None:
    actions = bench.send(bench.command(0x010D, [set_(1, f"{SUB_GHZ}.0", 2, Data(DataType.UNSIGNED, 1))]))
    assert [m.alert_code for m in bench.wan(actions)] == [0x8F1E]


def test_dbch05_scan_is_answered_by_an_outcome_alert(bench: Bench) -> None:
    actions = bench.send(bench.command(0x010E, [set_(1, f"{SUB_GHZ}.1", 2, Data(DataType.UNSIGNED, 0))]))
    messages = bench.wan(actions)
    assert [bench.open(m)[0].message_code for m in messages] == [0x010E, 0x0112]


def test_dbch02_reads_the_channel_log(bench: Bench) -> None:
    payload = answer(bench, 0x010B, [get_range(7, f"{SUB_GHZ}.3", 0, 0xFFFFFFFF)])
    assert payload.data[0].type is DataType.COMPACT_ARRAY
    assert payload.specifications[0].result == 0


def test_single_band_hub_has_no_sub_ghz_objects() -> None:
    bench = Bench()
    bench.commission()
    payload = answer(bench, 0x010A, [get(1, f"{SUB_GHZ}.2", 2)])
    assert payload.data == (Data(DataType.NULL_DATA),)
    assert payload.specifications[0].result == 4  # object-undefined


# --- CS10a, CS10b, CS11: the same logs through the ZigBee Events cluster ----------------------


def gbz_request(frame: Any) -> bytes:
    from commshub.codecs.gbcs.gbz import LAST_COMPONENT, GbzComponent, GbzPayload, build_gbz
    from commshub.codecs.zigbee.zcl import build_zcl

    encoded = build_zcl(frame)
    return build_gbz(GbzPayload((GbzComponent(LAST_COMPONENT, frame.cluster_id, encoded[0], encoded[1],
                                              encoded[2], encoded[3:]),)))


def gbz_answer(bench: Bench, code: int, frame: Any) -> Any:
    from commshub.codecs.gbcs.gbz import parse_gbz
    from commshub.codecs.zigbee.zcl import parse_zcl

    actions = bench.send(bench.command(code, content=gbz_request(frame)))
    (response,) = [m for m in bench.wan(actions) if m.kind.value == "response"]
    (component,) = parse_gbz(bench.open(response)[0].content).components
    header = bytes([component.frame_control, component.sequence_number, component.command_id])
    return parse_zcl(header + component.payload, component.cluster)


def get_event_log(log_id: int, start: int = 0, end: int = 0xFFFFFFFE) -> Any:
    from commshub.codecs.zigbee.zcl.clusters.device_management import GET_EVENT_LOG

    return GET_EVENT_LOG.frame(event_control_log_id=0x10 | log_id, event_id=0, start_time=start,
                               end_time=end, number_of_events=0, event_offset=0)


def test_cs10a_publishes_the_event_log(bench: Bench) -> None:
    bench.send(bench.command(0x0001, [action(104, "0-0:30.3.0.255", 1, register_device(ESME)),
                                      set_(104, "0-0:30.3.0.255", 3, Data(DataType.LONG_UNSIGNED, 9)),
                                      set_(104, "0-0:30.3.0.255", 2, Data(DataType.BOOLEAN, True))]))
    reply = gbz_answer(bench, 0x0014, get_event_log(3))
    assert reply.command_id == 0x01
    assert [event["event_id"] for event in reply["events"]] == [0x8F12]
    assert reply["events"][0]["log_id"] == 3


def test_cs10a_without_matching_events_answers_not_found(bench: Bench) -> None:
    reply = gbz_answer(bench, 0x0014, get_event_log(3, 0, 10))
    assert reply.command_id == 0x0B
    assert reply["status"] == 0x8B


def test_cs10b_publishes_the_security_log(bench: Bench) -> None:
    bench.send(b"\x00garbage")
    reply = gbz_answer(bench, 0x00A1, get_event_log(4))
    assert [event["event_id"] for event in reply["events"]] == [0x8F1E]


def test_cs11_clears_the_event_log_only(bench: Bench) -> None:
    from commshub.codecs.zigbee.zcl.clusters.device_management import CLEAR_EVENT_LOG_REQUEST

    bench.feed(ev.DeviceJoinRequested(at=bench.now, device=ESME, link_key=bytes(16)))
    reply = gbz_answer(bench, 0x0015, CLEAR_EVENT_LOG_REQUEST.frame(log_id=3))
    assert reply["cleared_events_logs"] == 0x08
    assert len(bench.hub.state.event_log) == 0
    assert bench.hub.state.security_log.entries()[-1].code == 0x8F52
    reply = gbz_answer(bench, 0x0015, CLEAR_EVENT_LOG_REQUEST.frame(log_id=4))
    assert reply["cleared_events_logs"] == 0


def test_cs10a_with_a_clear_command_is_rejected(bench: Bench) -> None:
    from commshub.codecs.zigbee.zcl.clusters.device_management import CLEAR_EVENT_LOG_REQUEST

    actions = bench.send(bench.command(0x0014, content=gbz_request(CLEAR_EVENT_LOG_REQUEST.frame(log_id=3))))
    assert [m.alert_code for m in bench.wan(actions)] == [0x8F1E]


def test_dbch02_lists_the_channel_chosen_at_installation(bench: Bench) -> None:
    payload = answer(bench, 0x010B, [get_range(7, f"{SUB_GHZ}.3", 0, 0xFFFFFFFF)])
    (rows,) = payload.data
    (row,) = rows.value.elements
    assert row.value[1] == Data(DataType.LONG_UNSIGNED, 0x8F26)
    assert row.value[2] == Data(DataType.OCTET_STRING, bytes.fromhex("E0000001090100"))
