"""Helpers shared by the DLMS tests: golden vectors go through ``round_trip``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from commshub.codecs.dlms import build_apdu, build_data, parse_apdu, parse_data
from commshub.codecs.dlms.xdlms import Apdu


def _round_trip_apdu(hex_text: str, expected: Apdu | None = None) -> Any:
    """Parse ``hex_text``, compare with ``expected`` when given, rebuild, and return the APDU."""
    data = bytes.fromhex(hex_text.replace(" ", ""))
    apdu = parse_apdu(data)
    if expected is not None:
        assert apdu == expected
        assert build_apdu(expected) == data
    assert build_apdu(apdu) == data
    return apdu


def _round_trip_data(hex_text: str, expected: Any = None) -> Any:
    data = bytes.fromhex(hex_text.replace(" ", ""))
    item = parse_data(data)
    if expected is not None:
        assert item == expected
        assert build_data(expected) == data
    assert build_data(item) == data
    return item


@pytest.fixture
def round_trip() -> Callable[..., Any]:
    return _round_trip_apdu


@pytest.fixture
def round_trip_data() -> Callable[..., Any]:
    return _round_trip_data
