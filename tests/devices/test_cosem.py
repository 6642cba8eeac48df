"""The COSEM object model and server of the virtual ESME."""

from __future__ import annotations

from device_bench import START, action, get, set_
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.dlms.axdr import Data, DataType
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestGet,
    ActionResult,
    AttributeDescriptor,
    DataAccessResult,
)
from commshub.devices.cosem.model import Buffer, History, TypeDescription, obis, obis_text
from commshub.devices.cosem.server import ServerContext, serve
from commshub.devices.esme_objects import esme_model
from commshub.hub.gbcs_io import ZIGBEE_EPOCH

NOW = START - ZIGBEE_EPOCH
U32 = TypeDescription(DataType.DOUBLE_LONG_UNSIGNED)


def _request(*requests: tuple[object, Data]) -> AccessRequest:
    return AccessRequest(0x2000_0001, None, tuple(spec for spec, _ in requests),  # type: ignore[misc]
                         tuple(value for _, value in requests))


def test_obis_round_trip() -> None:
    assert obis_text(obis("0-0:94.44.34.10")) == "0-0:94.44.34.10"


def test_history_entries_are_periodic_and_bounded() -> None:
    buffer = Buffer(TypeDescription(DataType.STRUCTURE, (U32, U32)), 10,
                    history=History(1800, NOW - 86_400, NOW))
    entries = buffer.select(NOW - 3 * 1800, NOW)
    assert [entry.value[0].value for entry in entries] == [NOW - 3 * 1800, NOW - 2 * 1800, NOW - 1800]
    assert len(buffer.select()) == 10  # capacity keeps the newest


def test_open_history_follows_the_clock() -> None:
    buffer = Buffer(TypeDescription(DataType.STRUCTURE, (U32, U32)), 100,
                    history=History(1800, NOW - 3600, None))
    assert len(buffer.select(now=NOW)) == 3
    assert len(buffer.select(now=NOW + 1800)) == 4


def test_set_keeps_types_except_for_data_objects() -> None:
    model = esme_model(history_start=NOW - 86_400, history_end=NOW)
    context = ServerContext(utc=START)
    outcome = serve(model, _request(set_(3, "1-0:2.8.0.255", 2, Data(DataType.VISIBLE_STRING, "x")),
                                    set_(1, "0-0:94.44.117.1", 2, Data(DataType.LONG_UNSIGNED, 30))), context)
    assert [int(result.result) for result in outcome.results] == [DataAccessResult.TYPE_UNMATCHED, 0]


def test_register_reset_and_unknown_method() -> None:
    model = esme_model(history_start=NOW - 86_400, history_end=NOW)
    outcome = serve(model, _request(action(3, "1-0:32.32.0.4", 1, Data(DataType.INTEGER, 0)),
                                    get(3, "1-0:32.32.0.4", 2),
                                    action(3, "1-0:32.32.0.4", 9, Data(DataType.INTEGER, 0)),
                                    get(1, "9-9:9.9.9.9", 2)), ServerContext(utc=START))
    assert [int(result.result) for result in outcome.results] == [
        ActionResult.SUCCESS, DataAccessResult.SUCCESS, ActionResult.OBJECT_UNAVAILABLE,
        DataAccessResult.OBJECT_UNDEFINED]
    assert outcome.data[1] == Data(DataType.DOUBLE_LONG_UNSIGNED, 0)


def test_load_switch_scripts_move_disconnect_control() -> None:
    model = esme_model(history_start=NOW - 86_400, history_end=NOW)
    outcome = serve(model, _request(action(9, "0-0:10.0.106.255", 1, Data(DataType.LONG_UNSIGNED, 52)),
                                    get(70, "0-0:96.3.10.255", 2), get(70, "0-0:96.3.10.255", 3)),
                    ServerContext(utc=START))
    assert outcome.data[1] == Data(DataType.BOOLEAN, False)
    assert outcome.data[2] == Data(DataType.ENUM, 0)


@settings(max_examples=60)
@given(st.integers(1, 120), st.binary(min_size=6, max_size=6), st.integers(-128, 127))
def test_any_get_answers_with_a_result(class_id: int, logical_name: bytes, attribute_id: int) -> None:
    model = esme_model(history_start=NOW - 86_400, history_end=NOW)
    spec = AccessRequestGet(AttributeDescriptor(class_id, logical_name, attribute_id))
    outcome = serve(model, _request((spec, Data(DataType.NULL_DATA, None))), ServerContext(utc=START))
    assert len(outcome.results) == 1 and len(outcome.data) == 1
