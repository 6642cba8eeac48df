"""The gateway on a real loopback socket: routing, acknowledgement, retries, limits,
scheduling, idempotent retransmission, alerts and the audit trail. Timing runs on a virtual
clock; real time only guards against hangs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from ipaddress import IPv6Address
from typing import Any

import pytest

from commshub.store.audit import AuditKind, AuditOutcome
from commshub.wan import csp
from commshub.wan.addresses import GroupSelector
from commshub.wan.alerts import (
    AlertPolicy,
    CorrelatedOutageAlert,
    PowerOutageAlert,
    PowerRestoreAlert,
)
from commshub.wan.client import GatewayClient, GatewayRejected
from commshub.wan.clock import VirtualClock
from commshub.wan.framing import Category, Frame, FrameType, Status, encode_frame
from commshub.wan.gateway import GatewaySettings

Runner = Callable[[Coroutine[Any, Any, Any]], Any]
# Real seconds a test waits for something that takes milliseconds: a hang guard for a loaded
# CI machine, never a pass condition.
WAIT_S = 120.0
LOSS = 1_704_067_200  # 2024-01-01T00:00:00Z


def _request(address: Any, payload: bytes = b"\xdd\x01", correlation_id: int = 1,
             category: int = Category.UNICAST, **options: Any) -> Frame:
    return Frame(FrameType.REQUEST, category=category, correlation_id=correlation_id,
                 address=address, payload=payload, **options)


def test_routes_by_network_address(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=2) as gw:
            async with await GatewayClient.connect(port=gw.port, name="acb") as client:
                first = await client.request(gw.addresses[0], b"to-0")
                second = await client.request(gw.addresses[1], b"to-1")

            assert first.payloads == [b"R:to-0"]
            assert first.responses[0].address == gw.addresses[0]
            assert second.payloads == [b"R:to-1"]
            assert [d[0] for d in gw.hubs[0].delivered] == [b"to-0"]
            assert [d[0] for d in gw.hubs[1].delivered] == [b"to-1"]
            assert first.ack.targets == 1

    run(scenario())


def test_ack_precedes_responses(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1, responses=3) as gw:
            raw = await raw_connect(gw.port)
            await raw.send(_request(gw.addresses[0], correlation_id=77))

            ack = await raw.recv()
            responses = [await raw.recv() for _ in range(3)]

            assert ack.frame_type is FrameType.ACK
            assert ack.status == Status.ACCEPTED
            assert ack.correlation_id == 77
            assert [r.frame_type for r in responses] == [FrameType.RESPONSE] * 3
            assert [r.more_follows for r in responses] == [True, True, False]
            assert all(r.correlation_id == 77 for r in responses)
            raw.close()

    run(scenario())


@pytest.mark.parametrize(
    ("frame_options", "status"),
    [
        ({"category": Category.METER_ALERT}, Status.INVALID_CATEGORY),
        ({"category": 9}, Status.INVALID_CATEGORY),
        ({"address": None}, Status.INVALID_ADDRESS),
        ({"address": GroupSelector.parse("postcode=AB")}, Status.INVALID_ADDRESS),
        ({"payload": b""}, Status.INVALID_REQUEST),
        ({"address": IPv6Address("fd53:4d57:414e::dead")}, Status.UNKNOWN_ADDRESS),
        ({"address": GroupSelector.parse("supplier=nobody"), "category": Category.BULK},
         Status.EMPTY_GROUP),
        ({"release_at_ms": 10**15}, Status.INVALID_SCHEDULE),
    ],
)
def test_invalid_request_rejected_and_audited(
    gateway_factory: Any, raw_connect: Any, run: Runner, frame_options: dict[str, Any], status: Status,
) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            raw = await raw_connect(gw.port)
            options = {"address": gw.addresses[0], **frame_options}
            await raw.send(_request(**options))

            ack = await raw.recv()

            assert ack.status == status
            assert ack.message
            assert gw.hubs[0].delivered == []
            records = gw.running.trail.query(kind="request")
            assert [r.outcome for r in records] == [AuditOutcome.REJECTED]
            assert records[0].detail.startswith(status.name)
            raw.close()

    run(scenario())


def test_scheduled_read_poll_may_be_empty(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1, responses=2) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                result = await client.request(gw.addresses[0], b"", category=Category.SCHEDULED_READ)

            assert result.payloads == [b"R:\x00", b"R:\x01"]
            reads = gw.running.trail.query(kind="scheduled_read")
            assert [(r.outcome, r.detail) for r in reads] == [(AuditOutcome.SUCCESS, "2 response(s)")]

    run(scenario())


def test_group_request_spread_over_period(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        async with gateway_factory(hubs=4, clock=clock) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                start = clock.now()
                pending = await client.submit(GroupSelector.parse("postcode=AB"), b"bulk",
                                              category=Category.BULK, spread=40.0)
                assert pending.ack.targets == 4
                for step in range(4):
                    await gw.hubs[step].wait_deliveries(1)
                    await clock.advance(10.0)
                result = await pending.result()

            times = sorted(hub.delivery_times[0] - start for hub in gw.hubs)
            assert times == pytest.approx([0.0, 10.0, 20.0, 30.0])
            assert sorted(r.address for r in result.responses) == sorted(gw.addresses)

    run(scenario())


def test_group_by_postcode_district(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=4) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                result = await client.request(GroupSelector.parse("postcode=AB2"), b"fw",
                                              category=Category.FIRMWARE)

            # Hubs 1 and 3 are in AB2 2CD.
            assert sorted(r.address for r in result.responses) == [gw.addresses[1], gw.addresses[3]]
            deliveries = gw.running.trail.query(kind="firmware_delivery", outcome="success")
            assert sorted(r.hub for r in deliveries) == sorted(str(gw.addresses[i]) for i in (1, 3))

    run(scenario())


def test_release_at_holds_until_agreed_time(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        async with gateway_factory(hubs=1, clock=clock) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                release = clock.now() + 3600
                pending = await client.submit(gw.addresses[0], b"batch", release_at=release)
                await clock.advance(3599.0)
                assert gw.hubs[0].delivered == []
                await clock.advance(1.0)
                result = await pending.result()

            assert result.payloads == [b"R:batch"]
            assert gw.hubs[0].delivery_times == [pytest.approx(release)]

    run(scenario())


def test_unreachable_hub_retried_with_backoff(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        settings = GatewaySettings(retry_base_delay=2.0, delivery_attempts=4)
        async with gateway_factory(hubs=1, clock=clock, settings=settings, unreachable=2) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                start = clock.now()
                pending = await client.submit(gw.addresses[0], b"cmd")
                await clock.advance(2.0)
                await clock.advance(4.0)
                result = await pending.result()

            assert result.payloads == [b"R:cmd"]
            assert [t - start for t in gw.hubs[0].attempt_times] == [0.0, 2.0, 6.0]
            assert gw.running.gateway.stats()["delivery_retries"] == 2

    run(scenario())


def test_retries_exhausted_reports_unreachable(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        settings = GatewaySettings(retry_base_delay=1.0, delivery_attempts=3)
        async with gateway_factory(hubs=1, clock=clock, settings=settings, unreachable=99) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                pending = await client.submit(gw.addresses[0], b"fw", category=Category.FIRMWARE)
                await clock.advance(1.0)
                await clock.advance(2.0)
                result = await pending.result()

            assert not result.ok
            assert result.failures[0].status == Status.HUB_UNREACHABLE
            assert "after 3 attempts" in result.failures[0].message
            assert gw.hubs[0].attempts == 3
            failed = gw.running.trail.query(kind="firmware_delivery")
            assert [r.outcome for r in failed] == [AuditOutcome.FAILURE]

    run(scenario())


def test_silent_hub_times_out_and_late_response_dropped(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        settings = GatewaySettings(response_timeout=30.0)
        async with gateway_factory(hubs=1, clock=clock, settings=settings, silent=True) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                pending = await client.submit(gw.addresses[0], b"cmd")
                await gw.hubs[0].wait_deliveries(1)
                await clock.advance(30.0)
                result = await pending.result()
                request_id = gw.hubs[0].delivered[0][2]
                await gw.hubs[0].uplink.respond(request_id, b"too late")

            assert result.failures[0].status == Status.RESPONSE_TIMEOUT
            responses = gw.running.trail.query(kind="response")
            assert [r.outcome for r in responses] == [AuditOutcome.FAILURE, AuditOutcome.REJECTED]
            assert responses[1].frame == b"too late"

    run(scenario())


def test_client_rate_limit_names_retry_delay(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        settings = GatewaySettings(client_rate=1.0, client_burst=2)
        async with gateway_factory(hubs=1, clock=clock, settings=settings) as gw:
            raw = await raw_connect(gw.port)
            statuses = []
            for correlation_id in (1, 2, 3):
                await raw.send(_request(gw.addresses[0], correlation_id=correlation_id))
                while (frame := await raw.recv()).frame_type is not FrameType.ACK:
                    pass
                statuses.append(frame.status)
            limited = frame
            await clock.advance(1.0)
            await raw.send(_request(gw.addresses[0], correlation_id=3))
            while (retry := await raw.recv()).frame_type is not FrameType.ACK:
                pass

            assert statuses == [Status.ACCEPTED, Status.ACCEPTED, Status.RATE_LIMITED]
            assert limited.retry_after_ms == 1000
            assert retry.status == Status.ACCEPTED
            raw.close()

    run(scenario())


def test_rate_limited_rejections_log_counted(gateway_factory: Any, raw_connect: Any, run: Runner,
                                             caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        settings = GatewaySettings(client_rate=1.0, client_burst=1)
        async with gateway_factory(hubs=1, clock=VirtualClock(), settings=settings) as gw:
            raw = await raw_connect(gw.port)
            statuses = []
            for correlation_id in range(1, 153):
                await raw.send(_request(gw.addresses[0], correlation_id=correlation_id))
                while (frame := await raw.recv()).frame_type is not FrameType.ACK:
                    pass
                statuses.append(frame.status)
            raw.close()

            assert statuses.count(Status.RATE_LIMITED) == 151

    with caplog.at_level("INFO", logger="commshub.wan.gateway"):
        run(scenario())
    lines = [record.getMessage() for record in caplog.records
             if record.levelname == "INFO" and "RATE_LIMITED" in record.getMessage()]
    assert len(lines) == 2
    assert "101 RATE_LIMITED rejections of" in lines[1]


def test_hub_rate_paces_deliveries(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        settings = GatewaySettings(hub_rate=0.5, hub_burst=1)
        async with gateway_factory(hubs=1, clock=clock, settings=settings) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                start = clock.now()
                pendings = [await client.submit(gw.addresses[0], bytes([i])) for i in range(3)]
                for count in (1, 2, 3):
                    await gw.hubs[0].wait_deliveries(count)
                    await clock.advance(2.0)
                results = [await p.result() for p in pendings]

            assert [t - start for t in gw.hubs[0].delivery_times] == pytest.approx([0.0, 2.0, 4.0])
            assert [r.payloads for r in results] == [[b"R:\x00"], [b"R:\x01"], [b"R:\x02"]]

    run(scenario())


def test_full_hub_queue_rejects(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        settings = GatewaySettings(hub_queue_limit=1)
        async with gateway_factory(hubs=1, clock=clock, settings=settings) as gw:
            raw = await raw_connect(gw.port)
            later = round((clock.now() + 600) * 1000)
            await raw.send(_request(gw.addresses[0], correlation_id=1, release_at_ms=later))
            first = await raw.recv()
            await raw.send(_request(gw.addresses[0], correlation_id=2))
            second = await raw.recv()

            assert first.status == Status.ACCEPTED
            assert second.status == Status.HUB_QUEUE_FULL
            assert second.retry_after_ms > 0
            raw.close()

    run(scenario())


def test_retransmission_not_delivered_twice(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            first = await raw_connect(gw.port)
            await first.send(Frame(FrameType.HELLO, message="acb"))
            assert (await first.recv()).status == Status.ACCEPTED
            await first.send(_request(gw.addresses[0], correlation_id=42))
            assert (await first.recv()).status == Status.ACCEPTED
            original = await first.recv()
            first.close()

            second = await raw_connect(gw.port)
            await second.send(Frame(FrameType.HELLO, message="acb"))
            await second.recv()
            await second.send(_request(gw.addresses[0], correlation_id=42, retransmission=True))
            duplicate_ack = await second.recv()
            replayed = await second.recv()
            await second.send(_request(gw.addresses[0], payload=b"other", correlation_id=42))
            reused = await second.recv()

            assert duplicate_ack.status == Status.ACCEPTED_DUPLICATE
            assert replayed == original
            assert len(gw.hubs[0].delivered) == 1
            assert reused.status == Status.CORRELATION_ID_REUSED
            second.close()

    run(scenario())


class _CuttableProxy:
    """A loopback TCP proxy whose connections the test can cut, as a network fault would."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers += [writer, up_writer]

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            sink.close()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))

    def cut(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    async def close(self) -> None:
        self.cut()
        assert self.server is not None
        self.server.close()


def test_client_recovers_response_after_connection_cut(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1, silent=True) as gw:
            proxy = _CuttableProxy(gw.port)
            port = await proxy.start()
            client = await GatewayClient.connect(port=port, name="acb", backoff=0.01)
            pending = await client.submit(gw.addresses[0], b"cmd")
            await gw.hubs[0].wait_deliveries(1)

            proxy.cut()
            await gw.hubs[0].uplink.respond(gw.hubs[0].delivered[0][2], b"answer")
            result = await pending.result(timeout=WAIT_S)

            assert result.payloads == [b"answer"]
            assert len(gw.hubs[0].delivered) == 1
            assert gw.running.gateway.stats()["duplicates"] >= 1
            await client.close()
            await proxy.close()

    run(scenario())


def test_alerts_reach_matching_subscribers(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=2) as gw:
            one = await GatewayClient.connect(port=gw.port)
            everyone = await GatewayClient.connect(port=gw.port)
            await one.subscribe(gw.addresses[0])
            await everyone.subscribe()

            await gw.hubs[1].uplink.alert(b"\x8f\x12 from hub 1")
            await gw.hubs[0].uplink.alert(b"\x8f\x12 from hub 0")

            first = await everyone.next_alert(timeout=WAIT_S)
            second = await everyone.next_alert(timeout=WAIT_S)
            only = await one.next_alert(timeout=WAIT_S)
            assert (first.address, first.payload) == (gw.addresses[1], b"\x8f\x12 from hub 1")
            assert second.address == gw.addresses[0]
            assert (only.address, only.payload) == (gw.addresses[0], b"\x8f\x12 from hub 0")
            assert not first.gateway_alert
            await one.close()
            await everyone.close()

    run(scenario())


def test_power_outage_and_restore_alerts(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                await client.subscribe(GroupSelector.parse("postcode=AB1 2CD"))
                await gw.hubs[0].uplink.power_outage(LOSS)
                await gw.hubs[0].uplink.power_restore(LOSS, LOSS + 900)

                outage = await client.next_alert(timeout=WAIT_S)
                restore = await client.next_alert(timeout=WAIT_S)

            assert outage.gateway_alert
            assert outage.decoded() == PowerOutageAlert(gw.addresses[0], LOSS)
            assert restore.decoded() == PowerRestoreAlert(gw.addresses[0], LOSS, LOSS + 900, 900)
            alerts = gw.running.trail.query(kind="alert")
            assert [r.detail.split(",")[0] for r in alerts] == ["power outage",
                                                                "power restore at 2024-01-01T00:15:00Z"]
            assert "loss detected at 2024-01-01T00:00:00Z" in alerts[0].detail

    run(scenario())


def test_outage_storm_suppressed(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        clock = VirtualClock()
        policy = AlertPolicy(max_rate=5.0, burst=5, correlated_outage_threshold=5)
        settings = GatewaySettings(alerts=policy)
        async with gateway_factory(hubs=20, clock=clock, settings=settings) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                await client.subscribe()
                for hub in gw.hubs:
                    await hub.uplink.power_outage(LOSS)
                await gw.hubs[0].uplink.power_outage(LOSS)  # a duplicate

                received = [await client.next_alert(timeout=WAIT_S) for _ in range(5)]
                for _ in range(3):
                    await clock.advance(1.0)
                    received += [await client.next_alert(timeout=WAIT_S) for _ in range(5)]
                await clock.advance(1.0)
                received.append(await client.next_alert(timeout=WAIT_S))

            decoded = [alert.decoded() for alert in received]
            outages = [a for a in decoded if isinstance(a, PowerOutageAlert)]
            summaries = [a for a in decoded if isinstance(a, CorrelatedOutageAlert)]
            assert len(outages) == 20
            assert len({a.address for a in outages}) == 20
            assert summaries == [CorrelatedOutageAlert("AB", 5, LOSS)]
            counters = gw.running.gateway.stats()["alerts"]
            assert counters["collapsed"] == 1
            assert counters["handed_on"] == 21
            collapsed = gw.running.trail.query(kind="alert", outcome="collapsed")
            assert len(collapsed) == 1

    run(scenario())


def test_decommission_fails_open_requests(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1, silent=True) as gw:
            raw = await raw_connect(gw.port)
            await raw.send(_request(gw.addresses[0], correlation_id=5))
            await raw.recv()
            await gw.hubs[0].wait_deliveries(1)

            await gw.running.gateway.decommission_hub(gw.addresses[0])
            failure = await raw.recv()
            await raw.send(_request(gw.addresses[0], correlation_id=6))
            after = await raw.recv()

            assert failure.frame_type is FrameType.ERROR
            assert failure.status == Status.HUB_DECOMMISSIONED
            assert after.status == Status.UNKNOWN_ADDRESS
            raw.close()

    run(scenario())


def test_message_code_recorded_for_use_case(gateway_factory: Any, run: Runner) -> None:
    def first_two_bytes(frame: bytes) -> int | None:
        return int.from_bytes(frame[:2], "big") if len(frame) >= 2 else None

    async def scenario() -> None:
        async with gateway_factory(hubs=1, message_code_of=first_two_bytes) as gw:
            async with await GatewayClient.connect(port=gw.port, name="acb") as client:
                await client.request(gw.addresses[0], b"\x00\x01ccs01")

            records = gw.running.trail.query(use_case="0x0001")
            assert [r.kind for r in records] == [AuditKind.REQUEST]
            assert records[0].client == "acb"
            # The response starts with "R:" (0x523A), so it is filed under that code.
            assert len(gw.running.trail.query(use_case=0x523A)) == 1

    run(scenario())


def test_rate_limited_client_library_waits_and_retries(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        settings = GatewaySettings(client_rate=50.0, client_burst=1)
        async with gateway_factory(hubs=1, settings=settings) as gw:
            async with await GatewayClient.connect(port=gw.port, max_attempts=6) as client:
                results = await asyncio.gather(*(client.request(gw.addresses[0], bytes([i]))
                                                 for i in range(3)))

            assert sorted(r.payloads[0] for r in results) == [b"R:\x00", b"R:\x01", b"R:\x02"]
            assert gw.running.gateway.stats()["requests_rejected"] >= 1

    run(scenario())


def test_non_retryable_rejection_raises(gateway_factory: Any, run: Runner) -> None:
    async def scenario() -> None:
        async with gateway_factory(hubs=1) as gw:
            async with await GatewayClient.connect(port=gw.port) as client:
                with pytest.raises(GatewayRejected, match="UNKNOWN_ADDRESS") as info:
                    await client.request(IPv6Address("fd53:4d57:414e::dead"), b"x")

            assert info.value.status == Status.UNKNOWN_ADDRESS

    run(scenario())


def test_pipelined_requests_keep_order(gateway_factory: Any, raw_connect: Any, run: Runner) -> None:
    async def scenario() -> None:
        settings = GatewaySettings(client_burst=100, hub_burst=100)
        async with gateway_factory(hubs=1, settings=settings) as gw:
            raw = await raw_connect(gw.port)
            frames = [_request(gw.addresses[0], payload=i.to_bytes(2, "big"), correlation_id=i + 1)
                      for i in range(60)]
            await raw.send(b"".join(encode_frame(frame) for frame in frames))
            await gw.hubs[0].wait_deliveries(60)

            delivered = [frame for frame, _, _ in gw.hubs[0].delivered]
            assert delivered == [i.to_bytes(2, "big") for i in range(60)]
            accepted = gw.running.trail.query(kind="request")
            assert [r.correlation_id for r in accepted] == list(range(1, 61))
            raw.close()

    run(scenario())


def test_rejected_image_audited_as_failure(
    gateway_factory: Any, echo_hub_class: Any, make_profile: Any, run: Runner,
) -> None:
    # The data store's verdict on each image, by the image's content: verified, rejected, or
    # not known yet because chunks are still missing.
    verdicts: dict[bytes, bool | None] = {b"good": True, b"bad": False, b"part": None}

    class DataStore(echo_hub_class):  # type: ignore[misc]
        async def _answer(self, frame: bytes, request_id: int) -> None:
            chunk = csp.decode_chunk(frame)
            ack = csp.FirmwareChunkAck(chunk.image_id, chunk.offset + len(chunk.data),
                                       chunk.total_size + 1, verdicts[chunk.data])
            await self.uplink.respond(request_id, csp.encode_chunk_ack(ack), final=True)

    async def scenario() -> None:
        async with gateway_factory(hubs=0) as gw:
            address = gw.install(DataStore(), make_profile(0))
            async with await GatewayClient.connect(port=gw.port) as client:
                acks = []
                for data in verdicts:
                    chunk = csp.FirmwareChunk(data.decode(), 0, len(data), data)
                    result = await client.request(address, csp.encode_chunk(chunk),
                                                  category=Category.FIRMWARE)
                    acks.append(csp.decode_chunk_ack(result.payloads[0]))

            records = gw.running.trail.query(kind="firmware_delivery")
            assert [ack.verified for ack in acks] == [True, False, None]
            assert [record.outcome for record in records] == [
                AuditOutcome.SUCCESS, AuditOutcome.FAILURE, AuditOutcome.SUCCESS]
            assert "image bad rejected" in (records[1].detail or "")

    run(scenario())
