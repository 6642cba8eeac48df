"""Wire formats of the gateway socket: commshub's binary frame and the DCC's GFI text lines.

Binary frame, big-endian (docs/wan-interface.md has the tables)::

    magic C3 48 | version 1 | frame type 1 | body length 4 | body
    body: category 1 | flags 1 | correlation id 8 | address | [release at 8] | [spread 4] | tail

Every protocol version keeps the first 8 bytes, so a reader can skip a frame of a version it
does not know. The GFI text line is ``GBCS:DATA#<index>:<length>:<hex>\\r\\n`` with the length in
bytes, as the DCC's GFI test tool frames GBCS messages (format seen in the public HenryGiraldo
GBCS emulator, ``c/gfi.c``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from ipaddress import IPv6Address
from typing import Any

from construct import (
    Bytes,
    Const,
    Error,
    FlagsEnum,
    GreedyBytes,
    If,
    Int8ub,
    Int16ub,
    Int32ub,
    Int64ub,
    PascalString,
    Prefixed,
    Struct,
    Switch,
    this,
)

from commshub.codecs.common import build, parse
from commshub.errors import CodecError
from commshub.wan.addresses import GroupKey, GroupSelector

__all__ = [
    "DEFAULT_MAX_BODY",
    "HEADER_SIZE",
    "MAGIC",
    "PROTOCOL_VERSION",
    "Address",
    "Category",
    "Frame",
    "FrameReader",
    "FrameType",
    "FramingError",
    "GfiData",
    "GfiError",
    "GfiReader",
    "GfiRoute",
    "Status",
    "decode_frame",
    "encode_frame",
    "encode_gfi_data",
    "encode_gfi_error",
    "encode_gfi_route",
]

# First bytes of every binary frame: "CH" with the high bit of the first byte set, so a binary
# frame can never be mistaken for a GFI text line, which starts with "G".
MAGIC = b"\xc3\x48"
PROTOCOL_VERSION = 1
# magic 2 + version 1 + frame type 1 + body length 4
HEADER_SIZE = 8
# Largest body the gateway accepts by default, in bytes: room for a firmware image chunk of
# 64 KiB several times over and for any GBCS message (GFI tools cap them at 1,200 bytes).
DEFAULT_MAX_BODY = 256 * 1024
# Longest client name in a HELLO frame, in UTF-8 bytes (one length byte).
MAX_CLIENT_NAME = 255


class FrameType(IntEnum):
    HELLO = 1  # client -> gateway: names the client, for idempotent retransmission
    REQUEST = 2  # client -> gateway -> hub
    ACK = 3  # gateway -> client: request or subscription accepted or rejected
    RESPONSE = 4  # hub -> gateway -> client
    ALERT = 5  # hub -> gateway -> subscribed clients
    ERROR = 6  # gateway -> client: bad input, or a failure after the ACK
    SUBSCRIBE = 7  # client -> gateway: receive alerts from a hub, a group or all hubs
    CONTROL = 8  # client -> gateway: a bench control command (JSON text), answered by an ACK


class Category(IntEnum):
    """The five kinds of SMWAN traffic; 0 marks control frames."""

    CONTROL = 0
    FIRMWARE = 1  # firmware images into the hub's data store; unicast or group
    SCHEDULED_READ = 2  # retrieval of the meters' cached scheduled read responses
    METER_ALERT = 3  # alerts from hubs and meters; never a request
    BULK = 4  # load control and other bulk commands; unicast or group
    UNICAST = 5  # secured unicast GBCS commands, critical and non-critical


class Status(IntEnum):
    """ACK and ERROR status codes."""

    ACCEPTED = 0x0000
    ACCEPTED_DUPLICATE = 0x0001
    # The frame itself is bad.
    MALFORMED_FRAME = 0x0100
    UNSUPPORTED_VERSION = 0x0101
    FRAME_TOO_LARGE = 0x0102
    TRUNCATED_FRAME = 0x0103
    UNEXPECTED_FRAME_TYPE = 0x0104
    # The request is well formed but not valid.
    INVALID_CATEGORY = 0x0200
    INVALID_ADDRESS = 0x0201
    INVALID_SCHEDULE = 0x0202
    INVALID_REQUEST = 0x0203
    CORRELATION_ID_REUSED = 0x0204
    # Routing.
    UNKNOWN_ADDRESS = 0x0300
    EMPTY_GROUP = 0x0301
    # Throughput limits; retry_after_ms says when to try again.
    RATE_LIMITED = 0x0400
    HUB_QUEUE_FULL = 0x0401
    CONNECTION_LIMIT = 0x0402
    # Failures after an accepted ACK.
    HUB_UNREACHABLE = 0x0500
    RESPONSE_TIMEOUT = 0x0501
    HUB_DECOMMISSIONED = 0x0502
    INTERRUPTED = 0x0503  # the gateway restarted while the request was in flight
    # The gateway itself.
    INTERNAL_ERROR = 0x0600
    SHUTTING_DOWN = 0x0601
    AUDIT_FAILURE = 0x0602

    @property
    def accepted(self) -> bool:
        return self in (Status.ACCEPTED, Status.ACCEPTED_DUPLICATE)


# Either the hub's network address, a group of hubs, or none (control frames, all hubs).
Address = IPv6Address | GroupSelector | None

_ADDRESS_NONE, _ADDRESS_HUB, _ADDRESS_GROUP = 0, 1, 2

_FLAGS = FlagsEnum(
    Int8ub,
    critical=0x01,  # a critical GBCS command (informational; the hub checks its signature)
    retransmission=0x02,  # the client sent this correlation id before
    more_follows=0x04,  # RESPONSE: more responses from the same hub follow
    release_at=0x08,  # a release time field follows the address
    spread=0x10,  # a spread field follows
    gateway_alert=0x20,  # ALERT: the payload is a gateway alert (wan.alerts), not GBCS
)

_ADDRESS = Struct(
    "type" / Int8ub,
    "value" / Switch(
        this.type,
        {
            _ADDRESS_NONE: Struct(),
            _ADDRESS_HUB: Bytes(16),
            _ADDRESS_GROUP: Struct("key" / Int8ub, "value" / PascalString(Int8ub, "utf8")),
        },
        default=Error,
    ),
)

_STATUS_TAIL = Struct(
    "status" / Int16ub,
    "retry_after_ms" / Int32ub,
    "targets" / Int32ub,  # ACK: number of hubs the request goes to
    "message" / PascalString(Int16ub, "utf8"),
)

_PAYLOAD_TAIL = Struct("payload" / GreedyBytes)

_BODY = Struct(
    "category" / Int8ub,
    "flags" / _FLAGS,
    "correlation_id" / Int64ub,
    "address" / _ADDRESS,
    "release_at_ms" / If(this.flags.release_at, Int64ub),  # Unix milliseconds, UTC
    "spread_ms" / If(this.flags.spread, Int32ub),
    "tail" / Switch(
        this._.frame_type,
        {
            FrameType.HELLO: Struct("client_name" / PascalString(Int8ub, "utf8")),
            FrameType.REQUEST: _PAYLOAD_TAIL,
            FrameType.ACK: _STATUS_TAIL,
            FrameType.RESPONSE: _PAYLOAD_TAIL,
            FrameType.ALERT: _PAYLOAD_TAIL,
            FrameType.ERROR: _STATUS_TAIL,
            FrameType.SUBSCRIBE: Struct(),
            FrameType.CONTROL: Struct("message" / PascalString(Int16ub, "utf8")),
        },
        default=Error,
    ),
)

_PREAMBLE = ("magic" / Const(MAGIC), "version" / Int8ub, "frame_type" / Int8ub)

_FRAME_TYPES = frozenset(int(t) for t in FrameType)

FRAME_HEADER = Struct(*_PREAMBLE, "body_length" / Int32ub)
FRAME = Struct(*_PREAMBLE, "body" / Prefixed(Int32ub, _BODY))


@dataclass(frozen=True)
class Frame:
    """One binary gateway frame.

    ``payload`` is the GBCS frame (or gateway alert, or empty) for REQUEST, RESPONSE and ALERT.
    ``status``, ``retry_after_ms``, ``targets`` and ``message`` belong to ACK and ERROR;
    ``message`` is also the client name of a HELLO and the command of a CONTROL.
    ``release_at_ms`` and ``spread_ms`` schedule a REQUEST.
    """

    frame_type: FrameType
    category: int = Category.CONTROL
    correlation_id: int = 0
    address: Address = None
    payload: bytes = b""
    critical: bool = False
    retransmission: bool = False
    more_follows: bool = False
    gateway_alert: bool = False
    release_at_ms: int | None = None
    spread_ms: int | None = None
    status: int = Status.ACCEPTED
    retry_after_ms: int = 0
    targets: int = 0
    message: str = ""

    def status_name(self) -> str:
        """The status as its name ("RATE_LIMITED"), or in hex when this side does not know it."""
        try:
            return Status(self.status).name
        except ValueError:
            return f"0x{self.status:04X}"


class FramingError(CodecError):
    """A frame that cannot be read, with the status to answer it with.

    ``recoverable`` is true when the reader has skipped the bad frame and the stream can go on;
    false when the stream has lost its frame boundaries and the connection must close.
    """

    def __init__(
        self,
        message: str,
        *,
        status: Status,
        recoverable: bool,
        path: tuple[str, ...] = (),
        offset: int | None = None,
        data: bytes | None = None,
    ) -> None:
        super().__init__(message, path=path, offset=offset, data=data)
        self.status = status
        self.recoverable = recoverable


def _address_container(address: Address) -> dict[str, Any]:
    if address is None:
        return {"type": _ADDRESS_NONE, "value": {}}
    if isinstance(address, IPv6Address):
        return {"type": _ADDRESS_HUB, "value": address.packed}
    return {"type": _ADDRESS_GROUP, "value": {"key": int(address.key), "value": address.value}}


def _address_value(container: Any) -> Address:
    if container.type == _ADDRESS_HUB:
        return IPv6Address(container.value)
    if container.type == _ADDRESS_GROUP:
        try:
            return GroupSelector(GroupKey(container.value.key), container.value.value)
        except ValueError as exc:
            raise CodecError(str(exc), path=("gateway_frame", "body", "address")) from None
    return None


def encode_frame(frame: Frame) -> bytes:
    """Build the bytes of ``frame``; raise CodecError naming the field on an invalid value."""
    frame_type = FrameType(frame.frame_type)
    tail: dict[str, Any]
    if frame_type in (FrameType.ACK, FrameType.ERROR):
        tail = {
            "status": int(frame.status), "retry_after_ms": frame.retry_after_ms,
            "targets": frame.targets, "message": frame.message,
        }
    elif frame_type is FrameType.HELLO:
        tail = {"client_name": frame.message}
    elif frame_type is FrameType.SUBSCRIBE:
        tail = {}
    elif frame_type is FrameType.CONTROL:
        tail = {"message": frame.message}
    else:
        tail = {"payload": frame.payload}
    value = {
        "version": PROTOCOL_VERSION,
        "frame_type": int(frame_type),
        "body": {
            "category": int(frame.category),
            "flags": {
                "critical": frame.critical,
                "retransmission": frame.retransmission,
                "more_follows": frame.more_follows,
                "release_at": frame.release_at_ms is not None,
                "spread": frame.spread_ms is not None,
                "gateway_alert": frame.gateway_alert,
            },
            "correlation_id": frame.correlation_id,
            "address": _address_container(frame.address),
            "release_at_ms": frame.release_at_ms,
            "spread_ms": frame.spread_ms,
            "tail": tail,
        },
    }
    return build(FRAME, value, root="gateway_frame")


def decode_frame(data: bytes) -> Frame:
    """Parse one whole binary frame; raise CodecError with field path and offset when invalid.

    Unknown status codes decode to their number; unknown frame types, address types and
    versions are errors, because the rest of the frame cannot be read without them.
    """
    data = bytes(data)
    if len(data) >= HEADER_SIZE and data[:2] == MAGIC and data[3] not in _FRAME_TYPES:
        raise CodecError(
            f"unknown frame type {data[3]}", path=("gateway_frame", "frame_type"), offset=3,
            data=data,
        )
    container = parse(FRAME, data, root="gateway_frame")
    if container.version != PROTOCOL_VERSION:
        raise CodecError(
            f"protocol version {container.version} is not supported (this side speaks "
            f"{PROTOCOL_VERSION})", path=("gateway_frame", "version"), offset=2, data=data,
        )
    body = container.body
    tail = body.tail
    flags = body.flags
    frame_type = FrameType(container.frame_type)
    return Frame(
        frame_type=frame_type,
        category=body.category,
        correlation_id=body.correlation_id,
        address=_address_value(body.address),
        payload=bytes(tail.get("payload", b"")),
        critical=flags.critical,
        retransmission=flags.retransmission,
        more_follows=flags.more_follows,
        gateway_alert=flags.gateway_alert,
        release_at_ms=body.release_at_ms,
        spread_ms=body.spread_ms,
        status=_status_value(tail.get("status", Status.ACCEPTED)),
        retry_after_ms=tail.get("retry_after_ms", 0),
        targets=tail.get("targets", 0),
        message=tail.get("client_name", tail.get("message", "")),
    )


def _status_value(value: int) -> int:
    # Tolerant parse: a status this side does not know stays a plain number.
    try:
        return Status(value)
    except ValueError:
        return value


class FrameReader:
    """A stream reader for binary frames: feed bytes, take whole frames.

    :meth:`next_frame` returns None while the buffered bytes are a prefix of a valid frame and
    raises :class:`FramingError` as soon as they cannot be: wrong magic or a body longer than
    ``max_body`` (unrecoverable), or a whole frame whose version or body is invalid
    (recoverable: that frame is skipped).
    """

    def __init__(self, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.max_body = max_body
        self._buffer = bytearray()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_frame(self) -> Frame | None:
        prefix = bytes(self._buffer[: len(MAGIC)])
        if prefix != MAGIC[: len(prefix)]:
            raise FramingError(
                f"expected the frame magic {MAGIC.hex(' ')}, found {prefix.hex(' ')}",
                status=Status.MALFORMED_FRAME, recoverable=False, path=("gateway_frame", "magic"),
                offset=0, data=bytes(self._buffer[:HEADER_SIZE]),
            )
        if len(self._buffer) < HEADER_SIZE:
            return None
        header = FRAME_HEADER.parse(bytes(self._buffer[:HEADER_SIZE]))
        if header.body_length > self.max_body:
            raise FramingError(
                f"frame body of {header.body_length} bytes exceeds the maximum of "
                f"{self.max_body} bytes",
                status=Status.FRAME_TOO_LARGE, recoverable=False,
                path=("gateway_frame", "body_length"), offset=4, data=bytes(self._buffer[:HEADER_SIZE]),
            )
        end = HEADER_SIZE + header.body_length
        if len(self._buffer) < end:
            return None
        data = bytes(self._buffer[:end])
        del self._buffer[:end]
        if header.version != PROTOCOL_VERSION:
            raise FramingError(
                f"protocol version {header.version} is not supported (this side speaks "
                f"{PROTOCOL_VERSION}); the frame was skipped",
                status=Status.UNSUPPORTED_VERSION, recoverable=True,
                path=("gateway_frame", "version"), offset=2, data=data[:HEADER_SIZE],
            )
        if header.frame_type not in _FRAME_TYPES:
            raise FramingError(
                f"unknown frame type {header.frame_type}; the frame was skipped",
                status=Status.UNEXPECTED_FRAME_TYPE, recoverable=True,
                path=("gateway_frame", "frame_type"), offset=3, data=data[:HEADER_SIZE],
            )
        try:
            return decode_frame(data)
        except CodecError as exc:
            raise FramingError(
                f"{exc.reason}; the frame was skipped", status=Status.MALFORMED_FRAME,
                recoverable=True, path=exc.path, offset=exc.offset, data=exc.data,
            ) from None

    def check_eof(self, *, stalled_for: float | None = None) -> None:
        """Raise FramingError (TRUNCATED_FRAME) if the stream ended inside a frame, or stalled
        there for ``stalled_for`` seconds."""
        if not self._buffer:
            return
        have = len(self._buffer)
        ended = "the stream ended" if stalled_for is None else f"no data for {stalled_for:g} s"
        if have >= HEADER_SIZE:
            expected = HEADER_SIZE + FRAME_HEADER.parse(bytes(self._buffer[:HEADER_SIZE])).body_length
            text = f"{ended} after {have} of the {expected} bytes of a frame"
        else:
            text = f"{ended} after {have} bytes, inside a frame header of {HEADER_SIZE} bytes"
        raise FramingError(
            text, status=Status.TRUNCATED_FRAME, recoverable=False, path=("gateway_frame",),
            offset=have, data=bytes(self._buffer[:HEADER_SIZE]),
        )


# GFI text framing.

GFI_PREFIX = b"GBCS:"
GFI_LINE_END = b"\r\n"
# The length takes any number of digits, so that an oversized one gets a length error.
_GFI_DATA = re.compile(rb"^GBCS:DATA#([0-9]{1,5}):([0-9]+):([0-9A-Fa-f]*)$")
# commshub extensions: select the hub a GFI connection talks to, and report errors.
_GFI_ROUTE = re.compile(rb"^GBCS:ROUTE:([0-9A-Fa-f:.]{2,45})$")
_GFI_ERROR = re.compile(rb"^GBCS:ERROR:([0-9A-Fa-f]{4}):(.*)$")
# "GBCS:DATA#" + index (5) + ":" + length (7) + ":" before the hex digits.
_GFI_OVERHEAD = 25


@dataclass(frozen=True)
class GfiData:
    """A GBCS message in a ``GBCS:DATA#<index>:<length>:<hex>`` line."""

    payload: bytes
    index: int = 0


