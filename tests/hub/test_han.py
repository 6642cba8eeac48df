"""The HAN side: Time server, GBCS tunnels, the gas proxy queue, routing back to the WAN,
Category 2 caching and the GSME's Metering mirror."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import ESME, GSME, INSTALL_CODE, SUPPLIER, Bench, action, get, register_device, set_

from commshub.codecs.dlms import Data, DataType
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.codecs.zigbee.tunnel import TunnelCommand, parse_tunnel_data, tunnel_get, tunnel_put
from commshub.codecs.zigbee.zcl import build_zcl, foundation, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import general, metering, tunneling
from commshub.codecs.zigbee.zcl.frame import Direction, ZclFrame
from commshub.hub import cat2
from commshub.hub import events as ev
from commshub.hub.actions import ScheduledReadMissed, SendHan, WanKind

LINK_KEY = link_key_from_install_code(append_crc(INSTALL_CODE))
DEVICE_LOG = "0-0:30.3.0.255"


def join(bench: Bench, device: bytes, device_type: int) -> None:
    bench.send(bench.command(0x0001, [
        action(104, DEVICE_LOG, 1, register_device(device, device_type=device_type)),
        set_(104, DEVICE_LOG, 3, Data(DataType.LONG_UNSIGNED, 90)),
        set_(104, DEVICE_LOG, 2, Data(DataType.BOOLEAN, True)),
    ]))
    bench.feed(ev.DeviceJoinRequested(at=bench.now, device=device, link_key=LINK_KEY))


def han(bench: Bench, device: bytes, frame: ZclFrame) -> list[ZclFrame]:
    """Send a ZCL frame from ``device``; return the frames the hub sends back to it."""
    actions = bench.feed(ev.HanFrameReceived(at=bench.now, device=device, cluster=frame.cluster_id,
                                             payload=build_zcl(frame)))
    return [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan) and a.device == device]


def open_tunnel(bench: Bench, device: bytes) -> tuple[int, list[ZclFrame]]:
    replies = han(bench, device, tunneling.REQUEST_TUNNEL.frame(
        protocol_id=6, manufacturer_code=0xFFFF, flow_control_support=False,
        maximum_incoming_transfer_size=1500))
    assert replies[0]["tunnel_status"] == 0
    return replies[0]["tunnel_id"], replies[1:]


def transfer(bench: Bench, device: bytes, tunnel_id: int, data: bytes) -> list[ZclFrame]:
    return han(bench, device, tunneling.TRANSFER_DATA_TO_SERVER.frame(tunnel_id=tunnel_id, data=data))


def device_response(device: bytes, counter: int, message_code: int = 0x0059) -> bytes:
    return GbcsFrame.response(originator=device, recipient=SUPPLIER, originator_counter=counter,
                              message_code=message_code, content=b"\xda\x20\x00\x00\x01\x00\x00\x01\x00\x01\x01\x00").to_bytes()


@pytest.fixture()
def bench() -> Bench:
    bench = Bench()
    bench.commission()
    return bench


def test_time_server_answers_time_and_status(bench: Bench) -> None:
    join(bench, ESME, 0)
    replies = han(bench, ESME, foundation.READ_ATTRIBUTES.frame(general.TIME_ID, Direction.CLIENT_TO_SERVER,
                                                                 tsn=7, attribute_ids=[0, 1, 2]))
    (reply,) = replies
    assert reply.tsn == 7
    records = reply["records"]
    assert records[0]["value"] == bench.now - 946_684_800  # seconds since 2000-01-01 UTC
    assert records[1]["value"] == 0x09
    assert records[2]["status"] == 0x86  # unsupported attribute


def test_time_follows_the_clock_correction(bench: Bench) -> None:
    join(bench, ESME, 0)
    bench.feed(ev.ClockAdjusted(at=bench.now, offset=30))
    (reply,) = han(bench, ESME, foundation.READ_ATTRIBUTES.frame(general.TIME_ID, Direction.CLIENT_TO_SERVER,
                                                                  attribute_ids=[0]))
    assert reply["records"][0]["value"] == bench.now + 30 - 946_684_800


def test_unjoined_device_frames_dropped(bench: Bench) -> None:
    frame = foundation.READ_ATTRIBUTES.frame(general.TIME_ID, Direction.CLIENT_TO_SERVER, attribute_ids=[0])
    assert han(bench, ESME, frame) == []


def test_unknown_cluster_gets_unsupported_cluster(bench: Bench) -> None:
    join(bench, ESME, 0)
    (reply,) = han(bench, ESME, foundation.READ_ATTRIBUTES.frame(0x0300, Direction.CLIENT_TO_SERVER,
                                                                  attribute_ids=[0]))
    assert reply["status"] == 0xC3


def test_command_for_the_esme_is_pushed_unchanged(bench: Bench) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    command = bench.command(0x0059, [get(1, "0-0:0.2.1.255", 2)], originator=SUPPLIER, recipient=ESME,
                            supplementary=False, mac=False, counter=77)
    actions = bench.send(command)
    pushed = [parse_zcl(a.payload, a.cluster) for a in actions if isinstance(a, SendHan)]
    assert len(pushed) == 1
    assert pushed[0]["tunnel_id"] == tunnel_id
    message = parse_tunnel_data(pushed[0]["data"])
    assert message.command == TunnelCommand.PUT
    assert message.message == command
    # The ESME's response goes to the WAN byte for byte.
    response = device_response(ESME, 77)
    actions = bench.feed(ev.HanFrameReceived(at=bench.now, device=ESME, cluster=tunneling.TUNNELING_ID,
                                             payload=build_zcl(tunneling.TRANSFER_DATA_TO_SERVER.frame(
                                                 tunnel_id=tunnel_id, data=tunnel_put(response)))))
    forwarded = bench.wan(actions)
    assert [(m.kind, m.data, m.recipient) for m in forwarded] == [(WanKind.FORWARDED, response, SUPPLIER)]


def test_command_waits_until_the_esme_opens_a_tunnel(bench: Bench) -> None:
    join(bench, ESME, 0)
    command = bench.command(0x0059, [get(1, "0-0:0.2.1.255", 2)], originator=SUPPLIER, recipient=ESME,
                            supplementary=False, mac=False)
    assert not [a for a in bench.send(command) if isinstance(a, SendHan)]
    _, pushed = open_tunnel(bench, ESME)
    assert parse_tunnel_data(pushed[0]["data"]).message == command


def test_gas_proxy_delivers_on_get_with_remaining_count(bench: Bench) -> None:
    join(bench, GSME, 1)
    commands = [bench.command(0x007F, content=bytes([n]), originator=SUPPLIER, recipient=GSME,
                              supplementary=False, mac=False) for n in range(3)]
    for command in commands:
        assert not [a for a in bench.send(command) if isinstance(a, SendHan)]  # the GSME sleeps
    tunnel_id, _ = open_tunnel(bench, GSME)
    received = []
    for expected_remaining in (2, 1, 0):
        (reply,) = transfer(bench, GSME, tunnel_id, tunnel_get())
        message = parse_tunnel_data(reply["data"])
        assert message.command == TunnelCommand.GET_RESPONSE
        assert message.remaining_messages == expected_remaining
        received.append(message.message)
    assert received == commands
    (reply,) = transfer(bench, GSME, tunnel_id, tunnel_get())
    assert parse_tunnel_data(reply["data"]) .message == b""


def test_gas_proxy_queue_holds_thirty_two(bench: Bench) -> None:
    join(bench, GSME, 1)
    for n in range(32 + 3):
        bench.send(bench.command(0x007F, content=bytes([n]), originator=SUPPLIER, recipient=GSME,
                                 supplementary=False, mac=False))
    tunnel_id, _ = open_tunnel(bench, GSME)
    (reply,) = transfer(bench, GSME, tunnel_id, tunnel_get())
    # 32 queued, the oldest delivered: 31 remain, the 3 beyond the queue's size were dropped.
    assert parse_tunnel_data(reply["data"]).remaining_messages == 31


def test_gas_proxy_queue_survives_a_restart(bench: Bench) -> None:
    join(bench, GSME, 1)
    command = bench.command(0x007F, content=b"\x01", originator=SUPPLIER, recipient=GSME, supplementary=False, mac=False)
    bench.send(command)
    bench.restart()
    tunnel_id, _ = open_tunnel(bench, GSME)
    (reply,) = transfer(bench, GSME, tunnel_id, tunnel_get())
    assert parse_tunnel_data(reply["data"]).message == command


def test_transfer_on_an_unknown_tunnel_is_refused(bench: Bench) -> None:
    join(bench, GSME, 1)
    (reply,) = transfer(bench, GSME, 42, tunnel_get())
    assert tunneling.TRANSFER_DATA_ERROR_TO_CLIENT.matches(reply)
    assert reply["transfer_data_status"] == 0


def test_unsolicited_response_is_dropped_and_logged(bench: Bench) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    logged = len(bench.hub.state.security_log)
    actions = bench.feed(ev.HanFrameReceived(
        at=bench.now, device=ESME, cluster=tunneling.TUNNELING_ID,
        payload=build_zcl(tunneling.TRANSFER_DATA_TO_SERVER.frame(
            tunnel_id=tunnel_id, data=tunnel_put(device_response(ESME, 999))))))
    assert bench.wan(actions) == []
    assert len(bench.hub.state.security_log) == logged + 1


def test_device_alerts_are_forwarded(bench: Bench) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    alert = GbcsFrame.alert(originator=ESME, recipient=SUPPLIER, originator_counter=5, message_code=0x1001,
                            content=b"\x0f\x20\x00\x00\x05\x00\x02\x02\x12\x81\x0e\x09\x00").to_bytes()
    actions = bench.feed(ev.HanFrameReceived(
        at=bench.now, device=ESME, cluster=tunneling.TUNNELING_ID,
        payload=build_zcl(tunneling.TRANSFER_DATA_TO_SERVER.frame(tunnel_id=tunnel_id, data=tunnel_put(alert)))))
    assert [m.data for m in bench.wan(actions)] == [alert]


def put(bench: Bench, device: bytes, tunnel_id: int, message: bytes) -> list[Any]:
    return bench.feed(ev.HanFrameReceived(
        at=bench.now, device=device, cluster=tunneling.TUNNELING_ID,
        payload=build_zcl(tunneling.TRANSFER_DATA_TO_SERVER.frame(tunnel_id=tunnel_id, data=tunnel_put(message)))))


def test_cached_read_handed_over_unchanged(bench: Bench) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    bench.feed(ev.ReadScheduled(at=bench.now, device=ESME, message_code=0x0059, deadline=bench.now + 3600))
    response = device_response(ESME, 1234)
    assert bench.wan(put(bench, ESME, tunnel_id, response)) == []
    bench.restart()  # the cache lives in NVM
    bench.advance(60)
    actions = bench.feed(ev.CachedReadsPolled(at=bench.now))
    (handed,) = bench.wan(actions)
    assert handed.kind is WanKind.CACHED_READ
    assert handed.data == response
    assert bench.wan(bench.feed(ev.CachedReadsPolled(at=bench.now))) == []


def test_cached_read_goes_out_before_its_deadline_unpolled(bench: Bench) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    deadline = bench.now + 600
    bench.feed(ev.ReadScheduled(at=bench.now, device=ESME, message_code=0x0059, deadline=deadline))
    put(bench, ESME, tunnel_id, device_response(ESME, 1))
    actions = bench.advance(600)
    (handed,) = bench.wan(actions)
    assert handed.kind is WanKind.CACHED_READ
    assert bench.now - 600 + 540 <= bench.now <= deadline


def test_scheduled_read_arriving_late_is_dropped(bench: Bench) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    bench.feed(ev.ReadScheduled(at=bench.now, device=ESME, message_code=0x0059, deadline=bench.now + 10))
    bench.advance(11)
    assert bench.wan(put(bench, ESME, tunnel_id, device_response(ESME, 1))) == []
    assert bench.wan(bench.feed(ev.CachedReadsPolled(at=bench.now))) == []


def cache_one_read(bench: Bench, deadline: int) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    bench.feed(ev.ReadScheduled(at=bench.now, device=ESME, message_code=0x0059, deadline=deadline))
    assert bench.wan(put(bench, ESME, tunnel_id, device_response(ESME, 1))) == []


def test_deadline_passing_while_down_drops_read(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    deadline = bench.now + 600
    cache_one_read(bench, deadline)
    bench.now = deadline + 300  # the hub is down from now until after the deadline
    actions = bench.restart()
    actions += bench.advance(0)  # the forward timer is overdue: it fires at once
    actions += bench.feed(ev.CachedReadsPolled(at=bench.now))
    assert bench.wan(actions) == []
    assert bench.csp(actions) == [ScheduledReadMissed(ESME, 0x0059, deadline)]
    assert "missed its deadline" in caplog.text
    assert cat2.cached(bench.hub) == []


def test_read_queued_while_wan_down_expires(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    deadline = bench.now + 600
    cache_one_read(bench, deadline)
    bench.feed(ev.WanLinkChanged(at=bench.now, up=False))
    assert bench.wan(bench.advance(560)) == []  # forwarded unpolled, but the link is down
    bench.now = deadline + 300  # the hub is down from now until after the deadline
    actions = bench.restart(wan_up=True)
    assert bench.wan(actions) == []
    assert ScheduledReadMissed(ESME, 0x0059, deadline) in bench.csp(actions)
    assert "waited in the outbox past its deadline" in caplog.text
    assert [m for m in bench.wan(bench.restart()) if m.kind is WanKind.CACHED_READ] == []
    assert [m for m in bench.wan(bench.sent) if m.kind is WanKind.CACHED_READ] == []


def test_read_arriving_late_is_reported(bench: Bench) -> None:
    join(bench, ESME, 0)
    tunnel_id, _ = open_tunnel(bench, ESME)
    deadline = bench.now + 10
    bench.feed(ev.ReadScheduled(at=bench.now, device=ESME, message_code=0x0059, deadline=deadline))
    bench.advance(11)
    actions = put(bench, ESME, tunnel_id, device_response(ESME, 1))
    assert bench.csp(actions) == [ScheduledReadMissed(ESME, 0x0059, deadline)]


def test_metering_mirror_keeps_gsme_data_for_reads(bench: Bench) -> None:
    join(bench, GSME, 1)
    join(bench, ESME, 0)
    (reply,) = han(bench, GSME, metering.REQUEST_MIRROR.frame())
    assert reply["endpoint_id"] == 2
    report = foundation.REPORT_ATTRIBUTES.frame(metering.METERING_ID, Direction.SERVER_TO_CLIENT,
                                                records=[{"attribute_id": 0x0000, "type": 0x25, "value": 12345}])
    han(bench, GSME, report)
    bench.restart()
    (reply,) = han(bench, ESME, foundation.READ_ATTRIBUTES.frame(metering.METERING_ID, Direction.CLIENT_TO_SERVER,
                                                                  attribute_ids=[0x0000, 0x0001]))
    assert reply["records"][0]["value"] == 12345
    assert reply["records"][1]["status"] == 0x86


def test_response_from_the_gsme_goes_to_the_wan(bench: Bench) -> None:
    join(bench, GSME, 1)
    command = bench.command(0x007F, content=b"\x01", originator=SUPPLIER, recipient=GSME,
                            supplementary=False, mac=False, counter=0x3E8)
    bench.send(command)
    tunnel_id, _ = open_tunnel(bench, GSME)
    transfer(bench, GSME, tunnel_id, tunnel_get())
    response = device_response(GSME, 0x3E8, 0x007F)
    assert [m.data for m in bench.wan(put(bench, GSME, tunnel_id, response))] == [response]
    # The same response again is unsolicited now.
    assert bench.wan(put(bench, GSME, tunnel_id, response)) == []



