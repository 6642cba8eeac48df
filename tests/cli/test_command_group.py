"""The ``commshub`` group: every subcommand listed, and each imported only when used."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from commshub.cli import COMMANDS, LazyGroup, main

EXPECTED_COMMANDS = {"advance", "audit", "decode", "fw", "install", "power", "replay", "run", "send",
                     "status", "time", "wan", "zigbee"}


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:", 1)[1]
    rows = {line.split()[0]: line for line in listed.splitlines() if line.strip()}
    assert set(rows) == EXPECTED_COMMANDS
    for name in EXPECTED_COMMANDS:
        command = main.get_command(click.Context(main), name)
        assert command is not None, name
        first_words = " ".join(command.get_short_help_str(200).split()[:3])
        assert first_words in rows[name], name


def test_group_maps_every_command() -> None:
    assert set(COMMANDS) == EXPECTED_COMMANDS
    assert set(main.list_commands(click.Context(main))) == EXPECTED_COMMANDS


def test_decode_imports_no_hub() -> None:
    # A separate interpreter, because this test session has imported the hub already.
    script = (
        "import sys\n"
        "from commshub.cli import main\n"
        "try:\n"
        "    main(['decode', '--as', 'dlms', '0300'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "loaded = sorted(name for name in sys.modules if name.startswith(('commshub.hub', "
        "'commshub.fleet', 'commshub.cli.run', 'commshub.cli.send')))\n"
        "print('LOADED', loaded)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "LOADED []" in completed.stdout


def _group_with_broken_command() -> click.Group:
    commands = {**COMMANDS, "broken": "commshub.cli.no_such_module:broken"}
    group = LazyGroup("commshub", lazy_commands=commands, callback=lambda: None)
    return group


def test_broken_module_leaves_others_working() -> None:
    group = _group_with_broken_command()
    result = CliRunner().invoke(group, ["decode", "--as", "dlms", "0300"])
    assert result.exit_code == 0, result.output
    assert "boolean" in result.output


def test_broken_module_is_named_in_help() -> None:
    group = _group_with_broken_command()
    result = CliRunner().invoke(group, ["--help"])
    assert result.exit_code == 0, result.output
    assert "broken" in result.output
    assert "unavailable: ModuleNotFoundError" in result.output
    assert "decode" in result.output


def test_broken_module_fails_when_run() -> None:
    group = _group_with_broken_command()
    result = CliRunner().invoke(group, ["broken"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ModuleNotFoundError)


def test_attribute_must_be_a_command() -> None:
    group = LazyGroup("commshub", lazy_commands={"layers": "commshub.cli.layers:LAYERS"})
    with pytest.raises(TypeError, match="not a click command"):
        group.get_command(click.Context(group), "layers")
