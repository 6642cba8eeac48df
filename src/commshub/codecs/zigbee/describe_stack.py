"""Decode trees for ``commshub decode --as mac|nwk|aps``.

Each decoder parses its layer, then the layers inside it as far as they go. An 802.15.4 data
frame's payload is read as NWK, a NWK data frame's payload as APS, and the payload of an APS
data frame to endpoint 0 with profile 0x0000 as ZDP. A beacon's payload is read as a ZigBee
beacon. Secured NWK and APS payloads are decrypted when ``--keys DIR`` names a folder holding a
Wireshark ``zigbee_pc_keys`` file, as :func:`commshub.codecs.zigbee.pcap.wireshark_key_file`
writes it. The JSON record has ``ok``, ``error``, ``round_trip`` (the top layer rebuilt from its
decoded value gives the input bytes), ``fcs`` and ``mic`` where they apply, and the tree under
``frame``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from construct import Container, EnumIntegerString, ListContainer

from commshub.cli.layers import DecodeOptions, DecodeResult
from commshub.codecs.common import Node
from commshub.codecs.zigbee import aps, mac, nwk, zdo
from commshub.codecs.zigbee.stack_common import format_eui64
from commshub.errors import CodecError, CommshubError, SecurityError

__all__ = [
    "KEY_FILE_NAME",
    "decode_aps",
    "decode_mac",
    "decode_nwk",
    "frame_tree",
    "load_key_file",
]

KEY_FILE_NAME = "zigbee_pc_keys"
_KEY_RECORD = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"')
_KEY_CACHE = "zigbee_stack_keys"
_ZIGBEE_BEACON_PROTOCOL_ID = 0  # the first byte of a ZigBee beacon payload

# Meanings shown beside numeric fields, by field name.
_NAMED_FIELDS: dict[str, Mapping[int, str]] = {
    "status_code": nwk.NWK_STATUS_CODES,
    "key_type": aps.KEY_TYPES,
}
_MAX_SHORT = 0xFFFF
# 16-bit identifiers shown in hex beside their value.
_HEX16_FIELDS = frozenset({"cluster_id", "profile_id", "superframe_specification",
                           "nwk_addr_of_interest", "manufacturer_code"})
# Fields that hold an EUI-64.
_EUI64_FIELDS = frozenset({
    "destination_ieee_address", "source_ieee_address", "originator_ieee_address",
    "responder_ieee_address", "extended_pan_id", "device_address", "target_address",
    "partner_address", "initiator_address", "responder_address", "ieee_address",
    "extended_address",
})
# Meanings of numeric ZDP fields, by field name.
_ZDP_NAMED_FIELDS: dict[str, Mapping[int, str]] = {
    "status": zdo.ZDP_STATUS,
    "request_type": zdo.REQUEST_TYPES,
}


def load_key_file(folder: Path) -> list[tuple[str, bytes]]:
    """Read the ``(label, key)`` records of the Wireshark key file in ``folder``; keys written
    in reverse byte order are turned around. A folder without the file gives no keys."""
    path = folder / KEY_FILE_NAME
    if not path.is_file():
        return []
    keys = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_RECORD.match(line)
        digits = re.sub(r"[\s:\-]", "", match.group(1)) if match else ""
        if not match or not re.fullmatch(r"[0-9A-Fa-f]{32}", digits):
            raise CodecError(f"{path}: line {number} is not a \"key\",\"byte order\",\"label\" "
                             f"record with a 16-byte hex key", path=(KEY_FILE_NAME,))
        key = bytes.fromhex(digits)
        if match.group(2).lower().startswith("rev"):
            key = key[::-1]
        keys.append((match.group(3) or f"key {number}", key))
    return keys


def _keys(options: DecodeOptions) -> list[tuple[str, bytes]]:
    if options.keys is None:
        return []
    if _KEY_CACHE not in options.cache:
        options.cache[_KEY_CACHE] = load_key_file(options.keys)
    keys: list[tuple[str, bytes]] = options.cache[_KEY_CACHE]
    return keys


def _field_meaning(name: str, value: Any) -> str | None:
    if isinstance(value, EnumIntegerString):
        return str(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if name in _EUI64_FIELDS or (name.endswith("address") and value > _MAX_SHORT):
        return format_eui64(value)
    if name.endswith(("address", "pan_id")) or name in _HEX16_FIELDS:
        return f"0x{value:04X}"
    names = _NAMED_FIELDS.get(name)
    return names.get(value) if names is not None else None


def frame_tree(name: str, value: Mapping[str, Any], *, raw: bytes = b"",
               meaning: str | None = None) -> Node:
    """Turn a parsed frame value into a tree; absent fields (None) are left out."""
    node = Node(name, raw, meaning=meaning)
    _add_children(node, value)
    return node


def _add_children(node: Node, value: Mapping[str, Any]) -> None:
    for key, item in value.items():
        if key.startswith("_") or item is None:
            continue
        _add_item(node, key, item)


def _add_item(node: Node, key: str, item: Any) -> None:
    if isinstance(item, (Container, dict)):
        child = node.add(key)
        _add_children(child, item)
    elif isinstance(item, (ListContainer, list)):
        child = node.add(key, value=f"{len(item)} items")
        for index, element in enumerate(item):
            _add_item(child, f"[{index}]", element)
    elif isinstance(item, (bytes, bytearray)):
        if item:
            node.add(key, bytes(item), value=bytes(item).hex().upper())
    elif isinstance(item, EnumIntegerString):
        node.add(key, value=int(item), meaning=str(item))
    else:
        node.add(key, value=item, meaning=_field_meaning(key, item))


def _command_meaning(names: Mapping[int, str], command_id: int | None) -> str | None:
    if command_id is None:
        return None
    return names.get(command_id, f"command 0x{command_id:02X}")


def _result(record: dict[str, Any], tree: Node) -> DecodeResult:
    record["frame"] = tree.to_json()
    return DecodeResult(record, tree)


def _failure(exc: CommshubError) -> DecodeResult:
    return DecodeResult({"ok": False, "error": str(exc), "round_trip": False, "frame": None})


def decode_mac(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode an 802.15.4 frame, with or without its FCS, and the ZigBee layers inside it."""
    data = bytes(data)
    try:
        frame = mac.parse_mac_frame(data, fcs=True)
        fcs_status = "valid"
    except CodecError as first_error:
        try:
            frame = mac.parse_mac_frame(data, fcs=False)
        except CodecError as second_error:
            # Report the reading that got further into the input: a frame too short for its
            # FCS fails at offset 0 when read with one, which would hide the missing field.
            further = (second_error.offset or 0) > (first_error.offset or 0)
            return _failure(second_error if further else first_error)
        fcs_status = "absent or wrong (decoded as an MPDU without FCS)"
    with_fcs = fcs_status == "valid"
    record: dict[str, Any] = {"ok": True, "error": None,
                              "round_trip": mac.build_mac_frame(frame, fcs=with_fcs) == data,
                              "fcs": fcs_status}
    frame_type = int(frame.frame_control.frame_type)
    tree = frame_tree("mac", frame, raw=data,
                      meaning=f"IEEE 802.15.4 {mac.FRAME_TYPES.get(frame_type, 'frame')}")
    if with_fcs:
        tree.add("fcs", data[-mac.FCS_LENGTH:], value=int.from_bytes(data[-2:], "little"),
                 meaning="valid CRC-16/KERMIT")
    else:
        tree.add("fcs", meaning=fcs_status)
    if frame.command_id is not None:
        _annotate(tree, "command_id", _command_meaning(mac.MAC_COMMANDS, frame.command_id))
    if frame.payload and not frame.frame_control.security_enabled:
        if frame_type == 1:
            _nest_nwk(tree, record, frame.payload, options)
        elif frame_type == 0 and frame.payload[0] == _ZIGBEE_BEACON_PROTOCOL_ID:
            _nest_beacon(tree, frame.payload)
    return _result(record, tree)


