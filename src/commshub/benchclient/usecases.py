"""GBCS commands a bench sends as a remote party, built from a use case and a few parameters.

Each :class:`UseCaseSpec` says which device function the command goes to, which remote party
sends it, whether it is critical (signed as well as MACed) and how its payload is built. The
payloads follow the DCC's reference commands (RTDS 4.5.0): the same COSEM accesses, ZCL
commands and ASN.1 values, with the bench's own identities, counter and times.

Parameters are strings (from the command line) or Python values; each builder says which it
takes in ``params``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from commshub.codecs.dlms import BitString, Data, DataType, build_apdu
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestGetWithSelection,
    AccessRequestSet,
    AttributeDescriptor,
    MethodDescriptor,
    SelectiveAccess,
)
from commshub.codecs.gbcs.asn1 import encode_asn1
from commshub.codecs.gbcs.gbz import LAST_COMPONENT, GbzComponent, GbzPayload, build_gbz
from commshub.codecs.gbcs.tables import DLMS_DEVICE_TYPES
from commshub.codecs.zigbee.zcl import build_zcl
from commshub.codecs.zigbee.zcl.clusters.device_management import (
    CLEAR_EVENT_LOG_REQUEST,
    GET_EVENT_LOG,
)
from commshub.devices.identity import derive_install_code
from commshub.errors import LocalProtocolError
from commshub.fleet.site import ACB, NETWORK_OPERATOR, SUPPLIER
from commshub.hub.gbcs_io import ZIGBEE_EPOCH, cosem_date_time, invoke_id_for, unspecified_date_time

__all__ = ["USE_CASES", "BuildContext", "UseCaseSpec", "obis", "use_case_spec"]

# COSEM classes and objects (GBCS; instance IDs as in the DCC's reference commands).
_DATA, _REGISTER, _PROFILE, _CLOCK, _DATA_PROTECTION, _NETWORK_CONTROL = 1, 3, 7, 8, 30, 104


def obis(text: str) -> bytes:
    """Return the 6-octet OBIS code of ``"A-B:C.D.E.F"``."""
    ab, cdef = text.split(":")
    parts = [*ab.split("-"), *cdef.split(".")]
    if len(parts) != 6:
        raise ValueError(f"{text!r} is not an OBIS code A-B:C.D.E.F")
    return bytes(int(part) for part in parts)


DEVICE_LOG = obis("0-0:30.3.0.255")
HISTORIC_LOG = obis("0-0:30.3.1.255")
EVENT_LOG = obis("0-0:99.98.0.255")
SECURITY_LOG = obis("0-0:99.98.1.255")
FIRMWARE_VERSION = obis("0-0:0.2.1.255")
CLOCK = obis("0-0:1.0.0.255")
# The capture object a profile's range descriptor restricts on: the log entry's UTC time.
_RANGE_CAPTURE_OBJECT = obis("0-0:94.44.100.255")
# register_device key_type: an install code (GBCS CCS01).
_INSTALL_CODE_KEY = 1
# ECS70 clock_base (attribute 9): 5, as in the DCC's reference command.
_CLOCK_BASE = 5
# Events cluster log IDs (Smart Energy 1.4 D.11): 3 general event log, 4 security event log;
# the high nibble of Event Control / Log ID is the event control (1: as in the RTDS).
_GENERAL_EVENT_LOG, _SECURITY_EVENT_LOG = 3, 4
_EVENT_CONTROL = 0x10
# DBCH04 default: the sub-GHz configuration of the DCC's reference command: four 32-bit
# channel bit strings, then the numeric settings.
_SUB_GHZ_CHANNELS = ("E0000006", "E8000006", "F0000006", "F8000006")
_SUB_GHZ_SETTINGS = (
    (DataType.LONG_UNSIGNED, 130), (DataType.LONG_UNSIGNED, 220), (DataType.UNSIGNED, 5),
    (DataType.LONG_UNSIGNED, 7), (DataType.UNSIGNED, 7), (DataType.UNSIGNED, 12),
    (DataType.LONG_UNSIGNED, 6000), (DataType.UNSIGNED, 130), (DataType.LONG_UNSIGNED, 100),
    (DataType.LONG_UNSIGNED, 4000), (DataType.LONG_UNSIGNED, 3000),
)
# Log reads default to the last 30 days.
_DEFAULT_LOG_WINDOW_S = 30 * 86_400
_NULL = Data(DataType.NULL_DATA, None)


@dataclass(frozen=True)
class BuildContext:
    """The inputs of a payload builder: the frame's counter and parties, the time and the site.

    ``devices`` maps a device kind ("esme", "gsme", "ihd", "chf", "gpf") to its EUI-64, so a
    parameter may name a device by kind.
    """

    counter: int
    originator: bytes
    recipient: bytes
    now: int
    devices: Mapping[str, bytes] = field(default_factory=dict)

    def device(self, value: Any) -> bytes:
        """Return a device given by kind ("esme") or EUI-64 (hex text or bytes)."""
        if isinstance(value, bytes):
            return value
        text = str(value).strip()
        if text.lower() in self.devices:
            return self.devices[text.lower()]
        try:
            eui = bytes.fromhex(text.replace("-", "").replace(":", ""))
        except ValueError:
            eui = b""
        if len(eui) != 8:
            raise LocalProtocolError(f"{value!r} is neither a device kind ({', '.join(self.devices)}) "
                                     "nor an EUI-64 of 16 hex digits")
        return eui


Builder = Callable[[BuildContext, Mapping[str, Any]], bytes]


@dataclass(frozen=True)
class UseCaseSpec:
    """One use case the bench can send: message code, target, sender and payload builder."""

    name: str
    message_code: int
    target: str  # "chf", "gpf", "esme" or "gsme"
    originator: bytes
    build: Builder
    critical: bool = False
    supplementary: bool = False  # the ACB's CHF commands name the supplier they act for
    params: Mapping[str, str] = field(default_factory=dict)
    title: str = ""


# --- DLMS helpers ----------------------------------------------------------------------------

Access = tuple[Any, Data]


def _get(class_id: int, instance: bytes, attribute: int) -> Access:
    return AccessRequestGet(AttributeDescriptor(class_id, instance, attribute)), _NULL


def _set(class_id: int, instance: bytes, attribute: int, value: Data) -> Access:
    return AccessRequestSet(AttributeDescriptor(class_id, instance, attribute)), value


def _action(class_id: int, instance: bytes, method: int, value: Data = _NULL) -> Access:
    return AccessRequestAction(MethodDescriptor(class_id, instance, method)), value


def _range(class_id: int, instance: bytes, start: int, end: int) -> Access:
    """Return a profile buffer read restricted to [start, end], ZigBee UTC seconds."""
    restricting = Data(DataType.STRUCTURE, (
        Data(DataType.LONG_UNSIGNED, _CLOCK), Data(DataType.OCTET_STRING, _RANGE_CAPTURE_OBJECT),
        Data(DataType.INTEGER, 2), Data(DataType.LONG_UNSIGNED, 0),
    ))
    parameters = Data(DataType.STRUCTURE, (
        restricting, Data(DataType.DOUBLE_LONG_UNSIGNED, start),
        Data(DataType.DOUBLE_LONG_UNSIGNED, end), Data(DataType.ARRAY, ()),
    ))
    selection = SelectiveAccess(1, parameters)
    return AccessRequestGetWithSelection(AttributeDescriptor(class_id, instance, 2), selection), _NULL


def _dlms(context: BuildContext, accesses: list[Access]) -> bytes:
    request = AccessRequest(invoke_id_for(context.counter), None, tuple(a for a, _ in accesses),
                            tuple(d for _, d in accesses))
    return build_apdu(request)


def _zigbee(utc: int) -> int:
    return max(0, utc - ZIGBEE_EPOCH)


def _int(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    try:
        return int(value, 0) if isinstance(value, str) else int(value)
    except ValueError:
        raise LocalProtocolError(f"parameter {name}={value!r} is not a whole number") from None


def _bytes(params: Mapping[str, Any], name: str) -> bytes | None:
    value = params.get(name)
    if value is None or isinstance(value, bytes):
        return value
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise LocalProtocolError(f"parameter {name}={value!r} is not hex") from None


def _log_window(context: BuildContext, params: Mapping[str, Any]) -> tuple[int, int]:
    end = _int(params, "until", context.now)
    start = _int(params, "since", end - _DEFAULT_LOG_WINDOW_S)
    return _zigbee(start), _zigbee(end)


# --- CHF: device log --------------------------------------------------------------------------


def _ccs01(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    device = context.device(params.get("device", "esme"))
    kind = next((name for name, eui in context.devices.items() if eui == device), None)
    default_type = {"esme": 0, "gsme": 1, "ihd": 128}.get(kind or "", 0)
    device_type = _int(params, "device_type", default_type)
    if device_type not in DLMS_DEVICE_TYPES:
        raise LocalProtocolError(f"device_type {device_type} is not a DLMS device type "
                                 f"({', '.join(f'{k} {v}' for k, v in DLMS_DEVICE_TYPES.items())})")
    install_code = _bytes(params, "install_code") or derive_install_code(device)
    register = Data(DataType.STRUCTURE, (
        Data(DataType.OCTET_STRING, device), Data(DataType.ENUM, _INSTALL_CODE_KEY),
        Data(DataType.OCTET_STRING, install_code), Data(DataType.ENUM, device_type),
    ))
    return _dlms(context, [
        _action(_NETWORK_CONTROL, DEVICE_LOG, 1, register),
        _set(_NETWORK_CONTROL, DEVICE_LOG, 3, Data(DataType.LONG_UNSIGNED,
                                                   _int(params, "join_timeout", 3600))),
        _set(_NETWORK_CONTROL, DEVICE_LOG, 2, Data(DataType.BOOLEAN, True)),
    ])


def _ccs02(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    device = context.device(params.get("device", "esme"))
    return _dlms(context, [_action(_NETWORK_CONTROL, DEVICE_LOG, 2,
                                   Data(DataType.OCTET_STRING, device))])


def _ccs03(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    """``entries``: a list of (device, hashed TC link key) pairs, or text "EUI=HASH,...";
    ``pan``: the 8-octet PAN information of the backup (default: the GPF's EUI-64)."""
    entries = params.get("entries", ())
    if isinstance(entries, str):
        pairs = [item.split("=", 1) for item in entries.split(",") if item.strip()]
        entries = [(context.device(eui), bytes.fromhex(key_hash)) for eui, key_hash in pairs]
    pan = _bytes(params, "pan") or context.devices.get("gpf", bytes(8))
    devices = tuple(Data(DataType.STRUCTURE, (Data(DataType.OCTET_STRING, context.device(eui)),
                                              Data(DataType.OCTET_STRING, bytes(key_hash))))
                    for eui, key_hash in entries)
    restore = Data(DataType.STRUCTURE, (Data(DataType.OCTET_STRING, pan),
                                        Data(DataType.ARRAY, devices)))
    return _dlms(context, [_action(_NETWORK_CONTROL, DEVICE_LOG, 5, restore)])


def _read_device_log(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_get(_NETWORK_CONTROL, DEVICE_LOG, 4)])


