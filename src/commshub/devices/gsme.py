"""The virtual gas meter (GSME): a sleepy ZigBee device that speaks GBZ (ZCL inside GBCS).

A battery-powered gas meter keeps its radio off. It wakes on a schedule (a timer), polls the
gas proxy function (GPF) through its GBCS tunnel with GET, takes each queued command from the
GET-RESPONSE (which carries how many more wait), answers it with a PUT, and polls again until the
queue is empty; then it sleeps until the next wake. Its OTA client drives its own transfer:
it fetches at most ``blocks_per_wake`` blocks per wake, so a large image takes several wakes.

Commands are GBZ payloads: one ZCL command per component. The meter answers each with the
response ZCL defines (Read Attributes Response from its attribute table, a cluster response,
or a Default Response) and encrypts the components that GBCS treats as sensitive. Once a
component fails, the meter executes none of the following ones and answers each with a Default
Response FAILURE for command 0xFF, as the reference GSME of the DCC RTDS 4.5.0 does. GCS28 (Set
Clock, ASN.1) and CS06 (Activate Firmware) are answered too.

The meter holds the data GBCS gas use cases read: registers, prepayment balances and snapshots
(:mod:`~commshub.devices.gsme_ledger`), its tariff and friendly credit calendars
(:mod:`~commshub.devices.gsme_tariff`), event and security logs with their configuration
(:mod:`~commshub.devices.gsme_events`), half-hourly profile data and a sampling session. The
commands that read them are answered in :mod:`~commshub.devices.gsme_responders`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from commshub.codecs.gbcs.asn1 import decode_asn1, encode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.gbz import (
    ENCRYPTED_COMPONENT,
    LAST_COMPONENT,
    FirmwareReceipt,
    GbzAlert,
    GbzComponent,
    GbzEncryption,
    GbzPayload,
    build_gbz,
    build_gbz_alert,
    parse_gbz,
)
from commshub.codecs.gbcs.payload import PayloadKind, payload_kind
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.tunnel import TunnelCommand, TunnelMessage
from commshub.codecs.zigbee.zcl import Direction, FrameType, Status, ZclFrame, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import prepayment
from commshub.codecs.zigbee.zcl.clusters.ota import IMAGE_BLOCK_RESPONSE
from commshub.codecs.zigbee.zcl.clusters.price import PRICE_ID
from commshub.codecs.zigbee.zcl.foundation import (
    DEFAULT_RESPONSE,
    READ_ATTRIBUTES,
    READ_ATTRIBUTES_RESPONSE,
)
from commshub.codecs.zigbee.zcl.schema import CLUSTERS
from commshub.devices import han
from commshub.devices.events import DeviceEvent, StartTimer, TimerExpired
from commshub.devices.gsme_attributes import FIRMWARE_VERSION_ATTRIBUTE, GSME_ATTRIBUTES
from commshub.devices.gsme_events import EVENT_CONFIGURATION, EventLogId, GsmeLogs, LogEntry
from commshub.devices.gsme_ledger import (
    DAY,
    LIVE_ATTRIBUTES,
    AccountPlan,
    DebtTerms,
    GasUsage,
    MeterRecords,
    SamplingSession,
    SyntheticPast,
    integrate,
    live_attributes,
    prices_from,
    synthetic_history,
)
from commshub.devices.gsme_responders import RESPONDERS
from commshub.devices.gsme_tariff import GasTariff, default_tariff
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
    utc_of,
)
from commshub.devices.ota_client import HeldImage, OtaOutcome, block_request, firmware_version_of
from commshub.devices.transitions import (
    DeviceComponent,
    DeviceTrigger,
    OtaClientState,
    PollState,
    TunnelState,
    advance,
)
from commshub.hub.gbcs_io import ZIGBEE_EPOCH, generalized_time

__all__ = [
    "ENCRYPTED_RESPONSES",
    "GCS28_MESSAGE_CODE",
    "GSME_IMAGE_TYPE",
    "Gsme",
    "GsmeSettings",
    "GsmeState",
    "ZclFault",
    "disable_default_response",
]

LOGGER = logging.getLogger(__name__)

GCS28_MESSAGE_CODE = 0x007F  # GCS28 Set Clock on GSME
FIRMWARE_RECEIPT_MESSAGE_CODE = 0x00CF  # GSME firmware distribution receipt alert (GBZ)
# Illustrative OTA image type of a GSME; manufacturers choose their own.
GSME_IMAGE_TYPE = 0x0002
WAKE_TIMER = "wake"
# SetTimeResponse deviceTimeStatus (GBCS GCS28).
TIME_RELIABLE, TIME_INVALID, TIME_UNRELIABLE = 0, 1, 2
# Response components the GSME encrypts, by message code: (cluster, response command ID).
# From the DCC RTDS 4.5.0, whose GSME encrypts exactly these (consumption, profile and
# prepayment data).
ENCRYPTED_RESPONSES: Mapping[int, frozenset[tuple[int, int]]] = {
    0x0074: frozenset({(0x0702, 0x01)}),  # GCS13a
    0x00B6: frozenset({(0x0702, 0x01)}),  # GCS13c
    0x00B8: frozenset({(0x0702, 0x01)}),  # GCS13b
    0x0075: frozenset({(0x0705, 0x01)}),  # GCS14
    0x0096: frozenset({(0x0705, 0x01)}),  # GCS16b
    0x00C3: frozenset({(0x0705, 0x01), (0x0702, 0x06)}),  # GCS15b
    0x0076: frozenset({(0x0702, 0x06), (0x0705, 0x01)}),  # GCS15c
    0x00C4: frozenset({(0x0705, 0x06)}),  # GCS15d
    0x0077: frozenset({(0x0702, 0x06)}),  # GCS16a
    0x0078: frozenset({(0x0702, 0x07)}),  # GCS17
    0x0079: frozenset({(0x0702, 0x07)}),  # GCS18
}
# The disable-default-response bit of the GSME's responses, as the reference GSME of the DCC
# RTDS 4.5.0 sets it. ZCL leaves the bit of a response to the sender, and GBCS fixes it per use
# case. The RTDS sets it on Publish commands, except Publish Billing Period, and on Change
# Payment Mode Response. It clears it on other cluster responses and on global commands.
_DISABLED_BY_COMMAND: Mapping[tuple[int, int], bool] = {
    (0x0700, 0x09): False,  # Publish Billing Period
    (0x0705, 0x02): True,  # Change Payment Mode Response
}
# Use cases (message code, cluster, frame type, command ID) whose responses break that rule.
_DISABLED_BY_USE_CASE: Mapping[tuple[int, int, int, int], bool] = {
    (0x0074, 0x0702, FrameType.GLOBAL, 0x01): True,  # GCS13a Read Attributes Response
    (0x00B6, 0x0702, FrameType.GLOBAL, 0x01): True,  # GCS13c
    (0x00B8, 0x0702, FrameType.GLOBAL, 0x01): True,  # GCS13b
    (0x009F, 0x0700, FrameType.GLOBAL, 0x01): True,  # GCS21f
    (0x0078, 0x0702, FrameType.CLUSTER, 0x07): True,  # GCS17 Get Sampled Data Response
}
# Statuses that mean the meter failed to execute a command, so it executes no later component.
# The RTDS GSME stops after HARDWARE_FAILURE and goes on after NOT_FOUND; GBCS's full rule is not
# in the public material.
_EXECUTION_FAILURES = frozenset({Status.FAILURE, Status.HARDWARE_FAILURE, Status.SOFTWARE_FAILURE})
# Default Response command ID of a component the meter did not execute (the RTDS GSME's choice).
_NOT_EXECUTED = 0xFF


@dataclass(frozen=True, kw_only=True)
class GsmeSettings(MeterSettings):
    """GSME settings: ``poll_interval`` is the time between wakes (seconds) and
    ``blocks_per_wake`` how many OTA blocks the meter fetches before it sleeps again.

    The meter's data come from ``usage`` (its consumption model, whose seed also seeds
    the logs), ``past`` (the synthetic history before it first starts), ``terms`` (debt
    recovery) and ``tariff`` (None: a meter whose supplier has sent no tariff or calendars).
    ``daily_snapshot_time`` is when the daily snapshots are taken (seconds after midnight UTC)
    and ``profile_days`` how far back the half-hourly profile data log reaches.

    NOTE: GBCS's required wake interval of a GSME is not in the public material; 30 minutes is
    an assumption. The daily snapshot time follows the RTDS reference GSME (09:00 UTC, the
    times in its GCS16a and GCS16b responses); the profile depth of 13 months is an assumption.
    """

    image_type: int = GSME_IMAGE_TYPE
    poll_interval: int = 1800
    blocks_per_wake: int = 64
    usage: GasUsage = field(default_factory=GasUsage)
    past: SyntheticPast = field(default_factory=SyntheticPast)
    terms: DebtTerms = field(default_factory=DebtTerms)
    tariff: GasTariff | None = field(default_factory=default_tariff)
    daily_snapshot_time: int = 9 * 3600
    profile_days: int = 396


@dataclass(frozen=True, kw_only=True)
class GsmeState(MeterState):
    """The GSME's state: the common meter state, its attributes, its radio, its tariff, logs
    and records.

    ``started_at`` is when the meter first started (UTC seconds): its synthetic history ends
    there. ``records`` are computed when first needed and then kept up to date.
    """

    attributes: Mapping[int, Mapping[int, tuple[int, Any]]]
    poll: PollState = PollState.AWAKE
    blocks_this_wake: int = 0
    tariff: GasTariff | None = None
    started_at: int | None = None
    records: MeterRecords | None = None
    logs: GsmeLogs | None = None
    event_configuration: Mapping[int, int] = field(default_factory=lambda: dict(EVENT_CONFIGURATION))
    sampling: SamplingSession | None = None


# A ZCL fault to inject: ("attribute", cluster, attribute ID), ("command", cluster, command ID),
# or ("component", cluster, index) for the component at that index (from 0) of a GBZ command.
ZclFault = tuple[str, int, int]


class Gsme(Meter):
    """One virtual GSME; ``hub`` is the CHF's IEEE address (the Trust Centre and tunnel server).

    ``faults`` injects ZCL failures for test benches: a read of a listed attribute, a listed
    command, or the command in a listed component position answers with that status (for
    example 0xC0 HARDWARE_FAILURE).
    """

    def __init__(self, identity: DeviceIdentity, *, hub: bytes, settings: GsmeSettings | None = None,
                 held_image: HeldImage | None = None, faults: Mapping[ZclFault, int] | None = None) -> None:
        super().__init__(identity)
        self.settings: GsmeSettings = settings or GsmeSettings()
        self.faults = dict(faults or {})
        version = firmware_version_of(self.settings.file_version)
        attributes = {cluster: dict(table) for cluster, table in GSME_ATTRIBUTES.items()}
        cluster, attribute = FIRMWARE_VERSION_ATTRIBUTE
        attributes[cluster][attribute] = (attributes[cluster][attribute][0], version)
        self.state: GsmeState = GsmeState(
            han=HanState(hub=hub), firmware_version=version, attributes=attributes,
            alert_counter=self.settings.first_alert_counter, ota=initial_ota(held_image),
            tariff=self.settings.tariff,
        )

    @staticmethod
    def supports(message_code: int, content: bytes) -> bool:
        """Tell whether the meter emulates a use case: GBZ commands, GCS28 and CS06."""
        kind = payload_kind(content)
        return kind is PayloadKind.GBZ or (
            kind is PayloadKind.ASN1 and message_code in (GCS28_MESSAGE_CODE, CS06_MESSAGE_CODE))

    @property
    def asleep(self) -> bool:
        return self.state.poll is PollState.ASLEEP


class GsmeRun(MeterRun):
    meter: Gsme
    state: GsmeState

    def dispatch(self, event: DeviceEvent) -> None:
        if isinstance(event, TimerExpired) and event.name == WAKE_TIMER:
            self.wake()
        else:
            super().dispatch(event)

    # --- the sleep cycle -----------------------------------------------------------------------

    def wake(self) -> None:
        """Wake up and poll the GPF for queued commands."""
        self.update(poll=advance(DeviceComponent.POLL, self.state.poll, DeviceTrigger.WAKE, device=self.name),
                    blocks_this_wake=0)
        self.poll()
        if self.state.ota.state is OtaClientState.DOWNLOADING:
            self.resume_transfer()

    def poll(self) -> None:
        if self.state.han.tunnel is not TunnelState.OPEN:
            return
        state, action = han.send_get(self.state.han, device=self.name)
        self.update(han=state)
        self.actions.append(action)

    def sleep_if_done(self) -> None:
        """Go back to sleep once the queue is drained and no OTA exchange is under way."""
        busy = self.state.ota.state in (OtaClientState.QUERYING, OtaClientState.VERIFYING) or (
            self.state.ota.state is OtaClientState.DOWNLOADING
            and self.state.blocks_this_wake < self.meter.settings.blocks_per_wake)
        if busy or self.state.poll is PollState.ASLEEP:
            return
        self.flush()  # what the meter has to say goes out before its radio sleeps
        self.update(poll=advance(DeviceComponent.POLL, self.state.poll, DeviceTrigger.QUEUE_DRAINED,
                                 device=self.name))
        self.actions.append(StartTimer(WAKE_TIMER, self.at + self.meter.settings.poll_interval))

    def han_frame(self, event: Any) -> None:
        opened_before = self.state.han.tunnel is TunnelState.OPEN
        super().han_frame(event)
        if not opened_before and self.state.han.tunnel is TunnelState.OPEN:
            self.poll()  # the first poll goes out as soon as the tunnel is open

    def on_tunnel(self, messages: list[TunnelMessage]) -> None:
        for message in messages:
            if message.message:
                self.gbcs(message.message)
            if message.command == TunnelCommand.GET_RESPONSE:
                self.flush()
                if message.remaining_messages:
                    self.poll()
                else:
                    self.sleep_if_done()

    def flush(self) -> None:
        """Send the queued messages, but only while awake: they wait for the next wake otherwise."""
        if self.state.poll is PollState.AWAKE:
            super().flush()

    # --- OTA at the meter's own pace -----------------------------------------------------------

    def ota_frame(self, frame: ZclFrame) -> None:
        if self.state.poll is PollState.ASLEEP:
            LOGGER.debug("device %s is asleep: OTA frame lost", self.name)
            return
        super().ota_frame(frame)
        self.sleep_if_done()

    def ota_replies(self, frame: ZclFrame, replies: list[ZclFrame]) -> list[ZclFrame]:
        """Count the blocks of this wake; past ``blocks_per_wake`` the next request waits."""
        if not IMAGE_BLOCK_RESPONSE.matches(frame):
            return replies
        blocks = self.state.blocks_this_wake + 1
        self.update(blocks_this_wake=blocks)
        if self.state.ota.state is OtaClientState.DOWNLOADING and blocks >= self.meter.settings.blocks_per_wake:
            return []
        return replies

    def resume_transfer(self) -> None:
        """Ask for the next block of a transfer that paused while the meter slept."""
        self.send_frame(block_request(self.state.ota, self.meter.ota_config))

    def query_image(self) -> None:
        if self.state.poll is PollState.ASLEEP:
            self.update(poll=advance(DeviceComponent.POLL, self.state.poll, DeviceTrigger.WAKE,
                                     device=self.name), blocks_this_wake=0)
        super().query_image()

    # --- use cases -------------------------------------------------------------------------

    def execute(self, frame: GbcsFrame) -> bytes:
        if not Gsme.supports(frame.message_code, frame.content):
            raise Refused(f"use case 0x{frame.message_code:04X} with a "
                          f"{payload_kind(frame.content).value} payload is not emulated by the GSME")
        if frame.message_code == CS06_MESSAGE_CODE:
            return self.activate_firmware(frame)
        if frame.message_code == GCS28_MESSAGE_CODE:
            return self.set_clock(frame)
        return self.gbz(frame)

    def set_clock(self, frame: GbcsFrame) -> bytes:
        """GCS28: take the GPF's time if the meter's clock lies in the validity interval."""
        command = decode_asn1(frame.content, frame.message_code, Cra.COMMAND).value
        start, end = utc_of(command["validityIntervalStart"]), utc_of(command["validityIntervalEnd"])
        reference = None if self.state.han.time_offset is None else self.at + self.state.han.time_offset
        if reference is None:
            status = TIME_INVALID
        elif start <= self.utc <= end:
            self.update(clock_offset=reference - self.at)
            status = TIME_RELIABLE
        else:
            status = TIME_UNRELIABLE
        return encode_asn1("SetTimeResponse", {"deviceTime": generalized_time(self.utc), "deviceTimeStatus": status})

    def gbz(self, frame: GbcsFrame) -> bytes:
        """Reply to every ZCL command of a GBZ payload, component by component, until one fails."""
        request = parse_gbz(frame.content)
        replies: list[ZclFrame] = []
        failed = False
        for index, component in enumerate(request.components):
            if component.encryption is not None:
                raise Refused("encrypted command components are not emulated")
            header = bytes([component.frame_control, component.sequence_number, component.command_id])
            command = parse_zcl(header + component.payload, component.cluster)
            if failed:
                replies.append(self.default_response(command, Status.FAILURE, command_id=_NOT_EXECUTED))
                continue
            fault = self.meter.faults.get(("component", component.cluster, index))
            if fault is not None:
                answered = [self.default_response(command, Status(fault))]
            else:
                answered = self.zcl(command, from_date_time=component.from_date_time)
            replies.extend(answered)
            failed = any(_execution_failed(reply) for reply in answered)
        sensitive = ENCRYPTED_RESPONSES.get(frame.message_code, frozenset())
        components = [self.component(frame, reply, index == len(replies) - 1, sensitive)
                      for index, reply in enumerate(replies)]
        return build_gbz(GbzPayload(tuple(components)))

    def component(self, frame: GbcsFrame, reply: ZclFrame, last: bool,
                  sensitive: frozenset[tuple[int, int]]) -> GbzComponent:
        encrypted = (reply.cluster_id, reply.command_id) in sensitive
        disable = disable_default_response(frame.message_code, reply)
        encoded = build_zcl(replace(reply, disable_default_response=disable))
        frame_control, sequence_number, command_id = encoded[:3]
        payload = encoded[3:]
        control = LAST_COMPONENT if last else 0
        if not encrypted:
            return GbzComponent(control, reply.cluster_id, frame_control, sequence_number, command_id, payload)
        ciphertext = self.encrypt_for(frame, payload)
        return GbzComponent(control | ENCRYPTED_COMPONENT, reply.cluster_id, frame_control, sequence_number,
                            command_id, encryption=GbzEncryption(0, 0, ciphertext))

    def zcl(self, request: ZclFrame, *, from_date_time: int | None = None) -> list[ZclFrame]:
        """Return the meter's replies to one ZCL command; ``from_date_time`` is the GBZ
        component's From Date Time (ZigBee UTCTime), which some log reads carry."""
        if request.is_raw:  # manufacturer-specific: its payload is not declared
            status = Status.UNSUP_MANUF_GENERAL_COMMAND if request.is_global else Status.UNSUP_MANUF_CLUSTER_COMMAND
            return [self.default_response(request, status)]
        if READ_ATTRIBUTES.matches(request):
            return [self.read_attributes(request)]
        fault = self.meter.faults.get(("command", request.cluster_id, request.command_id))
        if fault is not None:
            return [self.default_response(request, Status(fault))]
        if request.frame_type != FrameType.CLUSTER:
            return [self.default_response(request, Status.UNSUP_GENERAL_COMMAND)]
        specific = RESPONDERS.get((request.cluster_id, request.direction, request.command_id))
        if specific is not None:
            return specific(self, request, from_date_time)
        if _is_data_request(request):
            return [self.default_response(request, Status.NOT_FOUND)]
        return [self.default_response(request, Status.SUCCESS)]

    def read_attributes(self, request: ZclFrame) -> ZclFrame:
        table = self.state.attributes.get(request.cluster_id, {})
        live: Mapping[int, int] = {}
        if any(attribute_id in LIVE_ATTRIBUTES.get(request.cluster_id, ()) for attribute_id in request["attribute_ids"]):
            live = live_attributes(self.records(), self.meter.settings.terms).get(request.cluster_id, {})
        records = []
        for attribute_id in request["attribute_ids"]:
            fault = self.meter.faults.get(("attribute", request.cluster_id, attribute_id))
            if fault is not None:
                records.append({"attribute_id": attribute_id, "status": fault})
            elif attribute_id in table:
                kind, value = table[attribute_id]
                value = live.get(attribute_id, value)
                records.append({"attribute_id": attribute_id, "status": Status.SUCCESS, "type": kind, "value": value})
            else:
                records.append({"attribute_id": attribute_id, "status": Status.UNSUPPORTED_ATTRIBUTE})
        return READ_ATTRIBUTES_RESPONSE.reply(request, records=records)

    def default_response(self, request: ZclFrame, status: Status, *, command_id: int | None = None) -> ZclFrame:
        return DEFAULT_RESPONSE.reply(
            request, command_id=request.command_id if command_id is None else command_id, status=status)

    # --- the meter's data ----------------------------------------------------------------------

    def started(self) -> None:
        if self.state.started_at is None:
            self.update(started_at=self.utc)
        super().started()

    @property
    def started_at(self) -> int:
        """When the meter first started; a meter asked for data before that starts then."""
        started: int | None = self.state.started_at
        if started is None:
            started = self.utc
            self.update(started_at=started)
        return started

    def plan(self, *, history: bool = False) -> AccountPlan:
        """Return what the accounts integrate; ``history`` adds the synthetic consumer's
        top-ups below the low credit warning level (Prepayment attribute 0x0031)."""
        settings = self.meter.settings
        prepayment_table = self.state.attributes.get(prepayment.PREPAYMENT_ID, {})
        low_credit = prepayment_table.get(_LOW_CREDIT_WARNING_LEVEL, (0, 0))[1] if history else None
        return AccountPlan(settings.usage, prices_from(self.state.attributes.get(PRICE_ID, {})), settings.terms,
                           self.state.tariff, settings.daily_snapshot_time, low_credit=low_credit,
                           seed=settings.usage.seed)

    def records(self) -> MeterRecords:
        """Return the meter's records brought up to its clock."""
        records = self.state.records
        if records is None:
            records = synthetic_history(self.meter.settings.past, self.plan(history=True), self.started_at)
        records = integrate(records, self.utc, self.plan())
        self.update(records=records)
        return records

    def logs(self) -> GsmeLogs:
        logs = self.state.logs
        if logs is None:
            begin = self.started_at - self.meter.settings.past.days * DAY
            logs = GsmeLogs(self.meter.settings.usage.seed, begin)
            self.update(logs=logs)
        return logs

    # --- alerts and logs -----------------------------------------------------------------------

    def alert_content(self, counter: int, code: int, message_code: int) -> bytes:
        return build_gbz_alert(GbzAlert(code, self.utc - ZIGBEE_EPOCH))

    def firmware_receipt(self, counter: int, outcome: OtaOutcome) -> tuple[int, bytes]:
        if outcome.held is None:
            return FIRMWARE_RECEIPT_MESSAGE_CODE, build_gbz_alert(
                GbzAlert(0x8F1C, self.utc - ZIGBEE_EPOCH))
        body = FirmwareReceipt(outcome.held.manufacturer_image_hash)
        return FIRMWARE_RECEIPT_MESSAGE_CODE, build_gbz_alert(
            GbzAlert(0x8F72, self.utc - ZIGBEE_EPOCH, body))

    def firmware_changed(self, version: bytes) -> None:
        cluster, attribute = FIRMWARE_VERSION_ATTRIBUTE
        table = dict(self.state.attributes[cluster])
        table[attribute] = (table[attribute][0], version)
        self.update(attributes={**self.state.attributes, cluster: table})

    def log(self, kind: str, code: int, extra: int = 0) -> None:
        if not code:
            return
        log_id = EventLogId.SECURITY if kind == LogKind.SECURITY else EventLogId.GENERAL
        self.update(logs=self.logs().record(log_id, LogEntry(self.utc, code)))


