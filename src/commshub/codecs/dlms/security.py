"""Symmetric protection of xDLMS APDUs with AES-GCM (IEC 62056-5-3, security
suite 0 = AES-GCM-128; suite 1 uses the same cipher and suite 2 AES-GCM-256).

The security control octet chooses the protection:

* authentication only (0x10): the octets stay plain and a 12-octet tag follows them,
  computed over AAD = security control || authentication key || plaintext;
* encryption only (0x20): AES-GCM ciphertext with no tag;
* authenticated encryption (0x30): ciphertext and tag over AAD = security control ||
  authentication key.

The IV is the sender's system title (8 octets) followed by the invocation counter (4 octets).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from commshub.codecs.dlms.ciphered import CipheredContent
from commshub.errors import CodecError, SecurityError, UnsupportedError

__all__ = [
    "AUTHENTICATION",
    "BROADCAST_KEY",
    "COMPRESSION",
    "ENCRYPTION",
    "SYSTEM_TITLE_LENGTH",
    "TAG_LENGTH",
    "protect",
    "unprotect",
]

# Security control octet bits (IEC 62056-5-3).
AUTHENTICATION = 0x10
ENCRYPTION = 0x20
BROADCAST_KEY = 0x40
COMPRESSION = 0x80
_SUITE_MASK = 0x0F
# Key length in octets by security suite id.
_KEY_LENGTHS = {0: 16, 1: 16, 2: 32}
TAG_LENGTH = 12  # octets; DLMS truncates the 16-octet GCM tag
SYSTEM_TITLE_LENGTH = 8
# GCM runs CTR mode from counter block IV || 00000002 for a 96-bit IV (NIST SP 800-38D).
_FIRST_CTR_BLOCK = b"\x00\x00\x00\x02"


def _check(security_control: int, system_title: bytes, invocation_counter: int,
           encryption_key: bytes, authentication_key: bytes | None) -> tuple[bytes, bytes]:
    suite = security_control & _SUITE_MASK
    if suite not in _KEY_LENGTHS:
        raise UnsupportedError(f"security suite {suite} is not supported (0, 1 and 2 are)")
    if security_control & COMPRESSION:
        raise UnsupportedError("compressed APDUs (security control bit 0x80) are not supported")
    if not security_control & (AUTHENTICATION | ENCRYPTION):
        raise CodecError(f"security control 0x{security_control:02X} asks for no protection",
                         path=("security_control",))
    key_length = _KEY_LENGTHS[suite]
    if len(encryption_key) != key_length:
        raise CodecError(f"suite {suite} needs a {key_length}-octet key, got "
                         f"{len(encryption_key)} octets", path=("encryption_key",))
    if security_control & AUTHENTICATION and (authentication_key is None
                                              or len(authentication_key) != key_length):
        raise CodecError(f"suite {suite} authentication needs a {key_length}-octet "
                         "authentication key", path=("authentication_key",))
    if len(system_title) != SYSTEM_TITLE_LENGTH:
        raise CodecError(f"system title must be {SYSTEM_TITLE_LENGTH} octets, got "
                         f"{len(system_title)}", path=("system_title",))
    if not 0 <= invocation_counter <= 0xFFFFFFFF:
        raise CodecError(f"invocation counter {invocation_counter} does not fit in 32 bits",
                         path=("invocation_counter",))
    iv = bytes(system_title) + invocation_counter.to_bytes(4, "big")
    aad = bytes((security_control,)) + (authentication_key or b"")
    return iv, aad


def protect(plaintext: bytes, *, security_control: int, system_title: bytes,
            invocation_counter: int, encryption_key: bytes,
            authentication_key: bytes | None = None) -> CipheredContent:
    """Protect ``plaintext`` (an unciphered APDU) in the mode the security control octet selects."""
    iv, aad = _check(security_control, system_title, invocation_counter, encryption_key,
                     authentication_key)
    authenticated = bool(security_control & AUTHENTICATION)
    if security_control & ENCRYPTION:
        if authenticated:
            encryptor = Cipher(algorithms.AES(encryption_key), modes.GCM(iv)).encryptor()
            encryptor.authenticate_additional_data(aad)
            ciphertext = encryptor.update(plaintext) + encryptor.finalize()
            protected = ciphertext + encryptor.tag[:TAG_LENGTH]
        else:
            keystream = Cipher(algorithms.AES(encryption_key),
                               modes.CTR(iv + _FIRST_CTR_BLOCK)).encryptor()
            protected = keystream.update(plaintext) + keystream.finalize()
    else:
        encryptor = Cipher(algorithms.AES(encryption_key), modes.GCM(iv)).encryptor()
        encryptor.authenticate_additional_data(aad + bytes(plaintext))
        encryptor.finalize()
        protected = bytes(plaintext) + encryptor.tag[:TAG_LENGTH]
    return CipheredContent(security_control, invocation_counter, protected)


def unprotect(content: CipheredContent, *, system_title: bytes, encryption_key: bytes,
              authentication_key: bytes | None = None) -> bytes:
    """Check and decipher ``content``; return the plain APDU octets.

    Raises SecurityError when the authentication tag does not match.
    """
    control = content.security_control
    iv, aad = _check(control, system_title, content.invocation_counter, encryption_key,
                     authentication_key)
    protected = content.protected
    authenticated = bool(control & AUTHENTICATION)
    if authenticated and len(protected) < TAG_LENGTH:
        raise CodecError(f"protected octets ({len(protected)}) are shorter than the "
                         f"{TAG_LENGTH}-octet tag", path=("content", "protected"))
    if control & ENCRYPTION and not authenticated:
        decryptor = Cipher(algorithms.AES(encryption_key),
                           modes.CTR(iv + _FIRST_CTR_BLOCK)).decryptor()
        return decryptor.update(protected) + decryptor.finalize()
    body, tag = protected[:-TAG_LENGTH], protected[-TAG_LENGTH:]
    decryptor = Cipher(algorithms.AES(encryption_key),
                       modes.GCM(iv, tag, min_tag_length=TAG_LENGTH)).decryptor()
    try:
        if control & ENCRYPTION:
            decryptor.authenticate_additional_data(aad)
            plaintext = decryptor.update(body) + decryptor.finalize()
        else:
            decryptor.authenticate_additional_data(aad + body)
            decryptor.finalize()
            plaintext = body
    except InvalidTag:
        raise SecurityError(
            f"authentication tag {tag.hex().upper()} does not match (invocation counter "
            f"{content.invocation_counter})") from None
    return plaintext
