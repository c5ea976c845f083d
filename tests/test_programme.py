"""The programme view and the year's ranking on known records across three communities (one healthy, one fading,
one new): every figure, the order, and statements that do not grow with the number of communities."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from handlers.events.home import home_tab
from models import ActionStatus, Community, ContributionKind, KnowledgeItem, KnowledgeKind, Meeting, Role
from models.errors import BadArgument
from models.governance.budget import BudgetCurrency, BudgetLine, LineKind, RequestStatus, budget_of, budgets_of
from models.governance.kpis import KpiTarget
from models.health import FadingEpisode, HealthSnapshot, week_of
from models.meetings import Attendance, AttendedBy, MeetingOccurrence
from models.programme import parse_league_year, programme, year_league
from models.when import Recurrence
from tests import factories
from tests.conftest import START, TEAM
from tests.test_job_statements import counting

DAY, WEEK = dt.timedelta(days=1), dt.timedelta(weeks=1)
AT = START  # Monday 23 November 2026, 08:00 UTC
LONG_AGO = AT - 400 * DAY
LAPSED = "No meeting for 70 days, twice the weekly cadence of “Sync” and more; none was ever held."


def _series(session, place: Community, first: dt.datetime) -> Meeting:
    meeting = Meeting(community_id=place.id, title="Sync", starts_at=first, recurrence=Recurrence("weekly").to_rule(),
                      created_at=LONG_AGO)
    session.add(meeting)
    session.flush()
    return meeting


def _hold(session, meeting: Meeting, slot: dt.datetime, people) -> None:
    row = MeetingOccurrence(meeting_id=meeting.id, original_at=slot, starts_at=slot, started_at=slot,
                            ended_at=slot + dt.timedelta(hours=1))
    session.add(row)
    session.flush()
    for person in people:
        session.add(Attendance(occurrence_id=row.id, person_id=person.id, attended_by=AttendedBy.HERE,
                               first_seen_at=slot))


def _snapshots(session, place: Community, health: int, weeks: range) -> None:
    for n in weeks:
        session.add(HealthSnapshot(community_id=place.id, week=week_of(AT) - n * WEEK, taken_at=AT - n * WEEK,
                                   health=health, members=4, active_members=2))


def build(session, at: dt.datetime = AT) -> dict[str, Community]:
    """Healthy CoP (health 84, up 4), Ebb CoP (health 10, down 50, a fading episode), New CoP (set up 10 days
    ago, health 31, no trend)."""
    healthy = factories.community(session, team_id=TEAM, channel_id="CHEALTHY", name="Healthy CoP", now=LONG_AGO)
    people = {u: factories.member(session, healthy, u, joined=LONG_AGO, role=Role.LEAD if u == "ULEAD" else
                                  Role.MEMBER).person for u in ("ULEAD", "UANN", "UBEN", "UCAT")}
    newcomer = factories.member(session, healthy, "UNEW", joined=at - 39 * DAY).person  # joined in October
    factories.contribute(session, healthy, newcomer, at - 34 * DAY, ContributionKind.IDEA)  # within 30 days
    for person in people.values():  # 4 of 5 members active
        factories.contribute(session, healthy, person, at - 2 * DAY)
    for week in range(8):  # knowledge added every week
        session.add(KnowledgeItem(community_id=healthy.id, kind=KnowledgeKind.TIP, title="Tip",
                                  created_at=at - (7 * week + 1) * DAY))
    for due in (10, 20):  # both actions due are closed
        factories.action(session, healthy, "Done", created=LONG_AGO, status=ActionStatus.DONE, due=at - due * DAY,
                         closed_at=at - due * DAY)
    first = at - 70 * DAY + dt.timedelta(hours=1)
    sync = _series(session, healthy, first)  # 8 weekly slots in the last 8 weeks, 6 held, each by 3 people
    for k in range(4, 10):
        _hold(session, sync, first + k * WEEK, [people["ULEAD"], people["UANN"], people["UBEN"]])
    _snapshots(session, healthy, 80, range(1, 21))
    session.add_all([KpiTarget(community_id=healthy.id, year=2026, name="meetings-held", target=Decimal(5)),
                     KpiTarget(community_id=healthy.id, year=2026, name="kudos", target=Decimal(50)),
                     BudgetCurrency(team_id=TEAM, code="GBP")])
    for kind, amount, status in ((LineKind.ALLOCATION, 5000, None), (LineKind.REQUEST, 3000, RequestStatus.APPROVED),
                                 (LineKind.REQUEST, 500, RequestStatus.PENDING), (LineKind.SPEND, 1200, None)):
        session.add(BudgetLine(community_id=healthy.id, year=2026, kind=kind, amount=Decimal(amount), status=status,
                               created_at=at - 30 * DAY))

    fading = factories.community(session, team_id=TEAM, channel_id="CFADING", name="Ebb CoP", now=LONG_AGO)
    faders = [factories.member(session, fading, f"UFA{n}", joined=LONG_AGO).person for n in range(4)]
    factories.contribute(session, fading, faders[0], at - 25 * DAY)  # 1 of 4 active
    _series(session, fading, at - 70 * DAY + dt.timedelta(hours=1))  # 8 slots planned, none held
    _snapshots(session, fading, 60, range(1, 21))
    session.add(FadingEpisode(community_id=fading.id, started_at=at - 7 * DAY, checked_at=at - 7 * DAY, reasons=[
        {"rule": "lapsed", "evidence": LAPSED},
        {"rule": "quiet", "evidence": "No message in the channel since Thu 29 Oct 2026."}]))

    new = factories.community(session, team_id=TEAM, channel_id="CNEW", name="New CoP", now=at - 10 * DAY)
    founder = factories.member(session, new, "UNW1", joined=at - 10 * DAY).person
    factories.member(session, new, "UNW2", joined=at - 10 * DAY)
    factories.contribute(session, new, founder, at - DAY)  # 1 of 2 active
    session.flush()
    return {"healthy": healthy, "fading": fading, "new": new}


def test_every_figure_of_every_community_on_known_records(session):
    build(session)
    found = programme(session, now=AT)
    assert [v.community.name for v in found.views] == ["Ebb CoP", "Healthy CoP", "New CoP"]
    fading, healthy, new = found.views
    assert (healthy.health, healthy.before, healthy.change) == (84, 80, 4)
    assert healthy.reading.components == {"cadence": 75, "attendance": 60, "breadth": 80, "follow_through": 100,
                                          "newcomers": 100, "knowledge": 100}
    assert (healthy.reading.members, healthy.reading.active, healthy.grown) == (5, 4, 1)
    assert [(f"{m.month:%b}", m.newcomers) for m in healthy.months] == [("Aug", 0), ("Sep", 0), ("Oct", 1),
                                                                         ("Nov", 0)]
    assert (healthy.kpis.on_track, healthy.kpis.with_targets) == (1, 2)  # meetings held on track, kudos not
    assert (healthy.reading.held, healthy.reading.planned) == (6, 8)
    budget = healthy.budget
    assert (budget.allocated, budget.approved, budget.spent, budget.requested) == (5000, 3000, 1200, 500)
    assert found.currency == "GBP"
    assert not healthy.needs_attention and healthy.fading is None and not healthy.new
    assert (fading.health, fading.change, fading.needs_attention) == (10, -50, True)
    assert fading.fading.reasons[0]["evidence"] == LAPSED
    assert (fading.kpis.with_targets, fading.budget.spent, fading.grown) == (0, 0, 0)
    assert (new.health, new.before, new.change, new.new, new.needs_attention) == (31, None, None, True, False)
    assert new.grown == 2 and new.months[-2].newcomers == 0  # founders are not newcomers
    assert (found.fading, found.falling, found.average) == (1, 0, round((84 + 10 + 31) / 3))


def test_attention_comes_first_fading_before_falling_then_the_rest_by_health(session):
    build(session)
    slipping = factories.community(session, team_id=TEAM, channel_id="CSLIP", name="Slipping CoP", now=LONG_AGO)
    for n in range(2):
        factories.member(session, slipping, f"USL{n}", joined=LONG_AGO)
    _snapshots(session, slipping, 90, range(4, 5))  # breadth 0 and knowledge 0 now: health 0, down 90
    archived = factories.community(session, team_id=TEAM, channel_id="COLD", name="Archived CoP", now=LONG_AGO)
    archived.archived_at = AT - DAY
    session.flush()
    found = programme(session, now=AT)
    assert [(v.community.name, v.health, v.needs_attention) for v in found.views] == [
        ("Ebb CoP", 10, True), ("Slipping CoP", 0, True), ("Healthy CoP", 84, False), ("New CoP", 31, False)]
    assert (found.fading, found.falling) == (1, 1)


def test_the_statements_do_not_grow_with_the_number_of_communities(session):
    build(session)
    session.expire_all()
    with counting(session.get_bind()) as three:
        programme(session, now=AT)
    with counting(session.get_bind()) as home_three:
        programme(session, now=AT, full=False)
    for n in range(9):
        more = factories.community(session, team_id=TEAM, channel_id=f"CMORE{n}", name=f"More {n}", now=LONG_AGO)
        who = factories.member(session, more, f"UMORE{n}", joined=LONG_AGO).person
        factories.contribute(session, more, who, AT - DAY)
        session.add(BudgetLine(community_id=more.id, year=2026, kind=LineKind.ALLOCATION, amount=Decimal(10),
                               created_at=AT - DAY))
        session.add(KpiTarget(community_id=more.id, year=2026, name="kudos", target=Decimal(1)))
        _snapshots(session, more, 50, range(1, 6))
    session.flush()
    session.expire_all()
    with counting(session.get_bind()) as twelve:
        found = programme(session, now=AT)
    with counting(session.get_bind()) as home_twelve:
        programme(session, now=AT, full=False)
    assert len(found.views) == 12
    assert len(three) == len(twelve) <= 20
    assert len(home_three) == len(home_twelve) <= 10


def test_budgets_of_many_communities_are_each_ones_own_in_one_statement(session):
    places = build(session)
    session.expire_all()
    communities = session.scalars(select(Community)).all()
    with counting(session.get_bind()) as statements:
        found = budgets_of(session, communities=communities, year=2026)
    assert len(statements) == 2  # the lines, and the workspace's currency
    for place in places.values():
        alone = budget_of(session, community=place, year=2026)
        assert (found[place.id].allocated, found[place.id].spent, found[place.id].currency) == (
            alone.allocated, alone.spent, alone.currency)
    assert found[places["healthy"].id].remaining == 1800
    assert budgets_of(session, communities=[], year=2026) == {}


def test_the_years_ranking_by_average_health_then_kpis_then_meetings(session):
    places = build(session)
    twin = factories.community(session, team_id=TEAM, channel_id="CTWIN", name="Twin CoP", now=LONG_AGO)
    _snapshots(session, twin, 80, range(1, 21))  # as healthy as Healthy CoP, but no KPI on track
    few = factories.community(session, team_id=TEAM, channel_id="CFEW", name="Few CoP", now=LONG_AGO)
    _snapshots(session, few, 100, range(1, 4))  # three weeks only: not ranked
    _snapshots(session, places["new"], 99, range(50, 60))  # 2025: not this year's
    session.flush()
    league = year_league(session, year=2026, now=AT)
    assert [(r.community.name, r.average, r.weeks, r.on_track, r.with_targets, r.meetings) for r in league.rows] == [
        ("Healthy CoP", Decimal("80.0"), 20, 1, 2, 6), ("Twin CoP", Decimal("80.0"), 20, 0, 0, 0),
        ("Ebb CoP", Decimal("60.0"), 20, 0, 0, 0)]
    assert league.unranked == 2 and league.under_way
    past = year_league(session, year=2025, now=AT)
    assert [(r.community.name, r.average) for r in past.rows] == [("New CoP", Decimal("99.0"))]
    assert not past.under_way


@pytest.mark.parametrize(("word", "expected"), [
    ("2027", "2027 has not begun yet"), ("26", "“26” is not a year"), ("１９９９", "is not a year"),
    ("1999", "nothing to rank before 2000"), ("last", "“last” is not a year")])
def test_a_year_that_cannot_be_ranked_is_refused_plainly(word, expected):
    with pytest.raises(BadArgument) as refused:
        parse_league_year(word, this_year=2026)
    assert expected in str(refused.value)
    assert parse_league_year("", this_year=2026) == 2026 and parse_league_year(" 2024 ", this_year=2026) == 2024


def test_an_overall_leads_home_tab_costs_the_same_statements_for_four_times_the_communities(session):
    build(session)
    alice = factories.person(session, "UALICE", team_id=TEAM, now=AT)

    def count() -> tuple[int, str]:
        session.expire_all()
        with counting(session.get_bind()) as statements:
            view = home_tab(session, person=alice, admin_ids=frozenset({"UALICE"}), now=AT)
        return len(statements), json.dumps(view.to_dict(), ensure_ascii=False)

    three, view = count()
    assert "3 communities" in view and "…and" not in view
    for n in range(9):
        more = factories.community(session, team_id=TEAM, channel_id=f"CMORE{n}", name=f"More {n}", now=LONG_AGO)
        factories.member(session, more, f"UMORE{n}", joined=LONG_AGO)
    session.flush()
    twelve, view = count()
    assert "12 communities" in view and "…and 7 more" in view
    assert three == twelve
    # Someone who is not an overall lead gets no programme section, and pays nothing for it.
    member = json.dumps(home_tab(session, person=alice, admin_ids=frozenset(), now=AT).to_dict())
    assert "The programme" not in member and "Your communities of practice" in member


def test_hundreds_of_communities_stay_within_slacks_limits_saying_how_many_more():
    from bot.blocks.programme import home_section, programme_message
    from bot.render import MAX_BLOCKS, SECTION_LIMIT
    from models.growth import MonthRow
    from models.health.measure import Reading
    from models.programme import CommunityView, Programme

    views = []
    for n in range(300):
        place = Community(id=n, team_id=TEAM, channel_id=f"C{n}", name=f"{n:03d} " + "x" * 76, timezone="UTC",
                          created_at=LONG_AGO)
        reading = Reading(place, AT, {"breadth": n % 100}, 10, n % 10, 8, 6, None, 0, 0, 0, 0, 0, 8,
                          ("cadence",))
        months = [MonthRow(n, dt.date(2026, m, 1), 10, 5, 1, 1, 0, 7) for m in range(8, 12)]
        episode = FadingEpisode(community_id=n, started_at=AT, checked_at=AT,
                                reasons=[{"rule": "quiet", "evidence": "<!channel> " + "y" * 300}]) if n % 7 else None
        views.append(CommunityView(reading, 100, episode, months))
    message = programme_message(Programme(AT, views, "EUR"))
    assert len(message.blocks) <= MAX_BLOCKS
    texts = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert all(len(text) <= SECTION_LIMIT for text in texts)
    shown = sum(text.count("• ") for text in texts)
    hidden = [int(n) for text in texts for n in re.findall(r"…and (\d+) more", text)]
    assert 0 < shown < 300 and hidden and shown + sum(hidden) == 300
    assert "<!channel>" not in json.dumps(message.blocks) and "&lt;!channel&gt;" in json.dumps(message.blocks)
    home = [b.to_dict() for b in home_section(Programme(AT, views, "EUR"))]
    assert "…and 295 more" in json.dumps(home, ensure_ascii=False)
