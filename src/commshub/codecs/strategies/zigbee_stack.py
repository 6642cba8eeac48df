"""Hypothesis strategies for the ZigBee stack below ZCL: 802.15.4 MAC frames, NWK, APS and ZDP
frames, install codes and capture records.

Each strategy draws values shaped exactly like the codec's parse result (absent fields None,
named enum values as construct's EnumIntegerString), so ``parse(build(value)) == value``.
Frames with an encrypting security level carry ciphertext in ``payload`` unless the strategy
is asked for the plaintext view, which is what ``secure_*_frame`` takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from construct import Container, EnumIntegerString, ListContainer
from hypothesis import strategies as st

from commshub.codecs.zigbee import aps, mac, nwk, zdo
from commshub.codecs.zigbee.install_code import CODE_LENGTHS, append_crc
from commshub.codecs.zigbee.security import KEY_IDS, is_encrypted, mic_length

__all__ = [
    "aps_frames",
    "eui64s",
    "install_codes",
    "mac_frames",
    "mac_psdus",
    "nwk_frames",
    "zdp_frames",
    "zigbee_beacon_payloads",
    "zigbee_keys",
]

_PAYLOAD_MAX = 24  # bytes; keeps frames near real 802.15.4 sizes and examples fast

eui64s = st.integers(min_value=0, max_value=2**64 - 1)
_shorts = st.integers(min_value=0, max_value=0xFFFF)
_bytes8 = st.integers(min_value=0, max_value=0xFF)
zigbee_keys = st.binary(min_size=16, max_size=16)


def _named(value: int, names: Mapping[int, str]) -> Any:
    text = names.get(value)
    return EnumIntegerString.new(value, text) if text is not None else value


def _bits(**widths: int) -> st.SearchStrategy[Container]:
    """Draw a bit-field container: width 1 gives bool, wider fields an int."""
    parts = {name: (st.booleans() if width == 1 else st.integers(0, (1 << width) - 1))
             for name, width in widths.items()}
    return st.fixed_dictionaries(parts).map(lambda fields: Container(**fields))


def _payload(max_size: int = _PAYLOAD_MAX) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=max_size)


# --- 802.15.4 ---------------------------------------------------------------------------

_BEACON, _DATA, _ACK, _COMMAND = 0, 1, 2, 3  # MAC frame types
_ADDRESS_MODES = [0, 2, 3]  # none, short, extended (1 is reserved)


@st.composite
def _mac_aux_header(draw: st.DrawFn, version: int) -> Container:
    key_id_mode = draw(st.integers(0, 3))
    suppress = version >= 2 and draw(st.booleans())
    control = Container(
        security_level=draw(st.integers(0, 7)),
        key_id_mode=_named(key_id_mode, mac.KEY_ID_MODES),
        frame_counter_suppression=suppress,
        asn_in_nonce=False,
        reserved=False,
    )
    key_source = None
    if key_id_mode == 2:
        key_source = draw(st.integers(0, 2**32 - 1))
    elif key_id_mode == 3:
        key_source = draw(eui64s)
    return Container(
        security_control=control,
        frame_counter=None if suppress else draw(st.integers(0, 2**32 - 1)),
        key_source=key_source,
        key_index=draw(_bytes8) if key_id_mode else None,
    )


def _header_ie(element_id: int, content: bytes) -> Container:
    return Container(element_id=_named(element_id, mac.HEADER_IE_IDS), content=content)


def _payload_ie(group_id: int, content: bytes) -> Container:
    return Container(group_id=_named(group_id, mac.PAYLOAD_IE_GROUPS), content=content)


_HEADER_IE_ID = st.integers(0, 0xFF).filter(lambda value: value not in (0x7E, 0x7F))
_PAYLOAD_IE_GROUP = st.integers(0, 0xE)
_HT1, _HT2, _PT = 0x7E, 0x7F, 0xF


@st.composite
def _mac_body(draw: st.DrawFn, fc: Container, level: int, plaintext: bool) -> dict[str, Any]:
    frame_type = int(fc.frame_type)
    version = int(fc.frame_version)
    ciphertext = is_encrypted(level) and not plaintext
    body: dict[str, Any] = {"header_ies": None, "payload_ies": None, "beacon": None,
                            "command_id": None, "command": None}
    private_in_ies = version >= 2 and ciphertext
    beacon = frame_type == _BEACON and version < 2
    command = frame_type == _COMMAND and not private_in_ies
    # A 2003 or 2006 ack is frame control, sequence number and FCS only.
    payload = b"" if frame_type == _ACK and version < 2 else draw(_payload())
    command_id = None
    if command:
        command_id = draw(st.sampled_from([*mac.MAC_COMMANDS, 0x30]))
    trailing = beacon or command or bool(payload)
    if fc.ie_present:
        header_ies = [_header_ie(draw(_HEADER_IE_ID), draw(st.binary(max_size=8)))
                      for _ in range(draw(st.integers(0, 2)))]
        with_payload_ies = not private_in_ies and draw(st.booleans())
        if with_payload_ies:
            header_ies.append(_header_ie(_HT1, b""))
            payload_ies = [_payload_ie(draw(_PAYLOAD_IE_GROUP), draw(st.binary(max_size=8)))
                           for _ in range(draw(st.integers(0, 2)))]
            if trailing or not payload_ies:
                payload_ies.append(_payload_ie(_PT, b""))
            body["payload_ies"] = ListContainer(payload_ies)
        elif trailing or not header_ies:
            header_ies.append(_header_ie(_HT2, b""))
        body["header_ies"] = ListContainer(header_ies)
    if beacon:
        body["beacon"] = draw(_beacon_fields())
    if command_id is not None:
        body["command_id"] = command_id
        if not ciphertext:
            body["command"] = draw(_mac_command(command_id, version))
    body["payload"] = payload
    return body


@st.composite
def _beacon_fields(draw: st.DrawFn) -> Container:
    gts_count = draw(st.integers(0, 2))
    short_count = draw(st.integers(0, 2))
    extended_count = draw(st.integers(0, 1))
    return Container(
        superframe_specification=draw(_bits(
            beacon_order=4, superframe_order=4, final_cap_slot=4, battery_life_extension=1,
            reserved=1, pan_coordinator=1, association_permit=1)),
        gts_specification=Container(descriptor_count=gts_count, reserved=draw(st.integers(0, 15)),
                                    gts_permit=draw(st.booleans())),
        gts_directions=draw(_bits(mask=7, reserved=1)) if gts_count else None,
        gts_list=ListContainer(
            Container(short_address=draw(_shorts),
                      slot=draw(_bits(starting_slot=4, length=4)))
            for _ in range(gts_count)),
        pending_address_specification=Container(
            short_count=short_count, reserved1=draw(st.booleans()),
            extended_count=extended_count, reserved2=draw(st.booleans())),
        pending_short_addresses=ListContainer(draw(_shorts) for _ in range(short_count)),
        pending_extended_addresses=ListContainer(draw(eui64s) for _ in range(extended_count)),
    )


@st.composite
def _mac_command(draw: st.DrawFn, command_id: int, version: int) -> Container | None:
    if command_id == 0x01:
        return Container(capability_information=draw(_bits(
            alternate_pan_coordinator=1, device_type=1, power_source=1,
            receiver_on_when_idle=1, association_type=1, reserved=1, security_capability=1,
            allocate_address=1)))
    if command_id == 0x02:
        return Container(short_address=draw(_shorts), association_status=draw(_bytes8))
    if command_id == 0x03:
        return Container(disassociation_reason=draw(_bytes8))
    if command_id in (0x04, 0x05, 0x06, 0x07):
        return Container()
    if command_id == 0x08:
        return Container(pan_id=draw(_shorts), coordinator_short_address=draw(_shorts),
                         channel_number=draw(_bytes8), short_address=draw(_shorts),
                         channel_page=draw(_bytes8) if version >= 1 else None)
    if command_id == 0x09:
        return Container(gts_characteristics=draw(_bits(
            length=4, direction=1, characteristics_type=1, reserved=2)))
    return None


@st.composite
def _legacy_addressing(draw: st.DrawFn, frame_type: int) -> tuple[int, int, bool]:
    """Draw (destination mode, source mode, PAN ID compression) as IEEE 802.15.4-2006 7.2
    allows them for ``frame_type``.

    An ack has no address and a beacon only a source address. A data or command frame has
    at least one address, and PAN ID compression needs both.
    """
    if frame_type == _ACK:
        return 0, 0, False
    if frame_type == _BEACON:
        return 0, draw(st.sampled_from([2, 3])), False
    destination = draw(st.sampled_from(_ADDRESS_MODES))
    source = draw(st.sampled_from(_ADDRESS_MODES if destination else [2, 3]))
    return destination, source, bool(destination and source) and draw(st.booleans())


@st.composite
def mac_frames(draw: st.DrawFn, *, secured: bool | None = None,
               plaintext: bool = False) -> Container:
    """Draw an 802.15.4 MPDU value (beacon, data, ack or command; versions 2003 to 2015).

    Frames of versions 2003 and 2006 follow the rules of their standard: addressing per frame
    type, no ack request on beacons and acks, and no security on acks. Frame version 2015
    allows every combination of its PAN ID table. ``secured`` forces the security bit on
    (True) or off (False). ``plaintext`` draws the plaintext view of encrypted frames, for
    ``secure_mac_frame``.
    """
    frame_type = draw(st.sampled_from([_BEACON, _DATA, _ACK, _COMMAND]))
    version = draw(st.sampled_from([0, 1, 2]))
    if secured is None:
        secure = version >= 1 and not (frame_type == _ACK and version < 2) and draw(st.booleans())
    else:
        secure = secured
        if secure and frame_type == _ACK:
            version = 2  # only the 2015 enhanced ack can be secured
        elif secure and version == 0:
            version = draw(st.sampled_from([1, 2]))
    if version < 2:
        destination_mode, source_mode, compression = draw(_legacy_addressing(frame_type))
        ack_request = frame_type in (_DATA, _COMMAND) and draw(st.booleans())
    else:
        destination_mode = draw(st.sampled_from(_ADDRESS_MODES))
        source_mode = draw(st.sampled_from(_ADDRESS_MODES))
        compression = draw(st.booleans())
        ack_request = draw(st.booleans())
    fc = Container(
        frame_type=_named(frame_type, mac.FRAME_TYPES),
        security_enabled=secure,
        frame_pending=draw(st.booleans()),
        ack_request=ack_request,
        pan_id_compression=compression,
        reserved=False,
        sequence_number_suppression=version >= 2 and draw(st.booleans()),
        ie_present=version >= 2 and draw(st.booleans()),
        destination_addressing_mode=_named(destination_mode, mac.ADDRESS_MODES),
        frame_version=_named(version, mac.FRAME_VERSIONS),
        source_addressing_mode=_named(source_mode, mac.ADDRESS_MODES),
    )
    aux = draw(_mac_aux_header(version)) if secure else None
    level = int(aux.security_control.security_level) if aux is not None else 0

    def address(mode_key: str) -> int | None:
        mode = int(fc[mode_key])
        return None if mode == 0 else draw(_shorts if mode == 2 else eui64s)

    frame = Container(
        frame_control=fc,
        sequence_number=None if fc.sequence_number_suppression else draw(_bytes8),
        destination_pan_id=draw(_shorts) if mac.destination_pan_present(fc) else None,
        destination_address=address("destination_addressing_mode"),
        source_pan_id=draw(_shorts) if mac.source_pan_present(fc) else None,
        source_address=address("source_addressing_mode"),
        auxiliary_security_header=aux,
    )
    frame.update(draw(_mac_body(fc, level, plaintext)))
    frame["mic"] = draw(st.binary(min_size=mic_length(level), max_size=mic_length(level)))
    return frame


@st.composite
def mac_psdus(draw: st.DrawFn) -> bytes:
    """Draw the bytes of a valid 802.15.4 PSDU (MPDU and FCS)."""
    return mac.build_mac_frame(draw(mac_frames()))


# --- NWK --------------------------------------------------------------------------------


@st.composite
def _zigbee_aux_header(draw: st.DrawFn, *, key_ids: list[int]) -> Container:
    key_id = draw(st.sampled_from(key_ids))
    extended_nonce = draw(st.booleans())
    return Container(
        # ZigBee PRO sends level 0 and patches in 5; other levels exercise the MIC sizes.
        security_control=Container(security_level=draw(st.sampled_from([0, 0, 1, 4, 5, 6, 7])),
                                   key_id=_named(key_id, KEY_IDS),
                                   extended_nonce=extended_nonce, reserved=0),
        frame_counter=draw(st.integers(0, 2**32 - 1)),
        source_address=draw(eui64s) if extended_nonce else None,
        key_sequence_number=draw(_bytes8) if key_id == 1 else None,
    )


@st.composite
def _nwk_command(draw: st.DrawFn, command_id: int) -> Container | None:
    if command_id == 0x01:
        options = draw(_bits(reserved1=3, many_to_one=2, destination_ieee_address=1,
                             multicast=1, reserved2=1))
        options.many_to_one = _named(options.many_to_one, nwk.MANY_TO_ONE)
        return Container(options=options, route_request_id=draw(_bytes8),
                         destination_address=draw(_shorts), path_cost=draw(_bytes8),
                         destination_ieee_address=(draw(eui64s)
                                                   if options.destination_ieee_address else None))
    if command_id == 0x02:
        options = draw(_bits(reserved1=4, originator_ieee_address=1, responder_ieee_address=1,
                             multicast=1, reserved2=1))
        return Container(
            options=options, route_request_id=draw(_bytes8),
            originator_address=draw(_shorts), responder_address=draw(_shorts),
            path_cost=draw(_bytes8),
            originator_ieee_address=draw(eui64s) if options.originator_ieee_address else None,
            responder_ieee_address=draw(eui64s) if options.responder_ieee_address else None)
    if command_id == 0x03:
        return Container(status_code=draw(_bytes8), destination_address=draw(_shorts))
    if command_id == 0x04:
        return Container(options=draw(_bits(reserved=5, rejoin=1, request=1,
                                            remove_children=1)))
    if command_id == 0x05:
        return Container(relay_list=ListContainer(draw(st.lists(_shorts, max_size=4))))
    if command_id == 0x06:
        return Container(capability_information=draw(_bits(
            alternate_pan_coordinator=1, device_type=1, power_source=1,
            receiver_on_when_idle=1, reserved=2, security_capability=1, allocate_address=1)))
    if command_id == 0x07:
        return Container(network_address=draw(_shorts), rejoin_status=draw(_bytes8))
    if command_id == 0x08:
        entries = draw(st.lists(st.builds(
            lambda address, link: Container(address=address, link=link), _shorts,
            _bits(incoming_cost=3, reserved1=1, outgoing_cost=3, reserved2=1)), max_size=4))
        options = draw(_bits(first_frame=1, last_frame=1, reserved=1))
        return Container(options=Container(entry_count=len(entries), **options),
                         entries=ListContainer(entries))
    if command_id in (0x09, 0x0A):
        return draw(_nwk_report_or_update(command_id))
    if command_id == 0x0B:
        return Container(requested_timeout=draw(_bytes8),
                         end_device_configuration=draw(_bytes8))
    if command_id == 0x0C:
        return Container(status=draw(_bytes8), parent_information=draw(_bits(
            mac_data_poll_keepalive=1, end_device_timeout_request_keepalive=1,
            power_negotiation_support=1, reserved=5)))
    if command_id == 0x0D:
        entries = draw(st.lists(st.builds(
            lambda address, delta: Container(device_address=address, power_delta=delta),
            _shorts, st.integers(-128, 127)), max_size=3))
        return Container(options=draw(_bits(type=2, reserved=6)),
                         entries=ListContainer(entries))
    return None


@st.composite
def _nwk_report_or_update(draw: st.DrawFn, command_id: int) -> Container:
    sub_command = draw(st.sampled_from([0, 0, 1]))
    count = draw(st.integers(0, 3))
    pan_ids = ListContainer(draw(_shorts) for _ in range(count)) if sub_command == 0 else None
    if command_id == 0x09:
        return Container(options=Container(report_information_count=count,
                                           report_command_id=sub_command),
                         extended_pan_id=draw(eui64s), pan_ids=pan_ids)
    return Container(options=Container(update_information_count=count,
                                       update_command_id=sub_command),
                     extended_pan_id=draw(eui64s), update_id=draw(_bytes8), pan_ids=pan_ids)


def _effective_level(aux: Container | None) -> int:
    if aux is None:
        return 0
    return int(aux.security_control.security_level) or 5


@st.composite
def nwk_frames(draw: st.DrawFn, *, secured: bool | None = None,
               plaintext: bool = False) -> Container:
    """Draw a NWK frame value (data, command or inter-PAN).

    ``secured`` forces the security bit; ``plaintext`` draws the plaintext view of secured
    frames (command fields decoded), which is what ``secure_nwk_frame`` takes.
    """
    # Inter-PAN frames cannot be secured, so a secured frame is data or command.
    frame_type = draw(st.sampled_from([0, 1] if secured else [0, 1, 3]))
    inter_pan = frame_type == 3
    secure = (draw(st.booleans()) if secured is None else secured) and not inter_pan

    def routed_flag() -> bool:
        return not inter_pan and draw(st.booleans())

    fc = Container(
        frame_type=_named(frame_type, nwk.NWK_FRAME_TYPES),
        protocol_version=draw(st.sampled_from([2, 2, 3, 1])),
        discover_route=_named(draw(st.integers(0, 3)), nwk.DISCOVER_ROUTE),
        multicast=routed_flag(), security=secure, source_route=routed_flag(),
        destination_ieee_address=routed_flag(), source_ieee_address=routed_flag(),
        end_device_initiator=draw(st.booleans()), reserved=0,
    )
    aux = draw(_zigbee_aux_header(key_ids=[1, 1, 0])) if secure else None
    level = _effective_level(aux)
    ciphertext = is_encrypted(level) and not plaintext
    command_id = None
    command = None
    if frame_type == 1 and not ciphertext:
        command_id = draw(st.sampled_from([*nwk.NWK_COMMANDS, 0x20]))
        command = draw(_nwk_command(command_id))
    routed = not inter_pan
    return Container(
        frame_control=fc,
        destination_address=draw(_shorts) if routed else None,
        source_address=draw(_shorts) if routed else None,
        radius=draw(_bytes8) if routed else None,
        sequence_number=draw(_bytes8) if routed else None,
        destination_ieee_address=draw(eui64s) if fc.destination_ieee_address else None,
        source_ieee_address=draw(eui64s) if fc.source_ieee_address else None,
        multicast_control=(Container(multicast_mode=_named(draw(st.integers(0, 3)),
                                                           nwk.MULTICAST_MODES),
                                     nonmember_radius=draw(st.integers(0, 7)),
                                     max_nonmember_radius=draw(st.integers(0, 7)))
                           if fc.multicast else None),
        source_route=(Container(relay_index=draw(_bytes8),
                                relay_list=ListContainer(draw(st.lists(_shorts, max_size=4))))
                      if fc.source_route else None),
        auxiliary_security_header=aux,
        command_id=command_id,
        command=command,
        payload=draw(_payload()),
        mic=draw(st.binary(min_size=mic_length(level), max_size=mic_length(level))),
    )


@st.composite
def zigbee_beacon_payloads(draw: st.DrawFn) -> Container:
    """Draw a ZigBee beacon payload value."""
    return Container(
        protocol_id=draw(_bytes8),
        information=draw(_bits(stack_profile=4, protocol_version=4, reserved=2,
                               router_capacity=1, device_depth=4, end_device_capacity=1)),
        extended_pan_id=draw(eui64s),
        tx_offset=draw(st.integers(0, 2**24 - 1)),
        update_id=draw(_bytes8),
    )


# --- APS --------------------------------------------------------------------------------


@st.composite
def _aps_command(draw: st.DrawFn, command_id: int) -> Container | None:
    if command_id in (0x01, 0x02, 0x03, 0x04):
        return Container(initiator_address=draw(eui64s), responder_address=draw(eui64s),
                         data=draw(zigbee_keys))
    if command_id == 0x05:
        key_type = draw(st.integers(0, 5))
        application = key_type in (2, 3)
        return Container(
            key_type=key_type, key=draw(zigbee_keys),
            key_sequence_number=draw(_bytes8) if key_type in (1, 5) else None,
            destination_address=None if application else draw(eui64s),
            source_address=None if application else draw(eui64s),
            partner_address=draw(eui64s) if application else None,
            initiator_flag=draw(_bytes8) if application else None)
    if command_id == 0x06:
        return Container(device_address=draw(eui64s), device_short_address=draw(_shorts),
                         status=draw(_bytes8))
    if command_id == 0x07:
        return Container(target_address=draw(eui64s))
    if command_id == 0x08:
        key_type = draw(st.sampled_from([1, 2, 4]))
        return Container(key_type=key_type,
                         partner_address=draw(eui64s) if key_type == 2 else None)
    if command_id == 0x09:
        return Container(key_sequence_number=draw(_bytes8))
    if command_id == 0x0E:
        return Container(destination_address=draw(eui64s))
    if command_id == 0x0F:
        return Container(key_type=draw(_bytes8), source_address=draw(eui64s),
                         initiator_verify_key_hash=draw(zigbee_keys))
    if command_id == 0x10:
        return Container(status=draw(_bytes8), key_type=draw(_bytes8),
                         destination_address=draw(eui64s))
    return None


@st.composite
def aps_frames(draw: st.DrawFn, *, secured: bool | None = None,
               plaintext: bool = False) -> Container:
    """Draw an APS frame value (data, command, ack or inter-PAN), with group addressing and
    fragmentation headers among the cases; ``secured`` and ``plaintext`` as for NWK frames."""
    frame_type = draw(st.sampled_from([0, 1, 2] if secured else [0, 1, 2, 3]))
    inter_pan = frame_type == 3
    if frame_type in (0, 3):
        delivery_mode = draw(st.sampled_from([0, 2, 3]))
    else:
        delivery_mode = 0
    ack_format = frame_type == 2 and draw(st.booleans())
    secure = (draw(st.booleans()) if secured is None else secured) and not inter_pan
    # Only data frames and acks carry an extended header, so commands leave the bit clear.
    extended = frame_type in (0, 2) and draw(st.booleans())
    fc = Container(
        frame_type=_named(frame_type, aps.APS_FRAME_TYPES),
        delivery_mode=_named(delivery_mode, aps.DELIVERY_MODES),
        ack_format=ack_format, security=secure,
        ack_request=not inter_pan and draw(st.booleans()),
        extended_header=extended,
    )
    addressed = frame_type == 0 or (frame_type == 2 and not ack_format)
    destination_endpoint = None
    if (frame_type == 0 and delivery_mode in (0, 2)) or (frame_type == 2 and not ack_format):
        destination_endpoint = draw(_bytes8)
    extended_header = None
    if extended:
        fragmentation = draw(st.integers(0, 2))
        extended_header = Container(
            extended_frame_control=Container(
                fragmentation=_named(fragmentation, aps.FRAGMENTATION), reserved=0),
            block_number=draw(_bytes8) if fragmentation else None,
            ack_bitfield=draw(_bytes8) if fragmentation and frame_type == 2 else None)
    aux = draw(_zigbee_aux_header(key_ids=[0, 1, 2, 3])) if secure else None
    level = _effective_level(aux)
    ciphertext = is_encrypted(level) and not plaintext
    command_id = None
    command = None
    if frame_type == 1 and not ciphertext:
        command_id = draw(st.sampled_from([*aps.APS_COMMANDS, 0x20]))
        command = draw(_aps_command(command_id))
    return Container(
        frame_control=fc,
        destination_endpoint=destination_endpoint,
        group_address=draw(_shorts) if frame_type in (0, 3) and delivery_mode == 3 else None,
        cluster_id=draw(_shorts) if addressed or inter_pan else None,
        profile_id=draw(_shorts) if addressed or inter_pan else None,
        source_endpoint=draw(_bytes8) if addressed else None,
        counter=None if inter_pan else draw(_bytes8),
        extended_header=extended_header,
        auxiliary_security_header=aux,
        command_id=command_id,
        command=command,
        payload=draw(_payload()),
        mic=draw(st.binary(min_size=mic_length(level), max_size=mic_length(level))),
    )


@st.composite
def install_codes(draw: st.DrawFn) -> bytes:
    """Draw a valid install code with its CRC (8, 10, 14 or 18 bytes)."""
    length = draw(st.sampled_from(CODE_LENGTHS))
    return append_crc(draw(st.binary(min_size=length, max_size=length)))


# --- ZDP --------------------------------------------------------------------------------


_ZDP_ERRORS = st.sampled_from([status for status in zdo.ZDP_STATUS if status] + [0x87, 0xC2])


def _cluster_lists() -> st.SearchStrategy[ListContainer]:
    return st.lists(_shorts, max_size=4).map(ListContainer)


def _byte_lists() -> st.SearchStrategy[ListContainer]:
    return st.lists(_bytes8, max_size=6).map(ListContainer)


@st.composite
def _node_descriptor(draw: st.DrawFn) -> Container:
    node_flags = draw(_bits(logical_type=3, complex_descriptor_available=1,
                            user_descriptor_available=1, reserved=3))
    node_flags.logical_type = _named(node_flags.logical_type, zdo.LOGICAL_TYPES)
    return Container(
        node_flags=node_flags,
        radio_flags=draw(_bits(aps_flags=3, frequency_band=5)),
        mac_capability_flags=draw(_bits(
            alternate_pan_coordinator=1, device_type=1, power_source=1,
            receiver_on_when_idle=1, reserved=2, security_capability=1, allocate_address=1)),
        manufacturer_code=draw(_shorts),
        maximum_buffer_size=draw(_bytes8),
        maximum_incoming_transfer_size=draw(_shorts),
        server_mask=draw(_shorts),
        maximum_outgoing_transfer_size=draw(_shorts),
        descriptor_capability=draw(_bytes8),
    )


@st.composite
def _simple_descriptor(draw: st.DrawFn) -> Container:
    return Container(endpoint=draw(_bytes8), profile_id=draw(_shorts), device_id=draw(_shorts),
                     device_version=draw(_bits(version=4, reserved=4)),
                     input_clusters=draw(_cluster_lists()),
                     output_clusters=draw(_cluster_lists()))


@st.composite
def _neighbor(draw: st.DrawFn) -> Container:
    device_flags = draw(_bits(device_type=2, rx_on_when_idle=2, relationship=3, reserved=1))
    device_flags.device_type = _named(device_flags.device_type, zdo.NEIGHBOR_DEVICE_TYPES)
    device_flags.rx_on_when_idle = _named(device_flags.rx_on_when_idle, zdo.RX_ON_WHEN_IDLE)
    device_flags.relationship = _named(device_flags.relationship, zdo.RELATIONSHIPS)
    joining_flags = draw(_bits(permit_joining=2, reserved=6))
    joining_flags.permit_joining = _named(joining_flags.permit_joining, zdo.PERMIT_JOINING)
    return Container(extended_pan_id=draw(eui64s), extended_address=draw(eui64s),
                     network_address=draw(_shorts), device_flags=device_flags,
                     joining_flags=joining_flags, depth=draw(_bytes8), lqi=draw(_bytes8))


@st.composite
def _binding_entry(draw: st.DrawFn) -> Container:
    group = draw(st.booleans())
    return Container(source_address=draw(eui64s), source_endpoint=draw(_bytes8),
                     cluster_id=draw(_shorts), destination_address_mode=1 if group else 3,
                     destination_address=draw(_shorts if group else eui64s),
                     destination_endpoint=None if group else draw(_bytes8))


def _cut_short(draw: st.DrawFn, command: Container, fields: list[str]) -> Container:
    """Keep the leading ``fields`` of an error response up to a drawn point, as devices do."""
    kept = draw(st.integers(0, len(fields)))
    for name in fields[kept:]:
        command[name] = None
    return command


@st.composite
def _zdp_request(draw: st.DrawFn, cluster_id: int) -> Container:
    nwk_addr_of_interest = draw(_shorts)
    if cluster_id in (0x0000, 0x0001):
        first = ({"ieee_address": draw(eui64s)} if cluster_id == 0x0000
                 else {"nwk_addr_of_interest": nwk_addr_of_interest})
        return Container(**first, request_type=draw(_bytes8), start_index=draw(_bytes8))
    if cluster_id == 0x0004:
        return Container(nwk_addr_of_interest=nwk_addr_of_interest, endpoint=draw(_bytes8))
    if cluster_id == 0x0006:
        return Container(nwk_addr_of_interest=nwk_addr_of_interest, profile_id=draw(_shorts),
                         input_clusters=draw(_cluster_lists()),
                         output_clusters=draw(_cluster_lists()))
    if cluster_id == 0x0013:
        return Container(nwk_address=draw(_shorts), ieee_address=draw(eui64s),
                         capability=draw(_bits(
                             alternate_pan_coordinator=1, device_type=1, power_source=1,
                             receiver_on_when_idle=1, reserved=2, security_capability=1,
                             allocate_address=1)))
    if cluster_id in (0x0031, 0x0033):
        return Container(start_index=draw(_bytes8))
    if cluster_id == 0x0034:
        return Container(device_address=draw(eui64s),
                         options=draw(_bits(reserved=6, remove_children=1, rejoin=1)))
    if cluster_id == 0x0036:
        return Container(permit_duration=draw(_bytes8), tc_significance=draw(_bytes8))
    return Container(nwk_addr_of_interest=nwk_addr_of_interest)  # 0x0002, 0x0003, 0x0005


@st.composite
def _zdp_response(draw: st.DrawFn, cluster_id: int) -> Container:
    status = draw(st.one_of(st.just(0), _ZDP_ERRORS))
    success = status == 0
    if cluster_id in (0x8034, 0x8036):
        return Container(status=status)
    if cluster_id in (0x8000, 0x8001):
        extended = draw(st.booleans())
        command = Container(status=status, ieee_address=draw(eui64s), nwk_address=draw(_shorts),
                            num_assoc_dev=draw(_bytes8) if extended else None,
                            start_index=draw(_bytes8) if extended else None,
                            associated_devices=(ListContainer(draw(st.lists(_shorts, max_size=4)))
                                                if extended else None))
        if not success:
            _cut_short(draw, command, ["ieee_address", "nwk_address", "num_assoc_dev",
                                       "start_index"])
            if command.start_index is None:
                command.associated_devices = None
        return command
    if cluster_id in (0x8002, 0x8003):
        name = "node_descriptor" if cluster_id == 0x8002 else "power_descriptor"
        descriptor = draw(_node_descriptor() if cluster_id == 0x8002 else _bits(
            current_power_mode=4, available_power_sources=4, current_power_source=4,
            current_power_source_level=4))
        command = Container(status=status, nwk_addr_of_interest=draw(_shorts),
                            **{name: descriptor})
        return command if success else _cut_short(draw, command, ["nwk_addr_of_interest", name])
    if cluster_id in (0x8004, 0x8005, 0x8006):
        name, value = {0x8004: ("simple_descriptor", _simple_descriptor()),
                       0x8005: ("active_endpoints", _byte_lists()),
                       0x8006: ("match_list", _byte_lists())}[cluster_id]
        command = Container(status=status, nwk_addr_of_interest=draw(_shorts),
                            **{name: draw(value) if success else None})
        return command if success else _cut_short(draw, command, ["nwk_addr_of_interest"])
    entries, entry_list, entry = (("neighbor_table_entries", "neighbor_table_list", _neighbor())
                                  if cluster_id == 0x8031 else
                                  ("binding_table_entries", "binding_table_list",
                                   _binding_entry()))
    command = Container(status=status, **{entries: draw(_bytes8)}, start_index=draw(_bytes8),
                        **{entry_list: (ListContainer(draw(st.lists(entry, max_size=3)))
                                        if success else None)})
    return command if success else _cut_short(draw, command, [entries, "start_index"])


@st.composite
def zdp_frames(draw: st.DrawFn) -> tuple[int, Container]:
    """Draw ``(cluster_id, frame)``: a ZDP frame value and the APS cluster that carries it.

    Error responses are cut short after a drawn field, as devices send them. Clusters not
    declared in :mod:`commshub.codecs.zigbee.zdo` carry raw ``payload`` bytes.
    """
    known = draw(st.booleans())
    if known:
        cluster_id = draw(st.sampled_from(sorted(zdo.ZDP_CLUSTERS)))
        if cluster_id & zdo.RESPONSE_FLAG:
            command = draw(_zdp_response(cluster_id))
        else:
            command = draw(_zdp_request(cluster_id))
        payload = b""
    else:
        cluster_id = draw(_shorts.filter(lambda value: value not in zdo.ZDP_CLUSTERS))
        command = None
        payload = draw(_payload())
    return cluster_id, Container(transaction_sequence_number=draw(_bytes8), command=command,
                                 payload=payload)
