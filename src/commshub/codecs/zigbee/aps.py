"""ZigBee application support sub-layer (APS) frames: data, command, acknowledgment and
inter-PAN frames, group addressing, the extended header for fragmentation, APS security and the
APS commands; plus fragmentation and reassembly with windowed block acknowledgments.

Layouts follow the ZigBee specification 05-3474 (R22) section 2.2.5 (frame formats), 2.2.8.4.5
(fragmented transmission) and 4.4.10 (APS command frames); inter-PAN frames follow Annex B.3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from construct import (
    Bytes,
    Container,
    GreedyBytes,
    If,
    Int8ul,
    Int16ul,
    Int64ul,
    Struct,
    Switch,
    this,
)

from commshub.codecs.common import parse
from commshub.codecs.zigbee.security import (
    KEY_IDS,
    ZIGBEE_SECURITY_LEVEL,
    AuxiliaryHeader,
    frame_mic_length,
    hashed_key_for,
    payload_is_ciphertext,
    secure_zigbee_frame,
    unsecure_zigbee_frame,
)
from commshub.codecs.zigbee.stack_common import (
    AllButLast,
    BitFields,
    build_value,
    enum_int,
    to_container,
)
from commshub.errors import LocalProtocolError, RemoteProtocolError

__all__ = [
    "APS_COMMANDS",
    "APS_FRAME_TYPES",
    "DELIVERY_MODES",
    "FRAGMENTATION",
    "KEY_TYPES",
    "MAX_WINDOW_SIZE",
    "ApsCommand",
    "ApsExtendedHeader",
    "ApsFrame",
    "ApsFrameControl",
    "ApsReassembler",
    "BlockAck",
    "ack_bitfield",
    "build_aps_frame",
    "fragment_payload",
    "parse_aps_frame",
    "secure_aps_frame",
    "unsecure_aps_frame",
]

_ROOT = "aps"

# ZigBee Table 2.20 and 2.21: frame type and delivery mode.
APS_FRAME_TYPES = {0: "data", 1: "command", 2: "ack", 3: "inter_pan"}
_DATA, _COMMAND, _ACK, _INTER_PAN = 0, 1, 2, 3
DELIVERY_MODES = {0: "unicast", 1: "indirect", 2: "broadcast", 3: "group"}
_UNICAST, _BROADCAST, _GROUP = 0, 2, 3

ApsFrameControl = BitFields(
    Int8ul,
    ("frame_type", 2, APS_FRAME_TYPES),
    ("delivery_mode", 2, DELIVERY_MODES),
    ("ack_format", 1),  # in an ack: 1 acknowledges a command and omits the addressing fields
    ("security", 1),
    ("ack_request", 1),
    ("extended_header", 1),
)

# ZigBee Table 2.22: fragmentation sub-field of the extended frame control.
FRAGMENTATION = {0: "not_fragmented", 1: "first_fragment", 2: "fragment"}
_NOT_FRAGMENTED = 0


def _fragmented(ctx: Any) -> bool:
    return enum_int(ctx.extended_frame_control.fragmentation, FRAGMENTATION) != _NOT_FRAGMENTED


def _is_ack_frame(ctx: Any) -> bool:
    return enum_int(ctx._.frame_control.frame_type, APS_FRAME_TYPES) == _ACK


ApsExtendedHeader = Struct(
    "extended_frame_control" / BitFields(Int8ul, ("fragmentation", 2, FRAGMENTATION),
                                         ("reserved", 6)),
    # In the first fragment the block number is the total number of blocks.
    "block_number" / If(_fragmented, Int8ul),
    "ack_bitfield" / If(lambda ctx: _fragmented(ctx) and _is_ack_frame(ctx), Int8ul),
)

# ZigBee Table 4.12 (R22) and the older key types still seen on the air (ZigBee 2007).
KEY_TYPES = {
    0x00: "trust_center_master_key", 0x01: "standard_network_key",
    0x02: "application_master_key", 0x03: "application_link_key",
    0x04: "trust_center_link_key", 0x05: "high_security_network_key",
}
_NETWORK_KEY_TYPES = (0x01, 0x05)
_APPLICATION_KEY_TYPES = (0x02, 0x03)
_REQUEST_APPLICATION_KEY = 0x02  # request key: key type whose frame names a partner

# ZigBee Table 4.10: APS command identifiers.
APS_COMMANDS = {
    0x01: "skke_1", 0x02: "skke_2", 0x03: "skke_3", 0x04: "skke_4",
    0x05: "transport_key", 0x06: "update_device", 0x07: "remove_device",
    0x08: "request_key", 0x09: "switch_key", 0x0A: "ea_init_challenge",
    0x0B: "ea_resp_challenge", 0x0C: "ea_init_mac_data", 0x0D: "ea_resp_mac_data",
    0x0E: "tunnel", 0x0F: "verify_key", 0x10: "confirm_key",
}

# ZigBee Table 4.16: update device status.
UPDATE_DEVICE_STATUS = {
    0x00: "standard_secured_rejoin", 0x01: "standard_unsecured_join",
    0x02: "device_left", 0x03: "standard_trust_center_rejoin",
}

_KEY_LENGTH = 16

TransportKey = Struct(
    "key_type" / Int8ul,
    "key" / Bytes(_KEY_LENGTH),
    "key_sequence_number" / If(lambda ctx: ctx.key_type in _NETWORK_KEY_TYPES, Int8ul),
    "destination_address" / If(lambda ctx: ctx.key_type not in _APPLICATION_KEY_TYPES, Int64ul),
    "source_address" / If(lambda ctx: ctx.key_type not in _APPLICATION_KEY_TYPES, Int64ul),
    "partner_address" / If(lambda ctx: ctx.key_type in _APPLICATION_KEY_TYPES, Int64ul),
    "initiator_flag" / If(lambda ctx: ctx.key_type in _APPLICATION_KEY_TYPES, Int8ul),
)

_Skke = Struct("initiator_address" / Int64ul, "responder_address" / Int64ul,
               "data" / Bytes(_KEY_LENGTH))

ApsCommand = Switch(
    lambda ctx: int(ctx.command_id),
    {
        0x01: _Skke, 0x02: _Skke, 0x03: _Skke, 0x04: _Skke,
        0x05: TransportKey,
        0x06: Struct("device_address" / Int64ul, "device_short_address" / Int16ul,
                     "status" / Int8ul),
        0x07: Struct("target_address" / Int64ul),
        0x08: Struct("key_type" / Int8ul,
                     "partner_address" / If(this.key_type == _REQUEST_APPLICATION_KEY, Int64ul)),
        0x09: Struct("key_sequence_number" / Int8ul),
        # The tunnelled APS frame (header, auxiliary header, secured command) stays in payload.
        0x0E: Struct("destination_address" / Int64ul),
        0x0F: Struct("key_type" / Int8ul, "source_address" / Int64ul,
                     "initiator_verify_key_hash" / Bytes(_KEY_LENGTH)),
        0x10: Struct("status" / Int8ul, "key_type" / Int8ul, "destination_address" / Int64ul),
    },
)


def _frame_type(ctx: Any) -> int:
    return enum_int(ctx.frame_control.frame_type, APS_FRAME_TYPES)


def _addressed(ctx: Any) -> bool:
    # Data frames, and acks of data frames (ack format 0), carry endpoints, cluster and profile.
    frame_type = _frame_type(ctx)
    return frame_type == _DATA or (frame_type == _ACK and not ctx.frame_control.ack_format)


def _destination_endpoint_present(ctx: Any) -> bool:
    if _frame_type(ctx) == _ACK:
        return not ctx.frame_control.ack_format
    return (_frame_type(ctx) == _DATA
            and enum_int(ctx.frame_control.delivery_mode, DELIVERY_MODES) in (_UNICAST, _BROADCAST))


def _group_address_present(ctx: Any) -> bool:
    return (_frame_type(ctx) in (_DATA, _INTER_PAN)
            and enum_int(ctx.frame_control.delivery_mode, DELIVERY_MODES) == _GROUP)


def _cluster_and_profile_present(ctx: Any) -> bool:
    return _addressed(ctx) or _frame_type(ctx) == _INTER_PAN


def _counter_present(ctx: Any) -> bool:
    return _frame_type(ctx) != _INTER_PAN


def _extended_header_present(ctx: Any) -> bool:
    # Fragmentation applies to data frames and their acks only: the command frame format has
    # no extended header field. Wireshark 4.0 reads one whenever the bit is set, scapy 2.x does not.
    return bool(ctx.frame_control.extended_header) and _frame_type(ctx) in (_DATA, _ACK)


def _command_id_present(ctx: Any) -> bool:
    # In a secured command frame the command identifier is part of the encrypted payload.
    return _frame_type(ctx) == _COMMAND and not payload_is_ciphertext(ctx)


def _command_present(ctx: Any) -> bool:
    # Checked again here because a value being built may hold a command_id that the
    # command_id field skipped (the payload is ciphertext).
    return ctx.command_id is not None and not payload_is_ciphertext(ctx)


ApsFrame = Struct(
    "frame_control" / ApsFrameControl,
    "destination_endpoint" / If(_destination_endpoint_present, Int8ul),
    "group_address" / If(_group_address_present, Int16ul),
    "cluster_id" / If(_cluster_and_profile_present, Int16ul),
    "profile_id" / If(_cluster_and_profile_present, Int16ul),
    "source_endpoint" / If(_addressed, Int8ul),
    "counter" / If(_counter_present, Int8ul),
    "extended_header" / If(_extended_header_present, ApsExtendedHeader),
    "auxiliary_security_header" / If(this.frame_control.security, AuxiliaryHeader),
    "command_id" / If(_command_id_present, Int8ul),
    "command" / If(_command_present, ApsCommand),
    "payload" / AllButLast(frame_mic_length, GreedyBytes),
    "mic" / Bytes(frame_mic_length),
)


def parse_aps_frame(data: bytes, *, security_level: int = ZIGBEE_SECURITY_LEVEL,
                    plaintext: bool = False) -> Container:
    """Parse an APS frame (see :func:`commshub.codecs.zigbee.nwk.parse_nwk_frame` for the
    keywords)."""
    return parse(ApsFrame, data, root=_ROOT, security_level=security_level, plaintext=plaintext)


def build_aps_frame(frame: Mapping[str, Any], *, security_level: int = ZIGBEE_SECURITY_LEVEL,
                    plaintext: bool = False) -> bytes:
    """Build an APS frame from a value shaped like :func:`parse_aps_frame`'s result."""
    return build_value(ApsFrame, frame, root=_ROOT, security_level=security_level,
                 plaintext=plaintext)


