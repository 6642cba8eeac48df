"""Capture files of 802.15.4 frames that Wireshark opens, and the key file that lets it decrypt
the ZigBee NWK and APS layers.

Two link types: 195 (LINKTYPE_IEEE802_15_4_WITHFCS, the MPDU and its FCS) and 283
(LINKTYPE_IEEE802_15_4_TAP, a TLV pseudo-header with channel and received signal strength in
front of the same bytes). Both go into classic pcap or into pcapng, whose packet blocks may
carry a comment. Sources: the tcpdump.org link-type list, the pcap and pcapng drafts
(draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng) and the IEEE 802.15.4 TAP specification
version 1.1 by Exegin. All integers are little-endian.

The writers hand bytes to a binary stream that the caller opened; they never open files.
:func:`read_capture` reads the frames back from either format, as written here or by Wireshark
on a little-endian machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from construct import (
    Bytes,
    Const,
    Container,
    Default,
    FixedSized,
    Float32l,
    GreedyRange,
    Int8ul,
    Int16ul,
    Int32sl,
    Int32ul,
    Int64sl,
    OneOf,
    Optional,
    Padding,
    Rebuild,
    RepeatUntil,
    Struct,
    Switch,
    len_,
    this,
)

from commshub.codecs.common import build, parse
from commshub.errors import CodecError, UnsupportedError

__all__ = [
    "LINKTYPE_IEEE802_15_4_TAP",
    "LINKTYPE_IEEE802_15_4_WITHFCS",
    "CapturedFrame",
    "PcapFile",
    "PcapHeader",
    "PcapNgBlock",
    "PcapNgWriter",
    "PcapRecordHeader",
    "PcapWriter",
    "TapHeader",
    "is_capture",
    "link_layer_bytes",
    "read_capture",
    "read_pcap",
    "read_pcapng",
    "tshark_key_options",
    "wireshark_key_file",
]

LINKTYPE_IEEE802_15_4_WITHFCS = 195
LINKTYPE_IEEE802_15_4_TAP = 283
_LINKTYPES = (LINKTYPE_IEEE802_15_4_WITHFCS, LINKTYPE_IEEE802_15_4_TAP)
# A PSDU is at most aMaxPhyPacketSize = 127 bytes (802.15.4-2015 11.3); the TAP header written
# here adds 28 bytes, so 256 bytes never cuts a frame.
SNAPLEN = 256
_PCAP_MAGIC = 0xA1B2C3D4  # microsecond timestamps
_PCAP_MAGIC_NANOSECONDS = 0xA1B23C4D  # nanosecond timestamps
_PCAP_VERSION_MAJOR, _PCAP_VERSION_MINOR = 2, 4
_MICROSECONDS = 1_000_000
_NANOSECONDS = 1_000_000_000

PcapHeader = Struct(
    "magic" / Default(OneOf(Int32ul, (_PCAP_MAGIC, _PCAP_MAGIC_NANOSECONDS)), _PCAP_MAGIC),
    "version_major" / Int16ul,
    "version_minor" / Int16ul,
    "thiszone" / Int32sl,
    "sigfigs" / Int32ul,
    "snaplen" / Int32ul,
    "linktype" / Int32ul,
)

PcapRecordHeader = Struct(
    "ts_sec" / Int32ul,
    "ts_usec" / Int32ul,
    "_incl_len" / Rebuild(Int32ul, len_(this._.data)),
    "orig_len" / Int32ul,
)

PcapRecord = Struct(
    "header" / PcapRecordHeader,
    "data" / Bytes(this.header._incl_len),
)

PcapFile = Struct(
    "header" / PcapHeader,
    "records" / GreedyRange(PcapRecord),
)

# IEEE 802.15.4 TAP TLV types (TAP specification 1.1, section 3).
TAP_FCS_TYPE = 0
TAP_RSS = 1
TAP_CHANNEL_ASSIGNMENT = 3
TAP_FCS_16_BIT = 1  # FCS_TYPE value: the PSDU ends in a 16-bit FCS
_TAP_FIXED_LENGTH = 4  # version, reserved and length fields
_TAP_VALUE_LENGTHS = {TAP_FCS_TYPE: 1, TAP_RSS: 4, TAP_CHANNEL_ASSIGNMENT: 3}



def _tlv_value_length(tlv: Any) -> int:
    fixed = _TAP_VALUE_LENGTHS.get(tlv.type)
    return fixed if fixed is not None else len(tlv.value)


TapTlv = Struct(
    "type" / Int16ul,
    "_length" / Rebuild(Int16ul, _tlv_value_length),
    "value" / Switch(this.type, {
        TAP_FCS_TYPE: Int8ul,
        TAP_RSS: Float32l,  # dBm
        TAP_CHANNEL_ASSIGNMENT: Struct("channel" / Int16ul, "page" / Int8ul),
    }, default=Bytes(this._length)),
    Padding(lambda ctx: -ctx._length % 4),
)


def _tlv_bytes(ctx: Any) -> int:
    # Each TLV is a 4-byte type and length, then its value padded to a multiple of 4 bytes.
    return sum(4 + -(-_tlv_value_length(tlv) // 4) * 4 for tlv in ctx.tlvs)


TapHeader = Struct(
    "version" / Const(0, Int8ul),
    "reserved" / Const(0, Int8ul),
    "_length" / Rebuild(Int16ul, lambda ctx: _TAP_FIXED_LENGTH + _tlv_bytes(ctx)),
    "tlvs" / FixedSized(this._length - _TAP_FIXED_LENGTH, GreedyRange(TapTlv)),
)

# pcapng (draft-ietf-opsawg-pcapng): every block is type, total length, body, total length.
_SECTION_HEADER_BLOCK = 0x0A0D0D0A
_INTERFACE_DESCRIPTION_BLOCK = 0x00000001
_ENHANCED_PACKET_BLOCK = 0x00000006
_BYTE_ORDER_MAGIC = 0x1A2B3C4D
_BLOCK_OVERHEAD = 12  # type and the two length fields
_OPT_ENDOFOPT = 0
_OPT_COMMENT = 1

PcapNgBlock = Struct(
    "block_type" / Int32ul,
    "_total_length" / Rebuild(Int32ul, lambda ctx: _BLOCK_OVERHEAD + len(ctx.body)),
    "body" / Bytes(this._total_length - _BLOCK_OVERHEAD),
    "_trailing_length" / Rebuild(Int32ul, this._total_length),
)

PcapNgOption = Struct(
    "code" / Int16ul,
    "_length" / Rebuild(Int16ul, len_(this.value)),
    "value" / Bytes(this._length),
    Padding(lambda ctx: -ctx._length % 4),
)

PcapNgOptions = RepeatUntil(lambda option, options, ctx: option.code == _OPT_ENDOFOPT,
                            PcapNgOption)

SectionHeaderBody = Struct(
    "byte_order_magic" / Const(_BYTE_ORDER_MAGIC, Int32ul),
    "major_version" / Const(1, Int16ul),
    "minor_version" / Const(0, Int16ul),
    "section_length" / Int64sl,  # -1: not given
)

InterfaceDescriptionBody = Struct(
    "linktype" / Int16ul,
    "reserved" / Const(0, Int16ul),
    "snaplen" / Int32ul,
)

EnhancedPacketBody = Struct(
    "interface_id" / Int32ul,
    "timestamp_high" / Int32ul,  # microseconds since 1970, the default if_tsresol
    "timestamp_low" / Int32ul,
    "_captured_length" / Rebuild(Int32ul, len_(this.data)),
    "original_length" / Int32ul,
    "data" / Bytes(this._captured_length),
    Padding(lambda ctx: -ctx._captured_length % 4),
    "options" / Optional(PcapNgOptions),  # a block may end without any option
)


@dataclass(frozen=True)
class CapturedFrame:
    """One captured PSDU (MPDU and FCS) with what the radio reported about it."""

    psdu: bytes
    timestamp: float  # seconds since 1970-01-01 UTC, or since the start of a virtual clock
    channel: int | None = None
    rssi: float | None = None  # dBm
    comment: str | None = None  # pcapng only


def link_layer_bytes(frame: CapturedFrame, linktype: int) -> bytes:
    """Return the packet bytes of ``frame`` for a link type: the PSDU, behind a TAP header
    with FCS type, RSS and channel TLVs for link type 283."""
    if linktype == LINKTYPE_IEEE802_15_4_WITHFCS:
        return bytes(frame.psdu)
    tlvs = [Container(type=TAP_FCS_TYPE, value=TAP_FCS_16_BIT)]
    if frame.rssi is not None:
        tlvs.append(Container(type=TAP_RSS, value=float(frame.rssi)))
    if frame.channel is not None:
        tlvs.append(Container(type=TAP_CHANNEL_ASSIGNMENT,
                              value=Container(channel=frame.channel, page=0)))
    return build(TapHeader, Container(tlvs=tlvs), root="tap") + bytes(frame.psdu)


def _check_linktype(linktype: int) -> None:
    if linktype not in _LINKTYPES:
        raise ValueError(f"link type must be 195 or 283, found {linktype}")


def _microseconds(timestamp: float) -> int:
    if timestamp < 0:
        raise ValueError(f"a capture timestamp cannot be negative, found {timestamp}")
    return round(timestamp * _MICROSECONDS)


class PcapWriter:
    """Write a classic pcap file of 802.15.4 frames to ``stream``: header first, then one
    record per :meth:`write` call."""

    def __init__(self, stream: BinaryIO, *,
                 linktype: int = LINKTYPE_IEEE802_15_4_WITHFCS) -> None:
        _check_linktype(linktype)
        self.stream = stream
        self.linktype = linktype
        header = Container(version_major=_PCAP_VERSION_MAJOR, version_minor=_PCAP_VERSION_MINOR,
                           thiszone=0, sigfigs=0, snaplen=SNAPLEN, linktype=linktype)
        stream.write(build(PcapHeader, header, root="pcap"))

    def write(self, frame: CapturedFrame) -> None:
        """Append one frame."""
        data = link_layer_bytes(frame, self.linktype)
        seconds, micros = divmod(_microseconds(frame.timestamp), _MICROSECONDS)
        record = Container(header=Container(ts_sec=seconds, ts_usec=micros,
                                            orig_len=len(data)), data=data)
        self.stream.write(build(PcapRecord, record, root="pcap"))


def _block(block_type: int, body: bytes) -> bytes:
    return build(PcapNgBlock, Container(block_type=block_type, body=body), root="pcapng")


def _options(comment: str | None) -> list[Container]:
    options = []
    if comment:
        options.append(Container(code=_OPT_COMMENT, value=comment.encode("utf-8")))
    options.append(Container(code=_OPT_ENDOFOPT, value=b""))
    return options


class PcapNgWriter:
    """Write a pcapng file of 802.15.4 frames to ``stream``: one section with one interface,
    then one enhanced packet block (with an optional comment) per :meth:`write` call."""

    def __init__(self, stream: BinaryIO, *,
                 linktype: int = LINKTYPE_IEEE802_15_4_WITHFCS) -> None:
        _check_linktype(linktype)
        self.stream = stream
        self.linktype = linktype
        section = build(SectionHeaderBody, Container(section_length=-1), root="pcapng")
        interface = build(InterfaceDescriptionBody,
                          Container(linktype=linktype, snaplen=SNAPLEN), root="pcapng")
        stream.write(_block(_SECTION_HEADER_BLOCK, section)
                     + _block(_INTERFACE_DESCRIPTION_BLOCK, interface))

    def write(self, frame: CapturedFrame) -> None:
        """Append one frame, with ``frame.comment`` as the packet comment."""
        data = link_layer_bytes(frame, self.linktype)
        micros = _microseconds(frame.timestamp)
        body = build(EnhancedPacketBody, Container(
            interface_id=0, timestamp_high=micros >> 32, timestamp_low=micros & 0xFFFFFFFF,
            original_length=len(data), data=data, options=_options(frame.comment)),
            root="pcapng")
        self.stream.write(_block(_ENHANCED_PACKET_BLOCK, body))


def read_pcap(data: bytes) -> tuple[int, list[tuple[float, bytes]]]:
    """Read a classic pcap file: return its link type and (timestamp, packet bytes) pairs."""
    capture = parse(PcapFile, data, root="pcap")
    fraction = _NANOSECONDS if capture.header.magic == _PCAP_MAGIC_NANOSECONDS else _MICROSECONDS
    records = [(record.header.ts_sec + record.header.ts_usec / fraction, record.data)
               for record in capture.records]
    return int(capture.header.linktype), records


# Simple Packet Block: a packet of interface 0 without timestamp.
_SIMPLE_PACKET_BLOCK = 0x00000003
_OPT_IF_TSRESOL = 9  # interface option: timestamp resolution
_OPT_IF_TSRESOL_BINARY = 0x80  # the resolution is 2^-n seconds, not 10^-n
# The first four bytes of each capture format, little-endian as written here.
_CAPTURE_MAGICS = {
    _PCAP_MAGIC.to_bytes(4, "little"): "pcap",
    _PCAP_MAGIC_NANOSECONDS.to_bytes(4, "little"): "pcap",
    _SECTION_HEADER_BLOCK.to_bytes(4, "little"): "pcapng",
}
_BIG_ENDIAN_MAGICS = (_PCAP_MAGIC.to_bytes(4, "big"), _PCAP_MAGIC_NANOSECONDS.to_bytes(4, "big"))
_PCAPNG_BIG_ENDIAN_ORDER = _BYTE_ORDER_MAGIC.to_bytes(4, "big")

SimplePacketBody = Struct(
    "original_length" / Int32ul,
    "data" / Bytes(lambda ctx: ctx._params.captured_length),
    Padding(lambda ctx: -ctx._params.captured_length % 4),
)


def is_capture(data: bytes) -> bool:
    """Return whether ``data`` starts like a pcap or pcapng file (either byte order)."""
    head = bytes(data[:4])
    return head in _CAPTURE_MAGICS or head in _BIG_ENDIAN_MAGICS


@dataclass(frozen=True)
class _Interface:
    linktype: int
    snaplen: int
    ticks_per_second: int = _MICROSECONDS


def _ticks_per_second(options: list[Any] | None) -> int:
    for option in options or ():
        if option.code == _OPT_IF_TSRESOL and option.value:
            exponent = option.value[0] & ~_OPT_IF_TSRESOL_BINARY
            base = 2 if option.value[0] & _OPT_IF_TSRESOL_BINARY else 10
            return int(base ** exponent)
    return _MICROSECONDS


def _comment(options: list[Any] | None) -> str | None:
    for option in options or ():
        if option.code == _OPT_COMMENT:
            return bytes(option.value).decode("utf-8", errors="replace")
    return None


def _interface(interfaces: list[_Interface], number: int, offset: int, data: bytes) -> _Interface:
    if number >= len(interfaces):
        raise CodecError(f"packet of interface {number}, but the section describes "
                         f"{len(interfaces)} interfaces", path=("pcapng", "interface_id"),
                         offset=offset, data=data)
    return interfaces[number]


def read_pcapng(data: bytes) -> list[tuple[int, float, bytes, str | None]]:
    """Read a pcapng file: return (link type, timestamp, packet bytes, comment) per packet.

    Enhanced and simple packet blocks are read; other blocks (name resolution, statistics,
    custom) are skipped. Each section starts a new list of interfaces.
    """
    data = bytes(data)
    if data[8:12] == _PCAPNG_BIG_ENDIAN_ORDER:
        raise UnsupportedError("big-endian pcapng sections are not supported; rewrite the file "
                               "in little-endian byte order")
    blocks = parse(GreedyRange(PcapNgBlock), data, root="pcapng")
    interfaces: list[_Interface] = []
    packets: list[tuple[int, float, bytes, str | None]] = []
    offset = 0
    for block in blocks:
        body = bytes(block.body)
        if block.block_type == _SECTION_HEADER_BLOCK:
            parse(SectionHeaderBody, body, root="pcapng", exact=False)
            interfaces = []
        elif block.block_type == _INTERFACE_DESCRIPTION_BLOCK:
            header = parse(InterfaceDescriptionBody, body, root="pcapng", exact=False)
            options = (parse(PcapNgOptions, body[InterfaceDescriptionBody.sizeof():],
                             root="pcapng", exact=False)
                       if len(body) > InterfaceDescriptionBody.sizeof() else None)
            interfaces.append(_Interface(int(header.linktype), int(header.snaplen),
                                         _ticks_per_second(options)))
        elif block.block_type == _ENHANCED_PACKET_BLOCK:
            packet = parse(EnhancedPacketBody, body, root="pcapng")
            interface = _interface(interfaces, packet.interface_id, offset, data)
            ticks = packet.timestamp_high << 32 | packet.timestamp_low
            packets.append((interface.linktype, ticks / interface.ticks_per_second,
                            bytes(packet.data), _comment(packet.options)))
        elif block.block_type == _SIMPLE_PACKET_BLOCK:
            interface = _interface(interfaces, 0, offset, data)
            # The block has no captured length: it is the original length cut to the snap
            # length (0: no limit), and the block body pads the packet to 4 bytes.
            captured = int.from_bytes(body[:4], "little")
            if interface.snaplen:
                captured = min(captured, interface.snaplen)
            packet = parse(SimplePacketBody, body, root="pcapng", captured_length=captured)
            packets.append((interface.linktype, 0.0, bytes(packet.data), None))
        offset += len(body) + _BLOCK_OVERHEAD
    return packets


def _from_tap(packet: bytes, timestamp: float, comment: str | None) -> CapturedFrame:
    header = parse(TapHeader, packet, root="tap", exact=False)
    values = {tlv.type: tlv.value for tlv in header.tlvs}
    channel = values.get(TAP_CHANNEL_ASSIGNMENT)
    return CapturedFrame(packet[header._length:], timestamp,
                         channel=int(channel.channel) if channel is not None else None,
                         rssi=values.get(TAP_RSS), comment=comment)


def read_capture(data: bytes) -> list[CapturedFrame]:
    """Read the 802.15.4 frames of a pcap or pcapng file of link type 195 or 283.

    A TAP header (link type 283) is removed, and its channel and RSS are kept in the frame. A
    packet comment of a pcapng file becomes the frame's comment. Raises CodecError for a
    malformed file, and UnsupportedError for another link type or a big-endian file.
    """
    data = bytes(data)
    head = data[:4]
    if head in _BIG_ENDIAN_MAGICS:
        raise UnsupportedError("big-endian pcap files are not supported; rewrite the file in "
                               "little-endian byte order")
    if _CAPTURE_MAGICS.get(head) == "pcapng":
        packets = read_pcapng(data)
    else:
        linktype, records = read_pcap(data)
        packets = [(linktype, timestamp, packet, None) for timestamp, packet in records]
    frames = []
    for linktype, timestamp, packet, comment in packets:
        if linktype == LINKTYPE_IEEE802_15_4_TAP:
            frames.append(_from_tap(packet, timestamp, comment))
        elif linktype == LINKTYPE_IEEE802_15_4_WITHFCS:
            frames.append(CapturedFrame(packet, timestamp, comment=comment))
        else:
            raise UnsupportedError(f"link type {linktype} is not an IEEE 802.15.4 link type "
                                   f"read here: expected 195 (with FCS) or 283 (TAP)")
    return frames


def _key_text(key: bytes) -> str:
    if len(key) != 16:
        raise ValueError(f"a ZigBee key has 16 bytes, found {len(key)}")
    return ":".join(f"{byte:02x}" for byte in key)


def _label_text(label: str) -> str:
    # The UAT file quotes each field; keep labels to characters that need no escaping.
    return "".join(char if char.isalnum() or char in " -_.:" else "_" for char in label)


def wireshark_key_file(keys: Iterable[tuple[bytes, str]]) -> str:
    """Return the text of a Wireshark ``zigbee_pc_keys`` file listing ``(key, label)`` pairs.

    Put the network key and each device's trust centre link key in it; Wireshark derives the
    key-transport and key-load keys from a link key itself. Install the file in a Wireshark
    profile folder, or pass the same records to tshark with :func:`tshark_key_options`.
    """
    return "".join(f'"{_key_text(key)}","Normal","{_label_text(label)}"\n' for key, label in keys)


def tshark_key_options(keys: Iterable[tuple[bytes, str]]) -> list[str]:
    """Return tshark arguments (``-o uat:zigbee_pc_keys:...``) that load the same keys as
    :func:`wireshark_key_file`, without touching any Wireshark profile."""
    options: list[str] = []
    for key, label in keys:
        options += ["-o", f'uat:zigbee_pc_keys:"{_key_text(key)}","Normal","{_label_text(label)}"']
    return options
