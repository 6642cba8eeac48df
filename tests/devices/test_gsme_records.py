"""The virtual GSME's records read over the hub: snapshots, samples, logs, calendars, prices,
event configuration, and how a GBZ command stops after a failed component."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from device_bench import SITE_IDS, START, SUPPLIER, response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.gbz import (
    FROM_DATE_TIME_PRESENT,
    LAST_COMPONENT,
    GbzComponent,
    GbzPayload,
    build_gbz,
    parse_gbz,
)
from commshub.codecs.gbcs.payload import decrypt_component
from commshub.codecs.zigbee.zcl import Direction, FrameType, Status, ZclFrame, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters import (
    calendar,
    device_management,
    metering,
    prepayment,
    price,
)
from commshub.codecs.zigbee.zcl.clusters.metering import SnapshotCause
from commshub.codecs.zigbee.zcl.foundation import DEFAULT_RESPONSE, READ_ATTRIBUTES
from commshub.devices.gbcs_endpoint import CRITICAL_MESSAGE_CODES
from commshub.devices.gsme import Gsme, GsmeRun, GsmeSettings, disable_default_response
from commshub.devices.gsme_ledger import GasUsage
from commshub.devices.gsme_responders import RESPONDERS
from commshub.devices.gsme_tariff import (
    CURRENT_FRIENDLY_CREDIT_CALENDAR,
    CURRENT_TARIFF_CALENDAR,
    default_tariff,
)
from commshub.devices.site import Kind, Site, SiteKeys
from commshub.errors import CommshubError
from commshub.hub.gbcs_io import ZIGBEE_EPOCH

GSME = SITE_IDS["GSME"]
POLL = 1800
DAY = 86_400
# Message codes of the use cases the tests send, named after them.
GCS13A, GCS15D, GCS15E, GCS16A, GCS16B, GCS17 = 0x0074, 0x00C4, 0x00C5, 0x0077, 0x0096, 0x0078
GCS18, GCS31, CS10A, CS11, GCS20, GCS20R = 0x0079, 0x0080, 0x0014, 0x0015, 0x00F0, 0x00F1
GCS21F, GCS21D, GCS04, GCS40A = 0x009F, 0x009D, 0x0071, 0x0086
ALL_CAUSES = 0xFFFF_FFFF


@pytest.fixture
def site(site_keys: SiteKeys) -> Site:
    return site_keys.build(now=START, join=[Kind.GSME], gsme={"settings": GsmeSettings(poll_interval=POLL)})


class Exchange:
    """Sends GBZ commands to the site's GSME and decodes its replies."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.counter = 1000

    def __call__(self, message_code: int, *frames: ZclFrame, from_date_time: int | None = None) -> list[ZclFrame]:
        components = []
        for index, frame in enumerate(frames):
            data = build_zcl(frame)
            control = (LAST_COMPONENT if index == len(frames) - 1 else 0) | (
                FROM_DATE_TIME_PRESENT if from_date_time is not None else 0)
            components.append(GbzComponent(control, frame.cluster_id, data[0], data[1], data[2], data[3:],
                                           from_date_time=from_date_time))
        self.counter += 1
        command = GbcsFrame.command(originator=SUPPLIER, recipient=GSME, originator_counter=self.counter,
                                    message_code=message_code, content=build_gbz(GbzPayload(tuple(components))))
        before = len(self.site.network.wan)
        critical = message_code in CRITICAL_MESSAGE_CODES
        self.site.network.deliver_wan(self.site.command(command, critical=critical))
        self.site.network.run(until=self.site.network.now + POLL)
        reply = response(self.site.wan_since(before), command)
        decoded = []
        for component in parse_gbz(reply.content).components:
            payload = component.payload
            if component.encryption is not None:
                payload = decrypt_component(reply, component, self.site.keys) or b""
            header = bytes([component.frame_control, component.sequence_number, component.command_id])
            decoded.append(parse_zcl(header + payload, component.cluster))
        return decoded


