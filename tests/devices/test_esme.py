"""The virtual ESME behind a real sans-I/O hub: GBCS commands built with the codecs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from device_bench import (
    ACB,
    NETWORK_OPERATOR,
    SITE_IDS,
    START,
    SUPPLIER,
    access_response,
    action,
    dlms_command,
    get,
    mac_is_valid,
    response,
    send,
    set_,
)

from commshub.codecs.dlms import Data, DataType, parse_apdu
from commshub.codecs.dlms.xdlms import (
    AccessRequestGetWithSelection,
    ActionResult,
    AttributeDescriptor,
    DataAccessResult,
    DataNotification,
    SelectiveAccess,
)
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import decode_asn1, encode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.payload import decrypt_protected_data, find_protected_data
from commshub.codecs.gbcs.tables import Cra
from commshub.devices import events as dev
from commshub.devices.cosem.model import obis
from commshub.devices.cosem.server import Member
from commshub.devices.esme import ECS80_MESSAGE_CODE, Esme, EsmeSettings
from commshub.devices.site import Kind, Site, SiteKeys
from commshub.hub.actions import SendWan
from commshub.hub.gbcs_io import ZIGBEE_EPOCH, cosem_date_time
from commshub.hub.logs import EventCode

ESME = SITE_IDS["ESME"]
ECS52, ECS17A, ECS17B, ECS70, ECS35A, CS06 = 0x0059, 0x0026, 0x0027, 0x0062, 0x0048, 0x0012
ECS19 = 0x002D  # Read ESME Prepayment Registers: suppliers only
CLOCK = "0-0:1.0.0.255"


@pytest.fixture
def site(site_keys: SiteKeys) -> Site:
    return site_keys.build(now=START, join=[Kind.ESME])


def esme_of(site: Site) -> Esme:
    meter = site.devices[Kind.ESME]
    assert isinstance(meter, Esme)
    return meter


def test_esme_joins_and_opens_tunnel(site: Site) -> None:
    meter = esme_of(site)
    assert meter.state.han.join.value == "joined"
    assert meter.state.han.tunnel.value == "open"
    assert meter.state.han.time_offset == 0


def test_ecs52_reads_firmware_version(site: Site) -> None:
    command = dlms_command(ESME, ECS52, 1000, [get(1, "0-0:0.2.1.255", 2)])
    frame = response(send(site, site.command(command)), command)
    assert frame.originator == ESME
    assert frame.recipient == SUPPLIER
    assert frame.mac is not None and mac_is_valid(site, frame)
    apdu = access_response(frame)
    assert apdu.long_invoke_id_and_priority == 0x2000_0000 | 1000
    assert int(apdu.specifications[0].result) == DataAccessResult.SUCCESS
    assert apdu.data[0] == Data(DataType.OCTET_STRING, EsmeSettings().file_version.to_bytes(4, "big"))


def test_ecs17a_reads_energy_registers(site: Site) -> None:
    command = dlms_command(ESME, ECS17A, 1000, [
        get(3, "1-0:2.8.0.255", 2), get(3, "1-0:2.8.0.255", 3), get(3, "1-0:4.8.0.255", 2),
        get(3, "1-0:4.8.0.255", 3)], originator=NETWORK_OPERATOR)
    apdu = access_response(response(send(site, site.command(command)), command))
    assert [int(spec.result) for spec in apdu.specifications] == [0, 0, 0, 0]
    assert apdu.data[0].type == DataType.DOUBLE_LONG_UNSIGNED
    assert apdu.data[1].type == DataType.STRUCTURE  # scaler and unit


def test_ecs70_sets_clock_to_hub_time(site: Site) -> None:
    meter = esme_of(site)
    meter.state = replace(meter.state, clock_offset=-3600)  # the meter runs an hour slow
    slow = START - 3600
    window = (Data(DataType.OCTET_STRING, bytes([0xFF] * 9) + b"\x80\x00\xff"),
              Data(DataType.OCTET_STRING, _cosem(slow - 60)), Data(DataType.OCTET_STRING, _cosem(slow + 60)))
    command = dlms_command(ESME, ECS70, 1000, [
        set_(8, CLOCK, 9, Data(DataType.ENUM, 5)),
        action(8, CLOCK, 5, Data(DataType.STRUCTURE, window)),
        action(8, CLOCK, 4, Data(DataType.INTEGER, 0)),
        get(8, CLOCK, 2)])
    frame = response(send(site, site.command(command, critical=True)), command)
    assert frame.mac is None
    assert crypto.verify_signature(frame, site.keys) is crypto.Verdict.VALID
    apdu = access_response(frame)
    assert [int(spec.result) for spec in apdu.specifications] == [0, 0, 0, 0]
    assert meter.device_time(site.network.now) == site.network.now


def test_ecs70_outside_window_keeps_clock(site: Site) -> None:
    meter = esme_of(site)
    window = (Data(DataType.OCTET_STRING, bytes([0xFF] * 9) + b"\x80\x00\xff"),
              Data(DataType.OCTET_STRING, _cosem(START + 3600)), Data(DataType.OCTET_STRING, _cosem(START + 7200)))
    command = dlms_command(ESME, ECS70, 1000, [
        action(8, CLOCK, 5, Data(DataType.STRUCTURE, window)), action(8, CLOCK, 4, Data(DataType.INTEGER, 0))])
    apdu = access_response(response(send(site, site.command(command, critical=True)), command))
    assert int(apdu.specifications[1].result) == ActionResult.TEMPORARY_FAILURE
    assert meter.state.clock_offset == 0


def test_unsigned_critical_command_is_rejected_with_alert(site: Site) -> None:
    meter = esme_of(site)
    model, counters = meter.state.model, meter.state.counters
    command = dlms_command(ESME, ECS70, 1000, [set_(8, CLOCK, 9, Data(DataType.ENUM, 1))])
    messages = send(site, site.command(command))
    assert not any(parse_frame(message.data).cra == Cra.RESPONSE for message in messages)
    alerts = [parse_frame(message.data) for message in messages]
    assert [alert.message_code for alert in alerts] == [0x1000]
    body = parse_apdu(alerts[0].content)
    assert isinstance(body, DataNotification)
    assert body.body.value[0].value == EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE
    assert meter.state.model.get(8, CLOCK).attributes[9] == model.get(8, CLOCK).attributes[9]
    assert meter.state.counters == counters


def alert_codes(messages: list[SendWan]) -> list[tuple[int, bytes, int]]:
    """Return (message code, recipient, alert code) of each signed DLMS alert in ``messages``."""
    alerts = []
    for message in messages:
        frame = parse_frame(message.data)
        assert frame.cra == Cra.ALERT
        assert frame.signature
        body = parse_apdu(frame.content)
        assert isinstance(body, DataNotification)
        alerts.append((frame.message_code, frame.recipient, body.body.value[0].value))
    return alerts


def security_codes(meter: Esme) -> list[int]:
    return [entry.value[1].value for entry in meter.state.model.get(7, "0-0:99.98.1.255").buffer.entries]


def test_bad_mac_alerts_like_the_chf(site: Site) -> None:
    meter = esme_of(site)
    counters = meter.state.counters
    command = dlms_command(ESME, ECS52, 1000, [get(1, "0-0:0.2.1.255", 2)])
    data = bytearray(site.command(command))
    data[-1] ^= 0x01
    before = security_codes(meter)
    messages = send(site, bytes(data))
    assert alert_codes(messages) == [(0x1000, SUPPLIER, EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE)]
    assert meter.state.counters == counters
    assert security_codes(meter) == [*before, EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE]


def test_role_without_authority_gets_8f30(site: Site) -> None:
    meter = esme_of(site)
    model, counters = meter.state.model.get(8, CLOCK), meter.state.counters
    command = dlms_command(ESME, ECS19, 1000, [get(1, "0-0:0.2.1.255", 2)], originator=NETWORK_OPERATOR)
    before = security_codes(meter)
    messages = send(site, site.command(command))
    assert alert_codes(messages) == [(0x1000, NETWORK_OPERATOR, EventCode.SOURCE_NOT_AUTHORISED)]
    assert meter.state.counters == counters
    assert meter.state.model.get(8, CLOCK) == model
    assert security_codes(meter) == [*before, EventCode.SOURCE_NOT_AUTHORISED]


def test_rejected_role_keeps_counter_open(site: Site) -> None:
    refused = dlms_command(ESME, ECS19, 1000, [get(1, "0-0:0.2.1.255", 2)], originator=NETWORK_OPERATOR)
    send(site, site.command(refused))
    allowed = dlms_command(ESME, ECS52, 1000, [get(1, "0-0:0.2.1.255", 2)], originator=NETWORK_OPERATOR)
    assert response(send(site, site.command(allowed)), allowed).originator == ESME


def test_unknown_message_code_is_an_integrity_failure(site: Site) -> None:
    command = dlms_command(ESME, 0x0FFF, 1000, [get(1, "0-0:0.2.1.255", 2)])
    messages = send(site, site.command(command))
    assert alert_codes(messages) == [(0x1000, SUPPLIER, EventCode.COMMAND_INTEGRITY_FAILED)]


def test_replayed_counter_is_rejected(site: Site) -> None:
    command = dlms_command(ESME, ECS52, 1000, [get(1, "0-0:0.2.1.255", 2)])
    data = site.command(command)
    response(send(site, data), command)
    again = send(site, data)
    assert [parse_frame(message.data).message_code for message in again] == [0x1000]


def test_ecs17b_protected_registers_decrypt(site: Site) -> None:
    parameters = Data(DataType.ARRAY, (Data(DataType.STRUCTURE, (
        Data(DataType.ENUM, 2), Data(DataType.STRUCTURE, (
            Data(DataType.OCTET_STRING, bytes([4]) + (1000).to_bytes(8, "big")),
            Data(DataType.OCTET_STRING, SUPPLIER), Data(DataType.OCTET_STRING, ESME),
            Data(DataType.OCTET_STRING, b""),
            Data(DataType.STRUCTURE, (Data(DataType.ENUM, 2), Data(DataType.STRUCTURE, (
                Data(DataType.OCTET_STRING, b"\x02"), Data(DataType.OCTET_STRING, b""))))))))),))
    objects = Data(DataType.ARRAY, (Data(DataType.STRUCTURE, (
        Data(DataType.LONG_UNSIGNED, 1), Data(DataType.OCTET_STRING, bytes.fromhex("00005E2C220A")),
        Data(DataType.INTEGER, 2), Data(DataType.LONG_UNSIGNED, 0),
        Data(DataType.STRUCTURE, (Data(DataType.ENUM, 0), Data(DataType.NULL_DATA, None))))),))
    command = dlms_command(ESME, ECS17B, 1000, [
        action(30, "0-0:43.2.8.255", 1, Data(DataType.STRUCTURE, (objects, parameters)))])
    frame = response(send(site, site.command(command)), command)
    assert frame.date_time is not None
    blocks = find_protected_data(access_response(frame))
    assert len(blocks) == 1
    plaintext = decrypt_protected_data(frame, blocks[0], site.keys)
    assert plaintext is not None
    registers = plaintext.value[0]
    assert registers.type == DataType.STRUCTURE
    assert registers.value[0].type == DataType.DOUBLE_LONG_UNSIGNED


def test_event_log_range_read(site: Site) -> None:
    selection = Data(DataType.STRUCTURE, (
        Data(DataType.STRUCTURE, (Data(DataType.LONG_UNSIGNED, 1), Data(DataType.OCTET_STRING, bytes.fromhex("00005E2C64FF")),
                                  Data(DataType.INTEGER, 2), Data(DataType.LONG_UNSIGNED, 0))),
        Data(DataType.DOUBLE_LONG_UNSIGNED, START - ZIGBEE_EPOCH - 86_400),
        Data(DataType.DOUBLE_LONG_UNSIGNED, START - ZIGBEE_EPOCH + 60),
        Data(DataType.ARRAY, ())))

    spec = AccessRequestGetWithSelection(AttributeDescriptor(7, obis("0-0:99.98.0.255"), 2), SelectiveAccess(1, selection))
    command = dlms_command(ESME, ECS35A, 1000, [(spec, Data(DataType.NULL_DATA, None))])
    apdu = access_response(response(send(site, site.command(command)), command))
    entries = apdu.data[0].value.elements
    assert entries, "the day before the read holds synthetic history and the join event"
    times = [entry.value[0].value for entry in entries]
    assert times == sorted(times)
    assert all(START - ZIGBEE_EPOCH - 86_400 <= moment <= START - ZIGBEE_EPOCH + 60 for moment in times)
    assert 0x81A2 in [entry.value[1].value for entry in entries]  # CH connected to ESME (the join)


def test_injected_fault_answers_hardware_fault(site_keys: SiteKeys) -> None:
    fault = (Member.ATTRIBUTE, 1, bytes.fromhex("0000000201FF"), 2)
    site = site_keys.build(now=START, join=[Kind.ESME], esme={"faults": {fault: 1}})
    command = dlms_command(ESME, ECS52, 1000, [get(1, "0-0:0.2.1.255", 2)])
    apdu = access_response(response(send(site, site.command(command)), command))
    assert int(apdu.specifications[0].result) == DataAccessResult.HARDWARE_FAULT
    assert apdu.data[0].type == DataType.NULL_DATA


@pytest.mark.parametrize(("minutes", "alert_code"), [(1, 0x8F35), (4, 0x8F36)])
def test_supply_restored_alert(site: Site, minutes: int, alert_code: int) -> None:
    network = site.network
    before = len(network.wan)
    network.to_device(ESME, dev.SupplyLost)
    network.run(until=network.now + minutes * 60)
    network.to_device(ESME, dev.SupplyRestored)
    network.run()
    alerts = [parse_frame(message.data) for message in site.wan_since(before)]
    assert [alert.message_code for alert in alerts] == [ECS80_MESSAGE_CODE]
    alert = alerts[0]
    assert alert.recipient == NETWORK_OPERATOR and alert.cra == Cra.ALERT
    assert crypto.verify_signature(alert, site.keys) is crypto.Verdict.VALID
    body = parse_apdu(alert.content)
    assert isinstance(body, DataNotification)
    assert body.body.value[0].value == alert_code
    assert len(body.body.value) == 4  # code, time, interruption date-time, restoration date-time


def test_cs06_without_held_image(site: Site) -> None:
    content = encode_asn1("ActivateFirmwareCommand", {"manufacturerImageHash": bytes(32), "originatorCounter": 1000})
    command = GbcsFrame.command(originator=SUPPLIER, recipient=ESME, originator_counter=1000,
                                message_code=CS06, content=content)
    frame = response(send(site, site.command(command, critical=True)), command)
    value = decode_asn1(frame.content, CS06, Cra.RESPONSE).value
    assert value[0] == "executionOutcome"
    assert value[1]["responseCode"] == 1  # no image held


def test_unknown_originator_is_dropped(site: Site) -> None:
    stranger = bytes.fromhex("90B3D51F300F0000")
    command = dlms_command(ESME, ECS52, 1000, [get(1, "0-0:0.2.1.255", 2)], originator=stranger)
    frame = crypto.mac_frame(command, site.keys, acb=ACB)
    messages = send(site, frame.to_bytes())
    assert not any(parse_frame(message.data).cra == Cra.RESPONSE for message in messages)


def _cosem(utc: int) -> bytes:
    return cosem_date_time(utc)
