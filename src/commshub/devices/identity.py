"""Who a virtual device is: its entity ID, install code, keys and the remote parties it trusts.

A device owns a key agreement key (for MACs) and a digital signing key (for critical responses
and alerts) from a generated test PKI, and knows the public keys of the remote parties. The
DCC's reference data publishes the remote parties' private keys but not the devices', so an
emulated device always has keys of its own and a remote party (or a replay) MACs its commands
with the device's generated public key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from commshub.codecs.gbcs.crypto import DEFAULT_ACB
from commshub.codecs.gbcs.frame import eui64, eui_hex
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.hub.settings import Role

__all__ = ["INSTALL_CODE_LENGTH", "DeviceIdentity", "derive_install_code"]

# CCS01 carries a 16-octet install code without its CRC (GBCS CCS01 use-case table).
INSTALL_CODE_LENGTH = 16


def derive_install_code(entity_id: bytes) -> bytes:
    """Return a stable 16-octet install code for an emulated device (SHA-256 of its EUI-64)."""
    return hashlib.sha256(b"commshub install code" + eui64(entity_id)).digest()[:INSTALL_CODE_LENGTH]


@dataclass(frozen=True)
class DeviceIdentity:
    """A device's identity and keys.

    ``keys`` holds the device's own private keys and the public keys of every remote party in
    ``roles``; ``roles`` maps each trusted remote party's entity ID to its role. ``acb`` is the
    Access Control Broker whose key agreement key MACs every command the device receives.
    """

    entity_id: bytes
    install_code: bytes
    keys: KeyStore = field(repr=False, compare=False)
    roles: Mapping[bytes, Role] = field(default_factory=dict, compare=False)
    acb: bytes = DEFAULT_ACB

    def __post_init__(self) -> None:
        object.__setattr__(self, "entity_id", eui64(self.entity_id))
        object.__setattr__(self, "acb", eui64(self.acb))
        if len(self.install_code) != INSTALL_CODE_LENGTH:
            raise ValueError(f"install_code must be {INSTALL_CODE_LENGTH} bytes, "
                             f"got {len(self.install_code)}")

    def __repr__(self) -> str:
        return f"DeviceIdentity({eui_hex(self.entity_id)}, parties={len(self.roles)})"

    @property
    def name(self) -> str:
        return eui_hex(self.entity_id)

    def trusts(self, entity_id: bytes) -> bool:
        """Tell whether ``entity_id`` is a remote party this device knows."""
        return entity_id in self.roles

    @classmethod
    def generate(
        cls, entity_id: bytes | str | int, *, remote_keys: KeyStore,
        roles: Mapping[bytes | str | int, Role] | Iterable[bytes | str | int],
        install_code: bytes | None = None, acb: bytes | str | int = DEFAULT_ACB,
    ) -> DeviceIdentity:
        """Make a device with fresh P-256 keys that trusts the remote parties in ``roles``.

        ``remote_keys`` supplies the remote parties' public keys (for example the RTDS key
        store); only their public halves are copied into the device's store. ``roles`` is a
        mapping of entity ID to role, or an iterable of entity IDs whose role is not checked
        (recorded as ``Role.OTHER``).
        """
        eui = eui64(entity_id)
        if isinstance(roles, Mapping):
            parties = {eui64(party): Role(role) for party, role in roles.items()}
        else:
            parties = {eui64(party): Role.OTHER for party in roles}
        store = KeyStore.generate(devices=[eui])
        for party in parties:
            for usage in (KeyUsage.KEY_AGREEMENT, KeyUsage.DIGITAL_SIGNATURE):
                public = remote_keys.public_key(party, usage)
                if public is not None:
                    store.add(party, usage, public_key=public)
        acb_id = eui64(acb)
        acb_public = remote_keys.public_key(acb_id, KeyUsage.KEY_AGREEMENT)
        if acb_public is None:
            raise ValueError(f"no key agreement key for the Access Control Broker {eui_hex(acb_id)}")
        store.add(acb_id, KeyUsage.KEY_AGREEMENT, public_key=acb_public)
        return cls(eui, install_code or derive_install_code(eui), store, parties, acb_id)

    def public_keys(self) -> KeyStore:
        """Return a store with only the device's public keys, for the parties that talk to it."""
        store = KeyStore()
        for usage in (KeyUsage.KEY_AGREEMENT, KeyUsage.DIGITAL_SIGNATURE):
            public = self.keys.public_key(self.entity_id, usage)
            certificate = self.keys.certificate(self.entity_id, usage)
            if certificate is not None:
                store.add(self.entity_id, usage, certificate=certificate)
            elif public is not None:
                store.add(self.entity_id, usage, public_key=public)
        return store