@pytest.fixture
def exchange(site: Site) -> Exchange:
    return Exchange(site)


def meter(site: Site) -> Gsme:
    device = site.devices[Kind.GSME]
    assert isinstance(device, Gsme)
    return device


def zigbee(utc: int) -> int:
    return utc - ZIGBEE_EPOCH


def status_of(reply: ZclFrame) -> int:
    assert DEFAULT_RESPONSE.matches(reply), reply
    status: int = reply["status"]
    return status


def snapshot_request(offset: int, *, cause: int = ALL_CAUSES, earliest: int = 0, latest: int = 0xFFFF_FFFE,
                     command: Any = metering.GET_SNAPSHOT) -> ZclFrame:
    return command.frame(tsn=offset, earliest_start_time=earliest, latest_end_time=latest,
                         snapshot_offset=offset, snapshot_cause=cause)


# --- snapshots -----------------------------------------------------------------------------------

def test_daily_snapshots_by_offset(exchange: Exchange):
    earliest = zigbee(START - 3 * DAY)
    replies = exchange(GCS16A, *(snapshot_request(offset, cause=SnapshotCause.GENERAL, earliest=earliest)
                                 for offset in range(4)))
    published = [reply for reply in replies if metering.PUBLISH_SNAPSHOT.matches(reply)]
    assert len(published) == 3  # 09:00 on each of the three days before the start
    assert status_of(replies[3]) == Status.NOT_FOUND
    times = [reply["snapshot_time"] for reply in published]
    assert times == sorted(times)
    assert all((time + ZIGBEE_EPOCH) % DAY == 9 * 3600 for time in times)
    assert {reply["total_snapshots_found"] for reply in published} == {3}
    payload = published[0]["snapshot_payload"]
    assert sum(payload["tier_summations"]) == payload["current_summation_delivered"]
    assert sum(payload["tier_block_summations"]) == payload["current_summation_delivered"]
    summations = [reply["snapshot_payload"]["current_summation_delivered"] for reply in published]
    assert summations == sorted(summations)


def test_billing_and_event_snapshots_by_cause(exchange: Exchange):
    replies = exchange(GCS16A, snapshot_request(0, cause=SnapshotCause.END_OF_BILLING_PERIOD,
                                                earliest=zigbee(START - 40 * DAY)),
                       snapshot_request(0, cause=SnapshotCause.CHANGE_OF_TARIFF_INFORMATION
                                        | SnapshotCause.CHANGE_OF_METER_MODE, earliest=zigbee(START - 40 * DAY)))
    assert [reply["snapshot_cause"] for reply in replies] == [SnapshotCause.END_OF_BILLING_PERIOD,
                                                              SnapshotCause.CHANGE_OF_TARIFF_INFORMATION]
    assert replies[0]["total_snapshots_found"] == 2  # 1 December and 1 January
    assert replies[1]["total_snapshots_found"] == 2


def test_prepay_snapshot_balances(exchange: Exchange):
    reply = exchange(GCS16B, snapshot_request(0, cause=SnapshotCause.GENERAL, earliest=zigbee(START - DAY),
                                              command=prepayment.GET_PREPAY_SNAPSHOT))[0]
    assert prepayment.PUBLISH_PREPAY_SNAPSHOT.matches(reply)
    assert reply["snapshot_payload_type"] == prepayment.SNAPSHOT_DEBT_CREDIT_STATUS
    balances = reply["snapshot_payload"]
    assert balances["emergency_credit_remaining"] == 500_000
    assert balances["type3_debt_remaining"] > 0


def test_registers_read_live_and_consistent(site: Site, exchange: Exchange):
    read = READ_ATTRIBUTES.frame(metering.METERING_ID, Direction.CLIENT_TO_SERVER,
                                 attribute_ids=[0x0000, 0x0100, 0x0102, 0x0104, 0x0106])
    first = exchange(GCS13A, read)[0]["records"]
    site.network.run(until=site.network.now + DAY)
    second = exchange(GCS13A, read)[0]["records"]
    assert sum(record["value"] for record in first[1:]) == first[0]["value"]
    assert second[0]["value"] > first[0]["value"]
    ledger = meter(site).state.records
    assert ledger is not None and ledger.ledger.registers.summation == second[0]["value"]


