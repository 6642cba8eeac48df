"""The calendars a virtual gas meter (GSME) holds: its time-of-use tariff calendar and its
friendly credit calendar, as the ZCL Calendar cluster publishes them (Smart Energy 1.4).

A calendar maps every moment to a value: the price tier of a tariff calendar, or whether
friendly credit applies (1) or not (0) in a friendly credit calendar. Seasons choose a week
profile, the week profile a day profile per weekday, and special days override the week. The
meter applies its calendars in UTC.

NOTE: GB meters switch tiers in local time (GMT/BST); this model ignores daylight saving.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ANY_YEAR",
    "CURRENT_FRIENDLY_CREDIT_CALENDAR",
    "CURRENT_TARIFF_CALENDAR",
    "Calendar",
    "CalendarDate",
    "CalendarType",
    "DayProfile",
    "GasTariff",
    "Season",
    "SpecialDay",
    "WeekProfile",
    "default_tariff",
]

# ZCL Date octet meaning "any" (Smart Energy 1.4): a year of 0xFF repeats the date every year.
ANY_YEAR = 0xFF
MINUTES_PER_DAY = 24 * 60
# Issuer calendar IDs with which GBCS requests name the meter's current tariff calendar and its
# current friendly credit calendar (the DCC RTDS 4.5.0 GCS21f and GCS21b commands).
CURRENT_TARIFF_CALENDAR = 0xFFFFFFFF
CURRENT_FRIENDLY_CREDIT_CALENDAR = 0xFFFFFFFE


class CalendarType(enum.IntEnum):
    """Calendar Type of the Calendar cluster (Smart Energy 1.4)."""

    DELIVERED = 0x00  # price tiers of energy delivered: the time-of-use tariff
    RECEIVED = 0x01
    DELIVERED_AND_RECEIVED = 0x02
    FRIENDLY_CREDIT = 0x03
    AUXILIARY_LOAD_SWITCH = 0x04


@dataclass(frozen=True)
class CalendarDate:
    """A date in a calendar; ``year`` None repeats it every year."""

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.day <= 31:
            raise ValueError(f"invalid calendar date: month {self.month}, day {self.day}")

    def latest_on_or_before(self, date: datetime.date) -> datetime.date | None:
        """Return the last occurrence of this date on or before ``date``, or None."""
        years = [self.year] if self.year is not None else [date.year, date.year - 1]
        for year in years:
            try:
                moment = datetime.date(year, self.month, self.day)
            except ValueError:  # 29 February in a common year
                continue
            if moment <= date:
                return moment
        return None

    def matches(self, date: datetime.date) -> bool:
        """Tell whether ``date`` is this date."""
        return (date.month, date.day) == (self.month, self.day) and self.year in (None, date.year)

    def to_zcl(self) -> dict[str, int]:
        """Return the ZCL Date fields of this date (day of week left as "any")."""
        return {"years_since_1900": ANY_YEAR if self.year is None else self.year - 1900,
                "month": self.month, "day": self.day, "day_of_week": ANY_YEAR}


@dataclass(frozen=True)
class DayProfile:
    """A day's schedule: ``entries`` are (minutes after midnight, value), the first at 0."""

    day_id: int
    entries: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        starts = [start for start, _ in self.entries]
        if not starts or starts[0] != 0 or starts != sorted(set(starts)) or starts[-1] >= MINUTES_PER_DAY:
            raise ValueError(f"day profile {self.day_id}: entries must start at minute 0 and rise "
                             f"within the day, got {starts}")

    def value_at(self, minute: int) -> int:
        """Return the value in force ``minute`` minutes after midnight."""
        value = self.entries[0][1]
        for start, entry_value in self.entries:
            if start > minute:
                break
            value = entry_value
        return value


@dataclass(frozen=True)
class WeekProfile:
    """The day profile of each weekday, Monday first."""

    week_id: int
    day_ids: tuple[int, int, int, int, int, int, int]


@dataclass(frozen=True)
class Season:
    """From ``start`` on, the week profile ``week_id`` applies."""

    start: CalendarDate
    week_id: int


@dataclass(frozen=True)
class SpecialDay:
    """On ``date`` the day profile ``day_id`` applies instead of the week profile's."""

    date: CalendarDate
    day_id: int


