"""ZCL frame and OTA file decode throughput beside zigpy, on the same bytes in one process.

Three measures:

- ZCL global commands: Read Attributes and its response with strings, Report Attributes,
  Configure Reporting, Read Reporting Configuration Response, Default Response and Discover
  Attributes Response, on Basic and Metering. zigpy runs ``ZCLHeader.deserialize`` and the
  command schema, the work of ``Cluster.deserialize`` without its logging.
- ZCL OTA Upgrade commands: Image Notify, Query Next Image request and response, Image Block
  request and response (a 64-byte block), Upgrade End request and response. zigpy uses the
  schemas of ``zigpy.zcl.clusters.general.Ota``.
- OTA files: a 200 KiB file with an upgrade image and a signature sub-element, and the
  78-byte sample file of zsmartsystems' tests. zigpy runs ``OTAImage.deserialize``.

Both sides decode every field; commshub also keeps what it needs to rebuild the bytes. The two
libraries alternate within each pass, and each measure keeps the best pass, bounded in count
and time.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from commshub.codecs.zigbee import ota
from commshub.codecs.zigbee.zcl import parse_zcl

__all__ = ["run"]

# Passes per measure; the best pass of each library is reported.
PASSES = 7
# Seconds one measure may take before it stops after the current pass.
MEASURE_LIMIT_S = 10.0
# Decodes per pass for each frame of a measure.
REPEAT = 300
# Size of the large OTA file's upgrade image, bytes.
LARGE_IMAGE_SIZE = 200 * 1024

BASIC = 0x0000
METERING = 0x0702
OTA_UPGRADE = 0x0019

GLOBAL_FRAMES: list[tuple[int, bytes]] = [(cluster, bytes.fromhex(text.replace(" ", ""))) for cluster, text in (
    (BASIC, "10 20 00 0000 0400 0500 0700"),
    (BASIC, "18 20 01 0000 00 20 01 0400 00 42 07 73656e676c6564 0500 00 42 07 54524144465249 0700 00 30 01"),
    (METERING, "18 af 0a 0000 25 010203040506 0004 2a 102700 0002 18 00"),
    (METERING, "00 05 06 00 0000 25 1e00 8403 010000000000"),
    (METERING, "18 56 09 00 00 0000 25 1e00 8403 010000000000"),
    (METERING, "18 07 0b 06 00"),
    (METERING, "18 15 0d 01 0000 25 0100 25 0200 25"),
)]

OTA_FRAMES: list[bytes] = [bytes.fromhex(text.replace(" ", "")) for text in (
    "19 3b 00 00 64",
    "01 87 01 00 2110 1100 ff435300",
    "19 18 02 00 f210 327b 60046002 fe490200",
    "01 06 03 00 7c11 0442 23960220 00000000 3f",
    "09 d9 05 00 9427 0101 30000000 c4380300 40" + "a5" * 64,
    "01 07 06 00 7c11 0442 23960220",
    "19 08 07 7c11 0442 23960220 00000000 00000000",
)]


def _zigpy_decoders() -> tuple[Callable[[int, bytes], object], Callable[[bytes], object],
                              Callable[[bytes], object]]:
    import zigpy.ota.image as zigpy_ota
    import zigpy.zcl.foundation as zf
    from zigpy.zcl.clusters.general import Ota

    to_server = {c.id: c.schema for c in Ota.ServerCommandDefs}
    to_client = {c.id: c.schema for c in Ota.ClientCommandDefs}

    def decode_global(cluster_id: int, data: bytes) -> object:
        header, rest = zf.ZCLHeader.deserialize(data)
        return zf.GENERAL_COMMANDS[header.command_id].schema.deserialize(rest)

    def decode_ota(data: bytes) -> object:
        header, rest = zf.ZCLHeader.deserialize(data)
        schemas = to_client if header.direction == zf.Direction.Server_to_Client else to_server
        return schemas[header.command_id].deserialize(rest)

    def decode_file(data: bytes) -> object:
        return zigpy_ota.OTAImage.deserialize(data)

    return decode_global, decode_ota, decode_file


def _ota_files() -> list[bytes]:
    header = ota.OtaHeader(manufacturer_code=0x117C, image_type=0x4204, file_version=0x20029623,
                           header_string="EBL tradfri_light_basic")
    image = bytes(index * 7 % 251 for index in range(LARGE_IMAGE_SIZE))
    large = ota.build_ota_file(header, elements=[
        ota.SubElement(ota.TagId.UPGRADE_IMAGE, image),
        ota.SubElement(ota.TagId.ECDSA_SIGNATURE_SUITE_2, bytes(80)),
    ])
    # zsmartsystems/com.zsmartsystems.zigbee src/test/resource/test_ota_file.test.
    small = (bytes.fromhex("1ef1ee0b 0001 3800 0000 3412 0600 78563412 0200".replace(" ", ""))
             + b"A.String".ljust(32, b"\x00") + bytes.fromhex("4e000000 0000 10000000".replace(" ", ""))
             + bytes(range(16)))
    return [large, small]


def _best_rates(count: int, ours: Callable[[], None], theirs: Callable[[], None]) -> tuple[float, float]:
    """Return the best decodes per second of each side, alternating them pass by pass."""
    best_ours = best_theirs = 0.0
    deadline = time.perf_counter() + MEASURE_LIMIT_S
    passes = 0
    while passes < PASSES and time.perf_counter() < deadline:
        for work, side in ((ours, "ours"), (theirs, "theirs")):
            start = time.perf_counter()
            work()
            elapsed = time.perf_counter() - start
            rate = count / elapsed if elapsed else 0.0
            if side == "ours":
                best_ours = max(best_ours, rate)
            else:
                best_theirs = max(best_theirs, rate)
        passes += 1
    return best_ours, best_theirs


def _repeat(items: Sequence[Any], decode: Callable[[Any], object], repeat: int) -> Callable[[], None]:
    def work() -> None:
        for _ in range(repeat):
            for item in items:
                decode(item)

    return work


def run() -> str:
    """Run the benchmark and return a markdown section with its results."""
    title = "## ZCL frames and OTA files decode beside zigpy"
    try:
        decode_global, decode_ota, decode_file = _zigpy_decoders()
        zigpy_version = metadata.version("zigpy")
    except ImportError:
        return f"{title}\n\nNot run: zigpy is not installed (it comes with the dev extra).\n"
    files = _ota_files()
    measures = [
        (f"ZCL global commands ({len(GLOBAL_FRAMES)} frames)", len(GLOBAL_FRAMES) * REPEAT,
         _repeat(GLOBAL_FRAMES, lambda item: parse_zcl(item[1], item[0]), REPEAT),
         _repeat(GLOBAL_FRAMES, lambda item: decode_global(*item), REPEAT)),
        (f"ZCL OTA Upgrade commands ({len(OTA_FRAMES)} frames)", len(OTA_FRAMES) * REPEAT,
         _repeat(OTA_FRAMES, lambda data: parse_zcl(data, OTA_UPGRADE), REPEAT),
         _repeat(OTA_FRAMES, decode_ota, REPEAT)),
        (f"OTA files (200 KiB and {len(files[1])} bytes)", len(files) * REPEAT,
         _repeat(files, ota.read_ota_file, REPEAT),
         _repeat(files, decode_file, REPEAT)),
    ]
    setup = (f"commshub against zigpy {zigpy_version}, best of {PASSES} alternating passes; "
             f"Python {platform.python_version()} on {platform.machine()}. Rates are decodes per "
             "second; a ratio above 1 means commshub is faster.")
    lines = [title, "", setup, "",
             "| measure | commshub decodes/s | zigpy decodes/s | commshub / zigpy |",
             "|---|---:|---:|---:|"]
    for name, count, ours, theirs in measures:
        our_rate, their_rate = _best_rates(count, ours, theirs)
        ratio = our_rate / their_rate if their_rate else float("nan")
        lines.append(f"| {name} | {our_rate:,.0f} | {their_rate:,.0f} | {ratio:.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
