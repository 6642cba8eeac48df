"""Hypothesis strategies for the ZCL, OTA file and GBCS tunnel codecs.

Payload strategies are derived from the construct declarations themselves, so every declared
command of every cluster is covered and a new declaration is covered as soon as it exists.
Every generated value builds, and parsing the bytes gives the value back, e.g.
``given(zcl_frames())`` then ``assert parse_zcl(build_zcl(f), f.cluster_id) == f``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import construct
from hypothesis import strategies as st

from commshub.codecs.zigbee import ota
from commshub.codecs.zigbee.tunnel import TunnelCommand, TunnelMessage
from commshub.codecs.zigbee.zcl import CLUSTERS, GLOBAL_COMMANDS, Direction, FrameType, ZclFrame
from commshub.codecs.zigbee.zcl.constructs import (
    CountedList,
    Fast,
    FixedLength,
    LoneStatus,
    Maybe,
    PresenceFlags,
    RecordsToEnd,
    Trailing,
)
from commshub.codecs.zigbee.zcl.schema import ClusterCommand, CommandDef
from commshub.codecs.zigbee.zcl.types import VALUE, DataType

__all__ = [
    "gbcs_upgrade_images",
    "ota_files",
    "ota_headers",
    "ota_sub_elements",
    "tunnel_messages",
    "zcl_cluster_frames",
    "zcl_commands",
    "zcl_data_types",
    "zcl_frames",
    "zcl_global_frames",
    "zcl_payloads",
    "zcl_type_values",
    "zcl_values",
]

# Bounds that keep examples small: list lengths, raw byte lengths, nesting of arrays/structures.
_MAX_RECORDS = 4
_MAX_BYTES = 48
_MAX_DEPTH = 2
_COLLECTIONS = frozenset({DataType.ARRAY, DataType.STRUCTURE, DataType.SET, DataType.BAG})
# Field names whose value selects the declaration of a following typed value.
_TYPE_FIELDS = frozenset({"type", "element_type"})
_TYPE_IDS = sorted(VALUE)
_FLOAT_WIDTHS: dict[int, Literal[16, 32, 64]] = {2: 16, 4: 32, 8: 64}


def zcl_data_types(*, collections: bool = True) -> st.SearchStrategy[int]:
    """ZCL data type identifiers that commshub declares."""
    return st.sampled_from([t for t in _TYPE_IDS if collections or t not in _COLLECTIONS])


def _text() -> st.SearchStrategy[str]:
    # NUL ends a ZCL string's text, so generated text has none.
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)


def _strategy(con: Any, context: dict[str, Any], depth: int, name: str | None = None) -> st.SearchStrategy[Any]:
    """Return a strategy for the values ``con`` builds; ``context`` contains earlier sibling fields."""
    if name in _TYPE_FIELDS and isinstance(con, construct.FormatField):
        return zcl_data_types(collections=depth < _MAX_DEPTH)
    if isinstance(con, construct.Renamed):
        return _strategy(con.subcon, context, depth, con.name or name)
    if isinstance(con, Fast):
        return _strategy(con.subcon, context, depth, name)
    if isinstance(con, construct.Struct):
        return _struct(con, depth)
    if isinstance(con, Maybe):
        if construct.evaluate(con.condfunc, construct.Container(context)):
            return _strategy(con.thensubcon, context, depth, name)
        return st.none()
    if isinstance(con, (Trailing, PresenceFlags)):
        return _strategy(con.subcon, context, depth, name)
    if isinstance(con, LoneStatus):
        # The lone form is the all-succeeded response: one SUCCESS byte.
        lone = st.just([{"status": 0, **dict.fromkeys(con.fields)}])
        failed = _strategy(con.subcon.subcon, context, depth + 1).filter(lambda record: record["status"] != 0)
        failures = st.lists(failed, min_size=1, max_size=_MAX_RECORDS)
        return lone | failures
    if isinstance(con, RecordsToEnd):
        return st.lists(_strategy(con.subcon, context, depth + 1), max_size=_MAX_RECORDS)
    if isinstance(con, CountedList):
        items = st.lists(_strategy(con.subcon, context, depth + 1), max_size=_MAX_RECORDS)
        return items | st.none() if con.invalid is not None else items
    if isinstance(con, construct.Array):
        count = construct.evaluate(con.count, construct.Container(context))
        return st.lists(_strategy(con.subcon, context, depth + 1), min_size=count, max_size=count)
    if isinstance(con, construct.Switch):
        key = construct.evaluate(con.keyfunc, construct.Container(context))
        return _strategy(con.cases.get(key, con.default), context, depth + 1, name)
    if isinstance(con, construct.LazyBound):
        return _strategy(con.subconfunc(), context, depth, name)
    return _leaf(con)


def _leaf(con: Any) -> st.SearchStrategy[Any]:
    kind = type(con).__name__
    if isinstance(con, construct.FormatField):
        bits = 8 * con.sizeof()
        if con.fmtstr[-1] in "eEfd":
            return st.floats(width=_FLOAT_WIDTHS[con.sizeof()], allow_nan=False)
        if con.fmtstr[-1].islower():
            return st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        return st.integers(0, (1 << bits) - 1)
    if isinstance(con, construct.BytesInteger):
        bits = 8 * con.length
        if con.signed:
            return st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        return st.integers(0, (1 << bits) - 1)
    if isinstance(con, construct.Bytes) and isinstance(con.length, int):
        return st.binary(min_size=con.length, max_size=con.length)
    if con is construct.GreedyBytes or isinstance(con, construct.Prefixed):
        return st.binary(max_size=_MAX_BYTES)
    if isinstance(con, FixedLength):
        return st.sampled_from(con.lengths).flatmap(lambda n: st.binary(min_size=n, max_size=n))
    if con is construct.Pass:
        return st.none()
    if kind == "_Boolean":
        return st.sampled_from([True, False, None]) | st.integers(2, 0xFE)
    if kind == "_Float":
        return st.floats(width=_FLOAT_WIDTHS[con.subcon.length], allow_nan=False)
    if kind == "_ZclString":
        limit = con.invalid - 1
        values = _text().filter(lambda t: len(t.encode()) <= limit) if con.text else st.binary(max_size=_MAX_BYTES)
        return values | st.none()
    raise TypeError(f"no strategy for {con!r}")


def _struct(con: construct.Struct, depth: int,
            overrides: dict[str, st.SearchStrategy[Any]] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def draw_struct(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, Any]:
        value: dict[str, Any] = {}
        stopped = False
        for sub in con.subcons:
            inner = sub.subcon if isinstance(sub, construct.Renamed) else sub
            if isinstance(inner, Maybe):
                inner = inner.thensubcon
            if isinstance(inner, Trailing):
                # Optional trailing fields stop together: once one is absent, all later are.
                stopped = stopped or draw(st.booleans())
                if stopped:
                    value[sub.name] = None
                    continue
            if overrides and sub.name in overrides:
                value[sub.name] = draw(overrides[sub.name])
                continue
            value[sub.name] = draw(_strategy(sub, value, depth))
        return value

    return draw_struct()


def zcl_values(type_id: int) -> st.SearchStrategy[Any]:
    """Values of the ZCL data type ``type_id``."""
    return zcl_type_values(st.just(type_id)).map(lambda record: record["value"])


def zcl_type_values(types: st.SearchStrategy[int] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """``{"type": id, "value": v}`` records of any declared type (or of ``types``)."""
    chosen = types if types is not None else zcl_data_types()
    return chosen.flatmap(lambda t: _strategy(VALUE[t], {"type": t}, 0).map(lambda v: {"type": t, "value": v}))


def zcl_payloads(command: CommandDef, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Payload field dicts for ``command``; ``overrides`` replace the strategies of top-level fields."""
    declaration = command.payload.subcon if isinstance(command.payload, Fast) else command.payload
    if overrides:
        return _struct(declaration, 0, overrides)
    return _strategy(declaration, {}, 0)


