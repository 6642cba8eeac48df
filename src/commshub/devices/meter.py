"""What the virtual ESME and GSME share: a HAN device that receives GBCS commands through its
tunnel, checks and answers them, raises alerts, and runs an OTA client with CS06 activation.

:class:`Meter` is the sans-I/O object a driver talks to (``handle(event) -> list[action]``).
Each event is worked out by a :class:`MeterRun` on a copy of the state, which the meter keeps
only when the whole event succeeded. The ESME and GSME subclasses supply the use cases
(:meth:`MeterRun.execute`), the encoding of their alerts (DLMS or GBZ) and their logs.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import decode_asn1, encode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.keystore import KeyUsage
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.tunnel import TunnelMessage
from commshub.codecs.zigbee.zcl import Direction, ZclFrame, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.general import TIME_ID
from commshub.codecs.zigbee.zcl.clusters.ota import OTA_UPGRADE_ID
from commshub.codecs.zigbee.zcl.clusters.tunneling import TUNNELING_ID
from commshub.devices import gbcs_endpoint, han
from commshub.devices.events import (
    CancelTimer,
    DeviceAction,
    DeviceEvent,
    HanFrameReceived,
    ImageActivated,
    JoinCompleted,
    Started,
    StartTimer,
    TimerExpired,
)
from commshub.devices.identity import DeviceIdentity
from commshub.devices.ota_client import (
    HeldImage,
    OtaConfig,
    OtaOutcome,
    OtaProgress,
    on_ota_frame,
    query_next_image,
)
from commshub.devices.transitions import (
    DeviceComponent,
    DeviceTrigger,
    JoinState,
    OtaClientState,
    TunnelState,
    advance,
)
from commshub.errors import CodecError, RemoteProtocolError
from commshub.hub.gbcs_io import generalized_time
from commshub.hub.logs import EventCode

__all__ = [
    "CS06_MESSAGE_CODE",
    "GENERIC_CRITICAL_ALERT",
    "LogKind",
    "Meter",
    "MeterRun",
    "MeterSettings",
    "MeterState",
    "PendingActivation",
    "Refused",
    "initial_ota",
    "utc_of",
]

LOGGER = logging.getLogger(__name__)

CS06_MESSAGE_CODE = 0x0012  # CS06 Activate Firmware
CS06_ALERT_MESSAGE_CODE = 0x00CA  # future-dated CS06 outcome alert
GENERIC_CRITICAL_ALERT = 0x1000  # message code of a Generic Critical Alert
ALERT_ACTIVATION_SUCCESS = 0x8F66  # future-dated firmware activation succeeded
ALERT_ACTIVATION_FAILURE = 0x8F67  # future-dated firmware activation failed
# ActivateFirmwareCommand executionDateTime that cancels a pending activation (the RTDS CS06
# CANCELLATION command sends 9999-12-31 23:59:59).
CANCEL_ACTIVATION = datetime.datetime(9999, 12, 31, 23, 59, 59)
# ActivateFirmwareExecutionOutcome responseCode (GBCS CS06).
ACTIVATION_SUCCESS, NO_IMAGE_HELD, HASH_MISMATCH = 0, 1, 2
OTA_QUERY_TIMER = "ota_query"
ACTIVATION_TIMER = "cs06_activation"


class LogKind:
    """Names of a meter's logs."""

    EVENT = "event"
    SECURITY = "security"
    POWER = "power"


class Refused(Exception):
    """A command the meter sends no response to: its payload does not fit the use case, or
    the meter does not emulate the use case."""


@dataclass(frozen=True, kw_only=True)
class MeterSettings:
    """Values a meter gets from its maker or installer; each has a default.

    ``supplier`` receives firmware alerts and ``network_operator`` supply alerts.
    """

    manufacturer_code: int = 0x1234
    image_type: int = 0x0001
    file_version: int = 0x0123ABCD
    supplier: bytes = bytes.fromhex("90B3D51F30010000")
    network_operator: bytes = bytes.fromhex("90B3D51F30020000")
    ota_query_interval: int = 24 * 3600  # seconds between Query Next Image requests
    first_alert_counter: int = 0x1000


@dataclass(frozen=True)
class PendingActivation:
    """A future-dated CS06 waiting for its execution time (UTC seconds since 1970)."""

    image_hash: bytes
    originator: bytes
    originator_counter: int
    execute_at: int


