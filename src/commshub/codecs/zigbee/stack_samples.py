"""A small ZigBee Smart Energy join exchange built with the stack codecs: beacon, association,
key transport under the install-code link key, NWK- and APS-secured ZCL data and a NWK command.

Tests, the benchmark and demonstrations use it as known-good frames. Every value here is made
up for the purpose, except the install code, which comes from zigpy's tests.
"""

from __future__ import annotations

from construct import Container

from commshub.codecs.zigbee import aps, mac, nwk
from commshub.codecs.zigbee.install_code import link_key_from_install_code

__all__ = [
    "COORDINATOR",
    "EXTENDED_PAN_ID",
    "INSTALL_CODE",
    "LINK_KEY",
    "METER",
    "METER_SHORT",
    "NETWORK_KEY",
    "PAN_ID",
    "ack",
    "association_request",
    "association_response",
    "beacon",
    "exchange",
    "link_status",
    "transport_key",
    "zcl_read_time",
]

PAN_ID = 0x1A62
EXTENDED_PAN_ID = 0x00124B0001ABCDEF
COORDINATOR = 0x00124B0001ABCDEF  # the hub's CHF, trust centre and coordinator
METER = 0x000D6F000ABCDEF1
METER_SHORT = 0x4A3B
NETWORK_KEY = bytes.fromhex("0F1E2D3C4B5A69788796A5B4C3D2E1F0")
INSTALL_CODE = bytes.fromhex("83FED3407A939723A5C639B26916D505C3B5")
LINK_KEY = link_key_from_install_code(INSTALL_CODE)
SE_PROFILE = 0x0109
TIME_CLUSTER = 0x000A


def _fc(frame_type: str, *, dst: str, src: str, compression: bool, security: bool = False,
        ack_request: bool = False, version: str = "2006") -> Container:
    return Container(frame_type=frame_type, security_enabled=security, frame_pending=False,
                     ack_request=ack_request, pan_id_compression=compression, reserved=False,
                     sequence_number_suppression=False, ie_present=False,
                     destination_addressing_mode=dst, frame_version=version,
                     source_addressing_mode=src)


def _mac(fc: Container, sequence: int, *, dst_pan: int | None, dst: int | None,
         src_pan: int | None, src: int | None, payload: bytes = b"",
         command_id: int | None = None, command: Container | None = None,
         beacon: Container | None = None) -> Container:
    return Container(frame_control=fc, sequence_number=sequence, destination_pan_id=dst_pan,
                     destination_address=dst, source_pan_id=src_pan, source_address=src,
                     auxiliary_security_header=None, header_ies=None, payload_ies=None,
                     beacon=beacon, command_id=command_id, command=command, payload=payload,
                     mic=b"")


def _nwk_fc(frame_type: str, *, security: bool, dst_ieee: bool = False,
            src_ieee: bool = False) -> Container:
    return Container(frame_type=frame_type, protocol_version=2, discover_route="enable",
                     multicast=False, security=security, source_route=False,
                     destination_ieee_address=dst_ieee, source_ieee_address=src_ieee,
                     end_device_initiator=False)


def _nwk_aux(counter: int, source: int) -> Container:
    return Container(security_control=Container(security_level=0, key_id="network_key",
                                                extended_nonce=True),
                     frame_counter=counter, source_address=source, key_sequence_number=0)


def beacon() -> bytes:
    payload = nwk.build_zigbee_beacon(Container(
        protocol_id=0,
        information=Container(stack_profile=2, protocol_version=2, router_capacity=True,
                              device_depth=0, end_device_capacity=True),
        extended_pan_id=EXTENDED_PAN_ID, tx_offset=0xFFFFFF, update_id=0))
    fields = Container(
        superframe_specification=Container(beacon_order=15, superframe_order=15,
                                           final_cap_slot=15, battery_life_extension=False,
                                           pan_coordinator=True, association_permit=True),
        gts_specification=Container(descriptor_count=0, gts_permit=False),
        gts_directions=None, gts_list=[],
        pending_address_specification=Container(short_count=0, extended_count=0),
        pending_short_addresses=[], pending_extended_addresses=[])
    frame = _mac(_fc("beacon", dst="none", src="short", compression=False, version="2003"),
                 0x40, dst_pan=None, dst=None, src_pan=PAN_ID, src=0x0000, payload=payload,
                 beacon=fields)
    return mac.build_mac_frame(frame)


def association_request() -> bytes:
    capability = Container(alternate_pan_coordinator=False, device_type=True,
                           power_source=True, receiver_on_when_idle=True,
                           association_type=False, security_capability=False,
                           allocate_address=True)
    frame = _mac(_fc("command", dst="short", src="extended", compression=False,
                     ack_request=True, version="2003"),
                 0x11, dst_pan=PAN_ID, dst=0x0000, src_pan=0xFFFF, src=METER,
                 command_id=0x01, command=Container(capability_information=capability))
    return mac.build_mac_frame(frame)


def association_response() -> bytes:
    frame = _mac(_fc("command", dst="extended", src="extended", compression=True,
                     ack_request=True, version="2003"),
                 0x41, dst_pan=PAN_ID, dst=METER, src_pan=None, src=COORDINATOR,
                 command_id=0x02,
                 command=Container(short_address=METER_SHORT, association_status=0))
    return mac.build_mac_frame(frame)


