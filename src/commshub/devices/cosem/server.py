"""A COSEM server: carries out a GBCS access-request on a :class:`CosemModel`.

Each request specification runs in order against the model as the previous ones left it
(IEC 62056-5-3 access service: the requests of one access-request are executed one after the
other). Class-specific attributes and methods come from the tables at the end of this module;
an attribute without a special rule reads and writes the stored value, and a method without a
rule answers object-unavailable rather than pretending to work.

Notes (:class:`ClockSet`, :class:`EventRaised`, :class:`SupplySwitched`) tell the device about
side effects that live outside the object model: its clock, its logs and its load switch.
"""

from __future__ import annotations

import datetime
import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from commshub.codecs.dlms.axdr import Data, DataType
from commshub.codecs.dlms.cosem_time import CosemDateTime
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestGetWithSelection,
    AccessRequestSet,
    AccessRequestSetWithSelection,
    AccessResponseAction,
    AccessResponseGet,
    AccessResponseSet,
    AccessResponseSpecification,
    ActionResult,
    DataAccessResult,
    SelectiveAccess,
)
from commshub.devices.cosem.model import CosemModel, CosemObject, obis
from commshub.errors import CodecError
from commshub.hub.gbcs_io import ZIGBEE_EPOCH, cosem_date_time

__all__ = [
    "CLASS_CLOCK",
    "CLASS_DATA_PROTECTION",
    "CLASS_PROFILE_GENERIC",
    "UTC_TIME_OBJECT",
    "ClockSet",
    "EventRaised",
    "Note",
    "Outcome",
    "ServerContext",
    "SupplySwitched",
    "read_attribute",
    "serve",
    "utc_from_cosem",
]

LOGGER = logging.getLogger(__name__)

CLASS_DATA = 1
CLASS_REGISTER = 3
CLASS_EXTENDED_REGISTER = 4
CLASS_PROFILE_GENERIC = 7
CLASS_CLOCK = 8
CLASS_SCRIPT_TABLE = 9
CLASS_DATA_PROTECTION = 30
CLASS_DISCONNECT_CONTROL = 70
CLASS_CREDIT = 112
CLASS_TOKEN_GATEWAY = 115

# GBCS restricts profile reads by this Data object: UTC seconds since 2000 (double-long-unsigned).
UTC_TIME_OBJECT = obis("0-0:94.44.100.255")
# Profile generic access selectors (IEC 62056-6-2 4.3.6).
RANGE_DESCRIPTOR = 1
ENTRY_DESCRIPTOR = 2
# Data protection restriction types (GBCS Data Protection get_protected_attributes).
RESTRICTION_NONE = 0
RESTRICTION_BY_DATE = 1
RESTRICTION_BY_ENTRY = 2
# Clock attributes and methods (IEC 62056-6-2 4.5.1).
CLOCK_TIME = 2
CLOCK_STATUS = 4
CLOCK_BASE = 9
CLOCK_ADJUST_TO_PRESET = 4
CLOCK_PRESET_ADJUSTING_TIME = 5
_PRESET = "preset_adjusting_time"
# Disconnect control (class 70) attributes and control states.
OUTPUT_STATE = 2
CONTROL_STATE = 3
DISCONNECTED, CONNECTED, READY_FOR_RECONNECTION = 0, 1, 2
# Scripts of the ESME load switch script table 0-0:10.0.106.255 (from the RTDS ECS42, ECS43
# and ECS44 commands: 51 close, 52 open, 54 arm).
LOAD_SWITCH_SCRIPTS = obis("0-0:10.0.106.255")
SCRIPT_CLOSE, SCRIPT_OPEN, SCRIPT_ARM = 51, 52, 54
DISCONNECT_CONTROL = obis("0-0:96.3.10.255")
# Alert and event codes the server notes (GBCS alert code table).
EVENT_CLOCK_ADJUSTED = 0x8145
EVENT_CLOCK_NOT_ADJUSTED = 0x81C6
EVENT_SUPPLY_ARMED = 0x8F32


