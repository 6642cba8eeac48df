"""Who is who on a bench: the hubs' and devices' EUI-64s, and every key, kept in one folder.

A bench needs keys on both sides: the hubs and their meters hold their own private keys and
the remote parties' public keys; the bench client (playing the DCC's remote parties) holds the
remote parties' private keys and the devices' public keys. :class:`Site` keeps all of them in
one key store folder in the RTDS ``keystore/`` layout, generated as a test PKI on the first run
and read back on every later run, so that a hub restarted from its NVM still matches the keys
the bench holds. The remote parties' keys may come from an existing key store instead (the
RTDS one, say). The NTP key that the hubs share with the CSP's time service lies beside it in
chrony's key file format.

The folder holds the private keys of an emulated bench only; never point it at real keys.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.ntp import MacAlgorithm, NtpKey
from commshub.devices.identity import DeviceIdentity, derive_install_code
from commshub.hil.ntp_client import parse_chrony_keys
from commshub.hub.gbcs_io import key_pem
from commshub.hub.settings import HubIdentity, RemoteParty, Role

__all__ = [
    "ACB",
    "DEVICE_KINDS",
    "NETWORK_OPERATOR",
    "REMOTE_PARTIES",
    "SUPPLIER",
    "TIME_SERVICE",
    "HubIds",
    "Site",
    "hub_ids",
]

LOGGER = logging.getLogger(__name__)

# The remote parties of the DCC's reference data (RTDS key store EUI-64s), with their roles.
ACB = bytes.fromhex("90B3D51F30000002")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
NETWORK_OPERATOR = bytes.fromhex("90B3D51F30020000")
REMOTE_PARTIES: dict[bytes, Role] = {
    ACB: Role.ACCESS_CONTROL_BROKER,
    SUPPLIER: Role.SUPPLIER,
    NETWORK_OPERATOR: Role.NETWORK_OPERATOR,
}
# The CSP's time service, which signs time messages (an EUI-64 of this project's choosing).
TIME_SERVICE = bytes.fromhex("90B3D51F300F0000")

# Locally administered EUI-64s (bit 0x02 of the first octet): 02 C0 FF EE, the hub's number
# (2 octets), then 00 and the function, numbered like the RTDS devices (A0 ESME ... A3 GPF).
_EUI_PREFIX = bytes.fromhex("02C0FFEE")
_FUNCTION_OCTETS = {"esme": 0xA0, "gsme": 0xA1, "chf": 0xA2, "gpf": 0xA3, "ihd": 0xA4}
DEVICE_KINDS = ("esme", "gsme", "ihd")
_KEYSTORE = "keystore"
_NTP_KEYS = "ntp.keys"
_NTP_SECRET_BYTES = 20


@dataclass(frozen=True)
class HubIds:
    """The EUI-64s of hub number ``index`` and of its devices."""

    index: int
    chf: bytes
    gpf: bytes
    devices: dict[str, bytes]


def hub_ids(index: int) -> HubIds:
    """Return the EUI-64s of hub ``index`` (0 to 65535)."""
    if not 0 <= index <= 0xFFFF:
        raise ValueError(f"hub index must be 0..65535, not {index}")
    euis = {name: _EUI_PREFIX + index.to_bytes(2, "big") + bytes([0, octet])
            for name, octet in _FUNCTION_OCTETS.items()}
    return HubIds(index, euis["chf"], euis["gpf"], {kind: euis[kind] for kind in DEVICE_KINDS})


def _public_pem(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass
class Site:
    """Every key of a bench, and the identities built from them."""

    folder: Path
    keys: KeyStore
    ntp_key: NtpKey

    @classmethod
    def open(cls, folder: str | Path, *, hubs: int, remote_keystore: str | Path | None = None,
             ntp_key_id: int = 1) -> Site:
        """Load the site in ``folder``, generating whatever keys ``hubs`` hubs still lack."""
        folder = Path(folder)
        keystore = folder / _KEYSTORE
        keys = KeyStore.load(keystore) if keystore.is_dir() else KeyStore()
        if remote_keystore:
            keys = keys.merged(KeyStore.load(remote_keystore))
        missing_parties = [eui for eui in (*REMOTE_PARTIES, TIME_SERVICE)
                           if keys.private_key(eui, KeyUsage.KEY_AGREEMENT) is None
                           and keys.public_key(eui, KeyUsage.KEY_AGREEMENT) is None]
        missing_devices = []
        for index in range(hubs):
            ids = hub_ids(index)
            for eui in (ids.chf, ids.gpf, *ids.devices.values()):
                if keys.private_key(eui, KeyUsage.KEY_AGREEMENT) is None:
                    missing_devices.append(eui)
        if missing_parties or missing_devices:
            LOGGER.info("generating test PKI keys for %d remote parties and %d devices in %s",
                        len(missing_parties), len(missing_devices), keystore)
            keys = keys.merged(KeyStore.generate(devices=missing_devices,
                                                 remote_parties=missing_parties))
            keys.save(keystore)
        return cls(folder, keys, _ntp_key(folder / _NTP_KEYS, ntp_key_id))

    def hub_identity(self, index: int) -> HubIdentity:
        """Return the identity hub number ``index`` leaves the factory with."""
        ids = hub_ids(index)
        parties = []
        for eui, role in REMOTE_PARTIES.items():
            ka = self.keys.public_key(eui, KeyUsage.KEY_AGREEMENT)
            ds = self.keys.public_key(eui, KeyUsage.DIGITAL_SIGNATURE)
            if ka is None or ds is None:
                LOGGER.warning("remote party %s has no key agreement or signing key; the hubs "
                               "will not trust it", eui.hex().upper())
                continue
            parties.append(RemoteParty(eui, role, _public_pem(ka), _public_pem(ds)))
        return HubIdentity(
            chf_id=ids.chf, gpf_id=ids.gpf,
            chf_ka_private=self._private_pem(ids.chf, KeyUsage.KEY_AGREEMENT),
            chf_ds_private=self._private_pem(ids.chf, KeyUsage.DIGITAL_SIGNATURE),
            gpf_ka_private=self._private_pem(ids.gpf, KeyUsage.KEY_AGREEMENT),
            gpf_ds_private=self._private_pem(ids.gpf, KeyUsage.DIGITAL_SIGNATURE),
            remote_parties=tuple(parties),
        )

    def device_identity(self, eui: bytes) -> DeviceIdentity:
        """Return a virtual device's identity: its own keys and the remote parties' public keys."""
        store = KeyStore()
        for usage in (KeyUsage.KEY_AGREEMENT, KeyUsage.DIGITAL_SIGNATURE):
            private = self.keys.private_key(eui, usage)
            if private is None:
                raise KeyError(f"no {usage.value} private key for device {eui.hex().upper()}")
            store.add(eui, usage, private_key=private)
            for party in REMOTE_PARTIES:
                public = self.keys.public_key(party, usage)
                if public is not None:
                    store.add(party, usage, public_key=public)
        return DeviceIdentity(eui, derive_install_code(eui), store, dict(REMOTE_PARTIES), ACB)

    def time_service_key(self) -> ec.EllipticCurvePrivateKey:
        key = self.keys.private_key(TIME_SERVICE, KeyUsage.DIGITAL_SIGNATURE)
        if key is None:
            raise KeyError(f"no signing key for the time service {TIME_SERVICE.hex().upper()}")
        return key

    def _private_pem(self, eui: bytes, usage: KeyUsage) -> bytes:
        key = self.keys.private_key(eui, usage)
        if key is None:
            raise KeyError(f"no {usage.value} private key for {eui.hex().upper()}")
        return key_pem(key)


def _ntp_key(path: Path, key_id: int) -> NtpKey:
    """Read the shared NTP key from a chrony key file, writing a fresh one the first time."""
    if path.exists():
        keys = parse_chrony_keys(path.read_text(encoding="ascii"))
        if key_id in keys:
            return keys[key_id]
    secret = secrets.token_bytes(_NTP_SECRET_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{key_id} SHA1 HEX:{secret.hex().upper()}\n", encoding="ascii")
    path.chmod(0o600)
    return NtpKey(key_id, MacAlgorithm.SHA1, secret)
