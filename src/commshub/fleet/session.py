"""A bench session: the bench's view of a running `commshub run`, over the gateway socket only.

:class:`BenchSession` connects to the gateway as a remote party, subscribes to every alert,
reads the service's status with the ``status`` control and gives one
:class:`~commshub.benchclient.BenchClient` per hub. It moves time on: on a virtual clock it
sends the ``advance`` control, on the system clock it sleeps. A scenario written against a
session runs the same way in process and against a separate `commshub run --serve` process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from pathlib import Path
from typing import Any

from commshub.benchclient import BenchClient, Opened, open_frame
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.errors import CommshubError
from commshub.fleet.site import hub_ids
from commshub.wan.alerts import GatewayAlert
from commshub.wan.client import GatewayClient, PendingRequest, Result
from commshub.wan.control import encode_control, parse_reply

__all__ = ["BenchSession", "ReceivedAlert"]

LOGGER = logging.getLogger(__name__)

# Real seconds a control may take: advancing a virtual clock by a day steps through every
# timer of every hub.
CONTROL_TIMEOUT_S = 600.0
# Virtual seconds the clock moves at a time while a request is awaited.
_DRIVE_STEP_S = 30.0
# Real seconds one wait for a response lasts before the clock moves on again.
_DRIVE_POLL_S = 0.05
# Real seconds a driven request may take in all.
_DRIVE_REAL_LIMIT_S = 900.0
# Virtual seconds a bench client's request lets pass at a time while it waits (rate limits and
# hub queues on the gateway wait on the virtual clock).
_RESULT_STEP_S = 1.0
# Requests per second when the service does not report its gateway's client rate.
_DEFAULT_RATE = 20.0


@dataclass(frozen=True)
class ReceivedAlert:
    """An alert the bench received: when (bench clock), from which hub, and its content."""

    at: float
    address: IPv6Address | None
    alert: Opened | GatewayAlert


@dataclass
class BenchSession:
    """A connection to a running service; build it with :meth:`connect`."""

    gateway: GatewayClient
    keys: KeyStore
    status: dict[str, Any]
    alerts: list[ReceivedAlert] = field(default_factory=list)
    _clients: dict[int, BenchClient] = field(default_factory=dict)

    @classmethod
    async def connect(cls, port: int, *, host: str = "127.0.0.1", name: str = "bench",
                      keystore: str | Path | None = None) -> BenchSession:
        """Connect, subscribe to all alerts and read the status; the key store defaults to the
        one the service names (the same machine's run folder)."""
        gateway = await GatewayClient.connect(host, port, name=name, ack_timeout=30.0)
        try:
            await gateway.subscribe()
            status = parse_reply(await gateway.control(encode_control("status"),
                                                       timeout=CONTROL_TIMEOUT_S))
            keys = KeyStore.load(keystore or status["keystore"])
        except BaseException:
            await gateway.close()
            raise
        return cls(gateway, keys, status)

    async def close(self) -> None:
        await self.gateway.close()

    # --- the service ---------------------------------------------------------------------------

    @property
    def virtual(self) -> bool:
        return bool(self.status.get("clock") == "virtual")

    @property
    def now(self) -> float:
        """The service's clock at the last status or control."""
        return float(self.status["now"])

    @property
    def hubs(self) -> list[dict[str, Any]]:
        return list(self.status["hubs"])

    async def control(self, command: str, **arguments: Any) -> dict[str, Any]:
        """Send a bench control; refresh the status from its reply when it carries hubs."""
        reply = parse_reply(await self.gateway.control(encode_control(command, **arguments),
                                                       timeout=CONTROL_TIMEOUT_S))
        if command == "status" and arguments.get("hub") is None:
            self.status = reply
        elif command == "advance":
            self.status["now"] = reply["now"]
        await self.collect_alerts()
        return reply

    async def refresh(self) -> dict[str, Any]:
        return await self.control("status")

    def hub(self, index: int) -> dict[str, Any]:
        return dict(self.status["hubs"][index])

    def bench(self, index: int) -> BenchClient:
        """The bench client of hub ``index`` (its address must be known: installed)."""
        address = self.hub(index).get("address")
        if address is None:
            raise CommshubError(f"hub {index} is not installed: it has no network address")
        client = self._clients.get(index)
        if client is None or client.address != IPv6Address(address):
            ids = hub_ids(index)
            devices = {"chf": ids.chf, "gpf": ids.gpf, **ids.devices}
            client = BenchClient(self.gateway, self.keys, address=IPv6Address(address),
                                 devices=devices, now=lambda: self.now,
                                 pace=self._pace if self.virtual else None,
                                 await_result=self._await_result if self.virtual else None)
            self._clients[index] = client
        return client

    # --- time ----------------------------------------------------------------------------------

    async def wait(self, seconds: float) -> None:
        """Let ``seconds`` of the service's time pass."""
        if seconds <= 0:
            return
        if self.virtual:
            await self.control("advance", seconds=seconds)
        else:
            await asyncio.sleep(seconds)
            self.status["now"] = self.now + seconds
            await self.collect_alerts()

    async def wait_until(self, predicate: Callable[[], bool], *, limit: float,
                         step: float = _DRIVE_STEP_S, refresh: bool = True,
                         progress: Callable[[float], None] | None = None) -> bool:
        """Let time pass in steps until ``predicate()`` is true or ``limit`` seconds have gone;
        the status is read again after each step when ``refresh`` is set."""
        waited = 0.0
        while not predicate():
            if waited >= limit:
                return False
            await self.wait(min(step, limit - waited))
            waited += step
            if refresh:
                await self.refresh()
            if progress is not None:
                progress(min(waited, limit))
        return True

    async def drive(self, pending: PendingRequest, *, limit: float,
                    step: float = _DRIVE_STEP_S) -> Result:
        """Await a request's result while time passes, up to ``limit`` seconds of it."""
        # One waiter for the whole drive, because a result() that times out drops the request.
        waiter = asyncio.ensure_future(pending.result(timeout=_DRIVE_REAL_LIMIT_S))
        waited = 0.0
        try:
            while True:
                # On the system clock time passes by itself: wait for it in real time.
                poll = _DRIVE_POLL_S if self.virtual else max(0.0, min(step, limit - waited))
                done, _ = await asyncio.wait({waiter}, timeout=poll)
                if done:
                    return waiter.result()
                if waited >= limit:
                    raise TimeoutError(f"no result within {limit:.0f} s of bench time")
                if self.virtual:
                    await self.wait(min(step, limit - waited))
                else:
                    await self.collect_alerts()
                waited += step
        finally:
            if not waiter.done():
                waiter.cancel()

    async def _pace(self) -> None:
        """Let the time of one request pass at the gateway's client rate (virtual clock)."""
        rate = float(self.status.get("gateway_limits", {}).get("client_rate", _DEFAULT_RATE))
        await self.wait(1.0 / rate)

    async def _await_result(self, pending: PendingRequest, limit: float) -> Result:
        return await self.drive(pending, limit=limit, step=_RESULT_STEP_S)

    # --- alerts --------------------------------------------------------------------------------

    async def collect_alerts(self) -> list[ReceivedAlert]:
        """Take every alert the gateway has handed on so far; return the new ones."""
        new = []
        while True:
            try:
                alert = await self.gateway.next_alert(timeout=0.001)
            except TimeoutError:
                break
            opened = alert.decoded() if alert.gateway_alert else open_frame(alert.payload, self.keys)
            new.append(ReceivedAlert(self.now, alert.address, opened))
        self.alerts.extend(new)
        return new

    def dump(self) -> str:
        return json.dumps(self.status, indent=2, sort_keys=True)