@dataclass(frozen=True, slots=True)
class ClockSet:
    """The device clock now reads ``utc`` (seconds since 1970)."""

    utc: int


@dataclass(frozen=True, slots=True)
class EventRaised:
    """Write ``code`` to the device event log."""

    code: int


@dataclass(frozen=True, slots=True)
class SupplySwitched:
    """The load switch moved to a disconnect-control state (0 open, 1 closed, 2 armed)."""

    control_state: int


Note = ClockSet | EventRaised | SupplySwitched


class Member(enum.Enum):
    """Kinds of object member a request can name."""

    ATTRIBUTE = "attribute"
    METHOD = "method"


# (member kind, class id, logical name, attribute or method id)
FaultKey = tuple[Member, int, bytes, int]

# Encrypts a Data Protection plaintext: (values, the request's protection parameters) ->
# the response data (protection parameters and the protected octet-string).
Protector = Callable[[Data, Data], Data]


@dataclass(frozen=True)
class ServerContext:
    """What a request may depend on besides the model.

    ``utc`` is the device clock (seconds since 1970), ``reference_utc`` the time the device
    synchronises to (the hub's Time cluster) or None when it has none. ``faults`` injects
    failures: an attribute or method found there answers with that result code instead of
    running.
    """

    utc: int
    reference_utc: int | None = None
    protect: Protector | None = None
    faults: Mapping[FaultKey, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The result of one access-request: the new model, one data item and one result per
    request specification, and the side effects."""

    model: CosemModel
    data: tuple[Data, ...]
    results: tuple[AccessResponseSpecification, ...]
    notes: tuple[Note, ...]


_NULL = Data(DataType.NULL_DATA, None)


def utc_from_cosem(octets: bytes) -> int | None:
    """Return UTC seconds since 1970 of a COSEM date-time, or None when it is not a whole date.

    A date-time without deviation is read as UTC, as GBCS devices send it.
    """
    try:
        moment = CosemDateTime.from_bytes(octets).to_datetime()
    except (CodecError, ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())


# --- attributes ------------------------------------------------------------------------------

def _profile_range(selection: SelectiveAccess) -> tuple[int | None, int | None] | None:
    """Return (first, last) seconds since 2000 of a range descriptor, None when unsupported."""
    if selection.access_selector != RANGE_DESCRIPTOR:
        return None
    parameters = selection.access_parameters
    if parameters.type != DataType.STRUCTURE or len(parameters.value) < 3:
        return None
    restricting, first, last = parameters.value[:3]
    bounds: list[int | None] = []
    for bound in (first, last):
        if bound.type == DataType.DOUBLE_LONG_UNSIGNED:
            bounds.append(bound.value)
        elif bound.type == DataType.OCTET_STRING:
            utc = utc_from_cosem(bound.value)
            bounds.append(None if utc is None else utc - ZIGBEE_EPOCH)
        else:
            return None
    if restricting.type != DataType.STRUCTURE or len(restricting.value) < 2:
        return None
    return bounds[0], bounds[1]


def read_attribute(item: CosemObject, attribute_id: int, context: ServerContext,
                   selection: SelectiveAccess | None = None) -> tuple[DataAccessResult, Data]:
    """Read one attribute of ``item`` as it stands (selective access for profile buffers)."""
    if attribute_id == 1:
        return DataAccessResult.SUCCESS, Data(DataType.OCTET_STRING, item.logical_name)
    if item.class_id == CLASS_CLOCK and attribute_id == CLOCK_TIME:
        return DataAccessResult.SUCCESS, Data(DataType.OCTET_STRING, cosem_date_time(context.utc))
    if item.class_id == CLASS_DATA and item.logical_name == UTC_TIME_OBJECT and attribute_id == 2:
        return DataAccessResult.SUCCESS, Data(DataType.DOUBLE_LONG_UNSIGNED, context.utc - ZIGBEE_EPOCH)
    if item.buffer is not None:
        now = context.utc - ZIGBEE_EPOCH
        if attribute_id == 2:
            if selection is None:
                return DataAccessResult.SUCCESS, item.buffer.as_data(item.buffer.select(now=now))
            bounds = _profile_range(selection)
            if bounds is None:
                return DataAccessResult.OTHER_REASON, _NULL
            return DataAccessResult.SUCCESS, item.buffer.as_data(item.buffer.select(*bounds, now=now))
        if attribute_id == 7:
            return DataAccessResult.SUCCESS, Data(DataType.DOUBLE_LONG_UNSIGNED, item.buffer.entries_in_use(now))
        if attribute_id == 8:
            return DataAccessResult.SUCCESS, Data(DataType.DOUBLE_LONG_UNSIGNED, item.buffer.capacity)
    if selection is not None:
        return DataAccessResult.OTHER_REASON, _NULL
    value = item.attributes.get(attribute_id)
    if value is None:
        return DataAccessResult.OBJECT_UNAVAILABLE, _NULL
    return DataAccessResult.SUCCESS, value


# Classes whose value attributes are a CHOICE of any type: Data (IEC 62056-6-2 4.3.1) and the
# GBCS Extended Data class 9000 (value, passive value).
_ANY_TYPE_CLASSES = frozenset({CLASS_DATA, 9000})


def _same_shape(old: Data, new: Data) -> bool:
    """Tell whether ``new`` may replace ``old``: the same type, and for structures the same
    member types; arrays may change length."""
    if old.type != new.type:
        return old.type == DataType.NULL_DATA
    if old.type == DataType.STRUCTURE:
        return len(old.value) == len(new.value) and all(
            _same_shape(a, b) for a, b in zip(old.value, new.value))
    return True


def _write_attribute(item: CosemObject, attribute_id: int,
                     value: Data) -> tuple[DataAccessResult, CosemObject]:
    if attribute_id == 1 or item.buffer is not None and attribute_id in (2, 7):
        return DataAccessResult.READ_WRITE_DENIED, item
    current = item.attributes.get(attribute_id)
    if current is None:
        return DataAccessResult.OBJECT_UNAVAILABLE, item
    if item.class_id not in _ANY_TYPE_CLASSES and not _same_shape(current, value):
        return DataAccessResult.TYPE_UNMATCHED, item
    return DataAccessResult.SUCCESS, item.with_attribute(attribute_id, value)


# --- methods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _MethodResult:
    result: ActionResult
    item: CosemObject
    data: Data = _NULL
    notes: tuple[Note, ...] = ()


_Method = Callable[[CosemModel, CosemObject, Data, ServerContext], _MethodResult]


def _reset_value(model: CosemModel, item: CosemObject, params: Data, context: ServerContext) -> _MethodResult:
    """Register and extended register method 1, reset: the value goes to zero."""
    value = item.attributes.get(2)
    if value is None:
        return _MethodResult(ActionResult.OBJECT_UNAVAILABLE, item)
    return _MethodResult(ActionResult.SUCCESS, item.with_attribute(2, Data(value.type, 0)))


def _reset_profile(model: CosemModel, item: CosemObject, params: Data, context: ServerContext) -> _MethodResult:
    """Profile generic method 1, reset: the buffer empties."""
    if item.buffer is None:
        return _MethodResult(ActionResult.OBJECT_UNAVAILABLE, item)
    return _MethodResult(ActionResult.SUCCESS, item.with_buffer(item.buffer.cleared()))


def _preset_adjusting_time(model: CosemModel, item: CosemObject, params: Data,
                           context: ServerContext) -> _MethodResult:
    """Clock method 5: store {preset time, validity start, validity end} for method 4."""
    if params.type != DataType.STRUCTURE or len(params.value) != 3 or any(
            element.type != DataType.OCTET_STRING for element in params.value):
        return _MethodResult(ActionResult.TYPE_UNMATCHED, item)
    return _MethodResult(ActionResult.SUCCESS, item.with_internal(_PRESET, params))


def _adjust_to_preset_time(model: CosemModel, item: CosemObject, params: Data,
                           context: ServerContext) -> _MethodResult:
    """Clock method 4: take the preset time if the device clock lies in the validity window.

    A preset time that is not specified (all 0xFF, as GBCS ECS70 sends it) means the device
    synchronises to its reference time, the hub's Time cluster; without one it keeps its clock.
    """
    preset = item.internal.get(_PRESET)
    if preset is None:
        return _MethodResult(ActionResult.OTHER_REASON, item)
    target, start, end = (utc_from_cosem(element.value) for element in preset.value)
    if start is not None and context.utc < start or end is not None and context.utc > end:
        return _MethodResult(ActionResult.TEMPORARY_FAILURE, item,
                             notes=(EventRaised(EVENT_CLOCK_NOT_ADJUSTED),))
    if target is None:
        target = context.reference_utc if context.reference_utc is not None else context.utc
    return _MethodResult(ActionResult.SUCCESS, item, notes=(ClockSet(target), EventRaised(EVENT_CLOCK_ADJUSTED)))


def _execute_script(model: CosemModel, item: CosemObject, params: Data, context: ServerContext) -> _MethodResult:
    """Script table method 1, execute: the load switch scripts move the disconnect control."""
    if params.type != DataType.LONG_UNSIGNED:
        return _MethodResult(ActionResult.TYPE_UNMATCHED, item)
    if item.logical_name == LOAD_SWITCH_SCRIPTS:
        state = {SCRIPT_CLOSE: CONNECTED, SCRIPT_OPEN: DISCONNECTED, SCRIPT_ARM: READY_FOR_RECONNECTION}
        if params.value not in state:
            return _MethodResult(ActionResult.OTHER_REASON, item)
        notes: tuple[Note, ...] = (SupplySwitched(state[params.value]),)
        if state[params.value] == READY_FOR_RECONNECTION:
            notes += (EventRaised(EVENT_SUPPLY_ARMED),)
        return _MethodResult(ActionResult.SUCCESS, item, notes=notes)
    # Other GBCS script tables (tariff block counter reset, auxiliary load control) have no
    # state of their own in this model: executing a script is acknowledged.
    return _MethodResult(ActionResult.SUCCESS, item)


def _credit_update_amount(model: CosemModel, item: CosemObject, params: Data,
                          context: ServerContext) -> _MethodResult:
    """Credit method 1, update_amount: add to current_credit_amount (attribute 2)."""
    current = item.attributes.get(2)
    if current is None or params.type != DataType.DOUBLE_LONG:
        return _MethodResult(ActionResult.TYPE_UNMATCHED, item)
    total = max(-(1 << 31), min((1 << 31) - 1, current.value + params.value))
    return _MethodResult(ActionResult.SUCCESS, item.with_attribute(2, Data(current.type, total)))


def _credit_set_amount(model: CosemModel, item: CosemObject, params: Data, context: ServerContext) -> _MethodResult:
    """Credit method 2, set_amount_to_value."""
    if params.type != DataType.DOUBLE_LONG:
        return _MethodResult(ActionResult.TYPE_UNMATCHED, item)
    return _MethodResult(ActionResult.SUCCESS, item.with_attribute(2, params))


def _acknowledge(model: CosemModel, item: CosemObject, params: Data, context: ServerContext) -> _MethodResult:
    """A method whose effect this model does not keep (credit invocation, charge updates)."""
    return _MethodResult(ActionResult.SUCCESS, item)


def _enter_token(model: CosemModel, item: CosemObject, params: Data, context: ServerContext) -> _MethodResult:
    """Token gateway method 1, enter: a UTRN is a 20-digit string (GBCS CS01a)."""
    token = params.value if params.type == DataType.OCTET_STRING else b""
    if len(token) != 20 or not token.isdigit():
        return _MethodResult(ActionResult.OTHER_REASON, item)
    return _MethodResult(ActionResult.SUCCESS, item)


def _protected_value(model: CosemModel, definition: Data, context: ServerContext) -> tuple[DataAccessResult, Data]:
    """Read one object of a get_protected_attributes request:
    {class id, logical name, attribute, data index, restriction}."""
    if definition.type != DataType.STRUCTURE or len(definition.value) != 5:
        return DataAccessResult.TYPE_UNMATCHED, _NULL
    class_id, logical_name, attribute_id, _data_index, restriction = (e.value for e in definition.value)
    item = model.find(class_id, logical_name)
    if item is None:
        return DataAccessResult.OBJECT_UNDEFINED, _NULL
    selection = None
    kind, bounds = restriction[0].value, restriction[1]
    if kind == RESTRICTION_BY_DATE and bounds.type == DataType.STRUCTURE:
        selection = SelectiveAccess(RANGE_DESCRIPTOR, Data(DataType.STRUCTURE, (
            Data(DataType.STRUCTURE, (Data(DataType.LONG_UNSIGNED, CLASS_DATA),
                                      Data(DataType.OCTET_STRING, UTC_TIME_OBJECT))),
            *bounds.value)))
    elif kind != RESTRICTION_NONE:
        return DataAccessResult.OTHER_REASON, _NULL
    return read_attribute(item, attribute_id, context, selection)


def _get_protected_attributes(model: CosemModel, item: CosemObject, params: Data,
                              context: ServerContext) -> _MethodResult:
    """Data protection method 1: read the listed attributes and return them encrypted.

    Parameters: {array of object definitions, array of protection parameters}. The values go
    into one structure, which the device's protector encrypts for the requesting party.
    """
    if params.type != DataType.STRUCTURE or len(params.value) != 2 or context.protect is None:
        return _MethodResult(ActionResult.TYPE_UNMATCHED, item)
    definitions, protection = params.value
    values = []
    for definition in definitions.value:
        result, value = _protected_value(model, definition, context)
        if result != DataAccessResult.SUCCESS:
            return _MethodResult(ActionResult(int(result)) if int(result) in ActionResult._value2member_map_
                                 else ActionResult.OTHER_REASON, item)
        values.append(value)
    plaintext = Data(DataType.STRUCTURE, tuple(values))
    return _MethodResult(ActionResult.SUCCESS, item, data=context.protect(plaintext, protection))


METHODS: dict[tuple[int, int], _Method] = {
    (CLASS_REGISTER, 1): _reset_value,
    (CLASS_EXTENDED_REGISTER, 1): _reset_value,
    (CLASS_PROFILE_GENERIC, 1): _reset_profile,
    (CLASS_CLOCK, CLOCK_ADJUST_TO_PRESET): _adjust_to_preset_time,
    (CLASS_CLOCK, CLOCK_PRESET_ADJUSTING_TIME): _preset_adjusting_time,
    (CLASS_SCRIPT_TABLE, 1): _execute_script,
    (CLASS_DATA_PROTECTION, 1): _get_protected_attributes,
    (CLASS_CREDIT, 1): _credit_update_amount,
    (CLASS_CREDIT, 2): _credit_set_amount,
    (CLASS_CREDIT, 3): _acknowledge,  # invoke_credit (emergency credit)
    (113, 2): _acknowledge,  # charge: update_unit_charge
    (113, 4): _acknowledge,  # charge: set_total_amount_remaining
    (CLASS_TOKEN_GATEWAY, 1): _enter_token,
}


# --- the access service ----------------------------------------------------------------------

def _fault(context: ServerContext, kind: Member, class_id: int, logical_name: bytes, member: int) -> int | None:
    return context.faults.get((kind, class_id, bytes(logical_name), member))


def _apply_notes(model: CosemModel, notes: tuple[Note, ...]) -> CosemModel:
    """Mirror side effects that are also visible in the object model (the disconnect control)."""
    for note in notes:
        if isinstance(note, SupplySwitched):
            item = model.find(CLASS_DISCONNECT_CONTROL, DISCONNECT_CONTROL)
            if item is not None:
                item = item.with_attribute(CONTROL_STATE, Data(DataType.ENUM, note.control_state))
                item = item.with_attribute(OUTPUT_STATE, Data(DataType.BOOLEAN, note.control_state == CONNECTED))
                model = model.replaced(item)
    return model


def serve(model: CosemModel, request: AccessRequest, context: ServerContext) -> Outcome:
    """Carry out every request specification of ``request``; see the module docstring."""
    data: list[Data] = []
    results: list[AccessResponseSpecification] = []
    notes: list[Note] = []
    for spec, item_data in zip(request.specifications, request.data):
        if isinstance(spec, (AccessRequestGet, AccessRequestGetWithSelection)):
            descriptor = spec.attribute
            selection = spec.access_selection if isinstance(spec, AccessRequestGetWithSelection) else None
            fault = _fault(context, Member.ATTRIBUTE, descriptor.class_id, descriptor.instance_id, descriptor.attribute_id)
            target = model.find(descriptor.class_id, descriptor.instance_id)
            if fault is not None:
                result, value = DataAccessResult(fault), _NULL
            elif target is None:
                result, value = DataAccessResult.OBJECT_UNDEFINED, _NULL
            else:
                result, value = read_attribute(target, descriptor.attribute_id, context, selection)
            data.append(value if result == DataAccessResult.SUCCESS else _NULL)
            results.append(AccessResponseGet(result))
        elif isinstance(spec, (AccessRequestSet, AccessRequestSetWithSelection)):
            descriptor = spec.attribute
            fault = _fault(context, Member.ATTRIBUTE, descriptor.class_id, descriptor.instance_id, descriptor.attribute_id)
            target = model.find(descriptor.class_id, descriptor.instance_id)
            if fault is not None:
                set_result = DataAccessResult(fault)
            elif target is None:
                set_result = DataAccessResult.OBJECT_UNDEFINED
            elif isinstance(spec, AccessRequestSetWithSelection):
                set_result = DataAccessResult.OTHER_REASON
            else:
                set_result, changed = _write_attribute(target, descriptor.attribute_id, item_data)
                model = model.replaced(changed)
            data.append(_NULL)
            results.append(AccessResponseSet(set_result))
        elif isinstance(spec, AccessRequestAction):
            method = spec.method
            fault = _fault(context, Member.METHOD, method.class_id, method.instance_id, method.method_id)
            target = model.find(method.class_id, method.instance_id)
            handler = METHODS.get((method.class_id, method.method_id))
            if fault is not None:
                outcome = None
                action_result = ActionResult(fault)
            elif target is None:
                outcome = None
                action_result = ActionResult.OBJECT_UNDEFINED
            elif handler is None:
                outcome = None
                action_result = ActionResult.OBJECT_UNAVAILABLE
            else:
                outcome = handler(model, target, item_data, context)
                action_result = outcome.result
            if outcome is not None and outcome.result == ActionResult.SUCCESS:
                model = _apply_notes(model.replaced(outcome.item), outcome.notes)
                data.append(outcome.data)
            else:
                data.append(_NULL)
            if outcome is not None:
                notes.extend(outcome.notes)
            results.append(AccessResponseAction(action_result))
        else:  # pragma: no cover - the AccessRequest codec yields only the types above
            raise TypeError(f"unexpected request specification {spec!r}")
    return Outcome(model, tuple(data), tuple(results), tuple(notes))
