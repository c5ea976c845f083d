"""Times typed by people in their own time zone, meeting lengths, and meeting recurrences.

Every datetime this module returns is timezone-aware UTC. Naive datetimes exist only inside, as
wall-clock readings in some IANA zone, and are localised with zoneinfo before they leave.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta  # UTC is timezone.utc under a shorter name
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateparser.date import DateDataParser
from dateutil.rrule import MONTHLY, WEEKLY, rrule

MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=12)
MAX_INTERVAL = 52

_EXAMPLES = "`tomorrow 10am`, `next tue 3pm`, `2026-12-01 15:00` or `in 2 hours`"

# Keys zoneinfo resolves that are not a person's zone: "localtime" is whatever the server runs in.
_NOT_PERSON_ZONES = frozenset({"localtime", "posixrules", "Factory"})

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class WhenError(ValueError):
    """Something a person typed that cannot be used; the message is written to be shown to them as-is."""


# --------------------------------------------------------------------------- zones


def _zone(tz: str) -> ZoneInfo:
    if not isinstance(tz, str) or not tz.strip() or tz in _NOT_PERSON_ZONES:
        raise WhenError(f"Unknown time zone “{tz}”. Use a name such as Europe/London or America/New_York.")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a key naming a directory such as "Europe" gets as far as opening it.
        raise WhenError(
            f"Unknown time zone “{tz}”. Use a name such as Europe/London or America/New_York."
        ) from None


# A zone named in what was typed ("tomorrow 3pm America/New_York"), lower-cased as the text is.
_ZONE_NAME = re.compile(r"(?<![\w/])[a-z]+(?:/[a-z0-9_+-]+){1,2}(?![\w/])")


@cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name, by its lower-case spelling."""
    return {name.lower(): name for name in available_timezones() if name not in _NOT_PERSON_ZONES}


def _named_zone(cleaned: str) -> tuple[str, str] | None:
    """The text without the IANA zone it names, and that zone; None if it names none."""
    for match in _ZONE_NAME.finditer(cleaned):
        name = _zone_names().get(match[0])
        if name is not None:
            return " ".join((cleaned[:match.start()] + cleaned[match.end():]).split()), name
    return None


