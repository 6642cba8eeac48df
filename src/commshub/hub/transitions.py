"""The hub's state machines as data: one transition table per component.

Every state change of these components goes through :func:`advance`, which looks the move up
in :data:`TABLES` and raises :class:`IllegalTransition` (naming the event, the state and the
hub) when the table has no such move. The stateful hypothesis test (``tests/hub``) predicts the
hub's moves from the same tables, and ``docs/hub-states.md`` is :func:`render_markdown` of them.

Components with one instance per hub: RUN, POWER, LIFECYCLE, WAN_LINK and JOIN. FIRMWARE has
one instance per image in the data store, OTA one per HAN device being upgraded.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping

from commshub.errors import LocalProtocolError

__all__ = [
    "TABLES",
    "Component",
    "FirmwareState",
    "IllegalTransition",
    "JoinState",
    "LifecycleState",
    "OtaState",
    "PowerState",
    "RunState",
    "Trigger",
    "WanLinkState",
    "advance",
    "legal_triggers",
    "render_markdown",
]

LOGGER = logging.getLogger(__name__)


class Component(enum.Enum):
    RUN = "run"
    POWER = "power"
    LIFECYCLE = "lifecycle"
    WAN_LINK = "wan_link"
    JOIN = "join"
    FIRMWARE = "firmware"
    OTA = "ota"


class RunState(enum.Enum):
    """Whether the hub's software runs; a new or rebuilt hub object waits for Started."""

    HALTED = "halted"
    RUNNING = "running"


class PowerState(enum.Enum):
    """Mains power as the hub saw it; kept in non-volatile memory across restarts."""

    MAINS_ON = "mains_on"
    OUTAGE_PENDING = "outage_pending"  # mains lost, outage threshold not yet passed
    OUTAGE_LONG = "outage_long"  # off longer than the outage threshold


class LifecycleState(enum.Enum):
    NOT_INSTALLED = "not_installed"
    AWAITING_COVERAGE = "awaiting_coverage"  # installed without WAN; activates when it comes
    AWAITING_ACTIVATION = "awaiting_activation"  # activation message sent, confirmation due
    ACTIVE = "active"
    DECOMMISSIONED = "decommissioned"


class WanLinkState(enum.Enum):
    DOWN = "down"
    UP = "up"


class JoinState(enum.Enum):
    """The CHF's enable_disable_joining attribute (class 104 attribute 2)."""

    CLOSED = "closed"
    OPEN = "open"


class FirmwareState(enum.Enum):
    """One OTA upgrade image in the hub's data store."""

    RECEIVING = "receiving"
    VERIFIED = "verified"  # hash and signature checked, image offered over OTA
    REJECTED = "rejected"  # complete but the hash or signature did not verify


class OtaState(enum.Enum):
    """One HAN device's OTA Upgrade transfer, as the hub's OTA server tracks it."""

    IDLE = "idle"
    TRANSFERRING = "transferring"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Trigger(enum.Enum):
    START = "start"
    EVENT = "event"  # any event other than Started
    MAINS_LOST = "mains_lost"
    MAINS_RESTORED = "mains_restored"
    OUTAGE_THRESHOLD_PASSED = "outage_threshold_passed"
    INSTALL_ONLINE = "install_online"
    INSTALL_OFFLINE = "install_offline"
    COVERAGE_ARRIVED = "coverage_arrived"
    ACTIVATION_RETRY = "activation_retry"
    ACTIVATION_CONFIRMED = "activation_confirmed"
    DECOMMISSION = "decommission"
    LINK_UP = "link_up"
    LINK_DOWN = "link_down"
    OPEN_JOINING = "open_joining"
    CLOSE_JOINING = "close_joining"
    JOIN_TIMEOUT = "join_timeout"
    CHUNK_STORED = "chunk_stored"
    IMAGE_VERIFIED = "image_verified"
    IMAGE_REJECTED = "image_rejected"
    TRANSFER_STARTED = "transfer_started"
    BLOCK_SENT = "block_sent"
    TRANSFER_SUCCEEDED = "transfer_succeeded"
    TRANSFER_FAILED = "transfer_failed"


State = RunState | PowerState | LifecycleState | WanLinkState | JoinState | FirmwareState | OtaState
Table = Mapping[enum.Enum, Mapping[Trigger, enum.Enum]]

_T = Trigger

RUN_TABLE: Table = {
    RunState.HALTED: {_T.START: RunState.RUNNING},
    RunState.RUNNING: {_T.EVENT: RunState.RUNNING},
}

POWER_TABLE: Table = {
    PowerState.MAINS_ON: {_T.MAINS_LOST: PowerState.OUTAGE_PENDING},
    PowerState.OUTAGE_PENDING: {
        _T.MAINS_RESTORED: PowerState.MAINS_ON,
        _T.OUTAGE_THRESHOLD_PASSED: PowerState.OUTAGE_LONG,
    },
    PowerState.OUTAGE_LONG: {_T.MAINS_RESTORED: PowerState.MAINS_ON},
}

