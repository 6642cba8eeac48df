"""ZigBee OTA upgrade files (ZCL revision 6) and the GBCS upgrade image they carry.

An OTA file is a header, then either a list of tagged sub-elements or, in files from some
vendors and in GBCS images, a body without sub-elements. The GBCS upgrade image body is the
manufacturer image, a force-replace byte (read only by the Communications Hub), the byte 0x40
(the signature length) and the supplier's 64-byte ECDSA P-256 signature of the manufacturer
image as r || s; its manufacturer image hash is the SHA-256 of the manufacturer image. That
layout, a 60-byte header with hardware versions and no sub-element, follows
HenryGiraldo/gbcs ``create_ota_upgrade_image`` (which cites GBCS 11.2.2 to 11.2.4).

Reading is tolerant. A file longer than its header states keeps the extra bytes with a warning,
and a body that is not a list of sub-elements stays raw with a warning. A truncated file, a
wrong file identifier or a header shorter than its field control needs raise CodecError.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import IntEnum, IntFlag
from typing import Any, Literal

import construct
from construct import (
    Bytes,
    Const,
    Construct,
    GreedyBytes,
    Int8ul,
    Int16ul,
    Int32ul,
    Int64ul,
    Prefixed,
    Struct,
    this,
)
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from commshub.codecs.common import build, parse
from commshub.codecs.zigbee.zcl.constructs import Fast, Maybe, PresenceFlags
from commshub.codecs.zigbee.zcl.types import ZclText
from commshub.errors import CodecError, LocalProtocolError

__all__ = [
    "GBCS_SIGNATURE_LENGTH",
    "GBCS_SIGNATURE_SIZE",
    "GBCS_UPGRADE_IMAGE",
    "OTA_FILE_IDENTIFIER",
    "OTA_HEADER",
    "OTA_HEADER_VERSION",
    "SUB_ELEMENT",
    "ZIGBEE_PRO_STACK_VERSION",
    "FieldControl",
    "GbcsUpgradeImage",
    "OtaFile",
    "OtaHeader",
    "SubElement",
    "TagId",
    "build_gbcs_ota_file",
    "build_ota_file",
    "gbcs_file_name",
    "payload_format",
    "read_ota_file",
    "read_ota_header",
    "sign_manufacturer_image",
    "verify_manufacturer_image",
]

# The file identifier 0x0BEEF11E, little-endian on the wire (ZCL revision 6).
OTA_FILE_IDENTIFIER = 0x0BEEF11E
_FILE_IDENTIFIER_BYTES = OTA_FILE_IDENTIFIER.to_bytes(4, "little")
OTA_HEADER_VERSION = 0x0100
ZIGBEE_PRO_STACK_VERSION = 0x0002
# Header without optional fields, bytes (ZCL revision 6).
_BASE_HEADER_SIZE = 56
_HEADER_STRING_SIZE = 32
# Sub-element: 2-byte tag and 4-byte length before the data (ZCL revision 6).
_SUB_ELEMENT_HEADER_SIZE = 6
# GBCS: the signature length byte and the raw r || s ECDSA P-256 signature.
GBCS_SIGNATURE_LENGTH = 0x40
GBCS_SIGNATURE_SIZE = 64
_GBCS_SUFFIX_SIZE = 1 + 1 + GBCS_SIGNATURE_SIZE
_P256_SCALAR_SIZE = 32
# How far into a file to look for a misplaced OTA header when reporting a vendor wrapper.
_WRAPPER_SEARCH_LIMIT = 4096
# Silicon Labs bootloader image formats seen inside UPGRADE_IMAGE elements: EBL files start
# with tag 0x0000 length 0x008C and are padded to 64 bytes; GBL files start with EB 17 A6 03.
_EBL_MAGIC = bytes.fromhex("0000008C")
_GBL_MAGIC = bytes.fromhex("EB17A603")
_EBL_ALIGNMENT = 64


class FieldControl(IntFlag):
    """OTA header field control bits: which optional fields follow the header string."""

    SECURITY_CREDENTIAL_VERSION = 0x0001
    DEVICE_SPECIFIC_FILE = 0x0002
    HARDWARE_VERSIONS = 0x0004


class TagId(IntEnum):
    """Sub-element tags (ZCL revision 6); 0xF000-0xFFFF are manufacturer tags."""

    UPGRADE_IMAGE = 0x0000
    ECDSA_SIGNATURE_SUITE_1 = 0x0001
    ECDSA_SIGNING_CERTIFICATE_SUITE_1 = 0x0002
    IMAGE_INTEGRITY_CODE = 0x0003
    PICTURE_DATA = 0x0004
    ECDSA_SIGNATURE_SUITE_2 = 0x0005
    ECDSA_SIGNING_CERTIFICATE_SUITE_2 = 0x0006


def _optional_fields_size(field_control: int) -> int:
    size = 0
    if field_control & FieldControl.SECURITY_CREDENTIAL_VERSION:
        size += 1
    if field_control & FieldControl.DEVICE_SPECIFIC_FILE:
        size += 8
    if field_control & FieldControl.HARDWARE_VERSIONS:
        size += 4
    return size


class _HeaderString(construct.Adapter):  # type: ignore[misc]
    """The 32-byte header string: text up to the first NUL, raw bytes kept for a round trip."""

    def __init__(self) -> None:
        super().__init__(Bytes(_HEADER_STRING_SIZE))

    def _decode(self, obj: bytes, context: Any, path: str) -> ZclText:
        return ZclText(obj)

    def _encode(self, obj: Any, context: Any, path: str) -> bytes:
        if isinstance(obj, ZclText):
            raw = obj.raw
        elif isinstance(obj, str):
            raw = obj.encode("utf-8")
        else:
            raise construct.StringError(f"expected str, found {type(obj).__name__}", path=path)
        if len(raw) > _HEADER_STRING_SIZE:
            raise construct.StringError(
                f"header string of {len(raw)} bytes exceeds {_HEADER_STRING_SIZE}", path=path)
        return raw.ljust(_HEADER_STRING_SIZE, b"\x00")


class _HeaderExtension(construct.Construct):  # type: ignore[misc]
    """Bytes between the fields the field control announces and the header length.

    A later header version may add fields there; a header length too short for the announced
    fields raises.
    """

    def __init__(self) -> None:
        super().__init__()
        self.flagbuildnone = True

    def _parse(self, stream: Any, context: Any, path: str) -> bytes:
        known = _BASE_HEADER_SIZE + _optional_fields_size(context.field_control)
        extra = context.header_length - known
        if extra < 0:
            raise construct.ExplicitError(
                f"header length {context.header_length} is shorter than the {known} bytes that "
                f"field control 0x{context.field_control:04X} requires", path=path)
        data: bytes = construct.stream_read(stream, extra, path)
        return data

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> bytes:
        data = bytes(obj or b"")
        construct.stream_write(stream, data, len(data), path)
        return data

    def _sizeof(self, context: Any, path: str) -> int:
        raise construct.SizeofError("the header extension has no fixed size", path=path)


class _HeaderLength(construct.Subconstruct):  # type: ignore[misc]
    """The header length field, computed from the fields present when building."""

    def __init__(self) -> None:
        super().__init__(Int16ul)
        self.flagbuildnone = True

    def _build(self, obj: Any, stream: Any, context: Any, path: str) -> int:
        length = _header_size(_field_control_of(context), context.header_extension)
        built: int = self.subcon._build(length, stream, context, path)
        return built


def _field_control_of(fields: Any) -> int:
    """Return the given field control, or the one the present optional fields call for."""
    if fields.field_control is not None:
        return int(fields.field_control)
    return int((FieldControl.SECURITY_CREDENTIAL_VERSION if fields.security_credential_version is not None else 0)
               | (FieldControl.DEVICE_SPECIFIC_FILE if fields.upgrade_file_destination is not None else 0)
               | (FieldControl.HARDWARE_VERSIONS if fields.minimum_hardware_version is not None else 0))


def _header_size(field_control: int, header_extension: bytes | None) -> int:
    return _BASE_HEADER_SIZE + _optional_fields_size(field_control) + len(header_extension or b"")


OTA_HEADER: Construct = Fast(Struct(
    "file_identifier" / Const(_FILE_IDENTIFIER_BYTES),
    "header_version" / Int16ul,
    "header_length" / _HeaderLength(),
    "field_control" / PresenceFlags(Int16ul, {
        int(FieldControl.SECURITY_CREDENTIAL_VERSION): "security_credential_version",
        int(FieldControl.DEVICE_SPECIFIC_FILE): "upgrade_file_destination",
        int(FieldControl.HARDWARE_VERSIONS): "minimum_hardware_version",
    }),
    "manufacturer_code" / Int16ul,
    "image_type" / Int16ul,
    "file_version" / Int32ul,
    "zigbee_stack_version" / Int16ul,
    "header_string" / _HeaderString(),
    "total_image_size" / Int32ul,  # bytes, header included
    "security_credential_version" / Maybe(this.field_control & FieldControl.SECURITY_CREDENTIAL_VERSION.value, Int8ul),
    "upgrade_file_destination" / Maybe(this.field_control & FieldControl.DEVICE_SPECIFIC_FILE.value, Int64ul),
    "minimum_hardware_version" / Maybe(this.field_control & FieldControl.HARDWARE_VERSIONS.value, Int16ul),
    "maximum_hardware_version" / Maybe(this.field_control & FieldControl.HARDWARE_VERSIONS.value, Int16ul),
    "header_extension" / _HeaderExtension(),
))

SUB_ELEMENT: Construct = Struct("tag" / Int16ul, "data" / Prefixed(Int32ul, GreedyBytes))

GBCS_UPGRADE_IMAGE: Construct = Struct(
    "manufacturer_image" / Bytes(this._params.body_size - _GBCS_SUFFIX_SIZE),
    "force_replace" / Int8ul,
    "signature_length" / Const(bytes([GBCS_SIGNATURE_LENGTH])),
    "signature" / Bytes(GBCS_SIGNATURE_SIZE),
)


@dataclass(frozen=True)
class OtaHeader:
    """The OTA header fields. ``field_control`` None means "derive from the optional fields"."""

    manufacturer_code: int
    image_type: int
    file_version: int
    total_image_size: int = 0
    header_version: int = OTA_HEADER_VERSION
    zigbee_stack_version: int = ZIGBEE_PRO_STACK_VERSION
    header_string: str = ""
    security_credential_version: int | None = None
    upgrade_file_destination: int | None = None
    minimum_hardware_version: int | None = None
    maximum_hardware_version: int | None = None
    field_control: int | None = None
    header_extension: bytes = b""

    @property
    def header_length(self) -> int:
        """Size of the encoded header in bytes."""
        return _header_size(_field_control_of(self), self.header_extension)

    def to_bytes(self) -> bytes:
        """Encode the header."""
        return build(OTA_HEADER, self._as_dict(), root="ota_header")

    def _as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class SubElement:
    """A tagged sub-element of an OTA file."""

    tag: int
    data: bytes

    @property
    def tag_name(self) -> str:
        """The tag's standard name, or "manufacturer tag 0xF000" style text."""
        try:
            return TagId(self.tag).name
        except ValueError:
            kind = "manufacturer tag" if self.tag >= 0xF000 else "reserved tag"
            return f"{kind} 0x{self.tag:04X}"