def _require_aware(value: datetime, name: str) -> None:
    # A naive value here is a programming mistake, not something the person typed, hence no WhenError.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def _wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """Localise a naive wall-clock reading in `zone` and convert it to UTC.

    An ambiguous reading (autumn fall-back) takes the first occurrence. A reading inside a spring-forward
    gap is read with the offset from before the jump, which lands it `gap` later on the new clock: 01:30
    on a night London jumps 01:00 -> 02:00 becomes 02:30 BST.
    """
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _gap_at(wall: datetime, zone: ZoneInfo) -> timedelta | None:
    """How far the clocks jump over `wall` if that reading never appears in `zone`, else None."""
    round_trip = _wall_to_utc(wall, zone).astimezone(zone).replace(tzinfo=None)
    return round_trip - wall if round_trip != wall else None


def format_local(dt: datetime, tz: str) -> str:
    """Render an aware datetime in zone `tz`, e.g. "Tue 1 Dec 2026, 15:00 GMT"."""
    _require_aware(dt, "dt")
    local = dt.astimezone(_zone(tz))
    return f"{_format_day(local)}, {local:%H:%M} {local.tzname()}"


def typed_local(dt: datetime, tz: str) -> str:
    """An instant as a person in zone `tz` would type it, e.g. "2026-12-01 15:00"; `parse_when` reads it back."""
    _require_aware(dt, "dt")
    return f"{dt.astimezone(_zone(tz)):%Y-%m-%d %H:%M}"


def _format_day(day: date) -> str:
    # Names come from fixed tables so the output never depends on the process locale.
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


# --------------------------------------------------------------------------- a weekday and a time of day

# Monday is 0, as in `date.weekday()`.
WEEKDAY_WORDS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CLOCK = re.compile(r"(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-5][0-9]))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?")


def parse_weekday(text: str) -> int:
    """`fri`, `Friday`, `thurs` -> 4 (Monday is 0)."""
    word = (text or "").strip().lower().rstrip(".,")
    if word not in WEEKDAY_WORDS:
        raise WhenError(f"I couldn't read “{(text or '').strip()}” as a day of the week; say `mon` to `sun`, or "
                        "the day's full name.")
    return WEEKDAY_WORDS[word]


def parse_clock(text: str) -> time:
    """`09:30`, `9.30`, `9am`, `4:15 pm` -> a time of day, on a 24-hour or a 12-hour clock."""
    cleaned = (text or "").strip().lower()
    match = _CLOCK.fullmatch(cleaned)
    if match is None:
        raise WhenError(f"I couldn't read “{(text or '').strip()}” as a time of day; say `16:30` or `4:30pm`.")
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if match["half"]:
        if not 1 <= hour <= 12:
            raise WhenError(f"“{text.strip()}” is not a time of day: on a 12-hour clock the hour is 1 to 12.")
        hour = hour % 12 + (12 if match["half"].startswith("p") else 0)
    if hour > 23:
        raise WhenError(f"“{text.strip()}” is not a time of day: the hour is 0 to 23.")
    return time(hour, minute)


# --------------------------------------------------------------------------- durations

_HOUR_WORDS = (
    (re.compile(r"\ban? hour and a half\b"), "90m"),
    (re.compile(r"\bhalf an hour\b"), "30m"),
    (re.compile(r"\ban? hour\b"), "1h"),
)
_CLOCK_SPAN = re.compile(r"(?P<hours>[0-9]{1,2}):(?P<minutes>[0-5][0-9])")
_SPAN = re.compile(
    r"(?:(?P<hours>[0-9]+(?:\.[0-9]+)?)\s*(?:h|hrs?|hours?))?"
    r"\s*(?:(?P<minutes>[0-9]+)\s*(?P<unit>m|mins?|minutes?)?)?"
)


def _read_span(text: str, *, bare_minutes: bool) -> timedelta | None:
    """Read "1h30", "45 minutes", "1.5h" etc.; a bare number means minutes only if `bare_minutes`."""
    cleaned = " ".join(text.lower().split())
    for pattern, replacement in _HOUR_WORDS:
        cleaned = pattern.sub(replacement, cleaned)
    cleaned = re.sub(r"\band\b", " ", cleaned).strip()
    if not cleaned:
        return None
    clock = _CLOCK_SPAN.fullmatch(cleaned)
    if clock:
        return timedelta(hours=int(clock["hours"]), minutes=int(clock["minutes"]))
    match = _SPAN.fullmatch(cleaned)
    if not match or (match["hours"] is None and match["minutes"] is None):
        return None
    if match["hours"] is None and match["unit"] is None and not bare_minutes:
        return None
    minutes = float(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
    # Fractions of an hour ("1.33h") are rounded to whole minutes; nobody schedules to the second.
    return timedelta(minutes=round(minutes))


def parse_duration(text: str) -> timedelta:
    """Read a meeting length such as `30m`, `1h30`, `1.5h` or `90` (minutes)."""
    span = _read_span(text or "", bare_minutes=True)
    if span is None:
        raise WhenError(
            f"I couldn't read “{(text or '').strip()}” as a duration. "
            "Try `30m`, `45 minutes`, `1h` or `1h30`."
        )
    if not MIN_DURATION <= span <= MAX_DURATION:
        raise WhenError("A duration must be between 5 minutes and 12 hours.")
    return span


def typed_duration(span: timedelta) -> str:
    """A meeting length as a person would type it, e.g. "45m", "1h", "1h30"; `parse_duration` reads it back."""
    hours, minutes = divmod(round(span.total_seconds() / 60), 60)
    if not hours:
        return f"{minutes}m"
    return f"{hours}h{minutes:02d}" if minutes else f"{hours}h"


# --------------------------------------------------------------------------- points in time

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PREFER_DATES_FROM": "future",
    # Lets "tomorrow" (a day) be told apart from "tomorrow 10am" (a time).
    "RETURN_TIME_AS_PERIOD": True,
    # The timestamp and no-spaces parsers turn digit runs like "1700000000" into dates nobody meant.
    "PARSERS": ["relative-time", "absolute-time"],
}
_DATEPARSER_LANGUAGES = ["en"]

_LEADING_FILLER = re.compile(r"^(?:at|on)\s+")
_TIME_ONLY = re.compile(r"noon|midnight|[0-9]{1,2}(?:[:.][0-9]{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|[0-9]{1,2}[:.][0-9]{2}")
_WEEKDAY = re.compile(
    r"\b(?:mon|monday|tue|tues|tuesday|wed|weds|wednesday|thu|thur|thurs|thursday"
    r"|fri|friday|sat|saturday|sun|sunday)\b"
)
_IN_SPAN = re.compile(r"in\s+(?P<span>.+)")
# What can only be meant as a clock ("25pm", "24:30"), to say why it is not one when dateparser skips it.
_CLOCK_LIKE = re.compile(r"\b[0-9]{1,2}(?::[0-9]{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b[0-9]{1,2}:[0-9]{2}\b")
_YEAR = re.compile(r"\b[0-9]{4}\b")


def _dateparse(text: str, base: datetime) -> tuple[datetime, str] | None:
    """Run dateparser relative to the naive wall-clock `base`; returns (value, period) or None."""
    # Settings cannot be changed on an existing parser and RELATIVE_BASE differs per call, so a parser is
    # built each time; that costs microseconds, while the expensive language data is cached by dateparser.
    settings = {**_DATEPARSER_SETTINGS, "RELATIVE_BASE": base}
    data = DateDataParser(languages=_DATEPARSER_LANGUAGES, settings=settings).get_date_data(text)
    if data.date_obj is None:
        return None
    period = data.period or "day"
    if period == "day" and "time" in data.parts:
        # A typed time that equals the base's own ("tomorrow 8am" at 08:00 sharp) leaves the reading's
        # clock unchanged, and dateparser then calls it a day; its parts still say a time was typed.
        period = "time"
    return data.date_obj, period


def warm_up() -> None:
    """Pay dateparser's one-off start-up cost (about 0.1 s of regex compiling) now instead of on first use."""
    _dateparse("tomorrow 10am", datetime(2000, 1, 1))