def _ccs07(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_action(_NETWORK_CONTROL, DEVICE_LOG, 4),
                           _action(_NETWORK_CONTROL, HISTORIC_LOG, 4)])


# --- CHF: identity, logs, firmware version, sub-GHz -------------------------------------------


def _ecs26n(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_get(_DATA, obis("0-0:96.1.4.255"), 2),
                           _get(_DATA, obis("0-0:96.1.6.255"), 2)])


def _ecs35c(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_range(_PROFILE, EVENT_LOG, *_log_window(context, params))])


def _ecs35d(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_range(_PROFILE, SECURITY_LOG, *_log_window(context, params))])


def _ecs52(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_get(_DATA, FIRMWARE_VERSION, 2)])


def _dbch01(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_get(_DATA, obis("0-0:94.44.10.2"), 2)])


def _dbch02(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_range(_PROFILE, obis("0-0:94.44.10.3"), *_log_window(context, params))])


def _dbch03(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_get(_DATA, obis("0-0:94.44.10.0"), 2)])


def _dbch04(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    channels = [Data(DataType.BIT_STRING, BitString(32, bytes.fromhex(text)))
                for text in _SUB_GHZ_CHANNELS]
    settings = [Data(kind, value) for kind, value in _SUB_GHZ_SETTINGS]
    members = (*channels, *settings)
    return _dlms(context, [_set(_DATA, obis("0-0:94.44.10.0"), 2,
                                Data(DataType.STRUCTURE, members))])


def _dbch05(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_set(_DATA, obis("0-0:94.44.10.1"), 2, Data(DataType.UNSIGNED, 0))])