@dataclass(frozen=True, kw_only=True)
class MeterState:
    """State common to every meter, replaced as a whole on every event."""

    han: han.HanState
    firmware_version: bytes
    counters: Mapping[bytes, int] = field(default_factory=dict)
    alert_counter: int = 0x1000
    clock_offset: int = 0  # device clock minus the driver's clock, seconds
    ota: OtaProgress = field(default_factory=OtaProgress)
    pending_activation: PendingActivation | None = None
    outbox: tuple[bytes, ...] = ()  # GBCS messages waiting for an open tunnel


class Meter:
    """Base of the virtual meters; subclasses set ``state``, ``settings`` and ``RUN``."""

    RUN: ClassVar[type[MeterRun]]
    state: Any
    settings: MeterSettings

    def __init__(self, identity: DeviceIdentity) -> None:
        self.identity = identity

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.identity.name}, {self.state.han.join.value})"

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def entity_id(self) -> bytes:
        return self.identity.entity_id

    @property
    def ota_config(self) -> OtaConfig:
        signer = self.identity.keys.public_key(self.settings.supplier, KeyUsage.DIGITAL_SIGNATURE)
        return OtaConfig(self.settings.manufacturer_code, self.settings.image_type,
                         int.from_bytes(self.state.firmware_version, "big"), signer=signer)

    def device_time(self, at: int) -> int:
        """Return the meter's clock (UTC seconds since 1970) at driver time ``at``."""
        clock_offset: int = self.state.clock_offset
        return at + clock_offset

    def snapshot(self) -> dict[str, Any]:
        """Return, JSON-ready, what the meter keeps in its own non-volatile memory.

        That is the firmware it runs, its held image, a future-dated activation, the originator
        counters it accepted per remote party, its alert counter, clock offset and join state.

        Its keys are not here: they belong to its identity, which the bench keeps in its key
        store. :meth:`restore` takes this back into a meter built afresh.
        """
        state = self.state
        held: HeldImage | None = state.ota.held
        pending: PendingActivation | None = state.pending_activation
        return {
            "firmware_version": bytes(state.firmware_version).hex(),
            "held_image": None if held is None else [held.file_version, held.manufacturer_image_hash.hex()],
            "pending_activation": None if pending is None else [
                pending.image_hash.hex(), pending.originator.hex(), pending.originator_counter,
                pending.execute_at],
            "counters": {party.hex(): counter for party, counter in state.counters.items()},
            "alert_counter": state.alert_counter,
            "clock_offset": state.clock_offset,
            "joined": state.han.join is JoinState.JOINED,
        }

    def restore(self, snapshot: Mapping[str, Any], *, at: int) -> None:
        """Take back a :meth:`snapshot` into this meter, built as it powers up at ``at``.

        The HAN session is not restored: a meter that had joined requests to join again, which the
        hub allows for a device in its device log. Raise ValueError on a malformed snapshot.
        """
        try:
            version = bytes.fromhex(snapshot["firmware_version"])
            held = snapshot.get("held_image")
            pending = snapshot.get("pending_activation")
            changes: dict[str, Any] = {
                "counters": {bytes.fromhex(party): int(counter)
                             for party, counter in snapshot.get("counters", {}).items()},
                "alert_counter": int(snapshot.get("alert_counter", self.state.alert_counter)),
                "clock_offset": int(snapshot.get("clock_offset", 0)),
                "ota": initial_ota(None if held is None else HeldImage(int(held[0]), bytes.fromhex(held[1]))),
                "pending_activation": None if pending is None else PendingActivation(
                    bytes.fromhex(pending[0]), bytes.fromhex(pending[1]), int(pending[2]), int(pending[3])),
            }
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"device {self.name}: unreadable meter snapshot ({exc!r})") from None
        run = self.RUN(self, replace(self.state, **changes), at)
        if version != self.state.firmware_version:
            run.update(firmware_version=version)
            run.firmware_changed(version)
        self.state = run.state

    def handle(self, event: DeviceEvent) -> list[DeviceAction]:
        """Handle one event; the state changes only if the whole event succeeds."""
        run = self.RUN(self, self.state, event.at)
        run.dispatch(event)
        run.flush()
        self.state = run.state
        return run.actions


def initial_ota(held_image: HeldImage | None) -> OtaProgress:
    """Return the OTA client of a new meter, holding ``held_image`` if given."""
    return OtaProgress(state=OtaClientState.HELD, held=held_image) if held_image else OtaProgress()


