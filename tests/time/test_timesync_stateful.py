"""Random event sequences for the time client: the error bound it reports always holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from commshub.hub.timesync import (
    ClockSlewed,
    ClockStepped,
    NtpPacketReceived,
    PollState,
    SignedTimeReceived,
    SyncRequested,
    TimeSource,
)

# Float rounding in the clock model, far below any real error bound.
ROUNDING_S = 1e-6


def test_error_bound_always_holds(make_simulation: Callable[..., Any]) -> None:
    class TimeClientMachine(RuleBasedStateMachine):
        """The hub's clock must stay within its own error bound of the service's time."""

        sim: Any

        @initialize(
            rtc_error=st.floats(-1e5, 1e5),
            drift_ppm=st.floats(-15.0, 15.0),
            service_offset=st.floats(-0.5, 0.5),
            delay=st.floats(0.0, 1.0),
            sources=st.sampled_from(["ntp", "signed_time", "both"]),
        )
        def start(self, rtc_error: float, drift_ppm: float, service_offset: float, delay: float,
                  sources: str) -> None:
            self.sim = make_simulation(
                ntp=sources != "signed_time",
                signed_time=sources != "ntp",
                client_settings={"drift_ppm": drift_ppm},
                one_way_delay_s=delay,
                service_clock_offset_s=service_offset,
            )
            self.sim.start(rtc_error_s=rtc_error)

        def adjustments(self) -> int:
            return len(self.sim.of_type((ClockStepped, ClockSlewed)))

        @rule(duration=st.floats(0.0, 200_000.0))
        def advance(self, duration: float) -> None:
            self.sim.run_for(duration)

        @rule()
        def toggle_wan(self) -> None:
            self.sim.deliver_requests = not self.sim.deliver_requests

        @rule()
        def request_sync(self) -> None:
            self.sim.feed(SyncRequested(self.sim.now))

        @rule(data=st.binary(max_size=130), ntp=st.booleans())
        def inject_garbage(self, data: bytes, ntp: bool) -> None:
            before = (self.sim.client.utc(self.sim.now), self.adjustments())
            event = NtpPacketReceived if ntp else SignedTimeReceived
            self.sim.feed(event(self.sim.now, data))
            assert (self.sim.client.utc(self.sim.now), self.adjustments()) == before

        @rule(data=st.data())
        def replay_old_response(self, data: st.DataObject) -> None:
            old = self.sim.responses[:-2]
            if not old:
                return
            source, response = data.draw(st.sampled_from(old))
            event = NtpPacketReceived if source is TimeSource.NTP else SignedTimeReceived
            before = self.adjustments()
            self.sim.feed(event(self.sim.now, response))
            assert self.adjustments() == before

        @rule(bit=st.integers(0, 8 * 120 - 1))
        def deliver_tampered_copy(self, bit: int) -> None:
            if not self.sim.responses:
                return
            source, response = self.sim.responses[-1]
            changed = bytearray(response)
            changed[(bit // 8) % len(changed)] ^= 1 << (bit % 8)
            event = NtpPacketReceived if source is TimeSource.NTP else SignedTimeReceived
            before = self.adjustments()
            self.sim.feed(event(self.sim.now, bytes(changed)))
            assert self.adjustments() == before

        @invariant()
        def clock_within_error_bound(self) -> None:
            sim = self.sim
            error = sim.client.max_error(sim.now)
            if error is None:
                return
            service_time = sim.true_utc() + sim.service_clock_offset_s
            assert abs(sim.client.utc(sim.now) - service_time) <= error + ROUNDING_S

        @invariant()
        def reliability_matches_bound(self) -> None:
            sim = self.sim
            error = sim.client.max_error(sim.now)
            limit = sim.client.settings.reliable_max_error_s
            assert sim.client.is_reliable(sim.now) == (error is not None and error <= limit)

        @invariant()
        def waiting_sources_have_a_response_timer(self) -> None:
            for source in TimeSource:
                try:
                    state = self.sim.client.poll_state(source)
                except KeyError:
                    continue
                timer = {TimeSource.NTP: "ntp_response",
                         TimeSource.SIGNED_TIME: "signed_time_response"}[source]
                waiting = any(name.value == timer for name in self.sim.timers)
                assert waiting == (state is PollState.AWAITING_RESPONSE)

    run_state_machine_as_test(
        TimeClientMachine,
        settings=settings(max_examples=60, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
