"""When digests are due: the community's weekly slot in its zone, and 09:00 in each reader's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.hours import zone_of

READER_TIME = dt.time(9, 0)
# A digest missed while the bot was down still goes out this long after its slot (same week, same key).
GRACE = dt.timedelta(hours=12)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Period:
    """The week a digest covers: after `start`, up to and including `end`."""

    start: dt.datetime
    end: dt.datetime
    week: str  # ISO week of the end, on the wall clock it was computed on: "2027-W13"

    def __contains__(self, instant: dt.datetime) -> bool:
        return self.start < instant <= self.end


def _week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_ending(end: dt.datetime, tz: str) -> Period:
    """The seven days of wall-clock time in `tz` that end at `end` (168 hours, or 167/169 across a DST change)."""
    zone = zone_of(tz)
    local_end = end.astimezone(zone)
    local_start = (local_end.replace(tzinfo=None) - dt.timedelta(days=7)).replace(tzinfo=zone)
    return Period(start=local_start.astimezone(dt.UTC), end=end.astimezone(dt.UTC), week=_week_label(local_end.date()))


def slot_due(*, tz: str, weekday: int, at: dt.time, now: dt.datetime) -> Period | None:
    """This week's slot (`weekday` 0 = Monday, `at` on the wall clock of `tz`) if it has come within GRACE."""
    zone = zone_of(tz)
    local_now = now.astimezone(zone)
    day = local_now.date() - dt.timedelta(days=(local_now.weekday() - weekday) % 7)
    slot = dt.datetime.combine(day, at, zone).astimezone(dt.UTC)
    if slot <= now < slot + GRACE:
        return week_ending(slot, tz)
    return None