@dataclass(frozen=True)
class GbcsUpgradeImage:
    """The body of a GBCS OTA upgrade image."""

    manufacturer_image: bytes
    signature: bytes
    force_replace: int = 0

    @property
    def manufacturer_image_hash(self) -> bytes:
        """SHA-256 of the manufacturer image: the hash CS06 activation and alert 0x8F72 quote."""
        return hashlib.sha256(self.manufacturer_image).digest()

    def to_bytes(self) -> bytes:
        """Encode the body: manufacturer image, force-replace byte, 0x40 and the signature."""
        value = {"manufacturer_image": self.manufacturer_image, "force_replace": self.force_replace,
                 "signature": self.signature}
        return build(GBCS_UPGRADE_IMAGE, value, root="gbcs_upgrade_image",
                     body_size=len(self.manufacturer_image) + _GBCS_SUFFIX_SIZE)

    def verify(self, public_key: ec.EllipticCurvePublicKey) -> bool:
        """Check the signature with the supplier's P-256 public key."""
        return verify_manufacturer_image(self.manufacturer_image, self.signature, public_key)


@dataclass(frozen=True)
class OtaFile:
    """A decoded OTA file.

    ``elements`` is None when the body is not a list of sub-elements, and ``upgrade_image`` is
    set when the body has the GBCS layout. ``body`` always contains the bytes between the header
    and the total image size, and ``trailing`` the bytes after it.
    """

    header: OtaHeader
    body: bytes
    elements: tuple[SubElement, ...] | None = None
    upgrade_image: GbcsUpgradeImage | None = None
    trailing: bytes = b""
    warnings: tuple[str, ...] = field(default=())

    def element(self, tag: int) -> SubElement | None:
        """Return the first sub-element with ``tag``, if any."""
        for element in self.elements or ():
            if element.tag == tag:
                return element
        return None

    def to_bytes(self) -> bytes:
        """Encode the file exactly as read (header, body, trailing bytes)."""
        return self.header.to_bytes() + self.body + self.trailing


