"""The virtual electricity meter (ESME): a DLMS/COSEM server behind GBCS, on the HAN.

``Esme.handle(event) -> list[action]``, with no clock and no radio of its own. The meter:

- joins the HAN with its install code, opens its GBCS tunnel to the hub and reads the hub's
  time (:mod:`commshub.devices.han`);
- checks every GBCS command that reaches it (:mod:`commshub.devices.gbcs_endpoint`), runs DLMS
  access-requests on its COSEM object model (:mod:`commshub.devices.cosem`), answers CS06
  Activate Firmware, and sends the response back through the tunnel;
- raises the supply outage restored alerts 0x8F35 and 0x8F36 (ECS80) when the supply returns;
- runs an OTA Upgrade client, holds a verified image and activates it on CS06, immediately or
  at a future date (alert 0x8F66 or 0x8F67 then).

Every event is handled atomically: the new state is kept only when the whole event was
handled, so a rejected command leaves no trace but its security log entry.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from commshub.codecs.dlms import build_apdu, build_data, parse_apdu
from commshub.codecs.dlms.axdr import Data, DataType
from commshub.codecs.dlms.xdlms import AccessRequest, AccessResponse
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import decode_asn1, encode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.keystore import KeyUsage
from commshub.codecs.gbcs.payload import PayloadKind, payload_kind
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.tunnel import TunnelCommand
from commshub.codecs.zigbee.zcl import Direction, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.general import TIME_ID
from commshub.codecs.zigbee.zcl.clusters.ota import OTA_UPGRADE_ID
from commshub.codecs.zigbee.zcl.clusters.tunneling import TUNNELING_ID
from commshub.devices import gbcs_endpoint, han
from commshub.devices.cosem.model import CosemModel
from commshub.devices.cosem.server import ClockSet, EventRaised, FaultKey, ServerContext, serve
from commshub.devices.esme_objects import (
    EVENT_LOG,
    FIRMWARE_VERSION,
    POWER_EVENT_LOG,
    SECURITY_LOG,
    esme_model,
)
from commshub.devices.events import (
    CancelTimer,
    DeviceAction,
    DeviceEvent,
    HanFrameReceived,
    ImageActivated,
    JoinCompleted,
    Started,
    StartTimer,
    SupplyLost,
    SupplyRestored,
    TimerExpired,
)
from commshub.devices.identity import DeviceIdentity
from commshub.devices.ota_client import (
    HeldImage,
    OtaConfig,
    OtaProgress,
    firmware_version_of,
    on_ota_frame,
    query_next_image,
)
from commshub.devices.transitions import (
    DeviceComponent,
    DeviceTrigger,
    JoinState,
    OtaClientState,
    SupplyState,
    TunnelState,
    advance,
)
from commshub.errors import CodecError, RemoteProtocolError
from commshub.hub.gbcs_io import (
    ZIGBEE_EPOCH,
    cosem_date_time,
    dlms_alert_content,
    generalized_time,
    invoke_id_for,
)
from commshub.hub.logs import EventCode

__all__ = [
    "CS06_MESSAGE_CODE",
    "ECS80_MESSAGE_CODE",
    "ESME_IMAGE_TYPE",
    "Esme",
    "EsmeSettings",
    "EsmeState",
    "PendingActivation",
]

LOGGER = logging.getLogger(__name__)

CS06_MESSAGE_CODE = 0x0012  # CS06 Activate Firmware
CS06_ALERT_MESSAGE_CODE = 0x00CA  # future-dated CS06 outcome alert
ECS80_MESSAGE_CODE = 0x0067  # ECS80 Supply Outage Restore Alert from ESME
FIRMWARE_RECEIPT_MESSAGE_CODE = 0x00CE  # ESME firmware distribution receipt alert (DLMS)
GENERIC_CRITICAL_ALERT = 0x1000
ALERT_OUTAGE_RESTORED = 0x8F35  # Supply Outage Restored
ALERT_OUTAGE_RESTORED_LONG = 0x8F36  # Supply Outage Restored - Outage >= 3 minutes
ALERT_SUPPLY_INTERRUPTED = 0x8F57  # Supply interrupted (power event log)
ALERT_ACTIVATION_SUCCESS = 0x8F66  # future-dated firmware activation succeeded
ALERT_ACTIVATION_FAILURE = 0x8F67  # future-dated firmware activation failed
EVENT_CH_CONNECTED = 0x81A2  # CH Connected to ESME
# GBCS names the long outage ">= 3 minutes" (alert 0x8F36), seconds.
LONG_OUTAGE = 180
# ActivateFirmwareCommand executionDateTime that cancels a pending activation (the RTDS CS06
# CANCELLATION command sends 9999-12-31 23:59:59).
CANCEL_ACTIVATION = datetime.datetime(9999, 12, 31, 23, 59, 59)
# ActivateFirmwareExecutionOutcome responseCode (GBCS CS06).
ACTIVATION_SUCCESS, NO_IMAGE_HELD, HASH_MISMATCH = 0, 1, 2
# Illustrative OTA image type of an ESME; manufacturers choose their own.
ESME_IMAGE_TYPE = 0x0001
OTA_QUERY_TIMER = "ota_query"
ACTIVATION_TIMER = "cs06_activation"


@dataclass(frozen=True)
class EsmeSettings:
    """Values a meter gets from its maker or installer; each has a default.

    ``supplier`` receives firmware alerts and ``network_operator`` supply outage alerts.
    ``history_days`` is how much profile history the meter holds when it starts.
    """

    twin_element: bool = False
    manufacturer_code: int = 0x1234
    image_type: int = ESME_IMAGE_TYPE
    file_version: int = 0x0123ABCD
    supplier: bytes = bytes.fromhex("90B3D51F30010000")
    network_operator: bytes = bytes.fromhex("90B3D51F30020000")
    history_days: int = 366
    ota_query_interval: int = 24 * 3600  # seconds between Query Next Image requests
    first_alert_counter: int = 0x1000


@dataclass(frozen=True)
class PendingActivation:
    """A future-dated CS06 waiting for its execution time (UTC seconds since 1970)."""

    image_hash: bytes
    originator: bytes
    originator_counter: int
    execute_at: int


@dataclass(frozen=True)
class EsmeState:
    """Everything the meter remembers; replaced as a whole on every event."""

    han: han.HanState
    model: CosemModel
    firmware_version: bytes
    counters: Mapping[bytes, int] = field(default_factory=dict)
    alert_counter: int = 0x1000
    clock_offset: int = 0  # device clock minus the driver's clock, seconds
    supply: SupplyState = SupplyState.ON
    supply_lost_at: int | None = None
    ota: OtaProgress = field(default_factory=OtaProgress)
    pending_activation: PendingActivation | None = None
    outbox: tuple[bytes, ...] = ()  # GBCS messages waiting for an open tunnel


class Esme:
    """One virtual ESME. ``faults`` injects DLMS failures, (member kind, class id, logical name,
    attribute or method id) -> result code, for test benches that need a failing meter;
    ``held_image`` starts the meter with a verified image waiting for CS06."""

    def __init__(self, identity: DeviceIdentity, *, hub: bytes, settings: EsmeSettings | None = None,
                 now: int, faults: Mapping[FaultKey, int] | None = None,
                 held_image: HeldImage | None = None) -> None:
        self.identity = identity
        self.settings = settings or EsmeSettings()
        self.faults = dict(faults or {})
        start = now - ZIGBEE_EPOCH
        model = esme_model(history_start=start - self.settings.history_days * 86_400, history_end=start,
                           twin=self.settings.twin_element)
        version = firmware_version_of(self.settings.file_version)
        model = model.replaced(model.get(1, "0-0:0.2.1.255").with_attribute(2, Data(DataType.OCTET_STRING, version)))
        model = model.replaced(model.get(1, "0-0:96.1.1.255").with_attribute(
            2, Data(DataType.OCTET_STRING, identity.entity_id)))
        self.state = EsmeState(
            han=han.HanState(hub=hub), model=model, firmware_version=version,
            alert_counter=self.settings.first_alert_counter,
            ota=OtaProgress(state=OtaClientState.HELD, held=held_image) if held_image else OtaProgress(),
        )

    def __repr__(self) -> str:
        return f"Esme({self.identity.name}, {self.state.han.join.value})"

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

    # --- the event loop ----------------------------------------------------------------------

    def handle(self, event: DeviceEvent) -> list[DeviceAction]:
        """Handle one event; the state changes only if the whole event succeeds."""
        run = _Run(self, self.state, event.at)
        if isinstance(event, Started):
            run.started()
        elif isinstance(event, JoinCompleted):
            run.join_completed(event.accepted)
        elif isinstance(event, HanFrameReceived):
            run.han_frame(event)
        elif isinstance(event, TimerExpired):
            run.timer(event.name)
        elif isinstance(event, SupplyLost):
            run.supply_lost()
        elif isinstance(event, SupplyRestored):
            run.supply_restored()
        else:
            LOGGER.debug("device %s ignores %s", self.name, type(event).__name__)
        run.flush()
        self.state = run.state
        return run.actions

    @staticmethod
    def supports(message_code: int, content: bytes) -> bool:
        """Tell whether the meter emulates a use case: DLMS access-requests, and CS06."""
        kind = payload_kind(content)
        return kind is PayloadKind.DLMS or (kind is PayloadKind.ASN1 and message_code == CS06_MESSAGE_CODE)

    def device_time(self, at: int) -> int:
        """Return the meter's clock (UTC seconds since 1970) at driver time ``at``."""
        return at + self.state.clock_offset

    def read(self, class_id: int, logical_name: str, attribute_id: int, *, at: int) -> Data:
        """Read an attribute of the object model as the meter would (for tests and benches)."""
        from commshub.devices.cosem.server import read_attribute

        item = self.state.model.get(class_id, logical_name)
        _result, value = read_attribute(item, attribute_id, ServerContext(utc=self.device_time(at)))
        return value


