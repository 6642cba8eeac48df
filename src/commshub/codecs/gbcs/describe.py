"""Decode trees and JSON records for ``commshub decode --as gbcs``.

:func:`decode_gbcs` decodes one GBCS frame or GBT block into two views. The record is what
``--json`` prints, with the keys ``ok``, ``error``, ``mac_header``, ``cra``,
``originator_counter``, ``originator``, ``recipient``, ``message_code``, ``use_case``,
``payload_kind``, ``signature_length``, ``mac``, ``signature``, ``round_trip`` and ``payload``.
The :class:`Node` tree shows every field with its raw octets and meaning. With a key store the
decoder also checks the MAC and signature and decrypts protected payload parts.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from commshub.cli.layers import RECORD_KEYS, DecodeOptions, DecodeResult
from commshub.codecs.common import Node
from commshub.codecs.dlms import Data, DataType
from commshub.codecs.dlms.cosem_time import CosemDateTime
from commshub.codecs.dlms.describe import apdu_tree, data_tree
from commshub.codecs.dlms.xdlms import Apdu, DataNotification
from commshub.codecs.gbcs.asn1 import Asn1Payload, asn1_to_json, encode_asn1
from commshub.codecs.gbcs.ber import encode_length
from commshub.codecs.gbcs.crypto import Verdict, check_mac, verify_signature
from commshub.codecs.gbcs.frame import (
    GENERAL_CIPHERING_TAG,
    GENERAL_SIGNING_TAG,
    SECURITY_HEADER,
    GbcsFrame,
    encode_frame,
    encode_general_signing,
    encode_other_information,
    eui64,
    eui_hex,
    parse_frame,
)
from commshub.codecs.gbcs.gbt import GbtReassembler, is_gbt_block, parse_gbt_block
from commshub.codecs.gbcs.gbz import (
    ENCRYPTED_COMPONENT,
    FROM_DATE_TIME_PRESENT,
    GBZ_COMPONENT,
    LAST_COMPONENT,
    FirmwareReceipt,
    FutureDatedOutcome,
    GbzAlert,
    GbzComponent,
    GbzPayload,
    IntegrityWarning,
)
from commshub.codecs.gbcs.keystore import KeyStore, KeyStoreError
from commshub.codecs.gbcs.payload import (
    Payload,
    decode_payload,
    decrypt_component,
    decrypt_protected_data,
    find_protected_data,
    payload_kind,
)
from commshub.codecs.gbcs.tables import (
    ASN1_DEVICE_TYPES,
    REMOTE_PARTY_ROLES,
    Cra,
    alert_name,
    use_case,
)
from commshub.codecs.zigbee.describe_zcl import describe_zcl_frame
from commshub.codecs.zigbee.zcl import command_of, parse_zcl
from commshub.errors import CodecError, CommshubError, SecurityError

__all__ = ["GBZ_CLUSTERS", "decode_gbcs", "frame_record", "frame_tree", "payload_tree", "set_up_gbcs"]

# ZigBee Smart Energy clusters that GBZ payloads address (ZigBee SE 1.4 cluster IDs).
GBZ_CLUSTERS: dict[int, str] = {
    0x0000: "Basic",
    0x000A: "Time",
    0x0019: "OTA Upgrade",
    0x0700: "Price",
    0x0701: "Demand Response and Load Control",
    0x0702: "Metering",
    0x0703: "Messaging",
    0x0704: "Tunneling",
    0x0705: "Prepayment",
    0x0707: "Calendar",
    0x0708: "Device Management",
    0x0709: "Events",
}

_ZIGBEE_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # ZigBee UTCTime origin
_RECORD_KEYS = RECORD_KEYS["gbcs"]
_KEYS_CACHE = "gbcs.keys"
_GBT_CACHE = "gbcs.gbt"


# --- the CLI layer decoder -----------------------------------------------------------------


def decode_gbcs(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode one GBCS frame (or GBT block) for ``commshub decode``."""
    data = bytes(data)
    try:
        keys = _keys(options)
        acb = eui64(options.acb)
        if is_gbt_block(data):
            return _decode_gbt(data, options, keys, acb)
        frame = parse_frame(data)
    except (CodecError, KeyStoreError) as exc:
        record = dict.fromkeys(_RECORD_KEYS)
        record.update(ok=False, error=str(exc), round_trip=False)
        return DecodeResult(record)
    record, tree = frame_record(frame, data, keys=keys, acb=acb)
    return DecodeResult(record, tree)


