"""Start, installation, activation, decommissioning and the power outage alerts."""

from __future__ import annotations

import pytest
from helpers import Bench

from commshub.errors import LocalProtocolError
from commshub.hub import events as ev
from commshub.hub.actions import (
    ActivationRequest,
    InstallationReport,
    PowerOutageAlert,
    PowerRestoreAlert,
    SendCsp,
)
from commshub.hub.hub import Hub
from commshub.hub.settings import HubSettings
from commshub.hub.transitions import IllegalTransition, LifecycleState, PowerState

ADDRESS = "2001:db8::a2"
SIGNAL = ev.WanSignal(strength_dbm=-71, quality=18, packet_loss_percent=1.5)


def test_events_before_started_are_illegal() -> None:
    bench = Bench()
    with pytest.raises(IllegalTransition, match="MainsLost"):
        bench.feed(ev.MainsLost(at=bench.now))
    assert bench.hub.state.power.state is PowerState.MAINS_ON


def test_started_twice_is_illegal() -> None:
    bench = Bench()
    bench.start()
    with pytest.raises(IllegalTransition) as raised:
        bench.start()
    message = str(raised.value)
    assert "Started" in message
    assert bench.hub.id in message
    assert "running" in message


def test_clock_going_backwards_is_refused() -> None:
    bench = Bench()
    bench.start()
    with pytest.raises(LocalProtocolError, match="backwards"):
        bench.feed(ev.MainsLost(at=bench.now - 1))


def test_install_with_coverage_reports_and_activates() -> None:
    bench = Bench()
    bench.start(wan_up=True)
    actions = bench.feed(ev.Installed(at=bench.now, network_address=ADDRESS, signal=SIGNAL))
    messages = bench.csp(actions)
    assert messages[0] == InstallationReport(ADDRESS, bench.now, -71, 18, 1.5)
    assert isinstance(messages[1], ActivationRequest)
    assert messages[1].attempt == 1
    assert bench.hub.state.lifecycle.state is LifecycleState.AWAITING_ACTIVATION
    bench.feed(ev.ActivationConfirmed(at=bench.now))
    assert bench.hub.state.lifecycle.state is LifecycleState.ACTIVE
    assert "activation_retry" not in bench.timers


def test_activation_is_retried_until_confirmed() -> None:
    bench = Bench(settings=HubSettings(activation_retry_interval=60))
    bench.start(wan_up=True)
    bench.feed(ev.Installed(at=bench.now, network_address=ADDRESS, signal=SIGNAL))
    actions = bench.advance(130)
    attempts = [m.attempt for m in bench.csp(actions) if isinstance(m, ActivationRequest)]
    assert attempts == [2, 3]


def test_install_without_coverage_activates_when_coverage_arrives() -> None:
    bench = Bench()
    bench.start(wan_up=False)
    actions = bench.feed(ev.Installed(at=bench.now, network_address=ADDRESS))
    assert bench.csp(actions) == []
    assert bench.hub.state.lifecycle.state is LifecycleState.AWAITING_COVERAGE
    bench.advance(3600)
    actions = bench.feed(ev.WanLinkChanged(at=bench.now, up=True, signal=SIGNAL))
    report, request = bench.csp(actions)
    assert isinstance(report, InstallationReport)
    assert report.strength_dbm == -71
    assert isinstance(request, ActivationRequest)
    assert bench.hub.state.lifecycle.state is LifecycleState.AWAITING_ACTIVATION


def test_coverage_arriving_after_a_restart_activates() -> None:
    bench = Bench()
    bench.start(wan_up=False)
    bench.feed(ev.Installed(at=bench.now, network_address=ADDRESS))
    actions = bench.restart(wan_up=True)
    assert any(isinstance(m, ActivationRequest) for m in bench.csp(actions))


def test_messages_wait_while_the_wan_link_is_down() -> None:
    bench = Bench()
    bench.commission()
    bench.feed(ev.WanLinkChanged(at=bench.now, up=False))
    bench.feed(ev.MainsLost(at=bench.now))
    held = bench.advance(200)
    assert bench.csp(held) == []
    actions = bench.feed(ev.WanLinkChanged(at=bench.now, up=True))
    assert [type(m) for m in bench.csp(actions)] == [PowerOutageAlert]


def test_activation_confirmed_when_not_awaiting_is_illegal() -> None:
    bench = Bench()
    bench.commission()
    with pytest.raises(IllegalTransition, match="ActivationConfirmed"):
        bench.feed(ev.ActivationConfirmed(at=bench.now))


def test_decommissioning_withdraws_the_address() -> None:
    bench = Bench()
    bench.commission()
    bench.feed(ev.Decommissioned(at=bench.now))
    assert bench.hub.state.lifecycle.state is LifecycleState.DECOMMISSIONED
    assert bench.hub.state.lifecycle.network_address is None
    bench.feed(ev.MainsLost(at=bench.now))
    actions = bench.advance(600)
    assert bench.csp(actions) == []


# --- power outage ---------------------------------------------------------------------------


