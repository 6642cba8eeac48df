"""Calendar cluster 0x0707 (ZigBee Smart Energy 1.4): the time-of-use calendars,
day and week profiles, seasons and special days that GBCS tariffs publish to meters."""

from __future__ import annotations

from construct import Int8ul, Int16ul, Int32ul, Struct

from commshub.codecs.zigbee.zcl.clusters.general import GLOBAL_ATTRIBUTES
from commshub.codecs.zigbee.zcl.constructs import RecordsToEnd
from commshub.codecs.zigbee.zcl.frame import Direction
from commshub.codecs.zigbee.zcl.schema import Cluster, attributes, commands, register
from commshub.codecs.zigbee.zcl.types import Date, OctetString, UtcTime

__all__ = [
    "CALENDAR",
    "CANCEL_CALENDAR",
    "GET_CALENDAR",
    "GET_CALENDAR_CANCELLATION",
    "GET_DAY_PROFILES",
    "GET_SEASONS",
    "GET_SPECIAL_DAYS",
    "GET_WEEK_PROFILES",
    "PUBLISH_CALENDAR",
    "PUBLISH_DAY_PROFILE",
    "PUBLISH_SEASONS",
    "PUBLISH_SPECIAL_DAYS",
    "PUBLISH_WEEK_PROFILE",
]

CALENDAR_ID = 0x0707

_CALENDAR_REF = ("provider_id" / Int32ul, "issuer_event_id" / Int32ul, "issuer_calendar_id" / Int32ul)

_TO_CLIENT = commands(
    CALENDAR_ID, Direction.SERVER_TO_CLIENT,
    (0x00, "publish_calendar", Struct(
        *_CALENDAR_REF,
        "start_time" / UtcTime,
        "calendar_type" / Int8ul,
        "calendar_time_reference" / Int8ul,
        "calendar_name" / OctetString,
        "number_of_seasons" / Int8ul,
        "number_of_week_profiles" / Int8ul,
        "number_of_day_profiles" / Int8ul,
    )),
    (0x01, "publish_day_profile", Struct(
        *_CALENDAR_REF,
        "day_id" / Int8ul,
        "total_number_of_schedule_entries" / Int8ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "calendar_type" / Int8ul,
        # Start time in minutes after midnight, then the price tier, friendly credit flag or
        # auxiliary load switch state, depending on the calendar type.
        "day_schedule_entries" / RecordsToEnd(Struct("start_time" / Int16ul, "value" / Int8ul)),
    )),
    (0x02, "publish_week_profile", Struct(
        *_CALENDAR_REF,
        "week_id" / Int8ul,
        "day_id_ref_monday" / Int8ul,
        "day_id_ref_tuesday" / Int8ul,
        "day_id_ref_wednesday" / Int8ul,
        "day_id_ref_thursday" / Int8ul,
        "day_id_ref_friday" / Int8ul,
        "day_id_ref_saturday" / Int8ul,
        "day_id_ref_sunday" / Int8ul,
    )),
    (0x03, "publish_seasons", Struct(
        *_CALENDAR_REF,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "season_entries" / RecordsToEnd(Struct("season_start_date" / Date, "week_id_ref" / Int8ul)),
    )),
    (0x04, "publish_special_days", Struct(
        *_CALENDAR_REF,
        "start_time" / UtcTime,
        "calendar_type" / Int8ul,
        "total_number_of_special_days" / Int8ul,
        "command_index" / Int8ul,
        "total_number_of_commands" / Int8ul,
        "special_day_entries" / RecordsToEnd(Struct("special_day_date" / Date, "day_id_ref" / Int8ul)),
    )),
    (0x05, "cancel_calendar", Struct(
        "provider_id" / Int32ul, "issuer_calendar_id" / Int32ul, "calendar_type" / Int8ul)),
)

_TO_SERVER = commands(
    CALENDAR_ID, Direction.CLIENT_TO_SERVER,
    (0x00, "get_calendar", Struct(
        "earliest_start_time" / UtcTime,
        "min_issuer_event_id" / Int32ul,
        "number_of_calendars" / Int8ul,
        "calendar_type" / Int8ul,
        "provider_id" / Int32ul,
    )),
    (0x01, "get_day_profiles", Struct(
        "provider_id" / Int32ul, "issuer_calendar_id" / Int32ul,
        "start_day_id" / Int8ul, "number_of_days" / Int8ul)),
    (0x02, "get_week_profiles", Struct(
        "provider_id" / Int32ul, "issuer_calendar_id" / Int32ul,
        "start_week_id" / Int8ul, "number_of_weeks" / Int8ul)),
    (0x03, "get_seasons", Struct("provider_id" / Int32ul, "issuer_calendar_id" / Int32ul)),
    (0x04, "get_special_days", Struct(
        "start_time" / UtcTime,
        "number_of_events" / Int8ul,
        "calendar_type" / Int8ul,
        "provider_id" / Int32ul,
        "issuer_calendar_id" / Int32ul,
    )),
    (0x05, "get_calendar_cancellation", Struct()),
)

CALENDAR = register(Cluster(
    CALENDAR_ID, "Calendar",
    attributes=attributes(GLOBAL_ATTRIBUTES),
    client_attributes=attributes(GLOBAL_ATTRIBUTES),
    commands_to_server=_TO_SERVER,
    commands_to_client=_TO_CLIENT,
))

PUBLISH_CALENDAR = _TO_CLIENT[0x00]
PUBLISH_DAY_PROFILE = _TO_CLIENT[0x01]
PUBLISH_WEEK_PROFILE = _TO_CLIENT[0x02]
PUBLISH_SEASONS = _TO_CLIENT[0x03]
PUBLISH_SPECIAL_DAYS = _TO_CLIENT[0x04]
CANCEL_CALENDAR = _TO_CLIENT[0x05]
GET_CALENDAR = _TO_SERVER[0x00]
GET_DAY_PROFILES = _TO_SERVER[0x01]
GET_WEEK_PROFILES = _TO_SERVER[0x02]
GET_SEASONS = _TO_SERVER[0x03]
GET_SPECIAL_DAYS = _TO_SERVER[0x04]
GET_CALENDAR_CANCELLATION = _TO_SERVER[0x05]
