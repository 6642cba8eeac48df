"""The bench client: a remote party that builds, secures and sends GBCS commands through the
gateway, then checks and decodes what comes back.

:class:`BenchClient` wraps a :class:`~commshub.wan.client.GatewayClient` with the bench's key
store. For a use case (:mod:`commshub.benchclient.usecases`) it builds the command with a fresh
originator counter, signs it when the use case is critical, MACs it with the key agreed between
the Access Control Broker and the recipient, sends it to the hub's network address, waits for
the response and :func:`opens <open_frame>` it: the MAC and signature are checked, the payload
decoded and protected parts decrypted. It also delivers firmware images in Category 1 chunks,
polls and schedules Category 2 reads, and reads the alerts the gateway hands on.

The originator counter rises with the host's clock in microseconds, so that commands from
separate runs of the client keep rising too, as GBCS replay protection requires.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from typing import Any

from commshub.benchclient.usecases import BuildContext, UseCaseSpec, use_case_spec
from commshub.codecs.common import Node
from commshub.codecs.dlms import Data
from commshub.codecs.dlms.xdlms import AccessResponse, DataNotification
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import Asn1Payload
from commshub.codecs.gbcs.describe import frame_record
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.codecs.gbcs.payload import (
    Payload,
    decode_payload,
    decrypt_protected_data,
    find_protected_data,
)
from commshub.codecs.gbcs.tables import Cra, alert_name, use_case
from commshub.errors import CodecError, CommshubError, LocalProtocolError
from commshub.fleet.site import SUPPLIER
from commshub.wan import csp
from commshub.wan.alerts import GatewayAlert
from commshub.wan.client import Alert, GatewayClient, PendingRequest, Result
from commshub.wan.framing import Category

__all__ = ["BenchClient", "Exchange", "Opened", "open_frame"]

LOGGER = logging.getLogger(__name__)

# Firmware chunk size in bytes: well inside the gateway's frame limit.
DEFAULT_CHUNK_SIZE = 16 * 1024
# Chunks one delivery may send, including repeats after a resume offset (a bound, not a goal).
_MAX_CHUNK_REQUESTS = 10_000


@dataclass(frozen=True)
class Opened:
    """A GBCS frame from the hub side, checked and decoded.

    ``mac_ok`` and ``signature_ok`` are None when the frame has no MAC or no signature;
    ``protected`` holds the decrypted DLMS protected attributes; ``error`` says what could not
    be parsed or decoded.
    """

    data: bytes
    frame: GbcsFrame | None = None
    payload: Payload | None = None
    mac_ok: bool | None = None
    signature_ok: bool | None = None
    protected: tuple[Data, ...] = ()
    error: str | None = None

    @property
    def verified(self) -> bool:
        """Whether the frame carries a MAC or a signature and every one it carries is valid."""
        if self.frame is None:
            return False
        checks = [value for value in (self.mac_ok, self.signature_ok) if value is not None]
        return bool(checks) and all(checks)

    @property
    def cra(self) -> Cra | None:
        return None if self.frame is None else Cra(int(self.frame.cra))

    @property
    def message_code(self) -> int | None:
        return None if self.frame is None else self.frame.message_code

    @property
    def use_case(self) -> str:
        if self.frame is None:
            return "?"
        case = use_case(self.frame.message_code)
        return case.identifier or case.title if case is not None else f"0x{self.frame.message_code:04X}"

    @property
    def alert_code(self) -> int | None:
        """The GBCS alert code of an alert (DLMS data-notification or ASN.1 alertCode)."""
        if isinstance(self.payload, DataNotification):
            body = self.payload.body.value
            if isinstance(body, tuple) and body and isinstance(body[0].value, int):
                return int(body[0].value)
        if isinstance(self.payload, Asn1Payload) and isinstance(self.payload.value, dict):
            code = self.payload.value.get("alertCode")
            return int(code) if code is not None else None
        alert = getattr(self.payload, "alert_code", None)
        return int(alert) if isinstance(alert, int) else None

    def results(self) -> list[tuple[int, Data]]:
        """(DLMS result, data) per access of an access-response; empty for other payloads."""
        if not isinstance(self.payload, AccessResponse):
            return []
        return [(int(getattr(spec, "result", 0)), datum)
                for spec, datum in zip(self.payload.specifications, self.payload.data, strict=False)]

    def tree(self, keys: KeyStore | None = None) -> Node:
        """Return the decoded frame as a tree, as `commshub decode` shows it."""
        if self.frame is None:
            return Node("unreadable", self.data, meaning=self.error or "")
        _, tree = frame_record(self.frame, self.data, keys=keys)
        return tree

    def summary(self) -> str:
        if self.frame is None:
            return f"unreadable frame: {self.error}"
        kind = self.cra.name.lower() if self.cra is not None else "frame"
        text = f"{self.use_case} {kind} from {self.frame.originator.hex().upper()}"
        if self.alert_code is not None:
            text += f", alert 0x{self.alert_code:04X} ({alert_name(self.alert_code) or 'unknown'})"
        checks = []
        if self.mac_ok is not None:
            checks.append(f"MAC {'valid' if self.mac_ok else 'INVALID'}")
        if self.signature_ok is not None:
            checks.append(f"signature {'valid' if self.signature_ok else 'INVALID'}")
        return f"{text} [{', '.join(checks) or 'not secured'}]"


def open_frame(data: bytes, keys: KeyStore) -> Opened:
    """Parse a GBCS frame, check its MAC and signature with ``keys`` and decode its payload."""
    try:
        frame = parse_frame(data)
    except CodecError as exc:
        return Opened(bytes(data), error=str(exc))
    mac_ok = None
    if frame.mac is not None:
        mac_ok = crypto.check_mac(frame, keys) is crypto.Verdict.VALID
    signature_ok = None
    if frame.signature:
        signature_ok = crypto.verify_signature(frame, keys) is crypto.Verdict.VALID
    try:
        payload = decode_payload(frame)
    except CodecError as exc:
        return Opened(bytes(data), frame, None, mac_ok, signature_ok, error=f"payload: {exc}")
    protected: list[Data] = []
    if isinstance(payload, (AccessResponse, DataNotification)):
        for block in find_protected_data(payload):
            try:
                value = decrypt_protected_data(frame, block, keys)
            except CommshubError as exc:
                return Opened(bytes(data), frame, payload, mac_ok, signature_ok,
                              error=f"protected data: {exc}")
            if value is not None:
                protected.append(value)
    return Opened(bytes(data), frame, payload, mac_ok, signature_ok, tuple(protected))


@dataclass
class Exchange:
    """One command and what came back: the gateway's result and the opened responses."""

    use_case: str
    counter: int
    command: bytes
    result: Result | None = None
    responses: list[Opened] = field(default_factory=list)

    @property
    def response(self) -> Opened | None:
        """The final response, when there is one."""
        return self.responses[-1] if self.responses else None

    @property
    def ok(self) -> bool:
        """A verified response (not an alert) arrived and the gateway reports no failure."""
        response = self.response
        return (self.result is not None and self.result.ok and response is not None
                and response.verified and response.cra is Cra.RESPONSE)

    def describe(self) -> str:
        if self.result is None:
            return f"{self.use_case}: not sent"
        if self.result.failures:
            failure = self.result.failures[0]
            return f"{self.use_case}: failed: {failure.message} (status 0x{failure.status:04X})"
        if not self.responses:
            return f"{self.use_case}: no response"
        return f"{self.use_case}: {self.responses[-1].summary()}"


