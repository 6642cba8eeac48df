"""The content of a GBCS frame: which kind it is, its decoded form, and its encrypted parts.

A payload is one of three kinds. DLMS is an xDLMS access-request ``D9``, access-response
``DA`` or data-notification ``0F``, decoded by ``commshub.codecs.dlms``. GBZ is ZigBee content
starting with the Smart Energy profile ID ``01 09``. Everything else is ASN.1 DER, as wireshark
``packet-gbcs.c`` classifies it too.

Protected parts are decrypted with :mod:`commshub.codecs.gbcs.crypto`: GBZ encrypted
components with the frame's encryption key, and DLMS "protected attributes" (the GBCS Data
Protection structure of an access-response: protection parameters, then an octet-string
``31 00000000 || ciphertext || tag``) with the same frame-level key.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from commshub.codecs.dlms import Data, DataType, build_apdu, parse_apdu, parse_data
from commshub.codecs.dlms.xdlms import AccessRequest, AccessResponse, Apdu, DataNotification
from commshub.codecs.gbcs.asn1 import Asn1Payload, decode_asn1
from commshub.codecs.gbcs.crypto import decrypt_part, encryption_key
from commshub.codecs.gbcs.frame import EUI64_LENGTH, GbcsFrame
from commshub.codecs.gbcs.gbz import (
    GBZ_PROFILE_ID,
    GbzAlert,
    GbzComponent,
    GbzPayload,
    build_gbz,
    build_gbz_alert,
    parse_gbz,
    parse_gbz_alert,
)
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.codecs.gbcs.tables import Cra
from commshub.errors import CodecError, SecurityError

__all__ = [
    "DLMS_TAGS",
    "Payload",
    "PayloadKind",
    "ProtectedData",
    "decode_payload",
    "decrypt_component",
    "decrypt_protected_data",
    "encode_payload",
    "find_protected_data",
    "payload_kind",
]

# xDLMS APDU tags GBCS uses as payloads: access-request, access-response, data-notification.
DLMS_TAGS = frozenset({0xD9, 0xDA, 0x0F})
_GBZ_PREFIX = GBZ_PROFILE_ID.to_bytes(2, "big")
_SECURITY_HEADER_LENGTH = 5  # security control octet + 4-octet invocation counter
_TRANSACTION_ID_LENGTH = 9  # transaction type octet + 8-octet counter
# GBCS Data Protection: protection type 2 is "authentication and encryption" with an agreed key.
_PROTECTION_ENCRYPTED = 2

Payload = Apdu | GbzPayload | GbzAlert | Asn1Payload


class PayloadKind(str, Enum):
    DLMS = "dlms"
    GBZ = "gbz"
    ASN1 = "asn1"


def payload_kind(content: bytes) -> PayloadKind:
    """Classify a frame's content by its first octets."""
    if content[:2] == _GBZ_PREFIX:
        return PayloadKind.GBZ
    if content[:1] and content[0] in DLMS_TAGS:
        return PayloadKind.DLMS
    return PayloadKind.ASN1


def decode_payload(frame: GbcsFrame) -> Payload:
    """Decode the frame's content; raise CodecError (path starting at the payload kind)."""
    kind = payload_kind(frame.content)
    if kind is PayloadKind.GBZ:
        if int(frame.cra) == Cra.ALERT:
            return parse_gbz_alert(frame.content, frame.message_code)
        return parse_gbz(frame.content)
    if kind is PayloadKind.DLMS:
        try:
            return parse_apdu(frame.content)
        except CodecError as exc:
            raise CodecError(exc.reason, path=("dlms", *exc.path), offset=exc.offset,
                             data=exc.data) from None
    return decode_asn1(frame.content, frame.message_code, frame.cra)


def encode_payload(payload: Payload) -> bytes:
    """Encode a decoded payload back to content bytes."""
    if isinstance(payload, GbzPayload):
        return build_gbz(payload)
    if isinstance(payload, GbzAlert):
        return build_gbz_alert(payload)
    if isinstance(payload, Asn1Payload):
        return payload.to_bytes()
    return build_apdu(payload)


