"""The scorecard read from known records: periods on the community's clock, plan progress, KPI values at a
quarter's end, budget figures, and the quarterly DM to each lead (once, muted, held while away, with its chart)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.blocks.scorecard import kpi_chart, scorecard_dm
from bot.charts import Chart
from models import ActionStatus, Delivery, HeldNotice, Role
from models.errors import BadArgument
from models.governance import budget as money
from models.governance.kpis import set_target
from models.governance.plan import ObjectiveStatus, add_objective, close_objective, link_action
from models.governance.scorecard import parse_period, period, quarter_of, scorecard_of
from scheduler.runner import run_tick
from scheduler.scorecards import send_scorecards
from tests import factories
from tests.conftest import TEAM
from tests.test_job_statements import N, communities, enrol, grown

UTC = dt.UTC
NY = "America/New_York"
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
# 23:30 on 30 September in New York: already October in UTC, still the third quarter where the community is.
LAST_OF_Q3 = dt.datetime(2026, 10, 1, 3, 30, tzinfo=UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def place(session):
    """A New York community with a year of records: a plan, a KPI, closed actions and a budget."""
    place = factories.community(session, team_id=TEAM, tz=NY, now=dt.datetime(2025, 12, 1, tzinfo=UTC))
    lead = factories.member(session, place, "UBOB", joined=place.created_at, role=Role.LEAD).person
    factories.member(session, place, "UCHANDRA", joined=place.created_at)
    overall = factories.person(session, "UALICE", team_id=TEAM, now=place.created_at)
    closed = [dt.datetime(2026, 2, 10, tzinfo=UTC), dt.datetime(2026, 2, 11, tzinfo=UTC),
              dt.datetime(2026, 8, 1, tzinfo=UTC), dt.datetime(2026, 9, 2, tzinfo=UTC), LAST_OF_Q3,
              dt.datetime(2026, 10, 15, tzinfo=UTC)]
    done = [factories.action(session, place, f"Done {n}", created=at - DAY, status=ActionStatus.DONE, closed_at=at)
            for n, at in enumerate(closed)]
    set_target(session, community=place, year=2026, name="actions-closed", target=Decimal(8), by=lead, now=NOW)
    first = add_objective(session, community=place, year=2026, text="Run two game days", by=lead, now=NOW)
    second = add_objective(session, community=place, year=2026, text="Write the on-call guide", by=lead, now=NOW)
    add_objective(session, community=place, year=2026, text="Start a book club", by=lead, now=NOW)
    link_action(session, community=place, action_id=done[0].id, objective=first)
    waiting = factories.action(session, place, "Book the room", created=NOW)
    link_action(session, community=place, action_id=waiting.id, objective=first)
    close_objective(second, status=ObjectiveStatus.DONE, now=LAST_OF_Q3)
    money.allocate(session, community=place, year=2026, amount=Decimal(5000), by=overall, now=closed[0])
    asked = money.request(session, community=place, year=2026, amount=Decimal("1200.50"), purpose="Speakers",
                          by=lead, now=closed[0])
    money.decide(asked, approve=True, by=overall, now=closed[0])
    money.request(session, community=place, year=2026, amount=Decimal(300), purpose="Pizza", by=lead, now=NOW)
    money.spend(session, community=place, year=2026, amount=Decimal("200.50"), what="Train", by=lead, now=LAST_OF_Q3)
    money.spend(session, community=place, year=2026, amount=Decimal(100), what="Room", by=lead,
                now=dt.datetime(2026, 10, 2, tzinfo=UTC))
    session.flush()
    return place


def test_periods_follow_the_community_clock(session, place):
    q1 = period(place, 2026, 1)
    assert (q1.start, q1.end) == (dt.datetime(2026, 1, 1, 5, tzinfo=UTC), dt.datetime(2026, 4, 1, 4, tzinfo=UTC))
    q4 = period(place, 2026, 4)
    assert (q4.start, q4.end, q4.label) == (dt.datetime(2026, 10, 1, 4, tzinfo=UTC),
                                            dt.datetime(2027, 1, 1, 5, tzinfo=UTC), "Q4 2026")
    # Half past eleven on New Year's Eve in New York is 04:30 on 1 January in UTC: still the old quarter.
    assert quarter_of(place, dt.datetime(2027, 1, 1, 4, 30, tzinfo=UTC)) == (2026, 4)
    assert quarter_of(place, dt.datetime(2027, 1, 1, 5, 0, tzinfo=UTC)) == (2027, 1)
    assert quarter_of(place, LAST_OF_Q3) == (2026, 3)


@pytest.mark.parametrize(("typed", "label"), [("", "Q4 2026"), ("quarter", "Q4 2026"), ("year", "2026"),
                                              ("Q1", "Q1 2026"), ("q3 2025", "Q3 2025"), ("2025", "2025")])
def test_what_the_scorecard_command_understands(session, place, typed, label):
    assert parse_period(typed, community=place, now=NOW).label == label


@pytest.mark.parametrize("typed", ["decade", "q5", "q3 26", "quarter year", "1999", "q2 2026 extra"])
def test_other_periods_are_refused_saying_what_would_do(session, place, typed):
    with pytest.raises(BadArgument, match="not a period the scorecard knows: say `quarter`"):
        parse_period(typed, community=place, now=NOW)


@pytest.mark.parametrize("typed", ["2027", "q1 2027", "q4 2030"])
def test_a_period_still_to_come_is_refused_rather_than_shown_as_under_way(session, place, typed):
    with pytest.raises(BadArgument, match="has not begun yet: say `quarter`"):
        parse_period(typed, community=place, now=NOW)
    # Q1 without a year is this year's, long begun; Q4 is the one under way.
    assert parse_period("q4", community=place, now=NOW).label == "Q4 2026"


def test_a_past_quarter_is_measured_at_its_end(session, place):
    card = scorecard_of(session, community=place, period=period(place, 2026, 3), now=NOW)
    assert card.finished and card.at == dt.datetime(2026, 10, 1, 4, tzinfo=UTC) - dt.timedelta(microseconds=1)
    [closed] = [score for score in card.kpis if score.name == "actions-closed"]
    # Five closed by the end of September in New York (the one at 23:30 on the 30th too), none of October's.
    # 273 days less the hour DST took, of 365: 74.78% of the year, so 5.98 of the 8 were due.
    assert (closed.value, closed.target, closed.expected, closed.on_track) == (
        Decimal(5), Decimal(8), Decimal("5.98"), False)
    assert card.spent_in_period == Decimal("200.50")
    assert card.closed_in_period == 1
    assert [(p.objective.number, p.linked, p.closed, p.percent) for p in card.plan] == [
        (1, 2, 1, 50), (2, 0, 0, None), (3, 0, 0, None)]
    budget = card.budget
    assert (budget.allocated, budget.approved, budget.requested, budget.spent, budget.remaining) == (
        Decimal(5000), Decimal("1200.50"), Decimal(0), Decimal("200.50"), Decimal("1000.00"))
    # The health index at the quarter's end: nobody did anything in the last 30 days and no knowledge was kept
    # (both 0); no meeting was planned, no action had a due date and nobody joined since set-up (no data).
    assert card.health is not None and card.health.score == 0
    assert card.health.detail == ("breadth 0 · knowledge growth 0 (no data: cadence kept, attendance, "
                                  "follow-through, newcomer activation)")


def test_the_quarter_under_way_and_the_year_are_measured_now(session, place):
    q4 = scorecard_of(session, community=place, period=period(place, 2026, 4), now=NOW)
    year = scorecard_of(session, community=place, period=period(place, 2026), now=NOW)
    for card in (q4, year):
        assert not card.finished and card.at == NOW
        assert [s.value for s in card.kpis if s.name == "actions-closed"] == [Decimal(6)]
    assert (q4.spent_in_period, q4.closed_in_period) == (Decimal(100), 0)
    text = str(scorecard_dm(q4).blocks)
    assert "Plan 2026*: 3 objectives: 1 done (0 in Q4 2026), 2 open" in text
    assert "*actions-closed*: 6 of 8" in text and "Spent in Q4 2026: EUR 100.00" in text
    assert "remaining *EUR 900.00*" in text and "waiting for approval EUR 300.00" in text
    year_text = str(scorecard_dm(year).blocks)
    assert "spent EUR 300.50" in year_text and "Spent in" not in year_text


def test_the_chart_sets_each_kpi_against_its_pro_rata_target(session, place):
    chart = kpi_chart(scorecard_of(session, community=place, period=period(place, 2026, 3), now=NOW))
    assert chart is not None and chart.kind == "bar" and list(chart.labels) == ["actions-closed"]
    assert [list(s.values) for s in chart.series] == [[5.0], [5.98]]
    alt = chart.alt_text()
    assert alt.startswith("Bar chart: KPIs of DevOps CoP, Q3 2026") and "value: actions-closed 5." in alt
    assert "pro-rata target: actions-closed 6.0" in alt and "75% of the year gone by 30 Sep 2026" in alt
    # As the outbox keeps it, and draws it again.
    again = Chart.from_dict(json.loads(json.dumps(chart.to_dict())))
    assert again.alt_text() == alt and again.to_dict() == chart.to_dict()


# The quarterly job. Monday 4 January 2027, 15:00 UTC: 10:00 in New York, inside working hours.
MONDAY = dt.datetime(2027, 1, 4, 15, 0, tzinfo=UTC)


def keys(session, kind: str) -> list[tuple[str, str]]:
    return [tuple(row) for row in session.execute(select(Delivery.key, Delivery.channel).where(
        Delivery.kind == kind).order_by(Delivery.id))]


def test_each_lead_gets_the_quarter_just_ended_once(session, place):
    factories.member(session, place, "UCOLEAD", joined=place.created_at, role=Role.CO_LEAD)
    factories.around_the_clock(session, "UBOB", "UCOLEAD", team_id=TEAM, now=NOW)
    assert send_scorecards(session=session, now=dt.datetime(2026, 12, 31, 15, tzinfo=UTC)) == 0
    assert send_scorecards(session=session, now=MONDAY) == 2
    sent = keys(session, "scorecard")
    assert sent == [(f"scorecard:{place.id}:2026-q4:dm:UBOB", "UBOB"),
                    (f"scorecard:{place.id}:2026-q4:dm:UCOLEAD", "UCOLEAD")]
    assert keys(session, "scorecard_chart") == [(f"{key}:chart", user) for key, user in sent]
    [chart] = session.scalars(select(Delivery.chart).where(Delivery.key == sent[0][0] + ":chart"))
    assert chart["kind"] == "bar" and chart["labels"] == ["actions-closed"]
    assert send_scorecards(session=session, now=MONDAY + DAY) == 0
    assert len(keys(session, "scorecard")) == 2
    # A lead named during the first week still gets it; after it, the quarter's moment has passed.
    factories.member(session, place, "UDANA", joined=MONDAY, role=Role.LEAD)
    factories.around_the_clock(session, "UDANA", team_id=TEAM, now=NOW)
    assert send_scorecards(session=session, now=MONDAY + 2 * DAY) == 1
    factories.member(session, place, "UEVE", joined=MONDAY, role=Role.LEAD)
    assert send_scorecards(session=session, now=dt.datetime(2027, 1, 8, 5, 1, tzinfo=UTC)) == 0
    # The next quarter's, in April.
    assert send_scorecards(session=session, now=dt.datetime(2027, 4, 1, 15, tzinfo=UTC)) == 4


def test_the_leads_of_an_archived_community_get_no_scorecard_until_it_is_back(session, place):
    factories.around_the_clock(session, "UBOB", team_id=TEAM, now=NOW)
    place.archived_at = dt.datetime(2026, 12, 20, tzinfo=UTC)  # paused before the quarter ended
    session.flush()
    assert send_scorecards(session=session, now=MONDAY) == 0
    assert keys(session, "scorecard") == []
    place.archived_at = None  # back within the quarter's first week: the scorecard still goes
    session.flush()
    assert send_scorecards(session=session, now=MONDAY + DAY) == 1


def test_a_muted_lead_gets_nothing_and_an_away_lead_finds_it_in_the_digest(session, place):
    bob = factories.person(session, "UBOB", team_id=TEAM, now=NOW)
    bob.scorecard_dms = False
    away = factories.member(session, place, "UCOLEAD", joined=place.created_at, role=Role.CO_LEAD,
                            away_until=MONDAY + 3 * DAY).person
    session.flush()
    assert send_scorecards(session=session, now=MONDAY) == 0
    assert keys(session, "scorecard") == [] and keys(session, "scorecard_chart") == []
    [held] = session.scalars(select(HeldNotice)).all()
    assert (held.person_id, held.kind) == (away.id, "scorecard")
    assert "The Q4 2026 scorecard of DevOps CoP: 0 of 1 KPIs on track" in held.summary
    assert send_scorecards(session=session, now=MONDAY + 4 * DAY) == 0  # held once is handled
    assert len(session.scalars(select(HeldNotice)).all()) == 1


def test_the_scorecard_and_its_chart_reach_the_lead_through_the_outbox(services, slack, sessions):
    with sessions.begin() as session:
        place = factories.community(session, team_id=TEAM, tz=NY, now=dt.datetime(2026, 6, 1, tzinfo=UTC))
        lead = factories.member(session, place, "UBOB", joined=place.created_at, role=Role.LEAD).person
        set_target(session, community=place, year=2026, name="kudos", target=Decimal(4), by=lead, now=place.created_at)
        factories.around_the_clock(session, "UBOB", team_id=TEAM, now=place.created_at)
    run_tick(services, now=MONDAY)
    assert slack.wait_for(lambda: slack.files)
    [message] = [m for m in slack.messages_in("UBOB") if m.text.startswith("Scorecard of DevOps CoP")]
    assert "Q4 2026 has ended" in str(message.blocks) and "Stop scorecards" in str(message.blocks)
    [shared] = slack.files.values()
    assert shared.filename.startswith("scorecard-") and shared.filename.endswith(".png")
    assert shared.alt_txt is not None and shared.alt_txt.startswith("Bar chart: KPIs of DevOps CoP, Q4 2026")
    assert "value: kudos 0" in shared.alt_txt and "pro-rata target: kudos 4" in shared.alt_txt
    assert shared.channel is not None and shared.content and "each value against" in shared.initial_comment
    run_tick(services, now=MONDAY + dt.timedelta(hours=2))
    assert len(slack.files) == 1
    assert len([m for m in slack.messages_in("UBOB") if m.text.startswith("Scorecard of")]) == 1


def test_the_quarterly_job_costs_the_same_for_four_times_the_leads(sessions):
    """Two communities (London and Berlin), each led by the same lead and by N, then 4N, more."""
    ids = communities(sessions, 2)
    first_of_april = dt.datetime(2027, 4, 2, 10, 0, tzinfo=UTC)

    def grow(session, start: int, count: int) -> None:  # noqa: ANN001
        for membership in enrol(session, ids, start, count):
            membership.role = Role.CO_LEAD
            session.add(Delivery(key=f"other:{membership.id}", team_id=TEAM, channel=membership.person.user_id,
                                 text="An earlier DM", kind="nudge", created_at=first_of_april - DAY))

    small, large = grown(sessions, send_scorecards, grow, at=first_of_april)
    assert (small.result, large.result) == (2 * (N + 1), 2 * (4 * N + 1))
    assert large.statements == small.statements, (small, large)
