"""GBCS codec throughput over the DCC RTDS corpus.

Four measures, in frames per second: parsing every frame, parsing plus the MAC and signature
checks that the RTDS keystore allows, parsing plus decoding the payload (DLMS, GBZ or ASN.1),
and re-encoding parsed frames. The corpus comes from $COMMSHUB_RTDS_DIR; the key store is loaded
before timing starts. Each measure takes the best of a few passes, bounded in count and time.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from commshub.codecs.gbcs import (
    KeyStore,
    check_mac,
    decode_payload,
    encode_frame,
    parse_frame,
    verify_signature,
)

__all__ = ["run"]

T = TypeVar("T")

# Passes over the corpus per measure; the best pass is reported.
PASSES = 5
# Real seconds one measure may take before it stops after the current pass.
MEASURE_LIMIT_S = 20.0


def _best_rate(items: Sequence[T], work: Callable[[T], object]) -> tuple[float, int]:
    """Return (best items per second, passes run) for ``work`` applied to every item."""
    best = 0.0
    deadline = time.perf_counter() + MEASURE_LIMIT_S
    passes = 0
    while passes < PASSES and time.perf_counter() < deadline:
        start = time.perf_counter()
        for item in items:
            work(item)
        elapsed = time.perf_counter() - start
        passes += 1
        best = max(best, len(items) / elapsed if elapsed else 0.0)
    return best, passes


def run() -> str:
    """Run the benchmark and return a markdown section with its results."""
    title = "## GBCS codec over the RTDS corpus"
    root = os.environ.get("COMMSHUB_RTDS_DIR")
    if not root or not (Path(root) / "RTDS-4.5.0").is_dir():
        return f"{title}\n\nNot run: COMMSHUB_RTDS_DIR does not point at the RTDS folder.\n"
    frames = [bytes.fromhex(path.read_text().strip())
              for path in sorted((Path(root) / "RTDS-4.5.0").rglob("*.HEX"))]
    keys = KeyStore.load(Path(root) / "keystore")
    parsed = [parse_frame(data) for data in frames]

    def parse_and_check(data: bytes) -> object:
        frame = parse_frame(data)
        return check_mac(frame, keys), verify_signature(frame, keys)

    def parse_and_decode(data: bytes) -> object:
        return decode_payload(parse_frame(data))

    measures = [
        ("parse frame", _best_rate(frames, parse_frame)),
        ("parse + MAC and signature checks", _best_rate(frames, parse_and_check)),
        ("parse + payload decode (DLMS, GBZ, ASN.1)", _best_rate(frames, parse_and_decode)),
        ("encode a parsed frame", _best_rate(parsed, encode_frame)),
    ]
    lines = [
        title,
        "",
        (f"{len(frames)} RTDS 4.5.0 frames; best of up to {PASSES} passes per measure. "
         f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}, "
         f"{os.cpu_count()} CPUs; measured by `benchmarks/gbcs_bench.py`."),
        "",
        "| measure | frames/s | passes |",
        "|---|---|---|",
    ]
    for name, (rate, passes) in measures:
        lines.append(f"| {name} | {rate:,.0f} | {passes} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
