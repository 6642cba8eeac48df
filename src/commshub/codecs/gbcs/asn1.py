"""ASN.1 DER payloads of the GBCS security, join, firmware, clock and GPF device-log use cases.

The types live in ``gbcs.asn`` beside this file and are compiled once with asn1tools (DER
codec). :func:`decode_asn1` picks the type from the message code and CRA flag, decodes the
content and re-encodes it to tell whether DER re-encoding is byte-exact: a few RTDS payloads
use non-shortest BER lengths (for example ``30 82 00 9F``), which DER cannot reproduce, so a
decoded payload always keeps its original bytes and a frame never loses them.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import asn1tools
from asn1tools.codecs import ber as asn1_ber
from asn1tools.codecs import der as asn1_der

from commshub.codecs.gbcs.tables import Cra
from commshub.errors import CodecError

__all__ = ["Asn1Payload", "asn1_to_json", "asn1_type_for", "decode_asn1", "encode_asn1", "schema"]

_CS02B_CODES = range(0x0100, 0x010A)
_CS02G_CODES = (0x0125, 0x0126)
_JOIN_CODES = (0x000D, 0x000E, 0x00AB, 0x00AF)
_UNJOIN_CODES = (0x000F, 0x0010)

# (message code, CRA flag) -> ASN.1 type, for commands and responses.
_COMMAND_RESPONSE_TYPES: dict[int, tuple[str, str]] = {
    0x0008: ("ProvideSecurityCredentialDetailsCommand", "ProvideSecurityCredentialDetailsResponse"),
    0x011B: ("ProvideSecurityCredentialDetailsCommand", "ProvideSecurityCredentialDetailsResponse"),
    0x000A: ("IssueSecurityCredentialsCommand", "IssueSecurityCredentialsResponse"),
    0x000B: ("UpdateDeviceCertificateCommand", "UpdateDeviceCertificateResponse"),
    0x000C: ("ProvideDeviceCertificateCommand", "ProvideDeviceCertificateResponse"),
    0x0012: ("ActivateFirmwareCommand", "ActivateFirmwareResponse"),
    0x0013: ("ReadDeviceJoinDetailsCommand", "ReadDeviceJoinDetailsResponse"),
    0x007F: ("SetTimeCommand", "SetTimeResponse"),
    0x008C: ("GpfDeviceLogRestoreCommand", "GpfDeviceLogRestoreResponse"),
    0x0129: ("ReadFirmwareVersionCommand", "ReadFirmwareVersionResponse"),
    **{code: ("UpdateSecurityCredentialsCommand", "UpdateSecurityCredentialsResponse")
       for code in (*_CS02B_CODES, *_CS02G_CODES)},
    **{code: ("JoinDeviceCommand", "JoinDeviceResponse") for code in _JOIN_CODES},
    **{code: ("UnjoinDeviceCommand", "UnjoinDeviceResponse") for code in _UNJOIN_CODES},
}

# Message code -> ASN.1 type of the alert (CRA flag 3).
_ALERT_TYPES: dict[int, str] = {
    0x00CA: "ActivateFirmwareAlert",  # future-dated CS06 outcome
    0x00CB: "UpdateSecurityCredentialsAlert",  # future-dated CS02b outcome
    0x0124: "UpdateSecurityCredentialsAlert",  # future-dated CS02g outcome
    0x0128: "FirmwareTransferAlert",  # CCS08
    0x0129: "FirmwareVersionAlert",  # CS08 alert 0x8F8B
    0x012B: "FirmwareVersionAlert",  # CS09
    0x00B2: "GpfDeviceLogBackupAlert",  # GCS62
}


@dataclass(frozen=True)
class Asn1Payload:
    """A decoded ASN.1 payload: its type, the asn1tools value and the original DER bytes.

    ``der_exact`` tells whether DER re-encoding of ``value`` gives ``raw`` again.
    """

    type_name: str
    value: Any
    raw: bytes
    der_exact: bool

    def to_bytes(self) -> bytes:
        """Return the payload's wire bytes (the original ones, so round trips are exact)."""
        return self.raw


@functools.lru_cache(maxsize=1)
def schema() -> Any:
    """Return the compiled GBCS ASN.1 module (asn1tools, DER codec)."""
    text = resources.files("commshub.codecs.gbcs").joinpath("gbcs.asn").read_text(encoding="utf-8")
    specification = asn1tools.compile_string(text, "der")
    _check_sequence_of_tags(specification)
    return specification


