"""The reference data a replay reads: an RTDS tree of use-case folders and its key store.

A tree is ``DIR/RTDS-4.5.0/<folder>/*.HEX`` with ``DIR/keystore/``, or the ``RTDS-4.5.0``
folder itself with ``keystore/`` beside it. Each folder holds the frames of one use case
(``<USE CASE>_<service reference>_<variant>_<KIND>_GBCS.HEX``, one hex string per file); a
replay case is one COMMAND file with the RESPONSE file of the same variant, when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from commshub.errors import CommshubError

__all__ = ["Corpus", "CorpusError", "ReplayCase", "find_corpus"]

RTDS_FOLDER = "RTDS-4.5.0"
KEYSTORE_FOLDER = "keystore"
_COMMAND = re.compile(r"^(?P<variant>.+)_COMMAND_GBCS\.HEX$", re.IGNORECASE)


class CorpusError(CommshubError):
    """The folder is not an RTDS tree, or a file in it cannot be read."""


@dataclass(frozen=True)
class ReplayCase:
    """One command of the reference data and the response the reference device gave.

    ``use_case`` names the variant, e.g. ``ECS52_11.2_SUCCESS``; ``folder`` is the use-case
    folder, e.g. ``11.2_ECS52``.
    """

    use_case: str
    folder: str
    command: bytes
    response: bytes | None

    @property
    def identifier(self) -> str:
        """The GBCS use-case identifier, e.g. ``ECS52`` (the folder name after the reference)."""
        return self.folder.split("_", 1)[1] if "_" in self.folder else self.folder


def _read_hex(path: Path) -> bytes:
    text = path.read_text(encoding="ascii", errors="replace")
    digits = "".join(text.split())
    try:
        return bytes.fromhex(digits)
    except ValueError:
        raise CorpusError(f"{path}: not a hex string") from None


@dataclass(frozen=True)
class Corpus:
    """An RTDS tree: the folder of use-case folders and the key store folder."""

    cases_root: Path
    keystore: Path

    def cases(self) -> Iterator[ReplayCase]:
        """Yield every COMMAND of the tree with its RESPONSE, folders and files in name order."""
        for folder in sorted(path for path in self.cases_root.iterdir() if path.is_dir()):
            for command in sorted(folder.iterdir()):
                match = _COMMAND.match(command.name)
                if match is None:
                    continue
                variant = match["variant"]
                response = command.with_name(f"{variant}_RESPONSE_GBCS.HEX")
                yield ReplayCase(
                    use_case=variant, folder=folder.name, command=_read_hex(command),
                    response=_read_hex(response) if response.exists() else None,
                )


def find_corpus(directory: str | Path) -> Corpus:
    """Locate the use-case folders and the key store of an RTDS tree; see the module docstring."""
    root = Path(directory)
    if not root.is_dir():
        raise CorpusError(f"RTDS folder not found: {root}")
    if (root / RTDS_FOLDER).is_dir():
        cases, keystore = root / RTDS_FOLDER, root / KEYSTORE_FOLDER
    else:
        cases, keystore = root, root.parent / KEYSTORE_FOLDER
    if not keystore.is_dir():
        raise CorpusError(f"{root} is not an RTDS tree: expected {RTDS_FOLDER}/ and {KEYSTORE_FOLDER}/ in it, "
                          f"or {KEYSTORE_FOLDER}/ beside it at {keystore}")
    if not any(_COMMAND.match(path.name) for folder in cases.iterdir() if folder.is_dir()
               for path in folder.iterdir()):
        raise CorpusError(f"{cases} holds no use-case folders with *_COMMAND_GBCS.HEX files")
    return Corpus(cases, keystore)
