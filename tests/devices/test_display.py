"""The virtual IHD: join with an install code, then show the hub's time and the ESME's price."""

from __future__ import annotations

from device_bench import SITE_IDS, START

from commshub.devices import events as dev
from commshub.devices.display import Display
from commshub.devices.site import Kind, SiteKeys


def test_ihd_joins_and_shows_time_and_price(site_keys: SiteKeys) -> None:
    site = site_keys.build(now=START, join=[Kind.ESME, Kind.IHD])
    display = site.devices[Kind.IHD]
    assert isinstance(display, Display)
    assert display.state.han.join.value == "joined"
    assert display.state.han.tunnel.value == "closed"  # a display holds no GBCS tunnel
    assert display.shown.time == START
    price = display.shown.price
    assert price is not None
    assert price.currency == 826 and price.rate_label == b"Standard"
    assert price.price > 0 and price.trailing_digits == 5


def test_ihd_refreshes_on_its_timer(site_keys: SiteKeys) -> None:
    site = site_keys.build(now=START, join=[Kind.ESME, Kind.IHD])
    display = site.devices[Kind.IHD]
    assert isinstance(display, Display)
    site.network.run(until=START + 3 * display.settings.refresh_interval)
    assert display.shown.time == START + 3 * display.settings.refresh_interval


def test_ihd_not_in_device_log_cannot_join(site_keys: SiteKeys) -> None:
    site = site_keys.build(now=START, join=[Kind.ESME])
    site.network.to_device(SITE_IDS["IHD"], dev.Started)
    site.network.run()
    display = site.devices[Kind.IHD]
    assert isinstance(display, Display)
    assert display.state.han.join.value == "unjoined"
    assert display.shown.time is None
