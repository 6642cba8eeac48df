"""AES-128 CCM* for every security level, the nonces of IEEE 802.15.4 and ZigBee, the AES-MMO
hash and the keyed hashes that derive the key-transport, key-load and verify-key values.

Sources: IEEE 802.15.4-2006 Annex B (CCM*) and 7.6.3.2 (MAC nonce); ZigBee specification
05-3474 section 4.5 (CCM* mode of operation, nonce and security control field) and Annex B.6
(Matyas-Meyer-Oseas hash and the keyed hash used for key derivation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from construct import Construct, Container, If, Int8ul, Int32ul, Int64ul, Struct, this
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from commshub.codecs.common import parse
from commshub.codecs.zigbee.stack_common import BitFields, build_value, enum_int, to_container
from commshub.errors import CodecError, LocalProtocolError, SecurityError

__all__ = [
    "KEY_IDS",
    "KEY_LENGTH",
    "NONCE_LENGTH",
    "ZIGBEE_SECURITY_LEVEL",
    "AuxiliaryHeader",
    "KeyId",
    "SecurityControl",
    "SecurityLevel",
    "aes_mmo_hash",
    "auxiliary_header_length",
    "ccm_star_decrypt",
    "ccm_star_encrypt",
    "frame_mic_length",
    "frame_security_level",
    "hashed_key_for",
    "hmac_mmo",
    "is_encrypted",
    "key_load_key",
    "key_transport_key",
    "mac_nonce",
    "mic_length",
    "patch_security_level",
    "payload_is_ciphertext",
    "secure_zigbee_frame",
    "unsecure_zigbee_frame",
    "verify_key_hash",
    "zigbee_nonce",
]

KEY_LENGTH = 16  # bytes, AES-128
NONCE_LENGTH = 13  # bytes, CCM* with a 2-byte length field (L = 2)
_BLOCK = 16  # bytes, the AES block

# ZigBee PRO fixes nwkSecurityLevel at 5 (ENC-MIC-32); frames carry 0 in the level bits and
# both sides put 5 back before computing the nonce and the MIC (ZigBee 4.3.1.1 step 1).
ZIGBEE_SECURITY_LEVEL = 5

# Inputs of the keyed hash (ZigBee 4.5.3, Annex B.1.4) that derive keys from a link key.
_KEY_TRANSPORT_HASH_INPUT = 0x00
_KEY_LOAD_HASH_INPUT = 0x02
_VERIFY_KEY_HASH_INPUT = 0x03
_HMAC_IPAD = 0x36
_HMAC_OPAD = 0x5C


class SecurityLevel(IntEnum):
    """The 3-bit security level of IEEE 802.15.4 and ZigBee (ZigBee Table 4.20)."""

    NONE = 0
    MIC_32 = 1
    MIC_64 = 2
    MIC_128 = 3
    ENC = 4
    ENC_MIC_32 = 5
    ENC_MIC_64 = 6
    ENC_MIC_128 = 7


class KeyId(IntEnum):
    """The key identifier of the ZigBee security control field (ZigBee Table 4.21)."""

    DATA_KEY = 0  # a link key
    NETWORK_KEY = 1
    KEY_TRANSPORT_KEY = 2
    KEY_LOAD_KEY = 3


_MIC_LENGTHS = (0, 4, 8, 16, 0, 4, 8, 16)


def mic_length(level: int) -> int:
    """Return the MIC length in bytes for a security level (0, 4, 8 or 16)."""
    return _MIC_LENGTHS[level & 0x07]


def is_encrypted(level: int) -> bool:
    """Return whether a security level encrypts the payload (levels 4 to 7)."""
    return (level & 0x07) >= SecurityLevel.ENC


def _check_inputs(key: bytes, nonce: bytes) -> None:
    if len(key) != KEY_LENGTH:
        raise CodecError(f"an AES-128 key has {KEY_LENGTH} bytes, found {len(key)}", path=("key",))
    if len(nonce) != NONCE_LENGTH:
        raise CodecError(f"a CCM* nonce has {NONCE_LENGTH} bytes, found {len(nonce)}",
                         path=("nonce",))


def _ctr_keystream_xor(key: bytes, nonce: bytes, data: bytes) -> bytes:
    # CCM* encrypts with counter blocks A_i = flags(L-1 = 1) || nonce || i, starting at i = 1;
    # A_0 only encrypts the MIC, so a MIC-less level is plain CTR from block 1.
    initial_block = bytes([0x01]) + nonce + (1).to_bytes(2, "big")
    encryptor = Cipher(algorithms.AES(key), modes.CTR(initial_block)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def ccm_star_encrypt(key: bytes, nonce: bytes, level: int, a: bytes, m: bytes) -> bytes:
    """Secure ``m`` with authenticated data ``a`` at ``level``; return what goes on the air.

    Levels 1-3 authenticate ``a || m`` and return ``m || MIC``; level 4 returns the
    ciphertext without MIC; levels 5-7 return ``ciphertext || MIC``; level 0 returns ``m``.
    """
    _check_inputs(key, nonce)
    level &= 0x07
    tag_length = mic_length(level)
    if level == SecurityLevel.NONE:
        return bytes(m)
    if level == SecurityLevel.ENC:
        return _ctr_keystream_xor(key, nonce, m)
    if level < SecurityLevel.ENC:
        return bytes(m) + AESCCM(key, tag_length).encrypt(nonce, b"", bytes(a) + bytes(m))
    return AESCCM(key, tag_length).encrypt(nonce, bytes(m), bytes(a))


def ccm_star_decrypt(key: bytes, nonce: bytes, level: int, a: bytes, secured: bytes) -> bytes:
    """Undo :func:`ccm_star_encrypt`: check the MIC and return the plaintext payload.

    Raises SecurityError when the MIC does not match, which also means a wrong key or nonce.
    Level 4 has no MIC, so a wrong key there gives garbage instead of an error.
    """
    _check_inputs(key, nonce)
    level &= 0x07
    tag_length = mic_length(level)
    if len(secured) < tag_length:
        raise CodecError(f"a level {level} payload ends in a {tag_length}-byte MIC, "
                         f"found only {len(secured)} bytes", path=("mic",))
    if level == SecurityLevel.NONE:
        return bytes(secured)
    if level == SecurityLevel.ENC:
        return _ctr_keystream_xor(key, nonce, secured)
    try:
        if level < SecurityLevel.ENC:
            payload = bytes(secured[:-tag_length])
            AESCCM(key, tag_length).decrypt(nonce, secured[-tag_length:], bytes(a) + payload)
            return payload
        return AESCCM(key, tag_length).decrypt(nonce, bytes(secured), bytes(a))
    except InvalidTag:
        raise SecurityError(
            f"MIC check failed at security level {level}: wrong key, nonce or frame") from None


def zigbee_nonce(source_address: int, frame_counter: int, security_control: int) -> bytes:
    """Build the 13-byte ZigBee NWK or APS nonce (ZigBee 4.5.2.2).

    Source EUI-64 and frame counter are in over-the-air (little-endian) order, then the
    security control byte with the real security level already patched in.
    """
    return (source_address.to_bytes(8, "little") + frame_counter.to_bytes(4, "little")
            + bytes([security_control & 0xFF]))


def mac_nonce(source_address: int, frame_counter: int, level: int) -> bytes:
    """Build the 13-byte IEEE 802.15.4-2006 MAC nonce (7.6.3.2).

    Unlike ZigBee, the MAC orders the extended source address and the frame counter most
    significant byte first; the last byte is the security level alone.
    """
    return (source_address.to_bytes(8, "big") + frame_counter.to_bytes(4, "big")
            + bytes([level & 0x07]))


def patch_security_level(security_control: int, level: int = ZIGBEE_SECURITY_LEVEL) -> int:
    """Return the security control byte with its level bits set to ``level``."""
    return (security_control & ~0x07) | (level & 0x07)


def _mmo_compress(state: bytes, block: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(state), modes.ECB()).encryptor()
    cipher = encryptor.update(block) + encryptor.finalize()
    return bytes(x ^ y for x, y in zip(cipher, block))


def aes_mmo_hash(message: bytes) -> bytes:
    """Return the 16-byte AES Matyas-Meyer-Oseas hash of ``message`` (ZigBee Annex B.6).

    Padding is a 1 bit, zeros and the bit length: 16 bits when the message is shorter than
    2**16 bits, otherwise 32 bits followed by 16 zero bits.
    """
    bit_length = len(message) * 8
    if bit_length < 1 << 16:
        trailer = bit_length.to_bytes(2, "big")
    else:
        trailer = bit_length.to_bytes(4, "big") + b"\x00\x00"
    padded = bytearray(message) + b"\x80"
    while (len(padded) + len(trailer)) % _BLOCK:
        padded.append(0)
    padded += trailer
    state = bytes(_BLOCK)
    for start in range(0, len(padded), _BLOCK):
        state = _mmo_compress(state, bytes(padded[start:start + _BLOCK]))
    return state


def hmac_mmo(key: bytes, message: bytes) -> bytes:
    """Return HMAC with the AES-MMO hash over a 16-byte key (ZigBee Annex B.1.4)."""
    if len(key) != KEY_LENGTH:
        raise CodecError(f"a ZigBee key has {KEY_LENGTH} bytes, found {len(key)}", path=("key",))
    inner = aes_mmo_hash(bytes(byte ^ _HMAC_IPAD for byte in key) + bytes(message))
    return aes_mmo_hash(bytes(byte ^ _HMAC_OPAD for byte in key) + inner)


def key_transport_key(link_key: bytes) -> bytes:
    """Return the key that secures APS Transport Key commands: HMAC-MMO(link key, 0x00)."""
    return hmac_mmo(link_key, bytes([_KEY_TRANSPORT_HASH_INPUT]))


def key_load_key(link_key: bytes) -> bytes:
    """Return the key that secures link key loads: HMAC-MMO(link key, 0x02)."""
    return hmac_mmo(link_key, bytes([_KEY_LOAD_HASH_INPUT]))


def verify_key_hash(link_key: bytes) -> bytes:
    """Return the APS Verify Key hash of a trust centre link key: HMAC-MMO(link key, 0x03)."""
    return hmac_mmo(link_key, bytes([_VERIFY_KEY_HASH_INPUT]))


def hashed_key_for(key_id: int, link_key: bytes) -> bytes:
    """Return the key that a frame with security control ``key_id`` is secured with, given the
    link key (or the network key for KeyId.NETWORK_KEY)."""
    if key_id == KeyId.KEY_TRANSPORT_KEY:
        return key_transport_key(link_key)
    if key_id == KeyId.KEY_LOAD_KEY:
        return key_load_key(link_key)
    return bytes(link_key)


# ZigBee auxiliary frame header (ZigBee 4.5.1), shared by the NWK and APS layers.
KEY_IDS = {0: "data_key", 1: "network_key", 2: "key_transport_key", 3: "key_load_key"}
_AUX_FIXED_LENGTH = 5  # security control and frame counter
_EUI64_LENGTH = 8

SecurityControl = BitFields(
    Int8ul,
    ("security_level", 3),
    ("key_id", 2, KEY_IDS),
    ("extended_nonce", 1),
    ("reserved", 2),
)

AuxiliaryHeader = Struct(
    "security_control" / SecurityControl,
    "frame_counter" / Int32ul,
    "source_address" / If(this.security_control.extended_nonce, Int64ul),
    "key_sequence_number" / If(
        lambda ctx: enum_int(ctx.security_control.key_id, KEY_IDS) == KeyId.NETWORK_KEY, Int8ul),
)


def auxiliary_header_length(header: Mapping[str, Any]) -> int:
    """Return the length in bytes of a ZigBee auxiliary header value."""
    control = header["security_control"]
    length = _AUX_FIXED_LENGTH
    if control["extended_nonce"]:
        length += _EUI64_LENGTH
    if enum_int(control["key_id"], KEY_IDS) == KeyId.NETWORK_KEY:
        length += 1
    return length


def frame_security_level(ctx: Any) -> int:
    """Return the security level that applies to a ZigBee frame being parsed or built.

    Frames carry 0 in the level bits; then the level comes from the ``security_level`` keyword
    given to parse or build, by default nwkSecurityLevel 5.
    """
    header = ctx.auxiliary_security_header
    if header is None:
        return 0
    level = int(header["security_control"]["security_level"])
    if level:
        return level
    params = ctx._root.get("_params") or {}
    return int(params.get("security_level", ZIGBEE_SECURITY_LEVEL))


def payload_is_ciphertext(ctx: Any) -> bool:
    """Return whether the private payload of the ZigBee frame being parsed or built is kept as
    bytes: its level encrypts and the caller did not pass ``plaintext=True``, or the caller
    passed ``raw_private=True`` to find where the private payload starts."""
    params = ctx._root.get("_params") or {}
    if params.get("raw_private", False):
        return True
    return is_encrypted(frame_security_level(ctx)) and not params.get("plaintext", False)


def frame_mic_length(ctx: Any) -> int:
    """Return the MIC length of the ZigBee frame being parsed or built."""
    return mic_length(frame_security_level(ctx))


@dataclass(frozen=True)
class _SecurityLayout:
    level: int
    tag_length: int
    open_length: int  # bytes before the private payload: headers and auxiliary header
    aux_offset: int


def _layout(con: Construct, frame: Mapping[str, Any], level: int, root: str) -> _SecurityLayout:
    tag_length = mic_length(level)
    open_value = {**frame, "payload": b"", "mic": bytes(tag_length)}
    open_length = len(build_value(con, open_value, root=root, security_level=level,
                            raw_private=True)) - tag_length
    header = frame["auxiliary_security_header"]
    return _SecurityLayout(level, tag_length, open_length,
                           open_length - auxiliary_header_length(header))


def _nonce_and_a(frame_bytes: bytes, frame: Mapping[str, Any], layout: _SecurityLayout,
                 source_address: int | None) -> tuple[bytes, bytes]:
    header = frame["auxiliary_security_header"]
    control = patch_security_level(frame_bytes[layout.aux_offset], layout.level)
    source = header.get("source_address")
    if source is None:
        source = source_address
    if source is None:
        raise LocalProtocolError(
            "the nonce needs the sender's EUI-64, which this frame's auxiliary header does not "
            "carry (extended nonce is 0): pass source_address")
    nonce = zigbee_nonce(int(source), int(header["frame_counter"]), control)
    a = (frame_bytes[:layout.aux_offset] + bytes([control])
         + frame_bytes[layout.aux_offset + 1:layout.open_length])
    return nonce, a


def secure_zigbee_frame(con: Construct, frame: Mapping[str, Any], key: bytes, *, root: str,
                        security_level: int = ZIGBEE_SECURITY_LEVEL,
                        source_address: int | None = None) -> bytes:
    """Build a NWK or APS ``frame`` (plaintext fields, any ``mic``) and secure its payload.

    The security control byte goes on the air as given in ``frame`` (level 0 in ZigBee PRO);
    the nonce and the authenticated data use ``security_level`` patched in (ZigBee 4.3.1.1).
    """
    frame = to_container(frame)
    level = int(frame["auxiliary_security_header"]["security_control"]["security_level"])
    level = level or security_level
    layout = _layout(con, frame, level, root)
    plain_value = {**frame, "mic": bytes(layout.tag_length)}
    plain = build_value(con, plain_value, root=root, security_level=level, plaintext=True)
    nonce, a = _nonce_and_a(plain, frame, layout, source_address)
    if not is_encrypted(level):
        a = a + plain[layout.open_length:len(plain) - layout.tag_length]
        m = b""
        head = plain[:len(plain) - layout.tag_length]
    else:
        m = plain[layout.open_length:len(plain) - layout.tag_length]
        head = plain[:layout.open_length]
    return head + ccm_star_encrypt(key, nonce, level, a, m)


def unsecure_zigbee_frame(con: Construct, data: bytes, key: bytes, *, root: str,
                          security_level: int = ZIGBEE_SECURITY_LEVEL,
                          source_address: int | None = None) -> Container:
    """Check and decrypt a secured NWK or APS frame; return it parsed from the plaintext.

    The returned value keeps the on-air security control byte, so building it with
    :func:`secure_zigbee_frame` and the same frame counter gives ``data`` back.
    """
    data = bytes(data)
    frame = parse(con, data, root=root, security_level=security_level, raw_private=True)
    header = frame.auxiliary_security_header
    if header is None:
        raise LocalProtocolError("the frame is not secured: its security bit is 0")
    level = int(header.security_control.security_level) or security_level
    tag_length = mic_length(level)
    open_length = len(data) - tag_length - len(frame.payload)
    layout = _SecurityLayout(level, tag_length, open_length,
                             open_length - auxiliary_header_length(header))
    nonce, a = _nonce_and_a(data, frame, layout, source_address)
    plaintext = ccm_star_decrypt(key, nonce, level, a, data[open_length:])
    plain_frame = data[:open_length] + plaintext + data[len(data) - tag_length:]
    return parse(con, plain_frame, root=root, security_level=level, plaintext=True)
