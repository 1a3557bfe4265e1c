"""Schedule arithmetic: timezones, daylight saving, weekdays, instant and off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.usecases.schedules import ScheduleError, next_digest_at, parse_schedule, parse_timezone


def _fires(schedule: str, zone: str, start: datetime, days: int) -> list[datetime]:
    fires, moment = [], start
    while True:
        moment = next_digest_at(schedule, zone, after=moment)
        if moment is None or moment > start + timedelta(days=days):
            return fires
        fires.append(moment)


@pytest.mark.parametrize(
    ("zone", "expected_utc"),
    [
        ("Asia/Shanghai", "2026-06-01T00:00"),
        ("Europe/Berlin", "2026-06-01T06:00"),
        ("America/Los_Angeles", "2026-06-01T15:00"),
    ],
)
def test_eight_o_clock_in_three_timezones(zone: str, expected_utc: str) -> None:
    after = datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    due = next_digest_at("08:00", zone, after=after)
    assert due == datetime.fromisoformat(expected_utc).replace(tzinfo=UTC)
    assert due.astimezone(ZoneInfo(zone)).hour == 8


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("America/New_York", datetime(2026, 3, 6, tzinfo=UTC)),  # clocks go forward on 8 March
        ("America/New_York", datetime(2026, 10, 30, tzinfo=UTC)),  # and back on 1 November
        ("Europe/Berlin", datetime(2026, 3, 27, tzinfo=UTC)),
    ],  # forward on 29 March
)
@pytest.mark.parametrize("time", ["02:30", "01:30", "08:00"])
def test_daylight_saving_changes_neither_skip_nor_double_a_digest(
    zone: str, start: datetime, time: str
) -> None:
    fires = _fires(time, zone, start, days=5)
    local_days = [f.astimezone(ZoneInfo(zone)).date() for f in fires]
    assert len(fires) >= 5
    assert len(set(local_days)) == len(fires)  # never twice a day
    assert (local_days[-1] - local_days[0]).days == len(fires) - 1  # and no day skipped


def test_weekdays_skip_the_weekend() -> None:
    friday_evening = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    due = next_digest_at("07:30 mon-fri", "UTC", after=friday_evening)
    assert due == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # Monday
    assert len(_fires("07:30 mon-fri", "UTC", friday_evening, days=7)) == 5


def test_instant_and_off_have_no_scheduled_time() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_digest_at("instant", "UTC", after=now) is None
    assert next_digest_at("off", "UTC", after=now) is None


@pytest.mark.parametrize(
    ("args", "spec"),
    [
        (["7:30"], "07:30"),
        (["07:30", "mon-fri"], "07:30 mon-fri"),
        (["08:00", "weekends"], "08:00 sat,sun"),
        (["08:00", "工作日"], "08:00 mon-fri"),
        (["instant"], "instant"),
        (["OFF"], "off"),
        (["06:15", "mon,wed,fri"], "06:15 mon,wed,fri"),
    ],
)
def test_schedules_users_type(args: list[str], spec: str) -> None:
    assert parse_schedule(args) == spec


@pytest.mark.parametrize("args", [[], ["24:00"], ["7"], ["07:30", "someday"], ["noon"]])
def test_bad_schedules_are_refused(args: list[str]) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(args)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("asia/shanghai", "Asia/Shanghai"),
        ("+8", "Etc/GMT-8"),
        ("UTC+8", "Etc/GMT-8"),
        ("GMT-5", "Etc/GMT+5"),
        ("UTC", "UTC"),
        ("+0", "UTC"),
    ],
)
def test_timezones_users_type(text: str, zone: str) -> None:
    assert parse_timezone(text) == zone


@pytest.mark.parametrize("text", ["Mars/Base", "+5:30", "+15", "tomorrow"])
def test_bad_timezones_are_refused(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_timezone(text)
