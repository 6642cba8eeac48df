"""Ciphered and signed xDLMS APDUs (IEC 62056-5-3): the glo- and ded- service-
specific APDUs, general-glo-ciphering, general-ded-ciphering, general-ciphering and
general-signing.

The ciphered content is split into its security header (security control octet and invocation
counter) and the remaining octets. Those are ciphertext or plaintext, with an authentication tag
when the security control requires one. :mod:`commshub.codecs.dlms.security` protects and
unprotects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

import construct

from commshub.codecs.dlms.fields import (
    AxdrOctetString,
    AxdrOptional,
    Block,
    EnumField,
    TaggedChoice,
    record,
)
from commshub.codecs.dlms.xdlms import U8, Apdu, ApduTag

__all__ = [
    "CIPHERED_DECLARATIONS",
    "DED_SERVICE_TAGS",
    "GLO_SERVICE_TAGS",
    "AgreedKey",
    "CipheredContent",
    "GeneralCiphering",
    "GeneralDedCiphering",
    "GeneralGloCiphering",
    "GeneralSigning",
    "IdentifiedKey",
    "KeyId",
    "KeyInfo",
    "SecurityHeader",
    "ServiceCipheredApdu",
    "WrappedKey",
]

# Service-specific ciphered APDUs with global keys, and the unciphered APDU each protects.
GLO_SERVICE_TAGS: dict[int, int] = {
    ApduTag.GLO_INITIATE_REQUEST: ApduTag.INITIATE_REQUEST,
    ApduTag.GLO_INITIATE_RESPONSE: ApduTag.INITIATE_RESPONSE,
    ApduTag.GLO_CONFIRMED_SERVICE_ERROR: ApduTag.CONFIRMED_SERVICE_ERROR,
    ApduTag.GLO_GET_REQUEST: ApduTag.GET_REQUEST,
    ApduTag.GLO_SET_REQUEST: ApduTag.SET_REQUEST,
    ApduTag.GLO_EVENT_NOTIFICATION_REQUEST: ApduTag.EVENT_NOTIFICATION_REQUEST,
    ApduTag.GLO_ACTION_REQUEST: ApduTag.ACTION_REQUEST,
    ApduTag.GLO_GET_RESPONSE: ApduTag.GET_RESPONSE,
    ApduTag.GLO_SET_RESPONSE: ApduTag.SET_RESPONSE,
    ApduTag.GLO_ACTION_RESPONSE: ApduTag.ACTION_RESPONSE,
}
# The same with dedicated keys.
DED_SERVICE_TAGS: dict[int, int] = {
    ApduTag.DED_INITIATE_REQUEST: ApduTag.INITIATE_REQUEST,
    ApduTag.DED_INITIATE_RESPONSE: ApduTag.INITIATE_RESPONSE,
    ApduTag.DED_CONFIRMED_SERVICE_ERROR: ApduTag.CONFIRMED_SERVICE_ERROR,
    ApduTag.DED_GET_REQUEST: ApduTag.GET_REQUEST,
    ApduTag.DED_SET_REQUEST: ApduTag.SET_REQUEST,
    ApduTag.DED_EVENT_NOTIFICATION_REQUEST: ApduTag.EVENT_NOTIFICATION_REQUEST,
    ApduTag.DED_ACTION_REQUEST: ApduTag.ACTION_REQUEST,
    ApduTag.DED_GET_RESPONSE: ApduTag.GET_RESPONSE,
    ApduTag.DED_SET_RESPONSE: ApduTag.SET_RESPONSE,
    ApduTag.DED_ACTION_RESPONSE: ApduTag.ACTION_RESPONSE,
}


@dataclass(frozen=True, slots=True)
class SecurityHeader:
    """Security control octet (suite id bits 0-3, authentication 0x10, encryption 0x20,
    broadcast key 0x40, compression 0x80) and the 32-bit invocation counter."""

    security_control: int
    invocation_counter: int

    @property
    def security_suite(self) -> int:
        return self.security_control & 0x0F

    @property
    def authenticated(self) -> bool:
        return bool(self.security_control & 0x10)

    @property
    def encrypted(self) -> bool:
        return bool(self.security_control & 0x20)

    @property
    def broadcast_key(self) -> bool:
        return bool(self.security_control & 0x40)

    @property
    def compressed(self) -> bool:
        return bool(self.security_control & 0x80)


@dataclass(frozen=True, slots=True)
class CipheredContent:
    """The ciphered octet string: security header, then the protected octets (ciphertext or
    plaintext, followed by the 12-octet tag when authenticated)."""

    security_control: int
    invocation_counter: int
    protected: bytes

    @property
    def header(self) -> SecurityHeader:
        return SecurityHeader(self.security_control, self.invocation_counter)


class CipheredContentField(Block):
    """An A-XDR octet string holding a security header (5 octets) and the protected octets."""

    octets = AxdrOctetString()

    def read(self, stream: Any) -> CipheredContent:
        content = self.octets.read(stream)
        if len(content) < 5:
            stream.seek(-len(content), 1)
            raise construct.ExplicitError(
                f"ciphered content of {len(content)} octets is shorter than its 5-octet "
                "security header")
        return CipheredContent(content[0], int.from_bytes(content[1:5], "big"), content[5:])

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, CipheredContent):
            raise construct.ExplicitError(f"expected CipheredContent, got {obj!r}", path=path)
        if not 0 <= obj.security_control <= 0xFF or not 0 <= obj.invocation_counter <= 0xFFFFFFFF:
            raise construct.ExplicitError("security control or invocation counter out of range",
                                          path=path)
        content = (bytes((obj.security_control,)) + obj.invocation_counter.to_bytes(4, "big")
                   + bytes(obj.protected))
        self.octets._build(content, stream, context, path)
        return obj


class Constant(Block):
    """A value that is not on the wire but fixed by the enclosing choice (here: the tag)."""

    def __init__(self, value: int) -> None:
        super().__init__()
        self.value = value

    def read(self, stream: Any) -> int:
        return self.value

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if obj != self.value:
            raise construct.ExplicitError(f"expected {self.value}, got {obj!r}", path=path)
        return obj

    def _sizeof(self, context: Any, path: Any) -> int:
        return 0


@dataclass(frozen=True, slots=True)
class ServiceCipheredApdu(Apdu):
    """A glo- or ded- service-specific ciphered APDU, e.g. glo-action-response (0xCF)."""

    TAG: ClassVar[int] = 0
    tag: int
    content: CipheredContent

    @property
    def apdu_tag(self) -> int:
        return self.tag

    @property
    def dedicated(self) -> bool:
        return self.tag in DED_SERVICE_TAGS

    @property
    def plain_tag(self) -> int:
        """The tag of the unciphered APDU inside."""
        return {**GLO_SERVICE_TAGS, **DED_SERVICE_TAGS}[self.tag]


@dataclass(frozen=True, slots=True)
class GeneralGloCiphering(Apdu):
    """general-glo-ciphering (0xDB); the system title may be empty (then the IV uses the peer's
    system title known from the association)."""

    TAG: ClassVar[int] = ApduTag.GENERAL_GLO_CIPHERING
    system_title: bytes
    content: CipheredContent


@dataclass(frozen=True, slots=True)
class GeneralDedCiphering(Apdu):
    """general-ded-ciphering (0xDC)."""

    TAG: ClassVar[int] = ApduTag.GENERAL_DED_CIPHERING
    system_title: bytes
    content: CipheredContent


class KeyId(IntEnum):
    """key-id of identified-key key-info."""

    GLOBAL_UNICAST_ENCRYPTION_KEY = 0
    GLOBAL_BROADCAST_ENCRYPTION_KEY = 1


@dataclass(frozen=True, slots=True)
class IdentifiedKey:
    key_id: KeyId | int


@dataclass(frozen=True, slots=True)
class WrappedKey:
    kek_id: int  # 0 = master key
    key_ciphered_data: bytes


@dataclass(frozen=True, slots=True)
class AgreedKey:
    key_parameters: bytes
    key_ciphered_data: bytes


KeyInfo = IdentifiedKey | WrappedKey | AgreedKey


@dataclass(frozen=True, slots=True)
class GeneralCiphering(Apdu):
    """general-ciphering (0xDD). GBCS sends it with every octet string empty except the
    content, whose security control is 0x11 and invocation counter 0."""

    TAG: ClassVar[int] = ApduTag.GENERAL_CIPHERING
    transaction_id: bytes
    originator_system_title: bytes
    recipient_system_title: bytes
    date_time: bytes
    other_information: bytes
    key_info: KeyInfo | None
    content: CipheredContent


@dataclass(frozen=True, slots=True)
class GeneralSigning(Apdu):
    """general-signing (0xDF). ``signature`` None means the signature field is absent at the
    end of the input, as in GBCS pre-commands; an empty signature is ``b""``."""

    TAG: ClassVar[int] = ApduTag.GENERAL_SIGNING
    transaction_id: bytes
    originator_system_title: bytes
    recipient_system_title: bytes
    date_time: bytes
    other_information: bytes
    content: bytes
    signature: bytes | None


class TrailingOctetString(Block):
    """An A-XDR octet string that may be missing entirely at the end of the input (None)."""

    octets = AxdrOctetString()

    def read(self, stream: Any) -> bytes | None:
        if stream.read(1) == b"":
            return None
        stream.seek(-1, 1)
        return self.octets.read(stream)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if obj is not None:
            self.octets._build(obj, stream, context, path)
        return obj


CIPHERED_CONTENT = CipheredContentField()
KEY_INFO = TaggedChoice("key-info", {
    0: record(IdentifiedKey, key_id=EnumField(KeyId)),
    1: record(WrappedKey, kek_id=U8, key_ciphered_data=AxdrOctetString()),
    2: record(AgreedKey, key_parameters=AxdrOctetString(), key_ciphered_data=AxdrOctetString()),
})

# Declarations after the tag octet, by tag.
CIPHERED_DECLARATIONS: dict[int, construct.Construct] = {
    tag: record(ServiceCipheredApdu, tag=Constant(tag), content=CIPHERED_CONTENT)
    for tag in (*GLO_SERVICE_TAGS, *DED_SERVICE_TAGS)
}
CIPHERED_DECLARATIONS.update({
    ApduTag.GENERAL_GLO_CIPHERING: record(
        GeneralGloCiphering, system_title=AxdrOctetString(), content=CIPHERED_CONTENT),
    ApduTag.GENERAL_DED_CIPHERING: record(
        GeneralDedCiphering, system_title=AxdrOctetString(), content=CIPHERED_CONTENT),
    ApduTag.GENERAL_CIPHERING: record(
        GeneralCiphering, transaction_id=AxdrOctetString(),
        originator_system_title=AxdrOctetString(), recipient_system_title=AxdrOctetString(),
        date_time=AxdrOctetString(), other_information=AxdrOctetString(),
        key_info=AxdrOptional(KEY_INFO), content=CIPHERED_CONTENT),
    ApduTag.GENERAL_SIGNING: record(
        GeneralSigning, transaction_id=AxdrOctetString(),
        originator_system_title=AxdrOctetString(), recipient_system_title=AxdrOctetString(),
        date_time=AxdrOctetString(), other_information=AxdrOctetString(),
        content=AxdrOctetString(), signature=TrailingOctetString()),
})
