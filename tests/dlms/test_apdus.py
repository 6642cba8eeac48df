"""xDLMS, ciphered and ACSE APDUs: golden vectors, property round trips and error reports.

Vectors whose source is "dlms-cosem" come from the u9n/dlms-cosem test suite (file named per
test); several of those reproduce DLMS Green Book examples.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs import common
from commshub.codecs.dlms import (
    APPLICATION_CONTEXT_LN,
    APPLICATION_CONTEXT_LN_CIPHERING,
    MECHANISM_HIGH_GMAC,
    MECHANISM_LOW,
    Aare,
    Aarq,
    AccessRequest,
    AccessRequestAction,
    AccessRequestGet,
    AccessRequestGetWithSelection,
    AccessResponse,
    AccessResponseAction,
    AccessResponseGet,
    ActionRequestNormal,
    ActionResponseNormal,
    ActionResult,
    AgreedKey,
    AttributeDescriptor,
    AttributeWithSelection,
    AuthenticationValue,
    CipheredContent,
    ConfirmedServiceError,
    CosemDateTime,
    Data,
    DataAccessResult,
    DataBlockG,
    DataBlockSA,
    DataType,
    ExceptionResponse,
    GeneralBlockTransfer,
    GeneralCiphering,
    GeneralSigning,
    GetRequestNext,
    GetRequestNormal,
    GetRequestWithList,
    GetResponseNormal,
    GetResponseWithDatablock,
    InitiateRequest,
    InitiateResponse,
    MethodDescriptor,
    ResultSourceDiagnostic,
    Rlre,
    Rlrq,
    SelectiveAccess,
    ServiceCipheredApdu,
    ServiceError,
    SetRequestNormal,
    SetRequestWithFirstDatablock,
    SetResponseDatablock,
    SetResponseLastDatablock,
    SetResponseNormal,
    StateError,
    build_apdu,
    parse_apdu,
    parse_data,
)
from commshub.codecs.dlms.apdu import _COMPILED, APDU
from commshub.codecs.strategies import (
    acse_apdus,
    acse_apdus_with_length_forms,
    ciphered_apdus,
    dlms_apdus,
    xdlms_apdus,
)
from commshub.errors import CodecError

T = DataType
CLOCK = bytes.fromhex("0000010000FF")


def test_get_request_normal(round_trip):
    # dlms-cosem tests/test_xdlms/test_get.py
    round_trip("C001C100010000 2B0100FF0200", GetRequestNormal(
        0xC1, AttributeDescriptor(1, bytes.fromhex("00002B0100FF"), 2)))


def test_get_request_next(round_trip):
    # dlms-cosem tests/test_xdlms/test_get.py
    round_trip("C002C100000001", GetRequestNext(0xC1, 1))


def test_get_request_with_list(round_trip):
    # dlms-cosem tests/test_xdlms/test_get.py
    round_trip("C003C10200010000 2A0000FF0200 00080000010000FF0200", GetRequestWithList(0xC1, (
        AttributeWithSelection(AttributeDescriptor(1, bytes.fromhex("00002A0000FF"), 2)),
        AttributeWithSelection(AttributeDescriptor(8, CLOCK, 2)),
    )))


def test_get_request_with_range_descriptor(round_trip):
    # dlms-cosem tests/test_xdlms/test_selective_access.py: profile 1.0.99.1.0.255, 2017-10-01
    apdu = round_trip(
        "C001C1000701006301 00FF0201010204020412000809060000010000FF0F02120000"
        "090C07E10A01070000 0000FFC480090C07E10A0107010000 00FFC480 0100")
    assert isinstance(apdu, GetRequestNormal)
    selection = apdu.access_selection
    assert selection.access_selector == 1
    restricting, start, end, columns = selection.access_parameters.value
    assert restricting.value[1] == Data(T.OCTET_STRING, CLOCK)
    assert CosemDateTime.from_bytes(start.value).deviation == -60
    assert CosemDateTime.from_bytes(end.value).hour == 1
    assert columns == Data(T.ARRAY, ())


def test_get_response_normal(round_trip):
    # dlms-cosem tests/test_xdlms/test_get.py
    round_trip("C401C1000600001391", GetResponseNormal(0xC1, Data(T.DOUBLE_LONG_UNSIGNED, 5009)))


def test_get_response_normal_with_error(round_trip):
    # dlms-cosem tests/test_xdlms/test_get.py
    round_trip("C401C10101", GetResponseNormal(0xC1, DataAccessResult.HARDWARE_FAULT))


def test_get_response_with_datablock(round_trip):
    raw = bytes.fromhex("0102020412000109060000010000FF0F021200000204")
    apdu = round_trip("C402C1 00 00000001 00 16" + raw.hex(),
                      GetResponseWithDatablock(0xC1, DataBlockG(False, 1, raw)))
    assert apdu.block.result == raw


def test_set_request_normal(round_trip):
    # dlms-cosem tests/test_xdlms/test_set.py: set the clock
    round_trip("C101C100080000010000FF0200090C07E50118FF0E303950FFC400", SetRequestNormal(
        0xC1, AttributeDescriptor(8, CLOCK, 2), None,
        Data(T.OCTET_STRING, bytes.fromhex("07E50118FF0E303950FFC400"))))


def test_set_request_with_first_datablock(round_trip):
    # dlms-cosem tests/test_xdlms/test_set.py, the Green Book block transfer example
    round_trip("C102C100010000800000FF02 00 00 00000001 15 09320102030405060708091011121314"
               "1516171819", SetRequestWithFirstDatablock(
                   0xC1, AttributeDescriptor(1, bytes.fromhex("0000800000FF"), 2), None,
                   DataBlockSA(False, 1, bytes.fromhex("093201020304050607080910111213141516171819"))))


@pytest.mark.parametrize(("encoding", "expected"), [
    ("C501C100", SetResponseNormal(0xC1, DataAccessResult.SUCCESS)),
    ("C502C100000001", SetResponseDatablock(0xC1, 1)),
    ("C503C10000000002", SetResponseLastDatablock(0xC1, DataAccessResult.SUCCESS, 2)),
])
def test_set_responses(round_trip, encoding, expected):
    # dlms-cosem tests/test_xdlms/test_set.py
    round_trip(encoding, expected)


def test_action_request_normal(round_trip):
    # dlms-cosem tests/test_xdlms/test_action.py: reply_to_HLS_authentication
    round_trip("C301C0000F0000280000FF01 01 091110000 01A90E6D2221FA2FD85EED61ACC22".replace(" ", ""),
               ActionRequestNormal(0xC0, MethodDescriptor(15, bytes.fromhex("0000280000FF"), 1),
                                   Data(T.OCTET_STRING,
                                        bytes.fromhex("1000001A90E6D2221FA2FD85EED61ACC22"))))


def test_action_request_without_parameters(round_trip):
    # dlms-cosem tests/test_xdlms/test_action.py
    round_trip("C301C0000F0000280000FF0100",
               ActionRequestNormal(0xC0, MethodDescriptor(15, bytes.fromhex("0000280000FF"), 1)))


@pytest.mark.parametrize(("encoding", "expected"), [
    ("C701C00000", ActionResponseNormal(0xC0, ActionResult.SUCCESS)),
    ("C701C0000101FA", ActionResponseNormal(0xC0, ActionResult.SUCCESS,
                                             DataAccessResult.OTHER_REASON)),
    ("C701C00001000911 1000001AFDE8857B728A3499106AA665D1".replace(" ", ""),
     ActionResponseNormal(0xC0, ActionResult.SUCCESS, Data(
         T.OCTET_STRING, bytes.fromhex("1000001AFDE8857B728A3499106AA665D1")))),
])
def test_action_responses(round_trip, encoding, expected):
    # dlms-cosem tests/test_xdlms/test_action.py
    round_trip(encoding, expected)


def test_data_notification(round_trip):
    # dlms-cosem tests/test_xdlms/test_data_notification.py
    apdu = round_trip("0F000001DB00092212 5A8591360000000049000000110000000A5A8513D0148000000"
                      "00D0000000A0100")
    assert apdu.date_time is None
    assert apdu.body.type == T.OCTET_STRING


def test_exception_responses(round_trip):
    round_trip("D80102", ExceptionResponse(StateError.SERVICE_NOT_ALLOWED,
                                           ServiceError.SERVICE_NOT_SUPPORTED))
    round_trip("D8020600000123", ExceptionResponse(StateError.SERVICE_UNKNOWN,
                                                   ServiceError.INVOCATION_COUNTER_ERROR, 0x123))


def test_exception_response_counter_must_match_service_error():
    with pytest.raises(CodecError, match="invocation_counter"):
        build_apdu(ExceptionResponse(1, 2, 5))


def test_confirmed_service_error(round_trip):
    # dlms-cosem tests/test_asce/test_aare.py: initiate error, DLMS version too low
    round_trip("0E010601", ConfirmedServiceError(1, 6, 1))


def test_initiate_request(round_trip):
    # dlms-cosem tests/test_xdlms/test_initiate.py
    round_trip("01000000065F1F0400007E1F04B0",
               InitiateRequest(None, None, None, 6, 0x007E1F, 1200))
    round_trip("01011000112233445566778899AABBCCDDEEFF0000065F1F0400007E1F04B0",
               InitiateRequest(bytes.fromhex("00112233445566778899AABBCCDDEEFF"), None, None, 6,
                               0x007E1F, 1200))


def test_initiate_response(round_trip):
    # dlms-cosem tests/test_xdlms/test_initiate.py
    round_trip("0800065F1F040000501F01F40007", InitiateResponse(None, 6, 0x00501F, 500, 7))
    round_trip("0801000 65F1F0400001E1D04C80007".replace(" ", ""),
               InitiateResponse(0, 6, 0x001E1D, 1224, 7))


def test_conformance_prefix_is_checked():
    with pytest.raises(CodecError, match="5F 1F 04 00"):
        parse_apdu(bytes.fromhex("0800065F1F050000501F01F40007"))


def test_general_block_transfer(round_trip):
    apdu = round_trip("E0C1000200010 3AABBCC".replace(" ", ""),
                      GeneralBlockTransfer(0xC1, 2, 1, bytes.fromhex("AABBCC")))
    assert apdu.last_block
    assert apdu.streaming
    assert apdu.window == 1


def test_access_request_from_rtds(round_trip):
    # RTDS 4.5.0 ECS35a: read the event log with a range selection
    apdu = round_trip("D9200003E800010400070000636200FF020102040204120001090600005E2C64FF0F02"
                      "120000061C35F900061C374A8001000100")
    assert apdu == AccessRequest(0x200003E8, None, (AccessRequestGetWithSelection(
        AttributeDescriptor(7, bytes.fromhex("0000636200FF"), 2),
        SelectiveAccess(1, apdu.specifications[0].access_selection.access_parameters)),),
        (Data(T.NULL_DATA),))


def test_access_request_action_and_get(round_trip):
    round_trip("D920000516000203000300005E2C2AFF0101000800000100 00FF0202 0F00 00".replace(" ", ""),
               AccessRequest(0x20000516, None, (
                   AccessRequestAction(MethodDescriptor(3, bytes.fromhex("00005E2C2AFF"), 1)),
                   AccessRequestGet(AttributeDescriptor(8, CLOCK, 2)),
               ), (Data(T.INTEGER, 0), Data(T.NULL_DATA))))


def test_access_response_from_rtds(round_trip):
    # RTDS 4.5.0: access-response with a null data item and an action result
    round_trip("DA2000000000000100010300", AccessResponse(
        0x20000000, None, None, (Data(T.NULL_DATA),), (AccessResponseAction(ActionResult.SUCCESS),)))


def test_access_response_with_request_echo_and_date_time(round_trip):
    round_trip("DA200003E80C07E60C1C03170100FF800000 01 01 01 00080000010000FF02 01 00 01 01 00"
               .replace(" ", ""),
               AccessResponse(0x200003E8, CosemDateTime(2022, 12, 28, 3, 23, 1, 0, 0xFF, -0x8000, 0),
                              (AccessRequestGet(AttributeDescriptor(8, CLOCK, 2)),),
                              (Data(T.NULL_DATA),), (AccessResponseGet(DataAccessResult.SUCCESS),)))


def test_access_date_time_length():
    with pytest.raises(CodecError, match="0 or 12 octets"):
        parse_apdu(bytes.fromhex("0F000000000301020300"))


def test_glo_get_request_green_book(round_trip):
    # dlms-cosem tests/test_xdlms/test_service_specific_cipher.py: Green Book Table 40
    round_trip("C81E3001234567411312FF935A47566827C467BC7D825C3BE4A77C3FCC056B6B",
               ServiceCipheredApdu(200, CipheredContent(0x30, 0x01234567, bytes.fromhex(
                   "411312FF935A47566827C467BC7D825C3BE4A77C3FCC056B6B"))))


def test_general_glo_ciphering(round_trip):
    # dlms-cosem tests/test_general_global_cipher.py (a real meter's push)
    apdu = round_trip("DB082F19229199164103 3B3000 0001E5025CE9D2271FD78BE8C204211A916A9D7F587E0A7A"
                      "814CADEA89E9593F01F92EA8C087B5BDFDEFEAB6BECF282DFE49C08F5BE6DC8400"
                      .replace(" ", ""))
    assert apdu.system_title == bytes.fromhex("2F19229199164103")
    assert apdu.content.security_control == 0x30


def test_general_ciphering_green_book(round_trip):
    # dlms-cosem tests/test_xdlms/test_general_ciphering.py: Green Book Table 41
    encoded = (
        "DD080102030405060708084D4D4D0000BC614E084D4D4D0000000001000001020101818"
        "0C323C2BD45711DE4688637D919F92E9DB8FB2DFC213A88D21C9DC8DCBA917D8170511DE1BADB360D50058F79"
        "4B0960AE11FA28D392CFF907A62D13E3357B1DC0B51BE089D0B682863B2217201E73A1A9031968A9B4121DCBC3"
        "281A69739AF87429F5B3AC5471E7B6A04A2C0F2F8A25FD772A317DF97FC5463FEAC248EB8AB8BE81EB3100000"
        "000F435069679270C5BF4425EE5777402A6C8D51C620EED52DBB188378B836E2857D5C053E6DDF27FA87409AEF"
        "502CD9618AE47017C010224FD109CC0BEB21E742D44AB40CD11908743EC90EC8C40E221D517F72228E1A26E82"
        "7F43DC18ED27B5F458D66508B05A2A4CC6FED178C881AFC3BC67064689BE8BB41C80ABB3C114A31F4CB03B8B6"
        "4C7E0B4CE77B2399C93347858888F92239713B38DF01C4858245827A92EF334172EA636B31CBBDF2A96AD5D03"
        "5F66AA38F1A2D97D4BBA99622E6B5F18789CECB2DFB3937D9F3E17F8B472098E6563238F37528374809836002"
        "AEA6E7012D2ADFAA7")
    apdu = round_trip(encoded)
    assert isinstance(apdu, GeneralCiphering)
    assert apdu.transaction_id == bytes.fromhex("0102030405060708")
    assert apdu.originator_system_title == bytes.fromhex("4D4D4D0000BC614E")
    assert apdu.recipient_system_title == bytes.fromhex("4D4D4D0000000001")
    assert apdu.date_time == b""
    assert apdu.other_information == b""
    assert isinstance(apdu.key_info, AgreedKey)
    assert apdu.key_info.key_parameters == b"\x01"
    assert len(apdu.key_info.key_ciphered_data) == 128
    assert apdu.content.security_control == 0x31
    assert apdu.content.invocation_counter == 0


def test_general_signing_with_and_without_signature(round_trip):
    header = "DF0901000000000000051608" + "90B3D51F30000002" + "08" + "00DB1234567890A2" + "00" + "020001"
    signed = round_trip(header + "02D900" + "40" + "11" * 64)
    assert isinstance(signed, GeneralSigning) and signed.signature == b"\x11" * 64
    pre_command = round_trip(header + "02D900")
    assert pre_command.signature is None
    empty = round_trip(header + "02D90000")
    assert empty.signature == b""


def test_aarq_green_book_low_security(round_trip):
    # dlms-cosem tests/test_asce/test_aarq.py ("DLMS Green Book v10: page 444")
    apdu = round_trip("6036A1090607608574050801018A0207808B0760857405080201AC0A80083132333435363738"
                      "BE10040E01000000065F1F0400007E1F04B0")
    assert apdu == Aarq(application_context_name=APPLICATION_CONTEXT_LN,
                        sender_acse_requirements=b"\x07\x80", mechanism_name=MECHANISM_LOW,
                        calling_authentication_value=AuthenticationValue(b"12345678"),
                        user_information=bytes.fromhex("01000000065F1F0400007E1F04B0"))
    assert parse_apdu(apdu.user_information) == InitiateRequest(None, None, None, 6, 0x7E1F, 1200)


def test_aarq_ciphered_with_calling_ap_title(round_trip):
    # dlms-cosem tests/test_asce/test_aarq.py
    apdu = round_trip("6066A109060760857405080103A60A04084D4D4D0000BC614E8A0207808B07608574050802"
                      "01AC0A80083132333435363738BE34043221303001234567801302FF8A7874133D414CED25"
                      "B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855")
    assert apdu.application_context_name == APPLICATION_CONTEXT_LN_CIPHERING
    assert apdu.calling_ap_title == bytes.fromhex("4D4D4D0000BC614E")
    inner = parse_apdu(apdu.user_information)
    assert isinstance(inner, ServiceCipheredApdu) and inner.tag == 33


@pytest.mark.parametrize("encoding", [
    "6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000501F01F40007",
    "611FA109060760857405080101A203020101A305A103020101BE0604040E010601",
    ("6142A109060760857405080101A203020100A305A10302010E88020780890760857405080205AA0A8008503677"
     "524A323146BE10040E0800065F1F040000501F01F40007"),
])
def test_aare_green_book(round_trip, encoding):
    # dlms-cosem tests/test_asce/test_aare.py
    apdu = round_trip(encoding)
    assert isinstance(apdu, Aare)
    assert apdu.application_context_name == APPLICATION_CONTEXT_LN


def test_aare_hls_fields(round_trip):
    apdu = round_trip("6142A109060760857405080101A203020100A305A10302010E880207808907608574050802"
                      "05AA0A8008503677524A323146BE10040E0800065F1F040000501F01F40007")
    assert apdu.result == 0
    assert apdu.result_source_diagnostic == ResultSourceDiagnostic(1, 14)
    assert apdu.mechanism_name == MECHANISM_HIGH_GMAC
    assert apdu.responding_authentication_value == AuthenticationValue(b"P6wRJ21F")


def test_rlrq_and_rlre(round_trip):
    # dlms-cosem tests/test_asce/test_rlre.py
    round_trip("6303800100", Rlre(0))
    rlre = round_trip("6316800100BE11040F0801000 65F1F0400001E1D04C80007".replace(" ", ""))
    assert parse_apdu(rlre.user_information) == InitiateResponse(0, 6, 0x1E1D, 1224, 7)
    ciphered = round_trip("6328800100BE230421281F3001234567891214A0845E475714383F65BC19745CA235906525"
                          "E4F3E1C893")
    assert parse_apdu(ciphered.user_information).tag == 40
    round_trip("6203800100", Rlrq(0))


def test_acse_errors_name_the_component():
    with pytest.raises(CodecError) as caught:
        parse_apdu(bytes.fromhex("6005A1030500FF"))
    assert caught.value.path == ("apdu", "application_context_name")
    with pytest.raises(CodecError, match="unknown aarq component tag 0xB0"):
        parse_apdu(bytes.fromhex("6002B000"))
    with pytest.raises(CodecError, match="appears twice"):
        parse_apdu(bytes.fromhex("600680010080010 0".replace(" ", "")))


@pytest.mark.parametrize(("encoding", "place", "form"), [
    ("62820000", "", 2),  # RLRQ with no components
    ("628103800100", "", 1),
    ("620480810100", "reason", 1),
    ("6207BE8104040200FF", "user_information", 1),
    ("6208BE060482000200FF", "user_information.inner", 2),
    ("610BA309A1840000000302010E", "result_source_diagnostic.inner", 4),
    ("6108A306A1040281010E", "result_source_diagnostic.integer", 1),
])
def test_acse_long_forms_rebuild_exactly(encoding, place, form):
    data = bytes.fromhex(encoding)
    apdu = parse_apdu(data)
    assert (place, form) in apdu.length_forms
    assert build_apdu(apdu) == data


def test_acse_equality_ignores_length_forms():
    long_form = parse_apdu(bytes.fromhex("628103800100"))
    assert long_form == Rlrq(0)
    assert build_apdu(Rlrq(0)) == bytes.fromhex("6203800100")


@given(acse_apdus_with_length_forms())
def test_acse_generated_long_forms_rebuild_exactly(apdu):
    encoded = build_apdu(apdu)
    parsed = parse_apdu(encoded)
    assert parsed == apdu
    assert parsed.length_forms == apdu.length_forms
    assert build_apdu(parsed) == encoded


# --- errors -------------------------------------------------------------------------------------

def test_unknown_apdu_tag():
    with pytest.raises(CodecError) as caught:
        parse_apdu(b"\x02\x00")
    assert caught.value.path == ("apdu",)
    assert caught.value.offset == 0
    assert "unknown APDU tag 2" in str(caught.value)


def test_unknown_choice_names_the_choice():
    with pytest.raises(CodecError, match="unknown get-request tag 9"):
        parse_apdu(bytes.fromhex("C009C1"))


def test_error_in_data_names_the_path():
    with pytest.raises(CodecError) as caught:
        parse_apdu(bytes.fromhex("C401C100020212000107"))
    error = caught.value
    assert error.path == ("apdu", "result", "structure[1]", "data")
    assert error.offset == 9
    assert "(bytes: c4 01 c1 00 02 02 12 00 01 | 07)" in str(error)


def test_truncated_field_points_at_its_start():
    with pytest.raises(CodecError) as caught:
        parse_apdu(bytes.fromhex("C002C10000"))
    assert caught.value.path == ("apdu", "block_number")
    assert caught.value.offset == 3


def test_trailing_octets_after_apdu():
    with pytest.raises(CodecError, match="trailing"):
        parse_apdu(bytes.fromhex("C501C10000"))


def test_build_non_apdu_rejected():
    with pytest.raises(CodecError, match="not an APDU"):
        build_apdu(Data(T.NULL_DATA))  # type: ignore[arg-type]


def test_build_error_names_the_field():
    with pytest.raises(CodecError) as caught:
        build_apdu(GetRequestNormal(0x1C1, AttributeDescriptor(8, CLOCK, 2)))
    assert caught.value.path == ("apdu", "invoke_id_and_priority")


def test_unknown_enum_values_stay_ints(round_trip):
    apdu = round_trip("C501C164")
    assert apdu.result == 100


# --- properties ---------------------------------------------------------------------------------

@given(dlms_apdus())
def test_build_then_parse_gives_the_apdu(apdu):
    assert parse_apdu(build_apdu(apdu)) == apdu


@given(st.one_of(xdlms_apdus(), ciphered_apdus(), acse_apdus()))
def test_parse_then_build_gives_the_bytes(apdu):
    encoded = build_apdu(apdu)
    assert build_apdu(parse_apdu(encoded)) == encoded


@given(xdlms_apdus())
@settings(max_examples=60)
def test_truncated_apdus_raise_codec_errors(apdu):
    encoded = build_apdu(apdu)
    for end in range(len(encoded)):
        try:
            parse_apdu(encoded[:end])
        except CodecError as exc:
            assert exc.path[0] == "apdu"


@given(st.sampled_from(sorted({0x01, 0x08, 0x0E, 0x0F, 0x60, 0x61, 0x62, 0x63, 0xC0, 0xC1, 0xC2,
                                0xC3, 0xC4, 0xC5, 0xC7, 0xC8, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD,
                                0xDF, 0xE0})),
       st.binary(max_size=48))
def test_random_bodies_give_a_value_or_codec_error(tag, body):
    try:
        apdu = parse_apdu(bytes((tag,)) + body)
    except CodecError as exc:
        assert str(exc)
        return
    assert parse_apdu(build_apdu(apdu)) == apdu


def test_parse_data_of_a_profile_buffer():
    # dlms-cosem tests/test_a_xdr.py: 24 hourly structures {date-time, status, value}
    profile = bytes.fromhex(PROFILE_555)
    item = parse_data(profile[1:])  # after the Get-Data-Result choice octet
    assert len(item.value) == 24
    first = item.value[0].value
    assert CosemDateTime.from_bytes(first[0].value).year == 2018
    assert first[2] == Data(T.DOUBLE_LONG_UNSIGNED, 0x186A0)


PROFILE_555 = (
    "0001180203090C07E2020C0500000000800000110006000186A00203090C07E2020C050"
    "1000000800000110006000188400203090C07E2020C0502000000800000110006000189E00203"
    "090C07E2020C050300000080000011000600018B800203090C07E2020C0504000000800000110"
    "00600018D200203090C07E2020C050500000080000011000600018EC00203090C07E2020C0506"
    "000000800000110006000190600203090C07E2020C05070000008000001100060001920002030"
    "90C07E2020C0508000000800000110006000193A00203090C07E2020C05090000008000001100"
    "06000195400203090C07E2020C050A000000800000110006000196E00203090C07E2020C050B0"
    "00000800000110006000198800203090C07E2020C050C00000080000011000600019A20020309"
    "0C07E2020C050D00000080000011000600019BC00203090C07E2020C050E00000080000011000"
    "600019D600203090C07E2020C050F00000080000011000600019F000203090C07E2020C051000"
    "00008000001100060001A0A00203090C07E2020C05110000008000001100060001A2400203090"
    "C07E2020C05120000008000001100060001A3E00203090C07E2020C0513000000800000110006"
    "0001A5800203090C07E2020C05140000008000001100060001A7200203090C07E2020C0515000"
    "0008000001100060001A8C00203090C07E2020C05160000008000001100060001AA600203090C"
    "07E2020C05170000008000001100060001AC00"
)


@given(st.one_of(dlms_apdus().map(build_apdu),
                 st.tuples(st.sampled_from([0xC0, 0xC4, 0xC1, 0xC7, 0xD9, 0xDA, 0x0F, 0xDD, 0xDF]),
                           st.binary(max_size=40)).map(lambda parts: bytes((parts[0],)) + parts[1])))
def test_compiled_parser_agrees_with_declaration(data):
    try:
        interpreted = common.parse(APDU, data, root="apdu")
    except CodecError:
        interpreted = None
    compiled = _COMPILED.parse_function()
    stream = io.BytesIO(data)
    try:
        value = compiled(stream, None)
        fast = value if stream.tell() == len(data) else None
    except Exception:  # noqa: BLE001 - the compiled code raises plain Python errors
        fast = None
    assert fast == interpreted