def set_up_gbcs(options: DecodeOptions) -> list[str]:
    """Load the key store of ``options.keys`` once, before the first frame.

    A file of the store that cannot be used is left out, so frames that need its key report
    "unknown". The returned warnings name each such file and the reason.
    """
    if options.keys is None:
        return []
    _keys(options)
    skipped: list[KeyStoreError] = options.cache[_KEYS_CACHE][2]
    return [f"key store file skipped: {error}" for error in skipped]


def _keys(options: DecodeOptions) -> KeyStore | None:
    """Return the key store of ``options.keys``, loaded on first use and then cached."""
    if options.keys is None:
        return None
    cached = options.cache.get(_KEYS_CACHE)
    if cached is None or cached[0] != options.keys:
        skipped: list[KeyStoreError] = []
        cached = (options.keys, KeyStore.load(Path(options.keys), skipped=skipped), skipped)
        options.cache[_KEYS_CACHE] = cached
    store: KeyStore = cached[1]
    return store


def _decode_gbt(data: bytes, options: DecodeOptions, keys: KeyStore | None, acb: bytes) -> DecodeResult:
    record = dict.fromkeys(_RECORD_KEYS)
    try:
        block = parse_gbt_block(data)
    except CodecError as exc:
        record.update(ok=False, error=str(exc), round_trip=False)
        return DecodeResult(record)

    tree = Node("gbt-block", data, meaning="general block transfer")
    tree.add("cra-flag", bytes([int(block.cra)]), int(block.cra), _cra_text(block.cra))
    tree.add("originator-counter", block.originator_counter.to_bytes(8, "big"), block.originator_counter)
    tree.add("originator", b"\x08" + block.originator, eui_hex(block.originator))
    tree.add("recipient", b"\x08" + block.recipient, eui_hex(block.recipient))
    tree.add("message-code", block.message_code.to_bytes(2, "big"), block.message_code,
             _use_case_text(block.message_code))
    tree.add("security-control", bytes([block.security_control]), block.security_control)
    tree.add("block-number", block.block_number.to_bytes(2, "big"), block.block_number,
             "last block" if block.last_block else None)
    tree.add("block-number-ack", block.block_number_ack.to_bytes(2, "big"), block.block_number_ack)
    tree.add("block-data", block.data, meaning=f"{len(block.data)} octets")

    record.update(
        ok=True, error=None, mac_header=False, cra=_cra_text(block.cra),
        originator_counter=block.originator_counter, originator=eui_hex(block.originator),
        recipient=eui_hex(block.recipient), message_code=block.message_code,
        use_case=_use_case_id(block.message_code), payload_kind="gbt",
        round_trip=block.to_bytes() == data, block_number=block.block_number,
        last_block=block.last_block,
    )

    reassembler = options.cache.setdefault(_GBT_CACHE, GbtReassembler())
    try:
        message = reassembler.add(block)
    except CommshubError as exc:
        record.update(ok=False, error=f"GBT reassembly failed: {exc}")
        return DecodeResult(record, tree)
    if message is not None:
        inner = decode_gbcs(message, options)
        if inner.tree is not None:
            inner.tree.name = "reassembled-frame"
            tree.children.append(inner.tree)
        record["reassembled"] = inner.record
    record["payload"] = tree.to_json()
    return DecodeResult(record, tree)


