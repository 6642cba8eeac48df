"""GBCS commands that arrive over the SMWAN: security checks, then the use case.

Checks run in this order, and the first failure rejects the command (GBCS sections 4 and 7,
as far as public material describes them):

1. The frame parses and is a command (CRA flag 1).
2. The business recipient is the CHF, the GPF, or a device in the CHF device log (those
   commands go on to the HAN unchanged, see :mod:`commshub.hub.proxy`).
3. The business originator is a remote party the hub trusts.
4. The MAC checks with the key agreed between the Access Control Broker and the recipient.
5. The originator counter is greater than the last one accepted from that remote party.
6. The use case is one the recipient function (CHF or GPF) processes.
7. The originator's role may send that use case.
8. A critical use case carries a valid signature of the originator.
9. The payload decodes and has the shape the use case defines.

A rejected command changes nothing but the security log. When the frame names a trusted
originator, the hub also sends it a Generic Critical Alert (message code 0x1000, signed) with
the GBCS alert code of the failure, as the DCC's reference data shows for 0x8F30. It does so
after a failed MAC or signature check too, so the alert goes to the party the frame names.
NOTE: which alert GBCS requires for which failure is not public in full. The choices are
0x8F3D for a bad MAC or signature, 0x8F53 for a replayed counter, 0x8F30 for a role without
authority and 0x8F1E for a payload that does not fit the use case.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from commshub.codecs.dlms.xdlms import AccessRequest
from commshub.codecs.gbcs.crypto import Verdict
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.tables import Cra, use_case
from commshub.errors import CodecError
from commshub.hub import events as ev
from commshub.hub import gbcs_io
from commshub.hub.actions import WanKind
from commshub.hub.logs import EventCode
from commshub.hub.settings import RemoteParty, Role
from commshub.hub.transitions import LifecycleState, PowerState

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = [
    "GENERIC_CRITICAL_ALERT",
    "GENERIC_NON_CRITICAL_ALERT",
    "USE_CASES",
    "Command",
    "CommandRejected",
    "Function",
    "PayloadKind",
    "UseCaseSpec",
    "use_case_handler",
]

LOGGER = logging.getLogger(__name__)

GENERIC_CRITICAL_ALERT = 0x1000  # message code of a Generic Critical Alert
GENERIC_NON_CRITICAL_ALERT = 0x1001

# A hub accepts commands only once installed and while it has an SMWAN address.
_SERVING = (LifecycleState.AWAITING_ACTIVATION, LifecycleState.ACTIVE)


class Function(enum.Enum):
    CHF = "chf"
    GPF = "gpf"


class PayloadKind(enum.Enum):
    DLMS = "dlms"
    ASN1 = "asn1"
    GBZ = "gbz"


@dataclass(frozen=True)
class Command:
    """A command that passed the security checks: its frame, sender and decoded payload."""

    frame: GbcsFrame
    party: RemoteParty
    payload: Any
    raw: bytes


class CommandRejected(Exception):
    """A use case rejected a command before changing anything; ``alert_code`` is the reason."""

    def __init__(self, alert_code: int, reason: str) -> None:
        self.alert_code = alert_code
        self.reason = reason
        super().__init__(f"alert 0x{alert_code:04X}: {reason}")


@dataclass(frozen=True)
class UseCaseSpec:
    """Processing rules of one message code addressed to one of the hub's functions.

    ``handler`` returns the response payload; it raises CommandRejected before any change
    when the payload does not fit. ``dated`` responses carry the hub's time of execution in
    the grouping header's date-time.
    """

    code: int
    function: Function
    roles: frozenset[Role]
    critical: bool
    payload: PayloadKind
    handler: Callable[[Hub, Command], bytes]
    dated: bool = False

    @property
    def identifier(self) -> str:
        case = use_case(self.code)
        if case is not None and case.identifier:
            return case.identifier
        return f"0x{self.code:04X}"


USE_CASES: dict[tuple[Function, int], UseCaseSpec] = {}


def use_case_handler(
    code: int, function: Function, *, roles: frozenset[Role], payload: PayloadKind,
    critical: bool = False, dated: bool = False,
) -> Callable[[Callable[[Hub, Command], bytes]], Callable[[Hub, Command], bytes]]:
    """Register the handler of a message code for the CHF or the GPF."""

    def register(handler: Callable[[Hub, Command], bytes]) -> Callable[[Hub, Command], bytes]:
        key = (function, code)
        if key in USE_CASES:
            raise RuntimeError(f"two handlers for message code 0x{code:04X} on the {function.value}")
        USE_CASES[key] = UseCaseSpec(code, function, roles, critical, payload, handler, dated)
        return handler

    return register


class _Rejection(Exception):
    """Internal: a failed check, with the alert code and whether an alert may be sent."""

    def __init__(self, alert_code: int, reason: str, *, alert: bool) -> None:
        self.alert_code = alert_code
        self.reason = reason
        self.alert = alert
        super().__init__(reason)


def _decode_payload(spec: UseCaseSpec, frame: GbcsFrame) -> Any:
    if spec.payload is PayloadKind.DLMS:
        apdu = gbcs_io.parse_dlms(frame.content)
        if not isinstance(apdu, AccessRequest):
            raise CodecError(f"expected a DLMS access-request, found {type(apdu).__name__}",
                             path=("dlms",))
        if apdu.long_invoke_id_and_priority != gbcs_io.invoke_id_for(frame.originator_counter):
            raise CodecError(
                f"invoke id 0x{apdu.long_invoke_id_and_priority:08X} does not carry the originator "
                f"counter 0x{frame.originator_counter:X}", path=("dlms", "long_invoke_id_and_priority"))
        if len(apdu.data) != len(apdu.specifications):
            raise CodecError(f"{len(apdu.specifications)} request specifications but "
                             f"{len(apdu.data)} data items", path=("dlms", "data"))
        return apdu
    if spec.payload is PayloadKind.ASN1:
        return gbcs_io.decode_asn1_payload(frame.content, frame.message_code, Cra.COMMAND)
    return frame.content


def _function_of(hub: Hub, frame: GbcsFrame) -> Function | None:
    identity = hub.state.identity
    if frame.recipient == identity.chf_id:
        return Function.CHF
    if frame.recipient == identity.gpf_id:
        return Function.GPF
    return None


def _check(hub: Hub, frame: GbcsFrame, function: Function) -> tuple[UseCaseSpec, RemoteParty, Any]:
    state = hub.state
    party = state.identity.party(frame.originator)
    if party is None:
        raise _Rejection(EventCode.UNAUTHORISED_COMMUNICATION_ACCESS,
                         f"originator {frame.originator.hex()} is not a trusted remote party", alert=False)
    if hub.gbcs.check_mac(frame) is not Verdict.VALID:
        raise _Rejection(EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE, "MAC missing or invalid",
                         alert=True)
    last = state.counters.get(party.entity_id)
    if last is not None and frame.originator_counter <= last:
        raise _Rejection(EventCode.AUTHENTICATION_OR_AUTHORISATION_FAILED,
                         f"originator counter {frame.originator_counter} is not above {last}", alert=True)
    spec = USE_CASES.get((function, frame.message_code))
    if spec is None:
        raise _Rejection(EventCode.COMMAND_INTEGRITY_FAILED,
                         f"message code 0x{frame.message_code:04X} is not processed by the "
                         f"{function.value.upper()}", alert=True)
    if party.role not in spec.roles:
        raise _Rejection(EventCode.SOURCE_NOT_AUTHORISED,
                         f"role {party.role.name} may not send {spec.identifier}", alert=True)
    if spec.critical and hub.gbcs.check_signature(frame) is not Verdict.VALID:
        raise _Rejection(EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE,
                         f"critical {spec.identifier} without a valid signature", alert=True)
    try:
        payload = _decode_payload(spec, frame)
    except CodecError as exc:
        raise _Rejection(EventCode.COMMAND_INTEGRITY_FAILED, f"payload: {exc}", alert=True) from None
    return spec, party, payload


def _reject(hub: Hub, frame: GbcsFrame, function: Function, rejection: _Rejection) -> None:
    state = hub.state
    LOGGER.warning("hub %s rejected command 0x%04X from %s (counter %d): %s", hub.id,
                   frame.message_code, frame.originator.hex(), frame.originator_counter,
                   rejection.reason)
    hub.log_security(rejection.alert_code, frame.message_code.to_bytes(2, "big"))
    if not rejection.alert or state.identity.party(frame.originator) is None:
        return
    counter = hub.next_alert_counter()
    if function is Function.GPF:
        # The GPF is a ZigBee device: its alerts are GBZ, like the GSME's.
        content = gbcs_io.gbz_alert_content(rejection.alert_code, state.utc)
        originator = state.identity.gpf_id
    else:
        content = gbcs_io.dlms_alert_content(counter, rejection.alert_code, state.utc)
        originator = state.identity.chf_id
    data = hub.gbcs.alert(originator=originator, recipient=frame.originator, counter=counter,
                          message_code=GENERIC_CRITICAL_ALERT, content=content, critical=True)
    hub.send_wan(WanKind.ALERT, frame.originator, GENERIC_CRITICAL_ALERT, data,
                 alert_code=rejection.alert_code)


def process_command(hub: Hub, frame: GbcsFrame, function: Function) -> None:
    """Check and carry out a command addressed to the CHF or the GPF."""
    try:
        spec, party, payload = _check(hub, frame, function)
        command = Command(frame, party, payload, b"")
        content = spec.handler(hub, command)
    except _Rejection as rejection:
        _reject(hub, frame, function, rejection)
        return
    except CommandRejected as refused:
        _reject(hub, frame, function, _Rejection(refused.alert_code, refused.reason, alert=True))
        return
    state = hub.state
    state.counters[party.entity_id] = frame.originator_counter
    state.touch("counters")
    originator = state.identity.chf_id if function is Function.CHF else state.identity.gpf_id
    date_time = gbcs_io.cosem_date_time(state.utc) if spec.dated else None
    data = hub.gbcs.response(frame, originator, content, critical=spec.critical, date_time=date_time)
    hub.send_wan(WanKind.RESPONSE, frame.originator, frame.message_code, data)
    hub.flush_after_response()
    LOGGER.debug("hub %s answered %s (counter %d)", hub.id, spec.identifier, frame.originator_counter)


def _on_wan_frame(hub: Hub, event: ev.WanFrameReceived) -> None:
    state = hub.state
    if state.power.state is not PowerState.MAINS_ON:
        LOGGER.debug("hub %s is without mains: WAN frame lost", hub.id)
        return
    if state.lifecycle.state not in _SERVING:
        LOGGER.warning("hub %s is %s: WAN frame dropped", hub.id, state.lifecycle.state.value)
        return
    try:
        frame = gbcs_io.parse(event.data)
    except CodecError as exc:
        LOGGER.warning("hub %s dropped an invalid GBCS frame: %s", hub.id, exc)
        hub.log_security(EventCode.COMMAND_INTEGRITY_FAILED)
        return
    if frame.cra != Cra.COMMAND:
        LOGGER.warning("hub %s dropped a GBCS %s from the WAN: only commands are expected", hub.id,
                       Cra(frame.cra).name.lower())
        hub.log_security(EventCode.COMMAND_INTEGRITY_FAILED)
        return
    function = _function_of(hub, frame)
    if function is not None:
        process_command(hub, frame, function)
        return
    from commshub.hub import proxy

    if not proxy.forward_command(hub, frame, bytes(event.data)):
        LOGGER.warning("hub %s dropped a command for %s: not the CHF, the GPF or a logged device",
                       hub.id, frame.recipient.hex())
        hub.log_security(EventCode.AUTHENTICATION_OR_AUTHORISATION_FAILED)


def _register() -> None:
    from commshub.hub.hub import handles

    handles(ev.WanFrameReceived)(_on_wan_frame)


_register()

# The use cases and the other feature modules register their handlers when imported.
from commshub.hub import chf as _chf  # noqa: F401
from commshub.hub import firmware as _firmware  # noqa: F401
from commshub.hub import gpf as _gpf  # noqa: F401
from commshub.hub import han as _han  # noqa: F401
from commshub.hub import zigbee_logs as _zigbee_logs  # noqa: F401
