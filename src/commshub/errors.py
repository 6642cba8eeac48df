"""The exception hierarchy: one root, codec errors that locate the fault, and protocol errors
that name the side at fault (the caller or the peer)."""

from __future__ import annotations

__all__ = [
    "CommshubError",
    "CodecError",
    "NeedMoreData",
    "ProtocolError",
    "LocalProtocolError",
    "RemoteProtocolError",
    "SecurityError",
    "UnsupportedError",
]

# Bytes of context shown on each side of a codec error's offset.
_CONTEXT_BYTES = 16


class CommshubError(Exception):
    """Root of every error that commshub raises on purpose."""


class CodecError(CommshubError, ValueError):
    """Bytes that cannot be decoded, or a value that cannot be encoded.

    ``path`` names the field (``("gbcs", "grouping_header", "other_info", "length")``),
    ``offset`` is the byte offset in the input where the fault lies (None when building) and
    ``data`` holds the whole input so the message can show the bytes around the offset.
    """

    def __init__(
        self,
        message: str,
        *,
        path: tuple[str, ...] | list[str] = (),
        offset: int | None = None,
        data: bytes | None = None,
    ) -> None:
        self.reason = message
        self.path = tuple(path)
        self.offset = offset
        self.data = data
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.path:
            parts.append(" -> ".join(self.path))
        if self.offset is not None:
            parts.append(f"at offset {self.offset}")
        head = " ".join(parts)
        text = f"{head}: {self.reason}" if head else self.reason
        if self.data is not None and self.offset is not None:
            start = max(0, self.offset - _CONTEXT_BYTES)
            end = min(len(self.data), self.offset + _CONTEXT_BYTES)
            before = self.data[start : self.offset].hex(" ")
            after = self.data[self.offset : end].hex(" ")
            text += f" (bytes: {before} | {after})" if before else f" (bytes: | {after})"
        return text or "codec error"

    def within(self, *outer: str) -> "CodecError":
        """Return a copy whose path is prefixed by ``outer`` (used by enclosing decoders)."""
        return CodecError(self.reason, path=(*outer, *self.path), offset=self.offset, data=self.data)


class NeedMoreData(CommshubError):
    """A stream reader holds a prefix of a valid frame; more bytes can complete it."""

    def __init__(self, needed: int | None = None) -> None:
        self.needed = needed
        super().__init__(
            f"need at least {needed} more bytes" if needed else "need more data"
        )


class ProtocolError(CommshubError):
    """A peer or the caller broke a protocol rule."""


class LocalProtocolError(ProtocolError):
    """Our caller asked for something the protocol does not allow."""


class RemoteProtocolError(ProtocolError):
    """A peer sent something the protocol does not allow.

    ``result`` is the status the hub answers with: a ZCL status, a DLMS data-access-result
    or a GBCS response code, as an int, or None when no answer is due.
    """

    def __init__(self, message: str, *, result: int | None = None) -> None:
        self.result = result
        super().__init__(message)


class SecurityError(RemoteProtocolError):
    """A MAC, signature, replay counter or certificate check failed."""


class UnsupportedError(CommshubError, NotImplementedError):
    """A valid feature that commshub does not implement; docs/SUPPORTED.md lists them."""