def frame_record(
    frame: GbcsFrame, data: bytes | None = None, *, keys: KeyStore | None = None, acb: bytes | str = b"",
) -> tuple[dict[str, Any], Node]:
    """Return the JSON record and the tree of a parsed frame (``data``: its wire octets)."""
    acb_eui = eui64(acb) if acb else eui64("90B3D51F30000002")
    wire = data if data is not None else encode_frame(frame)
    mac = _mac_verdict(frame, keys, acb_eui)
    signature = _signature_verdict(frame, keys)
    error = None
    try:
        payload: Payload | None = decode_payload(frame)
    except CodecError as exc:
        payload, error = None, f"payload: {exc}"
    tree = frame_tree(frame, payload, wire=wire, keys=keys, mac=mac, signature=signature,
                      payload_error=error)
    case = use_case(frame.message_code)
    payload_node = next((child for child in tree.children if child.name == "payload"), None)
    record: dict[str, Any] = {
        "ok": error is None,
        "error": error,
        "mac_header": frame.has_mac_header,
        "cra": _cra_text(frame.cra),
        "originator_counter": frame.originator_counter,
        "originator": eui_hex(frame.originator),
        "recipient": eui_hex(frame.recipient),
        "message_code": frame.message_code,
        "use_case": _use_case_id(frame.message_code),
        "use_case_title": None if case is None else case.title,
        "payload_kind": payload_kind(frame.content).value,
        "signature_length": len(frame.signature or b""),
        "mac": None if mac is None else mac.value,
        "signature": None if signature is None else signature.value,
        "round_trip": encode_frame(frame) == wire,
        "payload": None if payload_node is None else payload_node.to_json(),
    }
    return record, tree


def _mac_verdict(frame: GbcsFrame, keys: KeyStore | None, acb: bytes) -> Verdict | None:
    if frame.mac is None:
        return None
    if keys is None:
        return Verdict.UNKNOWN
    return check_mac(frame, keys, acb=acb)


def _signature_verdict(frame: GbcsFrame, keys: KeyStore | None) -> Verdict | None:
    if keys is None:
        return None if frame.signature == b"" else Verdict.UNKNOWN
    return verify_signature(frame, keys)


def _cra_text(cra: Cra | int) -> str:
    return Cra(cra).name.lower() if int(cra) in (1, 2, 3) else f"unknown ({int(cra)})"


def _use_case_id(code: int) -> str | None:
    case = use_case(code)
    return None if case is None else case.identifier


def _use_case_text(code: int) -> str:
    case = use_case(code)
    return "unknown message code" if case is None else case.name


# --- the frame tree ------------------------------------------------------------------------


def frame_tree(
    frame: GbcsFrame, payload: Payload | None = None, *, wire: bytes | None = None,
    keys: KeyStore | None = None, mac: Verdict | None = None, signature: Verdict | None = None,
    payload_error: str | None = None,
) -> Node:
    """Return the tree of a frame: MAC header, grouping header, payload, signature and MAC."""
    wire = wire if wire is not None else encode_frame(frame)
    forms = frame.length_forms
    root = Node("gbcs-frame", wire, meaning=_use_case_text(frame.message_code))
    apdu = encode_general_signing(frame)
    if frame.mac is not None:
        header = root.add("mac-header", meaning="general-ciphering")
        header.add("general-ciphering", bytes([GENERAL_CIPHERING_TAG]), meaning="xDLMS general-ciphering tag")
        header.add("empty-fields", bytes(6),
                   meaning="transaction-id, originator, recipient, date-time, other-information, key-info: empty")
        length = len(SECURITY_HEADER) + len(apdu) + len(frame.mac)
        header.add("ciphered-service-length", encode_length(length, forms.ciphered_service), length)
        header.add("security-header", SECURITY_HEADER,
                   meaning="security control 0x11 (authentication), invocation counter 0")
        header.raw = b"".join(child.raw for child in header.children)
    root.children.append(_grouping_header_tree(frame))
    content = root.add("payload", frame.content, meaning=payload_kind(frame.content).value)
    if payload is not None:
        _fill_payload(content, frame, payload, keys)
    elif payload_error is not None:
        content.add("error", meaning=payload_error)
    root.children.append(_signature_tree(frame, signature))
    if frame.mac is not None:
        root.add("mac", frame.mac, meaning=_verdict_text("MAC", mac))
    return root