class BenchClient:
    """A remote party on the bench; see the module docstring.

    ``devices`` maps device kinds ("chf", "gpf", "esme", "gsme", "ihd") to EUI-64s;
    ``now`` returns the bench's UTC (a virtual clock's time when the hubs run on one).
    """

    def __init__(self, gateway: GatewayClient, keys: KeyStore, *, address: IPv6Address,
                 devices: Mapping[str, bytes], now: Callable[[], float] = time.time,
                 pace: Callable[[], Awaitable[None]] | None = None,
                 await_result: Callable[[PendingRequest, float], Awaitable[Result]] | None = None,
                 ) -> None:
        self.gateway = gateway
        self.keys = keys
        self.address = address
        self.devices = dict(devices)
        self.now = now
        # On a virtual clock the bench must let time pass itself: ``pace`` before each
        # request (the gateway's rate limits refill with time), ``await_result`` while it
        # waits for the hub. Without them the host's clock passes on its own.
        self._pace = pace
        self._await_result = await_result
        self._counter = 0

    async def _request(self, payload: bytes, *, timeout: float, **options: Any) -> Result:
        """Send one request to the hub and wait, ``timeout`` seconds of bench time at most."""
        if self._pace is not None:
            await self._pace()
        pending = await self.gateway.submit(self.address, payload, **options)
        if self._await_result is not None:
            return await self._await_result(pending, timeout)
        return await pending.result(timeout)

    def next_counter(self) -> int:
        self._counter = max(self._counter + 1, time.time_ns() // 1000)
        return self._counter

    # --- commands ----------------------------------------------------------------------------

    def build(self, name: str, params: Mapping[str, Any] | None = None, *,
              counter: int | None = None) -> tuple[UseCaseSpec, bytes, int]:
        """Build, sign (critical use cases) and MAC a command; return spec, bytes and counter."""
        spec = use_case_spec(name)
        params = dict(params or {})
        target = str(params.pop("target", spec.target)).lower()
        recipient = self.devices.get(target)
        if recipient is None:
            raise LocalProtocolError(f"{spec.name}: this bench has no {target.upper()}")
        counter = self.next_counter() if counter is None else counter
        context = BuildContext(counter, spec.originator, recipient, int(self.now()), self.devices)
        content = spec.build(context, params)
        extra: dict[str, Any] = {}
        if spec.supplementary:
            extra = {"supplementary_remote_party_id": SUPPLIER,
                     "supplementary_remote_party_counter": counter}
        frame = GbcsFrame.command(originator=spec.originator, recipient=recipient,
                                  originator_counter=counter, message_code=spec.message_code,
                                  content=content, **extra)
        if spec.critical:
            frame = crypto.sign(frame, self.keys)
        frame = crypto.mac_frame(frame, self.keys)
        return spec, frame.to_bytes(), counter

    async def send(self, name: str, params: Mapping[str, Any] | None = None, *,
                   timeout: float = 60.0, category: int = Category.UNICAST) -> Exchange:
        """Send a command and wait for its response (or the gateway's failure)."""
        spec, command, counter = self.build(name, params)
        exchange = Exchange(spec.name, counter, command)
        exchange.result = await self._request(
            command, timeout=timeout, category=category, critical=spec.critical,
            correlation_id=counter)
        exchange.responses = [open_frame(response.payload, self.keys)
                              for response in exchange.result.responses if response.payload]
        LOGGER.info("%s", exchange.describe())
        return exchange

    async def submit(self, name: str, params: Mapping[str, Any] | None = None) -> tuple[Exchange, Any]:
        """Send a command without waiting: return the exchange and the pending request, whose
        ``result()`` a caller awaits while it moves a virtual clock on."""
        spec, command, counter = self.build(name, params)
        if self._pace is not None:
            await self._pace()
        pending = await self.gateway.submit(self.address, command, critical=spec.critical,
                                            correlation_id=counter)
        return Exchange(spec.name, counter, command), pending

    def finish(self, exchange: Exchange, result: Result) -> Exchange:
        exchange.result = result
        exchange.responses = [open_frame(r.payload, self.keys) for r in result.responses if r.payload]
        LOGGER.info("%s", exchange.describe())
        return exchange

    # --- Category 1 and 2 --------------------------------------------------------------------

    async def deliver_firmware(self, image: bytes, image_id: str, *,
                               chunk_size: int = DEFAULT_CHUNK_SIZE, timeout: float = 60.0,
                               progress: Any = None) -> list[csp.FirmwareChunkAck]:
        """Deliver an OTA image to the hub's data store in Category 1 chunks, resuming at the
        offset the store acknowledged; return every acknowledgement, the last one with the verdict."""
        acks: list[csp.FirmwareChunkAck] = []
        offset = 0
        for _ in range(_MAX_CHUNK_REQUESTS):
            chunk = csp.FirmwareChunk(image_id, offset, len(image), image[offset:offset + chunk_size])
            result = await self._request(csp.encode_chunk(chunk), category=Category.FIRMWARE,
                                         timeout=timeout)
            if not result.ok or not result.responses:
                raise CommshubError(f"firmware chunk at {offset} of {image_id}: "
                                    f"{result.failures[0].message if result.failures else 'no answer'}")
            ack = csp.decode_chunk_ack(result.responses[-1].payload)
            acks.append(ack)
            if progress is not None:
                progress(ack.next_offset, len(image))
            if ack.complete:
                return acks
            offset = ack.next_offset
        raise CommshubError(f"firmware {image_id}: no verdict after {_MAX_CHUNK_REQUESTS} chunks")

    async def retrieve(self, device: bytes | None = None, *, timeout: float = 60.0) -> list[Opened]:
        """Poll the hub for cached scheduled read responses (Category 2)."""
        result = await self._request(device or b"", category=Category.SCHEDULED_READ,
                                     timeout=timeout)
        if not result.ok:
            raise CommshubError(f"retrieval failed: {result.failures[0].message}")
        return [open_frame(r.payload, self.keys) for r in result.responses if r.payload]

    async def schedule(self, name: str, params: Mapping[str, Any] | None = None, *,
                       release_at: float | None = None, timeout: float = 60.0) -> Exchange:
        """Schedule a meter read (Category 2): the meter runs it when the gateway releases it;
        its response waits in the hub's cache until :meth:`retrieve`."""
        spec, command, counter = self.build(name, params)
        exchange = Exchange(spec.name, counter, command)
        exchange.result = await self._request(
            command, category=Category.SCHEDULED_READ, timeout=timeout, release_at=release_at,
            correlation_id=counter)
        return exchange

    # --- alerts ------------------------------------------------------------------------------

    def open_alert(self, alert: Alert) -> Opened | GatewayAlert:
        """Open a GBCS alert like a response, or decode a gateway alert (power outage, restore)."""
        if alert.gateway_alert:
            return alert.decoded()
        return open_frame(alert.payload, self.keys)

    async def alerts(self, *, wait: float = 0.0) -> list[Alert]:
        """Return every alert received so far, waiting up to ``wait`` seconds for a first one."""
        received: list[Alert] = []
        try:
            received.append(await self.gateway.next_alert(timeout=wait if wait > 0 else 0.001))
        except TimeoutError:
            return received
        while True:
            try:
                received.append(await self.gateway.next_alert(timeout=0.001))
            except TimeoutError:
                return received
