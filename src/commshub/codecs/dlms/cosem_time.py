"""COSEM date, time and date-time values (IEC 62056-6-2, Blue Book 4.1.6.1) that keep every octet.

Each field is the integer found on the wire, including the "not specified" markers, the
daylight-saving and last-day-of-month codes, the deviation 0x8000 and the clock status, so that
re-encoding a parsed value gives the same bytes. Conversion to :class:`datetime.datetime` is
on demand and raises when a field it needs is not specified.
"""

from __future__ import annotations

import datetime as _dt
import struct
from dataclasses import dataclass

from commshub.errors import CodecError

__all__ = [
    "CLOCK_STATUS_NOT_SPECIFIED",
    "DAYLIGHT_SAVINGS_BEGIN",
    "DAYLIGHT_SAVINGS_END",
    "DEVIATION_NOT_SPECIFIED",
    "LAST_DAY_OF_MONTH",
    "NOT_SPECIFIED",
    "SECOND_LAST_DAY_OF_MONTH",
    "YEAR_NOT_SPECIFIED",
    "CosemDate",
    "CosemDateTime",
    "CosemTime",
]

# Markers of the Blue Book's date and time formats (IEC 62056-6-2).
NOT_SPECIFIED = 0xFF
YEAR_NOT_SPECIFIED = 0xFFFF
DEVIATION_NOT_SPECIFIED = -0x8000  # 0x8000 as a signed 16-bit integer
DAYLIGHT_SAVINGS_END = 0xFD  # month field
DAYLIGHT_SAVINGS_BEGIN = 0xFE  # month field
SECOND_LAST_DAY_OF_MONTH = 0xFD  # day-of-month field
LAST_DAY_OF_MONTH = 0xFE  # day-of-month field
CLOCK_STATUS_NOT_SPECIFIED = 0xFF

# One declaration per layout; the A-XDR data codec packs and unpacks through these too.
DATE_TIME_LAYOUT = struct.Struct(">HBBBBBBBhB")  # 12 octets
DATE_LAYOUT = struct.Struct(">HBBB")  # 5 octets
TIME_LAYOUT = struct.Struct(">BBBB")  # 4 octets


def _layout_error(kind: str, exc: struct.error, values: object) -> CodecError:
    return CodecError(f"cannot encode {kind} {values!r}: {exc}", path=(kind,))


@dataclass(frozen=True, slots=True)
class CosemDate:
    """A COSEM date: year (0xFFFF = not specified), month, day of month, day of week (1 = Monday)."""

    year: int = YEAR_NOT_SPECIFIED
    month: int = NOT_SPECIFIED
    day: int = NOT_SPECIFIED
    day_of_week: int = NOT_SPECIFIED

    @classmethod
    def from_bytes(cls, data: bytes) -> CosemDate:
        if len(data) != DATE_LAYOUT.size:
            raise CodecError(f"a date is {DATE_LAYOUT.size} octets, found {len(data)}",
                             path=("date",), offset=0, data=bytes(data))
        return cls(*DATE_LAYOUT.unpack(data))

    def to_bytes(self) -> bytes:
        try:
            return DATE_LAYOUT.pack(self.year, self.month, self.day, self.day_of_week)
        except struct.error as exc:
            raise _layout_error("date", exc, self) from None

    @classmethod
    def from_date(cls, value: _dt.date) -> CosemDate:
        return cls(value.year, value.month, value.day, value.isoweekday())

    def to_date(self) -> _dt.date:
        """Return the calendar date; raise ValueError when a field is not a plain value."""
        return _dt.date(self.year, self.month, self.day)