@dataclass(frozen=True)
class Calendar:
    """One published calendar with its identifiers (Calendar cluster fields)."""

    calendar_type: CalendarType
    provider_id: int
    issuer_event_id: int
    issuer_calendar_id: int
    name: bytes
    days: tuple[DayProfile, ...]
    weeks: tuple[WeekProfile, ...]
    seasons: tuple[Season, ...]
    special_days: tuple[SpecialDay, ...] = ()

    def __post_init__(self) -> None:
        days = {day.day_id for day in self.days}
        weeks = {week.week_id for week in self.weeks}
        referenced = {day_id for week in self.weeks for day_id in week.day_ids}
        referenced |= {special.day_id for special in self.special_days}
        if not self.seasons or referenced - days or {season.week_id for season in self.seasons} - weeks:
            raise ValueError(f"calendar {self.issuer_calendar_id}: every season, week and special day "
                             f"must refer to a profile it defines")

    def day_profile(self, date: datetime.date) -> DayProfile:
        """Return the day profile that applies on ``date``."""
        day_id = next((special.day_id for special in self.special_days if special.date.matches(date)), None)
        if day_id is None:
            week_id = self._season_week(date)
            week = next(week for week in self.weeks if week.week_id == week_id)
            day_id = week.day_ids[date.weekday()]
        return next(day for day in self.days if day.day_id == day_id)

    def value_at(self, utc: int) -> int:
        """Return the calendar's value at ``utc`` (seconds since 1970)."""
        moment = datetime.datetime.fromtimestamp(utc, datetime.UTC)
        return self.day_profile(moment.date()).value_at(moment.hour * 60 + moment.minute)

    def _season_week(self, date: datetime.date) -> int:
        latest: tuple[datetime.date, int] | None = None
        for season in self.seasons:
            began = season.start.latest_on_or_before(date)
            if began is not None and (latest is None or began > latest[0]):
                latest = (began, season.week_id)
        # Before the first season of a calendar with fixed dates, its first season applies.
        return self.seasons[0].week_id if latest is None else latest[1]

    # --- Calendar cluster payloads (publish command fields) ---------------------------------

    def reference(self) -> dict[str, int]:
        """Return the provider, event and calendar identifiers every publish command carries."""
        return {"provider_id": self.provider_id, "issuer_event_id": self.issuer_event_id,
                "issuer_calendar_id": self.issuer_calendar_id}

    def day_profile_fields(self, day: DayProfile) -> dict[str, Any]:
        """Return the Publish Day Profile fields of ``day``, in one command."""
        return {**self.reference(), "day_id": day.day_id, "total_number_of_schedule_entries": len(day.entries),
                "command_index": 0, "total_number_of_commands": 1, "calendar_type": int(self.calendar_type),
                "day_schedule_entries": [{"start_time": start, "value": value} for start, value in day.entries]}

    def week_profile_fields(self, week: WeekProfile) -> dict[str, Any]:
        """Return the Publish Week Profile fields of ``week``."""
        weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        return {**self.reference(), "week_id": week.week_id,
                **{f"day_id_ref_{name}": day_id for name, day_id in zip(weekdays, week.day_ids)}}

    def seasons_fields(self) -> dict[str, Any]:
        """Return the Publish Seasons fields of every season, in one command."""
        return {**self.reference(), "command_index": 0, "total_number_of_commands": 1,
                "season_entries": [{"season_start_date": season.start.to_zcl(), "week_id_ref": season.week_id}
                                   for season in self.seasons]}

    def special_days_fields(self, start_time: int) -> dict[str, Any]:
        """Return the Publish Special Days fields of every special day, in one command."""
        return {**self.reference(), "start_time": start_time, "calendar_type": int(self.calendar_type),
                "total_number_of_special_days": len(self.special_days), "command_index": 0,
                "total_number_of_commands": 1,
                "special_day_entries": [{"special_day_date": special.date.to_zcl(), "day_id_ref": special.day_id}
                                        for special in self.special_days]}


