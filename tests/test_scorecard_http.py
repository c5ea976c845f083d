"""`/cop scorecard` typed in Slack: a lead's one page, the chart in their DM, and what members and typos get."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Community, Person
from models.governance import budget as money
from tests.community import Typist, cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import START, TEAM


def budget_of_the_year(bot) -> None:
    """Alice allocates 5,000, approves 1,200.50 of Bob's, and Bob spends 200.50 of it."""
    with bot.services.sessions.begin() as session:
        alice, bob = (session.scalars(select(Person).where(Person.user_id == user)).one()
                      for user in ("UALICE", "UBOB"))
        place = session.scalars(select(Community)).one()
        money.allocate(session, community=place, year=2026, amount=Decimal(5000), by=alice, now=START)
        asked = money.request(session, community=place, year=2026, amount=Decimal("1200.50"), purpose="Speakers",
                              by=bob, now=START)
        money.decide(asked, approve=True, by=alice, now=START)
        money.spend(session, community=place, year=2026, amount=Decimal("200.50"), what="Train", by=bob, now=START)


def test_a_lead_sees_the_quarter_on_one_page_and_gets_the_chart_by_dm(bot, cop: Typist):
    cop("UBOB", 'plan add "Run two game days"')
    cop("UBOB", 'plan add "Write the &lt;on-call&gt; guide"')
    cop("UBOB", 'action add "Book the room"')
    cop("UBOB", 'action add "Write the scenario"')
    cop("UBOB", "plan link 1 1")
    cop("UBOB", "plan link 2 1")
    cop("UBOB", "action done 1")
    cop("UBOB", "plan done 2")
    cop("UBOB", "kpi set kudos 2")
    cop("UCHANDRA", "kudos <@UDANA|dana> for the runbook")
    cop("UBOB", 'kpi add "Talks given" 4')
    cop("UBOB", 'kpi record "Talks given" 2 DevOpsDays')
    budget_of_the_year(bot)
    shown = cop("UBOB", "scorecard")
    assert "Scorecard of DevOps CoP · Q4 2026" in shown and "Q4 2026 is under way" in shown
    assert "*Plan 2026*: 2 objectives: 1 done (1 in Q4 2026), 1 open" in shown
    assert "Run two game days · 1 of 2 linked actions done (50%)" in shown
    assert "Write the &lt;on-call&gt; guide" in shown
    assert "*KPIs 2026*: 0 of 2 KPIs with a target on track, 89% of the year gone" in shown
    assert "*kudos*: 1 of 2 · :red_circle: behind (due by then: 1.79)" in shown
    assert "“Talks given” (by hand): 2 of 4 · :red_circle: behind (due by then: 3.57)" in shown
    assert "allocated *EUR 5,000.00* · approved EUR 1,200.50 · spent EUR 200.50 · remaining *EUR 1,000.00*" in shown
    assert "Spent in Q4 2026: EUR 200.50" in shown and "*Health*: *" in shown
    assert "The KPI chart comes to you in a DM" in shown
    assert bot.slack.wait_for(lambda: bot.slack.files)
    [chart] = bot.slack.files.values()
    assert chart.filename.startswith("scorecard-") and chart.title.startswith("KPIs of DevOps CoP, Q4 2026")
    assert chart.alt_txt.startswith("Bar chart: KPIs of DevOps CoP, Q4 2026: value against pro-rata target")
    assert "value: kudos 1, Talks given 2." in chart.alt_txt and "pro-rata target: kudos 1.8, Talks given 3.6" in \
        chart.alt_txt
    [dm] = bot.slack.calls_to("conversations.open")[-1:]
    assert dm.args["users"] == "UBOB" and chart.channel is not None


def test_the_year_and_an_overall_lead(bot, cop: Typist):
    cop("UBOB", 'plan add "Run two game days"')
    shown = cop("UALICE", "scorecard year")
    assert "Scorecard of DevOps CoP · 2026" in shown and "Spent in" not in shown
    assert "No KPI has a target yet" in shown and "Nothing allocated, requested or spent yet" in shown
    assert "The KPI chart comes" not in shown
    assert "Scorecard of DevOps CoP · Q1 2026" in cop("UBOB", "scorecard q1")


def test_members_are_refused_and_nothing_is_shared(bot, cop: Typist):
    cop("UBOB", "kpi set kudos 2")
    said = cop("UDANA", "scorecard")
    assert "Only a lead of *DevOps CoP* can see its scorecard" in said and "Plan 2026" not in said
    assert "Only a lead" in cop("UCHANDRA", "scorecard year")
    assert bot.slack.files == {}


@pytest.mark.parametrize(("typed", "error"), [
    ("scorecard decade", "“decade” is not a period the scorecard knows"),
    ("scorecard q5", "“q5” is not a period"),
    ("scorecard 26", "“26” is not a period"),
])
def test_bad_periods_get_a_specific_error_and_the_usage(bot, cop: Typist, typed, error):
    said = cop("UBOB", typed)
    assert error in said and "/cop scorecard [quarter | year | q&lt;1-4&gt; [&lt;year&gt;] | &lt;year&gt;]" in said
    assert bot.slack.files == {}


def test_a_lead_turns_the_quarterly_scorecard_off_and_on(bot, cop: Typist):
    assert "no more your community's scorecard at the end of each quarter" in cop("UBOB", "scorecard dms off")
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.scorecard_dms).where(Person.team_id == TEAM,
                                                                  Person.user_id == "UBOB")).one() is False
    assert "`/cop scorecard dms off` turns it off again" in cop("UBOB", "scorecard dms on")
    said = cop("UBOB", "scorecard dms maybe")
    assert "Say `on` or `off`" in said and "/cop scorecard dms on|off" in said