LIFECYCLE_TABLE: Table = {
    LifecycleState.NOT_INSTALLED: {
        _T.INSTALL_ONLINE: LifecycleState.AWAITING_ACTIVATION,
        _T.INSTALL_OFFLINE: LifecycleState.AWAITING_COVERAGE,
    },
    LifecycleState.AWAITING_COVERAGE: {
        _T.COVERAGE_ARRIVED: LifecycleState.AWAITING_ACTIVATION,
        _T.DECOMMISSION: LifecycleState.DECOMMISSIONED,
    },
    LifecycleState.AWAITING_ACTIVATION: {
        _T.ACTIVATION_RETRY: LifecycleState.AWAITING_ACTIVATION,
        _T.ACTIVATION_CONFIRMED: LifecycleState.ACTIVE,
        _T.DECOMMISSION: LifecycleState.DECOMMISSIONED,
    },
    LifecycleState.ACTIVE: {_T.DECOMMISSION: LifecycleState.DECOMMISSIONED},
    # A decommissioned hub can be refurbished and installed again.
    LifecycleState.DECOMMISSIONED: {
        _T.INSTALL_ONLINE: LifecycleState.AWAITING_ACTIVATION,
        _T.INSTALL_OFFLINE: LifecycleState.AWAITING_COVERAGE,
    },
}

WAN_LINK_TABLE: Table = {
    WanLinkState.DOWN: {_T.LINK_UP: WanLinkState.UP, _T.LINK_DOWN: WanLinkState.DOWN},
    WanLinkState.UP: {_T.LINK_UP: WanLinkState.UP, _T.LINK_DOWN: WanLinkState.DOWN},
}

JOIN_TABLE: Table = {
    JoinState.CLOSED: {_T.OPEN_JOINING: JoinState.OPEN, _T.CLOSE_JOINING: JoinState.CLOSED},
    JoinState.OPEN: {
        _T.OPEN_JOINING: JoinState.OPEN,
        _T.CLOSE_JOINING: JoinState.CLOSED,
        _T.JOIN_TIMEOUT: JoinState.CLOSED,
    },
}

FIRMWARE_TABLE: Table = {
    FirmwareState.RECEIVING: {
        _T.CHUNK_STORED: FirmwareState.RECEIVING,
        _T.IMAGE_VERIFIED: FirmwareState.VERIFIED,
        _T.IMAGE_REJECTED: FirmwareState.REJECTED,
    },
    FirmwareState.VERIFIED: {},
    FirmwareState.REJECTED: {},
}

OTA_TABLE: Table = {
    OtaState.IDLE: {_T.TRANSFER_STARTED: OtaState.TRANSFERRING},
    OtaState.TRANSFERRING: {
        _T.TRANSFER_STARTED: OtaState.TRANSFERRING,
        _T.BLOCK_SENT: OtaState.TRANSFERRING,
        _T.TRANSFER_SUCCEEDED: OtaState.SUCCEEDED,
        _T.TRANSFER_FAILED: OtaState.FAILED,
    },
    OtaState.SUCCEEDED: {_T.TRANSFER_STARTED: OtaState.TRANSFERRING},
    OtaState.FAILED: {_T.TRANSFER_STARTED: OtaState.TRANSFERRING},
}

TABLES: Mapping[Component, Table] = {
    Component.RUN: RUN_TABLE,
    Component.POWER: POWER_TABLE,
    Component.LIFECYCLE: LIFECYCLE_TABLE,
    Component.WAN_LINK: WAN_LINK_TABLE,
    Component.JOIN: JOIN_TABLE,
    Component.FIRMWARE: FIRMWARE_TABLE,
    Component.OTA: OTA_TABLE,
}


class IllegalTransition(LocalProtocolError):
    """An event asked for a move that the component's transition table does not have."""

    def __init__(
        self, *, hub_id: str, component: Component, state: enum.Enum, trigger: Trigger,
        event: str, instance: str | None = None,
    ) -> None:
        self.hub_id = hub_id
        self.component = component
        self.state = state
        self.trigger = trigger
        self.event = event
        self.instance = instance
        where = f"{component.value}[{instance}]" if instance else component.value
        super().__init__(
            f"hub {hub_id}: event {event} ({trigger.value}) is not allowed while {where} is "
            f"{state.value}; allowed: {', '.join(t.value for t in legal_triggers(component, state)) or 'none'}"
        )


def legal_triggers(component: Component, state: enum.Enum) -> tuple[Trigger, ...]:
    """Return the triggers the table allows for ``component`` in ``state``."""
    return tuple(TABLES[component][state])


def advance(
    component: Component, state: enum.Enum, trigger: Trigger, *, hub_id: str, event: str,
    instance: str | None = None,
) -> enum.Enum:
    """Return the state that ``trigger`` moves ``component`` to from ``state``.

    Raises IllegalTransition, and changes nothing, when the table has no such move.
    """
    moves = TABLES[component][state]
    if trigger not in moves:
        raise IllegalTransition(
            hub_id=hub_id, component=component, state=state, trigger=trigger, event=event,
            instance=instance,
        )
    new_state = moves[trigger]
    if new_state is not state:
        LOGGER.debug(
            "hub %s: %s%s %s -> %s on %s", hub_id, component.value,
            f"[{instance}]" if instance else "", state.value, new_state.value, event,
        )
    return new_state


def render_markdown() -> str:
    """Render every transition table as Markdown (``docs/hub-states.md`` is this text)."""
    lines = [
        "# Hub state machines",
        "",
        "Generated from `commshub.hub.transitions.TABLES` by `render_markdown()`; a test keeps",
        "this page equal to the tables. A move that is not listed raises `IllegalTransition`.",
    ]
    for component, table in TABLES.items():
        lines += ["", f"## {component.value}", "", "| state | trigger | new state |", "|---|---|---|"]
        for state, moves in table.items():
            if not moves:
                lines.append(f"| {state.value} | (none: final) | |")
            for trigger, new_state in moves.items():
                lines.append(f"| {state.value} | {trigger.value} | {new_state.value} |")
    return "\n".join(lines) + "\n"
