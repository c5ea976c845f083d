"""Reading times, durations and recurrences typed by people, in their own time zones."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.when import (
    Recurrence,
    WhenError,
    format_local,
    occurrence_at_or_before,
    occurrences,
    parse_duration,
    parse_recurrence,
    parse_when,
    typed_duration,
    typed_local,
)

LONDON = "Europe/London"
LA = "America/Los_Angeles"
KOLKATA = "Asia/Kolkata"
ZONES = [LONDON, LA, KOLKATA]


def at(tz: str, *args: int) -> datetime:
    """A wall-clock reading in `tz` as aware UTC (first occurrence if ambiguous)."""
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_now(tz: str) -> datetime:
    """Tuesday 24 Nov 2026, 09:00 on the person's own clock."""
    return at(tz, 2026, 11, 24, 9, 0)


# --------------------------------------------------------------------------- parse_when

# Expected wall-clock reading in the person's zone, given "now" is Tue 24 Nov 2026 09:00 there.
WALL_EXAMPLES = [
    ("2026-12-01 15:00", (2026, 12, 1, 15, 0)),
    ("2026-12-01 3pm", (2026, 12, 1, 15, 0)),
    ("tomorrow 10am", (2026, 11, 25, 10, 0)),
    ("next tue 3pm", (2026, 12, 1, 15, 0)),
    ("tuesday 15:00", (2026, 11, 24, 15, 0)),
    ("dec 3 at 9:30", (2026, 12, 3, 9, 30)),
    ("3 dec 15:00", (2026, 12, 3, 15, 0)),
    ("today 17:30", (2026, 11, 24, 17, 30)),
    ("noon tomorrow", (2026, 11, 25, 12, 0)),
    ("at 3pm", (2026, 11, 24, 15, 0)),
    ("on tuesday at 3pm", (2026, 11, 24, 15, 0)),
    ("  Tomorrow  10AM. ", (2026, 11, 25, 10, 0)),
]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(("text", "wall"), WALL_EXAMPLES)
def test_parse_when_reads_wall_clock_in_the_persons_zone(tz: str, text: str, wall: tuple[int, ...]) -> None:
    result = parse_when(text, tz=tz, now=local_now(tz))
    assert result == at(tz, *wall)
    assert result.tzinfo is UTC


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("text", "delta"), [("in 2 hours", timedelta(hours=2)), ("in 30 minutes", timedelta(minutes=30))]
)
def test_parse_when_relative_spans(tz: str, text: str, delta: timedelta) -> None:
    now = local_now(tz)
    result = parse_when(text, tz=tz, now=now)
    assert result == now + delta
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("tz", "expected"),
    [(LONDON, utc(2026, 12, 1, 15)), (LA, utc(2026, 12, 1, 23)), (KOLKATA, utc(2026, 12, 1, 9, 30))],
)
def test_parse_when_utc_offsets_are_applied(tz: str, expected: datetime) -> None:
    # Literal UTC values, so this does not lean on the same zoneinfo arithmetic as the code.
    assert parse_when("2026-12-01 15:00", tz=tz, now=local_now(tz)) == expected


def test_in_hours_is_elapsed_time_across_a_clock_change() -> None:
    # 00:30 GMT on the night London jumps 01:00 -> 02:00: two real hours later is 03:30 BST, not 02:30.
    now = utc(2027, 3, 28, 0, 30)
    result = parse_when("in 2 hours", tz=LONDON, now=now)
    assert result == utc(2027, 3, 28, 2, 30)
    assert format_local(result, LONDON) == "Sun 28 Mar 2027, 03:30 BST"


def test_other_relative_spans() -> None:
    now = local_now(LONDON)
    assert parse_when("in an hour", tz=LONDON, now=now) == now + timedelta(hours=1)
    assert parse_when("in half an hour", tz=LONDON, now=now) == now + timedelta(minutes=30)
    assert parse_when("in 1h30", tz=LONDON, now=now) == now + timedelta(minutes=90)


