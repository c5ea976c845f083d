"""Working hours on each person's own wall clock, across daylight-saving changes, and as people type them."""

from __future__ import annotations

import datetime as dt

import pytest

from models.errors import BadArgument
from models.hours import WorkingHours, describe_days, overlap, parse_days, parse_hours

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("instant", "inside"), [
    ("2027-03-26T08:59:00", False),  # Friday 08:59 GMT
    ("2027-03-26T09:00:00", True),
    ("2027-03-26T16:59:00", True),
    ("2027-03-26T17:00:00", False),
    ("2027-03-27T12:00:00", False),  # Saturday
    ("2027-03-29T07:59:00", False),  # Monday after the change: 08:59 BST
    ("2027-03-29T08:00:00", True),  # 09:00 BST
    ("2027-03-29T15:59:00", True),  # 16:59 BST
    ("2027-03-29T16:00:00", False),  # 17:00 BST
])
def test_london_hours_follow_the_wall_clock_across_the_spring_change(instant, inside):
    assert WorkingHours("Europe/London").contains(at(instant)) is inside


def test_kolkata_half_hour_offset_and_custom_days():
    hours = WorkingHours("Asia/Kolkata", dt.time(10), dt.time(18), "1234")
    assert hours.contains(at("2027-03-25T04:30:00"))  # Thursday 10:00 IST
    assert not hours.contains(at("2027-03-25T04:29:00"))
    assert not hours.contains(at("2027-03-26T06:00:00"))  # Friday is not a working day here


def test_intervals_are_localised_day_by_day():
    hours = WorkingHours("America/New_York")
    stretches = hours.intervals(at("2027-03-12T00:00:00"), at("2027-03-16T00:00:00"))
    # Friday 12 March on EST (UTC-5); Monday 15 March on EDT (UTC-4), the US changed on the 14th.
    assert stretches == [(at("2027-03-12T14:00:00"), at("2027-03-12T22:00:00")),
                         (at("2027-03-15T13:00:00"), at("2027-03-15T21:00:00"))]


def test_overlap_between_zones():
    week = at("2027-01-04T00:00:00")  # a Monday in winter
    london, berlin = WorkingHours("Europe/London"), WorkingHours("Europe/Berlin")
    new_york, kolkata = WorkingHours("America/New_York"), WorkingHours("Asia/Kolkata")
    assert overlap(london, berlin, week_from=week) == dt.timedelta(hours=7 * 5)
    assert overlap(london, new_york, week_from=week) == dt.timedelta(hours=3 * 5)
    assert overlap(london, kolkata, week_from=week) == dt.timedelta(hours=2.5 * 5)
    assert overlap(new_york, kolkata, week_from=week) == dt.timedelta()


@pytest.mark.parametrize(("text", "expected"), [
    ("09:00-17:00", (dt.time(9), dt.time(17), "12345")),
    ("8am-4pm mon-thu", (dt.time(8), dt.time(16), "1234")),
    ("8.30 to 16.30 mon,wed,fri", (dt.time(8, 30), dt.time(16, 30), "135")),
    ("9-17 every day", (dt.time(9), dt.time(17), "1234567")),
    ("10:00 - 18:00 sun-thu", (dt.time(10), dt.time(18), "12347")),
    ("12pm-24:00 weekends", (dt.time(12), dt.time(23, 59), "67")),
])
def test_hours_as_people_type_them(text, expected):
    assert parse_hours(text) == expected


@pytest.mark.parametrize(("text", "error"), [
    ("", "start and end"),
    ("17:00-09:00", "end after they start"),
    ("09:00-09:30", "at least an hour"),
    ("25:00-26:00", "not a time"),
    ("13pm-5pm", "not a time"),
    ("09:00-17:00 someday", "days of the week"),
])
def test_bad_hours_are_explained(text, error):
    with pytest.raises(BadArgument, match=error) as raised:
        parse_hours(text)
    assert raised.value.usage is None  # the command, not the domain, knows its grammar


def test_days_read_and_described():
    assert parse_days("weekdays") == "12345"
    assert describe_days("12345") == "Mon–Fri"
    assert describe_days("135") == "Mon, Wed, Fri"
    assert describe_days("1234567") == "every day"


@pytest.mark.parametrize(("tz", "instant", "starts"), [
    ("Europe/London", "2027-03-26T10:00:00", "2027-03-26T10:00:00"),  # inside: at once
    ("Europe/London", "2027-03-26T17:00:00", "2027-03-29T08:00:00"),  # Friday evening: Monday 09:00 BST
    ("America/New_York", "2027-03-10T03:00:00", "2027-03-10T14:00:00"),  # 22:00 Tuesday EST: 09:00 EST
    ("America/New_York", "2027-03-12T23:00:00", "2027-03-15T13:00:00"),  # Friday night: Monday 09:00 EDT
    ("Asia/Kolkata", "2027-03-10T12:00:00", "2027-03-11T03:30:00"),  # 17:30 IST: 09:00 the next morning
])
def test_the_next_start_of_working_hours_is_on_the_persons_own_clock(tz, instant, starts):
    assert WorkingHours(tz).next_start(at(instant)) == at(starts)


@pytest.mark.parametrize(("instant", "tomorrow"), [
    ("2027-03-24T15:00:00", "2027-03-25T09:00:00"),  # Wednesday afternoon: Thursday 09:00 GMT
    ("2027-03-24T07:00:00", "2027-03-25T09:00:00"),  # before Wednesday's hours: still Thursday
    ("2027-03-26T10:00:00", "2027-03-29T08:00:00"),  # Friday: Monday, 09:00 BST after the change
])
def test_tomorrow_is_the_next_working_day_at_the_start_of_its_hours(instant, tomorrow):
    assert WorkingHours("Europe/London").next_day_start(at(instant)) == at(tomorrow)
