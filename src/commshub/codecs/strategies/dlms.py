"""Hypothesis strategies for the DLMS/COSEM codecs: A-XDR data of every type, every xDLMS, ciphered
and ACSE APDU, and HDLC frames.

Every generated value builds, and parsing the octets gives the value back, e.g.
``given(dlms_apdus())`` then ``assert parse_apdu(build_apdu(apdu)) == apdu``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st

from commshub.codecs.dlms import xdlms as x
from commshub.codecs.dlms.acse import (
    ACSE_DECLARATIONS,
    Aare,
    Aarq,
    AuthenticationValue,
    ResultSourceDiagnostic,
    Rlre,
    Rlrq,
)
from commshub.codecs.dlms.axdr import (
    BitString,
    CompactArray,
    Data,
    DataType,
    TypeDescription,
    build_data,
    takes_no_octets,
)
from commshub.codecs.dlms.ciphered import (
    DED_SERVICE_TAGS,
    GLO_SERVICE_TAGS,
    AgreedKey,
    CipheredContent,
    GeneralCiphering,
    GeneralDedCiphering,
    GeneralGloCiphering,
    GeneralSigning,
    IdentifiedKey,
    ServiceCipheredApdu,
    WrappedKey,
)
from commshub.codecs.dlms.cosem_time import CosemDate, CosemDateTime, CosemTime
from commshub.codecs.dlms.hdlc import HdlcAddress, HdlcFrame

__all__ = [
    "acse_apdus",
    "acse_apdus_with_length_forms",
    "attribute_descriptors",
    "bit_strings",
    "ciphered_apdus",
    "ciphered_contents",
    "compact_arrays",
    "cosem_date_times",
    "cosem_dates",
    "cosem_times",
    "dlms_apdus",
    "dlms_data",
    "dlms_data_with_length_forms",
    "dlms_scalars",
    "hdlc_addresses",
    "hdlc_frames",
    "method_descriptors",
    "type_descriptions",
    "xdlms_apdus",
]

_OCTET = st.integers(0, 0xFF)
_U16 = st.integers(0, 0xFFFF)
_U32 = st.integers(0, 0xFFFFFFFF)
_I8 = st.integers(-128, 127)
_SHORT_OCTETS = st.binary(max_size=24)
# Lengths up to 300 reach the two-octet long form (0x82) of A-XDR and BER lengths.
_OCTETS = st.one_of(_SHORT_OCTETS, st.binary(min_size=120, max_size=300))


def cosem_dates() -> st.SearchStrategy[CosemDate]:
    """Generate dates from any 5 octets: plain dates, not-specified fields and special codes."""
    return st.builds(CosemDate, _U16, _OCTET, _OCTET, _OCTET)


def cosem_times() -> st.SearchStrategy[CosemTime]:
    return st.builds(CosemTime, _OCTET, _OCTET, _OCTET, _OCTET)


def cosem_date_times() -> st.SearchStrategy[CosemDateTime]:
    """Generate date-times from any 12 octets, with deviation 0x8000 and every clock status."""
    return st.builds(CosemDateTime, _U16, _OCTET, _OCTET, _OCTET, _OCTET, _OCTET, _OCTET,
                     _OCTET, st.integers(-0x8000, 0x7FFF), _OCTET)


def bit_strings() -> st.SearchStrategy[BitString]:
    return st.integers(0, 80).flatmap(
        lambda bits: st.binary(min_size=(bits + 7) // 8, max_size=(bits + 7) // 8).map(
            lambda octets: BitString(bits, octets)))


def _nan_octets(size: int) -> st.SearchStrategy[bytes]:
    """NaN bit patterns (exponent all ones, mantissa non-zero), whose payload must survive."""
    mantissa_bits = 23 if size == 4 else 52
    exponent = (0xFF << 23) if size == 4 else (0x7FF << 52)
    return st.tuples(st.booleans(), st.integers(1, (1 << mantissa_bits) - 1)).map(
        lambda parts: ((parts[0] << (8 * size - 1)) | exponent | parts[1]).to_bytes(size, "big"))


def _float_values(size: int) -> st.SearchStrategy[Any]:
    floats = st.floats(width=32, allow_nan=False) if size == 4 else st.floats(allow_nan=False)
    return st.one_of(floats, _nan_octets(size))


# Value strategies for every type without children, by type.
_SCALAR_VALUES: dict[DataType, st.SearchStrategy[Any]] = {
    DataType.NULL_DATA: st.none(),
    DataType.DONT_CARE: st.none(),
    DataType.BOOLEAN: st.one_of(st.booleans(), st.integers(2, 0xFF)),
    DataType.BIT_STRING: bit_strings(),
    DataType.DOUBLE_LONG: st.integers(-(1 << 31), (1 << 31) - 1),
    DataType.DOUBLE_LONG_UNSIGNED: _U32,
    DataType.OCTET_STRING: _OCTETS,
    DataType.VISIBLE_STRING: st.text(st.characters(max_codepoint=0xFF), max_size=20),
    DataType.UTF8_STRING: st.text(max_size=20),
    DataType.BCD: _I8,
    DataType.INTEGER: _I8,
    DataType.LONG: st.integers(-0x8000, 0x7FFF),
    DataType.UNSIGNED: _OCTET,
    DataType.LONG_UNSIGNED: _U16,
    DataType.LONG64: st.integers(-(1 << 63), (1 << 63) - 1),
    DataType.LONG64_UNSIGNED: st.integers(0, (1 << 64) - 1),
    DataType.ENUM: _OCTET,
    DataType.FLOAT32: _float_values(4),
    DataType.FLOAT64: _float_values(8),
    DataType.DATE_TIME: cosem_date_times(),
    DataType.DATE: cosem_dates(),
    DataType.TIME: cosem_times(),
}


def _tagged(kind: DataType, values: st.SearchStrategy[Any]) -> st.SearchStrategy[Data]:
    return values.map(lambda value: Data(kind, value))


def dlms_scalars() -> st.SearchStrategy[Data]:
    """Generate Data of every type that has no children."""
    return st.one_of([_tagged(kind, values) for kind, values in _SCALAR_VALUES.items()])


def type_descriptions(max_depth: int = 2) -> st.SearchStrategy[TypeDescription]:
    simple = st.sampled_from(list(_SCALAR_VALUES)).map(TypeDescription)
    if max_depth <= 0:
        return simple
    inner = type_descriptions(max_depth - 1)
    return st.one_of(
        simple,
        st.builds(lambda element, count: TypeDescription(DataType.ARRAY, (element,), count),
                  inner, st.integers(0, 3)),
        st.lists(inner, max_size=3).map(
            lambda elements: TypeDescription(DataType.STRUCTURE, tuple(elements))),
    )


def _described_values(description: TypeDescription) -> st.SearchStrategy[Data]:
    kind = description.type
    if kind == DataType.ARRAY:
        element = _described_values(description.elements[0])
        return st.lists(element, min_size=description.count, max_size=description.count).map(
            lambda items: Data(DataType.ARRAY, tuple(items)))
    if kind == DataType.STRUCTURE:
        return st.tuples(*(_described_values(element) for element in description.elements)).map(
            lambda items: Data(DataType.STRUCTURE, tuple(items)))
    return _SCALAR_VALUES[kind].map(lambda value: Data(kind, value))


def compact_arrays() -> st.SearchStrategy[CompactArray]:
    """Generate compact arrays: a type description and elements that match it (none when such
    elements take no octets)."""
    def elements_for(description: TypeDescription) -> st.SearchStrategy[CompactArray]:
        if takes_no_octets(description):
            return st.just(CompactArray(description, ()))
        return st.lists(_described_values(description), max_size=4).map(
            lambda items: CompactArray(description, tuple(items)))

    return type_descriptions().flatmap(elements_for)


def dlms_data(max_leaves: int = 12) -> st.SearchStrategy[Data]:
    """Generate Data of every type, with arrays and structures nested a few levels deep."""
    leaves = st.one_of(dlms_scalars(), compact_arrays().map(
        lambda value: Data(DataType.COMPACT_ARRAY, value)))

    def containers(children: st.SearchStrategy[Data]) -> st.SearchStrategy[Data]:
        items = st.lists(children, max_size=4).map(tuple)
        return st.one_of(items.map(lambda value: Data(DataType.ARRAY, value)),
                         items.map(lambda value: Data(DataType.STRUCTURE, value)))

    return st.recursive(leaves, containers, max_leaves=max_leaves)


def dlms_data_with_length_forms(max_leaves: int = 12) -> st.SearchStrategy[Data]:
    """Generate Data as :func:`dlms_data` does, with some lengths in a needlessly long form
    (``Data.length_form`` and its kin), to check that such input rebuilds byte for byte."""
    return dlms_data(max_leaves).flatmap(_with_length_forms)


def _length_forms(length: int) -> st.SearchStrategy[int | None]:
    """Generate the shortest form (None) or a long form of 1 to 4 octets that fits ``length``."""
    needed = max(1, (length.bit_length() + 7) // 8)
    return st.one_of(st.none(), st.integers(needed, 4))


def _encoded_length(item: Data) -> int:
    """Return the length or count that follows the tag of a string, bit-string or container."""
    kind, value = item
    if kind is DataType.BIT_STRING:
        return int(value.length)
    if kind is DataType.VISIBLE_STRING:
        return len(value.encode("latin-1"))
    if kind is DataType.UTF8_STRING:
        return len(value.encode("utf-8", "surrogateescape"))
    return len(value)


_WITH_LENGTH = (DataType.ARRAY, DataType.STRUCTURE, DataType.BIT_STRING, DataType.OCTET_STRING,
                DataType.VISIBLE_STRING, DataType.UTF8_STRING)


@st.composite
def _with_length_forms(draw: st.DrawFn, item: Data, *, described: bool = False) -> Data:
    """Give ``item`` and the values inside it random length forms. Containers inside a
    compact-array (``described``) have no length on the wire, so they keep none."""
    kind, value = item
    if kind in (DataType.ARRAY, DataType.STRUCTURE):
        value = tuple(draw(_with_length_forms(child, described=described)) for child in value)
    elif kind is DataType.COMPACT_ARRAY:
        elements = tuple(draw(_with_length_forms(element, described=True)) for element in value.elements)
        compact = CompactArray(draw(_description_with_forms(value.description)), elements)
        # The whole encoding is at least as long as the contents, so a form that fits it fits.
        contents_bound = len(build_data(Data(kind, compact)))
        value = dataclasses.replace(compact, length_form=draw(_length_forms(contents_bound)))
    rebuilt = Data(kind, value)
    if kind not in _WITH_LENGTH or (described and kind in (DataType.ARRAY, DataType.STRUCTURE)):
        return rebuilt
    return rebuilt.with_length_form(draw(_length_forms(_encoded_length(rebuilt))))


@st.composite
def _description_with_forms(draw: st.DrawFn, description: TypeDescription) -> TypeDescription:
    elements = tuple(draw(_description_with_forms(element)) for element in description.elements)
    form = None
    if description.type is DataType.STRUCTURE:
        form = draw(_length_forms(len(elements)))
    return dataclasses.replace(description, elements=elements, length_form=form)


def attribute_descriptors() -> st.SearchStrategy[x.AttributeDescriptor]:
    return st.builds(x.AttributeDescriptor, _U16, st.binary(min_size=6, max_size=6), _I8)


def method_descriptors() -> st.SearchStrategy[x.MethodDescriptor]:
    return st.builds(x.MethodDescriptor, _U16, st.binary(min_size=6, max_size=6), _I8)


def _selective_access() -> st.SearchStrategy[x.SelectiveAccess]:
    return st.builds(x.SelectiveAccess, _OCTET, dlms_data(max_leaves=4))


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _tuples(strategy: st.SearchStrategy[Any], max_size: int = 3) -> st.SearchStrategy[Any]:
    return st.lists(strategy, max_size=max_size).map(tuple)


def xdlms_apdus() -> st.SearchStrategy[x.Apdu]:
    """Generate every unciphered xDLMS APDU: GET, SET, ACTION in all forms, notifications,
    errors, initiate request and response, general block transfer, access-request and -response."""
    iip = _OCTET
    data = dlms_data(max_leaves=6)
    boolean = st.one_of(st.booleans(), st.integers(2, 0xFF))
    data_access_result = st.one_of(st.sampled_from(list(x.DataAccessResult)), _OCTET)
    action_result = st.one_of(st.sampled_from(list(x.ActionResult)), _OCTET)
    get_data_result = st.one_of(data, data_access_result)

    with_selection = st.builds(x.AttributeWithSelection, attribute_descriptors(),
                               _optional(_selective_access()))
    block_g = st.builds(x.DataBlockG, boolean, _U32, st.one_of(_OCTETS, data_access_result))
    block_sa = st.builds(x.DataBlockSA, boolean, _U32, _OCTETS)
    date_time = _optional(cosem_date_times())

    request_specification = st.one_of(
        st.builds(x.AccessRequestGet, attribute_descriptors()),
        st.builds(x.AccessRequestSet, attribute_descriptors()),
        st.builds(x.AccessRequestAction, method_descriptors()),
        st.builds(x.AccessRequestGetWithSelection, attribute_descriptors(), _selective_access()),
        st.builds(x.AccessRequestSetWithSelection, attribute_descriptors(), _selective_access()),
    )
    response_specification = st.one_of(
        st.builds(x.AccessResponseGet, data_access_result),
        st.builds(x.AccessResponseSet, data_access_result),
        st.builds(x.AccessResponseAction, action_result),
    )

    exception = st.one_of(
        st.builds(x.ExceptionResponse, _OCTET, st.integers(0, 5) | st.integers(7, 0xFF)),
        st.builds(x.ExceptionResponse, _OCTET,
                  st.just(x.ServiceError.INVOCATION_COUNTER_ERROR), _U32),
    )

    return st.one_of(
        st.builds(x.GetRequestNormal, iip, attribute_descriptors(), _optional(_selective_access())),
        st.builds(x.GetRequestNext, iip, _U32),
        st.builds(x.GetRequestWithList, iip, _tuples(with_selection)),
        st.builds(x.GetResponseNormal, iip, get_data_result),
        st.builds(x.GetResponseWithDatablock, iip, block_g),
        st.builds(x.GetResponseWithList, iip, _tuples(get_data_result)),
        st.builds(x.SetRequestNormal, iip, attribute_descriptors(),
                  _optional(_selective_access()), data),
        st.builds(x.SetRequestWithFirstDatablock, iip, attribute_descriptors(),
                  _optional(_selective_access()), block_sa),
        st.builds(x.SetRequestWithDatablock, iip, block_sa),
        st.builds(x.SetRequestWithList, iip, _tuples(with_selection), _tuples(data)),
        st.builds(x.SetRequestWithListAndFirstDatablock, iip, _tuples(with_selection), block_sa),
        st.builds(x.SetResponseNormal, iip, data_access_result),
        st.builds(x.SetResponseDatablock, iip, _U32),
        st.builds(x.SetResponseLastDatablock, iip, data_access_result, _U32),
        st.builds(x.SetResponseLastDatablockWithList, iip, _tuples(data_access_result), _U32),
        st.builds(x.SetResponseWithList, iip, _tuples(data_access_result)),
        st.builds(x.ActionRequestNormal, iip, method_descriptors(), _optional(data)),
        st.builds(x.ActionRequestNextPblock, iip, _U32),
        st.builds(x.ActionRequestWithList, iip, _tuples(method_descriptors()), _tuples(data)),
        st.builds(x.ActionRequestWithFirstPblock, iip, method_descriptors(), block_sa),
        st.builds(x.ActionRequestWithListAndFirstPblock, iip, _tuples(method_descriptors()),
                  block_sa),
        st.builds(x.ActionRequestWithPblock, iip, block_sa),
        st.builds(x.ActionResponseNormal, iip, action_result, _optional(get_data_result)),
        st.builds(x.ActionResponseWithPblock, iip, block_sa),
        st.builds(x.ActionResponseWithList, iip, _tuples(st.builds(
            x.ActionResponseWithOptionalData, action_result, _optional(get_data_result)))),
        st.builds(x.ActionResponseNextPblock, iip, _U32),
        st.builds(x.EventNotificationRequest, _optional(_SHORT_OCTETS), attribute_descriptors(),
                  data),
        st.builds(x.DataNotification, _U32, date_time, data),
        exception,
        st.builds(x.ConfirmedServiceError, _OCTET, _OCTET, _OCTET),
        st.builds(x.InitiateRequest, _optional(_SHORT_OCTETS), _optional(boolean),
                  _optional(_I8), _OCTET, st.integers(0, 0xFFFFFF), _U16),
        st.builds(x.InitiateResponse, _optional(_I8), _OCTET, st.integers(0, 0xFFFFFF), _U16,
                  _U16),
        st.builds(x.GeneralBlockTransfer, _OCTET, _U16, _U16, _OCTETS),
        st.builds(x.AccessRequest, _U32, date_time, _tuples(request_specification),
                  _tuples(data)),
        st.builds(x.AccessResponse, _U32, date_time, _optional(_tuples(request_specification)),
                  _tuples(data), _tuples(response_specification)),
    )


def ciphered_contents() -> st.SearchStrategy[CipheredContent]:
    return st.builds(CipheredContent, _OCTET, _U32, _OCTETS)


def ciphered_apdus() -> st.SearchStrategy[x.Apdu]:
    """Generate service-specific glo/ded APDUs, general-glo/ded-ciphering, general-ciphering
    (with every key-info form) and general-signing (with and without the trailing signature)."""
    key_info = _optional(st.one_of(
        st.builds(IdentifiedKey, _OCTET),
        st.builds(WrappedKey, _OCTET, _SHORT_OCTETS),
        st.builds(AgreedKey, _SHORT_OCTETS, _SHORT_OCTETS),
    ))
    title = st.one_of(st.just(b""), st.binary(min_size=8, max_size=8))
    return st.one_of(
        st.builds(ServiceCipheredApdu,
                  st.sampled_from(sorted((*GLO_SERVICE_TAGS, *DED_SERVICE_TAGS))),
                  ciphered_contents()),
        st.builds(GeneralGloCiphering, title, ciphered_contents()),
        st.builds(GeneralDedCiphering, title, ciphered_contents()),
        st.builds(GeneralCiphering, _SHORT_OCTETS, title, title, _SHORT_OCTETS, _SHORT_OCTETS,
                  key_info, ciphered_contents()),
        st.builds(GeneralSigning, _SHORT_OCTETS, title, title, _SHORT_OCTETS, _SHORT_OCTETS,
                  _OCTETS, _optional(st.one_of(st.just(b""), st.binary(min_size=64,
                                                                        max_size=64)))),
    )


def acse_apdus() -> st.SearchStrategy[x.Apdu]:
    """Generate AARQ, AARE, RLRQ and RLRE with any subset of their components."""
    octets = _optional(_OCTETS)
    integer = _optional(st.integers(-(1 << 31), (1 << 31) - 1))
    authentication = _optional(st.builds(AuthenticationValue, _SHORT_OCTETS,
                                         st.sampled_from([0x80, 0x81, 0xA2, 0xA3])))
    return st.one_of(
        st.builds(Aarq, octets, octets, octets, octets, integer, integer, octets, octets, integer,
                  integer, octets, octets, authentication, octets, octets),
        st.builds(Aare, octets, octets, integer,
                  _optional(st.builds(ResultSourceDiagnostic, st.sampled_from([1, 2]), _OCTET)),
                  octets, octets, integer, integer, octets, octets, authentication, octets,
                  octets),
        st.builds(Rlrq, integer, octets),
        st.builds(Rlre, integer, octets),
    )


# Long forms of 3 and 4 octets: the generated APDUs are shorter than 65,536 octets, so these are
# always needlessly long and parsing records them unchanged.
_NEEDLESS_FORMS = st.sampled_from([None, 3, 4])
_EXPLICIT_KINDS = ("e-oid", "e-octets", "e-integer", "auth", "diag")


@st.composite
def acse_apdus_with_length_forms(draw: st.DrawFn) -> x.Apdu:
    """Generate ACSE APDUs as :func:`acse_apdus` does, with some BER lengths in a needlessly
    long form (``length_forms``), listed in the order that parsing records them."""
    apdu = draw(acse_apdus())
    places = [""]
    for field, _, kind in ACSE_DECLARATIONS[apdu.apdu_tag].layout:
        if getattr(apdu, field) is None:
            continue
        places.append(field)
        if kind in _EXPLICIT_KINDS:
            places.append(f"{field}.inner")
        if kind == "diag":
            places.append(f"{field}.integer")
    forms = [(place, draw(_NEEDLESS_FORMS)) for place in places]
    length_forms = tuple((place, form) for place, form in forms if form is not None)
    return dataclasses.replace(apdu, length_forms=length_forms)  # type: ignore[type-var]


def dlms_apdus() -> st.SearchStrategy[x.Apdu]:
    """Generate every APDU that :func:`commshub.codecs.dlms.parse_apdu` parses."""
    return st.one_of(xdlms_apdus(), ciphered_apdus(), acse_apdus())


def hdlc_addresses() -> st.SearchStrategy[HdlcAddress]:
    return st.one_of(
        st.builds(HdlcAddress, st.integers(0, 0x7F)),
        st.builds(HdlcAddress, st.integers(0, 0x7F), st.integers(0, 0x7F), st.just(2)),
        st.builds(HdlcAddress, st.integers(0, 0x3FFF), st.integers(0, 0x3FFF), st.just(4)),
    )


def hdlc_frames() -> st.SearchStrategy[HdlcFrame]:
    """Generate frames of every kind, with information fields up to the 11-bit length limit."""
    information = st.one_of(st.just(b""), st.binary(max_size=64),
                            st.binary(min_size=2000, max_size=2030))
    return st.builds(HdlcFrame, hdlc_addresses(), hdlc_addresses(), _OCTET, information,
                     st.booleans())


