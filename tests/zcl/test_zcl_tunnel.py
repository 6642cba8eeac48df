"""GBCS tunnel framing inside Tunneling Transfer Data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commshub.codecs.strategies.zcl import tunnel_messages
from commshub.codecs.zigbee.tunnel import (
    TunnelCommand,
    TunnelMessage,
    build_tunnel_data,
    parse_tunnel_data,
    tunnel_get,
    tunnel_get_response,
    tunnel_put,
)
from commshub.errors import CodecError

GBCS_MESSAGE = bytes.fromhex("DD000000000000811A11000000DF09")


def test_get_is_one_byte():
    assert tunnel_get() == b"\x01"
    assert parse_tunnel_data(b"\x01") == TunnelMessage(TunnelCommand.GET)


def test_get_response_carries_remaining_count():
    data = tunnel_get_response(GBCS_MESSAGE, 3)
    assert data == b"\x02\x03" + GBCS_MESSAGE
    assert parse_tunnel_data(data) == TunnelMessage(TunnelCommand.GET_RESPONSE, GBCS_MESSAGE, 3)


def test_put_carries_the_message():
    assert tunnel_put(GBCS_MESSAGE) == b"\x03" + GBCS_MESSAGE
    assert parse_tunnel_data(b"\x03" + GBCS_MESSAGE).message == GBCS_MESSAGE


def test_get_with_bytes_is_rejected():
    with pytest.raises(CodecError, match="a GET carries no message"):
        parse_tunnel_data(b"\x01\xdd")


def test_get_response_needs_a_count():
    with pytest.raises(CodecError, match="remaining_messages"):
        parse_tunnel_data(b"\x02")
    with pytest.raises(CodecError, match="remaining count"):
        build_tunnel_data(TunnelMessage(TunnelCommand.GET_RESPONSE, GBCS_MESSAGE, 256))


def test_unknown_command_keeps_bytes():
    assert parse_tunnel_data(b"\x09ab") == TunnelMessage(9, b"ab")


@given(tunnel_messages())
def test_tunnel_round_trip(message):
    data = build_tunnel_data(message)
    assert parse_tunnel_data(data) == message
    assert build_tunnel_data(parse_tunnel_data(data)) == data


@given(st.binary(max_size=40))
def test_random_tunnel_bytes_decode_or_raise_codec_error(data):
    try:
        message = parse_tunnel_data(data)
    except CodecError:
        return
    assert build_tunnel_data(message) == data