def _check_identifier(data: bytes) -> None:
    if data[:4] == _FILE_IDENTIFIER_BYTES:
        return
    found = data.find(_FILE_IDENTIFIER_BYTES, 0, _WRAPPER_SEARCH_LIMIT)
    if found > 0:
        raise CodecError(
            f"the OTA header starts at offset {found}, not 0: the file is wrapped in a vendor "
            f"container, which commshub does not unwrap; strip the first {found} bytes",
            path=("ota", "header", "file_identifier"), offset=0, data=data)
    shown = data[:4].hex(" ").upper() or "empty"
    raise CodecError(
        f"not a ZigBee OTA upgrade file: the file identifier is {shown}, expected 1E F1 EE 0B",
        path=("ota", "header", "file_identifier"), offset=0, data=data)


def read_ota_header(data: bytes) -> OtaHeader:
    """Decode the OTA header at the start of ``data`` (the rest of the file may be missing)."""
    data = bytes(data)
    _check_identifier(data)
    try:
        value = parse(OTA_HEADER, data, root="header", exact=False)
    except CodecError as exc:
        raise exc.within("ota") from None
    return OtaHeader(**{name: value[name] for name in OtaHeader.__dataclass_fields__})


def _parse_sub_elements(body: bytes) -> tuple[SubElement, ...] | None:
    # The body is a list of sub-elements only when their lengths tile it exactly.
    elements = []
    offset = 0
    while offset < len(body):
        if len(body) - offset < _SUB_ELEMENT_HEADER_SIZE:
            return None
        tag = int.from_bytes(body[offset:offset + 2], "little")
        length = int.from_bytes(body[offset + 2:offset + _SUB_ELEMENT_HEADER_SIZE], "little")
        start = offset + _SUB_ELEMENT_HEADER_SIZE
        if length > len(body) - start:
            return None
        elements.append(SubElement(tag, body[start:start + length]))
        offset = start + length
    return tuple(elements)