@dataclass(frozen=True)
class GasTariff:
    """The supplier's configuration of the meter: its calendars and its billing period.

    Prices, block thresholds and the standing charge are Price cluster attributes of the meter.
    The billing period starts at 00:00 UTC on ``billing_day`` of every month.
    """

    tou: Calendar
    friendly_credit: Calendar
    billing_day: int = 1

    def __post_init__(self) -> None:
        if self.tou.calendar_type is not CalendarType.DELIVERED:
            raise ValueError("the tariff calendar must be of type DELIVERED")
        if self.friendly_credit.calendar_type is not CalendarType.FRIENDLY_CREDIT:
            raise ValueError("the friendly credit calendar must be of type FRIENDLY_CREDIT")
        if not 1 <= self.billing_day <= 28:
            raise ValueError(f"billing day must be 1 to 28, got {self.billing_day}")

    def calendar(self, issuer_calendar_id: int, calendar_type: int | None = None) -> Calendar | None:
        """Return the calendar a Calendar cluster request names, or None.

        The request names a calendar by its issuer calendar ID or by one of the two "current"
        IDs above. A calendar type given with the request must match the calendar's.
        """
        chosen = {CURRENT_TARIFF_CALENDAR: self.tou, CURRENT_FRIENDLY_CREDIT_CALENDAR: self.friendly_credit}.get(
            issuer_calendar_id)
        if chosen is None:
            chosen = next((calendar for calendar in (self.tou, self.friendly_credit)
                           if calendar.issuer_calendar_id == issuer_calendar_id), None)
        if chosen is None or (calendar_type is not None and calendar_type != chosen.calendar_type):
            return None
        return chosen

    def billing_period_start(self, utc: int) -> int:
        """Return the start (UTC seconds) of the billing period that contains ``utc``."""
        moment = datetime.datetime.fromtimestamp(utc, datetime.UTC)
        year, month = moment.year, moment.month
        if moment.day < self.billing_day:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return int(datetime.datetime(year, month, self.billing_day, tzinfo=datetime.UTC).timestamp())


_WINTER, _SUMMER = CalendarDate(10, 1), CalendarDate(4, 1)
_BANK_HOLIDAYS = (CalendarDate(12, 25), CalendarDate(12, 26), CalendarDate(1, 1))


def _calendar(calendar_type: CalendarType, calendar_id: int, name: bytes,
              days: tuple[tuple[tuple[int, int], ...], ...], *, provider_id: int) -> Calendar:
    """Build a calendar of four day profiles: winter weekday and weekend, then summer ones."""
    profiles = tuple(DayProfile(index + 1, entries) for index, entries in enumerate(days))
    weeks = (WeekProfile(1, (1, 1, 1, 1, 1, 2, 2)), WeekProfile(2, (3, 3, 3, 3, 3, 4, 4)))
    return Calendar(calendar_type, provider_id, issuer_event_id=calendar_id, issuer_calendar_id=calendar_id,
                    name=name, days=profiles, weeks=weeks, seasons=(Season(_WINTER, 1), Season(_SUMMER, 2)),
                    special_days=tuple(SpecialDay(date, 2) for date in _BANK_HOLIDAYS))


def default_tariff(provider_id: int = 0) -> GasTariff:
    """Return a four-tier time-of-use tariff with a friendly credit calendar.

    Tier 1 applies at night, tier 2 by day and the peak tiers 3 and 4 on weekday evenings.
    Friendly credit applies at night, at weekends and on bank holidays, which follow the
    weekend profiles.
    """
    tou = _calendar(CalendarType.DELIVERED, 0x1001, b"Gas TOU", (
        ((0, 1), (420, 2), (960, 4), (1140, 3), (1320, 1)),  # winter weekday
        ((0, 1), (480, 2), (1320, 1)),  # winter weekend
        ((0, 1), (420, 2), (1020, 3), (1200, 2), (1380, 1)),  # summer weekday
        ((0, 1), (540, 2), (1380, 1)),  # summer weekend
    ), provider_id=provider_id)
    friendly = _calendar(CalendarType.FRIENDLY_CREDIT, 0x2001, b"Friendly credit", (
        ((0, 1), (480, 0), (1080, 1)),
        ((0, 1),),
        ((0, 1), (480, 0), (1200, 1)),
        ((0, 1),),
    ), provider_id=provider_id)
    return GasTariff(tou, friendly)
