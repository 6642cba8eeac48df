"""Hypothesis strategies for the GBCS codecs: frames, payloads, GBT blocks and BER lengths.

Every strategy generates values that encode; ``parse(build(x)) == x`` holds for each of them,
including frames with non-shortest BER length forms.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from hypothesis import strategies as st

from commshub.codecs.dlms import build_apdu
from commshub.codecs.gbcs.asn1 import encode_asn1
from commshub.codecs.gbcs.ber import MAX_LENGTH_OCTETS, encode_length
from commshub.codecs.gbcs.frame import (
    DATE_TIME_LENGTH,
    EUI64_LENGTH,
    MAC_LENGTH,
    SECURITY_HEADER,
    SIGNATURE_LENGTH,
    GbcsFrame,
    LengthForms,
    encode_general_signing,
    encode_other_information,
)
from commshub.codecs.gbcs.gbt import MAX_WINDOW, GbtBlock
from commshub.codecs.gbcs.gbz import (
    ENCRYPTED_COMPONENT,
    FROM_DATE_TIME_PRESENT,
    FirmwareReceipt,
    FutureDatedOutcome,
    GbzAlert,
    GbzComponent,
    GbzEncryption,
    GbzPayload,
    IntegrityWarning,
    build_gbz,
)
from commshub.codecs.gbcs.payload import DLMS_TAGS
from commshub.codecs.gbcs.tables import MESSAGE_CODES, Cra
from commshub.codecs.strategies.dlms import cosem_date_times, xdlms_apdus

__all__ = [
    "asn1_values",
    "ber_lengths",
    "euis",
    "gbcs_contents",
    "gbcs_frames",
    "gbt_blocks",
    "gbz_alerts",
    "gbz_components",
    "gbz_payloads",
]

_U8 = st.integers(0, 0xFF)
_U16 = st.integers(0, 0xFFFF)
_U32 = st.integers(0, 0xFFFFFFFF)
_U64 = st.integers(0, (1 << 64) - 1)
_TAG_LENGTH = 12  # AES-GCM tag appended to encrypted parts
# Message codes that carry a decoded GBZ alert body, by body type (see commshub.codecs.gbcs.gbz).
_FUTURE_DATED_CODE, _FIRMWARE_RECEIPT_CODE, _INTEGRITY_WARNING_CODE, _BILLING_DATA_LOG_CODE = (
    0x00CD, 0x00CF, 0x00F2, 0x008B)


def euis() -> st.SearchStrategy[bytes]:
    """EUI-64s as 8 bytes."""
    return st.binary(min_size=EUI64_LENGTH, max_size=EUI64_LENGTH)


def ber_lengths() -> st.SearchStrategy[tuple[int, int | None]]:
    """``(value, form)`` pairs where ``form`` is None or a valid non-shortest long form."""
    return st.integers(0, (1 << 32) - 1).flatmap(
        lambda value: st.tuples(st.just(value), _forms_for(value)))


def _forms_for(length: int) -> st.SearchStrategy[int | None]:
    """Generate None (shortest) or a long form that a parser reports back as non-shortest."""
    shortest = len(encode_length(length))
    first = 1 if length < 0x80 else shortest  # shortest long form has shortest - 1 octets
    choices = list(range(first, MAX_LENGTH_OCTETS + 1))
    if not choices:
        return st.none()
    return st.one_of(st.none(), st.sampled_from(choices))


def _zigbee_times() -> st.SearchStrategy[int]:
    return _U32


def gbz_components(*, allow_encrypted: bool = True) -> st.SearchStrategy[GbzComponent]:
    """GBZ components, plaintext or encrypted, with or without a from date-time."""

    @st.composite
    def build(draw: st.DrawFn) -> GbzComponent:
        encrypted = allow_encrypted and draw(st.booleans())
        with_time = draw(st.booleans())
        control = draw(_U8) & ~(ENCRYPTED_COMPONENT | FROM_DATE_TIME_PRESENT)
        if encrypted:
            control |= ENCRYPTED_COMPONENT
        if with_time:
            control |= FROM_DATE_TIME_PRESENT
        encryption = None
        if encrypted:
            encryption = GbzEncryption(
                additional_header_control=draw(_U8), additional_frame_counter=draw(_U8),
                ciphertext=draw(st.binary(min_size=_TAG_LENGTH, max_size=80)),
                security_control=draw(_U8), invocation_counter=draw(_U32),
            )
        return GbzComponent(
            control=control, cluster=draw(_U16), frame_control=draw(_U8),
            sequence_number=draw(_U8), command_id=draw(_U8),
            payload=b"" if encrypted else draw(st.binary(max_size=60)),
            from_date_time=draw(_zigbee_times()) if with_time else None, encryption=encryption,
        )

    return build()


def gbz_payloads() -> st.SearchStrategy[GbzPayload]:
    """GBZ command and response payloads of up to 4 components."""
    return st.lists(gbz_components(), max_size=4).map(lambda items: GbzPayload(tuple(items)))


def gbz_alerts() -> st.SearchStrategy[tuple[int, GbzAlert]]:
    """``(message code, alert)`` pairs: the code selects how the body decodes."""
    plain = st.tuples(
        st.sampled_from([0x1000, 0x1001]),
        st.builds(GbzAlert, alert_code=_U16, timestamp=_U32, body=st.just(b""),
                  component_count=st.just(0)),
    )
    future = st.tuples(st.just(_FUTURE_DATED_CODE), st.builds(
        GbzAlert, alert_code=st.sampled_from([0x8F66, 0x8F67]), timestamp=_U32,
        body=st.builds(FutureDatedOutcome, message_code=_U16, originator_counter=_U64,
                       cluster=_U16, frame_control=_U8, command_id=_U8),
        component_count=st.just(1)))
    receipt = st.tuples(st.just(_FIRMWARE_RECEIPT_CODE), st.builds(
        GbzAlert, alert_code=st.sampled_from([0x8F72, 0x8F1C]), timestamp=_U32,
        body=st.builds(FirmwareReceipt, image_hash=st.binary(min_size=32, max_size=32)),
        component_count=st.just(1)))
    warning = st.tuples(st.just(_INTEGRITY_WARNING_CODE), st.builds(
        GbzAlert, alert_code=st.just(0x81A0), timestamp=_U32,
        body=st.builds(IntegrityWarning, warning=_U16), component_count=st.just(1)))
    billing = st.tuples(st.just(_BILLING_DATA_LOG_CODE), st.builds(
        GbzAlert, alert_code=st.just(0x8F0A), timestamp=_U32, body=gbz_components(),
        component_count=st.just(1)))
    return st.one_of(plain, future, receipt, warning, billing)


def _generalized_times() -> st.SearchStrategy[datetime.datetime]:
    return st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(9999, 12, 31))\
        .map(lambda moment: moment.replace(microsecond=0))


def asn1_values() -> st.SearchStrategy[tuple[str, int, int, Any]]:
    """``(ASN.1 type, message code, CRA flag, value)`` for the GBCS ASN.1 use cases."""
    entity = euis()
    device_log_entry = st.fixed_dictionaries({"deviceId": entity, "deviceType": st.integers(0, 6)})
    join = st.fixed_dictionaries({
        "joinMethodAndRole": st.integers(0, 3), "entityId": entity, "deviceType": st.integers(0, 6)})
    return st.one_of(
        st.tuples(st.just("JoinDeviceCommand"), st.sampled_from([0x000D, 0x000E, 0x00AB, 0x00AF]),
                  st.just(1), join),
        st.tuples(st.just("JoinDeviceResponse"), st.just(0x000D), st.just(2), st.integers(0, 13)),
        st.tuples(st.just("UnjoinDeviceCommand"), st.sampled_from([0x000F, 0x0010]), st.just(1), entity),
        st.tuples(st.just("SetTimeCommand"), st.just(0x007F), st.just(1), st.fixed_dictionaries({
            "validityIntervalStart": _generalized_times(), "validityIntervalEnd": _generalized_times()})),
        st.tuples(st.just("ActivateFirmwareCommand"), st.just(0x0012), st.just(1), st.fixed_dictionaries(
            {"manufacturerImageHash": st.binary(min_size=32, max_size=32), "originatorCounter": _U64},
            optional={"executionDateTime": _generalized_times()})),
        st.tuples(st.just("GpfDeviceLogBackupAlert"), st.just(0x00B2), st.just(3), st.fixed_dictionaries({
            "alertCode": st.just(0x8071), "backupDateTime": _generalized_times(),
            "deviceLogEntries": st.lists(device_log_entry, max_size=5)})),
        st.tuples(st.just("ReadDeviceJoinDetailsResponse"), st.just(0x0013), st.just(2), st.fixed_dictionaries(
            {"responseCode": st.integers(0, 1)},
            optional={"deviceLogEntries": st.lists(device_log_entry, max_size=5)})),
        st.tuples(st.just("FirmwareTransferAlert"), st.just(0x0128), st.just(3), st.fixed_dictionaries({
            "alertCode": st.sampled_from([0x8F89, 0x8F8A]), "executionDateTime": _generalized_times(),
            "entityId": entity, "firmwareVersion": st.binary(min_size=4, max_size=4),
            "responseCode": st.integers(0, 3)})),
    )


def gbcs_contents() -> st.SearchStrategy[tuple[int, int, bytes]]:
    """``(message code, CRA flag, content)`` with DLMS, GBZ or ASN.1 content that decodes."""
    dlms = st.tuples(
        st.sampled_from(sorted(MESSAGE_CODES)), st.sampled_from([1, 2, 3]),
        xdlms_apdus().filter(lambda apdu: apdu.apdu_tag in DLMS_TAGS).map(build_apdu),
    )
    gbz = st.tuples(st.sampled_from(sorted(MESSAGE_CODES)), st.sampled_from([1, 2]), gbz_payloads().map(build_gbz))
    asn1 = asn1_values().map(lambda item: (item[1], item[2], encode_asn1(item[0], item[3])))
    return st.one_of(dlms, gbz, asn1)


def _other_information() -> st.SearchStrategy[dict[str, Any]]:
    none: st.SearchStrategy[dict[str, Any]] = st.just({})
    party = st.fixed_dictionaries({"supplementary_remote_party_id": euis()})
    with_counter = st.fixed_dictionaries({"supplementary_remote_party_id": euis(),
                                          "supplementary_remote_party_counter": _U64})
    with_originator_counter = st.fixed_dictionaries({
        "supplementary_remote_party_id": euis(), "supplementary_remote_party_counter": _U64,
        "supplementary_originator_counter": _U64})
    with_certificate = st.fixed_dictionaries({
        "supplementary_remote_party_id": euis(), "supplementary_remote_party_counter": _U64,
        "supplementary_certificate": st.binary(min_size=9, max_size=300)})
    return st.one_of(none, party, with_counter, with_originator_counter, with_certificate)


def gbcs_frames(*, contents: st.SearchStrategy[bytes] | None = None) -> st.SearchStrategy[GbcsFrame]:
    """Whole GBCS frames: any CRA flag, optional MAC header, date-time, supplementary fields,
    signature field (absent, empty or 64 octets) and BER length forms. ``contents`` replaces
    the default content strategy (random bytes)."""

    @st.composite
    def build(draw: st.DrawFn) -> GbcsFrame:
        content = draw(contents if contents is not None else st.binary(max_size=300))
        mac = draw(st.one_of(st.none(), st.binary(min_size=MAC_LENGTH, max_size=MAC_LENGTH)))
        signature = draw(st.one_of(st.none(), st.just(b""),
                                   st.binary(min_size=SIGNATURE_LENGTH, max_size=SIGNATURE_LENGTH)))
        if mac is not None and signature is None:
            signature = b""  # a MACed frame always has a signature field
        frame = GbcsFrame(
            cra=draw(st.sampled_from([Cra.COMMAND, Cra.RESPONSE, Cra.ALERT])),
            originator_counter=draw(_U64), originator=draw(euis()), recipient=draw(euis()),
            message_code=draw(_U16), content=content,
            date_time=draw(st.one_of(st.none(), cosem_date_times().map(lambda value: value.to_bytes()),
                                     st.binary(min_size=DATE_TIME_LENGTH, max_size=DATE_TIME_LENGTH))),
            signature=signature, mac=mac, **draw(_other_information()),
        )
        return frame.replace(length_forms=draw(_length_forms(frame)))

    return build()


def _length_forms(frame: GbcsFrame) -> st.SearchStrategy[LengthForms]:
    other = len(encode_other_information(frame))
    signature = None if frame.signature is None else len(frame.signature)

    @st.composite
    def build(draw: st.DrawFn) -> LengthForms:
        forms = LengthForms(
            other_information=draw(_forms_for(other)),
            content=draw(_forms_for(len(frame.content))),
            signature=None if signature is None else draw(_forms_for(signature)),
        )
        if frame.mac is None:
            return forms
        apdu = encode_general_signing(frame.replace(length_forms=forms))
        ciphered = len(SECURITY_HEADER) + len(apdu) + MAC_LENGTH
        return LengthForms(ciphered_service=draw(_forms_for(ciphered)), other_information=forms.other_information,
                           content=forms.content, signature=forms.signature)

    return build()


def gbt_blocks() -> st.SearchStrategy[GbtBlock]:
    """GBT blocks with any block control, numbers and length forms."""

    @st.composite
    def build(draw: st.DrawFn) -> GbtBlock:
        data = draw(st.binary(max_size=200))
        block = GbtBlock(
            cra=draw(st.sampled_from([Cra.COMMAND, Cra.RESPONSE, Cra.ALERT])),
            originator_counter=draw(_U64), originator=draw(euis()), recipient=draw(euis()),
            message_code=draw(_U16), block_number=draw(_U16), data=data,
            last_block=draw(st.booleans()), block_number_ack=draw(_U16),
            streaming=draw(st.booleans()), window=draw(st.integers(0, MAX_WINDOW)),
            date_time=draw(st.one_of(st.none(), st.binary(min_size=DATE_TIME_LENGTH, max_size=DATE_TIME_LENGTH))),
            security_control=draw(_U8), invocation_counter=draw(_U32),
            data_length_form=draw(_forms_for(len(data))),
        )
        # Security header, GBT tag, block control, block number, block number ack, data field.
        inner = 5 + 1 + 1 + 2 + 2 + len(encode_length(len(data), block.data_length_form)) + len(data)
        return dataclasses.replace(block, ciphered_length_form=draw(_forms_for(inner)))

    return build()
