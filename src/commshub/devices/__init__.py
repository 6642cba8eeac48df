"""Virtual HAN devices in the hub's sans-I/O style: ``device.handle(event) -> list[action]``.

- :class:`Esme`: an electricity meter, a DLMS/COSEM server behind GBCS.
- :class:`Gsme`: a sleepy gas meter that polls the GPF and speaks GBZ.
- :class:`Display`: an IHD or PPMID showing the hub's time and the meter's price.
- :class:`VirtualHan`: a hub and its devices on a virtual clock; :class:`SiteKeys` and
  :class:`Site` set up a site through its own interfaces.
"""

from commshub.devices.display import Display, DisplayKind, DisplaySettings
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
from commshub.devices.gsme import Gsme, GsmeSettings
from commshub.devices.identity import DeviceIdentity
from commshub.devices.network import VirtualHan, WanMessage
from commshub.devices.ota_client import HeldImage
from commshub.devices.site import Kind, Site, SiteKeys

__all__ = [
    "CancelTimer",
    "DeviceAction",
    "DeviceEvent",
    "DeviceIdentity",
    "Display",
    "DisplayKind",
    "DisplaySettings",
    "Esme",
    "EsmeSettings",
    "Gsme",
    "GsmeSettings",
    "HanFrameReceived",
    "HeldImage",
    "ImageActivated",
    "JoinCompleted",
    "Kind",
    "RequestJoin",
    "SendHan",
    "Site",
    "SiteKeys",
    "StartTimer",
    "Started",
    "SupplyLost",
    "SupplyRestored",
    "TimerExpired",
    "VirtualHan",
    "WanMessage",
]
