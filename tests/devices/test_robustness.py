"""Random HAN frames never break a virtual device: it acts or raises a CommshubError, and a
frame that raises leaves the device's state as it was."""

from __future__ import annotations

import pytest
from device_bench import SITE_IDS, START
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.zigbee.tunnel import tunnel_put
from commshub.codecs.zigbee.zcl import build_zcl
from commshub.codecs.zigbee.zcl.clusters.tunneling import TRANSFER_DATA_TO_CLIENT
from commshub.devices import events as dev
from commshub.devices.site import Kind, Site, SiteKeys
from commshub.errors import CommshubError

CLUSTERS = st.sampled_from([0x000A, 0x0019, 0x0700, 0x0704, 0x0702])


@pytest.fixture(scope="module")
def site(site_keys: SiteKeys) -> Site:
    return site_keys.build(now=START, join=[Kind.ESME, Kind.GSME, Kind.IHD])


@pytest.mark.parametrize("kind", [Kind.ESME, Kind.GSME, Kind.IHD])
@settings(max_examples=150)
@given(cluster=CLUSTERS, payload=st.binary(max_size=80))
def test_random_frames(site: Site, kind: Kind, cluster: int, payload: bytes) -> None:
    device = site.devices[kind]
    before = device.state  # type: ignore[attr-defined]
    event = dev.HanFrameReceived(at=START + 10, source=SITE_IDS["CHF"], cluster=cluster, payload=payload)
    try:
        device.handle(event)
    except CommshubError:
        assert device.state is before  # type: ignore[attr-defined]
    device.state = before  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", [Kind.ESME, Kind.GSME])
@settings(max_examples=150)
@given(message=st.binary(min_size=1, max_size=200))
def test_random_gbcs_in_the_tunnel(site: Site, kind: Kind, message: bytes) -> None:
    device = site.devices[kind]
    before = device.state  # type: ignore[attr-defined]
    tunnel_id = before.han.tunnel_id
    payload = build_zcl(TRANSFER_DATA_TO_CLIENT.frame(tunnel_id=tunnel_id, data=tunnel_put(message)))
    event = dev.HanFrameReceived(at=START + 10, source=SITE_IDS["CHF"], cluster=0x0704, payload=payload)
    try:
        device.handle(event)
    except CommshubError:
        assert device.state is before  # type: ignore[attr-defined]
    else:
        assert device.state.counters == before.counters  # type: ignore[attr-defined]
    device.state = before  # type: ignore[attr-defined]
