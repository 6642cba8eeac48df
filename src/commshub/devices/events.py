"""Events a virtual HAN device takes and actions it returns, as frozen values.

A device has no clock and no radio: the driver feeds it events (each carrying ``at``, the
driver's clock in UTC seconds since 1970) and carries out the actions it returns, in order.
Timers are actions too (:class:`StartTimer`), and come back as :class:`TimerExpired`.

HAN frames are ZCL frames at the APS level, exchanged with the Communications Hub: the device
sends :class:`SendHan` and receives :class:`HanFrameReceived`, whose fields mirror the hub's
``HanFrameReceived`` event and ``SendHan`` action so that a driver only copies fields across.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CancelTimer",
    "DeviceAction",
    "DeviceEvent",
    "HanFrameReceived",
    "ImageActivated",
    "JoinCompleted",
    "RequestJoin",
    "SendHan",
    "StartTimer",
    "Started",
    "SupplyLost",
    "SupplyRestored",
    "TimerExpired",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceEvent:
    """Base of every device event; ``at`` is UTC seconds on the driver's clock."""

    at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Started(DeviceEvent):
    """The device powers up; the first event every device object receives."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerExpired(DeviceEvent):
    """A timer the device asked for with ``StartTimer(name, ...)`` has run out."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HanFrameReceived(DeviceEvent):
    """A ZCL frame (header and payload) from the hub on ``cluster``; ``source`` is the
    sender's IEEE address in GBCS (big-endian) byte order, the CHF or the GPF."""

    source: bytes
    cluster: int
    payload: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class JoinCompleted(DeviceEvent):
    """The Trust Centre decided on the device's join request."""

    accepted: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplyLost(DeviceEvent):
    """The electricity supply to the meter's load went off (ESME only)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplyRestored(DeviceEvent):
    """The electricity supply came back (ESME only)."""


@dataclass(frozen=True, slots=True)
class DeviceAction:
    """Base of every device action."""


@dataclass(frozen=True, slots=True)
class SendHan(DeviceAction):
    """Send a ZCL frame to ``destination`` (the CHF or the GPF, big-endian IEEE address)."""

    destination: bytes
    cluster: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class RequestJoin(DeviceAction):
    """Ask the Trust Centre to join with the link key derived from the install code."""

    link_key: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class StartTimer(DeviceAction):
    """Deliver ``TimerExpired(name=name)`` at ``deadline`` (UTC seconds); restarting replaces it."""

    name: str
    deadline: int


@dataclass(frozen=True, slots=True)
class CancelTimer(DeviceAction):
    """Forget the timer ``name``."""

    name: str


@dataclass(frozen=True, slots=True)
class ImageActivated(DeviceAction):
    """The device now runs the firmware ``version``; a report for the driver and tests."""

    version: bytes
    image_hash: bytes
