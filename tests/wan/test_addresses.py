"""Network addresses assigned at installation, and group selectors."""

from __future__ import annotations

from ipaddress import IPv6Address, IPv6Network

import pytest

from commshub.errors import LocalProtocolError
from commshub.wan.addresses import (
    AddressRegistry,
    GroupKey,
    GroupSelector,
    HubProfile,
    normalise_postcode,
)


def test_address_is_modified_eui64() -> None:
    registry = AddressRegistry(IPv6Network("fd53:4d57:414e::/64"))

    address = registry.install(HubProfile("00DB123456780001"))

    # RFC 4291 appendix A: 00 -> 02 in the first byte of the interface identifier.
    assert address == IPv6Address("fd53:4d57:414e:0:2db:1234:5678:1")


def test_reinstall_after_decommission_gets_same_address() -> None:
    registry = AddressRegistry()
    profile = HubProfile("00-DB-12-34-56-78-00-01")
    first = registry.install(profile)

    assert registry.decommission(first) == profile
    assert registry.profile(first) is None
    assert registry.install(profile) == first


def test_double_installation_rejected() -> None:
    registry = AddressRegistry()
    registry.install(HubProfile("00DB123456780001"))

    with pytest.raises(LocalProtocolError, match="already installed"):
        registry.install(HubProfile("00DB123456780001"))


def test_decommission_unknown_address_rejected() -> None:
    with pytest.raises(LocalProtocolError, match="no hub is installed"):
        AddressRegistry().decommission(IPv6Address("fd00::9"))


def test_explicit_address_restored() -> None:
    registry = AddressRegistry()
    stored = IPv6Address("fd53:4d57:414e::77")

    assert registry.install(HubProfile("00DB123456780001"), address=stored) == stored
    assert registry.address_of("00db123456780001") == stored


def test_hub_id_must_be_eui64() -> None:
    with pytest.raises(ValueError, match="not an EUI-64"):
        HubProfile("1234")


@pytest.mark.parametrize(
    ("selector", "matches"),
    [("AB", True), ("ab1", True), ("AB1 2", True), ("ab12cd", True), ("AB12", False), ("A", False)],
)
def test_postcode_selector_units(selector: str, matches: bool) -> None:
    profile = HubProfile("00DB123456780001", postcode="ab1 2cd")

    assert GroupSelector(GroupKey.POSTCODE, selector).matches(profile) is matches


def test_group_resolution_by_each_key() -> None:
    registry = AddressRegistry()
    first = registry.install(HubProfile("00DB123456780001", postcode="AB1 2CD", meter_type="ESME",
                                        meter_model="M1", firmware_version="1.2", supplier="Acme"))
    second = registry.install(HubProfile("00DB123456780002", postcode="CD3 4EF", meter_type="GSME",
                                         meter_model="M1", firmware_version="1.3", supplier="Acme"))

    assert registry.resolve(GroupSelector.parse("postcode=AB1")) == [first]
    assert registry.resolve(GroupSelector.parse("meter_type=gsme")) == [second]
    assert registry.resolve(GroupSelector.parse("meter_model=M1")) == sorted([first, second])
    assert registry.resolve(GroupSelector.parse("firmware_version=1.3")) == [second]
    assert registry.resolve(GroupSelector.parse("supplier=ACME")) == sorted([first, second])
    assert registry.resolve(GroupSelector.parse("supplier=Other")) == []


def test_group_selector_parse_errors() -> None:
    with pytest.raises(ValueError, match="unknown group key 'colour'"):
        GroupSelector.parse("colour=red")
    with pytest.raises(ValueError, match="key=value"):
        GroupSelector.parse("postcode")


def test_postcode_normalised() -> None:
    assert normalise_postcode(" sw1a1aa ") == "SW1A 1AA"
    assert HubProfile("00DB123456780001", postcode="e16an").region == "E"