def secure_aps_frame(frame: Mapping[str, Any], key: bytes, *,
                     source_address: int | None = None,
                     security_level: int = ZIGBEE_SECURITY_LEVEL) -> bytes:
    """Build ``frame`` with its payload secured at the APS layer.

    ``key`` is the link key, or the network key when the auxiliary header names it. Frames
    whose key identifier is key-transport or key-load are secured with the matching hash of
    the link key. ``source_address`` is the sender's EUI-64, needed when the auxiliary header does not
    carry it (extended nonce 0); the NWK header's source IEEE address is the usual origin.
    """
    frame = to_container(frame)
    key_id = enum_int(frame["auxiliary_security_header"]["security_control"]["key_id"], KEY_IDS)
    return secure_zigbee_frame(ApsFrame, frame, hashed_key_for(key_id, key), root=_ROOT,
                               security_level=security_level, source_address=source_address)


def unsecure_aps_frame(data: bytes, key: bytes, *, source_address: int | None = None,
                       security_level: int = ZIGBEE_SECURITY_LEVEL) -> Container:
    """Check and decrypt a secured APS frame with the link (or network) key; return it parsed
    from the plaintext. Raises SecurityError when the MIC does not match."""
    frame = parse_aps_frame(data, security_level=security_level)
    header = frame.auxiliary_security_header
    if header is None:
        raise LocalProtocolError("the APS frame is not secured: its security bit is 0")
    key_id = enum_int(header.security_control.key_id, KEY_IDS)
    return unsecure_zigbee_frame(ApsFrame, data, hashed_key_for(key_id, key), root=_ROOT,
                                 security_level=security_level, source_address=source_address)


