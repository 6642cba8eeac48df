"""The DCC RTDS corpus: every frame parses, rebuilds, decodes and authenticates.

Runs over $COMMSHUB_RTDS_DIR (skipped with that reason when the variable is unset).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commshub.codecs.dlms.xdlms import Apdu
from commshub.codecs.gbcs import (
    Asn1Payload,
    GbcsFrame,
    GbzAlert,
    GbzComponent,
    GbzPayload,
    KeyStore,
    PayloadKind,
    Verdict,
    check_mac,
    decode_payload,
    decrypt_component,
    decrypt_protected_data,
    encode_frame,
    encode_payload,
    find_protected_data,
    parse_frame,
    payload_kind,
    verify_signature,
)
from commshub.errors import CodecError

Parsed = list[tuple[Path, bytes, GbcsFrame]]

RTDS_FRAME_COUNT = 1275
UNCHECKABLE_FOLDERS = ("NA_PCS01", "NA_PCS02")  # HAN-only: MACed between PPMID and GSME
DLMS_PROTECTED_BLOCKS = 17
GBZ_ENCRYPTED_COMPONENTS = 44


def _is_pre_command(path: Path) -> bool:
    return path.name.endswith("_PRECOMMAND_GBCS.HEX")


def test_corpus_size(rtds_frames: list[tuple[Path, bytes]]) -> None:
    assert len(rtds_frames) == RTDS_FRAME_COUNT


def test_every_frame_parses(rtds_frames: list[tuple[Path, bytes]]) -> None:
    failures = []
    for path, data in rtds_frames:
        try:
            parse_frame(data)
        except CodecError as exc:
            failures.append(f"{path.name}: {exc}")
    assert failures == []


def test_every_frame_rebuilds_identically(rtds_parsed: Parsed) -> None:
    different = [path.name for path, data, frame in rtds_parsed if encode_frame(frame) != data]
    assert different == []


def test_checkable_macs_and_signatures_are_valid(rtds_parsed: Parsed, rtds_keys: KeyStore) -> None:
    bad = []
    counts: Counter[str] = Counter()
    for path, _, frame in rtds_parsed:
        if _is_pre_command(path) or path.parent.name in UNCHECKABLE_FOLDERS:
            continue
        mac = check_mac(frame, rtds_keys)
        signature = verify_signature(frame, rtds_keys)
        if mac is not None:
            counts["mac"] += 1
            if mac is not Verdict.VALID:
                bad.append(f"{path.name}: MAC {mac}")
        if signature is not None:
            counts["signature"] += 1
            if signature is not Verdict.VALID:
                bad.append(f"{path.name}: signature {signature}")
        if mac is None and signature is None:
            bad.append(f"{path.name}: neither MAC nor signature")
    assert bad == []
    assert counts == {"mac": 811, "signature": 472}


def test_pre_commands_say_unknown(rtds_parsed: Parsed, rtds_keys: KeyStore) -> None:
    pre_commands = [frame for path, _, frame in rtds_parsed if _is_pre_command(path)]
    assert len(pre_commands) == 178
    for frame in pre_commands:
        assert frame.mac is None
        assert frame.signature is None
        assert verify_signature(frame, rtds_keys) is Verdict.UNKNOWN


def test_han_only_frames_say_unknown(rtds_parsed: Parsed, rtds_keys: KeyStore) -> None:
    frames = [frame for path, _, frame in rtds_parsed if path.parent.name in UNCHECKABLE_FOLDERS]
    assert len(frames) == 4
    for frame in frames:
        assert check_mac(frame, rtds_keys) is Verdict.UNKNOWN


def test_every_payload_decodes_and_rebuilds(rtds_parsed: Parsed) -> None:
    kinds: Counter[str] = Counter()
    failures = []
    for path, _, frame in rtds_parsed:
        try:
            payload = decode_payload(frame)
        except CodecError as exc:
            failures.append(f"{path.name}: {exc}")
            continue
        kinds[payload_kind(frame.content).value] += 1
        if encode_payload(payload) != frame.content:
            failures.append(f"{path.name}: payload does not rebuild")
        expected = {PayloadKind.DLMS: Apdu, PayloadKind.GBZ: (GbzPayload, GbzAlert),
                    PayloadKind.ASN1: Asn1Payload}[payload_kind(frame.content)]
        assert isinstance(payload, expected), path.name
    assert failures == []
    assert kinds == {"dlms": 743, "gbz": 354, "asn1": 178}


def test_asn1_der_exactness(rtds_parsed: Parsed) -> None:
    exact: Counter[bool] = Counter()
    for _, _, frame in rtds_parsed:
        if payload_kind(frame.content) is PayloadKind.ASN1:
            payload = decode_payload(frame)
            assert isinstance(payload, Asn1Payload)
            exact[payload.der_exact] += 1
    # 18 RTDS payloads (CS02a/b/f/g security credentials) use two-octet lengths below 256.
    assert exact == {True: 160, False: 18}


def test_protected_parts_decrypt(rtds_parsed: Parsed, rtds_keys: KeyStore) -> None:
    counts: Counter[str] = Counter()
    for path, _, frame in rtds_parsed:
        payload = decode_payload(frame)
        if isinstance(payload, Apdu):
            for protected in find_protected_data(payload):
                assert decrypt_protected_data(frame, protected, rtds_keys) is not None, path.name
                counts["dlms"] += 1
        components: tuple[GbzComponent, ...] = ()
        if isinstance(payload, GbzPayload):
            components = payload.components
        elif isinstance(payload, GbzAlert) and isinstance(payload.body, GbzComponent):
            components = (payload.body,)
        for component in components:
            if component.encryption is not None:
                assert decrypt_component(frame, component, rtds_keys) is not None, path.name
                counts["gbz"] += 1
    assert counts == {"dlms": DLMS_PROTECTED_BLOCKS, "gbz": GBZ_ENCRYPTED_COMPONENTS}


def _protected_frames(parsed: Parsed) -> list[tuple[bytes, GbcsFrame]]:
    return [(data, frame) for path, data, frame in parsed
            if not _is_pre_command(path) and path.parent.name not in UNCHECKABLE_FOLDERS]


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_flipped_byte_fails_the_check(rtds_parsed: Parsed, rtds_keys: KeyStore, data: st.DataObject) -> None:
    candidates = _protected_frames(rtds_parsed)
    wire, frame = data.draw(st.sampled_from(candidates), label="frame")
    if frame.mac is not None:
        region = range(len(wire))  # the MAC covers the APDU; the header is fixed; the MAC itself
    else:
        region = range(1, len(wire))  # signed: from after DF, plus the signature field
    index = data.draw(st.sampled_from(region), label="index")
    mask = data.draw(st.integers(1, 0xFF), label="mask")
    tampered = bytearray(wire)
    tampered[index] ^= mask
    try:
        changed = parse_frame(bytes(tampered))
    except CodecError:
        return
    if frame.mac is not None:
        assert check_mac(changed, rtds_keys) is not Verdict.VALID
    else:
        assert verify_signature(changed, rtds_keys) is not Verdict.VALID
