"""Run the hub's time client over real UDP against real servers, with the real clocks.

:class:`UdpTimeClient` drives a :class:`~commshub.hub.timesync.TimeClient`: it sends the
client's requests from connected UDP sockets (so only the configured server's datagrams reach
the client), runs its timers on the event loop with ``time.monotonic`` and records every other
action for the caller. :func:`load_chrony_keys` reads a chrony key file, so the hub can share a
key with a real chronyd or ntpd.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

from commshub.codecs.ntp import MacAlgorithm, NtpKey
from commshub.errors import CodecError, LocalProtocolError
from commshub.hub.timesync import (
    Action,
    CancelTimer,
    ClockSlewed,
    ClockStepped,
    Event,
    NtpPacketReceived,
    SendNtpRequest,
    SendTimeRequest,
    SignedTimeReceived,
    Started,
    StartTimer,
    TimeClient,
    TimerExpired,
    TimerName,
)

__all__ = ["UdpTimeClient", "load_chrony_keys", "parse_chrony_keys"]

logger = logging.getLogger(__name__)


class _ServerEndpoint(asyncio.DatagramProtocol):
    def __init__(self, deliver: Callable[[bytes], None], name: str) -> None:
        self._deliver = deliver
        self._name = name

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._deliver(data)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and the like: the response timer will notice the silence.
        logger.info("%s endpoint: %s", self._name, exc)


class UdpTimeClient:
    """A time client on real UDP sockets; use as ``async with UdpTimeClient(...) as runner``.

    ``ntp_server`` and ``time_server`` are (host, port) pairs; give the one for each source the
    client's settings enable. ``monotonic`` and ``rtc`` are the clocks fed to the client:
    ``time.monotonic`` and ``time.time`` by default.
    """

    def __init__(
        self,
        client: TimeClient,
        *,
        ntp_server: tuple[str, int] | None = None,
        time_server: tuple[str, int] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rtc: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.history: list[Action] = []
        self._servers = {"ntp": ntp_server, "time": time_server}
        self._monotonic = monotonic
        self._rtc = rtc
        self._transports: dict[str, asyncio.DatagramTransport] = {}
        self._timers: dict[TimerName, asyncio.TimerHandle] = {}
        self._changed = asyncio.Event()

    async def start(self) -> None:
        """Open the sockets and feed the client its Started event."""
        loop = asyncio.get_running_loop()
        deliveries: dict[str, Callable[[bytes], None]] = {
            "ntp": lambda data: self._feed(NtpPacketReceived(self._monotonic(), data)),
            "time": lambda data: self._feed(SignedTimeReceived(self._monotonic(), data)),
        }
        for name, server in self._servers.items():
            if server is None:
                continue
            transport, _ = await loop.create_datagram_endpoint(
                functools.partial(_ServerEndpoint, deliveries[name], name), remote_addr=server
            )
            self._transports[name] = transport
        self._feed(Started(self._monotonic(), self._rtc()))

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        for transport in self._transports.values():
            transport.close()
        self._transports.clear()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    async def wait_for(self, predicate: Callable[[Action], bool], *, timeout: float) -> Action:
        """Return the first recorded action that matches ``predicate``, waiting up to ``timeout``.

        Raise TimeoutError when none arrives in time.
        """
        async with asyncio.timeout(timeout):
            checked = 0
            while True:
                for action in self.history[checked:]:
                    if predicate(action):
                        return action
                checked = len(self.history)
                self._changed.clear()
                await self._changed.wait()

    async def synchronise(self, *, timeout: float) -> ClockStepped | ClockSlewed:
        """Wait until the client accepts a sample; raise TimeoutError after ``timeout`` s."""
        action = await self.wait_for(lambda a: isinstance(a, (ClockStepped, ClockSlewed)),
                                     timeout=timeout)
        assert isinstance(action, (ClockStepped, ClockSlewed))
        return action

    def _feed(self, event: Event) -> None:
        for action in self.client.handle(event):
            self._carry_out(action)

    def _carry_out(self, action: Action) -> None:
        if isinstance(action, SendNtpRequest):
            self._send("ntp", action.data)
        elif isinstance(action, SendTimeRequest):
            self._send("time", action.data)
        elif isinstance(action, StartTimer):
            self._cancel(action.timer)
            self._timers[action.timer] = asyncio.get_running_loop().call_later(
                action.delay_s, self._expire, action.timer
            )
        elif isinstance(action, CancelTimer):
            self._cancel(action.timer)
        else:
            self.history.append(action)
            self._changed.set()

    def _send(self, name: str, data: bytes) -> None:
        transport = self._transports.get(name)
        if transport is None:
            logger.warning("time client sent a %s request but no %s server is configured",
                           name, name)
            return
        logger.debug("sending %d bytes to the %s server", len(data), name)
        transport.sendto(data)

    def _cancel(self, timer: TimerName) -> None:
        handle = self._timers.pop(timer, None)
        if handle is not None:
            handle.cancel()

    def _expire(self, timer: TimerName) -> None:
        self._timers.pop(timer, None)
        self._feed(TimerExpired(self._monotonic(), timer))


def parse_chrony_keys(text: str) -> dict[int, NtpKey]:
    """Return the MD5, SHA1 and AES128 keys of a chrony key file's text, by key identifier.

    Each line is ``ID [TYPE] KEY`` with KEY as ``HEX:...``, ``ASCII:...`` or plain ASCII and
    TYPE MD5 when absent (chrony.conf(5), ``keyfile``). Keys of other types (SHA256, AES256 and
    so on) are skipped with a warning. A malformed line raises CodecError naming its number.
    """
    keys: dict[int, NtpKey] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        where = ("keyfile", f"line {number}")
        if len(fields) not in (2, 3) or not fields[0].isdigit():
            raise CodecError("expected 'ID [TYPE] KEY'", path=where)
        key_id = int(fields[0])
        type_name = fields[1].upper() if len(fields) == 3 else "MD5"
        try:
            algorithm = MacAlgorithm(type_name)
        except ValueError:
            logger.warning("key file line %d: key %d of type %s is not supported; skipped",
                           number, key_id, type_name)
            continue
        try:
            keys[key_id] = NtpKey(key_id, algorithm, _decode_secret(fields[-1], where))
        except LocalProtocolError as exc:
            raise CodecError(str(exc), path=where) from None
    return keys


def load_chrony_keys(path: Path) -> dict[int, NtpKey]:
    """Read a chrony key file; see :func:`parse_chrony_keys`."""
    return parse_chrony_keys(path.read_text(encoding="ascii"))


def _decode_secret(text: str, where: tuple[str, ...]) -> bytes:
    prefix, separator, value = text.partition(":")
    if not separator or prefix.upper() not in ("HEX", "ASCII"):
        return text.encode("ascii")
    if prefix.upper() == "ASCII":
        return value.encode("ascii")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise CodecError("HEX key is not hexadecimal", path=where) from None
