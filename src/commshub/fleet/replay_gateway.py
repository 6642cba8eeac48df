"""`commshub replay DIR --gateway HOST:PORT`: the RTDS replay with every command and response
crossing a running gateway's socket.

The replay of the reference data runs each command on a fresh site with the preconditions
the case requires (:mod:`commshub.replay.runner`). Over the wire, the running `commshub run`
builds that site (:class:`ReplayHost`, behind the ``replay_site`` bench control) and installs
it at its gateway as a hub of its own; the bench (:class:`GatewayReplayer`) re-addresses, signs
and MACs the command, sends it to that hub's network address through the gateway, takes the
response the gateway hands back, compares it with the reference exactly as the in-process
replay does, and has the site removed (``replay_close``). The table is the same; what changes
is that frames travel as bytes through the gateway's framing, audit trail and routing.

Both sides load the same RTDS key store. The site's devices get fresh keys on the service's
side, whose public halves the service writes to its run folder for the bench to MAC with.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv6Address
from pathlib import Path
from typing import Any

from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.gbcs.tables import Cra
from commshub.devices.cosem.server import Member
from commshub.devices.site import Site
from commshub.errors import CommshubError
from commshub.replay.corpus import find_corpus
from commshub.replay.runner import (
    EMULATED_IDS,
    REMOVED_IDS,
    Replayer,
    SamplingStart,
    Scenario,
    Target,
)
from commshub.wan.addresses import HubProfile
from commshub.wan.client import SyncGatewayClient
from commshub.wan.control import ControlError, encode_control, parse_reply
from commshub.wan.endpoint import Uplink
from commshub.wan.gateway import Gateway

__all__ = ["GatewayReplayer", "ReplayHost", "scenario_from_json", "scenario_to_json"]

LOGGER = logging.getLogger(__name__)

# Real seconds the bench waits for one replayed response (the site runs up to two days of
# virtual time for a sleepy meter, in well under a second).
RESPONSE_TIMEOUT_S = 120.0
_KEYS_FOLDER = "replay-keys"
# Tries per request: the gateway limits a client to 20 requests a second by default.
_MAX_ATTEMPTS = 20


def scenario_to_json(scenario: Scenario) -> dict[str, Any]:
    """Return a replay scenario as JSON for the ``replay_site`` control."""
    faults = []
    for key, code in scenario.faults.items():
        if isinstance(key[0], Member):
            member, class_id, instance, index = key
            faults.append([["dlms", member.value, class_id, bytes(instance).hex(), index], code])
        else:
            kind, cluster, member_id = key
            faults.append([["zcl", kind, cluster, member_id], code])
    sampling = scenario.sampling
    return {"target": scenario.target.value, "twin_element": scenario.twin_element,
            "held_image_hash": None if scenario.held_image_hash is None
            else scenario.held_image_hash.hex(), "faults": faults, "gsme_tariff": scenario.gsme_tariff,
            "sampling": None if sampling is None else [sampling.originator.hex(), sampling.counter, sampling.samples],
            "history_days": scenario.history_days}


def scenario_from_json(value: Mapping[str, Any]) -> Scenario:
    """Read a scenario written by :func:`scenario_to_json`; raise ControlError when invalid."""
    try:
        faults: dict[Any, int] = {}
        for key, code in value.get("faults", []):
            if key[0] == "dlms":
                faults[(Member(key[1]), int(key[2]), bytes.fromhex(key[3]), int(key[4]))] = int(code)
            else:
                faults[(str(key[1]), int(key[2]), int(key[3]))] = int(code)
        held = value.get("held_image_hash")
        sampling = value.get("sampling")
        return Scenario(Target(value["target"]), twin_element=bool(value.get("twin_element")),
                        held_image_hash=bytes.fromhex(held) if held else None, faults=faults,
                        gsme_tariff=bool(value.get("gsme_tariff", True)),
                        sampling=None if sampling is None else SamplingStart(
                            bytes.fromhex(sampling[0]), int(sampling[1]), int(sampling[2])),
                        history_days=int(value.get("history_days", 1)))
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        raise ControlError(f"replay_site: invalid scenario ({exc!r})") from None


# --- the service's side --------------------------------------------------------------------


@dataclass(eq=False)
class _SiteEndpoint:
    """One replay site installed at the gateway: it responds to each delivered command."""

    replayer: Replayer
    site: Site
    uplink: Uplink | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def deliver(self, frame: bytes, category: int, request_id: int) -> None:
        task = asyncio.create_task(self._answer(bytes(frame), request_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, frame: bytes, request_id: int) -> None:
        assert self.uplink is not None
        try:
            command = parse_frame(frame)
        except CommshubError as exc:
            LOGGER.warning("replay site: delivered frame does not parse: %s", exc)
            await self.uplink.respond(request_id, b"")
            return
        if int(command.cra) != Cra.COMMAND:
            await self.uplink.respond(request_id, b"")
            return
        response = self.replayer.answer(self.site, frame, command)
        await self.uplink.respond(request_id, response or b"")


class ReplayHost:
    """The service's side: builds replay sites and installs them at the gateway."""

    def __init__(self, gateway: Gateway, folder: Path) -> None:
        self.gateway = gateway
        self.folder = folder
        self._replayers: dict[str, Replayer] = {}
        self._sites: dict[IPv6Address, _SiteEndpoint] = {}

    def open(self, corpus: str) -> dict[str, Any]:
        """Load the corpus's key store (once) and write the site's public keys for the bench."""
        replayer = self._replayer(corpus)
        keys = self.folder / _KEYS_FOLDER
        public = KeyStore()
        for eui in (*EMULATED_IDS.values(), *REMOVED_IDS.values()):
            for usage in (KeyUsage.KEY_AGREEMENT, KeyUsage.DIGITAL_SIGNATURE):
                key = replayer.keys.public_key(eui, usage)
                if key is not None:
                    public.add(eui, usage, public_key=key)
        public.save(keys)
        return {"keys": str(keys.resolve())}

    def build(self, corpus: str, scenario: Scenario) -> dict[str, Any]:
        """Set up a fresh site for ``scenario`` and install its hub at the gateway."""
        replayer = self._replayer(corpus)
        site = replayer.site(scenario)
        endpoint = _SiteEndpoint(replayer, site)
        chf = EMULATED_IDS["CHF"].hex().upper()
        endpoint.uplink = self.gateway.install_hub(endpoint, HubProfile(chf))
        self._sites[endpoint.uplink.address] = endpoint
        return {"address": str(endpoint.uplink.address)}

    async def close(self, address: str) -> dict[str, Any]:
        try:
            key = IPv6Address(address)
        except ValueError:
            raise ControlError(f"replay_close: {address!r} is not an IPv6 address") from None
        endpoint = self._sites.pop(key, None)
        if endpoint is None:
            raise ControlError(f"replay_close: no replay site at {address}")
        await asyncio.gather(*endpoint.tasks, return_exceptions=True)
        await self.gateway.decommission_hub(key)
        return {"closed": address}

    def _replayer(self, corpus: str) -> Replayer:
        replayer = self._replayers.get(corpus)
        if replayer is None:
            try:
                replayer = Replayer(find_corpus(corpus))
            except CommshubError as exc:
                raise ControlError(f"replay: {exc}") from None
            self._replayers[corpus] = replayer
        return replayer


