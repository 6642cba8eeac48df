"""GBZ payloads: ZigBee Smart Energy content of GBCS messages for gas meters and HAN devices.

Layouts (GBCS section 7.3; as decoded by wireshark ``packet-gbcs.c`` and SmartDCCInnovation/
gbcs-parser ``src/zigbee.ts``). All GBZ header fields are big-endian; the ZCL payload inside a
component keeps ZCL's own little-endian encoding and is carried as bytes here::

    command / response:  01 09 <count> <component>...
    component:           <extended header control> <cluster ID, 2> <length, 2>
                         [<from date-time, 4>]                    control bit 0x10
                         [<additional header control> <frame counter>]   control bit 0x02
                         <ZCL frame control> <ZCL sequence number> <ZCL command ID>
                         <ZCL payload> | <ciphered length, 2> <security header, 5> <ciphertext || tag>
    alert:               01 09 <count> <alert code, 2> <timestamp, 4> [<use-case body>]

Alert bodies by message code: 0x00CD future-dated outcome (``0E`` + message code, originator
counter, cluster, frame control, command ID), 0x00CF firmware receipt (``09 20`` + 32-octet
image hash), 0x00F2 meter integrity warning (2 octets), 0x008B GCS53 billing data log (one
component); other alerts carry no body or one kept as bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import construct
from construct import (
    Byte,
    Const,
    GreedyBytes,
    If,
    Int16ub,
    Int32ub,
    Int64ub,
    Prefixed,
    PrefixedArray,
    Struct,
    this,
)

from commshub.codecs.gbcs.ber import build_whole, parse_whole
from commshub.errors import CodecError

__all__ = [
    "ENCRYPTED_COMPONENT",
    "ENCRYPTED_SECURITY_CONTROL",
    "FROM_DATE_TIME_PRESENT",
    "GBZ_COMPONENT",
    "GBZ_PROFILE_ID",
    "LAST_COMPONENT",
    "AlertBody",
    "FirmwareReceipt",
    "FutureDatedOutcome",
    "GbzAlert",
    "GbzComponent",
    "GbzEncryption",
    "GbzPayload",
    "IntegrityWarning",
    "build_gbz",
    "build_gbz_alert",
    "parse_gbz",
    "parse_gbz_alert",
]

GBZ_PROFILE_ID = 0x0109  # ZigBee Smart Energy profile ID, the first two octets of a GBZ payload
LAST_COMPONENT = 0x01  # extended header control: this is the last component
ENCRYPTED_COMPONENT = 0x02  # extended header control: the ZCL payload is encrypted
FROM_DATE_TIME_PRESENT = 0x10  # extended header control: a from date-time precedes the ZCL header
ENCRYPTED_SECURITY_CONTROL = 0x31  # security control of encrypted parts: encryption + authentication
FIRMWARE_HASH_LENGTH = 32  # SHA-256 of the manufacturer image
_OCTET_STRING_TAG = 0x09  # the hash is written as an A-XDR octet-string: 09 20 <32 octets>

_FUTURE_DATED_CODE = 0x00CD
_FIRMWARE_RECEIPT_CODE = 0x00CF
_INTEGRITY_WARNING_CODE = 0x00F2
_BILLING_DATA_LOG_CODE = 0x008B


@dataclass(frozen=True)
class GbzEncryption:
    """The extra fields of an encrypted component; ``ciphertext`` ends with the 12-octet tag."""

    additional_header_control: int
    additional_frame_counter: int
    ciphertext: bytes
    security_control: int = ENCRYPTED_SECURITY_CONTROL
    invocation_counter: int = 0


@dataclass(frozen=True)
class GbzComponent:
    """One GBZ use-case component: a ZCL command or response for one cluster.

    ``control`` is the extended header control octet; its bits 0x10 and 0x02 must agree with
    ``from_date_time`` and ``encryption`` being present. ``payload`` is the plaintext ZCL
    payload (empty for an encrypted component, whose content is in ``encryption``).
    ``from_date_time`` counts seconds since 2000-01-01 00:00:00 UTC (ZigBee UTCTime).
    """

    control: int
    cluster: int
    frame_control: int
    sequence_number: int
    command_id: int
    payload: bytes = b""
    from_date_time: int | None = None
    encryption: GbzEncryption | None = None

    def __post_init__(self) -> None:
        if bool(self.control & FROM_DATE_TIME_PRESENT) != (self.from_date_time is not None):
            raise CodecError("from_date_time must be given exactly when control bit 0x10 is set",
                             path=("gbz", "component", "from_date_time"))
        if bool(self.control & ENCRYPTED_COMPONENT) != (self.encryption is not None):
            raise CodecError("encryption must be given exactly when control bit 0x02 is set",
                             path=("gbz", "component", "encryption"))
        if self.encryption is not None and self.payload:
            raise CodecError("an encrypted component carries its payload in encryption.ciphertext",
                             path=("gbz", "component", "payload"))

    @property
    def is_last(self) -> bool:
        return bool(self.control & LAST_COMPONENT)


@dataclass(frozen=True)
class GbzPayload:
    """A GBZ command or response: its components in order."""

    components: tuple[GbzComponent, ...]


@dataclass(frozen=True)
class FutureDatedOutcome:
    """Body of alert 0x8F66/0x8F67 (message code 0x00CD): which future-dated command ran."""

    message_code: int
    originator_counter: int
    cluster: int
    frame_control: int
    command_id: int


@dataclass(frozen=True)
class FirmwareReceipt:
    """Body of alert 0x8F72/0x8F1C (message code 0x00CF): the calculated image hash."""

    image_hash: bytes


@dataclass(frozen=True)
class IntegrityWarning:
    """Body of alert 0x81A0 (message code 0x00F2): the meter integrity issue code."""

    warning: int


AlertBody = FutureDatedOutcome | FirmwareReceipt | IntegrityWarning | GbzComponent | bytes


@dataclass(frozen=True)
class GbzAlert:
    """A GBZ alert. ``timestamp`` counts seconds since 2000-01-01 00:00:00 UTC.

    ``component_count`` is the count octet as sent: 0 for an alert without body, 1 with one.
    """

    alert_code: int
    timestamp: int
    body: AlertBody = b""
    component_count: int = 0


# --- construct declarations --------------------------------------------------------------

_ENCRYPTED_PART = Prefixed(Int16ub, Struct(
    "security_control" / Byte,
    "invocation_counter" / Int32ub,
    "ciphertext" / GreedyBytes,
))

_COMPONENT_STRUCT = Struct(
    "control" / Byte,
    "cluster" / Int16ub,
    "body" / Prefixed(Int16ub, Struct(
        "from_date_time" / If(this._.control & FROM_DATE_TIME_PRESENT, Int32ub),
        "additional_header" / If(this._.control & ENCRYPTED_COMPONENT, Struct(
            "control" / Byte,
            "frame_counter" / Byte,
        )),
        "frame_control" / Byte,
        "sequence_number" / Byte,
        "command_id" / Byte,
        "encrypted" / If(this._.control & ENCRYPTED_COMPONENT, _ENCRYPTED_PART),
        "payload" / If(lambda ctx: not ctx._.control & ENCRYPTED_COMPONENT, GreedyBytes),
    )),
)


class _ComponentAdapter(construct.Adapter):  # type: ignore[misc]
    def _decode(self, obj: Any, context: Any, path: str) -> GbzComponent:
        body = obj.body
        encryption = None
        if body.encrypted is not None:
            encryption = GbzEncryption(
                additional_header_control=body.additional_header.control,
                additional_frame_counter=body.additional_header.frame_counter,
                ciphertext=bytes(body.encrypted.ciphertext),
                security_control=body.encrypted.security_control,
                invocation_counter=body.encrypted.invocation_counter,
            )
        return GbzComponent(
            control=obj.control, cluster=obj.cluster, frame_control=body.frame_control,
            sequence_number=body.sequence_number, command_id=body.command_id,
            payload=b"" if body.payload is None else bytes(body.payload),
            from_date_time=body.from_date_time, encryption=encryption,
        )

    def _encode(self, obj: GbzComponent, context: Any, path: str) -> dict[str, Any]:
        encryption = obj.encryption
        return {
            "control": obj.control,
            "cluster": obj.cluster,
            "body": {
                "from_date_time": obj.from_date_time,
                "additional_header": None if encryption is None else {
                    "control": encryption.additional_header_control,
                    "frame_counter": encryption.additional_frame_counter,
                },
                "frame_control": obj.frame_control,
                "sequence_number": obj.sequence_number,
                "command_id": obj.command_id,
                "encrypted": None if encryption is None else {
                    "security_control": encryption.security_control,
                    "invocation_counter": encryption.invocation_counter,
                    "ciphertext": encryption.ciphertext,
                },
                "payload": obj.payload if encryption is None else None,
            },
        }


GBZ_COMPONENT = _ComponentAdapter(_COMPONENT_STRUCT)

_PROFILE = Const(GBZ_PROFILE_ID.to_bytes(2, "big"))

_GBZ_PAYLOAD = Struct(
    "profile" / _PROFILE,
    "components" / PrefixedArray(Byte, GBZ_COMPONENT),
)

_ALERT_HEADER = Struct(
    "profile" / _PROFILE,
    "component_count" / Byte,
    "alert_code" / Int16ub,
    "timestamp" / Int32ub,
    "body" / GreedyBytes,
)

_FUTURE_DATED_BODY = Prefixed(Byte, Struct(
    "message_code" / Int16ub,
    "originator_counter" / Int64ub,
    "cluster" / Int16ub,
    "frame_control" / Byte,
    "command_id" / Byte,
))

_FIRMWARE_RECEIPT_BODY = Struct(
    "tag" / Const(bytes([_OCTET_STRING_TAG])),
    "image_hash" / Prefixed(Byte, GreedyBytes),
)


def parse_gbz(data: bytes) -> GbzPayload:
    """Parse a GBZ command or response payload."""
    parsed = parse_whole(_GBZ_PAYLOAD, data, root="gbz")
    return GbzPayload(tuple(parsed.components))


def build_gbz(payload: GbzPayload) -> bytes:
    """Encode a GBZ command or response payload."""
    return build_whole(_GBZ_PAYLOAD, {"components": list(payload.components)}, root="gbz")


def parse_gbz_alert(data: bytes, message_code: int) -> GbzAlert:
    """Parse a GBZ alert payload; ``message_code`` selects how its body is decoded."""
    header = parse_whole(_ALERT_HEADER, data, root="gbz_alert")
    raw = bytes(header.body)
    body: AlertBody = raw
    if raw:
        offset = len(data) - len(raw)
        try:
            body = _parse_alert_body(raw, message_code)
        except CodecError as exc:
            raise CodecError(exc.reason, path=("gbz_alert", "body", *exc.path[1:]),
                             offset=None if exc.offset is None else offset + exc.offset, data=bytes(data)) from None
    return GbzAlert(alert_code=header.alert_code, timestamp=header.timestamp, body=body,
                    component_count=header.component_count)


def _parse_alert_body(raw: bytes, message_code: int) -> AlertBody:
    if message_code == _FUTURE_DATED_CODE:
        parsed = parse_whole(_FUTURE_DATED_BODY, raw, root="body")
        return FutureDatedOutcome(parsed.message_code, parsed.originator_counter, parsed.cluster,
                                  parsed.frame_control, parsed.command_id)
    if message_code == _FIRMWARE_RECEIPT_CODE:
        parsed = parse_whole(_FIRMWARE_RECEIPT_BODY, raw, root="body")
        return FirmwareReceipt(bytes(parsed.image_hash))
    if message_code == _INTEGRITY_WARNING_CODE:
        return IntegrityWarning(parse_whole(Int16ub, raw, root="body"))
    if message_code == _BILLING_DATA_LOG_CODE:
        component: GbzComponent = parse_whole(GBZ_COMPONENT, raw, root="body")
        return component
    return raw


def build_gbz_alert(alert: GbzAlert) -> bytes:
    """Encode a GBZ alert payload."""
    body = alert.body
    if isinstance(body, FutureDatedOutcome):
        raw = build_whole(_FUTURE_DATED_BODY, vars(body), root="gbz_alert")
    elif isinstance(body, FirmwareReceipt):
        raw = build_whole(_FIRMWARE_RECEIPT_BODY, {"image_hash": body.image_hash}, root="gbz_alert")
    elif isinstance(body, IntegrityWarning):
        raw = build_whole(Int16ub, body.warning, root="gbz_alert")
    elif isinstance(body, GbzComponent):
        raw = build_whole(GBZ_COMPONENT, body, root="gbz_alert")
    else:
        raw = bytes(body)
    header = {"component_count": alert.component_count, "alert_code": alert.alert_code,
              "timestamp": alert.timestamp, "body": raw}
    return build_whole(_ALERT_HEADER, header, root="gbz_alert")
