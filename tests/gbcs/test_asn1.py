"""ASN.1 payloads: the GBCS module compiled with asn1tools."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commshub.codecs.gbcs import decode_asn1, encode_asn1
from commshub.codecs.gbcs.asn1 import asn1_to_json, asn1_type_for
from commshub.codecs.strategies import asn1_values
from commshub.errors import CodecError


def test_join_command() -> None:
    value = {"joinMethodAndRole": 0, "entityId": bytes.fromhex("00DB12345678909A"), "deviceType": 5}
    der = encode_asn1("JoinDeviceCommand", value)
    assert der == bytes.fromhex("3010020100040800DB12345678909A020105")
    payload = decode_asn1(der, 0x000D, 1)
    assert payload.type_name == "JoinDeviceCommand"
    assert payload.value == value
    assert payload.der_exact


def test_set_time_command_times() -> None:
    der = bytes.fromhex("3022180F32303134313233313233333030305A180F32303135303130313030333030305A")
    payload = decode_asn1(der, 0x007F, 1)
    assert payload.value == {
        "validityIntervalStart": datetime.datetime(2014, 12, 31, 23, 30),
        "validityIntervalEnd": datetime.datetime(2015, 1, 1, 0, 30),
    }


def test_non_shortest_length_keeps_raw_bytes() -> None:
    # ProvideSecurityCredentialDetailsResponse with a two-octet length where one suffices.
    der = bytes.fromhex("3082000830060201050A017F")
    payload = decode_asn1(der, 0x0008, 2)
    assert payload.value == [{"targetRemotePartyRole": 5, "statusCode": "other"}]
    assert not payload.der_exact
    assert payload.to_bytes() == der


def test_choice_responses() -> None:
    assert decode_asn1(b"\x05\x00", 0x0012, 2).value == ("commandAccepted", None)
    assert decode_asn1(b"\x02\x01\x03", 0x000A, 2).value == ("responseCode", 3)


@pytest.mark.parametrize("code, cra, expected", [
    (0x0008, 1, "ProvideSecurityCredentialDetailsCommand"),
    (0x0104, 2, "UpdateSecurityCredentialsResponse"),
    (0x00CB, 3, "UpdateSecurityCredentialsAlert"),
    (0x0128, 3, "FirmwareTransferAlert"),
    (0x00B2, 3, "GpfDeviceLogBackupAlert"),
    (0x0019, 1, None),
])
def test_type_selection(code: int, cra: int, expected: str | None) -> None:
    assert asn1_type_for(code, cra) == expected


def test_unknown_use_case_raises() -> None:
    with pytest.raises(CodecError, match="no known ASN.1 payload"):
        decode_asn1(b"\x05\x00", 0x0019, 1)


def test_sequence_of_wrong_tag_raises() -> None:
    # A SEQUENCE OF RemotePartyDetails that contains an INTEGER where a SEQUENCE belongs.
    with pytest.raises(CodecError, match="RemotePartyDetails") as raised:
        decode_asn1(bytes.fromhex("3003020105"), 0x0008, 2)
    assert raised.value.offset == 2


def test_trailing_bytes_raise() -> None:
    with pytest.raises(CodecError, match="trailing") as raised:
        decode_asn1(b"\x05\x00\x00", 0x0013, 1)
    assert raised.value.offset == 2


def test_json_form() -> None:
    value: dict[str, Any] = {"keyUsage": (b"\x08", 5), "when": datetime.datetime(2015, 1, 1),
                             "choice": ("commandAccepted", None), "id": b"\x01\x02"}
    assert asn1_to_json(value) == {"keyUsage": {"bits": "00001", "length": 5},
                                   "when": "2015-01-01T00:00:00", "choice": {"commandAccepted": None},
                                   "id": "0102"}


@given(asn1_values())
def test_round_trip(item: tuple[str, int, int, Any]) -> None:
    type_name, code, cra, value = item
    payload = decode_asn1(encode_asn1(type_name, value), code, cra)
    assert payload.type_name == type_name
    assert payload.value == value
    assert payload.der_exact


@given(st.binary(max_size=80), st.sampled_from([(0x0008, 2), (0x0102, 1), (0x000D, 1), (0x00B2, 3)]))
def test_random_bytes_give_value_or_codec_error(data: bytes, use: tuple[int, int]) -> None:
    try:
        decode_asn1(data, *use)
    except CodecError as exc:
        assert str(exc)
