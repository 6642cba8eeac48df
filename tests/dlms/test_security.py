"""AES-GCM security suite 0: published vectors for the three protection modes, tamper detection
and property round trips.

The vectors are the DLMS Green Book examples as the dlms-cosem test suite reproduces them:
tests/test_security.py (authenticated encryption and the HLS GMAC tag) and
tests/test_xdlms/test_service_specific_cipher.py (Table 40, glo-get-request), and the
authentication-only tag of Gurux/gxdlms-go tests/SymmetricKey_test.go.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commshub.codecs.dlms import CipheredContent, ServiceCipheredApdu, build_apdu, parse_apdu
from commshub.codecs.dlms.security import protect, unprotect
from commshub.errors import CodecError, SecurityError, UnsupportedError

ENCRYPTION_KEY = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AUTHENTICATION_KEY = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
SERVER_TITLE = bytes.fromhex("4D4D4D0000BC614E")
CLIENT_TITLE = bytes.fromhex("4D4D4D0000000001")
GET_CLOCK = bytes.fromhex("C0010000080000010000FF0200")
CIPHERTEXT = bytes.fromhex("411312FF935A47566827C467BC")
TAG = bytes.fromhex("7D825C3BE4A77C3FCC056B6B")
KEYS = {"encryption_key": ENCRYPTION_KEY, "authentication_key": AUTHENTICATION_KEY}


def test_authenticated_encryption_green_book():
    content = protect(GET_CLOCK, security_control=0x30, system_title=SERVER_TITLE,
                      invocation_counter=0x01234567, **KEYS)
    assert content.protected == CIPHERTEXT + TAG
    apdu = ServiceCipheredApdu(200, content)
    assert build_apdu(apdu) == bytes.fromhex("C81E3001234567") + CIPHERTEXT + TAG
    assert unprotect(content, system_title=SERVER_TITLE, **KEYS) == GET_CLOCK


def test_encryption_only_uses_the_same_keystream():
    # GCM's ciphertext does not depend on the additional data, so encryption-only protection of
    # the Green Book plaintext gives the same octets without the tag.
    content = protect(GET_CLOCK, security_control=0x20, system_title=SERVER_TITLE,
                      invocation_counter=0x01234567, encryption_key=ENCRYPTION_KEY)
    assert content.protected == CIPHERTEXT
    assert unprotect(content, system_title=SERVER_TITLE, encryption_key=ENCRYPTION_KEY) == GET_CLOCK


def test_authentication_only_green_book_gmac():
    # The HLS GMAC example: the server's challenge authenticated with the client's title.
    challenge = bytes.fromhex("503677524A323146")
    content = protect(challenge, security_control=0x10, system_title=CLIENT_TITLE,
                      invocation_counter=1, **KEYS)
    assert content.protected == challenge + bytes.fromhex("1A52FE7DD3E72748973C1E28")
    assert unprotect(content, system_title=CLIENT_TITLE, **KEYS) == challenge


def test_authentication_only_gurux_vector():
    # Gurux/gxdlms-go tests/SymmetricKey_test.go: the Green Book GET authenticated only.
    content = protect(GET_CLOCK, security_control=0x10, system_title=SERVER_TITLE,
                      invocation_counter=0x01234567, **KEYS)
    assert content.protected == GET_CLOCK + bytes.fromhex("06725D910F9221D263877516")


def test_glo_initiate_request_decrypts():
    # dlms-cosem tests/test_xdlms/test_initiate.py (Green Book AARQ with ciphering)
    apdu = parse_apdu(bytes.fromhex(
        "21303001234567801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39"
        "EE6FDB8E356855"))
    plain = unprotect(apdu.content, system_title=SERVER_TITLE, **KEYS)
    assert plain == bytes.fromhex("01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0")


@pytest.mark.parametrize("control", [0x10, 0x30])
def test_tampering_is_detected(control):
    content = protect(GET_CLOCK, security_control=control, system_title=SERVER_TITLE,
                      invocation_counter=7, **KEYS)
    for index in range(len(content.protected)):
        flipped = bytearray(content.protected)
        flipped[index] ^= 0x01
        tampered = CipheredContent(control, 7, bytes(flipped))
        with pytest.raises(SecurityError, match="authentication tag"):
            unprotect(tampered, system_title=SERVER_TITLE, **KEYS)
    with pytest.raises(SecurityError):
        unprotect(CipheredContent(control, 8, content.protected), system_title=SERVER_TITLE,
                  **KEYS)


def test_wrong_key_is_detected():
    content = protect(GET_CLOCK, security_control=0x30, system_title=SERVER_TITLE,
                      invocation_counter=7, **KEYS)
    with pytest.raises(SecurityError):
        unprotect(content, system_title=SERVER_TITLE, encryption_key=bytes(16),
                  authentication_key=AUTHENTICATION_KEY)


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"security_control": 0x31, "encryption_key": bytes(32)}, CodecError),
    ({"security_control": 0x33}, UnsupportedError),
    ({"security_control": 0xB0}, UnsupportedError),
    ({"security_control": 0x00}, CodecError),
    ({"system_title": b"short"}, CodecError),
    ({"invocation_counter": 1 << 32}, CodecError),
    ({"authentication_key": None}, CodecError),
])
def test_invalid_parameters(kwargs, error):
    arguments = {"security_control": 0x30, "system_title": SERVER_TITLE, "invocation_counter": 1,
                 **KEYS, **kwargs}
    with pytest.raises(error):
        protect(GET_CLOCK, **arguments)


def test_suite_two_uses_256_bit_keys():
    key = bytes(range(32))
    content = protect(GET_CLOCK, security_control=0x32, system_title=SERVER_TITLE,
                      invocation_counter=1, encryption_key=key, authentication_key=key)
    assert unprotect(content, system_title=SERVER_TITLE, encryption_key=key,
                     authentication_key=key) == GET_CLOCK


def test_short_protected_octets_are_a_codec_error():
    with pytest.raises(CodecError, match="shorter than"):
        unprotect(CipheredContent(0x30, 1, b"\x00" * 5), system_title=SERVER_TITLE, **KEYS)


@given(st.binary(max_size=300), st.sampled_from([0x10, 0x20, 0x30, 0x40 | 0x30]),
       st.integers(0, 0xFFFFFFFF), st.binary(min_size=8, max_size=8))
def test_protect_then_unprotect_gives_the_plaintext(plaintext, control, counter, title):
    content = protect(plaintext, security_control=control, system_title=title,
                      invocation_counter=counter, **KEYS)
    assert unprotect(content, system_title=title, **KEYS) == plaintext
    assert parse_apdu(build_apdu(ServiceCipheredApdu(204, content))).content == content
