"""Digest schedules: parsing what users type, and the next digest time (APScheduler's CronTrigger)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger

from storage import SpecialSchedule

_TIME = re.compile(r"^([0-9]{1,2})[:：.]([0-9]{2})$")
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*([0-9]{1,2})(?::?([0-9]{2}))?$", re.I)
_DAYS = re.compile(r"^[a-z0-9,\-]{1,40}$")
# Files of the tz database that are no zone a person lives in.
_NOT_ZONES = ("localtime", "posixrules", "factory", "posix/", "right/")
_DAY_WORDS = {
    "daily": None,
    "everyday": None,
    "每天": None,
    "每日": None,
    "weekdays": "mon-fri",
    "workdays": "mon-fri",
    "工作日": "mon-fri",
    "weekends": "sat,sun",
    "weekend": "sat,sun",
    "周末": "sat,sun",
}


class ScheduleError(ValueError):
    """A schedule or timezone the user typed that cannot be used.

    ``reason`` names the message in the front end's catalogue (``schedule_missing``,
    ``schedule_bad_time``, ``schedule_bad_days``, ``timezone_missing``, ``timezone_unknown``,
    ``timezone_not_whole_hour``); ``text`` is what the user typed, cut short.
    """

    def __init__(self, reason: str, text: str = "") -> None:
        self.reason = reason
        self.text = _shown(text)
        super().__init__(f"{reason.replace('_', ' ')}: {self.text}" if text else reason.replace("_", " "))


def parse_schedule(args: list[str]) -> str:
    """``HH:MM [days]``, ``instant`` or ``off`` as a stored schedule spec."""
    if not args:
        raise ScheduleError("schedule_missing")
    first = args[0].lower()
    if first in tuple(SpecialSchedule) and len(args) == 1:
        return SpecialSchedule(first)
    match = _TIME.match(first)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ScheduleError("schedule_bad_time", args[0])
    spec = f"{int(match.group(1)):02d}:{match.group(2)}"
    days = " ".join(args[1:]).lower().replace(" ", "")
    if days:
        days = _DAY_WORDS.get(days, days) or ""
    if days:
        try:
            if not _DAYS.match(days):
                raise ValueError(days)
            CronTrigger(day_of_week=days)
        except ValueError:
            raise ScheduleError("schedule_bad_days", " ".join(args[1:])) from None
        spec += f" {days}"
    return spec


def _shown(text: str) -> str:
    """What the user typed, short enough to repeat in a reply."""
    return text if len(text) <= 40 else text[:39] + "…"


@lru_cache(maxsize=1)
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones() if not name.lower().startswith(_NOT_ZONES)}


def parse_timezone(text: str) -> str:
    """An IANA timezone name from ``Area/City`` (any case), ``+8`` or ``UTC+8``."""
    text = text.strip()
    if not text:
        raise ScheduleError("timezone_missing")
    offset = _OFFSET.match(text)
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if minutes or hours > 14:
            raise ScheduleError("timezone_not_whole_hour", text)
        if hours == 0:
            return "UTC"
        # The Etc zones count the other way round: UTC+8 is Etc/GMT-8.
        return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    name = _zones_by_lower_name().get(text.lower())
    if name is None:
        raise ScheduleError("timezone_unknown", text)
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise ScheduleError("timezone_unknown", text) from None
    return name


def next_digest_at(schedule: str, timezone: str, *, after: datetime) -> datetime | None:
    """When the next scheduled digest is due (UTC); ``None`` for instant and off."""
    if schedule in tuple(SpecialSchedule):
        return None
    time_part, _, days = schedule.partition(" ")
    hour, minute = (int(v) for v in time_part.split(":"))
    trigger = CronTrigger(hour=hour, minute=minute, day_of_week=days or "*", timezone=ZoneInfo(timezone))
    zone = ZoneInfo(timezone)
    # Strictly later on the wall clock: when clocks fall back, 01:30 comes twice, and a
    # digest sent at the first 01:30 must not be due again at the second.
    wall_clock = after.astimezone(zone).replace(tzinfo=None)
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    while fire is not None and fire.replace(tzinfo=None) <= wall_clock:
        # In UTC: adding to an aware local time is wall-clock arithmetic and loses the fold.
        fire = trigger.get_next_fire_time(None, fire.astimezone(UTC) + timedelta(seconds=1))
    return fire.astimezone(UTC) if fire is not None else None


_INTERVAL = re.compile(r"^\s*(\d{1,5})\s*(s|sec|m|min|h|hr|d|day)s?\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86_400, "day": 86_400}
MIN_INTERVAL = 60  # a minute between polls at most often: politeness to the sites


def parse_interval(text: str) -> int:
    """Seconds from ``90s``, ``10m``, ``2h`` or ``1d``; ``ScheduleError("interval_bad")`` for
    anything else, or for less than a minute."""
    found = _INTERVAL.match(text)
    if found is None:
        raise ScheduleError("interval_bad", text[:40])
    seconds = int(found.group(1)) * _UNIT_SECONDS[found.group(2).lower()]
    if seconds < MIN_INTERVAL or seconds > 7 * 86_400:
        raise ScheduleError("interval_bad", text[:40])
    return seconds


def describe_interval(seconds: int) -> str:
    """``10 min``, ``2 h``, ``1 d``: an interval as /sources shows it (no words to translate)."""
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"
