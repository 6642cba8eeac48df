"""DLMS/COSEM codecs: A-XDR data, xDLMS and ACSE APDUs, HDLC frames and AES-GCM security.

The entry points are :func:`parse_apdu` and :func:`build_apdu` (any APDU by its tag octet),
:func:`parse_data` and :func:`build_data` (one A-XDR Data value); :mod:`.describe` turns parsed
values into decode trees.
"""

from commshub.codecs.dlms import acse, ciphered, xdlms
from commshub.codecs.dlms.acse import *
from commshub.codecs.dlms.apdu import APDU_TAGS, build_apdu, parse_apdu
from commshub.codecs.dlms.axdr import (
    BitString,
    CompactArray,
    Data,
    DataType,
    TypeDescription,
    build_data,
    parse_data,
)
from commshub.codecs.dlms.ciphered import *
from commshub.codecs.dlms.cosem_time import CosemDate, CosemDateTime, CosemTime
from commshub.codecs.dlms.xdlms import *

__all__ = [
    "APDU_TAGS",
    "BitString",
    "CompactArray",
    "CosemDate",
    "CosemDateTime",
    "CosemTime",
    "Data",
    "DataType",
    "TypeDescription",
    "build_apdu",
    "build_data",
    "parse_apdu",
    "parse_data",
]
__all__ += xdlms.__all__ + ciphered.__all__ + acse.__all__
