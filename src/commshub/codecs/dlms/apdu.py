"""Parse and build any xDLMS or ACSE APDU by its tag octet."""

from __future__ import annotations

from typing import Any

from commshub.codecs.dlms.acse import ACSE_DECLARATIONS
from commshub.codecs.dlms.ciphered import CIPHERED_DECLARATIONS
from commshub.codecs.dlms.fields import Compiled, TaggedChoice
from commshub.codecs.dlms.xdlms import XDLMS_DECLARATIONS, Apdu, ApduTag

__all__ = ["APDU", "APDU_TAGS", "build_apdu", "parse_apdu"]

# Standard names of the APDUs this package parses, by tag.
APDU_TAGS: dict[int, str] = {int(tag): tag.name.lower().replace("_", "-") for tag in ApduTag}


def _apdu_tag(obj: Any) -> int:
    try:
        tag: int = obj.apdu_tag
    except AttributeError:
        raise TypeError(f"{type(obj).__name__} is not an APDU") from None
    return tag


# The xDLMS-APDU CHOICE: one tag octet, then the APDU the tag names.
APDU = TaggedChoice("APDU", {**XDLMS_DECLARATIONS, **CIPHERED_DECLARATIONS, **ACSE_DECLARATIONS},
                    select=_apdu_tag)
_COMPILED = Compiled(APDU, "apdu")


def parse_apdu(data: bytes) -> Apdu:
    """Parse one whole APDU; raise CodecError (field path, offset, bytes) on bad input."""
    value: Apdu = _COMPILED.parse(data)
    return value


def build_apdu(apdu: Apdu) -> bytes:
    """Build the octets of ``apdu``; raise CodecError naming the field that cannot be encoded."""
    return _COMPILED.build(apdu)
