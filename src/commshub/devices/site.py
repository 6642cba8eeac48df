"""An emulated site: a Communications Hub with its virtual meters and displays, set up the way
a real one is, over its own interfaces.

:class:`SiteKeys` makes the identities once (hub, meters, displays, each with fresh keys from
a generated test PKI, trusting the given remote parties); :meth:`SiteKeys.build` then sets up
fresh sites from them quickly: the hub is installed and activated, each device is added to the
CHF device log by a CCS01 command from the Access Control Broker, and the devices join with
their install codes. :class:`Site` MACs and signs commands as the remote parties
(whose private keys ``remote_keys`` must hold) and collects what the hub sends back.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from commshub.codecs.dlms import build_apdu
from commshub.codecs.dlms.axdr import Data, DataType
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestSet,
    AttributeDescriptor,
    MethodDescriptor,
)
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.frame import GbcsFrame, eui64
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.devices import events as dev
from commshub.devices.display import Display, DisplayKind, DisplaySettings
from commshub.devices.esme import Esme, EsmeSettings
from commshub.devices.gsme import GsmeSettings
from commshub.devices.gsme_mirror import MirroredGsme
from commshub.devices.identity import DeviceIdentity
from commshub.devices.network import Device, VirtualHan
from commshub.hub import events as hub_events
from commshub.hub.actions import SendWan
from commshub.hub.gbcs_io import generate_identity, invoke_id_for
from commshub.hub.hub import Hub
from commshub.hub.settings import HubIdentity, HubSettings, Role

__all__ = ["DEFAULT_ACB", "Kind", "Site", "SiteKeys", "add_device_command"]

DEFAULT_ACB = crypto.DEFAULT_ACB
CCS01_MESSAGE_CODE = 0x0001
CCS02_MESSAGE_CODE = 0x0002
# The CHF device log (ZigBee network control, class 104) and its members used by CCS01.
DEVICE_LOG = bytes.fromhex("00001E0300FF")
_REGISTER_DEVICE = 1  # method
_UNREGISTER_DEVICE = 2  # method
_JOIN_TIMEOUT_ATTRIBUTE = 3
_ENABLE_JOINING_ATTRIBUTE = 2
_INSTALL_CODE_KEY_TYPE = 1  # register_device key_type: install code
JOIN_TIMEOUT = 3600  # seconds the CHF keeps joining open while a site is set up


class Kind(enum.Enum):
    """The virtual devices a site can have, with their CCS01 device type (DLMS numbering)."""

    ESME = 0
    GSME = 1
    IHD = 128
    PPMID = 132


@dataclass
class SiteKeys:
    """Identities and keys of a site, made once and reused by every site built from them.

    ``remote_keys`` holds the remote parties' keys (private keys too, to command the site);
    ``parties`` their roles. ``ids`` names the CHF, the GPF and each device kind's EUI-64.
    """

    remote_keys: KeyStore
    parties: Mapping[bytes, Role]
    ids: Mapping[str, bytes]
    acb: bytes = DEFAULT_ACB
    hub_identity: HubIdentity = field(init=False)
    devices: dict[Kind, DeviceIdentity] = field(init=False)
    keys: KeyStore = field(init=False)

    def __post_init__(self) -> None:
        self.acb = eui64(self.acb)
        self.hub_identity, hub_keys = generate_identity(
            self.ids["CHF"], self.ids["GPF"], dict(self.parties), remote_keys=self.remote_keys)
        self.devices = {
            kind: DeviceIdentity.generate(self.ids[kind.name], remote_keys=self.remote_keys,
                                          roles=self.parties, acb=self.acb)
            for kind in Kind if kind.name in self.ids
        }
        keys = self.remote_keys.merged(hub_keys)
        for identity in self.devices.values():
            keys = keys.merged(identity.public_keys())
        self.keys = keys

    def build(self, *, now: int, hub_settings: HubSettings | None = None,
              devices: Mapping[Kind, Device] | None = None, join: Iterable[Kind] | None = None,
              esme: Mapping[str, Any] | None = None, gsme: Mapping[str, Any] | None = None) -> Site:
        """Set up a fresh site at virtual time ``now``.

        Devices are made from their identities unless ``devices`` gives some; ``esme`` and
        ``gsme`` are extra keyword arguments for their constructors. ``join`` limits which
        devices are added to the device log and joined (default: all).
        """
        chf = self.ids["CHF"]
        made: dict[Kind, Device] = dict(devices or {})
        for kind, identity in self.devices.items():
            if kind in made:
                continue
            if kind is Kind.ESME:
                made[kind] = Esme(identity, hub=chf, now=now, **dict(esme or {"settings": EsmeSettings()}))
            elif kind is Kind.GSME:
                made[kind] = MirroredGsme(identity, hub=chf, **dict(gsme or {"settings": GsmeSettings()}))
            else:
                made[kind] = Display(identity, hub=chf, settings=DisplaySettings(
                    DisplayKind[kind.name], price_server=self.ids.get("ESME")))
        hub = Hub.create(self.hub_identity, hub_settings)
        site = Site(self, VirtualHan.create(hub, made.values(), now=now), made)
        site.install()
        for kind in (made if join is None else join):
            site.add(kind)
        return site


def add_device_command(chf: bytes, device: bytes, install_code: bytes, device_type: int, *,
                       counter: int, acb: bytes = DEFAULT_ACB,
                       supplier: bytes = bytes.fromhex("90B3D51F30010000")) -> GbcsFrame:
    """Return a CCS01 command (unMACed): add ``device`` to the CHF device log with its install
    code and open joining for :data:`JOIN_TIMEOUT` seconds."""
    request = AccessRequest(invoke_id_for(counter), None, (
        AccessRequestAction(MethodDescriptor(104, DEVICE_LOG, _REGISTER_DEVICE)),
        AccessRequestSet(AttributeDescriptor(104, DEVICE_LOG, _JOIN_TIMEOUT_ATTRIBUTE)),
        AccessRequestSet(AttributeDescriptor(104, DEVICE_LOG, _ENABLE_JOINING_ATTRIBUTE)),
    ), (
        Data(DataType.STRUCTURE, (
            Data(DataType.OCTET_STRING, device), Data(DataType.ENUM, _INSTALL_CODE_KEY_TYPE),
            Data(DataType.OCTET_STRING, install_code), Data(DataType.ENUM, device_type),
        )),
        Data(DataType.LONG_UNSIGNED, JOIN_TIMEOUT),
        Data(DataType.BOOLEAN, True),
    ))
    return GbcsFrame.command(originator=acb, recipient=chf, originator_counter=counter,
                             message_code=CCS01_MESSAGE_CODE, content=build_apdu(request),
                             supplementary_remote_party_id=supplier,
                             supplementary_remote_party_counter=counter)


def remove_device_command(chf: bytes, device: bytes, *, counter: int, acb: bytes = DEFAULT_ACB,
                          supplier: bytes = bytes.fromhex("90B3D51F30010000")) -> GbcsFrame:
    """Return a CCS02 command (unMACed): remove ``device`` from the CHF device log."""
    request = AccessRequest(invoke_id_for(counter), None, (
        AccessRequestAction(MethodDescriptor(104, DEVICE_LOG, _UNREGISTER_DEVICE)),
    ), (Data(DataType.OCTET_STRING, device),))
    return GbcsFrame.command(originator=acb, recipient=chf, originator_counter=counter,
                             message_code=CCS02_MESSAGE_CODE, content=build_apdu(request),
                             supplementary_remote_party_id=supplier,
                             supplementary_remote_party_counter=counter)


@dataclass
class Site:
    """Running emulated site, driven on its virtual clock by ``network``."""

    keys_of: SiteKeys
    network: VirtualHan
    devices: dict[Kind, Device]
    acb_counter: int = 1

    @property
    def hub(self) -> Hub:
        return self.network.hub

    @property
    def keys(self) -> KeyStore:
        """Keys for the remote-party side: their private keys and the site's public keys."""
        return self.keys_of.keys

    def install(self) -> None:
        """Start, install and activate the hub, with its WAN link up."""
        network = self.network
        network.to_hub(hub_events.Started, mains_present=True, wan_up=True)
        network.to_hub(hub_events.Installed, network_address="fd00::1")
        network.run()
        network.to_hub(hub_events.ActivationConfirmed)
        network.run()

    def add(self, kind: Kind) -> None:
        """CCS01 the device into the CHF device log, then power it up so that it joins."""
        identity = self.keys_of.devices[kind]
        frame = add_device_command(self.keys_of.ids["CHF"], identity.entity_id, identity.install_code,
                                   kind.value, counter=self.acb_counter, acb=self.keys_of.acb)
        self.acb_counter += 1
        self.network.deliver_wan(self.seal(frame))
        self.network.run()
        self.network.to_device(identity.entity_id, dev.Started)
        self.network.run()

    def remove(self, kind: Kind) -> None:
        """CCS02 the device out of the CHF device log (its link key goes to the historic log)."""
        frame = remove_device_command(self.keys_of.ids["CHF"], self.keys_of.devices[kind].entity_id,
                                      counter=self.acb_counter, acb=self.keys_of.acb)
        self.acb_counter += 1
        self.network.deliver_wan(self.seal(frame))
        self.network.run()

    def seal(self, frame: GbcsFrame, *, resign: bool = True) -> bytes:
        """Sign a command again as its originator if it carries a signature (unless ``resign``
        is false), then MAC it with the Access Control Broker's key, as the DCC does."""
        if frame.signature and resign:
            frame = crypto.sign(frame, self.keys)
        if frame.mac is not None:
            frame = crypto.mac_frame(frame, self.keys, acb=self.keys_of.acb)
        return frame.to_bytes()

    def command(self, frame: GbcsFrame, *, critical: bool = False) -> bytes:
        """Seal a new command; ``critical`` adds the originator's signature."""
        if critical:
            frame = crypto.sign(frame, self.keys)
        return self.seal(frame, resign=False)

    def wan_since(self, index: int) -> list[SendWan]:
        """Return the SMWAN messages the hub sent since message ``index``."""
        return [message.action for message in self.network.wan[index:]]
