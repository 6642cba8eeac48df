"""IEEE 802.15.4 MAC frames: beacon, data, acknowledgment and MAC command frames of the 2003,
2006 and 2015 frame versions, with the auxiliary security header, information elements and the
frame check sequence.

Layouts follow IEEE 802.15.4-2015 clause 7 (general MAC frame format, Table 7-2 for the PAN ID
fields of frame version 2, 7.4 for information elements, clause 9 for security) and IEEE
802.15.4-2006 clause 7.2 for the older versions. Extended addresses are ints; on the air they
are little-endian.

A frame value has the same keys for every frame type. Fields a frame does not carry are None.
``payload`` holds the bytes after the parsed fields and before the MIC: a data payload, a beacon
payload, the payload of an unknown command, or the private payload of an encrypted frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from construct import (
    Array,
    Bytes,
    Checksum,
    Computed,
    Construct,
    Container,
    EnumIntegerString,
    GreedyBytes,
    If,
    Int8ul,
    Int16ul,
    Int32ul,
    Int64ul,
    RawCopy,
    Rebuild,
    Struct,
    Switch,
    this,
)

from commshub.codecs.common import parse
from commshub.codecs.zigbee.security import (
    ccm_star_decrypt,
    ccm_star_encrypt,
    is_encrypted,
    mac_nonce,
    mic_length,
)
from commshub.codecs.zigbee.stack_common import (
    AllButLast,
    BitFields,
    TerminatedList,
    build_value,
    crc16_kermit,
    enum_int,
    to_container,
)
from commshub.errors import LocalProtocolError, UnsupportedError

__all__ = [
    "ADDRESS_MODES",
    "BROADCAST_PAN_ID",
    "BROADCAST_SHORT_ADDRESS",
    "FCS_LENGTH",
    "FRAME_TYPES",
    "FRAME_VERSIONS",
    "HEADER_IE_IDS",
    "KEY_ID_MODES",
    "MAC_COMMANDS",
    "PAYLOAD_IE_GROUPS",
    "AuxSecurityHeader",
    "BeaconFields",
    "FrameControl",
    "HeaderIe",
    "MacCommand",
    "MacFrame",
    "MacPsdu",
    "PayloadIe",
    "SecurityControl",
    "build_mac_frame",
    "destination_pan_present",
    "parse_mac_frame",
    "secure_mac_frame",
    "source_pan_present",
    "unsecure_mac_frame",
]

FCS_LENGTH = 2  # bytes of CRC-16/KERMIT after the MPDU
BROADCAST_PAN_ID = 0xFFFF
BROADCAST_SHORT_ADDRESS = 0xFFFF
_ROOT = "mac"

# 802.15.4-2015 Table 7-1; 2003 and 2006 define types 0 to 3 only.
FRAME_TYPES = {0: "beacon", 1: "data", 2: "ack", 3: "command", 5: "multipurpose",
               6: "fragment", 7: "extended"}
_BEACON, _DATA, _ACK, _COMMAND = 0, 1, 2, 3
FRAME_VERSIONS = {0: "2003", 1: "2006", 2: "2015"}
_VERSION_2006, _VERSION_2015 = 1, 2
# 802.15.4-2015 Table 7-3.
ADDRESS_MODES = {0: "none", 1: "reserved", 2: "short", 3: "extended"}
_SHORT, _EXTENDED = 2, 3

FrameControl = BitFields(
    Int16ul,
    ("frame_type", 3, FRAME_TYPES),
    ("security_enabled", 1),
    ("frame_pending", 1),
    ("ack_request", 1),
    ("pan_id_compression", 1),
    ("reserved", 1),
    ("sequence_number_suppression", 1),
    ("ie_present", 1),
    ("destination_addressing_mode", 2, ADDRESS_MODES),
    ("frame_version", 2, FRAME_VERSIONS),
    ("source_addressing_mode", 2, ADDRESS_MODES),
)


def destination_pan_present(fc: Mapping[str, Any]) -> bool:
    """Return whether the Destination PAN ID field is present: 802.15.4-2015 Table 7-2 for
    frame version 2, 802.15.4-2006 7.2.1.5 for the older versions."""
    dst = enum_int(fc["destination_addressing_mode"], ADDRESS_MODES)
    src = enum_int(fc["source_addressing_mode"], ADDRESS_MODES)
    compression = bool(fc["pan_id_compression"])
    if enum_int(fc["frame_version"], FRAME_VERSIONS) < _VERSION_2015:
        return dst != 0
    if dst == 0 and src == 0:
        return compression
    if src == 0:
        return not compression
    if dst == 0:
        return False
    if dst == _EXTENDED and src == _EXTENDED:
        return not compression
    return True


def source_pan_present(fc: Mapping[str, Any]) -> bool:
    """Return whether the Source PAN ID field is present (same sources as above)."""
    dst = enum_int(fc["destination_addressing_mode"], ADDRESS_MODES)
    src = enum_int(fc["source_addressing_mode"], ADDRESS_MODES)
    compression = bool(fc["pan_id_compression"])
    if src == 0:
        return False
    if enum_int(fc["frame_version"], FRAME_VERSIONS) < _VERSION_2015:
        return not (compression and dst != 0)
    if dst == _EXTENDED and src == _EXTENDED:
        return False
    return not compression


def _sequence_number_present(fc: Mapping[str, Any]) -> bool:
    # The suppression bit exists from frame version 2 on; in older versions bit 8 is reserved.
    version = enum_int(fc["frame_version"], FRAME_VERSIONS)
    return version < _VERSION_2015 or not fc["sequence_number_suppression"]


def _address(mode_key: str) -> Construct:
    return Switch(lambda ctx: enum_int(ctx.frame_control[mode_key], ADDRESS_MODES),
                  {_SHORT: Int16ul, _EXTENDED: Int64ul})


# 802.15.4-2015 Table 9-8: how the key is identified.
KEY_ID_MODES = {0: "implicit", 1: "index", 2: "source4_index", 3: "source8_index"}

SecurityControl = BitFields(
    Int8ul,
    ("security_level", 3),
    ("key_id_mode", 2, KEY_ID_MODES),
    ("frame_counter_suppression", 1),
    ("asn_in_nonce", 1),
    ("reserved", 1),
)

AuxSecurityHeader = Struct(
    "security_control" / SecurityControl,
    "frame_counter" / If(lambda ctx: not ctx.security_control.frame_counter_suppression, Int32ul),
    "key_source" / Switch(lambda ctx: enum_int(ctx.security_control.key_id_mode, KEY_ID_MODES),
                          {2: Int32ul, 3: Int64ul}),
    "key_index" / If(lambda ctx: enum_int(ctx.security_control.key_id_mode, KEY_ID_MODES) != 0,
                     Int8ul),
)

# 802.15.4-2015 Table 7-7 (header IE element IDs) and Table 7-15 (payload IE group IDs).
HEADER_IE_IDS = {
    0x00: "vendor_specific", 0x1A: "csl", 0x1B: "rit", 0x1C: "dsme_pan_descriptor",
    0x1D: "rendezvous_time", 0x1E: "ack_nack_time_correction", 0x1F: "group_ack",
    0x20: "low_latency_network_info", 0x21: "simplified_superframe_specification",
    0x22: "simplified_gts_specification", 0x7E: "header_termination_1",
    0x7F: "header_termination_2",
}
_HT1, _HT2 = 0x7E, 0x7F
PAYLOAD_IE_GROUPS = {0x0: "esdu", 0x1: "mlme", 0x2: "vendor_specific",
                     0xF: "payload_termination"}
_PAYLOAD_TERMINATION = 0xF
_HEADER_IE_LENGTH_MASK = 0x7F  # 7-bit content length of a header IE
_PAYLOAD_IE_LENGTH_MASK = 0x7FF  # 11-bit content length of a payload IE
_PAYLOAD_IE_TYPE = 0x8000


def _ie_name(names: Mapping[int, str], number: int) -> Any:
    text = names.get(number)
    return EnumIntegerString.new(number, text) if text is not None else number


HeaderIe = Struct(
    "_descriptor" / Rebuild(
        Int16ul, lambda ctx: len(ctx.content) | (enum_int(ctx.element_id, HEADER_IE_IDS) << 7)),
    "element_id" / Computed(lambda ctx: _ie_name(HEADER_IE_IDS, (ctx._descriptor >> 7) & 0xFF)),
    # Bit 15 is the IE type; a header IE list is parsed only until its termination IE, so a
    # set bit here means the frame is malformed and the content length says how to skip it.
    "_type" / Computed(lambda ctx: ctx._descriptor >> 15),
    "content" / Bytes(lambda ctx: ctx._descriptor & _HEADER_IE_LENGTH_MASK),
)

PayloadIe = Struct(
    "_descriptor" / Rebuild(
        Int16ul,
        lambda ctx: (_PAYLOAD_IE_TYPE | (enum_int(ctx.group_id, PAYLOAD_IE_GROUPS) << 11)
                     | len(ctx.content))),
    "group_id" / Computed(lambda ctx: _ie_name(PAYLOAD_IE_GROUPS, (ctx._descriptor >> 11) & 0xF)),
    "content" / Bytes(lambda ctx: ctx._descriptor & _PAYLOAD_IE_LENGTH_MASK),
)

SuperframeSpecification = BitFields(
    Int16ul,
    ("beacon_order", 4),
    ("superframe_order", 4),
    ("final_cap_slot", 4),
    ("battery_life_extension", 1),
    ("reserved", 1),
    ("pan_coordinator", 1),
    ("association_permit", 1),
)

GtsDescriptor = Struct(
    "short_address" / Int16ul,
    "slot" / BitFields(Int8ul, ("starting_slot", 4), ("length", 4)),
)

# 802.15.4-2006 7.2.2.1: superframe, GTS and pending address fields of a beacon.
BeaconFields = Struct(
    "superframe_specification" / SuperframeSpecification,
    "gts_specification" / BitFields(Int8ul, ("descriptor_count", 3), ("reserved", 4),
                                    ("gts_permit", 1)),
    "gts_directions" / If(this.gts_specification.descriptor_count > 0,
                          BitFields(Int8ul, ("mask", 7), ("reserved", 1))),
    "gts_list" / Array(this.gts_specification.descriptor_count, GtsDescriptor),
    "pending_address_specification" / BitFields(
        Int8ul, ("short_count", 3), ("reserved1", 1), ("extended_count", 3), ("reserved2", 1)),
    "pending_short_addresses" / Array(this.pending_address_specification.short_count, Int16ul),
    "pending_extended_addresses" / Array(this.pending_address_specification.extended_count,
                                         Int64ul),
)

# 802.15.4-2006 Table 82 and 802.15.4-2015 Table 7-49: MAC command frame identifiers.
MAC_COMMANDS = {
    0x01: "association_request", 0x02: "association_response",
    0x03: "disassociation_notification", 0x04: "data_request",
    0x05: "pan_id_conflict_notification", 0x06: "orphan_notification",
    0x07: "beacon_request", 0x08: "coordinator_realignment", 0x09: "gts_request",
    0x0A: "trle_management_request", 0x0B: "trle_management_response",
    0x13: "dsme_association_request", 0x14: "dsme_association_response",
    0x20: "rit_data_request", 0x23: "lecim_association_request",
}

CapabilityInformation = BitFields(
    Int8ul,
    ("alternate_pan_coordinator", 1),
    ("device_type", 1),  # 1: full-function device
    ("power_source", 1),  # 1: mains powered
    ("receiver_on_when_idle", 1),
    ("association_type", 1),  # 802.15.4-2015 fast association
    ("reserved", 1),
    ("security_capability", 1),
    ("allocate_address", 1),
)

# 802.15.4-2006 Table 83 and 84.
ASSOCIATION_STATUS = {0x00: "successful", 0x01: "pan_at_capacity", 0x02: "pan_access_denied"}
DISASSOCIATION_REASONS = {0x01: "coordinator_wishes_device_to_leave",
                          0x02: "device_wishes_to_leave"}


def _realignment_has_channel_page(ctx: Any) -> bool:
    # The Channel Page field exists only in frames of version 2006 or later (7.3.8).
    return _version(ctx._) >= _VERSION_2006


# Payloads of the commands whose layout is fixed; the others stay in ``payload``.
MacCommand = Switch(
    lambda ctx: int(ctx.command_id),
    {
        0x01: Struct("capability_information" / CapabilityInformation),
        0x02: Struct("short_address" / Int16ul, "association_status" / Int8ul),
        0x03: Struct("disassociation_reason" / Int8ul),
        0x04: Struct(), 0x05: Struct(), 0x06: Struct(), 0x07: Struct(),
        0x08: Struct(
            "pan_id" / Int16ul,
            "coordinator_short_address" / Int16ul,
            "channel_number" / Int8ul,
            "short_address" / Int16ul,
            "channel_page" / If(_realignment_has_channel_page, Int8ul),
        ),
        0x09: Struct("gts_characteristics" / BitFields(
            Int8ul, ("length", 4), ("direction", 1), ("characteristics_type", 1),
            ("reserved", 2))),
    },
)


def _version(ctx: Any) -> int:
    return enum_int(ctx.frame_control.frame_version, FRAME_VERSIONS)


def _frame_type(ctx: Any) -> int:
    return enum_int(ctx.frame_control.frame_type, FRAME_TYPES)


def _root_params(ctx: Any) -> Mapping[str, Any]:
    params = ctx._root.get("_params")
    return params if params is not None else {}


def _aux_header_present(ctx: Any) -> bool:
    # 802.15.4-2003 security has no auxiliary header in this layout (its frame counter sits in
    # the payload), so a secured 2003 frame keeps everything after the addresses as payload.
    return bool(ctx.frame_control.security_enabled) and _version(ctx) >= 1


def _level(ctx: Any) -> int:
    header = ctx.auxiliary_security_header
    return int(header.security_control.security_level) if header is not None else 0


def _private_is_ciphertext(ctx: Any) -> bool:
    # ``plaintext=True`` reads a frame whose private payload was decrypted in place;
    # ``raw_private=True`` keeps the private payload as bytes to locate where it starts.
    params = _root_params(ctx)
    if params.get("raw_private", False):
        return bool(ctx.frame_control.security_enabled)
    return is_encrypted(_level(ctx)) and not params.get("plaintext", False)


def _header_ies_present(ctx: Any) -> bool:
    # Bit 9 is the IE Present flag from frame version 2 on and reserved before.
    fc = ctx.frame_control
    return bool(fc.ie_present) and _version(ctx) >= _VERSION_2015


def _payload_ies_present(ctx: Any) -> bool:
    ies = ctx.header_ies
    if not ies or (_private_is_ciphertext(ctx) and _version(ctx) >= 2):
        return False
    return enum_int(ies[-1].element_id, HEADER_IE_IDS) == _HT1


def _payload_ie_is_last(ie: Any) -> bool:
    return enum_int(ie.group_id, PAYLOAD_IE_GROUPS) == _PAYLOAD_TERMINATION


def _header_ie_is_last(ie: Any) -> bool:
    return enum_int(ie.element_id, HEADER_IE_IDS) in (_HT1, _HT2)


def _beacon_fields_present(ctx: Any) -> bool:
    # Enhanced beacons (frame version 2) carry their information in IEs instead.
    return (_frame_type(ctx) == _BEACON
            and _version(ctx) < _VERSION_2015)


def _command_id_present(ctx: Any) -> bool:
    # With frame version 2 the command ID follows the payload IEs inside the private payload.
    if _frame_type(ctx) != _COMMAND:
        return False
    return not (_private_is_ciphertext(ctx) and _version(ctx) >= 2)


def _command_present(ctx: Any) -> bool:
    return ctx.command_id is not None and not _private_is_ciphertext(ctx)


def _mic_length(ctx: Any) -> int:
    return mic_length(_level(ctx))


MacFrame = Struct(
    "frame_control" / FrameControl,
    "sequence_number" / If(lambda ctx: _sequence_number_present(ctx.frame_control), Int8ul),
    "destination_pan_id" / If(lambda ctx: destination_pan_present(ctx.frame_control), Int16ul),
    "destination_address" / _address("destination_addressing_mode"),
    "source_pan_id" / If(lambda ctx: source_pan_present(ctx.frame_control), Int16ul),
    "source_address" / _address("source_addressing_mode"),
    "auxiliary_security_header" / If(_aux_header_present, AuxSecurityHeader),
    "header_ies" / If(_header_ies_present,
                      AllButLast(_mic_length, TerminatedList(HeaderIe, _header_ie_is_last))),
    "payload_ies" / If(_payload_ies_present,
                       AllButLast(_mic_length, TerminatedList(PayloadIe, _payload_ie_is_last))),
    "beacon" / If(_beacon_fields_present, BeaconFields),
    "command_id" / If(_command_id_present, Int8ul),
    "command" / If(_command_present, MacCommand),
    "payload" / AllButLast(_mic_length, GreedyBytes),
    "mic" / Bytes(_mic_length),
)

# The PSDU as captured with link type 195: the MPDU followed by its FCS.
MacPsdu = Struct(
    "mpdu" / RawCopy(AllButLast(FCS_LENGTH, MacFrame)),
    "fcs" / Checksum(Int16ul, crc16_kermit, this.mpdu.data),
)


def parse_mac_frame(data: bytes, *, fcs: bool = True, plaintext: bool = False) -> Container:
    """Parse an 802.15.4 frame; with ``fcs`` the last two bytes are the FCS, which must match.

    ``plaintext`` reads a secured frame whose private payload was already decrypted.
    """
    if fcs:
        return parse(MacPsdu, data, root=_ROOT, plaintext=plaintext).mpdu.value
    return parse(MacFrame, data, root=_ROOT, plaintext=plaintext)


def build_mac_frame(frame: Mapping[str, Any], *, fcs: bool = True,
                    plaintext: bool = False) -> bytes:
    """Build an 802.15.4 frame from a value shaped like :func:`parse_mac_frame`'s result;
    with ``fcs`` append the CRC-16/KERMIT, least significant byte first."""
    mpdu = build_value(MacFrame, frame, root=_ROOT, plaintext=plaintext)
    if fcs:
        return mpdu + crc16_kermit(mpdu).to_bytes(FCS_LENGTH, "little")
    return mpdu


def _nonce_source(frame: Mapping[str, Any], source_address: int | None) -> int:
    if source_address is not None:
        return source_address
    if enum_int(frame["frame_control"]["source_addressing_mode"], ADDRESS_MODES) == _EXTENDED:
        return int(frame["source_address"])
    raise LocalProtocolError(
        "the MAC nonce needs the sender's extended address, and this frame carries a short "
        "source address: pass source_address")


def _security_parameters(frame: Mapping[str, Any], source_address: int | None) -> tuple[int, int]:
    header = frame.get("auxiliary_security_header")
    if header is None:
        raise UnsupportedError("only frames of version 2006 or later with an auxiliary "
                               "security header can be secured or unsecured")
    control = header["security_control"]
    if control.get("asn_in_nonce") or control.get("frame_counter_suppression"):
        raise UnsupportedError("TSCH nonces (ASN in nonce, suppressed frame counter) are not "
                               "supported")
    return int(control["security_level"]), int(header["frame_counter"])


def secure_mac_frame(frame: Mapping[str, Any], key: bytes, *,
                     source_address: int | None = None, fcs: bool = True) -> bytes:
    """Build ``frame`` with its private payload secured by CCM* under ``key``.

    ``frame`` holds the plaintext fields; its ``mic`` is replaced by the computed MIC. The
    nonce uses the frame's extended source address unless ``source_address`` is given.
    """
    frame = to_container(frame)
    level, frame_counter = _security_parameters(frame, source_address)
    tag_length = mic_length(level)
    plain_value = {**frame, "mic": bytes(tag_length)}
    plain = build_value(MacFrame, plain_value, root=_ROOT, plaintext=True)
    if is_encrypted(level):
        open_value = {**plain_value, "payload": b""}
        open_bytes = build_value(MacFrame, open_value, root=_ROOT, raw_private=True)
        open_length = len(open_bytes) - tag_length
    else:
        open_length = len(plain) - tag_length
    nonce = mac_nonce(_nonce_source(frame, source_address), frame_counter, level)
    secured = ccm_star_encrypt(key, nonce, level, plain[:open_length],
                               plain[open_length:len(plain) - tag_length])
    mpdu = plain[:open_length] + secured
    if fcs:
        return mpdu + crc16_kermit(mpdu).to_bytes(FCS_LENGTH, "little")
    return mpdu


def unsecure_mac_frame(data: bytes, key: bytes, *, source_address: int | None = None,
                       fcs: bool = True) -> Container:
    """Check the MIC of a secured frame, decrypt its private payload and return the frame
    parsed from the plaintext. Raises SecurityError when the MIC does not match."""
    frame = parse(MacPsdu, data, root=_ROOT, raw_private=True).mpdu.value if fcs else \
        parse(MacFrame, data, root=_ROOT, raw_private=True)
    level, frame_counter = _security_parameters(frame, source_address)
    mpdu = bytes(data[:-FCS_LENGTH] if fcs else data)
    tag_length = mic_length(level)
    open_length = len(mpdu) - tag_length - len(frame.payload)
    nonce = mac_nonce(_nonce_source(frame, source_address), frame_counter, level)
    plaintext = ccm_star_decrypt(key, nonce, level, mpdu[:open_length], mpdu[open_length:])
    plain_mpdu = mpdu[:open_length] + plaintext + mpdu[len(mpdu) - tag_length:]
    return parse(MacFrame, plain_mpdu, root=_ROOT, plaintext=True)