def ack(sequence: int) -> bytes:
    frame = _mac(_fc("ack", dst="none", src="none", compression=False, version="2003"),
                 sequence, dst_pan=None, dst=None, src_pan=None, src=None)
    return mac.build_mac_frame(frame)


def _data_frame(sequence: int, nwk_bytes: bytes, *, dst: int, src: int) -> bytes:
    frame = _mac(_fc("data", dst="short", src="short", compression=True, ack_request=True),
                 sequence, dst_pan=PAN_ID, dst=dst, src_pan=None, src=src, payload=nwk_bytes)
    return mac.build_mac_frame(frame)


def transport_key() -> bytes:
    """Build the frame in which the trust centre sends the network key, APS-secured with the
    key-transport key."""
    command = Container(key_type=0x01, key=NETWORK_KEY, key_sequence_number=0,
                        destination_address=METER, source_address=COORDINATOR,
                        partner_address=None, initiator_flag=None)
    aps_frame = Container(
        frame_control=Container(frame_type="command", delivery_mode="unicast",
                                ack_format=False, security=True, ack_request=False,
                                extended_header=False),
        destination_endpoint=None, group_address=None, cluster_id=None, profile_id=None,
        source_endpoint=None, counter=0x21, extended_header=None,
        auxiliary_security_header=Container(
            security_control=Container(security_level=0, key_id="key_transport_key",
                                       extended_nonce=True),
            frame_counter=0, source_address=COORDINATOR, key_sequence_number=None),
        command_id=0x05, command=command, payload=b"", mic=b"")
    aps_bytes = aps.secure_aps_frame(aps_frame, LINK_KEY)
    nwk_frame = Container(frame_control=_nwk_fc("data", security=False),
                          destination_address=METER_SHORT, source_address=0x0000, radius=30,
                          sequence_number=0x51, destination_ieee_address=None,
                          source_ieee_address=None, multicast_control=None, source_route=None,
                          auxiliary_security_header=None, command_id=None, command=None,
                          payload=aps_bytes, mic=b"")
    return _data_frame(0x42, nwk.build_nwk_frame(nwk_frame), dst=METER_SHORT, src=0x0000)


def zcl_read_time(*, aps_secured: bool = True) -> bytes:
    """Build the meter's Read Attributes of the hub's Time attribute, NWK-secured and, unless
    ``aps_secured`` is false, APS-secured too."""
    zcl = bytes.fromhex("00" "07" "00" "0000")  # Read Attributes, attribute 0x0000 (Time)
    aps_frame = Container(
        frame_control=Container(frame_type="data", delivery_mode="unicast", ack_format=False,
                                security=aps_secured, ack_request=True,
                                extended_header=False),
        destination_endpoint=1, group_address=None, cluster_id=TIME_CLUSTER,
        profile_id=SE_PROFILE, source_endpoint=1, counter=0x07, extended_header=None,
        auxiliary_security_header=Container(
            security_control=Container(security_level=0, key_id="data_key",
                                       extended_nonce=True),
            frame_counter=3, source_address=METER, key_sequence_number=None)
        if aps_secured else None,
        command_id=None, command=None, payload=zcl, mic=b"")
    if aps_secured:
        aps_bytes = aps.secure_aps_frame(aps_frame, LINK_KEY)
    else:
        aps_bytes = aps.build_aps_frame(aps_frame)
    nwk_frame = Container(frame_control=_nwk_fc("data", security=True, src_ieee=True),
                          destination_address=0x0000, source_address=METER_SHORT, radius=30,
                          sequence_number=0x12, destination_ieee_address=None,
                          source_ieee_address=METER, multicast_control=None,
                          source_route=None, auxiliary_security_header=_nwk_aux(0x100, METER),
                          command_id=None, command=None, payload=aps_bytes, mic=b"")
    return _data_frame(0x13, nwk.secure_nwk_frame(nwk_frame, NETWORK_KEY),
                       dst=0x0000, src=METER_SHORT)


def link_status() -> bytes:
    """Build the coordinator's NWK-secured link status broadcast."""
    command = Container(options=Container(entry_count=1, first_frame=True, last_frame=True),
                        entries=[Container(address=METER_SHORT,
                                           link=Container(incoming_cost=1, outgoing_cost=3))])
    nwk_frame = Container(frame_control=_nwk_fc("command", security=True),
                          destination_address=0xFFFC, source_address=0x0000, radius=1,
                          sequence_number=0x52, destination_ieee_address=None,
                          source_ieee_address=None, multicast_control=None,
                          source_route=None, auxiliary_security_header=_nwk_aux(0x20,
                                                                                COORDINATOR),
                          command_id=0x08, command=command, payload=b"", mic=b"")
    frame = _mac(_fc("data", dst="short", src="short", compression=True),
                 0x43, dst_pan=PAN_ID, dst=0xFFFF, src_pan=None, src=0x0000,
                 payload=nwk.secure_nwk_frame(nwk_frame, NETWORK_KEY))
    return mac.build_mac_frame(frame)


def exchange() -> list[bytes]:
    """Return the PSDUs of the exchange in order."""
    return [beacon(), association_request(), ack(0x11), association_response(),
            transport_key(), zcl_read_time(), ack(0x13), link_status(),
            zcl_read_time(aps_secured=False)]
