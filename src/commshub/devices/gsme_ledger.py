"""What a virtual gas meter (GSME) measures and accounts for: a seeded consumption model, the
registers and prepayment balances it keeps, and the snapshots, top-ups and debt collections it
records.

Consumption is a deterministic function of time (:class:`GasUsage`): a daily volume that follows
the season and a daily shape of half-hour volumes, varied by a seeded hash. The meter integrates
it every half hour into its :class:`Ledger`. The total, time-of-use tier and block registers
grow; the cost of the gas, the standing charge and the recovery of debts come off the
prepayment credit. While integrating it takes the snapshots a GBCS gas meter keeps: a daily
one, one at the end of every billing period, and those that events cause (a tariff change, a
change of payment mode).

A meter comes with synthetic history before it first starts (:func:`synthetic_history`): the
same integration over its past, with a consumer who tops up when the credit runs low. After the
start only commands change the accounts.

Quantities: volumes in register units of 0.001 m³ (Metering divisor 1000), money in the currency
units of the Price cluster (0.00001 GBP with trailing digit 5), times in UTC seconds since 1970.

NOTE: prices apply per m³. GB gas is billed per kWh, converted with the calorific value and a
volume correction factor, which this model leaves out.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from commshub.codecs.zigbee.zcl.clusters.metering import METERING_ID, SnapshotCause
from commshub.codecs.zigbee.zcl.clusters.prepayment import PREPAYMENT_ID
from commshub.devices.gsme_tariff import GasTariff

__all__ = [
    "BILLING_LOG_CAPACITY",
    "DAILY_LOG_CAPACITY",
    "DAY",
    "DEBT_LOG_CAPACITY",
    "HALF_HOUR",
    "LIVE_ATTRIBUTES",
    "PROFILE_SAMPLE_ID",
    "SESSION_SAMPLE_ID",
    "TIERS",
    "TOP_UP_LOG_CAPACITY",
    "AccountPlan",
    "Balance",
    "DebtCollection",
    "DebtTerms",
    "GasUsage",
    "Ledger",
    "MeterRecords",
    "Prices",
    "Registers",
    "SamplingSession",
    "Snapshot",
    "SyntheticPast",
    "TopUp",
    "adjust_credit",
    "integrate",
    "live_attributes",
    "prices_from",
    "sample_volumes",
    "synthetic_history",
    "take_snapshot",
]

HALF_HOUR = 1800  # seconds: the meter's integration and profile period
DAY = 86_400  # seconds
VOLUME_DIVISOR = 1000  # register units per m³ (Metering attribute Divisor, 0x0302)
PERCENT_DIVISOR = 10_000  # debt recovery percentages are in hundredths of a percent
TIERS = 4  # time-of-use tiers of a GBCS gas meter's registers
# NOTE: the log depths below are the emulator's choices; GBCS's figures are not in the public
# material, except the five top-ups that the Prepayment cluster's top-up attribute set holds.
DAILY_LOG_CAPACITY = 731  # daily snapshots: two years
BILLING_LOG_CAPACITY = 12  # snapshots at billing period ends and on tariff or mode changes
TOP_UP_LOG_CAPACITY = 5
DEBT_LOG_CAPACITY = 100
# A day's relative gas use per half hour, from midnight: night low, peaks for heating in the
# morning and evening.
_DAILY_SHAPE = (2,) * 12 + (10,) * 6 + (4,) * 14 + (9,) * 12 + (3,) * 4
# Day of the year on which the seasonal factor peaks (mid January).
_COLDEST_DAY = 15
_SEASONAL_SWING = 0.6  # relative: winter days use 1 + 0.6, summer days 1 - 0.6 times the mean


@dataclass(frozen=True)
class GasUsage:
    """A household's gas use, the same for any run with the same ``seed``."""

    seed: int = 1
    mean_daily_volume: int = 3_000  # register units: 3 m³ a day, about 1,100 m³ a year

    def day_volume(self, day: int) -> int:
        """Return the volume used on ``day`` (days since 1970)."""
        return sum(_interval_volumes(self, day))

    def interval_volumes(self, day: int) -> tuple[int, ...]:
        """Return the 48 half-hour volumes of ``day``, from midnight."""
        return _interval_volumes(self, day)

    def volume_between(self, start: int, end: int) -> int:
        """Return the volume used in [start, end); within a half hour the use is even."""
        total = 0
        day = start // DAY
        while day * DAY < end:
            low = max(start, day * DAY) - day * DAY
            high = min(end, (day + 1) * DAY) - day * DAY
            total += _used_by(self, day, high) - _used_by(self, day, low)
            day += 1
        return total


