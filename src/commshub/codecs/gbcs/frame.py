"""The GBCS message frame: MAC header, general-signing grouping header, content, signature, MAC.

Layout (GBCS sections 7.2 and 4.3; byte layout as implemented by SmartDCCInnovation/gbcs-parser
``src/parser.ts`` and wireshark ``packet-gbcs.c``)::

    [DD 00 00 00 00 00 00 <len> 11 00000000]            MAC header (general-ciphering)
    DF 09 <CRA> <originator counter, 8>                   general-signing, transaction ID
       08 <originator EUI-64> 08 <recipient EUI-64>       business originator and recipient
       <00 | 0C + COSEM date-time>                        date-time
       <len> <message code, 2> [<supplementary remote party ID, 8>
             [<its counter, 8> [<supplementary originator counter, 8> | <KA certificate, DER>]]]
       <len> <content>                                    DLMS, GBZ or ASN.1 payload
       [<len> <signature>]                                absent, 00, or 40 + ECDSA r||s
    [<MAC, 12>]                                           when the MAC header is present

Every ``<len>`` is a BER definite length; parsing records any non-shortest form in
:class:`LengthForms` so that :func:`encode_frame` reproduces the input byte for byte.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import construct
from construct import (
    Bytes,
    Const,
    Enum,
    FocusedSeq,
    GreedyBytes,
    If,
    Int64ub,
    Peek,
    Rebuild,
    Struct,
    Switch,
    this,
)

from commshub.codecs.gbcs.ber import (
    AllButLast,
    BerLengthForm,
    BerPrefixed,
    OptionalAtEnd,
    Reject,
    build_whole,
    parse_whole,
)
from commshub.codecs.gbcs.tables import Cra
from commshub.errors import CodecError

__all__ = [
    "DATE_TIME_LENGTH",
    "EUI64_LENGTH",
    "GBCS_FRAME",
    "GENERAL_CIPHERING_TAG",
    "GENERAL_SIGNING_APDU",
    "GENERAL_SIGNING_TAG",
    "MAC_LENGTH",
    "SECURITY_HEADER",
    "SIGNATURE_LENGTH",
    "SYSTEM_TITLE",
    "ZERO_MAC",
    "GbcsFrame",
    "LengthForms",
    "encode_frame",
    "encode_general_signing",
    "encode_other_information",
    "eui64",
    "eui_hex",
    "parse_frame",
]

EUI64_LENGTH = 8  # business originator and recipient IDs, EUI-64 big-endian
MAC_LENGTH = 12  # GBCS 4.3.3.4: the AES-GCM tag truncated to 12 octets
SIGNATURE_LENGTH = 64  # ECDSA P-256 signature as r || s, 32 octets each
DATE_TIME_LENGTH = 12  # COSEM date-time octet-string (DLMS Blue Book 4.1.6.1)
TRANSACTION_ID_LENGTH = 9  # CRA flag + 8-octet originator counter
GENERAL_CIPHERING_TAG = 0xDD  # xDLMS general-ciphering APDU
GENERAL_SIGNING_TAG = 0xDF  # xDLMS general-signing APDU
# Security header of the MAC header: security control 0x11 (authentication only, suite 1) and a
# zero invocation counter; GBCS fixes both.
SECURITY_HEADER = bytes.fromhex("1100000000")
# The MAC header's transaction-id, originator, recipient, date-time, other-information and
# key-info fields, all empty.
_EMPTY_CIPHERING_FIELDS = bytes(6)
# Placeholder MAC of a frame that has a MAC header but has not been MACed yet.
ZERO_MAC = bytes(MAC_LENGTH)

_SUPPLEMENTARY_ID_END = 10  # message code (2) + supplementary remote party ID (8)
_SUPPLEMENTARY_COUNTER_END = 18  # ... + supplementary remote party counter (8)
_SUPPLEMENTARY_ORIGINATOR_COUNTER_END = 26  # ... + supplementary originator counter (8)


@dataclass(frozen=True)
class LengthForms:
    """Non-shortest BER length forms seen when parsing (None: the shortest form).

    Each value is the number of length octets after the 0x8N octet. Frames built by commshub
    use the shortest forms, so a default instance means "shortest everywhere".
    """

    ciphered_service: int | None = None
    other_information: int | None = None
    content: int | None = None
    signature: int | None = None


def eui64(value: bytes | str | int) -> bytes:
    """Return an EUI-64 as 8 bytes from bytes, a 16-digit hex string (":" or "-" allowed) or an int."""
    if isinstance(value, int):
        if not 0 <= value < 1 << 64:
            raise CodecError(f"EUI-64 must fit in 64 bits, found {value:#x}")
        return value.to_bytes(EUI64_LENGTH, "big")
    if isinstance(value, str):
        text = value.replace(":", "").replace("-", "").strip()
        try:
            value = bytes.fromhex(text)
        except ValueError:
            raise CodecError(f"EUI-64 must be 16 hex digits, found {text!r}") from None
    value = bytes(value)
    if len(value) != EUI64_LENGTH:
        raise CodecError(f"EUI-64 must be {EUI64_LENGTH} bytes, found {len(value)}")
    return value


def eui_hex(value: bytes) -> str:
    """Return an EUI-64 as 16 uppercase hex digits, the way GBCS tools print it."""
    return bytes(value).hex().upper()


@dataclass(frozen=True)
class GbcsFrame:
    """One GBCS message.

    ``content`` contains the payload bytes (DLMS, GBZ or ASN.1; see ``commshub.codecs.gbcs.payload``
    to decode them). ``signature`` is None when the frame has no signature field (pre-commands),
    ``b""`` for an empty one (``00``) and 64 bytes for an ECDSA signature. ``mac`` is None when
    the frame has no MAC header, otherwise the 12-byte MAC (:data:`ZERO_MAC` until computed).

    Build new frames with :meth:`command`, :meth:`response` or :meth:`alert`, then sign and MAC
    them with ``commshub.codecs.gbcs.crypto``.
    """

    cra: Cra | int
    originator_counter: int
    originator: bytes
    recipient: bytes
    message_code: int
    content: bytes
    date_time: bytes | None = None
    supplementary_remote_party_id: bytes | None = None
    supplementary_remote_party_counter: int | None = None
    supplementary_originator_counter: int | None = None
    supplementary_certificate: bytes | None = None
    signature: bytes | None = b""
    mac: bytes | None = ZERO_MAC
    length_forms: LengthForms = field(default=LengthForms(), compare=True)

    def __post_init__(self) -> None:
        _check_frame(self)

    # --- constructors for new frames -----------------------------------------------------

    @classmethod
    def command(
        cls, *, originator: bytes | str | int, recipient: bytes | str | int, originator_counter: int,
        message_code: int, content: bytes, mac_header: bool = True, **extra: Any,
    ) -> GbcsFrame:
        """Return a new command (CRA flag 1); ``extra`` sets optional fields such as ``date_time``."""
        return cls._new(Cra.COMMAND, originator, recipient, originator_counter, message_code,
                        content, mac_header, extra)

    @classmethod
    def response(
        cls, *, originator: bytes | str | int, recipient: bytes | str | int, originator_counter: int,
        message_code: int, content: bytes, mac_header: bool = True, **extra: Any,
    ) -> GbcsFrame:
        """Return a new response (CRA flag 2) carrying the originator counter of its command."""
        return cls._new(Cra.RESPONSE, originator, recipient, originator_counter, message_code,
                        content, mac_header, extra)

    @classmethod
    def alert(
        cls, *, originator: bytes | str | int, recipient: bytes | str | int, originator_counter: int,
        message_code: int, content: bytes, mac_header: bool = True, **extra: Any,
    ) -> GbcsFrame:
        """Return a new alert (CRA flag 3)."""
        return cls._new(Cra.ALERT, originator, recipient, originator_counter, message_code,
                        content, mac_header, extra)

    @classmethod
    def _new(
        cls, cra: Cra, originator: bytes | str | int, recipient: bytes | str | int, counter: int,
        message_code: int, content: bytes, mac_header: bool, extra: dict[str, Any],
    ) -> GbcsFrame:
        if "supplementary_remote_party_id" in extra and extra["supplementary_remote_party_id"] is not None:
            extra["supplementary_remote_party_id"] = eui64(extra["supplementary_remote_party_id"])
        return cls(
            cra=cra, originator_counter=counter, originator=eui64(originator),
            recipient=eui64(recipient), message_code=message_code, content=bytes(content),
            mac=ZERO_MAC if mac_header else None, **extra,
        )

    # --- derived views -------------------------------------------------------------------

    @property
    def has_mac_header(self) -> bool:
        return self.mac is not None

    def replace(self, **changes: Any) -> GbcsFrame:
        """Return a copy with ``changes`` applied (dataclasses.replace)."""
        return dataclasses.replace(self, **changes)

    def to_bytes(self) -> bytes:
        """Encode the whole frame."""
        return encode_frame(self)


def _check_frame(frame: GbcsFrame) -> None:
    def fail(name: str, reason: str) -> None:
        raise CodecError(reason, path=("gbcs", name))

    if isinstance(frame.cra, int) and not isinstance(frame.cra, Cra) and frame.cra in (1, 2, 3):
        object.__setattr__(frame, "cra", Cra(frame.cra))
    if not 0 <= int(frame.cra) <= 0xFF:
        fail("cra", f"CRA flag must be one octet, found {frame.cra}")
    if not 0 <= frame.originator_counter < 1 << 64:
        fail("originator_counter", f"must fit in 8 octets, found {frame.originator_counter}")
    for name in ("originator", "recipient"):
        if len(getattr(frame, name)) != EUI64_LENGTH:
            fail(name, f"must be {EUI64_LENGTH} bytes, found {len(getattr(frame, name))}")
    if not 0 <= frame.message_code <= 0xFFFF:
        fail("message_code", f"must fit in 2 octets, found {frame.message_code}")
    if frame.date_time is not None and len(frame.date_time) != DATE_TIME_LENGTH:
        fail("date_time", f"must be {DATE_TIME_LENGTH} bytes or None, found {len(frame.date_time)}")
    if frame.mac is not None and len(frame.mac) != MAC_LENGTH:
        fail("mac", f"must be {MAC_LENGTH} bytes or None, found {len(frame.mac)}")
    if frame.supplementary_remote_party_id is not None and len(frame.supplementary_remote_party_id) != EUI64_LENGTH:
        fail("supplementary_remote_party_id", f"must be {EUI64_LENGTH} bytes")
    present = [
        frame.supplementary_remote_party_id is not None,
        frame.supplementary_remote_party_counter is not None,
        frame.supplementary_originator_counter is not None or frame.supplementary_certificate is not None,
    ]
    if present != sorted(present, reverse=True):
        fail("other_information",
             "supplementary fields must be filled in order: remote party ID, its counter, "
             "then an originator counter or a certificate")
    if frame.supplementary_originator_counter is not None and frame.supplementary_certificate is not None:
        fail("other_information", "a supplementary originator counter and a certificate exclude each other")
    for name in ("supplementary_remote_party_counter", "supplementary_originator_counter"):
        value = getattr(frame, name)
        if value is not None and not 0 <= value < 1 << 64:
            fail(name, f"must fit in 8 octets, found {value}")
    if frame.supplementary_certificate is not None and len(frame.supplementary_certificate) <= 8:
        # Eight octets after the remote party counter would read back as an originator counter.
        fail("supplementary_certificate", "a DER certificate is longer than 8 bytes")


# --- other-information -------------------------------------------------------------------


def _decode_other_information(data: bytes, path: str) -> dict[str, Any]:
    if len(data) < 2:
        raise construct.ExplicitError(
            f"other-information must hold at least the 2-octet message code, found {len(data)} bytes",
            path=path,
        )
    fields: dict[str, Any] = {
        "message_code": int.from_bytes(data[:2], "big"),
        "supplementary_remote_party_id": None,
        "supplementary_remote_party_counter": None,
        "supplementary_originator_counter": None,
        "supplementary_certificate": None,
    }
    if len(data) == 2:
        return fields
    if len(data) < _SUPPLEMENTARY_ID_END or _SUPPLEMENTARY_ID_END < len(data) < _SUPPLEMENTARY_COUNTER_END:
        raise construct.ExplicitError(
            f"other-information of {len(data)} bytes is neither 2, 10, 18 nor longer", path=path
        )
    fields["supplementary_remote_party_id"] = bytes(data[2:_SUPPLEMENTARY_ID_END])
    if len(data) >= _SUPPLEMENTARY_COUNTER_END:
        fields["supplementary_remote_party_counter"] = int.from_bytes(
            data[_SUPPLEMENTARY_ID_END:_SUPPLEMENTARY_COUNTER_END], "big"
        )
    rest = data[_SUPPLEMENTARY_COUNTER_END:]
    if len(rest) == _SUPPLEMENTARY_ORIGINATOR_COUNTER_END - _SUPPLEMENTARY_COUNTER_END:
        fields["supplementary_originator_counter"] = int.from_bytes(rest, "big")
    elif rest:
        fields["supplementary_certificate"] = bytes(rest)
    return fields


def _encode_other_information(fields: dict[str, Any]) -> bytes:
    out = int(fields["message_code"]).to_bytes(2, "big")
    if fields.get("supplementary_remote_party_id") is not None:
        out += bytes(fields["supplementary_remote_party_id"])
    if fields.get("supplementary_remote_party_counter") is not None:
        out += int(fields["supplementary_remote_party_counter"]).to_bytes(8, "big")
    if fields.get("supplementary_originator_counter") is not None:
        out += int(fields["supplementary_originator_counter"]).to_bytes(8, "big")
    if fields.get("supplementary_certificate") is not None:
        out += bytes(fields["supplementary_certificate"])
    return out


def _other_information_fields(frame: GbcsFrame) -> dict[str, Any]:
    return {
        "message_code": frame.message_code,
        "supplementary_remote_party_id": frame.supplementary_remote_party_id,
        "supplementary_remote_party_counter": frame.supplementary_remote_party_counter,
        "supplementary_originator_counter": frame.supplementary_originator_counter,
        "supplementary_certificate": frame.supplementary_certificate,
    }


def encode_other_information(frame: GbcsFrame) -> bytes:
    """Encode the frame's other-information field content (without its length)."""
    return _encode_other_information(_other_information_fields(frame))


