"""A hypothesis state machine that drives a hub together with its virtual devices
(``commshub.devices``: an ESME, a sleepy GSME and an IHD on a virtual HAN) through random
sequences of commands, joins, firmware chunks, power cuts, restarts and time steps.

The driver (:class:`RecordingHan`) writes the hub's PersistState actions to a memory NVM, as
the hub's driver contract requires, and records what the meters send up their GBCS tunnels. Invariants:

- the device log has at most 16 devices, the historic log at most 15;
- NVM equals the hub's non-volatile state after every hub event;
- power outage and restore alerts alternate, starting with an outage alert (counting each
  message ID once), so every outage alert is followed by exactly one restore alert;
- every Category 2 response handed over is byte-identical to what the ESME sent, none is
  handed over twice and none after its deadline;
- a rejected command changes nothing: a CHF command with a bad MAC changes only the security
  log, outbox and alert counter, and an ESME command with a bad MAC leaves the meter's
  accepted counters as they were;
- the firmware data store never acknowledges less than it acknowledged before;
- a hub rebuilt from NVM has the same non-volatile state as the hub before the cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpers import ACB, ESME, GSME, NETWORK_OPERATOR, SUPPLIER
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from test_stateful import REJECTION_TABLES, eui

from commshub.codecs.dlms import Data, DataType, build_apdu
from commshub.codecs.dlms.xdlms import AccessRequest, AccessRequestGet, AttributeDescriptor
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.zigbee.ota import build_gbcs_ota_file
from commshub.codecs.zigbee.tunnel import TunnelCommand, parse_tunnel_data, tunnel_put
from commshub.codecs.zigbee.zcl import build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.tunneling import (
    TRANSFER_DATA_TO_CLIENT,
    TRANSFER_DATA_TO_SERVER,
    TUNNELING_ID,
)
from commshub.devices import events as dev
from commshub.devices.display import Display, DisplayKind, DisplaySettings
from commshub.devices.esme import ESME_IMAGE_TYPE, Esme, EsmeSettings
from commshub.devices.gsme import GsmeSettings
from commshub.devices.gsme_mirror import MirroredGsme
from commshub.devices.network import Device, VirtualHan
from commshub.devices.site import Kind, Site, SiteKeys, add_device_command
from commshub.hub import events as ev
from commshub.hub.actions import (
    Action,
    FirmwareChunkAck,
    PersistState,
    PowerOutageAlert,
    PowerRestoreAlert,
    SendCsp,
    WanKind,
)
from commshub.hub.gbcs_io import invoke_id_for
from commshub.hub.hub import Hub
from commshub.hub.settings import Role
from commshub.hub.transitions import PowerState
from commshub.store.nvm import MemoryNvm

START = 1_420_070_400  # 2015-01-01 00:00:00 UTC
IHD = bytes.fromhex("00DB1234567890A5")
IDS = {"CHF": bytes.fromhex("00DB1234567890A2"), "GPF": bytes.fromhex("00DB1234567890A3"),
       "ESME": ESME, "GSME": GSME, "IHD": IHD}
PARTIES = {ACB: Role.ACCESS_CONTROL_BROKER, SUPPLIER: Role.SUPPLIER, NETWORK_OPERATOR: Role.NETWORK_OPERATOR}
ECS52 = 0x0059  # Read ESME firmware version
FIRMWARE_VERSION = bytes.fromhex("0000000201FF")  # COSEM 0-0:0.2.1.255, class 1
CHUNK = 200  # bytes per Category 1 chunk
GSME_POLL = 1800  # seconds between the gas meter's wakes


@dataclass
class RecordingHan(VirtualHan):
    """The virtual HAN as a driver with non-volatile memory: PersistState actions go to a
    MemoryNvm, and the GBCS messages the meters send up their tunnels (PUT) are recorded."""

    nvm: MemoryNvm = field(default_factory=MemoryNvm)
    puts: list[bytes] = field(default_factory=list)

    def _dispatch(self, target: bytes, event: object) -> None:
        super()._dispatch(target, event)
        if isinstance(event, ev.Event):
            assert self.nvm.load() == self.hub.image(), f"NVM differs from the hub after {type(event).__name__}"

    def _from_hub(self, action: Action) -> None:
        if isinstance(action, PersistState):
            self.nvm.apply(action)
            return
        super()._from_hub(action)

    def _from_device(self, device: bytes, action: dev.DeviceAction) -> None:
        if isinstance(action, dev.SendHan) and action.cluster == TUNNELING_ID:
            frame = parse_zcl(action.payload, TUNNELING_ID)
            if TRANSFER_DATA_TO_SERVER.matches(frame):
                message = parse_tunnel_data(frame["data"])
                if message.command == TunnelCommand.PUT:
                    self.puts.append(message.message)
        super()._from_device(device, action)


_SITE_KEYS: list[SiteKeys] = []


def site_keys() -> SiteKeys:
    """One set of generated site keys for the whole session (key generation is slow)."""
    if not _SITE_KEYS:
        _SITE_KEYS.append(SiteKeys(KeyStore.generate(remote_parties=list(PARTIES)), PARTIES, IDS))
    return _SITE_KEYS[0]


def make_meter(keys: SiteKeys, kind: Kind, now: int) -> Device:
    chf = keys.ids["CHF"]
    identity = keys.devices[kind]
    if kind is Kind.ESME:
        return Esme(identity, hub=chf, now=now, settings=EsmeSettings(history_days=2))
    if kind is Kind.GSME:
        return MirroredGsme(identity, hub=chf, settings=GsmeSettings(poll_interval=GSME_POLL))
    return Display(identity, hub=chf, settings=DisplaySettings(DisplayKind.IHD, price_server=ESME))


def build_site(keys: SiteKeys) -> Site:
    devices = {kind: make_meter(keys, kind, START) for kind in (Kind.ESME, Kind.GSME, Kind.IHD)}
    network = RecordingHan.create(Hub.create(keys.hub_identity), devices.values(), now=START)
    site = Site(keys, network, devices)
    site.install()
    site.add(Kind.ESME)
    site.add(Kind.GSME)
    return site


def ecs52(counter: int, *, originator: bytes = SUPPLIER) -> GbcsFrame:
    request = AccessRequest(invoke_id_for(counter), None, (AccessRequestGet(AttributeDescriptor(1, FIRMWARE_VERSION, 2)),),
                            (Data(DataType.NULL_DATA, None),))
    return GbcsFrame.command(originator=originator, recipient=ESME, originator_counter=counter,
                             message_code=ECS52, content=build_apdu(request))


class SiteMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.keys = site_keys()
        self.site = build_site(self.keys)
        self.mains = True
        self.meters_down = False  # restarted during an outage: the meters wait for the mains
        self.counter = 0x10000  # originator counter of the supplier's commands
        self.deadlines: dict[int, int] = {}  # originator counter -> deadline of a scheduled read
        self.acked = 0  # the highest offset the data store acknowledged
        supplier_key = self.keys.keys.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
        assert supplier_key is not None
        self.image = build_gbcs_ota_file(bytes(range(256)) * 2, manufacturer_code=EsmeSettings().manufacturer_code,
                                         image_type=ESME_IMAGE_TYPE, file_version=EsmeSettings().file_version + 1,
                                         private_key=supplier_key)

    # --- helpers -------------------------------------------------------------------------

    @property
    def network(self) -> RecordingHan:
        network = self.site.network
        assert isinstance(network, RecordingHan)
        return network

    @property
    def hub(self) -> Hub:
        return self.site.hub

    def next_counter(self) -> int:
        self.counter += 1
        return self.counter

    def esme(self) -> Esme:
        meter = self.site.devices[Kind.ESME]
        assert isinstance(meter, Esme)
        return meter

    def without(self, tables: set[str]) -> dict[str, Any]:
        return {table: records for table, records in self.hub.image().items() if table not in tables}

    # --- rules ---------------------------------------------------------------------------

    @rule()
    def command_to_esme(self) -> None:
        self.network.deliver_wan(self.site.command(ecs52(self.next_counter())))
        self.network.run()

    @rule(n=st.integers(0, 20))
    def add_device(self, n: int) -> None:
        frame = add_device_command(self.keys.ids["CHF"], eui(n), bytes(16), 0, counter=self.site.acb_counter,
                                   acb=self.keys.acb)
        self.site.acb_counter += 1
        self.network.deliver_wan(self.site.seal(frame))
        self.network.run()

    @rule()
    def join_ihd(self) -> None:
        self.site.add(Kind.IHD)

    @precondition(lambda self: IHD in self.hub.state.device_log)
    @rule()
    def remove_ihd(self) -> None:
        self.site.remove(Kind.IHD)
        self.network.run()
        if self.hub.state.power.state is PowerState.MAINS_ON:
            assert IHD not in self.hub.state.device_log

    @rule(to_esme=st.booleans())
    def command_with_bad_mac(self, to_esme: bool) -> None:
        if to_esme:
            counters = dict(self.esme().state.counters)
            data = bytearray(self.site.command(ecs52(self.next_counter())))
        else:
            before = self.without(REJECTION_TABLES)
            frame = add_device_command(self.keys.ids["CHF"], eui(99), bytes(16), 0,
                                       counter=self.site.acb_counter, acb=self.keys.acb)
            self.site.acb_counter += 1
            data = bytearray(self.site.seal(frame))
        data[-1] ^= 0x01  # the last octet of the MAC
        self.network.deliver_wan(bytes(data))
        self.network.run()
        if to_esme:
            assert self.esme().state.counters == counters
        else:
            assert self.without(REJECTION_TABLES) == before

    @rule()
    def firmware_chunk(self) -> None:
        sent = len(self.network.csp)
        offset = min(self.acked, len(self.image) - 1)
        self.network.to_hub(ev.FirmwareChunkReceived, image_id="esme-image", offset=offset,
                            total_size=len(self.image), data=self.image[offset:offset + CHUNK])
        self.network.run()
        for action in self.network.csp[sent:]:
            if isinstance(action.message, FirmwareChunkAck):
                assert action.message.next_offset >= self.acked, "the data store lost acknowledged chunks"
                self.acked = action.message.next_offset

    @rule()
    def scheduled_read(self) -> None:
        """Run a Category 2 read: the DCC schedules it, and the ESME runs it from its own
        schedule."""
        meter = self.esme()
        tunnel_id = meter.state.han.tunnel_id
        if tunnel_id is None or self.hub.state.power.state is not PowerState.MAINS_ON:
            return
        counter = self.next_counter()
        deadline = self.network.now + 900
        self.deadlines[counter] = deadline
        self.network.to_hub(ev.ReadScheduled, device=ESME, message_code=ECS52, deadline=deadline)
        payload = build_zcl(TRANSFER_DATA_TO_CLIENT.frame(
            disable_default_response=True, tunnel_id=tunnel_id, data=tunnel_put(self.site.command(ecs52(counter)))))
        self.network.to_device(ESME, dev.HanFrameReceived, source=self.keys.ids["CHF"], cluster=TUNNELING_ID,
                               payload=payload)
        self.network.run()

    @rule()
    def poll(self) -> None:
        self.network.to_hub(ev.CachedReadsPolled)
        self.network.run()

    @rule(mains=st.booleans())
    def power(self, mains: bool) -> None:
        """Cut or restore the premises' mains: the hub and the ESME lose it, the GSME runs on."""
        if mains == self.mains:
            return
        self.mains = mains
        self.network.to_hub(ev.MainsRestored if mains else ev.MainsLost)
        if self.meters_down:
            self.power_up_meters()
        else:
            self.network.to_device(ESME, dev.SupplyRestored if mains else dev.SupplyLost)
        self.network.run()

    @rule(seconds=st.integers(0, 2 * GSME_POLL))
    def time_step(self, seconds: int) -> None:
        self.network.run(until=self.network.now + seconds)

    @rule()
    def restart(self) -> None:
        """Restart the hub from NVM, as after a crash or a power cut of the whole premises. The
        meters power up again with what they keep in their own memory, and rejoin."""
        network = self.network
        before = self.hub.image()
        rebuilt = Hub.restore(network.nvm.load())
        assert rebuilt.image() == before
        network.hub = rebuilt
        for kind in (Kind.ESME, Kind.GSME):
            old = self.site.devices[kind]
            assert isinstance(old, (Esme, MirroredGsme))
            fresh = make_meter(self.keys, kind, network.now)
            assert isinstance(fresh, (Esme, MirroredGsme))
            fresh.restore(old.snapshot(), at=network.now)
            network.unplug(old.entity_id)
            network.devices[old.entity_id] = fresh
            self.site.devices[kind] = fresh
        network.to_hub(ev.Started, mains_present=self.mains, wan_up=True)
        if self.mains:
            self.power_up_meters()
        else:
            # The ESME shares the premises' mains, and the hub admits no join without it: the
            # meters power up and rejoin once the mains is back.
            self.meters_down = True
        network.run()

    def power_up_meters(self) -> None:
        for kind in (Kind.ESME, Kind.GSME):
            self.network.to_device(self.keys.devices[kind].entity_id, dev.Started)
        self.meters_down = False

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def logs_are_bounded(self) -> None:
        state = self.hub.state
        assert len(state.device_log) <= 16
        assert len(state.historic_log) <= 15

    @invariant()
    def power_state_follows_the_mains(self) -> None:
        assert (self.hub.state.power.state is PowerState.MAINS_ON) == self.mains

    @invariant()
    def outage_and_restore_alerts_alternate(self) -> None:
        kinds = []
        seen: set[int] = set()
        for action in self.network.csp:
            if isinstance(action, SendCsp) and isinstance(action.message, (PowerOutageAlert, PowerRestoreAlert)) \
                    and action.message_id not in seen:
                seen.add(action.message_id)
                kinds.append(type(action.message))
        for index, kind in enumerate(kinds):
            assert kind is (PowerOutageAlert if index % 2 == 0 else PowerRestoreAlert)
        if self.hub.state.power.state is PowerState.MAINS_ON:
            assert len(kinds) % 2 == 0

    @invariant()
    def cached_reads_are_byte_identical_and_on_time(self) -> None:
        handed: dict[int, bytes] = {}  # message ID -> data: a restart may send a message again
        for message in self.network.wan:
            if message.action.kind is not WanKind.CACHED_READ:
                continue
            assert handed.setdefault(message.action.message_id, message.action.data) == message.action.data
            assert message.action.data in self.network.puts
            frame = parse_frame(message.action.data)
            assert frame.originator == ESME
            assert message.at <= self.deadlines[frame.originator_counter], "a cached read was handed over late"
        assert len(set(handed.values())) == len(handed), "one response was handed over under two IDs"


SiteMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSiteMachine = SiteMachine.TestCase
