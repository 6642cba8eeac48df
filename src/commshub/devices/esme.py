"""The virtual electricity meter (ESME): a DLMS/COSEM server behind GBCS, on the HAN.

``Esme.handle(event) -> list[action]``, with no clock and no radio of its own. Besides what
every virtual meter does (:mod:`commshub.devices.meter`: join, GBCS tunnel, command checks,
OTA client, CS06), the ESME:

- runs DLMS access-requests on its COSEM object model (:mod:`commshub.devices.cosem`, objects
  from :mod:`commshub.devices.esme_objects`) and encrypts protected attributes for the party
  that asked (GBCS Data Protection);
- raises the supply outage restored alerts 0x8F35 and 0x8F36 (ECS80) when the supply returns;
- writes its event, security and power event logs, which ECS35a, ECS35b and ECS35e read;
- rejects a command as the CHF does. A use case that the originator's role may not send
  (:mod:`commshub.devices.esme_roles`) gets the originator a Generic Critical Alert 0x8F30, and
  a failed MAC check gets it 0x8F3D. Neither changes anything but the security log.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from commshub.codecs.dlms import build_apdu, build_data, parse_apdu
from commshub.codecs.dlms.axdr import Data, DataType
from commshub.codecs.dlms.xdlms import AccessRequest, AccessResponse
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.payload import PayloadKind, payload_kind
from commshub.codecs.zigbee.zcl import Direction, Status, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.price import GET_CURRENT_PRICE, PRICE_ID, PUBLISH_PRICE
from commshub.codecs.zigbee.zcl.foundation import DEFAULT_RESPONSE
from commshub.devices import gbcs_endpoint, han
from commshub.devices.cosem.model import CosemModel, obis
from commshub.devices.cosem.server import (
    ClockSet,
    EventRaised,
    FaultKey,
    ServerContext,
    read_attribute,
    serve,
)
from commshub.devices.esme_objects import (
    EVENT_LOG,
    FIRMWARE_VERSION,
    POWER_EVENT_LOG,
    SECURITY_LOG,
    esme_model,
)
from commshub.devices.esme_roles import allowed_roles
from commshub.devices.events import DeviceEvent, HanFrameReceived, SupplyLost, SupplyRestored
from commshub.devices.han import HanState
from commshub.devices.identity import DeviceIdentity
from commshub.devices.meter import (
    CS06_MESSAGE_CODE,
    LogKind,
    Meter,
    MeterRun,
    MeterSettings,
    MeterState,
    Refused,
    initial_ota,
)
from commshub.devices.ota_client import HeldImage, OtaOutcome, firmware_version_of
from commshub.devices.transitions import DeviceComponent, DeviceTrigger, SupplyState, advance
from commshub.errors import CodecError, RemoteProtocolError
from commshub.hub.gbcs_io import ZIGBEE_EPOCH, cosem_date_time, dlms_alert_content, invoke_id_for
from commshub.hub.logs import EventCode

__all__ = [
    "ECS80_MESSAGE_CODE",
    "ESME_IMAGE_TYPE",
    "Esme",
    "EsmeSettings",
    "EsmeState",
]

LOGGER = logging.getLogger(__name__)

ECS80_MESSAGE_CODE = 0x0067  # ECS80 Supply Outage Restore Alert from ESME
FIRMWARE_RECEIPT_MESSAGE_CODE = 0x00CE  # ESME firmware distribution receipt alert (DLMS)
ALERT_OUTAGE_RESTORED = 0x8F35  # Supply Outage Restored
ALERT_OUTAGE_RESTORED_LONG = 0x8F36  # Supply Outage Restored - Outage >= 3 minutes
ALERT_SUPPLY_INTERRUPTED = 0x8F57  # Supply interrupted (power event log)
EVENT_CH_CONNECTED = 0x81A2  # CH Connected to ESME
# GBCS names the long outage ">= 3 minutes" (alert 0x8F36), seconds.
LONG_OUTAGE = 180
# Illustrative OTA image type of an ESME; manufacturers choose their own.
ESME_IMAGE_TYPE = 0x0001
_LOGS = {LogKind.EVENT: EVENT_LOG, LogKind.SECURITY: SECURITY_LOG, LogKind.POWER: POWER_EVENT_LOG}
# Security header of a protected-attributes octet-string: security control 0x31 (authenticated
# encryption, suite 1) and a zero invocation counter, as GBCS devices send it.
_PROTECTED_HEADER = bytes.fromhex("3100000000")


@dataclass(frozen=True, kw_only=True)
class EsmeSettings(MeterSettings):
    """ESME settings: ``twin_element`` builds a twin-element meter; ``history_days`` is how
    much profile history the meter holds when it starts."""

    image_type: int = ESME_IMAGE_TYPE
    twin_element: bool = False
    history_days: int = 366


@dataclass(frozen=True, kw_only=True)
class EsmeState(MeterState):
    """The ESME's state: the common meter state, its object model and its supply."""

    model: CosemModel
    supply: SupplyState = SupplyState.ON
    supply_lost_at: int | None = None


