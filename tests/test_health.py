"""The health index on known records: each component, missing ones left out with the weights renormalised,
kudos received not counting as taking part, and the league that ranks by it."""

from __future__ import annotations

import datetime as dt

import pytest

from models import ActionStatus, ContributionKind, KnowledgeItem, KnowledgeKind, Meeting, Role
from models.governance.kpis import measure
from models.health import WEIGHTS, index_of, read_health, used_weights
from models.health.league import league
from models.meetings import Attendance, AttendedBy, MeetingOccurrence
from models.people import join_community, leave_community
from models.when import Recurrence
from tests import factories
from tests.conftest import START, TEAM
from tests.test_job_statements import counting

DAY, WEEK = dt.timedelta(days=1), dt.timedelta(weeks=1)
LONG_AGO = START - 400 * DAY


def test_the_published_weights_add_up_and_missing_components_are_left_out():
    assert sum(WEIGHTS.values()) == pytest.approx(1)
    full = {"cadence": 80, "attendance": 40, "breadth": 50, "follow_through": 100, "newcomers": 0, "knowledge": 25}
    assert index_of(full) == round(0.2 * 80 + 0.15 * 40 + 0.25 * 50 + 0.15 * 100 + 0.1 * 0 + 0.15 * 25)
    # No actions due and no meeting: three components missing, the other weights scaled to make 100%.
    part = dict(full, cadence=None, attendance=None, follow_through=None)
    assert used_weights(part) == pytest.approx({"breadth": 0.5, "newcomers": 0.2, "knowledge": 0.3})
    assert index_of(part) == round(0.5 * 50 + 0.2 * 0 + 0.3 * 25)
    assert index_of(dict.fromkeys(full)) is None  # nothing to measure: no number, rather than a made-up 0


def _knowledge(session, place, at: dt.datetime) -> None:  # noqa: ANN001
    session.add(KnowledgeItem(community_id=place.id, kind=KnowledgeKind.TIP, title="A tip", created_at=at))


def _hold(session, meeting: Meeting, slot: dt.datetime, attendees=(), cancelled: bool = False) -> None:  # noqa: ANN001
    row = MeetingOccurrence(meeting_id=meeting.id, original_at=slot, starts_at=slot,
                            cancelled_at=slot - DAY if cancelled else None,
                            started_at=None if cancelled else slot, ended_at=None if cancelled else slot + WEEK / 168)
    session.add(row)
    session.flush()
    for person in attendees:
        session.add(Attendance(occurrence_id=row.id, person_id=person.id, attended_by=AttendedBy.HERE,
                               first_seen_at=slot))
    session.flush()


@pytest.fixture
def place(session):  # noqa: ANN201
    return factories.community(session, team_id=TEAM, now=LONG_AGO)


def test_every_component_from_known_records(session, place):
    member = {}
    for user in ("ULEAD", "UANN", "UBEN", "UCAT", "UDAN"):
        member[user] = factories.member(session, place, user, joined=LONG_AGO,
                                        role=Role.LEAD if user == "ULEAD" else Role.MEMBER).person
    factories.member(session, place, "UBOT", joined=LONG_AGO, is_bot=True)  # bots are not members that count
    # Newcomers: one took part within 30 days, one did nothing, one was only thanked, one is still in their 30 days.
    for user, joined in (("UNEW1", 40), ("UNEW2", 50), ("UNEW3", 60), ("UNEW4", 10)):
        member[user] = factories.member(session, place, user, joined=START - joined * DAY).person
    factories.contribute(session, place, member["UNEW1"], START - 35 * DAY, ContributionKind.IDEA)
    factories.contribute(session, place, member["UNEW3"], START - 55 * DAY, ContributionKind.KUDOS_RECEIVED)
    # Breadth: Ann wrote, the lead gave kudos; Ben received kudos and Cat appreciation, which is not taking part.
    factories.contribute(session, place, member["UANN"], START - 5 * DAY)
    factories.contribute(session, place, member["ULEAD"], START - 3 * DAY, ContributionKind.KUDOS_GIVEN)
    factories.contribute(session, place, member["UBEN"], START - 3 * DAY, ContributionKind.KUDOS_RECEIVED)
    factories.contribute(session, place, member["UCAT"], START - 2 * DAY, ContributionKind.APPRECIATION_RECEIVED)
    # Follow-through: four actions due in the last 90 days, three closed; a dropped one and an old one do not count.
    for n, status in enumerate((ActionStatus.DONE, ActionStatus.DONE, ActionStatus.DONE, ActionStatus.OPEN)):
        factories.action(session, place, f"A{n}", created=LONG_AGO, status=status, due=START - (n + 1) * 10 * DAY)
    factories.action(session, place, "Dropped", created=LONG_AGO, status=ActionStatus.DROPPED, due=START - DAY)
    factories.action(session, place, "Old", created=LONG_AGO, status=ActionStatus.OPEN, due=START - 100 * DAY)
    # Cadence: a weekly series; 8 slots in the last 8 weeks, 6 held, one cancelled, one skipped.
    first = START - 70 * DAY + dt.timedelta(hours=1)
    meeting = Meeting(community_id=place.id, title="Sync", starts_at=first, recurrence=Recurrence("weekly").to_rule(),
                      created_at=LONG_AGO)
    session.add(meeting)
    session.flush()
    people = [member["UANN"], member["UBEN"], member["UCAT"]]
    for k in (2, 3, 4):
        _hold(session, meeting, first + k * WEEK, people)
    _hold(session, meeting, first + 7 * WEEK, cancelled=True)
    # Attendance: in the last 4 weeks, meetings of 3, 2 and 1 people: 2 at an average meeting.
    for k, present in ((6, people), (8, people[:2]), (9, people[:1])):
        _hold(session, meeting, first + k * WEEK, present)
    # Knowledge added in 3 of the last 8 weeks.
    for days in (1, 2, 9, 38):
        _knowledge(session, place, START - days * DAY)
    _knowledge(session, place, START - 70 * DAY)
    session.flush()

    [reading] = read_health(session, now=START)
    assert (reading.members, reading.active) == (9, 2)
    assert (reading.planned, reading.held, reading.attendees) == (8, 6, 2)
    assert (reading.due, reading.closed, reading.newcomers, reading.activated) == (4, 3, 3, 1)
    assert (reading.knowledge_weeks, reading.weeks_counted) == (3, 8)
    assert reading.components == {"cadence": 75, "attendance": 22, "breadth": 22, "follow_through": 75,
                                  "newcomers": 33, "knowledge": 38}
    assert reading.missing == ()
    assert reading.health == round(0.2 * 75 + 0.15 * 22 + 0.25 * 22 + 0.15 * 75 + 0.1 * 33 + 0.15 * 38) == 44


