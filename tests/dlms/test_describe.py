"""``commshub decode --as dlms|hdlc``: records, trees, and the command run end to end."""

from __future__ import annotations

import json

from click.testing import CliRunner

from commshub.cli import main
from commshub.cli.layers import DecodeOptions
from commshub.codecs.dlms import Data, DataType, parse_apdu, parse_data
from commshub.codecs.dlms.describe import apdu_tree, data_tree, decode_dlms, decode_hdlc, obis_text

ACCESS_REQUEST = ("D9200003E800010400070000636200FF020102040204120001090600005E2C64FF0F02120000061C"
                  "35F900061C374A8001000100")
AARE_FRAME = ("7EA0382102233034E7E6E7006129A109060760857405080101A203020100A305A103020100BE1004"
              "0E0800065F1F0400001E1D04C80007B86A7E")


def _find(node, name):
    return [child for child in node.walk() if child.name == name]


def test_decode_dlms_apdu_record():
    result = decode_dlms(bytes.fromhex(ACCESS_REQUEST), DecodeOptions())
    record = result.record
    assert record["ok"] is True
    assert record["error"] is None
    assert record["round_trip"] is True
    assert record["payload"]["name"] == "access-request"
    assert json.dumps(record)
    attribute = _find(result.tree, "attribute")[0]
    assert attribute.meaning == "Profile generic"
    assert _find(result.tree, "instance-id")[0].meaning == "0-0:99.98.0.255"


def test_decode_dlms_falls_back_to_data():
    record = decode_dlms(bytes.fromhex("0202120001090600005E2C64FF"), DecodeOptions()).record
    assert record["ok"] and record["kind"] == "data"
    assert record["payload"]["meaning"] == "structure"


def test_decode_dlms_data_sharing_an_apdu_tag():
    # 0x01 opens an array and an initiate-request, 0x0F an integer and a data-notification.
    array = decode_dlms(bytes.fromhex("010211001101"), DecodeOptions()).record
    assert array["ok"]
    assert array["kind"] == "data"
    assert array["payload"]["meaning"] == "array"
    integer = decode_dlms(bytes.fromhex("0F05"), DecodeOptions()).record
    assert integer["ok"]
    assert integer["payload"]["value"] == 5
    notification = decode_dlms(bytes.fromhex("0F00000001000600000001"), DecodeOptions()).record
    assert notification["kind"] == "apdu"


def test_decode_dlms_error_record():
    record = decode_dlms(bytes.fromhex("C401C100"), DecodeOptions()).record
    assert record["ok"] is False
    assert "missing data type tag" in record["error"]
    assert record["round_trip"] is False


def test_decode_hdlc_record_and_tree():
    result = decode_hdlc(bytes.fromhex(AARE_FRAME), DecodeOptions())
    assert result.record["ok"] and result.record["round_trip"]
    assert result.record["frame_kind"] == "I"
    assert _find(result.tree, "llc")[0].meaning == "server to client"
    assert _find(result.tree, "aare")


def test_decode_hdlc_error_record():
    record = decode_hdlc(bytes.fromhex(AARE_FRAME[:-6] + "00007E"), DecodeOptions()).record
    assert record["ok"] is False
    assert "frame check sequence" in record["error"]


def test_trees_show_every_data_type():
    tree = data_tree(Data(DataType.STRUCTURE, (Data(DataType.UNSIGNED, 3),
                                               Data(DataType.VISIBLE_STRING, "ok"))))
    assert [child.value for child in tree.children] == [3, "ok"]
    assert tree.raw.hex() == "02021103 0a026f6b".replace(" ", "")


def test_apdu_tree_of_a_ciphered_apdu():
    tree = apdu_tree(parse_apdu(bytes.fromhex(
        "C81E3001234567411312FF935A47566827C467BC7D825C3BE4A77C3FCC056B6B")))
    assert tree.meaning == "glo-get-request"
    assert _find(tree, "security-control")[0].value == 0x30


def test_obis_text():
    assert obis_text(bytes.fromhex("0100010800FF")) == "1-0:1.8.0.255"


def test_cli_decodes_dlms_and_hdlc_as_json():
    runner = CliRunner()
    result = runner.invoke(main, ["decode", "--as", "dlms", "--json", ACCESS_REQUEST])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[0])
    assert record["ok"] and record["round_trip"]
    result = runner.invoke(main, ["decode", "--as", "hdlc", AARE_FRAME])
    assert result.exit_code == 0, result.output
    assert "hdlc-frame" in result.output
    assert "aare" in result.output


def test_cli_reports_a_failure_with_exit_status():
    result = CliRunner().invoke(main, ["decode", "--as", "dlms", "--json", "C40201"])
    assert result.exit_code == 1
    assert json.loads(result.output.splitlines()[0])["ok"] is False


def test_octet_string_readings():
    text = data_tree(Data(DataType.OCTET_STRING, b"CSW "))
    assert text.meaning == "octet-string, text 'CSW '"
    stamp = data_tree(Data(DataType.OCTET_STRING, bytes.fromhex("07EE010FFF090000008000FF")))
    assert stamp.meaning == "octet-string, date-time 2030-01-15 09:00:00.00"
    assert stamp.value == "07EE010FFF090000008000FF"
    opaque = data_tree(Data(DataType.OCTET_STRING, bytes(12)))
    assert opaque.meaning == "octet-string"


def test_boolean_non_canonical_true():
    tree = data_tree(parse_data(bytes.fromhex("03FF")))
    assert tree.value is True
    assert tree.meaning == "boolean, true written as 0xFF"
    assert tree.raw == bytes.fromhex("03FF")


def test_boolean_canonical_values():
    assert data_tree(parse_data(bytes.fromhex("0301"))).value is True
    assert data_tree(parse_data(bytes.fromhex("0300"))).value is False
    assert data_tree(parse_data(bytes.fromhex("0300"))).meaning == "boolean"


def test_cli_long_form_octet_string_round_trips():
    result = CliRunner().invoke(main, ["decode", "--as", "dlms", "--json", "0981050102030405"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[0])
    assert record["ok"] is True
    assert record["round_trip"] is True
    assert record["payload"]["meaning"] == "octet-string, length in long form 0x81"