@dataclass(frozen=True, slots=True)
class CosemTime:
    """A COSEM time: hour, minute, second, hundredths; 0xFF in any field means not specified."""

    hour: int = NOT_SPECIFIED
    minute: int = NOT_SPECIFIED
    second: int = NOT_SPECIFIED
    hundredths: int = NOT_SPECIFIED

    @classmethod
    def from_bytes(cls, data: bytes) -> CosemTime:
        if len(data) != TIME_LAYOUT.size:
            raise CodecError(f"a time is {TIME_LAYOUT.size} octets, found {len(data)}",
                             path=("time",), offset=0, data=bytes(data))
        return cls(*TIME_LAYOUT.unpack(data))

    def to_bytes(self) -> bytes:
        try:
            return TIME_LAYOUT.pack(self.hour, self.minute, self.second, self.hundredths)
        except struct.error as exc:
            raise _layout_error("time", exc, self) from None

    @classmethod
    def from_time(cls, value: _dt.time) -> CosemTime:
        return cls(value.hour, value.minute, value.second, value.microsecond // 10_000)

    def to_time(self) -> _dt.time:
        """Return the time of day; a not-specified hundredths field reads as 0."""
        hundredths = 0 if self.hundredths == NOT_SPECIFIED else self.hundredths
        return _dt.time(self.hour, self.minute, self.second, hundredths * 10_000)


@dataclass(frozen=True, slots=True)
class CosemDateTime:
    """A COSEM date-time (12 octets): date, time, deviation and clock status.

    ``deviation`` is in minutes of local time to UTC as IEC 62056-6-2 defines it, so UTC =
    local time + deviation (Central European winter time is -60); -32768 (0x8000) means not
    specified. ``clock_status`` is the raw status byte (0xFF = not specified).
    """

    year: int = YEAR_NOT_SPECIFIED
    month: int = NOT_SPECIFIED
    day: int = NOT_SPECIFIED
    day_of_week: int = NOT_SPECIFIED
    hour: int = NOT_SPECIFIED
    minute: int = NOT_SPECIFIED
    second: int = NOT_SPECIFIED
    hundredths: int = NOT_SPECIFIED
    deviation: int = DEVIATION_NOT_SPECIFIED
    clock_status: int = CLOCK_STATUS_NOT_SPECIFIED

    @classmethod
    def from_bytes(cls, data: bytes) -> CosemDateTime:
        if len(data) != DATE_TIME_LAYOUT.size:
            raise CodecError(f"a date-time is {DATE_TIME_LAYOUT.size} octets, found {len(data)}",
                             path=("date-time",), offset=0, data=bytes(data))
        return cls(*DATE_TIME_LAYOUT.unpack(data))

    def to_bytes(self) -> bytes:
        try:
            return DATE_TIME_LAYOUT.pack(
                self.year, self.month, self.day, self.day_of_week, self.hour, self.minute,
                self.second, self.hundredths, self.deviation, self.clock_status,
            )
        except struct.error as exc:
            raise _layout_error("date-time", exc, self) from None

    @property
    def date(self) -> CosemDate:
        return CosemDate(self.year, self.month, self.day, self.day_of_week)

    @property
    def time(self) -> CosemTime:
        return CosemTime(self.hour, self.minute, self.second, self.hundredths)

    @classmethod
    def from_datetime(cls, value: _dt.datetime, *, clock_status: int = 0x00) -> CosemDateTime:
        """Build from a datetime; an aware one sets the deviation, a naive one leaves it unset."""
        offset = value.utcoffset()
        deviation = DEVIATION_NOT_SPECIFIED if offset is None else -int(offset.total_seconds() // 60)
        return cls(value.year, value.month, value.day, value.isoweekday(), value.hour,
                   value.minute, value.second, value.microsecond // 10_000, deviation, clock_status)

    def to_datetime(self) -> _dt.datetime:
        """Return a datetime, aware when the deviation is specified.

        Raises ValueError when a date or time field is not specified or a special code.
        """
        hundredths = 0 if self.hundredths == NOT_SPECIFIED else self.hundredths
        tzinfo = None
        if self.deviation != DEVIATION_NOT_SPECIFIED:
            tzinfo = _dt.timezone(_dt.timedelta(minutes=-self.deviation))
        return _dt.datetime(self.year, self.month, self.day, self.hour, self.minute, self.second,
                            hundredths * 10_000, tzinfo=tzinfo)

    def __str__(self) -> str:
        def part(value: int, width: int, unset: int = NOT_SPECIFIED) -> str:
            return "*" * width if value == unset else f"{value:0{width}d}"

        text = (f"{part(self.year, 4, YEAR_NOT_SPECIFIED)}-{part(self.month, 2)}-"
                f"{part(self.day, 2)} {part(self.hour, 2)}:{part(self.minute, 2)}:"
                f"{part(self.second, 2)}")
        if self.hundredths != NOT_SPECIFIED:
            text += f".{self.hundredths:02d}"
        if self.deviation != DEVIATION_NOT_SPECIFIED:
            text += f" deviation {self.deviation} min"
        if self.clock_status != CLOCK_STATUS_NOT_SPECIFIED:
            text += f" status 0x{self.clock_status:02X}"
        return text
