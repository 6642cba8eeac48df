"""The hub side of the gateway: what a hub driver implements, and what it calls back.

A hub driver (the asyncio driver of a hub state machine, or a test's echo hub) implements
:class:`HubEndpoint` and installs itself with :meth:`commshub.wan.gateway.Gateway.install_hub`,
which returns an :class:`Uplink` for the hub's responses and alerts.
"""

from __future__ import annotations

from ipaddress import IPv6Address
from typing import Protocol

from commshub.errors import CommshubError

__all__ = ["HubEndpoint", "HubUnreachableError", "Uplink"]


class HubUnreachableError(CommshubError):
    """The hub cannot take a frame now: its WAN link is down or it has no power.

    The gateway retries the delivery with backoff, then reports HUB_UNREACHABLE.
    """


class HubEndpoint(Protocol):
    """A hub as the gateway sees it."""

    async def deliver(self, frame: bytes, category: int, request_id: int) -> None:
        """Hand ``frame`` (a GBCS message, firmware image chunk or Category 2 retrieval poll) to
        the hub.

        Return once the hub has taken the frame, not when it has answered: the hub answers
        later through :meth:`Uplink.respond` with the same ``request_id``. Raise
        :class:`HubUnreachableError` when the hub cannot take it.
        """
        ...


class Uplink(Protocol):
    """What a hub driver calls to hand frames up to the gateway.

    Each call returns once the gateway has committed the frame to its audit trail, so the hub
    may then drop its own copy (a cached scheduled read, say).
    """

    @property
    def address(self) -> IPv6Address:
        """The hub's network address, assigned at installation."""
        ...

    async def respond(self, request_id: int, frame: bytes, *, final: bool = True) -> None:
        """Send a response to the request delivered with ``request_id``; ``final=False`` when
        more responses to the same request follow."""
        ...

    def recovered(self) -> list[tuple[int, bytes]]:
        """The requests to this hub that were in flight when the gateway last stopped without
        concluding them (SIGKILL), as (request id, frame): a response the hub sends again from
        its non-volatile memory may answer one, with that request id."""
        ...

    async def firmware_delivered(self, succeeded: bool, frame: bytes, detail: str) -> None:
        """Audit the end of a firmware transfer from the hub to one of its meters (over the
        HAN); ``frame`` is the hub's alert that reports it (CCS08)."""
        ...

    async def scheduled_read_missed(self, message_code: int, detail: str) -> None:
        """Audit a meter's scheduled read (Category 2, GBCS ``message_code``) that the hub
        dropped because it missed its deadline, as a failed scheduled read."""
        ...

    async def alert(self, frame: bytes, *, category: int = 3) -> None:
        """Send an unsolicited GBCS alert (Category 3) to the subscribed remote parties."""
        ...

    async def power_outage(self, loss_detected_at: int) -> None:
        """Send the power outage alert; ``loss_detected_at`` in Unix seconds (UTC)."""
        ...

    async def power_restore(self, loss_detected_at: int, restored_at: int) -> None:
        """Send the power restore alert for the outage detected at ``loss_detected_at``."""
        ...
