"""Decode trees of GBCS frames: GBZ components decoded by the ZCL codec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from commshub.cli.layers import DecodeOptions
from commshub.codecs.common import Node
from commshub.codecs.gbcs import GbcsFrame, GbzComponent, GbzPayload
from commshub.codecs.gbcs.describe import decode_gbcs
from commshub.codecs.gbcs.gbz import LAST_COMPONENT, build_gbz

CALENDAR_CLUSTER = 0x0707
PUBLISH_CALENDAR = 0x00
# ZCL frame control: a cluster-specific command sent from server to client.
SERVER_TO_CLIENT_CLUSTER_COMMAND = 0x09
GCS01A_COMMAND = "1.1.1_GCS01a/GCS01a_1.1.1_CANCELLATION_BLOCK_SUCCESS_COMMAND_GBCS.HEX"


def _nodes(node: Node, name: str) -> Iterator[Node]:
    if node.name == name:
        yield node
    for child in node.children:
        yield from _nodes(child, name)


def _gbz_frame(payload: bytes) -> bytes:
    component = GbzComponent(control=LAST_COMPONENT, cluster=CALENDAR_CLUSTER,
                             frame_control=SERVER_TO_CLIENT_CLUSTER_COMMAND, sequence_number=0,
                             command_id=PUBLISH_CALENDAR, payload=payload)
    frame = GbcsFrame.command(originator="90B3D51F30010000", recipient="00DB1234567890A1",
                              originator_counter=7, message_code=0x006B,
                              content=build_gbz(GbzPayload((component,))))
    return frame.to_bytes()


def test_rtds_calendar_component_is_decoded(rtds_dir: Path) -> None:
    data = bytes.fromhex((rtds_dir / "RTDS-4.5.0" / GCS01A_COMMAND).read_text().strip())
    result = decode_gbcs(data, DecodeOptions())
    assert result.tree is not None
    assert result.record["round_trip"] is True
    first = next(_nodes(result.tree, "zcl-payload"))
    assert first.meaning == "22 octets, publish_calendar"
    fields = {child.name: child.value for child in first.children}
    assert fields["issuer_event_id"] == 473385600
    assert fields["number_of_seasons"] == 1


def test_undecodable_zcl_payload_stays_raw() -> None:
    truncated = bytes.fromhex("000000")  # publish_calendar needs more than a partial provider ID
    result = decode_gbcs(_gbz_frame(truncated), DecodeOptions())
    assert result.tree is not None
    assert result.record["ok"] is True
    assert result.record["round_trip"] is True
    (node,) = _nodes(result.tree, "zcl-payload")
    assert node.raw == truncated
    assert node.children == []
    assert node.meaning is not None
    assert node.meaning.startswith("3 octets, not decoded as ZCL: ")


def test_every_rtds_zcl_payload_is_decoded(rtds_dir: Path, rtds_frames: list[tuple[Path, bytes]]) -> None:
    options = DecodeOptions(keys=rtds_dir / "keystore")
    undecoded = []
    payloads = 0
    for path, data in rtds_frames:
        result = decode_gbcs(data, options)
        assert result.record["round_trip"] is True, path.name
        assert result.tree is not None
        for node in _nodes(result.tree, "zcl-payload"):
            payloads += 1
            if not node.children:
                undecoded.append((path.name, node.meaning))
    assert payloads > 1000
    assert undecoded == []