def _clean_when(text: str) -> str:
    cleaned = " ".join(text.lower().split()).rstrip(".!?")
    while True:
        stripped = _LEADING_FILLER.sub("", cleaned)
        if stripped == cleaned:
            break
        cleaned = stripped
    # dateparser knows "noon" but not "midday".
    return re.sub(r"\bmidday\b", "noon", cleaned)


def _settle_wall(
    cleaned: str, wall: datetime, local_now: datetime, zone: ZoneInfo, now: datetime
) -> datetime:
    """Correct the wall-clock reading dateparser gave where it picks a different day than people mean."""
    today = local_now.date()
    if _TIME_ONLY.fullmatch(cleaned):
        # A bare time is the next such time: today if still ahead, else tomorrow. Decided here on the
        # localised instant so the comparison is exact even on a day the clocks change.
        candidate = datetime.combine(today, wall.time())
        if _wall_to_utc(candidate, zone) <= now:
            candidate += timedelta(days=1)
        return candidate
    if _WEEKDAY.search(cleaned) and "next" not in cleaned.split() and (wall.date() - today).days == 7:
        # dateparser reads "tuesday 15:00" typed on a Tuesday as a week away even when 15:00 today is
        # still ahead; "next tuesday" keeps the week away.
        earlier = wall - timedelta(days=7)
        if _wall_to_utc(earlier, zone) > now:
            return earlier
        return wall
    if (
        not _YEAR.search(cleaned)
        and wall.year == today.year + 1
        and (wall.month, wall.day) == (today.month, today.day)
    ):
        # "dec 3 at 9:30" typed on 3 Dec at 10:00 means today (already gone), not a year from now.
        return wall.replace(year=today.year)
    return wall


def _describe_gap(gap: timedelta) -> str:
    minutes = round(gap.total_seconds() / 60)
    if minutes == 60:
        return "an hour"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"


