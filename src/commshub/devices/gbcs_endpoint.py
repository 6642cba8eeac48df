"""The GBCS side of a virtual meter: command checks, then sealed responses and alerts.

A command reaches a meter unchanged from the remote party (the hub forwards it over the HAN),
and the meter checks it itself, in this order, before anything changes:

1. The frame parses, is a command (CRA flag 1) and names this device as business recipient.
2. The business originator is a remote party the device trusts.
3. The MAC checks with the key agreed between the Access Control Broker and the device
   (commands are MACed with the ACB's key for every business originator).
4. The originator counter is greater than the last one accepted from that originator.
5. A critical use case carries a signature, and every signature present verifies with the
   originator's digital signing key.

A response keeps the command's originator counter and message code and goes to the command's
originator. It is signed (no MAC header) when the command was critical, otherwise MACed with
the key agreed between the device and that remote party. Alerts use the device's own counter.

NOTE: GBCS's full list of which failure raises which alert is not public; the codes follow the
hub's choices (0x8F3D for a bad MAC or signature, 0x8F53 for a replayed counter, 0x8F30 for an
originator without authority), and an alert is sent only when the MAC proved the originator.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.crypto import Verdict
from commshub.codecs.gbcs.frame import GbcsFrame, encode_frame, parse_frame
from commshub.codecs.gbcs.tables import Cra
from commshub.devices.identity import DeviceIdentity
from commshub.errors import CodecError
from commshub.hub.gbcs_io import cosem_date_time
from commshub.hub.logs import EventCode

__all__ = [
    "CRITICAL_MESSAGE_CODES",
    "RESPONSE_DATE_TIME_CODES",
    "Accepted",
    "Rejected",
    "Rejection",
    "build_alert",
    "build_response",
    "check_command",
    "seal",
]

LOGGER = logging.getLogger(__name__)

# Use cases whose commands are critical (signed by the originator), from the DCC RTDS 4.5.0:
# every message code whose commands carry a signature there. CS02a (0x0008) and CS02f (0x011B)
# come both signed and MAC-only, so they are not in the set; their signature is checked when
# present.
CRITICAL_MESSAGE_CODES: frozenset[int] = frozenset({
    0x000A, 0x000B, 0x000C, 0x000D, 0x000F, 0x0012, 0x0019, 0x001A, 0x001B, 0x001C, 0x001D,
    0x001E, 0x001F, 0x0020, 0x0043, 0x0046, 0x004B, 0x004F, 0x0050, 0x0051, 0x0053, 0x0054,
    0x0055, 0x0062, 0x0068, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x007C, 0x007D,
    0x007E, 0x007F, 0x0081, 0x0085, 0x0086, 0x00A2, 0x00A3, 0x00AB, 0x00AF, 0x00B3, 0x00B4,
    0x00B7, 0x00C0, 0x00C2, 0x00C7, 0x00D7, 0x00D8, 0x00DB, 0x00DE, 0x00FC, 0x0102, 0x0103,
    0x0105, 0x0106, 0x0107, 0x0108, 0x011A, 0x011E, 0x011F, 0x0125, 0x0126,
})

# Use cases whose meter responses carry the grouping header's date-time (the meter's time of
# execution), from the DCC RTDS 4.5.0 ESME (DLMS) and GSME (GBZ) responses.
RESPONSE_DATE_TIME_CODES: frozenset[int] = frozenset({
    0x0007, 0x0012, 0x0019, 0x001A, 0x001B, 0x001F, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A,
    0x002B, 0x002C, 0x002D, 0x0039, 0x0043, 0x0054, 0x00A2, 0x00B7, 0x00BC, 0x00C7, 0x00DE,
    0x0102, 0x0103, 0x0104, 0x0106, 0x0107, 0x0108, 0x0109, 0x011A, 0x0126,
    0x006B, 0x006C, 0x006D, 0x006F, 0x0074, 0x0075, 0x0097, 0x00A3, 0x00B6, 0x00B8, 0x012A,
})


class Rejection(enum.Enum):
    """Reasons a device rejects a command."""

    UNDECODABLE = "undecodable"
    NOT_A_COMMAND = "not_a_command"
    WRONG_RECIPIENT = "wrong_recipient"
    UNKNOWN_ORIGINATOR = "unknown_originator"
    BAD_MAC = "bad_mac"
    REPLAYED = "replayed"
    MISSING_SIGNATURE = "missing_signature"
    BAD_SIGNATURE = "bad_signature"

    @property
    def alert_code(self) -> int | None:
        """The GBCS alert code the device logs (None: nothing to log, the frame is not ours)."""
        return _ALERT_CODES.get(self)


_ALERT_CODES: dict[Rejection, int] = {
    Rejection.UNKNOWN_ORIGINATOR: EventCode.UNAUTHORISED_COMMUNICATION_ACCESS,
    Rejection.BAD_MAC: EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE,
    Rejection.REPLAYED: EventCode.AUTHENTICATION_OR_AUTHORISATION_FAILED,
    Rejection.MISSING_SIGNATURE: EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE,
    Rejection.BAD_SIGNATURE: EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE,
}
# Failures found after the MAC proved who sent the command: the device alerts that party.
_ALERTED = frozenset({Rejection.REPLAYED, Rejection.MISSING_SIGNATURE, Rejection.BAD_SIGNATURE})


@dataclass(frozen=True)
class Accepted:
    """A command that passed every check; ``critical`` means its response must be signed."""

    frame: GbcsFrame
    critical: bool


@dataclass(frozen=True)
class Rejected:
    """A refused command; ``frame`` is None when the bytes did not parse."""

    reason: Rejection
    detail: str
    frame: GbcsFrame | None = None

    @property
    def alert(self) -> bool:
        """True when the device sends the originator an alert about the failure."""
        return self.reason in _ALERTED


def check_command(data: bytes, identity: DeviceIdentity,
                  counters: Mapping[bytes, int]) -> Accepted | Rejected:
    """Run the checks of the module docstring; ``counters`` maps originators to their last
    accepted counter. Changes nothing: the caller records the counter of an accepted command."""
    try:
        frame = parse_frame(data)
    except CodecError as exc:
        return Rejected(Rejection.UNDECODABLE, str(exc))
    if int(frame.cra) != Cra.COMMAND:
        return Rejected(Rejection.NOT_A_COMMAND, f"CRA flag {int(frame.cra)}", frame)
    if frame.recipient != identity.entity_id:
        return Rejected(Rejection.WRONG_RECIPIENT, f"recipient {frame.recipient.hex()}", frame)
    if not identity.trusts(frame.originator):
        return Rejected(Rejection.UNKNOWN_ORIGINATOR, f"originator {frame.originator.hex()}", frame)
    if crypto.check_mac(frame, identity.keys, acb=identity.acb) is not Verdict.VALID:
        return Rejected(Rejection.BAD_MAC, "MAC missing or invalid", frame)
    last = counters.get(frame.originator)
    if last is not None and frame.originator_counter <= last:
        return Rejected(Rejection.REPLAYED,
                        f"originator counter {frame.originator_counter} is not above {last}", frame)
    signed = bool(frame.signature)
    critical = frame.message_code in CRITICAL_MESSAGE_CODES
    if critical and not signed:
        return Rejected(Rejection.MISSING_SIGNATURE,
                        f"critical use case 0x{frame.message_code:04X} without a signature", frame)
    if signed:
        verdict = crypto.verify_signature(frame, identity.keys)
        if verdict is not Verdict.VALID:
            detail = "unknown signer key" if verdict is Verdict.UNKNOWN else "signature invalid"
            return Rejected(Rejection.BAD_SIGNATURE, detail, frame)
    return Accepted(frame, critical or signed)


def seal(frame: GbcsFrame, identity: DeviceIdentity, *, critical: bool) -> bytes:
    """Sign a critical message (no MAC header), or MAC a non-critical one; return its bytes."""
    if critical:
        return encode_frame(crypto.sign(frame.replace(mac=None), identity.keys))
    return encode_frame(crypto.mac_frame(frame.replace(signature=b""), identity.keys, acb=identity.acb))


def build_response(command: Accepted, identity: DeviceIdentity, content: bytes, *, at: int) -> bytes:
    """Build the response to an accepted command, dated ``at`` where the use case requires it."""
    frame = command.frame
    response = GbcsFrame.response(
        originator=identity.entity_id, recipient=frame.originator,
        originator_counter=frame.originator_counter, message_code=frame.message_code,
        content=content, mac_header=not command.critical,
        date_time=cosem_date_time(at) if frame.message_code in RESPONSE_DATE_TIME_CODES else None,
        supplementary_remote_party_id=frame.supplementary_remote_party_id,
        supplementary_remote_party_counter=frame.supplementary_remote_party_counter,
    )
    return seal(response, identity, critical=command.critical)


def build_alert(identity: DeviceIdentity, *, recipient: bytes, counter: int, message_code: int,
                content: bytes, critical: bool) -> bytes:
    """Build an alert from the device to a remote party."""
    frame = GbcsFrame.alert(originator=identity.entity_id, recipient=recipient,
                            originator_counter=counter, message_code=message_code,
                            content=content, mac_header=not critical)
    return seal(frame, identity, critical=critical)