def _header_fields(draw: Callable[[st.SearchStrategy[Any]], Any]) -> dict[str, Any]:
    return {"tsn": draw(st.integers(0, 0xFF)), "disable_default_response": draw(st.booleans())}


def zcl_commands() -> st.SearchStrategy[ClusterCommand]:
    """Draw any declared cluster-specific command."""
    declared = [c for cluster in CLUSTERS.values()
                for c in (*cluster.commands_to_server.values(), *cluster.commands_to_client.values())]
    return st.sampled_from(declared)


@st.composite
def zcl_global_frames(draw: Callable[[st.SearchStrategy[Any]], Any]) -> ZclFrame:
    """Global commands on any cluster, in either direction, some manufacturer-specific."""
    command = draw(st.sampled_from(list(GLOBAL_COMMANDS.values())))
    return ZclFrame(
        cluster_id=draw(st.sampled_from([*CLUSTERS, 0xFC00])), command_id=command.id,
        payload=draw(zcl_payloads(command)), frame_type=FrameType.GLOBAL,
        direction=draw(st.sampled_from(Direction)),
        manufacturer_code=draw(st.none() | st.integers(0, 0xFFFF)), **_header_fields(draw),
    )


@st.composite
def zcl_cluster_frames(draw: Callable[[st.SearchStrategy[Any]], Any]) -> ZclFrame:
    """Cluster-specific commands of every declared cluster, and raw frames of unknown ones."""
    if draw(st.integers(0, 9)) == 0:
        return ZclFrame(
            cluster_id=draw(st.integers(0xFC00, 0xFFFE)), command_id=draw(st.integers(0, 0xFF)),
            payload=draw(st.binary(max_size=_MAX_BYTES)), frame_type=FrameType.CLUSTER,
            direction=draw(st.sampled_from(Direction)),
            manufacturer_code=draw(st.none() | st.integers(0, 0xFFFF)), **_header_fields(draw),
        )
    command: ClusterCommand = draw(zcl_commands())
    return command.frame(**_header_fields(draw), **draw(zcl_payloads(command)))


