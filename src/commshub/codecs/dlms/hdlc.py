"""HDLC frames of the DLMS/COSEM connection-oriented profile (IEC 62056-46, frame format type 3)
and a stream reader for them.

A frame is: flag 0x7E, frame format (type 0xA, segmentation bit, 11-bit length), destination and
source address, control, header check sequence, information, frame check sequence, flag 0x7E.
Addresses have 1, 2 or 4 octets, and the last octet has its low bit set. The header check
sequence is present only when an information field follows.
The length counts every octet between the flags, so the reader finds the end of a frame from it
and never from the next 0x7E, which may well occur inside a checksum.

HCS and FCS are CRC-16/X.25 (ISO/IEC 13239: polynomial 0x1021 reflected, initial value 0xFFFF,
final XOR 0xFFFF), sent least significant octet first.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum

from commshub.errors import CodecError, NeedMoreData

__all__ = [
    "FLAG",
    "FORMAT_TYPE_3",
    "LLC_REQUEST",
    "LLC_RESPONSE",
    "MAX_FRAME_LENGTH",
    "FrameKind",
    "HdlcAddress",
    "HdlcFrame",
    "HdlcReader",
    "SegmentAssembler",
    "build_frame",
    "crc16_x25",
    "parse_frame",
    "split_information",
]

FLAG = 0x7E
FORMAT_TYPE_3 = 0xA  # upper four bits of the frame format field (IEC 62056-46)
SEGMENTATION_BIT = 0x0800
MAX_FRAME_LENGTH = 0x07FF  # 11-bit length field
# LLC headers that open the information field of DLMS I- and UI-frames (IEC 62056-46):
# destination LSAP 0xE6, source LSAP 0xE6 (client request) or 0xE7 (server response), quality 0x00.
LLC_REQUEST = b"\xe6\xe6\x00"
LLC_RESPONSE = b"\xe6\xe7\x00"

_CHECKSUM_SIZE = 2
# Format (2) + destination (1) + source (1) + control (1) + FCS (2) octets.
_MIN_FRAME_LENGTH = 7
_BIT_REVERSED = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))


def crc16_x25(data: bytes) -> int:
    """Compute CRC-16/X.25 of ``data`` (check value for b"123456789" is 0x906E).

    ``binascii.crc_hqx`` is the same CRC unreflected, so reversing the bits of every input octet
    and of the result gives the reflected X.25 value at C speed.
    """
    crc = binascii.crc_hqx(bytes(data).translate(_BIT_REVERSED), 0xFFFF)
    return ((_BIT_REVERSED[crc & 0xFF] << 8) | _BIT_REVERSED[crc >> 8]) ^ 0xFFFF


def _checksum(data: bytes) -> bytes:
    return crc16_x25(data).to_bytes(2, "little")


class FrameKind(IntEnum):
    """Control field commands and responses (IEC 62056-46), P/F bit cleared."""

    I = 0x00
    RR = 0x01
    RNR = 0x05
    SNRM = 0x83
    DISC = 0x43
    UA = 0x63
    DM = 0x0F
    FRMR = 0x87
    UI = 0x03


_POLL_FINAL = 0x10


@dataclass(frozen=True, slots=True)
class HdlcAddress:
    """An HDLC address: ``upper`` alone in a 1-octet address; with ``lower`` in a 2-octet
    address (7 bits each) or a 4-octet one (14 bits each). Servers use the upper part for the
    logical device and the lower part for the physical device; clients use 1 octet."""

    upper: int
    lower: int | None = None
    size: int = 1

    @classmethod
    def client(cls, address: int) -> HdlcAddress:
        return cls(address)

    @classmethod
    def server(cls, logical: int, physical: int, *, size: int = 2) -> HdlcAddress:
        return cls(logical, physical, size)

    def to_bytes(self) -> bytes:
        if self.size == 1:
            if self.lower is not None or not 0 <= self.upper <= 0x7F:
                raise CodecError(f"a 1-octet address must be 0 to 127 with no lower part: {self}",
                                 path=("address",))
            return bytes(((self.upper << 1) | 1,))
        bits = 7 if self.size == 2 else 14
        if self.size not in (2, 4) or self.lower is None:
            raise CodecError(f"address size must be 1, 2 or 4 octets with a lower part: {self}",
                             path=("address",))
        if not (0 <= self.upper < 1 << bits and 0 <= self.lower < 1 << bits):
            raise CodecError(f"address parts must fit in {bits} bits: {self}", path=("address",))
        groups = []
        for part in (self.upper, self.lower):
            if bits == 14:
                groups += [part >> 7, part & 0x7F]
            else:
                groups.append(part)
        octets = [group << 1 for group in groups]
        octets[-1] |= 1
        return bytes(octets)

    @classmethod
    def from_bytes(cls, data: bytes) -> HdlcAddress:
        groups = [octet >> 1 for octet in data]
        if len(groups) == 1:
            return cls(groups[0])
        if len(groups) == 2:
            return cls(groups[0], groups[1], 2)
        if len(groups) == 4:
            return cls((groups[0] << 7) | groups[1], (groups[2] << 7) | groups[3], 4)
        raise CodecError(f"an address has 1, 2 or 4 octets, not {len(groups)}", path=("address",))


@dataclass(frozen=True, slots=True)
class HdlcFrame:
    """One HDLC frame between its flags; ``segmented`` is the segmentation bit of the format."""

    destination: HdlcAddress
    source: HdlcAddress
    control: int
    information: bytes = b""
    segmented: bool = False

    @property
    def kind(self) -> FrameKind | int:
        control = self.control & ~_POLL_FINAL & 0xFF
        if not control & 0x01:
            return FrameKind.I
        if control & 0x03 == 0x01:
            control &= 0x0F
        try:
            return FrameKind(control)
        except ValueError:
            return control

    @property
    def poll_final(self) -> bool:
        return bool(self.control & _POLL_FINAL)

    @property
    def send_sequence(self) -> int | None:
        """N(S) of an I-frame, else None."""
        return (self.control >> 1) & 0x07 if not self.control & 0x01 else None

    @property
    def receive_sequence(self) -> int | None:
        """N(R) of an I- or S-frame, else None."""
        return self.control >> 5 if self.control & 0x03 != 0x03 else None

    @staticmethod
    def i_control(send_sequence: int, receive_sequence: int, *, poll_final: bool = True) -> int:
        """Compose the control octet of an I-frame."""
        return ((receive_sequence & 7) << 5) | (_POLL_FINAL if poll_final else 0) | (
            (send_sequence & 7) << 1)


def build_frame(frame: HdlcFrame) -> bytes:
    """Build the frame with both flags, the length and the check sequences."""
    if not 0 <= frame.control <= 0xFF:
        raise CodecError(f"control octet out of range: {frame.control}", path=("hdlc", "control"))
    try:
        addresses = frame.destination.to_bytes() + frame.source.to_bytes()
    except CodecError as exc:
        raise exc.within("hdlc") from None
    header_length = 2 + len(addresses) + 1
    length = header_length + _CHECKSUM_SIZE
    if frame.information:
        length += _CHECKSUM_SIZE + len(frame.information)
    if length > MAX_FRAME_LENGTH:
        raise CodecError(f"frame length {length} exceeds {MAX_FRAME_LENGTH}; segment the "
                         "information field", path=("hdlc", "information"))
    frame_format = (FORMAT_TYPE_3 << 12) | (SEGMENTATION_BIT if frame.segmented else 0) | length
    header = frame_format.to_bytes(2, "big") + addresses + bytes((frame.control,))
    body = header
    if frame.information:
        body += _checksum(header) + bytes(frame.information)
    return bytes((FLAG,)) + body + _checksum(body) + bytes((FLAG,))


def _address_end(buf: bytes | bytearray, start: int, field: str) -> int:
    """Return the index after the address starting at ``start``; NeedMoreData if cut short."""
    for index in range(start, min(start + 4, len(buf))):
        if buf[index] & 0x01:
            size = index - start + 1
            if size == 3:
                raise CodecError("a 3-octet address is not allowed", path=("hdlc", field),
                                 offset=start, data=bytes(buf))
            return index + 1
    if len(buf) - start >= 4:
        raise CodecError("address has no end bit within 4 octets", path=("hdlc", field),
                         offset=start, data=bytes(buf))
    raise NeedMoreData(1)


def _check_prefix(buf: bytes | bytearray) -> int:
    """Validate as much of the frame at ``buf[0]`` (a flag) as is present; return its total size.

    Raises CodecError as soon as the octets present prove corruption, and NeedMoreData only
    while every octet present is consistent with a valid frame.
    """
    if len(buf) < 3:
        raise NeedMoreData(3 - len(buf))
    frame_format = (buf[1] << 8) | buf[2]
    if frame_format >> 12 != FORMAT_TYPE_3:
        raise CodecError(f"frame format type 0x{frame_format >> 12:X} is not 0xA",
                         path=("hdlc", "format"), offset=1, data=bytes(buf))
    length = frame_format & MAX_FRAME_LENGTH
    if length < _MIN_FRAME_LENGTH:
        raise CodecError(f"frame length {length} is below the minimum {_MIN_FRAME_LENGTH}",
                         path=("hdlc", "format"), offset=1, data=bytes(buf))
    destination_end = _address_end(buf, 3, "destination")
    source_end = _address_end(buf, destination_end, "source")
    header_end = source_end + 1  # control octet
    if length < header_end - 1 + _CHECKSUM_SIZE:
        raise CodecError(f"frame length {length} is shorter than its header",
                         path=("hdlc", "format"), offset=1, data=bytes(buf))
    if length == header_end - 1 + 2 * _CHECKSUM_SIZE:
        raise CodecError("frame has a header check sequence but no information field",
                         path=("hdlc", "format"), offset=1, data=bytes(buf))
    has_information = length > header_end - 1 + _CHECKSUM_SIZE
    if has_information and len(buf) >= header_end + _CHECKSUM_SIZE:
        expected = _checksum(bytes(buf[1:header_end]))
        if bytes(buf[header_end : header_end + 2]) != expected:
            raise CodecError(f"header check sequence {bytes(buf[header_end:header_end + 2]).hex()}"
                             f" does not match {expected.hex()}", path=("hdlc", "hcs"),
                             offset=header_end, data=bytes(buf))
    total = length + 2
    if len(buf) < total:
        raise NeedMoreData(total - len(buf))
    return total


def _decode_checked(buf: bytes, total: int) -> HdlcFrame:
    """Decode a frame whose prefix ``_check_prefix`` accepted and which is complete."""
    if buf[total - 1] != FLAG:
        raise CodecError(f"closing flag missing, found 0x{buf[total - 1]:02X}",
                         path=("hdlc", "flag"), offset=total - 1, data=buf)
    fcs_start = total - 1 - _CHECKSUM_SIZE
    expected = _checksum(buf[1:fcs_start])
    if buf[fcs_start : total - 1] != expected:
        raise CodecError(f"frame check sequence {buf[fcs_start:total - 1].hex()} does not match "
                         f"{expected.hex()}", path=("hdlc", "fcs"), offset=fcs_start, data=buf)
    destination_end = _address_end(buf, 3, "destination")
    source_end = _address_end(buf, destination_end, "source")
    control = buf[source_end]
    information = b""
    if fcs_start > source_end + 1:
        information = buf[source_end + 1 + _CHECKSUM_SIZE : fcs_start]
    return HdlcFrame(
        destination=HdlcAddress.from_bytes(buf[3:destination_end]),
        source=HdlcAddress.from_bytes(buf[destination_end:source_end]),
        control=control,
        information=information,
        segmented=bool(buf[1] & (SEGMENTATION_BIT >> 8)),
    )


def parse_frame(data: bytes) -> HdlcFrame:
    """Parse exactly one frame with both flags; raise CodecError on anything else."""
    buf = bytes(data)
    if not buf or buf[0] != FLAG:
        raise CodecError("frame must start with the flag 0x7E", path=("hdlc", "flag"), offset=0,
                         data=buf)
    try:
        total = _check_prefix(buf)
    except NeedMoreData as exc:
        raise CodecError(f"truncated frame: {exc}", path=("hdlc",), offset=len(buf),
                         data=buf) from None
    frame = _decode_checked(buf, total)
    if total != len(buf):
        raise CodecError(f"{len(buf) - total} octets after the closing flag", path=("hdlc",),
                         offset=total, data=buf)
    return frame


class HdlcReader:
    """Split a byte stream into HDLC frames.

    ``feed`` appends received octets; ``read_frame`` returns the next complete frame, raises
    :class:`NeedMoreData` while the buffer holds only a valid prefix, and raises
    :class:`CodecError` on corruption after dropping the bad octets up to the next flag, so the
    following call resynchronises. A closing flag stays buffered because it may also open the
    next frame.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def buffered(self) -> bytes:
        """The octets received and not yet consumed."""
        return bytes(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def read_frame(self) -> HdlcFrame:
        buf = self._buffer
        if buf and buf[0] != FLAG:
            self._discard_to_flag(0, "octets outside a frame")
        while len(buf) >= 2 and buf[0] == FLAG and buf[1] == FLAG:
            del buf[0]  # inter-frame fill or a closing flag followed by an opening flag
        if not buf:
            raise NeedMoreData(3)
        # A frame may follow a shared flag directly: the flag left by the previous frame.
        try:
            total = _check_prefix(buf)
            frame = _decode_checked(bytes(buf[:total]), total)
        except CodecError as exc:
            self._discard_to_flag(1, exc.reason, exc)
            raise AssertionError("unreachable") from None
        del buf[: total - 1]  # keep the closing flag: it may open the next frame
        return frame

    def frames(self) -> Iterator[HdlcFrame]:
        """Yield every complete frame in the buffer; stop when more data is needed."""
        while True:
            try:
                yield self.read_frame()
            except NeedMoreData:
                return

    def _discard_to_flag(self, start: int, reason: str, cause: CodecError | None = None) -> None:
        buf = self._buffer
        try:
            end = buf.index(FLAG, start)
        except ValueError:
            end = len(buf)
        dropped = bytes(buf[:end])
        del buf[:end]
        path = cause.path if cause is not None else ("hdlc",)
        offset = cause.offset if cause is not None else 0
        raise CodecError(f"{reason}; dropped {len(dropped)} octets up to the next flag",
                         path=path, offset=offset, data=dropped if cause is None else cause.data)


def split_information(information: bytes, max_length: int) -> list[bytes]:
    """Split an information field into parts of at most ``max_length`` octets, to send as
    I-frames whose segmentation bit is set on every part but the last."""
    if max_length < 1:
        raise CodecError(f"maximum information length must be positive, got {max_length}",
                         path=("hdlc", "information"))
    if not information:
        return [b""]
    return [bytes(information[start : start + max_length])
            for start in range(0, len(information), max_length)]


class SegmentAssembler:
    """Join the information fields of a segmented sequence of I-frames, in which every
    frame but the last carries the segmentation bit (IEC 62056-46).

    ``add`` returns the whole information field once the last segment arrives, else None.
    Frames other than I- and UI-frames (for example the RR frames a client sends between
    segments) must not be passed in.
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    @property
    def pending(self) -> int:
        """Number of segments received and not yet joined."""
        return len(self._parts)

    def add(self, frame: HdlcFrame) -> bytes | None:
        if frame.kind not in (FrameKind.I, FrameKind.UI):
            raise CodecError(f"only I- and UI-frames carry segments, got {frame.kind!r}",
                             path=("hdlc", "control"))
        self._parts.append(frame.information)
        if frame.segmented:
            return None
        information = b"".join(self._parts)
        self._parts.clear()
        return information