def _grouping_header_tree(frame: GbcsFrame) -> Node:
    forms = frame.length_forms
    node = Node("grouping-header", meaning="general-signing")
    node.add("general-signing", bytes([GENERAL_SIGNING_TAG]), meaning="xDLMS general-signing tag")
    counter = frame.originator_counter.to_bytes(8, "big")
    transaction = node.add("transaction-id", b"\x09" + bytes([int(frame.cra)]) + counter)
    transaction.add("cra-flag", bytes([int(frame.cra)]), int(frame.cra), _cra_text(frame.cra))
    transaction.add("originator-counter", counter, frame.originator_counter)
    node.add("originator", b"\x08" + frame.originator, eui_hex(frame.originator), "business originator")
    node.add("recipient", b"\x08" + frame.recipient, eui_hex(frame.recipient), "business recipient")
    if frame.date_time is None:
        node.add("date-time", b"\x00", meaning="absent")
    else:
        node.add("date-time", b"\x0c" + frame.date_time, _cosem_date_time_text(frame.date_time))

    other = encode_other_information(frame)
    info = node.add("other-information", encode_length(len(other), forms.other_information) + other)
    info.add("length", encode_length(len(other), forms.other_information), len(other))
    info.add("message-code", frame.message_code.to_bytes(2, "big"), frame.message_code,
             _use_case_text(frame.message_code))
    if frame.supplementary_remote_party_id is not None:
        info.add("supplementary-remote-party-id", frame.supplementary_remote_party_id,
                 eui_hex(frame.supplementary_remote_party_id))
    if frame.supplementary_remote_party_counter is not None:
        info.add("supplementary-remote-party-counter",
                 frame.supplementary_remote_party_counter.to_bytes(8, "big"),
                 frame.supplementary_remote_party_counter)
    if frame.supplementary_originator_counter is not None:
        info.add("supplementary-originator-counter",
                 frame.supplementary_originator_counter.to_bytes(8, "big"),
                 frame.supplementary_originator_counter)
    if frame.supplementary_certificate is not None:
        info.add("supplementary-remote-party-ka-certificate", frame.supplementary_certificate,
                 meaning=_certificate_text(frame.supplementary_certificate))

    length = len(frame.content)
    node.add("content-length", encode_length(length, forms.content), length)
    node.raw = b"".join(child.raw for child in node.children)
    return node


def _signature_tree(frame: GbcsFrame, verdict: Verdict | None) -> Node:
    if frame.signature is None:
        return Node("signature", meaning="absent (pre-command awaiting its signature)")
    raw = encode_length(len(frame.signature), frame.length_forms.signature) + frame.signature
    if not frame.signature:
        return Node("signature", raw, meaning="empty: not signed")
    node = Node("signature", raw, meaning=_verdict_text("signature", verdict))
    node.add("length", raw[: len(raw) - len(frame.signature)], len(frame.signature))
    node.add("r", frame.signature[:32])
    node.add("s", frame.signature[32:])
    return node


def _verdict_text(what: str, verdict: Verdict | None) -> str:
    if verdict is None:
        return f"{what} not checked"
    if verdict is Verdict.UNKNOWN:
        return f"{what} unknown: no key to check it"
    return f"{what} {verdict.value}"


# --- payload trees -------------------------------------------------------------------------


