"""An emulated CSP network time service: NTP with symmetric keys and signed time messages.

:class:`EmulatedTimeService` is sans-I/O: it takes a request's bytes and the current UTC and
returns the response's bytes, or None when it drops the request. :class:`TimeServiceServer` runs
it on two UDP ports of the loopback interface (one for NTP, one for signed time messages) for
tests and the bench.

NTP behaviour follows RFC 5905 Appendix A.5.1 (``receive`` and ``fast_xmit``): a request with a
valid MAC gets a response MACed under the same key, and a request without a MAC gets a response
without one. A request whose MAC fails or names an unknown key gets a crypto-NAK (key identifier
0, no digest). chrony 4.3 differs in the last case: it does not respond at all.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Self, cast

from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs import time_service
from commshub.codecs.ntp import (
    LeapIndicator,
    Mode,
    NtpAuthenticationError,
    NtpKey,
    NtpMac,
    NtpPacket,
    authenticate_packet,
    build_ntp_packet,
    check_packet_mac,
    ntp_short_from_seconds,
    ntp_timestamp_from_unix,
    parse_ntp_packet,
)
from commshub.errors import CodecError, LocalProtocolError

__all__ = ["EmulatedTimeService", "TimeServiceServer", "TimeServiceSettings"]

logger = logging.getLogger(__name__)

# RFC 5905 figure 12 lists "GPS" among the reference identifiers of stratum 1 servers.
_GPS_REFERENCE_ID = b"GPS\x00"
_CRYPTO_NAK = NtpMac(key_id=0, digest=b"")
# A stratum 1 server with a GPS receiver reads its reference clock every 16 s in this emulation.
_DEFAULT_REFERENCE_AGE_S = 16.0
_MICROSECONDS_PER_SECOND = 1_000_000


@dataclass(frozen=True)
class TimeServiceSettings:
    """The emulated service's identity, keys and the header values it serves.

    ``kiss_code`` set (e.g. "RATE", "DENY") makes every NTP response a kiss-o'-death; ``hold_s``
    is the time between receiving a request and transmitting the response, as stamped in it.
    """

    service_id: bytes
    signing_key: ec.EllipticCurvePrivateKey = field(repr=False)
    ntp_keys: Mapping[int, NtpKey] = field(default_factory=dict, repr=False)
    stratum: int = 1
    reference_id: bytes = _GPS_REFERENCE_ID
    leap: LeapIndicator = LeapIndicator.NO_WARNING
    precision: int = -20  # log2 seconds, about 1 microsecond
    root_delay_s: float = 0.0
    root_dispersion_s: float = 0.0001
    reference_age_s: float = _DEFAULT_REFERENCE_AGE_S
    max_error_s: float = 0.001  # served in signed time messages
    kiss_code: str | None = None
    hold_s: float = 0.0

    def __post_init__(self) -> None:
        if len(self.service_id) != 8:
            raise LocalProtocolError("service_id must be an 8-byte EUI-64")
        if self.kiss_code is not None and len(self.kiss_code.encode("ascii")) > 4:
            raise LocalProtocolError(f"kiss code {self.kiss_code!r} is longer than 4 characters")


class EmulatedTimeService:
    """The CSP time service, sans-I/O: bytes and the current UTC in, response bytes out."""

    def __init__(self, settings: TimeServiceSettings) -> None:
        self.settings = settings
        self._sequence = 0
        self.counters: Counter[str] = Counter()

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.settings.signing_key.public_key()

    def respond_to_ntp(self, data: bytes, utc: float) -> bytes | None:
        """Return the response to an NTP request received at ``utc`` (Unix seconds), or None."""
        try:
            request = parse_ntp_packet(data)
        except CodecError as exc:
            self.counters["ntp_malformed"] += 1
            logger.debug("dropping malformed NTP request: %s", exc)
            return None
        if request.mode is not Mode.CLIENT:
            self.counters["ntp_not_client"] += 1
            logger.debug("dropping NTP packet in mode %s", request.mode.name)
            return None
        response = self._server_packet(request, utc)
        if request.mac is None:
            self.counters["ntp_unauthenticated"] += 1
            return build_ntp_packet(response)
        try:
            key = check_packet_mac(data, request, self.settings.ntp_keys)
        except NtpAuthenticationError as exc:
            self.counters["ntp_crypto_nak"] += 1
            logger.info("sending a crypto-NAK in response to an NTP request: %s", exc)
            return build_ntp_packet(replace(response, mac=_CRYPTO_NAK))
        self.counters["ntp_authenticated"] += 1
        return authenticate_packet(response, key)

    def _server_packet(self, request: NtpPacket, utc: float) -> NtpPacket:
        settings = self.settings
        stratum, leap, reference_id = settings.stratum, settings.leap, settings.reference_id
        if settings.kiss_code is not None:
            # RFC 5905 section 7.4: stratum 0 and the kiss code in the reference identifier.
            stratum, leap = 0, LeapIndicator.UNSYNCHRONISED
            reference_id = settings.kiss_code.encode("ascii").ljust(4, b"\x00")
        return NtpPacket(
            leap=leap,
            version=request.version,
            mode=Mode.SERVER,
            stratum=stratum,
            poll=request.poll,
            precision=settings.precision,
            root_delay=ntp_short_from_seconds(settings.root_delay_s),
            root_dispersion=ntp_short_from_seconds(settings.root_dispersion_s),
            reference_id=reference_id,
            reference_timestamp=ntp_timestamp_from_unix(utc - settings.reference_age_s),
            origin_timestamp=request.transmit_timestamp,
            receive_timestamp=ntp_timestamp_from_unix(utc),
            transmit_timestamp=ntp_timestamp_from_unix(utc + settings.hold_s),
        )

    def respond_to_time_request(self, data: bytes, utc: float) -> bytes | None:
        """Return a signed time message responding to a time request received at ``utc``, or None."""
        try:
            request = time_service.parse_time_request(data)
        except CodecError as exc:
            self.counters["time_malformed"] += 1
            logger.debug("dropping malformed time request: %s", exc)
            return None
        # Microseconds since the Unix epoch, or one more than the last: the sequence keeps rising
        # across a restart of the service as long as its clock does not go back.
        self._sequence = max(self._sequence + 1, int(utc * _MICROSECONDS_PER_SECOND))
        self.counters["time_signed"] += 1
        settings = self.settings
        message = time_service.SignedTime(
            service=settings.service_id,
            recipient=request.requester,
            sequence=self._sequence,
            utc=ntp_timestamp_from_unix(utc + settings.hold_s),
            nonce=request.nonce,
            leap=settings.leap,
            precision=settings.precision,
            max_error=ntp_short_from_seconds(settings.max_error_s),
        )
        return time_service.sign_time(message, settings.signing_key)


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(
        self, respond: Callable[[bytes, float], bytes | None], clock: Callable[[], float]
    ) -> None:
        self._respond = respond
        self._clock = clock
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio documents a datagram endpoint's transport as a DatagramTransport, though
        # CPython's selector transport does not subclass it.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        reply = self._respond(data, self._clock())
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


class TimeServiceServer:
    """The emulated service on UDP: NTP on one port, signed time messages on another.

    Both listen on a loopback address only. ``clock`` returns the UTC the service serves, in
    Unix seconds; a test can shift it to emulate a wrong or a virtual clock.
    """

    def __init__(self, service: EmulatedTimeService) -> None:
        self.service = service
        self._transports: list[asyncio.DatagramTransport] = []
        self.ntp_address: tuple[str, int] = ("", 0)
        self.time_address: tuple[str, int] = ("", 0)

    @classmethod
    async def start(
        cls,
        service: EmulatedTimeService,
        *,
        host: str = "127.0.0.1",
        ntp_port: int = 0,
        time_port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> TimeServiceServer:
        """Bind both endpoints (port 0 picks a free port) and return the running server."""
        if not ipaddress.ip_address(host).is_loopback:
            raise LocalProtocolError(f"the emulated time service binds loopback only, not {host}")
        server = cls(service)
        loop = asyncio.get_running_loop()
        endpoints = (
            (service.respond_to_ntp, ntp_port),
            (service.respond_to_time_request, time_port),
        )
        for respond, port in endpoints:
            transport, _ = await loop.create_datagram_endpoint(
                functools.partial(_Endpoint, respond, clock), local_addr=(host, port)
            )
            server._transports.append(transport)
        server.ntp_address = server._transports[0].get_extra_info("sockname")[:2]
        server.time_address = server._transports[1].get_extra_info("sockname")[:2]
        logger.info("emulated time service: NTP on %s:%d, signed time on %s:%d",
                    *server.ntp_address, *server.time_address)
        return server

    def close(self) -> None:
        for transport in self._transports:
            transport.close()
        self._transports.clear()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()
