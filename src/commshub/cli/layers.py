"""The layers that ``commshub decode --as`` accepts, each a function that decodes one frame.

Every decoder has the signature ``decode(data: bytes, options: DecodeOptions) -> DecodeResult``
and is named here by a ``module:function`` string so that importing the CLI stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commshub.codecs.common import Node

__all__ = ["DecodeOptions", "DecodeResult", "LAYERS", "LAYER_SETUP", "RECORD_KEYS", "load_decoder", "set_up_layer"]

# GBCS layers from the DCC side down, then the ZigBee stack from the radio frame up.
LAYERS: dict[str, str] = {
    "gbcs": "commshub.codecs.gbcs.describe:decode_gbcs",
    "dlms": "commshub.codecs.dlms.describe:decode_dlms",
    "hdlc": "commshub.codecs.dlms.describe:decode_hdlc",
    "mac": "commshub.codecs.zigbee.describe_stack:decode_mac",
    "nwk": "commshub.codecs.zigbee.describe_stack:decode_nwk",
    "aps": "commshub.codecs.zigbee.describe_stack:decode_aps",
    "zcl": "commshub.codecs.zigbee.describe_zcl:decode_zcl",
    "ota": "commshub.codecs.zigbee.describe_zcl:decode_ota",
    "ntp": "commshub.codecs.describe_time:decode_ntp",
    "time": "commshub.codecs.describe_time:decode_time",
}

# Functions ``setup(options) -> list[str]`` run once before a layer's first frame, for work such as
# loading a key store. They store what they load in ``options.cache`` and return warnings for the
# user.
LAYER_SETUP: dict[str, str] = {
    "gbcs": "commshub.codecs.gbcs.describe:set_up_gbcs",
}

# Keys that every JSON record of a layer contains, null where unknown, a failed decode included.
RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "gbcs": ("ok", "error", "mac_header", "cra", "originator_counter", "originator", "recipient",
             "message_code", "use_case", "payload_kind", "signature_length", "mac", "signature",
             "round_trip", "payload"),
}

# The Access Control Broker of the DCC's reference test data set.
DEFAULT_ACB_EUI = "90B3D51F30000002"


@dataclass(frozen=True)
class DecodeOptions:
    """Settings that a decoder may need beyond the bytes."""

    keys: Path | None = None
    acb: str = DEFAULT_ACB_EUI
    cluster: int | None = None
    direction: str | None = None  # "client" or "server": who sent the ZCL frame's payload
    # Cache that decoders may use to keep a loaded key store across many frames.
    cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class DecodeResult:
    """One decoded frame: the JSON record (with at least ``ok`` and ``error``) and the tree."""

    record: dict[str, Any]
    tree: Node | None = None


Decoder = Callable[[bytes, DecodeOptions], DecodeResult]


def _load(target: str) -> Any:
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def load_decoder(layer: str) -> Decoder:
    decoder: Decoder = _load(LAYERS[layer])
    return decoder


def set_up_layer(layer: str, options: DecodeOptions) -> list[str]:
    """Run the layer's set-up, if it has one, and return its warnings."""
    target = LAYER_SETUP.get(layer)
    if target is None:
        return []
    warnings: list[str] = _load(target)(options)
    return warnings
