"""CCM* at every level, the nonces, AES-MMO and the keyed hashes, against published vectors."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
from hypothesis import given
from hypothesis import strategies as st

from commshub.codecs.zigbee.security import (
    SecurityLevel,
    aes_mmo_hash,
    ccm_star_decrypt,
    ccm_star_encrypt,
    hashed_key_for,
    hmac_mmo,
    key_load_key,
    key_transport_key,
    mac_nonce,
    mic_length,
    patch_security_level,
    verify_key_hash,
    zigbee_nonce,
)
from commshub.errors import CodecError, SecurityError

SPEC_KEY = bytes.fromhex("C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF")

# The network of scapy's zigbee-transport-key-skke_1.pcap, decrypted by killerbee PR #127.
NWK_KEY = bytes.fromhex("26546b723b396a727b5d5271517d392f")
NWK_A = bytes.fromhex(
    "081a0000e4b70aea22021f0000ff0f001a5b410000ff0f002d0c7300001a5b410000ff0f0000")
NWK_SECURED = bytes.fromhex(
    "5b9d36fc7b10092dff752ce879bbca699d52c5dd908bd787bab42f5c023ad4d846")
NWK_PLAINTEXT = bytes.fromhex("40c501005cc2c52c3074363437302073612063342e7a722e6d6f740d0a")


def test_ccm_star_zigbee_annex_c_vector() -> None:
    # ZigBee specification Annex C.1 (copy in andrebdo/c-crumbs tests/aes-ccm.c), M = 8.
    nonce = bytes.fromhex("A0A1A2A3A4A5A6A70302010006")
    a = bytes.fromhex("0001020304050607")
    m = bytes(range(0x08, 0x1F))
    expected = bytes.fromhex(
        "1A55A36ABB6C610D066B3375649CEF10D4664ECAD854A80A895CC1D8FF9469")
    assert ccm_star_encrypt(SPEC_KEY, nonce, SecurityLevel.ENC_MIC_64, a, m) == expected
    assert ccm_star_decrypt(SPEC_KEY, nonce, SecurityLevel.ENC_MIC_64, a, expected) == m


def test_nwk_nonce_from_real_frame() -> None:
    nonce = zigbee_nonce(0x000FFF0000415B1A, 0x730C, patch_security_level(0x28))
    assert nonce == bytes.fromhex("1a5b410000ff0f000c7300002d")


def test_ccm_star_real_nwk_frame() -> None:
    nonce = bytes.fromhex("1a5b410000ff0f000c7300002d")
    assert ccm_star_decrypt(NWK_KEY, nonce, 5, NWK_A, NWK_SECURED) == NWK_PLAINTEXT
    assert ccm_star_encrypt(NWK_KEY, nonce, 5, NWK_A, NWK_PLAINTEXT) == NWK_SECURED


def test_mac_nonce_is_big_endian() -> None:
    # IEEE 802.15.4-2006 Annex C.2.1: the beacon's nonce and MIC-64.
    nonce = mac_nonce(0xACDE480000000001, 5, SecurityLevel.MIC_64)
    assert nonce == bytes.fromhex("ACDE48000000000100000005" "02")
    frame = bytes.fromhex("08D0842143010000000048DEAC020500000055CF000051525354")
    mic = bytes.fromhex("223BC1EC841AB553")
    assert ccm_star_encrypt(SPEC_KEY, nonce, 2, frame, b"") == mic
    assert ccm_star_decrypt(SPEC_KEY, nonce, 2, frame, mic) == b""


def test_nwk_and_mac_nonces_differ() -> None:
    assert zigbee_nonce(1, 2, 5) != mac_nonce(1, 2, 5)
    assert zigbee_nonce(1, 2, 5)[:8] == mac_nonce(1, 2, 5)[:8][::-1]


def test_level_4_is_ctr_without_mic() -> None:
    nonce = bytes(range(13))
    m = bytes(range(40))
    secured = ccm_star_encrypt(SPEC_KEY, nonce, SecurityLevel.ENC, b"header", m)
    assert len(secured) == len(m)
    # CCM encrypts the payload with the same counter blocks A_1, A_2, ... as level 4.
    assert secured == AESCCM(SPEC_KEY, 4).encrypt(nonce, m, b"header")[:-4]
    assert ccm_star_decrypt(SPEC_KEY, nonce, SecurityLevel.ENC, b"other", secured) == m


@pytest.mark.parametrize("level", list(SecurityLevel))
def test_every_level_round_trips(level: SecurityLevel) -> None:
    nonce = bytes(13)
    m = b"payload bytes"
    secured = ccm_star_encrypt(SPEC_KEY, nonce, level, b"aad", m)
    assert len(secured) == len(m) + mic_length(level)
    if level in (SecurityLevel.MIC_32, SecurityLevel.MIC_64, SecurityLevel.MIC_128,
                 SecurityLevel.NONE):
        assert secured[:len(m)] == m
    else:
        assert secured[:len(m)] != m
    assert ccm_star_decrypt(SPEC_KEY, nonce, level, b"aad", secured) == m


@pytest.mark.parametrize("level", [1, 2, 3, 5, 6, 7])
def test_tampered_frame_fails_mic(level: int) -> None:
    nonce = bytes(13)
    secured = bytearray(ccm_star_encrypt(SPEC_KEY, nonce, level, b"aad", b"payload"))
    secured[0] ^= 1
    with pytest.raises(SecurityError, match="MIC check failed"):
        ccm_star_decrypt(SPEC_KEY, nonce, level, b"aad", bytes(secured))
    with pytest.raises(SecurityError):
        ccm_star_decrypt(SPEC_KEY, nonce, level, b"aaD", bytes(secured))


def test_short_secured_payload_is_codec_error() -> None:
    with pytest.raises(CodecError, match="4-byte MIC"):
        ccm_star_decrypt(SPEC_KEY, bytes(13), 5, b"", b"\x00\x01")


def test_wrong_key_or_nonce_length_is_codec_error() -> None:
    with pytest.raises(CodecError, match="16 bytes"):
        ccm_star_encrypt(b"short", bytes(13), 5, b"", b"")
    with pytest.raises(CodecError, match="13 bytes"):
        ccm_star_encrypt(SPEC_KEY, bytes(12), 5, b"", b"")


def test_aes_mmo_spec_vectors() -> None:
    # ZigBee specification Annex C.5.1 and C.5.2 (andrebdo/c-crumbs tests/aes-mmo.c).
    assert aes_mmo_hash(b"\xc0") == bytes.fromhex("AE3A102A28D43EE0D4A09E22788B206C")
    assert aes_mmo_hash(SPEC_KEY) == bytes.fromhex("A7977E88BC0B61E8210827109A228F2D")


@given(st.binary(max_size=80))
def test_aes_mmo_matches_zigpy(message: bytes) -> None:
    zigpy_util = pytest.importorskip("zigpy.util")
    assert aes_mmo_hash(message) == bytes(zigpy_util.aes_mmo_hash(message))


def test_aes_mmo_long_message_padding() -> None:
    # From 2**16 bits on, the length takes 32 bits followed by 16 zero bits (Annex B.6).
    message = bytes(8192)
    assert len(aes_mmo_hash(message)) == 16
    assert aes_mmo_hash(message) != aes_mmo_hash(message[:-1])
    # 8192 bytes are 2**16 bits: the padding block is 0x80, nine zero bytes, the bit length
    # 0x00010000 and two zero bytes. zigpy 2.4 always writes a 16-bit length, so it differs here.
    padding = bytes.fromhex("80" + "00" * 9 + "00010000" + "0000")
    state = bytes(16)
    for block in [message[start:start + 16] for start in range(0, len(message), 16)] + [padding]:
        encryptor = Cipher(algorithms.AES(state), modes.ECB()).encryptor()
        state = bytes(x ^ y for x, y in zip(encryptor.update(block), block, strict=True))
    assert aes_mmo_hash(message) == state


def test_hmac_mmo_green_power_vector() -> None:
    # ZigBee Green Power network-derived group key: HMAC-MMO(network key, "ZGP"), the expected
    # value printed by Silicon Labs' green-power-security.c test.
    network_key = bytes([0x01, 0x03, 0x05, 0x07, 0x09, 0x0B, 0x0D, 0x0F,
                         0x00, 0x02, 0x04, 0x06, 0x08, 0x0A, 0x0C, 0x0D])
    assert hmac_mmo(network_key, b"ZGP") == bytes.fromhex("BA88867FC0093987EB8864CEBE5FC613")


def test_key_hashes_use_their_input_bytes() -> None:
    link_key = b"ZigBeeAlliance09"
    assert key_transport_key(link_key) == hmac_mmo(link_key, b"\x00")
    assert key_load_key(link_key) == hmac_mmo(link_key, b"\x02")
    assert verify_key_hash(link_key) == hmac_mmo(link_key, b"\x03")
    assert hashed_key_for(0, link_key) == link_key
    assert hashed_key_for(1, link_key) == link_key
    assert hashed_key_for(2, link_key) == key_transport_key(link_key)
    assert hashed_key_for(3, link_key) == key_load_key(link_key)
    assert len({key_transport_key(link_key), key_load_key(link_key), link_key}) == 3


def test_patch_security_level() -> None:
    assert patch_security_level(0x28) == 0x2D
    assert patch_security_level(0x2F, 0) == 0x28
