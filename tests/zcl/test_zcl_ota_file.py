"""OTA upgrade files: published samples, vendor quirks, and GBCS images signed with P-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.zigbee import ota
from commshub.errors import CodecError, LocalProtocolError

# zsmartsystems/com.zsmartsystems.zigbee src/test/resource/test_ota_file.test: a complete 78-byte
# file, manufacturer 0x1234, image type 0x0006, version 0x12345678, stack 2, header string
# "A.String", one UPGRADE_IMAGE element of 16 bytes 00..0F.
ZSMART_OTA_FILE = bytes.fromhex(
    "1ef1ee0b 0001 3800 0000 3412 0600 78563412 0200".replace(" ", "")
) + b"A.String".ljust(32, b"\x00") + bytes.fromhex("4e000000 0000 10000000".replace(" ", "")) + bytes(range(16))

# zigpy/zigpy tests/ota/test_ota_image.py: the IKEA EBL header of _test_ota_img_header (field
# control 0) and the Philips Hue header of create_hue_ota.
IKEA_HEADER = (b"\x1e\xf1\xee\x0b\x00\x018\x00\x00\x00|\x11\x01!rE!\x12\x02\x00EBL tradfri_light_basic"
               b"\x00\x00\x00\x00\x00\x00\x00\x00\x00~\x91\x02\x00")
HUE_HEADER = bytes.fromhex(
    "1ef1ee0b0001380000000b100301d5670042020000000000000000000000000000000000000000"
    "0000000000000000000000000038f00300")


def test_zsmartsystems_sample_file():
    image = ota.read_ota_file(ZSMART_OTA_FILE)
    header = image.header
    assert (header.manufacturer_code, header.image_type, header.file_version) == (0x1234, 0x0006, 0x12345678)
    assert (header.zigbee_stack_version, header.header_string, header.total_image_size) == (2, "A.String", 78)
    assert header.header_length == 56
    assert image.elements == (ota.SubElement(ota.TagId.UPGRADE_IMAGE, bytes(range(16))),)
    # ZigBeeOtaFileTest asserts getImageData(62, 5) == 00 01 02 03 04.
    assert ZSMART_OTA_FILE[62:67] == bytes(range(5))
    assert image.warnings == ()
    assert image.to_bytes() == ZSMART_OTA_FILE


def test_zigpy_ikea_header():
    header = ota.read_ota_header(IKEA_HEADER)
    assert (header.manufacturer_code, header.image_type, header.file_version) == (4476, 0x2101, 0x12214572)
    assert (header.zigbee_stack_version, header.total_image_size) == (2, 0x0002917E)
    assert header.header_string == "EBL tradfri_light_basic"
    assert header.to_bytes() == IKEA_HEADER


def test_zigpy_image_with_two_elements_and_extra_bytes():
    elements = b"\x00\x00\x04\x00\x00\x00abcd" + b"\x01\x00\x04\x00\x00\x004321"
    header = IKEA_HEADER[:52] + (56 + len(elements)).to_bytes(4, "little")
    image = ota.read_ota_file(header + elements + b"edbc321")
    assert [(e.tag, e.data) for e in image.elements or ()] == [(0, b"abcd"), (1, b"4321")]
    assert image.trailing == b"edbc321"
    assert "7 bytes after" in image.warnings[0]
    with pytest.raises(CodecError, match="truncated"):
        ota.read_ota_file(header + elements[:-1])


def test_header_string_not_utf8_round_trips():
    # zigpy test_header_string_roundtrip_invalid: 32 bytes that are not UTF-8.
    raw = bytes.fromhex("5a757d364000603e400013704000010000009f364000b015400020904000ffff")
    data = IKEA_HEADER[:20] + raw + IKEA_HEADER[52:]
    header = ota.read_ota_header(data)
    assert header.header_string.raw == raw
    assert header.to_bytes() == data


def test_wrong_magic_is_rejected():
    # zigpy test_ota_img_wrong_header: 1E F0 EE 0B.
    with pytest.raises(CodecError, match="not a ZigBee OTA upgrade file.*1E F0 EE 0B"):
        ota.read_ota_file(b"\x1e\xf0" + IKEA_HEADER[2:])


def test_non_ota_file_is_rejected_cleanly():
    # zigpy/zigpy issue 694: Synology metadata files in the OTA folder.
    with pytest.raises(CodecError, match="not a ZigBee OTA upgrade file"):
        ota.read_ota_file(b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00" + bytes(100))


def test_truncated_header_is_bounds_checked():
    # Koenkk/zigbee-OTA issue 104: reading beyond the buffer while parsing the header.
    for size in (4, 10, 30, 55):
        with pytest.raises(CodecError, match="ota -> header"):
            ota.read_ota_file(IKEA_HEADER[:size])


def test_file_longer_than_header_states_warns():
    # zigpy/zigpy issue 1733: "expected 280318 bytes, got 281446".
    body = b"\x00\x00" + (100).to_bytes(4, "little") + bytes(100)
    data = IKEA_HEADER[:52] + (56 + len(body)).to_bytes(4, "little") + body + bytes(1128)
    image = ota.read_ota_file(data)
    assert len(image.trailing) == 1128
    assert "1128 bytes after the 162 bytes" in image.warnings[0]


def test_hue_file_without_sub_elements():
    # zigpy/zigpy-cli issue 22 and zigpy create_hue_ota: no sub-elements, body starts 2A 00 01.
    body = b"\x2a\x00\x01test"
    data = HUE_HEADER[:52] + (56 + len(body)).to_bytes(4, "little") + body
    image = ota.read_ota_file(data)
    assert image.header.manufacturer_code == 0x100B
    assert image.elements is None
    assert image.body == body
    assert "not a list of sub-elements" in image.warnings[0]
    assert image.to_bytes() == data


@pytest.mark.parametrize(("image_type", "size", "string"), [
    (16643, 203316, "GBL GBL_tradfri_light_unified_w"),  # zigpy/zigpy issue 599
    (16900, 208180, "GBL GBL_tradfri_sy5882_bulb_ws"),  # home-assistant/core issue 42261
])
def test_gbl_image_size_is_not_checked_against_64(image_type, size, string):
    payload = bytes.fromhex("EB17A603") + bytes(size - 4 - 6)
    header = ota.OtaHeader(manufacturer_code=4476, image_type=image_type, file_version=587531825,
                           header_string=string)
    data = ota.build_ota_file(header, elements=[ota.SubElement(ota.TagId.UPGRADE_IMAGE, payload)])
    image = ota.read_ota_file(data)
    assert len(data) % 64
    assert image.warnings == ()
    assert ota.payload_format(payload) == "gbl"


def test_ebl_image_size_not_multiple_of_64_warns():
    payload = bytes.fromhex("0000008C") + bytes(100)
    header = ota.OtaHeader(manufacturer_code=4476, image_type=1, file_version=1)
    image = ota.read_ota_file(ota.build_ota_file(header, elements=[ota.SubElement(0, payload)]))
    assert image.warnings == ("the EBL upgrade image has 104 bytes, not a multiple of 64",)


def test_vendor_wrapper_is_named():
    with pytest.raises(CodecError, match="starts at offset 4.*strip the first 4 bytes"):
        ota.read_ota_file((78).to_bytes(4, "little") + ZSMART_OTA_FILE)


def test_header_length_shorter_than_field_control_needs():
    data = IKEA_HEADER[:8] + b"\x01\x00" + IKEA_HEADER[10:] + b"\xac"
    with pytest.raises(CodecError, match="header length 56 is shorter than the 57 bytes"):
        ota.read_ota_header(data)


def test_header_extension_beyond_known_fields_is_kept():
    header = ota.OtaHeader(manufacturer_code=1, image_type=2, file_version=3, header_extension=b"\x01\x02")
    data = ota.build_ota_file(header, elements=[])
    image = ota.read_ota_file(data)
    assert image.header.header_length == 58
    assert image.header.header_extension == b"\x01\x02"
    assert image.to_bytes() == data


def test_every_optional_header_field():
    header = ota.OtaHeader(manufacturer_code=1, image_type=2, file_version=3, security_credential_version=1,
                           upgrade_file_destination=0x00DB1234567890A1, minimum_hardware_version=0x0101,
                           maximum_hardware_version=0x0202)
    image = ota.read_ota_file(ota.build_ota_file(header, elements=[ota.SubElement(0xF000, b"x")]))
    assert image.header.field_control == 0x0007
    assert image.header.header_length == 69
    assert image.header.upgrade_file_destination == 0x00DB1234567890A1
    assert image.elements[0].tag_name == "manufacturer tag 0xF000"


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def test_gbcs_image_round_trip_with_p256():
    key = _key()
    manufacturer_image = bytes(range(256)) * 4
    data = ota.build_gbcs_ota_file(manufacturer_image, manufacturer_code=0x1234, image_type=0x0001,
                                   file_version=0x00000102, private_key=key, force_replace=True)
    assert len(data) == 60 + len(manufacturer_image) + 66
    assert data[60 + len(manufacturer_image):60 + len(manufacturer_image) + 2] == b"\x01\x40"
    image = ota.read_ota_file(data)
    assert image.header.header_length == 60
    assert image.header.field_control == ota.FieldControl.HARDWARE_VERSIONS
    assert image.upgrade_image is not None
    assert image.upgrade_image.manufacturer_image == manufacturer_image
    assert image.upgrade_image.force_replace == 1
    assert image.upgrade_image.manufacturer_image_hash == hashlib.sha256(manufacturer_image).digest()
    assert image.upgrade_image.verify(key.public_key())
    assert not image.upgrade_image.verify(_key().public_key())
    assert image.to_bytes() == data
    assert image.warnings == ()


def test_gbcs_image_needs_a_manufacturer_image():
    with pytest.raises(LocalProtocolError, match="manufacturer image is empty"):
        ota.build_gbcs_ota_file(b"", manufacturer_code=1, image_type=2, file_version=3,
                                private_key=_key())


def test_gbcs_tampered_image_fails_verification():
    key = _key()
    data = bytearray(ota.build_gbcs_ota_file(b"firmware", manufacturer_code=1, image_type=2,
                                             file_version=3, private_key=key))
    data[61] ^= 0x01
    image = ota.read_ota_file(bytes(data), layout="gbcs")
    assert image.upgrade_image is not None
    assert not image.upgrade_image.verify(key.public_key())


def test_gbcs_file_name():
    header = ota.OtaHeader(manufacturer_code=0x1234, image_type=0x0001, file_version=0x102)
    digest = hashlib.sha256(b"x").digest()
    assert ota.gbcs_file_name(header, digest) == f"1234-0001-00000102-{digest.hex().upper()}.zigbee"


def test_gbcs_layout_requires_signature_length_byte():
    header = ota.OtaHeader(manufacturer_code=1, image_type=2, file_version=3)
    data = ota.build_ota_file(header, body=bytes(10) + b"\x00\x41" + bytes(64))
    with pytest.raises(CodecError, match="signature_length"):
        ota.read_ota_file(data, layout="gbcs")
    assert ota.read_ota_file(data).upgrade_image is None


def test_sign_rejects_other_curves():
    with pytest.raises(CodecError, match="P-256"):
        ota.sign_manufacturer_image(b"x", ec.generate_private_key(ec.SECP384R1()))


def test_gbcs_image_signed_by_rtds_supplier(rtds_dir: Path):
    # The DCC test supplier 90B3D51F30010000 signs; its digital signature certificate verifies.
    keystore = rtds_dir / "keystore"
    key = serialization.load_pem_private_key((keystore / "90b3d51f30010000-ds.key").read_bytes(), None)
    certificate = x509.load_pem_x509_certificate((keystore / "90b3d51f30010000-ds.pem").read_bytes())
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    data = ota.build_gbcs_ota_file(b"meter firmware", manufacturer_code=0x1234, image_type=1,
                                   file_version=7, private_key=key)
    image = ota.read_ota_file(data)
    assert image.upgrade_image is not None
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    assert image.upgrade_image.verify(public_key)
