"""Command security: MAC, replay, originator, role, signature, payload shape and recipient.

Every rejection must leave the hub as it was, apart from the security log and the alert it
sends.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import (
    ACB,
    CHF,
    ESME,
    GPF,
    NETWORK_OPERATOR,
    SUPPLIER,
    Bench,
    action,
    get,
    register_device,
    set_,
)

from commshub.codecs.dlms import Data, DataType, parse_apdu
from commshub.codecs.gbcs.frame import parse_frame
from commshub.hub.actions import SendWan, WanKind
from commshub.hub.commands import GENERIC_CRITICAL_ALERT
from commshub.hub.logs import EventCode

DEVICE_LOG = "0-0:30.3.0.255"
IGNORED_TABLES = {"security_log", "outbox", "alert_counter"}


def ccs01(bench: Bench, eui: bytes = ESME, **kwargs: Any) -> bytes:
    return bench.command(0x0001, [
        action(104, DEVICE_LOG, 1, register_device(eui)),
        set_(104, DEVICE_LOG, 3, Data(DataType.LONG_UNSIGNED, 90)),
        set_(104, DEVICE_LOG, 2, Data(DataType.BOOLEAN, True)),
    ], **kwargs)


def state_without_logs(bench: Bench) -> dict[str, Any]:
    return {table: records for table, records in bench.hub.image().items() if table not in IGNORED_TABLES}


def rejected_with(bench: Bench, frame: bytes, alert_code: int | None) -> list[SendWan]:
    """Send ``frame``; check it changed nothing and was answered only by the expected alert."""
    before = state_without_logs(bench)
    logged = len(bench.hub.state.security_log)
    actions = bench.send(frame)
    assert state_without_logs(bench) == before
    assert len(bench.hub.state.security_log) == logged + 1
    messages = bench.wan(actions)
    assert all(m.kind is WanKind.ALERT for m in messages)
    if alert_code is None:
        assert messages == []
    else:
        assert [m.alert_code for m in messages] == [alert_code]
        frame_out, payload = bench.open(messages[0])
        assert frame_out.message_code == GENERIC_CRITICAL_ALERT
        assert frame_out.signature
        assert frame_out.mac is None
        assert payload.body.value[0] == Data(DataType.LONG_UNSIGNED, alert_code)
    return messages


@pytest.fixture()
def bench() -> Bench:
    bench = Bench()
    bench.commission()
    return bench


def test_valid_command_is_answered_with_a_maced_response(bench: Bench) -> None:
    actions = bench.send(ccs01(bench, counter=0x600))
    response = bench.wan(actions)[0]
    frame, payload = bench.open(response)
    assert frame.originator == CHF
    assert frame.recipient == ACB
    assert frame.originator_counter == 0x600
    assert frame.supplementary_remote_party_id == SUPPLIER
    assert payload.long_invoke_id_and_priority == 0x20000600


def test_bad_mac_is_rejected(bench: Bench) -> None:
    frame = bytearray(ccs01(bench))
    frame[-1] ^= 0x01
    rejected_with(bench, bytes(frame), EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE)
    assert ESME not in bench.hub.state.device_log


def test_command_without_mac_is_rejected(bench: Bench) -> None:
    frame = parse_frame(ccs01(bench)).replace(mac=None).to_bytes()
    rejected_with(bench, frame, EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE)


def test_replayed_counter_is_rejected(bench: Bench) -> None:
    first = ccs01(bench, counter=0x700)
    bench.send(first)
    rejected_with(bench, first, EventCode.AUTHENTICATION_OR_AUTHORISATION_FAILED)
    rejected_with(bench, ccs01(bench, counter=0x6FF), EventCode.AUTHENTICATION_OR_AUTHORISATION_FAILED)


def test_counters_are_per_remote_party(bench: Bench) -> None:
    bench.send(ccs01(bench, counter=0x900))
    read = bench.command(0x0059, [get(1, "0-0:0.2.1.255", 2)], originator=SUPPLIER, counter=0x10,
                         supplementary=False)
    actions = bench.send(read)
    assert [m.kind for m in bench.wan(actions)] == [WanKind.RESPONSE]


def test_counters_survive_a_restart(bench: Bench) -> None:
    frame = ccs01(bench, counter=0x800)
    bench.send(frame)
    bench.restart()
    rejected_with(bench, frame, EventCode.AUTHENTICATION_OR_AUTHORISATION_FAILED)


def test_role_without_authority_is_rejected(bench: Bench) -> None:
    frame = ccs01(bench, originator=SUPPLIER, supplementary=False)
    rejected_with(bench, frame, EventCode.SOURCE_NOT_AUTHORISED)


def test_unknown_originator_gets_no_alert(bench: Bench) -> None:
    stranger = bytes.fromhex("90B3D51F30FFFFFF")
    bench.keys.add(stranger, "ka", private_key=bench.keys.private_key(ACB, "ka"))
    rejected_with(bench, ccs01(bench, originator=stranger), None)


def test_payload_not_matching_the_use_case_is_rejected(bench: Bench) -> None:
    frame = bench.command(0x0001, [get(104, DEVICE_LOG, 4)])
    rejected_with(bench, frame, EventCode.COMMAND_INTEGRITY_FAILED)


def test_malformed_register_device_is_rejected(bench: Bench) -> None:
    short_code = Data(DataType.STRUCTURE, (
        Data(DataType.OCTET_STRING, ESME), Data(DataType.ENUM, 1), Data(DataType.OCTET_STRING, b"short"),
        Data(DataType.ENUM, 0)))
    frame = bench.command(0x0001, [action(104, DEVICE_LOG, 1, short_code),
                                   set_(104, DEVICE_LOG, 3, Data(DataType.LONG_UNSIGNED, 90)),
                                   set_(104, DEVICE_LOG, 2, Data(DataType.BOOLEAN, True))])
    rejected_with(bench, frame, EventCode.COMMAND_INTEGRITY_FAILED)


def test_invoke_id_must_carry_the_counter(bench: Bench) -> None:
    from commshub.codecs.dlms import build_apdu
    from commshub.codecs.dlms.xdlms import AccessRequest

    spec, data = get(1, "0-0:0.2.1.255", 2)
    content = build_apdu(AccessRequest(0x20000001, None, (spec,), (data,)))
    rejected_with(bench, bench.command(0x0059, content=content, counter=0x555),
                  EventCode.COMMAND_INTEGRITY_FAILED)


def test_foreign_use_case_is_rejected(bench: Bench) -> None:
    frame = bench.command(0x0027, [get(3, "1-0:1.8.0.255", 2)])  # ECS17b is for the ESME
    rejected_with(bench, frame, EventCode.COMMAND_INTEGRITY_FAILED)


def test_critical_command_without_signature_is_rejected(bench: Bench) -> None:
    from commshub.hub.gbcs_io import encode_asn1_payload

    content = encode_asn1_payload("ActivateFirmwareCommand",
                                  {"manufacturerImageHash": bytes(32), "originatorCounter": 5})
    unsigned = bench.command(0x0012, content=content, originator=SUPPLIER, supplementary=False)
    rejected_with(bench, unsigned, EventCode.TRUSTED_SOURCE_AUTHENTICATION_FAILURE)
    signed = bench.command(0x0012, content=content, originator=SUPPLIER, supplementary=False, sign=True)
    actions = bench.send(signed)
    response = bench.wan(actions)[0]
    assert response.kind is WanKind.RESPONSE
    frame, _ = bench.open(response)
    assert frame.mac is None
    assert len(frame.signature or b"") == 64


def test_command_for_an_unknown_device_is_dropped(bench: Bench) -> None:
    frame = bench.command(0x0059, [get(1, "0-0:0.2.1.255", 2)], recipient=bytes(8), mac=False)
    rejected_with(bench, frame, None)


def test_garbage_is_dropped_and_logged(bench: Bench) -> None:
    rejected_with(bench, b"\xdd\x00\x01\x02", None)


def test_alerts_and_responses_from_the_wan_are_dropped(bench: Bench) -> None:
    response = parse_frame(ccs01(bench)).replace(cra=2).to_bytes()
    rejected_with(bench, response, None)


def test_network_operator_reads_the_firmware_version(bench: Bench) -> None:
    frame = bench.command(0x0059, [get(1, "0-0:0.2.1.255", 2)], originator=NETWORK_OPERATOR,
                          supplementary=False)
    response = bench.wan(bench.send(frame))[0]
    _, payload = bench.open(response)
    assert payload.data == (Data(DataType.OCTET_STRING, bench.settings.firmware_version),)


def test_gpf_rejects_chf_use_cases(bench: Bench) -> None:
    before = state_without_logs(bench)
    actions = bench.send(ccs01(bench, recipient=GPF))
    assert [m.alert_code for m in bench.wan(actions)] == [EventCode.COMMAND_INTEGRITY_FAILED]
    assert state_without_logs(bench) == before


def test_uninstalled_hub_drops_commands() -> None:
    bench = Bench()
    bench.start()
    assert bench.send(ccs01(bench)) == []


def test_response_payload_decodes(bench: Bench) -> None:
    response = bench.wan(bench.send(ccs01(bench)))[0]
    frame = parse_frame(response.data)
    assert parse_apdu(frame.content).specifications[0].result == 0