def _digest(*parts: int) -> bytes:
    text = ":".join(str(part) for part in parts).encode()
    return hashlib.blake2b(text, digest_size=64).digest()


@functools.lru_cache(maxsize=4096)
def _interval_volumes(usage: GasUsage, day: int) -> tuple[int, ...]:
    digest = _digest(usage.seed, day)
    day_of_year = datetime.date.fromordinal(datetime.date(1970, 1, 1).toordinal() + day).timetuple().tm_yday
    seasonal = 1 + _SEASONAL_SWING * math.cos(2 * math.pi * (day_of_year - _COLDEST_DAY) / 365.25)
    spread = 0.75 + 0.5 * int.from_bytes(digest[:2], "big") / 0xFFFF
    volume = round(usage.mean_daily_volume * seasonal * spread)
    weights = [shape * (128 + noise) for shape, noise in zip(_DAILY_SHAPE, digest[2:50])]
    # Rounding the running total keeps the half hours summing to the day's volume exactly.
    total_weight, running, previous, volumes = sum(weights), 0, 0, []
    for weight in weights:
        running += weight
        cumulative = volume * running // total_weight
        volumes.append(cumulative - previous)
        previous = cumulative
    return tuple(volumes)


def _used_by(usage: GasUsage, day: int, second: int) -> int:
    """Return the volume used on ``day`` from midnight up to ``second`` seconds into it."""
    volumes = _interval_volumes(usage, day)
    index = second // HALF_HOUR
    if index >= len(volumes):
        return sum(volumes)
    return sum(volumes[:index]) + volumes[index] * (second - index * HALF_HOUR) // HALF_HOUR


@dataclass(frozen=True)
class Prices:
    """Price cluster values the accounts use: a price per m³ per tier, the standing charge
    per day and the block thresholds in register units, lowest first."""

    tier_prices: tuple[int, ...]
    standing_charge: int
    block_thresholds: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.tier_prices) != TIERS or list(self.block_thresholds) != sorted(self.block_thresholds):
            raise ValueError(f"expected {TIERS} tier prices and rising block thresholds, got {self}")


@dataclass(frozen=True)
class DebtTerms:
    """Debt recovery terms: debts 1 and 2 are recovered by a daily amount, debt 3 (the
    payment-based debt) by a share of each top-up, in hundredths of a percent."""

    daily_recovery: tuple[int, int] = (50_000, 20_000)
    top_up_percentage: int = 1_000


@dataclass(frozen=True)
class Registers:
    """Metering registers: the total, the time-of-use tiers, the blocks (Current No Tier Block
    N Summation Delivered), the volume and cost of the current billing period."""

    summation: int
    tiers: tuple[int, ...]
    blocks: tuple[int, ...]
    period_volume: int = 0
    bill_to_date: int = 0


@dataclass(frozen=True)
class Balance:
    """Prepayment balances: credit, emergency credit, accumulated debt (standing charges that
    the credit could not pay) and the outstanding debts 1 to 3."""

    credit: int
    emergency_credit: int
    accumulated_debt: int
    debts: tuple[int, int, int]


@dataclass(frozen=True)
class Ledger:
    """The accounts at ``at``, a half-hour boundary up to which consumption is integrated.
    ``cost_residue`` is cost below one currency unit, in 1/1000 units, not yet charged."""

    at: int
    registers: Registers
    balance: Balance
    cost_residue: int = 0


