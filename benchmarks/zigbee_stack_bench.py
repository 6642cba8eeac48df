"""802.15.4, NWK and APS decode throughput beside scapy, on the same frames in one process.

The frames are the sample ZigBee SE join exchange (commshub.codecs.zigbee.stack_samples):
beacon, association, acks, key transport, NWK- and APS-secured ZCL data and a NWK command,
nine frames. Three measures, in frames per second:

- stack: an 802.15.4 PSDU parsed down through every layer that is not encrypted. Ours parses
  MAC, then NWK in data frames, then APS in unsecured NWK data frames. scapy runs Dot15d4FCS
  with its ZigBee layers, which also dissect the ZCL header of plaintext APS data;
- nwk: the NWK frames alone, with the APS frame inside where it is plaintext;
- aps: the plaintext APS frames alone.

Neither side decrypts. Each measure takes the best of a few passes, bounded in count and time.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence

from commshub.codecs.zigbee import aps, mac, nwk, stack_samples

__all__ = ["run"]

# Passes per measure; the best pass is reported.
PASSES = 7
# Real seconds one measure may take before it stops after the current pass.
MEASURE_LIMIT_S = 10.0
# Times each frame list is repeated in one pass, so that a pass lasts long enough to time.
REPEAT = 200


def _best_rate(items: Sequence[bytes], work: Callable[[bytes], object]) -> float:
    """Return the best frames per second of ``work`` over ``items`` repeated REPEAT times."""
    best = 0.0
    deadline = time.perf_counter() + MEASURE_LIMIT_S
    passes = 0
    while passes < PASSES and time.perf_counter() < deadline:
        start = time.perf_counter()
        for _ in range(REPEAT):
            for item in items:
                work(item)
        elapsed = time.perf_counter() - start
        passes += 1
        best = max(best, len(items) * REPEAT / elapsed if elapsed else 0.0)
    return best


def _decode_nwk(data: bytes) -> object:
    frame = nwk.parse_nwk_frame(data)
    if frame.auxiliary_security_header is None and int(frame.frame_control.frame_type) == 0:
        return aps.parse_aps_frame(frame.payload)
    return frame


def _decode_stack(data: bytes) -> object:
    frame = mac.parse_mac_frame(data)
    if int(frame.frame_control.frame_type) == 1 and not frame.frame_control.security_enabled:
        return _decode_nwk(frame.payload)
    return frame


def _layers(frames: Sequence[bytes]) -> tuple[list[bytes], list[bytes]]:
    nwk_frames = []
    aps_frames = []
    for psdu in frames:
        frame = mac.parse_mac_frame(psdu)
        if int(frame.frame_control.frame_type) != 1:
            continue
        nwk_frames.append(bytes(frame.payload))
        inner = nwk.parse_nwk_frame(frame.payload)
        if inner.auxiliary_security_header is None:
            aps_frames.append(bytes(inner.payload))
        else:
            plain = nwk.unsecure_nwk_frame(frame.payload, stack_samples.NETWORK_KEY)
            if plain.command_id is None:
                aps_frames.append(bytes(plain.payload))
    return nwk_frames, aps_frames


def run() -> str:
    """Run the benchmark and return a markdown section with its results."""
    title = "## ZigBee stack decode (802.15.4, NWK, APS) beside scapy"
    try:
        from scapy.config import conf
        from scapy.layers.dot15d4 import Dot15d4FCS
        from scapy.layers.zigbee import ZigbeeAppDataPayload, ZigbeeNWK
    except ImportError:
        return f"{title}\n\nNot run: scapy is not installed (it comes with the dev extra).\n"
    conf.dot15d4_protocol = "zigbee"
    frames = stack_samples.exchange()
    nwk_frames, aps_frames = _layers(frames)
    measures = [
        ("stack (MAC down to APS)", frames, _decode_stack, Dot15d4FCS),
        ("nwk (NWK and APS)", nwk_frames, _decode_nwk, ZigbeeNWK),
        ("aps", aps_frames, aps.parse_aps_frame, ZigbeeAppDataPayload),
    ]
    setup = (f"{len(frames)} frames of the sample SE join exchange ({len(nwk_frames)} NWK, "
             f"{len(aps_frames)} plaintext APS), best of {PASSES} passes of {REPEAT} "
             f"repetitions; Python {platform.python_version()} on {platform.machine()}. "
             "Neither side decrypts, and scapy also dissects the ZCL header of plaintext APS "
             "data.")
    lines = [
        title, "", setup, "",
        "| measure | commshub frames/s | scapy frames/s | commshub / scapy |",
        "|---|---:|---:|---:|",
    ]
    for name, items, ours, theirs in measures:
        our_rate = _best_rate(items, ours)
        their_rate = _best_rate(items, theirs)
        ratio = our_rate / their_rate if their_rate else float("nan")
        lines.append(f"| {name} | {our_rate:,.0f} | {their_rate:,.0f} | {ratio:.2f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
