"""zigpy as an independent decoder: it reads what commshub writes to the same values.

Covered where both libraries declare the format: the ZCL header, every global command, the OTA
Upgrade commands, the attribute tables of Basic, Identify, Time, OTA and Metering, and OTA
files. zigpy has no Smart Energy command schemas, so those clusters are checked elsewhere.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import zigpy.ota.image as zigpy_ota
import zigpy.types as zt
import zigpy.zcl.foundation as zf
from hypothesis import assume, given
from hypothesis import strategies as st
from zigpy.zcl.clusters.general import Basic, Identify, Ota, Time
from zigpy.zcl.clusters.smartenergy import Metering

from commshub.codecs.common import build, parse
from commshub.codecs.strategies.zcl import (
    ota_files,
    zcl_global_frames,
    zcl_payloads,
    zcl_type_values,
)
from commshub.codecs.zigbee import ota
from commshub.codecs.zigbee.zcl import DataType, ZclText, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import general, metering
from commshub.codecs.zigbee.zcl.clusters import ota as ota_cluster
from commshub.codecs.zigbee.zcl.types import VALUE, TypeValue

_COLLECTIONS = {DataType.ARRAY, DataType.STRUCTURE, DataType.SET, DataType.BAG}
# Read and write attributes structured, and the response: zigpy models the selector differently.
_STRUCTURED_COMMANDS = {0x0E, 0x0F, 0x10}
# Element types zigpy cannot read inside an array, set or bag (it has no size for them).
_ZIGPY_UNSUPPORTED_ELEMENTS = {DataType.NO_DATA, DataType.UNKNOWN, *_COLLECTIONS}
# Twice the smallest positive normal IEEE 754 number of each float width: below these zigpy 2.4
# decodes floats wrongly.
_ZIGPY_FLOAT_LIMITS = {DataType.SEMI_FLOAT: 2.0 ** -13, DataType.SINGLE_FLOAT: 2.0 ** -125,
                       DataType.DOUBLE_FLOAT: 2.0 ** -1021}


def same_value(type_id: int, ours: Any, theirs: Any) -> bool:
    """Compare a value decoded by commshub with the one zigpy decoded from the same bytes."""
    if type_id in (DataType.NO_DATA, DataType.UNKNOWN):
        return True
    if type_id == DataType.BOOLEAN:
        return int(theirs) == (0xFF if ours is None else int(ours))
    if type_id in (DataType.CHARACTER_STRING, DataType.LONG_CHARACTER_STRING):
        if ours is None:
            return bool(theirs.invalid)
        return str(ours) == str(theirs) and ours.raw == theirs.raw
    if type_id in (DataType.SEMI_FLOAT, DataType.SINGLE_FLOAT, DataType.DOUBLE_FLOAT):
        return float(ours) == float(theirs) or (math.isnan(ours) and math.isnan(theirs))
    if type_id == DataType.IEEE_ADDRESS:
        return ours == int.from_bytes(theirs.serialize(), "little")
    if type_id in (DataType.TIME_OF_DAY, DataType.DATE):
        return bytes(v for k, v in ours.items() if not k.startswith("_")) == theirs.serialize()
    if type_id in (DataType.ARRAY, DataType.SET, DataType.BAG):
        elements = list(theirs.value)
        return theirs.type == ours.element_type and len(elements) == len(ours.elements) and all(
            same_value(ours.element_type, mine, other) for mine, other in zip(ours.elements, elements, strict=True))
    if type_id == DataType.STRUCTURE:
        return len(theirs) == len(ours) and all(
            member.type == other.type and same_value(member.type, member.value, other.value)
            for member, other in zip(ours, theirs, strict=True))
    if type_id in range(DataType.DATA8, DataType.DATA64 + 1):
        return bytes(theirs) == ours
    if type_id == DataType.SECURITY_KEY:
        return theirs.serialize() == ours
    if isinstance(ours, bytes):
        return ours == bytes(theirs)
    return int(ours) == int(theirs)


def zigpy_decode(data: bytes) -> tuple[Any, Any, bytes]:
    header, rest = zf.ZCLHeader.deserialize(data)
    payload, remaining = zf.GENERAL_COMMANDS[header.command_id].schema.deserialize(rest)
    return header, payload, remaining


def check_header(frame: Any, header: Any) -> None:
    control = header.frame_control
    assert control.frame_type == frame.frame_type
    assert bool(control.is_manufacturer_specific) == (frame.manufacturer_code is not None)
    assert control.direction == frame.direction
    assert bool(control.disable_default_response) == frame.disable_default_response
    assert header.manufacturer == frame.manufacturer_code
    assert (header.tsn, header.command_id) == (frame.tsn, frame.command_id)


def _tiny_float(type_id: Any, value: Any) -> bool:
    limit = _ZIGPY_FLOAT_LIMITS.get(type_id)
    return limit is not None and isinstance(value, float) and 0 < abs(value) < limit


def _zigpy_friendly(value: Any) -> bool:
    # Values zigpy 2.4 cannot read the way ZCL defines them are left out:
    # - an octet string of length 0xFF (it reads 255 bytes) and a long string of length 0xFFFF
    #   (it fails), where ZCL means "invalid"; it applies that rule to short character strings only;
    # - subnormal floats and the smallest normal double (half 02 00 gives 4.3e-311, not 1.19e-07);
    # - collections of collections or of no-data elements;
    # - reporting directions other than 0 and 1 (it reads them as 1).
    def walk(value: Any) -> bool:
        if isinstance(value, dict):
            if value.get("direction") not in (None, 0, 1):
                return False
            invalid_strings = (DataType.OCTET_STRING, DataType.LONG_OCTET_STRING, DataType.LONG_CHARACTER_STRING)
            if value.get("type") in invalid_strings and value.get("value") is None:
                return False
            if value.get("type") in _COLLECTIONS and value.get("value") is None:
                return False
            if value.get("element_type") in _ZIGPY_UNSUPPORTED_ELEMENTS or value.get("elements", ()) is None:
                return False
            if value.get("element_type") in invalid_strings and None in value.get("elements", ()):
                return False
            if _tiny_float(value.get("type"), value.get("value")):
                return False
            element_type = value.get("element_type")
            if any(_tiny_float(element_type, element) for element in value.get("elements") or ()):
                return False
            return all(walk(v) for v in value.values())
        if isinstance(value, list):
            return all(walk(v) for v in value)
        return True

    return walk(value)


@given(zcl_global_frames())
def test_zigpy_reads_our_global_commands(frame):
    assume(frame.command_id not in _STRUCTURED_COMMANDS and _zigpy_friendly(dict(frame.payload)))
    data = build_zcl(frame)
    decoded = parse_zcl(data, frame.cluster_id)
    header, payload, remaining = zigpy_decode(data)
    check_header(frame, header)
    assert remaining == b""
    _compare_payload(frame.command_id, decoded.payload, payload)


def _compare_records(ours: list[Any], theirs: list[Any], fields: dict[str, str]) -> None:
    assert len(ours) == len(theirs)
    for our_record, their_record in zip(ours, theirs, strict=True):
        for our_name, their_name in fields.items():
            assert our_record[our_name] == getattr(their_record, their_name)


def _compare_type_value(our_type: int, our_value: Any, theirs: Any) -> None:
    assert theirs.type == our_type
    assert same_value(our_type, our_value, theirs.value)


def _serialise(type_id: int, value: Any) -> bytes:
    return build(VALUE[type_id], value, root="value")


def _compare_payload(command_id: int, ours: Any, theirs: Any) -> None:
    if command_id == 0x00:
        assert list(theirs.attribute_ids) == ours["attribute_ids"]
    elif command_id == 0x01:
        assert len(theirs.status_records) == len(ours["records"])
        for record, their in zip(ours["records"], theirs.status_records, strict=True):
            assert (their.attrid, their.status) == (record.attribute_id, record.status)
            if record.status == 0:
                _compare_type_value(record.type, record.value, their.value)
    elif command_id in (0x02, 0x03, 0x05, 0x0A):
        records = theirs.attributes if command_id != 0x0A else theirs.attribute_reports
        assert len(records) == len(ours["records"])
        for record, their in zip(ours["records"], records, strict=True):
            assert their.attrid == record.attribute_id
            _compare_type_value(record.type, record.value, their.value)
    elif command_id in (0x04, 0x07):
        assert [r.status for r in theirs.status_records] == [r["status"] for r in ours["records"]]
        lone = len(ours["records"]) == 1 and ours["records"][0]["attribute_id"] is None
        if not lone:
            assert [r.attrid for r in theirs.status_records] == [r["attribute_id"] for r in ours["records"]]
    elif command_id == 0x06:
        assert len(theirs.config_records) == len(ours["records"])
        for record, their in zip(ours["records"], theirs.config_records, strict=True):
            assert (their.direction, their.attrid) == (record.direction, record.attribute_id)
            if record.direction == 0:
                assert (their.datatype, their.min_interval, their.max_interval) == (
                    record.type, record.minimum_interval, record.maximum_interval)
            elif record.direction == 1:
                assert their.timeout == record.timeout
    elif command_id == 0x08:
        assert [(r.direction, r.attrid) for r in theirs.attribute_records] == [
            (r.direction, r.attribute_id) for r in ours["records"]]
    elif command_id == 0x09:
        assert len(theirs.attribute_configs) == len(ours["records"])
        for record, their in zip(ours["records"], theirs.attribute_configs, strict=True):
            assert (their.status, their.config.direction, their.config.attrid) == (
                record.status, record.direction, record.attribute_id)
    elif command_id == 0x0B:
        assert (theirs.command_id, theirs.status) == (ours["command_id"], ours["status"])
    elif command_id in (0x0C, 0x15):
        assert (theirs.start_attribute_id, theirs.max_attribute_ids) == (
            ours["start_attribute_id"], ours["maximum_attribute_ids"])
    elif command_id in (0x0D, 0x16):
        infos = theirs.attribute_info if command_id == 0x0D else theirs.extended_attr_info
        assert [(i.attrid, i.datatype) for i in infos] == [(r.attribute_id, r.type) for r in ours["records"]]
    elif command_id in (0x11, 0x13):
        assert (theirs.start_command_id, theirs.max_command_ids) == (
            ours["start_command_id"], ours["maximum_command_ids"])
    elif command_id in (0x12, 0x14):
        assert list(theirs.command_ids) == ours["command_ids"]


@given(zcl_type_values())
def test_zigpy_reads_our_typed_values(record):
    assume(_zigpy_friendly(record))
    data = bytes([record["type"]]) + _serialise(record["type"], record["value"])
    ours = parse(TypeValue, data, root="type_value")
    theirs, rest = zf.TypeValue.deserialize(data)
    assert rest == b""
    _compare_type_value(ours.type, ours.value, theirs)


# OTA Upgrade commands: zigpy declares their schemas (zigpy.zcl.clusters.general.Ota).
_OTA_COMMANDS = [
    (ota_cluster.IMAGE_NOTIFY, Ota.ClientCommandDefs.image_notify),
    (ota_cluster.QUERY_NEXT_IMAGE_REQUEST, Ota.ServerCommandDefs.query_next_image),
    (ota_cluster.QUERY_NEXT_IMAGE_RESPONSE, Ota.ClientCommandDefs.query_next_image_response),
    (ota_cluster.IMAGE_BLOCK_REQUEST, Ota.ServerCommandDefs.image_block),
    (ota_cluster.IMAGE_PAGE_REQUEST, Ota.ServerCommandDefs.image_page),
    (ota_cluster.IMAGE_BLOCK_RESPONSE, Ota.ClientCommandDefs.image_block_response),
    (ota_cluster.UPGRADE_END_REQUEST, Ota.ServerCommandDefs.upgrade_end),
    (ota_cluster.UPGRADE_END_RESPONSE, Ota.ClientCommandDefs.upgrade_end_response),
    (ota_cluster.QUERY_DEVICE_SPECIFIC_FILE_REQUEST, Ota.ServerCommandDefs.query_specific_file),
    (ota_cluster.QUERY_DEVICE_SPECIFIC_FILE_RESPONSE, Ota.ClientCommandDefs.query_specific_file_response),
]
# zigpy field names that differ from commshub's.
_OTA_NAMES = {
    "current_file_version": "current_file_version", "request_node_address": "request_node_addr",
    "maximum_data_size": "maximum_data_size", "zigbee_stack_version": "current_zigbee_stack_version",
}


@pytest.mark.parametrize(("ours", "theirs"), _OTA_COMMANDS, ids=[c.name for c, _ in _OTA_COMMANDS])
@given(data=st.data())
def test_zigpy_reads_our_ota_commands(ours, theirs, data):
    # zigpy reads payload types 0..3 of Image Notify. For Image Block Response it reads the
    # statuses SUCCESS, ABORT and WAIT_FOR_DATA, the last with the minimum block period present.
    overrides = {}
    if ours is ota_cluster.IMAGE_NOTIFY:
        overrides["payload_type"] = st.integers(0, 3)
    if ours is ota_cluster.IMAGE_BLOCK_RESPONSE:
        overrides["status"] = st.sampled_from([0x00, 0x95, 0x97])
    fields = data.draw(zcl_payloads(ours, **overrides))
    if ours is ota_cluster.IMAGE_BLOCK_RESPONSE:
        assume(fields["status"] != 0x97 or fields["minimum_block_period"] is not None)
    frame = ours.frame(tsn=data.draw(st.integers(0, 255)), **fields)
    wire = build_zcl(frame)
    assert theirs.id == ours.id
    payload, rest = theirs.schema.deserialize(wire[3:])
    assert rest == b""
    decoded = parse_zcl(wire, ota_cluster.OTA_UPGRADE.id).payload
    for name, value in decoded.items():
        if name.startswith("_") or value is None:
            continue
        their_name = _OTA_NAMES.get(name, name)
        assert their_name in [field.name for field in theirs.schema.fields], their_name
        their_value = getattr(payload, their_name)
        if name == "request_node_address":
            their_value = int.from_bytes(their_value.serialize(), "little")
        assert their_value == value, name


# Metering formatting attributes are 8-bit bitmaps in Smart Energy 1.4: the Silicon Labs mirror
# plugin writes MeteringDeviceType as ZCL_BITMAP8_ATTRIBUTE_TYPE, and BitCloud's metering header
# types it "8 bit Bitmap". zigpy 2.4 declares them uint8, and MeteringDeviceType enum8.
_ZIGPY_TYPE_DIFFERENCES = {
    (0x0702, attribute_id) for attribute_id in (0x0303, 0x0304, 0x0305, 0x0306, 0x030A, 0x030B, 0x030D,
                                                0x0313, 0x0314)
}


@pytest.mark.parametrize(("ours", "theirs"), [
    (general.BASIC, Basic), (general.IDENTIFY, Identify), (general.TIME, Time),
    (metering.METERING, Metering),
])
def test_attribute_tables_agree_with_zigpy(ours, theirs):
    compared = 0
    for attribute in theirs.AttributeDefs:
        if attribute.id >= 0xFFFD or attribute.id not in ours.attributes:
            continue
        if (ours.id, attribute.id) in _ZIGPY_TYPE_DIFFERENCES:
            assert ours.attributes[attribute.id].type == DataType.BITMAP8
            continue
        our_type = ours.attributes[attribute.id].type
        zigpy_type = zf.DataType.from_python_type(attribute.type).type_id
        assert our_type == zigpy_type, f"{attribute.name} 0x{attribute.id:04X}"
        compared += 1
    assert compared >= min(len(ours.attributes) - 2, 5)


def test_ota_client_attribute_table_agrees_with_zigpy():
    for attribute in Ota.AttributeDefs:
        if attribute.id in ota_cluster.OTA_UPGRADE.client_attributes:
            ours = ota_cluster.OTA_UPGRADE.client_attributes[attribute.id].type
            assert ours == zf.DataType.from_python_type(attribute.type).type_id, attribute.name


@given(ota_files())
def test_zigpy_reads_our_ota_files(data):
    ours = ota.read_ota_file(data)
    image, rest = zigpy_ota.OTAImage.deserialize(data)
    assert rest == b""
    header = image.header
    assert (header.manufacturer_id, header.image_type, header.file_version) == (
        ours.header.manufacturer_code, ours.header.image_type, ours.header.file_version)
    assert (header.header_length, header.field_control, header.image_size) == (
        ours.header.header_length, ours.header.field_control, ours.header.total_image_size)
    assert header.stack_version == ours.header.zigbee_stack_version
    assert header.header_string.serialize() == ours.header.header_string.raw
    assert header.security_credential_version == ours.header.security_credential_version
    if ours.header.upgrade_file_destination is not None:
        assert int.from_bytes(header.upgrade_file_destination.serialize(), "little") == \
            ours.header.upgrade_file_destination
    if ours.header.minimum_hardware_version is not None:
        assert int(header.minimum_hardware_version) == ours.header.minimum_hardware_version
        assert int(header.maximum_hardware_version) == ours.header.maximum_hardware_version
    assert [(int(e.tag_id), bytes(e.data)) for e in image.subelements] == [
        (e.tag, e.data) for e in ours.elements or ()]


def test_zigpy_reads_our_gbcs_header():
    from cryptography.hazmat.primitives.asymmetric import ec

    data = ota.build_gbcs_ota_file(b"image", manufacturer_code=0x1234, image_type=1, file_version=2,
                                   private_key=ec.generate_private_key(ec.SECP256R1()))
    header, rest = zigpy_ota.OTAImageHeader.deserialize(data)
    assert header.header_length == 60
    assert header.hardware_versions_present
    assert (int(header.minimum_hardware_version), int(header.maximum_hardware_version)) == (0, 0xFFFF)
    assert header.image_size == len(data)
    assert len(rest) == len(b"image") + 66


def test_zcl_text_is_what_zigpy_reads():
    raw = b"Stelpro\x00\x7f\x80"
    theirs, _ = zt.CharacterString.deserialize(bytes([len(raw)]) + raw)
    assert ZclText(raw) == str(theirs)
