"""A-XDR data: golden vectors for every type, property round trips and error reports."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.dlms import (
    BitString,
    CompactArray,
    CosemDate,
    CosemDateTime,
    CosemTime,
    Data,
    DataType,
    TypeDescription,
    build_data,
    parse_data,
)
from commshub.codecs.dlms.axdr import MAX_NESTING, decode_data
from commshub.codecs.strategies import dlms_data, dlms_data_with_length_forms
from commshub.errors import CodecError

T = DataType

# (encoding, expected value); sources: the Blue Book data type table for the layouts, the
# visible-string from dlms-cosem tests/test_dlms_data.py (Kamstrup HAN port), the date-time from
# dlms-cosem tests/test_xdlms/test_set.py, the compact array from RTDS 4.5.0 ECS35c.
GOLDEN = [
    ("00", Data(T.NULL_DATA)),
    ("0300", Data(T.BOOLEAN, False)),
    ("0301", Data(T.BOOLEAN, True)),
    ("03FF", Data(T.BOOLEAN, 0xFF)),
    ("040AC040", Data(T.BIT_STRING, BitString(10, b"\xc0\x40"))),
    ("0400", Data(T.BIT_STRING, BitString(0, b""))),
    ("05FFFFFFFF", Data(T.DOUBLE_LONG, -1)),
    ("0600001391", Data(T.DOUBLE_LONG_UNSIGNED, 5009)),
    ("09060100202000FF", Data(T.OCTET_STRING, bytes.fromhex("0100202000FF"))),
    ("0900", Data(T.OCTET_STRING, b"")),
    ("0A0E4B616D73747275705F5630303031", Data(T.VISIBLE_STRING, "Kamstrup_V0001")),
    ("0C03E282AC", Data(T.UTF8_STRING, "\u20ac")),
    ("0D99", Data(T.BCD, -103)),
    ("0F80", Data(T.INTEGER, -128)),
    ("10FFC4", Data(T.LONG, -60)),
    ("11FF", Data(T.UNSIGNED, 255)),
    ("12FFFF", Data(T.LONG_UNSIGNED, 0xFFFF)),
    ("14FFFFFFFFFFFFFFFF", Data(T.LONG64, -1)),
    ("15FFFFFFFFFFFFFFFF", Data(T.LONG64_UNSIGNED, (1 << 64) - 1)),
    ("1603", Data(T.ENUM, 3)),
    ("173F800000", Data(T.FLOAT32, 1.0)),
    ("18BFF0000000000000", Data(T.FLOAT64, -1.0)),
    ("1907E50118FF0E303950FFC400",
     Data(T.DATE_TIME, CosemDateTime(2021, 1, 24, 0xFF, 14, 48, 57, 80, -60, 0x00))),
    ("19FFFFFFFFFFFFFFFFFF8000FF", Data(T.DATE_TIME, CosemDateTime())),
    ("1A07E50118FF", Data(T.DATE, CosemDate(2021, 1, 24, 0xFF))),
    ("1B0E3039FF", Data(T.TIME, CosemTime(14, 48, 57, 0xFF))),
    ("FF", Data(T.DONT_CARE)),
    ("0200", Data(T.STRUCTURE, ())),
    ("0102020211051200010202110612 0002".replace(" ", ""), Data(T.ARRAY, (
        Data(T.STRUCTURE, (Data(T.UNSIGNED, 5), Data(T.LONG_UNSIGNED, 1))),
        Data(T.STRUCTURE, (Data(T.UNSIGNED, 6), Data(T.LONG_UNSIGNED, 2))),
    ))),
    ("130202061 20C1C35F9008F0C1C3602FD8F1C".replace(" ", ""), Data(T.COMPACT_ARRAY, CompactArray(
        TypeDescription(T.STRUCTURE, (TypeDescription(T.DOUBLE_LONG_UNSIGNED),
                                      TypeDescription(T.LONG_UNSIGNED))),
        (Data(T.STRUCTURE, (Data(T.DOUBLE_LONG_UNSIGNED, 0x1C35F900), Data(T.LONG_UNSIGNED, 0x8F0C))),
         Data(T.STRUCTURE, (Data(T.DOUBLE_LONG_UNSIGNED, 0x1C3602FD), Data(T.LONG_UNSIGNED, 0x8F1C)))),
    ))),
    ("1301000211080102030405060708", Data(T.COMPACT_ARRAY, CompactArray(
        TypeDescription(T.ARRAY, (TypeDescription(T.UNSIGNED),), 2),
        (Data(T.ARRAY, (Data(T.UNSIGNED, 1), Data(T.UNSIGNED, 2))),
         Data(T.ARRAY, (Data(T.UNSIGNED, 3), Data(T.UNSIGNED, 4))),
         Data(T.ARRAY, (Data(T.UNSIGNED, 5), Data(T.UNSIGNED, 6))),
         Data(T.ARRAY, (Data(T.UNSIGNED, 7), Data(T.UNSIGNED, 8)))),
    ))),
    ("130900", Data(T.COMPACT_ARRAY, CompactArray(TypeDescription(T.OCTET_STRING)))),
]


@pytest.mark.parametrize(("encoding", "expected"), GOLDEN, ids=[v.type.name for _, v in GOLDEN])
def test_golden_data_round_trip(round_trip_data, encoding, expected):
    round_trip_data(encoding, expected)


def test_every_data_type_has_a_golden_vector():
    covered = {value.type for _, value in GOLDEN}
    assert covered == set(DataType)


@pytest.mark.parametrize("size", [0x7F, 0x80, 0xFF, 0x100, 0x10000])
def test_octet_string_length_forms(round_trip_data, size):
    if size < 0x80:
        prefix = f"{size:02X}"
    elif size <= 0xFF:
        prefix = f"81{size:02X}"
    elif size <= 0xFFFF:
        prefix = f"82{size:04X}"
    else:
        prefix = f"83{size:06X}"
    item = round_trip_data("09" + prefix + "AB" * size)
    assert item == Data(T.OCTET_STRING, b"\xab" * size)


def test_array_count_long_form(round_trip_data):
    item = round_trip_data("018180" + "1100" * 0x80)
    assert len(item.value) == 0x80


def test_needless_long_form_rebuilds_exactly():
    item = parse_data(bytes.fromhex("09810201FF"))
    assert item == Data(T.OCTET_STRING, b"\x01\xff")
    assert item.length_form == 1
    assert build_data(item) == bytes.fromhex("09810201FF")
    assert build_data(Data(T.OCTET_STRING, b"\x01\xff")) == bytes.fromhex("090201FF")


@pytest.mark.parametrize("encoding", [
    "0981050102030405",  # octet-string, 1 length octet where none is needed
    "0A8300000141",  # visible-string, 3 length octets
    "0C840000000141",  # utf8-string, 4 length octets
    "0481081F",  # bit-string
    "0182000211011102",  # array count
    "0281011100",  # structure count
    "010202810002810211011102",  # structures with long counts, nested in an array
    "13028102111181020102",  # compact-array: structure count and contents length
    "130981068101AA8101BB",  # compact-array of octet-strings, each with a long form
    "01820080" + "1100" * 0x80,  # a count of 0x80 needs 1 length octet, not 2
])
def test_long_forms_round_trip(encoding):
    data = bytes.fromhex(encoding)
    assert build_data(parse_data(data)) == data


def test_shortest_long_form_is_not_recorded():
    item = parse_data(bytes.fromhex("0181" + "80" + "1100" * 0x80))
    assert item.length_form is None
    assert type(item) is Data


def test_long_form_is_ignored_by_equality():
    long_form = parse_data(bytes.fromhex("0981050102030405"))
    short_form = parse_data(bytes.fromhex("09050102030405"))
    assert long_form == short_form
    assert hash(long_form) == hash(short_form)
    assert long_form.with_length_form(None).length_form is None
    assert build_data(long_form.with_length_form(None)) == bytes.fromhex("09050102030405")
    assert build_data(short_form.with_length_form(2)) == bytes.fromhex("098200050102030405")


def test_length_form_too_short_is_rejected():
    item = Data(T.OCTET_STRING, b"\x00" * 0x100).with_length_form(1)
    with pytest.raises(CodecError, match="does not fit"):
        build_data(item)


def test_length_form_needs_a_length():
    with pytest.raises(CodecError, match="no length after its tag"):
        Data(T.UNSIGNED, 1).with_length_form(1)


@given(dlms_data_with_length_forms())
def test_generated_long_forms_rebuild_exactly(item):
    data = build_data(item)
    parsed = parse_data(data)
    assert parsed == item
    assert build_data(parsed) == data


def test_nan_keeps_its_payload():
    data = bytes.fromhex("177FC00001")
    item = parse_data(data)
    assert item.value == bytes.fromhex("7FC00001")
    assert build_data(item) == data


def test_float_values():
    assert parse_data(bytes.fromhex("17FF800000")).value == -math.inf
    assert math.copysign(1.0, parse_data(bytes.fromhex("1780000000")).value) == -1.0


def test_date_time_keeps_unspecified_fields_and_status():
    value = parse_data(bytes.fromhex("1907E60C1C03170100FF800000")).value
    assert value.hundredths == 0xFF
    assert value.deviation == -0x8000
    assert value.clock_status == 0x00
    assert value.to_bytes() == bytes.fromhex("07E60C1C03170100FF800000")


def test_date_time_converts_to_datetime():
    value = CosemDateTime(2021, 1, 24, 7, 14, 48, 57, 80, -60, 0)
    converted = value.to_datetime()
    assert converted == dt.datetime(2021, 1, 24, 14, 48, 57, 800_000,
                                    tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert CosemDateTime.from_datetime(converted) == value


def test_date_time_without_date_does_not_convert():
    with pytest.raises(ValueError):
        CosemDateTime().to_datetime()


def test_date_and_time_convert():
    assert CosemDate.from_date(dt.date(2024, 2, 29)).to_date() == dt.date(2024, 2, 29)
    assert CosemTime(23, 59, 58, 0xFF).to_time() == dt.time(23, 59, 58)


def test_bit_string_bits():
    assert BitString.from_bits("1100000001").octets == b"\xc0\x40"
    assert BitString(10, b"\xc0\x40").bits() == "1100000001"


# --- errors -------------------------------------------------------------------------------------

def test_unknown_tag_names_path_and_offset():
    with pytest.raises(CodecError) as caught:
        parse_data(bytes.fromhex("020211050700"))
    error = caught.value
    assert error.path == ("data", "structure[1]", "data")
    assert error.offset == 4
    assert "unknown data type tag 7" in str(error)
    assert "(bytes: 02 02 11 05 | 07 00)" in str(error)


def test_truncated_value_reports_expected_and_found():
    with pytest.raises(CodecError) as caught:
        parse_data(bytes.fromhex("01020600000001" + "0600"))
    assert caught.value.path == ("data", "array[1]", "double-long-unsigned")
    with pytest.raises(CodecError) as caught:
        parse_data(bytes.fromhex("060000"))
    assert caught.value.offset == 1
    assert "expected 4 octets, found 2" in str(caught.value)


def test_trailing_octets_are_an_error():
    with pytest.raises(CodecError, match="1 trailing octets"):
        parse_data(bytes.fromhex("110500"))


@pytest.mark.parametrize("encoding", ["0980", "0985FFFFFFFFFF", "0981", "098200"])
def test_invalid_length_forms(encoding):
    with pytest.raises(CodecError) as caught:
        parse_data(bytes.fromhex(encoding))
    assert caught.value.path[:2] == ("data", "octet-string")


def test_nesting_limit():
    with pytest.raises(CodecError, match="nested deeper"):
        parse_data(bytes.fromhex("0101" * (MAX_NESTING + 5) + "00"))
    nested = Data(T.NULL_DATA)
    for _ in range(MAX_NESTING + 1):
        nested = Data(T.ARRAY, (nested,))
    with pytest.raises(CodecError, match="nested deeper"):
        build_data(nested)


def test_compact_array_contents_must_fill_whole_elements():
    with pytest.raises(CodecError) as caught:
        parse_data(bytes.fromhex("13120300010A"))
    assert caught.value.path[:2] == ("data", "compact-array[1]")


def test_compact_array_of_empty_elements_with_contents_is_rejected():
    with pytest.raises(CodecError, match="take no octets"):
        parse_data(bytes.fromhex("13000100"))
    with pytest.raises(CodecError, match="takes no octets"):
        build_data(Data(T.COMPACT_ARRAY, CompactArray(TypeDescription(T.NULL_DATA),
                                                      (Data(T.NULL_DATA),))))


def test_compact_array_element_must_match_description():
    value = CompactArray(TypeDescription(T.UNSIGNED), (Data(T.LONG_UNSIGNED, 1),))
    with pytest.raises(CodecError, match="does not match the description"):
        build_data(Data(T.COMPACT_ARRAY, value))


def test_compact_array_description_rejects_compact_array():
    with pytest.raises(CodecError, match="invalid type tag 19"):
        parse_data(bytes.fromhex("131300"))


@pytest.mark.parametrize(("item", "path"), [
    (Data(T.UNSIGNED, 256), ("unsigned",)),
    (Data(T.OCTET_STRING, "text"), ("octet-string",)),
    (Data(T.STRUCTURE, (Data(T.LONG, 1 << 20),)), ("structure[0]", "long")),
    (Data(T.VISIBLE_STRING, "\u20ac"), ("visible-string",)),
    (Data(T.DATE_TIME, b"\x00" * 12), ("date-time",)),
    (Data(T.FLOAT32, b"\x00"), ("float32",)),
    (("nonsense",), ("data",)),
])
def test_build_errors_name_the_field(item, path):
    with pytest.raises(CodecError) as caught:
        build_data(item)
    assert caught.value.path == path


def test_decode_data_reports_end_position():
    item, end = decode_data(bytes.fromhex("AA11050000"), 1)
    assert item == Data(T.UNSIGNED, 5)
    assert end == 3


# --- properties ---------------------------------------------------------------------------------

@given(dlms_data())
def test_build_then_parse_gives_the_value(item):
    assert parse_data(build_data(item)) == item


@given(dlms_data())
def test_parse_then_build_gives_the_bytes(item):
    encoded = build_data(item)
    assert build_data(parse_data(encoded)) == encoded


@given(dlms_data())
@settings(max_examples=100)
def test_every_proper_prefix_is_truncated(item):
    encoded = build_data(item)
    for end in range(len(encoded)):
        with pytest.raises(CodecError):
            parse_data(encoded[:end])


@given(st.binary(max_size=64))
def test_random_bytes_give_a_value_or_codec_error(data):
    try:
        item = parse_data(data)
    except CodecError as exc:
        assert str(exc)
        return
    assert parse_data(build_data(item)) == item