class _Run:
    """The work of one event: a copy of the state being changed and the actions produced."""

    def __init__(self, meter: Esme, state: EsmeState, at: int) -> None:
        self.meter = meter
        self.state = state
        self.at = at
        self.actions: list[DeviceAction] = []

    @property
    def name(self) -> str:
        return self.meter.name

    @property
    def utc(self) -> int:
        return self.at + self.state.clock_offset

    def update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    # --- HAN ---------------------------------------------------------------------------------

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
        if accepted:
            self.log(SECURITY_LOG, EventCode.DEVICE_JOINING_SUCCEEDED)
            self.log(EVENT_LOG, EVENT_CH_CONNECTED)
            self.actions.append(StartTimer(OTA_QUERY_TIMER, self.at + self.meter.settings.ota_query_interval))
        else:
            self.log(SECURITY_LOG, EventCode.DEVICE_JOINING_FAILED)

    def han_frame(self, event: HanFrameReceived) -> None:
        if event.cluster == TUNNELING_ID:
            state, messages = han.on_tunneling_frame(self.state.han, event.payload, device=self.name)
            self.update(han=state)
            for message in messages:
                if message.command in (TunnelCommand.PUT, TunnelCommand.GET_RESPONSE) and message.message:
                    self.gbcs(message.message)
            if self.state.han.tunnel is TunnelState.OPEN and self.state.ota.state is OtaClientState.IDLE \
                    and not messages:
                self.query_image()
        elif event.cluster == TIME_ID:
            frame = self._parse(event.payload, TIME_ID)
            self.update(han=han.on_time_response(self.state.han, frame, self.at))
        elif event.cluster == OTA_UPGRADE_ID:
            self.ota_frame(self._parse(event.payload, OTA_UPGRADE_ID))
        else:
            LOGGER.debug("device %s ignores a frame on cluster 0x%04X", self.name, event.cluster)

    def _parse(self, payload: bytes, cluster: int) -> Any:
        try:
            return parse_zcl(payload, cluster, direction=Direction.SERVER_TO_CLIENT)
        except CodecError as exc:
            raise RemoteProtocolError(f"device {self.name}: undecodable frame on cluster "
                                      f"0x{cluster:04X}: {exc}") from None

    def send_gbcs(self, message: bytes) -> None:
        """Queue a GBCS message for the hub; :meth:`flush` sends it once the tunnel is open."""
        self.update(outbox=(*self.state.outbox, message))

    def flush(self) -> None:
        if self.state.han.tunnel is not TunnelState.OPEN:
            return
        state = self.state.han
        for message in self.state.outbox:
            state, action = han.send_put(state, message, device=self.name)
            self.actions.append(action)
        self.update(han=state, outbox=())

    # --- GBCS --------------------------------------------------------------------------------

    def gbcs(self, data: bytes) -> None:
        identity = self.meter.identity
        checked = gbcs_endpoint.check_command(data, identity, self.state.counters)
        if isinstance(checked, gbcs_endpoint.Rejected):
            self.rejected(checked)
            return
        frame = checked.frame
        try:
            content = self.execute(frame)
        except (CodecError, _Refused) as exc:
            LOGGER.warning("device %s refused use case 0x%04X (counter %d): %s", self.name,
                           frame.message_code, frame.originator_counter, exc)
            self.log(SECURITY_LOG, EventCode.COMMAND_INTEGRITY_FAILED)
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
        self.log(SECURITY_LOG, code)
        if rejection.alert and rejection.frame is not None:
            self.alert_originator(rejection.frame, code)

    def alert_originator(self, frame: GbcsFrame, code: int) -> None:
        """Send the command's originator a Generic Critical Alert with ``code``."""
        counter = self.next_alert_counter()
        content = dlms_alert_content(counter, code, self.utc)
        self.send_gbcs(gbcs_endpoint.build_alert(
            self.meter.identity, recipient=frame.originator, counter=counter,
            message_code=GENERIC_CRITICAL_ALERT, content=content, critical=True))

    def next_alert_counter(self) -> int:
        counter = self.state.alert_counter
        self.update(alert_counter=counter + 1)
        return counter

    def execute(self, frame: GbcsFrame) -> bytes:
        if not Esme.supports(frame.message_code, frame.content):
            raise _Refused(f"use case 0x{frame.message_code:04X} with a "
                           f"{payload_kind(frame.content).value} payload is not emulated by the ESME")
        if payload_kind(frame.content) is PayloadKind.DLMS:
            return self.dlms(frame)
        return self.activate_firmware(frame)

    def dlms(self, frame: GbcsFrame) -> bytes:
        request = parse_apdu(frame.content)
        if not isinstance(request, AccessRequest):
            raise _Refused(f"expected a DLMS access-request, found {type(request).__name__}")
        if request.long_invoke_id_and_priority != invoke_id_for(frame.originator_counter):
            raise _Refused(f"invoke id 0x{request.long_invoke_id_and_priority:08X} does not carry the "
                           f"originator counter")
        if len(request.data) != len(request.specifications):
            raise _Refused("request specifications and data items differ in number")
        reference = None if self.state.han.time_offset is None else self.at + self.state.han.time_offset
        context = ServerContext(utc=self.utc, reference_utc=reference, faults=self.meter.faults,
                                protect=lambda values, parameters: self.protect(frame, values, parameters))
        outcome = serve(self.state.model, request, context)
        self.update(model=outcome.model)
        for note in outcome.notes:
            if isinstance(note, ClockSet):
                self.update(clock_offset=note.utc - self.at)
            elif isinstance(note, EventRaised):
                self.log(EVENT_LOG, note.code)
        response = AccessResponse(request.long_invoke_id_and_priority, None, None, outcome.data, outcome.results)
        return build_apdu(response)

    def protect(self, frame: GbcsFrame, values: Data, parameters: Data) -> Data:
        """Encrypt protected attributes for the command's originator (GBCS Data Protection).

        The response echoes the protection parameters with originator and recipient swapped;
        the key is the response frame's encryption key (transaction type 4).
        """
        identity = self.meter.identity
        response = GbcsFrame.response(
            originator=identity.entity_id, recipient=frame.originator,
            originator_counter=frame.originator_counter, message_code=frame.message_code, content=b"",
            supplementary_remote_party_id=frame.supplementary_remote_party_id,
        )
        key = crypto.encryption_key(response, identity.keys)
        if key is None:
            raise _Refused(f"no key agreement key for {frame.originator.hex()}")
        ciphertext = crypto.encrypt_part(key, identity.entity_id, build_data(values))
        echoed = tuple(_swap_parties(entry) for entry in parameters.value)
        return Data(DataType.STRUCTURE, (
            Data(DataType.ARRAY, echoed),
            Data(DataType.OCTET_STRING, _PROTECTED_HEADER + ciphertext),
        ))

    # --- firmware ----------------------------------------------------------------------------

    def query_image(self) -> None:
        if self.state.han.tunnel is not TunnelState.OPEN:
            return
        ota, frame = query_next_image(self.state.ota, self.meter.ota_config, device=self.name)
        state, action = han.next_frame(self.state.han, frame)
        self.update(ota=ota, han=state)
        self.actions.append(action)

    def ota_frame(self, frame: Any) -> None:
        ota, frames, outcome = on_ota_frame(self.state.ota, self.meter.ota_config, frame, device=self.name)
        self.update(ota=ota)
        state = self.state.han
        for reply in frames:
            state, action = han.next_frame(state, reply)
            self.actions.append(action)
        self.update(han=state)
        if outcome is None:
            return
        counter = self.next_alert_counter()
        if outcome.held is not None:
            extra = Data(DataType.OCTET_STRING, outcome.held.manufacturer_image_hash)
            content = dlms_alert_content(counter, EventCode.FIRMWARE_VERIFICATION_SUCCESSFUL, self.utc, extra)
            self.log(EVENT_LOG, EventCode.FIRMWARE_VERIFICATION_SUCCESSFUL)
        else:
            LOGGER.warning("device %s discarded an OTA image: %s", self.name, outcome.reason)
            content = dlms_alert_content(counter, EventCode.FIRMWARE_VERIFICATION_FAILED, self.utc)
            self.log(SECURITY_LOG, EventCode.FIRMWARE_VERIFICATION_FAILED)
        self.send_gbcs(gbcs_endpoint.build_alert(
            self.meter.identity, recipient=self.meter.settings.supplier, counter=counter,
            message_code=FIRMWARE_RECEIPT_MESSAGE_CODE, content=content, critical=True))

    def activate_firmware(self, frame: GbcsFrame) -> bytes:
        """CS06: activate the held image now, at a future date, or cancel a pending activation."""
        command = decode_asn1(frame.content, frame.message_code, Cra.COMMAND).value
        image_hash = bytes(command["manufacturerImageHash"])
        when = command.get("executionDateTime")
        if when is None or _utc(when) <= self.utc:
            return encode_asn1("ActivateFirmwareResponse", ("executionOutcome", self.activate(image_hash)))
        if when == CANCEL_ACTIVATION:
            self.update(pending_activation=None)
            self.actions.append(CancelTimer(ACTIVATION_TIMER))
        else:
            pending = PendingActivation(image_hash, frame.originator, command["originatorCounter"], _utc(when))
            self.update(pending_activation=pending)
            self.actions.append(StartTimer(ACTIVATION_TIMER, pending.execute_at - self.state.clock_offset))
        return encode_asn1("ActivateFirmwareResponse", ("commandAccepted", None))

    def activate(self, image_hash: bytes) -> dict[str, Any]:
        """Run the held image if ``image_hash`` names it; return the CS06 execution outcome."""
        held = self.state.ota.held
        if held is None:
            return {"responseCode": NO_IMAGE_HELD, "firmwareVersion": self.state.firmware_version}
        if held.manufacturer_image_hash != image_hash:
            return {"responseCode": HASH_MISMATCH, "firmwareVersion": self.state.firmware_version}
        ota = replace(self.state.ota, state=advance(DeviceComponent.OTA, self.state.ota.state,
                                                    DeviceTrigger.IMAGE_ACTIVATED, device=self.name), held=None)
        version = held.firmware_version
        model = self.state.model
        model = model.replaced(model.find(1, FIRMWARE_VERSION).with_attribute(  # type: ignore[union-attr]
            2, Data(DataType.OCTET_STRING, version)))
        self.update(ota=ota, firmware_version=version, model=model)
        self.log(EVENT_LOG, EventCode.FIRMWARE_VERSION_CHANGED)
        self.actions.append(ImageActivated(version, image_hash))
        LOGGER.info("device %s now runs firmware %s", self.name, version.hex())
        return {"responseCode": ACTIVATION_SUCCESS, "firmwareVersion": version}

    def timer(self, name: str) -> None:
        if name == OTA_QUERY_TIMER:
            if self.state.ota.state in (OtaClientState.IDLE, OtaClientState.HELD):
                self.query_image()
            self.actions.append(StartTimer(OTA_QUERY_TIMER, self.at + self.meter.settings.ota_query_interval))
        elif name == ACTIVATION_TIMER and self.state.pending_activation is not None:
            pending = self.state.pending_activation
            self.update(pending_activation=None)
            outcome = self.activate(pending.image_hash)
            code = ALERT_ACTIVATION_SUCCESS if outcome["responseCode"] == ACTIVATION_SUCCESS else ALERT_ACTIVATION_FAILURE
            content = encode_asn1("ActivateFirmwareAlert", {
                "alertCode": code, "executionDateTime": generalized_time(self.utc),
                "originatorCounter": pending.originator_counter, "executionOutcome": outcome,
            })
            self.send_gbcs(gbcs_endpoint.build_alert(
                self.meter.identity, recipient=pending.originator, counter=self.next_alert_counter(),
                message_code=CS06_ALERT_MESSAGE_CODE, content=content, critical=True))

    # --- supply ------------------------------------------------------------------------------

    def supply_lost(self) -> None:
        supply = advance(DeviceComponent.SUPPLY, self.state.supply, DeviceTrigger.SUPPLY_LOST, device=self.name)
        self.update(supply=supply, supply_lost_at=self.utc)
        self.log(POWER_EVENT_LOG, ALERT_SUPPLY_INTERRUPTED)

    def supply_restored(self) -> None:
        supply = advance(DeviceComponent.SUPPLY, self.state.supply, DeviceTrigger.SUPPLY_RESTORED, device=self.name)
        lost_at = self.state.supply_lost_at if self.state.supply_lost_at is not None else self.utc
        duration = self.utc - lost_at
        code = ALERT_OUTAGE_RESTORED_LONG if duration >= LONG_OUTAGE else ALERT_OUTAGE_RESTORED
        self.update(supply=supply, supply_lost_at=None)
        self.log(POWER_EVENT_LOG, code, duration)
        counter = self.next_alert_counter()
        # NOTE: both alerts travel as ECS80 (message code 0x0067) with the interruption and
        # restoration times, as the RTDS shows for 0x8F36; the RTDS has no 0x8F35 example.
        content = dlms_alert_content(counter, code, self.utc,
                                     Data(DataType.OCTET_STRING, cosem_date_time(lost_at)),
                                     Data(DataType.OCTET_STRING, cosem_date_time(self.utc)))
        self.send_gbcs(gbcs_endpoint.build_alert(
            self.meter.identity, recipient=self.meter.settings.network_operator, counter=counter,
            message_code=ECS80_MESSAGE_CODE, content=content, critical=True))

    # --- logs --------------------------------------------------------------------------------

    def log(self, logical_name: bytes, code: int, extra: int = 0) -> None:
        """Append an entry to one of the meter's event logs (profile generic buffers)."""
        item = self.state.model.find(7, logical_name)
        if item is None or item.buffer is None:
            return
        columns = item.buffer.description.elements
        values: list[Data] = [Data(DataType.DOUBLE_LONG_UNSIGNED, self.utc - ZIGBEE_EPOCH),
                              Data(DataType.LONG_UNSIGNED, code)]
        for column in columns[2:]:
            if column.type == DataType.DOUBLE_LONG_UNSIGNED:
                values.append(Data(column.type, extra))
            elif column.type == DataType.OCTET_STRING:
                values.append(Data(column.type, b""))
            else:
                values.append(Data(column.type, 0))
        entry = Data(DataType.STRUCTURE, tuple(values[:len(columns)]))
        self.update(model=self.state.model.replaced(item.with_buffer(item.buffer.capture(entry))))


class _Refused(Exception):
    """A command the meter answers with no response: its payload does not fit the use case."""


# Security header of a protected-attributes octet-string: security control 0x31 (authenticated
# encryption, suite 1) and a zero invocation counter, as GBCS devices send it.
_PROTECTED_HEADER = bytes.fromhex("3100000000")


def _swap_parties(entry: Data) -> Data:
    """Swap originator and recipient in one protection parameters entry."""
    protection_type, options = entry.value
    members = list(options.value)
    if len(members) >= 3:
        members[1], members[2] = members[2], members[1]
    return Data(DataType.STRUCTURE, (protection_type, Data(DataType.STRUCTURE, tuple(members))))


def _utc(moment: datetime.datetime) -> int:
    """Return UTC seconds since 1970 of a naive GeneralizedTime value (asn1tools gives UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())
