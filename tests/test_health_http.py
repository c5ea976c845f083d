"""`/cop health` typed in Slack: its formula, components, trend and chart; who may see it; its mistakes; and the
league that ranks by it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Community, Person
from models.health import HealthSnapshot, week_of
from tests.community import Typist, cop_fixture, stray_markup  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import START


def test_a_member_sees_the_formula_each_component_and_the_missing_ones(bot, cop: Typist):
    cop("UCHANDRA", "kudos <@UDANA|dana> for the runbook")  # Chandra gave (took part); Dana only received
    said = cop("UDANA", "health")
    assert "*Health of DevOps CoP*" in said
    assert "Health = 20% cadence kept + 15% attendance + 25% breadth + 15% follow-through + 10% newcomer " \
           "activation + 15% knowledge growth" in said
    assert "breadth: *25* (1 of 4 members active)" in said
    assert "cadence kept: _missing_ (no meeting was planned in the last 8 weeks) · weight 20%, left out" in said
    assert "Missing: cadence kept, attendance, follow-through, newcomer activation; the other weights are scaled " \
           "up to make 100%: breadth 62.5%, knowledge growth 37.5%" in said
    assert "knowledge growth: *0* (knowledge added in 0 of 1 weeks) · weight 15% → 37.5%" in said
    assert "*Health of DevOps CoP*: *16*/100" in said  # 62.5% of 25 + 37.5% of 0
    assert "no snapshot from 4 weeks ago yet" in said
    assert "fading" not in said.lower() and stray_markup(said) == []
    # The chart comes to her DM, after the answer.
    assert bot.slack.wait_for(lambda: bot.slack.shared_files("DDANA")), "no chart was shared in the DM"
    [chart] = bot.slack.shared_files("DDANA")
    assert chart.title == "Health of DevOps CoP" and chart.filename.endswith(".png") and "health" in chart.alt_txt


def test_the_trend_compares_with_the_snapshot_of_four_weeks_ago(bot, cop: Typist):
    with bot.services.sessions.begin() as session:
        place = session.scalars(select(Community)).one()
        session.add(HealthSnapshot(community_id=place.id, week=week_of(START) - dt.timedelta(weeks=4),
                                   taken_at=START - dt.timedelta(weeks=4), health=40, breadth=100, knowledge=0,
                                   members=3, active_members=3))
    cop("UBOB", "action add \"Write the runbook\"")
    said = cop("UBOB", "health #devops")
    assert "(↓" in said and "since the week of Mon 26 Oct 2026)" in said
    assert "breadth: *25* (1 of 4 members active) · weight 25% → 62.5% · ↓75" in said


def test_health_is_for_members_and_mistakes_are_specific(bot, cop: Typist):
    assert "You are not a member of *DevOps CoP*" in cop("UEVE", "health DevOps CoP", channel="CRANDOM")
    assert bot.slack.calls_to("files.getUploadURLExternal") == []
    assert "*Health of DevOps CoP*" in cop("UDANA", "health devops cop", channel="CRANDOM")
    assert "*Health of DevOps CoP*" in cop("UDANA", "health <#CDEVOPS|devops>", channel="CRANDOM")
    unknown = cop("UDANA", "health Knitting CoP")
    assert "There is no community called “Knitting CoP”" in unknown and "/cop health [&lt;community&gt;]" in unknown
    assert "not a community's channel" in cop("UDANA", "health <#CRANDOM|random>")
    assert "at most 80 characters" in cop("UDANA", "health " + "x" * 81)
    assert "/cop health dms on | off" in cop("UDANA", "health dms maybe")


def test_a_lead_turns_the_fading_warnings_off_and_on(bot, cop: Typist):
    assert "No more fading warnings" in cop("UBOB", "health dms off")
    with bot.services.sessions() as session:
        assert session.scalars(select(Person.fading_dms).where(Person.user_id == "UBOB")).one() is False
    assert "You'll hear privately" in cop("UBOB", "health dms on")


def test_the_league_ranks_by_the_index_and_its_footer_tells_the_formula(bot, cop: Typist):
    cop("UALICE", "setup Random CoP", channel="CRANDOM")  # Alice and Bob; nobody does anything there
    cop("UCHANDRA", "kudos <@UBOB|bob> for the review")
    board = cop("UALICE", "leaderboard week")
    assert board.index("*DevOps CoP* · health *16*") < board.index("*Random CoP* · health *0*")
    assert "missing: cadence kept, attendance, follow-through, newcomer activation" in board
    assert "Health = 20% cadence kept + 15% attendance + 25% breadth" in board
    assert "left out and the others' weights scaled up" in board and "kudos received do not" in board
    assert "60% participation" not in board and stray_markup(board) == []


def test_the_charts_comment_shows_a_community_name_as_typed_not_as_markup(bot, cop: Typist):
    with bot.services.sessions.begin() as session:
        session.scalars(select(Community)).one().name = "Ops <!channel> & <https://x.example|click>"
    for command in ("health", "growth"):
        cop("UDANA", command)
    # health's chart, and growth's two (members, contributions)
    assert bot.slack.wait_for(lambda: len(bot.slack.shared_files("DDANA")) == 3), "the charts were not shared"
    comments = [chart.initial_comment for chart in bot.slack.shared_files("DDANA")]
    assert all("Ops &lt;!channel&gt; &amp; &lt;https://x.example|click&gt;" in c for c in comments), comments
    assert all(stray_markup(c) == [] for c in comments)


def test_a_community_named_with_an_ampersand_is_found_as_slack_sends_it(bot, cop: Typist):
    with bot.services.sessions.begin() as session:
        session.scalars(select(Community)).one().name = "R&D CoP"
    # Slack escapes what people type in a command: `R&D` arrives as `R&amp;D`.
    assert "*Health of R&amp;D CoP*" in cop("UDANA", "health R&amp;D CoP", channel="CRANDOM")
    assert "*Growth of R&amp;D CoP*" in cop("UDANA", "growth r&amp;d cop", channel="CRANDOM")