def test_kudos_received_make_nobody_active_and_missing_components_are_renormalised(session, place):
    ann = factories.member(session, place, "UANN", joined=LONG_AGO).person
    ben = factories.member(session, place, "UBEN", joined=LONG_AGO).person
    factories.contribute(session, place, ann, START - DAY, ContributionKind.KUDOS_RECEIVED)
    factories.contribute(session, place, ben, START - DAY, ContributionKind.APPRECIATION_RECEIVED)
    factories.contribute(session, place, ben, START - DAY, ContributionKind.JOINED)
    [reading] = read_health(session, now=START)
    assert reading.active == 0 and reading.components["breadth"] == 0
    assert reading.missing == ("cadence", "attendance", "follow_through", "newcomers")
    factories.contribute(session, place, ann, START - DAY, ContributionKind.REACTION_GIVEN)
    _knowledge(session, place, START - DAY)
    session.flush()
    [reading] = read_health(session, now=START)
    assert reading.components["breadth"] == 50 and reading.components["knowledge"] == round(100 / 8)
    # Only breadth (25%) and knowledge growth (15%) have data: they weigh 62.5% and 37.5%.
    assert reading.health == round(0.625 * 50 + 0.375 * 12)


def test_a_young_community_counts_knowledge_over_the_weeks_it_has_lived(session):
    young = factories.community(session, team_id=TEAM, now=START - 10 * DAY)
    _knowledge(session, young, START - DAY)
    session.flush()
    [reading] = read_health(session, now=START)
    assert (reading.knowledge_weeks, reading.weeks_counted, reading.components["knowledge"]) == (1, 2, 50)


def test_the_league_ranks_by_the_index_in_a_fixed_number_of_statements(session, place):
    quiet = factories.community(session, team_id=TEAM, channel_id="CQUIET", name="Quiet CoP", now=LONG_AGO)
    empty = factories.community(session, team_id=TEAM, channel_id="CEMPTY", name="Empty CoP", now=START - DAY)
    session.delete(empty)  # an empty workspace's last community left: the league still reads cleanly
    for where in (place, quiet):
        ann = factories.member(session, where, "UANN", joined=LONG_AGO).person
        factories.member(session, where, "UBEN", joined=LONG_AGO)
    factories.contribute(session, place, ann, START - 40 * DAY)  # Ann took part in Quiet long ago only
    factories.contribute(session, quiet, ann, START - 40 * DAY)
    ben = factories.person(session, "UBEN", team_id=TEAM, now=START)
    factories.contribute(session, place, ben, START - DAY, ContributionKind.THREAD_REPLY)
    session.flush()
    with counting(session.get_bind()) as statements:
        table = league(session, now=START, days=30)
    assert [(row.reading.community.name, row.reading.health, row.contributions) for row in table] == [
        ("DevOps CoP", round((0.25 * 50 + 0.15 * 0) / 0.4), 1), ("Quiet CoP", 0, 0)]
    assert len(statements) <= 9


def test_someone_who_comes_back_is_no_newcomer_in_health_or_in_the_kpi(session, place):
    ann = factories.member(session, place, "UANN", joined=LONG_AGO).person
    leave_community(session, community=place, person=ann, now=START - 60 * DAY)
    join_community(session, community=place, person=ann, now=START - 40 * DAY)  # back, and active at once
    new = factories.member(session, place, "UNEW", joined=START - 40 * DAY).person
    for person in (ann, new):
        factories.contribute(session, place, person, START - 35 * DAY, ContributionKind.IDEA)
    session.flush()
    [reading] = read_health(session, now=START)
    assert (reading.newcomers, reading.activated) == (1, 1)  # only the one who never was a member before
    # both came back or joined in October of START's year: the year's newcomers-active KPI counts one too
    assert measure(session, community=place, year=START.year, now=START)["newcomers-active"] == 1
