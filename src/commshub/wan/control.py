"""Bench controls over the gateway socket: power, WAN link, installation, status, virtual time.

A bench drives its hubs' surroundings as well as their GBCS traffic: it cuts the mains, takes
the WAN down, installs a hub, requests its state, or moves a virtual clock on. These commands
travel on the gateway's own socket as CONTROL frames (frame type 8), whose tail is one JSON
object; the gateway answers each with an ACK whose message is a JSON object too (status
ACCEPTED), or with status INVALID_REQUEST and a plain-text reason. The gateway itself carries
no controls: the process that runs the hubs plugs in a :data:`ControlHandler`.

Request: ``{"command": NAME, ...arguments}``. Reply: ``{"ok": true, ...result}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from commshub.errors import CommshubError

__all__ = [
    "COMMANDS",
    "ControlCommand",
    "ControlError",
    "ControlHandler",
    "encode_control",
    "encode_reply",
    "parse_control",
    "parse_reply",
]

# Takes the JSON text of one CONTROL frame and returns the JSON text of the reply; raises
# ControlError for a command it cannot carry out.
ControlHandler = Callable[[str], Awaitable[str]]

# Command name -> the arguments it takes (all optional unless listed in _REQUIRED).
COMMANDS: Mapping[str, frozenset[str]] = {
    "status": frozenset({"hub"}),
    "power": frozenset({"hub", "state"}),
    "wan": frozenset({"hub", "state"}),
    "install": frozenset({"hub", "postcode"}),
    "advance": frozenset({"seconds"}),
    "replay_open": frozenset({"corpus"}),
    "replay_site": frozenset({"corpus", "scenario"}),
    "replay_close": frozenset({"address"}),
}
_REQUIRED: Mapping[str, frozenset[str]] = {
    "power": frozenset({"state"}),
    "wan": frozenset({"state"}),
    "advance": frozenset({"seconds"}),
    "replay_open": frozenset({"corpus"}),
    "replay_site": frozenset({"corpus", "scenario"}),
    "replay_close": frozenset({"address"}),
}
_STATES: Mapping[str, frozenset[str]] = {
    "power": frozenset({"on", "off"}),
    "wan": frozenset({"up", "down"}),
}


class ControlError(CommshubError):
    """A bench control command that is malformed or cannot be carried out now."""


@dataclass(frozen=True)
class ControlCommand:
    """One bench control: its name and arguments (``hub`` selects a hub by index or address)."""

    command: str
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.arguments.get(name, default)


def encode_control(command: str, **arguments: Any) -> str:
    """Return the JSON text of a control command; arguments that are None are left out."""
    body = {"command": command, **{k: v for k, v in arguments.items() if v is not None}}
    parse_control(json.dumps(body))  # the same checks as the receiving side
    return json.dumps(body, sort_keys=True)


def parse_control(text: str) -> ControlCommand:
    """Read and check a control command; raise ControlError naming what is wrong."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ControlError(f"a control command is a JSON object; {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("command"), str):
        raise ControlError('a control command is a JSON object with a "command" string')
    name = body.pop("command")
    allowed = COMMANDS.get(name)
    if allowed is None:
        raise ControlError(f"unknown control command {name!r}; known: {', '.join(sorted(COMMANDS))}")
    unknown = set(body) - allowed
    if unknown:
        raise ControlError(f"control {name!r} takes no argument {', '.join(sorted(unknown))}")
    missing = _REQUIRED.get(name, frozenset()) - set(body)
    if missing:
        raise ControlError(f"control {name!r} needs {', '.join(sorted(missing))}")
    states = _STATES.get(name)
    if states is not None and body["state"] not in states:
        raise ControlError(f"control {name!r}: state must be one of {', '.join(sorted(states))}, "
                           f"not {body['state']!r}")
    if name == "advance":
        seconds = body["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise ControlError(f"control 'advance': seconds must be a number >= 0, not {seconds!r}")
    return ControlCommand(name, body)


def encode_reply(result: Mapping[str, Any]) -> str:
    """Return the JSON text of a successful reply."""
    return json.dumps({"ok": True, **result}, sort_keys=True)


def parse_reply(text: str) -> dict[str, Any]:
    """Read a reply; raise ControlError when it is not a JSON object."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ControlError(f"the control reply is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ControlError("the control reply is not a JSON object")
    return body
