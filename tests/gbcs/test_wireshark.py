"""Cross-check with Wireshark's GBCS dissector (tshark): the same header fields for every frame,
and reassembly of the GBT blocks commshub writes.

Frames go into a pcap with link type 252 (Wireshark upper PDU), whose per-packet tag names the
dissector, ``gbcs_message``, so no transport framing is needed. Skipped when tshark is absent.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from commshub.codecs.gbcs import Cra, GbcsFrame, parse_frame, segment

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed")

LINKTYPE_WIRESHARK_UPPER_PDU = 252
EXP_PDU_TAG_DISSECTOR_NAME = 12  # Wireshark exported-PDU tag: the dissector to call
EXP_PDU_TAG_END_OF_OPT = 0
FIELDS = [
    "gbcs_message.grouping_header.cra_flag",
    "gbcs_message.grouping_header.originator_counter",
    "gbcs_message.grouping_header.business_originator_id",
    "gbcs_message.grouping_header.business_target_id",
    "gbcs_message.grouping_header.message_code",
    "gbcs_message.grouping_header.supplementary_remote_party_id",
    "gbcs_message.grouping_header.supplementary_remote_party_counter",
    "gbcs_message.gbt.reassembled.length",
    "_ws.malformed",
]


def _write_pcap(path: Path, payloads: list[bytes]) -> None:
    name = b"gbcs_message"
    tag = struct.pack(">HH", EXP_PDU_TAG_DISSECTOR_NAME, len(name)) + name + bytes(-len(name) % 4)
    tag += struct.pack(">HH", EXP_PDU_TAG_END_OF_OPT, 0)
    records = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_WIRESHARK_UPPER_PDU)]
    for index, payload in enumerate(payloads):
        packet = tag + payload
        records.append(struct.pack("<IIII", index, 0, len(packet), len(packet)) + packet)
    path.write_bytes(b"".join(records))


def _dissect(tmp_path: Path, payloads: list[bytes]) -> list[list[str]]:
    capture = tmp_path / "gbcs.pcap"
    _write_pcap(capture, payloads)
    command = [str(TSHARK), "-r", str(capture), "-T", "fields", "-E", "separator=|"]
    for field in FIELDS:
        command += ["-e", field]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    return [line.split("|") for line in completed.stdout.splitlines()]


def _expected(frame: GbcsFrame) -> list[str]:
    def colons(eui: bytes) -> str:
        return ":".join(f"{octet:02x}" for octet in eui)

    return [
        f"0x{int(frame.cra):02x}",
        str(frame.originator_counter),
        colons(frame.originator),
        colons(frame.recipient),
        f"0x{frame.message_code:04x}",
        "" if frame.supplementary_remote_party_id is None else colons(frame.supplementary_remote_party_id),
        "" if frame.supplementary_remote_party_counter is None else str(frame.supplementary_remote_party_counter),
    ]


def _own_frames() -> list[GbcsFrame]:
    supplier, chf = "90B3D51F30010000", "00DB1234567890A2"
    return [
        GbcsFrame.command(originator=supplier, recipient=chf, originator_counter=1 << 40,
                          message_code=0x0001, content=b"\xd9" + bytes(200)),
        GbcsFrame.response(originator=chf, recipient=supplier, originator_counter=7,
                           message_code=0x010F, content=b"\xda\x00", mac_header=False,
                           signature=bytes(64)),
        GbcsFrame.alert(originator=chf, recipient="90B3D51F30000002", originator_counter=3,
                        message_code=0x0018, content=b"\x0f\x00",
                        supplementary_remote_party_id=supplier,
                        supplementary_remote_party_counter=1002),
    ]


def test_header_fields_agree_on_own_frames(tmp_path: Path) -> None:
    frames = _own_frames()
    rows = _dissect(tmp_path, [frame.to_bytes() for frame in frames])
    for frame, row in zip(frames, rows, strict=True):
        assert row[: len(_expected(frame))] == _expected(frame)
        assert row[-1] == ""  # no malformed-packet mark


def test_header_fields_agree_on_corpus(tmp_path: Path, rtds_frames: list[tuple[Path, bytes]]) -> None:
    rows = _dissect(tmp_path, [data for _, data in rtds_frames])
    disagreements = []
    for (path, data), row in zip(rtds_frames, rows, strict=True):
        frame = parse_frame(data)
        expected = _expected(frame)
        # Wireshark 4.0 expects a signature length octet and marks pre-commands, which have
        # none, as malformed after their header; any other frame must dissect cleanly.
        malformed_expected = frame.signature is None
        if row[: len(expected)] != expected or bool(row[-1]) != malformed_expected:
            disagreements.append(f"{path.name}: tshark {row} commshub {expected}")
    assert disagreements == []


def test_wireshark_reassembles_our_gbt_blocks(tmp_path: Path) -> None:
    frame = _own_frames()[0]
    wire = frame.to_bytes()
    blocks = segment(wire, cra=Cra.COMMAND, originator=frame.originator, recipient=frame.recipient,
                     originator_counter=frame.originator_counter, message_code=frame.message_code,
                     block_size=64)
    assert len(blocks) > 2
    rows = _dissect(tmp_path, [block.to_bytes() for block in blocks])
    last = rows[-1]
    assert last[: len(_expected(frame))] == _expected(frame)
    assert last[FIELDS.index("gbcs_message.gbt.reassembled.length")] == str(len(wire))
    assert all(row[-1] == "" for row in rows)
