"""The time client and the emulated time service on real UDP sockets of 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.ntp import MacAlgorithm, NtpKey
from commshub.errors import CodecError, LocalProtocolError
from commshub.hil.ntp_client import UdpTimeClient, load_chrony_keys, parse_chrony_keys
from commshub.hub.timesync import (
    ClockSlewed,
    ClockStepped,
    RejectReason,
    RequestTimedOut,
    ResponseRejected,
    TimeClient,
    TimeSource,
    TimeSyncSettings,
    TrustedTimeService,
)
from commshub.wan.time_service import EmulatedTimeService, TimeServiceServer, TimeServiceSettings

HUB_ID = bytes.fromhex("00DB123456789ABC")
SERVICE_ID = bytes.fromhex("00DB0000000000C5")
Adjusted = ClockStepped | ClockSlewed
KEY = NtpKey(3, MacAlgorithm.AES128_CMAC, bytes.fromhex("000102030405060708090A0B0C0D0E0F"))
# Upper bound on how long a test waits for a loopback response; never asserted on.
WAIT_S = 10.0
# The emulated service serves UTC this far from the host's clock, so a step is visible.
SERVICE_SHIFT_S = 120.0


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


async def start_service(signing_key: ec.EllipticCurvePrivateKey) -> TimeServiceServer:
    service = EmulatedTimeService(TimeServiceSettings(
        service_id=SERVICE_ID, signing_key=signing_key, ntp_keys={KEY.key_id: KEY},
    ))
    return await TimeServiceServer.start(service, clock=lambda: time.time() + SERVICE_SHIFT_S)


def test_ntp_and_signed_time_over_udp() -> None:
    signing_key = ec.generate_private_key(ec.SECP256R1())

    async def scenario() -> None:
        async with await start_service(signing_key) as server:
            settings = TimeSyncSettings(
                hub_id=HUB_ID, ntp_key=KEY,
                time_service=TrustedTimeService(SERVICE_ID, signing_key.public_key()),
                drift_ppm=0.0,
            )
            async with UdpTimeClient(TimeClient(settings), ntp_server=server.ntp_address,
                                     time_server=server.time_address) as runner:
                # Whichever response comes first steps the clock; the other then slews it.
                for source in TimeSource:
                    outcome = await runner.wait_for(
                        lambda a, source=source: isinstance(a, Adjusted | ResponseRejected)
                        and a.source is source,
                        timeout=WAIT_S,
                    )
                    assert not isinstance(outcome, ResponseRejected), outcome
                offset = runner.client.utc(time.monotonic()) - time.time()
                assert offset == pytest.approx(SERVICE_SHIFT_S, abs=0.5)
                assert runner.client.is_reliable(time.monotonic())
            assert server.service.counters["ntp_authenticated"] == 1
            assert server.service.counters["time_signed"] == 1

    run(scenario())


def test_wrong_key_over_udp_is_rejected() -> None:
    signing_key = ec.generate_private_key(ec.SECP256R1())
    wrong = NtpKey(KEY.key_id, MacAlgorithm.AES128_CMAC, bytes(16))

    async def scenario() -> None:
        async with await start_service(signing_key) as server:
            settings = TimeSyncSettings(hub_id=HUB_ID, ntp_key=wrong, response_timeout_s=0.5)
            async with UdpTimeClient(TimeClient(settings),
                                     ntp_server=server.ntp_address) as runner:
                await runner.wait_for(lambda a: isinstance(a, RequestTimedOut), timeout=WAIT_S)
                reasons = [a.reason for a in runner.history if isinstance(a, ResponseRejected)]
                assert reasons == [RejectReason.CRYPTO_NAK]
                assert not any(isinstance(a, ClockStepped) for a in runner.history)

    run(scenario())


def test_service_binds_loopback_only() -> None:
    signing_key = ec.generate_private_key(ec.SECP256R1())
    service = EmulatedTimeService(TimeServiceSettings(SERVICE_ID, signing_key))
    with pytest.raises(LocalProtocolError, match="loopback"):
        run(TimeServiceServer.start(service, host="0.0.0.0"))


def test_chrony_key_file(tmp_path: Path) -> None:
    text = (
        "# chrony.keys\n"
        "1 SHA1 HEX:00112233445566778899AABBCCDDEEFF00112233\n"
        "2 MD5 ASCII:secretpassword  # a comment\n"
        "3 AES128 HEX:000102030405060708090A0B0C0D0E0F\n"
        "4 plaintext\n"
        "5 SHA256 HEX:00\n"
        "\n"
    )
    keys = parse_chrony_keys(text)
    assert sorted(keys) == [1, 2, 3, 4]
    assert keys[1].algorithm is MacAlgorithm.SHA1
    assert len(keys[1].secret) == 20
    assert keys[2] == NtpKey(2, MacAlgorithm.MD5, b"secretpassword")
    assert keys[3].algorithm is MacAlgorithm.AES128_CMAC
    assert keys[4] == NtpKey(4, MacAlgorithm.MD5, b"plaintext")
    path = tmp_path / "chrony.keys"
    path.write_text(text)
    assert load_chrony_keys(path) == keys
    for bad in ("x MD5 abc", "1 SHA1 HEX:zz", "1 AES128 HEX:00", "1 2 3 4"):
        with pytest.raises(CodecError, match="line 1"):
            parse_chrony_keys(bad)
