"""SMWAN network-layer addresses of hubs, and groups of hubs for bulk messages.

A hub gets its address when it is installed and loses it when it is decommissioned. The
address is an IPv6 address in the gateway's prefix whose interface identifier is the modified
EUI-64 of the hub's CHF (RFC 4291 appendix A: the universal/local bit of the first byte
inverted), so a hub that is installed again gets the same address.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from ipaddress import IPv6Address, IPv6Network

from commshub.errors import LocalProtocolError

__all__ = [
    "DEFAULT_PREFIX",
    "AddressRegistry",
    "GroupKey",
    "GroupSelector",
    "HubProfile",
    "normalise_postcode",
]

logger = logging.getLogger(__name__)

# A unique local prefix (RFC 4193, fd00::/8) whose 40-bit global ID spells "SMWAN" in ASCII.
DEFAULT_PREFIX = IPv6Network("fd53:4d57:414e::/64")

# RFC 4291 appendix A: the universal/local bit, inverted in a modified EUI-64.
_UNIVERSAL_LOCAL_BIT = 0x02

_EUI64 = re.compile(r"^[0-9A-F]{16}$")
# A UK postcode's inward code is always one digit and two letters.
_INWARD_CODE_LENGTH = 3


class GroupKey(IntEnum):
    """The hub attribute that a group selector matches."""

    POSTCODE = 1
    METER_TYPE = 2
    METER_MODEL = 3
    FIRMWARE_VERSION = 4
    SUPPLIER = 5


def normalise_postcode(text: str) -> str:
    """Return a UK postcode in upper case with one space before the inward code."""
    compact = re.sub(r"\s+", "", text).upper()
    if len(compact) > _INWARD_CODE_LENGTH:
        return f"{compact[:-_INWARD_CODE_LENGTH]} {compact[-_INWARD_CODE_LENGTH:]}"
    return compact


# A whole UK postcode written without its space: area, district, then the inward code.
_COMPACT_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def _selector_postcode(text: str) -> str:
    """Normalise a postcode selector, which may be an area, district, sector or postcode."""
    spaced = " ".join(text.upper().split())
    if " " not in spaced and _COMPACT_POSTCODE.match(spaced):
        return normalise_postcode(spaced)
    return spaced


def _postcode_units(postcode: str) -> set[str]:
    """Return the area, district, sector and full form of a postcode ("AB", "AB1", "AB1 2",
    "AB1 2CD")."""
    full = normalise_postcode(postcode)
    if not full:
        return set()
    outward, _, inward = full.partition(" ")
    area = re.match(r"^[A-Z]*", outward)
    units = {full, outward}
    if area and area.group():
        units.add(area.group())
    if inward:
        units.add(f"{outward} {inward[0]}")
    return units


@dataclass(frozen=True)
class HubProfile:
    """The gateway's record of an installed hub: its CHF EUI-64 and its group attributes."""

    hub_id: str
    postcode: str = ""
    meter_type: str = ""
    meter_model: str = ""
    firmware_version: str = ""
    supplier: str = ""

    def __post_init__(self) -> None:
        hub_id = re.sub(r"[-:\s]", "", self.hub_id).upper()
        if not _EUI64.match(hub_id):
            raise ValueError(f"hub id {self.hub_id!r} is not an EUI-64 (16 hex digits)")
        object.__setattr__(self, "hub_id", hub_id)
        if self.postcode:
            object.__setattr__(self, "postcode", normalise_postcode(self.postcode))

    @property
    def region(self) -> str:
        """The postcode area ("AB" of "AB1 2CD"), or "" when the postcode is unknown."""
        match = re.match(r"^[A-Z]+", self.postcode)
        return match.group() if match else ""


