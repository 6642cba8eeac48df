"""The hub's clock through its time client, against the emulated CSP time service."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec
from helpers import CHF, Bench, identity_and_keys

from commshub.codecs.ntp import MacAlgorithm, NtpKey
from commshub.hub import events as ev
from commshub.hub.actions import SendTimeRequest
from commshub.hub.hub import Hub
from commshub.hub.timesync import TimeSyncSettings, TrustedTimeService
from commshub.wan.time_service import EmulatedTimeService, TimeServiceSettings

SERVICE_ID = bytes.fromhex("90B3D51F300F0000")
KEY = NtpKey(7, MacAlgorithm.SHA1, b"shared ntp secret")
TRUE_OFFSET = 100  # the driver's clock is this many seconds behind UTC


def service() -> EmulatedTimeService:
    return EmulatedTimeService(TimeServiceSettings(
        service_id=SERVICE_ID, signing_key=ec.generate_private_key(ec.SECP256R1()), ntp_keys={7: KEY}))


def bench_with_time(server: EmulatedTimeService, *, ntp: bool = True, signed: bool = True) -> Bench:
    settings = TimeSyncSettings(
        hub_id=CHF, ntp_key=KEY if ntp else None,
        time_service=TrustedTimeService(SERVICE_ID, server.public_key) if signed else None)
    bench = Bench()
    identity, _ = identity_and_keys()
    bench.hub = Hub.create(identity, bench.settings, time_sync=settings)
    return bench


def answer(bench: Bench, server: EmulatedTimeService, actions: list[object], *, tamper: bool = False) -> None:
    for request in [a for a in actions if isinstance(a, SendTimeRequest)]:
        utc = bench.now + TRUE_OFFSET + 0.01
        if request.source == "ntp":
            reply = server.respond_to_ntp(request.data, utc)
        else:
            reply = server.respond_to_time_request(request.data, utc)
        assert reply is not None
        if tamper:
            reply = reply[:-1] + bytes([reply[-1] ^ 1])
        bench.feed(ev.TimeResponseReceived(at=bench.now, source=request.source, data=reply,  # type: ignore[arg-type]
                                           monotonic=bench.now + 0.02))


def test_started_hub_polls_both_sources() -> None:
    server = service()
    bench = bench_with_time(server)
    actions = bench.start()
    assert sorted(a.source for a in actions if isinstance(a, SendTimeRequest)) == ["ntp", "signed_time"]


def test_accepted_time_corrects_clock() -> None:
    server = service()
    bench = bench_with_time(server, signed=False)
    answer(bench, server, bench.start())
    assert bench.hub.state.clock_offset == TRUE_OFFSET
    assert 0x8145 in [entry.code for entry in bench.hub.state.event_log.entries()]
    bench.restart()
    assert bench.hub.state.clock_offset == TRUE_OFFSET


def test_signed_time_corrects_the_clock() -> None:
    server = service()
    bench = bench_with_time(server, ntp=False)
    answer(bench, server, bench.start())
    assert bench.hub.state.clock_offset == TRUE_OFFSET


def test_tampered_time_is_refused() -> None:
    server = service()
    bench = bench_with_time(server)
    answer(bench, server, bench.start(), tamper=True)
    assert bench.hub.state.clock_offset == 0


def test_time_client_polls_again_on_its_timer() -> None:
    server = service()
    bench = bench_with_time(server, signed=False)
    answer(bench, server, bench.start())
    actions = bench.advance(1030)
    assert [a.source for a in actions if isinstance(a, SendTimeRequest)] == ["ntp"]


def test_response_without_a_time_client_is_dropped() -> None:
    bench = Bench()
    bench.start()
    assert bench.feed(ev.TimeResponseReceived(at=bench.now, source="ntp", data=b"\x00" * 48)) == []


DAY = 86_400


def test_clock_drifts_while_unsynchronised() -> None:
    server = service()
    bench = bench_with_time(server, signed=False)
    bench.hub = Hub.create(bench.hub.state.identity, bench.settings, time_sync=TimeSyncSettings(
        hub_id=CHF, ntp_key=KEY, drift_ppm=1000.0))
    bench.start()
    bench.now += DAY
    bench.feed(ev.MainsLost(at=bench.now))
    client = bench.hub.time_client
    assert client is not None
    assert round(client.utc(bench.now)) - bench.now == 86
    assert bench.hub.state.utc == round(client.utc(bench.now))
    assert bench.hub.state.power.lost_at == bench.hub.state.utc


def test_drift_survives_a_restart() -> None:
    server = service()
    bench = bench_with_time(server, signed=False)
    settings = TimeSyncSettings(hub_id=CHF, ntp_key=KEY, drift_ppm=1000.0)
    bench.hub = Hub.create(bench.hub.state.identity, bench.settings, time_sync=settings)
    bench.start()
    bench.now += DAY
    bench.feed(ev.MainsLost(at=bench.now))
    bench.hub = Hub.restore(bench.nvm.load(), time_sync=settings)
    bench.timers.clear()
    bench.start(mains=False)
    assert bench.hub.state.clock_offset == 86
    client = bench.hub.time_client
    assert client is not None
    assert round(client.utc(bench.now)) == bench.hub.state.utc


def test_clock_adjusted_sets_the_time_client() -> None:
    server = service()
    bench = bench_with_time(server, signed=False)
    requests = bench.start()
    bench.feed(ev.ClockAdjusted(at=bench.now, offset=95, synchronised=False))
    client = bench.hub.time_client
    assert client is not None
    assert round(client.utc(bench.now)) - bench.now == 95
    assert bench.hub.state.clock_offset == 95
    assert not client.status(bench.now).synchronised
    # The response to the request sent before the adjustment still measures the true offset.
    answer(bench, server, requests)
    assert bench.hub.state.clock_offset == TRUE_OFFSET
    assert round(client.utc(bench.now)) - bench.now == TRUE_OFFSET


def test_hub_and_client_agree_after_adjustment() -> None:
    server = service()
    bench = bench_with_time(server, signed=False)
    bench.start()
    bench.feed(ev.ClockAdjusted(at=bench.now, offset=-40))
    bench.now += DAY
    bench.feed(ev.MainsLost(at=bench.now))
    client = bench.hub.time_client
    assert client is not None
    assert bench.hub.state.utc == round(client.utc(bench.now))