# apsMaxWindowSize ranges from 1 to 8 (ZigBee Table 2.24); the ack bitfield has 8 bits.
MAX_WINDOW_SIZE = 8
_MAX_BLOCKS = 0xFF  # the block number is one byte


def fragment_payload(payload: bytes, block_size: int) -> list[bytes]:
    """Split an ASDU into blocks of at most ``block_size`` bytes for fragmented transmission.

    The first frame's extended header then carries len(blocks) as its block number and the
    others their index (ZigBee 2.2.8.4.5).
    """
    if block_size <= 0:
        raise LocalProtocolError(f"block size must be positive, found {block_size}")
    blocks = [bytes(payload[start:start + block_size])
              for start in range(0, max(len(payload), 1), block_size)]
    if len(blocks) > _MAX_BLOCKS:
        raise LocalProtocolError(
            f"{len(payload)} bytes in blocks of {block_size} need {len(blocks)} blocks; "
            f"the block number field allows {_MAX_BLOCKS}")
    return blocks


def ack_bitfield(received: set[int], window_start: int, window_size: int) -> int:
    """Return the ack bitfield for a window: bit i is set when block window_start + i arrived.

    Bits for positions beyond the window are set too, so that a short last window reads as
    complete to the sender.
    """
    bits = 0
    for position in range(MAX_WINDOW_SIZE):
        if position >= window_size or window_start + position in received:
            bits |= 1 << position
    return bits


