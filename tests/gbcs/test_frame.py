"""The GBCS frame codec: golden vector, builders, length forms, errors and properties."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.gbcs import (
    ZERO_MAC,
    Cra,
    GbcsFrame,
    LengthForms,
    encode_frame,
    encode_general_signing,
    eui64,
    eui_hex,
    parse_frame,
)
from commshub.codecs.gbcs.ber import decode_length, encode_length
from commshub.codecs.strategies import ber_lengths, gbcs_contents, gbcs_frames
from commshub.errors import CodecError

SUPPLIER = "90B3D51F30010000"
CHF = "00DB1234567890A2"


def test_vector_fields(vector: SimpleNamespace) -> None:
    frame = parse_frame(vector.frame)
    assert frame.cra is Cra.COMMAND
    assert frame.originator_counter == 1
    assert frame.originator == vector.supplier
    assert frame.recipient == vector.device
    assert frame.message_code == 0x00B3
    assert frame.date_time is None
    assert frame.supplementary_remote_party_id is None
    assert frame.content[:1] == b"\xd9"
    assert len(frame.signature or b"") == 64
    assert frame.mac == vector.frame[-12:]
    assert frame.length_forms == LengthForms()


def test_vector_round_trip(vector: SimpleNamespace) -> None:
    assert encode_frame(parse_frame(vector.frame)) == vector.frame


def test_general_signing_apdu_slice(vector: SimpleNamespace) -> None:
    frame = parse_frame(vector.frame)
    # DD, six empty fields, 81 A9, security header: 14 octets before DF; the MAC follows.
    assert encode_general_signing(frame) == vector.frame[14:-12]


def test_command_builder_defaults() -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=7,
                              message_code=0x0001, content=b"\xd9\x00")
    assert frame.cra is Cra.COMMAND
    assert frame.mac == ZERO_MAC
    assert frame.signature == b""
    assert frame.originator == eui64(SUPPLIER)
    wire = frame.to_bytes()
    assert wire[:7] == bytes.fromhex("DD000000000000")
    assert parse_frame(wire) == frame


def test_alert_builder_without_mac_header() -> None:
    frame = GbcsFrame.alert(originator=CHF, recipient=SUPPLIER, originator_counter=1,
                            message_code=0x0018, content=b"\x0f", mac_header=False,
                            supplementary_remote_party_id=SUPPLIER,
                            supplementary_remote_party_counter=3)
    wire = frame.to_bytes()
    assert wire[0] == 0xDF
    assert parse_frame(wire) == frame


def test_response_builder_keeps_date_time() -> None:
    stamp = bytes.fromhex("07DF0101FF000000008000FF")
    frame = GbcsFrame.response(originator=CHF, recipient=SUPPLIER, originator_counter=9,
                               message_code=0x0012, content=b"\x05\x00", date_time=stamp)
    assert parse_frame(frame.to_bytes()).date_time == stamp


def test_pre_command_has_no_signature_field() -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=1,
                              message_code=0x0012, content=b"\x05\x00", mac_header=False,
                              signature=None)
    wire = frame.to_bytes()
    assert wire.endswith(b"\x02\x05\x00")
    assert parse_frame(wire).signature is None


def test_non_shortest_lengths_survive() -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=1,
                              message_code=0x0001, content=b"\x05\x00")
    forms = LengthForms(ciphered_service=2, other_information=1, content=2, signature=1)
    long_form = frame.replace(length_forms=forms)
    wire = long_form.to_bytes()
    assert len(wire) == len(frame.to_bytes()) + 2 + 1 + 2 + 1
    assert parse_frame(wire) == long_form
    assert encode_frame(parse_frame(wire)) == wire


def test_other_information_with_certificate() -> None:
    certificate = bytes.fromhex("3082") + bytes(30)
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=1,
                              message_code=0x0034, content=b"\xd9",
                              supplementary_remote_party_id=SUPPLIER,
                              supplementary_remote_party_counter=1,
                              supplementary_certificate=certificate)
    parsed = parse_frame(frame.to_bytes())
    assert parsed.supplementary_certificate == certificate
    assert parsed.supplementary_originator_counter is None


def test_other_information_with_originator_counter() -> None:
    frame = GbcsFrame.response(originator=CHF, recipient=SUPPLIER, originator_counter=1,
                               message_code=0x0034, content=b"\xda",
                               supplementary_remote_party_id=SUPPLIER,
                               supplementary_remote_party_counter=2,
                               supplementary_originator_counter=2002)
    assert parse_frame(frame.to_bytes()).supplementary_originator_counter == 2002


@pytest.mark.parametrize("changes, field", [
    ({"originator": b"\x00" * 7}, "originator"),
    ({"message_code": 0x10000}, "message_code"),
    ({"mac": b"\x00" * 11}, "mac"),
    ({"date_time": b"\x00" * 11}, "date_time"),
    ({"supplementary_remote_party_counter": 5}, "other_information"),
    ({"originator_counter": -1}, "originator_counter"),
])
def test_invalid_fields_raise(changes: dict[str, object], field: str) -> None:
    base = {"cra": Cra.COMMAND, "originator_counter": 1, "originator": eui64(SUPPLIER),
            "recipient": eui64(CHF), "message_code": 1, "content": b""}
    with pytest.raises(CodecError) as raised:
        GbcsFrame(**{**base, **changes})  # type: ignore[arg-type]
    assert raised.value.path == ("gbcs", field)


def test_eui_helpers() -> None:
    assert eui64("00:DB:12:34:56:78:90:A2") == bytes.fromhex(CHF)
    assert eui64(0x00DB1234567890A2) == bytes.fromhex(CHF)
    assert eui_hex(bytes.fromhex(CHF.lower())) == CHF
    with pytest.raises(CodecError):
        eui64("00DB")


def test_unknown_first_octet_error(vector: SimpleNamespace) -> None:
    with pytest.raises(CodecError) as raised:
        parse_frame(b"\x30" + vector.frame[1:])
    assert raised.value.offset == 0
    assert "0xDD" in str(raised.value)


def test_truncated_frame_names_field_and_offset(vector: SimpleNamespace) -> None:
    with pytest.raises(CodecError) as raised:
        parse_frame(vector.frame[:20])
    error = raised.value
    assert error.path[:2] == ("gbcs", "body")
    assert error.offset == 20
    assert "bytes:" in str(error)


def test_bad_security_header_is_named(vector: SimpleNamespace) -> None:
    data = bytearray(vector.frame)
    data[9] = 0x30  # security control octet
    with pytest.raises(CodecError) as raised:
        parse_frame(bytes(data))
    assert raised.value.path[-1] == "security_header"


def test_trailing_bytes_rejected(vector: SimpleNamespace) -> None:
    with pytest.raises(CodecError) as raised:
        parse_frame(vector.frame + b"\x00")
    assert raised.value.offset == len(vector.frame)


def test_bad_other_information_length() -> None:
    frame = GbcsFrame.command(originator=SUPPLIER, recipient=CHF, originator_counter=1,
                              message_code=1, content=b"", mac_header=False)
    wire = bytearray(frame.to_bytes())
    # Other-information length 2 -> 3, stealing the content length octet as a third octet.
    offset = wire.index(b"\x02\x00\x01", 20)
    wire[offset] = 3
    with pytest.raises(CodecError) as raised:
        parse_frame(bytes(wire))
    assert "other_information" in raised.value.path


@pytest.mark.parametrize("value, form, encoded", [
    (0, None, "00"), (127, None, "7F"), (128, None, "8180"), (255, None, "81FF"),
    (256, None, "820100"), (5, 1, "8105"), (159, 2, "82009F"), (0x10000, None, "83010000"),
])
def test_ber_length_table(value: int, form: int | None, encoded: str) -> None:
    data = bytes.fromhex(encoded)
    assert encode_length(value, form) == data
    assert decode_length(data) == (value, form, len(data))


def test_ber_length_rejects_indefinite_and_huge() -> None:
    with pytest.raises(CodecError, match="indefinite"):
        decode_length(b"\x80")
    with pytest.raises(CodecError, match="too long"):
        decode_length(b"\x85" + bytes(5))
    with pytest.raises(CodecError, match="does not fit"):
        encode_length(300, 1)


@given(ber_lengths())
def test_ber_length_round_trip(item: tuple[int, int | None]) -> None:
    value, form = item
    assert decode_length(encode_length(value, form))[:2] == (value, form)


@given(gbcs_frames())
def test_frame_round_trip(frame: GbcsFrame) -> None:
    assert parse_frame(encode_frame(frame)) == frame


@settings(max_examples=100)
@given(gbcs_frames(contents=gbcs_contents().map(lambda item: item[2])))
def test_frame_round_trip_with_real_payloads(frame: GbcsFrame) -> None:
    assert parse_frame(frame.to_bytes()) == frame


@given(gbcs_frames())
def test_encoding_is_stable(frame: GbcsFrame) -> None:
    wire = frame.to_bytes()
    assert encode_frame(parse_frame(wire)) == wire


@given(st.binary(max_size=200))
def test_random_bytes_give_value_or_codec_error(data: bytes) -> None:
    try:
        parse_frame(data)
    except CodecError as exc:
        assert str(exc)
        assert exc.path[0] == "gbcs"
        assert exc.offset is not None


@given(gbcs_frames(), st.data())
def test_truncated_frames_raise_codec_error(frame: GbcsFrame, data: st.DataObject) -> None:
    wire = frame.to_bytes()
    cut = data.draw(st.integers(0, len(wire) - 1))
    truncated = wire[:cut]
    try:
        parsed = parse_frame(truncated)
    except CodecError as exc:
        assert exc.offset is not None and 0 <= exc.offset <= len(truncated)
        return
    # Only a pre-command loses nothing visible when cut before its (absent) signature field.
    assert parsed.mac is None
    assert parsed.signature is None
