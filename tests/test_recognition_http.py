"""Kudos, a person's portfolio and the leaderboard, through /cop and /kudos."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from models import Kudos
from models.recognition import kudos as kudos_module
from tests.community import Typist, cop_fixture, credits  # noqa: F401  (cop_fixture provides `cop`)


def kudos_posts(bot) -> list:
    return [m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Kudos to")]


def kudos_count(bot) -> int:
    with bot.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Kudos))


def test_kudos_are_announced_with_their_reason_and_count_for_both(bot, cop: Typist):
    reply = cop("UBOB", "kudos <@UCHANDRA|chandra> for halving the CI bill <!here> & more")
    assert "You can give 4 more today" in reply
    assert bot.slack.wait_for(lambda: kudos_posts(bot))
    [post] = kudos_posts(bot)
    shown = json.dumps(post.blocks)
    assert "<@UCHANDRA>" in shown  # the receiver is told
    assert "for halving the CI bill @here &amp; more" in shown and "<!here>" not in shown
    assert "<@UBOB>" not in shown  # the giver is named, not pinged
    assert credits(bot, "kudos_given") == ["UBOB"] and credits(bot, "kudos_received") == ["UCHANDRA"]


def test_the_kudos_shortcut_does_the_same(bot, cop: Typist):
    assert "Kudos to chandra" in cop("UDANA", "<@UCHANDRA|chandra> thanks for the pairing", command="/kudos")
    assert bot.slack.wait_for(lambda: kudos_posts(bot))
    assert credits(bot, "kudos_received") == ["UCHANDRA"]


def test_bad_kudos_are_refused_with_the_reason_and_usage(bot, cop: Typist):
    for text, expected in [
        ("kudos", "Start with who the kudos are for"),
        ("kudos chandra for things", "Start with who the kudos are for"),
        ("kudos <@UCHANDRA|chandra>", "Say what the kudos are for"),
        ("kudos <@UCHANDRA|chandra>    ", "Say what the kudos are for"),
        ("kudos <@UBOB|bob> for me", "for someone else"),
        ("kudos <@UHELPER|deploybot> for deploying", "Bots don't need kudos"),
        ("kudos <@U0COPBOT|copbot> for everything", "Bots don't need kudos"),
        ("kudos <@UCHANDRA|chandra> " + "x" * 501, "keep it to 500"),
    ]:
        reply = cop("UBOB", text)
        assert expected in reply and "Usage" in reply, (text, reply)
    assert kudos_count(bot) == 0


def test_five_kudos_a_day_per_giver_in_their_own_day(bot, cop: Typist):
    # 08:00 UTC on Monday is 03:00 on Monday in New York, where Bob is.
    for n in range(5):
        cop("UBOB", f"kudos <@UCHANDRA|chandra> for thing {n}")
    assert "given your 5 kudos for today" in cop("UBOB", "kudos <@UDANA|dana> for one more")
    assert "You can give 4 more today" in cop("UDANA", "kudos <@UCHANDRA|chandra> for the review")  # Dana's own five
    assert kudos_count(bot) == 6
    bot.services.clock.set(dt.datetime(2026, 11, 24, 4, 59, tzinfo=dt.UTC))  # 23:59 Monday in New York
    assert "given your 5 kudos for today" in cop("UBOB", "kudos <@UDANA|dana> still Monday")
    bot.services.clock.set(dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC))  # midnight: Tuesday in New York
    assert "You can give 4 more today" in cop("UBOB", "kudos <@UDANA|dana> new day")


def test_the_daily_limit_holds_when_kudos_race_for_the_last_slot(bot, cop: Typist, monkeypatch):
    for n in range(5):
        cop("UBOB", f"kudos <@UCHANDRA|chandra> for thing {n}")
    # As if another kudos had been counted before the fifth was committed: the count says 4,
    # but the fifth slot is taken, and there is no sixth.
    monkeypatch.setattr(kudos_module, "kudos_given_on", lambda session, **_: 4)
    assert "given your 5 kudos for today" in cop("UBOB", "kudos <@UDANA|dana> sneaking in")
    assert kudos_count(bot) == 5


def test_stats_show_a_portfolio_by_kind_and_month(bot, cop: Typist):
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    cop("UCHANDRA", "action done 1")
    cop("UBOB", "kudos <@UCHANDRA|chandra> for the runbook")
    mine = cop("UCHANDRA", "stats")
    assert "Contributions of chandra" in mine
    header, *rows = mine.split("```")[1].split("\\n")  # the table, one JSON-escaped line per kind
    assert header.strip() == "Jun  Jul  Aug  Sep  Oct  Nov  all time"  # the last six months, November now
    counts = {row[:22].strip(): row[22:].split() for row in rows}
    for label in ("actions created", "actions closed", "kudos received"):
        assert counts[label] == ["0", "0", "0", "0", "0", "1", "1"], (label, counts)
    assert "“for the runbook” from bob" in mine
    theirs = cop("UDANA", "stats <@UCHANDRA|chandra>")
    assert "Contributions of chandra" in theirs
    assert "No contributions recorded for eve" in cop("UDANA", "stats <@UEVE|eve>")
    for text, expected in [("stats <@UHELPER|deploybot>", "Bots have no contributions"),
                           ("stats chandra", "Name one person")]:
        assert expected in cop("UDANA", text)


def test_opting_out_hides_you_from_the_leaderboard_and_from_peers_stats(bot, cop: Typist):
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    assert "chandra · 3 points" in cop("UDANA", "leaderboard")
    assert "You no longer appear" in cop("UCHANDRA", "leaderboard opt-out")
    assert "chandra" not in cop("UDANA", "leaderboard").split("Top contributors")[1]
    assert "keeps their contributions to themselves" in cop("UDANA", "stats <@UCHANDRA|chandra>")
    assert "Contributions of chandra" in cop("UBOB", "stats <@UCHANDRA|chandra>")  # her lead
    assert "Contributions of chandra" in cop("UCHANDRA", "stats")
    cop("UCHANDRA", "leaderboard opt-in")
    assert "chandra · 3 points" in cop("UDANA", "leaderboard")


def test_the_leaderboard_ranks_communities_by_health_and_pings_nobody(bot, cop: Typist):
    cop("UALICE", "setup Random CoP", channel="CRANDOM")  # Alice and Bob; nobody does anything there
    for user in ("UBOB", "UCHANDRA", "UDANA"):
        cop(user, f'action add "Something of {user}" <@{user}|x>')
    cop("UCHANDRA", "action done 2")
    board = cop("UALICE", "leaderboard week")
    devops, random = board.index("*DevOps CoP*"), board.index("*Random CoP*")
    assert devops < random
    assert "3 of 4 members active" in board and "4 contributions in the last week" in board
    top = board.split("Top contributors, last week")[1]
    assert top.index("chandra") < top.index("bob")  # closing an action counts most
    assert "<@" not in board
    assert "I can't rank by" in cop("UALICE", "leaderboard decade")


def test_the_leaderboard_counts_one_of_a_thing_in_the_singular(bot, cop: Typist):
    cop("UCHANDRA", 'action add "Write the runbook"')
    board = cop("UALICE", "leaderboard week")
    assert "1 of 4 members active · 1 contribution in the last week" in board


def test_the_portfolio_shows_meeting_work_too(bot, cop: Typist):
    cop("UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    cop("UCHANDRA", "agenda add Spot instances")
    cop("UBOB", "decision We meet every two weeks")
    table = cop("UBOB", "stats").split("```")[1]
    assert "decisions" in table  # kinds recorded by meetings are in the portfolio too, with their own labels
    chandra = cop("UCHANDRA", "stats").split("```")[1]
    assert "agenda items" in chandra