@dataclass(frozen=True)
class ProtectedData:
    """One DLMS protected-attributes block: the parties and counter of its protection
    parameters, and ``ciphertext`` (ciphertext || 12-octet tag, after the 5-octet security
    header)."""

    transaction_type: int
    counter: int
    originator: bytes
    recipient: bytes
    security_header: bytes
    ciphertext: bytes


def find_protected_data(apdu: Apdu) -> list[ProtectedData]:
    """Return every GBCS Data Protection block inside a DLMS APDU's data, in order."""
    found: list[ProtectedData] = []
    items: tuple[Data, ...] = ()
    if isinstance(apdu, AccessResponse):
        items = tuple(item for item in apdu.data)
    elif isinstance(apdu, AccessRequest):
        items = apdu.data
    elif isinstance(apdu, DataNotification):
        items = (apdu.body,)
    for item in items:
        _collect_protected(item, found)
    return found


def _collect_protected(item: Data, found: list[ProtectedData]) -> None:
    kind, value = item
    if kind not in (DataType.STRUCTURE, DataType.ARRAY):
        return
    protected = _as_protected(item)
    if protected is not None:
        found.append(protected)
        return
    for element in value:
        _collect_protected(element, found)


def _as_protected(item: Data) -> ProtectedData | None:
    """Match structure{array{structure{enum 2, structure{tid, originator, recipient, ...}}},
    octet-string starting with the 0x31 security header}."""
    kind, value = item
    if kind != DataType.STRUCTURE or len(value) != 2:
        return None
    parameters, protected = value
    if parameters.type != DataType.ARRAY or protected.type != DataType.OCTET_STRING or not parameters.value:
        return None
    entry = parameters.value[0]
    if entry.type != DataType.STRUCTURE or len(entry.value) != 2:
        return None
    protection_type, options = entry.value
    if protection_type.type != DataType.ENUM or protection_type.value != _PROTECTION_ENCRYPTED:
        return None
    if options.type != DataType.STRUCTURE or len(options.value) < 3:
        return None
    transaction, originator, recipient = (element.value for element in options.value[:3])
    octets = protected.value
    if not (isinstance(transaction, bytes) and len(transaction) == _TRANSACTION_ID_LENGTH
            and isinstance(originator, bytes) and len(originator) == EUI64_LENGTH
            and isinstance(recipient, bytes) and len(recipient) == EUI64_LENGTH
            and isinstance(octets, bytes) and len(octets) > _SECURITY_HEADER_LENGTH):
        return None
    return ProtectedData(
        transaction_type=transaction[0], counter=int.from_bytes(transaction[1:], "big"),
        originator=originator, recipient=recipient,
        security_header=octets[:_SECURITY_HEADER_LENGTH], ciphertext=octets[_SECURITY_HEADER_LENGTH:],
    )


def decrypt_protected_data(frame: GbcsFrame, protected: ProtectedData, keys: KeyStore) -> Data | None:
    """Decrypt and decode a DLMS protected-attributes block; None when no key pair is known.

    The key is the frame's encryption key (:func:`encryption_key`), as gbcs-parser derives it.
    The block's own protection parameters name the business recipient even where the frame
    names a supplementary remote party (the RTDS ECS21b "unknown remote party" response), and
    only the frame's parties decrypt that case.

    Raises SecurityError when the tag does not match and CodecError when the plaintext is
    not one A-XDR Data value.
    """
    key = encryption_key(frame, keys)
    if key is None:
        return None
    return parse_data(decrypt_part(key, frame.originator, protected.ciphertext))


def decrypt_component(frame: GbcsFrame, component: GbzComponent, keys: KeyStore) -> bytes | None:
    """Return the plaintext ZCL payload of an encrypted GBZ component; None without a key.

    Raises SecurityError when the tag does not match.
    """
    if component.encryption is None:
        raise SecurityError("the component is not encrypted")
    key = encryption_key(frame, keys)
    if key is None:
        return None
    return decrypt_part(key, frame.originator, component.encryption.ciphertext)
