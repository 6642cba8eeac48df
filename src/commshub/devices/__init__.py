"""Virtual HAN devices in the hub's sans-I/O style: ``device.handle(event) -> list[action]``.

- :class:`Esme`: an electricity meter, a DLMS/COSEM server behind GBCS.
"""

from commshub.devices.esme import Esme, EsmeSettings
from commshub.devices.events import (
    CancelTimer,
    DeviceAction,
    DeviceEvent,
    HanFrameReceived,
    ImageActivated,
    JoinCompleted,
    RequestJoin,
    SendHan,
    Started,
    StartTimer,
    SupplyLost,
    SupplyRestored,
    TimerExpired,
)
from commshub.devices.identity import DeviceIdentity

__all__ = [
    "CancelTimer",
    "DeviceAction",
    "DeviceEvent",
    "DeviceIdentity",
    "Esme",
    "EsmeSettings",
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
