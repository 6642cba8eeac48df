"""xDLMS service APDUs (IEC 62056-5-3): GET, SET, ACTION, event- and data-notification,
exception-response, confirmed-service-error, initiate request and response, general block
transfer, and the access-request and access-response that GBCS carries.

Each APDU is a frozen dataclass and its wire layout is declared once, next to it, with the
blocks of :mod:`commshub.codecs.dlms.fields`. Field names follow the ASN.1 of IEC 62056-5-3.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

import construct

from commshub.codecs.dlms.axdr import Data
from commshub.codecs.dlms.cosem_time import CosemDateTime
from commshub.codecs.dlms.fields import (
    AxdrDefault,
    AxdrOctetString,
    AxdrOptional,
    Block,
    DataField,
    EnumField,
    FixedBytes,
    Integer,
    OptionalDateTime,
    SequenceOf,
    TaggedChoice,
    record,
)

__all__ = [
    "XDLMS_DECLARATIONS",
    "AccessRequest",
    "AccessRequestAction",
    "AccessRequestGet",
    "AccessRequestGetWithSelection",
    "AccessRequestSet",
    "AccessRequestSetWithSelection",
    "AccessResponse",
    "AccessResponseAction",
    "AccessResponseGet",
    "AccessResponseSet",
    "ActionRequestNextPblock",
    "ActionRequestNormal",
    "ActionRequestWithFirstPblock",
    "ActionRequestWithList",
    "ActionRequestWithListAndFirstPblock",
    "ActionRequestWithPblock",
    "ActionResponseNextPblock",
    "ActionResponseNormal",
    "ActionResponseWithList",
    "ActionResponseWithOptionalData",
    "ActionResponseWithPblock",
    "ActionResult",
    "Apdu",
    "ApduTag",
    "AttributeDescriptor",
    "AttributeWithSelection",
    "ConfirmedServiceError",
    "ConfirmedServiceErrorService",
    "DataAccessResult",
    "DataBlockG",
    "DataBlockSA",
    "DataNotification",
    "EventNotificationRequest",
    "ExceptionResponse",
    "GeneralBlockTransfer",
    "GetDataResult",
    "GetRequestNext",
    "GetRequestNormal",
    "GetRequestWithList",
    "GetResponseNormal",
    "GetResponseWithDatablock",
    "GetResponseWithList",
    "InitiateRequest",
    "InitiateResponse",
    "MethodDescriptor",
    "SelectiveAccess",
    "ServiceError",
    "ServiceErrorType",
    "SetRequestNormal",
    "SetRequestWithDatablock",
    "SetRequestWithFirstDatablock",
    "SetRequestWithList",
    "SetRequestWithListAndFirstDatablock",
    "SetResponseDatablock",
    "SetResponseLastDatablock",
    "SetResponseLastDatablockWithList",
    "SetResponseNormal",
    "SetResponseWithList",
    "StateError",
]


class ApduTag(IntEnum):
    """xDLMS and ACSE APDU tags (IEC 62056-5-3, the xDLMS-APDU CHOICE)."""

    INITIATE_REQUEST = 1
    INITIATE_RESPONSE = 8
    CONFIRMED_SERVICE_ERROR = 14
    DATA_NOTIFICATION = 15
    GLO_INITIATE_REQUEST = 33
    GLO_INITIATE_RESPONSE = 40
    GLO_CONFIRMED_SERVICE_ERROR = 46
    DED_INITIATE_REQUEST = 65
    DED_INITIATE_RESPONSE = 72
    DED_CONFIRMED_SERVICE_ERROR = 78
    AARQ = 0x60
    AARE = 0x61
    RLRQ = 0x62
    RLRE = 0x63
    GET_REQUEST = 192
    SET_REQUEST = 193
    EVENT_NOTIFICATION_REQUEST = 194
    ACTION_REQUEST = 195
    GET_RESPONSE = 196
    SET_RESPONSE = 197
    ACTION_RESPONSE = 199
    GLO_GET_REQUEST = 200
    GLO_SET_REQUEST = 201
    GLO_EVENT_NOTIFICATION_REQUEST = 202
    GLO_ACTION_REQUEST = 203
    GLO_GET_RESPONSE = 204
    GLO_SET_RESPONSE = 205
    GLO_ACTION_RESPONSE = 207
    DED_GET_REQUEST = 208
    DED_SET_REQUEST = 209
    DED_EVENT_NOTIFICATION_REQUEST = 210
    DED_ACTION_REQUEST = 211
    DED_GET_RESPONSE = 212
    DED_SET_RESPONSE = 213
    DED_ACTION_RESPONSE = 215
    EXCEPTION_RESPONSE = 216
    ACCESS_REQUEST = 217
    ACCESS_RESPONSE = 218
    GENERAL_GLO_CIPHERING = 219
    GENERAL_DED_CIPHERING = 220
    GENERAL_CIPHERING = 221
    GENERAL_SIGNING = 223
    GENERAL_BLOCK_TRANSFER = 224


class DataAccessResult(IntEnum):
    """Data-Access-Result (IEC 62056-5-3)."""

    SUCCESS = 0
    HARDWARE_FAULT = 1
    TEMPORARY_FAILURE = 2
    READ_WRITE_DENIED = 3
    OBJECT_UNDEFINED = 4
    OBJECT_CLASS_INCONSISTENT = 9
    OBJECT_UNAVAILABLE = 11
    TYPE_UNMATCHED = 12
    SCOPE_OF_ACCESS_VIOLATED = 13
    DATA_BLOCK_UNAVAILABLE = 14
    LONG_GET_ABORTED = 15
    NO_LONG_GET_IN_PROGRESS = 16
    LONG_SET_ABORTED = 17
    NO_LONG_SET_IN_PROGRESS = 18
    DATA_BLOCK_NUMBER_INVALID = 19
    OTHER_REASON = 250


class ActionResult(IntEnum):
    """Action-Result (IEC 62056-5-3)."""

    SUCCESS = 0
    HARDWARE_FAULT = 1
    TEMPORARY_FAILURE = 2
    READ_WRITE_DENIED = 3
    OBJECT_UNDEFINED = 4
    OBJECT_CLASS_INCONSISTENT = 9
    OBJECT_UNAVAILABLE = 11
    TYPE_UNMATCHED = 12
    SCOPE_OF_ACCESS_VIOLATED = 13
    DATA_BLOCK_UNAVAILABLE = 14
    LONG_ACTION_ABORTED = 15
    NO_LONG_ACTION_IN_PROGRESS = 16
    OTHER_REASON = 250


class StateError(IntEnum):
    """exception-response state-error."""

    SERVICE_NOT_ALLOWED = 1
    SERVICE_UNKNOWN = 2


class ServiceError(IntEnum):
    """exception-response service-error; invocation-counter-error carries a counter."""

    OPERATION_NOT_POSSIBLE = 1
    SERVICE_NOT_SUPPORTED = 2
    OTHER_REASON = 3
    PDU_TOO_LONG = 4
    DECIPHERING_ERROR = 5
    INVOCATION_COUNTER_ERROR = 6


class ConfirmedServiceErrorService(IntEnum):
    """The failed service that a confirmed-service-error reports (ConfirmedServiceError tags)."""

    INITIATE_ERROR = 1
    GET_STATUS = 2
    GET_NAME_LIST = 3
    GET_VARIABLE_ATTRIBUTE = 4
    READ = 5
    WRITE = 6
    GET_DATA_SET_ATTRIBUTE = 7
    GET_TI_ATTRIBUTE = 8
    CHANGE_SCOPE = 9
    START = 10
    STOP = 11
    RESUME = 12
    MAKE_USABLE = 13
    INITIATE_LOAD = 14
    LOAD_SEGMENT = 15
    TERMINATE_LOAD = 16
    INITIATE_UPLOAD = 17
    UPLOAD_SEGMENT = 18
    TERMINATE_UPLOAD = 19


class ServiceErrorType(IntEnum):
    """The ServiceError CHOICE of a confirmed-service-error; each carries an ENUMERATED value."""

    APPLICATION_REFERENCE = 0
    HARDWARE_RESOURCE = 1
    VDE_STATE_ERROR = 2
    SERVICE = 3
    DEFINITION = 4
    ACCESS = 5
    INITIATE = 6
    LOAD_DATA_SET = 7
    CHANGE_SCOPE = 8
    TASK = 9
    OTHER = 10


class Apdu:
    """Base of every APDU dataclass; ``apdu_tag`` is the first octet on the wire."""

    __slots__ = ()
    TAG: ClassVar[int]

    @property
    def apdu_tag(self) -> int:
        return self.TAG


# Get-Data-Result ::= CHOICE { data [0] Data, data-access-result [1] Data-Access-Result }
GetDataResult = Data | DataAccessResult | int


@dataclass(frozen=True, slots=True)
class AttributeDescriptor:
    """Cosem-Attribute-Descriptor: class id, instance id (a 6-octet OBIS code), attribute id."""

    class_id: int
    instance_id: bytes
    attribute_id: int


@dataclass(frozen=True, slots=True)
class MethodDescriptor:
    """Cosem-Method-Descriptor: class id, instance id (a 6-octet OBIS code), method id."""

    class_id: int
    instance_id: bytes
    method_id: int


@dataclass(frozen=True, slots=True)
class SelectiveAccess:
    """Selective-Access-Descriptor: access selector and its parameters."""

    access_selector: int
    access_parameters: Data


@dataclass(frozen=True, slots=True)
class AttributeWithSelection:
    """Cosem-Attribute-Descriptor-With-Selection."""

    attribute: AttributeDescriptor
    access_selection: SelectiveAccess | None = None


@dataclass(frozen=True, slots=True)
class DataBlockG:
    """DataBlock-G of a GET response: raw-data octets, or a data-access-result."""

    last_block: bool | int
    block_number: int
    result: bytes | DataAccessResult | int


@dataclass(frozen=True, slots=True)
class DataBlockSA:
    """DataBlock-SA of SET and ACTION block transfers."""

    last_block: bool | int
    block_number: int
    raw_data: bytes


@dataclass(frozen=True, slots=True)
class ActionResponseWithOptionalData:
    """Action-Response-With-Optional-Data."""

    result: ActionResult | int
    return_parameters: GetDataResult | None = None


@dataclass(frozen=True, slots=True)
class GetRequestNormal(Apdu):
    TAG: ClassVar[int] = ApduTag.GET_REQUEST
    invoke_id_and_priority: int
    attribute: AttributeDescriptor
    access_selection: SelectiveAccess | None = None


@dataclass(frozen=True, slots=True)
class GetRequestNext(Apdu):
    TAG: ClassVar[int] = ApduTag.GET_REQUEST
    invoke_id_and_priority: int
    block_number: int


@dataclass(frozen=True, slots=True)
class GetRequestWithList(Apdu):
    TAG: ClassVar[int] = ApduTag.GET_REQUEST
    invoke_id_and_priority: int
    attributes: tuple[AttributeWithSelection, ...]


@dataclass(frozen=True, slots=True)
class GetResponseNormal(Apdu):
    TAG: ClassVar[int] = ApduTag.GET_RESPONSE
    invoke_id_and_priority: int
    result: GetDataResult


@dataclass(frozen=True, slots=True)
class GetResponseWithDatablock(Apdu):
    TAG: ClassVar[int] = ApduTag.GET_RESPONSE
    invoke_id_and_priority: int
    block: DataBlockG


@dataclass(frozen=True, slots=True)
class GetResponseWithList(Apdu):
    TAG: ClassVar[int] = ApduTag.GET_RESPONSE
    invoke_id_and_priority: int
    results: tuple[GetDataResult, ...]


@dataclass(frozen=True, slots=True)
class SetRequestNormal(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_REQUEST
    invoke_id_and_priority: int
    attribute: AttributeDescriptor
    access_selection: SelectiveAccess | None
    value: Data


@dataclass(frozen=True, slots=True)
class SetRequestWithFirstDatablock(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_REQUEST
    invoke_id_and_priority: int
    attribute: AttributeDescriptor
    access_selection: SelectiveAccess | None
    block: DataBlockSA


@dataclass(frozen=True, slots=True)
class SetRequestWithDatablock(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_REQUEST
    invoke_id_and_priority: int
    block: DataBlockSA


@dataclass(frozen=True, slots=True)
class SetRequestWithList(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_REQUEST
    invoke_id_and_priority: int
    attributes: tuple[AttributeWithSelection, ...]
    values: tuple[Data, ...]


@dataclass(frozen=True, slots=True)
class SetRequestWithListAndFirstDatablock(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_REQUEST
    invoke_id_and_priority: int
    attributes: tuple[AttributeWithSelection, ...]
    block: DataBlockSA


@dataclass(frozen=True, slots=True)
class SetResponseNormal(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_RESPONSE
    invoke_id_and_priority: int
    result: DataAccessResult | int


@dataclass(frozen=True, slots=True)
class SetResponseDatablock(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_RESPONSE
    invoke_id_and_priority: int
    block_number: int


@dataclass(frozen=True, slots=True)
class SetResponseLastDatablock(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_RESPONSE
    invoke_id_and_priority: int
    result: DataAccessResult | int
    block_number: int


@dataclass(frozen=True, slots=True)
class SetResponseLastDatablockWithList(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_RESPONSE
    invoke_id_and_priority: int
    results: tuple[DataAccessResult | int, ...]
    block_number: int


@dataclass(frozen=True, slots=True)
class SetResponseWithList(Apdu):
    TAG: ClassVar[int] = ApduTag.SET_RESPONSE
    invoke_id_and_priority: int
    results: tuple[DataAccessResult | int, ...]


@dataclass(frozen=True, slots=True)
class ActionRequestNormal(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_REQUEST
    invoke_id_and_priority: int
    method: MethodDescriptor
    parameters: Data | None = None


@dataclass(frozen=True, slots=True)
class ActionRequestNextPblock(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_REQUEST
    invoke_id_and_priority: int
    block_number: int


@dataclass(frozen=True, slots=True)
class ActionRequestWithList(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_REQUEST
    invoke_id_and_priority: int
    methods: tuple[MethodDescriptor, ...]
    parameters: tuple[Data, ...]


@dataclass(frozen=True, slots=True)
class ActionRequestWithFirstPblock(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_REQUEST
    invoke_id_and_priority: int
    method: MethodDescriptor
    block: DataBlockSA


@dataclass(frozen=True, slots=True)
class ActionRequestWithListAndFirstPblock(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_REQUEST
    invoke_id_and_priority: int
    methods: tuple[MethodDescriptor, ...]
    block: DataBlockSA


@dataclass(frozen=True, slots=True)
class ActionRequestWithPblock(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_REQUEST
    invoke_id_and_priority: int
    block: DataBlockSA


@dataclass(frozen=True, slots=True)
class ActionResponseNormal(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_RESPONSE
    invoke_id_and_priority: int
    result: ActionResult | int
    return_parameters: GetDataResult | None = None


@dataclass(frozen=True, slots=True)
class ActionResponseWithPblock(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_RESPONSE
    invoke_id_and_priority: int
    block: DataBlockSA


@dataclass(frozen=True, slots=True)
class ActionResponseWithList(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_RESPONSE
    invoke_id_and_priority: int
    responses: tuple[ActionResponseWithOptionalData, ...]


@dataclass(frozen=True, slots=True)
class ActionResponseNextPblock(Apdu):
    TAG: ClassVar[int] = ApduTag.ACTION_RESPONSE
    invoke_id_and_priority: int
    block_number: int


@dataclass(frozen=True, slots=True)
class EventNotificationRequest(Apdu):
    """EventNotificationRequest: optional time (raw octets), attribute, value."""

    TAG: ClassVar[int] = ApduTag.EVENT_NOTIFICATION_REQUEST
    time: bytes | None
    attribute: AttributeDescriptor
    value: Data


@dataclass(frozen=True, slots=True)
class DataNotification(Apdu):
    """Data-Notification: a push or, in GBCS, a DLMS alert."""

    TAG: ClassVar[int] = ApduTag.DATA_NOTIFICATION
    long_invoke_id_and_priority: int
    date_time: CosemDateTime | None
    body: Data


@dataclass(frozen=True, slots=True)
class ExceptionResponse(Apdu):
    """ExceptionResponse; ``invocation_counter`` is present only with invocation-counter-error."""

    TAG: ClassVar[int] = ApduTag.EXCEPTION_RESPONSE
    state_error: StateError | int
    service_error: ServiceError | int
    invocation_counter: int | None = None


@dataclass(frozen=True, slots=True)
class ConfirmedServiceError(Apdu):
    """ConfirmedServiceError: the failed service, the ServiceError choice and its value."""

    TAG: ClassVar[int] = ApduTag.CONFIRMED_SERVICE_ERROR
    service: ConfirmedServiceErrorService | int
    error_type: ServiceErrorType | int
    error_value: int


@dataclass(frozen=True, slots=True)
class InitiateRequest(Apdu):
    """InitiateRequest, carried in the AARQ user-information.

    ``response_allowed`` None means the DEFAULT (TRUE) was sent as absent.
    ``proposed_conformance`` is the 24-bit conformance block as an int.
    """

    TAG: ClassVar[int] = ApduTag.INITIATE_REQUEST
    dedicated_key: bytes | None
    response_allowed: bool | int | None
    proposed_quality_of_service: int | None
    proposed_dlms_version_number: int
    proposed_conformance: int
    client_max_receive_pdu_size: int


@dataclass(frozen=True, slots=True)
class InitiateResponse(Apdu):
    """InitiateResponse, carried in the AARE user-information; vaa-name 0x0007 for LN referencing."""

    TAG: ClassVar[int] = ApduTag.INITIATE_RESPONSE
    negotiated_quality_of_service: int | None
    negotiated_dlms_version_number: int
    negotiated_conformance: int
    server_max_receive_pdu_size: int
    vaa_name: int


@dataclass(frozen=True, slots=True)
class GeneralBlockTransfer(Apdu):
    """General-Block-Transfer: block control (last-block 0x80, streaming 0x40, window 0x3F),
    block number, acknowledged block number and the block data."""

    TAG: ClassVar[int] = ApduTag.GENERAL_BLOCK_TRANSFER
    block_control: int
    block_number: int
    block_number_ack: int
    block_data: bytes

    @property
    def last_block(self) -> bool:
        return bool(self.block_control & 0x80)

    @property
    def streaming(self) -> bool:
        return bool(self.block_control & 0x40)

    @property
    def window(self) -> int:
        return self.block_control & 0x3F


@dataclass(frozen=True, slots=True)
class AccessRequestGet:
    attribute: AttributeDescriptor


@dataclass(frozen=True, slots=True)
class AccessRequestSet:
    attribute: AttributeDescriptor


@dataclass(frozen=True, slots=True)
class AccessRequestAction:
    method: MethodDescriptor


@dataclass(frozen=True, slots=True)
class AccessRequestGetWithSelection:
    attribute: AttributeDescriptor
    access_selection: SelectiveAccess


@dataclass(frozen=True, slots=True)
class AccessRequestSetWithSelection:
    attribute: AttributeDescriptor
    access_selection: SelectiveAccess


AccessRequestSpecification = (AccessRequestGet | AccessRequestSet | AccessRequestAction
                              | AccessRequestGetWithSelection | AccessRequestSetWithSelection)


@dataclass(frozen=True, slots=True)
class AccessRequest(Apdu):
    """Access-Request (0xD9): request specifications and one data item per specification.

    GBCS sets the long-invoke-id-and-priority to 0x20 followed by the low 24 bits of the
    originator counter, and for a GET the data item is null-data.
    """

    TAG: ClassVar[int] = ApduTag.ACCESS_REQUEST
    long_invoke_id_and_priority: int
    date_time: CosemDateTime | None
    specifications: tuple[AccessRequestSpecification, ...]
    data: tuple[Data, ...]


@dataclass(frozen=True, slots=True)
class AccessResponseGet:
    result: DataAccessResult | int


@dataclass(frozen=True, slots=True)
class AccessResponseSet:
    result: DataAccessResult | int


@dataclass(frozen=True, slots=True)
class AccessResponseAction:
    result: ActionResult | int


AccessResponseSpecification = AccessResponseGet | AccessResponseSet | AccessResponseAction


@dataclass(frozen=True, slots=True)
class AccessResponse(Apdu):
    """Access-Response (0xDA): the optional echo of the request specifications, one data item
    per request and one result per request."""

    TAG: ClassVar[int] = ApduTag.ACCESS_RESPONSE
    long_invoke_id_and_priority: int
    date_time: CosemDateTime | None
    request_specifications: tuple[AccessRequestSpecification, ...] | None
    data: tuple[Data, ...]
    specifications: tuple[AccessResponseSpecification, ...]


# ---------------------------------------------------------------------------------------------
# Wire layouts

U8 = Integer(1)
U16 = Integer(2)
U32 = Integer(4)
I8 = Integer(1, signed=True)  # attribute-id and method-id are Integer8 in IEC 62056-5-3


class Boolean(Block):
    """An A-XDR BOOLEAN octet: 0x00 False, 0x01 True, another non-zero value kept as an int."""

    def read(self, stream: Any) -> bool | int:
        value = U8.read(stream)
        return value == 1 if value < 2 else value

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, int) or not 0 <= obj <= 0xFF:
            raise construct.ExplicitError(f"expected a bool, got {obj!r}", path=path)
        construct.stream_write(stream, bytes((int(obj),)), 1, path)
        return obj

    def _sizeof(self, context: Any, path: Any) -> int:
        return 1


class Conformance(Block):
    """Conformance ::= [APPLICATION 31] IMPLICIT BIT STRING (SIZE(24)), sent BER-encoded inside
    A-XDR as ``5F 1F 04 00`` and three octets; the value is the 24 bits as an int."""

    PREFIX = b"\x5f\x1f\x04\x00"

    def read(self, stream: Any) -> int:
        raw = FixedBytes(7).read(stream)
        if raw[:4] != self.PREFIX:
            raise construct.ExplicitError(
                f"conformance must start 5F 1F 04 00, found {raw[:4].hex(' ').upper()}")
        return int.from_bytes(raw[4:], "big")

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, int) or not 0 <= obj <= 0xFFFFFF:
            raise construct.ExplicitError(f"conformance must be a 24-bit int, got {obj!r}",
                                          path=path)
        data = self.PREFIX + obj.to_bytes(3, "big")
        construct.stream_write(stream, data, 7, path)
        return obj

    def _sizeof(self, context: Any, path: Any) -> int:
        return 7


class ExceptionResponseBody(Block):
    """state-error, service-error and, for invocation-counter-error only, the Unsigned32."""

    states = EnumField(StateError)
    services = EnumField(ServiceError)

    def read(self, stream: Any) -> ExceptionResponse:
        state = self.states.read(stream)
        service = self.services.read(stream)
        counter = None
        if service == ServiceError.INVOCATION_COUNTER_ERROR:
            counter = U32.read(stream)
        return ExceptionResponse(state, service, counter)

    def _build(self, obj: Any, stream: Any, context: Any, path: Any) -> Any:
        if not isinstance(obj, ExceptionResponse):
            raise construct.ExplicitError(f"expected ExceptionResponse, got {obj!r}", path=path)
        self.states._build(obj.state_error, stream, context, f"{path} -> state_error")
        self.services._build(obj.service_error, stream, context, f"{path} -> service_error")
        has_counter = obj.service_error == ServiceError.INVOCATION_COUNTER_ERROR
        if has_counter != (obj.invocation_counter is not None):
            raise construct.ExplicitError(
                "invocation_counter is present exactly when service_error is "
                "invocation-counter-error", path=f"{path} -> invocation_counter")
        if obj.invocation_counter is not None:
            U32._build(obj.invocation_counter, stream, context, f"{path} -> invocation_counter")
        return obj


def _get_data_result_tag(obj: Any) -> int:
    return 0 if isinstance(obj, tuple) else 1


def _raw_or_result_tag(obj: Any) -> int:
    return 0 if isinstance(obj, (bytes, bytearray)) else 1


DATA = DataField()
DATA_ACCESS_RESULT = EnumField(DataAccessResult)
ACTION_RESULT = EnumField(ActionResult)
ATTRIBUTE = record(AttributeDescriptor, class_id=U16, instance_id=FixedBytes(6), attribute_id=I8)
METHOD = record(MethodDescriptor, class_id=U16, instance_id=FixedBytes(6), method_id=I8)
SELECTIVE_ACCESS = record(SelectiveAccess, access_selector=U8, access_parameters=DATA)
ATTRIBUTE_WITH_SELECTION = record(AttributeWithSelection, attribute=ATTRIBUTE,
                                  access_selection=AxdrOptional(SELECTIVE_ACCESS))
GET_DATA_RESULT = TaggedChoice("get-data-result", {0: DATA, 1: DATA_ACCESS_RESULT},
                               select=_get_data_result_tag)
DATA_BLOCK_G = record(
    DataBlockG, last_block=Boolean(), block_number=U32,
    result=TaggedChoice("datablock-g result", {0: AxdrOctetString(), 1: DATA_ACCESS_RESULT},
                        select=_raw_or_result_tag))
DATA_BLOCK_SA = record(DataBlockSA, last_block=Boolean(), block_number=U32,
                       raw_data=AxdrOctetString())
ACTION_RESPONSE_WITH_OPTIONAL_DATA = record(
    ActionResponseWithOptionalData, result=ACTION_RESULT,
    return_parameters=AxdrOptional(GET_DATA_RESULT))

GET_REQUEST = TaggedChoice("get-request", {
    1: record(GetRequestNormal, invoke_id_and_priority=U8, attribute=ATTRIBUTE,
              access_selection=AxdrOptional(SELECTIVE_ACCESS)),
    2: record(GetRequestNext, invoke_id_and_priority=U8, block_number=U32),
    3: record(GetRequestWithList, invoke_id_and_priority=U8,
              attributes=SequenceOf(ATTRIBUTE_WITH_SELECTION)),
})
GET_RESPONSE = TaggedChoice("get-response", {
    1: record(GetResponseNormal, invoke_id_and_priority=U8, result=GET_DATA_RESULT),
    2: record(GetResponseWithDatablock, invoke_id_and_priority=U8, block=DATA_BLOCK_G),
    3: record(GetResponseWithList, invoke_id_and_priority=U8, results=SequenceOf(GET_DATA_RESULT)),
})
SET_REQUEST = TaggedChoice("set-request", {
    1: record(SetRequestNormal, invoke_id_and_priority=U8, attribute=ATTRIBUTE,
              access_selection=AxdrOptional(SELECTIVE_ACCESS), value=DATA),
    2: record(SetRequestWithFirstDatablock, invoke_id_and_priority=U8, attribute=ATTRIBUTE,
              access_selection=AxdrOptional(SELECTIVE_ACCESS), block=DATA_BLOCK_SA),
    3: record(SetRequestWithDatablock, invoke_id_and_priority=U8, block=DATA_BLOCK_SA),
    4: record(SetRequestWithList, invoke_id_and_priority=U8,
              attributes=SequenceOf(ATTRIBUTE_WITH_SELECTION), values=SequenceOf(DATA)),
    5: record(SetRequestWithListAndFirstDatablock, invoke_id_and_priority=U8,
              attributes=SequenceOf(ATTRIBUTE_WITH_SELECTION), block=DATA_BLOCK_SA),
})
SET_RESPONSE = TaggedChoice("set-response", {
    1: record(SetResponseNormal, invoke_id_and_priority=U8, result=DATA_ACCESS_RESULT),
    2: record(SetResponseDatablock, invoke_id_and_priority=U8, block_number=U32),
    3: record(SetResponseLastDatablock, invoke_id_and_priority=U8, result=DATA_ACCESS_RESULT,
              block_number=U32),
    4: record(SetResponseLastDatablockWithList, invoke_id_and_priority=U8,
              results=SequenceOf(DATA_ACCESS_RESULT), block_number=U32),
    5: record(SetResponseWithList, invoke_id_and_priority=U8,
              results=SequenceOf(DATA_ACCESS_RESULT)),
})
ACTION_REQUEST = TaggedChoice("action-request", {
    1: record(ActionRequestNormal, invoke_id_and_priority=U8, method=METHOD,
              parameters=AxdrOptional(DATA)),
    2: record(ActionRequestNextPblock, invoke_id_and_priority=U8, block_number=U32),
    3: record(ActionRequestWithList, invoke_id_and_priority=U8, methods=SequenceOf(METHOD),
              parameters=SequenceOf(DATA)),
    4: record(ActionRequestWithFirstPblock, invoke_id_and_priority=U8, method=METHOD,
              block=DATA_BLOCK_SA),
    5: record(ActionRequestWithListAndFirstPblock, invoke_id_and_priority=U8,
              methods=SequenceOf(METHOD), block=DATA_BLOCK_SA),
    6: record(ActionRequestWithPblock, invoke_id_and_priority=U8, block=DATA_BLOCK_SA),
})
ACTION_RESPONSE = TaggedChoice("action-response", {
    1: record(ActionResponseNormal, invoke_id_and_priority=U8, result=ACTION_RESULT,
              return_parameters=AxdrOptional(GET_DATA_RESULT)),
    2: record(ActionResponseWithPblock, invoke_id_and_priority=U8, block=DATA_BLOCK_SA),
    3: record(ActionResponseWithList, invoke_id_and_priority=U8,
              responses=SequenceOf(ACTION_RESPONSE_WITH_OPTIONAL_DATA)),
    4: record(ActionResponseNextPblock, invoke_id_and_priority=U8, block_number=U32),
})

ACCESS_REQUEST_SPECIFICATION = TaggedChoice("access-request-specification", {
    1: record(AccessRequestGet, attribute=ATTRIBUTE),
    2: record(AccessRequestSet, attribute=ATTRIBUTE),
    3: record(AccessRequestAction, method=METHOD),
    4: record(AccessRequestGetWithSelection, attribute=ATTRIBUTE, access_selection=SELECTIVE_ACCESS),
    5: record(AccessRequestSetWithSelection, attribute=ATTRIBUTE, access_selection=SELECTIVE_ACCESS),
})
ACCESS_RESPONSE_SPECIFICATION = TaggedChoice("access-response-specification", {
    1: record(AccessResponseGet, result=DATA_ACCESS_RESULT),
    2: record(AccessResponseSet, result=DATA_ACCESS_RESULT),
    3: record(AccessResponseAction, result=ACTION_RESULT),
})

# Declarations of the xDLMS APDUs after their tag octet, by tag.
XDLMS_DECLARATIONS: dict[int, construct.Construct] = {
    ApduTag.GET_REQUEST: GET_REQUEST,
    ApduTag.GET_RESPONSE: GET_RESPONSE,
    ApduTag.SET_REQUEST: SET_REQUEST,
    ApduTag.SET_RESPONSE: SET_RESPONSE,
    ApduTag.ACTION_REQUEST: ACTION_REQUEST,
    ApduTag.ACTION_RESPONSE: ACTION_RESPONSE,
    ApduTag.EVENT_NOTIFICATION_REQUEST: record(
        EventNotificationRequest, time=AxdrOptional(AxdrOctetString()), attribute=ATTRIBUTE,
        value=DATA),
    ApduTag.DATA_NOTIFICATION: record(
        DataNotification, long_invoke_id_and_priority=U32, date_time=OptionalDateTime(),
        body=DATA),
    ApduTag.EXCEPTION_RESPONSE: ExceptionResponseBody(),
    ApduTag.CONFIRMED_SERVICE_ERROR: record(
        ConfirmedServiceError, service=EnumField(ConfirmedServiceErrorService),
        error_type=EnumField(ServiceErrorType), error_value=U8),
    ApduTag.INITIATE_REQUEST: record(
        InitiateRequest, dedicated_key=AxdrOptional(AxdrOctetString()),
        response_allowed=AxdrDefault(Boolean()), proposed_quality_of_service=AxdrOptional(I8),
        proposed_dlms_version_number=U8, proposed_conformance=Conformance(),
        client_max_receive_pdu_size=U16),
    ApduTag.INITIATE_RESPONSE: record(
        InitiateResponse, negotiated_quality_of_service=AxdrOptional(I8),
        negotiated_dlms_version_number=U8, negotiated_conformance=Conformance(),
        server_max_receive_pdu_size=U16, vaa_name=U16),
    ApduTag.GENERAL_BLOCK_TRANSFER: record(
        GeneralBlockTransfer, block_control=U8, block_number=U16, block_number_ack=U16,
        block_data=AxdrOctetString()),
    ApduTag.ACCESS_REQUEST: record(
        AccessRequest, long_invoke_id_and_priority=U32, date_time=OptionalDateTime(),
        specifications=SequenceOf(ACCESS_REQUEST_SPECIFICATION), data=SequenceOf(DATA)),
    ApduTag.ACCESS_RESPONSE: record(
        AccessResponse, long_invoke_id_and_priority=U32, date_time=OptionalDateTime(),
        request_specifications=AxdrOptional(SequenceOf(ACCESS_REQUEST_SPECIFICATION)),
        data=SequenceOf(DATA), specifications=SequenceOf(ACCESS_RESPONSE_SPECIFICATION)),
}
