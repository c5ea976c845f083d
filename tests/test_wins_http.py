"""`/cop wins` typed in Slack: choosing the channel, listing and holding wins, permissions, mistakes, and the weekly
post reaching the channel, then Slack refusing it once the channel is archived."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import Win, WinsChannel
from scheduler.runner import run_tick
from tests.community import Typist, cop_fixture, said  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import START

ANNOUNCE = "<#CANNOUNCE|announcements>"
# START is Monday 23 November 2026 08:00 UTC; that week's Friday afternoon in London, where Alice is.
FRIDAY = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)


@pytest.fixture(name="announce")
def announce_fixture(bot) -> str:
    bot.slack.add_channel("CANNOUNCE", "announcements", creator="UALICE", members=["UALICE"])
    return ANNOUNCE


def stored(bot) -> list[tuple[int, str, bool]]:
    with bot.services.sessions() as session:
        return [(w.number, w.title, w.held_at is not None) for w in session.scalars(select(Win).order_by(Win.id))]


def test_an_overall_lead_chooses_the_channel_and_copbot_joins_it(bot, cop: Typist, announce):
    assert "Only an overall CoP lead" in cop("UBOB", f"wins channel {announce}")
    assert "Wins now go to <#CANNOUNCE>" in cop("UALICE", f"wins channel {announce}")
    assert [c.args["channel"] for c in bot.slack.calls_to("conversations.join")] == ["CANNOUNCE"]
    with bot.services.sessions() as session:
        chosen = session.get(WinsChannel, "T0COP0001")
        assert (chosen.channel_id, chosen.timezone) == ("CANNOUNCE", "Europe/London")


def test_a_channel_copbot_cannot_use_is_refused_with_the_reason(bot, cop: Typist):
    said_nonsense = cop("UALICE", "wins channel nonsense")
    assert "“nonsense” is not a channel" in said_nonsense and "/cop wins channel #&lt;channel&gt;" in said_nonsense
    assert "is not a channel" in cop("UALICE", "wins channel")
    bot.slack.add_channel("COLD", "old-news", creator="UALICE")
    bot.slack.set_archived("COLD")
    assert "archived" in cop("UALICE", "wins channel <#COLD|old-news>")
    assert "can't find that channel" in cop("UALICE", "wins channel <#CGONE|gone>")
    bot.slack.add_channel("CSECRET", "secret", creator="UALICE", is_private=True)
    assert "Invite me first" in cop("UALICE", "wins channel <#CSECRET>")
    with bot.services.sessions() as session:
        assert session.scalars(select(WinsChannel)).all() == []


def test_leads_list_hold_and_release_wins_and_members_only_see_them(bot, cop: Typist):
    cop("UBOB", 'plan add "Ship &lt;!channel&gt; runbooks"')
    cop("UBOB", "plan done 1")
    shown = cop("UDANA", "wins")
    assert "*1.* :white_check_mark: Objective of the 2026 plan done: Ship &lt;!channel&gt; runbooks · queued" in shown
    assert "No wins channel is chosen yet" in shown and "wins hold" not in shown
    assert "Only a lead of *DevOps CoP*" in cop("UDANA", "wins hold 1")
    assert "Win *1* held back" in cop("UBOB", "wins hold 1")
    assert "*held*" in cop("UBOB", "wins") and "`/cop wins hold &lt;n&gt;`" in cop("UBOB", "wins")
    assert "already held" in cop("UBOB", "wins hold 1")
    assert "no win 9" in cop("UBOB", "wins hold 9")
    assert "by its number" in cop("UBOB", "wins hold first")
    assert "Win *1* released" in cop("UBOB", "wins release 1")
    assert "is not held" in cop("UBOB", "wins release 1")
    assert "takes nothing after it" in cop("UBOB", "wins everything")
    assert stored(bot) == [(1, "Ship <!channel> runbooks", False)]
    assert "not a member" in cop("UEVE", "wins")


def test_an_overall_lead_outside_a_community_sees_what_waits_everywhere(bot, cop: Typist):
    cop("UBOB", 'plan add "Run a game day"')
    cop("UBOB", "plan done 1")
    cop("UBOB", "wins")  # records it now, as the hourly scan would
    shown = cop("UALICE", "wins", channel="CRANDOM")
    assert "*DevOps CoP*: 1 queued" in shown and "No wins channel" in shown


def test_the_weekly_post_reaches_the_channel_and_a_refusal_is_told_to_the_overall_leads(bot, cop: Typist, announce):
    cop("UALICE", f"wins channel {announce}")
    cop("UBOB", 'plan add "Run a game day"')
    cop("UBOB", "plan done 1")
    run_tick(bot.services, now=START + dt.timedelta(hours=1))
    assert bot.posts_in("CANNOUNCE") == []  # Monday: not yet
    run_tick(bot.services, now=FRIDAY)
    [post] = bot.posts_in("CANNOUNCE")
    assert "DevOps CoP" in str(post.blocks) and "Run a game day" in str(post.blocks) and "<@" not in str(post.blocks)
    assert "posted" in cop("UBOB", "wins")

    # The channel is archived: the next week's post fails, its wins wait, and the overall leads hear of it once.
    cop("UBOB", 'plan add "Write the guide"')
    cop("UBOB", "plan done 2")
    bot.slack.set_archived("CANNOUNCE")
    run_tick(bot.services, now=FRIDAY + WEEK)
    run_tick(bot.services, now=FRIDAY + WEEK + dt.timedelta(hours=1))
    run_tick(bot.services, now=FRIDAY + WEEK + dt.timedelta(hours=2))
    told = [m for m in bot.posts_in("UALICE") if "could not be posted" in m.text]
    assert len(told) == 1 and "is_archived" in str(told[0].blocks)
    shown = cop("UBOB", "wins")
    assert "The last post to <#CANNOUNCE> failed" in shown and "Write the guide" in shown and "queued" in shown
