"""NTP packets and MACs: published vectors, round trips, properties and scapy as an oracle."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scapy.layers.ntp import NTPHeader

from commshub.codecs.ntp import (
    NTP_HEADER_LENGTH,
    AuthFailure,
    LeapIndicator,
    MacAlgorithm,
    Mode,
    NtpAuthenticationError,
    NtpKey,
    NtpMac,
    NtpPacket,
    authenticate_packet,
    build_ntp_packet,
    compute_digest,
    datetime_from_ntp_timestamp,
    kiss_code,
    ntp_short_from_seconds,
    ntp_timestamp_from_unix,
    parse_ntp_packet,
    seconds_from_ntp_short,
    unix_from_ntp_timestamp,
    verify_packet,
)
from commshub.codecs.strategies import ntp_keys, ntp_packets
from commshub.errors import CodecError, CommshubError, LocalProtocolError

# scapy's test/scapy/layers/ntp.uts, "NTPHeader - Dissection": a captured NTPv4 symmetric
# active packet with an MD5 MAC under key 1.
SCAPY_SYMMETRIC = (
    b"!\x0b\x06\xea\x00\x00\x00\x00\x00\x00\xf2\xc1\x7f\x7f\x01\x00\xdb9\xe8\xa21\x02\xe6\xbc"
    b"\xdb9\xe8\x81\x02U8\xef\xdb9\xe8\x80\xdcl+\x06\xdb9\xe8\xa91\xcbI\xbf\x00\x00\x00\x01"
    b"\xady\xf3\xa1\xe5\xfc\xd02\xd2j\x1e'\xc3\xc1\xb6\x0e"
)
# scapy's ntp.uts, "NTPHeader - KoD": a server's INIT kiss-o'-death with an MD5 MAC.
SCAPY_KISS_INIT = (
    b"\xe4\x00\x06\xe8\x00\x00\x00\x00\x00\x00\x02\xcaINIT\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\xdb@\xe3\x9eH\xa3pj\xdb@\xe3\x9eH\xf0\xc3\\\xdb@\xe3\x9eH\xfaL\xac\x00\x00\x00\x01B\x86)"
    b"\xc1Q4\x8bW8\xe7Q\xda\xd0Z\xbc\xb8"
)
# scapy's ntp.uts, "NTPAuthenticator": the NTP payload of a captured Ethernet frame, a client
# request followed by 24 bytes. scapy 2.6 reads them as 4 ignored bytes and an MD5 MAC under key
# 3452142173 (0xCDC3825D); RFC 7822 section 7.5 makes a 24-byte MAC key identifier 11 and a SHA-1
# digest, which is what commshub reads.
SCAPY_CLIENT_FRAME = bytes.fromhex(
    "000c2962f268d094666d23750800450000640db640004011a519c0a80364c0a80305a51e007b0050731a"
    "2300072000000000000000000000000000000000000000000000000000000000000000000000000052c7"
    "bc1dda64b97d0000000bcdc3825dbf6b7ad02886ff45aa8b2eaf7ac78bc1"
)
SCAPY_CLIENT = SCAPY_CLIENT_FRAME[14 + 20 + 8:]  # past the Ethernet, IPv4 and UDP headers

# NTPsec tests/libntp/macencrypt.c, test "null_trunc": a 48-byte client request MACed with
# AES-128-CMAC under key 100.
NTPSEC_CMAC_KEY = NtpKey(100, MacAlgorithm.AES128_CMAC,
                         bytes.fromhex("0fd2287c1e97a50cb9d3cb9f80debcb6"))
NTPSEC_CMAC_HEADER = bytes.fromhex("e3" + "00" * 39 + "e6136a712d8c4800")
NTPSEC_CMAC_DIGEST = bytes.fromhex("01c167a4df28f25a4794bf00c8b35469")


def round_trip(data: bytes) -> NtpPacket:
    packet = parse_ntp_packet(data)
    assert build_ntp_packet(packet) == data
    return packet


def test_scapy_symmetric_packet_fields() -> None:
    packet = round_trip(SCAPY_SYMMETRIC)
    assert packet.leap is LeapIndicator.NO_WARNING
    assert packet.version == 4
    assert packet.mode is Mode.SYMMETRIC_ACTIVE
    assert packet.stratum == 11
    assert packet.poll == 6
    assert packet.precision == -22
    assert packet.reference_id == bytes([127, 127, 1, 0])
    assert packet.mac == NtpMac(1, bytes.fromhex("ad79f3a1e5fcd032d26a1e27c3c1b60e"))
    assert datetime_from_ntp_timestamp(packet.transmit_timestamp).date().isoformat() == "2016-07-20"


def test_scapy_kiss_of_death() -> None:
    packet = round_trip(SCAPY_KISS_INIT)
    assert packet.leap is LeapIndicator.UNSYNCHRONISED
    assert packet.mode is Mode.SERVER
    assert packet.stratum == 0
    assert kiss_code(packet) == "INIT"
    assert packet.mac is not None
    assert packet.mac.key_id == 1


def test_scapy_client_request() -> None:
    packet = round_trip(SCAPY_CLIENT)
    assert packet.mode is Mode.CLIENT
    assert packet.version == 4
    assert packet.mac is not None
    assert packet.mac.key_id == 11
    assert packet.mac.digest[:4] == (3452142173).to_bytes(4, "big")
    assert len(packet.mac.digest) == 20


def test_ntpsec_cmac_vector() -> None:
    assert compute_digest(NTPSEC_CMAC_KEY, NTPSEC_CMAC_HEADER) == NTPSEC_CMAC_DIGEST
    request = parse_ntp_packet(NTPSEC_CMAC_HEADER)
    signed = authenticate_packet(request, NTPSEC_CMAC_KEY)
    assert signed == NTPSEC_CMAC_HEADER + (100).to_bytes(4, "big") + NTPSEC_CMAC_DIGEST
    packet, key = verify_packet(signed, {100: NTPSEC_CMAC_KEY})
    assert key is NTPSEC_CMAC_KEY
    assert packet.leap is LeapIndicator.UNSYNCHRONISED
    assert packet.mode is Mode.CLIENT


@pytest.mark.parametrize(
    ("algorithm", "secret", "expected"),
    [
        # ntpd tests/libntp/a_md5encrypt.c: key "abcdefgh" over "ijklmnopqrstuvwx".
        (MacAlgorithm.MD5, b"abcdefgh", "0c0e84cf0bb7a8688e5238dbbc1c3953"),
        # NTPsec tests/libntp/macencrypt.c, CMAC_Encrypt: key "0123456789abcdef".
        (MacAlgorithm.AES128_CMAC, b"0123456789abcdef", "b0a1cfd27f690c43a75d6c55914b1514"),
    ],
)
def test_published_digests(algorithm: MacAlgorithm, secret: bytes, expected: str) -> None:
    assert compute_digest(NtpKey(1, algorithm, secret), b"ijklmnopqrstuvwx").hex() == expected


def test_rfc4493_cmac_example() -> None:
    # RFC 4493 section 4, example 2: a 16-byte message.
    key = NtpKey(1, MacAlgorithm.AES128_CMAC, bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c"))
    message = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
    assert compute_digest(key, message).hex() == "070a16b46b4d4144f79bdd9dd04a287c"


def test_sha1_digest_is_key_then_packet() -> None:
    import hashlib

    key = NtpKey(7, MacAlgorithm.SHA1, b"k" * 20)
    assert compute_digest(key, b"header") == hashlib.sha1(b"k" * 20 + b"header").digest()


def test_verify_reports_each_failure() -> None:
    key = NtpKey(5, MacAlgorithm.MD5, b"secret")
    signed = authenticate_packet(NtpPacket(mode=Mode.SERVER, stratum=2), key)
    cases = {
        AuthFailure.MISSING: signed[:NTP_HEADER_LENGTH],
        AuthFailure.CRYPTO_NAK: signed[:NTP_HEADER_LENGTH] + bytes(4),
        AuthFailure.UNKNOWN_KEY: signed[:NTP_HEADER_LENGTH] + (6).to_bytes(4, "big") + signed[-16:],
        AuthFailure.BAD_MAC: signed[:-1] + bytes([signed[-1] ^ 1]),
    }
    for failure, data in cases.items():
        with pytest.raises(NtpAuthenticationError) as info:
            verify_packet(data, {5: key})
        assert info.value.failure is failure, failure
        assert str(info.value)


def test_header_change_breaks_mac() -> None:
    key = NtpKey(5, MacAlgorithm.SHA1, b"secret")
    signed = bytearray(authenticate_packet(NtpPacket(mode=Mode.SERVER, stratum=2), key))
    signed[1] = 3  # stratum
    with pytest.raises(NtpAuthenticationError):
        verify_packet(bytes(signed), {5: key})


@pytest.mark.parametrize(
    ("data", "path", "offset"),
    [
        (b"", ("ntp", "header", "flags"), 0),
        (SCAPY_SYMMETRIC[:30], ("ntp", "header", "origin_timestamp"), 30),
        (SCAPY_SYMMETRIC[:50], ("ntp", "mac", "key_id"), 50),
        (SCAPY_SYMMETRIC + b"\x00", ("ntp", "mac", "digest"), 69),
        (SCAPY_SYMMETRIC[:48] + bytes(12), ("ntp", "mac", "digest"), 60),
    ],
    ids=["empty", "short header", "short key id", "17-byte digest", "8-byte digest"],
)
def test_bad_input_errors(data: bytes, path: tuple[str, ...], offset: int) -> None:
    with pytest.raises(CodecError) as info:
        parse_ntp_packet(data)
    assert info.value.path == path
    assert info.value.offset == offset


def test_build_rejects_values_that_do_not_fit() -> None:
    for packet, field in [
        (NtpPacket(stratum=256), "stratum"),
        (NtpPacket(version=8), "version"),
        (NtpPacket(poll=128), "poll"),
        (NtpPacket(reference_id=b"abc"), "reference_id"),
        (NtpPacket(transmit_timestamp=1 << 64), "transmit_timestamp"),
        (NtpPacket(mac=NtpMac(1, b"x" * 17)), "digest"),
    ]:
        with pytest.raises(CodecError) as info:
            build_ntp_packet(packet)
        assert info.value.path[-1] == field, packet


def test_key_validation() -> None:
    with pytest.raises(LocalProtocolError):
        NtpKey(0, MacAlgorithm.MD5, b"x")
    with pytest.raises(LocalProtocolError):
        NtpKey(1, MacAlgorithm.SHA1, b"")
    with pytest.raises(LocalProtocolError):
        NtpKey(1, MacAlgorithm.AES128_CMAC, b"short")


def test_key_repr_hides_secret() -> None:
    assert "topsecret" not in repr(NtpKey(1, MacAlgorithm.MD5, b"topsecret"))


def test_timestamp_conversions() -> None:
    # RFC 5905 figure 4: the Unix epoch is NTP second 2,208,988,800 of era 0.
    assert ntp_timestamp_from_unix(0.0) == 2_208_988_800 << 32
    assert ntp_timestamp_from_unix(0.5) == (2_208_988_800 << 32) | (1 << 31)
    assert unix_from_ntp_timestamp((2_208_988_800 << 32) | (1 << 30)) == 0.25
    assert datetime_from_ntp_timestamp(0) == datetime(1900, 1, 1, tzinfo=UTC)
    last = ntp_timestamp_from_unix(2_085_978_495.9999)
    assert last >> 32 == (1 << 32) - 1
    with pytest.raises(CodecError):
        ntp_timestamp_from_unix(2_085_978_496.0)  # 2036-02-07 06:28:16, era 1
    with pytest.raises(CodecError):
        ntp_timestamp_from_unix(-2_208_988_801.0)
    with pytest.raises(CodecError):
        ntp_timestamp_from_unix(math.nan)


def test_short_format_conversions() -> None:
    assert ntp_short_from_seconds(1.5) == 0x0001_8000
    assert seconds_from_ntp_short(0x0000_4000) == 0.25
    with pytest.raises(CodecError):
        ntp_short_from_seconds(-0.1)
    with pytest.raises(CodecError):
        ntp_short_from_seconds(65536.0)


@given(ntp_packets())
def test_build_then_parse(packet: NtpPacket) -> None:
    assert parse_ntp_packet(build_ntp_packet(packet)) == packet


@given(st.binary(min_size=48, max_size=48), st.sampled_from([0, 4, 20, 24]))
def test_parse_then_build(header: bytes, trailer_length: int) -> None:
    data = header + bytes(range(trailer_length))
    assert build_ntp_packet(parse_ntp_packet(data)) == data


@given(st.binary(max_size=120))
def test_random_bytes_give_packet_or_codec_error(data: bytes) -> None:
    try:
        packet = parse_ntp_packet(data)
    except CodecError as exc:
        assert str(exc)
        return
    assert build_ntp_packet(packet) == data


@given(st.binary(max_size=120))
def test_verify_random_bytes_raises_only_commshub_errors(data: bytes) -> None:
    key = NtpKey(1, MacAlgorithm.MD5, b"k")
    try:
        verify_packet(data, {1: key})
    except CommshubError:
        pass


@given(ntp_keys(), ntp_packets(mac=False))
def test_authenticated_packets_verify(key: NtpKey, packet: NtpPacket) -> None:
    signed = authenticate_packet(packet, key)
    assert len(signed) == NTP_HEADER_LENGTH + 4 + key.algorithm.digest_length
    verified, used = verify_packet(signed, {key.key_id: key})
    assert used == key
    assert replace(verified, mac=None) == packet


@given(ntp_keys(), ntp_packets(mac=False), st.data())
def test_any_flipped_bit_fails_verification(key: NtpKey, packet: NtpPacket,
                                            data: st.DataObject) -> None:
    signed = bytearray(authenticate_packet(packet, key))
    bit = data.draw(st.integers(0, len(signed) * 8 - 1))
    signed[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(NtpAuthenticationError):
        verify_packet(bytes(signed), {key.key_id: key})


@given(ntp_packets())
def test_scapy_reads_the_same_fields(packet: NtpPacket) -> None:
    data = build_ntp_packet(packet)
    if packet.mode not in (Mode.SYMMETRIC_ACTIVE, Mode.SYMMETRIC_PASSIVE, Mode.CLIENT,
                           Mode.SERVER, Mode.BROADCAST):
        return  # scapy dissects modes 6 and 7 as control and private messages
    other = NTPHeader(data)
    assert (other.leap, other.version, other.mode) == (packet.leap, packet.version, packet.mode)
    assert (other.stratum, other.poll, other.precision) == (
        packet.stratum, packet.poll, packet.precision
    )
    assert bytes(NTPHeader(data))[:NTP_HEADER_LENGTH] == data[:NTP_HEADER_LENGTH]


# The last second of era 0 is left out: a float near it may round up into era 1.
@given(st.integers(0, (1 << 64) - (1 << 32) - 1))
def test_timestamp_survives_unix_round_trip_to_a_microsecond(timestamp: int) -> None:
    unix = unix_from_ntp_timestamp(timestamp)
    back = ntp_timestamp_from_unix(unix)
    assert abs(back - timestamp) <= 2**32 // 1_000_000
