"""A meter's own memory: what ``Meter.snapshot`` keeps comes back in a meter built afresh."""

from __future__ import annotations

import pytest
from device_bench import PARTIES, SITE_IDS, SUPPLIER

from commshub.codecs.gbcs.keystore import KeyStore
from commshub.devices.esme import Esme
from commshub.devices.gsme import Gsme
from commshub.devices.identity import DeviceIdentity
from commshub.devices.ota_client import HeldImage
from commshub.devices.transitions import OtaClientState

HUB = SITE_IDS["CHF"]
NOW = 1_700_000_000


@pytest.fixture(scope="module")
def identity(remote_keys: KeyStore) -> DeviceIdentity:
    return DeviceIdentity.generate(SITE_IDS["ESME"], remote_keys=remote_keys, roles=PARTIES)


def test_esme_restores_firmware_and_counters(identity: DeviceIdentity) -> None:
    old = Esme(identity, hub=HUB, now=NOW, held_image=HeldImage(0x01260000, bytes(range(32))))
    snapshot = {**old.snapshot(), "firmware_version": "01250000",
                "counters": {SUPPLIER.hex(): 4242}}

    new = Esme(identity, hub=HUB, now=NOW + 60)
    new.restore(snapshot, at=NOW + 60)

    assert new.state.firmware_version == bytes.fromhex("01250000")
    assert new.read(1, "0-0:0.2.1.255", 2, at=NOW + 60).value == bytes.fromhex("01250000")
    assert new.state.counters == {SUPPLIER: 4242}
    assert new.state.ota.state is OtaClientState.HELD
    assert new.state.ota.held == HeldImage(0x01260000, bytes(range(32)))
    assert new.snapshot() == snapshot


def test_gsme_restores_firmware(identity: DeviceIdentity) -> None:
    new = Gsme(identity, hub=HUB)
    new.restore({**new.snapshot(), "firmware_version": "01250000"}, at=NOW)

    assert new.state.firmware_version == bytes.fromhex("01250000")
    assert new.snapshot()["firmware_version"] == "01250000"


def test_malformed_snapshot_rejected(identity: DeviceIdentity) -> None:
    meter = Esme(identity, hub=HUB, now=NOW)

    with pytest.raises(ValueError, match="unreadable meter snapshot"):
        meter.restore({"firmware_version": "zz"}, at=NOW)
