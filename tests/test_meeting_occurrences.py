"""Occurrences of a series: moved, cancelled, rescheduled, and reminded on the community's clock across DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models import Delivery
from models.communities import create_community
from models.meetings import MeetingOccurrence, schedule_meeting, upcoming_meetings
from models.meetings.agenda import add_agenda_item
from models.meetings.occurrences import (
    cancel_occurrence,
    find_occurrence,
    next_occurrences,
    occurrence_row,
    reschedule_occurrence,
    reschedule_series,
)
from models.meetings.reminders import RsvpAnswer, due_reminders, record_rsvp
from models.people import upsert_person
from models.when import Recurrence
from scheduler.jobs import send_due_reminders

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def local(tz: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


def community(session, tz: str = "Europe/London", channel: str = "CDST"):  # noqa: ANN001, ANN201
    return create_community(session, team_id="T1", channel_id=channel, name=f"CoP {tz}", created_by="U1",
                            timezone=tz, now=NOW)


def person(session, user_id: str = "U1"):  # noqa: ANN001, ANN201
    return upsert_person(session, team_id="T1", user_id=user_id, profile=None, now=NOW)


def four_weekly(session, tz: str):  # noqa: ANN001, ANN201
    """Every 4 weeks at 15:00 local from Tue 2 Mar 2027: Mar 30 and Oct 12 / Nov 9 straddle both changes."""
    return schedule_meeting(session, community=community(session, tz), title="Show and tell",
                            starts_at=local(tz, 2027, 3, 2, 15, 0), recurrence=Recurrence("weekly", 4),
                            created_by=None, now=NOW)


# Both sides of the March and October (November in the US) changes of 2027, at 15:00 local.
DST_CASES = [
    ("Europe/London", [(2027, 3, 2, 15), (2027, 3, 30, 14), (2027, 10, 12, 14), (2027, 11, 9, 15)]),
    ("America/Los_Angeles", [(2027, 3, 2, 23), (2027, 3, 30, 22), (2027, 10, 12, 22), (2027, 11, 9, 23)]),
]


@pytest.mark.parametrize(("tz", "utc_hours"), DST_CASES)
def test_series_stays_at_1500_local_on_both_sides_of_each_clock_change(session, tz, utc_hours):
    meeting = four_weekly(session, tz)
    for year, month, day, hour in utc_hours:
        start = dt.datetime(year, month, day, hour, 0, tzinfo=dt.UTC)
        assert start.astimezone(ZoneInfo(tz)).hour == 15
        [found] = next_occurrences(session, meeting=meeting, after=start - dt.timedelta(days=1))
        assert found.starts_at == start


@pytest.mark.parametrize(("tz", "utc_hours"), DST_CASES)
def test_reminders_fire_an_hour_before_1500_local_across_clock_changes_and_once(session, tz, utc_hours):
    four_weekly(session, tz)
    for year, month, day, hour in utc_hours:
        start = dt.datetime(year, month, day, hour, 0, tzinfo=dt.UTC)
        assert send_due_reminders(session=session, now=start - dt.timedelta(hours=24, minutes=1)) == 0
        assert send_due_reminders(session=session, now=start - dt.timedelta(hours=24)) == 1
        assert send_due_reminders(session=session, now=start - dt.timedelta(minutes=61)) == 0
        assert send_due_reminders(session=session, now=start - dt.timedelta(minutes=60)) == 1
        assert send_due_reminders(session=session, now=start - dt.timedelta(minutes=60)) == 0  # same instant again
        keys = set(session.scalars(select(Delivery.key).where(Delivery.kind == "reminder")))
        assert {f"reminder:1:{start:%Y%m%dT%H%MZ}:{offset}:CDST" for offset in ("1440m", "60m")} <= keys


def test_moving_one_occurrence_leaves_the_series_and_carries_its_rsvps(session):
    meeting = four_weekly(session, "Europe/London")
    bob = person(session, "UBOB")
    march_30 = local("Europe/London", 2027, 3, 30, 15, 0)
    occurrence = find_occurrence(session, meeting=meeting, now=march_30 - dt.timedelta(days=2))
    assert occurrence.starts_at == march_30
    record_rsvp(session, occurrence=occurrence_row(session, occurrence), person=bob, answer=RsvpAnswer.YES,
                now=NOW)
    moved_to = local("Europe/London", 2027, 3, 31, 10, 0)
    row = reschedule_occurrence(session, occurrence=occurrence, starts_at=moved_to, now=NOW)
    assert (row.original_at, row.starts_at) == (march_30, moved_to)
    after = march_30 - dt.timedelta(days=2)
    upcoming = next_occurrences(session, meeting=meeting, after=after, count=2)
    assert [o.starts_at for o in upcoming] == [moved_to, local("Europe/London", 2027, 4, 27, 15, 0)]
    # The reminder follows the occurrence to its new time; none fires at the old one.
    [due] = due_reminders(session, now=march_30 - dt.timedelta(minutes=30))
    assert (due.starts_at, due.offset_minutes) == (moved_to, 24 * 60)  # not "starts in 1 hour" at the old time
    [due] = due_reminders(session, now=moved_to - dt.timedelta(minutes=30))
    assert (due.starts_at, due.slot, due.offset_minutes) == (moved_to, march_30, 60)


def test_cancelling_one_occurrence_skips_it_and_its_reminders(session):
    meeting = four_weekly(session, "America/Los_Angeles")
    march_30 = local("America/Los_Angeles", 2027, 3, 30, 15, 0)
    occurrence = find_occurrence(session, meeting=meeting, now=march_30 - dt.timedelta(days=1))
    cancel_occurrence(session, occurrence=occurrence, now=NOW)
    assert due_reminders(session, now=march_30 - dt.timedelta(minutes=30)) == []
    [following] = next_occurrences(session, meeting=meeting, after=march_30 - dt.timedelta(days=1))
    assert following.starts_at == local("America/Los_Angeles", 2027, 4, 27, 15, 0)


def test_occurrence_on_a_day_is_found_in_the_readers_zone(session):
    meeting = four_weekly(session, "America/Los_Angeles")  # 15:00 in LA is already the next day in Bengaluru
    on = dt.date(2027, 3, 3)
    found = find_occurrence(session, meeting=meeting, now=NOW, on=on, tz="Asia/Kolkata")
    assert found.starts_at == local("America/Los_Angeles", 2027, 3, 2, 15, 0)
    with pytest.raises(Exception, match="no occurrence on Wed 3 Mar 2027"):
        find_occurrence(session, meeting=meeting, now=NOW, on=on, tz="America/Los_Angeles")


def test_rescheduling_the_series_moves_prepared_occurrences_in_order(session):
    meeting = four_weekly(session, "Europe/London")
    c = meeting.community
    first = find_occurrence(session, meeting=meeting, now=NOW)
    item = add_agenda_item(session, community=c, occurrence=occurrence_row(session, first), text="Runbooks",
                           person=None, now=NOW)
    cancelled = next_occurrences(session, meeting=meeting, after=NOW, count=2)[1]
    cancel_occurrence(session, occurrence=cancelled, now=NOW)
    new_start = local("Europe/London", 2027, 3, 4, 16, 0)  # Thursdays at 16:00, fortnightly
    reschedule_series(session, meeting=meeting, starts_at=new_start, recurrence=Recurrence("weekly", 2),
                      duration=dt.timedelta(minutes=30), now=NOW)
    upcoming = next_occurrences(session, meeting=meeting, after=NOW, count=3)
    assert [o.starts_at for o in upcoming] == [new_start, local("Europe/London", 2027, 3, 18, 16, 0),
                                               local("Europe/London", 2027, 4, 1, 16, 0)]  # BST from 28 Mar
    rows = session.scalars(select(MeetingOccurrence).where(MeetingOccurrence.meeting_id == meeting.id)).all()
    assert [(r.original_at, r.cancelled_at) for r in rows] == [(new_start, None)]  # the old cancellation is gone
    assert item.occurrence_id == rows[0].id
    assert meeting.duration_minutes == 30


def test_upcoming_meetings_lists_a_one_off_moved_later(session):
    c = community(session)
    meeting = schedule_meeting(session, community=c, title="Retro", starts_at=NOW + dt.timedelta(days=1),
                               created_by=None, now=NOW)
    occurrence = find_occurrence(session, meeting=meeting, now=NOW)
    later = NOW + dt.timedelta(days=9)
    reschedule_occurrence(session, occurrence=occurrence, starts_at=later, now=NOW)
    [listed] = upcoming_meetings(session, community=c, now=NOW + dt.timedelta(days=2))
    assert listed.starts_at == later
    # and the reminder scan finds it even though the meeting's own start has passed
    [due] = due_reminders(session, now=later - dt.timedelta(minutes=10))
    assert due.starts_at == later


def test_moves_and_reschedules_refuse_the_past(session):
    meeting = four_weekly(session, "Europe/London")
    occurrence = find_occurrence(session, meeting=meeting, now=NOW)
    with pytest.raises(Exception, match="future"):
        reschedule_occurrence(session, occurrence=occurrence, starts_at=NOW - dt.timedelta(hours=1), now=NOW)
    with pytest.raises(Exception, match="future"):
        reschedule_series(session, meeting=meeting, starts_at=NOW, recurrence=None,
                          duration=dt.timedelta(hours=1), now=NOW)