@dataclass(frozen=True)
class BlockAck:
    """A block acknowledgment: the window's first block number and the ack bitfield."""

    block_number: int
    ack_bitfield: int


@dataclass
class ApsReassembler:
    """Reassemble one fragmented ASDU from APS data frames, window by window (sans-I/O).

    Feed each fragment's block number and payload with :meth:`add`. When the current window is
    complete it returns the :class:`BlockAck` to send; :meth:`window_ack` gives the ack for a
    window whose timer expired with blocks missing, so the sender retransmits only those.
    """

    window_size: int = MAX_WINDOW_SIZE
    total_blocks: int | None = None
    blocks: dict[int, bytes] = field(default_factory=dict)
    window_start: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.window_size <= MAX_WINDOW_SIZE:
            raise LocalProtocolError(
                f"window size must be 1 to {MAX_WINDOW_SIZE}, found {self.window_size}")

    def add_frame(self, frame: Mapping[str, Any]) -> BlockAck | None:
        """Add a parsed APS data frame that carries an extended header with fragmentation."""
        header = frame.get("extended_header")
        if header is None:
            raise RemoteProtocolError("the APS frame is not a fragment: no extended header")
        fragmentation = enum_int(header["extended_frame_control"]["fragmentation"],
                                 FRAGMENTATION)
        if fragmentation == 0:
            raise RemoteProtocolError("the APS frame is not a fragment")
        first = fragmentation == 1
        number = int(header["block_number"])
        return self.add(0 if first else number, bytes(frame["payload"]),
                        total_blocks=number if first else None)

    def add(self, block_number: int, payload: bytes, *,
            total_blocks: int | None = None) -> BlockAck | None:
        """Store one block; return the ack when the current window is complete, else None.

        Block 0 must come with ``total_blocks`` (the first fragment's block number field).
        Duplicates in the current window are ignored. A block of a window that was already
        acknowledged returns that window's ack again, because the sender retransmits only when
        it lost the ack. A block ahead of the current window or past the last block raises.
        """
        if block_number == 0:
            if total_blocks is None or total_blocks < 1:
                raise RemoteProtocolError(
                    f"the first fragment must give the total number of blocks, found "
                    f"{total_blocks}")
            if self.total_blocks is not None and self.total_blocks != total_blocks:
                raise RemoteProtocolError(
                    f"invalid first fragment: it gives {total_blocks} blocks, an earlier "
                    f"copy gave {self.total_blocks}")
            self.total_blocks = total_blocks
        if 0 <= block_number < self.window_start:
            return self._ack(block_number - block_number % self.window_size)
        window_end = self.window_start + self.window_size
        if not self.window_start <= block_number < window_end:
            raise RemoteProtocolError(
                f"block {block_number} is outside the current window "
                f"{self.window_start}..{window_end - 1}")
        if self.total_blocks is not None and block_number >= self.total_blocks:
            raise RemoteProtocolError(
                f"block {block_number} is beyond the last block {self.total_blocks - 1}")
        self.blocks.setdefault(block_number, bytes(payload))
        if not self._window_complete():
            return None
        ack = self.window_ack()
        self.window_start = window_end
        return ack

    def _window_span(self, start: int) -> range:
        end = start + self.window_size
        if self.total_blocks is not None:
            end = min(end, self.total_blocks)
        return range(start, end)

    def _window_complete(self) -> bool:
        if self.total_blocks is None:
            return False
        return all(number in self.blocks for number in self._window_span(self.window_start))

    def _ack(self, start: int) -> BlockAck:
        span = self._window_span(start)
        return BlockAck(start, ack_bitfield(set(self.blocks), start, len(span)))

    def window_ack(self) -> BlockAck:
        """Return the ack for the current window with the blocks received so far."""
        return self._ack(self.window_start)

    @property
    def complete(self) -> bool:
        """Whether every block has arrived."""
        return self.total_blocks is not None and len(self.blocks) == self.total_blocks

    def payload(self) -> bytes:
        """Return the reassembled ASDU; raises while blocks are missing."""
        if not self.complete:
            missing = sorted(set(range(self.total_blocks or 0)) - set(self.blocks))
            raise LocalProtocolError(
                f"the ASDU is incomplete: missing blocks {missing or 'unknown (no first block)'}")
        return b"".join(self.blocks[number] for number in range(len(self.blocks)))
