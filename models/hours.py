"""Working hours: when a person may be sent something they did not ask for, on their own clock."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.errors import BadArgument

DEFAULT_START = dt.time(9, 0)
DEFAULT_END = dt.time(17, 0)
DEFAULT_DAYS = "12345"  # ISO weekdays: Monday is 1

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS = {
    "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "weds": 3, "wednesday": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5, "sat": 6, "saturday": 6,
    "sun": 7, "sunday": 7,
}
_SPAN = re.compile(
    r"(?P<s_hour>[0-9]{1,2})(?:[:.h](?P<s_minute>[0-5][0-9]))?\s*(?P<s_half>am|pm)?"
    r"\s*(?:-|–|to)\s*"
    r"(?P<e_hour>[0-9]{1,2})(?:[:.h](?P<e_minute>[0-5][0-9]))?\s*(?P<e_half>am|pm)?"
)


def zone_of(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class WorkingHours:
    """The hours a person works, on their wall clock, on some days of the week."""

    tz: str
    start: dt.time = DEFAULT_START
    end: dt.time = DEFAULT_END
    days: str = DEFAULT_DAYS

    @classmethod
    def of(cls, person: object) -> WorkingHours:
        return cls(tz=getattr(person, "tz", "UTC") or "UTC", start=getattr(person, "work_start", DEFAULT_START),
                   end=getattr(person, "work_end", DEFAULT_END), days=getattr(person, "work_days", DEFAULT_DAYS))

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.tz)

    def contains(self, instant: dt.datetime) -> bool:
        """Whether `instant` falls inside these hours; the wall clock decides, so DST changes are kept."""
        local = instant.astimezone(zone_of(self.tz))
        return str(local.isoweekday()) in self.days and self.start <= local.time() < self.end

    def intervals(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working stretches between two instants, as aware UTC pairs, each day localised on its own."""
        zone = zone_of(self.tz)
        day = start.astimezone(zone).date() - dt.timedelta(days=1)
        last = end.astimezone(zone).date() + dt.timedelta(days=1)
        found: list[tuple[dt.datetime, dt.datetime]] = []
        while day <= last:
            if str(day.isoweekday()) in self.days:
                begins = dt.datetime.combine(day, self.start, zone).astimezone(dt.UTC)
                ends = dt.datetime.combine(day, self.end, zone).astimezone(dt.UTC)
                begins, ends = max(begins, start), min(ends, end)
                if begins < ends:
                    found.append((begins, ends))
            day += dt.timedelta(days=1)
        return found

    def next_start(self, at: dt.datetime) -> dt.datetime:
        """The first instant from `at` inside these hours: `at` itself when it is inside them."""
        stretches = self.intervals(at, at + dt.timedelta(days=8))
        return stretches[0][0] if stretches else at

    def next_day_start(self, at: dt.datetime) -> dt.datetime:
        """When these hours begin on the first working day after the local day of `at` ("tomorrow")."""
        zone = zone_of(self.tz)
        midnight = dt.datetime.combine(at.astimezone(zone).date() + dt.timedelta(days=1), dt.time(0), zone)
        return self.next_start(midnight.astimezone(dt.UTC))

    def describe(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M} {describe_days(self.days)} ({self.tz})"


def overlap(a: WorkingHours, b: WorkingHours, *, week_from: dt.datetime) -> dt.timedelta:
    """How long two people both work in the seven days from `week_from`."""
    until = week_from + dt.timedelta(days=7)
    total = dt.timedelta()
    theirs = b.intervals(week_from, until)
    for a_start, a_end in a.intervals(week_from, until):
        for b_start, b_end in theirs:
            if min(a_end, b_end) > max(a_start, b_start):
                total += min(a_end, b_end) - max(a_start, b_start)
    return total


def describe_days(days: str) -> str:
    numbers = sorted(int(d) for d in days)
    if numbers == [1, 2, 3, 4, 5, 6, 7]:
        return "every day"
    if numbers and numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{DAY_NAMES[numbers[0] - 1]}–{DAY_NAMES[numbers[-1] - 1]}"
    return ", ".join(DAY_NAMES[n - 1] for n in numbers)


def _clock(hour: str, minute: str | None, half: str | None, *, end: bool) -> dt.time:
    h, m = int(hour), int(minute or 0)
    if half:
        if not 1 <= h <= 12:
            raise BadArgument(f"{hour}{half} is not a time.")
        h = h % 12 + (12 if half == "pm" else 0)
    if end and (h, m) == (24, 0):
        return dt.time(23, 59)
    if h > 23:
        raise BadArgument(f"{hour}:{minute or '00'} is not a time.")
    return dt.time(h, m)


def parse_days(text: str) -> str:
    """`mon-fri`, `weekdays`, `mon,wed,fri`, `every day` -> ISO weekday digits."""
    cleaned = " ".join(text.lower().replace(",", " ").split())
    if cleaned in ("", "weekdays", "workdays"):
        return DEFAULT_DAYS
    if cleaned in ("every day", "everyday", "daily", "all week"):
        return "1234567"
    if cleaned == "weekends":
        return "67"
    days: set[int] = set()
    for word in cleaned.split():
        first, dash, last = word.partition("-")
        if first not in _DAY_WORDS or (dash and last not in _DAY_WORDS):
            raise BadArgument(f"I couldn't read “{word}” as days of the week.")
        start, stop = _DAY_WORDS[first], _DAY_WORDS[last] if dash else _DAY_WORDS[first]
        span = range(start, stop + 1) if start <= stop else [*range(start, 8), *range(1, stop + 1)]
        days.update(span)
    return "".join(str(d) for d in sorted(days))


def parse_hours(text: str) -> tuple[dt.time, dt.time, str]:
    """`09:00-17:00 mon-fri`, `8am-4pm`, `9-17 mon,tue,thu` -> (start, end, days)."""
    cleaned = " ".join((text or "").lower().split())
    match = _SPAN.match(cleaned)
    if not match:
        raise BadArgument("Give your hours as start and end, e.g. `09:00-17:00` or `8am-4pm mon-thu`.")
    start = _clock(match["s_hour"], match["s_minute"], match["s_half"], end=False)
    end = _clock(match["e_hour"], match["e_minute"], match["e_half"], end=True)
    if end <= start:
        raise BadArgument("Your hours must end after they start on the same day, e.g. `09:00-17:00`.")
    if dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start) < dt.timedelta(hours=1):
        raise BadArgument("Leave at least an hour between start and end.")
    return start, end, parse_days(cleaned[match.end():])
