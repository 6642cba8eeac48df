"""Key Establishment cluster 0x0800 (ZigBee Smart Energy 1.4) with the implicit
certificate layouts of crypto suite 1 (sect163k1, 48 bytes) and suite 2 (sect283k1, 74 bytes).

The field offsets of the suite 2 certificate (issuer at 11, subject at 28) match the Silicon
Labs key establishment plugin (``CERT_ISSUER_OFFSET_283K1``, ``CERT_SUBJECT_OFFSET_283K1``). The
suite 1 layout matches the decoded sample in zsmartsystems' cluster-0800 test log. Certificates
store EUI-64s most significant byte first, so ``subject`` and ``issuer`` read big-endian.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from construct import (
    Bytes,
    BytesInteger,
    GreedyBytes,
    Int8ul,
    Int16ul,
    Int32ub,
    Int64ub,
    Struct,
    Switch,
    this,
)

from commshub.codecs.common import parse
from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import Fast, FixedLength
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import DataType as T
from commshub.errors import CodecError

__all__ = [
    "CERTIFICATE_SIZE",
    "CERTIFICATE_SUITE_1",
    "CERTIFICATE_SUITE_2",
    "CONFIRM_KEY_DATA_REQUEST",
    "CONFIRM_KEY_DATA_RESPONSE",
    "EPHEMERAL_DATA_REQUEST",
    "EPHEMERAL_DATA_RESPONSE",
    "EPHEMERAL_DATA_SIZE",
    "INITIATE_KEY_ESTABLISHMENT_REQUEST",
    "INITIATE_KEY_ESTABLISHMENT_RESPONSE",
    "KEY_ESTABLISHMENT",
    "TERMINATE_KEY_ESTABLISHMENT_TO_CLIENT",
    "TERMINATE_KEY_ESTABLISHMENT_TO_SERVER",
    "KeyEstablishmentSuite",
    "TerminateStatus",
    "parse_certificate",
]

KEY_ESTABLISHMENT_ID = 0x0800
# Size of the SMAC in Confirm Key Data (Smart Energy 1.4), bytes.
SMAC_SIZE = 16


class KeyEstablishmentSuite(IntEnum):
    """Crypto suites (Smart Energy 1.4). GB HANs use suite 2."""

    SUITE_1 = 0x0001  # ECMQV and ECQV implicit certificates on sect163k1, AES-MMO
    SUITE_2 = 0x0002  # the same on sect283k1


class TerminateStatus(IntEnum):
    """Status codes of Terminate Key Establishment (Smart Energy 1.4)."""

    UNKNOWN_ISSUER = 0x01
    BAD_KEY_CONFIRM = 0x02
    BAD_MESSAGE = 0x03
    NO_RESOURCES = 0x04
    UNSUPPORTED_SUITE = 0x05
    INVALID_CERTIFICATE = 0x06


# Sizes per suite in bytes (EmberZNet's EMBER_CERTIFICATE_SIZE / _283K1_SIZE and
# EMBER_PUBLIC_KEY_SIZE / _283K1_SIZE).
CERTIFICATE_SIZE = {KeyEstablishmentSuite.SUITE_1: 48, KeyEstablishmentSuite.SUITE_2: 74}
EPHEMERAL_DATA_SIZE = {KeyEstablishmentSuite.SUITE_1: 22, KeyEstablishmentSuite.SUITE_2: 37}

CERTIFICATE_SUITE_1 = Struct(
    "public_key_reconstruction_data" / Bytes(22),  # compressed sect163k1 point
    "subject" / Int64ub,  # EUI-64 of the certificate holder
    "issuer" / Int64ub,  # identifier of the certificate authority
    "profile_attribute_data" / Bytes(10),
)

CERTIFICATE_SUITE_2 = Struct(
    "type" / Int8ul,  # 0x00: implicit certificate
    "serial_number" / Bytes(8),
    "curve" / Int8ul,  # 0x0D: sect283k1
    "hash" / Int8ul,  # 0x08: AES-MMO
    "issuer" / Int64ub,
    # NOTE: valid_from (40 bits) and valid_to (32 bits) stay raw big-endian integers. The decode
    # tree shows them as dates the way Wireshark 4.0 reads them (valid_from in Unix seconds,
    # valid_to in seconds after it, 0xFFFFFFFF: no expiry); no public copy of the Smart Energy
    # standard read here states the time base.
    "valid_from" / BytesInteger(5),
    "valid_to" / Int32ub,
    "subject" / Int64ub,
    "key_usage" / Int8ul,  # 0x08 key agreement, 0x80 digital signature
    "public_key_reconstruction_data" / Bytes(37),  # compressed sect283k1 point
)

_CERTIFICATE = Switch(
    this.key_establishment_suite,
    {int(KeyEstablishmentSuite.SUITE_1): CERTIFICATE_SUITE_1, int(KeyEstablishmentSuite.SUITE_2): CERTIFICATE_SUITE_2},
    default=GreedyBytes,  # an unknown suite keeps its identity field as bytes
)

_INITIATE = Struct(
    "key_establishment_suite" / Int16ul,
    "ephemeral_data_generate_time" / Int8ul,  # seconds
    "confirm_key_generate_time" / Int8ul,  # seconds
    "identity" / _CERTIFICATE,
)
_EPHEMERAL = Struct("ephemeral_data" / FixedLength(*EPHEMERAL_DATA_SIZE.values()))
_CONFIRM = Struct("secure_message_authentication_code" / Bytes(SMAC_SIZE))
_TERMINATE = Struct(
    "status_code" / Int8ul,
    "wait_time" / Int8ul,  # seconds before the partner may retry
    "key_establishment_suite" / Int16ul,
)

_TO_SERVER = commands(
    KEY_ESTABLISHMENT_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "initiate_key_establishment_request", _INITIATE),
    (0x01, "ephemeral_data_request", _EPHEMERAL),
    (0x02, "confirm_key_data_request", _CONFIRM),
    (0x03, "terminate_key_establishment", _TERMINATE),
)
_TO_CLIENT = commands(
    KEY_ESTABLISHMENT_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "initiate_key_establishment_response", _INITIATE),
    (0x01, "ephemeral_data_response", _EPHEMERAL),
    (0x02, "confirm_key_data_response", _CONFIRM),
    (0x03, "terminate_key_establishment", _TERMINATE),
)

KEY_ESTABLISHMENT = register(Cluster(
    KEY_ESTABLISHMENT_ID, "Key Establishment",
    attributes=attributes((0x0000, "key_establishment_suite", T.ENUM16), GLOBAL_ATTRIBUTES),
    client_attributes=attributes((0x0000, "key_establishment_suite", T.ENUM16), GLOBAL_ATTRIBUTES),
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

INITIATE_KEY_ESTABLISHMENT_REQUEST = _TO_SERVER[0x00]
EPHEMERAL_DATA_REQUEST = _TO_SERVER[0x01]
CONFIRM_KEY_DATA_REQUEST = _TO_SERVER[0x02]
TERMINATE_KEY_ESTABLISHMENT_TO_SERVER = _TO_SERVER[0x03]
INITIATE_KEY_ESTABLISHMENT_RESPONSE = _TO_CLIENT[0x00]
EPHEMERAL_DATA_RESPONSE = _TO_CLIENT[0x01]
CONFIRM_KEY_DATA_RESPONSE = _TO_CLIENT[0x02]
TERMINATE_KEY_ESTABLISHMENT_TO_CLIENT = _TO_CLIENT[0x03]

_CERTIFICATE_BY_SIZE = {48: Fast(CERTIFICATE_SUITE_1), 74: Fast(CERTIFICATE_SUITE_2)}


def parse_certificate(data: bytes) -> Any:
    """Decode an implicit certificate of either suite, told apart by its size (48 or 74 bytes)."""
    declaration = _CERTIFICATE_BY_SIZE.get(len(data))
    if declaration is None:
        raise CodecError(f"a certificate has 48 (suite 1) or 74 (suite 2) bytes, found {len(data)}",
                         path=("certificate",), offset=0, data=bytes(data))
    return parse(declaration, data, root="certificate")