@dataclass(frozen=True)
class GfiRoute:
    """``GBCS:ROUTE:<network address>``: later lines on this connection go to that hub."""

    address: IPv6Address


@dataclass(frozen=True)
class GfiError:
    """``GBCS:ERROR:<status, 4 hex digits>:<message>``, sent by the gateway."""

    status: int
    message: str


def encode_gfi_data(payload: bytes, index: int = 0) -> bytes:
    return b"GBCS:DATA#%d:%d:%s\r\n" % (index, len(payload), payload.hex().upper().encode())


def encode_gfi_route(address: IPv6Address) -> bytes:
    return b"GBCS:ROUTE:%s\r\n" % str(address).encode()


def encode_gfi_error(status: int, message: str) -> bytes:
    text = message.replace("\r", " ").replace("\n", " ")
    return b"GBCS:ERROR:%04X:%s\r\n" % (status, text.encode("utf-8", "replace"))


class GfiReader:
    """A stream reader for GFI lines (``\\r\\n`` or ``\\n`` ends a line).

    A line that is not a valid GFI line is skipped and reported as a recoverable
    :class:`FramingError`; a line longer than a ``max_body``-byte message can be, without a line
    end, is unrecoverable.
    """

    def __init__(self, *, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.max_body = max_body
        self.max_line = _GFI_OVERHEAD + 2 * max_body + len(GFI_LINE_END)
        self._buffer = bytearray()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_message(self) -> GfiData | GfiRoute | GfiError | None:
        end = self._buffer.find(b"\n")
        if end < 0:
            if len(self._buffer) > self.max_line:
                raise FramingError(
                    f"GFI line longer than {self.max_line} bytes without a line end",
                    status=Status.FRAME_TOO_LARGE, recoverable=False, path=("gfi",), offset=0,
                    data=bytes(self._buffer[:32]),
                )
            return None
        line = bytes(self._buffer[:end]).rstrip(b"\r")
        del self._buffer[: end + 1]
        return self._parse_line(line)

    def _parse_line(self, line: bytes) -> GfiData | GfiRoute | GfiError:
        if match := _GFI_DATA.match(line):
            index, length, digits = int(match[1]), int(match[2]), match[3]
            if length > self.max_body:
                raise self._line_error(
                    f"GFI message of {length} bytes exceeds the maximum of {self.max_body} bytes",
                    line, Status.FRAME_TOO_LARGE,
                )
            if len(digits) != 2 * length:
                raise self._line_error(
                    f"GFI length field says {length} bytes but {len(digits)} hex digits follow "
                    f"(expected {2 * length})", line, Status.MALFORMED_FRAME,
                )
            return GfiData(bytes.fromhex(digits.decode("ascii")), index)
        if match := _GFI_ROUTE.match(line):
            try:
                return GfiRoute(IPv6Address(match[1].decode("ascii")))
            except ValueError:
                raise self._line_error(
                    f"GFI route {match[1].decode('ascii')!r} is not an IPv6 network address",
                    line, Status.INVALID_ADDRESS,
                ) from None
        if match := _GFI_ERROR.match(line):
            return GfiError(int(match[1], 16), match[2].decode("utf-8", "replace"))
        raise self._line_error(
            "not a GFI line; expected GBCS:DATA#<index>:<length>:<hex>", line,
            Status.MALFORMED_FRAME,
        )

    @staticmethod
    def _line_error(message: str, line: bytes, status: Status) -> FramingError:
        return FramingError(
            f"{message}; the line was skipped", status=status, recoverable=True, path=("gfi",),
            offset=0, data=line[:48],
        )

    def check_eof(self, *, stalled_for: float | None = None) -> None:
        """Raise FramingError (TRUNCATED_FRAME) if the stream ended inside a line, or stalled
        there for ``stalled_for`` seconds."""
        if self._buffer:
            ended = "the stream ended" if stalled_for is None else f"no data for {stalled_for:g} s"
            raise FramingError(
                f"{ended} after {len(self._buffer)} bytes of a GFI line without its line end",
                status=Status.TRUNCATED_FRAME, recoverable=False, path=("gfi",), offset=0,
                data=bytes(self._buffer[:32]),
            )
