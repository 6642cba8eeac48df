"""The hub's time client against the emulated CSP time service, on a virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.ntp import (
    MacAlgorithm,
    Mode,
    NtpKey,
    authenticate_packet,
    build_ntp_packet,
    parse_ntp_packet,
)
from commshub.codecs.time_service import SignedTime, parse_signed_time, sign_time
from commshub.errors import LocalProtocolError
from commshub.hub.timesync import (
    DEFAULT_POLL_INTERVAL_S,
    FREQUENCY_TOLERANCE_PPM,
    NTP_CHECKS,
    SIGNED_TIME_CHECKS,
    ClockSlewed,
    ClockStepped,
    ClockUnsynchronised,
    NtpPacketReceived,
    PollState,
    RejectReason,
    RequestTimedOut,
    ResponseRejected,
    SendNtpRequest,
    Started,
    SyncRequested,
    TimerExpired,
    TimerName,
    TimeSource,
    TimeSyncSettings,
)

# The Simulation class and its factory live in this folder's conftest.py.
Simulation = Any
MakeSimulation = Callable[..., Any]
HUB_ID = bytes.fromhex("00DB123456789ABC")  # the hub the simulations emulate
SERVICE_ID = bytes.fromhex("00DB0000000000C5")


def rejections(sim: Simulation) -> list[RejectReason]:
    return [action.reason for action in sim.of_type(ResponseRejected)]


def synced_simulation(make_simulation: MakeSimulation, **options: object) -> Simulation:
    sim = make_simulation(**options)
    sim.start()
    sim.run_for(1.0)
    assert sim.of_type(ClockStepped), sim.actions
    return sim


# Authenticated NTP.

@pytest.mark.parametrize("algorithm", list(MacAlgorithm))
def test_authenticated_ntp_steps_clock(make_simulation: MakeSimulation,
                                       algorithm: MacAlgorithm) -> None:
    key = NtpKey(9, algorithm, bytes(range(16)))
    sim = make_simulation(client_key=key)
    sim.service.settings.ntp_keys.clear()  # type: ignore[attr-defined]
    sim.service.settings.ntp_keys[9] = key  # type: ignore[index]
    sim.start(rtc_error_s=300.0)
    assert not sim.client.is_reliable(sim.now)
    sim.run_for(1.0)
    [stepped] = sim.of_type(ClockStepped)
    assert stepped.source is TimeSource.NTP
    assert stepped.offset_s == pytest.approx(-300.0, abs=1e-3)
    assert abs(sim.clock_error()) < 1e-3
    assert sim.client.is_reliable(sim.now)
    assert rejections(sim) == []


def test_first_actions_are_unsynchronised_and_request(make_simulation: MakeSimulation) -> None:
    sim = make_simulation()
    sim.start()
    assert isinstance(sim.actions[0][1], ClockUnsynchronised)
    [(_, request)] = sim.requests
    assert isinstance(request, SendNtpRequest)
    packet = parse_ntp_packet(request.data)
    assert packet.mac is not None
    assert packet.mac.key_id == sim.client.settings.ntp_key.key_id
    assert packet.poll == 10
    assert TimerName.NTP_RESPONSE in sim.timers


def test_polls_at_poll_interval_and_slews(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    sim.run_for(3 * DEFAULT_POLL_INTERVAL_S)
    assert len(sim.requests) == 4
    slewed = sim.of_type(ClockSlewed)
    assert len(slewed) == 3
    # Between polls the clock drifts 15 ppm: 15.4 ms in 1024 s, corrected by a slew.
    assert slewed[0].offset_s == pytest.approx(-DEFAULT_POLL_INTERVAL_S * 15e-6, rel=0.05)
    sim.run_for(60.0)  # 15.4 ms at 500 ppm takes 31 s
    assert abs(sim.clock_error()) < 1e-3 + 60 * 15e-6


def test_slew_runs_at_slew_rate(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation, client_settings={"drift_ppm": 0.0})
    sim.service_clock_offset_s = 0.1  # the service's clock moves 100 ms ahead
    sim.run_until(DEFAULT_POLL_INTERVAL_S + 1.0)
    [slewed] = sim.of_type(ClockSlewed)
    assert slewed.offset_s == pytest.approx(0.1, abs=1e-3)
    behind_service = sim.clock_error() - 0.1
    assert behind_service == pytest.approx(-0.1 + 500e-6 * (sim.now - 1024.04), abs=2e-3)
    sim.run_for(200.0)  # 100 ms at 500 ppm takes 200 s
    assert sim.clock_error() == pytest.approx(0.1, abs=2e-3)


def test_big_offset_is_stepped_after_sync(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    sim.service_clock_offset_s = 5.0
    sim.run_until(DEFAULT_POLL_INTERVAL_S + 1.0)
    steps = sim.of_type(ClockStepped)
    assert len(steps) == 2
    assert steps[1].offset_s == pytest.approx(5.0, abs=0.05)


# Responses that must be rejected.

def test_unauthenticated_response_rejected_then_genuine_accepted(
    make_simulation: MakeSimulation,
) -> None:
    def strip_mac_first(source: TimeSource, data: bytes) -> list[bytes]:
        forged = build_ntp_packet(replace(parse_ntp_packet(data), mac=None))
        return [forged, data]

    sim = make_simulation(tamper=strip_mac_first)
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.UNAUTHENTICATED]
    assert len(sim.of_type(ClockStepped)) == 1


def test_wrong_key_gets_crypto_nak_and_times_out(make_simulation: MakeSimulation) -> None:
    wrong = NtpKey(1, MacAlgorithm.SHA1, b"not the service's secret")
    sim = make_simulation(client_key=wrong)
    sim.start()
    sim.run_for(2000.0)
    assert sim.of_type(ClockStepped) == []
    assert set(rejections(sim)) == {RejectReason.CRYPTO_NAK}
    timeouts = sim.of_type(RequestTimedOut)
    assert [t.retry_in_s for t in timeouts[:5]] == [64.0, 128.0, 256.0, 512.0, 1024.0]
    assert sim.service.counters["ntp_crypto_nak"] == len(sim.requests)
    assert not sim.client.is_reliable(sim.now)


def test_unknown_key_id_rejected(make_simulation: MakeSimulation) -> None:
    other = NtpKey(77, MacAlgorithm.SHA1, b"any secret")

    def remac(source: TimeSource, data: bytes) -> list[bytes]:
        return [authenticate_packet(parse_ntp_packet(data), other)]

    sim = make_simulation(tamper=remac)
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.UNKNOWN_KEY]
    assert sim.of_type(ClockStepped) == []


@pytest.mark.parametrize("byte", [1, 20, 40, 47, 52, 60])
def test_bad_mac_rejected(make_simulation: MakeSimulation, byte: int) -> None:
    def flip(source: TimeSource, data: bytes) -> list[bytes]:
        changed = bytearray(data)
        changed[byte] ^= 0x80
        return [bytes(changed)]

    sim = make_simulation(tamper=flip)
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.BAD_MAC]
    assert sim.of_type(ClockStepped) == []


def test_same_id_other_secret_is_bad_mac(make_simulation: MakeSimulation) -> None:
    forger = NtpKey(1, MacAlgorithm.SHA1, b"attacker")

    def remac(source: TimeSource, data: bytes) -> list[bytes]:
        return [authenticate_packet(parse_ntp_packet(data), forger)]

    sim = make_simulation(tamper=remac)
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.BAD_MAC]


def test_replayed_response_has_wrong_origin(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    old_response = sim.responses[0][1]
    sim.deliver_requests = False
    sim.run_until(DEFAULT_POLL_INTERVAL_S + 1.0)  # the next request is in flight
    sim.deliver(TimeSource.NTP, old_response)
    sim.run_for(0.01)
    assert rejections(sim) == [RejectReason.ORIGIN_MISMATCH]
    assert len(sim.of_type(ClockStepped)) == 1


def test_duplicate_response_is_unexpected(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(tamper=lambda source, data: [data, data])
    sim.start()
    sim.run_for(1.0)
    assert len(sim.of_type(ClockStepped)) == 1
    assert rejections(sim) == [RejectReason.UNEXPECTED]


def test_response_after_timeout_unexpected(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(one_way_delay_s=3.0)  # 6 s round trip, 4 s response timeout
    sim.start()
    sim.run_for(10.0)
    assert len(sim.of_type(RequestTimedOut)) == 1
    assert rejections(sim) == [RejectReason.UNEXPECTED]
    assert sim.of_type(ClockStepped) == []


def test_slow_round_trip_is_stale(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(one_way_delay_s=2.5, client_settings={"response_timeout_s": 10.0})
    sim.start()
    sim.run_for(6.0)
    assert rejections(sim) == [RejectReason.STALE]
    assert "arrived 5.000 s after the request" in sim.of_type(ResponseRejected)[0].detail


def test_server_holding_request_is_stale(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(service_settings={"hold_s": 30.0})
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.STALE]


@pytest.mark.parametrize(
    ("service_settings", "reason"),
    [
        ({"stratum": 16}, RejectReason.SERVER_UNSYNCHRONISED),
        ({"stratum": 200}, RejectReason.SERVER_UNSYNCHRONISED),
        ({"stratum": 2, "leap": 3}, RejectReason.SERVER_UNSYNCHRONISED),
        ({"kiss_code": "RATE"}, RejectReason.KISS_OF_DEATH),
        ({"root_dispersion_s": 2.0}, RejectReason.TOO_DISTANT),
        ({"root_delay_s": 3.0}, RejectReason.TOO_DISTANT),
        ({"reference_age_s": -60.0}, RejectReason.BOGUS_TIMESTAMPS),
    ],
    ids=["stratum 16", "stratum 200", "leap 3", "stratum 0 RATE", "dispersion", "root delay",
         "reference in future"],
)
def test_server_state_rejected(make_simulation: MakeSimulation, service_settings: dict[str, object],
                               reason: RejectReason) -> None:
    sim = make_simulation(service_settings=service_settings)
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [reason]
    assert sim.of_type(ClockStepped) == []
    assert not sim.client.is_reliable(sim.now)


def test_kiss_rate_waits_a_poll_interval(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(service_settings={"kiss_code": "RATE"})
    sim.start()
    sim.run_for(1.0)
    assert sim.timers[TimerName.NTP_POLL] == pytest.approx(0.04 + DEFAULT_POLL_INTERVAL_S)
    assert sim.of_type(ResponseRejected)[0].detail == "RATE"


def test_kiss_deny_stops_until_sync_requested(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(service_settings={"kiss_code": "DENY"})
    sim.start()
    sim.run_for(10 * DEFAULT_POLL_INTERVAL_S)
    assert len(sim.requests) == 1
    assert sim.client.poll_state(TimeSource.NTP) is PollState.STOPPED
    sim.feed(SyncRequested(sim.now))
    assert len(sim.requests) == 2


def test_zero_timestamps_rejected(make_simulation: MakeSimulation) -> None:
    sim = make_simulation()
    key = sim.client.settings.ntp_key

    def zero_receive(source: TimeSource, data: bytes) -> list[bytes]:
        packet = replace(parse_ntp_packet(data), receive_timestamp=0)
        return [authenticate_packet(packet, key)]

    sim.tamper = zero_receive
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.BOGUS_TIMESTAMPS]


def test_client_mode_reply_rejected(make_simulation: MakeSimulation) -> None:
    sim = make_simulation()
    key = sim.client.settings.ntp_key

    def as_symmetric(source: TimeSource, data: bytes) -> list[bytes]:
        packet = replace(parse_ntp_packet(data), mode=Mode.SYMMETRIC_ACTIVE)
        return [authenticate_packet(packet, key)]

    sim.tamper = as_symmetric
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.NOT_SERVER_MODE]


def test_panic_rejects_big_jump_while_reliable(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    sim.service_clock_offset_s = 2000.0
    sim.run_until(DEFAULT_POLL_INTERVAL_S + 1.0)
    assert rejections(sim) == [RejectReason.PANIC]
    assert abs(sim.clock_error()) < 0.1


# Free running: drift and reliability.

def test_drift_accumulates_while_unsynchronised(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    [(synced_at, stepped)] = [(at, a) for at, a in sim.actions if isinstance(a, ClockStepped)]
    sim.deliver_requests = False  # the WAN goes quiet
    day = 86_400.0
    sim.run_for(day)
    # 15 ppm for a day is 1.296 s.
    assert sim.clock_error() == pytest.approx(day * 15e-6, abs=2e-3)
    error_bound = sim.client.max_error(sim.now)
    assert error_bound is not None
    assert error_bound >= abs(sim.clock_error())
    assert sim.client.is_reliable(sim.now)
    timeouts = sim.of_type(RequestTimedOut)
    assert timeouts
    assert timeouts[-1].retry_in_s == DEFAULT_POLL_INTERVAL_S
    assert sim.of_type(ClockUnsynchronised)[1:] == []

    # The bound reaches 10 s after (10 - e0) / 15 ppm, about 7.7 days.
    sim.run_for(8 * day)
    [(lost_at, lost)] = [(at, a) for at, a in sim.actions if isinstance(a, ClockUnsynchronised)][1:]
    expected = synced_at + (10.0 - stepped.max_error_s) / (FREQUENCY_TOLERANCE_PPM * 1e-6)
    assert lost_at == pytest.approx(expected, abs=2.0)
    assert lost.max_error_s == pytest.approx(10.0, abs=1e-3)
    assert not sim.client.is_reliable(sim.now)
    assert sim.clock_error() == pytest.approx((sim.now - synced_at) * 15e-6, abs=2e-3)


def test_drift_rate_is_a_setting(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation, client_settings={"drift_ppm": -40.0})
    sim.deliver_requests = False
    sim.run_for(1000.0)
    assert sim.clock_error() == pytest.approx(-0.04, abs=1e-3)


def test_resync_after_outage(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    sim.deliver_requests = False
    sim.run_for(10 * 86_400.0)
    assert not sim.client.is_reliable(sim.now)
    sim.deliver_requests = True
    sim.feed(SyncRequested(sim.now))
    sim.run_for(1.0)
    assert sim.client.is_reliable(sim.now)
    assert abs(sim.clock_error()) < 1e-3


def test_backoff_is_bounded(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(client_settings={"retry_initial_s": 10.0, "poll_interval_s": 100.0})
    sim.deliver_requests = False
    sim.start()
    sim.run_for(2000.0)
    delays = [t.retry_in_s for t in sim.of_type(RequestTimedOut)]
    assert delays[:5] == [10.0, 20.0, 40.0, 80.0, 100.0]
    assert max(delays) == 100.0


# Signed time messages.

def test_signed_time_syncs(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(ntp=False, signed_time=True)
    sim.start(rtc_error_s=-50.0)
    sim.run_for(1.0)
    [stepped] = sim.of_type(ClockStepped)
    assert stepped.source is TimeSource.SIGNED_TIME
    assert stepped.offset_s == pytest.approx(50.0, abs=1e-3)
    assert abs(sim.clock_error()) < 1e-3
    sim.run_for(3 * DEFAULT_POLL_INTERVAL_S)
    assert len(sim.of_type(ClockSlewed)) == 3


def test_both_sources(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(signed_time=True)
    sim.start()
    sim.run_for(1.0)
    stepped, slewed = sim.of_type((ClockStepped, ClockSlewed))
    assert (stepped.source, slewed.source) == (TimeSource.NTP, TimeSource.SIGNED_TIME)
    # The signed time request left before the step; its response must not carry the step.
    assert isinstance(slewed, ClockSlewed)
    assert abs(slewed.offset_s) < 1e-3
    assert abs(sim.clock_error()) < 1e-3


@pytest.mark.parametrize("byte", [0, 1, 5, 12, 20, 30, 34, 35, 40, 50, 60, 119])
def test_tampered_signed_time_rejected(make_simulation: MakeSimulation, byte: int) -> None:
    def flip(source: TimeSource, data: bytes) -> list[bytes]:
        changed = bytearray(data)
        changed[byte] ^= 0x04
        return [bytes(changed)]

    sim = make_simulation(ntp=False, signed_time=True, tamper=flip)
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) in ([RejectReason.BAD_SIGNATURE], [RejectReason.MALFORMED])
    assert sim.of_type(ClockStepped) == []


def test_signed_time_from_untrusted_key_rejected(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(ntp=False, signed_time=True,
                          trusted_key=ec.generate_private_key(ec.SECP256R1()).public_key())
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.BAD_SIGNATURE]


def resign(service_key: ec.EllipticCurvePrivateKey, **changes: object) -> Callable[..., list[bytes]]:
    def tamper(source: TimeSource, data: bytes) -> list[bytes]:
        message = replace(parse_signed_time(data), **changes)
        return [sign_time(message, service_key)]

    return tamper


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"service": bytes(8)}, RejectReason.WRONG_SERVICE),
        ({"recipient": bytes.fromhex("00DB999999999999")}, RejectReason.WRONG_RECIPIENT),
        ({"nonce": bytes(16)}, RejectReason.NONCE_MISMATCH),
        ({"leap": 3}, RejectReason.SERVER_UNSYNCHRONISED),
        ({"max_error": 0x0002_0000}, RejectReason.TOO_DISTANT),
    ],
    ids=["service", "recipient", "nonce", "leap", "max error"],
)
def test_signed_time_checks(make_simulation: MakeSimulation, service_key: ec.EllipticCurvePrivateKey,
                            changes: dict[str, object], reason: RejectReason) -> None:
    sim = make_simulation(ntp=False, signed_time=True, tamper=resign(service_key, **changes))
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [reason]
    assert sim.of_type(ClockStepped) == []


def test_signed_time_sequence_must_rise(make_simulation: MakeSimulation,
                                         service_key: ec.EllipticCurvePrivateKey) -> None:
    sim = make_simulation(ntp=False, signed_time=True)
    sim.start()
    sim.run_for(1.0)
    first = parse_signed_time(sim.responses[0][1]).sequence
    # A service that signs a fresh nonce with an old sequence number, e.g. after losing its
    # counter, is rejected.
    sim.tamper = resign(service_key, sequence=first)
    sim.run_until(DEFAULT_POLL_INTERVAL_S + 1.0)
    assert rejections(sim) == [RejectReason.REPLAYED]


def test_service_sequence_survives_restart(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(ntp=False, signed_time=True)
    sim.start()
    sim.run_for(1.0)
    sim.service._sequence = 0  # the service restarts and loses its counter
    sim.run_until(DEFAULT_POLL_INTERVAL_S + 1.0)
    assert rejections(sim) == []
    assert len(sim.of_type(ClockSlewed)) == 1


def test_old_signed_time_rejected(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(ntp=False, signed_time=True)
    sim.start()
    sim.run_for(1.0)
    old = sim.responses[0][1]
    sim.deliver_requests = False
    sim.run_until(DEFAULT_POLL_INTERVAL_S + 1.0)  # the next request is in flight
    sim.deliver(TimeSource.SIGNED_TIME, old)
    sim.run_for(0.01)
    assert rejections(sim) == [RejectReason.NONCE_MISMATCH]


def test_slow_signed_time_is_stale(make_simulation: MakeSimulation) -> None:
    sim = make_simulation(ntp=False, signed_time=True, one_way_delay_s=2.5,
                          client_settings={"response_timeout_s": 10.0})
    sim.start()
    sim.run_for(6.0)
    assert rejections(sim) == [RejectReason.STALE]


def test_forged_signed_time_message_rejected(make_simulation: MakeSimulation) -> None:
    forger = ec.generate_private_key(ec.SECP256R1())

    def forge(source: TimeSource, data: bytes) -> list[bytes]:
        real = parse_signed_time(data)
        fake = SignedTime(service=SERVICE_ID, recipient=HUB_ID, sequence=real.sequence + 1,
                          utc=real.utc + (3600 << 32), nonce=real.nonce)
        return [sign_time(fake, forger), data]

    sim = make_simulation(ntp=False, signed_time=True, tamper=forge)
    sim.start()
    sim.run_for(1.0)
    assert rejections(sim) == [RejectReason.BAD_SIGNATURE]
    assert abs(sim.clock_error()) < 1e-3


# The client's contract.

def test_events_before_started_raise(make_simulation: MakeSimulation) -> None:
    client = make_simulation().client
    with pytest.raises(LocalProtocolError, match="before Started"):
        client.handle(TimerExpired(0.0, TimerName.NTP_POLL))
    client.handle(Started(0.0, 1e9))
    with pytest.raises(LocalProtocolError, match="twice"):
        client.handle(Started(1.0, 1e9))


def test_late_timer_is_ignored(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    before = len(sim.requests)
    sim.feed(TimerExpired(sim.now, TimerName.NTP_RESPONSE))
    sim.feed(TimerExpired(sim.now, TimerName.SIGNED_TIME_POLL))
    assert len(sim.requests) == before
    assert sim.of_type(RequestTimedOut) == []


def test_signed_time_to_ntp_only_client_is_unexpected(make_simulation: MakeSimulation) -> None:
    sim = synced_simulation(make_simulation)
    sim.deliver(TimeSource.SIGNED_TIME, b"\x01\x02")
    sim.run_for(0.01)
    assert rejections(sim) == [RejectReason.UNEXPECTED]


@pytest.mark.parametrize(
    "settings",
    [
        {"hub_id": b"short"},
        {"ntp_key": None},
        {"poll_interval_s": 0.0},
        {"max_age_s": float("nan")},
        {"tolerance_ppm": -1.0},
        {"drift_ppm": float("inf")},
    ],
)
def test_settings_validation(settings: dict[str, object]) -> None:
    key = NtpKey(1, MacAlgorithm.MD5, b"secret")
    values: dict[str, object] = {"hub_id": HUB_ID, "ntp_key": key, **settings}
    with pytest.raises(LocalProtocolError):
        TimeSyncSettings(**values)  # type: ignore[arg-type]


def test_check_tables_name_every_reason() -> None:
    assert set(NTP_CHECKS) | set(SIGNED_TIME_CHECKS) == set(RejectReason)


def test_random_datagrams_never_raise(make_simulation: MakeSimulation) -> None:
    import random

    generator = random.Random(5905)
    sim = synced_simulation(make_simulation, signed_time=True)
    utc_before = sim.client.utc(sim.now)
    for size in [0, 1, 47, 48, 52, 68, 72, 119, 120, 121] * 20:
        data = bytes(generator.getrandbits(8) for _ in range(size))
        sim.feed(NtpPacketReceived(sim.now, data))
    assert sim.client.utc(sim.now) == utc_before
    assert len(sim.of_type(ResponseRejected)) == 200
