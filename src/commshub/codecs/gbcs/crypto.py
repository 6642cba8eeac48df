"""GBCS cryptography: key derivation, MACs, signatures and encrypted payload parts.

- Key agreement: static-static ECDH on P-256 between the two parties' key-agreement (KA) keys,
  then the NIST SP 800-56A single-step KDF with SHA-256 (GBCS 4.3.3.3):
  ``key = SHA-256(00000001 || Z || OtherInfo)[:16]`` with
  ``OtherInfo = AlgorithmID || originator || 09 || transaction type || counter || recipient``.
- MAC (GBCS 4.3.3.4): AES-128-GCM with no plaintext, IV = originator EUI-64 || 00000000,
  AAD = ``11 00 00 00 00 00`` || the general-signing APDU, tag cut to 12 octets. Commands are
  MACed with the key agreed between the Access Control Broker and the recipient device, for
  every business originator; responses and alerts with the key agreed between the device and
  the recipient remote party; HAN-only commands (PPMID to meter) between the two devices.
- Signature: ECDSA P-256 with SHA-256 over the general-signing APDU from the octet after ``DF``
  to the end of the content, written as r || s (64 octets).
- Encrypted payload parts (GBZ encrypted components, DLMS protected data): AES-128-GCM with a
  key derived with transaction type 4, IV as for the MAC, AAD = ``31``, 12-octet tag appended.

Sources for the byte layouts: SmartDCCInnovation/gbcs-parser ``src/crypto.ts`` and
``src/parser.ts``; HenryGiraldo/gbcs ``python/gbcs.py`` (which cites the GBCS clauses above).
Every MAC and signature of the DCC RTDS 4.5.0 checks with these rules.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import Enum, IntEnum

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from commshub.codecs.gbcs.frame import (
    MAC_LENGTH,
    SIGNATURE_LENGTH,
    GbcsFrame,
    encode_general_signing,
    eui64,
)
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.gbcs.tables import HAN_ONLY_MESSAGE_CODES, Cra
from commshub.errors import CodecError, SecurityError

__all__ = [
    "ALGORITHM_ID",
    "DEFAULT_ACB",
    "MissingKeyError",
    "TransactionType",
    "Verdict",
    "check_mac",
    "compute_mac",
    "decrypt_part",
    "derive_key",
    "encrypt_part",
    "encryption_key",
    "mac_frame",
    "mac_key",
    "sign",
    "signed_data",
    "verify_signature",
]

# The Access Control Broker of the DCC's reference test data set.
DEFAULT_ACB = bytes.fromhex("90B3D51F30000002")
# AlgorithmID of the KDF OtherInfo: the GBCS "ecdh-p256-sha256" identifier (GBCS 4.3.3.3).
ALGORITHM_ID = bytes.fromhex("60857406080300")
_KDF_COUNTER = bytes.fromhex("00000001")  # SP 800-56A single-step KDF, one SHA-256 round
_TRANSACTION_ID_LENGTH = b"\x09"
_AES_KEY_LENGTH = 16
_IV_SUFFIX = bytes(4)  # IV = originator EUI-64 || invocation field 00000000
# Security header, then the zero octet GBCS puts before the APDU, as the AAD's prefix.
_MAC_AAD_PREFIX = bytes.fromhex("110000000000")
_ENCRYPTION_AAD = b"\x31"  # security control 0x31: authenticated encryption, suite 1
_COORDINATE_LENGTH = 32  # P-256 r and s


class TransactionType(IntEnum):
    """The KDF's transaction-type octet: the CRA flag for MAC keys, 4 for encryption keys."""

    COMMAND = 1
    RESPONSE = 2
    ALERT = 3
    ENCRYPTION = 4


class Verdict(str, Enum):
    """Outcome of a MAC or signature check."""

    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"  # no key available to check with


class MissingKeyError(SecurityError):
    """The key store lacks a key that an operation needs."""