def _check_sequence_of_tags(specification: Any) -> None:
    """Make every SEQUENCE OF decoder in ``specification`` reject an element with a wrong tag.

    NOTE: the DER SEQUENCE OF decoder of asn1tools 0.169.0 ignores the tag-mismatch result of
    its element decoder, so one element with a wrong tag (``30 03 02 01 05`` for a SEQUENCE OF
    SEQUENCE) makes it loop forever without consuming input. Its BER decoder has the check, so
    this function adds the same check to the DER decoders of this module's types only.
    """
    seen: set[int] = set()
    pending: list[Any] = [compiled.type for compiled in specification.types.values()]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, asn1_ber.Type):
            if isinstance(item, asn1_der.ArrayType):
                item.decode_content = functools.partial(_decode_elements, item)
            pending.extend(vars(item).values())


def _decode_elements(array: Any, data: bytearray, offset: int, length: int) -> tuple[list[Any], int]:
    """Decode the elements of a SEQUENCE OF, raising DecodeTagError on an element's wrong tag."""
    elements = []
    end = offset + length
    while offset < end:
        element, offset = array.element_type.decode(data, offset)
        asn1_ber.check_decode_error(array.element_type, element, data, offset)
        elements.append(element)
    return elements, offset


def asn1_type_for(message_code: int, cra: Cra | int) -> str | None:
    """Return the ASN.1 type of a use case's payload, or None when it is not ASN.1."""
    if int(cra) == Cra.ALERT:
        return _ALERT_TYPES.get(message_code)
    pair = _COMMAND_RESPONSE_TYPES.get(message_code)
    if pair is None:
        return None
    return pair[0] if int(cra) == Cra.COMMAND else pair[1]


def decode_asn1(content: bytes, message_code: int, cra: Cra | int) -> Asn1Payload:
    """Decode an ASN.1 payload; raise CodecError for an unknown use case or invalid DER."""
    type_name = asn1_type_for(message_code, cra)
    if type_name is None:
        raise CodecError(
            f"message code 0x{message_code:04X} with CRA flag {int(cra)} has no known ASN.1 payload",
            path=("asn1",), offset=0, data=content,
        )
    try:
        value, end = schema().decode_with_length(type_name, bytes(content))
    except asn1tools.Error as exc:
        offset = getattr(exc, "offset", None)
        raise CodecError(f"invalid {type_name}: {exc}", path=("asn1", type_name),
                         offset=offset if isinstance(offset, int) else 0, data=content) from None
    except (ValueError, TypeError, IndexError, KeyError, UnicodeDecodeError, OverflowError) as exc:
        # asn1tools lets a few Python errors through on malformed input; they are the input's fault.
        raise CodecError(f"invalid {type_name}: {type(exc).__name__}: {exc}", path=("asn1", type_name),
                         offset=0, data=content) from None
    if end != len(content):
        raise CodecError(f"{len(content) - end} trailing bytes after the {type_name}",
                         path=("asn1", type_name), offset=end, data=content)
    try:
        exact = encode_asn1(type_name, value) == bytes(content)
    except CodecError:
        exact = False
    return Asn1Payload(type_name, value, bytes(content), exact)


def encode_asn1(type_name: str, value: Any) -> bytes:
    """DER-encode ``value`` as ``type_name``; raise CodecError naming the type on failure."""
    try:
        return bytes(schema().encode(type_name, value))
    except (asn1tools.Error, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise CodecError(f"cannot encode {type_name}: {exc}", path=("asn1", type_name)) from None


def asn1_to_json(value: Any) -> Any:
    """Turn an asn1tools value into JSON-friendly data: bytes as hex, times in ISO 8601,
    BIT STRINGs as ``{"bits": "...", "length": n}``, CHOICEs as ``{"alternative": value}``."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex().upper()
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: asn1_to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [asn1_to_json(item) for item in value]
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return {value[0]: asn1_to_json(value[1])}
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], (bytes, bytearray)):
        data, length = value
        bits = "".join(f"{byte:08b}" for byte in data)[:length]
        return {"bits": bits, "length": length}
    return value