def parse_when(text: str, *, tz: str, now: datetime) -> datetime:
    """Read a point in time a person typed in their zone `tz`, relative to `now`; returns aware UTC."""
    _require_aware(now, "now")
    cleaned = _clean_when(text or "")
    named = _named_zone(cleaned)
    if named is not None:
        # A zone named in the text beats the person's own, as "3pm UTC" does.
        cleaned, tz = named
    zone = _zone(tz)
    if not cleaned:
        raise WhenError(f"Say when, e.g. {_EXAMPLES}.")

    relative = _IN_SPAN.fullmatch(cleaned)
    span = _read_span(relative["span"], bare_minutes=False) if relative else None
    if span is not None:
        # Hours and minutes from now are elapsed time, not wall-clock arithmetic: "in 2 hours" across
        # a clock change is still two hours away.
        result = now.astimezone(UTC) + span
    else:
        local_now = now.astimezone(zone).replace(tzinfo=None)
        parsed = _dateparse(cleaned, local_now)
        if parsed is None:
            raise WhenError(f"I couldn't read “{(text or '').strip()}” as a time. Try {_EXAMPLES}.")
        value, period = parsed
        if period != "time":
            for clock in _CLOCK_LIKE.findall(cleaned):
                parse_clock(clock)  # says what is wrong with the hour typed, if that is why there is no time
            raise WhenError("Add a time, e.g. `tomorrow 10am`.")
        if value.tzinfo is not None:
            # The person named a zone ("3pm UTC"), which beats their own. "Today" and "the next 3pm" must
            # then be judged by the clock in that zone, so read the text again relative to it.
            named_now = now.astimezone(value.tzinfo).replace(tzinfo=None)
            reparsed = _dateparse(cleaned, named_now)
            if reparsed is not None and reparsed[0].tzinfo is not None:
                value = reparsed[0]
            result = value.astimezone(UTC)
        else:
            wall = _settle_wall(cleaned, value, local_now, zone, now)
            gap = _gap_at(wall, zone)
            if gap is not None:
                after_jump = wall + gap
                raise WhenError(
                    f"{wall:%H:%M} on {_format_day(wall)} "
                    f"doesn't exist in {tz}: the clocks jump forward {_describe_gap(gap)} then. "
                    f"Pick another time, e.g. {after_jump:%H:%M}."
                )
            result = _wall_to_utc(wall, zone)

    if result <= now:
        raise WhenError(f"That is in the past ({format_local(result, tz)}).")
    return result


# --------------------------------------------------------------------------- recurrences

Freq = Literal["weekly", "monthly"]

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "other": 2,
}
_EVERY = re.compile(r"(?:every|each)\s+(?:(?P<count>[0-9]+|[a-z]+)\s+)?(?P<unit>weeks?|months?)")
_RULE = re.compile(r"(?P<freq>weekly|monthly)(?::(?P<interval>[0-9]+))?")


@dataclass(frozen=True)
class Recurrence:
    """A meeting repeats every `interval` weeks or months, at the same local wall-clock time."""

    freq: Freq
    interval: int = 1

    def __post_init__(self) -> None:
        if self.freq not in ("weekly", "monthly"):
            raise WhenError("A meeting can repeat weekly or monthly.")
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise WhenError(f"Repeat every 1 to {MAX_INTERVAL} weeks or months.")

    def to_rule(self) -> str:
        """Compact storage form, e.g. "weekly:4"."""
        return f"{self.freq}:{self.interval}"

    @classmethod
    def from_rule(cls, rule: str) -> Recurrence:
        """Inverse of `to_rule`."""
        match = _RULE.fullmatch((rule or "").strip())
        if not match:
            raise WhenError(f"Unreadable repeat rule “{rule}”.")
        freq: Freq = "weekly" if match["freq"] == "weekly" else "monthly"
        return cls(freq, int(match["interval"] or 1))

    def describe(self) -> str:
        """Human wording: "weekly", "monthly", "every 4 weeks", "every 2 months"."""
        if self.interval == 1:
            return self.freq
        unit = "weeks" if self.freq == "weekly" else "months"
        return f"every {self.interval} {unit}"


def parse_recurrence(text: str) -> Recurrence:
    """Read how often a meeting repeats: `weekly`, `every 2 weeks`, `fortnightly`, `monthly`, ..."""
    cleaned = " ".join((text or "").lower().split()).rstrip(".")
    if cleaned in ("weekly", "every week", "each week"):
        return Recurrence("weekly")
    if cleaned == "fortnightly":
        return Recurrence("weekly", 2)
    if cleaned in ("monthly", "every month", "each month"):
        return Recurrence("monthly")
    match = _EVERY.fullmatch(cleaned)
    count_text = match["count"] if match else None
    if match and count_text is not None:
        count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS.get(count_text)
        if count is not None:
            if not 1 <= count <= MAX_INTERVAL:
                raise WhenError(f"Repeat every 1 to {MAX_INTERVAL} weeks or months.")
            return Recurrence("weekly" if match["unit"].startswith("week") else "monthly", count)
    raise WhenError(
        f"I couldn't read “{(text or '').strip()}” as a repeat. "
        "Try `weekly`, `every 2 weeks`, `fortnightly` or `monthly`."
    )