class MeterRun:
    """The work of one event: a copy of the state being changed and the actions produced."""

    def __init__(self, meter: Meter, state: Any, at: int) -> None:
        self.meter = meter
        self.state = state
        self.at = at
        self.actions: list[DeviceAction] = []

    @property
    def name(self) -> str:
        return self.meter.name

    @property
    def utc(self) -> int:
        """The meter's clock now, UTC seconds since 1970."""
        clock_offset: int = self.state.clock_offset
        return self.at + clock_offset

    def update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    # --- hooks for the subclasses --------------------------------------------------------------

    def dispatch(self, event: DeviceEvent) -> None:
        """Handle the event types common to every meter; subclasses add their own."""
        if isinstance(event, Started):
            self.started()
        elif isinstance(event, JoinCompleted):
            self.join_completed(event.accepted)
        elif isinstance(event, HanFrameReceived):
            self.han_frame(event)
        elif isinstance(event, TimerExpired):
            self.timer(event.name)
        else:
            LOGGER.debug("device %s ignores %s", self.name, type(event).__name__)

    def execute(self, frame: GbcsFrame) -> bytes:
        """Carry out an accepted command; return the response payload or raise Refused."""
        raise NotImplementedError

    def alert_content(self, counter: int, code: int, message_code: int) -> bytes:
        """Return the payload of an alert that carries only its code (Generic Critical Alert)."""
        raise NotImplementedError

    def firmware_receipt(self, counter: int, outcome: OtaOutcome) -> tuple[int, bytes]:
        """Return the message code and payload of the alert on a finished OTA transfer."""
        raise NotImplementedError

    def log(self, kind: str, code: int, extra: int = 0) -> None:
        """Write an entry to one of the meter's logs (see :class:`LogKind`)."""

    def on_tunnel(self, messages: list[TunnelMessage]) -> None:
        """Handle the GBCS messages the hub sent through the tunnel."""
        for message in messages:
            if message.message:
                self.gbcs(message.message)

    def joined(self) -> None:
        """Called once the Trust Centre admitted the meter."""

    # --- HAN -----------------------------------------------------------------------------------

    def started(self) -> None:
        if self.state.han.join is JoinState.UNJOINED:
            state, actions = han.request_join(self.state.han, self.meter.identity.install_code, device=self.name)
            self.update(han=state)
            self.actions.extend(actions)
        if self.state.pending_activation is not None:
            self.actions.append(StartTimer(ACTIVATION_TIMER, self.state.pending_activation.execute_at))

    def join_completed(self, accepted: bool) -> None:
        state, actions = han.join_completed(self.state.han, accepted, device=self.name)
        self.update(han=state)
        self.actions.extend(actions)
        if not accepted:
            self.log(LogKind.SECURITY, EventCode.DEVICE_JOINING_FAILED)
            return
        self.log(LogKind.SECURITY, EventCode.DEVICE_JOINING_SUCCEEDED)
        self.actions.append(StartTimer(OTA_QUERY_TIMER, self.at + self.meter.settings.ota_query_interval))
        self.joined()

    def han_frame(self, event: HanFrameReceived) -> None:
        if event.cluster == TUNNELING_ID:
            state, messages = han.on_tunneling_frame(self.state.han, event.payload, device=self.name)
            self.update(han=state)
            self.on_tunnel(messages)
        elif event.cluster == TIME_ID:
            frame = self.parse(event.payload, TIME_ID)
            self.update(han=han.on_time_response(self.state.han, frame, self.at))
        elif event.cluster == OTA_UPGRADE_ID:
            self.ota_frame(self.parse(event.payload, OTA_UPGRADE_ID))
        else:
            LOGGER.debug("device %s ignores a frame on cluster 0x%04X", self.name, event.cluster)

    def parse(self, payload: bytes, cluster: int) -> ZclFrame:
        try:
            return parse_zcl(payload, cluster, direction=Direction.SERVER_TO_CLIENT)
        except CodecError as exc:
            raise RemoteProtocolError(f"device {self.name}: undecodable frame on cluster "
                                      f"0x{cluster:04X}: {exc}") from None

    def send_frame(self, frame: ZclFrame) -> None:
        state, action = han.next_frame(self.state.han, frame)
        self.update(han=state)
        self.actions.append(action)

    def send_gbcs(self, message: bytes) -> None:
        """Queue a GBCS message for the hub; :meth:`flush` sends it once the tunnel is open."""
        self.update(outbox=(*self.state.outbox, message))

    def flush(self) -> None:
        """Send the queued GBCS messages (tunnel PUT) when the tunnel is open."""
        if self.state.han.tunnel is not TunnelState.OPEN or not self.state.outbox:
            return
        state = self.state.han
        for message in self.state.outbox:
            state, action = han.send_put(state, message, device=self.name)
            self.actions.append(action)
        self.update(han=state, outbox=())

    # --- GBCS ----------------------------------------------------------------------------------

    def gbcs(self, data: bytes) -> None:
        """Check a GBCS command, carry it out and queue the response."""
        identity = self.meter.identity
        checked = gbcs_endpoint.check_command(data, identity, self.state.counters)
        if isinstance(checked, gbcs_endpoint.Rejected):
            self.rejected(checked)
            return
        frame = checked.frame
        try:
            content = self.execute(frame)
        except (CodecError, Refused) as exc:
            LOGGER.warning("device %s refused use case 0x%04X (counter %d): %s", self.name,
                           frame.message_code, frame.originator_counter, exc)
            self.log(LogKind.SECURITY, EventCode.COMMAND_INTEGRITY_FAILED)
            self.alert_originator(frame, EventCode.COMMAND_INTEGRITY_FAILED)
            return
        self.update(counters={**self.state.counters, frame.originator: frame.originator_counter})
        self.send_gbcs(gbcs_endpoint.build_response(checked, identity, content, at=self.utc))

    def rejected(self, rejection: gbcs_endpoint.Rejected) -> None:
        LOGGER.warning("device %s rejected a command: %s (%s)", self.name, rejection.reason.value,
                       rejection.detail)
        code = rejection.reason.alert_code
        if code is None:
            return
        self.log(LogKind.SECURITY, code)
        if rejection.alert and rejection.frame is not None:
            self.alert_originator(rejection.frame, code)

    def alert_originator(self, frame: GbcsFrame, code: int) -> None:
        """Send the command's originator a Generic Critical Alert with ``code``."""
        counter = self.next_alert_counter()
        content = self.alert_content(counter, code, GENERIC_CRITICAL_ALERT)
        self.send_alert(frame.originator, counter, GENERIC_CRITICAL_ALERT, content)

    def send_alert(self, recipient: bytes, counter: int, message_code: int, content: bytes) -> None:
        """Queue a signed (critical) alert to ``recipient``."""
        self.send_gbcs(gbcs_endpoint.build_alert(
            self.meter.identity, recipient=recipient, counter=counter, message_code=message_code,
            content=content, critical=True))

    def encrypt_for(self, command: GbcsFrame, plaintext: bytes) -> bytes:
        """Encrypt a sensitive part of the response to ``command`` for its originator: AES-GCM
        with the response's encryption key (KDF transaction type 4); ciphertext || 12-octet tag."""
        identity = self.meter.identity
        response = GbcsFrame.response(
            originator=identity.entity_id, recipient=command.originator,
            originator_counter=command.originator_counter, message_code=command.message_code, content=b"",
            supplementary_remote_party_id=command.supplementary_remote_party_id,
        )
        key = crypto.encryption_key(response, identity.keys)
        if key is None:
            raise Refused(f"no key agreement key for {command.originator.hex()}")
        return crypto.encrypt_part(key, identity.entity_id, plaintext)

    def next_alert_counter(self) -> int:
        counter: int = self.state.alert_counter
        self.update(alert_counter=counter + 1)
        return counter

    # --- firmware ------------------------------------------------------------------------------

    def query_image(self) -> None:
        if self.state.han.tunnel is not TunnelState.OPEN:
            return
        ota, frame = query_next_image(self.state.ota, self.meter.ota_config, device=self.name)
        self.update(ota=ota)
        self.send_frame(frame)

    def ota_frame(self, frame: ZclFrame) -> None:
        ota, frames, outcome = on_ota_frame(self.state.ota, self.meter.ota_config, frame, device=self.name)
        self.update(ota=ota)
        for reply in self.ota_replies(frame, frames):
            self.send_frame(reply)
        if outcome is not None:
            self.transfer_finished(outcome)

    def ota_replies(self, frame: ZclFrame, replies: list[ZclFrame]) -> list[ZclFrame]:
        """Choose which of the OTA client's replies to ``frame`` go out now (all, by default)."""
        return replies

    def transfer_finished(self, outcome: OtaOutcome) -> None:
        """Log a finished OTA transfer and send the supplier its firmware receipt alert."""
        if outcome.held is not None:
            self.log(LogKind.EVENT, EventCode.FIRMWARE_VERIFICATION_SUCCESSFUL)
        else:
            LOGGER.warning("device %s discarded an OTA image: %s", self.name, outcome.reason)
            self.log(LogKind.SECURITY, EventCode.FIRMWARE_VERIFICATION_FAILED)
        counter = self.next_alert_counter()
        message_code, content = self.firmware_receipt(counter, outcome)
        self.send_alert(self.meter.settings.supplier, counter, message_code, content)

    def activate_firmware(self, frame: GbcsFrame) -> bytes:
        """CS06: activate the held image now, at a future date, or cancel a pending activation."""
        command = decode_asn1(frame.content, frame.message_code, Cra.COMMAND).value
        image_hash = bytes(command["manufacturerImageHash"])
        when = command.get("executionDateTime")
        if when is None or utc_of(when) <= self.utc:
            return encode_asn1("ActivateFirmwareResponse", ("executionOutcome", self.activate(image_hash)))
        if when == CANCEL_ACTIVATION:
            self.update(pending_activation=None)
            self.actions.append(CancelTimer(ACTIVATION_TIMER))
        else:
            pending = PendingActivation(image_hash, frame.originator, command["originatorCounter"], utc_of(when))
            self.update(pending_activation=pending)
            self.actions.append(StartTimer(ACTIVATION_TIMER, pending.execute_at - self.state.clock_offset))
        return encode_asn1("ActivateFirmwareResponse", ("commandAccepted", None))

    def activate(self, image_hash: bytes) -> dict[str, Any]:
        """Run the held image if ``image_hash`` names it; return the CS06 execution outcome."""
        held: HeldImage | None = self.state.ota.held
        if held is None:
            return {"responseCode": NO_IMAGE_HELD, "firmwareVersion": self.state.firmware_version}
        if held.manufacturer_image_hash != image_hash:
            return {"responseCode": HASH_MISMATCH, "firmwareVersion": self.state.firmware_version}
        ota = replace(self.state.ota, state=advance(DeviceComponent.OTA, self.state.ota.state,
                                                    DeviceTrigger.IMAGE_ACTIVATED, device=self.name), held=None)
        version = held.firmware_version
        self.update(ota=ota, firmware_version=version)
        self.firmware_changed(version)
        self.log(LogKind.EVENT, EventCode.FIRMWARE_VERSION_CHANGED)
        self.actions.append(ImageActivated(version, image_hash))
        LOGGER.info("device %s now runs firmware %s", self.name, version.hex())
        return {"responseCode": ACTIVATION_SUCCESS, "firmwareVersion": version}

    def firmware_changed(self, version: bytes) -> None:
        """Called when the meter starts running firmware ``version``."""

    def timer(self, name: str) -> None:
        if name == OTA_QUERY_TIMER:
            if self.state.ota.state in (OtaClientState.IDLE, OtaClientState.HELD):
                self.query_image()
            self.actions.append(StartTimer(OTA_QUERY_TIMER, self.at + self.meter.settings.ota_query_interval))
        elif name == ACTIVATION_TIMER and self.state.pending_activation is not None:
            self.run_pending_activation()

    def run_pending_activation(self) -> None:
        pending: PendingActivation = self.state.pending_activation
        self.update(pending_activation=None)
        outcome = self.activate(pending.image_hash)
        code = ALERT_ACTIVATION_SUCCESS if outcome["responseCode"] == ACTIVATION_SUCCESS else ALERT_ACTIVATION_FAILURE
        content = encode_asn1("ActivateFirmwareAlert", {
            "alertCode": code, "executionDateTime": generalized_time(self.utc),
            "originatorCounter": pending.originator_counter, "executionOutcome": outcome,
        })
        self.send_alert(pending.originator, self.next_alert_counter(), CS06_ALERT_MESSAGE_CODE, content)


def utc_of(moment: datetime.datetime) -> int:
    """Return UTC seconds since 1970 of a naive GeneralizedTime value (asn1tools gives UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())
