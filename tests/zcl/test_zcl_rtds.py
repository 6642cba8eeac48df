"""The ZCL inside the DCC reference test data: every GBZ component of the RTDS decodes with a
declared payload, builds back to its bytes, and its attribute types match the declarations."""

from __future__ import annotations

from pathlib import Path

import pytest

from commshub.codecs.gbcs.frame import parse_frame
from commshub.codecs.gbcs.gbz import GbzPayload
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.codecs.gbcs.payload import (
    PayloadKind,
    decode_payload,
    decrypt_component,
    payload_kind,
)
from commshub.codecs.zigbee.zcl import CLUSTERS, build_zcl, foundation, parse_zcl
from commshub.errors import CommshubError

# ZCL components in GBZ payloads of RTDS 4.5.0, encrypted ones included (counted when this
# test was written); a smaller number means frames stopped decoding upstream.
_EXPECTED_COMPONENTS = 1217


@pytest.fixture(scope="module")
def zcl_components(rtds_dir: Path, rtds_frames: list[tuple[Path, bytes]]) -> list[tuple[Path, int, bytes]]:
    keys = KeyStore.load(rtds_dir / "keystore")
    components = []
    for path, data in rtds_frames:
        try:
            frame = parse_frame(data)
            if payload_kind(frame.content) != PayloadKind.GBZ:
                continue
            payload = decode_payload(frame)
        except CommshubError:
            continue
        if not isinstance(payload, GbzPayload):
            continue
        for component in payload.components:
            body = component.payload
            if component.encryption is not None:
                body = decrypt_component(frame, component, keys)
                assert body is not None, f"{path.name}: component not decrypted"
            header = bytes([component.frame_control, component.sequence_number, component.command_id])
            components.append((path, component.cluster, header + body))
    return components


@pytest.mark.slow
def test_every_rtds_zcl_component_decodes(zcl_components):
    assert len(zcl_components) == _EXPECTED_COMPONENTS
    for path, cluster_id, data in zcl_components:
        frame = parse_zcl(data, cluster_id)
        assert not frame.is_raw, f"{path.name}: cluster 0x{cluster_id:04X} command {frame.command_id} kept raw"
        assert frame.trailing == b"", f"{path.name}: bytes after the declared payload"
        assert build_zcl(frame) == data, path.name


@pytest.mark.slow
def test_rtds_attribute_types_match_declarations(zcl_components):
    checked = 0
    for path, cluster_id, data in zcl_components:
        frame = parse_zcl(data, cluster_id)
        if not frame.is_global or frame.command_id not in (foundation.READ_ATTRIBUTES_RESPONSE.id,
                                                            foundation.REPORT_ATTRIBUTES.id):
            continue
        table = CLUSTERS[cluster_id].attribute_table(frame.direction, sender_side=True)
        for record in frame.payload["records"]:
            if record.get("status", 0) != 0:
                continue
            declared = table[record.attribute_id]
            assert declared.type == record.type, f"{path.name}: {declared.name}"
            checked += 1
    assert checked > 100