def _parse_gbcs_body(body: bytes, *, data: bytes, offset: int) -> GbcsUpgradeImage:
    if len(body) < _GBCS_SUFFIX_SIZE:
        raise CodecError(
            f"a GBCS upgrade image body has at least {_GBCS_SUFFIX_SIZE} bytes, found {len(body)}",
            path=("ota", "gbcs_upgrade_image"), offset=offset, data=data)
    try:
        value = parse(GBCS_UPGRADE_IMAGE, body, root="gbcs_upgrade_image", body_size=len(body))
    except CodecError as exc:
        raise CodecError(exc.reason, path=("ota", *exc.path), offset=offset + (exc.offset or 0),
                         data=data) from None
    return GbcsUpgradeImage(bytes(value.manufacturer_image), bytes(value.signature), value.force_replace)


def _looks_like_gbcs(body: bytes) -> bool:
    return len(body) >= _GBCS_SUFFIX_SIZE and body[-GBCS_SIGNATURE_SIZE - 1] == GBCS_SIGNATURE_LENGTH


def read_ota_file(data: bytes, *, layout: Literal["auto", "zigbee", "gbcs"] = "auto") -> OtaFile:
    """Decode an OTA upgrade file.

    ``layout`` "zigbee" expects sub-elements and keeps a body without them raw, with a warning.
    "gbcs" expects the GBCS upgrade image body. "auto" takes sub-elements when their lengths
    tile the body exactly, else the GBCS layout when the signature length byte is in place, else
    a raw body with a warning.
    """
    data = bytes(data)
    header = read_ota_header(data)
    header_length = header.header_length
    size = header.total_image_size
    warnings: list[str] = []
    if size < header_length:
        raise CodecError(
            f"total image size {size} is smaller than the {header_length}-byte header",
            path=("ota", "header", "total_image_size"), offset=52, data=data)
    if len(data) < size:
        raise CodecError(
            f"the header states a total image size of {size} bytes but the file has only "
            f"{len(data)}: the file is truncated", path=("ota", "body"), offset=len(data), data=data)
    trailing = data[size:]
    if trailing:
        warnings.append(
            f"the file has {len(trailing)} bytes after the {size} bytes its header states; "
            "they are not part of the image")
    body = data[header_length:size]

    elements = None if layout == "gbcs" else _parse_sub_elements(body)
    upgrade_image = None
    if layout == "gbcs" or (layout == "auto" and elements is None and _looks_like_gbcs(body)):
        upgrade_image = _parse_gbcs_body(body, data=data, offset=header_length)
    elif elements is None:
        warnings.append("the body is not a list of sub-elements (a vendor format); it is kept as raw bytes")
    for element in elements or ():
        warning = _payload_warning(element)
        if warning:
            warnings.append(warning)
    return OtaFile(header, body, elements, upgrade_image, trailing, tuple(warnings))


def payload_format(image: bytes) -> str | None:
    """Name the bootloader format of an upgrade image: "ebl", "gbl", or None when unknown."""
    if image.startswith(_GBL_MAGIC):
        return "gbl"
    if image.startswith(_EBL_MAGIC):
        return "ebl"
    return None