def test_short_outage_sends_no_alert() -> None:
    bench = Bench()
    bench.commission()
    bench.feed(ev.MainsLost(at=bench.now))
    bench.advance(179)
    actions = bench.feed(ev.MainsRestored(at=bench.now))
    assert bench.csp(actions) == []
    assert bench.hub.state.power.state is PowerState.MAINS_ON


def test_long_outage_sends_outage_then_restore() -> None:
    bench = Bench()
    bench.commission()
    lost = bench.now
    bench.feed(ev.MainsLost(at=lost))
    actions = bench.advance(180)
    assert bench.csp(actions) == [PowerOutageAlert(ADDRESS_OF(bench), lost)]
    bench.advance(420)
    actions = bench.feed(ev.MainsRestored(at=bench.now))
    assert bench.csp(actions) == [PowerRestoreAlert(ADDRESS_OF(bench), lost, lost + 600, 600)]


def ADDRESS_OF(bench: Bench) -> str:
    address = bench.hub.state.lifecycle.network_address
    assert address is not None
    return address


def test_outage_threshold_is_a_setting() -> None:
    bench = Bench(settings=HubSettings(outage_threshold=30))
    bench.commission()
    bench.feed(ev.MainsLost(at=bench.now))
    actions = bench.advance(30)
    assert [type(m) for m in bench.csp(actions)] == [PowerOutageAlert]


def test_restart_during_outage_keeps_the_outage() -> None:
    bench = Bench()
    bench.commission()
    lost = bench.now
    bench.feed(ev.MainsLost(at=lost))
    bench.advance(60)
    actions = bench.restart(mains=False)
    assert bench.timers["outage_threshold"] == lost + 180
    assert bench.csp(actions) == []
    actions = bench.advance(200)
    assert bench.csp(actions) == [PowerOutageAlert(ADDRESS_OF(bench), lost)]


def test_power_back_during_restart_sends_restore() -> None:
    bench = Bench()
    bench.commission()
    lost = bench.now
    bench.feed(ev.MainsLost(at=lost))
    sent = [a for a in bench.advance(300) if isinstance(a, SendCsp)]
    bench.now += 50
    actions = bench.restart(mains=True)
    # The outage alert was never confirmed by a later event, so it goes again with its own
    # message ID (at least once), followed by the restore alert.
    again, restore = [a for a in actions if isinstance(a, SendCsp)]
    assert again == sent[0]
    assert restore.message == PowerRestoreAlert(ADDRESS_OF(bench), lost, lost + 350, 350)
    assert bench.hub.state.power.state is PowerState.MAINS_ON


def test_threshold_passed_while_down_sends_both_alerts() -> None:
    bench = Bench()
    bench.commission()
    lost = bench.now
    bench.feed(ev.MainsLost(at=lost))
    bench.timers.clear()  # the hub was down: no timer fired
    bench.now += 1000
    actions = bench.restart(mains=True)
    assert [type(m) for m in bench.csp(actions)] == [PowerOutageAlert, PowerRestoreAlert]


def test_unsent_alert_is_sent_again_after_a_crash() -> None:
    bench = Bench()
    bench.commission()
    bench.feed(ev.MainsLost(at=bench.now))
    bench.advance(180)
    # The driver died after writing NVM but before sending: the outbox still has the alert.
    actions = bench.restart(mains=False)
    assert [type(m) for m in bench.csp(actions)] == [PowerOutageAlert]


def test_frames_are_lost_while_mains_is_off() -> None:
    bench = Bench()
    bench.commission()
    bench.feed(ev.MainsLost(at=bench.now))
    actions = bench.feed(ev.WanFrameReceived(at=bench.now, data=b"\xdd\x00"))
    assert actions == []


WAN_TRAFFIC = {
    "chunk": lambda at: ev.FirmwareChunkReceived(at=at, image_id="img", offset=0, total_size=10, data=b"\x00" * 10),
    "poll": lambda at: ev.CachedReadsPolled(at=at),
    "schedule": lambda at: ev.ReadScheduled(at=at, device=bytes(8), message_code=0x0059, deadline=at + 600),
}


@pytest.mark.parametrize("kind", sorted(WAN_TRAFFIC))
def test_wan_traffic_without_mains_is_dropped(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    bench = Bench()
    bench.commission()
    bench.feed(ev.MainsLost(at=bench.now))
    before = bench.hub.image()
    actions = bench.feed(WAN_TRAFFIC[kind](bench.now))
    assert actions == []
    assert bench.hub.image() == before
    assert "without mains" in caplog.text


def test_restore_rebuilds_the_same_state() -> None:
    bench = Bench()
    bench.commission()
    bench.feed(ev.MainsLost(at=bench.now))
    rebuilt = Hub.restore(bench.nvm.load())
    assert rebuilt.image() == bench.hub.image()


def test_restore_needs_an_identity() -> None:
    with pytest.raises(LocalProtocolError, match="identity"):
        Hub.restore({})


def test_sent_messages_are_forgotten_at_the_next_event() -> None:
    bench = Bench()
    bench.commission()
    assert len(bench.hub.state.outbox) == 0
    assert all(not isinstance(a, SendCsp) for a in bench.restart())
