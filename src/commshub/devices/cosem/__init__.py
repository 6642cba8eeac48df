"""A COSEM object model and the server that carries out DLMS access-requests on it."""

from commshub.devices.cosem.model import (
    Buffer,
    CosemModel,
    CosemObject,
    History,
    ObjectKey,
    obis,
    obis_text,
    synthesise,
)
from commshub.devices.cosem.server import (
    ClockSet,
    EventRaised,
    Note,
    Outcome,
    ServerContext,
    SupplySwitched,
    read_attribute,
    serve,
)

__all__ = [
    "Buffer",
    "ClockSet",
    "CosemModel",
    "CosemObject",
    "EventRaised",
    "History",
    "Note",
    "ObjectKey",
    "Outcome",
    "ServerContext",
    "SupplySwitched",
    "obis",
    "obis_text",
    "read_attribute",
    "serve",
    "synthesise",
]
