"""Inputs from public bug reports against other DLMS implementations, each with the outcome our
codec must give. Each test names the report by its title and tracker."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from commshub.cli.layers import DecodeOptions
from commshub.codecs.dlms import (
    Aare,
    ActionResponseNormal,
    ActionResult,
    CipheredContent,
    CosemDateTime,
    Data,
    DataBlockG,
    DataNotification,
    DataType,
    GeneralGloCiphering,
    GetResponseNormal,
    GetResponseWithDatablock,
    InitiateResponse,
    Rlre,
    ServiceCipheredApdu,
    build_apdu,
    build_data,
    parse_apdu,
    parse_data,
)
from commshub.codecs.dlms.ciphered import DED_SERVICE_TAGS, GLO_SERVICE_TAGS
from commshub.codecs.dlms.describe import decode_dlms, decode_hdlc
from commshub.codecs.dlms.hdlc import (
    LLC_RESPONSE,
    FrameKind,
    HdlcAddress,
    HdlcFrame,
    HdlcReader,
    build_frame,
    parse_frame,
)
from commshub.codecs.dlms.security import protect, unprotect
from commshub.errors import CodecError, NeedMoreData

T = DataType
ENCRYPTION_KEY = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
AUTHENTICATION_KEY = bytes.fromhex("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
SYSTEM_TITLE = bytes.fromhex("4D4D4D0000BC614E")
KEYS = {"encryption_key": ENCRYPTION_KEY, "authentication_key": AUTHENTICATION_KEY}


def test_aare_with_long_form_ber_length():
    # Kamstrup OMNIA AARE from the dlms-cosem report "Support BER long-form length encoding in
    # AARE parsing". "61 82 00 35" is a long-form length where the short form would do. It must
    # parse and rebuild to the same octets, while the same AARE built from scratch uses the
    # short form.
    frame = parse_frame(bytes.fromhex(
        "7EA0482100020CC530847FE6E70061820035A109060760857405080101A203020100A305A103020100A40A04"
        "084B414D450235CB3ABE10040E0800065F1F040000101D07EB000711677E"))
    apdu = parse_apdu(frame.information[3:])
    assert isinstance(apdu, Aare)
    assert apdu.result == 0
    assert apdu.responding_ap_title == bytes.fromhex("4B414D450235CB3A")
    assert parse_apdu(apdu.user_information) == InitiateResponse(None, 6, 0x00101D, 2027, 7)
    assert apdu.length_forms == (("", 2),)
    assert build_apdu(apdu) == frame.information[3:]
    from_scratch = build_apdu(dataclasses.replace(apdu, length_forms=()))
    assert from_scratch[:2] == b"\x61\x35"
    assert parse_apdu(from_scratch) == apdu
    record = decode_dlms(frame.information[3:], DecodeOptions()).record
    assert record["ok"] is True
    assert record["round_trip"] is True


def test_get_with_list_missing_choice():
    # dlms-cosem report "Parsing problem GetResponseWithList": the count is 2 but the second
    # result has no Get-Data-Result choice octet. The outcome is a clear error, not a silently
    # shortened list.
    data = bytes.fromhex("C403C1020000020512 02D0120CA81118111F0FC0".replace(" ", ""))
    with pytest.raises(CodecError) as caught:
        parse_apdu(data)
    assert caught.value.path == ("apdu", "results", "[1]")
    assert caught.value.offset == 6
    assert "unknown get-data-result tag 2" in str(caught.value)


def test_glo_action_response_decodes():
    # dlms-cosem report "APDU Tag 207 missing": a glo-action-response after HLS.
    plain = build_apdu(ActionResponseNormal(0xC1, ActionResult.SUCCESS,
                                            Data(T.OCTET_STRING, bytes(range(16)))))
    content = protect(plain, security_control=0x30, system_title=SYSTEM_TITLE,
                      invocation_counter=0x11, **KEYS)
    data = build_apdu(ServiceCipheredApdu(0xCF, content))
    apdu = parse_apdu(data)
    assert isinstance(apdu, ServiceCipheredApdu) and apdu.tag == 207
    assert apdu.plain_tag == 199
    assert parse_apdu(unprotect(apdu.content, system_title=SYSTEM_TITLE, **KEYS)) == parse_apdu(plain)


@pytest.mark.parametrize("tag", sorted((*GLO_SERVICE_TAGS, *DED_SERVICE_TAGS)))
def test_every_service_specific_ciphered_apdu_round_trips(round_trip, tag):
    # dlms-cosem report "Missing some ciphering services": glo- and ded- APDUs 33 to 215.
    content = protect(b"\xc0\x01\xc1\x00\x08\x00\x00\x01\x00\x00\xff\x02\x00",
                      security_control=0x30, system_title=SYSTEM_TITLE, invocation_counter=tag,
                      **KEYS)
    apdu = round_trip(build_apdu(ServiceCipheredApdu(tag, content)).hex())
    assert apdu.dedicated == (tag in DED_SERVICE_TAGS)


def test_general_glo_ciphering_without_system_title():
    # dlms-cosem report "Support not sending system title in GeneralGlobalCipher APDU" (Pietro
    # Fiorentini RSE meters). The system title is sent empty, but the IV still uses the meter's
    # title known from the association. The invocation counter has bit 31 set.
    plain = build_apdu(DataNotification(1, None, Data(T.LONG_UNSIGNED, 42)))
    content = protect(plain, security_control=0x30, system_title=SYSTEM_TITLE,
                      invocation_counter=0x800000D1, **KEYS)
    data = build_apdu(GeneralGloCiphering(b"", content))
    assert data[:8].hex() == "db00" + f"{len(data) - 3:02x}" + "30800000d1"
    apdu = parse_apdu(data)
    assert apdu.system_title == b""
    assert apdu.content.invocation_counter == 0x800000D1
    assert unprotect(apdu.content, system_title=SYSTEM_TITLE, **KEYS) == plain


def test_visible_strings_in_a_kamstrup_push():
    # Kamstrup HAN port push from the dlms-cosem report "VisibleStringData have not implemented
    # byte conversion".
    frame = parse_frame(bytes.fromhex(
        "7ea0e22b2113239ae6e7000f000000000c07e60c1c03170100ff80000002190a0e4b616d73747275705f5630"
        "30303109060101000005ff0a103537303635363731393633383234383509060101600101ff0a123638343131"
        "3331424e31343331303130393009060101010700ff060000092609060101020700ff06000000000906010103"
        "0700ff060000000009060101040700ff06000000df090601011f0700ff060000005c09060101330700ff0600"
        "00008d09060101470700ff060000037209060101200700ff1200e609060101340700ff1200e6090601014807"
        "00ff1200e49a187e"))
    apdu = parse_apdu(frame.information[3:])
    assert isinstance(apdu, DataNotification)
    assert apdu.date_time == CosemDateTime(2022, 12, 28, 3, 23, 1, 0, 0xFF, -0x8000, 0x00)
    elements = apdu.body.value
    assert len(elements) == 25
    assert [element.value for element in elements if element.type == T.VISIBLE_STRING] == [
        "Kamstrup_V0001", "5706567196382485", "6841131BN143101090"]
    assert elements[6] == Data(T.DOUBLE_LONG_UNSIGNED, 2342)
    assert build_apdu(apdu) == frame.information[3:]


def test_flag_octet_inside_the_frame_check_sequence():
    # dlms-cosem report "FLAG in FCS causes invalid frames": the FCS ends in 7E.
    data = bytes.fromhex("7EA01B0300023C4752D551E6E700C401C10009060100202000FF7E8C7E")
    for chunk in (len(data), 1):
        reader = HdlcReader()
        frames = []
        for start in range(0, len(data), chunk):
            reader.feed(data[start : start + chunk])
            frames.extend(reader.frames())
        assert len(frames) == 1
        assert parse_apdu(frames[0].information[3:]) == GetResponseNormal(
            0xC1, Data(T.OCTET_STRING, bytes.fromhex("0100202000FF")))


def test_echoed_snrm_split_across_reads():
    # dlms-cosem report "HDLC frame could not be parsed. Need more data": an optical head
    # echoes the SNRM, which arrives in three chunks.
    snrm = bytes.fromhex("7EA00820032793738 57E".replace(" ", ""))
    ua = bytes.fromhex("7EA01F21022373E6C781801205019A06019A070400000001080400000001CCA27E")
    reader = HdlcReader()
    received = []
    for chunk in (snrm[:3], snrm[3:7], snrm[7:], ua):
        reader.feed(chunk)
        received.extend(reader.frames())
    sent = parse_frame(snrm)
    assert received[0] == sent  # the echo: the caller drops frames equal to what it sent
    assert received[1].kind is FrameKind.UA


def test_echo_with_missing_octets_resynchronises():
    # The second log of the same report: octets of the echo are lost on the way.
    snrm = bytes.fromhex("7EA0082003279373857E")
    ua = bytes.fromhex("7EA01F21022373E6C781801205019A06019A070400000001080400000001CCA27E")
    reader = HdlcReader()
    reader.feed(snrm[:4] + snrm[6:] + ua)
    with pytest.raises(CodecError):
        reader.read_frame()
    frames = []
    for _ in range(4):
        try:
            frames.append(reader.read_frame())
        except CodecError:
            continue
        except NeedMoreData:
            break
    assert frames == [parse_frame(ua)]


def test_release_response_with_user_information_in_hdlc():
    # dlms-cosem report "HDLC frame could not be parsed when switching clients" (its log).
    frame = parse_frame(bytes.fromhex(
        "7EA0260300022C295200D3E6E7006315800100BE10040E0800065F1F040000521D00EF0007DF057E"))
    apdu = parse_apdu(frame.information[3:])
    assert apdu == Rlre(0, bytes.fromhex("0800065F1F040000521D00EF0007"))
    assert parse_apdu(apdu.user_information) == InitiateResponse(None, 6, 0x00521D, 239, 7)


def test_null_data_after_fixed_size_values():
    # dlms-cosem pull request "Add support for Float and Fixed overflow when last data is
    # NullData": a null-data after float32 and fixed-size values.
    round_tripped = parse_data(bytes.fromhex("0204173F8000001800000000000000000600000001 00"
                                             .replace(" ", "")))
    assert round_tripped.value[-1] == Data(T.NULL_DATA)
    assert round_tripped.value[0] == Data(T.FLOAT32, 1.0)


def test_bit_string_length_counts_bits():
    # The same review discussed the bit-string length: A-XDR counts bits, not octets.
    item = parse_data(bytes.fromhex("0409FF80"))
    assert item.value.length == 9
    assert item.value.bits() == "111111111"
    with pytest.raises(CodecError):
        parse_data(bytes.fromhex("0409FF"))


@pytest.mark.parametrize("status", [0x00, 0x80, 0xFF])
def test_clock_status_is_kept(status):
    # dlms-cosem pull request "clock_status = None -> 0xFF" and gurux.dlms.java "Fix parsing of
    # clock status for non specified (0xFF) value": meters reject writes whose status differs,
    # so 0xFF (not specified) must survive a round trip.
    data = bytes.fromhex("1907E4010103000300FF88") + bytes((0x00, status))
    item = parse_data(data)
    assert item.value.clock_status == status
    assert build_data(item) == data


def test_get_block_transfer_joins_raw_data_before_decoding():
    # dlms-cosem report "Handling service specific block transfer - GET": the blocks may end
    # in the middle of an element.
    value = Data(T.ARRAY, tuple(Data(T.STRUCTURE, (
        Data(T.DATE_TIME, CosemDateTime(2024, 1, 1, 1, hour, 0, 0, 0, 0, 0)),
        Data(T.DOUBLE_LONG_UNSIGNED, hour * 1000))) for hour in range(24)))
    encoded = build_data(value)
    cuts = [0, 100, 257, len(encoded)]
    blocks = [GetResponseWithDatablock(0xC1, DataBlockG(index == len(cuts) - 2, index + 1,
                                                        encoded[start:end]))
              for index, (start, end) in enumerate(itertools.pairwise(cuts))]
    received = [parse_apdu(build_apdu(block)) for block in blocks]
    assert [block.block.last_block for block in received] == [False, False, True]
    assert parse_data(b"".join(block.block.result for block in received)) == value


def test_frame_over_255_octets():
    # gurux.dlms.java report "HDLC frame format field - incorrect length": 579 octets give the
    # format A2 43, not A0 43.
    information = LLC_RESPONSE + build_apdu(
        GetResponseNormal(0xC1, Data(T.OCTET_STRING, bytes(556))))
    data = build_frame(HdlcFrame(HdlcAddress(1), HdlcAddress(1, 3875, 4), 0x52, information))
    assert len(data) - 2 == 579
    assert data[1:3] == bytes.fromhex("A243")
    record = decode_hdlc(data, DecodeOptions()).record
    assert record["ok"] and record["round_trip"]


def test_ciphered_content_too_short():
    with pytest.raises(CodecError, match="security header"):
        parse_apdu(bytes.fromhex("C803300000"))
    assert CipheredContent(0x30, 1, b"").header.encrypted
