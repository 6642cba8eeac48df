"""A hypothesis state machine that drives one hub through random sequences of commands, joins,
power cuts, restarts and time steps, checking the hub against its transition tables.

Invariants after every step:

- the device log has at most 16 devices, the historic log at most 15;
- the hub's power state agrees with the mains the machine gave it, also after a restart;
- NVM equals the hub's non-volatile state (checked by the Bench on every event);
- power outage and restore alerts alternate, starting with an outage alert, so every outage
  alert is followed by exactly one restore alert (counting each message ID once: a restart
  may send an unconfirmed message again under the same ID);
- every Category 2 response handed over is byte-identical to what the meter sent, and none is
  handed over twice;
- a rejected command changes nothing but the security log, the outbox and the alert counter;
- a hub rebuilt from NVM has the same non-volatile state as the hub before the cut.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ESME, INSTALL_CODE, SUPPLIER, Bench, action, register_device, set_
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from commshub.codecs.dlms import Data, DataType
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.codecs.zigbee.tunnel import tunnel_put
from commshub.codecs.zigbee.zcl import build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import tunneling
from commshub.hub import events as ev
from commshub.hub.actions import (
    PowerOutageAlert,
    PowerRestoreAlert,
    SendCsp,
    SendHan,
    SendWan,
    WanKind,
)
from commshub.hub.hub import Hub
from commshub.hub.transitions import (
    TABLES,
    Component,
    IllegalTransition,
    JoinState,
    PowerState,
    Trigger,
)

DEVICE_LOG = "0-0:30.3.0.255"
LINK_KEY = link_key_from_install_code(append_crc(INSTALL_CODE))
REJECTION_TABLES = {"security_log", "outbox", "alert_counter"}
POWER_EVENTS = {Trigger.MAINS_LOST: ev.MainsLost, Trigger.MAINS_RESTORED: ev.MainsRestored}


def eui(n: int) -> bytes:
    return bytes.fromhex("00DB1234567800") + bytes([n])


class HubMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.bench = Bench()
        self.bench.commission()
        self.seen: set[int] = set()
        self.power_alerts: list[type] = []
        self.cached_sent: dict[int, bytes] = {}  # counter -> response bytes the meter sent
        self.handed_over: list[bytes] = []
        self.counter = 0x10000
        self.mains = True  # whether the machine has mains switched on
        self._add(ESME)
        self._join(ESME, LINK_KEY)
        self.tunnel = self._open_tunnel()

    # --- helpers -------------------------------------------------------------------------

    def feed(self, event: ev.Event) -> list[Any]:
        return self.record(self.bench.feed(event))

    def record(self, actions: list[Any]) -> list[Any]:
        for item in actions:
            if isinstance(item, (SendCsp, SendWan)) and item.message_id not in self.seen:
                self.seen.add(item.message_id)
                if isinstance(item, SendCsp) and isinstance(item.message, (PowerOutageAlert, PowerRestoreAlert)):
                    self.power_alerts.append(type(item.message))
                if isinstance(item, SendWan) and item.kind is WanKind.CACHED_READ:
                    self.handed_over.append(item.data)
        return actions

    def _add(self, device: bytes) -> list[Any]:
        return self.record(self.bench.send(self.bench.command(0x0001, [
            action(104, DEVICE_LOG, 1, register_device(device)),
            set_(104, DEVICE_LOG, 3, Data(DataType.LONG_UNSIGNED, 60)),
            set_(104, DEVICE_LOG, 2, Data(DataType.BOOLEAN, True)),
        ])))

    def _join(self, device: bytes, key: bytes) -> list[Any]:
        return self.feed(ev.DeviceJoinRequested(at=self.bench.now, device=device, link_key=key))

    def _open_tunnel(self) -> int | None:
        if self.bench.hub.state.power.state is not PowerState.MAINS_ON:
            return None
        entry = self.bench.hub.state.device_log.get(ESME)
        if entry is None or not entry.tc_link_key:
            return None
        actions = self.feed(ev.HanFrameReceived(
            at=self.bench.now, device=ESME, cluster=tunneling.TUNNELING_ID,
            payload=build_zcl(tunneling.REQUEST_TUNNEL.frame(
                protocol_id=6, manufacturer_code=0xFFFF, flow_control_support=False,
                maximum_incoming_transfer_size=1500))))
        replies = [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan)]
        tunnel_id: int = replies[0]["tunnel_id"]
        return tunnel_id

    def _without(self, tables: set[str]) -> dict[str, Any]:
        return {t: r for t, r in self.bench.hub.image().items() if t not in tables}

    # --- rules ---------------------------------------------------------------------------

    @rule(n=st.integers(0, 20))
    def add_device(self, n: int) -> None:
        hub = self.bench.hub
        before = len(hub.state.device_log)
        self._add(eui(n))
        if hub.state.power.state is PowerState.MAINS_ON:
            expected = TABLES[Component.JOIN][JoinState.CLOSED][Trigger.OPEN_JOINING]
            assert before == 16 or hub.state.join is expected

    @rule(n=st.integers(0, 20))
    def remove_device(self, n: int) -> None:
        self.record(self.bench.send(self.bench.command(0x0002, [
            action(104, DEVICE_LOG, 2, Data(DataType.OCTET_STRING, eui(n)))])))
        if self.bench.hub.state.power.state is PowerState.MAINS_ON:
            assert eui(n) not in self.bench.hub.state.device_log

    @rule(n=st.integers(0, 20), good=st.booleans())
    def join_device(self, n: int, good: bool) -> None:
        actions = self._join(eui(n), LINK_KEY if good else bytes(16))
        for decision in actions:
            if getattr(decision, "accepted", False):
                assert eui(n) in self.bench.hub.state.device_log

    @rule(kind=st.sampled_from(["mac", "replay", "role", "shape", "garbage"]))
    def rejected_command(self, kind: str) -> None:
        bench = self.bench
        items = [action(104, DEVICE_LOG, 2, Data(DataType.OCTET_STRING, eui(1)))]
        if kind == "mac":
            frame = bytearray(bench.command(0x0002, items))
            frame[-2] ^= 0x40
            data = bytes(frame)
        elif kind == "replay":
            data = bench.command(0x0002, items, counter=1)
        elif kind == "role":
            data = bench.command(0x0002, items, originator=SUPPLIER, supplementary=False)
        elif kind == "shape":
            data = bench.command(0x0002, [action(104, DEVICE_LOG, 2, Data(DataType.UNSIGNED, 1))])
        else:
            data = b"\xdd\x00" + bytes(10)
        before = self._without(REJECTION_TABLES)
        actions = self.record(bench.send(data))
        assert self._without(REJECTION_TABLES) == before
        assert all(m.kind is WanKind.ALERT for m in bench.wan(actions))

    @rule(trigger=st.sampled_from(sorted(POWER_EVENTS, key=lambda t: t.value)))
    def power(self, trigger: Trigger) -> None:
        hub = self.bench.hub
        current = hub.state.power.state
        expected = TABLES[Component.POWER][current].get(trigger)
        event = POWER_EVENTS[trigger](at=self.bench.now)
        if expected is None:
            before = hub.image()
            with pytest.raises(IllegalTransition):
                self.bench.hub.handle(event)
            assert hub.image() == before
            return
        self.feed(event)
        self.mains = trigger is Trigger.MAINS_RESTORED
        assert hub.state.power.state is expected
        if trigger is Trigger.MAINS_RESTORED:
            self.tunnel = self._open_tunnel()

    @rule(seconds=st.integers(0, 400))
    def time_step(self, seconds: int) -> None:
        self.record(self.bench.advance(seconds))

    @rule(mains=st.booleans())
    def restart(self, mains: bool) -> None:
        before = self.bench.hub.image()
        rebuilt = Hub.restore(self.bench.nvm.load())
        assert rebuilt.image() == before
        self.record(self.bench.restart(mains=mains))
        self.mains = mains
        self.tunnel = self._open_tunnel()

    @precondition(lambda self: self.tunnel is not None)
    @rule()
    def scheduled_read(self) -> None:
        bench = self.bench
        if bench.hub.state.power.state is not PowerState.MAINS_ON:
            return
        self.counter += 1
        response = GbcsFrame.response(originator=ESME, recipient=SUPPLIER, originator_counter=self.counter,
                                      message_code=0x0059, content=self.counter.to_bytes(4, "big")).to_bytes()
        self.feed(ev.ReadScheduled(at=bench.now, device=ESME, message_code=0x0059, deadline=bench.now + 900))
        self.cached_sent[self.counter] = response
        self.feed(ev.HanFrameReceived(
            at=bench.now, device=ESME, cluster=tunneling.TUNNELING_ID,
            payload=build_zcl(tunneling.TRANSFER_DATA_TO_SERVER.frame(
                tunnel_id=self.tunnel, data=tunnel_put(response)))))

    @rule()
    def poll(self) -> None:
        self.feed(ev.CachedReadsPolled(at=self.bench.now))

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def logs_are_bounded(self) -> None:
        state = self.bench.hub.state
        assert len(state.device_log) <= 16
        assert len(state.historic_log) <= 15

    @invariant()
    def power_state_follows_the_mains(self) -> None:
        power = self.bench.hub.state.power.state
        assert (power is PowerState.MAINS_ON) == self.mains

    @invariant()
    def outage_and_restore_alerts_alternate(self) -> None:
        for index, kind in enumerate(self.power_alerts):
            assert kind is (PowerOutageAlert if index % 2 == 0 else PowerRestoreAlert)
        power = self.bench.hub.state.power
        if power.state is PowerState.MAINS_ON:
            assert len(self.power_alerts) % 2 == 0
        if power.alert_sent:
            assert len(self.power_alerts) % 2 == 1

    @invariant()
    def cached_reads_are_byte_identical(self) -> None:
        sent = list(self.cached_sent.values())
        assert len(self.handed_over) == len(set(self.handed_over))
        for data in self.handed_over:
            assert data in sent
            assert parse_frame(data).originator == ESME

    @invariant()
    def states_are_in_the_tables(self) -> None:
        state = self.bench.hub.state
        assert state.power.state in TABLES[Component.POWER]
        assert state.lifecycle.state in TABLES[Component.LIFECYCLE]
        assert state.join in TABLES[Component.JOIN]


HubMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestHubMachine = HubMachine.TestCase


def test_state_docs_match_the_tables() -> None:
    from pathlib import Path

    from commshub.hub.transitions import render_markdown

    page = Path(__file__).parents[2] / "docs" / "hub-states.md"
    assert page.read_text() == render_markdown(), "regenerate docs/hub-states.md with render_markdown()"
