"""The sleepy virtual GSME: its polling cycle through the GPF queue, and GBZ use cases."""

from __future__ import annotations

import pytest
from device_bench import SITE_IDS, START, SUPPLIER, response

from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import decode_asn1, encode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.gbz import GbzComponent, GbzPayload, build_gbz, parse_gbz
from commshub.codecs.gbcs.payload import decrypt_component
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.tunnel import TunnelCommand, parse_tunnel_data
from commshub.codecs.zigbee.zcl import Status, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.tunneling import TUNNELING_ID
from commshub.devices import events as dev
from commshub.devices.gsme import Gsme, GsmeSettings
from commshub.devices.site import Kind, Site, SiteKeys
from commshub.devices.transitions import PollState
from commshub.hub.gbcs_io import generalized_time

GSME = SITE_IDS["GSME"]
POLL = 1800
GCS13A, GCS38, GCS28, GCS02 = 0x0074, 0x0084, 0x007F, 0x006C


@pytest.fixture
def site(site_keys: SiteKeys) -> Site:
    return site_keys.build(now=START, join=[Kind.GSME], gsme={"settings": GsmeSettings(poll_interval=POLL)})


def gsme_of(site: Site) -> Gsme:
    meter = site.devices[Kind.GSME]
    assert isinstance(meter, Gsme)
    return meter


def read_attributes(counter: int, message_code: int, cluster: int, attribute_ids: list[int]) -> GbcsFrame:
    payload = b"".join(attribute.to_bytes(2, "little") for attribute in attribute_ids)
    component = GbzComponent(0x01, cluster, 0x00, 0, 0x00, payload)
    return GbcsFrame.command(originator=SUPPLIER, recipient=GSME, originator_counter=counter,
                             message_code=message_code, content=build_gbz(GbzPayload((component,))))


def tunnel_traffic(site: Site, frames: list[tuple[str, bytes]]) -> list[str]:
    """Name the GBCS tunnel commands of recorded HAN frames (GET, GET-RESPONSE n, PUT)."""
    names = []
    for direction, payload in frames:
        frame = parse_zcl(payload, TUNNELING_ID)
        if frame.command_id not in (1, 2) or isinstance(frame.payload, bytes):
            continue
        message = parse_tunnel_data(frame["data"])
        if message.command == TunnelCommand.GET_RESPONSE:
            names.append(f"{direction} GET-RESPONSE {message.remaining_messages}")
        else:
            names.append(f"{direction} {TunnelCommand(message.command).name}")
    return names


def test_gsme_sleeps_after_its_first_poll(site: Site) -> None:
    meter = gsme_of(site)
    assert meter.state.han.tunnel.value == "open"
    assert meter.state.poll is PollState.ASLEEP


def test_polling_cycle_delivers_queued_messages(site: Site) -> None:
    meter = gsme_of(site)
    recorded: list[tuple[str, bytes]] = []
    original_device = meter.handle

    def device_handle(event: dev.DeviceEvent) -> list[dev.DeviceAction]:
        if isinstance(event, dev.HanFrameReceived) and event.cluster == TUNNELING_ID:
            recorded.append(("hub->gsme", event.payload))
        actions = original_device(event)
        recorded.extend(("gsme->hub", action.payload) for action in actions
                        if isinstance(action, dev.SendHan) and action.cluster == TUNNELING_ID)
        return actions

    meter.handle = device_handle  # type: ignore[method-assign]
    first = read_attributes(1000, GCS13A, 0x0702, [0x0000, 0x0300])
    second = read_attributes(1001, GCS38, 0x0702, [0x0206])
    before = len(site.network.wan)
    site.network.deliver_wan(site.command(first))
    site.network.deliver_wan(site.command(second))
    site.network.run()
    assert site.wan_since(before) == [], "the GSME is asleep: the commands wait in the GPF queue"
    assert meter.state.poll is PollState.ASLEEP

    site.network.run(until=site.network.now + POLL)
    messages = site.wan_since(before)
    response(messages, first)
    response(messages, second)
    assert tunnel_traffic(site, recorded) == [
        "gsme->hub GET", "hub->gsme GET-RESPONSE 1", "gsme->hub PUT",
        "gsme->hub GET", "hub->gsme GET-RESPONSE 0", "gsme->hub PUT",
    ]
    assert meter.state.poll is PollState.ASLEEP


def test_sensitive_read_is_encrypted(site: Site) -> None:
    command = read_attributes(1000, GCS13A, 0x0702, [0x0000, 0x0300, 0x0301, 0x0302])
    site.network.deliver_wan(site.command(command))
    site.network.run(until=site.network.now + POLL)
    frame = response(site.wan_since(0), command)
    assert frame.date_time is not None
    assert crypto.check_mac(frame, site.keys) is crypto.Verdict.VALID
    component = parse_gbz(frame.content).components[0]
    assert component.encryption is not None
    plaintext = decrypt_component(frame, component, site.keys)
    assert plaintext is not None
    header = bytes([component.frame_control, component.sequence_number, component.command_id])
    records = parse_zcl(header + plaintext, 0x0702)["records"]
    assert [record["attribute_id"] for record in records] == [0x0000, 0x0300, 0x0301, 0x0302]
    assert all(record["status"] == Status.SUCCESS for record in records)


def test_plain_read_and_unknown_attribute(site: Site) -> None:
    command = read_attributes(1000, GCS38, 0x0702, [0x0206, 0x7777])
    site.network.deliver_wan(site.command(command))
    site.network.run(until=site.network.now + POLL)
    component = parse_gbz(response(site.wan_since(0), command).content).components[0]
    assert component.encryption is None
    header = bytes([component.frame_control, component.sequence_number, component.command_id])
    records = parse_zcl(header + component.payload, 0x0702)["records"]
    assert records[0]["value"] == GsmeSettings().file_version.to_bytes(4, "big")
    assert records[1]["status"] == Status.UNSUPPORTED_ATTRIBUTE


@pytest.mark.parametrize(("offset", "status"), [(-1800, 0), (3600, 2)])
def test_gcs28_sets_clock_inside_window(site: Site, offset: int, status: int) -> None:
    now = site.network.now + POLL
    content = encode_asn1("SetTimeCommand", {"validityIntervalStart": generalized_time(now + offset),
                                             "validityIntervalEnd": generalized_time(now + offset + 3600)})
    command = GbcsFrame.command(originator=SUPPLIER, recipient=GSME, originator_counter=1000,
                                message_code=GCS28, content=content)
    site.network.deliver_wan(site.command(command, critical=True))
    site.network.run(until=now)
    frame = response(site.wan_since(0), command)
    assert frame.mac is None and crypto.verify_signature(frame, site.keys) is crypto.Verdict.VALID
    value = decode_asn1(frame.content, GCS28, Cra.RESPONSE).value
    assert value["deviceTimeStatus"] == status


def test_undecodable_tunnel_message_keeps_state(site: Site) -> None:
    meter = gsme_of(site)
    counters = meter.state.counters
    site.network.deliver_wan(bytes.fromhex("DF09") + bytes(5))  # not a whole GBCS frame
    site.network.run(until=site.network.now + POLL)
    assert meter.state.counters == counters
    assert all(parse_frame(message.data).cra != Cra.RESPONSE for message in site.wan_since(0)
               if parse_frame(message.data).originator == GSME)