# --- the bench's side ----------------------------------------------------------------------


class GatewayReplayer(Replayer):
    """A replay whose commands go to sites a running service builds, through its gateway."""

    def __init__(self, directory: str | Path, *, host: str, port: int) -> None:
        super().__init__(find_corpus(directory))
        # Rate-limited requests are retried after the delay the gateway names.
        self._client = SyncGatewayClient(host, port, name="replay", ack_timeout=30.0,
                                         max_attempts=_MAX_ATTEMPTS)
        # The service runs on the same machine and reads the same tree.
        self._corpus_path = str(Path(directory).resolve())
        reply = self._control("replay_open", corpus=self._corpus_path)
        site_keys = KeyStore.load(reply["keys"])
        # MAC and decrypt with the service's device keys and the RTDS remote-party keys.
        self.keys = self.rtds_keys.merged(site_keys)

    def close(self) -> None:
        self._client.close()

    def _control(self, command: str, **arguments: Any) -> dict[str, Any]:
        return parse_reply(self._client.control(encode_control(command, **arguments),
                                                timeout=RESPONSE_TIMEOUT_S))

    def respond(self, command: GbcsFrame, scenario: Scenario) -> bytes | None:
        site = self._control("replay_site", corpus=self._corpus_path,
                             scenario=scenario_to_json(scenario))
        address = IPv6Address(site["address"])
        try:
            result = self._client.request(address, self.readdress(command),
                                          timeout=RESPONSE_TIMEOUT_S)
        finally:
            self._control("replay_close", address=str(address))
        payloads = [payload for payload in result.payloads if payload]
        return payloads[-1] if payloads else None
