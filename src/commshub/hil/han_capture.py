"""A capture of one hub's HAN as a radio sniffer would see it: pcap plus a Wireshark key file.

The hub and its virtual devices exchange ZCL frames at the APS level; this writer wraps each
one in the layers a ZigBee Smart Energy network puts around it and appends the result to a
pcap file (link type 195, 802.15.4 with FCS):

- an 802.15.4 data frame between short addresses (the CHF, coordinator and Trust Centre, is
  0x0000; each device gets a stable address derived from its EUI-64);
- a NWK frame secured with the network key (ZigBee 4.3: AES-CCM* with a 4-octet MIC, extended
  nonce carrying the sender's EUI-64);
- an APS data frame on the Smart Energy profile (0x0109), secured with the device's Trust
  Centre link key, as SE 1.x requires for application data, and fragmented when it does not
  fit one 127-octet PHY frame (ZigBee 2.2.8.4.5).

A join shows as the MAC association exchange and the APS Transport Key command that gives the
device the network key, secured with the key-transport key derived from its link key.

:meth:`HanCapture.decryption_keys` lists the network key and every link key. With ``key_file`` set, the
capture keeps that file up to date in the format of Wireshark's ``zigbee_pc_keys`` table, so
Wireshark and tshark decrypt the whole capture. The key file holds secrets of an emulated
network only.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from construct import Container

from commshub.codecs.zigbee import aps, mac, nwk
from commshub.codecs.zigbee.pcap import CapturedFrame, PcapWriter, wireshark_key_file

__all__ = ["MAX_PSDU", "SE_PROFILE", "HanCapture"]

LOGGER = logging.getLogger(__name__)

# aMaxPhyPacketSize: the largest PSDU (MPDU with its FCS) of 802.15.4 (802.15.4-2015 11.3).
MAX_PSDU = 127
SE_PROFILE = 0x0109  # ZigBee Smart Energy profile identifier
SE_ENDPOINT = 1
COORDINATOR_SHORT = 0x0000
BROADCAST_PAN = 0xFFFF
NWK_RADIUS = 30  # 2 * nwkMaxDepth of a ZigBee PRO stack profile
KEY_TYPE_NETWORK = 0x01  # APS Transport Key: standard network key (ZigBee Table 4.12)
APS_TRANSPORT_KEY = 0x05
MAC_ASSOCIATION_REQUEST = 0x01
MAC_ASSOCIATION_RESPONSE = 0x02
# Largest APS payload block in a fragmented frame; found by building, see _fits().
_FIRST_BLOCK_GUESS = 80


@dataclass
class _Node:
    """One radio on the HAN: its addresses and the counters its frames carry."""

    ieee: int
    short: int
    link_key: bytes = b""
    mac_sequence: int = 0
    nwk_sequence: int = 0
    nwk_counter: int = 0
    aps_counter: int = 0
    aps_security_counter: int = 0

    def next(self, name: str, modulo: int) -> int:
        value: int = getattr(self, name)
        setattr(self, name, (value + 1) % modulo)
        return value


@dataclass
class HanCapture:
    """Writes one PAN's traffic to ``stream`` (a binary file opened by the caller).

    ``coordinator`` is the CHF's EUI-64 as an integer; ``clock`` returns the capture time in
    Unix seconds (the driver's clock, real or virtual). ``key_file`` is rewritten whenever
    a key is added.
    """

    stream: BinaryIO
    pan_id: int
    coordinator: int
    network_key: bytes
    clock: Callable[[], float]
    channel: int = 15
    key_file: Path | None = None
    frames: int = 0
    _writer: PcapWriter = field(init=False)
    _nodes: dict[int, _Node] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._writer = PcapWriter(self.stream)
        self._nodes[self.coordinator] = _Node(self.coordinator, COORDINATOR_SHORT)
        self._save_keys()

    # --- what the driver reports -------------------------------------------------------------

    def join_requested(self, device: bytes) -> None:
        """Write the device's MAC association with the coordinator: request and response."""
        node = self._node(device)
        capability = Container(alternate_pan_coordinator=False, device_type=False,
                               power_source=False, receiver_on_when_idle=False,
                               association_type=False, security_capability=False,
                               allocate_address=True)
        self._write(mac.build_mac_frame(_mac(
            _frame_control("command", dst="short", src="extended", compression=False,
                           ack_request=True),
            node.next("mac_sequence", 256), dst_pan=self.pan_id, dst=COORDINATOR_SHORT,
            src_pan=BROADCAST_PAN, src=node.ieee, command_id=MAC_ASSOCIATION_REQUEST,
            command=Container(capability_information=capability))))
        coordinator = self._nodes[self.coordinator]
        self._write(mac.build_mac_frame(_mac(
            _frame_control("command", dst="extended", src="extended", compression=True,
                           ack_request=True),
            coordinator.next("mac_sequence", 256), dst_pan=self.pan_id, dst=node.ieee,
            src_pan=None, src=self.coordinator, command_id=MAC_ASSOCIATION_RESPONSE,
            command=Container(short_address=node.short, association_status=0))))

    def join_accepted(self, device: bytes, link_key: bytes) -> None:
        """Write the Trust Centre's Transport Key, secured with the device's key-transport key."""
        node = self._node(device)
        if node.link_key != link_key:
            node.link_key = link_key
            self._save_keys()
        coordinator = self._nodes[self.coordinator]
        command = Container(key_type=KEY_TYPE_NETWORK, key=self.network_key, key_sequence_number=0,
                            destination_address=node.ieee, source_address=self.coordinator,
                            partner_address=None, initiator_flag=None)
        aps_frame = Container(
            frame_control=Container(frame_type="command", delivery_mode="unicast",
                                    ack_format=False, security=True, ack_request=False,
                                    extended_header=False),
            destination_endpoint=None, group_address=None, cluster_id=None, profile_id=None,
            source_endpoint=None, counter=coordinator.next("aps_counter", 256),
            extended_header=None,
            auxiliary_security_header=_aux("key_transport_key",
                                           coordinator.next("aps_security_counter", 1 << 32),
                                           self.coordinator),
            command_id=APS_TRANSPORT_KEY, command=command, payload=b"", mic=b"")
        aps_bytes = aps.secure_aps_frame(aps_frame, link_key)
        # The device has no network key yet: this one frame has no NWK security.
        nwk_frame = _nwk(node.short, COORDINATOR_SHORT, coordinator.next("nwk_sequence", 256),
                         aps_bytes, source_ieee=None, aux=None)
        self._write(self._data_frame(coordinator, node, nwk.build_nwk_frame(nwk_frame)))

    def zcl(self, source: bytes, destination: bytes, cluster: int, payload: bytes, *,
            aps_ack: bool = True) -> None:
        """Write a ZCL frame from ``source`` to ``destination`` (EUI-64s in GBCS byte order),
        with the APS acknowledgment request bit set unless ``aps_ack`` is False."""
        sender = self._node(source)
        receiver = self._node(destination)
        device = receiver if sender.ieee == self.coordinator else sender
        if not device.link_key:
            LOGGER.debug("HAN capture: no link key for %016X yet; frame not captured", device.ieee)
            return
        blocks = self._blocks(sender, receiver, cluster, payload, device.link_key)
        counter = sender.next("aps_counter", 256)
        for index, block in enumerate(blocks):
            self._write(self._zcl_frame(sender, receiver, cluster, block, device.link_key,
                                        counter=counter, fragment=_fragment(index, len(blocks)),
                                        aps_ack=aps_ack))

    def decryption_keys(self) -> list[tuple[bytes, str]]:
        """Return the network key and every device's Trust Centre link key, with labels."""
        pairs = [(self.network_key, f"network key PAN {self.pan_id:04X}")]
        pairs += [(node.link_key, f"TC link key {node.ieee:016X}")
                  for node in self._nodes.values() if node.link_key]
        return pairs

    def _save_keys(self) -> None:
        if self.key_file is not None:
            self.key_file.write_text(wireshark_key_file(self.decryption_keys()), encoding="ascii")

    # --- building ----------------------------------------------------------------------------

    def _node(self, eui: bytes) -> _Node:
        ieee = int.from_bytes(eui, "big")
        node = self._nodes.get(ieee)
        if node is None:
            node = self._nodes[ieee] = _Node(ieee, _short_address(eui))
        return node

    def _blocks(self, sender: _Node, receiver: _Node, cluster: int, payload: bytes,
                key: bytes) -> list[bytes]:
        if self._fits(sender, receiver, cluster, payload, key, None):
            return [payload]
        size = _FIRST_BLOCK_GUESS
        while size > 1:
            blocks = aps.fragment_payload(payload, size)
            if all(self._fits(sender, receiver, cluster, block, key, _fragment(i, len(blocks)))
                   for i, block in enumerate(blocks[:2])):
                return blocks
            size -= 4
        raise ValueError(f"a ZCL frame of {len(payload)} bytes cannot be fragmented to fit")

    def _fits(self, sender: _Node, receiver: _Node, cluster: int, block: bytes, key: bytes,
              fragment: Container | None) -> bool:
        probe = _Node(sender.ieee, sender.short)
        psdu = self._zcl_frame(probe, receiver, cluster, block, key, counter=0, fragment=fragment)
        return len(psdu) <= MAX_PSDU

    def _zcl_frame(self, sender: _Node, receiver: _Node, cluster: int, block: bytes, key: bytes,
                   *, counter: int, fragment: Container | None, aps_ack: bool = True) -> bytes:
        aps_frame = Container(
            frame_control=Container(frame_type="data", delivery_mode="unicast", ack_format=False,
                                    security=True, ack_request=aps_ack,
                                    extended_header=fragment is not None),
            destination_endpoint=SE_ENDPOINT, group_address=None, cluster_id=cluster,
            profile_id=SE_PROFILE, source_endpoint=SE_ENDPOINT, counter=counter,
            extended_header=fragment,
            auxiliary_security_header=_aux("data_key",
                                           sender.next("aps_security_counter", 1 << 32),
                                           sender.ieee),
            command_id=None, command=None, payload=block, mic=b"")
        aps_bytes = aps.secure_aps_frame(aps_frame, key)
        nwk_frame = _nwk(receiver.short, sender.short, sender.next("nwk_sequence", 256),
                         aps_bytes, source_ieee=sender.ieee,
                         aux=_aux("network_key", sender.next("nwk_counter", 1 << 32), sender.ieee,
                                  key_sequence_number=0))
        return self._data_frame(sender, receiver, nwk.secure_nwk_frame(nwk_frame, self.network_key))

    def _data_frame(self, sender: _Node, receiver: _Node, nwk_bytes: bytes) -> bytes:
        return mac.build_mac_frame(_mac(
            _frame_control("data", dst="short", src="short", compression=True, ack_request=True),
            sender.next("mac_sequence", 256), dst_pan=self.pan_id, dst=receiver.short,
            src_pan=None, src=sender.short, payload=nwk_bytes))

    def _write(self, psdu: bytes) -> None:
        self._writer.write(CapturedFrame(psdu, max(0.0, self.clock()), channel=self.channel))
        # Flushed frame by frame, so that a process killed mid-run leaves a readable capture.
        self.stream.flush()
        self.frames += 1


def _short_address(eui: bytes) -> int:
    """Return a stable short address for a device from its EUI-64: never 0x0000 or
    0xFFF8..0xFFFF."""
    value = int.from_bytes(hashlib.sha256(eui).digest()[:2], "big") % 0xFFF7
    return value + 1


def _fragment(index: int, count: int) -> Container | None:
    if count == 1:
        return None
    return Container(
        extended_frame_control=Container(
            fragmentation="first_fragment" if index == 0 else "fragment", reserved=0),
        block_number=count if index == 0 else index, ack_bitfield=None)


def _aux(key_id: str, counter: int, source: int, *,
         key_sequence_number: int | None = None) -> Container:
    return Container(security_control=Container(security_level=0, key_id=key_id,
                                                extended_nonce=True),
                     frame_counter=counter, source_address=source,
                     key_sequence_number=key_sequence_number)


def _nwk(destination: int, source: int, sequence: int, payload: bytes, *,
         source_ieee: int | None, aux: Container | None) -> Container:
    control = Container(frame_type="data", protocol_version=2, discover_route="enable",
                        multicast=False, security=aux is not None, source_route=False,
                        destination_ieee_address=False,
                        source_ieee_address=source_ieee is not None, end_device_initiator=False)
    return Container(frame_control=control, destination_address=destination,
                     source_address=source, radius=NWK_RADIUS, sequence_number=sequence,
                     destination_ieee_address=None, source_ieee_address=source_ieee,
                     multicast_control=None, source_route=None, auxiliary_security_header=aux,
                     command_id=None, command=None, payload=payload, mic=b"")


def _frame_control(frame_type: str, *, dst: str, src: str, compression: bool,
                   ack_request: bool) -> Container:
    return Container(frame_type=frame_type, security_enabled=False, frame_pending=False,
                     ack_request=ack_request, pan_id_compression=compression, reserved=False,
                     sequence_number_suppression=False, ie_present=False,
                     destination_addressing_mode=dst, frame_version="2003",
                     source_addressing_mode=src)


def _mac(control: Container, sequence: int, *, dst_pan: int | None, dst: int | None,
         src_pan: int | None, src: int | None, payload: bytes = b"",
         command_id: int | None = None, command: Any = None) -> Container:
    return Container(frame_control=control, sequence_number=sequence, destination_pan_id=dst_pan,
                     destination_address=dst, source_pan_id=src_pan, source_address=src,
                     auxiliary_security_header=None, header_ies=None, payload_ies=None,
                     beacon=None, command_id=command_id, command=command, payload=payload,
                     mic=b"")