@dataclass(frozen=True)
class Snapshot:
    """A snapshot of the registers and balances, taken at ``at`` for ``cause``."""

    snapshot_id: int
    at: int
    cause: SnapshotCause
    registers: Registers
    balance: Balance


@dataclass(frozen=True)
class TopUp:
    """A credit top-up: amount in currency units and its 20-digit top-up code (UTRN)."""

    at: int
    amount: int
    code: bytes


@dataclass(frozen=True)
class DebtCollection:
    """An amount recovered towards debt ``debt_type`` (0 to 2 for debts 1 to 3)."""

    at: int
    amount: int
    debt_type: int
    outstanding: int


@dataclass(frozen=True)
class MeterRecords:
    """The accounts and what the meter recorded, oldest entries first."""

    ledger: Ledger
    daily: tuple[Snapshot, ...] = ()
    billing: tuple[Snapshot, ...] = ()
    top_ups: tuple[TopUp, ...] = ()
    debt_collections: tuple[DebtCollection, ...] = ()
    next_snapshot_id: int = 0

    def snapshots(self) -> tuple[Snapshot, ...]:
        """Return every snapshot held, oldest first."""
        return tuple(sorted((*self.daily, *self.billing), key=lambda snapshot: (snapshot.at, snapshot.snapshot_id)))


@dataclass(frozen=True)
class AccountPlan:
    """Inputs of the integration besides the records: the usage, prices and terms, the tariff
    (None: tier 1 throughout and monthly billing), the daily snapshot time (seconds after
    midnight), and the snapshots that events cause (UTC time, cause)."""

    usage: GasUsage
    prices: Prices
    terms: DebtTerms
    tariff: GasTariff | None
    daily_snapshot_time: int
    events: tuple[tuple[int, SnapshotCause], ...] = ()
    low_credit: int | None = None  # top up below this credit (synthetic history only)
    seed: int = 1


def integrate(records: MeterRecords, until: int, plan: AccountPlan) -> MeterRecords:
    """Integrate the accounts up to the last half-hour boundary at or before ``until``."""
    end = until - until % HALF_HOUR
    if end <= records.ledger.at:
        return records
    return _Integration(records, plan).run(end)


