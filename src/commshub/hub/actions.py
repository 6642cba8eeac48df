"""Actions: what a hub asks its driver to do, returned by ``Hub.handle`` as a list.

The driver carries them out in list order. Two rules make the hub crash-safe:

- A :class:`PersistState` always comes first in the list when the event changed anything that
  lives in non-volatile memory, so the driver writes it before any message leaves the hub.
- A message leaves the hub (:class:`SendWan`, :class:`SendCsp`) only after it is stored in the
  hub's outbox. The hub counts it as delivered once the driver hands it the next event, so a
  driver that dies in the middle of an action list makes the rebuilt hub send it again.
"""

from __future__ import annotations

import enum
from dataclasses import KW_ONLY, dataclass, field

__all__ = [
    "Action",
    "ActivationRequest",
    "CancelTimer",
    "CspMessage",
    "FirmwareChunkAck",
    "InstallationReport",
    "JoinDecision",
    "NvmWrite",
    "PersistState",
    "PowerOutageAlert",
    "PowerRestoreAlert",
    "ScheduledReadMissed",
    "SendCsp",
    "SendHan",
    "SendWan",
    "StartTimer",
    "WanKind",
]


@dataclass(frozen=True, slots=True)
class Action:
    """Base of every action."""


@dataclass(frozen=True, slots=True)
class NvmWrite:
    """One record of non-volatile memory: ``value`` None deletes the record."""

    table: str
    key: str
    value: bytes | None


@dataclass(frozen=True, slots=True)
class PersistState(Action):
    """Write these records to non-volatile memory, all or nothing, before the next action."""

    writes: tuple[NvmWrite, ...]


class WanKind(enum.Enum):
    """Kind of a GBCS message sent over the SMWAN."""

    RESPONSE = "response"
    ALERT = "alert"
    CACHED_READ = "cached_read"
    FORWARDED = "forwarded"


@dataclass(frozen=True, slots=True)
class SendWan(Action):
    """Send a GBCS message to the DCC over the SMWAN.

    ``recipient`` is the GBCS business recipient (a remote party's entity ID);
    ``message_code`` the use case and ``alert_code`` the GBCS alert code of an alert.
    ``expires_at`` (driver clock, seconds) is the deadline of a cached read: after it the hub
    drops the message instead of sending it, or sending it again after a restart.
    """

    message_id: int
    kind: WanKind
    recipient: bytes
    message_code: int
    data: bytes
    alert_code: int | None = None
    expires_at: int | None = None


@dataclass(frozen=True, slots=True)
class CspMessage:
    """A message between the hub and its CSP that is not GBCS; ``wan/`` defines its encoding."""


@dataclass(frozen=True, slots=True)
class InstallationReport(CspMessage):
    """WAN measurements taken at installation."""

    network_address: str
    installed_at: int
    strength_dbm: int | None
    quality: int | None
    packet_loss_percent: float | None


@dataclass(frozen=True, slots=True)
class ActivationRequest(CspMessage):
    """The post-installation activation message; the CSP answers with ActivationConfirmed."""

    network_address: str
    chf_id: bytes
    gpf_id: bytes
    attempt: int


@dataclass(frozen=True, slots=True)
class PowerOutageAlert(CspMessage):
    """Mains has been off longer than the outage threshold; ``lost_at`` is the last-gasp time.

    The gateway encodes it as ``commshub.wan.alerts.PowerOutageAlert`` (code 0xDC01).
    """

    network_address: str
    lost_at: int


@dataclass(frozen=True, slots=True)
class PowerRestoreAlert(CspMessage):
    """Mains is back after an outage that was reported with a PowerOutageAlert.

    The gateway encodes it as ``commshub.wan.alerts.PowerRestoreAlert`` (code 0xDC02);
    ``duration`` is ``restored_at - lost_at`` in seconds.
    """

    network_address: str
    lost_at: int
    restored_at: int
    duration: int


@dataclass(frozen=True, slots=True)
class FirmwareChunkAck(CspMessage):
    """Acknowledgement of a Category 1 chunk: the data store has ``image_id`` up to
    ``next_offset``, where the sender goes on.

    ``verified`` is None while the transfer runs, then True or False once the whole image
    was checked (hash and signature).
    """

    image_id: str
    next_offset: int
    total_size: int
    verified: bool | None = None


@dataclass(frozen=True, slots=True)
class ScheduledReadMissed(CspMessage):
    """A meter's scheduled read (Category 2) was not handed over by its ``deadline`` (driver
    clock, seconds): it came after the deadline, or the hub could not send it in time. It is
    meant for the audit trail, as a failed scheduled-read retrieval.

    The ``commshub run`` driver (``hil/runner.py``) logs it and audits it through
    ``Uplink.scheduled_read_missed``.
    """

    device: bytes
    message_code: int
    deadline: int


@dataclass(frozen=True, slots=True)
class SendCsp(Action):
    """Send a CSP message over the SMWAN (see :class:`CspMessage`)."""

    message_id: int
    message: CspMessage


@dataclass(frozen=True, slots=True)
class SendHan(Action):
    """Send a ZCL frame to a HAN device.

    ``device`` is its IEEE address in GBCS (big-endian) byte order, ``cluster`` the ZCL
    cluster ID and ``payload`` the whole ZCL frame (header and payload). ``aps_ack`` False
    sends the frame without the APS acknowledgment request, as the OTA server sends the Image
    Block Responses that answer an Image Page Request (ZCL OTA Upgrade cluster).
    """

    device: bytes
    cluster: int
    payload: bytes
    _: KW_ONLY
    aps_ack: bool = True


@dataclass(frozen=True, slots=True)
class JoinDecision(Action):
    """The Trust Centre's answer to DeviceJoinRequested: admit the device with ``link_key``
    (install it in the radio's key table) or refuse it, ``reason`` saying why."""

    device: bytes
    accepted: bool
    reason: str
    link_key: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class SendTimeRequest(Action):
    """Send a time request to the CSP's time service: ``source`` "ntp" is an NTP client packet
    for its NTP server (UDP), "signed_time" a request to its signed time endpoint."""

    source: str
    data: bytes


@dataclass(frozen=True, slots=True)
class StartTimer(Action):
    """Deliver ``TimerExpired(name=name)`` at ``deadline`` (UTC seconds); restarting replaces it."""

    name: str
    deadline: int


@dataclass(frozen=True, slots=True)
class CancelTimer(Action):
    """Forget the timer ``name``; a TimerExpired already under way is ignored by the hub."""

    name: str
