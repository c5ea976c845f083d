"""Asynchronous standups on the clock: each member asked at 09:30 their own time, once; summaries; blockers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, update

from models import Action, ActionStatus, Delivery, Person
from models.communities import create_community
from models.people import ProfileUpdate, Role, join_community, set_away, upsert_person
from models.standups import StandupAnswer, StandupRun
from models.standups.runs import is_blocker, parse_update, record_answer
from models.standups.settings import parse_clock, parse_days, set_schedule, standup_for
from scheduler.jobs import ask_standups, close_standups
from tests.factories import AROUND_THE_CLOCK

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
ZONES = {"ULONDON": "Europe/London", "UNEWYORK": "America/New_York", "UBERLIN": "Europe/Berlin",
         "UBANGALORE": "Asia/Kolkata"}


def make_person(session, user_id: str, tz: str):  # noqa: ANN001, ANN201
    profile = ProfileUpdate(display_name=user_id.lower(), tz=tz, is_bot=False, is_admin=False, is_guest=False,
                            deleted=False)
    return upsert_person(session, team_id="T1", user_id=user_id, profile=profile, now=NOW)


def scheduled_community(session, zones: dict[str, str] = ZONES, days: str = "mon,wed,fri"):  # noqa: ANN001, ANN201
    community = create_community(session, team_id="T1", channel_id="CSTAND", name="Platform CoP", created_by="U1",
                                 timezone="Europe/London", now=NOW)
    people = {}
    for n, (user_id, tz) in enumerate(zones.items()):
        people[user_id] = make_person(session, user_id, tz)
        join_community(session, community=community, person=people[user_id], now=NOW,
                       role=Role.LEAD if n == 0 else None)
    standup = standup_for(session, community=community)
    set_schedule(session, standup=standup, days=parse_days(days), at=parse_clock("09:30"))
    return community, people


def tick_through(session, start: dt.datetime, end: dt.datetime, step: dt.timedelta = dt.timedelta(minutes=15)) -> None:
    now = start
    while now <= end:
        ask_standups(session=session, now=now)
        now += step


def asked_at(session) -> dict[str, list[dt.datetime]]:  # noqa: ANN001
    found: dict[str, list[dt.datetime]] = {}
    for delivery in session.scalars(select(Delivery).where(Delivery.kind == "standup_ask").order_by(Delivery.id)):
        found.setdefault(delivery.channel, []).append(delivery.created_at)
    return found


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# 09:30 local on both sides of the European change (Sunday 28 March 2027) and of the American one
# (Sunday 14 March 2027): Friday before, Monday after.
ASKS = [
    ((2027, 3, 26), {"UBANGALORE": utc(2027, 3, 26, 4, 0), "UBERLIN": utc(2027, 3, 26, 8, 30),
                     "ULONDON": utc(2027, 3, 26, 9, 30), "UNEWYORK": utc(2027, 3, 26, 13, 30)}),
    ((2027, 3, 29), {"UBANGALORE": utc(2027, 3, 29, 4, 0), "UBERLIN": utc(2027, 3, 29, 7, 30),
                     "ULONDON": utc(2027, 3, 29, 8, 30), "UNEWYORK": utc(2027, 3, 29, 13, 30)}),
    ((2027, 3, 12), {"UBANGALORE": utc(2027, 3, 12, 4, 0), "UBERLIN": utc(2027, 3, 12, 8, 30),
                     "ULONDON": utc(2027, 3, 12, 9, 30), "UNEWYORK": utc(2027, 3, 12, 14, 30)}),
    ((2027, 3, 15), {"UBANGALORE": utc(2027, 3, 15, 4, 0), "UBERLIN": utc(2027, 3, 15, 8, 30),
                     "ULONDON": utc(2027, 3, 15, 9, 30), "UNEWYORK": utc(2027, 3, 15, 13, 30)}),
]


@pytest.mark.parametrize(("day", "expected"), ASKS)
def test_each_member_is_asked_at_0930_their_time_once_across_clock_changes(session, day, expected):
    scheduled_community(session)
    midnight = dt.datetime(*day, tzinfo=dt.UTC)
    tick_through(session, midnight - dt.timedelta(hours=12), midnight + dt.timedelta(hours=36))
    asked = asked_at(session)
    assert {user: times for user, times in asked.items()} == {user: [at] for user, at in expected.items()}
    for user, at in expected.items():
        assert at.astimezone(ZoneInfo(ZONES[user])).strftime("%H:%M") == "09:30"
    [run] = session.scalars(select(StandupRun)).all()
    assert run.run_date == dt.date(*day)
    assert run.closes_at == expected["UNEWYORK"] + dt.timedelta(hours=4)  # a window after the last one asked


def test_no_asks_on_other_days_and_ticking_twice_sends_nothing_new(session):
    scheduled_community(session)
    tuesday = utc(2027, 3, 30)
    tick_through(session, tuesday, tuesday + dt.timedelta(hours=23, minutes=45))
    assert asked_at(session) == {}
    monday_0930_london = utc(2027, 3, 29, 8, 30)
    assert ask_standups(session=session, now=monday_0930_london) == 3  # Bangalore, Berlin, London by now
    assert set(asked_at(session)) == {"UBANGALORE", "UBERLIN", "ULONDON"}
    assert ask_standups(session=session, now=monday_0930_london) == 0


def test_the_ask_scan_is_set_based(session):
    """The statements a tick costs do not grow with the number of members asked."""
    zones = ["Europe/London", "America/New_York", "Europe/Berlin", "Asia/Kolkata"]

    def statements_for(members: int) -> int:
        session.rollback()
        for model in (Delivery, StandupAnswer, StandupRun):
            session.execute(model.__table__.delete())
        community, _ = scheduled_community(session, {f"U{members}X{n:03d}": zones[n % 4] for n in range(members)})
        session.execute(update(Person).values(**AROUND_THE_CLOCK))  # asked at once, whatever their hour
        count = 0

        def counter(*args: object) -> None:
            nonlocal count
            count += 1

        bind = session.get_bind()
        event.listen(bind, "before_cursor_execute", counter)
        try:
            ask_standups(session=session, now=utc(2027, 3, 29, 16, 0))  # after 09:30 in all four zones
        finally:
            event.remove(bind, "before_cursor_execute", counter)
        assert len(asked_at(session)) == members
        session.rollback()
        return count

    assert statements_for(4) == statements_for(40)


def test_away_members_are_neither_asked_nor_missing_and_leads_hear_privately(session):
    community, people = scheduled_community(session)
    set_away(people["UBERLIN"], until=utc(2027, 3, 28, 23, 0), now=NOW)
    friday = utc(2027, 3, 26)
    tick_through(session, friday - dt.timedelta(hours=12), friday + dt.timedelta(hours=20))
    assert "UBERLIN" not in asked_at(session)
    [run] = session.scalars(select(StandupRun)).all()
    record_answer(session, run=run, person=people["UBANGALORE"], now=utc(2027, 3, 26, 5, 0),
                  answers=["Shipped the runner images", "Spot fleet", "Waiting on the security review"])
    record_answer(session, run=run, person=people["ULONDON"], now=utc(2027, 3, 26, 10, 0),
                  answers=["Docs", "More docs", "none"])
    assert close_standups(session=session, now=run.closes_at - dt.timedelta(minutes=1)) == 0
    queued = close_standups(session=session, now=run.closes_at)
    assert queued == 2  # the channel's summary, and one DM to the lead (ULONDON)
    assert close_standups(session=session, now=run.closes_at) == 0
    assert run.summary["missing"] == ["UNEWYORK"] and run.summary["away"] == []
    summary = session.scalars(select(Delivery).where(Delivery.kind == "standup_summary")).one()
    assert summary.channel == "CSTAND" and "UNEWYORK" not in str(summary.blocks) + summary.text
    assert "Waiting on the security review" in str(summary.blocks)
    private = session.scalars(select(Delivery).where(Delivery.kind == "standup_missing")).one()
    assert private.channel == "ULONDON" and "<@UNEWYORK>" in str(private.blocks)
    [blocked] = session.scalars(select(Action)).all()
    assert (blocked.status, blocked.title, blocked.owner_id) == (ActionStatus.BLOCKED, "Waiting on the security review",
                                                                 people["UBANGALORE"].id)
    assert blocked.blocked_at == utc(2027, 3, 26, 5, 0)


def test_answering_again_updates_the_same_blocked_action(session):
    community, people = scheduled_community(session)
    tick_through(session, utc(2027, 3, 26, 3, 0), utc(2027, 3, 26, 4, 0))
    [run] = session.scalars(select(StandupRun)).all()
    bangalore = people["UBANGALORE"]
    record_answer(session, run=run, person=bangalore, answers=["a", "b", "VPN access"], now=utc(2027, 3, 26, 5))
    record_answer(session, run=run, person=bangalore, answers=["a", "b", "VPN access for the new laptop"],
                  now=utc(2027, 3, 26, 6))
    [action] = session.scalars(select(Action)).all()
    assert action.title == "VPN access for the new laptop"


@pytest.mark.parametrize(("text", "blocked"), [
    ("none", False), ("No.", False), ("nothing blocking me", False), ("n/a", False), ("", False),
    ("no", False), ("Nothing", False), ("None today", False), ("nope, thanks", False),
    ("Waiting on legal", True), ("no access to prod", True),
])
def test_what_counts_as_a_blocker(text, blocked):
    assert is_blocker(text) is blocked


def test_free_text_updates_split_by_question():
    questions = ["Done?", "Next?", "Anything blocking you?"]
    assert parse_update("1. the runbook\n2) the pipeline\nblocker: VPN", questions=questions) == [
        "the runbook", "the pipeline", "VPN"]
    assert parse_update("Paired with Dana all day", questions=questions) == ["Paired with Dana all day", "", ""]


@pytest.mark.parametrize("text", [
    "1. shipped 2. docs 3. blocked on review",
    "shipped\ndocs\nblocked on review",
    "1) shipped\n\n2) docs 3) blocked on review",
    "Yesterday: shipped / Today: docs / Blockers: blocked on review",
    "Done: shipped\nNext: docs\nBlocked: blocked on review",
])
def test_updates_in_one_line_plain_lines_or_labelled_are_split_by_question(text):
    questions = ["What did you do since the last standup?", "What will you do next?", "Is anything blocking you?"]
    assert parse_update(text, questions=questions) == ["shipped", "docs", "blocked on review"]


def test_numbers_and_labels_that_are_not_marks_stay_in_the_text():
    questions = ["Done?", "Next?", "Anything blocking you?"]
    assert parse_update("upgraded to v2. then 3. things", questions=questions) == [
        "upgraded to v2. then 3. things", "", ""]  # no "1." opens it, so no later number is a mark
    assert parse_update("a\nb\nc\nd", questions=questions) == ["a\nb\nc\nd", "", ""]  # more lines than questions
    assert parse_update("Great day. Blockers: none", questions=questions) == ["Great day.", "", "none"]


@pytest.mark.parametrize(("days", "expected"), [("mon,wed,fri", "135"), ("weekdays", "12345"), ("mon-thu", "1234"),
                                                ("Tuesday Thursday", "24")])
def test_days_are_read(days, expected):
    assert parse_days(days) == expected


@pytest.mark.parametrize("bad", ["", "funday", "mon-funday"])
def test_bad_days_are_refused(bad):
    with pytest.raises(Exception, match="day"):
        parse_days(bad)


@pytest.mark.parametrize(("text", "expected"), [("09:30", dt.time(9, 30)), ("9am", dt.time(9)),
                                                ("4:15pm", dt.time(16, 15)), ("12am", dt.time(0))])
def test_clock_times_are_read(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize("bad", ["25:00", "13pm", "half nine", ""])
def test_bad_clock_times_are_refused(bad):
    with pytest.raises(Exception, match="time of day"):
        parse_clock(bad)