@dataclass
class _Integration:
    """The mutable working copy of one :func:`integrate`."""

    records: MeterRecords
    plan: AccountPlan
    summation: int = field(init=False)
    tiers: list[int] = field(init=False)
    blocks: list[int] = field(init=False)
    period_volume: int = field(init=False)
    bill_to_date: int = field(init=False)
    credit: int = field(init=False)
    emergency_credit: int = field(init=False)
    accumulated_debt: int = field(init=False)
    debts: list[int] = field(init=False)
    residue: int = field(init=False)
    daily: list[Snapshot] = field(init=False)
    billing: list[Snapshot] = field(init=False)
    top_ups: list[TopUp] = field(init=False)
    collections: list[DebtCollection] = field(init=False)
    next_id: int = field(init=False)
    top_up_due: int | None = None

    def __post_init__(self) -> None:
        ledger = self.records.ledger
        registers, balance = ledger.registers, ledger.balance
        self.summation, self.tiers, self.blocks = registers.summation, list(registers.tiers), list(registers.blocks)
        self.period_volume, self.bill_to_date = registers.period_volume, registers.bill_to_date
        self.credit, self.emergency_credit = balance.credit, balance.emergency_credit
        self.accumulated_debt, self.debts = balance.accumulated_debt, list(balance.debts)
        self.residue = ledger.cost_residue
        self.daily, self.billing = list(self.records.daily), list(self.records.billing)
        self.top_ups, self.collections = list(self.records.top_ups), list(self.records.debt_collections)
        self.next_id = self.records.next_snapshot_id

    def run(self, end: int) -> MeterRecords:
        plan = self.plan
        events = sorted(plan.events)
        moment = self.records.ledger.at
        tier_of_day: tuple[int, ...] = ()
        while moment < end:
            second = moment % DAY
            if second == 0 or not tier_of_day:
                tier_of_day = _tiers_of_day(plan.tariff, moment - second)
            if second == 0:
                self.start_day(moment)
            if second == plan.daily_snapshot_time:
                self.snapshot(moment, SnapshotCause.GENERAL)
            while events and events[0][0] <= moment:
                self.snapshot(moment, events.pop(0)[1])
            self.consumer_top_up(moment)
            self.consume(moment, tier_of_day[second // HALF_HOUR])
            moment += HALF_HOUR
        return MeterRecords(
            ledger=Ledger(end, self.registers(), self.balance(), self.residue),
            daily=tuple(self.daily[-DAILY_LOG_CAPACITY:]), billing=tuple(self.billing[-BILLING_LOG_CAPACITY:]),
            top_ups=tuple(self.top_ups[-TOP_UP_LOG_CAPACITY:]),
            debt_collections=tuple(self.collections[-DEBT_LOG_CAPACITY:]), next_snapshot_id=self.next_id)

    def registers(self) -> Registers:
        return Registers(self.summation, tuple(self.tiers), tuple(self.blocks), self.period_volume, self.bill_to_date)

    def balance(self) -> Balance:
        return Balance(self.credit, self.emergency_credit, self.accumulated_debt,
                       (self.debts[0], self.debts[1], self.debts[2]))

    def snapshot(self, moment: int, cause: SnapshotCause) -> None:
        taken = Snapshot(self.next_id, moment, cause, self.registers(), self.balance())
        self.next_id += 1
        (self.daily if cause is SnapshotCause.GENERAL else self.billing).append(taken)

    def start_day(self, moment: int) -> None:
        """At midnight: close the billing period if it ends, charge the day, recover debts."""
        tariff = self.plan.tariff
        billing_day = 1 if tariff is None else tariff.billing_day
        if datetime.datetime.fromtimestamp(moment, datetime.UTC).day == billing_day:
            self.snapshot(moment, SnapshotCause.END_OF_BILLING_PERIOD)
            self.period_volume = self.bill_to_date = 0
        charge = self.plan.prices.standing_charge
        if self.credit > 0:
            self.credit -= charge
        else:
            self.accumulated_debt += charge
        for debt_type, rate in enumerate(self.plan.terms.daily_recovery):
            self.recover(moment, debt_type, min(rate, self.debts[debt_type]))

    def recover(self, moment: int, debt_type: int, amount: int) -> None:
        if amount <= 0:
            return
        self.debts[debt_type] -= amount
        self.credit -= amount
        self.collections.append(DebtCollection(moment, amount, debt_type, self.debts[debt_type]))

    def consume(self, moment: int, tier: int) -> None:
        """Add the half hour from ``moment`` to the registers and charge it."""
        volume = self.plan.usage.interval_volumes(moment // DAY)[(moment % DAY) // HALF_HOUR]
        self.summation += volume
        self.tiers[tier - 1] += volume
        remaining = volume
        for block, upper in enumerate((*self.plan.prices.block_thresholds, None)):
            if remaining == 0:
                break
            if upper is None or self.period_volume < upper:
                taken = remaining if upper is None else min(remaining, upper - self.period_volume)
                self.blocks[block] += taken
                self.period_volume += taken
                remaining -= taken
        self.residue += volume * self.plan.prices.tier_prices[tier - 1]
        charged, self.residue = divmod(self.residue, VOLUME_DIVISOR)
        self.credit -= charged
        self.bill_to_date += charged

    def consumer_top_up(self, moment: int) -> None:
        """Synthetic history: when the credit falls below the low credit level, the consumer
        tops up £10 to £30 within a day, in the daytime."""
        low_credit = self.plan.low_credit
        if low_credit is None:
            return
        if self.top_up_due is None:
            if self.credit >= low_credit:
                return
            digest = _digest(self.plan.seed, moment, 1)
            delay = HALF_HOUR * (1 + digest[0] % 47)
            due = moment + delay
            hour = (due % DAY) // 3600
            if not 8 <= hour < 20:
                due = due - due % DAY + DAY + 8 * 3600 + HALF_HOUR * (digest[1] % 24)
            self.top_up_due = due
        if moment < self.top_up_due:
            return
        digest = _digest(self.plan.seed, moment, 2)
        amount = 1_000_000 * (1 + digest[0] % 5) // 2 + 500_000  # £10 to £30 in £5 steps
        code = str(int.from_bytes(digest[1:11], "big")).zfill(20)[-20:].encode()
        self.top_up_due = None
        self.top_up(moment, amount, code)

    def top_up(self, moment: int, amount: int, code: bytes) -> None:
        """Credit a top-up, less the share that recovers the payment-based debt."""
        share = min(self.debts[2], amount * self.plan.terms.top_up_percentage // PERCENT_DIVISOR)
        self.credit += amount
        self.recover(moment, 2, share)
        self.top_ups.append(TopUp(moment, amount, code))


@functools.lru_cache(maxsize=512)
def _tiers_of_day(tariff: GasTariff | None, midnight: int) -> tuple[int, ...]:
    """Return the tier of each half hour of the day that starts at ``midnight``."""
    if tariff is None:
        return (1,) * (DAY // HALF_HOUR)
    date = datetime.datetime.fromtimestamp(midnight, datetime.UTC).date()
    profile = tariff.tou.day_profile(date)
    return tuple(min(max(profile.value_at(index * 30), 1), TIERS) for index in range(DAY // HALF_HOUR))


def adjust_credit(records: MeterRecords, plan: AccountPlan, moment: int, value: int, *,
                  absolute: bool) -> MeterRecords:
    """Return the records with the credit adjusted at ``moment``: set to ``value`` when
    ``absolute``, else changed by it (the ledger is integrated up to ``moment`` first)."""
    records = integrate(records, moment, plan)
    balance = records.ledger.balance
    credit = value if absolute else balance.credit + value
    return replace(records, ledger=replace(records.ledger, balance=replace(balance, credit=credit)))


def take_snapshot(records: MeterRecords, plan: AccountPlan, moment: int, cause: SnapshotCause) -> MeterRecords:
    """Return the records with a snapshot for ``cause`` taken at ``moment``."""
    records = integrate(records, moment, plan)
    work = _Integration(records, plan)
    work.snapshot(moment, cause)
    return replace(records, daily=tuple(work.daily[-DAILY_LOG_CAPACITY:]),
                   billing=tuple(work.billing[-BILLING_LOG_CAPACITY:]), next_snapshot_id=work.next_id)


@dataclass(frozen=True)
class SyntheticPast:
    """The history a meter comes with: ``days`` of use before it first starts, beginning
    with ``opening`` balances, and the tariff and payment mode changes it saw (days before
    the start)."""

    days: int = 400
    opening: Balance = Balance(2_000_000, 500_000, 0, (3_000_000, 1_500_000, 6_000_000))
    tariff_changes: tuple[int, ...] = (20,)
    mode_changes: tuple[int, ...] = (10,)


@functools.lru_cache(maxsize=64)
def synthetic_history(past: SyntheticPast, plan: AccountPlan, start: int) -> MeterRecords:
    """Return the records of a meter that starts at ``start`` after ``past``."""
    begin = start - start % HALF_HOUR - past.days * DAY
    events = tuple(sorted(
        [(start - days * DAY, SnapshotCause.CHANGE_OF_TARIFF_INFORMATION) for days in past.tariff_changes]
        + [(start - days * DAY, SnapshotCause.CHANGE_OF_METER_MODE) for days in past.mode_changes]))
    opening = MeterRecords(Ledger(begin, Registers(0, (0,) * TIERS, (0,) * (len(plan.prices.block_thresholds) + 1)),
                                  past.opening))
    return integrate(opening, start, replace(plan, events=events))


def prices_from(attributes: Mapping[int, tuple[int, Any]]) -> Prices:
    """Read :class:`Prices` from the meter's Price cluster attributes.

    Block thresholds are scaled by the threshold multiplier and divisor into m³, then into
    register units.
    """
    def value(attribute_id: int, default: int = 0) -> int:
        entry = attributes.get(attribute_id)
        return default if entry is None else int(entry[1])

    multiplier, divisor = value(0x0202, 1), value(0x0203, 1) or 1
    thresholds = tuple(value(0x0100 + index) * multiplier * VOLUME_DIVISOR // divisor
                       for index in range(15) if 0x0100 + index in attributes)
    tier_prices = tuple(value(0x0410 + 0x10 * tier) for tier in range(TIERS))
    return Prices(tier_prices, value(0x0301), thresholds)


# The sample ID of the half-hourly profile data log, which GCS17 reads.
PROFILE_SAMPLE_ID = 0
# NOTE: the reference GSME responds to GCS31 Start Sampling with sample ID 2, and GCS18 reads ID
# 2, so the emulated meter keeps one sampling session at a time under that ID.
SESSION_SAMPLE_ID = 2


@dataclass(frozen=True)
class SamplingSession:
    """Samples of ``interval`` seconds from ``start``, at most ``max_samples`` of them; the
    profile data log is the session :data:`PROFILE_SAMPLE_ID` that never ends."""

    sample_id: int
    start: int
    sample_type: int
    interval: int
    max_samples: int | None = None

    def sample_times(self, earliest: int, count: int, now: int) -> list[int]:
        """Return the start times of up to ``count`` complete samples from ``earliest`` on."""
        first = max(0, -(-(earliest - self.start) // self.interval))
        last = (now - self.start) // self.interval  # samples complete before now
        if self.max_samples is not None:
            last = min(last, self.max_samples)
        return [self.start + index * self.interval for index in range(first, min(last, first + count))]


def sample_volumes(usage: GasUsage, times: list[int], interval: int) -> list[int]:
    """Return the volume used in each sample that starts at one of ``times``."""
    return [usage.volume_between(moment, moment + interval) for moment in times]


# Attributes whose values come from the records, by cluster.
LIVE_ATTRIBUTES: Mapping[int, frozenset[int]] = {
    METERING_ID: frozenset({0x0000, 0x0100, 0x0102, 0x0104, 0x0106, 0x0700, 0x0701, 0x0702, 0x0703, 0x0A00}),
    PREPAYMENT_ID: frozenset({0x0001, 0x0002, 0x0005, 0x0211, 0x0217, 0x0221, 0x0227, 0x0231, 0x0239}),
}


def live_attributes(records: MeterRecords, terms: DebtTerms) -> dict[int, dict[int, int]]:
    """Return the attribute values the records give, by cluster: the Metering registers
    (CurrentSummationDelivered, CurrentTierNSummationDelivered, the no-tier block registers,
    BillToDateDelivered) and the Prepayment balances and debt terms."""
    registers, balance = records.ledger.registers, records.ledger.balance
    metering = {0x0000: registers.summation, 0x0A00: registers.bill_to_date}
    metering.update({0x0100 + 2 * tier: value for tier, value in enumerate(registers.tiers)})
    metering.update({0x0700 + block: value for block, value in enumerate(registers.blocks)})
    prepayment = {0x0001: balance.credit, 0x0002: balance.emergency_credit, 0x0005: balance.accumulated_debt,
                  0x0211: balance.debts[0], 0x0221: balance.debts[1], 0x0231: balance.debts[2],
                  0x0217: terms.daily_recovery[0], 0x0227: terms.daily_recovery[1],
                  0x0239: terms.top_up_percentage}
    return {METERING_ID: metering, PREPAYMENT_ID: prepayment}