class _OtherInformation(construct.Adapter):  # type: ignore[misc]
    def _decode(self, obj: bytes, context: Any, path: str) -> dict[str, Any]:
        return _decode_other_information(obj, path)

    def _encode(self, obj: dict[str, Any], context: Any, path: str) -> bytes:
        return _encode_other_information(obj)


# --- construct declarations --------------------------------------------------------------

# A business originator or recipient ID: length octet 08, then the EUI-64.
SYSTEM_TITLE = FocusedSeq("value", Const(bytes([EUI64_LENGTH])), "value" / Bytes(EUI64_LENGTH))

GENERAL_SIGNING_APDU = Struct(
    "tag" / Const(bytes([GENERAL_SIGNING_TAG])),
    "transaction_id_length" / Const(bytes([TRANSACTION_ID_LENGTH])),
    "cra" / construct.Byte,
    "originator_counter" / Int64ub,
    "originator" / SYSTEM_TITLE,
    "recipient" / SYSTEM_TITLE,
    "date_time_length" / Rebuild(
        construct.OneOf(construct.Byte, [0, DATE_TIME_LENGTH]),
        lambda ctx: 0 if ctx.date_time is None else DATE_TIME_LENGTH,
    ),
    "date_time" / If(this.date_time_length == DATE_TIME_LENGTH, Bytes(DATE_TIME_LENGTH)),
    "other_information_form" / Peek(BerLengthForm()),
    "other_information" / BerPrefixed(_OtherInformation(GreedyBytes), this.other_information_form),
    "content_form" / Peek(BerLengthForm()),
    "content" / BerPrefixed(GreedyBytes, this.content_form),
    "signature_form" / Peek(BerLengthForm()),
    "signature" / OptionalAtEnd(BerPrefixed(GreedyBytes, this.signature_form)),
)

