"""Every DLMS payload of the DCC's reference test data set parses and rebuilds byte for byte."""

from __future__ import annotations

import pytest

from commshub.codecs.dlms import (
    AccessRequest,
    AccessResponse,
    DataNotification,
    build_apdu,
    parse_apdu,
)
from commshub.codecs.dlms.describe import apdu_tree
from commshub.codecs.gbcs.frame import parse_frame

DLMS_PAYLOAD_TAGS = {0xD9: AccessRequest, 0xDA: AccessResponse, 0x0F: DataNotification}


@pytest.fixture(scope="module")
def dlms_payloads(rtds_frames):
    payloads = []
    for path, data in rtds_frames:
        content = parse_frame(data).content
        if content[:1] and content[0] in DLMS_PAYLOAD_TAGS:
            payloads.append((path.name, content))
    return payloads


def test_corpus_has_dlms_payloads(dlms_payloads):
    tags = {content[0] for _, content in dlms_payloads}
    assert tags == set(DLMS_PAYLOAD_TAGS)


def test_every_dlms_payload_round_trips(dlms_payloads):
    failures = []
    for name, content in dlms_payloads:
        apdu = parse_apdu(content)
        if not isinstance(apdu, DLMS_PAYLOAD_TAGS[content[0]]) or build_apdu(apdu) != content:
            failures.append(name)
    assert failures == []


def test_every_dlms_payload_has_a_decode_tree(dlms_payloads):
    for _, content in dlms_payloads:
        tree = apdu_tree(parse_apdu(content), raw=content)
        assert tree.raw == content
        assert tree.children
