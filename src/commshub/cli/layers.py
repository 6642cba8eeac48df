"""The layers ``commshub decode --as`` knows, each a function that decodes one frame.

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

__all__ = ["DecodeOptions", "DecodeResult", "LAYERS", "load_decoder"]

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


def load_decoder(layer: str) -> Decoder:
    module_name, _, function = LAYERS[layer].partition(":")
    module = importlib.import_module(module_name)
    decoder: Decoder = getattr(module, function)
    return decoder