_MAC_PROTECTED = Struct(
    "tag" / Const(bytes([GENERAL_CIPHERING_TAG])),
    "empty_fields" / Const(_EMPTY_CIPHERING_FIELDS),
    "ciphered_service_form" / Peek(BerLengthForm()),
    "ciphered_service" / BerPrefixed(
        Struct(
            "security_header" / Const(SECURITY_HEADER),
            "apdu" / AllButLast(MAC_LENGTH, GENERAL_SIGNING_APDU),
            "mac" / Bytes(MAC_LENGTH),
        ),
        this.ciphered_service_form,
    ),
)

_FRAME_STRUCT = Struct(
    "tag" / Peek(Enum(construct.Byte, general_ciphering=GENERAL_CIPHERING_TAG,
                      general_signing=GENERAL_SIGNING_TAG)),
    "body" / Switch(
        this.tag,
        {"general_ciphering": _MAC_PROTECTED, "general_signing": GENERAL_SIGNING_APDU},
        default=Reject("not a GBCS frame: the first byte must be 0xDD (general-ciphering) "
                       "or 0xDF (general-signing)"),
    ),
)


class _FrameAdapter(construct.Adapter):  # type: ignore[misc]
    """Maps the construct containers to :class:`GbcsFrame` and back."""

    def _decode(self, obj: Any, context: Any, path: str) -> GbcsFrame:
        if obj.tag == "general_ciphering":
            ciphered = obj.body.ciphered_service
            apdu, mac, ciphered_form = ciphered.apdu, bytes(ciphered.mac), obj.body.ciphered_service_form
        else:
            apdu, mac, ciphered_form = obj.body, None, None
        other = apdu.other_information
        cra = Cra(apdu.cra) if apdu.cra in (1, 2, 3) else apdu.cra
        try:
            return GbcsFrame(
                cra=cra,
                originator_counter=apdu.originator_counter,
                originator=bytes(apdu.originator),
                recipient=bytes(apdu.recipient),
                message_code=other["message_code"],
                content=bytes(apdu.content),
                date_time=None if apdu.date_time is None else bytes(apdu.date_time),
                supplementary_remote_party_id=other["supplementary_remote_party_id"],
                supplementary_remote_party_counter=other["supplementary_remote_party_counter"],
                supplementary_originator_counter=other["supplementary_originator_counter"],
                supplementary_certificate=other["supplementary_certificate"],
                signature=None if apdu.signature is None else bytes(apdu.signature),
                mac=mac,
                length_forms=LengthForms(
                    ciphered_service=ciphered_form,
                    other_information=apdu.other_information_form,
                    content=apdu.content_form,
                    signature=apdu.signature_form if apdu.signature is not None else None,
                ),
            )
        except CodecError as exc:
            raise construct.ExplicitError(exc.reason, path=path) from None

    def _encode(self, obj: GbcsFrame, context: Any, path: str) -> dict[str, Any]:
        apdu = _apdu_container(obj, signature=obj.signature)
        if obj.mac is None:
            return {"tag": "general_signing", "body": apdu}
        return {
            "tag": "general_ciphering",
            "body": {
                "ciphered_service_form": obj.length_forms.ciphered_service,
                "ciphered_service": {"apdu": apdu, "mac": obj.mac},
            },
        }