@pytest.mark.parametrize("tz", ZONES)
def test_bare_time_is_today_when_still_ahead_else_tomorrow(tz: str) -> None:
    now = local_now(tz)  # 09:00
    assert parse_when("3pm", tz=tz, now=now) == at(tz, 2026, 11, 24, 15, 0)
    assert parse_when("9:30", tz=tz, now=now) == at(tz, 2026, 11, 24, 9, 30)
    assert parse_when("8am", tz=tz, now=now) == at(tz, 2026, 11, 25, 8, 0)
    assert parse_when("9:00", tz=tz, now=now) == at(tz, 2026, 11, 25, 9, 0)
    assert parse_when("noon", tz=tz, now=now) == at(tz, 2026, 11, 24, 12, 0)
    assert parse_when("midday", tz=tz, now=now) == at(tz, 2026, 11, 24, 12, 0)


def test_bare_time_rolls_over_by_the_persons_clock_not_utc() -> None:
    # 14:00 UTC is 19:30 in Kolkata, so "3pm" there is tomorrow although 15:00 UTC is still ahead.
    now = utc(2026, 11, 24, 14, 0)
    assert parse_when("3pm", tz=KOLKATA, now=now) == at(KOLKATA, 2026, 11, 25, 15, 0)
    assert parse_when("3pm", tz=LONDON, now=now) == at(LONDON, 2026, 11, 24, 15, 0)


def test_weekday_that_is_today_but_already_gone_means_next_week() -> None:
    now = at(KOLKATA, 2026, 11, 24, 19, 30)  # a Tuesday evening
    assert parse_when("tuesday 15:00", tz=KOLKATA, now=now) == at(KOLKATA, 2026, 12, 1, 15, 0)


def test_named_zone_in_the_text_wins() -> None:
    now = utc(2026, 11, 24, 14, 0)  # 19:30 in Kolkata
    assert parse_when("3pm UTC", tz=KOLKATA, now=now) == utc(2026, 11, 24, 15, 0)


@pytest.mark.parametrize("tz", ZONES)
def test_a_time_equal_to_the_clock_now_is_still_a_time(tz: str) -> None:
    # "Now" is 09:00 sharp: dateparser's reading keeps 09:00 either way, and once called it a day.
    assert parse_when("tomorrow 9am", tz=tz, now=local_now(tz)) == at(tz, 2026, 11, 25, 9, 0)


def test_an_iana_zone_in_the_text_wins() -> None:
    now = local_now(KOLKATA)  # Tuesday 09:00 in Kolkata, still Monday evening in New York
    # "Tomorrow" is then judged by the named zone's clock, as it is for "3pm UTC".
    assert parse_when("tomorrow 3pm America/New_York", tz=KOLKATA, now=now) == at("America/New_York", 2026, 11,
                                                                                  24, 15, 0)
    assert parse_when("europe/london 10:30 tomorrow", tz=LA, now=now) == at(LONDON, 2026, 11, 25, 10, 30)


@pytest.mark.parametrize(("text", "why"), [("tomorrow 25pm", "the hour is 1 to 12"), ("tomorrow 0am", "1 to 12"),
                                           ("tomorrow 24:30", "the hour is 0 to 23")])
def test_an_hour_that_is_not_one_is_named(text: str, why: str) -> None:
    with pytest.raises(WhenError, match="is not a time of day") as caught:
        parse_when(text, tz=LONDON, now=local_now(LONDON))
    assert why in str(caught.value)


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("text", ["today 8am", "2026-01-05 10:00", "nov 24 at 8:00"])
def test_past_is_an_error_that_echoes_the_reading(tz: str, text: str) -> None:
    with pytest.raises(WhenError, match=r"^That is in the past \(.+\)") as caught:
        parse_when(text, tz=tz, now=local_now(tz))
    # The echo is in the person's own zone.
    assert ZoneInfo(tz).tzname(local_now(tz).replace(tzinfo=None)) in str(caught.value)