def derive_key(
    private_key: ec.EllipticCurvePrivateKey, public_key: ec.EllipticCurvePublicKey, *,
    originator: bytes, transaction_type: int, counter: int, recipient: bytes,
) -> bytes:
    """Derive a 16-octet AES key from one party's private and the other's public KA key."""
    shared = private_key.exchange(ec.ECDH(), public_key)
    other_info = (
        ALGORITHM_ID + eui64(originator) + _TRANSACTION_ID_LENGTH + bytes([transaction_type])
        + counter.to_bytes(8, "big") + eui64(recipient)
    )
    return hashlib.sha256(_KDF_COUNTER + shared + other_info).digest()[:_AES_KEY_LENGTH]


def _agreement_pair(
    keys: KeyStore, first: bytes, second: bytes,
) -> tuple[ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey] | None:
    """A private KA key of one party and the public KA key of the other, if the store has them."""
    for mine, theirs in ((first, second), (second, first)):
        private = keys.private_key(mine, KeyUsage.KEY_AGREEMENT)
        public = keys.public_key(theirs, KeyUsage.KEY_AGREEMENT)
        if private is not None and public is not None:
            return private, public
    return None


def _mac_parties(frame: GbcsFrame, acb: bytes) -> tuple[bytes, bytes]:
    if frame.cra == Cra.COMMAND and frame.message_code not in HAN_ONLY_MESSAGE_CODES:
        return acb, frame.recipient
    return frame.originator, frame.recipient


def mac_key(frame: GbcsFrame, keys: KeyStore, *, acb: bytes | str = DEFAULT_ACB) -> bytes | None:
    """Return the frame's MAC key, or None when the store has no usable key pair."""
    pair = _agreement_pair(keys, *_mac_parties(frame, eui64(acb)))
    if pair is None:
        return None
    return derive_key(
        *pair, originator=frame.originator, transaction_type=int(frame.cra),
        counter=frame.originator_counter, recipient=frame.recipient,
    )


def compute_mac(key: bytes, originator: bytes, general_signing_apdu: bytes) -> bytes:
    """Return the 12-octet GBCS MAC of an encoded general-signing APDU."""
    encryptor = Cipher(
        algorithms.AES(key), modes.GCM(eui64(originator) + _IV_SUFFIX, min_tag_length=MAC_LENGTH)
    ).encryptor()
    encryptor.authenticate_additional_data(_MAC_AAD_PREFIX + general_signing_apdu)
    encryptor.finalize()
    return encryptor.tag[:MAC_LENGTH]


def mac_frame(frame: GbcsFrame, keys: KeyStore, *, acb: bytes | str = DEFAULT_ACB) -> GbcsFrame:
    """Return ``frame`` with its MAC computed; it must have a MAC header (``mac`` not None).

    Raises MissingKeyError when the store has no KA key pair for the two parties.
    """
    if frame.mac is None:
        raise CodecError("the frame has no MAC header to MAC", path=("gbcs", "mac"))
    key = mac_key(frame, keys, acb=acb)
    if key is None:
        first, second = _mac_parties(frame, eui64(acb))
        raise MissingKeyError(
            f"no key agreement key pair for {first.hex().upper()} and {second.hex().upper()}"
        )
    return frame.replace(mac=compute_mac(key, frame.originator, encode_general_signing(frame)))


def check_mac(frame: GbcsFrame, keys: KeyStore, *, acb: bytes | str = DEFAULT_ACB) -> Verdict | None:
    """Check the frame's MAC; None when it has no MAC header, UNKNOWN when no key is available."""
    if frame.mac is None:
        return None
    key = mac_key(frame, keys, acb=acb)
    if key is None:
        return Verdict.UNKNOWN
    expected = compute_mac(key, frame.originator, encode_general_signing(frame))
    return Verdict.VALID if _equal(expected, frame.mac) else Verdict.INVALID


def signed_data(frame: GbcsFrame) -> bytes:
    """Return the bytes a GBCS signature covers: the general-signing APDU after ``DF``,
    up to the end of the content."""
    return encode_general_signing(frame, with_signature=False)[1:]


