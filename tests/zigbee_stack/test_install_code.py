"""Install codes: CRC check, link keys and the errors for wrong codes (published vectors)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given

from commshub.cli import main
from commshub.codecs.strategies.zigbee_stack import install_codes
from commshub.codecs.zigbee.install_code import (
    append_crc,
    install_code_crc,
    install_code_from_text,
    link_key_from_install_code,
    parse_install_code,
)
from commshub.codecs.zigbee.stack_common import crc16_x25
from commshub.errors import CodecError

# zigpy tests/test_zigbee_util.py, and two codes derived from zigpy issue #547 and the
# zigpy-xbee PR #150 log whose keys were computed with an independent implementation.
VALID = [
    ("11223344556677884AF7", "41618FC0C83B0E14A589954B16E31466"),
    ("83FED3407A939723A5C639B26916D505C3B5", "66B6900981E1EE3CA4206B6B861C02BB"),
    ("7A939723A5C639B269161802819B", "F93903721685FD329D26849B90F2959A"),
    ("83FED3407A939723A5C639B269161802AEBB", "333C23686079468EB27BA24BD9C7E564"),
    ("6CD535528BAA3BF615DB5DC0560AD6F03468", "A7DE84CAC1B1B40FD0729AB9BD86EA35"),
    ("C9A7D2441A711695CD62170D3328EA2B423D", "9B41119BF25AE14581869D56567FA95A"),
]


def test_crc_x25_check_value() -> None:
    assert crc16_x25(b"123456789") == 0x906E


@pytest.mark.parametrize(("code", "key"), VALID)
def test_link_key_vectors(code: str, key: str) -> None:
    assert link_key_from_install_code(bytes.fromhex(code)) == bytes.fromhex(key)


def test_wrong_crc_is_named() -> None:
    # zigpy tests test_fail_convert_install_code.
    with pytest.raises(CodecError) as info:
        parse_install_code(bytes.fromhex("1122334455667788FFFF"))
    assert "wrong CRC: found FF FF" in info.value.reason
    assert "0xF74A" in info.value.reason
    assert info.value.path == ("install_code", "crc")
    assert info.value.offset == 8


def test_swapped_crc_is_named() -> None:
    # zigpy issue #174: the CRC of "123456" is 0xE672, stored most significant byte first.
    with pytest.raises(CodecError) as info:
        parse_install_code(bytes.fromhex("313233343536E672"))
    assert "CRC bytes are swapped" in info.value.reason
    assert "72 E6" in info.value.reason


def test_schneider_qr_code_rejected() -> None:
    # zigpy issue #547: the printed CRC is wrong; the right one is 34 68.
    with pytest.raises(CodecError) as info:
        parse_install_code(bytes.fromhex("6CD535528BAA3BF615DB5DC0560AD6F003DD"))
    assert "wrong CRC" in info.value.reason
    assert "34 68" in info.value.reason


def test_code_without_crc_gets_hint() -> None:
    # A Bosch "DLK" (zigbee2mqtt #22446) is 16 bytes: a link key or a code without CRC.
    with pytest.raises(CodecError) as info:
        parse_install_code(bytes.fromhex("DD7ED5CDAA8E2C708B67D2B1573DB684"))
    assert "without its CRC or a link key" in info.value.reason


@pytest.mark.parametrize("length", [0, 1, 7, 9, 11, 19, 32])
def test_impossible_lengths(length: int) -> None:
    with pytest.raises(CodecError, match="8, 10, 14 or 18 bytes"):
        parse_install_code(bytes(length))


def test_append_crc_matches_vectors() -> None:
    code = bytes.fromhex("83FED3407A939723A5C639B26916D505")
    assert append_crc(code).hex().upper() == "83FED3407A939723A5C639B26916D505C3B5"
    assert install_code_crc(code) == 0xB5C3
    with pytest.raises(CodecError):
        append_crc(bytes(5))


def test_install_code_from_label_text() -> None:
    assert install_code_from_text("83FE-D340 7A93:9723") == bytes.fromhex("83FED3407A939723")
    with pytest.raises(CodecError):
        install_code_from_text("83FG")


def test_odd_digit_count_is_named() -> None:
    with pytest.raises(CodecError, match="odd number of hex digits, 3"):
        install_code_from_text("112")


@given(install_codes())
def test_link_keys_match_zigpy(code: bytes) -> None:
    zigpy_util = pytest.importorskip("zigpy.util")
    assert link_key_from_install_code(code) == bytes(zigpy_util.convert_install_code(code))


@given(install_codes())
def test_any_corrupted_crc_is_rejected(code: bytes) -> None:
    corrupted = code[:-1] + bytes([code[-1] ^ 0x01])
    with pytest.raises(CodecError):
        parse_install_code(corrupted)


def test_cli_prints_link_key() -> None:
    result = CliRunner().invoke(main, ["zigbee", "link-key",
                                       "83FED3407A939723A5C639B26916D505C3B5"])
    assert result.exit_code == 0, result.output
    assert "66B6900981E1EE3CA4206B6B861C02BB" in result.output
    assert "0xB5C3" in result.output


def test_cli_adds_crc_on_request() -> None:
    result = CliRunner().invoke(main, ["zigbee", "link-key", "--add-crc",
                                       "83FE D340 7A93 9723 A5C6 39B2 6916 D505"])
    assert result.exit_code == 0, result.output
    assert "66B6900981E1EE3CA4206B6B861C02BB" in result.output


def test_cli_explains_swapped_crc() -> None:
    result = CliRunner().invoke(main, ["zigbee", "link-key", "313233343536E672"])
    assert result.exit_code == 1
    assert "CRC bytes are swapped" in result.output