def test_past_echo_shows_what_was_understood() -> None:
    with pytest.raises(WhenError) as caught:
        parse_when("today 8am", tz=LONDON, now=local_now(LONDON))
    assert str(caught.value) == "That is in the past (Tue 24 Nov 2026, 08:00 GMT)."


@pytest.mark.parametrize(
    "text", ["tomorrow", "next tuesday", "dec 3", "2026-12-01", "tomorrow morning", "in 2 days"]
)
def test_date_without_time_asks_for_a_time(text: str) -> None:
    with pytest.raises(WhenError, match="Add a time, e.g. `tomorrow 10am`"):
        parse_when(text, tz=LONDON, now=local_now(LONDON))


@pytest.mark.parametrize("text", ["", "   ", "at"])
def test_empty_text_gives_examples(text: str) -> None:
    with pytest.raises(WhenError, match="tomorrow 10am"):
        parse_when(text, tz=LONDON, now=local_now(LONDON))


@pytest.mark.parametrize("text", ["blah", "whenever suits", "1700000000"])
def test_gibberish_is_an_error_naming_the_text(text: str) -> None:
    with pytest.raises(WhenError, match="couldn't read") as caught:
        parse_when(text, tz=LONDON, now=local_now(LONDON))
    assert text in str(caught.value)


@pytest.mark.parametrize(
    ("tz", "text", "suggestion"),
    [(LONDON, "2027-03-28 01:30", "02:30"), (LA, "2027-03-14 02:30", "03:30")],
)
def test_time_skipped_by_spring_forward_is_an_error(tz: str, text: str, suggestion: str) -> None:
    with pytest.raises(WhenError, match="doesn't exist") as caught:
        parse_when(text, tz=tz, now=local_now(tz))
    message = str(caught.value)
    assert tz in message
    assert "forward an hour" in message
    assert suggestion in message


@pytest.mark.parametrize(
    ("tz", "text", "expected"),
    [
        # 01:30 happens twice when the clocks fall back; the first is still on summer time.
        (LONDON, "2027-10-31 01:30", utc(2027, 10, 31, 0, 30)),
        (LA, "2027-11-07 01:30", utc(2027, 11, 7, 8, 30)),
    ],
)
def test_ambiguous_fall_back_time_takes_the_first(tz: str, text: str, expected: datetime) -> None:
    assert parse_when(text, tz=tz, now=local_now(tz)) == expected


@pytest.mark.parametrize("tz", ["Mars/Base", "", "Europe", "../etc/passwd", "localtime", "europe/london"])
def test_unknown_zone_is_an_error(tz: str) -> None:
    with pytest.raises(WhenError, match="Unknown time zone"):
        parse_when("tomorrow 10am", tz=tz, now=utc(2026, 11, 24, 9))


def test_naive_now_is_a_programming_error_not_a_person_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware") as caught:
        parse_when("tomorrow 10am", tz=LONDON, now=datetime(2026, 11, 24, 9))
    assert not isinstance(caught.value, WhenError)


# --------------------------------------------------------------------------- parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30m", 30),
        ("30 min", 30),
        ("45 minutes", 45),
        ("1h", 60),
        ("1 hour", 60),
        ("1h30", 90),
        ("1h30m", 90),
        ("1h 30m", 90),
        ("1 hour 30 minutes", 90),
        ("90", 90),
        ("1.5h", 90),
        ("2 hours", 120),
        ("1:30", 90),
        ("half an hour", 30),
        ("5m", 5),
        ("12h", 720),
    ],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["4m", "4", "0", "13h", "12h01", "721 minutes"])
def test_duration_out_of_bounds_names_the_bounds(text: str) -> None:
    with pytest.raises(WhenError, match="between 5 minutes and 12 hours"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["", "soon", "h", "1.5m", "30s", "1h30h"])
def test_unreadable_duration(text: str) -> None:
    with pytest.raises(WhenError, match="as a duration"):
        parse_duration(text)


