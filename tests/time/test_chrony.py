"""The hub's time client against a real chronyd serving NTP on 127.0.0.1.

chronyd (Debian's ``chrony`` package) runs from a temporary folder with its own configuration:
``-x`` leaves the system clock alone, ``local stratum 8`` makes it serve its own clock, and its
key file holds one key per algorithm the hub supports. A UDP proxy between the client and
chronyd plays an attacker on the path for the rejection tests.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from commshub.cli import main
from commshub.codecs.ntp import MacAlgorithm, Mode, NtpKey, NtpPacket, authenticate_packet
from commshub.hil.ntp_client import UdpTimeClient, load_chrony_keys
from commshub.hub.timesync import (
    ClockSlewed,
    ClockStepped,
    RejectReason,
    RequestTimedOut,
    ResponseRejected,
    TimeClient,
    TimeSource,
    TimeSyncSettings,
)

HUB_ID = bytes.fromhex("00DB123456789ABC")
KEY_FILE = """\
1 SHA1 HEX:00112233445566778899AABBCCDDEEFF00112233
2 MD5 ASCII:hub-time-md5
3 AES128 HEX:000102030405060708090A0B0C0D0E0F
"""
# Upper bound on any wait for chronyd; never asserted on.
WAIT_S = 15.0
# Short timers so that retries happen within a test.
FAST_RETRIES = {"response_timeout_s": 0.5, "retry_initial_s": 0.2, "poll_interval_s": 1.0,
                "drift_ppm": 0.0}

Tamper = Callable[[bytes], bytes | None]


def find_chronyd() -> str | None:
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which("chronyd", path=search)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_serving(port: int, key: NtpKey, process: subprocess.Popen[bytes]) -> None:
    request = authenticate_packet(NtpPacket(mode=Mode.CLIENT, transmit_timestamp=1), key)
    deadline = time.monotonic() + WAIT_S
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.2)
        while time.monotonic() < deadline and process.poll() is None:
            probe.sendto(request, ("127.0.0.1", port))
            try:
                probe.recvfrom(1024)
                return
            except TimeoutError:
                continue
    raise RuntimeError(f"chronyd did not respond on 127.0.0.1:{port} within {WAIT_S} s")


@pytest.fixture(scope="module")
def chronyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, dict[int, NtpKey]]]:
    """Start chronyd as an NTP server on a free port; yield the port and its keys."""
    executable = find_chronyd()
    if executable is None:
        pytest.skip("chronyd not found: install Debian's chrony package to run this test")
    folder = tmp_path_factory.mktemp("chrony")
    keys_path = folder / "chrony.keys"
    keys_path.write_text(KEY_FILE)
    keys_path.chmod(0o600)
    port = free_udp_port()
    config = folder / "chrony.conf"
    config.write_text(
        f"port {port}\n"
        "bindaddress 127.0.0.1\n"
        "local stratum 8\n"
        "allow 127.0.0.1\n"
        f"keyfile {keys_path}\n"
        "cmdport 0\n"
        "bindcmdaddress /\n"  # no Unix command socket either
        f"pidfile {folder / 'chronyd.pid'}\n"
        f"driftfile {folder / 'chrony.drift'}\n"
    )
    command = [executable, "-f", str(config), "-d", "-x"]
    # As root, stay root so chronyd can read the key file; otherwise skip the root check.
    command += ["-u", "root"] if os.geteuid() == 0 else ["-U", "-u", getpass.getuser()]
    log = (folder / "chronyd.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    keys = load_chrony_keys(keys_path)
    try:
        wait_until_serving(port, keys[1], process)
        yield port, keys
    finally:
        process.terminate()
        try:
            process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class TamperingProxy(asyncio.DatagramProtocol):
    """Forwards the client's datagrams to chronyd and passes its responses through ``tamper``."""

    def __init__(self, server: tuple[str, int], tamper: Tamper) -> None:
        self.server = server
        self.tamper = tamper
        self.client_address: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.responses = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        if addr == self.server:
            self.responses += 1
            changed = self.tamper(data)
            if changed is not None and self.client_address is not None:
                self.transport.sendto(changed, self.client_address)
        else:
            self.client_address = addr
            self.transport.sendto(data, self.server)


