"""ZigBee install codes: the CRC-16 check and the AES-MMO hash that turns a code into the
trust centre link key a device joins with.

An install code is 6, 8, 12 or 16 bytes followed by its CRC-16/X-25, appended least significant
byte first (ZigBee Base Device Behaviour 10.1 and ZigBee 3.0 install code format). The link key
is the AES-MMO hash of the whole code including the CRC. GBCS CCS01 carries a 16-byte code
without its CRC, so :func:`append_crc` completes such a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from commshub.codecs.zigbee.security import aes_mmo_hash
from commshub.codecs.zigbee.stack_common import crc16_x25
from commshub.errors import CodecError

__all__ = [
    "CODE_LENGTHS",
    "CRC_LENGTH",
    "InstallCode",
    "append_crc",
    "install_code_crc",
    "install_code_from_text",
    "link_key_from_install_code",
    "parse_install_code",
]

CODE_LENGTHS = (6, 8, 12, 16)  # bytes of an install code before its CRC
CRC_LENGTH = 2  # bytes of CRC-16/X-25, little-endian
_LENGTHS_WITH_CRC = tuple(length + CRC_LENGTH for length in CODE_LENGTHS)
_ROOT = "install_code"


@dataclass(frozen=True)
class InstallCode:
    """A checked install code: the code bytes, its CRC and the link key derived from both."""

    code: bytes
    crc: int

    @property
    def with_crc(self) -> bytes:
        """The code followed by its CRC as transmitted (CRC least significant byte first)."""
        return self.code + self.crc.to_bytes(CRC_LENGTH, "little")

    @property
    def link_key(self) -> bytes:
        """The trust centre link key: AES-MMO hash of the code and its CRC."""
        return aes_mmo_hash(self.with_crc)


def install_code_crc(code: bytes) -> int:
    """Return the CRC-16/X-25 of an install code without its CRC."""
    return crc16_x25(code)


def append_crc(code: bytes) -> bytes:
    """Return ``code`` (6, 8, 12 or 16 bytes) followed by its CRC, least significant byte first."""
    if len(code) not in CODE_LENGTHS:
        raise CodecError(
            f"an install code without CRC has 6, 8, 12 or 16 bytes, found {len(code)}",
            path=(_ROOT,), offset=0, data=bytes(code))
    return bytes(code) + install_code_crc(code).to_bytes(CRC_LENGTH, "little")


def parse_install_code(data: bytes) -> InstallCode:
    """Check an install code that ends in its CRC and return it.

    Raises CodecError naming what is wrong. The length may be one that no install code has,
    with a hint when the input looks like a code without its CRC or a bare link key. The CRC
    bytes may be stored in the wrong order, or the CRC may not match the code.
    """
    data = bytes(data)
    if len(data) not in _LENGTHS_WITH_CRC:
        raise CodecError(_length_message(data), path=(_ROOT,), offset=0, data=data)
    code, stored = data[:-CRC_LENGTH], data[-CRC_LENGTH:]
    computed = install_code_crc(code)
    expected = computed.to_bytes(CRC_LENGTH, "little")
    if stored == expected:
        return InstallCode(code, computed)
    crc_path = (_ROOT, "crc")
    if stored == expected[::-1]:
        raise CodecError(
            f"CRC bytes are swapped: found {stored.hex(' ').upper()} (the CRC 0x{computed:04X} "
            f"written most significant byte first); an install code ends in its CRC least "
            f"significant byte first, {expected.hex(' ').upper()}",
            path=crc_path, offset=len(code), data=data)
    raise CodecError(
        f"wrong CRC: found {stored.hex(' ').upper()}, the CRC-16/X-25 of the "
        f"{len(code)}-byte code is 0x{computed:04X}, sent as {expected.hex(' ').upper()}; "
        f"check the code for a mistyped digit{_without_crc_hint(data)}",
        path=crc_path, offset=len(code), data=data)


def _without_crc_hint(data: bytes) -> str:
    # 8 bytes is both a 6-byte code with CRC and an 8-byte code without one.
    if len(data) not in CODE_LENGTHS:
        return ""
    crc = install_code_crc(data).to_bytes(CRC_LENGTH, "little")
    return (f"; if all {len(data)} bytes are the code, without its CRC, the code with CRC is "
            f"{(data + crc).hex().upper()}")


def _length_message(data: bytes) -> str:
    allowed = "install codes with CRC have 8, 10, 14 or 18 bytes"
    if len(data) in CODE_LENGTHS:
        crc = install_code_crc(data).to_bytes(CRC_LENGTH, "little")
        hint = (f"{len(data)} bytes look like an install code without its CRC"
                + (" or a link key" if len(data) == 16 else "")
                + f"; with its CRC the code would be {(data + crc).hex().upper()}")
        return f"{allowed}, found {len(data)}: {hint}"
    return f"{allowed}, found {len(data)}"


def link_key_from_install_code(data: bytes) -> bytes:
    """Return the trust centre link key for an install code that ends in its CRC."""
    return parse_install_code(data).link_key


_SEPARATORS = re.compile(r"[\s:\-]")


def install_code_from_text(text: str) -> bytes:
    """Turn an install code as printed on a label (hex with spaces, colons or dashes) into
    bytes."""
    cleaned = _SEPARATORS.sub("", text)
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    if not re.fullmatch(r"[0-9A-Fa-f]*", cleaned):
        raise CodecError(f"an install code is written as hex digits, found {text!r}",
                         path=(_ROOT,))
    if len(cleaned) % 2:
        raise CodecError(f"invalid install code {text!r}: an odd number of hex digits, "
                         f"{len(cleaned)}, and each byte needs two", path=(_ROOT,))
    return bytes.fromhex(cleaned)
