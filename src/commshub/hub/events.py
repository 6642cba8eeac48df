"""Events: everything that can happen to a hub, as frozen values fed to ``Hub.handle``.

Every event carries ``at``, the driver's clock in whole seconds since 1970-01-01 00:00:00 UTC.
The hub has no clock of its own: it reads the time from the events and asks for timers with
:class:`~commshub.hub.actions.StartTimer`, which come back as :class:`TimerExpired`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ActivationConfirmed",
    "CachedReadsPolled",
    "ClockAdjusted",
    "Decommissioned",
    "DeviceJoinRequested",
    "Event",
    "FirmwareChunkReceived",
    "HanFrameReceived",
    "Installed",
    "MainsLost",
    "MainsRestored",
    "ReadScheduled",
    "Started",
    "TimerExpired",
    "WanFrameReceived",
    "WanLinkChanged",
    "WanSignal",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every hub event; ``at`` is UTC seconds on the driver's clock."""

    at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Started(Event):
    """The hub's software starts, fresh or rebuilt from non-volatile memory.

    The first event every hub object receives. ``mains_present`` says whether mains power is
    on at that moment, so that a hub restarting during or after an outage can finish it;
    ``wan_up`` says whether the WAN modem has a link.
    """

    mains_present: bool = True
    wan_up: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MainsLost(Event):
    """Mains power has gone: the hub's last-gasp detector fired."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MainsRestored(Event):
    """Mains power is back."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerExpired(Event):
    """A timer the hub asked for with ``StartTimer(name, ...)`` has run out."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WanSignal:
    """WAN radio measurements that the hub reports at installation."""

    strength_dbm: int
    quality: int
    packet_loss_percent: float

    def __post_init__(self) -> None:
        if not 0 <= self.packet_loss_percent <= 100:
            raise ValueError(f"packet_loss_percent must be 0..100, got {self.packet_loss_percent!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class WanLinkChanged(Event):
    """The WAN modem gained or lost its link; ``signal`` is measured when it comes up."""

    up: bool
    signal: WanSignal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Installed(Event):
    """An installer fitted the hub; the CSP assigned ``network_address`` on the SMWAN."""

    network_address: str
    signal: WanSignal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivationConfirmed(Event):
    """The CSP confirmed the post-installation activation message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Decommissioned(Event):
    """The CSP decommissioned the hub and withdrew its network address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WanFrameReceived(Event):
    """A GBCS message (Category 5 command, or a Category 2 poll) arrived over the SMWAN."""

    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class HanFrameReceived(Event):
    """A ZCL frame from a HAN device, at the APS level.

    ``device`` is the sender's IEEE address in GBCS (big-endian) byte order, ``cluster`` the
    ZCL cluster ID and ``payload`` the ZCL frame (header and payload). ``rssi_dbm`` and
    ``lqi`` are the radio's measurements of the frame, when it has them.
    """

    device: bytes
    cluster: int
    payload: bytes
    rssi_dbm: int | None = None
    lqi: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceJoinRequested(Event):
    """A HAN device asks the Trust Centre to join, proving the link key it derived.

    ``link_key`` is the key the device derived from its install code; the Trust Centre lets it
    join only if the device is in the CHF device log, joining is open and the key matches.
    """

    device: bytes
    link_key: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FirmwareChunkReceived(Event):
    """One Category 1 chunk of an OTA upgrade image for the hub's data store.

    ``image_id`` names the image for the whole transfer (the sender's choice, such as the
    image's file name); ``offset`` is where ``data`` goes and ``total_size`` the image's size.
    """

    image_id: str
    offset: int
    total_size: int
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadScheduled(Event):
    """The DCC scheduled a Category 2 read: the meter's response may be cached until polled.

    ``device`` is the meter's entity ID, ``message_code`` the use case of the scheduled read
    and ``deadline`` (UTC seconds) the last moment the cached response may be handed over.
    """

    device: bytes
    message_code: int
    deadline: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CachedReadsPolled(Event):
    """The DCC polls the hub for cached Category 2 responses (all meters, or ``device`` only)."""

    device: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockAdjusted(Event):
    """The driver sets the hub's UTC clock: ``offset`` is added to the driver's clock.

    With the hub's own time client (``time_sync``) the client's clock is set too, and it counts
    as unsynchronised until its next accepted sample. ``synchronised`` False says the offset
    does not come from a time source (an unset real-time clock, say): the hub logs a warning,
    and its Time cluster keeps TimeStatus 0x09 because GBCS makes the CH the HAN's time master
    in any case.
    """

    offset: int
    synchronised: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeResponseReceived(Event):
    """A datagram from the CSP's time service: an NTP response or a signed time message.

    ``monotonic`` is the driver's clock at arrival to the sub-second (for the round trip),
    when it has one; ``at`` is used otherwise.
    """

    source: Literal["ntp", "signed_time"]
    data: bytes
    monotonic: float | None = None