def _rrule_for(local_start: datetime, rule: Recurrence) -> rrule:
    if rule.freq == "weekly":
        return rrule(WEEKLY, interval=rule.interval, dtstart=local_start)
    if local_start.day <= 28:
        return rrule(MONTHLY, interval=rule.interval, dtstart=local_start)
    # Plain MONTHLY skips months without the start's day, so a meeting on the 31st would vanish for
    # months at a time. Offering every day from the 28th up to the start's day and keeping the last one
    # the month has (bysetpos=-1) clamps to the month's end instead: the 31st becomes 30 Apr and 28 Feb.
    return rrule(
        MONTHLY,
        interval=rule.interval,
        dtstart=local_start,
        bymonthday=tuple(range(28, local_start.day + 1)),
        bysetpos=-1,
    )


def _months_later(wall: datetime, months: int) -> datetime:
    """The same day and time `months` later (the day must exist in every month: 28 or earlier)."""
    index = wall.month - 1 + months
    return wall.replace(year=wall.year + index // 12, month=index % 12 + 1)


class _Series:
    """A recurring meeting expanded in wall-clock time of its zone and localised one by one."""

    def __init__(self, start_utc: datetime, rule: Recurrence, tz: str) -> None:
        self.start = start_utc.astimezone(UTC)
        self.zone = _zone(tz)
        local = self.start.astimezone(self.zone).replace(tzinfo=None)
        # rrule drops microseconds; they are put back so the first occurrence equals the start exactly.
        self.first_wall = local.replace(microsecond=0)
        self.extra = timedelta(microseconds=local.microsecond)
        self.recurrence = rule
        self.rule = _rrule_for(self.first_wall, rule)

    def walls_from(self, bound: datetime) -> Iterator[datetime]:
        """The series' wall-clock times from `bound` (a wall-clock time) on. rrule walks from its start, so a
        series that began years ago would be walked from its first meeting at every question: it is started
        again at its last occurrence before `bound` instead, which gives the same times from there on (the
        months of a series on the 29th to 31st clamp to each month's end, and are walked from the start)."""
        rule, start, interval = self.recurrence, self.first_wall, self.recurrence.interval
        if bound <= start or (rule.freq != "weekly" and start.day > 28):
            return self.rule.xafter(bound, inc=True)
        if rule.freq == "weekly":
            step = timedelta(weeks=interval)
            restart = start + step * ((bound - start) // step)
        else:
            months = ((bound.year - start.year) * 12 + bound.month - start.month) // interval * interval
            restart = _months_later(start, months)
            if restart > bound:
                restart = _months_later(start, months - interval)
        return _rrule_for(restart, rule).xafter(bound, inc=True)

    def instant(self, wall: datetime) -> datetime:
        # The start keeps its own instant: re-localising would move a start set in the second pass of
        # an autumn fall-back hour to the first pass.
        if wall == self.first_wall:
            return self.start
        return _wall_to_utc(wall + self.extra, self.zone)

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone).replace(tzinfo=None)


# UTC offsets differ from wall clocks by well under a day, so scanning from a day or two either side
# of the converted bound and then filtering on UTC never misses an occurrence.
_SCAN_MARGIN = timedelta(days=2)


def occurrences(
    start_utc: datetime,
    rule: Recurrence | None,
    *,
    tz: str,
    after: datetime,
    count: int = 1,
    until: datetime | None = None,
) -> list[datetime]:
    """The next `count` occurrences strictly after `after` (and not after `until`), as aware UTC.

    Recurrences are computed in the wall-clock time of `tz`, so a 15:00 London meeting stays at 15:00
    London across clock changes. A wall-clock time that falls in a spring-forward gap moves forward by
    the gap (01:30 on the night clocks jump 01:00 -> 02:00 happens at 02:30); an ambiguous one at the
    autumn fall-back takes its first occurrence. `rule=None` is a one-off meeting.
    """
    _require_aware(start_utc, "start_utc")
    _require_aware(after, "after")
    if until is not None:
        _require_aware(until, "until")
    if count < 1:
        return []
    if rule is None:
        start = start_utc.astimezone(UTC)
        if start > after and (until is None or start <= until):
            return [start]
        return []

    series = _Series(start_utc, rule, tz)
    found: list[datetime] = []
    for wall in series.walls_from(series.local(after) - _SCAN_MARGIN):
        instant = series.instant(wall)
        if instant <= after:
            continue
        if until is not None and instant > until:
            break
        found.append(instant)
        if len(found) == count:
            break
    return found


def occurrence_at_or_before(
    start_utc: datetime, rule: Recurrence | None, *, tz: str, at: datetime
) -> datetime | None:
    """The latest occurrence at or before `at`, as aware UTC, or None if the series had not begun."""
    _require_aware(start_utc, "start_utc")
    _require_aware(at, "at")
    if rule is None:
        start = start_utc.astimezone(UTC)
        return start if start <= at else None

    series = _Series(start_utc, rule, tz)
    wall = series.rule.before(series.local(at) + _SCAN_MARGIN, inc=True)
    while wall is not None:
        instant = series.instant(wall)
        if instant <= at:
            return instant
        wall = series.rule.before(wall, inc=False)
    return None


# --------------------------------------------------------------------------- days and local clocks


def local_date(instant: datetime, tz: str) -> date:
    """The calendar day `instant` falls on in zone `tz`."""
    _require_aware(instant, "instant")
    return instant.astimezone(_zone(tz)).date()


def format_day(day: date) -> str:
    """A day as people read it, e.g. "Tue 1 Dec 2026", whatever the process locale."""
    return _format_day(day)


def at_local(day: date, clock: time, tz: str) -> datetime:
    """The instant the clocks in `tz` show `clock` on `day`, as aware UTC.

    On the night the clocks jump forward, a reading inside the gap happens `gap` later (02:30 on a
    night 02:00 becomes 03:00 is 03:30); on the night they fall back, the first of the two readings.
    """
    return _wall_to_utc(datetime.combine(day, clock), _zone(tz))


def _read_local(text: str, *, tz: str, now: datetime, examples: str) -> tuple[datetime, str, str]:
    """dateparser's reading of a day or time typed in `tz`: (naive wall value, period, cleaned text)."""
    _require_aware(now, "now")
    cleaned = _clean_when(text or "")
    if not cleaned:
        raise WhenError(f"Say which day, e.g. {examples}.")
    parsed = _dateparse(cleaned, now.astimezone(_zone(tz)).replace(tzinfo=None))
    if parsed is None:
        raise WhenError(f"I couldn't read “{(text or '').strip()}” as a day. Try {examples}.")
    return parsed[0], parsed[1], cleaned


def parse_day(text: str, *, tz: str, now: datetime) -> date:
    """Read a day a person typed in their zone (`dec 22`, `next tue`, `tomorrow`, `2026-12-22`)."""
    value, _, _ = _read_local(text, tz=tz, now=now, examples="`dec 22`, `next tue` or `2026-12-22`")
    return value.date()


def parse_until(text: str, *, tz: str, now: datetime) -> datetime:
    """Read "until when" a person typed in their zone: a day means to the end of that day.

    `dec 10` is through 10 December (back on the 11th at midnight, their time); `dec 10 5pm` is that
    instant; `in 2 weeks` is the same clock time a fortnight on. Returns aware UTC, after `now`.
    """
    value, period, cleaned = _read_local(text, tz=tz, now=now, examples="`dec 10`, `next mon` or `in 2 weeks`")
    zone = _zone(tz)
    if value.tzinfo is not None:
        result = value.astimezone(UTC)
    elif period == "time":
        result = _wall_to_utc(value, zone)
    elif cleaned.startswith("in "):
        result = _wall_to_utc(value, zone)
    else:
        result = at_local(value.date() + timedelta(days=1), time(0, 0), tz)
    if result <= now:
        raise WhenError(f"That is in the past ({format_local(result, tz)}).")
    return result
