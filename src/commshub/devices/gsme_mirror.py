"""The gas meter's mirror client: how a GSME keeps the GPF's copy of its data up to date.

A sleepy gas meter cannot respond to reads while its radio is off, so it pushes its data to the
Metering mirror that the CHF hosts for it (Smart Energy mirroring), and the GPF serves reads of
GSME data from there (:mod:`commshub.hub.gpf_data`). :class:`MirroredGsme` is a
:class:`~commshub.devices.gsme.Gsme` that does so:

- once joined, it asks the hub for a mirror (Request Mirror);
- on every wake, and as soon as the mirror exists, it reports the Metering, Prepayment and
  Price attributes whose values changed since its last report (Report Attributes), and
  publishes each daily snapshot taken since its last push (Publish Prepay Snapshot).

The values come from the meter's own ZCL server, so the GPF's copy is what a read of the GSME
returns at the time of the push.

NOTE: GBCS's exact rules for the GSME-to-GPF push (which attributes, how often) are not in the
public material; reporting on change at every wake is this emulator's choice.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from commshub.codecs.zigbee.zcl import ZclFrame, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import metering, prepayment, price
from commshub.codecs.zigbee.zcl.clusters.metering import SnapshotCause
from commshub.codecs.zigbee.zcl.foundation import REPORT_ATTRIBUTES
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.devices.events import HanFrameReceived
from commshub.devices.gsme import Gsme, GsmeRun, GsmeState
from commshub.devices.gsme_ledger import DAY, live_attributes
from commshub.errors import CodecError
from commshub.hub.gbcs_io import ZIGBEE_EPOCH

__all__ = ["MIRRORED_CLUSTERS", "REPORT_RECORDS_PER_FRAME", "MirroredGsme", "MirroredGsmeState"]

LOGGER = logging.getLogger(__name__)

# Clusters whose attributes the meter reports to its mirror, in the order it reports them.
MIRRORED_CLUSTERS = (metering.METERING_ID, prepayment.PREPAYMENT_ID, price.PRICE_ID)
# Attribute records per Report Attributes frame, so that a frame stays a few dozen octets.
REPORT_RECORDS_PER_FRAME = 6
# Snapshot cause of the daily snapshots the meter publishes (Smart Energy 1.4 "General").
DAILY_SNAPSHOT_CAUSE = int(SnapshotCause.GENERAL)
_MAX_SNAPSHOTS_PER_PUSH = 31  # the depth of the GPF's Prepayment daily read log


@dataclass(frozen=True, kw_only=True)
class MirroredGsmeState(GsmeState):
    """A GSME's state with its mirror client: the mirror's endpoint once the hub granted one, the
    values reported so far ((cluster, attribute ID) -> value) and the time of the newest daily
    snapshot pushed (UTC seconds since 1970)."""

    mirror_endpoint: int | None = None
    reported: Mapping[tuple[int, int], Any] = field(default_factory=dict)
    pushed_until: int | None = None


class MirroredGsme(Gsme):
    """A GSME that pushes its data to its mirror on the CHF (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        base = self.state
        self.state: MirroredGsmeState = MirroredGsmeState(
            **{item.name: getattr(base, item.name) for item in dataclasses.fields(base)})


class MirroredGsmeRun(GsmeRun):
    meter: MirroredGsme
    state: MirroredGsmeState

    def joined(self) -> None:
        super().joined()
        if self.state.mirror_endpoint is None:
            self.send_frame(metering.REQUEST_MIRROR.frame())

    def han_frame(self, event: HanFrameReceived) -> None:
        if event.cluster != metering.METERING_ID:
            super().han_frame(event)
            return
        try:
            frame = parse_zcl(event.payload, event.cluster)
        except CodecError as exc:
            LOGGER.warning("device %s: undecodable Metering frame from the hub dropped: %s", self.name, exc)
            return
        if metering.REQUEST_MIRROR_RESPONSE.matches(frame):
            self.mirror_granted(frame["endpoint_id"])
        else:
            LOGGER.debug("device %s ignores Metering command 0x%02X", self.name, frame.command_id)

    def mirror_granted(self, endpoint: int) -> None:
        if endpoint == metering.MIRROR_ENDPOINT_REFUSED:
            LOGGER.warning("device %s: the hub has no mirror for it", self.name)
            return
        LOGGER.info("device %s: mirror on endpoint %d", self.name, endpoint)
        self.update(mirror_endpoint=endpoint)
        self.push_to_mirror()

    def wake(self) -> None:
        super().wake()
        self.push_to_mirror()

    def push_to_mirror(self) -> None:
        """Report changed attributes and publish new daily snapshots to the mirror."""
        if self.state.mirror_endpoint is None:
            return
        self.report_changes()
        self.publish_daily_snapshots()

    def report_changes(self) -> None:
        """Report the attributes whose values differ from those last reported.

        The values are those a Read Attributes returns: the attribute table, with the registers
        and balances brought up to the meter's clock. Injected read faults do not apply, because
        they stand for a failing read and not for the meter's data.
        """
        reported = dict(self.state.reported)
        live = live_attributes(self.records(), self.meter.settings.terms)
        for cluster in MIRRORED_CLUSTERS:
            table = self.state.attributes.get(cluster, {})
            current = live.get(cluster, {})
            changed = []
            for attribute_id, (kind, value) in sorted(table.items()):
                value = current.get(attribute_id, value)
                if reported.get((cluster, attribute_id)) != value:
                    changed.append({"attribute_id": attribute_id, "type": kind, "value": value})
                    reported[(cluster, attribute_id)] = value
            for start in range(0, len(changed), REPORT_RECORDS_PER_FRAME):
                self.send_frame(REPORT_ATTRIBUTES.frame(
                    cluster, Direction.SERVER_TO_CLIENT, disable_default_response=True,
                    records=changed[start:start + REPORT_RECORDS_PER_FRAME]))
        self.update(reported=reported)

    def publish_daily_snapshots(self) -> None:
        """Publish the daily snapshots taken since the last push (or since the meter started)."""
        since = self.state.pushed_until if self.state.pushed_until is not None else self.started_at
        snapshot_time = self.meter.settings.daily_snapshot_time
        next_snapshot = since - (since - snapshot_time) % DAY + DAY  # the first daily snapshot after ``since``
        if next_snapshot > self.utc:
            return
        newest = since
        for offset in range(_MAX_SNAPSHOTS_PER_PUSH):
            request = prepayment.GET_PREPAY_SNAPSHOT.frame(
                earliest_start_time=max(0, since + 1 - ZIGBEE_EPOCH), latest_end_time=self.utc - ZIGBEE_EPOCH,
                snapshot_offset=offset, snapshot_cause=DAILY_SNAPSHOT_CAUSE)
            (reply,) = self.zcl(request)
            if not prepayment.PUBLISH_PREPAY_SNAPSHOT.matches(reply):
                break
            self.send_frame(_unsolicited(reply))
            newest = max(newest, reply["snapshot_time"] + ZIGBEE_EPOCH)
        self.update(pushed_until=newest)


def _unsolicited(publish: ZclFrame) -> ZclFrame:
    """Return a Publish Prepay Snapshot as the meter sends it on its own: one snapshot found."""
    payload = dict(publish.payload) if isinstance(publish.payload, Mapping) else {}
    fields = {name: value for name, value in payload.items() if not str(name).startswith("_")}
    fields["total_snapshots_found"] = 1
    return prepayment.PUBLISH_PREPAY_SNAPSHOT.frame(disable_default_response=True, **fields)


MirroredGsme.RUN = MirroredGsmeRun
