"""Hub identity (EUI-64s, keys, trusted remote parties) and hub settings."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, fields
from typing import Any

from commshub.hub.persistence import dump_json, load_json

__all__ = [
    "DEFAULT_OUTAGE_THRESHOLD",
    "HubIdentity",
    "HubSettings",
    "RemoteParty",
    "Role",
]

# Mains must stay off this long before the hub reports an outage (seconds). The CSP contract
# names three minutes; the exact value is a setting because the contract text is not public.
DEFAULT_OUTAGE_THRESHOLD = 180


class Role(enum.IntEnum):
    """Remote party roles, numbered as in the DCC's test PKI (GBCS remote party role codes)."""

    ROOT = 0
    RECOVERY = 1
    SUPPLIER = 2
    NETWORK_OPERATOR = 3
    ACCESS_CONTROL_BROKER = 4
    TRANSITIONAL_COS = 5
    WAN_PROVIDER = 6
    LOAD_CONTROLLER = 8
    OTHER = 127


@dataclass(frozen=True, slots=True)
class RemoteParty:
    """A remote party the hub trusts: its entity ID, role and public keys (PEM).

    ``ka_public`` is the key agreement key (P-256) used for MACs, ``ds_public`` the digital
    signing key used to verify signatures on critical commands and firmware images.
    """

    entity_id: bytes
    role: Role
    ka_public: bytes
    ds_public: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id.hex(), "role": int(self.role),
            "ka_public": self.ka_public.decode(), "ds_public": self.ds_public.decode(),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RemoteParty:
        return cls(
            bytes.fromhex(value["entity_id"]), Role(value["role"]),
            value["ka_public"].encode(), value["ds_public"].encode(),
        )


@dataclass(frozen=True, slots=True)
class HubIdentity:
    """The hub's EUI-64s (GBCS entity IDs, big-endian) and its own private keys (PEM).

    The CHF and the GPF each have a key agreement key (for MACs) and a digital signing key
    (for critical responses and alerts). ``extended_pan_id`` defaults to the GPF ID, as the
    public CH emulator does.
    """

    chf_id: bytes
    gpf_id: bytes
    chf_ka_private: bytes
    chf_ds_private: bytes
    gpf_ka_private: bytes
    gpf_ds_private: bytes
    remote_parties: tuple[RemoteParty, ...] = ()
    extended_pan_id: bytes = b""

    def __post_init__(self) -> None:
        for name in ("chf_id", "gpf_id"):
            value = getattr(self, name)
            if len(value) != 8:
                raise ValueError(f"{name} must be 8 bytes (an EUI-64), got {value.hex()!r}")
        if self.extended_pan_id and len(self.extended_pan_id) != 8:
            raise ValueError(f"extended_pan_id must be 8 bytes, got {self.extended_pan_id.hex()!r}")

    @property
    def pan_id(self) -> bytes:
        return self.extended_pan_id or self.gpf_id

    def party(self, entity_id: bytes) -> RemoteParty | None:
        for party in self.remote_parties:
            if party.entity_id == entity_id:
                return party
        return None

    def party_with_role(self, role: Role) -> RemoteParty | None:
        for party in self.remote_parties:
            if party.role is role:
                return party
        return None

    def to_record(self) -> bytes:
        return dump_json({
            "chf_id": self.chf_id, "gpf_id": self.gpf_id,
            "chf_ka_private": self.chf_ka_private.decode(),
            "chf_ds_private": self.chf_ds_private.decode(),
            "gpf_ka_private": self.gpf_ka_private.decode(),
            "gpf_ds_private": self.gpf_ds_private.decode(),
            "remote_parties": [party.to_json() for party in self.remote_parties],
            "extended_pan_id": self.extended_pan_id,
        })

    @classmethod
    def from_record(cls, data: bytes) -> HubIdentity:
        value = load_json(data)
        return cls(
            chf_id=bytes.fromhex(value["chf_id"]), gpf_id=bytes.fromhex(value["gpf_id"]),
            chf_ka_private=value["chf_ka_private"].encode(),
            chf_ds_private=value["chf_ds_private"].encode(),
            gpf_ka_private=value["gpf_ka_private"].encode(),
            gpf_ds_private=value["gpf_ds_private"].encode(),
            remote_parties=tuple(RemoteParty.from_json(p) for p in value["remote_parties"]),
            extended_pan_id=bytes.fromhex(value["extended_pan_id"]),
        )

    def __repr__(self) -> str:
        # Never show private keys, even in a traceback.
        return f"HubIdentity(chf_id={self.chf_id.hex()}, gpf_id={self.gpf_id.hex()}, parties={len(self.remote_parties)})"


@dataclass(frozen=True, slots=True, kw_only=True)
class HubSettings:
    """Values a real hub gets from its manufacturer or the CSP; every one has a default.

    Times are in seconds. Defaults that no public source fixes say so in their comment.
    """

    # Mains off this long before a power outage alert.
    outage_threshold: int = DEFAULT_OUTAGE_THRESHOLD
    # Resend the activation message this often until the CSP confirms it (not public).
    activation_retry_interval: int = 300
    # A cached Category 2 response not polled this long before its deadline is sent unasked.
    cat2_forward_margin: int = 60
    # Dual-band hubs (2.4 GHz and sub-GHz) answer DBCH01..DBCH05; single-band ones reject them.
    dual_band: bool = False
    # ECS26n values (objects 0-0:96.1.4.255 and 0-0:96.1.6.255); defaults from the DCC's RTDS.
    ch_identity: str = "ATGTypeY"
    ch_type: str = "CSW "
    # The CH's running firmware version (ECS52, object 0-0:0.2.1.255), 4 bytes.
    firmware_version: bytes = bytes.fromhex("0123ABCD")
    # OTA manufacturer code and image type of the CH's own firmware images.
    manufacturer_code: int = 0x1234
    image_type: int = 0x0000
    # CHF event and security log sizes (not public; 100 like the ESME power event log).
    event_log_capacity: int = 100
    security_log_capacity: int = 100
    # GPF device log size (not public).
    gpf_device_log_capacity: int = 16
    # Largest block the OTA server sends in one ImageBlockResponse (bytes).
    ota_max_block: int = 64
    # First originator counter the hub uses for its own alerts.
    first_alert_counter: int = 0x1000

    def __post_init__(self) -> None:
        if self.outage_threshold < 0:
            raise ValueError(f"outage_threshold must be >= 0 seconds, got {self.outage_threshold}")
        if len(self.firmware_version) != 4:
            raise ValueError(f"firmware_version must be 4 bytes, got {self.firmware_version.hex()!r}")
        if self.ota_max_block < 1:
            raise ValueError(f"ota_max_block must be >= 1, got {self.ota_max_block}")

    def to_record(self) -> bytes:
        return dump_json(asdict(self))

    @classmethod
    def from_record(cls, data: bytes) -> HubSettings:
        value = load_json(data)
        kwargs: dict[str, Any] = {}
        for item in fields(cls):
            if item.name in value:
                raw = value[item.name]
                kwargs[item.name] = bytes.fromhex(raw) if item.type == "bytes" else raw
        return cls(**kwargs)

