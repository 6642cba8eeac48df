"""Device tests build emulated sites with ``device_bench.py`` beside this file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from device_bench import PARTIES, SITE_IDS

from commshub.codecs.gbcs.keystore import KeyStore
from commshub.devices.site import SiteKeys


@pytest.fixture(scope="session")
def remote_keys() -> KeyStore:
    """A generated test PKI for the remote parties, private keys included."""
    return KeyStore.generate(remote_parties=list(PARTIES))


@pytest.fixture(scope="session")
def site_keys(remote_keys: KeyStore) -> SiteKeys:
    """Hub, meters and an IHD with their own keys, trusting the remote parties."""
    return SiteKeys(remote_keys, PARTIES, SITE_IDS)