def decode_nwk(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode a ZigBee NWK frame and, for data frames, the APS frame inside."""
    return _decode_layer(bytes(data), options, nwk.parse_nwk_frame, nwk.build_nwk_frame,
                         _describe_nwk)


def decode_aps(data: bytes, options: DecodeOptions) -> DecodeResult:
    """Decode a ZigBee APS frame."""
    return _decode_layer(bytes(data), options, aps.parse_aps_frame, aps.build_aps_frame,
                         _describe_aps)


def _decode_layer(data: bytes, options: DecodeOptions, parse_frame: Callable[[bytes], Any],
                  build_frame: Callable[[Any], bytes], describe: Callable[..., None],
                  ) -> DecodeResult:
    try:
        frame = parse_frame(data)
    except CodecError as exc:
        return _failure(exc)
    record: dict[str, Any] = {"ok": True, "error": None,
                              "round_trip": build_frame(frame) == data}
    tree = Node("root")
    describe(tree, record, frame, data, options)
    return _result(record, tree.children[0])


def _annotate(node: Node, name: str, meaning: str | None) -> None:
    for child in node.children:
        if child.name == name:
            child.meaning = meaning


def _nest_beacon(parent: Node, payload: bytes) -> None:
    try:
        beacon = nwk.parse_zigbee_beacon(payload)
    except CodecError as exc:
        parent.add("zigbee_beacon", payload, meaning=f"not a ZigBee beacon payload: {exc}")
        return
    parent.children.append(frame_tree("zigbee_beacon", beacon, raw=payload,
                                      meaning="ZigBee beacon payload"))


def _nest_nwk(parent: Node, record: dict[str, Any], payload: bytes,
              options: DecodeOptions) -> None:
    try:
        frame = nwk.parse_nwk_frame(payload)
    except CodecError as exc:
        parent.add("nwk", payload, meaning=f"payload is not a ZigBee NWK frame: {exc.reason}")
        return
    _describe_nwk(parent, record, frame, payload, options)


def _describe_nwk(parent: Node, record: dict[str, Any], frame: Container, data: bytes,
                  options: DecodeOptions) -> None:
    frame_type = int(frame.frame_control.frame_type)
    node = frame_tree("nwk", frame, raw=data,
                      meaning=f"ZigBee NWK {nwk.NWK_FRAME_TYPES.get(frame_type, 'frame')}")
    parent.children.append(node)
    if frame.command_id is not None:
        _annotate(node, "command_id", _command_meaning(nwk.NWK_COMMANDS, frame.command_id))
    if frame.auxiliary_security_header is not None:
        frame = _decrypt(node, record, "nwk", data, options,
                         lambda key: nwk.unsecure_nwk_frame(data, key))
        if frame is None:
            return
        _add_plaintext(node, frame, nwk.NWK_COMMANDS)
        if frame.command_id is not None:
            return
    if frame_type in (0, 3) and frame.payload:
        source = frame.source_ieee_address
        if source is None and frame.auxiliary_security_header is not None:
            source = frame.auxiliary_security_header.source_address
        try:
            inner = aps.parse_aps_frame(frame.payload)
        except CodecError as exc:
            node.add("aps", frame.payload, meaning=f"payload is not an APS frame: {exc.reason}")
            return
        _describe_aps(node, record, inner, frame.payload, options, source_address=source)


def _describe_aps(parent: Node, record: dict[str, Any], frame: Container, data: bytes,
                  options: DecodeOptions, *, source_address: int | None = None) -> None:
    frame_type = int(frame.frame_control.frame_type)
    node = frame_tree("aps", frame, raw=data,
                      meaning=f"ZigBee APS {aps.APS_FRAME_TYPES.get(frame_type, 'frame')}")
    parent.children.append(node)
    if frame.command_id is not None:
        _annotate(node, "command_id", _command_meaning(aps.APS_COMMANDS, frame.command_id))
    if frame.auxiliary_security_header is None:
        _nest_zdp(node, frame, frame.payload)
        return
    plain = _decrypt(node, record, "aps", data, options,
                     lambda key: aps.unsecure_aps_frame(data, key,
                                                        source_address=source_address))
    if plain is None:
        return
    _add_plaintext(node, plain, aps.APS_COMMANDS)
    _nest_zdp(node, plain, plain.payload)


def _nest_zdp(parent: Node, frame: Container, payload: bytes) -> None:
    """Decode the payload of an APS data frame addressed to the ZigBee Device Object."""
    if (int(frame.frame_control.frame_type) != 0 or not payload
            or not zdo.is_zdp(frame.destination_endpoint, frame.profile_id)):
        return
    cluster_id = int(frame.cluster_id)
    name = zdo.ZDP_CLUSTERS.get(cluster_id, f"cluster 0x{cluster_id:04X}")
    try:
        zdp = zdo.parse_zdp_frame(payload, cluster_id)
    except CodecError as exc:
        parent.add("zdp", payload, meaning=f"payload is not a ZDP {name} frame: {exc.reason}")
        return
    node = frame_tree("zdp", zdp, raw=payload, meaning=f"ZigBee Device Profile {name}")
    parent.children.append(node)
    for child in node.children:
        if child.name != "command":
            continue
        for field in child.children:
            names = _ZDP_NAMED_FIELDS.get(field.name)
            if names is not None and isinstance(field.value, int):
                field.meaning = names.get(field.value, f"0x{field.value:02X}")


def _add_plaintext(node: Node, plain: Container, commands: Mapping[int, str]) -> None:
    if plain.command_id is None:
        node.add("decrypted_payload", plain.payload, value=plain.payload.hex().upper())
        return
    command = Container(command_id=plain.command_id, command=plain.command,
                        payload=plain.payload)
    node.children.append(frame_tree("decrypted_command", command,
                                    meaning=_command_meaning(commands, plain.command_id)))


def _decrypt(node: Node, record: dict[str, Any], layer: str, data: bytes,
             options: DecodeOptions, unsecure: Any) -> Container | None:
    keys = _keys(options)
    if not keys:
        record[f"{layer}_mic"] = "not checked (no keys)"
        return None
    for label, key in keys:
        try:
            plain: Container = unsecure(key)
        except SecurityError:
            continue
        except CommshubError as exc:
            record[f"{layer}_mic"] = f"not checked: {exc}"
            return None
        record[f"{layer}_mic"] = "valid"
        # The label names the key; the key itself never goes into the output.
        node.add("decrypted_with", value=label)
        return plain
    record[f"{layer}_mic"] = "invalid with every key"
    return None