def _payload_warning(element: SubElement) -> str | None:
    # Only EBL images must be a multiple of 64 bytes; GBL images (IKEA's newer files, for
    # instance) may have any size, so the rule is applied to EBL alone and only warns.
    if element.tag != TagId.UPGRADE_IMAGE or payload_format(element.data) != "ebl":
        return None
    if len(element.data) % _EBL_ALIGNMENT:
        return f"the EBL upgrade image has {len(element.data)} bytes, not a multiple of {_EBL_ALIGNMENT}"
    return None


def build_ota_file(header: OtaHeader, *, elements: tuple[SubElement, ...] | list[SubElement] | None = None,
                   body: bytes | None = None) -> bytes:
    """Encode an OTA file from a header and either sub-elements or a raw body.

    The header's ``total_image_size`` is computed; the value given in ``header`` is ignored.
    """
    if (elements is None) == (body is None):
        raise CodecError("give either sub-elements or a body", path=("ota",))
    if elements is not None:
        body = b"".join(build(SUB_ELEMENT, {"tag": e.tag, "data": e.data}, root="ota_sub_element")
                        for e in elements)
    assert body is not None
    header_bytes = OtaHeader(**{**header._as_dict(), "total_image_size": 0}).to_bytes()
    total = len(header_bytes) + len(body)
    final = OtaHeader(**{**header._as_dict(), "total_image_size": total})
    return final.to_bytes() + body


def sign_manufacturer_image(manufacturer_image: bytes, private_key: ec.EllipticCurvePrivateKey) -> bytes:
    """Sign with ECDSA P-256 / SHA-256 and return the 64-byte r || s signature GBCS uses."""
    if not isinstance(private_key.curve, ec.SECP256R1):
        raise CodecError(f"GBCS signatures use P-256, not {private_key.curve.name}", path=("signature",))
    r, s = decode_dss_signature(private_key.sign(manufacturer_image, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(_P256_SCALAR_SIZE, "big") + s.to_bytes(_P256_SCALAR_SIZE, "big")


def verify_manufacturer_image(manufacturer_image: bytes, signature: bytes,
                              public_key: ec.EllipticCurvePublicKey) -> bool:
    """Check a 64-byte r || s ECDSA P-256 / SHA-256 signature of the manufacturer image."""
    if len(signature) != GBCS_SIGNATURE_SIZE:
        return False
    r = int.from_bytes(signature[:_P256_SCALAR_SIZE], "big")
    s = int.from_bytes(signature[_P256_SCALAR_SIZE:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), manufacturer_image, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def build_gbcs_ota_file(
    manufacturer_image: bytes,
    *,
    manufacturer_code: int,
    image_type: int,
    file_version: int,
    private_key: ec.EllipticCurvePrivateKey,
    force_replace: bool = False,
    minimum_hardware_version: int = 0x0000,
    maximum_hardware_version: int = 0xFFFF,
    header_string: str = "",
    zigbee_stack_version: int = ZIGBEE_PRO_STACK_VERSION,
) -> bytes:
    """Build a signed GBCS OTA upgrade image: 60-byte header with hardware versions, then the
    manufacturer image, the force-replace byte, 0x40 and the signature.

    Raises LocalProtocolError for an empty manufacturer image: there is no firmware to sign.
    """
    if not manufacturer_image:
        raise LocalProtocolError("the manufacturer image is empty: a GBCS upgrade image signs "
                                 "and carries at least one byte of firmware")
    upgrade_image = GbcsUpgradeImage(
        manufacturer_image, sign_manufacturer_image(manufacturer_image, private_key), int(force_replace))
    header = OtaHeader(
        manufacturer_code=manufacturer_code, image_type=image_type, file_version=file_version,
        zigbee_stack_version=zigbee_stack_version, header_string=header_string,
        minimum_hardware_version=minimum_hardware_version,
        maximum_hardware_version=maximum_hardware_version,
    )
    return build_ota_file(header, body=upgrade_image.to_bytes())


def gbcs_file_name(header: OtaHeader, manufacturer_image_hash: bytes) -> str:
    """Return the file name ``MMMM-TTTT-VVVVVVVV-<hash>.zigbee``: the OTA naming convention
    (ZCL revision 6) with the manufacturer image hash appended, as HenryGiraldo/gbcs does."""
    return (f"{header.manufacturer_code:04X}-{header.image_type:04X}-{header.file_version:08X}-"
            f"{manufacturer_image_hash.hex().upper()}.zigbee")