def test_credit_adjustment_then_read(exchange: Exchange):
    adjust = prepayment.CREDIT_ADJUSTMENT.frame(tsn=0, issuer_event_id=1, start_time=0, credit_adjustment_type=1,
                                                credit_adjustment_value=1_234_567)
    read = READ_ATTRIBUTES.frame(prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, tsn=1, attribute_ids=[0x0001])
    replies = exchange(GCS40A, adjust, read)
    assert status_of(replies[0]) == Status.SUCCESS
    assert replies[1]["records"][0]["value"] == 1_234_567


# --- profile data and sampling ------------------------------------------------------------------

def test_profile_data_log_samples(exchange: Exchange):
    earliest = START - DAY
    reply = exchange(GCS17, metering.GET_SAMPLED_DATA.frame(
        sample_id=0, earliest_sample_time=zigbee(earliest), sample_type=0, number_of_samples=10))[0]
    assert metering.GET_SAMPLED_DATA_RESPONSE.matches(reply)
    assert reply["sample_start_time"] == zigbee(earliest)
    assert reply["sample_request_interval"] == 1800
    usage = GsmeSettings().usage
    assert reply["samples"] == list(usage.interval_volumes(earliest // DAY)[:10])


def test_profile_data_log_no_longer_holds_old_samples(exchange: Exchange):
    reply = exchange(GCS17, metering.GET_SAMPLED_DATA.frame(
        sample_id=0, earliest_sample_time=zigbee(START - 500 * DAY), sample_type=0, number_of_samples=10))[0]
    assert status_of(reply) == Status.NOT_FOUND


def test_start_sampling_then_read_session(site: Site, exchange: Exchange):
    started = exchange(GCS31, metering.START_SAMPLING.frame(
        issuer_event_id=1, start_sampling_time=0, sample_type=0, sample_request_interval=360,
        max_number_of_samples=20))[0]
    assert metering.START_SAMPLING_RESPONSE.matches(started)
    session = meter(site).state.sampling
    assert session is not None and session.sample_id == started["sample_id"]
    site.network.run(until=site.network.now + 4 * 3600)
    read = metering.GET_SAMPLED_DATA.frame(sample_id=started["sample_id"], earliest_sample_time=1, sample_type=0,
                                           number_of_samples=50)
    reply = exchange(GCS18, read)[0]
    assert reply["number_of_samples"] == 20
    assert reply["sample_start_time"] == zigbee(session.start)
    assert sum(reply["samples"]) == GasUsage().volume_between(session.start, session.start + 20 * 360)


def test_unknown_sample_id_is_not_found(exchange: Exchange):
    read = metering.GET_SAMPLED_DATA.frame(sample_id=2, earliest_sample_time=1, sample_type=0, number_of_samples=5)
    assert status_of(exchange(GCS18, read)[0]) == Status.NOT_FOUND


def test_get_profile_half_hours_most_recent_first(site: Site, exchange: Exchange):
    reply = exchange(GCS17, metering.GET_PROFILE.frame(interval_channel=0, end_time=0, number_of_periods=4))[0]
    assert metering.GET_PROFILE_RESPONSE.matches(reply)
    end = reply["end_time"] + ZIGBEE_EPOCH
    usage = GsmeSettings().usage
    expected = [usage.volume_between(end - 1800 * (index + 1), end - 1800 * index) for index in range(4)]
    assert reply["intervals"] == expected


# --- prepayment logs -------------------------------------------------------------------------------

def test_top_up_log_most_recent_first(exchange: Exchange):
    reply = exchange(GCS15E, prepayment.GET_TOP_UP_LOG.frame(latest_end_time=0xFFFF_FFFE, number_of_records=5),
                     from_date_time=zigbee(START - 400 * DAY))[0]
    assert prepayment.PUBLISH_TOP_UP_LOG.matches(reply)
    times = [top_up["top_up_time"] for top_up in reply["top_ups"]]
    assert times == sorted(times, reverse=True)
    assert all(len(top_up["top_up_code"]) == 20 for top_up in reply["top_ups"])
    window = exchange(GCS15E, prepayment.GET_TOP_UP_LOG.frame(latest_end_time=0xFFFF_FFFE, number_of_records=5),
                      from_date_time=zigbee(START + DAY))[0]
    assert status_of(window) == Status.NOT_FOUND


def test_debt_log_of_payment_debt(exchange: Exchange):
    reply = exchange(GCS15D, prepayment.GET_DEBT_REPAYMENT_LOG.frame(
        latest_end_time=0xFFFF_FFFE, number_of_debts=3, debt_type=2), from_date_time=zigbee(START - 400 * DAY))[0]
    assert prepayment.PUBLISH_DEBT_LOG.matches(reply)
    assert 0 < len(reply["debts"]) <= 3
    assert all(debt["debt_type"] == 2 for debt in reply["debts"])
    outstanding = [debt["outstanding_debt"] for debt in reply["debts"]]
    assert outstanding == sorted(outstanding)  # most recent first: the debt only goes down


# --- logs and event configuration ----------------------------------------------------------------

def event_log_request(log_id: int, start: int, end: int) -> ZclFrame:
    return device_management.GET_EVENT_LOG.frame(event_control_log_id=0x10 | log_id, event_id=0, start_time=start,
                                                 end_time=end, number_of_events=0, event_offset=0)


def test_security_log_holds_the_join(exchange: Exchange):
    reply = exchange(CS10A, event_log_request(4, zigbee(START - 60), zigbee(START + 60)))[0]
    assert device_management.PUBLISH_EVENT_LOG.matches(reply)
    assert 0x8F49 in [event["event_id"] for event in reply["events"]]  # device joining succeeded
    assert reply["total_number_of_matching_events"] == len(reply["events"])


def test_clear_event_log_then_read(exchange: Exchange):
    cleared = exchange(CS11, device_management.CLEAR_EVENT_LOG_REQUEST.frame(log_id=4))[0]
    assert device_management.CLEAR_EVENT_LOG_RESPONSE.matches(cleared)
    reply = exchange(CS10A, event_log_request(4, 0, 0xFFFF_FFFE))[0]
    assert [event["event_id"] for event in reply["events"]] == [0x8F52]  # event log cleared
    future = exchange(CS10A, event_log_request(3, zigbee(START + 400 * DAY), 0xFFFF_FFFE))[0]
    assert status_of(future) == Status.NOT_FOUND


def test_event_configuration_set_and_get(exchange: Exchange):
    set_reply = exchange(GCS20, device_management.SET_EVENT_CONFIGURATION.frame(
        issuer_event_id=1, start_date_time=0, event_configuration=0x5B, configuration_control=0,
        selection={"event_ids": [0x81AA, 0x9999]}))[0]
    assert status_of(set_reply) == Status.SUCCESS
    report = exchange(GCS20R, device_management.GET_EVENT_CONFIGURATION.frame(event_id=0x81FF))[0]
    assert device_management.REPORT_EVENT_CONFIGURATION.matches(report)
    values = {entry["event_id"]: entry["event_configuration"] for entry in report["event_configurations"]}
    assert values[0x81AA] == 0x5B
    assert all(event >> 8 == 0x81 for event in values)
    missing = exchange(GCS20R, device_management.GET_EVENT_CONFIGURATION.frame(event_id=0x9999))[0]
    assert status_of(missing) == Status.NOT_FOUND


# --- tariff --------------------------------------------------------------------------------------

def calendar_reads(calendar_id: int) -> list[ZclFrame]:
    return [
        calendar.GET_DAY_PROFILES.frame(tsn=1, provider_id=0, issuer_calendar_id=calendar_id, start_day_id=1,
                                        number_of_days=0),
        calendar.GET_WEEK_PROFILES.frame(tsn=2, provider_id=0, issuer_calendar_id=calendar_id, start_week_id=1,
                                         number_of_weeks=0),
        calendar.GET_SEASONS.frame(tsn=3, provider_id=0, issuer_calendar_id=calendar_id),
        calendar.GET_SPECIAL_DAYS.frame(tsn=4, start_time=0, number_of_events=0, calendar_type=0xFF, provider_id=0,
                                        issuer_calendar_id=calendar_id),
    ]


def test_tariff_calendar_published(exchange: Exchange):
    replies = exchange(GCS21F, *calendar_reads(CURRENT_TARIFF_CALENDAR)[:3])
    tou = default_tariff().tou
    days = [reply for reply in replies if calendar.PUBLISH_DAY_PROFILE.matches(reply)]
    assert [reply["day_id"] for reply in days] == [day.day_id for day in tou.days]
    assert days[0]["day_schedule_entries"][0] == {"start_time": 0, "value": 1}
    assert all(reply["issuer_calendar_id"] == tou.issuer_calendar_id for reply in replies)
    assert calendar.PUBLISH_SEASONS.matches(replies[-1])


def test_friendly_credit_calendar_type(exchange: Exchange):
    replies = exchange(GCS21F, calendar.GET_SPECIAL_DAYS.frame(
        start_time=0, number_of_events=0, calendar_type=3, provider_id=0,
        issuer_calendar_id=CURRENT_FRIENDLY_CREDIT_CALENDAR))
    assert replies[0]["calendar_type"] == 3
    assert replies[0]["total_number_of_special_days"] == len(replies[0]["special_day_entries"])


def test_current_price_follows_the_calendar(site: Site, exchange: Exchange):
    reply = exchange(GCS21F, price.GET_CURRENT_PRICE.frame(command_options=0))[0]
    assert price.PUBLISH_PRICE.matches(reply)
    now = reply["current_time"] + ZIGBEE_EPOCH
    tier = default_tariff().tou.value_at(now)
    assert reply["price_trailing_digit_and_price_tier"] & 0x0F == tier
    assert reply["price"] == meter(site).state.attributes[0x0700][0x0410 + 0x10 * (tier - 1)][1]
    assert reply["start_time"] <= reply["current_time"] < reply["start_time"] + 60 * reply["duration_in_minutes"]


def test_billing_period(exchange: Exchange):
    reply = exchange(GCS21D, price.GET_BILLING_PERIOD.frame(earliest_start_time=0, min_issuer_event_id=0xFFFFFFFF,
                                                            number_of_commands=1, tariff_type=0))[0]
    assert price.PUBLISH_BILLING_PERIOD.matches(reply)
    assert reply["billing_period_start_time"] == zigbee(START)  # 1 January


def test_meter_without_tariff_finds_no_calendar(site_keys: SiteKeys):
    bare = site_keys.build(now=START, join=[Kind.GSME],
                           gsme={"settings": GsmeSettings(poll_interval=POLL, tariff=None)})
    replies = Exchange(bare)(GCS21F, *calendar_reads(CURRENT_TARIFF_CALENDAR),
                             price.GET_CURRENT_PRICE.frame(tsn=5, command_options=0))
    assert [status_of(reply) for reply in replies] == [Status.NOT_FOUND] * 5


# --- GBZ execution --------------------------------------------------------------------------------

def test_components_after_a_failure_are_not_executed(site_keys: SiteKeys):
    failing = site_keys.build(now=START, join=[Kind.GSME], gsme={
        "settings": GsmeSettings(poll_interval=POLL), "faults": {("component", 0x0705, 1): 0xC0}})
    debt = {"issuer_event_id": 1, "debt_label": b"", "debt_amount": 100, "debt_recovery_method": 0,
            "debt_amount_type": 0, "debt_recovery_start_time": 0, "debt_recovery_collection_time": 0,
            "debt_recovery_frequency": 1, "debt_recovery_amount": 10, "debt_recovery_balance_percentage": 0}
    replies = Exchange(failing)(GCS04, *(prepayment.CHANGE_DEBT.frame(tsn=tsn, **debt) for tsn in range(3)))
    assert [status_of(reply) for reply in replies] == [Status.SUCCESS, Status.HARDWARE_FAILURE, Status.FAILURE]
    assert [reply["command_id"] for reply in replies] == [0x02, 0x02, 0xFF]


@pytest.mark.parametrize(("message_code", "cluster", "frame_type", "command_id", "expected"), [
    (GCS16A, 0x0702, FrameType.CLUSTER, 0x06, True),  # Publish Snapshot
    (GCS21D, 0x0700, FrameType.CLUSTER, 0x09, False),  # Publish Billing Period
    (0x006C, 0x0705, FrameType.CLUSTER, 0x02, True),  # Change Payment Mode Response
    (GCS31, 0x0702, FrameType.CLUSTER, 0x0D, False),  # Start Sampling Response
    (GCS17, 0x0702, FrameType.CLUSTER, 0x07, True),  # GCS17 Get Sampled Data Response
    (GCS18, 0x0702, FrameType.CLUSTER, 0x07, False),
    (GCS13A, 0x0702, FrameType.GLOBAL, 0x01, True),  # GCS13a Read Attributes Response
    (0x0084, 0x0702, FrameType.GLOBAL, 0x01, False),  # GCS38
    (GCS16A, 0x0702, FrameType.GLOBAL, 0x0B, False),  # Default Response
])
def test_disable_default_response_bit(message_code, cluster, frame_type, command_id, expected):
    reply = ZclFrame(cluster_id=cluster, command_id=command_id, frame_type=frame_type,
                     direction=Direction.SERVER_TO_CLIENT)
    assert disable_default_response(message_code, reply) is expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_commands_get_replies(site: Site, data: st.DataObject):
    """A command whose payload decodes gets replies that encode, or a CommshubError."""
    cluster, direction, command_id = data.draw(st.sampled_from(sorted(RESPONDERS)))
    control = 0x01 | (0x08 if direction == Direction.SERVER_TO_CLIENT else 0)
    if data.draw(st.booleans()):
        control |= 0x04  # manufacturer-specific: the code follows the frame control
        header = bytes([control, 0x34, 0x12, 0x00, command_id])
    else:
        header = bytes([control, 0x00, command_id])
    try:
        request = parse_zcl(header + data.draw(st.binary(max_size=40)), cluster)
    except CommshubError:
        return
    gsme = meter(site)
    run = GsmeRun(gsme, gsme.state, site.network.now)
    try:
        replies = run.zcl(request)
    except CommshubError:
        return
    assert replies
    for reply in replies:
        assert build_zcl(reply)


def test_snapshot_count_capped_at_255(site: Site):
    """Get Snapshot over years of history reports at most 255 snapshots found (a uint8)."""
    # Metering Get Snapshot, client to server: earliest start 0, latest end far in the future,
    # offset 0, every cause; hypothesis found the overflow with this frame.
    earliest, latest, offset, causes = 0, 0x1C000000, 0, 0x00000001
    payload = struct.pack("<IIBI", earliest, latest, offset, causes)
    request = parse_zcl(bytes([0x01, 0x00, 0x06]) + payload, 0x0702)
    gsme = meter(site)
    run = GsmeRun(gsme, gsme.state, site.network.now)

    replies = run.zcl(request)

    encoded = [build_zcl(reply) for reply in replies]
    assert encoded
    published = [reply for reply in replies if not reply.is_global]
    assert published
    assert published[0]["total_snapshots_found"] <= 0xFF
