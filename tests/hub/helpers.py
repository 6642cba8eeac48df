"""Test-side driver and remote parties for hub tests.

:class:`Bench` plays the driver: it feeds events to a hub, writes each PersistState to a
MemoryNvm before looking at any other action, and checks the driver contract on every step
(PersistState first, NVM equal to the hub's non-volatile state). It also plays the remote
parties: it builds commands MACed (and signed) with their keys and opens the hub's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from commshub.codecs.dlms import Data, DataType, build_apdu, parse_apdu
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestGetWithSelection,
    AccessRequestSet,
    AttributeDescriptor,
    MethodDescriptor,
    SelectiveAccess,
)
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.hub import events as ev
from commshub.hub.actions import Action, CancelTimer, PersistState, SendCsp, SendWan, StartTimer
from commshub.hub.gbcs_io import generate_identity, invoke_id_for
from commshub.hub.hub import Hub
from commshub.hub.settings import HubSettings, Role
from commshub.store.nvm import MemoryNvm

CHF = bytes.fromhex("00DB1234567890A2")
GPF = bytes.fromhex("00DB1234567890A3")
ESME = bytes.fromhex("00DB1234567890A0")
GSME = bytes.fromhex("00DB1234567890A1")
IHD = bytes.fromhex("00DB1234567890A4")
ACB = bytes.fromhex("90B3D51F30000002")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
NETWORK_OPERATOR = bytes.fromhex("90B3D51F30020000")
ROLES = {ACB: Role.ACCESS_CONTROL_BROKER, SUPPLIER: Role.SUPPLIER, NETWORK_OPERATOR: Role.NETWORK_OPERATOR}
START = 1_420_070_400  # 2015-01-01 00:00:00 UTC, the RTDS's favourite moment
INSTALL_CODE = b"0123456789ABCDEF"

_IDENTITIES: dict[bool, tuple[Any, KeyStore]] = {}


def identity_and_keys() -> tuple[Any, KeyStore]:
    """One generated identity for the whole test session (key generation is slow)."""
    if True not in _IDENTITIES:
        _IDENTITIES[True] = generate_identity(CHF, GPF, ROLES)
    return _IDENTITIES[True]


def obis(text: str) -> bytes:
    ab, cdef = text.split(":")
    return bytes(int(part) for part in (*ab.split("-"), *cdef.split(".")))


def get(class_id: int, instance: str, attribute: int) -> tuple[Any, Data]:
    return AccessRequestGet(AttributeDescriptor(class_id, obis(instance), attribute)), Data(DataType.NULL_DATA)


def set_(class_id: int, instance: str, attribute: int, value: Data) -> tuple[Any, Data]:
    return AccessRequestSet(AttributeDescriptor(class_id, obis(instance), attribute)), value


def action(class_id: int, instance: str, method: int, value: Data | None = None) -> tuple[Any, Data]:
    return (AccessRequestAction(MethodDescriptor(class_id, obis(instance), method)),
            value if value is not None else Data(DataType.NULL_DATA))


def get_range(class_id: int, instance: str, start: int, end: int) -> tuple[Any, Data]:
    restricting = Data(DataType.STRUCTURE, (
        Data(DataType.LONG_UNSIGNED, 1), Data(DataType.OCTET_STRING, obis("0-0:94.44.100.255")),
        Data(DataType.INTEGER, 2), Data(DataType.LONG_UNSIGNED, 0),
    ))
    parameters = Data(DataType.STRUCTURE, (
        restricting, Data(DataType.DOUBLE_LONG_UNSIGNED, start), Data(DataType.DOUBLE_LONG_UNSIGNED, end),
        Data(DataType.ARRAY, ()),
    ))
    spec = AccessRequestGetWithSelection(AttributeDescriptor(class_id, obis(instance), 2),
                                         SelectiveAccess(1, parameters))
    return spec, Data(DataType.NULL_DATA)


def register_device(eui: bytes, code: bytes = INSTALL_CODE, device_type: int = 0) -> Data:
    return Data(DataType.STRUCTURE, (
        Data(DataType.OCTET_STRING, eui), Data(DataType.ENUM, 1), Data(DataType.OCTET_STRING, code),
        Data(DataType.ENUM, device_type),
    ))


@dataclass
class Bench:
    """A hub under test with its driver, NVM and remote parties."""

    settings: HubSettings = field(default_factory=HubSettings)
    now: int = START
    hub: Hub = field(init=False)
    keys: KeyStore = field(init=False)
    nvm: MemoryNvm = field(default_factory=MemoryNvm)
    sent: list[Action] = field(default_factory=list)
    timers: dict[str, int] = field(default_factory=dict)
    counters: dict[bytes, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        identity, self.keys = identity_and_keys()
        self.hub = Hub.create(identity, self.settings)

    # --- driving -------------------------------------------------------------------------

    def feed(self, event: ev.Event) -> list[Action]:
        actions = self.hub.handle(event)
        for index, item in enumerate(actions):
            if isinstance(item, PersistState):
                assert index == 0, f"PersistState at position {index}: {actions}"
                self.nvm.apply(item)
            elif isinstance(item, StartTimer):
                self.timers[item.name] = item.deadline
            elif isinstance(item, CancelTimer):
                self.timers.pop(item.name, None)
        assert self.nvm.load() == self.hub.image(), "NVM differs from the hub's non-volatile state"
        self.sent.extend(actions)
        return actions

    def at(self, seconds: int) -> int:
        self.now = max(self.now, seconds)
        return self.now

    def advance(self, seconds: int) -> list[Action]:
        """Move the clock on, firing due timers in deadline order."""
        target = self.now + seconds
        actions: list[Action] = []
        while True:
            due = sorted((deadline, name) for name, deadline in self.timers.items() if deadline <= target)
            if not due:
                break
            deadline, name = due[0]
            del self.timers[name]
            self.now = max(self.now, deadline)
            actions += self.feed(ev.TimerExpired(at=self.now, name=name))
        self.now = target
        return actions

    def start(self, *, wan_up: bool = True, mains: bool = True) -> list[Action]:
        return self.feed(ev.Started(at=self.now, mains_present=mains, wan_up=wan_up))

    def commission(self) -> None:
        """Start, install with WAN coverage and confirm activation."""
        self.start()
        self.feed(ev.Installed(at=self.now, network_address="2001:db8::a2",
                               signal=ev.WanSignal(strength_dbm=-70, quality=20, packet_loss_percent=0.5)))
        self.feed(ev.ActivationConfirmed(at=self.now))

    def restart(self, *, wan_up: bool = True, mains: bool = True) -> list[Action]:
        """Rebuild the hub from NVM (a crash or power cycle) and start it."""
        self.hub = Hub.restore(self.nvm.load())
        self.timers.clear()
        return self.start(wan_up=wan_up, mains=mains)

    # --- remote parties ------------------------------------------------------------------

    def command(
        self, message_code: int, items: list[tuple[Any, Data]] | None = None, *,
        content: bytes | None = None, originator: bytes = ACB, recipient: bytes = CHF,
        counter: int | None = None, supplementary: bool = True, sign: bool = False,
        mac: bool = True,
    ) -> bytes:
        """Build a MACed command as the DCC sends it (supplementary remote party: supplier)."""
        if counter is None:
            counter = self.counters.get(originator, 0x500) + 1
        self.counters[originator] = max(counter, self.counters.get(originator, 0))
        if content is None:
            assert items is not None
            request = AccessRequest(invoke_id_for(counter), None, tuple(s for s, _ in items),
                                    tuple(d for _, d in items))
            content = build_apdu(request)
        extra: dict[str, Any] = {}
        if supplementary:
            extra = {"supplementary_remote_party_id": SUPPLIER, "supplementary_remote_party_counter": 1000}
        frame = GbcsFrame.command(originator=originator, recipient=recipient, originator_counter=counter,
                                  message_code=message_code, content=content, **extra)
        if sign:
            frame = crypto.sign(frame, self.keys)
        if not mac:
            return frame.to_bytes()
        return crypto.mac_frame(frame, self.keys, acb=ACB).to_bytes()

    def send(self, frame: bytes) -> list[Action]:
        return self.feed(ev.WanFrameReceived(at=self.now, data=frame))

    def wan(self, actions: list[Action] | None = None) -> list[SendWan]:
        return [a for a in (self.sent if actions is None else actions) if isinstance(a, SendWan)]

    def csp(self, actions: list[Action] | None = None) -> list[Any]:
        return [a.message for a in (self.sent if actions is None else actions) if isinstance(a, SendCsp)]

    def open(self, message: SendWan) -> tuple[GbcsFrame, Any]:
        """Check the MAC or signature of a message from the hub and decode its DLMS payload."""
        frame = parse_frame(message.data)
        if frame.mac is not None:
            assert crypto.check_mac(frame, self.keys, acb=ACB) is crypto.Verdict.VALID
        else:
            assert crypto.verify_signature(frame, self.keys) is crypto.Verdict.VALID
        try:
            payload: Any = parse_apdu(frame.content)
        except Exception:  # noqa: BLE001 - not every payload is DLMS
            payload = frame.content
        return frame, payload
