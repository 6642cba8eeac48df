"""``commshub decode --as gbcs``: trees, JSON records and summaries, in-process and as a process."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.cli import main
from commshub.cli.layers import DecodeOptions
from commshub.codecs.gbcs import GbcsFrame, KeyStore, segment
from commshub.codecs.gbcs.describe import decode_gbcs

ACB = "90B3D51F30000002"
REQUIRED_KEYS = {"input", "ok", "error", "mac_header", "cra", "originator_counter", "originator",
                 "recipient", "message_code", "use_case", "payload_kind", "signature_length", "mac",
                 "signature", "round_trip", "payload"}


def _records(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _key_folder(tmp_path: Path, keys: KeyStore) -> Path:
    folder = tmp_path / "keys"
    keys.save(folder)
    return folder


def test_json_record_without_keys(vector: SimpleNamespace) -> None:
    result = CliRunner().invoke(main, ["decode", "--json", vector.frame.hex()])
    assert result.exit_code == 0, result.output
    (record,) = _records(result.stdout)
    assert REQUIRED_KEYS <= set(record)
    assert record["ok"] is True
    assert record["error"] is None
    assert record["mac_header"] is True
    assert record["cra"] == "command"
    assert record["originator_counter"] == 1
    assert record["originator"] == "123456789ABCDEF0"
    assert record["recipient"] == "FFFFFFFFFFFFFFFE"
    assert record["message_code"] == 0x00B3
    assert record["use_case"] == "ECS04b"
    assert record["payload_kind"] == "dlms"
    assert record["signature_length"] == 64
    assert record["mac"] == "unknown"
    assert record["signature"] == "unknown"
    assert record["round_trip"] is True
    assert record["payload"]["name"] == "payload"


def test_json_record_with_keys(tmp_path: Path, vector: SimpleNamespace) -> None:
    folder = _key_folder(tmp_path, vector.keys)
    result = CliRunner().invoke(main, ["decode", "--json", "--keys", str(folder), vector.frame.hex()])
    assert result.exit_code == 0, result.output
    (record,) = _records(result.stdout)
    assert record["mac"] == "valid"
    assert record["signature"] == "valid"


def test_tampered_frame_reports_invalid(tmp_path: Path, vector: SimpleNamespace) -> None:
    folder = _key_folder(tmp_path, vector.keys)
    tampered = bytearray(vector.frame)
    tampered[60] ^= 0x01
    result = CliRunner().invoke(main, ["decode", "--json", "--keys", str(folder), tampered.hex()])
    (record,) = _records(result.stdout)
    assert record["mac"] == "invalid"
    assert record["signature"] == "invalid"


def test_tree_output(vector: SimpleNamespace) -> None:
    result = CliRunner().invoke(main, ["decode", vector.frame.hex()])
    assert result.exit_code == 0, result.output
    assert "ECS04b Reset Meter Balance on the ESME" in result.stdout
    assert "mac-header" in result.stdout
    assert "originator  [08 12 34 56 78 9A BC DE F0]  = 123456789ABCDEF0" in result.stdout
    assert "round_trip: True" in result.stdout


def test_bad_input_fails_with_summary() -> None:
    result = CliRunner().invoke(main, ["decode", "--json", "DF0901"])
    assert result.exit_code == 1
    (record,) = _records(result.stdout)
    assert REQUIRED_KEYS <= set(record)
    assert record["ok"] is False
    assert "originator_counter" in record["error"]
    assert "1 failures" in result.stderr


def test_folder_with_gbt_blocks_reassembles(tmp_path: Path) -> None:
    frame = GbcsFrame.response(originator="00DB1234567890A1", recipient="90B3D51F30010000",
                               originator_counter=5, message_code=0x0077, content=b"\x01\x09\x00")
    blocks = segment(frame.to_bytes(), cra=2, originator=frame.originator, recipient=frame.recipient,
                     originator_counter=5, message_code=0x0077, block_size=20)
    for block in blocks:
        (tmp_path / f"block{block.block_number:02d}.hex").write_text(block.to_bytes().hex())
    result = CliRunner().invoke(main, ["decode", "--json", str(tmp_path)])
    assert result.exit_code == 0, result.output
    records = _records(result.stdout)
    assert [record["payload_kind"] for record in records] == ["gbt"] * len(blocks)
    assert "reassembled" not in records[0]
    assert records[-1]["reassembled"]["use_case"] == "GCS16a"
    assert records[-1]["reassembled"]["round_trip"] is True
    assert f"{len(blocks)} frames: {len(blocks)} parsed" in result.stderr


def test_stdin_input(vector: SimpleNamespace) -> None:
    result = CliRunner().invoke(main, ["decode", "--json", "-"], input=vector.frame.hex() + "\n")
    assert result.exit_code == 0, result.output
    assert _records(result.stdout)[0]["input"] == "<stdin>"


def test_empty_source_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Path("") is the current folder, so an empty argument (an unset shell variable) must not
    # decode every file below it.
    (tmp_path / "frame.hex").write_text("DF")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["decode", ""])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_invalid_acb_is_rejected(vector: SimpleNamespace) -> None:
    result = CliRunner().invoke(main, ["decode", "--acb", "90B3D51F3000", vector.frame.hex()])
    assert result.exit_code == 2
    assert "--acb" in result.output


@settings(max_examples=100)
@given(st.binary(max_size=120))
def test_decoder_never_raises(data: bytes) -> None:
    result = decode_gbcs(data, DecodeOptions())
    assert REQUIRED_KEYS - {"input"} <= set(result.record)
    if not result.record["ok"]:
        assert result.record["error"]


@pytest.mark.parametrize("field, offset, value", [
    # The subject's common name re-tagged: cryptography raises ValueError for INTEGER (0x02)
    # and TypeError for BIT STRING (0x03) when the subject is first read.
    (b"\x06\x03\x55\x04\x03\x0c\x10" + ACB.encode(), 5, 0x02),
    (b"\x06\x03\x55\x04\x03\x0c\x10" + ACB.encode(), 5, 0x03),
    # Version 0x51 in place of 2 (v3): cryptography raises InvalidVersion when loading.
    (b"\xa0\x03\x02\x01\x02", 4, 0x51),
])
def test_unreadable_certificate(field: bytes, offset: int, value: int) -> None:
    keys = KeyStore.generate([], [ACB])
    certificate = keys.certificate(ACB, "ka")
    assert certificate is not None
    der = bytearray(certificate.public_bytes(serialization.Encoding.DER))
    der[der.index(field) + offset] = value
    frame = GbcsFrame.command(
        originator="90B3D51F30010000", recipient="00DB1234567890A0", originator_counter=1,
        message_code=0x0019, content=bytes.fromhex("C0010000080000010000FF0200"),
        supplementary_remote_party_id=ACB, supplementary_remote_party_counter=2,
        supplementary_certificate=bytes(der),
    )
    result = decode_gbcs(frame.to_bytes(), DecodeOptions())
    assert result.tree is not None
    assert "not a readable X.509 certificate" in result.tree.render()


def test_corpus_as_a_process(rtds_dir: Path) -> None:
    command = [sys.executable, "-c", "from commshub.cli import main; main()", "decode", "--json",
               "--keys", str(rtds_dir / "keystore"), str(rtds_dir / "RTDS-4.5.0")]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    records = _records(completed.stdout)
    assert len(records) == 1275
    assert all(record["ok"] and record["round_trip"] for record in records)
    assert not [record for record in records if "invalid" in (record["mac"], record["signature"])]
    pre_commands = [record for record in records if record["input"].endswith("_PRECOMMAND_GBCS.HEX")]
    assert {record["signature"] for record in pre_commands} == {"unknown"}
    han_only = [record for record in records if "/NA_PCS0" in record["input"]]
    assert {record["mac"] for record in han_only} == {"unknown"}
    summary = completed.stderr.strip().splitlines()[-1]
    assert summary == ("1275 frames: 1275 parsed, 1275 round-tripped, 811 MAC valid, "
                       "472 signature valid, 0 failures")


def _readme_decode_commands() -> list[str]:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Decoding frames", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith(".venv/bin/commshub decode")]


def test_readme_decode_examples_run(rtds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMSHUB_RTDS_DIR", str(rtds_dir))
    commands = _readme_decode_commands()
    assert commands, "README.md has no commshub decode example under 'Decoding frames'"
    for command in commands:
        arguments = shlex.split(os.path.expandvars(command))[1:]
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 0, f"{command}\n{result.output[-2000:]}"


def test_stdin_lines_are_frames(vector: SimpleNamespace) -> None:
    response = GbcsFrame.response(originator="00DB1234567890A1", recipient="90B3D51F30010000",
                                  originator_counter=5, message_code=0x0077, content=b"\x01\x09\x00")
    text = f"{vector.frame.hex()}\n\n{response.to_bytes().hex().upper()}\n"
    result = CliRunner().invoke(main, ["decode", "--json", "-"], input=text)
    assert result.exit_code == 0, result.output
    records = _records(result.stdout)
    assert [record["input"] for record in records] == ["<stdin>:1", "<stdin>:3"]
    assert [record["originator_counter"] for record in records] == [1, 5]
    assert "2 frames: 2 parsed" in result.stderr


def test_odd_hex_digit_file_is_named(tmp_path: Path, vector: SimpleNamespace) -> None:
    truncated = tmp_path / "truncated.HEX"
    truncated.write_text(vector.frame.hex().upper()[:-1])
    result = CliRunner().invoke(main, ["decode", "--json", str(truncated)])
    assert result.exit_code == 1
    (record,) = _records(result.stdout)
    assert record["ok"] is False
    assert str(truncated) in record["error"]
    assert "odd number of hex digits" in record["error"]


def test_odd_hex_digit_stdin_line(vector: SimpleNamespace) -> None:
    text = f"{vector.frame.hex()}\n{vector.frame.hex()[:-1]}\n"
    result = CliRunner().invoke(main, ["decode", "--json", "-"], input=text)
    assert result.exit_code == 1
    first, second = _records(result.stdout)
    assert first["ok"] is True
    assert "<stdin>:2" in second["error"]
    assert "odd number of hex digits" in second["error"]


def test_bad_key_file_is_skipped(rtds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "keystore"
    shutil.copytree(rtds_dir / "keystore", folder)
    bad = folder / "00db1234567890a0-ka.pem"
    bad.write_text("x\n")
    loads: list[Path] = []
    original_load = KeyStore.load

    def counting_load(path: Path, **options: Any) -> KeyStore:
        loads.append(Path(path))
        return original_load(path, **options)

    monkeypatch.setattr(KeyStore, "load", counting_load)
    frames = rtds_dir / "RTDS-4.5.0" / "2.1_ECS08"
    result = CliRunner().invoke(main, ["decode", "--json", "--keys", str(folder), str(frames)])
    assert result.exit_code == 0, result.output
    assert loads == [folder]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert str(bad) in warnings[0]
    assert "invalid PEM content" in warnings[0]
    records = _records(result.stdout)
    assert len(records) == 21
    for record in records:
        assert REQUIRED_KEYS <= set(record), record["input"]
        assert record["ok"] is True, record["error"]
    # The commands' MACs need the device's key agreement key, which the bad file was.
    commands = [record for record in records if record["input"].endswith("_COMMAND_GBCS.HEX")]
    assert {record["mac"] for record in commands} == {"unknown"}
    assert "invalid" not in {record["signature"] for record in records}


def test_missing_key_folder_gives_full_record(tmp_path: Path, vector: SimpleNamespace) -> None:
    result = decode_gbcs(vector.frame, DecodeOptions(keys=tmp_path / "absent"))
    assert set(result.record) >= REQUIRED_KEYS - {"input"}
    assert result.record["ok"] is False
    assert "key store folder not found" in result.record["error"]
    assert result.record["mac"] is None
