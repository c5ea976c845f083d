"""Five weeks of a community spread over London, New York, Berlin and Bengaluru, ticked every half hour
across both of 2027's spring clock changes (14 March in the US, 28 March in Europe).

Everyone must get each digest at 09:00 on their own clock, and each nudge inside their own working
hours, never twice, never more often than every fourteen days and never over their weekly budget.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import select

from models import Delivery, HeldNotice, Person, Role
from models.attention import BUDGET_WINDOW, BUDGETED_DELIVERY_KINDS
from models.hours import WorkingHours, zone_of
from models.meetings import schedule_meeting
from models.when import Recurrence
from scheduler.runner import run_tick
from tests import factories
from tests.conftest import TEAM

UTC = dt.UTC
START = dt.datetime(2027, 3, 1, 0, 0, tzinfo=UTC)  # a Monday
END = dt.datetime(2027, 4, 5, 0, 0, tzinfo=UTC)  # five weeks later
STEP = dt.timedelta(minutes=30)  # Bengaluru's 09:00 is at half past the UTC hour
MONDAYS = ["2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22", "2027-03-29"]
ZONES = {"UALICE": "Europe/London", "UBOB": "America/New_York", "UDANA": "Europe/Berlin",
         "UCHANDRA": "Asia/Kolkata"}


def simulate(services) -> tuple[list[Delivery], list[HeldNotice], dict[str, Person]]:
    with services.sessions.begin() as session:
        place = factories.community(session, team_id=TEAM, now=START - dt.timedelta(days=60))
        joined = START - dt.timedelta(days=60)
        alice = factories.member(session, place, "UALICE", joined=joined, role=Role.LEAD, digest_dm=True).person
        bob = factories.member(session, place, "UBOB", joined=joined, digest_dm=True).person
        factories.member(session, place, "UDANA", joined=joined, digest_dm=True, lurker=True)
        factories.member(session, place, "UCHANDRA", joined=joined, digest_dm=True, dm_budget=0)
        factories.member(session, place, "UHELPER", joined=joined, is_bot=True, digest_dm=True)
        factories.contribute(session, place, bob, START - dt.timedelta(days=30))
        factories.contribute(session, place, alice, START - dt.timedelta(days=1))
        schedule_meeting(session, community=place, title="Weekly sync", recurrence=Recurrence("weekly"),
                         starts_at=START + dt.timedelta(days=2, hours=15), created_by=alice, now=joined)
        place_id, alice_id = place.id, alice.id
    now = START
    while now < END:
        if now.hour == 12 and now.minute == 0:  # Alice says something every day, so she is never quiet
            with services.sessions.begin() as session:
                factories.contribute(session, session.get(type(place), place_id), session.get(Person, alice_id), now)
        report = run_tick(services, now=now)
        assert report.dispatched.failed == 0, report.dispatched.errors
        if sum(report.queued.values()):  # whenever something went out, tick again: nothing more may
            again = run_tick(services, now=now)
            assert sum(again.queued.values()) == 0, (now, again.queued)
        now += STEP
    with services.sessions() as session:
        rows = session.execute(select(Delivery, Person.tz).outerjoin(Person, Person.user_id == Delivery.channel)
                               .order_by(Delivery.id)).all()
        held = session.scalars(select(HeldNotice).order_by(HeldNotice.id)).all()
        people = {p.user_id: p for p in session.scalars(select(Person))}
        return [d for d, _ in rows], held, people


def local(instant: dt.datetime, tz: str) -> str:
    return instant.astimezone(zone_of(tz)).strftime("%Y-%m-%d %a %H:%M")


@pytest.mark.long(first=True)  # by far the longest test: begun first, the others fill in beside it
@pytest.mark.timeout(400)  # 1,680 ticks: far longer than any other test, and longer still on a busy machine
def test_a_month_across_both_spring_clock_changes(services, slack):
    sent, held, people = simulate(services)
    digest_dms_at_each_readers_nine(sent)
    channel_digest_at_the_communitys_slot(sent)
    nudges_inside_hours_fortnightly_and_only_to_the_willing(sent, held, people)
    never_over_anyones_weekly_budget(sent, people)
    assert len([m for m in slack.messages_in("UBOB")]) == 5 + 3  # digests and nudges, as Slack saw them


def digest_dms_at_each_readers_nine(sent: list[Delivery]) -> None:
    by_reader = defaultdict(list)
    for delivery in sent:
        if delivery.kind == "digest_dm":
            by_reader[delivery.channel].append(local(delivery.created_at, ZONES[delivery.channel]))
    assert by_reader == {user: [f"{day} Mon 09:00" for day in MONDAYS] for user in ZONES}
    assert all(d.status.value == "sent" for d in sent)


def channel_digest_at_the_communitys_slot(sent: list[Delivery]) -> None:
    posted = [local(d.created_at, "Europe/London") for d in sent if d.kind == "digest"]
    assert posted == [f"{day} Mon 09:00" for day in MONDAYS]


def nudges_inside_hours_fortnightly_and_only_to_the_willing(sent: list[Delivery], held: list[HeldNotice],
                                                            people: dict[str, Person]) -> None:
    nudges = [d for d in sent if d.kind == "nudge"]
    # Bob has been quiet all along: at the start of his first working day, then fourteen days to the hour
    # later, which after New York's change on the 14th is 10:00 on his clock, still inside his hours.
    assert [(d.channel, local(d.created_at, ZONES["UBOB"])) for d in nudges] == [
        ("UBOB", "2027-03-01 Mon 09:00"), ("UBOB", "2027-03-15 Mon 10:00"), ("UBOB", "2027-03-29 Mon 10:00")]
    for delivery in nudges:
        assert WorkingHours.of(people[delivery.channel]).contains(delivery.created_at)
    # Chandra's budget is zero: her nudges waited for her digests instead, and were shown there.
    assert [h.kind for h in held] == ["nudge", "nudge", "nudge"]
    assert all(h.person_id == people["UCHANDRA"].id and h.released_at is not None for h in held)
    assert {d.channel for d in sent if d.kind in BUDGETED_DELIVERY_KINDS
            and d.kind not in ("fading", "scorecard")} == {"UBOB"}
    # The first quarter ends with the month: its lead is sent the quarter's scorecard once, as April begins in
    # London (23:00 UTC on 31 March, summer time having started).
    assert [(d.channel, str(d.created_at)[:16]) for d in sent if d.kind == "scorecard"] == [
        ("UALICE", "2027-03-31 23:00")]
    # The weekly sync was scheduled but never held: once copbot has watched for four weeks, its lead hears, once.
    assert [(d.channel, local(d.created_at, ZONES["UALICE"])[:10]) for d in sent if d.kind == "fading"] == [
        ("UALICE", "2027-03-29")]


def never_over_anyones_weekly_budget(sent: list[Delivery], people: dict[str, Person]) -> None:
    budgeted = [d for d in sent if d.kind in BUDGETED_DELIVERY_KINDS]
    for delivery in budgeted:
        window = [d for d in budgeted if d.channel == delivery.channel
                  and delivery.created_at - BUDGET_WINDOW < d.created_at <= delivery.created_at]
        assert len(window) <= people[delivery.channel].dm_budget
