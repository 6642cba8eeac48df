"""The hub answers the DCC's reference commands (RTDS) like the reference responses.

Each SUCCESS command of a CHF or GPF use case is MACed again with the test remote parties' keys
(the hub trusts those, not the RTDS ones), sent to a hub prepared so that the use case can
succeed, and its response is compared with the reference response: same message code, same
payload structure (types, shapes of array elements) and the same results. Identities,
counters, MACs, signatures and values such as timestamps are set aside.

The alerts CS14 (0x8F12), CCS08 (0x8F8A) and GCS62 (0x8071), which the RTDS has as alert-only
frames, are compared the same way after the hub was made to send them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import CHF, ESME, GPF, GSME, INSTALL_CODE, Bench, action, register_device, set_

from commshub.codecs.dlms import Data, DataType, parse_apdu
from commshub.codecs.gbcs.asn1 import decode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.gbz import parse_gbz
from commshub.codecs.zigbee.install_code import append_crc, link_key_from_install_code
from commshub.hub import events as ev
from commshub.hub.actions import WanKind
from commshub.hub.settings import HubSettings

DEVICE_LOG = "0-0:30.3.0.255"


def add_devices(bench: Bench) -> None:
    for device in (ESME, GSME):
        bench.send(bench.command(0x0001, [
            action(104, DEVICE_LOG, 1, register_device(device)),
            set_(104, DEVICE_LOG, 3, Data(DataType.LONG_UNSIGNED, 90)),
            set_(104, DEVICE_LOG, 2, Data(DataType.BOOLEAN, True)),
        ]))
        bench.feed(ev.DeviceJoinRequested(at=bench.now, device=device,
                                          link_key=link_key_from_install_code(append_crc(INSTALL_CODE))))


def add_and_remove(bench: Bench) -> None:
    add_devices(bench)
    bench.send(bench.command(0x0002, [action(104, DEVICE_LOG, 2, Data(DataType.OCTET_STRING, GSME))]))


def log_security_event(bench: Bench) -> None:
    bench.send(b"\x00not a frame")


# Folder -> how to prepare the hub so that the reference command succeeds.
CASES: dict[str, Callable[[Bench], None]] = {
    "8.11_CCS01": lambda bench: None,
    "8.11_CCS02": add_devices,
    "8.12.1_CCS03": lambda bench: None,
    "8.9_CCS05CCS04": add_devices,
    "8.9_CCS06": add_devices,
    "8.9_CCS07": add_and_remove,
    "6.2.4_ECS26n": lambda bench: None,
    "6.13_ECS35c": add_devices,
    "6.13_ECS35d": log_security_event,
    "11.2_ECS52": lambda bench: None,
    "6.31_DBCH01": lambda bench: None,
    "6.32_DBCH02": lambda bench: None,
    "6.30_DBCH03": lambda bench: None,
    "6.28_DBCH04": lambda bench: None,
    "6.29_DBCH05": lambda bench: None,
    "8.12.2_GCS59": lambda bench: None,
    "6.13_CS10a": add_devices,
    "6.13_CS10b": log_security_event,
    "3.3_CS11": add_devices,
}


def shape(value: Any) -> Any:
    """The structure of a decoded payload with the values set aside (results kept)."""
    if isinstance(value, Data):
        if value.type is DataType.ARRAY:
            return ("array", shape(value.value[0]) if value.value else None)
        if value.type is DataType.STRUCTURE:
            return ("structure", tuple(shape(item) for item in value.value))
        if value.type is DataType.COMPACT_ARRAY:
            return ("compact-array", value.value.description)
        return value.type.name
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict) and "deviceLogEntry" in value[0]:
            return [shape(value[0]), value[0]["joinResponseCode"]]
        return tuple(shape(item) for item in value)
    if hasattr(value, "__dataclass_fields__"):
        fields = {name: getattr(value, name) for name in value.__dataclass_fields__}
        fields.pop("long_invoke_id_and_priority", None)
        return (type(value).__name__, shape(fields))
    if isinstance(value, (bytes, str)):
        return type(value).__name__
    return value


def decode(frame: GbcsFrame) -> Any:
    content = frame.content
    if content[:1] in (b"\xd9", b"\xda", b"\x0f"):
        return parse_apdu(content)
    if content[:2] == b"\x01\x09":
        return [(c.control, c.cluster, c.frame_control, c.command_id) for c in parse_gbz(content).components]
    return decode_asn1(content, frame.message_code, frame.cra).value


def reference(rtds_dir: Path, folder: str, kind: str) -> GbcsFrame:
    (path,) = (rtds_dir / "RTDS-4.5.0" / folder).glob(f"*_SUCCESS_{kind}_GBCS.HEX")
    return parse_frame(bytes.fromhex(path.read_text().strip()))


@pytest.mark.parametrize("folder", sorted(CASES))
def test_response_matches_the_reference(rtds_dir: Path, folder: str) -> None:
    command = reference(rtds_dir, folder, "COMMAND")
    expected = reference(rtds_dir, folder, "RESPONSE")
    bench = Bench(settings=HubSettings(dual_band=True))
    bench.commission()
    CASES[folder](bench)
    # ECS52 and the CS10/CS11 reference commands address meters; the CHF answers them too.
    recipient = command.recipient if command.recipient in (CHF, GPF) else CHF
    counter = bench.counters.get(command.originator, 0x500) + 1
    content = command.content
    if content[:1] == b"\xd9":  # a DLMS invoke ID carries the low 24 bits of the counter
        content = content[:1] + (0x20000000 | (counter & 0xFFFFFF)).to_bytes(4, "big") + content[5:]
    frame = bench.command(
        command.message_code, content=content, originator=command.originator, recipient=recipient,
        counter=counter, supplementary=command.supplementary_remote_party_id is not None,
    )
    responses = [m for m in bench.wan(bench.send(frame)) if m.kind is WanKind.RESPONSE]
    assert len(responses) == 1, f"{folder}: no response"
    ours, _ = bench.open(responses[0])
    assert ours.message_code == expected.message_code
    assert (ours.mac is None) == (expected.mac is None)
    assert shape(decode(ours)) == shape(decode(expected))


def reference_alert(rtds_dir: Path, folder: str) -> GbcsFrame:
    (path,) = (rtds_dir / "RTDS-4.5.0" / folder).glob("*_ALERT_GBCS.HEX")
    return parse_frame(bytes.fromhex(path.read_text().strip()))


def device_log_alert(bench: Bench) -> Any:
    add_devices(bench)
    return [m for m in bench.wan() if m.message_code == 0x0018][-1]


def firmware_transfer_alert(bench: Bench) -> Any:
    from test_firmware import end_transfer

    return end_transfer(bench, 0)  # SUCCESS


def gpf_device_log_alert(bench: Bench, reference_entries: list[dict[str, Any]]) -> Any:
    from commshub.hub.gbcs_io import encode_asn1_payload

    # GCS59 restores the GPF device log that the reference alert reports.
    content = encode_asn1_payload("GpfDeviceLogRestoreCommand", {"deviceLogEntries": reference_entries})
    actions = bench.send(bench.command(0x008C, content=content, recipient=GPF, supplementary=False))
    return [m for m in bench.wan(actions) if m.kind is WanKind.ALERT][-1]


# Alert-only folders of the RTDS -> how to make the hub send that alert, given the reference.
ALERTS: dict[str, Callable[[Bench, GbcsFrame], Any]] = {
    "NA_CS14": lambda bench, expected: device_log_alert(bench),
    "NA_CCS08": lambda bench, expected: firmware_transfer_alert(bench),
    "NA_GCS62": lambda bench, expected: gpf_device_log_alert(bench, decode(expected)["deviceLogEntries"]),
}


@pytest.mark.parametrize("folder", sorted(ALERTS))
def test_alert_matches_the_reference(rtds_dir: Path, folder: str) -> None:
    expected = reference_alert(rtds_dir, folder)
    bench = Bench()
    bench.commission()
    alert = ALERTS[folder](bench, expected)
    ours, _ = bench.open(alert)
    assert ours.cra == expected.cra
    assert ours.message_code == expected.message_code
    assert ours.recipient == expected.recipient
    assert (ours.mac is None) == (expected.mac is None)
    assert bool(ours.signature) == bool(expected.signature)
    assert shape(decode(ours)) == shape(decode(expected))