class Esme(Meter):
    """One virtual ESME. ``faults`` injects DLMS failures (see ``ServerContext.faults``), for
    test benches that need a failing meter; ``held_image`` starts the meter with a verified
    image waiting for CS06."""

    def __init__(self, identity: DeviceIdentity, *, hub: bytes, now: int, settings: EsmeSettings | None = None,
                 faults: Mapping[FaultKey, int] | None = None, held_image: HeldImage | None = None) -> None:
        super().__init__(identity)
        self.settings: EsmeSettings = settings or EsmeSettings()
        self.faults = dict(faults or {})
        start = now - ZIGBEE_EPOCH
        model = esme_model(history_start=start - self.settings.history_days * 86_400, history_end=start,
                           twin=self.settings.twin_element)
        version = firmware_version_of(self.settings.file_version)
        model = model.replaced(model.get(1, "0-0:0.2.1.255").with_attribute(2, Data(DataType.OCTET_STRING, version)))
        model = model.replaced(model.get(1, "0-0:96.1.1.255").with_attribute(
            2, Data(DataType.OCTET_STRING, identity.entity_id)))
        self.state: EsmeState = EsmeState(
            han=HanState(hub=hub), model=model, firmware_version=version,
            alert_counter=self.settings.first_alert_counter, ota=initial_ota(held_image),
        )

    @staticmethod
    def supports(message_code: int, content: bytes) -> bool:
        """Tell whether the meter emulates a use case: DLMS access-requests, and CS06."""
        kind = payload_kind(content)
        return kind is PayloadKind.DLMS or (kind is PayloadKind.ASN1 and message_code == CS06_MESSAGE_CODE)

    def read(self, class_id: int, logical_name: str, attribute_id: int, *, at: int) -> Data:
        """Read an attribute of the object model as the meter would (for tests and benches)."""
        item = self.state.model.get(class_id, logical_name)
        _result, value = read_attribute(item, attribute_id, ServerContext(utc=self.device_time(at)))
        return value


class _NotAuthorised(Exception):
    """The originator's role may not send the use case; raised before anything changes."""

    def __init__(self, frame: GbcsFrame, reason: str) -> None:
        super().__init__(reason)
        self.frame = frame
        self.reason = reason


