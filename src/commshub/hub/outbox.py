"""The hub's transmit queue for the SMWAN, kept in non-volatile memory.

Every GBCS response and alert and every CSP message goes into the outbox first and is written
with the PersistState that leads the action list; the SendWan or SendCsp action follows. The
hub forgets an entry when the driver hands it the next event, because a driver finishes one
action list before it asks for the next. A rebuilt hub sends every entry it still holds again,
so a message may arrive twice after a crash (same message ID, same GBCS counter) but never
zero times. While the WAN link is down nothing leaves; entries wait for the link.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from commshub.hub import actions
from commshub.hub.actions import CspMessage, SendCsp, SendWan, WanKind
from commshub.hub.persistence import Records, dump_json, load_json

__all__ = ["OUTBOX_MAX", "Outbox"]

LOGGER = logging.getLogger(__name__)

# Messages the hub buffers while its WAN link is down (not public; an estimate of a modem's
# buffer). The oldest is dropped first when it overflows.
OUTBOX_MAX = 512

_CSP_TYPES: dict[str, type[CspMessage]] = {
    cls.__name__: cls
    for cls in (
        actions.InstallationReport, actions.ActivationRequest, actions.PowerOutageAlert,
        actions.PowerRestoreAlert, actions.FirmwareChunkAck, actions.ScheduledReadMissed,
    )
}

Message = SendWan | SendCsp


def _to_record(message: Message) -> bytes:
    if isinstance(message, SendWan):
        return dump_json({
            "type": "wan", "message_id": message.message_id, "kind": message.kind.value,
            "recipient": message.recipient, "message_code": message.message_code,
            "data": message.data, "alert_code": message.alert_code, "expires_at": message.expires_at,
        })
    body = dataclasses.asdict(message.message)
    return dump_json({
        "type": "csp", "message_id": message.message_id,
        "csp_type": type(message.message).__name__, "body": body,
    })


def _from_record(data: bytes) -> Message:
    value: dict[str, Any] = load_json(data)
    if value["type"] == "wan":
        return SendWan(
            value["message_id"], WanKind(value["kind"]), bytes.fromhex(value["recipient"]),
            value["message_code"], bytes.fromhex(value["data"]), value["alert_code"],
            value.get("expires_at"),
        )
    cls = _CSP_TYPES[value["csp_type"]]
    body = dict(value["body"])
    for item in dataclasses.fields(cls):
        if item.type == "bytes" and isinstance(body.get(item.name), str):
            body[item.name] = bytes.fromhex(body[item.name])
    return SendCsp(value["message_id"], cls(**body))


class Outbox:
    """Messages waiting to leave, or sent but not yet confirmed by the next event."""

    def __init__(self, messages: list[Message] | None = None, next_id: int = 1) -> None:
        self._messages: dict[int, Message] = {m.message_id: m for m in messages or []}
        self._released: set[int] = set()
        self._next_id = max([next_id, *(m + 1 for m in self._messages)])

    def __len__(self) -> int:
        return len(self._messages)

    def messages(self) -> list[Message]:
        return [self._messages[key] for key in sorted(self._messages)]

    def new_id(self) -> int:
        message_id = self._next_id
        self._next_id += 1
        return message_id

    def put(self, message: Message) -> None:
        self._messages[message.message_id] = message
        while len(self._messages) > OUTBOX_MAX:
            oldest = min(self._messages)
            LOGGER.warning("outbox full: dropped message %d to make room", oldest)
            del self._messages[oldest]
            self._released.discard(oldest)

    def take_expired(self, now: int) -> list[SendWan]:
        """Remove and return the GBCS messages whose ``expires_at`` lies before ``now``."""
        expired = [message for message in self._messages.values()
                   if isinstance(message, SendWan) and message.expires_at is not None and message.expires_at < now]
        for message in expired:
            del self._messages[message.message_id]
            self._released.discard(message.message_id)
        return expired

    def discard_all(self) -> int:
        count = len(self._messages)
        self._messages.clear()
        self._released.clear()
        return count

    def release(self) -> list[Message]:
        """Return the messages not yet released, oldest first, and mark them released."""
        pending = [m for key, m in sorted(self._messages.items()) if key not in self._released]
        self._released.update(m.message_id for m in pending)
        return pending

    def forget_released(self) -> bool:
        """Drop the messages released before this event; True if any were dropped."""
        if not self._released:
            return False
        for message_id in self._released:
            self._messages.pop(message_id, None)
        self._released.clear()
        return True

    def keep_release_marks(self, other: Outbox) -> None:
        """Take over which messages ``other`` has released (when it replaces ``other``)."""
        self._released = {key for key in other._released if key in self._messages}

    def unrelease_all(self) -> None:
        """Mark every held message as not sent (after a restart)."""
        self._released.clear()

    def records(self) -> Records:
        records = {f"{key:012d}": _to_record(m) for key, m in self._messages.items()}
        records["next_id"] = str(self._next_id).encode()
        return records

    @classmethod
    def from_records(cls, records: Records) -> Outbox:
        messages = [_from_record(value) for key, value in records.items() if key != "next_id"]
        next_id = int(records.get("next_id", b"1"))
        return cls(messages, next_id)
