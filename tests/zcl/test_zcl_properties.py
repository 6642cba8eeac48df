"""Round trips both ways, and random bytes give a value or a CodecError, for every codec here."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from commshub.codecs.strategies.zcl import (
    gbcs_upgrade_images,
    ota_files,
    ota_headers,
    zcl_commands,
    zcl_frames,
    zcl_payloads,
)
from commshub.codecs.zigbee import ota
from commshub.codecs.zigbee.zcl import CLUSTERS, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.key_establishment import parse_certificate
from commshub.errors import CodecError

_CLUSTER_IDS = st.sampled_from([*CLUSTERS, 0xFC00])


@given(zcl_frames())
def test_zcl_build_then_parse(frame):
    data = build_zcl(frame)
    decoded = parse_zcl(data, frame.cluster_id)
    assert build_zcl(decoded) == data
    if frame.manufacturer_code is None or decoded.is_raw == frame.is_raw:
        assert decoded == frame


@given(st.data())
def test_every_declared_command_round_trips(data):
    command = data.draw(zcl_commands())
    frame = command.frame(tsn=data.draw(st.integers(0, 255)), **data.draw(zcl_payloads(command)))
    assert parse_zcl(build_zcl(frame), command.cluster_id) == frame


@given(st.binary(max_size=64), _CLUSTER_IDS)
def test_random_zcl_bytes_decode_or_raise_codec_error(data, cluster_id):
    try:
        frame = parse_zcl(data, cluster_id)
    except CodecError as exc:
        assert str(exc)
        return
    assert build_zcl(frame) == data


@given(st.binary(min_size=3, max_size=40), _CLUSTER_IDS, st.integers(0, 0xFF))
def test_random_payloads_of_declared_commands(payload, cluster_id, command_id):
    # The frame control byte picks every frame type and direction; the payload is random.
    for control in (0x00, 0x01, 0x08, 0x09):
        data = bytes([control, 0x01, command_id]) + payload
        try:
            frame = parse_zcl(data, cluster_id)
        except CodecError:
            continue
        assert build_zcl(frame) == data


@given(ota_files())
def test_ota_file_round_trip(data):
    image = ota.read_ota_file(data)
    assert image.to_bytes() == data
    rebuilt = ota.build_ota_file(image.header, elements=image.elements)
    assert rebuilt == data


@given(ota_headers())
def test_ota_header_round_trip(header):
    data = header.to_bytes()
    assert ota.read_ota_header(data) == header


@given(gbcs_upgrade_images(), ota_headers())
def test_gbcs_body_round_trip(body, header):
    data = ota.build_ota_file(header, body=body.to_bytes())
    image = ota.read_ota_file(data, layout="gbcs")
    assert image.upgrade_image == body
    assert image.to_bytes() == data


@given(st.binary(max_size=200))
def test_random_ota_bytes_decode_or_raise_codec_error(data):
    for layout in ("auto", "gbcs"):
        try:
            image = ota.read_ota_file(data, layout=layout)
        except CodecError as exc:
            assert str(exc)
            continue
        assert image.to_bytes() == data


@given(st.binary(max_size=120).map(lambda tail: bytes.fromhex("1ef1ee0b") + tail))
def test_random_bytes_after_ota_identifier(data):
    try:
        image = ota.read_ota_file(data)
    except CodecError:
        return
    assert image.to_bytes() == data


@given(st.sampled_from([48, 74]).flatmap(lambda n: st.binary(min_size=n, max_size=n)) | st.binary(max_size=80))
def test_random_certificates(data):
    try:
        parse_certificate(data)
    except CodecError:
        assert len(data) not in (48, 74)
