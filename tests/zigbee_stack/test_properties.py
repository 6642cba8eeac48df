"""Property tests: round trips both ways, and random bytes give a value or a CodecError."""

from __future__ import annotations

from typing import Any

import pytest
from construct import Container
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.cli.layers import DecodeOptions
from commshub.codecs.strategies.zigbee_stack import (
    aps_frames,
    eui64s,
    mac_frames,
    nwk_frames,
    zigbee_beacon_payloads,
    zigbee_keys,
)
from commshub.codecs.zigbee import aps, mac, nwk
from commshub.codecs.zigbee.describe_stack import decode_aps, decode_mac, decode_nwk
from commshub.codecs.zigbee.install_code import parse_install_code
from commshub.errors import CodecError, UnsupportedError


@given(mac_frames())
def test_mac_value_round_trip(frame: Container) -> None:
    data = mac.build_mac_frame(frame)
    assert mac.parse_mac_frame(data) == frame
    assert mac.build_mac_frame(mac.parse_mac_frame(data)) == data


def _legacy_frame_problems(frame: Container) -> list[str]:
    """List what IEEE 802.15.4-2006 clause 7.2 forbids in a frame of version 2003 or 2006."""
    fc = frame.frame_control
    frame_type = int(fc.frame_type)
    dst = int(fc.destination_addressing_mode)
    src = int(fc.source_addressing_mode)
    problems = []
    if frame_type not in (0, 1, 2, 3):
        problems.append("reserved frame type")
    if 1 in (dst, src):
        problems.append("reserved addressing mode")
    if fc.pan_id_compression and (dst == 0 or src == 0):
        problems.append("PAN ID compression without both addresses")
    if fc.sequence_number_suppression or fc.ie_present:
        problems.append("bits reserved before 2015 set")
    if frame_type == 2 and (dst or src or fc.security_enabled or frame.payload or fc.ack_request):
        problems.append("an ack carries more than frame control and sequence number")
    if frame_type == 0 and (dst != 0 or src == 0 or fc.ack_request):
        problems.append("a beacon must carry a source address only, without ack request")
    if frame_type in (1, 3) and dst == 0 and src == 0:
        problems.append("a data or command frame without any address")
    return problems


@given(mac_frames())
def test_generated_legacy_frames_are_valid(frame: Container) -> None:
    if int(frame.frame_control.frame_version) < 2:
        assert _legacy_frame_problems(frame) == []


@given(nwk_frames())
def test_nwk_value_round_trip(frame: Container) -> None:
    data = nwk.build_nwk_frame(frame)
    assert nwk.parse_nwk_frame(data) == frame
    assert nwk.build_nwk_frame(nwk.parse_nwk_frame(data)) == data


@given(aps_frames())
def test_aps_value_round_trip(frame: Container) -> None:
    data = aps.build_aps_frame(frame)
    assert aps.parse_aps_frame(data) == frame
    assert aps.build_aps_frame(aps.parse_aps_frame(data)) == data


@given(zigbee_beacon_payloads())
def test_beacon_payload_round_trip(payload: Container) -> None:
    data = nwk.build_zigbee_beacon(payload)
    assert nwk.parse_zigbee_beacon(data) == payload


def _without_mic(frame: Container, mic: bytes) -> dict[str, Any]:
    return {**frame, "mic": mic}


@given(mac_frames(secured=True, plaintext=True), zigbee_keys, eui64s)
def test_mac_security_round_trip(frame: Container, key: bytes, source: int) -> None:
    control = frame.auxiliary_security_header.security_control
    if control.frame_counter_suppression:
        with pytest.raises(UnsupportedError, match="TSCH"):
            mac.secure_mac_frame(frame, key, source_address=source)
        return
    data = mac.secure_mac_frame(frame, key, source_address=source)
    plain = mac.unsecure_mac_frame(data, key, source_address=source)
    assert plain == _without_mic(frame, plain.mic)
    assert mac.secure_mac_frame(plain, key, source_address=source) == data


@given(nwk_frames(secured=True, plaintext=True), zigbee_keys, eui64s)
def test_nwk_security_round_trip(frame: Container, key: bytes, source: int) -> None:
    if frame.auxiliary_security_header.source_address is None:
        frame.auxiliary_security_header.security_control.extended_nonce = True
        frame.auxiliary_security_header.source_address = source
    data = nwk.secure_nwk_frame(frame, key)
    plain = nwk.unsecure_nwk_frame(data, key)
    assert plain == _without_mic(frame, plain.mic)
    assert nwk.secure_nwk_frame(plain, key) == data


@given(aps_frames(secured=True, plaintext=True), zigbee_keys, eui64s)
def test_aps_security_round_trip(frame: Container, key: bytes, source: int) -> None:
    data = aps.secure_aps_frame(frame, key, source_address=source)
    plain = aps.unsecure_aps_frame(data, key, source_address=source)
    assert plain == _without_mic(frame, plain.mic)
    assert aps.secure_aps_frame(plain, key, source_address=source) == data


def _value_or_codec_error(function: Any, data: bytes, **keywords: Any) -> None:
    try:
        function(data, **keywords)
    except CodecError as exc:
        assert str(exc)


@settings(max_examples=500)
@given(st.binary(max_size=130))
def test_random_bytes_mac(data: bytes) -> None:
    _value_or_codec_error(mac.parse_mac_frame, data)
    _value_or_codec_error(mac.parse_mac_frame, data, fcs=False)


@settings(max_examples=500)
@given(st.binary(max_size=100))
def test_random_bytes_nwk_aps(data: bytes) -> None:
    _value_or_codec_error(nwk.parse_nwk_frame, data)
    _value_or_codec_error(nwk.parse_nwk_frame, data, plaintext=True)
    _value_or_codec_error(aps.parse_aps_frame, data)
    _value_or_codec_error(aps.parse_aps_frame, data, plaintext=True)
    _value_or_codec_error(nwk.parse_zigbee_beacon, data)
    _value_or_codec_error(parse_install_code, data)


@settings(max_examples=300)
@given(st.binary(max_size=100))
def test_random_bytes_decoders(data: bytes) -> None:
    options = DecodeOptions()
    for decoder in (decode_mac, decode_nwk, decode_aps):
        record = decoder(data, options).record
        assert record["ok"] in (True, False)
        if not record["ok"]:
            assert record["error"]


@given(mac_frames())
def test_truncated_frames_are_codec_errors(frame: Container) -> None:
    data = mac.build_mac_frame(frame, fcs=False)
    for end in range(len(data)):
        _value_or_codec_error(mac.parse_mac_frame, data[:end], fcs=False)
