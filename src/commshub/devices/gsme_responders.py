"""Responders of the virtual gas meter (GSME) to the cluster commands of GBCS gas use cases: the
commands that read its records, tariff and logs, and those that change them.

Each responder takes the meter's run (:class:`~commshub.devices.gsme.GsmeRun`), the ZCL request
and the GBZ component's From Date Time (ZigBee UTCTime, or None), and returns the meter's
replies. A request for data the meter does not hold gets a Default Response NOT_FOUND.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from commshub.codecs.zigbee.zcl import Direction, Status, ZclFrame
from commshub.codecs.zigbee.zcl.clusters import (
    calendar,
    device_management,
    metering,
    prepayment,
    price,
)
from commshub.codecs.zigbee.zcl.clusters.metering import SnapshotCause
from commshub.devices.gsme_events import LOG_BITS, EventLogId, LogEntry, events_of_group
from commshub.devices.gsme_ledger import (
    DAY,
    HALF_HOUR,
    PROFILE_SAMPLE_ID,
    SESSION_SAMPLE_ID,
    TIERS,
    Registers,
    SamplingSession,
    Snapshot,
    adjust_credit,
    sample_volumes,
    take_snapshot,
)
from commshub.devices.gsme_tariff import Calendar
from commshub.hub.gbcs_io import ZIGBEE_EPOCH
from commshub.hub.logs import EventCode

if TYPE_CHECKING:
    from commshub.devices.gsme import GsmeRun

__all__ = ["RESPONDERS", "Responder"]

Responder = Callable[["GsmeRun", ZclFrame, "int | None"], list[ZclFrame]]
Profile = TypeVar("Profile")

# Request values that select everything (Smart Energy 1.4).
ALL_CAUSES = 0xFFFF_FFFF
ALL_DEBTS = 0xFF
ANY_PROVIDER = (0x0000_0000, 0xFFFF_FFFF)
NO_MINIMUM = 0xFFFF_FFFF  # Min. Issuer Event ID that selects any event
# Sample Type of Start Sampling and Get Sampled Data: consumption delivered, the only one a gas
# meter samples.
CONSUMPTION_DELIVERED = 0
# Calendar Time Reference of Publish Calendar: the meter keeps its calendars in UTC.
UTC_TIME_REFERENCE = 0x00
# Tariff Type of the Price cluster (low nibble): delivered tariff.
DELIVERED_TARIFF = 0x00
# NOTE: Billing Period Duration Type as read from Smart Energy 1.4 and not checked against the
# text: timebase in bits 0-3 (3 months), control in bits 4-7 (0 from the start of the timebase).
MONTHS_FROM_START = 0x03


def zigbee_time(utc: int) -> int:
    """Return ZigBee UTCTime (seconds since 2000) of UTC seconds since 1970."""
    return max(0, utc - ZIGBEE_EPOCH)


def unix_time(zigbee: int) -> int:
    """Return UTC seconds since 1970 of ZigBee UTCTime."""
    return zigbee + ZIGBEE_EPOCH


def not_found(run: GsmeRun, request: ZclFrame) -> list[ZclFrame]:
    return [run.default_response(request, Status.NOT_FOUND)]


# --- snapshots -------------------------------------------------------------------------------

def _matching_snapshots(run: GsmeRun, request: ZclFrame) -> list[Snapshot]:
    earliest, latest = unix_time(request["earliest_start_time"]), unix_time(request["latest_end_time"])
    mask = request["snapshot_cause"]
    return [snapshot for snapshot in run.records().snapshots()
            if earliest <= snapshot.at <= latest and (mask == ALL_CAUSES or snapshot.cause & mask)]


# TotalSnapshotsFound of Publish Snapshot is an 8-bit unsigned integer, so a longer history
# reports the maximum it can carry.
MAX_SNAPSHOTS_FOUND = 0xFF


def _snapshot_header(snapshot: Snapshot, found: int) -> dict[str, Any]:
    return {"snapshot_id": snapshot.snapshot_id, "snapshot_time": zigbee_time(snapshot.at),
            "total_snapshots_found": min(found, MAX_SNAPSHOTS_FOUND), "command_index": 0, "total_number_of_commands": 1,
            "snapshot_cause": int(snapshot.cause)}


def _register_payload(registers: Registers) -> dict[str, Any]:
    blocks = len(registers.blocks)
    return {"current_summation_delivered": registers.summation, "number_of_tiers_in_use": len(registers.tiers),
            "tier_summations": list(registers.tiers),
            "number_of_tiers_and_block_thresholds_in_use": 1 << 4 | blocks,
            "tier_block_summations": list(registers.blocks)}


def get_snapshot(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Metering Get Snapshot: the snapshot at ``snapshot_offset`` among those in the time
    range with one of the causes, oldest first."""
    found = _matching_snapshots(run, request)
    if request["snapshot_offset"] >= len(found):
        return not_found(run, request)
    snapshot = found[request["snapshot_offset"]]
    return [metering.PUBLISH_SNAPSHOT.reply(
        request, **_snapshot_header(snapshot, len(found)),
        snapshot_payload_type=metering.SNAPSHOT_BLOCK_TIER_DELIVERED_NO_BILLING,
        snapshot_payload=_register_payload(snapshot.registers))]


