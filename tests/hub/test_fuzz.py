"""Random input from the WAN and the HAN: the hub answers or drops it, and never raises."""

from __future__ import annotations

from helpers import ESME, GPF, INSTALL_CODE, Bench, action, register_device, set_
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.dlms import Data, DataType
from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.codecs.zigbee.zcl import parse_zcl
from commshub.hub import events as ev
from commshub.hub.actions import SendHan
from commshub.hub.chf import USE_CASE_ITEMS

_BENCH: list[Bench] = []
CLUSTERS = [0x0000, 0x000A, 0x0019, 0x0702, 0x0704, 0x0300]
CODES = sorted({*USE_CASE_ITEMS, 0x0014, 0x0015, 0x00A1, 0x0012, 0x008C, 0x1234})


def bench() -> Bench:
    """One commissioned hub with a joined ESME, shared by the examples (they change little)."""
    if not _BENCH:
        shared = Bench()
        shared.commission()
        shared.send(shared.command(0x0001, [
            action(104, "0-0:30.3.0.255", 1, register_device(ESME)),
            set_(104, "0-0:30.3.0.255", 3, Data(DataType.LONG_UNSIGNED, 90)),
            set_(104, "0-0:30.3.0.255", 2, Data(DataType.BOOLEAN, True)),
        ]))
        shared.feed(ev.DeviceJoinRequested(at=shared.now, device=ESME,
                                           link_key=link_key_from_install_code(append_crc(INSTALL_CODE))))
        _BENCH.append(shared)
    return _BENCH[0]


@settings(max_examples=150)
@given(st.binary(max_size=300))
def test_random_wan_bytes_are_dropped(data: bytes) -> None:
    shared = bench()
    shared.send(data)


@settings(max_examples=150)
@given(code=st.sampled_from(CODES), content=st.binary(max_size=200), to_gpf=st.booleans())
def test_authentic_commands_with_random_payloads(code: int, content: bytes, to_gpf: bool) -> None:
    shared = bench()
    kwargs = {"recipient": GPF} if to_gpf else {}
    shared.send(shared.command(code, content=content, **kwargs))


@settings(max_examples=200)
@given(cluster=st.sampled_from(CLUSTERS), payload=st.binary(max_size=120))
def test_random_zcl_frames_from_a_joined_device(cluster: int, payload: bytes) -> None:
    shared = bench()
    shared.feed(ev.HanFrameReceived(at=shared.now, device=ESME, cluster=cluster, payload=payload))


@settings(max_examples=100)
@given(image_id=st.text(max_size=20), offset=st.integers(0, 1 << 20), total=st.integers(-5, 1 << 20),
       data=st.binary(max_size=64))
def test_random_firmware_chunks(image_id: str, offset: int, total: int, data: bytes) -> None:
    shared = bench()
    shared.feed(ev.FirmwareChunkReceived(at=shared.now, image_id=image_id, offset=offset,
                                         total_size=total, data=data))


def _spec(item: object, selection: Data) -> object:
    from commshub.codecs.dlms.xdlms import (
        AccessRequestAction,
        AccessRequestGet,
        AccessRequestGetWithSelection,
        AccessRequestSet,
        AttributeDescriptor,
        MethodDescriptor,
        SelectiveAccess,
    )
    from commshub.hub.chf import Access

    access, class_id, instance, index = item.access, item.class_id, item.instance, item.index  # type: ignore[attr-defined]
    if access is Access.ACTION:
        return AccessRequestAction(MethodDescriptor(class_id, instance, index))
    if access is Access.SET:
        return AccessRequestSet(AttributeDescriptor(class_id, instance, index))
    if access is Access.GET:
        return AccessRequestGet(AttributeDescriptor(class_id, instance, index))
    return AccessRequestGetWithSelection(AttributeDescriptor(class_id, instance, index), SelectiveAccess(1, selection))


@settings(max_examples=200)
@given(code=st.sampled_from(sorted(USE_CASE_ITEMS)), data=st.data())
def test_use_case_accesses_with_random_data(code: int, data: st.DataObject) -> None:
    from commshub.codecs.dlms import build_apdu
    from commshub.codecs.dlms.xdlms import AccessRequest
    from commshub.codecs.strategies.dlms import dlms_data
    from commshub.hub.gbcs_io import invoke_id_for

    shared = bench()
    items = USE_CASE_ITEMS[code]
    counter = shared.counters.get(bytes.fromhex("90B3D51F30000002"), 0x500) + 1
    specs = tuple(_spec(item, data.draw(dlms_data(max_leaves=6))) for item in items)
    values = tuple(data.draw(dlms_data(max_leaves=20)) for _ in items)
    content = build_apdu(AccessRequest(invoke_id_for(counter), None, specs, values))  # type: ignore[arg-type]
    shared.send(shared.command(code, content=content, counter=counter))
    assert len(shared.hub.state.device_log) <= 16


def test_manufacturer_read_attributes_undecodable() -> None:
    """A manufacturer-specific Read Attributes with an odd payload gets UNSUP_MANUF_GENERAL_COMMAND."""
    # Found by hypothesis: frame control 0x04, manufacturer 0x0000, then a 9-byte payload that
    # is no list of 16-bit attribute IDs, so the codec keeps it raw.
    shared = bench()
    payload = b"\x04\x00\x00\x00\x00" + bytes(9)

    actions = shared.feed(ev.HanFrameReceived(at=shared.now, device=ESME, cluster=0x0000, payload=payload))

    replies = [parse_zcl(item.payload, item.cluster) for item in actions if isinstance(item, SendHan)]
    assert len(replies) == 1
    assert replies[0].command_id == 0x0B  # Default Response
    assert replies[0]["status"] == 0x84  # UNSUP_MANUF_GENERAL_COMMAND
