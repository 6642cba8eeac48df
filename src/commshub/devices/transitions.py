"""The virtual devices' state machines as data: one transition table per component.

Every state change of a device goes through :func:`advance`, which raises
:class:`IllegalTransition` (naming the device, the component, the state and the trigger) when
the table has no such move, so a move that is not in a table cannot happen.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from typing import TypeVar, cast

from commshub.errors import LocalProtocolError

__all__ = [
    "TABLES",
    "DeviceComponent",
    "DeviceTrigger",
    "IllegalTransition",
    "JoinState",
    "OtaClientState",
    "PollState",
    "SupplyState",
    "TunnelState",
    "advance",
]

LOGGER = logging.getLogger(__name__)


class DeviceComponent(enum.Enum):
    JOIN = "join"
    TUNNEL = "tunnel"
    OTA = "ota"
    SUPPLY = "supply"
    POLL = "poll"


class JoinState(enum.Enum):
    """Membership of the HAN: a device joins with the link key of its install code."""

    UNJOINED = "unjoined"
    JOINING = "joining"
    JOINED = "joined"


class TunnelState(enum.Enum):
    """The GBCS tunnel (Tunneling cluster, protocol GB-HGRP) the device opens to the hub."""

    CLOSED = "closed"
    REQUESTED = "requested"
    OPEN = "open"


class OtaClientState(enum.Enum):
    """The device's OTA Upgrade client."""

    IDLE = "idle"
    QUERYING = "querying"  # Query Next Image Request sent
    DOWNLOADING = "downloading"  # Image Block Requests under way
    VERIFYING = "verifying"  # Upgrade End Request sent, waiting for the server's answer
    HELD = "held"  # a verified image waits for CS06 activation


class SupplyState(enum.Enum):
    """The electricity supply at the meter (ESME)."""

    ON = "on"
    INTERRUPTED = "interrupted"


class PollState(enum.Enum):
    """A sleepy device's radio: asleep between polls, awake while it drains the hub's queue."""

    ASLEEP = "asleep"
    AWAKE = "awake"


class DeviceTrigger(enum.Enum):
    JOIN_REQUESTED = "join_requested"
    JOIN_ACCEPTED = "join_accepted"
    JOIN_REJECTED = "join_rejected"
    TUNNEL_REQUESTED = "tunnel_requested"
    TUNNEL_OPENED = "tunnel_opened"
    TUNNEL_REFUSED = "tunnel_refused"
    IMAGE_QUERIED = "image_queried"
    NO_IMAGE = "no_image"
    DOWNLOAD_STARTED = "download_started"
    BLOCK_RECEIVED = "block_received"
    DOWNLOAD_COMPLETE = "download_complete"
    IMAGE_ACCEPTED = "image_accepted"
    IMAGE_REJECTED = "image_rejected"
    IMAGE_ACTIVATED = "image_activated"
    SUPPLY_LOST = "supply_lost"
    SUPPLY_RESTORED = "supply_restored"
    WAKE = "wake"
    QUEUE_DRAINED = "queue_drained"


_T = DeviceTrigger
S = TypeVar("S", bound=enum.Enum)
Table = Mapping[enum.Enum, Mapping[DeviceTrigger, enum.Enum]]

JOIN_TABLE: Table = {
    JoinState.UNJOINED: {_T.JOIN_REQUESTED: JoinState.JOINING},
    JoinState.JOINING: {
        _T.JOIN_REQUESTED: JoinState.JOINING,
        _T.JOIN_ACCEPTED: JoinState.JOINED,
        _T.JOIN_REJECTED: JoinState.UNJOINED,
    },
    JoinState.JOINED: {},
}

TUNNEL_TABLE: Table = {
    TunnelState.CLOSED: {_T.TUNNEL_REQUESTED: TunnelState.REQUESTED},
    TunnelState.REQUESTED: {
        _T.TUNNEL_REQUESTED: TunnelState.REQUESTED,
        _T.TUNNEL_OPENED: TunnelState.OPEN,
        _T.TUNNEL_REFUSED: TunnelState.CLOSED,
    },
    TunnelState.OPEN: {},
}

OTA_TABLE: Table = {
    OtaClientState.IDLE: {_T.IMAGE_QUERIED: OtaClientState.QUERYING},
    OtaClientState.QUERYING: {
        _T.IMAGE_QUERIED: OtaClientState.QUERYING,
        _T.NO_IMAGE: OtaClientState.IDLE,
        _T.DOWNLOAD_STARTED: OtaClientState.DOWNLOADING,
    },
    OtaClientState.DOWNLOADING: {
        _T.BLOCK_RECEIVED: OtaClientState.DOWNLOADING,
        _T.DOWNLOAD_COMPLETE: OtaClientState.VERIFYING,
        _T.IMAGE_REJECTED: OtaClientState.IDLE,
    },
    OtaClientState.VERIFYING: {
        _T.IMAGE_ACCEPTED: OtaClientState.HELD,
        _T.IMAGE_REJECTED: OtaClientState.IDLE,
    },
    # A held image stays until CS06 activates it; a newer one may be fetched meanwhile.
    OtaClientState.HELD: {
        _T.IMAGE_ACTIVATED: OtaClientState.IDLE,
        _T.IMAGE_QUERIED: OtaClientState.QUERYING,
    },
}

SUPPLY_TABLE: Table = {
    SupplyState.ON: {_T.SUPPLY_LOST: SupplyState.INTERRUPTED},
    SupplyState.INTERRUPTED: {_T.SUPPLY_RESTORED: SupplyState.ON},
}

POLL_TABLE: Table = {
    PollState.ASLEEP: {_T.WAKE: PollState.AWAKE},
    PollState.AWAKE: {_T.WAKE: PollState.AWAKE, _T.QUEUE_DRAINED: PollState.ASLEEP},
}

TABLES: Mapping[DeviceComponent, Table] = {
    DeviceComponent.JOIN: JOIN_TABLE,
    DeviceComponent.TUNNEL: TUNNEL_TABLE,
    DeviceComponent.OTA: OTA_TABLE,
    DeviceComponent.SUPPLY: SUPPLY_TABLE,
    DeviceComponent.POLL: POLL_TABLE,
}


class IllegalTransition(LocalProtocolError):
    """An event asked for a move that the component's transition table does not have."""

    def __init__(self, *, device: str, component: DeviceComponent, state: enum.Enum,
                 trigger: DeviceTrigger) -> None:
        self.device = device
        self.component = component
        self.state = state
        self.trigger = trigger
        allowed = ", ".join(t.value for t in TABLES[component][state]) or "none"
        super().__init__(
            f"device {device}: {trigger.value} is not allowed while {component.value} is "
            f"{state.value}; allowed: {allowed}"
        )


def advance(component: DeviceComponent, state: S, trigger: DeviceTrigger, *, device: str) -> S:
    """Return the state ``trigger`` moves ``component`` to; raise IllegalTransition otherwise."""
    moves = TABLES[component][state]
    if trigger not in moves:
        raise IllegalTransition(device=device, component=component, state=state, trigger=trigger)
    new_state = cast(S, moves[trigger])
    if new_state is not state:
        LOGGER.debug("device %s: %s %s -> %s on %s", device, component.value, state.value,
                     new_state.value, trigger.value)
    return new_state
