"""ZCL data types: every type round-trips, non-values decode to None, strings keep their bytes."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given

from commshub.codecs.common import build, parse
from commshub.codecs.strategies.zcl import zcl_type_values
from commshub.codecs.zigbee.zcl.types import (
    VALUE,
    DataType,
    NanFloat,
    TypeValue,
    ZclText,
    datetime_to_utc,
    is_analog,
    utc_to_datetime,
)
from commshub.errors import CodecError


def _value(type_id: int, data: bytes):
    return parse(VALUE[type_id], data, root="value")


def _roundtrip(type_id: int, data: bytes):
    value = _value(type_id, data)
    assert build(VALUE[type_id], value, root="value") == data
    return value


@pytest.mark.parametrize(("type_id", "data", "expected"), [
    (DataType.UINT24, bytes.fromhex("FFFFFF"), 0xFFFFFF),
    (DataType.UINT40, bytes.fromhex("0102030405"), 0x0504030201),
    (DataType.UINT48, bytes.fromhex("010000000000"), 1),
    (DataType.UINT56, bytes.fromhex("FFFFFFFFFFFFFF"), (1 << 56) - 1),
    (DataType.INT24, bytes.fromhex("FFFF7F"), 0x7FFFFF),
    (DataType.INT24, bytes.fromhex("000080"), -0x800000),
    (DataType.INT40, bytes.fromhex("FFFFFFFFFF"), -1),
    (DataType.INT48, bytes.fromhex("000000000080"), -(1 << 47)),
    (DataType.INT56, bytes.fromhex("FEFFFFFFFFFFFF"), -2),
    (DataType.BITMAP24, bytes.fromhex("010203"), 0x030201),
    (DataType.ENUM16, bytes.fromhex("3412"), 0x1234),
    (DataType.UTC_TIME, bytes.fromhex("00000000"), 0),
    (DataType.IEEE_ADDRESS, bytes.fromhex("1A5B410000FF0F00"), 0x000FFF0000415B1A),
])
def test_integer_widths(type_id, data, expected):
    assert _roundtrip(type_id, data) == expected


def test_character_string_invalid_length():
    # Length 0xFF is the non-value: no bytes follow (ZCL revision 6).
    assert _roundtrip(DataType.CHARACTER_STRING, b"\xff") is None
    assert _roundtrip(DataType.OCTET_STRING, b"\xff") is None
    assert _roundtrip(DataType.LONG_CHARACTER_STRING, b"\xff\xff") is None
    assert _roundtrip(DataType.LONG_OCTET_STRING, b"\xff\xff") is None


def test_character_string_too_long_to_build():
    with pytest.raises(CodecError, match="255 bytes do not fit"):
        build(VALUE[DataType.CHARACTER_STRING], "x" * 255, root="value")


def test_string_cut_at_first_nul():
    # Manufacturer names padded with NUL and garbage, reported in zigpy/zigpy PR 72.
    raw = b"STZB402+\x00\x04\\\x00\x01"
    value = _roundtrip(DataType.CHARACTER_STRING, bytes([len(raw)]) + raw)
    assert value == "STZB402+"
    assert value.raw == raw


def test_string_not_utf8_keeps_bytes():
    # Model string with a non-UTF-8 byte, reported in zigbeefordomoticz/Domoticz-Zigbee issue 280.
    raw = bytes.fromhex("545241444652492062756c6220453237205753a06f70616c203938306c6d")
    value = _roundtrip(DataType.CHARACTER_STRING, bytes([len(raw)]) + raw)
    assert value == "TRADFRI bulb E27 WS\ufffdopal 980lm"
    assert value.raw == raw


def test_long_string_round_trip():
    text = "é" * 200
    data = len(text.encode()).to_bytes(2, "little") + text.encode()
    assert _roundtrip(DataType.LONG_CHARACTER_STRING, data) == text


def test_boolean_values():
    assert _roundtrip(DataType.BOOLEAN, b"\x00") is False
    assert _roundtrip(DataType.BOOLEAN, b"\x01") is True
    assert _roundtrip(DataType.BOOLEAN, b"\xff") is None
    assert _roundtrip(DataType.BOOLEAN, b"\x02") == 2


def test_float_nan_keeps_bits():
    data = bytes.fromhex("01C0FF7F")
    value = _roundtrip(DataType.SINGLE_FLOAT, data)
    assert isinstance(value, NanFloat)
    assert math.isnan(value)
    assert _roundtrip(DataType.SEMI_FLOAT, bytes.fromhex("003C")) == 1.0


def test_array_of_uint8():
    # Array attribute (type 0x48): element type, uint16 count, elements; zigpy/zigpy issue 1292.
    value = parse(TypeValue, bytes.fromhex("4820030001 02 03".replace(" ", "")), root="tv")
    assert value.type == DataType.ARRAY
    assert value.value.element_type == DataType.UINT8
    assert value.value.elements == [1, 2, 3]


def test_array_invalid_count_is_none():
    value = parse(TypeValue, bytes.fromhex("4821FFFF"), root="tv")
    assert value.value.elements is None
    assert build(TypeValue, value, root="tv") == bytes.fromhex("4821FFFF")


def test_structure_holds_typed_members():
    data = bytes.fromhex("4C0200" "2005" "42026869")
    value = parse(TypeValue, data, root="tv")
    assert [(m.type, m.value) for m in value.value] == [(0x20, 5), (0x42, "hi")]
    assert build(TypeValue, value, root="tv") == data


def test_set_and_bag_of_strings():
    for type_id in (DataType.SET, DataType.BAG):
        data = bytes([type_id]) + bytes.fromhex("42 0200 0161 00".replace(" ", ""))
        value = parse(TypeValue, data, root="tv")
        assert value.value.elements == ["a", ""]
        assert build(TypeValue, value, root="tv") == data


def test_nested_array_of_structures():
    data = bytes.fromhex("48 4C 0100 0100 21 3412".replace(" ", ""))
    value = parse(TypeValue, data, root="tv")
    assert value.value.elements[0][0].value == 0x1234
    assert build(TypeValue, value, root="tv") == data


def test_unknown_type_names_the_type():
    with pytest.raises(CodecError, match="unknown ZCL data type 0x99"):
        parse(TypeValue, bytes.fromhex("9900"), root="tv")


def test_time_of_day_and_date():
    tod = _roundtrip(DataType.TIME_OF_DAY, bytes([13, 45, 30, 99]))
    assert (tod.hours, tod.minutes, tod.seconds, tod.hundredths) == (13, 45, 30, 99)
    date = _roundtrip(DataType.DATE, bytes([124, 3, 31, 7]))
    assert (date.years_since_1900, date.month, date.day, date.day_of_week) == (124, 3, 31, 7)


def test_utc_time_epoch_is_2000():
    assert utc_to_datetime(0) == datetime(2000, 1, 1, tzinfo=UTC)
    assert utc_to_datetime(0xFFFFFFFF) is None
    moment = datetime(2024, 5, 17, 12, 0, 1, tzinfo=UTC)
    assert utc_to_datetime(datetime_to_utc(moment)) == moment
    with pytest.raises(ValueError, match="naive"):
        datetime_to_utc(datetime(2024, 1, 1))


def test_analog_types_have_reportable_change():
    assert is_analog(DataType.UINT48)
    assert is_analog(DataType.UTC_TIME)
    assert not is_analog(DataType.BITMAP8)
    assert not is_analog(DataType.CHARACTER_STRING)


def test_zcl_text_builds_plain_str():
    assert build(VALUE[DataType.CHARACTER_STRING], "abc", root="v") == b"\x03abc"
    assert build(VALUE[DataType.CHARACTER_STRING], ZclText(b"ab\x00c"), root="v") == b"\x04ab\x00c"


@given(zcl_type_values())
def test_type_value_round_trip(record):
    data = build(TypeValue, record, root="tv")
    value = parse(TypeValue, data, root="tv")
    assert value == record
    assert build(TypeValue, value, root="tv") == data
