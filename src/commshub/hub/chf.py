"""The CHF's DLMS use cases: device log, identity, logs, firmware version and sub-GHz settings.

Each use case is a fixed list of COSEM attribute and method accesses (the RTDS commands show
them); :data:`USE_CASE_ITEMS` contains the lists and :data:`ITEMS` one handler per access. A
command whose access-request differs from its use case's list is rejected before anything
runs. Within an accepted command the accesses run in order; when one fails, the rest are not
carried out and answer other-reason (250).

NOTE: the result a refusal answers with (a full device log, an unknown device) is not public;
the DCC's reference error responses answer the failing access with 1 (hardware-fault) and
every later one with 250, and commshub does the same.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commshub.codecs.dlms import BitString, CompactArray, Data, DataType, TypeDescription
from commshub.codecs.dlms.axdr import build_data, parse_data
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestGetWithSelection,
    AccessRequestSet,
    AccessRequestSpecification,
    AccessResponse,
    AccessResponseAction,
    AccessResponseGet,
    AccessResponseSet,
    AccessResponseSpecification,
)
from commshub.errors import CodecError
from commshub.hub import gbcs_io
from commshub.hub.actions import WanKind
from commshub.hub.commands import Command, CommandRejected, Function, PayloadKind, use_case_handler
from commshub.hub.device_log import (
    GPF_DEVICE_TYPE,
    AddOutcome,
    LoggedDevice,
    hash_link_key,
)
from commshub.hub.logs import EventCode, LogEntry
from commshub.hub.settings import Role
from commshub.hub.transitions import Component, Trigger

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = [
    "DEVICE_LOG",
    "HISTORIC_LOG",
    "ITEMS",
    "JOIN_TIMER",
    "USE_CASE_ITEMS",
    "Access",
    "Item",
    "ItemFailure",
    "close_joining",
    "open_joining",
    "send_device_log_alert",
]

LOGGER = logging.getLogger(__name__)

JOIN_TIMER = "join_window"


def _obis(text: str) -> bytes:
    """Return the 6-octet OBIS code of ``"A-B:C.D.E.F"``."""
    ab, cdef = text.split(":")
    return bytes(int(part) for part in (*ab.split("-"), *cdef.split(".")))


# COSEM objects of the CHF (GBCS; instance IDs as in the DCC's RTDS commands).
DEVICE_LOG = _obis("0-0:30.3.0.255")  # class 104 ZigBee network control: CHF device log
HISTORIC_LOG = _obis("0-0:30.3.1.255")  # class 104: CHF historic device log
EVENT_LOG = _obis("0-0:99.98.0.255")  # class 7 profile generic: CHF event log
SECURITY_LOG = _obis("0-0:99.98.1.255")  # class 7: CHF security log
CH_IDENTITY = _obis("0-0:96.1.4.255")  # class 1 data: CH identity (ECS26n)
CH_TYPE = _obis("0-0:96.1.6.255")  # class 1 data: CH type (ECS26n)
FIRMWARE_VERSION = _obis("0-0:0.2.1.255")  # class 1 data: active firmware identifier (ECS52)
SUB_GHZ_CONFIGURATION = _obis("0-0:94.44.10.0")  # DBCH03, DBCH04
SUB_GHZ_SCAN_REQUEST = _obis("0-0:94.44.10.1")  # DBCH05
SUB_GHZ_CHANNEL = _obis("0-0:94.44.10.2")  # DBCH01
SUB_GHZ_CHANNEL_LOG = _obis("0-0:94.44.10.3")  # DBCH02

ZIGBEE_NETWORK_CONTROL = 104
PROFILE_GENERIC = 7
DATA_CLASS = 1

# class 104 attributes and methods (IEC 62056-6-2 ZigBee network control, as GBCS uses them)
ENABLE_DISABLE_JOINING = 2
JOIN_TIMEOUT = 3
ACTIVE_DEVICES = 4
REGISTER_DEVICE = 1
UNREGISTER_DEVICE = 2
BACKUP_PAN = 4
RESTORE_PAN = 5
INSTALL_CODE_KEY_TYPE = 1  # register_device key_type: install code
# register_device device_type values the CHF accepts (DLMS numbering of GBCS CCS01).
DLMS_DEVICE_TYPES = frozenset({0, 1, 13, 128, 130, 132, GPF_DEVICE_TYPE})
UNKNOWN_DEVICE_TYPE = 255  # device type of an entry restored by CCS03, which carries none
# GBCS CS14 alert: message code and alert code.
CS14_MESSAGE_CODE = 0x0018
CHF_DEVICE_LOG_CHANGED = 0x8F12
# Alerts of a dual-band CHF (message code, alert code).
DBCH08_SCAN_OUTCOME = (0x0112, 0x8F28)
DBCH09_CONFIGURATION_CHANGED = (0x0113, 0x8F2A)
# The range descriptor access selector of a profile generic buffer (IEC 62056-6-2).
RANGE_DESCRIPTOR = 1

_NULL = Data(DataType.NULL_DATA, None)


class Access(enum.Enum):
    GET = "get"
    GET_WITH_SELECTION = "get_with_selection"
    SET = "set"
    ACTION = "action"


@dataclass(frozen=True)
class Item:
    """One COSEM access: kind, class, instance (OBIS) and attribute or method index."""

    access: Access
    class_id: int
    instance: bytes
    index: int


class ItemFailure(Exception):
    """An access that was valid but could not be carried out; ``result`` is the DLMS result."""

    def __init__(self, result: int, reason: str) -> None:
        self.result = result
        super().__init__(reason)


HARDWARE_FAULT = 1
OBJECT_UNDEFINED = 4
OTHER_REASON = 250

# Prepare a validated access: check the request's data (raise CommandRejected when it does
# not fit) and return the function that carries the access out.
Runner = Callable[[], Data | None]
Preparer = Callable[["Hub", Data, AccessRequestSpecification], Runner]

ITEMS: dict[Item, Preparer] = {}


def _item(access: Access, class_id: int, instance: bytes, index: int) -> Callable[[Preparer], Preparer]:
    def register(prepare: Preparer) -> Preparer:
        ITEMS[Item(access, class_id, instance, index)] = prepare
        return prepare

    return register


def _item_of(spec: AccessRequestSpecification) -> Item:
    if isinstance(spec, AccessRequestGet):
        a = spec.attribute
        return Item(Access.GET, a.class_id, a.instance_id, a.attribute_id)
    if isinstance(spec, AccessRequestGetWithSelection):
        a = spec.attribute
        return Item(Access.GET_WITH_SELECTION, a.class_id, a.instance_id, a.attribute_id)
    if isinstance(spec, AccessRequestSet):
        a = spec.attribute
        return Item(Access.SET, a.class_id, a.instance_id, a.attribute_id)
    if isinstance(spec, AccessRequestAction):
        m = spec.method
        return Item(Access.ACTION, m.class_id, m.instance_id, m.method_id)
    raise CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED,
                          f"the CHF does not accept {type(spec).__name__}")


def _response_spec(item: Item, result: int) -> AccessResponseSpecification:
    if item.access is Access.SET:
        return AccessResponseSet(result)
    if item.access is Access.ACTION:
        return AccessResponseAction(result)
    return AccessResponseGet(result)


def _g(class_id: int, instance: bytes, attribute: int) -> Item:
    return Item(Access.GET, class_id, instance, attribute)


def _gs(class_id: int, instance: bytes, attribute: int) -> Item:
    return Item(Access.GET_WITH_SELECTION, class_id, instance, attribute)


def _s(class_id: int, instance: bytes, attribute: int) -> Item:
    return Item(Access.SET, class_id, instance, attribute)


def _a(class_id: int, instance: bytes, method: int) -> Item:
    return Item(Access.ACTION, class_id, instance, method)


_NC, _PG = ZIGBEE_NETWORK_CONTROL, PROFILE_GENERIC

USE_CASE_ITEMS: dict[int, tuple[Item, ...]] = {
    0x0001: (_a(_NC, DEVICE_LOG, REGISTER_DEVICE), _s(_NC, DEVICE_LOG, JOIN_TIMEOUT),
             _s(_NC, DEVICE_LOG, ENABLE_DISABLE_JOINING)),  # CCS01
    0x0002: (_a(_NC, DEVICE_LOG, UNREGISTER_DEVICE),),  # CCS02
    0x0003: (_a(_NC, DEVICE_LOG, RESTORE_PAN),),  # CCS03
    0x0004: (_g(_NC, DEVICE_LOG, ACTIVE_DEVICES),),  # CCS05/CCS04
    0x010F: (_g(_NC, DEVICE_LOG, ACTIVE_DEVICES),),  # CCS06
    0x00FE: (_a(_NC, DEVICE_LOG, BACKUP_PAN), _a(_NC, HISTORIC_LOG, BACKUP_PAN)),  # CCS07
    0x00FA: (_g(DATA_CLASS, CH_IDENTITY, 2), _g(DATA_CLASS, CH_TYPE, 2)),  # ECS26n
    0x0093: (_gs(_PG, EVENT_LOG, 2),),  # ECS35c
    0x0094: (_gs(_PG, SECURITY_LOG, 2),),  # ECS35d
    0x0059: (_g(DATA_CLASS, FIRMWARE_VERSION, 2),),  # ECS52 (Comms Hub firmware version)
    0x010A: (_g(DATA_CLASS, SUB_GHZ_CHANNEL, 2),),  # DBCH01
    0x010B: (_gs(_PG, SUB_GHZ_CHANNEL_LOG, 2),),  # DBCH02
    0x010C: (_g(DATA_CLASS, SUB_GHZ_CONFIGURATION, 2),),  # DBCH03
    0x010D: (_s(DATA_CLASS, SUB_GHZ_CONFIGURATION, 2),),  # DBCH04
    0x010E: (_s(DATA_CLASS, SUB_GHZ_SCAN_REQUEST, 2),),  # DBCH05
}

# ECS52 is read by the supplier and the network operator as well as the DCC (GBCS use case
# table: "Read ESME/SAPC/Comms Hub Firmware Version"); the other CHF use cases come from the
# Access Control Broker.
_ACB = frozenset({Role.ACCESS_CONTROL_BROKER})
_USE_CASE_ROLES: dict[int, frozenset[Role]] = {
    0x0059: frozenset({Role.ACCESS_CONTROL_BROKER, Role.SUPPLIER, Role.NETWORK_OPERATOR}),
}


def run_access_request(hub: Hub, command: Command) -> bytes:
    """Carry out a CHF DLMS command and return its access-response."""
    request: AccessRequest = command.payload
    expected = USE_CASE_ITEMS[command.frame.message_code]
    items = tuple(_item_of(spec) for spec in request.specifications)
    if items != expected:
        raise CommandRejected(
            EventCode.COMMAND_INTEGRITY_FAILED,
            f"the accesses of message code 0x{command.frame.message_code:04X} do not match the use case",
        )
    runners = [ITEMS[item](hub, datum, spec)
               for item, datum, spec in zip(items, request.data, request.specifications)]
    data: list[Data] = []
    results: list[AccessResponseSpecification] = []
    failed = False
    for item, run in zip(items, runners):
        if failed:
            data.append(_NULL)
            results.append(_response_spec(item, OTHER_REASON))
            continue
        try:
            value = run()
        except ItemFailure as failure:
            LOGGER.info("hub %s: %s failed: %s", hub.id, item, failure)
            failed = True
            data.append(_NULL)
            results.append(_response_spec(item, failure.result))
            continue
        data.append(value if value is not None else _NULL)
        results.append(_response_spec(item, 0))
    response = AccessResponse(request.long_invoke_id_and_priority, None, None, tuple(data), tuple(results))
    return gbcs_io.build_dlms(response)


for _code in USE_CASE_ITEMS:
    use_case_handler(_code, Function.CHF, roles=_USE_CASE_ROLES.get(_code, _ACB),
                     payload=PayloadKind.DLMS)(run_access_request)


# --- validation helpers ------------------------------------------------------------------


def _reject(reason: str) -> CommandRejected:
    return CommandRejected(EventCode.COMMAND_INTEGRITY_FAILED, reason)


def _expect(datum: Data, kind: DataType, what: str) -> object:
    if datum.type is not kind:
        raise _reject(f"{what}: expected {kind.standard_name}, found {datum.type.standard_name}")
    return datum.value


def _octets(datum: Data, what: str, length: int | None = None) -> bytes:
    value = _expect(datum, DataType.OCTET_STRING, what)
    assert isinstance(value, bytes)
    if length is not None and len(value) != length:
        raise _reject(f"{what}: expected {length} octets, found {len(value)}")
    return value


def _fields(datum: Data, count: int, what: str) -> tuple[Data, ...]:
    value = _expect(datum, DataType.STRUCTURE, what)
    assert isinstance(value, tuple)
    if len(value) != count:
        raise _reject(f"{what}: expected a structure of {count}, found {len(value)} elements")
    return value


def _null(datum: Data, what: str) -> None:
    if datum.type is not DataType.NULL_DATA:
        raise _reject(f"{what}: a read carries null-data, found {datum.type.standard_name}")


# --- device log: CCS01, CCS02, CCS03, CCS05/06, CCS07 -------------------------------------


@_item(Access.ACTION, _NC, DEVICE_LOG, REGISTER_DEVICE)
def _register_device(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    eui_data, key_type, code_data, type_data = _fields(datum, 4, "register_device")
    eui = _octets(eui_data, "register_device ieee_address", 8)
    if key_type.type is not DataType.ENUM or type_data.type is not DataType.ENUM:
        raise _reject("register_device key_type and device_type are enums")
    install_code = _octets(code_data, "register_device key", 16)

    def run() -> None:
        state = hub.state
        if key_type.value != INSTALL_CODE_KEY_TYPE:
            raise ItemFailure(HARDWARE_FAULT, f"key_type {key_type.value} is not an install code")
        if type_data.value not in DLMS_DEVICE_TYPES:
            raise ItemFailure(HARDWARE_FAULT, f"device_type {type_data.value} is not supported")
        historic = state.historic_log.get(eui)
        entry = LoggedDevice(eui, int(type_data.value), install_code, state.utc,
                             historic_key=historic.tc_link_key if historic else b"")
        outcome = state.device_log.add(entry)
        if outcome is AddOutcome.FULL:
            raise ItemFailure(HARDWARE_FAULT, "the CHF device log is full (16 devices)")
        if outcome is AddOutcome.ADDED:
            state.touch("device_log")
            LOGGER.info("hub %s: device %s added to the device log", hub.id, eui.hex())
            device_log_changed(hub)

    return run


@_item(Access.SET, _NC, DEVICE_LOG, JOIN_TIMEOUT)
def _set_join_timeout(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    seconds = _expect(datum, DataType.LONG_UNSIGNED, "join_timeout")
    assert isinstance(seconds, int)

    def run() -> None:
        hub.state.join_timeout = seconds

    return run


@_item(Access.SET, _NC, DEVICE_LOG, ENABLE_DISABLE_JOINING)
def _set_joining(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    value = _expect(datum, DataType.BOOLEAN, "enable_disable_joining")

    def run() -> None:
        if value:
            open_joining(hub, hub.state.join_timeout, "enable_disable_joining")
        else:
            close_joining(hub, "enable_disable_joining")

    return run


@_item(Access.ACTION, _NC, DEVICE_LOG, UNREGISTER_DEVICE)
def _unregister_device(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    eui = _octets(datum, "unregister_device", 8)

    def run() -> None:
        state = hub.state
        entry = state.device_log.get(eui)
        if entry is None:
            raise ItemFailure(HARDWARE_FAULT, f"device {eui.hex()} is not in the device log")
        state.device_log.remove(eui)
        state.touch("device_log")
        # GBCS CCS02: a device with a TC link key goes to the historic log; a GPF never has one.
        if entry.tc_link_key and entry.device_type != GPF_DEVICE_TYPE:
            state.historic_log.record(eui, entry.tc_link_key)
            state.touch("historic_log")
        state.device_stats.pop(eui, None)
        LOGGER.info("hub %s: device %s removed from the device log", hub.id, eui.hex())
        device_log_changed(hub)

    return run


@_item(Access.ACTION, _NC, DEVICE_LOG, RESTORE_PAN)
def _restore_pan(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    # restore_PAN {PAN information (8 octets), devices [{MAC address, hashed TC link key}]}
    pan_data, devices_data = _fields(datum, 2, "restore_PAN")
    _octets(pan_data, "restore_PAN first element", 8)
    devices = _expect(devices_data, DataType.ARRAY, "restore_PAN devices")
    assert isinstance(devices, tuple)
    restored: list[tuple[bytes, bytes]] = []
    for index, device in enumerate(devices):
        eui_data, hash_data = _fields(device, 2, f"restore_PAN device {index}")
        restored.append((_octets(eui_data, "MAC address", 8), _octets(hash_data, "hashed TC link key")))

    def run() -> None:
        state = hub.state
        if len(restored) > 16 or len({eui for eui, _ in restored}) != len(restored):
            raise ItemFailure(HARDWARE_FAULT, "restore_PAN has more than 16 devices or a device twice")
        entries = []
        for eui, key_hash in restored:
            old = state.device_log.get(eui)
            if old is not None and old.key_hash == key_hash:
                entries.append(old)
                continue
            entries.append(LoggedDevice(
                eui, old.device_type if old else UNKNOWN_DEVICE_TYPE,
                old.install_code if old else b"", state.utc, restored_hash=key_hash,
            ))
        state.device_log.replace_all(entries)
        state.touch("device_log")
        LOGGER.info("hub %s: device log restored with %d devices", hub.id, len(entries))
        device_log_changed(hub)

    return run


def _backup(hub: Hub, entries: list[tuple[bytes, bytes]]) -> Data:
    state = hub.state
    return Data(DataType.STRUCTURE, (
        Data(DataType.OCTET_STRING, gbcs_io.cosem_date_time(state.utc)),
        Data(DataType.OCTET_STRING, state.identity.pan_id),
        Data(DataType.ARRAY, tuple(
            Data(DataType.STRUCTURE, (Data(DataType.OCTET_STRING, eui), Data(DataType.OCTET_STRING, key_hash)))
            for eui, key_hash in entries
        )),
    ))


def device_log_backup(hub: Hub) -> Data:
    """backup_PAN of the device log: {date-time, extended PAN ID, [{EUI, hashed key}]}."""
    return _backup(hub, [(entry.eui, entry.key_hash) for entry in hub.state.device_log])


def historic_log_backup(hub: Hub) -> Data:
    return _backup(hub, [(entry.eui, hash_link_key(entry.tc_link_key))
                         for entry in hub.state.historic_log.entries()])


@_item(Access.ACTION, _NC, DEVICE_LOG, BACKUP_PAN)
def _backup_device_log(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "backup_PAN")
    return lambda: device_log_backup(hub)


@_item(Access.ACTION, _NC, HISTORIC_LOG, BACKUP_PAN)
def _backup_historic_log(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "backup_PAN")
    return lambda: historic_log_backup(hub)


# Status bits of an active_devices entry.
# NOTE: GBCS 10.6.2.1 defines these bits; no public source gives them. commshub sets 0x80 for
# a device in the log, 0x40 once it has joined and 0x08 once it has been heard since the hub
# started, so that a joined, communicating device reads 0xC8 as in the DCC's reference data.
STATUS_LOGGED = 0x80
STATUS_JOINED = 0x40
STATUS_HEARD = 0x08


@_item(Access.GET, _NC, DEVICE_LOG, ACTIVE_DEVICES)
def _active_devices(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "active_devices")

    def run() -> Data:
        return Data(DataType.ARRAY, tuple(_active_device(hub, entry) for entry in hub.state.device_log))

    return run


def _active_device(hub: Hub, entry: LoggedDevice) -> Data:
    stats = hub.state.device_stats.get(entry.eui)
    status = STATUS_LOGGED | (STATUS_JOINED if entry.tc_link_key else 0)
    rssi: list[int] = []
    lqi: list[int] = []
    last = gbcs_io.unspecified_date_time()
    successes = failures = 0
    if stats is not None:
        if stats.last_communication is not None:
            status |= STATUS_HEARD
            last = gbcs_io.cosem_date_time(stats.last_communication + hub.state.clock_offset)
        rssi, lqi = stats.rssi, stats.lqi
        successes, failures = stats.successes, stats.failures

    def spread(values: list[int], low: int, high: int) -> tuple[int, int, int]:
        if not values:
            return 0, 0, 0
        average = round(sum(values) / len(values))
        return tuple(max(low, min(high, v)) for v in (max(values), average, min(values)))  # type: ignore[return-value]

    rssi_max, rssi_avg, rssi_min = spread(rssi, -128, 127)
    lqi_max, lqi_avg, lqi_min = spread(lqi, 0, 255)
    return Data(DataType.STRUCTURE, (
        Data(DataType.OCTET_STRING, entry.eui),
        Data(DataType.BIT_STRING, BitString(8, bytes([status]))),
        Data(DataType.INTEGER, rssi_max), Data(DataType.INTEGER, rssi_avg), Data(DataType.INTEGER, rssi_min),
        Data(DataType.UNSIGNED, lqi_max), Data(DataType.UNSIGNED, lqi_avg), Data(DataType.UNSIGNED, lqi_min),
        Data(DataType.OCTET_STRING, last),
        Data(DataType.UNSIGNED, 1),  # number_of_hops: the emulated HAN is a star
        Data(DataType.UNSIGNED, min(failures, 255)),
        Data(DataType.UNSIGNED, min(successes, 255)),
        Data(DataType.UNSIGNED, 1),  # application_version
        Data(DataType.UNSIGNED, 1),  # stack_version
    ))


def device_log_changed(hub: Hub) -> None:
    """Log the change and send CS14 (alert 0x8F12) with the whole device log, after the response."""
    hub.log_event(EventCode.CHF_DEVICE_LOG_CHANGED)
    hub.after_response(lambda: send_device_log_alert(hub))


def send_device_log_alert(hub: Hub) -> None:
    """Send CS14: alert 0x8F12 to the Access Control Broker with the device log backup."""
    state = hub.state
    counter = hub.next_alert_counter()
    content = gbcs_io.dlms_alert_content(counter, CHF_DEVICE_LOG_CHANGED, state.utc, device_log_backup(hub))
    acb = hub.gbcs.acb
    data = hub.gbcs.alert(originator=state.identity.chf_id, recipient=acb, counter=counter,
                          message_code=CS14_MESSAGE_CODE, content=content, critical=False)
    hub.send_wan(WanKind.ALERT, acb, CS14_MESSAGE_CODE, data, alert_code=CHF_DEVICE_LOG_CHANGED)


# --- joining ------------------------------------------------------------------------------


def open_joining(hub: Hub, seconds: int, event: str) -> None:
    """Open the HAN for joining for ``seconds`` (GBCS: enable_disable_joining resets after
    join_timeout seconds)."""
    state = hub.state
    state.join = hub.move(Component.JOIN, state.join, Trigger.OPEN_JOINING, event)
    hub.start_timer(JOIN_TIMER, state.now + seconds)
    LOGGER.info("hub %s: joining open for %d s", hub.id, seconds)


def close_joining(hub: Hub, event: str) -> None:
    state = hub.state
    state.join = hub.move(Component.JOIN, state.join, Trigger.CLOSE_JOINING, event)
    hub.cancel_timer(JOIN_TIMER)


def _on_join_timer(hub: Hub, name: str) -> None:
    state = hub.state
    state.join = hub.move(Component.JOIN, state.join, Trigger.JOIN_TIMEOUT, f"TimerExpired({name})")
    LOGGER.info("hub %s: joining closed (join_timeout)", hub.id)


# --- identity and firmware version: ECS26n, ECS52 -----------------------------------------


@_item(Access.GET, DATA_CLASS, CH_IDENTITY, 2)
def _ch_identity(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "CH identity")
    return lambda: Data(DataType.OCTET_STRING, hub.state.settings.ch_identity.encode("latin-1"))


@_item(Access.GET, DATA_CLASS, CH_TYPE, 2)
def _ch_type(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "CH type")
    return lambda: Data(DataType.OCTET_STRING, hub.state.settings.ch_type.encode("latin-1"))


@_item(Access.GET, DATA_CLASS, FIRMWARE_VERSION, 2)
def _firmware_version(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "firmware version")
    return lambda: Data(DataType.OCTET_STRING, hub.state.firmware_version)


# --- event and security logs: ECS35c, ECS35d ----------------------------------------------


def _range(spec: AccessRequestSpecification, what: str) -> tuple[int, int]:
    """Return the (from, to) ZigBee-epoch seconds of a range-descriptor selective access."""
    assert isinstance(spec, AccessRequestGetWithSelection)
    selection = spec.access_selection
    if selection.access_selector != RANGE_DESCRIPTOR:
        raise _reject(f"{what}: access selector {selection.access_selector} is not a range descriptor")
    restricting, start, end, _columns = _fields(selection.access_parameters, 4, f"{what} range")
    _fields(restricting, 4, f"{what} restricting object")
    low = _expect(start, DataType.DOUBLE_LONG_UNSIGNED, f"{what} from_value")
    high = _expect(end, DataType.DOUBLE_LONG_UNSIGNED, f"{what} to_value")
    assert isinstance(low, int) and isinstance(high, int)
    return low, high


_EVENT_ENTRY = TypeDescription(DataType.STRUCTURE, (
    TypeDescription(DataType.DOUBLE_LONG_UNSIGNED), TypeDescription(DataType.LONG_UNSIGNED),
    TypeDescription(DataType.OCTET_STRING),
))
_SECURITY_ENTRY = TypeDescription(DataType.STRUCTURE, (
    TypeDescription(DataType.DOUBLE_LONG_UNSIGNED), TypeDescription(DataType.LONG_UNSIGNED),
))


def _log_rows(entries: list[LogEntry], low: int, high: int, with_info: bool) -> CompactArray:
    rows = []
    for entry in entries:
        moment = gbcs_io.zigbee_time(entry.at)
        if not low <= moment <= high:
            continue
        values = [Data(DataType.DOUBLE_LONG_UNSIGNED, moment), Data(DataType.LONG_UNSIGNED, entry.code)]
        if with_info:
            values.append(Data(DataType.OCTET_STRING, entry.info))
        rows.append(Data(DataType.STRUCTURE, tuple(values)))
    return CompactArray(_EVENT_ENTRY if with_info else _SECURITY_ENTRY, tuple(rows))


@_item(Access.GET_WITH_SELECTION, _PG, EVENT_LOG, 2)
def _event_log(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    low, high = _range(spec, "event log")
    return lambda: Data(DataType.COMPACT_ARRAY, _log_rows(hub.state.event_log.entries(), low, high, True))


@_item(Access.GET_WITH_SELECTION, _PG, SECURITY_LOG, 2)
def _security_log(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    low, high = _range(spec, "security log")
    return lambda: Data(DataType.COMPACT_ARRAY, _log_rows(hub.state.security_log.entries(), low, high, False))


# --- sub-GHz (dual-band CHF): DBCH01..DBCH05 ----------------------------------------------

# Sub-GHz configuration and channel a dual-band CHF starts with: the values of the DCC's RTDS
# DBCH03 response and DBCH01 response.
DEFAULT_SUB_GHZ_CONFIGURATION = bytes.fromhex(
    "020F0420E00000030420E80000030420F00000030420F800000312007D1200C811041200061106110A1213BA"
    "117D12005A121388120BB8"
)
DEFAULT_SUB_GHZ_CHANNEL = bytes.fromhex("E0000001")


def _sub_ghz(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("sub_ghz", {})


def sub_ghz_configuration(hub: Hub) -> Data:
    return parse_data(_sub_ghz(hub).get("configuration", DEFAULT_SUB_GHZ_CONFIGURATION))


def _require_dual_band(hub: Hub) -> None:
    if not hub.state.settings.dual_band:
        raise ItemFailure(OBJECT_UNDEFINED, "this CHF is single band: it has no sub-GHz objects")


@_item(Access.GET, DATA_CLASS, SUB_GHZ_CHANNEL, 2)
def _sub_ghz_channel(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "sub-GHz channel")

    def run() -> Data:
        _require_dual_band(hub)
        channel = _sub_ghz(hub).get("channel", DEFAULT_SUB_GHZ_CHANNEL)
        return Data(DataType.BIT_STRING, BitString(32, channel))

    return run


_CHANNEL_LOG_ENTRY = TypeDescription(DataType.STRUCTURE, (
    TypeDescription(DataType.DOUBLE_LONG_UNSIGNED), TypeDescription(DataType.LONG_UNSIGNED),
    TypeDescription(DataType.OCTET_STRING),
))


@_item(Access.GET_WITH_SELECTION, _PG, SUB_GHZ_CHANNEL_LOG, 2)
def _sub_ghz_channel_log(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    low, high = _range(spec, "sub-GHz channel log")

    def run() -> Data:
        _require_dual_band(hub)
        store = _sub_ghz(hub)
        entries = [LogEntry.from_record(value) for key, value in sorted(store.items())
                   if key.startswith("log:")]
        return Data(DataType.COMPACT_ARRAY, _log_rows(entries, low, high, True))

    return run


# Channel log entries carry the channel (4 octets of the bit-string) and an A-XDR octet-string
# of one octet, as the DCC's reference DBCH02 response shows (its meaning is not public).
_CHANNEL_LOG_SUFFIX = bytes.fromhex("090100")
SUB_GHZ_CHANNEL_CHANGED = 0x8F26


def record_channel_selection(hub: Hub) -> None:
    """Log the sub-GHz channel a dual-band CHF selected (when it is installed) in its channel log."""
    if not hub.state.settings.dual_band:
        return
    store = _sub_ghz(hub)
    channel = store.get("channel", DEFAULT_SUB_GHZ_CHANNEL)
    sequence = sum(1 for key in store if key.startswith("log:")) + 1
    entry = LogEntry(sequence, hub.state.utc, SUB_GHZ_CHANNEL_CHANGED, channel + _CHANNEL_LOG_SUFFIX)
    store[f"log:{sequence:012d}"] = entry.to_record()
    hub.state.touch("sub_ghz")


@_item(Access.GET, DATA_CLASS, SUB_GHZ_CONFIGURATION, 2)
def _get_sub_ghz_configuration(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _null(datum, "sub-GHz configuration")

    def run() -> Data:
        _require_dual_band(hub)
        return sub_ghz_configuration(hub)

    return run


def _shape(value: Data) -> object:
    if value.type is DataType.STRUCTURE:
        return (DataType.STRUCTURE, tuple(_shape(item) for item in value.value))
    if value.type is DataType.BIT_STRING:
        return (DataType.BIT_STRING, value.value.length)
    return value.type


@_item(Access.SET, DATA_CLASS, SUB_GHZ_CONFIGURATION, 2)
def _set_sub_ghz_configuration(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    if _shape(datum) != _shape(parse_data(DEFAULT_SUB_GHZ_CONFIGURATION)):
        raise _reject("sub-GHz configuration: the structure does not match DBCH04's")
    try:
        encoded = build_data(datum)
    except CodecError as exc:
        raise _reject(f"sub-GHz configuration: {exc}") from None

    def run() -> None:
        _require_dual_band(hub)
        _sub_ghz(hub)["configuration"] = encoded
        hub.state.touch("sub_ghz")
        hub.after_response(lambda: _send_sub_ghz_alert(hub, DBCH09_CONFIGURATION_CHANGED, datum))

    return run


@_item(Access.SET, DATA_CLASS, SUB_GHZ_SCAN_REQUEST, 2)
def _request_channel_scan(hub: Hub, datum: Data, spec: AccessRequestSpecification) -> Runner:
    _expect(datum, DataType.UNSIGNED, "sub-GHz channel scan request")

    def run() -> None:
        _require_dual_band(hub)
        # NOTE: the emulated sub-GHz band has no interference, so an assessment always
        # finds the current channel good and keeps it (outcome octets 00 00, as in the RTDS).
        outcome = Data(DataType.STRUCTURE, (Data(DataType.OCTET_STRING, b"\x00"),
                                            Data(DataType.OCTET_STRING, b"\x00")))
        hub.after_response(lambda: _send_sub_ghz_alert(hub, DBCH08_SCAN_OUTCOME, outcome))

    return run


def _send_sub_ghz_alert(hub: Hub, codes: tuple[int, int], body: Data) -> None:
    message_code, alert_code = codes
    state = hub.state
    counter = hub.next_alert_counter()
    content = gbcs_io.dlms_alert_content(counter, alert_code, state.utc, body)
    acb = hub.gbcs.acb
    data = hub.gbcs.alert(originator=state.identity.chf_id, recipient=acb, counter=counter,
                          message_code=message_code, content=content, critical=False)
    hub.send_wan(WanKind.ALERT, acb, message_code, data, alert_code=alert_code)


def _register_timers() -> None:
    from commshub.hub.hub import handles_timer

    handles_timer(JOIN_TIMER)(_on_join_timer)


_register_timers()
