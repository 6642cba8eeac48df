"""The gas meter's data model without a hub: calendars, consumption, accounts, logs."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.codecs.zigbee.zcl.clusters.metering import SnapshotCause
from commshub.devices.gsme_attributes import GSME_ATTRIBUTES
from commshub.devices.gsme_events import (
    EVENT_CONFIGURATION,
    EventLogId,
    GsmeLogs,
    LogEntry,
    events_of_group,
)
from commshub.devices.gsme_ledger import (
    DAILY_LOG_CAPACITY,
    TOP_UP_LOG_CAPACITY,
    AccountPlan,
    Balance,
    DebtTerms,
    GasUsage,
    Ledger,
    MeterRecords,
    Registers,
    SamplingSession,
    SyntheticPast,
    adjust_credit,
    integrate,
    prices_from,
    synthetic_history,
)
from commshub.devices.gsme_tariff import (
    CURRENT_FRIENDLY_CREDIT_CALENDAR,
    CURRENT_TARIFF_CALENDAR,
    Calendar,
    CalendarDate,
    CalendarType,
    DayProfile,
    Season,
    WeekProfile,
    default_tariff,
)

DAY = 86_400
START = 1_420_070_400  # 2015-01-01 00:00:00 UTC, a Thursday and a bank holiday
PRICES = prices_from(GSME_ATTRIBUTES[0x0700])


def utc(*fields: int) -> int:
    return int(datetime.datetime(*fields, tzinfo=datetime.UTC).timestamp())


def plan(*, tariff: bool = True, low_credit: int | None = None) -> AccountPlan:
    return AccountPlan(GasUsage(), PRICES, DebtTerms(), default_tariff() if tariff else None, 9 * 3600,
                       low_credit=low_credit)


def fresh_records(at: int, *, credit: int = 2_000_000, debts: tuple[int, int, int] = (0, 0, 0)) -> MeterRecords:
    return MeterRecords(Ledger(at, Registers(0, (0,) * 4, (0,) * 4), Balance(credit, 500_000, 0, debts)))


# --- calendars ---------------------------------------------------------------------------------

def test_tariff_tier_follows_season_weekday_and_time():
    tou = default_tariff().tou
    assert tou.value_at(utc(2015, 1, 6, 3, 0)) == 1  # winter Tuesday night
    assert tou.value_at(utc(2015, 1, 6, 17, 0)) == 4  # winter weekday evening peak
    assert tou.value_at(utc(2015, 1, 10, 17, 0)) == 2  # winter Saturday
    assert tou.value_at(utc(2015, 6, 9, 18, 0)) == 3  # summer weekday evening


def test_special_day_uses_weekend_profile():
    tou = default_tariff().tou
    assert tou.day_profile(datetime.date(2014, 12, 25)).day_id == 2  # a Thursday
    assert tou.value_at(utc(2014, 12, 25, 17, 0)) == 2
    assert tou.value_at(utc(2014, 12, 18, 17, 0)) == 4


def test_friendly_credit_at_night_and_weekends():
    friendly = default_tariff().friendly_credit
    assert friendly.value_at(utc(2015, 1, 6, 12, 0)) == 0
    assert friendly.value_at(utc(2015, 1, 6, 22, 0)) == 1
    assert friendly.value_at(utc(2015, 1, 10, 12, 0)) == 1


def test_calendar_chosen_by_current_ids():
    tariff = default_tariff()
    assert tariff.calendar(CURRENT_TARIFF_CALENDAR) is tariff.tou
    assert tariff.calendar(CURRENT_FRIENDLY_CREDIT_CALENDAR, CalendarType.FRIENDLY_CREDIT) is tariff.friendly_credit
    assert tariff.calendar(tariff.tou.issuer_calendar_id) is tariff.tou
    assert tariff.calendar(CURRENT_TARIFF_CALENDAR, CalendarType.FRIENDLY_CREDIT) is None
    assert tariff.calendar(12345) is None


def test_billing_period_starts_on_billing_day():
    tariff = default_tariff()
    assert tariff.billing_period_start(utc(2015, 1, 17, 13, 0)) == utc(2015, 1, 1)
    assert tariff.billing_period_start(utc(2015, 1, 1)) == utc(2015, 1, 1)


def test_calendar_rejects_dangling_references():
    day = DayProfile(1, ((0, 1),))
    with pytest.raises(ValueError, match="refer to a profile"):
        Calendar(CalendarType.DELIVERED, 0, 1, 1, b"", (day,), (WeekProfile(1, (1, 1, 1, 1, 1, 2, 2)),),
                 (Season(CalendarDate(1, 1), 1),))
    with pytest.raises(ValueError, match="start at minute 0"):
        DayProfile(2, ((60, 1),))


def test_calendar_date_zcl_form():
    assert CalendarDate(12, 25).to_zcl() == {"years_since_1900": 0xFF, "month": 12, "day": 25, "day_of_week": 0xFF}
    assert CalendarDate(4, 5, 2015).to_zcl()["years_since_1900"] == 115


# --- consumption ---------------------------------------------------------------------------------

def test_usage_is_seeded_and_sums_exactly():
    usage = GasUsage(seed=7)
    day = START // DAY
    assert usage.interval_volumes(day) == GasUsage(seed=7).interval_volumes(day)
    assert usage.interval_volumes(day) != GasUsage(seed=8).interval_volumes(day)
    assert len(usage.interval_volumes(day)) == 48
    assert usage.day_volume(day) == sum(usage.interval_volumes(day))
    assert usage.volume_between(START, START + DAY) == usage.day_volume(day)


def test_winter_uses_more_gas_than_summer():
    usage = GasUsage()
    winter = sum(usage.day_volume(START // DAY + offset) for offset in range(28))
    summer = sum(usage.day_volume(START // DAY + 180 + offset) for offset in range(28))
    assert winter > 2 * summer


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3 * DAY), st.integers(0, 3 * DAY), st.integers(0, 3 * DAY))
def test_volume_between_is_additive(first, second, third):
    low, middle, high = sorted((START + first, START + second, START + third))
    usage = GasUsage()
    assert usage.volume_between(low, middle) + usage.volume_between(middle, high) == usage.volume_between(low, high)


def test_session_sample_times_stop_at_now_and_maximum():
    session = SamplingSession(2, START, 0, 360, 41)
    assert len(session.sample_times(0, 100, START + DAY)) == 41
    assert session.sample_times(0, 100, START + 3600) == [START + 360 * index for index in range(10)]
    assert session.sample_times(START + 400, 2, START + DAY) == [START + 720, START + 1080]


# --- accounts ------------------------------------------------------------------------------------

def test_registers_partition_the_total():
    records = integrate(fresh_records(START), START + 40 * DAY, plan())
    registers = records.ledger.registers
    assert registers.summation == GasUsage().volume_between(START, START + 40 * DAY)
    assert sum(registers.tiers) == registers.summation
    assert sum(registers.blocks) == registers.summation
    assert all(tier > 0 for tier in registers.tiers)


def test_blocks_fill_in_order_within_a_billing_period():
    records = integrate(fresh_records(START), utc(2015, 1, 31), plan())
    registers = records.ledger.registers
    first_threshold = PRICES.block_thresholds[0]
    assert registers.period_volume == registers.summation
    assert registers.blocks[0] == min(registers.summation, first_threshold)
    assert registers.blocks[1] == max(0, min(registers.summation, PRICES.block_thresholds[1]) - first_threshold)


def test_credit_pays_gas_standing_charge_and_debts():
    records = fresh_records(START, credit=5_000_000, debts=(1_000_000, 0, 0))
    after = integrate(records, START + 10 * DAY, plan())
    balance, registers = after.ledger.balance, after.ledger.registers
    collected = sum(item.amount for item in after.debt_collections)
    standing = 10 * PRICES.standing_charge
    assert collected == 10 * DebtTerms().daily_recovery[0]
    assert balance.debts[0] == 1_000_000 - collected
    assert balance.credit == 5_000_000 - registers.bill_to_date - standing - collected


def test_standing_charge_goes_to_accumulated_debt_without_credit():
    after = integrate(fresh_records(START, credit=0), START + 3 * DAY, plan())
    assert after.ledger.balance.accumulated_debt == 3 * PRICES.standing_charge


def test_daily_and_billing_snapshots():
    after = integrate(fresh_records(utc(2014, 12, 30)), utc(2015, 1, 2, 12, 0), plan())
    daily = [snapshot.at for snapshot in after.daily]
    assert daily == [utc(2014, 12, 30, 9), utc(2014, 12, 31, 9), utc(2015, 1, 1, 9), utc(2015, 1, 2, 9)]
    assert [(snapshot.at, snapshot.cause) for snapshot in after.billing] == [
        (utc(2015, 1, 1), SnapshotCause.END_OF_BILLING_PERIOD)]
    assert after.billing[0].registers.bill_to_date > 0
    assert after.ledger.registers.bill_to_date < after.billing[0].registers.bill_to_date
    ids = [snapshot.snapshot_id for snapshot in after.snapshots()]
    assert ids == sorted(set(ids))


def test_snapshot_registers_are_those_of_their_time():
    after = integrate(fresh_records(START), START + 5 * DAY, plan())
    for snapshot in after.daily:
        assert snapshot.registers.summation == GasUsage().volume_between(START, snapshot.at)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 6 * DAY), st.integers(1, 6 * DAY))
def test_integration_in_steps_equals_one_run(first, second):
    middle, end = START + min(first, second), START + max(first, second)
    stepwise = integrate(integrate(fresh_records(START), middle, plan()), end, plan())
    assert stepwise == integrate(fresh_records(START), end, plan())


def test_credit_adjustment_incremental_and_absolute():
    records = fresh_records(START, credit=1_000)
    added = adjust_credit(records, plan(), START, 500, absolute=False)
    assert added.ledger.balance.credit == 1_500
    assert adjust_credit(added, plan(), START, 42, absolute=True).ledger.balance.credit == 42


def test_synthetic_history_has_top_ups_and_events():
    past = SyntheticPast()
    history = synthetic_history(past, plan(low_credit=500_000), START)
    assert history.ledger.at == START
    assert len(history.daily) == min(past.days, DAILY_LOG_CAPACITY)
    assert 0 < len(history.top_ups) <= TOP_UP_LOG_CAPACITY
    assert all(8 <= (top_up.at % DAY) // 3600 < 20 for top_up in history.top_ups)
    causes = {snapshot.cause for snapshot in history.billing}
    assert {SnapshotCause.CHANGE_OF_TARIFF_INFORMATION, SnapshotCause.CHANGE_OF_METER_MODE} <= causes
    assert history.ledger.balance.credit > -500_000


def test_top_up_recovers_debt_share():
    history = synthetic_history(SyntheticPast(), plan(low_credit=500_000), START)
    share = DebtTerms().top_up_percentage
    payment = {item.at: item for item in history.debt_collections if item.debt_type == 2}
    for top_up in history.top_ups:
        assert payment[top_up.at].amount == top_up.amount * share // 10_000
    outstanding = [item.outstanding for item in history.debt_collections if item.debt_type == 2]
    assert outstanding == sorted(outstanding, reverse=True)


# --- logs and event configuration ----------------------------------------------------------------

def test_background_events_are_seeded_and_bounded():
    logs = GsmeLogs(seed=3, begin=START - 30 * DAY)
    general = logs.entries(EventLogId.GENERAL, START, EVENT_CONFIGURATION)
    assert general == GsmeLogs(seed=3, begin=START - 30 * DAY).entries(EventLogId.GENERAL, START, EVENT_CONFIGURATION)
    assert 0 < len(general) <= 100
    assert all(START - 30 * DAY <= entry.at <= START for entry in general)
    assert [entry.at for entry in general] == sorted(entry.at for entry in general)
    configured = {code for code, value in EVENT_CONFIGURATION.items() if value & 0x07 == EventLogId.GENERAL}
    assert {entry.code for entry in general} <= configured


def test_cleared_log_keeps_only_later_entries():
    logs = GsmeLogs(seed=3, begin=START - 30 * DAY).record(EventLogId.SECURITY, LogEntry(START - 10, 0x8F49))
    cleared = logs.cleared(EventLogId.SECURITY, START)
    assert cleared.entries(EventLogId.SECURITY, START, EVENT_CONFIGURATION) == []
    later = cleared.entries(EventLogId.SECURITY, START + 3 * DAY, EVENT_CONFIGURATION)
    assert later and all(entry.at > START for entry in later)
    assert cleared.entries(EventLogId.GENERAL, START, EVENT_CONFIGURATION)


def test_event_group_selection():
    assert events_of_group(EVENT_CONFIGURATION, 0x81FF) == sorted(code for code in EVENT_CONFIGURATION
                                                                  if code >> 8 == 0x81)
    assert events_of_group(EVENT_CONFIGURATION, 0x8145) == [0x8145]
    assert events_of_group(EVENT_CONFIGURATION, 0x9999) == []
