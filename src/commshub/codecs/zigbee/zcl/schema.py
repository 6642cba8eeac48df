"""Descriptors of clusters, attributes and commands, and the registry that the decoder reads.

Each command descriptor contains the one construct declaration of its payload and builds
:class:`ZclFrame` values, so the hub writes ``QUERY_NEXT_IMAGE_RESPONSE.reply(request, status=0,
...)`` instead of assembling bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from construct import Construct

from commshub.codecs.zigbee.zcl.constructs import Fast
from commshub.codecs.zigbee.zcl.frame import Direction, FrameType, ZclFrame
from commshub.codecs.zigbee.zcl.types import DataType
from commshub.errors import LocalProtocolError

__all__ = [
    "CLUSTERS",
    "Attribute",
    "Cluster",
    "ClusterCommand",
    "CommandDef",
    "GlobalCommand",
    "cluster_name",
    "register",
]


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute of a cluster: identifier, name and ZCL data type."""

    id: int
    name: str
    type: DataType

    def record(self, value: Any) -> dict[str, Any]:
        """Return an attribute record ``{"attribute_id", "type", "value"}`` for report and write commands."""
        return {"attribute_id": self.id, "type": int(self.type), "value": value}

    def read_record(self, value: Any) -> dict[str, Any]:
        """Return a successful Read Attributes Response record holding ``value``."""
        return {"attribute_id": self.id, "status": 0, "type": int(self.type), "value": value}


@dataclass(frozen=True, eq=False)
class CommandDef:
    """A command identifier, its name and its payload declaration."""

    id: int
    name: str
    payload: Construct = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.payload, Fast):
            object.__setattr__(self, "payload", Fast(self.payload))


@dataclass(frozen=True, eq=False)
class ClusterCommand(CommandDef):
    """A cluster-specific command, sent in one direction of one cluster."""

    cluster_id: int = 0
    direction: Direction = Direction.CLIENT_TO_SERVER

    def frame(self, *, tsn: int = 0, disable_default_response: bool = False, **fields: Any) -> ZclFrame:
        """Return a frame of this command with payload ``fields``."""
        return ZclFrame(
            cluster_id=self.cluster_id, command_id=self.id, payload=fields,
            tsn=tsn, frame_type=FrameType.CLUSTER, direction=self.direction,
            disable_default_response=disable_default_response,
        )

    def reply(self, request: ZclFrame, *, disable_default_response: bool = True, **fields: Any) -> ZclFrame:
        """Return this command as the response to ``request``: same cluster and sequence number.

        The command's direction must be the reverse of the request's. Default responses to
        replies are disabled unless asked for, as ZCL servers commonly do.
        """
        if request.cluster_id != self.cluster_id or request.direction != self.direction.reverse():
            raise LocalProtocolError(
                f"{self.name} (cluster 0x{self.cluster_id:04X}, {self.direction.name}) cannot respond to a "
                f"frame on cluster 0x{request.cluster_id:04X} sent {request.direction.name}")
        return self.frame(tsn=request.tsn, disable_default_response=disable_default_response, **fields)

    def matches(self, frame: ZclFrame) -> bool:
        """Tell whether ``frame`` is this command."""
        return (frame.frame_type == FrameType.CLUSTER and frame.cluster_id == self.cluster_id
                and frame.direction == self.direction and frame.command_id == self.id
                and frame.manufacturer_code is None)


@dataclass(frozen=True, eq=False)
class GlobalCommand(CommandDef):
    """A profile-wide (foundation) command, valid on every cluster and in both directions."""

    def frame(self, cluster_id: int, direction: Direction, *, tsn: int = 0,
              disable_default_response: bool = False, **fields: Any) -> ZclFrame:
        """Return a frame of this command on ``cluster_id`` with payload ``fields``."""
        return ZclFrame(
            cluster_id=cluster_id, command_id=self.id, payload=fields, tsn=tsn,
            frame_type=FrameType.GLOBAL, direction=direction,
            disable_default_response=disable_default_response,
        )

    def reply(self, request: ZclFrame, *, disable_default_response: bool = True, **fields: Any) -> ZclFrame:
        """Return this command as the response to ``request``: same cluster, manufacturer and
        sequence number, reversed direction."""
        frame = self.frame(request.cluster_id, request.direction.reverse(), tsn=request.tsn,
                           disable_default_response=disable_default_response, **fields)
        return dataclasses.replace(frame, manufacturer_code=request.manufacturer_code)

    def matches(self, frame: ZclFrame) -> bool:
        """Tell whether ``frame`` is this command (on any cluster)."""
        return frame.frame_type == FrameType.GLOBAL and frame.command_id == self.id


