"""The Communications Hub state machine (CHF and GPF), sans-I/O.

Build a hub with :meth:`Hub.create` or :meth:`Hub.restore`, feed it events with
:meth:`Hub.handle` and carry out the actions it returns; :mod:`commshub.hub.hub` describes the
contract with the driver, :mod:`commshub.hub.events` and :mod:`commshub.hub.actions` the values
that cross it.
"""

from commshub.hub.actions import (
    Action,
    ActivationRequest,
    CancelTimer,
    CspMessage,
    FirmwareChunkAck,
    InstallationReport,
    JoinDecision,
    NvmWrite,
    PersistState,
    PowerOutageAlert,
    PowerRestoreAlert,
    SendCsp,
    SendHan,
    SendTimeRequest,
    SendWan,
    StartTimer,
    WanKind,
)
from commshub.hub.events import (
    ActivationConfirmed,
    CachedReadsPolled,
    ClockAdjusted,
    Decommissioned,
    DeviceJoinRequested,
    Event,
    FirmwareChunkReceived,
    HanFrameReceived,
    Installed,
    MainsLost,
    MainsRestored,
    ReadScheduled,
    Started,
    TimeResponseReceived,
    TimerExpired,
    WanFrameReceived,
    WanLinkChanged,
    WanSignal,
)
from commshub.hub.gbcs_io import generate_identity
from commshub.hub.hub import Hub
from commshub.hub.settings import HubIdentity, HubSettings, RemoteParty, Role
from commshub.hub.transitions import TABLES, IllegalTransition

__all__ = [
    "Hub",
    "HubIdentity",
    "HubSettings",
    "RemoteParty",
    "Role",
    "generate_identity",
    "IllegalTransition",
    "TABLES",
    # events
    "Event",
    "Started",
    "MainsLost",
    "MainsRestored",
    "TimerExpired",
    "WanSignal",
    "WanLinkChanged",
    "Installed",
    "ActivationConfirmed",
    "Decommissioned",
    "WanFrameReceived",
    "HanFrameReceived",
    "DeviceJoinRequested",
    "FirmwareChunkReceived",
    "ReadScheduled",
    "CachedReadsPolled",
    "ClockAdjusted",
    "TimeResponseReceived",
    # actions
    "Action",
    "PersistState",
    "NvmWrite",
    "SendWan",
    "WanKind",
    "SendCsp",
    "CspMessage",
    "InstallationReport",
    "ActivationRequest",
    "PowerOutageAlert",
    "PowerRestoreAlert",
    "FirmwareChunkAck",
    "SendHan",
    "JoinDecision",
    "SendTimeRequest",
    "StartTimer",
    "CancelTimer",
]
