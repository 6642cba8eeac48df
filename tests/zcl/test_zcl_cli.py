"""The command line as a user runs it: decode --as zcl/ota, fw build and fw inspect."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# The installed console script when the virtualenv has one, else the same entry point.
_SCRIPT = Path(sys.executable).with_name("commshub")
COMMSHUB = [str(_SCRIPT)] if _SCRIPT.exists() else [
    sys.executable, "-c", "from commshub.cli import main; main(prog_name='commshub')"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMSHUB, *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False)


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("keys")
    key = ec.generate_private_key(ec.SECP256R1())
    private = folder / "supplier.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public = folder / "supplier-public.pem"
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def test_fw_build_then_inspect(tmp_path: Path, signing_key: tuple[Path, Path]):
    private, public = signing_key
    image = tmp_path / "IMAGE.bin"
    image.write_bytes(bytes(range(256)) * 20)
    out = tmp_path / "OUT.zigbee"
    built = run("fw", "build", "--manufacturer", "0x1234", "--image-type", "0x0001", "--version", "0x00000102",
                "--sign", str(private), str(image), "-o", str(out))
    assert built.returncode == 0, built.stderr
    assert "manufacturer image hash" in built.stdout

    inspected = run("fw", "inspect", str(out), "--pubkey", str(public), "--json")
    assert inspected.returncode == 0, inspected.stderr
    record = json.loads(inspected.stdout)
    assert record["signature"] == "valid"
    assert record["layout"] == "GBCS upgrade image"
    assert record["header"]["manufacturer_code"] == 0x1234
    assert record["header"]["file_version"] == 0x102
    assert record["size"] == 60 + 5120 + 66

    text = run("fw", "inspect", str(out))
    assert text.returncode == 0
    assert "signature: not checked" in text.stdout
    assert "manufacturer_image_hash" in text.stdout


def test_fw_inspect_reports_bad_signature(tmp_path: Path, signing_key: tuple[Path, Path]):
    private, _ = signing_key
    image = tmp_path / "image.bin"
    image.write_bytes(b"firmware")
    out = tmp_path / "image.zigbee"
    assert run("fw", "build", "--manufacturer", "1", "--image-type", "2", "--version", "3",
               "--sign", str(private), str(image), "-o", str(out)).returncode == 0
    other = tmp_path / "other.pem"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = run("fw", "inspect", str(out), "--pubkey", str(other))
    assert result.returncode == 1
    assert "signature: invalid" in result.stdout


def test_fw_build_default_file_name(tmp_path: Path, signing_key: tuple[Path, Path]):
    image = tmp_path / "image.bin"
    image.write_bytes(b"abc")
    result = run("fw", "build", "--manufacturer", "0x1234", "--image-type", "0x0001", "--version", "0x10",
                 "--sign", str(signing_key[0]), str(image), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = [p.name for p in tmp_path.glob("*.zigbee")]
    assert names == ["1234-0001-00000010-BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD.zigbee"]


def test_fw_build_rejects_wrong_key_and_values(tmp_path: Path):
    image = tmp_path / "image.bin"
    image.write_bytes(b"abc")
    rsa_like = tmp_path / "key.pem"
    rsa_like.write_bytes(ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    wrong_curve = run("fw", "build", "--manufacturer", "1", "--image-type", "2", "--version", "3",
                      "--sign", str(rsa_like), str(image))
    assert wrong_curve.returncode != 0
    assert "P-256" in wrong_curve.stderr
    too_big = run("fw", "build", "--manufacturer", "0x10000", "--image-type", "2", "--version", "3",
                  "--sign", str(rsa_like), str(image))
    assert too_big.returncode != 0
    assert "outside 0..0xFFFF" in too_big.stderr


def test_fw_build_rejects_an_empty_image(tmp_path: Path, signing_key: tuple[Path, Path]):
    private, _ = signing_key
    image = tmp_path / "empty.bin"
    image.write_bytes(b"")
    output = tmp_path / "out.zigbee"
    result = run("fw", "build", "--manufacturer", "1", "--image-type", "2", "--version", "3",
                 "--sign", str(private), str(image), "-o", str(output))
    assert result.returncode != 0
    assert f"{image} is empty" in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


def test_fw_inspect_rejects_non_ota_file(tmp_path: Path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 100)
    result = run("fw", "inspect", str(junk))
    assert result.returncode == 1
    assert "not a ZigBee OTA upgrade file" in result.stderr


def test_decode_zcl_json():
    result = run("decode", "--as", "zcl", "--cluster", "0x0702", "--json", "18560900000000251e008403010000000000")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["ok"] is True
    assert record["error"] is None
    assert record["round_trip"] is True
    assert record["command"] == "read_reporting_configuration_response"
    assert record["frame"]["name"] == "zcl"


def test_decode_zcl_direction_and_errors():
    mismatch = run("decode", "--as", "zcl", "--cluster", "0x000A", "--direction", "client", "--json", "18010b0000")
    assert mismatch.returncode == 1
    assert "direction bit" in json.loads(mismatch.stdout)["error"]
    short = run("decode", "--as", "zcl", "--json", "18")
    assert json.loads(short.stdout)["ok"] is False


def test_decode_zcl_tree_names_attributes():
    result = run("decode", "--as", "zcl", "--cluster", "0x000A", "182101000000e20000002d0100001809")
    assert result.returncode == 0, result.stderr
    assert "time_status" in result.stdout
    assert "2024-" in result.stdout or "2023-" in result.stdout


def test_decode_ota_file(tmp_path: Path, signing_key: tuple[Path, Path]):
    image = tmp_path / "image.bin"
    image.write_bytes(b"firmware")
    out = tmp_path / "image.zigbee"
    assert run("fw", "build", "--manufacturer", "1", "--image-type", "2", "--version", "3",
               "--sign", str(signing_key[0]), str(image), "-o", str(out)).returncode == 0
    result = run("decode", "--as", "ota", "--json", str(out))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["ok"] is True
    assert record["round_trip"] is True
    assert record["manufacturer_image_hash"] == hashlib.sha256(b"firmware").hexdigest().upper()


def test_fw_build_missing_output_folder(tmp_path: Path, signing_key: tuple[Path, Path]):
    image = tmp_path / "image.bin"
    image.write_bytes(b"abc")
    result = run("fw", "build", "--manufacturer", "1", "--image-type", "2", "--version", "3",
                 "--sign", str(signing_key[0]), str(image), "-o", str(tmp_path / "missing" / "out.zigbee"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "failed to write" in result.stderr


def test_decode_zcl_cluster_range():
    for value in ("0x10000", "-1", "Metering"):
        result = run("decode", "--as", "zcl", "--cluster", value, "1800010000")
        assert result.returncode == 2, value
        assert "--cluster" in result.stderr
    assert "<LAMBDA>" not in run("decode", "--help").stdout


def test_decode_zcl_error_keeps_header_fields():
    # The payload is cut short, and the header that did decode shows as named fields.
    result = run("decode", "--as", "zcl", "--json", "--cluster", "0x0000", "18000100000020")
    record = json.loads(result.stdout)
    assert record["ok"] is False
    header = record["frame"]["children"][0]
    assert header["name"] == "header"
    assert [child["name"] for child in header["children"]] == ["tsn", "command_id"]
    assert header["children"][1]["value"] == 1
    assert "{" not in run("decode", "--as", "zcl", "--cluster", "0x0000", "18000100000020").stdout
