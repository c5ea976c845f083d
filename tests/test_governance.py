"""KPIs scored from records made here, on track at chosen dates, in statements that do not grow with members;
amounts as people type them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from models import ActionStatus, Community, ContributionKind, KnowledgeItem, KnowledgeKind, Kudos, Meeting
from models.governance.kpis import elapsed, measure, scores, scores_many, set_target
from models.governance.money import BadAmount, parse_amount
from models.meetings.occurrences import MeetingOccurrence
from models.meetings.records import AttendedBy, Decision, record_attendance
from tests import factories
from tests.conftest import TEAM
from tests.test_job_statements import counting

UTC = dt.UTC
DAY = dt.timedelta(days=1)
SET_UP = dt.datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
AT = dt.datetime(2026, 7, 2, 12, 0, tzinfo=UTC)  # half of the London year gone


def _community(session):
    place = factories.community(session, team_id=TEAM, now=SET_UP)
    lead = factories.member(session, place, "UBOB", joined=SET_UP)
    return place, lead.person


def _meeting(session, place, lead, starts: dt.datetime, attendees, *, cancelled: bool = False):
    meeting = Meeting(community_id=place.id, title="Sync", starts_at=starts, created_by_id=lead.id, created_at=SET_UP)
    session.add(meeting)
    session.flush()
    occurrence = MeetingOccurrence(meeting_id=meeting.id, original_at=starts, starts_at=starts, started_at=starts,
                                   cancelled_at=starts if cancelled else None)
    session.add(occurrence)
    session.flush()
    for person in attendees:
        record_attendance(session, occurrence=occurrence, person=person, attended_by=AttendedBy.HERE, now=starts)


def test_each_metric_counts_exactly_its_records_of_the_year(session):
    place, lead = _community(session)
    dana = factories.member(session, place, "UDANA", joined=dt.datetime(2026, 5, 1, tzinfo=UTC)).person
    eve = factories.member(session, place, "UEVE", joined=dt.datetime(2026, 5, 1, tzinfo=UTC)).person
    factories.contribute(session, place, dana, dt.datetime(2026, 5, 20, tzinfo=UTC))  # within 30 days of joining
    factories.contribute(session, place, eve, dt.datetime(2026, 6, 15, tzinfo=UTC))  # 45 days after: not a newcomer's
    factories.contribute(session, place, lead, dt.datetime(2026, 3, 1, tzinfo=UTC))  # not in the last 30 days
    factories.contribute(session, place, lead, AT - DAY, ContributionKind.JOINED)  # joining is no contribution
    _meeting(session, place, lead, dt.datetime(2026, 2, 3, tzinfo=UTC), [lead, dana, eve])
    _meeting(session, place, lead, dt.datetime(2026, 3, 3, tzinfo=UTC), [lead])
    _meeting(session, place, lead, dt.datetime(2026, 4, 3, tzinfo=UTC), [lead, dana], cancelled=True)
    _meeting(session, place, lead, dt.datetime(2025, 12, 3, tzinfo=UTC), [lead])  # last year
    _meeting(session, place, lead, AT + DAY, [lead])  # not yet
    for closed in (dt.datetime(2026, 2, 1, tzinfo=UTC), dt.datetime(2025, 12, 31, 23, 0, tzinfo=UTC)):
        factories.action(session, place, "Done", created=closed, status=ActionStatus.DONE, closed_at=closed)
    factories.action(session, place, "Open", created=AT - DAY)
    session.add_all([
        KnowledgeItem(community_id=place.id, kind=KnowledgeKind.TIP, title="Tip", created_at=AT - DAY),
        Decision(community_id=place.id, text="Yes", created_at=AT - 2 * DAY),
        Decision(community_id=place.id, text="Later", created_at=AT + DAY),
        Kudos(community_id=place.id, giver_id=dana.id, receiver_id=eve.id, reason="r", given_on=dt.date(2026, 6, 1),
              slot_key="k1", created_at=dt.datetime(2026, 6, 1, tzinfo=UTC)),
    ])
    session.flush()
    assert measure(session, community=place, year=2026, now=AT) == {
        "meetings-held": 2, "attendance": Decimal("2.0"), "newcomers-active": 1, "actions-closed": 1,
        "knowledge-items": 1, "decisions": 1, "kudos": 1, "active-members": 1}
    # For the year before, everything counted was then; the London year began at midnight London time.
    assert measure(session, community=place, year=2025, now=AT)["actions-closed"] == 1
    assert measure(session, community=place, year=2025, now=AT)["meetings-held"] == 1


def test_on_track_is_pro_rata_for_totals_and_the_target_itself_for_levels(session):
    place, lead = _community(session)
    assert elapsed(place, 2026, AT) == Decimal("0.5000")  # 2 July at noon UTC: half the London year
    set_target(session, community=place, year=2026, name="decisions", target=Decimal(10), by=lead, now=AT)
    set_target(session, community=place, year=2026, name="active-members", target=Decimal(1), by=lead, now=AT)
    for day in range(5):
        session.add(Decision(community_id=place.id, text="d", created_at=dt.datetime(2026, 3, 1 + day, tzinfo=UTC)))
    factories.contribute(session, place, lead, AT - DAY)
    session.flush()
    found = {s.name: s for s in scores(session, community=place, year=2026, now=AT)}
    assert (found["decisions"].value, found["decisions"].expected, found["decisions"].on_track) == (
        5, Decimal("5.00"), True)
    assert found["active-members"].expected == 1 and found["active-members"].on_track is True
    assert found["kudos"].on_track is None  # no target: neither on track nor behind
    later = {s.name: s for s in scores(session, community=place, year=2026, now=dt.datetime(2026, 9, 1, tzinfo=UTC))}
    assert later["decisions"].on_track is False and later["active-members"].on_track is False


@pytest.mark.parametrize("members", [3, 12])
def test_scoring_costs_the_same_statements_however_many_members(session, members):
    place, lead = _community(session)
    for n in range(members):
        joined = dt.datetime(2026, 3, 1, tzinfo=UTC) + n * dt.timedelta(hours=1)
        person = factories.member(session, place, f"UNEW{n}", joined=joined).person
        factories.contribute(session, place, person, joined + DAY)
        factories.contribute(session, place, person, AT - DAY)
    session.flush()
    with counting(session.get_bind()) as counted:
        found = {s.name: s.value for s in scores(session, community=place, year=2026, now=AT)}
    assert found["newcomers-active"] == members and found["active-members"] == members
    assert len(counted) == 4  # targets, the metrics, the newcomers, the hand-counted KPIs


@pytest.mark.parametrize("count", [2, 6])
def test_scores_of_many_communities_are_each_ones_own_in_statements_per_zone_not_per_community(session, count):
    places = []
    for n in range(count):
        # half in London, half in Tokyo: a year that starts at each one's own midnight
        place = factories.community(session, team_id=TEAM, channel_id=f"CPLACE{n}", name=f"Place {n}",
                                    tz="Europe/London" if n % 2 else "Asia/Tokyo", now=SET_UP)
        lead = factories.member(session, place, "UBOB", joined=SET_UP).person
        for d in range(n + 1):
            session.add(Decision(community_id=place.id, text="d", created_at=dt.datetime(2026, 3, 1 + d, tzinfo=UTC)))
        # 31 December 2025 at 20:00 UTC is already 2026 in Tokyo, still 2025 in London
        session.add(Decision(community_id=place.id, text="eve", created_at=dt.datetime(2025, 12, 31, 20, tzinfo=UTC)))
        factories.contribute(session, place, lead, AT - DAY)
        set_target(session, community=place, year=2026, name="decisions", target=Decimal(4), by=lead, now=AT)
        places.append(place)
    session.flush()
    with counting(session.get_bind()) as counted:
        many = scores_many(session, communities=places, year=2026, now=AT)
    assert len(counted) == 2 + 2 * 2  # targets and hand counts, then metrics and newcomers for each of two zones
    for n, place in enumerate(places):
        alone = {s.name: s for s in scores(session, community=place, year=2026, now=AT)}
        assert {s.name: s for s in many[place.id]} == alone
        assert alone["decisions"].value == n + 1 + (0 if n % 2 else 1)
        assert alone["active-members"].value == 1

    # Asked for some metrics of each, only those are measured (the rest not even counted) and scored the same.
    wanted = {place.id: ({"decisions"} if n % 2 else {"active-members", "attendance"})
              for n, place in enumerate(places)}
    with counting(session.get_bind()) as counted:
        some = scores_many(session, communities=places, year=2026, now=AT, metrics=wanted)
    assert len(counted) == 2 + 2  # targets and hand counts, then the metrics of each zone, without its newcomers
    assert not any("min(contributions.occurred_at)" in statement for statement in counted)  # no newcomer's first
    for place in places:
        alone = {s.name: s for s in many[place.id]}
        assert {s.name: s for s in some[place.id]} == {name: alone[name] for name in sorted(wanted[place.id])}


@pytest.mark.parametrize("typed", ["0", "0.00", "-5", "12.345", "١٢", "12e3", "1 000", "", "1000000000000",
                                   "12.", ".5", "NaN", "Infinity"])
def test_amounts_that_are_refused(typed):
    with pytest.raises(BadAmount):
        parse_amount(typed)


@pytest.mark.parametrize(("typed", "amount"), [("12", Decimal("12")), ("99.5", Decimal("99.50")),
                                               ("1,200.75", Decimal("1200.75")), ("999999999999.99",
                                                                                   Decimal("999999999999.99"))])
def test_amounts_that_are_read(typed, amount):
    assert parse_amount(typed) == amount and isinstance(parse_amount(typed), Decimal)


JANUARY = dt.datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


def _led_communities(session, count: int):
    made = []
    for n in range(count):
        place = factories.community(session, team_id=TEAM, channel_id=f"C{n:04d}", name=f"CoP {n}", now=SET_UP)
        factories.member(session, place, "UMEMBER", joined=SET_UP)
        made.append(place)
    return made


def test_in_january_each_lead_is_asked_once_to_set_the_years_kpis(session):
    from models import Delivery, Role
    from scheduler.governance import ask_for_kpis

    ours, theirs = _led_communities(session, 2)
    for place in (ours, theirs):
        factories.member(session, place, "UBOB", joined=SET_UP, role=Role.LEAD)
    bob = factories.person(session, "UBOB", team_id=TEAM, now=SET_UP)
    set_target(session, community=theirs, year=2027, name="kudos", target=Decimal(5), by=bob, now=JANUARY)
    assert ask_for_kpis(session=session, now=dt.datetime(2026, 12, 31, 12, tzinfo=UTC)) == 0  # not January yet
    assert ask_for_kpis(session=session, now=JANUARY) == 1
    assert ask_for_kpis(session=session, now=JANUARY + DAY) == 0  # once per community and year
    [ask] = factories.deliveries(session, kind="kpi_ask")
    assert (ask.key, ask.channel) == (f"kpis:ask:{ours.id}:2027:dm:UBOB", "UBOB")
    assert "/cop kpi set" in json.dumps(ask.blocks) and session.get(Delivery, ask.id) is not None
    assert ask_for_kpis(session=session, now=dt.datetime(2027, 2, 1, 12, tzinfo=UTC)) == 0


def test_asking_for_kpis_costs_the_same_statements_for_four_times_the_leads(sessions):
    from models import Role
    from scheduler.governance import ask_for_kpis
    from tests.test_job_statements import assert_flat, grown

    with sessions.begin() as session:
        ids = [place.id for place in _led_communities(session, 3)]

    def grow(session, start: int, count: int) -> None:
        for community_id in ids:
            place = session.get_one(Community, community_id)
            for n in range(start, start + count):
                factories.member(session, place, f"ULEAD{n}", joined=SET_UP, role=Role.CO_LEAD)

    small, large = grown(sessions, ask_for_kpis, grow, at=JANUARY)
    assert_flat(small, large, work=3 * 4)
