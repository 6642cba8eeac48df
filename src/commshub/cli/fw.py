"""``commshub fw``: build signed GBCS OTA upgrade images and inspect OTA files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.zigbee import ota
from commshub.codecs.zigbee.describe_zcl import describe_ota_file
from commshub.errors import CommshubError

__all__ = ["fw"]

_U16 = 0xFFFF
_U32 = 0xFFFFFFFF


class _Number(click.ParamType):
    """An unsigned integer in decimal or 0x-hex, checked against a maximum."""

    name = "number"

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value), 0)
            except ValueError:
                self.fail(f"{value!r} is not a number (write 0x1234 or 4660)", param, ctx)
        if not 0 <= number <= self.maximum:
            self.fail(f"{value} is outside 0..0x{self.maximum:X}", param, ctx)
        return number


def _load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    data = path.read_bytes()
    try:
        key = (serialization.load_pem_private_key(data, password=None) if b"-----BEGIN" in data
               else serialization.load_der_private_key(data, password=None))
    except (ValueError, TypeError) as exc:
        raise click.BadParameter(f"{path}: not an unencrypted PEM or DER private key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise click.BadParameter(f"{path}: GBCS images are signed with an ECDSA P-256 key")
    return key


def _load_public_key(cert: Path | None, pubkey: Path | None) -> ec.EllipticCurvePublicKey | None:
    if cert is None and pubkey is None:
        return None
    if cert is not None and pubkey is not None:
        raise click.UsageError("give --cert or --pubkey, not both")
    path = cert or pubkey
    assert path is not None
    data = path.read_bytes()
    pem = b"-----BEGIN" in data
    try:
        if cert is not None:
            loaded = x509.load_pem_x509_certificate(data) if pem else x509.load_der_x509_certificate(data)
            key = loaded.public_key()
        else:
            key = serialization.load_pem_public_key(data) if pem else serialization.load_der_public_key(data)
    except ValueError as exc:
        kind = "certificate" if cert is not None else "public key"
        raise click.BadParameter(f"{path}: not a PEM or DER {kind} ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise click.BadParameter(f"{path}: the key is not an ECDSA P-256 key")
    return key


@click.group()
def fw() -> None:
    """Build and inspect firmware images (ZigBee OTA upgrade files)."""


@fw.command()
@click.argument("image", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--manufacturer", required=True, type=_Number(_U16), help="ZigBee manufacturer code, e.g. 0x1234.")
@click.option("--image-type", required=True, type=_Number(_U16), help="Manufacturer-specific image type.")
@click.option("--version", "file_version", required=True, type=_Number(_U32), help="File version (32 bits).")
@click.option("--sign", "key_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="PEM or DER P-256 private key of the authorising supplier.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file; default MMMM-TTTT-VVVVVVVV-<hash>.zigbee in the current folder.")
@click.option("--force-replace/--no-force-replace", default=False, show_default=True,
              help="Set the force-replace byte (read only by the Communications Hub).")
@click.option("--min-hardware-version", type=_Number(_U16), default=0x0000, show_default=True,
              help="Lowest hardware version the image is for.")
@click.option("--max-hardware-version", type=_Number(_U16), default=0xFFFF, show_default=True,
              help="Highest hardware version the image is for.")
@click.option("--header-string", default="", help="OTA header string, at most 32 bytes of UTF-8.")
@click.option("--stack-version", type=_Number(_U16), default=ota.ZIGBEE_PRO_STACK_VERSION, show_default=True,
              help="ZigBee stack version in the header (2 = ZigBee PRO).")
def build(image: Path, manufacturer: int, image_type: int, file_version: int, key_path: Path,
          output: Path | None, force_replace: bool, min_hardware_version: int, max_hardware_version: int,
          header_string: str, stack_version: int) -> None:
    """Build a signed GBCS OTA upgrade image from a manufacturer IMAGE."""
    if min_hardware_version > max_hardware_version:
        raise click.BadParameter("--min-hardware-version is above --max-hardware-version")
    key = _load_private_key(key_path)
    try:
        manufacturer_image = image.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"failed to read {image}: {exc.strerror}") from None
    if not manufacturer_image:
        raise click.ClickException(f"{image} is empty: give the manufacturer's firmware file to sign")
    try:
        data = ota.build_gbcs_ota_file(
            manufacturer_image, manufacturer_code=manufacturer, image_type=image_type,
            file_version=file_version, private_key=key, force_replace=force_replace,
            minimum_hardware_version=min_hardware_version, maximum_hardware_version=max_hardware_version,
            header_string=header_string, zigbee_stack_version=stack_version,
        )
    except CommshubError as exc:
        raise click.ClickException(str(exc)) from None
    parsed = ota.read_ota_file(data, layout="gbcs")
    assert parsed.upgrade_image is not None
    image_hash = parsed.upgrade_image.manufacturer_image_hash
    target = output or Path(ota.gbcs_file_name(parsed.header, image_hash))
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"failed to write {target}: {exc.strerror}; check that its folder exists and is writable") from None
    click.echo(f"wrote {target} ({len(data)} bytes)")
    click.echo(f"manufacturer image hash: {image_hash.hex().upper()}")


@fw.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Signer's X.509 certificate (PEM or DER) to verify the GBCS signature.")
@click.option("--pubkey", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Signer's P-256 public key (PEM or DER) to verify the GBCS signature.")
@click.option("--layout", type=click.Choice(["auto", "zigbee", "gbcs"]), default="auto", show_default=True,
              help="Body layout: sub-elements (zigbee), GBCS upgrade image, or guess.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def inspect(file: Path, cert: Path | None, pubkey: Path | None, layout: str, as_json: bool) -> None:
    """Print an OTA file's header, manufacturer image hash and signature status.

    Exits with status 1 when the file does not decode or its signature is invalid.
    """
    public_key = _load_public_key(cert, pubkey)
    data = file.read_bytes()
    try:
        image = ota.read_ota_file(data, layout=layout)  # type: ignore[arg-type]
    except CommshubError as exc:
        if as_json:
            click.echo(json.dumps({"file": str(file), "ok": False, "error": str(exc)}))
        else:
            click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    status = _signature_status(image, public_key)
    record: dict[str, Any] = {
        "file": str(file), "ok": True, "layout": _layout_name(image), "size": len(data),
        "header": {name: getattr(image.header, name) for name in (
            "manufacturer_code", "image_type", "file_version", "zigbee_stack_version", "total_image_size",
            "minimum_hardware_version", "maximum_hardware_version")},
        "signature": status, "warnings": list(image.warnings),
    }
    record["header"]["header_string"] = str(image.header.header_string)
    if image.upgrade_image is not None:
        record["manufacturer_image_hash"] = image.upgrade_image.manufacturer_image_hash.hex().upper()
        record["force_replace"] = image.upgrade_image.force_replace
    if as_json:
        click.echo(json.dumps(record))
    else:
        click.echo(f"== {file}: {record['layout']}, {len(data)} bytes")
        click.echo(describe_ota_file(image).render())
        click.echo(f"signature: {status}")
    if status == "invalid":
        sys.exit(1)


def _layout_name(image: ota.OtaFile) -> str:
    if image.upgrade_image is not None:
        return "GBCS upgrade image"
    if image.elements is not None:
        return f"ZigBee OTA file with {len(image.elements)} sub-elements"
    return "ZigBee OTA file with a raw body"


def _signature_status(image: ota.OtaFile, public_key: ec.EllipticCurvePublicKey | None) -> str:
    if image.upgrade_image is None:
        return "none (not a GBCS upgrade image)"
    if public_key is None:
        return "not checked (give --cert or --pubkey)"
    return "valid" if image.upgrade_image.verify(public_key) else "invalid"
