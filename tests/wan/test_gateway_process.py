"""The gateway as a separate process and a thread: the blocking client, and an audit trail
that loses nothing acknowledged when the gateway process is killed."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from ipaddress import IPv6Address
from pathlib import Path
from typing import Any

import pytest

from commshub.store.audit import AuditKind, AuditOutcome, AuditTrail
from commshub.wan.addresses import HubProfile
from commshub.wan.client import SyncGatewayClient
from commshub.wan.server import start_gateway

# Requests answered before the gateway process is killed.
REQUESTS_BEFORE_KILL = 100
# Real seconds allowed for the child gateway; a hang guard, never a pass condition.
CHILD_GUARD_S = 60
# Real seconds the requests before the kill may take in all (fsync per commit on a slow disk).
REQUESTS_GUARD_S = 600

_GATEWAY_CHILD = textwrap.dedent("""
    import asyncio, sys
    from commshub.wan.addresses import HubProfile
    from commshub.wan.gateway import GatewaySettings
    from commshub.wan.server import start_gateway

    class Echo:
        uplink = None
        async def deliver(self, frame, category, request_id):
            asyncio.get_running_loop().create_task(self.uplink.respond(request_id, b"R:" + frame))

    async def main():
        settings = GatewaySettings(client_rate=10_000, client_burst=10_000, hub_rate=10_000,
                                   hub_burst=10_000)
        running = await start_gateway(audit_path=sys.argv[1], settings=settings)
        hub = Echo()
        hub.uplink = running.gateway.install_hub(hub, HubProfile("00DB123456780001"))
        print(running.port, hub.uplink.address, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
""")


@pytest.fixture
def gateway_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, str, Path]]:
    path = tmp_path / "audit.db"
    process = subprocess.Popen([sys.executable, "-c", _GATEWAY_CHILD, str(path)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port, address = process.stdout.readline().split()
        yield process, int(port), address, path
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=CHILD_GUARD_S)


def test_killed_gateway_lost_nothing_acknowledged(
    gateway_process: tuple[subprocess.Popen[str], int, str, Path],
) -> None:
    process, port, address, path = gateway_process
    acknowledged: list[int] = []
    answered: dict[int, bytes] = {}
    with SyncGatewayClient(port=port, name="acb", max_attempts=1,
                           ack_timeout=CHILD_GUARD_S) as client:
        deadline = time.monotonic() + REQUESTS_GUARD_S
        while len(answered) < REQUESTS_BEFORE_KILL and time.monotonic() < deadline:
            payload = len(answered).to_bytes(4, "big")
            result = client.request(IPv6Address(address), payload, timeout=CHILD_GUARD_S)
            acknowledged.append(result.correlation_id)
            answered[result.correlation_id] = result.payloads[0]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=CHILD_GUARD_S)

    assert process.returncode == -signal.SIGKILL
    with AuditTrail(path) as trail:
        requests = {r.correlation_id: r for r in trail.query(kind=AuditKind.REQUEST)}
        responses = {r.correlation_id: r for r in trail.query(kind=AuditKind.RESPONSE)}
    assert len(acknowledged) == REQUESTS_BEFORE_KILL
    assert [cid for cid in acknowledged if cid not in requests] == []
    assert all(requests[cid].outcome is AuditOutcome.ACCEPTED for cid in acknowledged)
    assert [cid for cid in answered if cid not in responses] == []
    assert all(responses[cid].frame == answered[cid] for cid in answered)


class _EchoInThread:
    uplink: Any = None

    async def deliver(self, frame: bytes, category: int, request_id: int) -> None:
        asyncio.get_running_loop().create_task(self.uplink.respond(request_id, frame[::-1]))


def test_sync_client_against_gateway_in_thread(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> Any:
        running = await start_gateway(audit_path=tmp_path / "audit.db")
        hub = _EchoInThread()
        hub.uplink = running.gateway.install_hub(hub, HubProfile("00DB123456780001"))
        return running, hub

    running, hub = asyncio.run_coroutine_threadsafe(start(), loop).result(CHILD_GUARD_S)
    address = hub.uplink.address
    try:
        with SyncGatewayClient(port=running.port, ack_timeout=CHILD_GUARD_S) as client:
            client.subscribe(address)
            result = client.request(address, b"abc")
            asyncio.run_coroutine_threadsafe(hub.uplink.alert(b"\x8f"), loop).result(CHILD_GUARD_S)
            alert = client.next_alert(timeout=CHILD_GUARD_S)

        assert result.payloads == [b"cba"]
        assert (alert.address, alert.payload) == (address, b"\x8f")
    finally:
        asyncio.run_coroutine_threadsafe(running.close(), loop).result(CHILD_GUARD_S)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(CHILD_GUARD_S)
        loop.close()
