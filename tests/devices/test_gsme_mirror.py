"""The GSME's mirror client: the gas meter pushes its data to the CHF's mirror, and the GPF
responds to reads addressed to it with what the meter itself returns."""

from __future__ import annotations

import pytest
from device_bench import SITE_IDS, START, SUPPLIER, response, send

from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.gbz import GbzComponent, GbzPayload, build_gbz, parse_gbz
from commshub.codecs.gbcs.payload import decrypt_component
from commshub.codecs.zigbee.zcl import build_zcl, foundation, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import metering, prepayment
from commshub.codecs.zigbee.zcl.frame import Direction, ZclFrame
from commshub.devices.gsme import GsmeSettings
from commshub.devices.gsme_mirror import MirroredGsme
from commshub.devices.site import Kind, Site, SiteKeys
from commshub.hub import gpf_data
from commshub.hub.gbcs_io import ZIGBEE_EPOCH

GSME, GPF = SITE_IDS["GSME"], SITE_IDS["GPF"]
POLL = 1800
DAY = 86_400
GCS13A, GCS16B = 0x0074, 0x0096
READ_BACK = (0x0000, 0x0302, 0x0A00)  # summation, divisor, bill to date


@pytest.fixture
def site(site_keys: SiteKeys) -> Site:
    return site_keys.build(now=START, join=[Kind.GSME], gsme={"settings": GsmeSettings(poll_interval=POLL)})


def gbz_command(recipient: bytes, message_code: int, counter: int, request: ZclFrame) -> GbcsFrame:
    encoded = build_zcl(request)
    component = GbzComponent(0x01, request.cluster_id, encoded[0], encoded[1], encoded[2], encoded[3:])
    return GbcsFrame.command(originator=SUPPLIER, recipient=recipient, originator_counter=counter,
                             message_code=message_code, content=build_gbz(GbzPayload((component,))))


def read_back(site: Site, recipient: bytes, message_code: int, counter: int, request: ZclFrame) -> ZclFrame:
    """Send a one-component GBZ read and return the decrypted ZCL reply."""
    command = gbz_command(recipient, message_code, counter, request)
    frame = response(send(site, site.seal(command), until=site.network.now + 2 * POLL), command)
    (component,) = parse_gbz(frame.content).components
    payload = component.payload
    if component.encryption is not None:
        decrypted = decrypt_component(frame, component, site.keys)
        assert decrypted is not None
        payload = decrypted
    header = bytes([component.frame_control, component.sequence_number, component.command_id])
    return parse_zcl(header + payload, component.cluster)


def test_site_gsme_keeps_a_mirror(site: Site) -> None:
    meter = site.devices[Kind.GSME]
    assert isinstance(meter, MirroredGsme)
    assert meter.state.mirror_endpoint == 2
    assert gpf_data.mirrored_device(site.hub) == GSME


def test_gpf_read_equals_gsme_read(site: Site) -> None:
    site.network.run(until=START + 5 * POLL)
    read = foundation.READ_ATTRIBUTES.frame(metering.METERING_ID, Direction.CLIENT_TO_SERVER,
                                            attribute_ids=list(READ_BACK))
    from_gpf = read_back(site, GPF, GCS13A, 0x100, read)
    from_gsme = read_back(site, GSME, GCS13A, 0x101, read)
    summation, divisor, bill = from_gpf["records"]
    assert [record["status"] for record in from_gpf["records"]] == [0, 0, 0]
    assert divisor == from_gsme["records"][1]
    # Summation and bill to date grow between the meter's last push and its own response.
    assert 0 < summation["value"] <= from_gsme["records"][0]["value"]
    assert 0 < bill["value"] <= from_gsme["records"][2]["value"]


def test_only_changed_attributes_are_reported_again(site: Site) -> None:
    meter = site.devices[Kind.GSME]
    assert isinstance(meter, MirroredGsme)
    reported = dict(meter.state.reported)
    site.network.run(until=START + 3 * POLL)
    again = {key: value for key, value in meter.state.reported.items() if reported.get(key) != value}
    assert again
    assert all(cluster in (metering.METERING_ID, prepayment.PREPAYMENT_ID) for cluster, _ in again)


def test_daily_snapshots_reach_the_gpf(site: Site) -> None:
    site.network.run(until=START + 2 * DAY)
    request = prepayment.GET_PREPAY_SNAPSHOT.frame(earliest_start_time=START - ZIGBEE_EPOCH,
                                                   latest_end_time=START + 2 * DAY - ZIGBEE_EPOCH,
                                                   snapshot_offset=1, snapshot_cause=1)
    reply = read_back(site, GPF, GCS16B, 0x200, request)
    assert prepayment.PUBLISH_PREPAY_SNAPSHOT.matches(reply)
    assert reply["snapshot_time"] + ZIGBEE_EPOCH == START + DAY + 9 * 3600  # the second day's 09:00
