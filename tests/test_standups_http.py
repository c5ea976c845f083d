"""Standups through Slack: in the channel (thread or modal), and by DM at each member's own 09:30."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from sqlalchemy import select

from handlers.ids import ActionId, BlockId, ViewId
from models import Action, ActionStatus, Person, StandupAnswer, StandupRun
from scheduler.runner import run_tick
from tests.community import always_at_work
from tests.test_events_http import settle
from tests.test_http_app import setup_devops
from tests.test_meeting_loop_http import (
    button_value,
    command,
    link_to_message,
    posted,
    press,
    rows,
    say_in_thread,
    wait_posted,
)

# Bob (New York) leads DevOps CoP; Alice is in London, Chandra in Bengaluru. It is Mon 23 Nov 2026, 08:00 UTC.
MONDAY = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def submit_update(bot, user: str, run_id: int, answers: list[str]) -> None:
    values = {f"{BlockId.STANDUP_QUESTION}:{n}": {ActionId.STANDUP_ANSWER: {"type": "plain_text_input", "value": a}}
              for n, a in enumerate(answers)}
    status, _ = bot.post(bot.requests.view_submission(user_id=user, callback_id=ViewId.STANDUP_ANSWER,
                                                      values=values, private_metadata=str(run_id)))
    assert status == 200


def open_modal(bot, user: str, run_id: str, *, channel: str, message_ts: str) -> dict:
    """Press the update button; returns the modal copbot opened."""
    before = len(bot.slack.calls_to("views.open"))
    url = bot.slack.response_url(f"{user}-{secrets.token_hex(3)}", channel=channel, user=user)
    bot.post(bot.requests.block_action(user_id=user, action_id=ActionId.STANDUP_OPEN, value=run_id,
                                       channel_id=channel, message_ts=message_ts, response_url=url))
    assert bot.slack.wait_for(lambda: len(bot.slack.calls_to("views.open")) > before)
    view = bot.slack.calls_to("views.open")[-1].args["view"]
    return json.loads(view) if isinstance(view, str) else view


def answers_of(bot) -> dict[str, list[str]]:
    with bot.services.sessions() as session:
        return {row.person.user_id: row.answers for row in session.scalars(select(StandupAnswer))
                if row.answered_at is not None}


def test_a_standup_in_the_channel_from_questions_to_summary(bot):
    setup_devops(bot)
    assert "Standup started" in command(bot, "UBOB", "standup")
    [opening] = wait_posted(bot, "CDEVOPS", "Standup: answer in this thread")
    assert "Is anything blocking you?" in json.dumps(opening.blocks)
    say_in_thread(bot, "UCHANDRA", "1. Spot instance runbook\n2. The CI dashboards\nblocker: no VPN access yet",
                  opening.ts)
    assert bot.slack.wait_for(lambda: "UCHANDRA" in answers_of(bot))

    run_id = button_value(opening, ActionId.STANDUP_OPEN)
    view = open_modal(bot, "UALICE", run_id, channel="CDEVOPS", message_ts=opening.ts)
    assert view["callback_id"] == ViewId.STANDUP_ANSWER and view["private_metadata"] == run_id
    assert len([b for b in view["blocks"] if b["type"] == "input"]) == 3
    submit_update(bot, "UALICE", int(run_id), ["Reviewed the Terraform modules", "Pairing with Eve", "none"])
    assert bot.slack.wait_for(lambda: "UALICE" in answers_of(bot))

    ended = command(bot, "UBOB", "standup end")
    assert "2 updates" in ended and "<@UBOB>" in ended  # only the lead sees who did not answer
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Standup summary"))
    [summary] = posted(bot, "CDEVOPS", "Standup summary")
    text = json.dumps(summary.blocks)
    assert "Spot instance runbook" in text and "Reviewed the Terraform modules" in text
    assert "<@UBOB>" not in text and "No update from" not in text
    [blocked] = rows(bot, Action)
    assert (blocked.status, blocked.title) == (ActionStatus.BLOCKED, "no VPN access yet")
    assert answers_of(bot)["UCHANDRA"] == ["Spot instance runbook", "The CI dashboards", "no VPN access yet"]
    with bot.services.sessions() as session:
        chandra = session.scalars(select(StandupAnswer).join(Person).where(Person.user_id == "UCHANDRA")).one()
        assert chandra.permalink.endswith(f"?thread_ts={opening.ts}&cid=CDEVOPS")
    # A late reply in the thread of a closed standup changes nothing.
    say_in_thread(bot, "UALICE", "1. one more thing", opening.ts)
    assert answers_of(bot)["UALICE"][0] == "Reviewed the Terraform modules"


def test_one_update_is_counted_in_the_singular(bot):
    setup_devops(bot)
    command(bot, "UBOB", "standup")
    [opening] = wait_posted(bot, "CDEVOPS", "Standup: answer in this thread")
    say_in_thread(bot, "UCHANDRA", "1. the runbook", opening.ts)
    assert bot.slack.wait_for(lambda: "UCHANDRA" in answers_of(bot))
    assert "Standup ended: 1 update, the summary" in command(bot, "UBOB", "standup end")
    [summary] = wait_posted(bot, "CDEVOPS", "Standup summary")
    assert "· 1 update · 0 blocked" in json.dumps(summary.blocks, ensure_ascii=False)


def test_updates_on_one_line_in_plain_lines_or_labelled_land_under_their_questions(bot):
    setup_devops(bot)
    command(bot, "UBOB", "standup")
    [opening] = wait_posted(bot, "CDEVOPS", "Standup: answer in this thread")
    say_in_thread(bot, "UCHANDRA", "1. shipped 2. docs 3. blocked on review", opening.ts)
    say_in_thread(bot, "UALICE", "Paired with Eve\nThe CI dashboards\nnothing", opening.ts)
    say_in_thread(bot, "UBOB", "Yesterday: the runbook / Today: docs / Blockers: waiting on legal", opening.ts)
    assert bot.slack.wait_for(lambda: len(answers_of(bot)) == 3)
    assert answers_of(bot) == {"UCHANDRA": ["shipped", "docs", "blocked on review"],
                               "UALICE": ["Paired with Eve", "The CI dashboards", "nothing"],
                               "UBOB": ["the runbook", "docs", "waiting on legal"]}
    blocked = sorted((a.status, a.title) for a in rows(bot, Action))
    assert blocked == [(ActionStatus.BLOCKED, "blocked on review"), (ActionStatus.BLOCKED, "waiting on legal")]


def test_standup_commands_need_a_lead_and_say_what_is_wrong(bot):
    setup_devops(bot)
    assert "Only a lead of *DevOps CoP*" in command(bot, "UCHANDRA", "standup")
    assert "Only a lead of *DevOps CoP*" in command(bot, "UCHANDRA", "standup schedule mon 09:30")
    assert "No standup is running here" in command(bot, "UBOB", "standup end")
    cases = [
        ("standup schedule", "Say the days and the time"),
        ("standup schedule funday 09:30", "as a day"),
        ("standup schedule mon 25:00", "time of day"),
        ("standup questions " + " ".join(f'"Q{n}?"' for n in range(6)), "5 questions"),
        ('standup questions "unclosed', "quotation mark"),
        ("standup dms maybe", "`on` or `off`"),
        ("standup frob", "I don't know `/cop standup frob`"),
        ("away", "Say until when"),
        ("away banana", "couldn't read"),
    ]
    for text, expected in cases:
        reply = command(bot, "UBOB", text)
        assert expected.lower() in reply.lower(), (text, reply)
        assert "Usage" in reply, text
    command(bot, "UBOB", "standup")
    assert "already running" in command(bot, "UBOB", "standup")
    assert len(rows(bot, StandupRun)) == 1


def test_questions_can_be_changed_by_a_lead_and_read_by_anyone(bot):
    setup_devops(bot)
    command(bot, "UBOB", 'standup questions "What shipped?" "What is stuck, and who can help?"')
    assert "What is stuck, and who can help?" in command(bot, "UCHANDRA", "standup questions")
    command(bot, "UBOB", "standup")
    [opening] = wait_posted(bot, "CDEVOPS", "Standup: answer in this thread")
    say_in_thread(bot, "UCHANDRA", "1. the runbook\n2. waiting on the vendor", opening.ts)
    assert bot.slack.wait_for(lambda: rows(bot, Action))
    assert rows(bot, Action)[0].title == "waiting on the vendor"


def test_an_unended_standup_closes_with_its_window_and_the_lead_hears_privately(bot):
    setup_devops(bot)
    always_at_work(bot, "UBOB")  # the window closes early in the morning in New York
    command(bot, "UBOB", "standup")
    [run] = rows(bot, StandupRun)
    run_tick(bot.services, now=run.closes_at - dt.timedelta(minutes=1))
    assert posted(bot, "CDEVOPS", "Standup summary") == []
    for _ in range(2):
        run_tick(bot.services, now=run.closes_at)
    assert len(posted(bot, "CDEVOPS", "Standup summary")) == 1
    [private] = bot.posts_in("UBOB")
    text = json.dumps(private.blocks)
    assert "<@UALICE>" in text and "<@UCHANDRA>" in text and "never posted in the channel" in text


def test_async_standup_asks_each_member_at_their_0930_and_posts_one_summary(bot):
    setup_devops(bot)
    assert "own time zone" in command(bot, "UBOB", "standup schedule mon,wed,fri 09:30")
    assert bot.slack.wait_for(lambda: posted(bot, "CDEVOPS", "Asynchronous standup scheduled"))
    assert "Away until" in command(bot, "UALICE", "away tomorrow")
    # 04:00 UTC is 09:30 in Bengaluru; 09:30 in London; 14:30 UTC is 09:30 in New York.
    for hour, minute in ((3, 45), (4, 0), (9, 30), (14, 15)):
        run_tick(bot.services, now=MONDAY.replace(hour=hour, minute=minute))
    assert [m.text for m in bot.posts_in("UCHANDRA")] == ["Standup for DevOps CoP: how's it going?"]
    assert bot.posts_in("UALICE") == [] and bot.posts_in("UBOB") == []
    run_tick(bot.services, now=MONDAY.replace(hour=14, minute=30))
    run_tick(bot.services, now=MONDAY.replace(hour=14, minute=30))
    assert len(bot.posts_in("UBOB")) == 1
    [ask] = bot.posts_in("UCHANDRA")
    assert "your time" in json.dumps(ask.blocks) and "/cop standup dms off" in json.dumps(ask.blocks)

    run_id = int(button_value(ask, ActionId.STANDUP_OPEN))
    view = open_modal(bot, "UCHANDRA", str(run_id), channel=bot.slack.dm_channel("UCHANDRA"), message_ts=ask.ts)
    assert "Your update for *DevOps CoP*" in json.dumps(view["blocks"])
    submit_update(bot, "UCHANDRA", run_id, ["Runner images", "Spot fleet", "nothing"])
    assert bot.slack.wait_for(lambda: "UCHANDRA" in answers_of(bot))
    [run] = rows(bot, StandupRun)
    assert run.closes_at == MONDAY.replace(hour=18, minute=30)
    run_tick(bot.services, now=run.closes_at)
    [summary] = posted(bot, "CDEVOPS", "Standup summary")
    assert "Runner images" in json.dumps(summary.blocks) and "<@UBOB>" not in json.dumps(summary.blocks)
    missing = [m for m in bot.posts_in("UBOB") if "who did not answer" in m.text]
    assert len(missing) == 1 and "<@UBOB>" in json.dumps(missing[0].blocks)
    assert "UALICE" not in json.dumps(missing[0].blocks)  # away: neither asked nor missing
    # A modal submitted after the close is not lost silently: the person is told.
    submit_update(bot, "UBOB", run_id, ["late", "", ""])
    assert bot.slack.wait_for(lambda: any("too late" in m.text for m in bot.posts_in("UBOB")))
    assert "UBOB" not in answers_of(bot)


def test_pressing_update_on_a_closed_standup_is_refused(bot):
    setup_devops(bot)
    command(bot, "UBOB", "standup")
    [opening] = wait_posted(bot, "CDEVOPS", "Standup: answer in this thread")
    command(bot, "UBOB", "standup end")
    reply = press(bot, "UCHANDRA", ActionId.STANDUP_OPEN, button_value(opening, ActionId.STANDUP_OPEN),
                  channel="CDEVOPS", message_ts=opening.ts)
    assert "has closed" in reply
    assert bot.slack.calls_to("views.open") == []


def test_away_and_back_and_standup_dms_off(bot):
    setup_devops(bot)
    assert "Away until Thu 10 Dec 2026, 00:00 GMT" in command(bot, "UALICE", "away dec 9")
    with bot.services.sessions() as session:
        alice = session.scalars(select(Person).where(Person.user_id == "UALICE")).one()
        assert alice.away_until == dt.datetime(2026, 12, 10, 0, 0, tzinfo=dt.UTC)
    assert "Welcome back" in command(bot, "UALICE", "away off")
    assert "No more standup DMs" in command(bot, "UCHANDRA", "standup dms off")
    command(bot, "UBOB", "standup schedule weekdays 09:30")
    run_tick(bot.services, now=MONDAY.replace(hour=10))
    assert [m.text for m in bot.posts_in("UALICE")] == ["Standup for DevOps CoP: how's it going?"]
    assert bot.posts_in("UCHANDRA") == []
    assert "No more standups by DM" in command(bot, "UBOB", "standup schedule off")
    run_tick(bot.services, now=MONDAY.replace(hour=10) + dt.timedelta(days=1))
    assert len(bot.posts_in("UALICE")) == 1


def answer_row(bot, user: str) -> StandupAnswer:
    with bot.services.sessions() as session:
        return session.scalars(select(StandupAnswer).join(Person).where(Person.user_id == user)).one()


def test_a_form_update_is_posted_in_the_thread_and_its_blocker_gets_a_card(bot):
    setup_devops(bot)
    command(bot, "UBOB", "standup")
    [opening] = wait_posted(bot, "CDEVOPS", "Standup: answer in this thread")
    run_id = button_value(opening, ActionId.STANDUP_OPEN)
    submit_update(bot, "UALICE", int(run_id), ["Reviewed the modules", "Pairing", "Waiting on the <b>VPN</b> team"])
    [update] = wait_posted(bot, "CDEVOPS", "Standup update")
    assert update.thread_ts == opening.ts
    shown = json.dumps(update.blocks)
    assert "<@UALICE>" in shown and "Reviewed the modules" in shown and "&lt;b&gt;VPN" in shown
    assert answer_row(bot, "UALICE").permalink == link_to_message(update, thread_ts=opening.ts)
    # The blocker is an action like any other: blocked, owned by Alice, with its card in the standup's thread.
    [blocked] = rows(bot, Action)
    assert (blocked.status, blocked.owner.user_id) == (ActionStatus.BLOCKED, "UALICE")
    assert blocked.blocker_reason == "Waiting on the <b>VPN</b> team"
    [card] = wait_posted(bot, "CDEVOPS", f"Action #{blocked.id}")
    assert card.thread_ts == opening.ts
    # A typed blocker gets one too, and answering again does not add a second action.
    say_in_thread(bot, "UCHANDRA", "1. Runbook\nblocker: no prod access", opening.ts)
    say_in_thread(bot, "UCHANDRA", "blocker: no prod access yet", opening.ts)
    assert bot.slack.wait_for(lambda: len(rows(bot, Action)) == 2)
    settle(bot)
    assert len([m for m in bot.posts_in("CDEVOPS") if m.text.startswith("Action #")]) == 2


def test_updates_to_a_standup_by_dm_link_to_its_summary(bot):
    setup_devops(bot)
    command(bot, "UBOB", "standup schedule mon,wed,fri 09:30")
    run_tick(bot.services, now=MONDAY.replace(hour=4, minute=0))  # 09:30 in Bengaluru
    [ask] = bot.posts_in("UCHANDRA")
    run_id = int(button_value(ask, ActionId.STANDUP_OPEN))
    submit_update(bot, "UCHANDRA", run_id, ["Runner images", "Spot fleet", "nothing"])
    assert bot.slack.wait_for(lambda: "UCHANDRA" in answers_of(bot))
    assert posted(bot, "CDEVOPS", "Standup update") == []  # no thread to post it in
    [run] = rows(bot, StandupRun)
    run_tick(bot.services, now=run.closes_at)
    [summary] = wait_posted(bot, "CDEVOPS", "Standup summary")
    assert answer_row(bot, "UCHANDRA").permalink == link_to_message(summary)
    [run] = rows(bot, StandupRun)
    assert [u["permalink"] for u in run.summary["updates"]] == [link_to_message(summary)]


def test_answering_again_that_nothing_blocks_takes_back_the_old_blocker(bot):
    setup_devops(bot)
    command(bot, "UBOB", "standup")
    [opening] = wait_posted(bot, "CDEVOPS", "Standup: answer in this thread")
    run_id = int(button_value(opening, ActionId.STANDUP_OPEN))
    submit_update(bot, "UALICE", run_id, ["Reviewed the modules", "Pairing", "Waiting on the VPN team"])
    say_in_thread(bot, "UCHANDRA", "1. the runbook\nBlockers: no prod access", opening.ts)
    assert bot.slack.wait_for(lambda: len(rows(bot, Action)) == 2)
    [alices, chandras] = rows(bot, Action)
    wait_posted(bot, "CDEVOPS", f"Action #{alices.id}")
    submit_update(bot, "UALICE", run_id, ["Reviewed the modules", "Pairing", "none"])  # the form, again
    say_in_thread(bot, "UCHANDRA", "Blockers: nothing", opening.ts)  # a further reply in the thread
    assert bot.slack.wait_for(lambda: all(a.status == ActionStatus.DROPPED for a in rows(bot, Action)))
    assert answer_row(bot, "UCHANDRA").answers == ["the runbook", "", "nothing"]
    # Alice's card, already in the thread, says so.
    assert bot.slack.wait_for(lambda: any(c.args["ts"] == posted(bot, "CDEVOPS", f"Action #{alices.id}")[0].ts
                                          for c in bot.slack.calls_to("chat.update")))
    ended = command(bot, "UBOB", "standup end")
    assert "2 updates" in ended
    [summary] = wait_posted(bot, "CDEVOPS", "Standup summary")
    shown = json.dumps(summary.blocks, ensure_ascii=False)
    assert "· 2 updates · 0 blocked" in shown and ":no_entry:" not in shown