def payload_tree(frame: GbcsFrame, keys: KeyStore | None = None) -> Node:
    """Return the tree of the frame's payload alone; raise CodecError when it does not decode."""
    payload = decode_payload(frame)
    node = Node("payload", frame.content, meaning=payload_kind(frame.content).value)
    _fill_payload(node, frame, payload, keys)
    return node


def _fill_payload(node: Node, frame: GbcsFrame, payload: Payload, keys: KeyStore | None) -> None:
    if isinstance(payload, GbzPayload):
        _gbz_tree(node, frame, payload, keys)
    elif isinstance(payload, GbzAlert):
        _gbz_alert_tree(node, frame, payload, keys)
    elif isinstance(payload, Asn1Payload):
        _asn1_tree(node, payload)
    else:
        _dlms_tree(node, frame, payload, keys)


def _dlms_tree(node: Node, frame: GbcsFrame, apdu: Apdu, keys: KeyStore | None) -> None:
    tree = apdu_tree(apdu, raw=node.raw)
    node.meaning = f"dlms {tree.meaning}"
    node.children.append(tree)
    if isinstance(apdu, DataNotification):
        _dlms_alert_summary(node, apdu.body)
    for index, protected in enumerate(find_protected_data(apdu)):
        child = node.add(f"protected-data[{index}]", protected.security_header + protected.ciphertext,
                         meaning=f"encrypted by {eui_hex(protected.originator)} for "
                                 f"{eui_hex(protected.recipient)}, counter {protected.counter}")
        if keys is None:
            child.add("plaintext", meaning="not decrypted: no key store given")
            continue
        try:
            plaintext = decrypt_protected_data(frame, protected, keys)
        except (SecurityError, CodecError) as exc:
            child.add("plaintext", meaning=f"decryption failed: {exc}")
            continue
        if plaintext is None:
            child.add("plaintext", meaning="not decrypted: no key agreement key pair")
        else:
            child.children.append(data_tree(plaintext, "plaintext"))


def _dlms_alert_summary(node: Node, body: Data) -> None:
    """Name the GBCS alert code of a DLMS alert: structure{long-unsigned code, date-time, ...}."""
    if body.type != DataType.STRUCTURE or not body.value:
        return
    first = body.value[0]
    if first.type == DataType.LONG_UNSIGNED:
        node.add("alert-code", first.value.to_bytes(2, "big"), first.value,
                 alert_name(first.value) or "unknown alert code")


def _gbz_tree(node: Node, frame: GbcsFrame, payload: GbzPayload, keys: KeyStore | None) -> None:
    node.meaning = "gbz"
    node.add("profile-id", b"\x01\x09", 0x0109, "ZigBee Smart Energy")
    node.add("component-count", bytes([len(payload.components)]), len(payload.components))
    for index, component in enumerate(payload.components):
        node.children.append(_component_tree(f"component[{index}]", frame, component, keys))


