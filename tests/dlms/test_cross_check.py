"""Cross-checks: dlms-cosem (25.x) and gurux_dlms (1.0.x) decode what we build to the same values,
on the subset of types and APDUs each of them supports.

dlms-cosem does not decode bit-string, utf8-string, bcd, float32/64 or compact-array; gurux's
translator fails on date and compact-array. Its XML output names each type and gives the value
in hex, which the checks below compare field by field.
"""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.dlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestSet,
    ActionRequestNormal,
    ActionResponseNormal,
    AttributeDescriptor,
    BitString,
    CosemDate,
    CosemDateTime,
    CosemTime,
    Data,
    DataNotification,
    DataType,
    GetRequestNormal,
    GetResponseNormal,
    MethodDescriptor,
    SetRequestNormal,
    build_apdu,
    build_data,
)

T = DataType

dlms_data = __import__("dlms_cosem.dlms_data", fromlist=["DlmsDataParser"])
dlms_connection = __import__("dlms_cosem.connection", fromlist=["XDlmsApduFactory"])
gurux_translator = __import__("gurux_dlms.GXDLMSTranslator", fromlist=["GXDLMSTranslator"])
gurux_buffer = __import__("gurux_dlms.GXByteBuffer", fromlist=["GXByteBuffer"])
gurux_enums = __import__("gurux_dlms.enums", fromlist=["TranslatorOutputType"])

_TRANSLATOR = gurux_translator.GXDLMSTranslator(gurux_enums.TranslatorOutputType.SIMPLE_XML)

# --- strategies for the shared subset -----------------------------------------------------------

_WORD = st.text(st.characters(min_codepoint=0x30, max_codepoint=0x7A,
                              whitelist_categories=("Lu", "Ll", "Nd")), max_size=12)
