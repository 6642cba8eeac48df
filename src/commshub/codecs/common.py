"""Shared codec plumbing: construct errors turned into :class:`CodecError`, and the decode tree
that the CLI prints."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import construct

from commshub.errors import CodecError

__all__ = ["parse", "build", "Node"]

_PATH_PREFIX = re.compile(r"^\((?:parsing|building|sizeof)\)\s*(?:->\s*)?")


def _split_path(path: str | None) -> tuple[str, ...]:
    if not path:
        return ()
    path = _PATH_PREFIX.sub("", path.strip())
    return tuple(part.strip() for part in path.split("->") if part.strip())


def parse(con: construct.Construct, data: bytes, *, root: str, exact: bool = True, **context: Any) -> Any:
    """Parse ``data`` with ``con``; raise CodecError with path, offset and bytes on failure.

    With ``exact`` (the default) trailing bytes after the structure are an error.
    """
    data = bytes(data)
    stream = io.BytesIO(data)
    try:
        value = con.parse_stream(stream, **context)
    except construct.ConstructError as exc:
        message = str(exc).split("\n")[-1] if str(exc) else type(exc).__name__
        message = re.sub(r"^Error in path .*?\n?", "", message)
        raise CodecError(
            message, path=(root, *_split_path(getattr(exc, "path", None))),
            offset=stream.tell(), data=data,
        ) from None
    except CodecError as exc:
        raise exc.within(root) from None
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, IndexError, KeyError) as exc:
        # Adapters may raise these on impossible values; they are the input's fault.
        raise CodecError(f"{type(exc).__name__}: {exc}", path=(root,), offset=stream.tell(), data=data) from None
    if exact and stream.tell() != len(data):
        raise CodecError(
            f"{len(data) - stream.tell()} trailing bytes after the end of the frame",
            path=(root,), offset=stream.tell(), data=data,
        )
    return value


def build(con: construct.Construct, value: Any, *, root: str, **context: Any) -> bytes:
    """Build ``value`` with ``con``; raise CodecError naming the field on failure."""
    try:
        return bytes(con.build(value, **context))
    except construct.ConstructError as exc:
        message = str(exc).split("\n")[-1] if str(exc) else type(exc).__name__
        raise CodecError(message, path=(root, *_split_path(getattr(exc, "path", None)))) from None
    except CodecError as exc:
        raise exc.within(root) from None


@dataclass
class Node:
    """One field of a decoded frame, as shown by ``commshub decode``.

    ``raw`` holds the field's bytes on the wire (empty for purely logical groupings),
    ``value`` a JSON-friendly value and ``meaning`` a human reading such as "CCS01 Add Device
    to CHF device log".
    """

    name: str
    raw: bytes = b""
    value: Any = None
    meaning: str | None = None
    children: list["Node"] = field(default_factory=list)

    def add(self, name: str, raw: bytes = b"", value: Any = None, meaning: str | None = None) -> "Node":
        child = Node(name, raw, value, meaning)
        self.children.append(child)
        return child

    def walk(self) -> Iterator["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.raw:
            out["raw"] = self.raw.hex().upper()
        if self.value is not None:
            out["value"] = _jsonable(self.value)
        if self.meaning is not None:
            out["meaning"] = self.meaning
        if self.children:
            out["children"] = [child.to_json() for child in self.children]
        return out

    def render(self, indent: int = 0, *, max_raw: int = 32) -> str:
        """Render as an indented text tree: name, raw bytes (cut at ``max_raw``), meaning."""
        lines: list[str] = []
        self._render_into(lines, indent, max_raw)
        return "\n".join(lines)

    def _render_into(self, lines: list[str], indent: int, max_raw: int) -> None:
        text = "  " * indent + self.name
        if self.raw:
            shown = self.raw[:max_raw].hex(" ").upper()
            if len(self.raw) > max_raw:
                shown += f" ... ({len(self.raw)} bytes)"
            text += f"  [{shown}]"
        if self.value is not None and not self.children:
            text += f"  = {_jsonable(self.value)!r}" if not isinstance(self.value, str) else f"  = {self.value}"
        if self.meaning:
            text += f"  ({self.meaning})"
        lines.append(text)
        for child in self.children:
            child._render_into(lines, indent + 1, max_raw)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex().upper()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if hasattr(value, "to_json"):
        return value.to_json()
    return str(value)
