"""Command checks of a virtual meter, on frames built and sealed with the GBCS codecs."""

from __future__ import annotations

import pytest
from device_bench import ACB, PARTIES, SITE_IDS, SUPPLIER, dlms_command, get
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.frame import parse_frame
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.devices.gbcs_endpoint import (
    Accepted,
    Rejected,
    Rejection,
    build_response,
    check_command,
)
from commshub.devices.identity import DeviceIdentity

ESME = SITE_IDS["ESME"]


@pytest.fixture(scope="module")
def identity(remote_keys: KeyStore) -> DeviceIdentity:
    return DeviceIdentity.generate(ESME, remote_keys=remote_keys, roles=PARTIES)


@pytest.fixture(scope="module")
def keys(remote_keys: KeyStore, identity: DeviceIdentity) -> KeyStore:
    return remote_keys.merged(identity.public_keys())


def _command(keys: KeyStore, *, counter: int = 1000, code: int = 0x0059, signed: bool = False) -> bytes:
    frame = dlms_command(ESME, code, counter, [get(1, "0-0:0.2.1.255", 2)])
    if signed:
        frame = crypto.sign(frame, keys)
    return crypto.mac_frame(frame, keys).to_bytes()


def test_valid_command_is_accepted(identity: DeviceIdentity, keys: KeyStore) -> None:
    checked = check_command(_command(keys), identity, {})
    assert isinstance(checked, Accepted)
    assert not checked.critical


def test_response_is_macd_for_the_originator(identity: DeviceIdentity, keys: KeyStore) -> None:
    checked = check_command(_command(keys), identity, {})
    assert isinstance(checked, Accepted)
    frame = parse_frame(build_response(checked, identity, b"\xda", at=0))
    assert frame.recipient == SUPPLIER and frame.originator_counter == 1000
    assert crypto.check_mac(frame, keys) is crypto.Verdict.VALID


@pytest.mark.parametrize(("counters", "reason"), [({SUPPLIER: 1000}, Rejection.REPLAYED),
                                                  ({SUPPLIER: 2000}, Rejection.REPLAYED)])
def test_counter_must_increase(identity: DeviceIdentity, keys: KeyStore, counters: dict[bytes, int],
                               reason: Rejection) -> None:
    checked = check_command(_command(keys), identity, counters)
    assert isinstance(checked, Rejected) and checked.reason is reason and checked.alert


def test_bad_mac(identity: DeviceIdentity, keys: KeyStore) -> None:
    data = bytearray(_command(keys))
    data[-3] ^= 0x10
    checked = check_command(bytes(data), identity, {})
    assert isinstance(checked, Rejected) and checked.reason is Rejection.BAD_MAC and not checked.alert


def test_critical_command_needs_signature(identity: DeviceIdentity, keys: KeyStore) -> None:
    unsigned = check_command(_command(keys, code=0x0062), identity, {})
    assert isinstance(unsigned, Rejected) and unsigned.reason is Rejection.MISSING_SIGNATURE
    signed = check_command(_command(keys, code=0x0062, signed=True), identity, {})
    assert isinstance(signed, Accepted) and signed.critical


def test_forged_signature(identity: DeviceIdentity, keys: KeyStore) -> None:
    forger = KeyStore.generate(remote_parties=[SUPPLIER]).merged(KeyStore())
    frame = crypto.sign(dlms_command(ESME, 0x0062, 1000, [get(1, "0-0:0.2.1.255", 2)]), forger)
    data = crypto.mac_frame(frame, keys).to_bytes()
    checked = check_command(data, identity, {})
    assert isinstance(checked, Rejected) and checked.reason is Rejection.BAD_SIGNATURE


def test_wrong_recipient_and_unknown_originator(identity: DeviceIdentity, keys: KeyStore) -> None:
    other = dlms_command(SITE_IDS["GSME"], 0x0059, 1000, [get(1, "0-0:0.2.1.255", 2)])
    checked = check_command(other.to_bytes(), identity, {})
    assert isinstance(checked, Rejected) and checked.reason is Rejection.WRONG_RECIPIENT
    stranger = dlms_command(ESME, 0x0059, 1000, [get(1, "0-0:0.2.1.255", 2)], originator=ACB[:-1] + b"\x99")
    checked = check_command(stranger.to_bytes(), identity, {})
    assert isinstance(checked, Rejected) and checked.reason is Rejection.UNKNOWN_ORIGINATOR


@settings(max_examples=100)
@given(st.binary(max_size=300))
def test_random_bytes_are_rejected(identity: DeviceIdentity, data: bytes) -> None:
    checked = check_command(data, identity, {})
    assert isinstance(checked, Rejected)
