"""Category 2: the meters' scheduled read responses, cached byte for byte until polled.

The DCC tells the hub which reads are scheduled (:class:`~commshub.hub.events.ReadScheduled`:
meter, message code, deadline). A response from that meter with that message code is kept in
NVM exactly as received. The DCC polls (:class:`~commshub.hub.events.CachedReadsPolled`) and
gets every cached response whose deadline has not passed. Caching must never push a response
past its deadline, so a response not polled ``cat2_forward_margin`` seconds before its deadline
is sent unasked. One that is late is dropped and logged, never handed over, and the hub reports
it to the CSP (:class:`~commshub.hub.actions.ScheduledReadMissed`) for the audit trail: a
response that arrives after its deadline, one whose deadline passed while the hub was down, and
one that waited in the outbox (WAN link down) until its deadline passed.

NOTE: no public source describes Category 2 caching (GBCS and DUIS only mark which service
requests are "DCC Scheduled"); this is commshub's reading of the CSP contract's wording.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.hub import events as ev
from commshub.hub import gbcs_io
from commshub.hub.actions import ScheduledReadMissed, WanKind
from commshub.hub.persistence import dump_json, load_json

if TYPE_CHECKING:
    from commshub.hub.hub import Hub

__all__ = ["CAT2_TIMER", "cache_response", "cached", "drop_expired", "schedules"]

LOGGER = logging.getLogger(__name__)

CAT2_TIMER = "cat2"


def _schedules(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("cat2_schedule", {})


def _cache(hub: Hub) -> dict[str, bytes]:
    return hub.state.extra.setdefault("cat2_cache", {})


def schedules(hub: Hub) -> dict[tuple[bytes, int], int]:
    """(meter, message code) -> deadline of every scheduled read not yet answered."""
    out = {}
    for key, value in _schedules(hub).items():
        device, code = key.split(":")
        out[(bytes.fromhex(device), int(code, 16))] = int(load_json(value)["deadline"])
    return out


def cached(hub: Hub) -> list[dict[str, Any]]:
    """The cached responses, oldest first: device, message code, deadline and the bytes."""
    entries = []
    for key in sorted(_cache(hub)):
        value = load_json(_cache(hub)[key])
        entries.append({
            "key": key, "device": bytes.fromhex(value["device"]), "message_code": value["message_code"],
            "recipient": bytes.fromhex(value["recipient"]), "deadline": value["deadline"],
            "data": bytes.fromhex(value["data"]),
        })
    return entries


def _on_read_scheduled(hub: Hub, event: ev.ReadScheduled) -> None:
    if hub.dropped_without_mains(event):
        return
    _schedules(hub)[f"{event.device.hex()}:{event.message_code:04x}"] = dump_json({"deadline": event.deadline})
    hub.state.touch("cat2_schedule")


def cache_response(hub: Hub, device: bytes, frame: GbcsFrame, data: bytes) -> bool:
    """Cache a response a schedule covers; False when no schedule covers it."""
    key = f"{device.hex()}:{frame.message_code:04x}"
    schedule = _schedules(hub).pop(key, None)
    if schedule is None:
        return False
    hub.state.touch("cat2_schedule")
    deadline = int(load_json(schedule)["deadline"])
    now = hub.state.now
    if now > deadline:
        LOGGER.warning("hub %s: scheduled read 0x%04X from %s arrived after its deadline; dropped",
                       hub.id, frame.message_code, device.hex())
        hub.send_csp(ScheduledReadMissed(device, frame.message_code, deadline))
        return True
    sequence = max((int(k.split(":")[0]) for k in _cache(hub)), default=0) + 1
    entry_key = f"{sequence:012d}:{key}"
    _cache(hub)[entry_key] = dump_json({
        "device": device, "message_code": frame.message_code, "recipient": frame.recipient,
        "deadline": deadline, "data": data,
    })
    hub.state.touch("cat2_cache")
    forward_at = max(now, deadline - hub.state.settings.cat2_forward_margin)
    hub.start_timer(f"{CAT2_TIMER}:{entry_key}", forward_at)
    LOGGER.debug("hub %s: cached scheduled read 0x%04X from %s until %d", hub.id,
                 frame.message_code, device.hex(), deadline)
    return True


def _release(hub: Hub, entry_key: str, reason: str) -> None:
    raw = _cache(hub).pop(entry_key, None)
    if raw is None:
        return
    hub.state.touch("cat2_cache")
    hub.cancel_timer(f"{CAT2_TIMER}:{entry_key}")
    value = load_json(raw)
    device = bytes.fromhex(value["device"])
    if hub.state.now > value["deadline"]:
        LOGGER.warning("hub %s: cached read 0x%04X from %s missed its deadline %d; dropped", hub.id,
                       value["message_code"], device.hex(), value["deadline"])
        hub.send_csp(ScheduledReadMissed(device, value["message_code"], value["deadline"]))
        return
    hub.send_wan(WanKind.CACHED_READ, bytes.fromhex(value["recipient"]), value["message_code"],
                 bytes.fromhex(value["data"]), expires_at=value["deadline"])
    LOGGER.debug("hub %s: cached read 0x%04X handed over (%s)", hub.id, value["message_code"], reason)


def drop_expired(hub: Hub) -> None:
    """Drop the cached reads that wait in the outbox past their deadline, and report them."""
    for message in hub.state.outbox.take_expired(hub.state.now):
        hub.state.touch("outbox")
        assert message.expires_at is not None  # take_expired returns only messages that expire
        LOGGER.warning("hub %s: cached read 0x%04X waited in the outbox past its deadline %d; dropped",
                       hub.id, message.message_code, message.expires_at)
        device = _device_of(message.data)
        hub.send_csp(ScheduledReadMissed(device, message.message_code, message.expires_at))


def _device_of(data: bytes) -> bytes:
    """Return the business originator of a cached response: the meter that sent it. The frame
    parsed when it was cached, so it parses again."""
    return gbcs_io.parse(data).originator


def _on_polled(hub: Hub, event: ev.CachedReadsPolled) -> None:
    if hub.dropped_without_mains(event):
        return
    for entry in cached(hub):
        if event.device is None or entry["device"] == event.device:
            _release(hub, entry["key"], "polled")


def _on_timer(hub: Hub, name: str) -> None:
    _release(hub, name.split(":", 1)[1], "deadline near, not polled")


def _register() -> None:
    from commshub.hub.hub import handles, handles_timer

    handles(ev.ReadScheduled)(_on_read_scheduled)
    handles(ev.CachedReadsPolled)(_on_polled)
    handles_timer(CAT2_TIMER)(_on_timer)


_register()
