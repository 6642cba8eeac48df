"""A served hub's GPF responds to WAN reads of GSME data (GCS13a) from the mirror that the
fleet's gas meter keeps up to date. Each hub's gas meter has data of its own."""

from __future__ import annotations

import asyncio

import pytest
from e2e_support import ServiceProcess, run_commshub

from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.gbz import GbzComponent, GbzPayload, build_gbz, parse_gbz
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.codecs.gbcs.payload import decrypt_component
from commshub.codecs.zigbee.zcl import build_zcl, foundation, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import metering
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.config import load_config
from commshub.devices.gsme_mirror import MirroredGsme
from commshub.devices.identity import DeviceIdentity
from commshub.fleet.service import _device_factory
from commshub.fleet.session import BenchSession
from commshub.fleet.site import SUPPLIER, hub_ids

pytestmark = pytest.mark.slow

GCS13A = 0x0074  # Read GSME consumption (GBCS message code)
SUMMATION, DIVISOR = 0x0000, 0x0302  # Metering attributes (ZCL 0702)
GSME_WAKE_S = 1800  # the default gsme_wake_interval


async def _read_gpf(port: int) -> list[dict[str, object]]:
    """Send GCS13a (Read Attributes of the Metering cluster) to the GPF; return the records."""
    session = await BenchSession.connect(port, name="gcs13a")
    try:
        bench = session.bench(0)
        counter = bench.next_counter()
        read = foundation.READ_ATTRIBUTES.frame(metering.METERING_ID, Direction.CLIENT_TO_SERVER,
                                                attribute_ids=[SUMMATION, DIVISOR])
        encoded = build_zcl(read)
        component = GbzComponent(0x01, metering.METERING_ID, encoded[0], encoded[1], encoded[2],
                                 encoded[3:])
        command = GbcsFrame.command(originator=SUPPLIER, recipient=bench.devices["gpf"],
                                    originator_counter=counter, message_code=GCS13A,
                                    content=build_gbz(GbzPayload((component,))))
        command = crypto.mac_frame(command, bench.keys)
        pending = await bench.gateway.submit(bench.address, command.to_bytes(),
                                             correlation_id=counter)
        result = await session.drive(pending, limit=600)
        (response,) = [parse_frame(item.payload) for item in result.responses if item.payload]
        (answer,) = parse_gbz(response.content).components
        payload = answer.payload
        if answer.encryption is not None:
            decrypted = decrypt_component(response, answer, bench.keys)
            assert decrypted is not None
            payload = decrypted
        header = bytes([answer.frame_control, answer.sequence_number, answer.command_id])
        return list(parse_zcl(header + payload, answer.cluster)["records"])
    finally:
        await session.close()


def test_gpf_read_returns_gsme_data(service: ServiceProcess) -> None:
    port = service.start()
    env = {"COMMSHUB_GATEWAY": f"127.0.0.1:{port}"}

    def commshub(*arguments: str) -> str:
        result = run_commshub(*arguments, env=env, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    commshub("install")
    commshub("wan", "up")
    commshub("advance", "300")
    commshub("send", "CCS01", "device=gsme")
    commshub("send", "GCS59")
    commshub("advance", str(3 * GSME_WAKE_S))  # the meter joins, gets its mirror and pushes

    summation, divisor = asyncio.run(_read_gpf(port))
    assert [summation["status"], divisor["status"]] == [0, 0]  # success, not UNSUPPORTED_ATTRIBUTE
    assert summation["value"] > 0


def test_fleet_gas_meters_differ() -> None:
    config = load_config()
    seeds = set()
    for index in range(3):
        ids = hub_ids(index)
        identity = DeviceIdentity(ids.devices["gsme"], bytes(16), KeyStore())
        meter = _device_factory("gsme", identity, ids, config)(0)
        assert isinstance(meter, MirroredGsme)
        seeds.add(meter.settings.usage.seed)
    assert len(seeds) == 3
