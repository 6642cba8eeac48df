"""Helpers for device tests: identities of a test site and GBCS commands built with the codecs."""

from __future__ import annotations

from collections.abc import Sequence

from commshub.codecs.dlms import Data, DataType, build_apdu, parse_apdu
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestSet,
    AccessResponse,
    AttributeDescriptor,
    MethodDescriptor,
)
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.devices.cosem.model import obis
from commshub.devices.site import Site
from commshub.hub.actions import SendWan
from commshub.hub.gbcs_io import invoke_id_for
from commshub.hub.settings import Role

ACB = bytes.fromhex("90B3D51F30000002")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
NETWORK_OPERATOR = bytes.fromhex("90B3D51F30020000")
PARTIES = {ACB: Role.ACCESS_CONTROL_BROKER, SUPPLIER: Role.SUPPLIER, NETWORK_OPERATOR: Role.NETWORK_OPERATOR}
SITE_IDS = {
    "CHF": bytes.fromhex("02C0FFEE000010A2"),
    "GPF": bytes.fromhex("02C0FFEE000010A3"),
    "ESME": bytes.fromhex("02C0FFEE000010A0"),
    "GSME": bytes.fromhex("02C0FFEE000010A1"),
    "IHD": bytes.fromhex("02C0FFEE000010A5"),
}
START = 1_420_070_400  # 2015-01-01 00:00:00 UTC
NULL = Data(DataType.NULL_DATA, None)


def get(class_id: int, logical_name: str, attribute_id: int) -> tuple[AccessRequestGet, Data]:
    return AccessRequestGet(AttributeDescriptor(class_id, obis(logical_name), attribute_id)), NULL


def set_(class_id: int, logical_name: str, attribute_id: int, value: Data) -> tuple[AccessRequestSet, Data]:
    return AccessRequestSet(AttributeDescriptor(class_id, obis(logical_name), attribute_id)), value


def action(class_id: int, logical_name: str, method_id: int, value: Data) -> tuple[AccessRequestAction, Data]:
    return AccessRequestAction(MethodDescriptor(class_id, obis(logical_name), method_id)), value


def dlms_command(recipient: bytes, message_code: int, counter: int, requests: Sequence[tuple[object, Data]], *,
                 originator: bytes = SUPPLIER) -> GbcsFrame:
    """A GBCS command carrying a DLMS access-request made of ``requests``."""
    apdu = AccessRequest(invoke_id_for(counter), None, tuple(spec for spec, _ in requests),  # type: ignore[misc]
                         tuple(value for _, value in requests))
    return GbcsFrame.command(originator=originator, recipient=recipient, originator_counter=counter,
                             message_code=message_code, content=build_apdu(apdu))


def send(site: Site, data: bytes, *, until: int | None = None) -> list[SendWan]:
    """Deliver a command over the SMWAN, run the site and return what the hub sent since."""
    before = len(site.network.wan)
    site.network.deliver_wan(data)
    site.network.run(until=until)
    return site.wan_since(before)


def response(messages: Sequence[SendWan], command: GbcsFrame) -> GbcsFrame:
    """The response frame to ``command`` among ``messages``; fails the test when absent."""
    for message in messages:
        frame = parse_frame(message.data)
        if int(frame.cra) == 2 and frame.originator_counter == command.originator_counter \
                and frame.message_code == command.message_code:
            return frame
    raise AssertionError(f"no response to 0x{command.message_code:04X} among {len(messages)} messages")


def access_response(frame: GbcsFrame) -> AccessResponse:
    apdu = parse_apdu(frame.content)
    assert isinstance(apdu, AccessResponse)
    return apdu


def mac_is_valid(site: Site, frame: GbcsFrame) -> bool:
    return crypto.check_mac(frame, site.keys) is crypto.Verdict.VALID