@dataclass(frozen=True)
class GroupSelector:
    """Hubs whose attribute ``key`` matches ``value``.

    A postcode selector matches a hub's postcode area, district, sector or full postcode
    ("AB", "AB1", "AB1 2" or "AB1 2CD"). The other keys match the whole value, ignoring case.
    """

    key: GroupKey
    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", GroupKey(self.key))
        if not self.value.strip():
            raise ValueError(f"group selector {self.key.name.lower()} needs a value")

    def matches(self, profile: HubProfile) -> bool:
        if self.key is GroupKey.POSTCODE:
            return _selector_postcode(self.value) in _postcode_units(profile.postcode)
        attribute = getattr(profile, self.key.name.lower())
        return str(attribute).strip().casefold() == self.value.strip().casefold()

    def __str__(self) -> str:
        return f"{self.key.name.lower()}={self.value}"

    @classmethod
    def parse(cls, text: str) -> GroupSelector:
        """Parse ``"postcode=AB1 2CD"``, ``"supplier=..."`` and the like."""
        name, sep, value = text.partition("=")
        try:
            key = GroupKey[name.strip().upper()]
        except KeyError:
            known = ", ".join(k.name.lower() for k in GroupKey)
            raise ValueError(f"unknown group key {name.strip()!r}; expected one of {known}") from None
        if not sep:
            raise ValueError(f"group selector {text!r} needs the form key=value")
        return cls(key, value.strip())


def modified_eui64_address(prefix: IPv6Network, hub_id: str) -> IPv6Address:
    """Return ``prefix`` with the modified EUI-64 of ``hub_id`` as interface identifier."""
    eui = bytearray(bytes.fromhex(hub_id))
    eui[0] ^= _UNIVERSAL_LOCAL_BIT
    return IPv6Address(int(prefix.network_address) | int.from_bytes(eui, "big"))


class AddressRegistry:
    """Installed hubs by network address, with group resolution."""

    def __init__(self, prefix: IPv6Network = DEFAULT_PREFIX) -> None:
        if prefix.prefixlen > 64:
            raise ValueError(f"prefix {prefix} leaves no room for a 64-bit interface identifier")
        self.prefix = prefix
        self._hubs: dict[IPv6Address, HubProfile] = {}
        self._by_hub_id: dict[str, IPv6Address] = {}

    def __len__(self) -> int:
        return len(self._hubs)

    def __iter__(self) -> Iterator[tuple[IPv6Address, HubProfile]]:
        return iter(sorted(self._hubs.items()))

    def install(self, profile: HubProfile, *, address: IPv6Address | None = None) -> IPv6Address:
        """Assign a network address to a hub and return it.

        Without ``address`` the address is derived from the CHF EUI-64. Installing a hub that
        is already installed, or reusing an address, raises LocalProtocolError.
        """
        if profile.hub_id in self._by_hub_id:
            raise LocalProtocolError(
                f"hub {profile.hub_id} is already installed at {self._by_hub_id[profile.hub_id]}; "
                "decommission it first"
            )
        address = address or modified_eui64_address(self.prefix, profile.hub_id)
        if address in self._hubs:
            raise LocalProtocolError(
                f"network address {address} is already assigned to hub {self._hubs[address].hub_id}"
            )
        self._hubs[address] = profile
        self._by_hub_id[profile.hub_id] = address
        logger.info("installed hub %s at network address %s", profile.hub_id, address)
        return address

    def decommission(self, address: IPv6Address) -> HubProfile:
        """Remove the hub at ``address``; return its profile. Unknown addresses raise."""
        profile = self._hubs.pop(address, None)
        if profile is None:
            raise LocalProtocolError(f"no hub is installed at network address {address}")
        del self._by_hub_id[profile.hub_id]
        logger.info("decommissioned hub %s from network address %s", profile.hub_id, address)
        return profile

    def update(self, address: IPv6Address, profile: HubProfile) -> None:
        """Replace the attributes of the hub at ``address`` (its CHF EUI-64 must not change)."""
        current = self.profile(address)
        if current is None:
            raise LocalProtocolError(f"no hub is installed at network address {address}")
        if current.hub_id != profile.hub_id:
            raise LocalProtocolError(
                f"network address {address} belongs to hub {current.hub_id}, not {profile.hub_id}"
            )
        self._hubs[address] = profile

    def profile(self, address: IPv6Address) -> HubProfile | None:
        return self._hubs.get(address)

    def address_of(self, hub_id: str) -> IPv6Address | None:
        return self._by_hub_id.get(re.sub(r"[-:\s]", "", hub_id).upper())

    def resolve(self, selector: GroupSelector) -> list[IPv6Address]:
        """Return the addresses of the hubs that ``selector`` matches, in address order."""
        return sorted(address for address, profile in self._hubs.items() if selector.matches(profile))
