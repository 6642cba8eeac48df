"""``commshub time serve`` and ``commshub time query`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from commshub.cli import main

KEY_FILE = "3 AES128 HEX:000102030405060708090A0B0C0D0E0F\n"
# Bounds on how long the served process lives and how long a read waits; never asserted on.
SERVE_FOR_S = 60
READ_TIMEOUT_S = 30


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Run ``commshub time serve`` in a process; yield its NTP address and the key file."""
    keyfile = tmp_path / "chrony.keys"
    keyfile.write_text(KEY_FILE)
    command = [sys.executable, "-c", "from commshub.cli import main; main()",
               "time", "serve", "--keyfile", str(keyfile), "--duration", str(SERVE_FOR_S)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line.startswith("ntp 127.0.0.1:"), first_line
        assert process.stdout.readline().startswith("signed-time 127.0.0.1:")
        assert process.stdout.readline() == "-----BEGIN PUBLIC KEY-----\n"
        yield first_line.split()[1], keyfile
    finally:
        process.terminate()
        process.wait(timeout=READ_TIMEOUT_S)


def test_query_emulated_service(served: tuple[str, Path]) -> None:
    address, keyfile = served
    result = CliRunner().invoke(
        main, ["time", "query", address, "--keyfile", str(keyfile), "--key-id", "3"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("offset ")
    assert "max error" in result.output


def test_query_with_wrong_key_fails(served: tuple[str, Path], tmp_path: Path) -> None:
    address, _ = served
    wrong = tmp_path / "wrong.keys"
    wrong.write_text("3 AES128 HEX:FF0102030405060708090A0B0C0D0E0F\n")
    result = CliRunner().invoke(
        main, ["time", "query", address, "--keyfile", str(wrong), "--key-id", "3",
               "--timeout", "2"]
    )
    assert result.exit_code == 1
    assert "rejected: CRYPTO_NAK" in result.output
    assert "no response from" in result.output


def test_query_unknown_key_id(tmp_path: Path) -> None:
    keyfile = tmp_path / "chrony.keys"
    keyfile.write_text(KEY_FILE)
    result = CliRunner().invoke(
        main, ["time", "query", "127.0.0.1:9", "--keyfile", str(keyfile), "--key-id", "4"]
    )
    assert result.exit_code == 2
    assert "key 4 is not in" in result.output
