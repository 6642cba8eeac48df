"""ACSE APDUs of DLMS/COSEM associations (IEC 62056-5-3, after ISO/IEC 8650-1 ACSE):
AARQ, AARE, RLRQ and RLRE, in BER with short and long-form lengths.

Each APDU is a frozen dataclass. Its components are declared once, in a table of (field, context
tag, form) that both the parser and the builder walk. The user-information contains the xDLMS
InitiateRequest/InitiateResponse (or their ciphered forms) as octets; :func:`parse_apdu` decodes
them.

A length written in a needlessly long form (for example ``61 82 00 35``, where ``61 35`` would
do) is kept in the APDU's ``length_forms`` so that it rebuilds byte for byte. APDUs built from
scratch use the shortest forms. Equality ignores ``length_forms``, as it ignores the recorded
forms of A-XDR data.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from typing import Any, ClassVar

import construct

from commshub.codecs.dlms.axdr import length_form, read_length, write_length
from commshub.codecs.dlms.fields import Block
from commshub.codecs.dlms.xdlms import Apdu, ApduTag
from commshub.errors import CodecError

__all__ = [
    "ACSE_DECLARATIONS",
    "APPLICATION_CONTEXT_LN",
    "APPLICATION_CONTEXT_LN_CIPHERING",
    "APPLICATION_CONTEXT_SN",
    "APPLICATION_CONTEXT_SN_CIPHERING",
    "MECHANISM_HIGH_ECDSA",
    "MECHANISM_HIGH_GMAC",
    "MECHANISM_LOW",
    "MECHANISM_LOWEST",
    "Aare",
    "Aarq",
    "AuthenticationValue",
    "LengthForms",
    "ResultSourceDiagnostic",
    "Rlre",
    "Rlrq",
    "ber_length",
    "read_ber_length",
]

# Object identifier contents (after the 06 tag and length) as the DLMS UA assigns them:
# joint-iso-ccitt(2) country(16) country-name(756) identified-organization(5) DLMS-UA(8) ...
APPLICATION_CONTEXT_LN = bytes.fromhex("60857405080101")
APPLICATION_CONTEXT_SN = bytes.fromhex("60857405080102")
APPLICATION_CONTEXT_LN_CIPHERING = bytes.fromhex("60857405080103")
APPLICATION_CONTEXT_SN_CIPHERING = bytes.fromhex("60857405080104")
MECHANISM_LOWEST = bytes.fromhex("60857405080200")
MECHANISM_LOW = bytes.fromhex("60857405080201")
MECHANISM_HIGH_GMAC = bytes.fromhex("60857405080205")
MECHANISM_HIGH_ECDSA = bytes.fromhex("60857405080207")

# Universal tags inside EXPLICIT components.
_INTEGER = 0x02
_OCTET_STRING = 0x04
_OBJECT_IDENTIFIER = 0x06


# Needlessly long length forms read from the wire, as (place, form) pairs, where ``form`` is the
# number of length octets after the 0x80 | n octet. The places are "" for the APDU's own length,
# the field name for a component's length, "<field>.inner" for the length of the value inside an
# EXPLICIT component, and "<field>.integer" for the INTEGER inside a result-source-diagnostic.
LengthForms = tuple[tuple[str, int], ...]


def ber_length(length: int, form: int | None = None) -> bytes:
    """Encode a BER definite length in its shortest form, or in the long form with ``form``
    length octets (the same octets as an A-XDR length)."""
    out = bytearray()
    write_length(length, out, form)
    return bytes(out)


def read_ber_length(buf: bytes, pos: int, path: str) -> tuple[int, int]:
    """Read a BER definite length at ``pos``, which A-XDR shares; the indefinite form 0x80 is
    rejected. Return (length, position after it)."""
    return read_length(buf, pos, path)


def _tlv(tag: int, content: bytes, form: int | None = None) -> bytes:
    return bytes((tag,)) + ber_length(len(content), form) + content


def _ber_integer(value: int) -> bytes:
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return value.to_bytes(size, "big", signed=True)


@dataclass(frozen=True, slots=True)
class AuthenticationValue:
    """Authentication-value CHOICE: ``tag`` is its context tag octet (0x80 charstring, the
    password or challenge DLMS uses; 0x81 bitstring; 0xA2 external; 0xA3 other)."""

    value: bytes
    tag: int = 0x80


@dataclass(frozen=True, slots=True)
class ResultSourceDiagnostic:
    """Associate-source-diagnostic: ``source`` 1 = acse-service-user, 2 = acse-service-provider;
    ``diagnostic`` 0 = null, 1 = no reason given, 2 = application context name not supported,
    13 = authentication required, and so on (IEC 62056-5-3)."""

    source: int
    diagnostic: int


@dataclass(frozen=True, slots=True)
class Aarq(Apdu):
    """AARQ (0x60). AP titles and AE qualifiers are the octets inside their OCTET STRING;
    ``*_invocation_id`` are integers; ``*_acse_requirements`` and ``protocol_version`` are the
    BIT STRING contents (first octet = unused bits); ``user_information`` is the xDLMS APDU."""

    TAG: ClassVar[int] = ApduTag.AARQ
    protocol_version: bytes | None = None
    application_context_name: bytes | None = APPLICATION_CONTEXT_LN
    called_ap_title: bytes | None = None
    called_ae_qualifier: bytes | None = None
    called_ap_invocation_id: int | None = None
    called_ae_invocation_id: int | None = None
    calling_ap_title: bytes | None = None
    calling_ae_qualifier: bytes | None = None
    calling_ap_invocation_id: int | None = None
    calling_ae_invocation_id: int | None = None
    sender_acse_requirements: bytes | None = None
    mechanism_name: bytes | None = None
    calling_authentication_value: AuthenticationValue | None = None
    implementation_information: bytes | None = None
    user_information: bytes | None = None
    length_forms: LengthForms = dataclass_field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Aare(Apdu):
    """AARE (0x61); ``result`` 0 accepted, 1 rejected-permanent, 2 rejected-transient."""

    TAG: ClassVar[int] = ApduTag.AARE
    protocol_version: bytes | None = None
    application_context_name: bytes | None = APPLICATION_CONTEXT_LN
    result: int | None = 0
    result_source_diagnostic: ResultSourceDiagnostic | None = ResultSourceDiagnostic(1, 0)
    responding_ap_title: bytes | None = None
    responding_ae_qualifier: bytes | None = None
    responding_ap_invocation_id: int | None = None
    responding_ae_invocation_id: int | None = None
    responder_acse_requirements: bytes | None = None
    mechanism_name: bytes | None = None
    responding_authentication_value: AuthenticationValue | None = None
    implementation_information: bytes | None = None
    user_information: bytes | None = None
    length_forms: LengthForms = dataclass_field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Rlrq(Apdu):
    """RLRQ (0x62); ``reason`` 0 normal, 1 urgent, 30 user-defined."""

    TAG: ClassVar[int] = ApduTag.RLRQ
    reason: int | None = None
    user_information: bytes | None = None
    length_forms: LengthForms = dataclass_field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Rlre(Apdu):
    """RLRE (0x63); ``reason`` 0 normal, 1 not-finished, 30 user-defined."""

    TAG: ClassVar[int] = ApduTag.RLRE
    reason: int | None = None
    user_information: bytes | None = None
    length_forms: LengthForms = dataclass_field(default=(), compare=False)


# Forms of a component's content:
#   "bits"    [n] IMPLICIT BIT STRING or GraphicString: the content octets as they are
#   "oid"     [n] IMPLICIT OBJECT IDENTIFIER: the content octets
#   "integer" [n] IMPLICIT INTEGER: an int
#   "e-oid"   [n] EXPLICIT OBJECT IDENTIFIER: the identifier's content octets
#   "e-octets" [n] EXPLICIT OCTET STRING (AP-title, AE-qualifier, user-information): the octets
#   "e-integer" [n] EXPLICIT INTEGER: an int
#   "auth"    [n] EXPLICIT Authentication-value: AuthenticationValue
#   "diag"    [3] EXPLICIT Associate-source-diagnostic: ResultSourceDiagnostic
_AARQ_LAYOUT = (
    ("protocol_version", 0x80, "bits"),
    ("application_context_name", 0xA1, "e-oid"),
    ("called_ap_title", 0xA2, "e-octets"),
    ("called_ae_qualifier", 0xA3, "e-octets"),
    ("called_ap_invocation_id", 0xA4, "e-integer"),
    ("called_ae_invocation_id", 0xA5, "e-integer"),
    ("calling_ap_title", 0xA6, "e-octets"),
    ("calling_ae_qualifier", 0xA7, "e-octets"),
    ("calling_ap_invocation_id", 0xA8, "e-integer"),
    ("calling_ae_invocation_id", 0xA9, "e-integer"),
    ("sender_acse_requirements", 0x8A, "bits"),
    ("mechanism_name", 0x8B, "oid"),
    ("calling_authentication_value", 0xAC, "auth"),
    ("implementation_information", 0x9D, "bits"),
    ("user_information", 0xBE, "e-octets"),
)
_AARE_LAYOUT = (
    ("protocol_version", 0x80, "bits"),
    ("application_context_name", 0xA1, "e-oid"),
    ("result", 0xA2, "e-integer"),
    ("result_source_diagnostic", 0xA3, "diag"),
    ("responding_ap_title", 0xA4, "e-octets"),
    ("responding_ae_qualifier", 0xA5, "e-octets"),
    ("responding_ap_invocation_id", 0xA6, "e-integer"),
    ("responding_ae_invocation_id", 0xA7, "e-integer"),
    ("responder_acse_requirements", 0x88, "bits"),
    ("mechanism_name", 0x89, "oid"),
    ("responding_authentication_value", 0xAA, "auth"),
    ("implementation_information", 0x9D, "bits"),
    ("user_information", 0xBE, "e-octets"),
)
_RELEASE_LAYOUT = (
    ("reason", 0x80, "integer"),
    ("user_information", 0xBE, "e-octets"),
)


class AcseApdu(Block):
    """One ACSE APDU after its application tag: a BER length and the tagged components."""

    def __init__(self, cls: type, layout: tuple[tuple[str, int, str], ...]) -> None:
        super().__init__()
        self.cls = cls
        self.layout = layout
        self.by_tag = {tag: (name, form) for name, tag, form in layout}
        names = [field.name for field in fields(cls) if field.name != "length_forms"]
        if names != [name for name, _, _ in layout]:
            raise TypeError(f"{cls.__name__} fields differ from its layout")

    def read(self, stream: Any) -> Any:
        buf: bytes = stream.getvalue()
        start = stream.tell()
        name = self.cls.__name__.lower()
        length, pos = read_ber_length(buf, start, "length")
        end = pos + length
        if end > len(buf):
            raise CodecError(f"{name} length {length} exceeds the {len(buf) - pos} octets left",
                             path=("length",), offset=start, data=buf)

        forms: list[tuple[str, int]] = []
        if buf[start] > 0x80:
            _note_form(forms, "", buf, start)
        values: dict[str, Any] = {field: None for field, _, _ in self.layout}
        seen: set[int] = set()

        while pos < end:
            tag = buf[pos]
            if tag not in self.by_tag:
                raise CodecError(f"unknown {name} component tag 0x{tag:02X}", path=(name,),
                                 offset=pos, data=buf)
            if tag in seen:
                raise CodecError(f"component tag 0x{tag:02X} appears twice", path=(name,),
                                 offset=pos, data=buf)
            seen.add(tag)
            field, kind = self.by_tag[tag]
            content_length, content_start = read_ber_length(buf, pos + 1, field)
            content_end = content_start + content_length
            if content_end > end:
                raise CodecError(f"component length {content_length} runs past the APDU",
                                 path=(field,), offset=pos + 1, data=buf)
            if buf[pos + 1] > 0x80:
                _note_form(forms, field, buf, pos + 1)
            values[field] = _decode_component(buf, content_start, content_end, kind, field, forms)
            pos = content_end

        stream.seek(end)
        if forms:
            values["length_forms"] = tuple(forms)
        return self.cls(**values)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, self.cls):
            raise construct.ExplicitError(f"expected {self.cls.__name__}, got {obj!r}", path=path)
        forms = dict(getattr(obj, "length_forms", ()))
        content = bytearray()
        for field, tag, kind in self.layout:
            value = getattr(obj, field)
            if value is None:
                continue
            try:
                content += _tlv(tag, _encode_component(value, kind, field, forms), forms.get(field))
            except (TypeError, ValueError, OverflowError, AttributeError) as exc:
                raise construct.ExplicitError(f"cannot encode {value!r}: {exc}",
                                              path=f"{path} -> {field}") from None
        data = ber_length(len(content), forms.get("")) + bytes(content)
        construct.stream_write(stream, data, len(data), path)
        return obj


def _note_form(forms: list[tuple[str, int]], place: str, buf: bytes, pos: int) -> None:
    """Record the form of the length at ``pos`` under ``place`` when it is needlessly long."""
    form = length_form(buf, pos)
    if form is not None:
        forms.append((place, form))


def _inner(buf: bytes, start: int, end: int, expected: int, field: str,
           forms: list[tuple[str, int]], suffix: str = ".inner") -> tuple[int, int]:
    """Return the content span of the one TLV with tag ``expected`` filling [start, end); a
    needlessly long length form is recorded in ``forms`` as ``field + suffix``."""
    if start >= end or buf[start] != expected:
        found = f"0x{buf[start]:02X}" if start < end else "nothing"
        raise CodecError(f"expected tag 0x{expected:02X}, found {found}", path=(field,),
                         offset=start, data=buf)
    length, pos = read_ber_length(buf, start + 1, field)
    if pos + length != end:
        raise CodecError(f"inner length {length} does not fill the component", path=(field,),
                         offset=start + 1, data=buf)
    if buf[start + 1] > 0x80:
        _note_form(forms, field + suffix, buf, start + 1)
    return pos, end


def _decode_component(buf: bytes, start: int, end: int, kind: str, field: str,
                      forms: list[tuple[str, int]]) -> Any:
    if kind in ("bits", "oid"):
        return buf[start:end]
    if kind == "integer":
        return int.from_bytes(buf[start:end], "big", signed=True)
    if kind == "e-oid":
        pos, _ = _inner(buf, start, end, _OBJECT_IDENTIFIER, field, forms)
        return buf[pos:end]
    if kind == "e-octets":
        pos, _ = _inner(buf, start, end, _OCTET_STRING, field, forms)
        return buf[pos:end]
    if kind == "e-integer":
        pos, _ = _inner(buf, start, end, _INTEGER, field, forms)
        return int.from_bytes(buf[pos:end], "big", signed=True)
    if kind == "auth":
        if start >= end:
            raise CodecError("empty authentication value", path=(field,), offset=start, data=buf)
        tag = buf[start]
        pos, _ = _inner(buf, start, end, tag, field, forms)
        return AuthenticationValue(buf[pos:end], tag)
    # "diag": [1] or [2] EXPLICIT INTEGER
    if start >= end or buf[start] not in (0xA1, 0xA2):
        raise CodecError("expected acse-service-user (A1) or acse-service-provider (A2)",
                         path=(field,), offset=start, data=buf)
    source = buf[start] & 0x1F
    pos, _ = _inner(buf, start, end, buf[start], field, forms)
    inner_pos, _ = _inner(buf, pos, end, _INTEGER, field, forms, ".integer")
    return ResultSourceDiagnostic(source, int.from_bytes(buf[inner_pos:end], "big", signed=True))


def _encode_component(value: Any, kind: str, field: str, forms: dict[str, int]) -> bytes:
    inner = forms.get(field + ".inner") if forms else None
    if kind in ("bits", "oid"):
        return bytes(value)
    if kind == "integer":
        return _ber_integer(value)
    if kind == "e-oid":
        return _tlv(_OBJECT_IDENTIFIER, bytes(value), inner)
    if kind == "e-octets":
        return _tlv(_OCTET_STRING, bytes(value), inner)
    if kind == "e-integer":
        return _tlv(_INTEGER, _ber_integer(value), inner)
    if kind == "auth":
        return _tlv(value.tag, bytes(value.value), inner)
    integer = _tlv(_INTEGER, _ber_integer(value.diagnostic), forms.get(field + ".integer") if forms else None)
    return _tlv(0xA0 | value.source, integer, inner)


ACSE_DECLARATIONS: dict[int, construct.Construct] = {
    ApduTag.AARQ: AcseApdu(Aarq, _AARQ_LAYOUT),
    ApduTag.AARE: AcseApdu(Aare, _AARE_LAYOUT),
    ApduTag.RLRQ: AcseApdu(Rlrq, _RELEASE_LAYOUT),
    ApduTag.RLRE: AcseApdu(Rlre, _RELEASE_LAYOUT),
}
