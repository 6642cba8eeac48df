"""Fixtures for the GBCS tests: the RTDS key store and parsed frames, and the published GBCS
test vectors.

GBCS section 18.4 "Cryptographic Test Vectors", as transcribed in HenryGiraldo/gbcs
``python/gbcs-tests.py`` (public domain): a critical ECS04b "Reset Meter Balance" command from
Supplier A to Device A, signed with Supplier A's digital-signature key and MACed with the key
agreed between the Access Control Broker and Device A.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.gbcs import GbcsFrame, KeyStore, KeyUsage, parse_frame

SUPPLIER_A = bytes.fromhex("123456789ABCDEF0")
SUPPLIER_A_DS_PRIVATE = 0x3A6B2EAA0D9F25A9E455983FEB5BB947528121911BF3B76BE5661C89DBF24B26
SUPPLIER_A_DS_PUBLIC = bytes.fromhex(
    "76628E1C84EF7935548AE5D62C7BB3AD28964CF794F0387A697EEC19CDD98F46"
    "0A4D5E19087EF7216ED89C29831A6EE838C8DE88EF34F11D3F41F36D80B2A5D5")
ACB_KA_PRIVATE = 0xE4A6CFB431471CFCAE491FD566D19C87082CF9FA7722D7FA24B2B3F5669DBEFB
DEVICE_A = bytes.fromhex("FFFFFFFFFFFFFFFE")
DEVICE_A_KA_PUBLIC = bytes.fromhex(
    "2DB45A3F21889438B42C8F464C75292BACF5FDDB5DA0B492501B299CBFE92D8F"
    "DB90FC8FF4026129838B1BCAD1402CAE47FE7D8084E409A41AFCE16D63579C5F")
# The test vector names no ACB identity. Any EUI works here because the KDF takes the
# originator and recipient EUIs, not the ACB's.
ACB = bytes.fromhex("90B3D51F30000002")

CRITICAL_COMMAND = bytes.fromhex(
    "DD00000000000081A91100000000DF0901000000000000000108123456789ABCDEF008FFFFFFFFFFFFFFFE00"
    "0200B335D92000000100030300700000130A00FF020300700000130A01FF020300700000130A02FF020305"
    "00000000050000000005000000004059045AB0F554622B0360340B9D87B5A23ED5723B41DE3F206E58CDD1"
    "0F915B9FE2E12E2DA3632478A8DF678E418895869AC1E55318CCE04D120D2D6B44DC167B5D832D15B57A56"
    "D620F198B3")


def _vector_keys() -> KeyStore:
    """A key store holding exactly the keys of the GBCS 18.4 vectors."""
    curve = ec.SECP256R1()
    keys = KeyStore()
    keys.add(SUPPLIER_A, KeyUsage.DIGITAL_SIGNATURE,
             private_key=ec.derive_private_key(SUPPLIER_A_DS_PRIVATE, curve))
    keys.add(ACB, KeyUsage.KEY_AGREEMENT, private_key=ec.derive_private_key(ACB_KA_PRIVATE, curve))
    keys.add(DEVICE_A, KeyUsage.KEY_AGREEMENT,
             public_key=ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + DEVICE_A_KA_PUBLIC))
    return keys


@pytest.fixture()
def vector() -> SimpleNamespace:
    """The GBCS 18.4 test vector: identities, the frame and a key store with its keys."""
    return SimpleNamespace(
        supplier=SUPPLIER_A, device=DEVICE_A, acb=ACB, frame=CRITICAL_COMMAND,
        supplier_ds_public=SUPPLIER_A_DS_PUBLIC, keys=_vector_keys(),
    )


@pytest.fixture(scope="session")
def rtds_keys(rtds_dir: Path) -> KeyStore:
    """The RTDS keystore/ folder loaded as a KeyStore."""
    return KeyStore.load(rtds_dir / "keystore")


@pytest.fixture(scope="session")
def rtds_parsed(rtds_frames: list[tuple[Path, bytes]]) -> list[tuple[Path, bytes, GbcsFrame]]:
    """Every RTDS frame with its parsed form."""
    return [(path, data, parse_frame(data)) for path, data in rtds_frames]