# --------------------------------------------------------------------------- recurrences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly", Recurrence("weekly", 1)),
        ("every week", Recurrence("weekly", 1)),
        ("Every 2 Weeks", Recurrence("weekly", 2)),
        ("every 4 weeks", Recurrence("weekly", 4)),
        ("every other week", Recurrence("weekly", 2)),
        ("fortnightly", Recurrence("weekly", 2)),
        ("monthly", Recurrence("monthly", 1)),
        ("every month", Recurrence("monthly", 1)),
        ("every 2 months", Recurrence("monthly", 2)),
        ("every 52 weeks", Recurrence("weekly", 52)),
    ],
)
def test_parse_recurrence(text: str, expected: Recurrence) -> None:
    assert parse_recurrence(text) == expected


@pytest.mark.parametrize("text", ["every 0 weeks", "every 53 weeks", "every 60 months"])
def test_recurrence_interval_bounds(text: str) -> None:
    with pytest.raises(WhenError, match="1 to 52"):
        parse_recurrence(text)


@pytest.mark.parametrize("text", ["", "daily", "yearly", "every tuesday", "every lots of weeks"])
def test_unreadable_recurrence(text: str) -> None:
    with pytest.raises(WhenError, match="as a repeat"):
        parse_recurrence(text)


@pytest.mark.parametrize(
    ("rule", "stored", "described"),
    [
        (Recurrence("weekly", 4), "weekly:4", "every 4 weeks"),
        (Recurrence("weekly"), "weekly:1", "weekly"),
        (Recurrence("monthly"), "monthly:1", "monthly"),
        (Recurrence("monthly", 3), "monthly:3", "every 3 months"),
    ],
)
def test_recurrence_storage_and_wording(rule: Recurrence, stored: str, described: str) -> None:
    assert rule.to_rule() == stored
    assert Recurrence.from_rule(stored) == rule
    assert rule.describe() == described