def get_prepay_snapshot(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Prepayment Get Prepay Snapshot: as Get Snapshot, with the debt and credit balances."""
    found = _matching_snapshots(run, request)
    if request["snapshot_offset"] >= len(found):
        return not_found(run, request)
    snapshot = found[request["snapshot_offset"]]
    balance = snapshot.balance
    return [prepayment.PUBLISH_PREPAY_SNAPSHOT.reply(
        request, **_snapshot_header(snapshot, len(found)),
        snapshot_payload_type=prepayment.SNAPSHOT_DEBT_CREDIT_STATUS,
        snapshot_payload={"accumulated_debt": balance.accumulated_debt, "type1_debt_remaining": balance.debts[0],
                          "type2_debt_remaining": balance.debts[1], "type3_debt_remaining": balance.debts[2],
                          "emergency_credit_remaining": balance.emergency_credit,
                          "credit_remaining": balance.credit})]


# --- profile data and sampling ---------------------------------------------------------------

def _profile_log(run: GsmeRun) -> SamplingSession:
    """Return the half-hourly profile data log as a session that starts with its oldest sample."""
    settings = run.meter.settings
    history_start = run.started_at - settings.past.days * DAY
    oldest = max(history_start, run.utc - settings.profile_days * DAY)
    return SamplingSession(PROFILE_SAMPLE_ID, oldest - oldest % HALF_HOUR, CONSUMPTION_DELIVERED, HALF_HOUR)


def get_sampled_data(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Metering Get Sampled Data: samples of the profile data log or of the sampling session,
    from the first at or after the earliest sample time.

    A request that starts before the oldest sample of a log that has discarded older ones
    requests discarded samples, and gets NOT_FOUND.
    """
    if request["sample_id"] == PROFILE_SAMPLE_ID:
        session = _profile_log(run)
        discarded = session.start > run.started_at - run.meter.settings.past.days * DAY
    elif run.state.sampling is not None and request["sample_id"] == run.state.sampling.sample_id:
        session, discarded = run.state.sampling, False
    else:
        return not_found(run, request)
    earliest = unix_time(request["earliest_sample_time"])
    if request["sample_type"] != session.sample_type or (discarded and earliest < session.start):
        return not_found(run, request)
    times = session.sample_times(earliest, request["number_of_samples"], run.utc)
    if not times:
        return not_found(run, request)
    samples = sample_volumes(run.meter.settings.usage, times, session.interval)
    return [metering.GET_SAMPLED_DATA_RESPONSE.reply(
        request, sample_id=session.sample_id, sample_start_time=zigbee_time(times[0]),
        sample_type=session.sample_type, sample_request_interval=session.interval,
        number_of_samples=len(samples), samples=samples)]


def start_sampling(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Metering Start Sampling: begin the meter's sampling session (it replaces any other)."""
    if request["sample_type"] != CONSUMPTION_DELIVERED or request["sample_request_interval"] == 0:
        return [run.default_response(request, Status.INVALID_FIELD)]
    start = max(run.utc, unix_time(request["start_sampling_time"])) if request["start_sampling_time"] else run.utc
    run.update(sampling=SamplingSession(SESSION_SAMPLE_ID, start, CONSUMPTION_DELIVERED,
                                        request["sample_request_interval"], request["max_number_of_samples"]))
    return [metering.START_SAMPLING_RESPONSE.reply(request, sample_id=SESSION_SAMPLE_ID)]


# Profile Interval Period of Get Profile Response (Smart Energy 1.4): 2 is 30 minutes.
_THIRTY_MINUTES = 2
# Get Profile Response statuses (Smart Energy 1.4).
_PROFILE_SUCCESS, _UNDEFINED_CHANNEL, _NO_INTERVALS = 0x00, 0x01, 0x05


def get_profile(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Metering Get Profile: the delivered half-hour intervals that end at or before the end
    time (0: now), most recent first."""
    log = _profile_log(run)
    end = run.utc if request["end_time"] == 0 else min(run.utc, unix_time(request["end_time"]))
    end -= (end - log.start) % HALF_HOUR
    count = min(request["number_of_periods"], max(0, (end - log.start) // HALF_HOUR))
    if request["interval_channel"] != CONSUMPTION_DELIVERED:
        status, count = _UNDEFINED_CHANNEL, 0
    else:
        status = _PROFILE_SUCCESS if count else _NO_INTERVALS
    times = [end - HALF_HOUR * (index + 1) for index in range(count)]
    return [metering.GET_PROFILE_RESPONSE.reply(
        request, end_time=zigbee_time(end), status=status, profile_interval_period=_THIRTY_MINUTES,
        number_of_periods_delivered=count, intervals=sample_volumes(run.meter.settings.usage, times, HALF_HOUR))]


# --- prepayment logs -------------------------------------------------------------------------

def _window(request: ZclFrame, from_date_time: int | None) -> tuple[int, int]:
    earliest = 0 if from_date_time is None else unix_time(from_date_time)
    return earliest, unix_time(request["latest_end_time"])


def get_top_up_log(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Prepayment Get Top Up Log: the latest top-ups in the window, most recent first."""
    earliest, latest = _window(request, from_date_time)
    found = [top_up for top_up in reversed(run.records().top_ups) if earliest <= top_up.at <= latest]
    found = found[:request["number_of_records"]]
    if not found:
        return not_found(run, request)
    return [prepayment.PUBLISH_TOP_UP_LOG.reply(
        request, command_index=0, total_number_of_commands=1,
        top_ups=[{"top_up_code": top_up.code, "top_up_amount": top_up.amount, "top_up_time": zigbee_time(top_up.at)}
                 for top_up in found])]


def get_debt_repayment_log(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Prepayment Get Debt Repayment Log: the latest collections of a debt (or of all debts)
    in the window, most recent first."""
    earliest, latest = _window(request, from_date_time)
    debt_type = request["debt_type"]
    found = [collection for collection in reversed(run.records().debt_collections)
             if earliest <= collection.at <= latest and debt_type in (ALL_DEBTS, collection.debt_type)]
    found = found[:request["number_of_debts"]]
    if not found:
        return not_found(run, request)
    return [prepayment.PUBLISH_DEBT_LOG.reply(
        request, command_index=0, total_number_of_commands=1,
        debts=[{"collection_time": zigbee_time(collection.at), "amount_collected": collection.amount,
                "debt_type": collection.debt_type, "outstanding_debt": collection.outstanding}
               for collection in found])]


def change_payment_mode(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Prepayment Change Payment Mode: a change due now takes effect with a snapshot (cause
    Change of Meter Mode).

    NOTE: a future-dated change is acknowledged but not scheduled.
    """
    table = dict(run.state.attributes[prepayment.PREPAYMENT_ID])
    due = request["implementation_date_time"]
    if due == 0 or unix_time(due) <= run.utc:
        kind = table[_PAYMENT_CONTROL_CONFIGURATION][0]
        table[_PAYMENT_CONTROL_CONFIGURATION] = (kind, request["proposed_payment_control_configuration"])
        table[_CUT_OFF_VALUE] = (table[_CUT_OFF_VALUE][0], request["cut_off_value"])
        run.update(attributes={**run.state.attributes, prepayment.PREPAYMENT_ID: table},
                   records=take_snapshot(run.records(), run.plan(), run.utc, SnapshotCause.CHANGE_OF_METER_MODE))
    return [prepayment.CHANGE_PAYMENT_MODE_RESPONSE.reply(
        request, friendly_credit=0, friendly_credit_calendar_id=_friendly_calendar_id(run),
        emergency_credit_limit=table[_EMERGENCY_CREDIT_LIMIT][1],
        emergency_credit_threshold=table[_EMERGENCY_CREDIT_THRESHOLD][1])]


_PAYMENT_CONTROL_CONFIGURATION, _CUT_OFF_VALUE = 0x0000, 0x0040
_EMERGENCY_CREDIT_LIMIT, _EMERGENCY_CREDIT_THRESHOLD = 0x0010, 0x0011


def _friendly_calendar_id(run: GsmeRun) -> int:
    return 0 if run.state.tariff is None else run.state.tariff.friendly_credit.issuer_calendar_id


def consumer_top_up(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Prepayment Consumer Top Up: report the credit.

    NOTE: top-up codes (UTRNs) are not validated or credited; the result is "accepted" with a
    value of zero.
    """
    credit = run.records().ledger.balance.credit
    return [prepayment.CONSUMER_TOP_UP_RESPONSE.reply(
        request, result_type=0, top_up_value=0, source_of_top_up=request["originating_device"],
        credit_remaining=credit)]


# Credit Adjustment Type of Credit Adjustment, and whether it sets the balance (True) or adds
# to it. Smart Energy 1.4 defines 0 (incremental) and 1 (absolute). GBCS adds the credit-mode
# forms seen in the DCC RTDS 4.5.0: GCS40c adjusts with type 3 and GCS40d resets with type 2.
_ABSOLUTE_BY_TYPE = {0x00: False, 0x01: True, 0x02: True, 0x03: False}


def credit_adjustment(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Prepayment Credit Adjustment: add to the meter balance, or set it.

    NOTE: the model keeps one meter balance for both payment modes, and a future-dated
    adjustment (start time later than now) is applied at once.
    """
    absolute = _ABSOLUTE_BY_TYPE.get(request["credit_adjustment_type"])
    if absolute is None:
        return [run.default_response(request, Status.INVALID_FIELD)]
    records = adjust_credit(run.records(), run.plan(), run.utc, request["credit_adjustment_value"],
                            absolute=absolute)
    run.update(records=records)
    return [run.default_response(request, Status.SUCCESS)]


# --- supply ----------------------------------------------------------------------------------

_SUPPLY_STATUS = 0x0014  # Metering attribute


def change_supply(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Metering Change Supply: the valve moves to the proposed status at once."""
    table = dict(run.state.attributes[metering.METERING_ID])
    table[_SUPPLY_STATUS] = (table[_SUPPLY_STATUS][0], request["proposed_supply_status"])
    run.update(attributes={**run.state.attributes, metering.METERING_ID: table})
    return [metering.SUPPLY_STATUS_RESPONSE.reply(
        request, provider_id=request["provider_id"], issuer_event_id=request["issuer_event_id"],
        implementation_date_time=request["implementation_date_time"],
        supply_status=request["proposed_supply_status"])]


# --- events ----------------------------------------------------------------------------------

def get_event_log(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Events Get Event Log: the entries of a log (or of both) in the time window, with an
    event ID (0: any), skipping ``event_offset`` and returning at most ``number_of_events``
    (0: all)."""
    log_id = request["event_control_log_id"] & 0x0F
    if log_id not in (EventLogId.ALL, EventLogId.GENERAL, EventLogId.SECURITY):
        return not_found(run, request)
    logs = run.logs()
    chosen = (EventLogId.GENERAL, EventLogId.SECURITY) if log_id == EventLogId.ALL else (EventLogId(log_id),)
    start, end = unix_time(request["start_time"]), unix_time(request["end_time"])
    found = [(kind, entry) for kind in chosen
             for entry in logs.entries(kind, run.utc, run.state.event_configuration)
             if start <= entry.at <= end and request["event_id"] in (0, entry.code)]
    found.sort(key=lambda item: item[1].at)
    chosen_entries = found[request["event_offset"]:]
    if request["number_of_events"]:
        chosen_entries = chosen_entries[:request["number_of_events"]]
    if not chosen_entries:
        return not_found(run, request)
    return [device_management.PUBLISH_EVENT_LOG.reply(
        request, total_number_of_matching_events=len(found), command_index=0, total_commands=1,
        log_payload_control=0,
        events=[{"log_id": int(kind), "event_id": entry.code, "event_time": zigbee_time(entry.at),
                 "event_data": entry.data} for kind, entry in chosen_entries])]


# Cleared Events Logs bits of Clear Event Log Response (Smart Energy 1.4), by log ID.
_CLEARED_BITS = {EventLogId.ALL: 0x01, EventLogId.GENERAL: 0x08, EventLogId.SECURITY: 0x10}


def clear_event_log(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Events Clear Event Log Request: empty the log and record that in the security log."""
    log_id = request["log_id"]
    if log_id in _CLEARED_BITS:
        cleared = run.logs().cleared(EventLogId(log_id), run.utc)
        entry = LogEntry(run.utc, EventCode.EVENT_LOG_CLEARED)
        run.update(logs=cleared.record(EventLogId.SECURITY, entry))
    return [device_management.CLEAR_EVENT_LOG_RESPONSE.reply(request, cleared_events_logs=request["log_id"])]


def get_event_configuration(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Device Management Get Event Configuration: report the configuration of an event or of
    its whole group."""
    configuration = run.state.event_configuration
    events = events_of_group(configuration, request["event_id"])
    if not events:
        return not_found(run, request)
    return [device_management.REPORT_EVENT_CONFIGURATION.reply(
        request, command_index=0, total_commands=1,
        event_configurations=[{"event_id": event, "event_configuration": configuration[event]} for event in events])]


# Configuration Control of Set Event Configuration (Smart Energy 1.4).
_BY_LIST, _BY_GROUP, _BY_LOG, _BY_MATCH = 0, 1, 2, 3


def set_event_configuration(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Device Management Set Event Configuration: apply a configuration to the events chosen
    by list, by group, by log or by their current configuration."""
    configuration = dict(run.state.event_configuration)
    selection, control = request["selection"], request["configuration_control"]
    if control == _BY_LIST:
        chosen = [event for event in selection["event_ids"] if event in configuration]
    elif control == _BY_GROUP:
        chosen = [event for event in configuration if event >> 8 == selection["event_group_id"] >> 8]
    elif control == _BY_LOG:
        chosen = [event for event, value in configuration.items() if value & LOG_BITS == selection["log_id"]]
    elif control == _BY_MATCH:
        chosen = [event for event, value in configuration.items() if value == selection["configuration_value_match"]]
    else:
        return [run.default_response(request, Status.INVALID_FIELD)]
    if not chosen:
        return not_found(run, request)
    configuration.update(dict.fromkeys(chosen, request["event_configuration"]))
    run.update(event_configuration=configuration)
    return [run.default_response(request, Status.SUCCESS)]


# --- tariff: calendars, price and billing period ----------------------------------------------

def _calendar(run: GsmeRun, request: ZclFrame, calendar_type: int | None = None) -> Calendar | None:
    tariff = run.state.tariff
    if tariff is None:
        return None
    chosen = tariff.calendar(request["issuer_calendar_id"], calendar_type)
    if chosen is None or request["provider_id"] not in (*ANY_PROVIDER, chosen.provider_id):
        return None
    return chosen


def get_calendar(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Calendar Get Calendar: publish the meter's calendars of the type (0xFF: all)."""
    tariff = run.state.tariff
    calendars = [] if tariff is None else [tariff.tou, tariff.friendly_credit]
    chosen = [item for item in calendars
              if request["calendar_type"] in (0xFF, item.calendar_type)
              and request["provider_id"] in (*ANY_PROVIDER, item.provider_id)
              and (request["min_issuer_event_id"] == NO_MINIMUM
                   or item.issuer_event_id >= request["min_issuer_event_id"])]
    if request["number_of_calendars"]:
        chosen = chosen[:request["number_of_calendars"]]
    if not chosen:
        return not_found(run, request)
    return [calendar.PUBLISH_CALENDAR.reply(
        request, provider_id=item.provider_id, issuer_event_id=item.issuer_event_id,
        issuer_calendar_id=item.issuer_calendar_id, start_time=0, calendar_type=int(item.calendar_type),
        calendar_time_reference=UTC_TIME_REFERENCE, calendar_name=item.name, number_of_seasons=len(item.seasons),
        number_of_week_profiles=len(item.weeks), number_of_day_profiles=len(item.days)) for item in chosen]


def _from_id(profiles: Sequence[Profile], profile_id: Callable[[Profile], int], start: int,
             count: int) -> list[Profile]:
    """Return the profiles from ID ``start`` on, at most ``count`` of them (0: all)."""
    chosen = [profile for profile in profiles if profile_id(profile) >= start]
    return chosen[:count] if count else chosen


def get_day_profiles(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Calendar Get Day Profiles: one Publish Day Profile per day from the start day ID."""
    chosen = _calendar(run, request)
    if chosen is None:
        return not_found(run, request)
    days = _from_id(chosen.days, lambda day: day.day_id, request["start_day_id"], request["number_of_days"])
    replies = [calendar.PUBLISH_DAY_PROFILE.reply(request, **chosen.day_profile_fields(day)) for day in days]
    return replies or not_found(run, request)


def get_week_profiles(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Calendar Get Week Profiles: one Publish Week Profile per week from the start week ID."""
    chosen = _calendar(run, request)
    if chosen is None:
        return not_found(run, request)
    weeks = _from_id(chosen.weeks, lambda week: week.week_id, request["start_week_id"], request["number_of_weeks"])
    replies = [calendar.PUBLISH_WEEK_PROFILE.reply(request, **chosen.week_profile_fields(week)) for week in weeks]
    return replies or not_found(run, request)


def get_seasons(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Calendar Get Seasons: every season of the calendar in one Publish Seasons."""
    chosen = _calendar(run, request)
    if chosen is None:
        return not_found(run, request)
    return [calendar.PUBLISH_SEASONS.reply(request, **chosen.seasons_fields())]


def get_special_days(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Calendar Get Special Days: every special day of the calendar in one command."""
    chosen = _calendar(run, request, request["calendar_type"])
    if chosen is None or not chosen.special_days:
        return not_found(run, request)
    return [calendar.PUBLISH_SPECIAL_DAYS.reply(request, **chosen.special_days_fields(request["start_time"]))]


_PRICE_UNIT_OF_MEASURE, _PRICE_CURRENCY, _PRICE_TRAILING_DIGIT = 0x0615, 0x0616, 0x0617


def get_current_price(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Price Get Current Price: the price of the tier in force, from the start of its period
    for as long as it lasts today."""
    tariff = run.state.tariff
    if tariff is None:
        return not_found(run, request)
    now = run.utc
    midnight = now - now % DAY
    profile = tariff.tou.day_profile(_date_of(midnight))
    minute = (now - midnight) // 60
    starts = [start for start, _ in profile.entries]
    began = max(start for start in starts if start <= minute)
    ends = min([start for start in starts if start > minute], default=24 * 60)
    tier = min(max(profile.value_at(minute), 1), TIERS)
    attributes = run.state.attributes[price.PRICE_ID]
    tier_price = run.plan().prices.tier_prices[tier - 1]
    return [price.PUBLISH_PRICE.reply(
        request, provider_id=tariff.tou.provider_id, rate_label=b"", issuer_event_id=tariff.tou.issuer_event_id,
        current_time=zigbee_time(now), unit_of_measure=attributes[_PRICE_UNIT_OF_MEASURE][1],
        currency=attributes[_PRICE_CURRENCY][1],
        price_trailing_digit_and_price_tier=attributes[_PRICE_TRAILING_DIGIT][1] & 0xF0 | tier,
        number_of_price_tiers_and_register_tier=TIERS << 4 | tier,
        start_time=zigbee_time(midnight + began * 60), duration_in_minutes=ends - began, price=tier_price)]


def _date_of(utc: int) -> datetime.date:
    return datetime.datetime.fromtimestamp(utc, datetime.UTC).date()


def get_billing_period(run: GsmeRun, request: ZclFrame, from_date_time: int | None) -> list[ZclFrame]:
    """Price Get Billing Period: the current billing period of the tariff."""
    tariff = run.state.tariff
    if tariff is None or request["tariff_type"] not in (None, DELIVERED_TARIFF):
        return not_found(run, request)
    return [price.PUBLISH_BILLING_PERIOD.reply(
        request, provider_id=tariff.tou.provider_id, issuer_event_id=tariff.tou.issuer_event_id,
        billing_period_start_time=zigbee_time(tariff.billing_period_start(run.utc)), billing_period_duration=1,
        billing_period_duration_type=MONTHS_FROM_START, tariff_type=DELIVERED_TARIFF)]


RESPONDERS: Mapping[tuple[int, Direction, int], Responder] = {
    (metering.METERING_ID, Direction.CLIENT_TO_SERVER, metering.GET_PROFILE.id): get_profile,
    (metering.METERING_ID, Direction.CLIENT_TO_SERVER, metering.GET_SNAPSHOT.id): get_snapshot,
    (metering.METERING_ID, Direction.CLIENT_TO_SERVER, metering.START_SAMPLING.id): start_sampling,
    (metering.METERING_ID, Direction.CLIENT_TO_SERVER, metering.GET_SAMPLED_DATA.id): get_sampled_data,
    (metering.METERING_ID, Direction.CLIENT_TO_SERVER, metering.CHANGE_SUPPLY.id): change_supply,
    (prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, prepayment.CONSUMER_TOP_UP.id): consumer_top_up,
    (prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, prepayment.CREDIT_ADJUSTMENT.id): credit_adjustment,
    (prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, prepayment.CHANGE_PAYMENT_MODE.id): change_payment_mode,
    (prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, prepayment.GET_PREPAY_SNAPSHOT.id): get_prepay_snapshot,
    (prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, prepayment.GET_TOP_UP_LOG.id): get_top_up_log,
    (prepayment.PREPAYMENT_ID, Direction.CLIENT_TO_SERVER, prepayment.GET_DEBT_REPAYMENT_LOG.id):
        get_debt_repayment_log,
    (device_management.EVENTS_ID, Direction.CLIENT_TO_SERVER, device_management.GET_EVENT_LOG.id): get_event_log,
    (device_management.EVENTS_ID, Direction.CLIENT_TO_SERVER, device_management.CLEAR_EVENT_LOG_REQUEST.id):
        clear_event_log,
    (device_management.DEVICE_MANAGEMENT_ID, Direction.SERVER_TO_CLIENT,
     device_management.GET_EVENT_CONFIGURATION.id): get_event_configuration,
    (device_management.DEVICE_MANAGEMENT_ID, Direction.SERVER_TO_CLIENT,
     device_management.SET_EVENT_CONFIGURATION.id): set_event_configuration,
    (calendar.CALENDAR_ID, Direction.CLIENT_TO_SERVER, calendar.GET_CALENDAR.id): get_calendar,
    (calendar.CALENDAR_ID, Direction.CLIENT_TO_SERVER, calendar.GET_DAY_PROFILES.id): get_day_profiles,
    (calendar.CALENDAR_ID, Direction.CLIENT_TO_SERVER, calendar.GET_WEEK_PROFILES.id): get_week_profiles,
    (calendar.CALENDAR_ID, Direction.CLIENT_TO_SERVER, calendar.GET_SEASONS.id): get_seasons,
    (calendar.CALENDAR_ID, Direction.CLIENT_TO_SERVER, calendar.GET_SPECIAL_DAYS.id): get_special_days,
    (price.PRICE_ID, Direction.CLIENT_TO_SERVER, price.GET_CURRENT_PRICE.id): get_current_price,
    (price.PRICE_ID, Direction.CLIENT_TO_SERVER, price.GET_BILLING_PERIOD.id): get_billing_period,
}
