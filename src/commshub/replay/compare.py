"""Structural comparison of two GBCS responses, as decoded trees.

:func:`frame_tree` decodes a GBCS frame down to its leaves: grouping header, payload (DLMS
APDU and A-XDR data, GBZ components and their ZCL frames, ASN.1 values) and the decrypted
content of protected parts. :func:`first_difference` walks two such trees side by side and
reports the first place where they differ.

Every leaf has a kind (its type) and a value. Kinds, presence, order and the number of children
are always compared; the values of the leaves that play one of the roles in :data:`IGNORED`
are set aside, because two correct devices give different values there. That table is the
whole list of what a replay does not compare.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from commshub.codecs.dlms.axdr import BitString, CompactArray, Data, DataType, TypeDescription
from commshub.codecs.dlms.cosem_time import CosemDate, CosemDateTime, CosemTime
from commshub.codecs.dlms.xdlms import Apdu
from commshub.codecs.gbcs.asn1 import Asn1Payload
from commshub.codecs.gbcs.frame import DATE_TIME_LENGTH, EUI64_LENGTH, GbcsFrame, parse_frame
from commshub.codecs.gbcs.gbz import GbzAlert, GbzComponent, GbzPayload
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.codecs.gbcs.payload import (
    decode_payload,
    decrypt_component,
    decrypt_protected_data,
    find_protected_data,
)
from commshub.codecs.zigbee.zcl import DataType as ZclType
from commshub.codecs.zigbee.zcl import Direction, parse_zcl
from commshub.errors import CommshubError

__all__ = ["IGNORED", "Difference", "Node", "Role", "first_difference", "frame_tree"]


class Role(enum.Enum):
    """Leaf roles whose values differ between two correct devices."""

    IDENTITY = "identity"
    COUNTER = "counter"
    MAC = "mac"
    SIGNATURE = "signature"
    TIMESTAMP = "timestamp"
    CIPHERTEXT = "ciphertext"
    CAPTURED_ENTRIES = "captured entries"
    DEVICE_DATA = "device data"


# The values a replay sets aside, and why. Nothing else is exempt.
IGNORED: Mapping[Role, str] = {
    Role.IDENTITY: "EUI-64 entity IDs of the devices and remote parties (the emulated devices "
                   "have their own); 8-octet values equal to an ID of the exchange count too",
    Role.COUNTER: "originator counters, supplementary counters, DLMS invoke ids (they carry the "
                  "counter), Data Protection transaction ids, ZCL sequence numbers and GBZ "
                  "frame counters",
    Role.MAC: "the 12-octet MAC (its presence is compared)",
    Role.SIGNATURE: "the 64-octet signature (its presence is compared)",
    Role.TIMESTAMP: "date-times and UTC times: the grouping header's date-time (presence "
                    "compared), COSEM date-time octet-strings, ASN.1 GeneralizedTime, ZCL "
                    "UTCTime, and the capture time that starts a profile entry",
    Role.CIPHERTEXT: "encrypted parts (DLMS protected attributes, GBZ encrypted components): "
                     "their decrypted content is compared instead",
    Role.CAPTURED_ENTRIES: "the entries of a profile buffer read back (compact-array elements): "
                           "how many a device has captured in a range and their readings; the "
                           "entry type and whether the range holds any entry are compared",
    Role.DEVICE_DATA: "values a device holds and returns (DLMS data of an access-response and of "
                      "protected attributes, the fields of ZCL responses other than statuses, "
                      "attribute IDs, data types and command IDs, the record lists of "
                      "cluster-specific ZCL commands such as log entries, samples and calendar "
                      "entries, ASN.1 octet strings such as firmware versions): the reference "
                      "frames come from several device states (object 0-0:96.1.6.255 reads 'CSW' "
                      "in ECS26e and 'CSW ' in ECS26m), so only their types are compared, and for "
                      "arrays and record lists whether they are empty and the type of their first "
                      "element",
}


@dataclass(frozen=True)
class Node:
    """A decoded value: ``kind`` names its type; a leaf has ``value``, a container children."""

    kind: str
    value: Any = None
    children: tuple[tuple[str, Node], ...] = ()
    role: Role | None = None
    container: bool = False
    exact: bool = False  # compared even inside a subtree whose values are set aside


@dataclass(frozen=True)
class Difference:
    """The first place where two trees differ: a path and the value on each side."""

    path: str
    reference: str
    emulated: str

    def __str__(self) -> str:
        return f"{self.path}: reference {self.reference}, emulated {self.emulated}"


def _leaf(kind: str, value: Any, role: Role | None = None) -> Node:
    return Node(kind, value, role=role)


def _group(kind: str, children: Iterable[tuple[str, Node]], role: Role | None = None) -> Node:
    return Node(kind, children=tuple(children), role=role, container=True)


@dataclass
class _Context:
    """Inputs of the tree builder beyond the bytes: keys to decrypt, and the entity IDs of
    this exchange (any 8-octet value equal to one is an identity)."""

    keys: KeyStore
    identities: frozenset[bytes]
    ciphertexts: set[bytes] = field(default_factory=set)


def _bytes_role(value: bytes, context: _Context) -> Role | None:
    if len(value) == EUI64_LENGTH and value in context.identities:
        return Role.IDENTITY
    if value in context.ciphertexts:
        return Role.CIPHERTEXT
    if len(value) == DATE_TIME_LENGTH and _looks_like_date_time(value):
        return Role.TIMESTAMP
    return None


def _looks_like_date_time(value: bytes) -> bool:
    """Tell whether 12 octets read as a COSEM date-time (month, day, hour, minute, second
    in range or not specified)."""
    try:
        moment = CosemDateTime.from_bytes(value)
    except CommshubError:
        return False
    checks = ((moment.month, 1, 12, (0xFD, 0xFE, 0xFF)), (moment.day, 1, 31, (0xFD, 0xFE, 0xFF)),
              (moment.hour, 0, 23, (0xFF,)), (moment.minute, 0, 59, (0xFF,)),
              (moment.second, 0, 59, (0xFF,)))
    return all(low <= field_value <= high or field_value in special
               for field_value, low, high, special in checks)


# --- DLMS --------------------------------------------------------------------------------------

def _data_tree(item: Data, context: _Context) -> Node:
    kind, value = item
    name = kind.name.lower() if isinstance(kind, DataType) else f"type-{kind}"
    if kind in (DataType.ARRAY, DataType.STRUCTURE):
        return _group(name, ((f"[{index}]", _data_tree(element, context)) for index, element in enumerate(value)))
    if kind == DataType.COMPACT_ARRAY and isinstance(value, CompactArray):
        entries = _group("entries", ((f"[{index}]", _data_tree(element, context))
                                     for index, element in enumerate(value.elements)),
                         role=Role.CAPTURED_ENTRIES)
        present = Node("bool", bool(value.elements), exact=True)
        return _group(name, (("description", _description_tree(value.description)),
                             ("present", present), ("entries", entries)))
    if isinstance(value, (bytes, bytearray)):
        return _leaf(name, bytes(value), _bytes_role(bytes(value), context))
    if isinstance(value, BitString):
        return _leaf(name, (value.length, value.octets))
    if isinstance(value, (CosemDateTime, CosemDate, CosemTime)):
        return _leaf(name, value, Role.TIMESTAMP)
    return _leaf(name, value)


def _description_tree(description: TypeDescription) -> Node:
    return _group(description.type.name.lower(), [
        ("count", Node("count", description.count, exact=True)),
        *((f"[{index}]", _description_tree(element)) for index, element in enumerate(description.elements)),
    ])


def _object_tree(value: Any, context: _Context, name: str = "") -> Node:
    """Turn decoded codec values (dataclasses, tuples, enums, Data) into a tree."""
    if isinstance(value, Data):
        return _data_tree(value, context)
    if isinstance(value, enum.Enum):
        return _leaf(type(value).__name__, int(value.value) if isinstance(value.value, int) else value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        children = []
        for item in dataclasses.fields(value):
            member = getattr(value, item.name)
            node = _object_tree(member, context, item.name)
            if item.name in _COUNTER_FIELDS:
                node = dataclasses.replace(node, role=Role.COUNTER)
            children.append((item.name, node))
        return _group(type(value).__name__, children)
    if isinstance(value, (tuple, list)):
        return _group("sequence", ((f"[{index}]", _object_tree(element, context)) for index, element in enumerate(value)))
    if isinstance(value, (bytes, bytearray)):
        return _leaf("octets", bytes(value), _bytes_role(bytes(value), context))
    if value is None:
        return _leaf("absent", None)
    return _leaf(type(value).__name__, value)


# Fields of decoded codec values whose value is a counter.
_COUNTER_FIELDS = frozenset({"long_invoke_id_and_priority", "originator_counter", "sequence_number",
                             "additional_frame_counter", "invocation_counter", "tsn"})


def _dlms_tree(frame: GbcsFrame, apdu: Apdu, context: _Context) -> Node:
    protected_nodes = []
    for index, protected in enumerate(find_protected_data(apdu)):
        context.ciphertexts.add(protected.security_header + protected.ciphertext)
        try:
            plaintext = decrypt_protected_data(frame, protected, context.keys)
        except CommshubError as exc:
            protected_nodes.append((f"[{index}]", _leaf("undecryptable", str(exc))))
            continue
        node = _leaf("no key", None) if plaintext is None else _data_tree(plaintext, context)
        protected_nodes.append((f"[{index}]", node))
    tree = _mark_protection_ids(_object_tree(apdu, context))
    children = [(name, dataclasses.replace(child, role=Role.DEVICE_DATA) if name == "data" and child.container
                 else child) for name, child in tree.children]
    if protected_nodes:
        children.append(("protected", _group("protected", protected_nodes, role=Role.DEVICE_DATA)))
    return _group(tree.kind, children)


def _mark_protection_ids(node: Node) -> Node:
    """Mark the 9-octet transaction ids of Data Protection parameters (type 4 + counter)."""
    if not node.container:
        if node.kind == "octet-string" and isinstance(node.value, bytes) and len(node.value) == 9 \
                and node.value[0] == 0x04 and node.role is None:
            return dataclasses.replace(node, role=Role.COUNTER)
        return node
    return dataclasses.replace(node, children=tuple((name, _mark_protection_ids(child))
                                                    for name, child in node.children))


# --- GBZ ---------------------------------------------------------------------------------------

def _zcl_tree(component: GbzComponent, payload: bytes, context: _Context) -> Node:
    header = bytes([component.frame_control, component.sequence_number, component.command_id])
    direction = Direction.SERVER_TO_CLIENT if component.frame_control & 0x08 else Direction.CLIENT_TO_SERVER
    try:
        zcl = parse_zcl(header + payload, component.cluster, direction=direction)
    except CommshubError as exc:
        return _leaf("undecodable zcl", f"{exc}")
    if isinstance(zcl.payload, (bytes, bytearray)):
        return _leaf("zcl payload", bytes(zcl.payload))
    return _zcl_value_tree(zcl.payload, context, device_lists=not zcl.is_global)


# ZCL payload fields that say what happened rather than carry device data: compared exactly.
_ZCL_RESULT_FIELDS = frozenset({"status", "attribute_id", "type", "command_id"})


def _zcl_value_tree(value: Any, context: _Context, *, device_lists: bool = False) -> Node:
    """Tree of a decoded ZCL payload; ``device_lists`` makes its lists device data arrays
    (those of cluster-specific commands, whereas the records of global commands mirror the
    request one by one and are compared in full)."""
    if isinstance(value, Mapping):
        items = [(str(key), value[key]) for key in value if not str(key).startswith("_")]
        zcl_type = value.get("type") if "value" in value else None
        children = []
        for key, member in items:
            node = _zcl_value_tree(member, context, device_lists=device_lists)
            if key == "value" and zcl_type == ZclType.UTC_TIME:
                node = dataclasses.replace(node, role=Role.TIMESTAMP)
            elif key not in _ZCL_RESULT_FIELDS and not node.container and node.role is None:
                node = dataclasses.replace(node, role=Role.DEVICE_DATA)
            children.append((key, node))
        return _group("fields", children)
    if isinstance(value, (list, tuple)):
        elements = ((f"[{index}]", _zcl_value_tree(element, context, device_lists=device_lists))
                    for index, element in enumerate(value))
        if device_lists:
            return _group("array", elements, role=Role.DEVICE_DATA)
        return _group("list", elements)
    if isinstance(value, (bytes, bytearray)):
        return _leaf("octets", bytes(value), _bytes_role(bytes(value), context))
    if isinstance(value, datetime.datetime):
        return _leaf("datetime", value, Role.TIMESTAMP)
    return _leaf(type(value).__name__, value)


def _gbz_tree(frame: GbcsFrame, payload: GbzPayload, context: _Context) -> Node:
    components = []
    for index, component in enumerate(payload.components):
        children: list[tuple[str, Node]] = [
            ("control", _leaf("int", component.control)),
            ("cluster", _leaf("int", component.cluster)),
            ("frame_control", _leaf("int", component.frame_control)),
            ("sequence_number", _leaf("int", component.sequence_number, Role.COUNTER)),
            ("command_id", _leaf("int", component.command_id)),
            ("from_date_time", _leaf("utc", component.from_date_time, Role.TIMESTAMP)),
        ]
        plaintext = component.payload
        if component.encryption is not None:
            children.append(("ciphertext", _leaf("octets", component.encryption.ciphertext, Role.CIPHERTEXT)))
            children.append(("frame_counter", _leaf("int", component.encryption.additional_frame_counter,
                                                     Role.COUNTER)))
            try:
                decrypted = decrypt_component(frame, component, context.keys)
            except CommshubError as exc:
                children.append(("zcl", _leaf("undecryptable", str(exc))))
                components.append((f"[{index}]", _group("component", children)))
                continue
            if decrypted is None:
                children.append(("zcl", _leaf("no key", None)))
                components.append((f"[{index}]", _group("component", children)))
                continue
            plaintext = decrypted
        children.append(("zcl", _zcl_tree(component, plaintext, context)))
        components.append((f"[{index}]", _group("component", children)))
    return _group("gbz", components)


def _gbz_alert_tree(alert: GbzAlert, context: _Context) -> Node:
    return _group("gbz alert", [
        ("alert_code", _leaf("int", alert.alert_code)),
        ("timestamp", _leaf("utc", alert.timestamp, Role.TIMESTAMP)),
        ("body", _object_tree(alert.body, context)),
    ])


# --- ASN.1 -------------------------------------------------------------------------------------

def _asn1_tree(value: Any, context: _Context, name: str = "") -> Node:
    if isinstance(value, Mapping):
        return _group("sequence", ((key, _asn1_tree(member, context, key)) for key, member in value.items()))
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return _group("choice", [("alternative", _leaf("name", value[0])),
                                 ("value", _asn1_tree(value[1], context, value[0]))])
    if isinstance(value, list):
        return _group("sequence-of", ((f"[{index}]", _asn1_tree(item, context)) for index, item in enumerate(value)))
    if isinstance(value, datetime.datetime):
        return _leaf("time", value, Role.TIMESTAMP)
    if isinstance(value, (bytes, bytearray)):
        return _leaf("octets", bytes(value), _bytes_role(bytes(value), context) or Role.DEVICE_DATA)
    role = Role.COUNTER if name.lower().endswith("counter") else None
    return _leaf(type(value).__name__, value, role)


# --- frames ------------------------------------------------------------------------------------

def frame_tree(data: bytes, keys: KeyStore, identities: Iterable[bytes] = ()) -> Node:
    """Decode a GBCS frame into a comparison tree; undecodable parts become labelled leaves."""
    context = _Context(keys, frozenset(identities))
    try:
        frame = parse_frame(data)
    except CommshubError as exc:
        return _leaf("undecodable frame", str(exc))
    try:
        payload = decode_payload(frame)
    except CommshubError as exc:
        payload_node = _leaf("undecodable payload", str(exc))
    else:
        if isinstance(payload, Apdu):
            payload_node = _dlms_tree(frame, payload, context)
        elif isinstance(payload, GbzPayload):
            payload_node = _gbz_tree(frame, payload, context)
        elif isinstance(payload, GbzAlert):
            payload_node = _gbz_alert_tree(payload, context)
        elif isinstance(payload, Asn1Payload):
            payload_node = _group("asn1", [("type", _leaf("name", payload.type_name)),
                                            ("value", _asn1_tree(payload.value, context))])
        else:  # pragma: no cover - decode_payload returns only the kinds above
            payload_node = _leaf(type(payload).__name__, None)
    header = [
        ("cra", _leaf("cra", int(frame.cra))),
        ("message_code", _leaf("message code", frame.message_code)),
        ("originator", _leaf("entity", frame.originator, Role.IDENTITY)),
        ("recipient", _leaf("entity", frame.recipient, Role.IDENTITY)),
        ("originator_counter", _leaf("counter", frame.originator_counter, Role.COUNTER)),
        ("date_time", _leaf("date-time" if frame.date_time is not None else "absent", frame.date_time,
                            Role.TIMESTAMP)),
        ("supplementary_remote_party_id", _leaf(
            "entity" if frame.supplementary_remote_party_id is not None else "absent",
            frame.supplementary_remote_party_id, Role.IDENTITY)),
        ("supplementary_remote_party_counter", _leaf(
            "counter" if frame.supplementary_remote_party_counter is not None else "absent",
            frame.supplementary_remote_party_counter, Role.COUNTER)),
        ("mac", _leaf("mac" if frame.mac is not None else "absent", frame.mac, Role.MAC)),
        ("signature", _leaf("signature" if frame.signature else "absent", frame.signature, Role.SIGNATURE)),
    ]
    return _group("gbcs", [*header, ("payload", payload_node)])


def _describe(node: Node) -> str:
    if node.container:
        return f"{node.kind} with {len(node.children)} members"
    value = node.value
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).hex().upper() or "''"
    text = f"{node.kind} {value}"
    return text if len(text) <= 80 else text[:77] + "..."


def first_difference(reference: Node, emulated: Node, path: str = "",
                     inherited: Role | None = None) -> Difference | None:
    """Return the first place where ``emulated`` differs from ``reference``, or None.

    A node's role applies to its whole subtree; leaves marked ``exact`` are compared anyway.
    """
    here = path or "frame"
    role = reference.role or inherited
    if reference.kind != emulated.kind or reference.container != emulated.container:
        return Difference(here, _describe(reference), _describe(emulated))
    if not reference.container:
        if (role in IGNORED and not reference.exact) or reference.value == emulated.value:
            return None
        return Difference(here, _describe(reference), _describe(emulated))
    if role is Role.CAPTURED_ENTRIES:
        return None
    pairs = list(zip(reference.children, emulated.children))
    if role is Role.DEVICE_DATA and reference.kind == "array":
        # How many elements a device holds is its data; the element type is structure.
        if bool(reference.children) != bool(emulated.children):
            return Difference(here, _describe(reference), _describe(emulated))
        pairs = pairs[:1]
    for (name, left), (_, right) in pairs:
        found = first_difference(left, right, f"{path}.{name}" if path else name, role)
        if found is not None:
            return found
    if role is Role.DEVICE_DATA and reference.kind == "array":
        return None
    if len(reference.children) != len(emulated.children):
        return Difference(here, f"{len(reference.children)} members", f"{len(emulated.children)} members")
    return None