def test_recurrence_is_frozen_and_validated() -> None:
    rule = Recurrence("weekly", 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.interval = 3  # type: ignore[misc]
    with pytest.raises(WhenError):
        Recurrence("weekly", 0)
    with pytest.raises(WhenError):
        Recurrence("daily")  # type: ignore[arg-type]
    assert Recurrence.from_rule("weekly") == Recurrence("weekly", 1)
    for bad in ("", "weekly:", "weekly:0", "yearly:1", "weekly:x"):
        with pytest.raises(WhenError):
            Recurrence.from_rule(bad)


# --------------------------------------------------------------------------- occurrences


def test_every_4_weeks_keeps_15_00_london_across_both_clock_changes() -> None:
    start = at(LONDON, 2027, 2, 15, 15, 0)  # a Monday in GMT
    assert start == utc(2027, 2, 15, 15)
    found = occurrences(
        start, Recurrence("weekly", 4), tz=LONDON, after=start - timedelta(seconds=1), count=11
    )
    assert found[0] == start
    assert [d.astimezone(ZoneInfo(LONDON)).hour for d in found] == [15] * 11
    for got in found:
        # Same weekday every 28 calendar days, even though the UTC gap is 28 days minus or plus an hour.
        assert (got.astimezone(ZoneInfo(LONDON)).date() - start.date()).days % 28 == 0
        summer = utc(2027, 3, 28, 1) <= got < utc(2027, 10, 31, 1)
        assert got.hour == (14 if summer else 15), got
    # Both sides of both changes are really covered.
    assert found[1] == utc(2027, 3, 15, 15)
    assert found[2] == utc(2027, 4, 12, 14)
    assert found[9] == utc(2027, 10, 25, 14)
    assert found[10] == utc(2027, 11, 22, 15)
    assert all(d.tzinfo is UTC for d in found)


def test_every_4_weeks_keeps_15_00_los_angeles_across_both_clock_changes() -> None:
    start = at(LA, 2027, 2, 1, 15, 0)
    assert start == utc(2027, 2, 1, 23)
    found = occurrences(start, Recurrence("weekly", 4), tz=LA, after=start - timedelta(seconds=1), count=11)
    assert [d.astimezone(ZoneInfo(LA)).hour for d in found] == [15] * 11
    for got in found:
        summer = utc(2027, 3, 14, 10) <= got < utc(2027, 11, 7, 9)
        assert got.hour == (22 if summer else 23), got
    assert found[1] == utc(2027, 3, 1, 23)
    assert found[2] == utc(2027, 3, 29, 22)
    assert found[10] == utc(2027, 11, 8, 23)


@pytest.mark.parametrize("interval", [1, 2])
def test_weekly_intervals(interval: int) -> None:
    start = at(KOLKATA, 2027, 1, 5, 18, 0)
    found = occurrences(start, Recurrence("weekly", interval), tz=KOLKATA, after=start, count=3)
    # Strictly after `after`: the start itself is not repeated.
    assert found == [start + timedelta(weeks=interval * k) for k in (1, 2, 3)]


def test_occurrences_pick_up_from_after_not_from_start() -> None:
    start = at(LONDON, 2027, 1, 4, 9, 0)
    after = at(LONDON, 2027, 6, 1, 12, 0)
    found = occurrences(start, Recurrence("weekly"), tz=LONDON, after=after, count=2)
    assert found == [at(LONDON, 2027, 6, 7, 9, 0), at(LONDON, 2027, 6, 14, 9, 0)]


def test_until_bounds_the_list() -> None:
    start = at(LONDON, 2027, 1, 4, 9, 0)
    found = occurrences(
        start, Recurrence("weekly"), tz=LONDON, after=start, count=50, until=at(LONDON, 2027, 1, 25, 9, 0)
    )
    assert found == [at(LONDON, 2027, 1, d, 9, 0) for d in (11, 18, 25)]
    assert occurrences(start, Recurrence("weekly"), tz=LONDON, after=start, count=0) == []


@pytest.mark.parametrize(
    ("day", "expected_days"),
    [
        (31, [(2027, 2, 28), (2027, 3, 31), (2027, 4, 30), (2027, 5, 31)]),
        (30, [(2027, 2, 28), (2027, 3, 30), (2027, 4, 30), (2027, 5, 30)]),
        (15, [(2027, 2, 15), (2027, 3, 15), (2027, 4, 15), (2027, 5, 15)]),
    ],
)
def test_monthly_clamps_to_the_end_of_short_months(
    day: int, expected_days: list[tuple[int, int, int]]
) -> None:
    start = at(LONDON, 2027, 1, day, 10, 0)
    found = occurrences(start, Recurrence("monthly"), tz=LONDON, after=start, count=4)
    # 10:00 London throughout, even though April and May are on summer time.
    assert found == [at(LONDON, *ymd, 10, 0) for ymd in expected_days]


def test_monthly_from_the_31st_in_a_leap_year_and_every_2_months() -> None:
    start = at(LONDON, 2027, 12, 31, 10, 0)
    found = occurrences(start, Recurrence("monthly", 2), tz=LONDON, after=start, count=3)
    assert found == [
        at(LONDON, 2028, 2, 29, 10, 0),
        at(LONDON, 2028, 4, 30, 10, 0),
        at(LONDON, 2028, 6, 30, 10, 0),
    ]


def test_recurrence_through_a_spring_forward_gap_moves_forward_by_the_gap() -> None:
    start = at(LONDON, 2027, 3, 21, 1, 30)  # Sundays 01:30; on 28 March 01:30 never happens
    found = occurrences(start, Recurrence("weekly"), tz=LONDON, after=start, count=2)
    assert found[0] == utc(2027, 3, 28, 1, 30)
    assert format_local(found[0], LONDON) == "Sun 28 Mar 2027, 02:30 BST"
    assert found[1] == utc(2027, 4, 4, 0, 30)


def test_recurrence_through_fall_back_takes_the_first_pass() -> None:
    start = at(LONDON, 2027, 10, 24, 1, 30)
    found = occurrences(start, Recurrence("weekly"), tz=LONDON, after=start, count=2)
    assert found == [utc(2027, 10, 31, 0, 30), utc(2027, 11, 7, 1, 30)]


def test_start_keeps_its_exact_instant() -> None:
    # The second 01:30 of the fall-back night, with sub-second precision: the first occurrence is the
    # start itself, not its first-pass twin an hour earlier.
    start = utc(2027, 10, 31, 1, 30, 0, 250_000)
    assert format_local(start, LONDON) == "Sun 31 Oct 2027, 01:30 GMT"
    found = occurrences(start, Recurrence("weekly"), tz=LONDON, after=start - timedelta(minutes=1), count=2)
    assert found == [start, utc(2027, 11, 7, 1, 30, 0, 250_000)]


def test_one_off() -> None:
    start = utc(2027, 5, 1, 12)
    assert occurrences(start, None, tz=LONDON, after=utc(2027, 5, 1, 11)) == [start]
    assert occurrences(start, None, tz=LONDON, after=start) == []
    assert occurrences(start, None, tz=LONDON, after=utc(2027, 5, 1, 11), until=utc(2027, 5, 1, 11, 30)) == []
    assert occurrence_at_or_before(start, None, tz=LONDON, at=start) == start
    assert occurrence_at_or_before(start, None, tz=LONDON, at=start - timedelta(seconds=1)) is None


def test_occurrences_reject_unknown_zone() -> None:
    with pytest.raises(WhenError, match="Unknown time zone"):
        occurrences(utc(2027, 5, 1, 12), Recurrence("weekly"), tz="Nowhere/Else", after=utc(2027, 5, 1))


def test_occurrence_at_or_before() -> None:
    start = at(LONDON, 2027, 2, 15, 15, 0)
    rule = Recurrence("weekly", 4)
    april = at(LONDON, 2027, 4, 12, 15, 0)  # summer time: 14:00 UTC
    assert april == utc(2027, 4, 12, 14)
    assert occurrence_at_or_before(start, rule, tz=LONDON, at=april + timedelta(minutes=30)) == april
    assert occurrence_at_or_before(start, rule, tz=LONDON, at=april) == april
    assert occurrence_at_or_before(start, rule, tz=LONDON, at=april - timedelta(seconds=1)) == utc(
        2027, 3, 15, 15
    )
    assert occurrence_at_or_before(start, rule, tz=LONDON, at=start) == start
    assert occurrence_at_or_before(start, rule, tz=LONDON, at=start - timedelta(minutes=1)) is None
    far = occurrence_at_or_before(start, rule, tz=LONDON, at=utc(2030, 1, 1))
    assert far is not None and far.astimezone(ZoneInfo(LONDON)).hour == 15
    assert utc(2030, 1, 1) - far < timedelta(weeks=4)


def test_occurrence_at_or_before_monthly_clamped() -> None:
    start = at(LONDON, 2027, 1, 31, 10, 0)
    got = occurrence_at_or_before(start, Recurrence("monthly"), tz=LONDON, at=at(LONDON, 2027, 3, 15, 0, 0))
    assert got == at(LONDON, 2027, 2, 28, 10, 0)


# --------------------------------------------------------------------------- format_local


@pytest.mark.parametrize(
    ("dt", "tz", "expected"),
    [
        (utc(2026, 12, 1, 15), LONDON, "Tue 1 Dec 2026, 15:00 GMT"),
        (utc(2027, 7, 1, 15), LONDON, "Thu 1 Jul 2027, 16:00 BST"),
        (utc(2026, 12, 1, 23), LA, "Tue 1 Dec 2026, 15:00 PST"),
        (utc(2026, 12, 1, 9, 30), KOLKATA, "Tue 1 Dec 2026, 15:00 IST"),
    ],
)
def test_format_local(dt: datetime, tz: str, expected: str) -> None:
    assert format_local(dt, tz) == expected


def test_format_local_needs_aware_input_and_a_real_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_local(datetime(2026, 12, 1, 15), LONDON)
    with pytest.raises(WhenError):
        format_local(utc(2026, 12, 1, 15), "Atlantis/Central")


# --------------------------------------------------------------------------- days and "until when"

from models.when import at_local, parse_day, parse_until  # noqa: E402


def test_parse_day_reads_days_in_the_persons_zone():
    now = local_now(LONDON)  # Tue 24 Nov 2026, 09:00
    assert parse_day("dec 22", tz=LONDON, now=now).isoformat() == "2026-12-22"
    assert parse_day("tomorrow", tz=LONDON, now=now).isoformat() == "2026-11-25"
    # 23:30 on Tuesday in Los Angeles is already Wednesday in London.
    late = at(LA, 2026, 11, 24, 23, 30)
    assert parse_day("today", tz=LA, now=late).isoformat() == "2026-11-24"
    assert parse_day("today", tz=LONDON, now=late).isoformat() == "2026-11-25"
    for bad in ("", "banana"):
        with pytest.raises(WhenError):
            parse_day(bad, tz=LONDON, now=now)


def test_parse_until_a_day_means_to_the_end_of_it_even_across_a_clock_change():
    now = at(LONDON, 2027, 3, 20, 9, 0)
    # Back on Monday 29 March at 00:00 BST: the night of the 28th the clocks jumped forward.
    assert parse_until("mar 28", tz=LONDON, now=now) == at(LONDON, 2027, 3, 29, 0, 0) == utc(2027, 3, 28, 23, 0)
    assert parse_until("mar 28 5pm", tz=LONDON, now=now) == utc(2027, 3, 28, 16, 0)
    assert parse_until("in 2 weeks", tz=LONDON, now=now) == at(LONDON, 2027, 4, 3, 9, 0)  # same clock time
    with pytest.raises(WhenError, match="past"):
        parse_until("yesterday 9am", tz=LONDON, now=now)


def test_at_local_on_the_nights_the_clocks_change():
    from datetime import date, time

    assert at_local(date(2027, 3, 28), time(1, 30), LONDON) == utc(2027, 3, 28, 1, 30)  # in the gap: 02:30 BST
    assert at_local(date(2027, 10, 31), time(1, 30), LONDON) == utc(2027, 10, 31, 0, 30)  # first 01:30
    assert at_local(date(2027, 3, 14), time(9, 30), LA) == utc(2027, 3, 14, 16, 30)


@pytest.mark.parametrize("minutes", [5, 30, 45, 60, 90, 125, 720])
def test_a_length_as_typed_reads_back_as_itself(minutes: int) -> None:
    assert parse_duration(typed_duration(timedelta(minutes=minutes))) == timedelta(minutes=minutes)


@pytest.mark.parametrize("tz", ZONES)
def test_an_instant_as_typed_in_a_zone_reads_back_as_itself_there(tz: str) -> None:
    now = utc(2026, 11, 23, 8, 0)
    meeting = at(tz, 2027, 3, 30, 15, 0)  # in summer time where the zone has one
    assert typed_local(meeting, tz) == "2027-03-30 15:00"
    assert parse_when(typed_local(meeting, tz), tz=tz, now=now) == meeting


def test_a_long_running_series_gives_the_times_it_would_walking_from_its_first_meeting():
    """A series is restarted near the instant asked about rather than walked from its start: the times must
    be those of the whole walk, across clock changes, for weekly and monthly series of any interval."""
    from models.when import _rrule_for, _Series

    chooser = random.Random(20261202)
    zones = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
    for _ in range(400):
        start = datetime(2019, 1, 1, tzinfo=UTC) + timedelta(minutes=chooser.randrange(0, 60 * 24 * 365 * 3))
        rule = Recurrence(chooser.choice(["weekly", "monthly"]), chooser.randint(1, 4))
        tz = chooser.choice(zones)
        after = start + timedelta(minutes=chooser.randrange(-60 * 24 * 30, 60 * 24 * 365 * 5))
        series = _Series(start, rule, tz)
        bound = series.local(after) - timedelta(days=2)
        walked = _rrule_for(series.first_wall, rule).xafter(bound, inc=True)
        jumped = series.walls_from(bound)
        assert [next(jumped) for _ in range(3)] == [next(walked) for _ in range(3)], (start, rule, tz, after)