def zcl_frames() -> st.SearchStrategy[ZclFrame]:
    """Any ZCL frame commshub builds: global, cluster-specific and raw."""
    return st.one_of(zcl_global_frames(), zcl_cluster_frames())


def ota_sub_elements() -> st.SearchStrategy[ota.SubElement]:
    """OTA sub-elements with standard and manufacturer tags."""
    tags = st.sampled_from([int(t) for t in ota.TagId]) | st.integers(0xF000, 0xFFFF)
    return st.builds(ota.SubElement, tags, st.binary(max_size=_MAX_BYTES))


@st.composite
def ota_headers(draw: Callable[[st.SearchStrategy[Any]], Any]) -> ota.OtaHeader:
    """OTA headers with any combination of optional fields and the matching field control
    (total size left at 0)."""
    hardware = draw(st.booleans())
    credential = draw(st.none() | st.integers(0, 0xFF))
    destination = draw(st.none() | st.integers(0, (1 << 64) - 1))
    field_control = (
        (ota.FieldControl.SECURITY_CREDENTIAL_VERSION if credential is not None else 0)
        | (ota.FieldControl.DEVICE_SPECIFIC_FILE if destination is not None else 0)
        | (ota.FieldControl.HARDWARE_VERSIONS if hardware else 0))
    return ota.OtaHeader(
        manufacturer_code=draw(st.integers(0, 0xFFFF)), image_type=draw(st.integers(0, 0xFFFF)),
        file_version=draw(st.integers(0, 0xFFFFFFFF)),
        header_version=ota.OTA_HEADER_VERSION,
        zigbee_stack_version=draw(st.integers(0, 0xFFFF)),
        header_string=draw(_text().filter(lambda t: len(t.encode()) <= 32)),
        security_credential_version=credential,
        upgrade_file_destination=destination,
        minimum_hardware_version=draw(st.integers(0, 0xFFFF)) if hardware else None,
        maximum_hardware_version=draw(st.integers(0, 0xFFFF)) if hardware else None,
        field_control=int(field_control),
    )


@st.composite
def ota_files(draw: Callable[[st.SearchStrategy[Any]], Any]) -> bytes:
    """Encoded OTA files made of a header and sub-elements."""
    header = draw(ota_headers())
    elements = draw(st.lists(ota_sub_elements(), max_size=3))
    return ota.build_ota_file(header, elements=elements)


def gbcs_upgrade_images() -> st.SearchStrategy[ota.GbcsUpgradeImage]:
    """GBCS upgrade image bodies (signatures are random bytes, not valid signatures)."""
    return st.builds(
        ota.GbcsUpgradeImage, st.binary(max_size=_MAX_BYTES),
        st.binary(min_size=ota.GBCS_SIGNATURE_SIZE, max_size=ota.GBCS_SIGNATURE_SIZE),
        st.integers(0, 0xFF),
    )


def tunnel_messages() -> st.SearchStrategy[TunnelMessage]:
    """GBCS tunnel GET, GET-RESPONSE and PUT commands."""
    message = st.binary(min_size=1, max_size=_MAX_BYTES)
    return st.one_of(
        st.just(TunnelMessage(TunnelCommand.GET)),
        st.builds(TunnelMessage, st.just(TunnelCommand.GET_RESPONSE), message, st.integers(0, 0xFF)),
        st.builds(TunnelMessage, st.just(TunnelCommand.PUT), message),
    )
