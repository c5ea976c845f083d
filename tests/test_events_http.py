"""Events API callbacks: reactions and messages as contributions, joins as welcomes; each once."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from models import Contribution, InboxItem, InboxStatus, Membership
from tests.test_http_app import setup_devops


def contributions(bot) -> list[tuple[str, str, str]]:
    with bot.services.sessions() as session:
        rows = session.scalars(select(Contribution).order_by(Contribution.id))
        return [(row_person(session, c.person_id), c.kind.value, c.detail or "") for c in rows]


def row_person(session, person_id: int) -> str:
    from models import Person

    return session.get(Person, person_id).user_id


def send_event(bot, event: dict, **kwargs) -> int:
    status, _ = bot.post(bot.requests.event(event, **kwargs))
    return status


def settle(bot) -> None:
    """Events are acknowledged before they are handled; wait until the listener has run."""
    bot.settle()


def test_reaction_counts_for_the_reactor_and_credits_the_author(bot):
    setup_devops(bot)
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "We cut deploy time in half!")
    assert send_event(bot, bot.requests.reaction(user="UALICE", reaction="tada", channel="CDEVOPS", ts=ts,
                                                 item_user="UCHANDRA")) == 200
    assert bot.slack.wait_for(lambda: len(contributions(bot)) == 2)
    assert sorted(contributions(bot)) == [("UALICE", "reaction_given", "tada"),
                                          ("UCHANDRA", "appreciation_received", "tada")]


def test_the_same_event_delivered_again_counts_once(bot):
    setup_devops(bot)
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "idea: a shared runbook")
    event = bot.requests.reaction(user="UALICE", reaction="bulb", channel="CDEVOPS", ts=ts, item_user="UCHANDRA")
    for retry in (None, 1, 2):
        assert send_event(bot, event, event_id="EvSAME0001", retry_num=retry) == 200
    settle(bot)
    assert sorted(contributions(bot)) == [("UALICE", "reaction_given", "bulb"), ("UCHANDRA", "idea", "bulb")]
    with bot.services.sessions() as session:
        assert [(i.key, i.status) for i in session.scalars(select(InboxItem).where(InboxItem.kind == "event"))
                if "EvSAME" in i.key] == [("event:EvSAME0001", InboxStatus.DONE)]


def test_the_same_reaction_in_a_new_event_still_counts_once(bot):
    setup_devops(bot)
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "hello")
    for _ in range(2):
        send_event(bot, bot.requests.reaction(user="UALICE", reaction="eyes", channel="CDEVOPS", ts=ts,
                                              item_user="UCHANDRA"))
    settle(bot)
    assert contributions(bot) == [("UALICE", "reaction_given", "eyes")]


def test_reaction_removed_undoes_what_it_added(bot):
    setup_devops(bot)
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "shipped!")
    send_event(bot, bot.requests.reaction(user="UALICE", reaction="clap", channel="CDEVOPS", ts=ts,
                                          item_user="UCHANDRA"))
    send_event(bot, bot.requests.reaction(user="UBOB", reaction="clap", channel="CDEVOPS", ts=ts,
                                          item_user="UCHANDRA"))
    assert bot.slack.wait_for(lambda: len(contributions(bot)) == 4)
    send_event(bot, bot.requests.reaction(user="UALICE", reaction="clap", channel="CDEVOPS", ts=ts,
                                          item_user="UCHANDRA", removed=True))
    assert bot.slack.wait_for(lambda: len(contributions(bot)) == 2)
    assert sorted(contributions(bot)) == [("UBOB", "reaction_given", "clap"),
                                          ("UCHANDRA", "appreciation_received", "clap")]


def test_reacting_to_your_own_message_earns_no_appreciation(bot):
    setup_devops(bot)
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "my own news")
    send_event(bot, bot.requests.reaction(user="UCHANDRA", reaction="tada", channel="CDEVOPS", ts=ts,
                                          item_user="UCHANDRA"))
    settle(bot)
    assert contributions(bot) == [("UCHANDRA", "reaction_given", "tada")]


def test_reactions_by_bots_outside_communities_or_on_files_are_ignored(settled_bot):
    # Answered only once handled, so "nothing happened" is known when the last one returns. Bolt drops the
    # bot's own reaction before any listener, so no claim in processed_events would ever say it was handled.
    bot = settled_bot
    setup_devops(bot)
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "hi")
    send_event(bot, bot.requests.reaction(user="UHELPER", reaction="tada", channel="CDEVOPS", ts=ts,
                                          item_user="UCHANDRA"))
    send_event(bot, bot.requests.reaction(user="U0COPBOT", reaction="tada", channel="CDEVOPS", ts=ts,
                                          item_user="UCHANDRA"))
    other = bot.slack.post_as_user("UALICE", "CRANDOM", "elsewhere")
    send_event(bot, bot.requests.reaction(user="UBOB", reaction="tada", channel="CRANDOM", ts=other,
                                          item_user="UALICE"))
    file_reaction = {"type": "reaction_added", "user": "UBOB", "reaction": "tada",
                     "item": {"type": "file", "file": "F123"}, "event_ts": "1.0"}
    send_event(bot, file_reaction)
    assert contributions(bot) == []


def test_messages_and_thread_replies_count_and_deletion_undoes(bot):
    setup_devops(bot)
    ts = bot.slack.post_as_user("UCHANDRA", "CDEVOPS", "How do you all handle secrets rotation?")
    send_event(bot, bot.requests.message(user="UCHANDRA", channel="CDEVOPS", text="How...", ts=ts))
    reply = bot.slack.post_as_user("UALICE", "CDEVOPS", "Vault, mostly", thread_ts=ts)
    send_event(bot, bot.requests.message(user="UALICE", channel="CDEVOPS", text="Vault", ts=reply, thread_ts=ts))
    send_event(bot, {"type": "message", "subtype": "bot_message", "bot_id": "B999", "text": "deploy ok",
                     "ts": "1795000000.000100", "channel": "CDEVOPS"})
    assert bot.slack.wait_for(lambda: len(contributions(bot)) == 2)
    settle(bot)
    assert sorted(contributions(bot)) == [("UALICE", "thread_reply", ""), ("UCHANDRA", "message", "")]
    send_event(bot, {"type": "message", "subtype": "message_deleted", "channel": "CDEVOPS", "deleted_ts": ts,
                     "ts": "1795000001.000100", "hidden": True})
    assert bot.slack.wait_for(lambda: len(contributions(bot)) == 1)


def test_newcomer_joining_the_channel_is_welcomed_once_however_often_slack_retries(bot):
    setup_devops(bot)
    bot.slack.join("CDEVOPS", "UEVE")
    event = bot.requests.member_joined(user="UEVE", channel="CDEVOPS", inviter="UBOB")
    for retry in (None, 1, 2):
        assert send_event(bot, event, event_id="EvJOIN0001", retry_num=retry) == 200
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 2)
    settle(bot)
    welcome = bot.posts_in("CDEVOPS")[1]
    assert len(bot.posts_in("CDEVOPS")) == 2
    assert "<@UEVE>" in json.dumps(welcome.blocks) and "DevOps CoP" in welcome.text
    with bot.services.sessions() as session:
        members = {m.person.user_id: m.role.value for m in session.scalars(select(Membership))}
    assert members == {"UBOB": "lead", "UALICE": "member", "UCHANDRA": "member", "UEVE": "member"}


def test_welcome_mentions_the_next_meeting(bot):
    setup_devops(bot)
    bot.command("UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    bot.wait_reply("UBOB", 2)
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: any("please welcome" in json.dumps(m.blocks) for m in bot.posts_in("CDEVOPS")))
    welcome = [m for m in bot.posts_in("CDEVOPS") if "please welcome" in json.dumps(m.blocks)][0]
    assert "Kick-off" in json.dumps(welcome.blocks)


def test_no_welcome_for_the_bot_itself_other_bots_or_slackbot(bot):
    setup_devops(bot)
    for user in ("U0COPBOT", "UHELPER", "USLACKBOT"):
        send_event(bot, bot.requests.member_joined(user=user, channel="CDEVOPS"))
    settle(bot)
    assert len(bot.posts_in("CDEVOPS")) == 1  # the set-up announcement only


def test_leaving_the_channel_leaves_the_community_and_rejoining_welcomes_again(bot):
    setup_devops(bot)
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 2)
    send_event(bot, bot.requests.member_left(user="UEVE", channel="CDEVOPS"))
    settle(bot)
    with bot.services.sessions() as session:
        eve = [m for m in session.scalars(select(Membership)) if m.person.user_id == "UEVE"][0]
        assert eve.active is False and eve.left_at is not None
    bot.services.clock.advance(dt.timedelta(days=2))
    send_event(bot, bot.requests.member_joined(user="UEVE", channel="CDEVOPS"))
    assert bot.slack.wait_for(lambda: len(bot.posts_in("CDEVOPS")) == 3)


def test_an_event_with_no_community_is_acknowledged_and_ignored(bot):
    assert send_event(bot, bot.requests.member_joined(user="UEVE", channel="CRANDOM")) == 200
    settle(bot)
    assert bot.posts_in("CRANDOM") == []
    assert contributions(bot) == []