async def run_client(port: int, key: NtpKey, *, tamper: Tamper | None = None,
                     until: Callable[[object], bool]) -> tuple[UdpTimeClient, object, int]:
    """Run the hub's client against chronyd (through a proxy with ``tamper``) until ``until``."""
    server = ("127.0.0.1", port)
    transport = proxy = None
    if tamper is not None:
        loop = asyncio.get_running_loop()
        transport, proxy = await loop.create_datagram_endpoint(
            lambda: TamperingProxy(server, tamper), local_addr=("127.0.0.1", 0)
        )
        server = transport.get_extra_info("sockname")[:2]
    settings = TimeSyncSettings(hub_id=HUB_ID, ntp_key=key, **FAST_RETRIES)
    try:
        async with UdpTimeClient(TimeClient(settings), ntp_server=server) as runner:
            action = await runner.wait_for(until, timeout=WAIT_S)
    finally:
        if transport is not None:
            transport.close()
    return runner, action, proxy.responses if proxy is not None else -1


def adjusted(action: object) -> bool:
    return isinstance(action, ClockStepped | ClockSlewed)


@pytest.mark.parametrize("key_id", [1, 2, 3], ids=["SHA1", "MD5", "AES128-CMAC"])
def test_synchronises_with_chronyd(chronyd: tuple[int, dict[int, NtpKey]], key_id: int) -> None:
    port, keys = chronyd
    runner, action, _ = asyncio.run(run_client(port, keys[key_id], until=adjusted))
    assert isinstance(action, ClockStepped)
    assert action.source is TimeSource.NTP
    assert action.max_error_s < 0.1
    # chronyd serves this machine's clock, which the client started from.
    assert abs(action.offset_s) < 0.5
    assert runner.client.is_reliable(time.monotonic())
    assert not any(isinstance(a, ResponseRejected) for a in runner.history)


@pytest.mark.parametrize(
    "key",
    [
        NtpKey(1, MacAlgorithm.SHA1, b"not chronyd's secret"),
        NtpKey(9, MacAlgorithm.MD5, b"a key chronyd does not have"),
    ],
    ids=["wrong secret", "unknown key id"],
)
def test_wrong_key_is_rejected(chronyd: tuple[int, dict[int, NtpKey]], key: NtpKey) -> None:
    port, _ = chronyd

    def second_timeout(action: object) -> bool:
        return isinstance(action, RequestTimedOut) and action.failures == 2

    # chronyd 4.3 drops a request whose MAC it cannot check, so the client hears nothing.
    runner, _, _ = asyncio.run(run_client(port, key, until=second_timeout))
    rejected = {a.reason for a in runner.history if isinstance(a, ResponseRejected)}
    assert rejected <= {RejectReason.CRYPTO_NAK}  # what RFC 5905 would send instead
    assert not any(adjusted(a) for a in runner.history)
    assert not runner.client.is_reliable(time.monotonic())


def flip_last_bit(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (flip_last_bit, RejectReason.BAD_MAC),
        (lambda data: data[:48], RejectReason.UNAUTHENTICATED),
        (lambda data: data[:48] + bytes(4), RejectReason.CRYPTO_NAK),
    ],
    ids=["flipped MAC bit", "MAC stripped", "crypto-NAK"],
)
def test_tampered_chronyd_response_rejected(chronyd: tuple[int, dict[int, NtpKey]],
                                             tamper: Tamper, reason: RejectReason) -> None:
    port, keys = chronyd
    runner, _, responses = asyncio.run(
        run_client(port, keys[1], tamper=tamper,
                   until=lambda a: isinstance(a, RequestTimedOut))
    )
    rejected = [a.reason for a in runner.history if isinstance(a, ResponseRejected)]
    assert responses >= 1
    assert rejected
    assert set(rejected) == {reason}
    assert not any(adjusted(a) for a in runner.history)


def test_replayed_chronyd_response_rejected(chronyd: tuple[int, dict[int, NtpKey]]) -> None:
    port, keys = chronyd
    first: list[bytes] = []

    def replay_first(data: bytes) -> bytes:
        if not first:
            first.append(data)
        return first[0]

    def second_attempt_rejected(action: object) -> bool:
        return isinstance(action, ResponseRejected)

    runner, action, _ = asyncio.run(
        run_client(port, keys[1], tamper=replay_first, until=second_attempt_rejected)
    )
    assert isinstance(action, ResponseRejected)
    assert action.reason is RejectReason.ORIGIN_MISMATCH
    adjustments = [a for a in runner.history if adjusted(a)]
    assert len(adjustments) == 1  # the first, genuine response


def test_query_command_with_chronyd(chronyd: tuple[int, dict[int, NtpKey]],
                                    tmp_path: Path) -> None:
    port, _ = chronyd
    keyfile = tmp_path / "chrony.keys"
    keyfile.write_text(KEY_FILE)
    result = CliRunner().invoke(
        main, ["time", "query", f"127.0.0.1:{port}", "--keyfile", str(keyfile), "--key-id", "3"]
    )
    assert result.exit_code == 0, result.output
    offset = float(result.output.split()[1])
    assert abs(offset) < 0.5  # chronyd serves this machine's clock
