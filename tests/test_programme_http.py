"""`/cop programme`, its section of the Home tab and `/cop leaderboard year`, typed in Slack over three known
communities (one healthy, one fading, one new): what an overall lead sees, the charts in their DM, who is refused,
and the year's ranking posted in the channel with its criteria, naming no person and no community as fading."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from models import Community
from tests import factories
from tests.community import Typist, stray_markup
from tests.conftest import START
from tests.test_events_http import send_event
from tests.test_programme import build


@pytest.fixture
def cop(bot) -> Typist:
    with bot.services.sessions.begin() as session:
        build(session, at=START)
        factories.member(session, session.scalars(select(Community).where(Community.name == "New CoP")).one(),
                         "UCHANDRA", joined=START - dt.timedelta(days=10))
    return Typist(bot)


def test_an_overall_lead_sees_every_community_attention_first_with_each_figure(bot, cop: Typist):
    shown = cop("UALICE", "programme", channel="CRANDOM")  # Alice is a workspace admin: an overall lead
    assert "*The programme*: 3 communities · average health *38* · 1 fading · 0 falling" in shown
    assert shown.index("*Needs attention*") < shown.index("*Ebb CoP*") < shown.index("*By health*") \
        < shown.index("*Healthy CoP*") < shown.index("*New CoP*")
    assert ("*Healthy CoP* · health *84* ↑4 · 5 members, 4 active (+1 since the end of Aug, 1 new in Oct) · KPIs 1 "
            "of 2 on track · meetings 6 of 8 kept · budget GBP 1,200.00 spent of 3,000.00 approved (5,000.00 "
            "allocated)") in shown
    assert (":seedling: *Ebb CoP* · health *10* ↓50 · 4 members, 1 active (±0 since the end of Aug, 0 new in "
            "Oct) · no KPI targets · meetings 0 of 8 kept · no budget") in shown
    assert "_fading since Mon 16 Nov 2026_: No meeting for 70 days, twice the weekly cadence of “Sync” and more; " \
           "none was ever held. (+1 more)" in shown
    assert "*New CoP* · health *21* · 3 members, 1 active (+3 since the end of Aug, 0 new in Oct)" in shown
    assert "_new_ (set up Fri 13 Nov 2026)" in shown
    assert "Only overall leads see this view" in shown and stray_markup(shown) == []
    assert bot.slack.wait_for(lambda: len(bot.slack.shared_files(bot.slack.dm_channel("UALICE"))) == 2)
    health, members = sorted(bot.slack.shared_files(bot.slack.dm_channel("UALICE")), key=lambda f: f.id)
    assert health.title == "Health per community" and health.content.startswith(b"\x89PNG")
    assert health.alt_txt.startswith("Bar chart: Health per community, Healthy CoP to Ebb CoP.")
    assert "Health (points): Healthy CoP 84, New CoP 21, Ebb CoP 10." in health.alt_txt
    assert members.title == "Members of the programme" and members.filename.endswith(".png")
    assert members.alt_txt.startswith("Line chart: Members of the programme, Dec 25 to Nov 26.")
    assert "Members: " in members.alt_txt and "Active members: " in members.alt_txt
    assert cop("UALICE", "program", channel="CRANDOM").count("*Healthy CoP*") == 1  # the other spelling


@pytest.mark.parametrize(("user", "text", "expected", "usage"), [
    ("UCHANDRA", "programme", "Only an overall lead sees the programme view", False),
    ("UBOB", "program", "Only an overall lead sees the programme view", False),
    ("UALICE", "programme everything", "`/cop programme` takes nothing after it", True),
])
def test_members_are_refused_plainly_and_bad_input_gets_the_usage(bot, cop: Typist, user, text, expected, usage):
    said = cop(user, text, channel="CRANDOM")
    assert expected in said and ":warning:" in said
    assert ("Usage: `/cop programme`" in said) is usage
    assert "Healthy CoP" not in said and "fading" not in said.lower()
    bot.settle()
    assert bot.slack.files == {}


def _home(bot, user: str) -> str:
    assert send_event(bot, bot.requests.app_home_opened(user=user)) == 200
    assert bot.slack.wait_for(lambda: bot.slack.home_view(user) is not None)
    return json.dumps(bot.slack.home_view(user)["blocks"], ensure_ascii=False)


def test_the_home_tab_shows_the_programme_to_overall_leads_only(bot, cop: Typist):
    alice = _home(bot, "UALICE")
    assert "The programme" in alice and "3 communities · average health *38* · 1 fading · 0 falling" in alice
    assert alice.index(":seedling: *Ebb CoP* · health *10* ↓50 · 1 of 4 members active · fading since Mon 16 "
                       "Nov 2026") < alice.index("*Healthy CoP* · health *84* ↑4") < alice.index("*New CoP*")
    assert alice.index("The programme") < alice.index("Your communities of practice")
    chandra = _home(bot, "UCHANDRA")
    assert "The programme" not in chandra and "Ebb CoP" not in chandra and "*New CoP*" in chandra


def test_the_years_ranking_is_posted_in_the_channel_with_its_criteria_and_no_one_named(bot, cop: Typist):
    reply = cop("UCHANDRA", "leaderboard year")
    assert "posted here" in reply
    assert bot.slack.wait_for(lambda: bot.posts_in("CDEVOPS"))
    [post] = bot.posts_in("CDEVOPS")
    text = json.dumps(post.blocks, ensure_ascii=False) + post.text
    assert "*Top communities of 2026 (so far)*" in text
    assert ("1. *Healthy CoP* · average health *80.0* over 20 weeks · KPIs 1 of 2 on track · 6 meetings held"
            in text)
    assert "2. *Ebb CoP* · average health *60.0* over 20 weeks · no KPI targets · 0 meetings held" in text
    assert "Ranked by the average of the weekly health snapshots over the year (communities with at least 4 of " \
           "them); ties broken by KPIs on track, then by meetings held in the year." in text
    assert "1 community with fewer than 4 snapshots in 2026 is not ranked." in text
    assert "fading" not in text.lower() and "<@" not in text and "<!" not in text
    # The plain leaderboard is as it was: private to the asker, by health now.
    board = cop("UCHANDRA", "leaderboard")
    assert "*Communities by health*" in board and len(bot.posts_in("CDEVOPS")) == 1


def test_a_past_year_is_ranked_and_a_year_to_come_is_refused_posting_nothing(bot, cop: Typist):
    assert "posted here" in cop("UALICE", "leaderboard year 2025", channel="CDEVOPS")
    assert bot.slack.wait_for(lambda: bot.posts_in("CDEVOPS"))
    [post] = bot.posts_in("CDEVOPS")
    assert "Top communities of 2025*" in json.dumps(post.blocks, ensure_ascii=False)
    assert "No community has 4 weekly health snapshots in 2025" in json.dumps(post.blocks, ensure_ascii=False)
    said = cop("UALICE", "leaderboard year 2031")
    assert "2031 has not begun yet" in said and "/cop leaderboard year [&lt;year&gt;]" in said
    assert "is not a year" in cop("UALICE", "leaderboard year next")
    bot.settle()
    assert len(bot.posts_in("CDEVOPS")) == 1


def test_the_ranking_is_not_claimed_posted_in_a_channel_copbot_is_not_in(bot, cop: Typist):
    said = cop("UALICE", "leaderboard year", channel="CRANDOM")  # copbot was never invited to #random
    assert "I'm not in this channel" in said and "/invite @copbot" in said and "posted here" not in said
    assert bot.posts_in("CRANDOM") == []