def _component_tree(name: str, frame: GbcsFrame, component: GbzComponent, keys: KeyStore | None) -> Node:
    raw = GBZ_COMPONENT.build(component)
    node = Node(name, raw, meaning=GBZ_CLUSTERS.get(component.cluster, f"cluster 0x{component.cluster:04X}"))
    node.add("extended-header-control", raw[:1], component.control, _control_text(component.control))
    node.add("cluster", raw[1:3], component.cluster,
             GBZ_CLUSTERS.get(component.cluster, "unknown cluster"))
    node.add("length", raw[3:5], int.from_bytes(raw[3:5], "big"))
    if component.from_date_time is not None:
        node.add("from-date-time", component.from_date_time.to_bytes(4, "big"),
                 _zigbee_time_text(component.from_date_time))

    encryption = component.encryption
    if encryption is not None:
        node.add("additional-header-control", bytes([encryption.additional_header_control]),
                 encryption.additional_header_control)
        node.add("additional-frame-counter", bytes([encryption.additional_frame_counter]),
                 encryption.additional_frame_counter)
    node.add("zcl-frame-control", bytes([component.frame_control]), component.frame_control,
             _zcl_frame_control_text(component.frame_control))
    node.add("zcl-sequence-number", bytes([component.sequence_number]), component.sequence_number)
    node.add("zcl-command-id", bytes([component.command_id]), component.command_id)
    if encryption is None:
        node.children.append(_zcl_payload_tree(component, component.payload))
        return node

    header = bytes([encryption.security_control]) + encryption.invocation_counter.to_bytes(4, "big")
    node.add("security-header", header, meaning=f"security control 0x{encryption.security_control:02X}")
    node.add("ciphertext", encryption.ciphertext[:-12])
    node.add("tag", encryption.ciphertext[-12:])
    if keys is None:
        node.add("zcl-payload", meaning="encrypted; not decrypted: no key store given")
        return node
    try:
        plaintext = decrypt_component(frame, component, keys)
    except SecurityError as exc:
        node.add("zcl-payload", meaning=f"decryption failed: {exc}")
        return node
    if plaintext is None:
        node.add("zcl-payload", meaning="encrypted; no key agreement key pair")
    else:
        payload_node = _zcl_payload_tree(component, plaintext)
        payload_node.meaning = f"decrypted, {payload_node.meaning}"
        node.children.append(payload_node)
    return node


def _zcl_payload_tree(component: GbzComponent, payload: bytes) -> Node:
    """Decode a component's ZCL payload with the ZCL codec into a tree.

    The ZCL direction is the one in the component's frame control. The GBCS CRA flag does not
    give it: a GBCS command often carries a server-to-client ZCL command, such as Publish Calendar
    to a gas meter, which is a Calendar client. When decoding fails, the node keeps the raw
    octets and gives the error in its meaning.
    """
    zcl_frame = bytes((component.frame_control, component.sequence_number, component.command_id)) + payload
    try:
        parsed = parse_zcl(zcl_frame, component.cluster)
    except CodecError as exc:
        return Node("zcl-payload", payload, meaning=f"{len(payload)} octets, not decoded as ZCL: {exc}")
    zcl_tree = describe_zcl_frame(parsed, zcl_frame)
    command = command_of(parsed.frame_type, parsed.cluster_id, parsed.direction, parsed.command_id,
                         parsed.manufacturer_code)
    node = Node("zcl-payload", payload,
                meaning=f"{len(payload)} octets, " + (command.name if command else "command not declared"))
    for child in zcl_tree.children:
        if child.name == "payload":
            node.children.extend(child.children)
            if not child.children:
                node.add("octets", child.raw, value=child.value, meaning=child.meaning)
        elif child.name == "trailing":
            node.children.append(child)
    return node


def _gbz_alert_tree(node: Node, frame: GbcsFrame, alert: GbzAlert, keys: KeyStore | None) -> None:
    node.meaning = "gbz alert"
    node.add("profile-id", b"\x01\x09", 0x0109, "ZigBee Smart Energy")
    node.add("component-count", bytes([alert.component_count]), alert.component_count)
    node.add("alert-code", alert.alert_code.to_bytes(2, "big"), alert.alert_code,
             alert_name(alert.alert_code) or "unknown alert code")
    node.add("timestamp", alert.timestamp.to_bytes(4, "big"), _zigbee_time_text(alert.timestamp))
    body = alert.body
    if isinstance(body, FutureDatedOutcome):
        child = node.add("future-dated-outcome", meaning="the future-dated command that ran")
        child.add("message-code", body.message_code.to_bytes(2, "big"), body.message_code,
                  _use_case_text(body.message_code))
        child.add("originator-counter", body.originator_counter.to_bytes(8, "big"), body.originator_counter)
        child.add("cluster", body.cluster.to_bytes(2, "big"), body.cluster, GBZ_CLUSTERS.get(body.cluster))
        child.add("zcl-frame-control", bytes([body.frame_control]), body.frame_control)
        child.add("zcl-command-id", bytes([body.command_id]), body.command_id)
    elif isinstance(body, FirmwareReceipt):
        node.add("manufacturer-image-hash", body.image_hash, meaning="SHA-256 calculated by the device")
    elif isinstance(body, IntegrityWarning):
        node.add("integrity-warning", body.warning.to_bytes(2, "big"), body.warning)
    elif isinstance(body, GbzComponent):
        node.children.append(_component_tree("component", frame, body, keys))
    elif body:
        node.add("body", bytes(body), meaning="use-case specific octets")