def sign(frame: GbcsFrame, keys: KeyStore) -> GbcsFrame:
    """Return ``frame`` signed with its originator's digital-signature key.

    Raises MissingKeyError when the store has no DS private key for the originator.
    """
    private = keys.private_key(frame.originator, KeyUsage.DIGITAL_SIGNATURE)
    if private is None:
        raise MissingKeyError(f"no digital signature private key for {frame.originator.hex().upper()}")
    der = private.sign(signed_data(frame), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(_COORDINATE_LENGTH, "big") + s.to_bytes(_COORDINATE_LENGTH, "big")
    return frame.replace(signature=signature)


def verify_signature(frame: GbcsFrame, keys: KeyStore) -> Verdict | None:
    """Check the frame's signature with the originator's DS public key.

    Returns None for an empty signature field (``00``) and UNKNOWN when the frame has no
    signature field at all (a pre-command awaiting its signature) or no key is available.
    """
    if frame.signature is None:
        return Verdict.UNKNOWN
    if not frame.signature:
        return None
    public = keys.public_key(frame.originator, KeyUsage.DIGITAL_SIGNATURE)
    if public is None:
        return Verdict.UNKNOWN
    if len(frame.signature) != SIGNATURE_LENGTH:
        return Verdict.INVALID
    r = int.from_bytes(frame.signature[:_COORDINATE_LENGTH], "big")
    s = int.from_bytes(frame.signature[_COORDINATE_LENGTH:], "big")
    try:
        public.verify(encode_dss_signature(r, s), signed_data(frame), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return Verdict.INVALID
    return Verdict.VALID


def encryption_key(frame: GbcsFrame, keys: KeyStore) -> bytes | None:
    """Return the key of the frame's encrypted payload parts, or None without a key pair.

    The parties are the business originator and the recipient, where a supplementary remote
    party ID stands in for the recipient and a supplementary originator counter for the
    originator counter (gbcs-parser ``src/parser.ts``, ``handleDecryptGbcsData``).
    """
    recipient = frame.supplementary_remote_party_id or frame.recipient
    counter = frame.supplementary_originator_counter
    if counter is None:
        counter = frame.originator_counter
    pair = _agreement_pair(keys, frame.originator, recipient)
    if pair is None:
        return None
    return derive_key(*pair, originator=frame.originator, transaction_type=TransactionType.ENCRYPTION,
                      counter=counter, recipient=recipient)


def encrypt_part(key: bytes, originator: bytes, plaintext: bytes) -> bytes:
    """Encrypt a protected payload part; return ciphertext || 12-octet tag."""
    encryptor = Cipher(
        algorithms.AES(key), modes.GCM(eui64(originator) + _IV_SUFFIX, min_tag_length=MAC_LENGTH)
    ).encryptor()
    encryptor.authenticate_additional_data(_ENCRYPTION_AAD)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return ciphertext + encryptor.tag[:MAC_LENGTH]


def decrypt_part(key: bytes, originator: bytes, ciphertext_and_tag: bytes) -> bytes:
    """Decrypt a protected payload part (ciphertext || 12-octet tag).

    Raises SecurityError when the tag does not match.
    """
    if len(ciphertext_and_tag) < MAC_LENGTH:
        raise SecurityError(f"encrypted part is shorter than its {MAC_LENGTH}-octet tag")
    ciphertext, tag = ciphertext_and_tag[:-MAC_LENGTH], ciphertext_and_tag[-MAC_LENGTH:]
    decryptor = Cipher(
        algorithms.AES(key), modes.GCM(eui64(originator) + _IV_SUFFIX, tag, min_tag_length=MAC_LENGTH)
    ).decryptor()
    decryptor.authenticate_additional_data(_ENCRYPTION_AAD)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag:
        raise SecurityError("encrypted payload part failed its authentication tag check") from None


def _equal(first: bytes, second: bytes) -> bool:
    # Constant-time comparison: a MAC check must not leak how many leading octets matched.
    return hmac.compare_digest(first, second)