Gsme.RUN = GsmeRun

_LOW_CREDIT_WARNING_LEVEL = 0x0031  # Prepayment attribute


def disable_default_response(message_code: int, reply: ZclFrame) -> bool:
    """Return the disable-default-response bit the meter sets on ``reply`` in use case
    ``message_code`` (see the tables above)."""
    exception = _DISABLED_BY_USE_CASE.get((message_code, reply.cluster_id, int(reply.frame_type), reply.command_id))
    if exception is not None:
        return exception
    if reply.frame_type != FrameType.CLUSTER:
        return False
    by_command = _DISABLED_BY_COMMAND.get((reply.cluster_id, reply.command_id))
    if by_command is not None:
        return by_command
    cluster = CLUSTERS.get(reply.cluster_id)
    command = None if cluster is None else cluster.commands(reply.direction).get(reply.command_id)
    return command is not None and command.name.startswith("publish_")


def _execution_failed(reply: ZclFrame) -> bool:
    """Tell whether a reply reports that the meter failed to execute its command."""
    if DEFAULT_RESPONSE.matches(reply):
        return reply["status"] in _EXECUTION_FAILURES
    if READ_ATTRIBUTES_RESPONSE.matches(reply):
        return any(record["status"] in _EXECUTION_FAILURES for record in reply["records"])
    return False


def _is_data_request(request: ZclFrame) -> bool:
    """Tell whether a command requests stored data from the meter (a ``get_*`` command)."""
    cluster = CLUSTERS.get(request.cluster_id)
    command = None if cluster is None else cluster.commands(request.direction).get(request.command_id)
    if command is not None:
        return command.name.startswith("get_")
    # Undeclared commands: the Calendar cluster (0x0707) sends its get commands client to server.
    return request.direction == Direction.CLIENT_TO_SERVER
