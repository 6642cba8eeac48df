"""Virtual in-home display (IHD) and prepayment interface (PPMID).

Both join the HAN with their install code, then keep what a display shows: the time from the
hub's Time cluster server and the current price from the electricity meter's Price cluster
server, refreshed every ``refresh_interval`` seconds. They hold no GBCS tunnel.

``Display.handle(event) -> list[action]`` like every virtual device; ``shown`` is what the
screen would show.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field, replace

from commshub.codecs.zigbee.zcl import Direction, ZclFrame, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.general import TIME_ID
from commshub.codecs.zigbee.zcl.clusters.price import GET_CURRENT_PRICE, PUBLISH_PRICE
from commshub.devices import han
from commshub.devices.events import (
    DeviceAction,
    DeviceEvent,
    HanFrameReceived,
    JoinCompleted,
    Started,
    StartTimer,
    TimerExpired,
)
from commshub.devices.identity import DeviceIdentity
from commshub.devices.transitions import JoinState
from commshub.errors import CodecError, RemoteProtocolError

__all__ = ["Display", "DisplayKind", "DisplaySettings", "DisplayState", "Price", "Shown"]

LOGGER = logging.getLogger(__name__)

REFRESH_TIMER = "refresh"


class DisplayKind(enum.Enum):
    """Display kinds, valued as their device types in the CHF device log (DLMS numbering)."""

    IHD = 128
    PPMID = 132


@dataclass(frozen=True)
class DisplaySettings:
    """``price_server`` is the meter whose Price cluster the display reads (None: no price);
    ``refresh_interval`` the seconds between refreshes."""

    kind: DisplayKind = DisplayKind.IHD
    price_server: bytes | None = None
    refresh_interval: int = 300


@dataclass(frozen=True)
class Price:
    """The current price as Publish Price gave it: ``price`` in units of 10**-``trailing_digits``
    of ``currency`` (ISO 4217) per unit of measure."""

    price: int
    trailing_digits: int
    currency: int
    unit_of_measure: int
    rate_label: bytes


@dataclass(frozen=True)
class Shown:
    """Screen contents: the hub's time (UTC seconds since 1970) and the current price."""

    time: int | None = None
    price: Price | None = None


@dataclass(frozen=True)
class DisplayState:
    han: han.HanState
    shown: Shown = field(default_factory=Shown)


class Display:
    """One virtual IHD or PPMID."""

    def __init__(self, identity: DeviceIdentity, *, hub: bytes, settings: DisplaySettings | None = None) -> None:
        self.identity = identity
        self.settings = settings or DisplaySettings()
        self.state = DisplayState(han=han.HanState(hub=hub))

    def __repr__(self) -> str:
        return f"Display({self.settings.kind.name}, {self.identity.name}, {self.state.han.join.value})"

    @property
    def entity_id(self) -> bytes:
        return self.identity.entity_id

    @property
    def shown(self) -> Shown:
        return self.state.shown

    def handle(self, event: DeviceEvent) -> list[DeviceAction]:
        """Handle one event; the state changes only if the whole event succeeds."""
        name = self.identity.name
        state = self.state
        actions: list[DeviceAction] = []
        if isinstance(event, Started) and state.han.join is JoinState.UNJOINED:
            joining, actions = han.request_join(state.han, self.identity.install_code, device=name)
            state = replace(state, han=joining)
        elif isinstance(event, JoinCompleted):
            joined, actions = han.join_completed(state.han, event.accepted, device=name, tunnel=False)
            state = replace(state, han=joined)
            if event.accepted:
                state, requests = self._refresh(state, event.at)
                actions = [*actions, *requests]
        elif isinstance(event, TimerExpired) and event.name == REFRESH_TIMER:
            state, actions = self._refresh(state, event.at, read_time=True)
        elif isinstance(event, HanFrameReceived):
            state = self._on_frame(state, event)
        self.state = state
        return actions

    def _refresh(self, state: DisplayState, at: int, *, read_time: bool = False) -> tuple[DisplayState, list[DeviceAction]]:
        """Ask for the price (and the time on later refreshes); start the next refresh timer."""
        actions: list[DeviceAction] = []
        link = state.han
        if read_time:
            link, time = han.read_time(link)
            actions.append(time)
        if self.settings.price_server is not None:
            link, ask = han.next_frame(link, GET_CURRENT_PRICE.frame(command_options=0), to=self.settings.price_server)
            actions.append(ask)
        actions.append(StartTimer(REFRESH_TIMER, at + self.settings.refresh_interval))
        return replace(state, han=link), actions

    def _on_frame(self, state: DisplayState, event: HanFrameReceived) -> DisplayState:
        frame = _parse(event, self.identity.name)
        if event.cluster == TIME_ID:
            link = han.on_time_response(state.han, frame, event.at)
            if link.time_offset is not None:
                state = replace(state, han=link, shown=replace(state.shown, time=event.at + link.time_offset))
            return state
        if PUBLISH_PRICE.matches(frame):
            digits = frame["price_trailing_digit_and_price_tier"] >> 4
            price = Price(frame["price"], digits, frame["currency"], frame["unit_of_measure"], bytes(frame["rate_label"]))
            return replace(state, shown=replace(state.shown, price=price))
        LOGGER.debug("display %s ignores command 0x%02X on cluster 0x%04X", self.identity.name,
                     frame.command_id, event.cluster)
        return state


def _parse(event: HanFrameReceived, name: str) -> ZclFrame:
    try:
        return parse_zcl(event.payload, event.cluster, direction=Direction.SERVER_TO_CLIENT)
    except CodecError as exc:
        raise RemoteProtocolError(f"display {name}: undecodable frame on cluster 0x{event.cluster:04X} "
                                  f"from {event.source.hex()}: {exc}") from None


