"""Gateway round-trip latency and throughput over loopback, with the audit trail on.

One remote party sends a simple request (a 32-byte frame standing in for a GBCS read) to one
hub whose endpoint answers at once, through the real socket server, the binary framing, the
client library and a group-committing SQLite audit trail (WAL, synchronous=FULL) in a
temporary folder. The load is bounded in count and in time.

Beside that echo, the same figures for a real simple GBCS read: ECS26n, built, MACed and
verified by the bench client, through the gateway to the emulated hub of `commshub run` (its
runner, state machine and NVM), brought to the active state by the default scenario's first
steps on a virtual clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from commshub.benchclient import Exchange
from commshub.wan.addresses import HubProfile
from commshub.wan.client import GatewayClient
from commshub.wan.gateway import GatewaySettings
from commshub.wan.server import start_gateway

__all__ = ["run"]

# The GBCS read measured end to end, and the default scenario's steps that prepare the hub.
GBCS_READ = "ECS26n"
SETUP_STEPS = ("install", "activate", "time")
GBCS_LATENCY_REQUESTS = 200
GBCS_CONCURRENCY = 4
GBCS_THROUGHPUT_REQUESTS = 400

# Sequential round trips timed one by one for the latency figures.
LATENCY_REQUESTS = 500
# Requests in flight at once, and their total, for the throughput figure.
CONCURRENCY = 32
THROUGHPUT_REQUESTS = 3000
# Real seconds either phase may take before it stops early (and says so).
PHASE_LIMIT_S = 30.0
PAYLOAD = bytes(range(32))
# Limits high enough that the gateway's own throughput, not its rate limits, is measured.
UNLIMITED = GatewaySettings(client_rate=1e9, client_burst=1_000_000, hub_rate=1e9,
                            hub_burst=1_000_000, hub_queue_limit=1_000_000)


class _ImmediateHub:
    """Answers every frame at once with the frame itself."""

    uplink: Any = None

    async def deliver(self, frame: bytes, category: int, request_id: int) -> None:
        asyncio.get_running_loop().create_task(self.uplink.respond(request_id, frame))


async def _measure(audit_path: Path) -> dict[str, Any]:
    running = await start_gateway(audit_path=audit_path, settings=UNLIMITED)
    hub = _ImmediateHub()
    hub.uplink = running.gateway.install_hub(hub, HubProfile("00DB123456780001"))
    address = hub.uplink.address
    try:
        async with await GatewayClient.connect(port=running.port, name="bench") as client:
            latencies: list[float] = []
            stop = time.perf_counter() + PHASE_LIMIT_S
            for _ in range(LATENCY_REQUESTS):
                if time.perf_counter() > stop:
                    break
                start = time.perf_counter()
                await client.request(address, PAYLOAD)
                latencies.append(time.perf_counter() - start)

            queue: asyncio.Queue[int] = asyncio.Queue()
            for index in range(THROUGHPUT_REQUESTS):
                queue.put_nowait(index)
            done = 0
            stop = time.perf_counter() + PHASE_LIMIT_S

            async def worker() -> None:
                nonlocal done
                while not queue.empty() and time.perf_counter() < stop:
                    queue.get_nowait()
                    await client.request(address, PAYLOAD)
                    done += 1

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            elapsed = time.perf_counter() - start
    finally:
        await running.close()
    return {"latencies": latencies, "done": done, "elapsed": elapsed}


async def _measure_gbcs(folder: Path) -> dict[str, Any]:
    """Time GBCS_READ round trips through a `commshub run` service in this process."""
    from commshub.config import load_config
    from commshub.fleet.report import Report
    from commshub.fleet.scenario import DEFAULT, Play
    from commshub.fleet.service import BenchService
    from commshub.fleet.session import BenchSession

    config = load_config().replaced("run", clock="virtual", hubs=1)
    config = config.replaced("gateway", client_rate=1e9, client_burst=1_000_000, hub_rate=1e9,
                             hub_burst=1_000_000)
    config = config.replaced("capture", enabled=False)
    service = BenchService(config, folder)
    # The setup installs the hub without WAN coverage first: its expected warnings are noise here.
    package = logging.getLogger("commshub")
    level = package.level
    package.setLevel(logging.ERROR)
    await service.start()
    try:
        session = await BenchSession.connect(service.port, name="gbcs-bench")
        try:
            play = Play(session, Report("bench setup"))
            for step in DEFAULT:
                if step.name in SETUP_STEPS:
                    await play.run_step(step)
            if not play.report.passed:
                raise RuntimeError(f"the hub did not reach the active state:\n{play.report.render()}")
            bench = session.bench(0)

            async def read() -> None:
                # No pacing: the gateway's limits are lifted, so one read is one round trip.
                spec, command, _ = bench.build(GBCS_READ)
                exchange = Exchange(GBCS_READ, 0, command)
                pending = await session.gateway.submit(bench.address, command, critical=spec.critical)
                bench.finish(exchange, await pending.result(timeout=PHASE_LIMIT_S))
                response = exchange.response
                if not exchange.ok or response is None or any(code for code, _ in response.results()):
                    raise RuntimeError(f"{GBCS_READ} failed: {exchange.describe()}")

            latencies: list[float] = []
            stop = time.perf_counter() + PHASE_LIMIT_S
            for _ in range(GBCS_LATENCY_REQUESTS):
                if time.perf_counter() > stop:
                    break
                start = time.perf_counter()
                await read()
                latencies.append(time.perf_counter() - start)

            done = 0
            stop = time.perf_counter() + PHASE_LIMIT_S

            async def worker(count: int) -> None:
                nonlocal done
                for _ in range(count):
                    if time.perf_counter() >= stop:
                        return
                    await read()
                    done += 1

            start = time.perf_counter()
            await asyncio.gather(*(worker(GBCS_THROUGHPUT_REQUESTS // GBCS_CONCURRENCY)
                                   for _ in range(GBCS_CONCURRENCY)))
            elapsed = time.perf_counter() - start
        finally:
            await session.close()
    finally:
        await service.close()
        package.setLevel(level)
    return {"latencies": latencies, "done": done, "elapsed": elapsed}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def run() -> str:
    """Run the benchmark and return a markdown section with its results."""
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(_measure(Path(folder) / "audit.db"))
        gbcs = asyncio.run(_measure_gbcs(Path(folder) / "run"))
    lines = [
        "## Gateway round trip over loopback",
        "",
        (
            f"One client, one immediately answering hub, {len(PAYLOAD)}-byte request, audit "
            "trail on (SQLite WAL, synchronous=FULL, group commit). "
            f"Python {platform.python_version()} on {platform.machine()}, "
            f"{platform.system()}, {os.cpu_count()} CPUs; measured by "
            "`benchmarks/gateway_bench.py`."
        ),
        "",
        *_table(figures, "requests", CONCURRENCY, (LATENCY_REQUESTS, THROUGHPUT_REQUESTS)),
        "",
        *_gbcs_lines(gbcs),
    ]
    return "\n".join(lines) + "\n"


def _table(figures: dict[str, Any], noun: str, concurrency: int,
           planned: tuple[int, int]) -> list[str]:
    """Return the markdown table of one measurement, and a note if a phase stopped early."""
    latencies = sorted(figures["latencies"])
    percentile = statistics.quantiles(latencies, n=100)
    rate = figures["done"] / figures["elapsed"] if figures["elapsed"] else 0.0
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| sequential {noun} | {len(latencies)} |",
        f"| latency p50 (ms) | {_ms(percentile[49])} |",
        f"| latency p95 (ms) | {_ms(percentile[94])} |",
        f"| latency p99 (ms) | {_ms(percentile[98])} |",
        f"| concurrent {noun} ({concurrency} in flight) | {figures['done']} |",
        f"| throughput ({noun}/s) | {rate:.0f} |",
    ]
    if len(latencies) < planned[0] or figures["done"] < planned[1]:
        lines += ["", f"A phase reached its {PHASE_LIMIT_S:.0f} s limit and stopped early."]
    return lines


def _gbcs_lines(figures: dict[str, Any]) -> list[str]:
    return [
        f"### A real GBCS read ({GBCS_READ}) to the emulated hub",
        "",
        (
            f"The bench client builds, MACs and sends {GBCS_READ}; the hub of `commshub run` "
            "(runner, state machine, NVM writes) responds; the client verifies the response's "
            "MAC and decodes it. Virtual clock, gateway limits lifted, audit trail on."
        ),
        "",
        *_table(figures, "reads", GBCS_CONCURRENCY, (GBCS_LATENCY_REQUESTS, GBCS_THROUGHPUT_REQUESTS)),
    ]


if __name__ == "__main__":
    print(run())