class _EsmeRun(MeterRun):
    meter: Esme
    state: EsmeState

    def dispatch(self, event: DeviceEvent) -> None:
        if isinstance(event, SupplyLost):
            self.supply_lost()
        elif isinstance(event, SupplyRestored):
            self.supply_restored()
        else:
            super().dispatch(event)

    def joined(self) -> None:
        self.log(LogKind.EVENT, EVENT_CH_CONNECTED)

    # --- the Price cluster server for the HAN's displays -----------------------------------

    def han_frame(self, event: HanFrameReceived) -> None:
        if event.cluster == PRICE_ID and event.source != self.state.han.hub:
            self.price_request(event)
        else:
            super().han_frame(event)

    def price_request(self, event: HanFrameReceived) -> None:
        """Reply to a Get Current Price from an IHD or PPMID (ZCL Price cluster server)."""
        try:
            request = parse_zcl(event.payload, PRICE_ID, direction=Direction.CLIENT_TO_SERVER)
        except CodecError as exc:
            raise RemoteProtocolError(f"device {self.name}: undecodable Price frame from "
                                      f"{event.source.hex()}: {exc}") from None
        if GET_CURRENT_PRICE.matches(request):
            price, scaler = _unit_charge(self.state.model)
            reply = PUBLISH_PRICE.reply(
                request, provider_id=0, rate_label=b"Standard", issuer_event_id=0,
                current_time=self.utc - ZIGBEE_EPOCH, unit_of_measure=_KWH_BINARY,
                currency=_POUND_STERLING, price_trailing_digit_and_price_tier=(-scaler & 0x0F) << 4 | 1,
                number_of_price_tiers_and_register_tier=0x11, start_time=0, duration_in_minutes=0xFFFF,
                price=price)
        else:
            reply = DEFAULT_RESPONSE.reply(request, command_id=request.command_id,
                                           status=Status.UNSUP_CLUSTER_COMMAND)
        self.actions.append(han.reply_frame(self.state.han, reply, to=event.source))

    # --- command checks beyond the GBCS endpoint's ------------------------------------------

    def gbcs(self, data: bytes) -> None:
        try:
            super().gbcs(data)
        except _NotAuthorised as refusal:
            frame = refusal.frame
            LOGGER.warning("device %s rejected use case 0x%04X from %s (counter %d): %s", self.name,
                           frame.message_code, frame.originator.hex(), frame.originator_counter, refusal.reason)
            self.log(LogKind.SECURITY, EventCode.SOURCE_NOT_AUTHORISED)
            self.alert_originator(frame, EventCode.SOURCE_NOT_AUTHORISED)

    def rejected(self, rejection: gbcs_endpoint.Rejected) -> None:
        super().rejected(rejection)
        # The CHF alerts the party a frame names when its MAC fails (the originator is one the
        # meter trusts, or the endpoint would have dropped the frame before the MAC check).
        if rejection.reason is gbcs_endpoint.Rejection.BAD_MAC and rejection.frame is not None:
            self.alert_originator(rejection.frame, EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE)

    def check_role(self, frame: GbcsFrame) -> None:
        """Raise unless the originator's role may send the use case; Refused for a message code
        that is no ESME use case."""
        roles = allowed_roles(frame.message_code)
        if roles is None:
            raise Refused(f"message code 0x{frame.message_code:04X} is no ESME use case")
        role = self.meter.identity.roles.get(frame.originator)
        if role not in roles:
            name = role.name if role is not None else "unknown"
            raise _NotAuthorised(frame, f"role {name} may not send 0x{frame.message_code:04X}")

    # --- use cases ---------------------------------------------------------------------------

    def execute(self, frame: GbcsFrame) -> bytes:
        if not Esme.supports(frame.message_code, frame.content):
            raise Refused(f"use case 0x{frame.message_code:04X} with a "
                          f"{payload_kind(frame.content).value} payload is not emulated by the ESME")
        self.check_role(frame)
        if payload_kind(frame.content) is PayloadKind.DLMS:
            return self.dlms(frame)
        return self.activate_firmware(frame)

    def dlms(self, frame: GbcsFrame) -> bytes:
        request = parse_apdu(frame.content)
        if not isinstance(request, AccessRequest):
            raise Refused(f"expected a DLMS access-request, found {type(request).__name__}")
        if request.long_invoke_id_and_priority != invoke_id_for(frame.originator_counter):
            raise Refused(f"invoke id 0x{request.long_invoke_id_and_priority:08X} does not carry the "
                          f"originator counter")
        if len(request.data) != len(request.specifications):
            raise Refused("request specifications and data items differ in number")
        reference = None if self.state.han.time_offset is None else self.at + self.state.han.time_offset
        context = ServerContext(utc=self.utc, reference_utc=reference, faults=self.meter.faults,
                                protect=lambda values, parameters: self.protect(frame, values, parameters))
        outcome = serve(self.state.model, request, context)
        self.update(model=outcome.model)
        for note in outcome.notes:
            if isinstance(note, ClockSet):
                self.update(clock_offset=note.utc - self.at)
            elif isinstance(note, EventRaised):
                self.log(LogKind.EVENT, note.code)
        response = AccessResponse(request.long_invoke_id_and_priority, None, None, outcome.data, outcome.results)
        return build_apdu(response)

    def protect(self, frame: GbcsFrame, values: Data, parameters: Data) -> Data:
        """Encrypt protected attributes for the command's originator (GBCS Data Protection).

        The response echoes the protection parameters with originator and recipient swapped;
        the key is the response frame's encryption key (transaction type 4).
        """
        ciphertext = self.encrypt_for(frame, build_data(values))
        echoed = tuple(_swap_parties(entry) for entry in parameters.value)
        return Data(DataType.STRUCTURE, (
            Data(DataType.ARRAY, echoed),
            Data(DataType.OCTET_STRING, _PROTECTED_HEADER + ciphertext),
        ))

    # --- alerts ------------------------------------------------------------------------------

    def alert_content(self, counter: int, code: int, message_code: int) -> bytes:
        return dlms_alert_content(counter, code, self.utc)

    def firmware_receipt(self, counter: int, outcome: OtaOutcome) -> tuple[int, bytes]:
        if outcome.held is None:
            return FIRMWARE_RECEIPT_MESSAGE_CODE, dlms_alert_content(
                counter, EventCode.FIRMWARE_VERIFICATION_FAILED, self.utc)
        image_hash = Data(DataType.OCTET_STRING, outcome.held.manufacturer_image_hash)
        return FIRMWARE_RECEIPT_MESSAGE_CODE, dlms_alert_content(
            counter, EventCode.FIRMWARE_VERIFICATION_SUCCESSFUL, self.utc, image_hash)

    def firmware_changed(self, version: bytes) -> None:
        item = self.state.model.find(1, FIRMWARE_VERSION)
        if item is not None:
            self.update(model=self.state.model.replaced(item.with_attribute(2, Data(DataType.OCTET_STRING, version))))

    # --- supply ------------------------------------------------------------------------------

    def supply_lost(self) -> None:
        supply = advance(DeviceComponent.SUPPLY, self.state.supply, DeviceTrigger.SUPPLY_LOST, device=self.name)
        self.update(supply=supply, supply_lost_at=self.utc)
        self.log(LogKind.POWER, ALERT_SUPPLY_INTERRUPTED)

    def supply_restored(self) -> None:
        supply = advance(DeviceComponent.SUPPLY, self.state.supply, DeviceTrigger.SUPPLY_RESTORED, device=self.name)
        lost_at = self.state.supply_lost_at if self.state.supply_lost_at is not None else self.utc
        duration = self.utc - lost_at
        code = ALERT_OUTAGE_RESTORED_LONG if duration >= LONG_OUTAGE else ALERT_OUTAGE_RESTORED
        self.update(supply=supply, supply_lost_at=None)
        self.log(LogKind.POWER, code, duration)
        counter = self.next_alert_counter()
        # NOTE: both alerts travel as ECS80 (message code 0x0067) with the interruption and
        # restoration times, as the RTDS shows for 0x8F36; the RTDS has no 0x8F35 example.
        content = dlms_alert_content(counter, code, self.utc,
                                     Data(DataType.OCTET_STRING, cosem_date_time(lost_at)),
                                     Data(DataType.OCTET_STRING, cosem_date_time(self.utc)))
        self.send_alert(self.meter.settings.network_operator, counter, ECS80_MESSAGE_CODE, content)

    # --- logs --------------------------------------------------------------------------------

    def log(self, kind: str, code: int, extra: int = 0) -> None:
        """Append {UTC time, code, ...} to one of the meter's logs (profile generic buffers)."""
        item = self.state.model.find(7, _LOGS[kind])
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


Esme.RUN = _EsmeRun


# Price cluster values of the ESME's Publish Price: unit of measure 0 (kWh, binary) and ISO 4217
# currency 826 (pound sterling).
_KWH_BINARY = 0
_POUND_STERLING = 826
_UNIT_CHARGE = obis("0-0:19.20.0.255")  # Charge: the active unit charge (attribute 5)


def _unit_charge(model: CosemModel) -> tuple[int, int]:
    """Return the first price of the active unit charge and its decimal scaler."""
    item = model.find(113, _UNIT_CHARGE)
    charge = None if item is None else item.attributes.get(5)
    try:
        scaler = charge.value[0].value[1].value  # type: ignore[union-attr]
        price = charge.value[2].value[0].value[1].value  # type: ignore[union-attr]
    except (AttributeError, IndexError, TypeError):
        return 0, 0
    return max(0, int(price)), int(scaler)


def _swap_parties(entry: Data) -> Data:
    """Swap originator and recipient in one protection parameters entry."""
    protection_type, options = entry.value
    members = list(options.value)
    if len(members) >= 3:
        members[1], members[2] = members[2], members[1]
    return Data(DataType.STRUCTURE, (protection_type, Data(DataType.STRUCTURE, tuple(members))))
