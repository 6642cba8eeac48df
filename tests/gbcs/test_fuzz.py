"""Mutated RTDS frames through ``decode_gbcs``: a record, a tree or a CommshubError, nothing else.

Each example takes one real frame and applies a few mutations: byte flips, truncations,
insertions and edits of length octets to short, long, indefinite or over-long BER forms. The
decoder runs with the RTDS key store, so MAC checks, signature checks and decryption see the
mutated bytes too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commshub.cli.layers import RECORD_KEYS, DecodeOptions
from commshub.codecs.gbcs.describe import decode_gbcs
from commshub.errors import CommshubError

# Octets written over a length field: short forms at their limits, the indefinite form 0x80
# that GBCS forbids, long forms of 1 to 4 octets, and 0x85 and 0xFF, which are too long.
LENGTH_OCTETS = (0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xFF)
# Offset of the ciphered-service length in frames that start with a MAC header (0xDD and six
# empty fields).
MAC_HEADER_LENGTH_OFFSET = 7
MUTATIONS_PER_EXAMPLE = 3
# Mutation kinds, repeated to weight them: a truncation or insertion usually stops the parse at
# once, while flips and length edits reach the payload, MAC and signature code more often.
MUTATION_KINDS = ("flip", "flip", "flip", "length", "length", "insert", "truncate")


@pytest.fixture(scope="module")
def frames(rtds_frames: list[tuple[Path, bytes]]) -> list[bytes]:
    return [data for _, data in rtds_frames]


@pytest.fixture(scope="module")
def options(rtds_dir: Path) -> DecodeOptions:
    """One set of options for every example, so the key store is loaded once."""
    return DecodeOptions(keys=rtds_dir / "keystore")


def _length_offsets(data: bytes) -> list[int]:
    """Return candidate offsets of BER length octets: the MAC header's length, and every octet
    0x81 to 0x84, which starts a long-form length wherever it is one."""
    offsets = [offset for offset, octet in enumerate(data) if 0x81 <= octet <= 0x84]
    if data[:1] == b"\xdd" and len(data) > MAC_HEADER_LENGTH_OFFSET:
        offsets.append(MAC_HEADER_LENGTH_OFFSET)
    return offsets


@st.composite
def mutated(draw: st.DrawFn, frames: list[bytes]) -> bytes:
    # Drawing an index keeps hypothesis from printing the whole corpus in a failure report.
    data = bytearray(frames[draw(st.integers(0, len(frames) - 1))])
    for _ in range(draw(st.integers(1, MUTATIONS_PER_EXAMPLE))):
        if not data:
            break
        kind = draw(st.sampled_from(MUTATION_KINDS))
        position = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[position] ^= draw(st.integers(1, 0xFF))
        elif kind == "truncate":
            del data[position:]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        else:
            offsets = _length_offsets(bytes(data)) or [position]
            data[draw(st.sampled_from(offsets))] = draw(st.sampled_from(LENGTH_OCTETS))
    return bytes(data)


@pytest.mark.timeout(300)
def test_mutated_frames_decode_or_fail_cleanly(frames: list[bytes], options: DecodeOptions) -> None:
    @settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated(frames))
    def check(data: bytes) -> None:
        try:
            result = decode_gbcs(data, options)
        except CommshubError as exc:
            assert str(exc)
            return
        record = result.record
        assert set(RECORD_KEYS["gbcs"]) <= set(record)
        if record["ok"]:
            assert record["error"] is None
        else:
            assert record["error"]
        json.dumps(record, default=str)
        if result.tree is not None:
            assert result.tree.render()

    check()