@dataclass(frozen=True, eq=False)
class Cluster:
    """A cluster: its identifier, name, attributes of each side and commands of each direction."""

    id: int
    name: str
    attributes: Mapping[int, Attribute] = field(default_factory=dict)
    client_attributes: Mapping[int, Attribute] = field(default_factory=dict)
    commands_to_server: Mapping[int, ClusterCommand] = field(default_factory=dict)
    commands_to_client: Mapping[int, ClusterCommand] = field(default_factory=dict)

    def commands(self, direction: Direction) -> Mapping[int, ClusterCommand]:
        """Return the commands sent in ``direction``."""
        if direction == Direction.CLIENT_TO_SERVER:
            return self.commands_to_server
        return self.commands_to_client

    def attribute_table(self, direction: Direction, *, sender_side: bool) -> Mapping[int, Attribute]:
        """Return the attributes that a global command sent in ``direction`` refers to.

        Requests (read, write, configure) name attributes of the receiving side; responses and
        reports carry attributes of the sending side (ZCL revision 6). Pass
        ``sender_side=True`` for the latter.
        """
        from_server = direction == Direction.SERVER_TO_CLIENT
        return self.attributes if from_server == sender_side else self.client_attributes

    def attribute(self, name: str) -> Attribute:
        """Return the server attribute called ``name``."""
        for attribute in self.attributes.values():
            if attribute.name == name:
                return attribute
        raise KeyError(f"cluster {self.name} has no attribute {name!r}")

    def command(self, name: str, direction: Direction) -> ClusterCommand:
        """Return the command called ``name`` sent in ``direction``."""
        for command in self.commands(direction).values():
            if command.name == name:
                return command
        raise KeyError(f"cluster {self.name} has no {direction.name} command {name!r}")


CLUSTERS: dict[int, Cluster] = {}


def register(cluster: Cluster) -> Cluster:
    """Add ``cluster`` to the registry that :func:`parse_zcl` consults."""
    if cluster.id in CLUSTERS:
        raise ValueError(f"cluster 0x{cluster.id:04X} is already registered")
    CLUSTERS[cluster.id] = cluster
    return cluster


def cluster_name(cluster_id: int) -> str:
    """Name a cluster identifier, e.g. ``Metering`` or ``cluster 0xFC00``."""
    cluster = CLUSTERS.get(cluster_id)
    return cluster.name if cluster else f"cluster 0x{cluster_id:04X}"


def commands(cluster_id: int, direction: Direction, *specs: tuple[int, str, Construct]) -> dict[int, ClusterCommand]:
    """Declare the commands of one direction of a cluster from ``(id, name, payload)`` triples."""
    return {
        command_id: ClusterCommand(command_id, name, payload, cluster_id=cluster_id, direction=direction)
        for command_id, name, payload in specs
    }


def attributes(*specs: tuple[int, str, DataType] | Iterable[tuple[int, str, DataType]]) -> dict[int, Attribute]:
    """Declare attributes from ``(id, name, type)`` triples or iterables of them."""
    table: dict[int, Attribute] = {}
    for spec in specs:
        entries = [spec] if isinstance(spec, tuple) and len(spec) == 3 and isinstance(spec[0], int) else spec
        for attribute_id, name, data_type in entries:
            if attribute_id in table:
                raise ValueError(f"attribute 0x{attribute_id:04X} declared twice")
            table[attribute_id] = Attribute(attribute_id, name, data_type)
    return table