_VALID_DATE_TIMES = st.builds(
    lambda moment, deviation, status: CosemDateTime(
        moment.year, moment.month, moment.day, moment.isoweekday(), moment.hour, moment.minute,
        moment.second, moment.microsecond // 10_000, deviation, status),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    st.one_of(st.just(-0x8000), st.integers(-720, 720)), st.integers(0, 0xFF))
_COMMON_SCALARS = {
    T.NULL_DATA: st.none(),
    T.BOOLEAN: st.booleans(),
    T.DOUBLE_LONG: st.integers(-(1 << 31), (1 << 31) - 1),
    T.DOUBLE_LONG_UNSIGNED: st.integers(0, (1 << 32) - 1),
    T.OCTET_STRING: st.binary(max_size=20),
    T.VISIBLE_STRING: _WORD,
    T.INTEGER: st.integers(-128, 127),
    T.LONG: st.integers(-0x8000, 0x7FFF),
    T.UNSIGNED: st.integers(0, 0xFF),
    T.LONG_UNSIGNED: st.integers(0, 0xFFFF),
    T.LONG64: st.integers(-(1 << 63), (1 << 63) - 1),
    T.LONG64_UNSIGNED: st.integers(0, (1 << 64) - 1),
    T.ENUM: st.integers(0, 0xFF),
    T.DATE_TIME: _VALID_DATE_TIMES,
    T.TIME: st.builds(CosemTime, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
                      st.one_of(st.just(0xFF), st.integers(0, 99))),
}
_DLMS_COSEM_ONLY = {
    T.DATE: st.dates(min_value=dt.date(2000, 1, 1)).map(CosemDate.from_date),
}
_GURUX_ONLY = {
    T.BIT_STRING: st.integers(0, 40).flatmap(lambda bits: st.binary(
        min_size=(bits + 7) // 8, max_size=(bits + 7) // 8).map(lambda octets: BitString(bits, octets))),
    # gurux shows ASCII text as is and other text in hex; the check keeps to ASCII words.
    T.UTF8_STRING: _WORD,
    T.BCD: st.integers(-128, 127),
    T.FLOAT32: st.floats(width=32, allow_nan=False),
    T.FLOAT64: st.floats(allow_nan=False),
}


def _data(scalars: dict[DataType, st.SearchStrategy[Any]]) -> st.SearchStrategy[Data]:
    leaves = st.one_of([values.map(lambda value, kind=kind: Data(kind, value))
                        for kind, values in scalars.items()])
    return st.recursive(leaves, lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: Data(T.ARRAY, tuple(items))),
        st.lists(children, max_size=4).map(lambda items: Data(T.STRUCTURE, tuple(items)))),
        max_leaves=10)


DLMS_COSEM_DATA = _data({**_COMMON_SCALARS, **_DLMS_COSEM_ONLY})
GURUX_DATA = _data({**_COMMON_SCALARS, **_GURUX_ONLY})

# --- dlms-cosem ---------------------------------------------------------------------------------


def _ours_as_dlms_cosem(item: Data) -> Any:
    kind, value = item
    if kind in (T.ARRAY, T.STRUCTURE):
        return (int(kind), [_ours_as_dlms_cosem(element) for element in value])
    if kind == T.DATE_TIME:
        moment = value.to_datetime()
        # dlms-cosem 25.1 (dlms_cosem/time.py utc_offset_minutes) treats a deviation of 0 as
        # absent and returns a naive datetime; the deviation 0 is UTC, which ours keeps.
        return (int(kind), moment.replace(tzinfo=None) if value.deviation == 0 else moment)
    if kind == T.DATE:
        return (int(kind), value.to_date())
    if kind == T.TIME:
        return (int(kind), value.to_time().replace(microsecond=0)
                if value.hundredths == 0xFF else value.to_time())
    return (int(kind), value)


def _dlms_cosem_value(obj: Any) -> Any:
    value = obj.value
    if obj.TAG in (T.ARRAY, T.STRUCTURE):
        return (obj.TAG, [_dlms_cosem_value(element) for element in value])
    if obj.TAG == T.DATE_TIME:
        return (obj.TAG, value[0])
    if isinstance(value, bytearray):
        return (obj.TAG, bytes(value))
    return (obj.TAG, value)


@given(DLMS_COSEM_DATA)
@settings(max_examples=150)
def test_dlms_cosem_decodes_our_data(item):
    parsed = dlms_data.DlmsDataParser().parse(build_data(item))
    assert len(parsed) == 1
    assert _dlms_cosem_value(parsed[0]) == _ours_as_dlms_cosem(item)


_CLASSES = st.sampled_from([1, 3, 4, 7, 8, 15, 18, 64, 70])
_OBIS = st.binary(min_size=6, max_size=6)
_IIP = st.integers(0, 0x0F).map(lambda invoke: 0xC0 | invoke)


def _dlms_cosem_iip(value: Any) -> int:
    return int.from_bytes(value.to_bytes(), "big")


@given(_IIP, _CLASSES, _OBIS, st.integers(0, 127), DLMS_COSEM_DATA)
@settings(max_examples=80)
def test_dlms_cosem_decodes_our_get_and_set(iip, class_id, obis, attribute_id, value):
    descriptor = AttributeDescriptor(class_id, obis, attribute_id)
    get = dlms_connection.XDlmsApduFactory.apdu_from_bytes(build_apdu(
        GetRequestNormal(iip, descriptor)))
    assert _dlms_cosem_iip(get.invoke_id_and_priority) == iip
    assert get.cosem_attribute.interface == class_id
    assert get.cosem_attribute.instance.to_bytes() == obis
    assert get.cosem_attribute.attribute == attribute_id
    response = dlms_connection.XDlmsApduFactory.apdu_from_bytes(build_apdu(
        GetResponseNormal(iip, value)))
    assert bytes(response.data) == build_data(value)
    set_request = dlms_connection.XDlmsApduFactory.apdu_from_bytes(build_apdu(
        SetRequestNormal(iip, descriptor, None, value)))
    assert bytes(set_request.data) == build_data(value)
    assert set_request.cosem_attribute.instance.to_bytes() == obis


@given(_IIP, _CLASSES, _OBIS, st.integers(0, 127), st.one_of(st.none(), DLMS_COSEM_DATA))
@settings(max_examples=60)
def test_dlms_cosem_decodes_our_action(iip, class_id, obis, method_id, parameters):
    request = dlms_connection.XDlmsApduFactory.apdu_from_bytes(build_apdu(
        ActionRequestNormal(iip, MethodDescriptor(class_id, obis, method_id), parameters)))
    assert request.cosem_method.method == method_id
    assert request.cosem_method.instance.to_bytes() == obis
    expected = None if parameters is None else build_data(parameters)
    assert (None if request.data is None else bytes(request.data)) == expected
    response = dlms_connection.XDlmsApduFactory.apdu_from_bytes(build_apdu(
        ActionResponseNormal(iip, 0)))
    assert response.status == 0


@given(st.integers(0, 0x00FFFFFF), DLMS_COSEM_DATA)
@settings(max_examples=60)
def test_dlms_cosem_decodes_our_data_notification(invoke, body):
    apdu = dlms_connection.XDlmsApduFactory.apdu_from_bytes(build_apdu(
        DataNotification(invoke, None, body)))
    assert apdu.long_invoke_id_and_priority.long_invoke_id == invoke
    assert apdu.date_time is None
    assert bytes(apdu.body) == build_data(body)


# --- gurux --------------------------------------------------------------------------------------

_GURUX_NAMES = {
    T.DOUBLE_LONG: ("Int32", ">i"), T.DOUBLE_LONG_UNSIGNED: ("UInt32", ">I"),
    T.INTEGER: ("Int8", ">b"), T.LONG: ("Int16", ">h"), T.UNSIGNED: ("UInt8", ">B"),
    T.LONG_UNSIGNED: ("UInt16", ">H"), T.LONG64: ("Int64", ">q"),
    T.LONG64_UNSIGNED: ("UInt64", ">Q"), T.ENUM: ("Enum", ">B"), T.BCD: ("BCD", ">b"),
    T.FLOAT32: ("Float32", ">f"), T.FLOAT64: ("Float64", ">d"),
}


def _ours_as_gurux(item: Data) -> Any:
    kind, value = item
    if kind in (T.ARRAY, T.STRUCTURE):
        return ("Array" if kind == T.ARRAY else "Structure", f"{len(value):02X}",
                [_ours_as_gurux(element) for element in value])
    if kind == T.NULL_DATA:
        return ("None", None)
    if kind == T.BOOLEAN:
        return ("Boolean", "True" if value else "False")
    if kind == T.BIT_STRING:
        return ("BitString", value.bits())
    if kind == T.OCTET_STRING:
        return ("OctetString", value.hex().upper())
    if kind == T.VISIBLE_STRING:
        return ("String", value)
    if kind == T.UTF8_STRING:
        return ("StringUTF8", value)
    if kind in (T.DATE_TIME, T.TIME):
        return ("DateTime" if kind == T.DATE_TIME else "Time", value.to_bytes().hex().upper())
    name, layout = _GURUX_NAMES[kind]
    return (name, struct.pack(layout, value).hex().upper())


def _gurux_tree(element: ElementTree.Element) -> Any:
    if element.tag in ("Array", "Structure"):
        return (element.tag, element.get("Qty"), [_gurux_tree(child) for child in element])
    return (element.tag, element.get("Value"))


def _gurux_data(encoded: bytes) -> Any:
    xml = _TRANSLATOR.dataToXml(gurux_buffer.GXByteBuffer(encoded))
    return _gurux_tree(ElementTree.fromstring(xml))


@given(GURUX_DATA)
@settings(max_examples=150)
def test_gurux_decodes_our_data(item):
    assert _gurux_data(build_data(item)) == _ours_as_gurux(item)


def _gurux_pdu(encoded: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(_TRANSLATOR.pduToXml(encoded))


@given(_IIP, _CLASSES, _OBIS, st.integers(0, 127), GURUX_DATA)
@settings(max_examples=80)
def test_gurux_decodes_our_get_and_action(iip, class_id, obis, attribute_id, value):
    root = _gurux_pdu(build_apdu(GetRequestNormal(iip, AttributeDescriptor(class_id, obis,
                                                                           attribute_id))))
    assert root.find(".//InvokeIdAndPriority").get("Value") == f"{iip:02X}"
    assert root.find(".//ClassId").get("Value") == f"{class_id:04X}"
    assert root.find(".//InstanceId").get("Value") == obis.hex().upper()
    assert root.find(".//AttributeId").get("Value") == f"{attribute_id:02X}"
    response = _gurux_pdu(build_apdu(GetResponseNormal(iip, value)))
    data = list(response.find(".//Result/Data"))
    assert [_gurux_tree(child) for child in data] == [_ours_as_gurux(value)]
    action = _gurux_pdu(build_apdu(ActionRequestNormal(iip, MethodDescriptor(class_id, obis,
                                                                             attribute_id), value)))
    assert action.find(".//MethodId").get("Value") == f"{attribute_id:02X}"


@given(st.integers(0, 0xFFFFFFFF), _CLASSES, _OBIS, st.integers(0, 127))
@settings(max_examples=60)
def test_gurux_decodes_our_access_request(invoke, class_id, obis, member_id):
    apdu = AccessRequest(invoke, None, (
        AccessRequestGet(AttributeDescriptor(class_id, obis, member_id)),
        AccessRequestSet(AttributeDescriptor(class_id, obis, member_id)),
        AccessRequestAction(MethodDescriptor(class_id, obis, member_id)),
    ), (Data(T.NULL_DATA), Data(T.UNSIGNED, 7), Data(T.NULL_DATA)))
    root = _gurux_pdu(build_apdu(apdu))
    assert root.tag == "AccessRequest"
    assert root.find("LongInvokeIdAndPriority").get("Value") == f"{invoke:08X}"
    assert [element.get("Value") for element in root.iter("InstanceId")] == [obis.hex().upper()] * 3
    data = list(root.find(".//AccessRequestListOfData"))
    assert [_gurux_tree(child) for child in data] == [("None", None), ("UInt8", "07"),
                                                       ("None", None)]


@given(st.integers(0, 0xFFFFFFFF), _VALID_DATE_TIMES, GURUX_DATA)
@settings(max_examples=60)
def test_gurux_decodes_our_data_notification(invoke, moment, body):
    root = _gurux_pdu(build_apdu(DataNotification(invoke, moment, body)))
    assert root.find("LongInvokeIdAndPriority").get("Value") == f"{invoke:08X}"
    assert root.find("DateTime").get("Value") == moment.to_bytes().hex().upper()
    values = list(root.find(".//DataValue"))
    assert [_gurux_tree(child) for child in values] == [_ours_as_gurux(body)]