def _gbz(frame: Any) -> bytes:
    encoded = build_zcl(frame)
    component = GbzComponent(control=LAST_COMPONENT, cluster=frame.cluster_id,
                             frame_control=encoded[0], sequence_number=encoded[1],
                             command_id=encoded[2], payload=encoded[3:])
    return build_gbz(GbzPayload((component,)))


def _event_log(log_id: int) -> Builder:
    def build(context: BuildContext, params: Mapping[str, Any]) -> bytes:
        start, end = _log_window(context, params)
        return _gbz(GET_EVENT_LOG.frame(
            event_control_log_id=_EVENT_CONTROL | log_id, event_id=_int(params, "event_id", 0),
            start_time=start, end_time=end, number_of_events=_int(params, "count", 0),
            event_offset=_int(params, "offset", 0)))
    return build


def _cs11(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _gbz(CLEAR_EVENT_LOG_REQUEST.frame(log_id=_int(params, "log_id", _GENERAL_EVENT_LOG)))


# --- GPF and GSME ----------------------------------------------------------------------------


def _gcs59(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    """``entries``: (device, ASN.1 device type) pairs or "EUI=TYPE,..."; default: the GSME."""
    entries = params.get("entries")
    if entries is None:
        entries = [(context.device("gsme"), 0)] if "gsme" in context.devices else []
    elif isinstance(entries, str):
        entries = [(context.device(eui), int(kind)) for eui, kind in
                   (item.split("=", 1) for item in entries.split(",") if item.strip())]
    return encode_asn1("GpfDeviceLogRestoreCommand", {"deviceLogEntries": [
        {"deviceId": context.device(eui), "deviceType": int(kind)} for eui, kind in entries]})


def _validity(context: BuildContext, params: Mapping[str, Any]) -> tuple[int, int]:
    margin = _int(params, "margin", 60)
    return context.now - margin, context.now + margin


def _gcs28(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    start, end = _validity(context, params)
    return encode_asn1("SetTimeCommand", {"validityIntervalStart": _generalized(start),
                                          "validityIntervalEnd": _generalized(end)})


def _generalized(utc: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(utc, tz=datetime.UTC).replace(tzinfo=None)


# --- ESME ------------------------------------------------------------------------------------


def _ecs17a(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    export_total, reactive = obis("1-0:2.8.0.255"), obis("1-0:4.8.0.255")
    return _dlms(context, [_get(_REGISTER, export_total, 2), _get(_REGISTER, export_total, 3),
                           _get(_REGISTER, reactive, 2), _get(_REGISTER, reactive, 3)])


def _ecs17c(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    return _dlms(context, [_get(_DATA, obis("0-0:94.44.34.20"), 2)])


def _protected_read(protection_object: str, protected: str) -> Builder:
    """A GBCS Data Protection read (class 30 method 1, get_protected_attributes): the
    attribute to read and the protection parameters, which name the transaction (counter),
    the originator and the recipient the response is encrypted for."""

    def build(context: BuildContext, params: Mapping[str, Any]) -> bytes:
        attribute = Data(DataType.STRUCTURE, (
            Data(DataType.LONG_UNSIGNED, _DATA), Data(DataType.OCTET_STRING, obis(protected)),
            Data(DataType.INTEGER, 2), Data(DataType.LONG_UNSIGNED, 0),
            Data(DataType.STRUCTURE, (Data(DataType.ENUM, 0), _NULL)),
        ))
        transaction = b"\x04" + context.counter.to_bytes(8, "big")
        key_info = Data(DataType.STRUCTURE, (Data(DataType.ENUM, 2), Data(DataType.STRUCTURE, (
            Data(DataType.OCTET_STRING, b"\x02"), Data(DataType.OCTET_STRING, b"")))))
        protection = Data(DataType.STRUCTURE, (Data(DataType.ENUM, 2), Data(DataType.STRUCTURE, (
            Data(DataType.OCTET_STRING, transaction), Data(DataType.OCTET_STRING, context.originator),
            Data(DataType.OCTET_STRING, context.recipient), Data(DataType.OCTET_STRING, b""),
            key_info))))
        value = Data(DataType.STRUCTURE, (Data(DataType.ARRAY, (attribute,)),
                                          Data(DataType.ARRAY, (protection,))))
        return _dlms(context, [_action(_DATA_PROTECTION, obis(protection_object), 1, value)])

    return build


def _ecs70(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    start, end = _validity(context, params)
    preset = Data(DataType.STRUCTURE, (
        Data(DataType.OCTET_STRING, unspecified_date_time()),
        Data(DataType.OCTET_STRING, cosem_date_time(start)),
        Data(DataType.OCTET_STRING, cosem_date_time(end)),
    ))
    return _dlms(context, [
        _set(_CLOCK, CLOCK, 9, Data(DataType.ENUM, _CLOCK_BASE)),
        _action(_CLOCK, CLOCK, 5, preset),
        _action(_CLOCK, CLOCK, 4, Data(DataType.INTEGER, 0)),
        _get(_CLOCK, CLOCK, 2),
        _get(_CLOCK, CLOCK, 4),
    ])


def _cs06(context: BuildContext, params: Mapping[str, Any]) -> bytes:
    """``image_hash``: SHA-256 of the manufacturer image (hex); ``execute_at``: UTC seconds of
    a future-dated activation (default: now)."""
    image_hash = _bytes(params, "image_hash")
    if image_hash is None or len(image_hash) != 32:
        raise LocalProtocolError("CS06 needs image_hash, the 32-byte SHA-256 of the manufacturer "
                                 "image in hex")
    value: dict[str, Any] = {"manufacturerImageHash": image_hash,
                             "originatorCounter": context.counter}
    if params.get("execute_at") is not None:
        value["executionDateTime"] = _generalized(_int(params, "execute_at", context.now))
    return encode_asn1("ActivateFirmwareCommand", value)


# --- the table -------------------------------------------------------------------------------

_DEVICE = {"device": "device kind (esme, gsme, ihd) or EUI-64"}
_WINDOW = {"since": "start, UTC seconds (default: 30 days ago)", "until": "end (default: now)"}


def _spec(name: str, code: int, target: str, originator: bytes, build: Builder, **extra: Any) -> UseCaseSpec:
    return UseCaseSpec(name, code, target, originator, build, **extra)


USE_CASES: dict[str, UseCaseSpec] = {spec.name: spec for spec in (
    _spec("CCS01", 0x0001, "chf", ACB, _ccs01, supplementary=True,
          params={**_DEVICE, "install_code": "16-byte install code in hex (default: the device's)",
                  "device_type": "DLMS device type (default: from the kind)",
                  "join_timeout": "seconds joining stays open (default 3600)"}),
    _spec("CCS02", 0x0002, "chf", ACB, _ccs02, supplementary=True, params=_DEVICE),
    _spec("CCS03", 0x0003, "chf", ACB, _ccs03, supplementary=True,
          params={"entries": "EUI=HASH,... (hashed TC link keys, as CCS07 reports them)",
                  "pan": "8-octet PAN information in hex"}),
    _spec("CCS05/CCS04", 0x0004, "chf", ACB, _read_device_log, supplementary=True),
    _spec("CCS06", 0x010F, "chf", ACB, _read_device_log, supplementary=True),
    _spec("CCS07", 0x00FE, "chf", ACB, _ccs07, supplementary=True),
    _spec("CS10a", 0x0014, "chf", SUPPLIER, _event_log(_GENERAL_EVENT_LOG),
          params={**_WINDOW, "event_id": "event ID (0: all)", "count": "events (0: all)"}),
    _spec("CS10b", 0x00A1, "chf", SUPPLIER, _event_log(_SECURITY_EVENT_LOG),
          params={**_WINDOW, "event_id": "event ID (0: all)", "count": "events (0: all)"}),
    _spec("CS11", 0x0015, "chf", SUPPLIER, _cs11, params={"log_id": "Events cluster log ID (3)"}),
    _spec("ECS26n", 0x00FA, "chf", ACB, _ecs26n, supplementary=True),
    _spec("ECS35c", 0x0093, "chf", ACB, _ecs35c, supplementary=True, params=_WINDOW),
    _spec("ECS35d", 0x0094, "chf", ACB, _ecs35d, supplementary=True, params=_WINDOW),
    _spec("ECS52", 0x0059, "esme", SUPPLIER, _ecs52,
          params={"target": "chf or esme (default esme)"}),
    _spec("DBCH01", 0x010A, "chf", ACB, _dbch01, supplementary=True),
    _spec("DBCH02", 0x010B, "chf", ACB, _dbch02, supplementary=True, params=_WINDOW),
    _spec("DBCH03", 0x010C, "chf", ACB, _dbch03, supplementary=True),
    _spec("DBCH04", 0x010D, "chf", ACB, _dbch04, supplementary=True),
    _spec("DBCH05", 0x010E, "chf", ACB, _dbch05, supplementary=True),
    _spec("GCS59", 0x008C, "gpf", ACB, _gcs59,
          params={"entries": "EUI=ASN.1 device type,... (default: the GSME, type 0)"}),
    _spec("GCS28", 0x007F, "gsme", SUPPLIER, _gcs28, critical=True,
          params={"margin": "seconds either side of now the new time is valid (default 60)"}),
    _spec("ECS17a", 0x0026, "esme", NETWORK_OPERATOR, _ecs17a),
    _spec("ECS17b", 0x0027, "esme", SUPPLIER, _protected_read("0-0:43.2.8.255", "0-0:94.44.34.10")),
    _spec("ECS17c", 0x0028, "esme", NETWORK_OPERATOR, _ecs17c),
    _spec("ECS17d", 0x0029, "esme", SUPPLIER, _protected_read("0-0:43.2.9.255", "0-0:94.44.34.1")),
    _spec("ECS17e", 0x002A, "esme", SUPPLIER, _protected_read("0-0:43.2.10.255", "0-0:94.44.34.2")),
    _spec("ECS70", 0x0062, "esme", SUPPLIER, _ecs70, critical=True,
          params={"margin": "seconds either side of now the new time is valid (default 60)"}),
    _spec("CS06", 0x0012, "esme", SUPPLIER, _cs06, critical=True,
          params={"image_hash": "SHA-256 of the manufacturer image (hex)",
                  "execute_at": "UTC seconds of a future-dated activation",
                  "target": "esme or chf (default esme)"}),
)}
# Short names: "CCS05" and "CCS04" both name the device log read.
_ALIASES = {"CCS05": "CCS05/CCS04", "CCS04": "CCS05/CCS04", "ECS17": "ECS17b"}


def use_case_spec(name: str) -> UseCaseSpec:
    """Return the spec of a use case by name, case-insensitive; raise LocalProtocolError."""
    key = name.strip()
    key = _ALIASES.get(key.upper(), key)
    for spec_name, spec in USE_CASES.items():
        if spec_name.upper() == key.upper():
            return spec
    raise LocalProtocolError(f"the bench cannot build {name!r}; it builds "
                             f"{', '.join(USE_CASES)}")
