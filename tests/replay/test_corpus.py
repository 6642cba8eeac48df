"""Finding an RTDS tree and its cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from commshub.replay import CorpusError, find_corpus


def _tree(root: Path) -> Path:
    folder = root / "RTDS-4.5.0" / "11.2_ECS52"
    folder.mkdir(parents=True)
    (folder / "ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX").write_text("DF0900\n")
    (folder / "ECS52_11.2_SUCCESS_RESPONSE_GBCS.HEX").write_text("DF09 01\n")
    (folder / "ECS52_11.2_ALONE_COMMAND_GBCS.HEX").write_text("00")
    (root / "keystore").mkdir()
    return root


def test_both_layouts(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    for directory in (root, root / "RTDS-4.5.0"):
        corpus = find_corpus(directory)
        cases = list(corpus.cases())
        assert [(case.use_case, case.folder) for case in cases] == [
            ("ECS52_11.2_ALONE", "11.2_ECS52"), ("ECS52_11.2_SUCCESS", "11.2_ECS52")]
        assert cases[0].response is None
        assert cases[1].command == bytes.fromhex("DF0900") and cases[1].response == bytes.fromhex("DF0901")
        assert cases[1].identifier == "ECS52"


def test_missing_keystore(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "keystore").rmdir()
    with pytest.raises(CorpusError, match="not an RTDS tree"):
        find_corpus(root)


def test_not_a_tree(tmp_path: Path) -> None:
    (tmp_path / "keystore").mkdir()
    (tmp_path / "RTDS-4.5.0" / "empty").mkdir(parents=True)
    with pytest.raises(CorpusError, match="no use-case folders"):
        find_corpus(tmp_path)
    with pytest.raises(CorpusError, match="RTDS-4.5.0/ and keystore/"):
        find_corpus(tmp_path / "RTDS-4.5.0" / "empty")


def test_bad_hex(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "RTDS-4.5.0" / "11.2_ECS52" / "ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX").write_text("zz")
    with pytest.raises(CorpusError, match="not a hex string"):
        list(find_corpus(root).cases())