def _apdu_container(frame: GbcsFrame, *, signature: bytes | None) -> dict[str, Any]:
    forms = frame.length_forms
    return {
        "cra": int(frame.cra),
        "originator_counter": frame.originator_counter,
        "originator": frame.originator,
        "recipient": frame.recipient,
        "date_time": frame.date_time,
        "other_information_form": forms.other_information,
        "other_information": _other_information_fields(frame),
        "content_form": forms.content,
        "content": frame.content,
        "signature_form": forms.signature,
        "signature": signature,
    }


GBCS_FRAME = _FrameAdapter(_FRAME_STRUCT)


def parse_frame(data: bytes) -> GbcsFrame:
    """Parse one whole GBCS frame; raise CodecError with field path, offset and bytes."""
    frame: GbcsFrame = parse_whole(GBCS_FRAME, data, root="gbcs")
    return frame


def encode_frame(frame: GbcsFrame) -> bytes:
    """Encode a whole GBCS frame."""
    return build_whole(GBCS_FRAME, frame, root="gbcs")


def encode_general_signing(frame: GbcsFrame, *, with_signature: bool = True) -> bytes:
    """Encode the frame's general-signing APDU (``DF`` ... signature), the MAC's input.

    With ``with_signature=False`` the signature field is left out: the APDU ends with the
    content, as it does before signing.
    """
    container = _apdu_container(frame, signature=frame.signature if with_signature else None)
    return build_whole(GENERAL_SIGNING_APDU, container, root="gbcs")