def _asn1_tree(node: Node, payload: Asn1Payload) -> None:
    exact = "byte-exact" if payload.der_exact else "differs (input uses non-shortest BER lengths; original kept)"
    node.meaning = f"asn1 {payload.type_name}"
    node.add("der-re-encoding", meaning=exact)
    node.children.append(_asn1_value_tree(payload.type_name, payload.value))


def _asn1_value_tree(name: str, value: Any) -> Node:
    if isinstance(value, dict) and "tbsCertificate" in value:
        der = encode_asn1("Certificate", value)
        return Node(name, der, meaning=_certificate_text(der))
    if isinstance(value, dict):
        node = Node(name)
        for key, item in value.items():
            node.children.append(_asn1_value_tree(key, item))
        return node
    if isinstance(value, list):
        node = Node(name, value=f"{len(value)} elements")
        for index, item in enumerate(value):
            node.children.append(_asn1_value_tree(f"[{index}]", item))
        return node
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        node = Node(name, meaning=f"choice {value[0]}")
        node.children.append(_asn1_value_tree(value[0], value[1]))
        return node
    if isinstance(value, (bytes, bytearray)):
        return Node(name, bytes(value), bytes(value).hex().upper())
    return Node(name, value=asn1_to_json(value), meaning=_asn1_meaning(name, value))


def _asn1_meaning(name: str, value: Any) -> str | None:
    if not isinstance(value, int):
        return None
    if name == "alertCode":
        return alert_name(value) or "unknown alert code"
    if name == "deviceType":
        return ASN1_DEVICE_TYPES.get(value)
    if name.endswith("RemotePartyRole") or name in ("remotePartyRole", "targetRemotePartyRole"):
        return REMOTE_PARTY_ROLES.get(value)
    return None


# --- small formatters ----------------------------------------------------------------------


def _control_text(control: int) -> str:
    flags = [text for bit, text in ((LAST_COMPONENT, "last component"), (ENCRYPTED_COMPONENT, "encrypted"),
                                    (FROM_DATE_TIME_PRESENT, "from date-time present")) if control & bit]
    return ", ".join(flags) or "no flags"


def _zcl_frame_control_text(frame_control: int) -> str:
    kind = "cluster-specific" if frame_control & 0x03 == 0x01 else "global"
    direction = "server to client" if frame_control & 0x08 else "client to server"
    text = f"{kind}, {direction}"
    if frame_control & 0x10:
        text += ", default response disabled"
    return text


def _zigbee_time_text(seconds: int) -> str:
    moment = _ZIGBEE_EPOCH + datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _cosem_date_time_text(raw: bytes) -> str:
    try:
        return CosemDateTime.from_bytes(raw).to_datetime().isoformat()
    except (CodecError, ValueError, OverflowError):
        return raw.hex().upper()


def _certificate_text(der: bytes) -> str:
    # cryptography 50.0 raises InvalidVersion for an unknown version, and parses the subject
    # only when it is first read, raising TypeError for some malformed attribute values.
    try:
        certificate = x509.load_der_x509_certificate(der)
        subject = certificate.subject.rfc4514_string() or "empty subject"
    except (ValueError, TypeError, x509.InvalidVersion):
        return f"{len(der)} octets, not a readable X.509 certificate"
    return f"X.509 certificate, serial {certificate.serial_number:X}, subject {subject}"
