"""Gateway alert format and alert-storm suppression, in virtual time."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine
from ipaddress import IPv6Address
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commshub.errors import CodecError
from commshub.wan.alerts import (
    ZIGBEE_EPOCH,
    AlertDisposition,
    AlertPolicy,
    AlertShaper,
    CorrelatedOutageAlert,
    CorrelatedOutageClearedAlert,
    PowerOutageAlert,
    PowerRestoreAlert,
    ShapedAlert,
    decode_gateway_alert,
    encode_gateway_alert,
)
from commshub.wan.clock import VirtualClock

HUB = IPv6Address("fd53:4d57:414e::1")
# 2024-01-01T00:00:00Z
LOSS = 1_704_067_200

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


def test_power_outage_alert_layout() -> None:
    data = encode_gateway_alert(PowerOutageAlert(HUB, LOSS))

    assert data[:2] == b"\xdc\x01"
    assert data[2:18] == HUB.packed
    assert data[18:] == (LOSS - ZIGBEE_EPOCH).to_bytes(4, "big")
    assert decode_gateway_alert(data) == PowerOutageAlert(HUB, LOSS)


def test_power_restore_alert_carries_duration() -> None:
    alert = PowerRestoreAlert.between(HUB, LOSS, LOSS + 600)
    data = encode_gateway_alert(alert)

    assert data[:2] == b"\xdc\x02"
    assert len(data) == 2 + 16 + 12
    assert data[26:30] == (600).to_bytes(4, "big")
    assert decode_gateway_alert(data) == alert
    assert alert.outage_duration == 600


def test_correlated_alerts_round_trip() -> None:
    for alert in (CorrelatedOutageAlert("AB", 5000, LOSS),
                  CorrelatedOutageClearedAlert("AB", 5123, LOSS, LOSS + 3600)):
        assert decode_gateway_alert(encode_gateway_alert(alert)) == alert


def test_time_before_2000_rejected() -> None:
    with pytest.raises(CodecError, match="outside the UTCTime range"):
        encode_gateway_alert(PowerOutageAlert(HUB, ZIGBEE_EPOCH - 1))


def test_unknown_alert_code_rejected() -> None:
    with pytest.raises(CodecError):
        decode_gateway_alert(b"\xdc\x09" + bytes(20))


@given(st.binary(max_size=64))
def test_random_alert_bytes(data: bytes) -> None:
    try:
        decode_gateway_alert(data)
    except CodecError:
        pass


@given(st.integers(ZIGBEE_EPOCH, ZIGBEE_EPOCH + 2**31), st.integers(0, 2**31),
       st.integers(0, 2**128 - 1))
def test_restore_round_trip(loss: int, duration: int, address: int) -> None:
    alert = PowerRestoreAlert.between(IPv6Address(address), loss, loss + duration)

    assert decode_gateway_alert(encode_gateway_alert(alert)) == alert


def _outage(index: int, region: str = "AB") -> ShapedAlert:
    address = IPv6Address(int(HUB) + index)
    return ShapedAlert(address, encode_gateway_alert(PowerOutageAlert(address, LOSS)), 3, True, region)


def _restore(index: int, region: str = "AB") -> ShapedAlert:
    address = IPv6Address(int(HUB) + index)
    alert = PowerRestoreAlert.between(address, LOSS, LOSS + 300)
    return ShapedAlert(address, encode_gateway_alert(alert), 3, True, region)


class _Collector:
    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.handed_on: list[tuple[float, ShapedAlert]] = []

    async def __call__(self, alert: ShapedAlert) -> None:
        self.handed_on.append((self.clock.now(), alert))


def test_storm_is_spread_at_max_rate(run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        collector = _Collector(clock)
        shaper = AlertShaper(AlertPolicy(max_rate=10, burst=5), clock, collector)
        task = asyncio.create_task(shaper.run())
        start = clock.now()
        for index in range(100):
            assert shaper.offer(_outage(index)) is AlertDisposition.QUEUED

        await clock.advance(0)
        assert len(collector.handed_on) == 5  # the burst
        await clock.advance(5.0)
        assert len(collector.handed_on) == 55
        await clock.advance(5.0)
        assert len(collector.handed_on) == 100
        times = [when - start for when, _ in collector.handed_on]
        gaps = [b - a for a, b in itertools.pairwise(times[5:])]
        assert min(gaps) == pytest.approx(0.1)
        assert max(gaps) == pytest.approx(0.1)
        assert shaper.counters.peak_backlog == 100
        task.cancel()

    run(scenario())


def test_duplicates_collapsed_and_counted(run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        collector = _Collector(clock)
        shaper = AlertShaper(AlertPolicy(duplicate_window=60), clock, collector)

        assert shaper.offer(_outage(1)) is AlertDisposition.QUEUED
        assert shaper.offer(_outage(1)) is AlertDisposition.COLLAPSED
        await clock.advance(61)
        assert shaper.offer(_outage(1)) is AlertDisposition.QUEUED

        assert shaper.counters.collapsed == 1
        assert shaper.counters.received == 3
        assert shaper.backlog == 2

    run(scenario())


def test_restore_replaces_waiting_outage(run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        collector = _Collector(clock)
        shaper = AlertShaper(AlertPolicy(max_rate=1, burst=1), clock, collector)
        task = asyncio.create_task(shaper.run())
        shaper.offer(_outage(1))
        await clock.advance(0)
        shaper.offer(_outage(2))
        shaper.offer(_restore(2))
        shaper.offer(_restore(1))

        await clock.advance(10)

        decoded = [decode_gateway_alert(alert.payload) for _, alert in collector.handed_on]
        assert [type(alert).__name__ for alert in decoded] == [
            "PowerOutageAlert", "PowerRestoreAlert", "PowerRestoreAlert"]
        assert [alert.address for alert in decoded] == [
            IPv6Address(int(HUB) + 1), IPv6Address(int(HUB) + 2), IPv6Address(int(HUB) + 1)]
        assert shaper.counters.merged == 1
        task.cancel()

    run(scenario())


def test_correlated_outage_raised_and_cleared(run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        collector = _Collector(clock)
        shaper = AlertShaper(AlertPolicy(max_rate=1000, burst=1000, correlated_outage_threshold=3),
                             clock, collector)
        task = asyncio.create_task(shaper.run())
        for index in range(4):
            shaper.offer(_outage(index))
        shaper.offer(_outage(9, region="CD"))
        await clock.advance(1)
        for index in range(4):
            shaper.offer(_restore(index))
        await clock.advance(1)

        summaries = [decode_gateway_alert(alert.payload) for _, alert in collector.handed_on
                     if alert.address is None]
        assert summaries[0] == CorrelatedOutageAlert("AB", 3, LOSS)
        assert summaries[1] == CorrelatedOutageClearedAlert("AB", 4, LOSS, int(clock.now()) - 1)
        assert len(summaries) == 2
        assert shaper.counters.correlated_outages == 1
        task.cancel()

    run(scenario())


def test_full_backlog_drops_gbcs_alerts_not_power(run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        shaper = AlertShaper(AlertPolicy(max_backlog=2), clock, _Collector(clock))

        assert shaper.offer(ShapedAlert(HUB, b"\x01", 3, False)) is AlertDisposition.QUEUED
        assert shaper.offer(ShapedAlert(HUB, b"\x02", 3, False)) is AlertDisposition.QUEUED
        assert shaper.offer(ShapedAlert(HUB, b"\x03", 3, False)) is AlertDisposition.DROPPED
        assert shaper.offer(_outage(1)) is AlertDisposition.QUEUED
        assert shaper.counters.dropped == 1

    run(scenario())
