"""The CHF device log and historic log (CCS01, CCS02, CCS03, CCS05/CCS04, CCS06, CCS07), the
CS14 alert on every change, join windows and the Trust Centre."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ACB, CHF, ESME, GSME, INSTALL_CODE, Bench, action, get, register_device, set_

from commshub.codecs.dlms import BitString, Data, DataType
from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.codecs.zigbee.security import aes_mmo_hash
from commshub.hub import events as ev
from commshub.hub.actions import JoinDecision, SendWan, WanKind
from commshub.hub.transitions import JoinState

DEVICE_LOG = "0-0:30.3.0.255"
HISTORIC_LOG = "0-0:30.3.1.255"
LINK_KEY = link_key_from_install_code(append_crc(INSTALL_CODE))


def eui(n: int) -> bytes:
    return bytes.fromhex("00DB123456780000")[:6] + n.to_bytes(2, "big")


def ccs01(bench: Bench, device: bytes, *, timeout: int = 90, code: bytes = INSTALL_CODE) -> list[Any]:
    return bench.send(bench.command(0x0001, [
        action(104, DEVICE_LOG, 1, register_device(device, code)),
        set_(104, DEVICE_LOG, 3, Data(DataType.LONG_UNSIGNED, timeout)),
        set_(104, DEVICE_LOG, 2, Data(DataType.BOOLEAN, True)),
    ]))


def ccs02(bench: Bench, device: bytes) -> list[Any]:
    return bench.send(bench.command(0x0002, [action(104, DEVICE_LOG, 2, Data(DataType.OCTET_STRING, device))]))


def results(bench: Bench, actions: list[Any]) -> list[int]:
    response = next(m for m in bench.wan(actions) if m.kind is WanKind.RESPONSE)
    _, payload = bench.open(response)
    return [int(spec.result) for spec in payload.specifications]


def cs14(bench: Bench, actions: list[Any]) -> list[tuple[bytes, bytes]]:
    """The devices a CS14 alert among ``actions`` carries, as (EUI, hashed key)."""
    alerts = [m for m in bench.wan(actions) if m.alert_code == 0x8F12]
    assert len(alerts) == 1
    frame, payload = bench.open(alerts[0])
    assert frame.message_code == 0x0018
    assert frame.recipient == ACB
    code, _timestamp, backup = payload.body.value
    assert code == Data(DataType.LONG_UNSIGNED, 0x8F12)
    return [(entry.value[0].value, entry.value[1].value) for entry in backup.value[2].value]


def join(bench: Bench, device: bytes, key: bytes = LINK_KEY) -> JoinDecision:
    actions = bench.feed(ev.DeviceJoinRequested(at=bench.now, device=device, link_key=key))
    return next(a for a in actions if isinstance(a, JoinDecision))


@pytest.fixture()
def bench() -> Bench:
    bench = Bench()
    bench.commission()
    return bench


def test_ccs01_adds_device_opens_joining_and_sends_cs14(bench: Bench) -> None:
    actions = ccs01(bench, ESME)
    assert results(bench, actions) == [0, 0, 0]
    assert ESME in bench.hub.state.device_log
    assert bench.hub.state.join is JoinState.OPEN
    assert bench.timers["join_window"] == bench.now + 90
    kinds = [m.kind for m in bench.wan(actions)]
    assert kinds == [WanKind.RESPONSE, WanKind.ALERT]  # CS14 follows the response
    assert cs14(bench, actions) == [(ESME, b"")]


def test_ccs01_for_a_logged_device_succeeds_without_change(bench: Bench) -> None:
    ccs01(bench, ESME)
    actions = ccs01(bench, ESME, code=b"FEDCBA9876543210")
    assert results(bench, actions) == [0, 0, 0]
    assert not any(m.alert_code == 0x8F12 for m in bench.wan(actions))
    entry = bench.hub.state.device_log.get(ESME)
    assert entry is not None
    assert entry.install_code == INSTALL_CODE


def test_device_log_holds_sixteen(bench: Bench) -> None:
    # The sizes are GBCS's (CS14 and CCS06 arrays of 16, a historic log of 15), written out so
    # that a wrong constant in the hub fails here.
    for n in range(16):
        ccs01(bench, eui(n))
    actions = ccs01(bench, eui(99))
    assert results(bench, actions) == [1, 250, 250]
    assert len(bench.hub.state.device_log) == 16
    assert eui(99) not in bench.hub.state.device_log


def test_join_window_closes_after_join_timeout(bench: Bench) -> None:
    ccs01(bench, ESME, timeout=30)
    bench.advance(29)
    assert bench.hub.state.join is JoinState.OPEN
    bench.advance(1)
    assert bench.hub.state.join is JoinState.CLOSED
    decision = join(bench, ESME)
    assert not decision.accepted
    assert "closed" in decision.reason


def test_trust_centre_admits_device_with_install_code_key(bench: Bench) -> None:
    ccs01(bench, ESME)
    actions = bench.feed(ev.DeviceJoinRequested(at=bench.now, device=ESME, link_key=LINK_KEY))
    decision = next(a for a in actions if isinstance(a, JoinDecision))
    assert decision.accepted
    assert decision.link_key == LINK_KEY
    assert "link_key" not in repr(decision) or LINK_KEY.hex() not in repr(decision)
    assert cs14(bench, actions) == [(ESME, aes_mmo_hash(LINK_KEY))]


def test_trust_centre_refuses_devices_not_in_the_log(bench: Bench) -> None:
    ccs01(bench, ESME)
    decision = join(bench, GSME)
    assert not decision.accepted
    assert "not in the CHF device log" in decision.reason


def test_join_messages_hide_the_link_key() -> None:
    from commshub.devices.events import RequestJoin

    messages = [
        ev.DeviceJoinRequested(at=0, device=ESME, link_key=LINK_KEY),
        RequestJoin(LINK_KEY),
        JoinDecision(ESME, True, "joined", LINK_KEY),
    ]
    for message in messages:
        assert repr(LINK_KEY) not in repr(message)
        assert "link_key" not in repr(message)


def test_trust_centre_refuses_a_wrong_key(bench: Bench) -> None:
    ccs01(bench, ESME)
    decision = join(bench, ESME, bytes(16))
    assert not decision.accepted
    assert bench.hub.state.device_log.get(ESME).tc_link_key == b""  # type: ignore[union-attr]


def test_joined_device_may_rejoin_when_closed(bench: Bench) -> None:
    ccs01(bench, ESME)
    join(bench, ESME)
    bench.advance(100)
    assert join(bench, ESME).accepted


def test_ccs02_keeps_key_in_historic_log(bench: Bench) -> None:
    ccs01(bench, ESME)
    join(bench, ESME)
    actions = ccs02(bench, ESME)
    assert results(bench, actions) == [0]
    assert ESME not in bench.hub.state.device_log
    historic = bench.hub.state.historic_log.get(ESME)
    assert historic is not None
    assert historic.tc_link_key == LINK_KEY
    assert cs14(bench, actions) == []


def test_ccs02_unjoined_device_keeps_no_key(bench: Bench) -> None:
    ccs01(bench, ESME)
    ccs02(bench, ESME)
    assert ESME not in bench.hub.state.historic_log


def test_ccs02_of_an_unknown_device_fails(bench: Bench) -> None:
    before = bench.hub.image().get("device_log", {})
    actions = ccs02(bench, ESME)
    assert results(bench, actions) == [1]
    assert bench.hub.image().get("device_log", {}) == before


def test_historic_log_keeps_fifteen_overwriting_the_oldest(bench: Bench) -> None:
    for n in range(15 + 2):
        device = eui(n)
        ccs01(bench, device)
        join(bench, device)
        ccs02(bench, device)
    historic = bench.hub.state.historic_log
    assert len(historic) == 15
    assert eui(0) not in historic
    assert eui(1) not in historic
    assert eui(2) in historic
    assert eui(15 + 1) in historic


def test_historic_device_rejoins_with_old_key(bench: Bench) -> None:
    ccs01(bench, ESME)
    join(bench, ESME)
    ccs02(bench, ESME)
    ccs01(bench, ESME, code=b"FEDCBA9876543210")
    assert join(bench, ESME, LINK_KEY).accepted


def test_ccs03_restores_the_log_from_hashes(bench: Bench) -> None:
    key_hash = aes_mmo_hash(LINK_KEY)
    restore = Data(DataType.STRUCTURE, (
        Data(DataType.OCTET_STRING, bytes(8)),
        Data(DataType.ARRAY, (
            Data(DataType.STRUCTURE, (Data(DataType.OCTET_STRING, ESME), Data(DataType.OCTET_STRING, key_hash))),
            Data(DataType.STRUCTURE, (Data(DataType.OCTET_STRING, GSME), Data(DataType.OCTET_STRING, key_hash))),
        )),
    ))
    actions = bench.send(bench.command(0x0003, [action(104, DEVICE_LOG, 5, restore)]))
    assert results(bench, actions) == [0]
    assert cs14(bench, actions) == [(ESME, key_hash), (GSME, key_hash)]
    # A restored device joins once joining is open, proving the key whose hash was restored.
    assert not join(bench, GSME, LINK_KEY).accepted
    ccs01(bench, eui(5))
    assert not join(bench, GSME, bytes(16)).accepted
    assert join(bench, GSME, LINK_KEY).accepted


def test_ccs06_lists_active_devices_with_radio_statistics(bench: Bench) -> None:
    ccs01(bench, ESME)
    join(bench, ESME)
    for rssi, lqi in ((-40, 200), (-60, 100)):
        bench.feed(ev.HanFrameReceived(at=bench.now, device=ESME, cluster=0x000A,
                                       payload=bytes.fromhex("000500"), rssi_dbm=rssi, lqi=lqi))
    actions = bench.send(bench.command(0x010F, [get(104, DEVICE_LOG, 4)]))
    _, payload = bench.open(bench.wan(actions)[0])
    (devices,) = payload.data
    entry = devices.value[0].value
    assert entry[0] == Data(DataType.OCTET_STRING, ESME)
    assert entry[1] == Data(DataType.BIT_STRING, BitString(8, b"\xc8"))
    assert [e.value for e in entry[2:8]] == [-40, -50, -60, 200, 150, 100]
    assert entry[11] == Data(DataType.UNSIGNED, 2)


def test_ccs05_reads_the_same_attribute(bench: Bench) -> None:
    ccs01(bench, ESME)
    actions = bench.send(bench.command(0x0004, [get(104, DEVICE_LOG, 4)]))
    assert results(bench, actions) == [0]


def test_ccs07_backs_up_both_logs(bench: Bench) -> None:
    ccs01(bench, ESME)
    join(bench, ESME)
    ccs01(bench, GSME)
    join(bench, GSME)
    ccs02(bench, GSME)
    actions = bench.send(bench.command(0x00FE, [action(104, DEVICE_LOG, 4), action(104, HISTORIC_LOG, 4)]))
    _, payload = bench.open(bench.wan(actions)[0])
    current, historic = payload.data
    assert current.value[1] == Data(DataType.OCTET_STRING, bench.hub.state.identity.pan_id)
    assert [e.value[0].value for e in current.value[2].value] == [ESME]
    assert [(e.value[0].value, e.value[1].value) for e in historic.value[2].value] == [
        (GSME, aes_mmo_hash(LINK_KEY))]


def test_device_log_survives_a_restart_but_joining_closes(bench: Bench) -> None:
    ccs01(bench, ESME)
    bench.restart()
    assert ESME in bench.hub.state.device_log
    assert bench.hub.state.join is JoinState.CLOSED
    assert "join_window" not in bench.timers


def test_event_log_records_each_change(bench: Bench) -> None:
    ccs01(bench, ESME)
    ccs02(bench, ESME)
    codes = [entry.code for entry in bench.hub.state.event_log.entries()]
    assert codes.count(0x8F12) == 2


def test_alerts_use_fresh_counters(bench: Bench) -> None:
    ccs01(bench, ESME)
    ccs01(bench, GSME)
    alerts = [m for m in bench.sent if isinstance(m, SendWan) and m.kind is WanKind.ALERT]
    counters = [bench.open(m)[0].originator_counter for m in alerts]
    assert counters == sorted(set(counters))
    assert all(bench.open(m)[0].originator == CHF for m in alerts)
