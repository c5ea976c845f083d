"""`/cop poll`: a button per option, one vote per person and changeable, counts kept current, anonymous polls
that keep no readable record of who voted what, and closing at its time."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, text

from bot.polls import close_due_polls
from handlers.ids import ActionId
from models import Poll, PollVote
from tests.community import cop_fixture  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import START
from tests.test_action_buttons_http import click


def poll_posts(bot) -> list:
    assert bot.slack.wait_for(lambda: [m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Poll:")])
    return [m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Poll:")]


def vote_button(n: int) -> str:
    return f"{ActionId.POLL_VOTE}.{n}"


def last_update(bot) -> str:
    assert bot.slack.wait_for(lambda: bot.slack.calls_to("chat.update"))
    return json.dumps(bot.slack.calls_to("chat.update")[-1].args["blocks"], ensure_ascii=False)


def votes(bot) -> list[PollVote]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(PollVote).order_by(PollVote.id)))


def test_one_vote_each_changeable_and_an_open_poll_shows_who_chose_what(bot, cop):
    reply = cop("UCHANDRA", 'poll "Which day for the retro?" "Tuesday" "Thursday &lt;b&gt;"')
    assert "Poll #1 is in the channel" in reply
    [poll] = poll_posts(bot)
    body = json.dumps(poll.blocks, ensure_ascii=False)
    assert "Which day for the retro?" in body and "Thursday &lt;b&gt;" in body and "open poll" in body
    assert "Your vote is *Tuesday*" in click(bot, "UCHANDRA", poll, vote_button(0))
    click(bot, "UDANA", poll, vote_button(0))
    assert "Your vote is *Thursday &lt;b&gt;*" in click(bot, "UCHANDRA", poll, vote_button(1))
    assert "Your vote stays *Thursday &lt;b&gt;*" in click(bot, "UCHANDRA", poll, vote_button(1))
    rows = votes(bot)
    assert len(rows) == 2 and sorted(row.option for row in rows) == [0, 1]
    assert all(row.voter_key is None and row.person_id for row in rows)
    shown = last_update(bot)
    assert "*Tuesday*  █████ 1\\ndana" in shown and "*Thursday &lt;b&gt;*  █████ 1\\nchandra" in shown
    assert "2 votes" in shown
    with bot.services.sessions() as session:
        assert session.scalars(select(Poll.options)).one() == ["Tuesday", "Thursday <b>"]


def test_an_anonymous_poll_says_so_and_stores_no_voter(bot, cop):
    cop("UBOB", 'poll "Move the meeting online?" "Yes" "No" anonymous closes in 2 hours')
    [poll] = poll_posts(bot)
    assert "Anonymous poll" in json.dumps(poll.blocks)
    click(bot, "UCHANDRA", poll, vote_button(0))
    click(bot, "UDANA", poll, vote_button(1))
    assert "Nobody can see it was yours" in click(bot, "UDANA", poll, vote_button(0))
    rows = votes(bot)
    assert [row.option for row in rows] == [0, 0] and all(row.person_id is None for row in rows)
    with bot.services.sessions() as session:
        stored = json.dumps([list(row) for row in session.execute(text("SELECT * FROM poll_votes"))], default=str)
    assert "UCHANDRA" not in stored and "UDANA" not in stored and "chandra" not in stored.lower()
    assert all(len(row.voter_key or "") == 64 for row in rows)
    shown = last_update(bot)
    assert "chandra" not in shown and "dana" not in shown and "*Yes*  ██████████ 2" in shown
    # Closed at its time: the secret goes, so no key can be tied to anyone any more.
    with bot.services.sessions() as session, session.begin():
        assert close_due_polls(session=session, now=START + dt.timedelta(hours=2)) == 1
    with bot.services.sessions() as session:
        assert session.scalars(select(Poll.secret)).one() is None


def test_the_scheduler_closes_a_poll_at_its_time_and_the_results_stay(bot, cop):
    cop("UCHANDRA", 'poll "Pizza?" "Yes" "No" closes in 3 hours')
    [poll] = poll_posts(bot)
    click(bot, "UDANA", poll, vote_button(1))
    closes = START + dt.timedelta(hours=3)
    with bot.services.sessions() as session, session.begin():
        assert close_due_polls(session=session, now=closes - dt.timedelta(minutes=1)) == 0
        assert close_due_polls(session=session, now=closes) == 1
        assert close_due_polls(session=session, now=closes + dt.timedelta(minutes=1)) == 0
    bot.services.clock.set(closes + dt.timedelta(minutes=5))
    bot.services.dispatcher.nudge(now=closes + dt.timedelta(minutes=5))
    assert bot.slack.wait_for(lambda: any("has closed" in m.text for m in bot.posts_in("CDEVOPS")))
    [results] = [m for m in bot.posts_in("CDEVOPS") if "has closed" in m.text]
    assert results.thread_ts == poll.ts and "*No*: 1" in json.dumps(results.blocks)
    # The poll itself shows its final results, edited through the outbox, without its buttons.
    final = bot.slack.calls_to("chat.update")[-1].args
    assert final["ts"] == poll.ts
    shown = json.dumps(final["blocks"], ensure_ascii=False)
    assert "final results" in shown and ActionId.POLL_VOTE not in shown and "*No*  ██████████ 1" in shown
    edits = len(bot.slack.calls_to("chat.update"))
    assert "This poll has closed" in click(bot, "UCHANDRA", poll, vote_button(0), value="1:0")
    bot.settle()
    assert len(bot.slack.calls_to("chat.update")) == edits  # already shown closed: nothing to edit
    assert [row.option for row in votes(bot)] == [1]


def test_bad_polls_are_refused_with_the_usage(bot, cop):
    for typed, expected in [
        ('poll "Only one?" "Yes"', "Give 2 to 10 options"),
        ('poll "Too many?" ' + " ".join(f'"o{n}"' for n in range(11)), "Give 2 to 10 options"),
        (f'poll "Long?" "{"x" * 76}" "No"', "keep each option to 75"),
        (f'poll "{"q" * 301}" "Yes" "No"', "keep it to 300"),
        ('poll "Same?" "Yes" "yes"', "Two options say the same"),
        ('poll "When?" "A" "B" sometime', "I didn't understand “sometime”"),
        ('poll "When?" "A" "B" closes yesterday 9am', "That is in the past"),
        ("poll Which day?", "Put the question and each option in double quotes"),
    ]:
        reply = cop("UCHANDRA", typed)
        assert expected in reply and "/cop poll" in reply, (typed, reply)
    assert "not a member of *DevOps CoP*" in cop("UEVE", 'poll "Hi?" "A" "B"')
    with bot.services.sessions() as session:
        assert session.scalars(select(Poll)).all() == []
