"""Slack's life-cycle events, signed over HTTP: a member deactivated, a channel archived or renamed, copbot
uninstalled; then the scheduler's jobs and the outbox at chosen instants."""

from __future__ import annotations

import datetime as dt
import json
import logging

from sqlalchemy import select

from bot.app import create_app
from models import Community, Delivery, DeliveryStatus, Meeting, Membership, Person
from models.deliveries import enqueue
from scheduler.runner import run_tick
from tests.community import actions, always_at_work, cop_fixture, dms, owner_of  # noqa: F401  (cop_fixture provides `cop`)
from tests.conftest import TEAM
from tests.test_http_app import setup_devops


def send(bot, event: dict) -> None:
    status, _ = bot.post(bot.requests.event(event))
    assert status == 200
    bot.settle()


def community(bot) -> Community:
    with bot.services.sessions() as session:
        return session.scalars(select(Community)).one()


def deliveries(bot, **where) -> list[Delivery]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(Delivery).filter_by(**where).order_by(Delivery.id)))


def meeting_start(bot) -> dt.datetime:
    with bot.services.sessions() as session:
        return session.scalars(select(Meeting)).one().starts_at


def tick_at(bot, when: dt.datetime) -> None:
    bot.services.clock.set(when)
    run_tick(bot.services, now=when)


def everything(messages) -> str:
    return json.dumps([(m.text, m.blocks) for m in messages])


def test_a_deactivated_member_gets_nothing_more_their_actions_go_to_the_pool_and_the_leads_are_told(cop):
    bot = cop.bot
    always_at_work(bot, "UBOB", "UCHANDRA")  # not a test of working hours: the leads' DM goes at once
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    cop("UCHANDRA", "digest dm on")
    with bot.services.sessions() as session, session.begin():
        enqueue(session, key="test:later-dm", team_id=TEAM, channel="UCHANDRA", text="later", kind="test",
                now=bot.services.clock.now(), not_before=bot.services.clock.now() + dt.timedelta(hours=1))
    before = len(dms(bot, "UCHANDRA"))

    send(bot, bot.requests.user_change(user=bot.slack.set_deleted("UCHANDRA")))

    [action] = actions(bot)
    assert owner_of(bot, action.id) is None  # back in the pool
    told = [m for m in dms(bot, "UBOB") if "back in the pool" in m.text]
    assert len(told) == 1 and "chandra" in told[0].text.lower() and "Write the runbook" in everything(told)
    card = [m for m in bot.slack.messages_in("CDEVOPS") if "Write the runbook" in everything([m])][-1]
    assert "Claim" in json.dumps(card.blocks)  # the card says anyone may take it now
    [waiting] = deliveries(bot, key="test:later-dm")
    assert (waiting.status, waiting.last_error) == (DeliveryStatus.FAILED, "user_deactivated")
    # Her Monday digest is not sent, nor a DM queued for her afterwards by any path.
    monday = dt.datetime(2026, 11, 30, 3, 35, tzinfo=dt.UTC)  # 09:05 in Kolkata
    tick_at(bot, monday)
    with bot.services.sessions() as session, session.begin():
        enqueue(session, key="test:after", team_id=TEAM, channel="UCHANDRA", text="after", kind="test",
                now=monday)
    bot.services.dispatcher.dispatch(now=monday)
    assert len(dms(bot, "UCHANDRA")) == before
    assert deliveries(bot, key="test:after")[0].status is DeliveryStatus.PENDING  # held, never sent

    send(bot, bot.requests.user_change(user=bot.slack.set_deleted("UCHANDRA", False)))
    with bot.services.sessions() as session:
        assert session.scalars(select(Person).where(Person.user_id == "UCHANDRA")).one().deleted is False
    tick_at(bot, monday + dt.timedelta(days=7))
    # Back: what waited goes, and the next Monday's digest (one, not the one missed while she was gone).
    assert sorted(m.text for m in dms(bot, "UCHANDRA")[before:]) == ["A quiet week in DevOps CoP", "after"]


def test_a_post_refused_as_archived_pauses_the_community_until_the_channel_is_back(cop):
    bot = cop.bot
    cop("UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    start = meeting_start(bot)
    bot.settle()
    posted = len(bot.posts_in("CDEVOPS"))
    bot.slack.set_archived("CDEVOPS")  # archived in Slack; copbot learns it from its next post

    tick_at(bot, start - dt.timedelta(hours=24))
    assert community(bot).archived_at is not None
    [reminder] = deliveries(bot, kind="reminder")
    assert (reminder.status, reminder.attempts) == (DeliveryStatus.PENDING, 0)  # held, not failed
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    cop("UBOB", 'action add "Book a room" <@UALICE|alice>')
    tick_at(bot, start - dt.timedelta(minutes=59))
    assert len(bot.posts_in("CDEVOPS")) == posted
    assert len(deliveries(bot, kind="reminder")) == 1  # no new reminder while archived
    # A DM about the community still goes, and says why the channel is quiet.
    assignment = [m for m in dms(bot, "UALICE") if "Book a room" in everything([m])]
    assert assignment and "<#CDEVOPS> is archived" in everything(assignment)

    bot.slack.set_archived("CDEVOPS", False)
    bot.services.clock.set(start + dt.timedelta(minutes=5))
    send(bot, bot.requests.channel_archived(channel="CDEVOPS", user="UBOB", archived=False))
    assert community(bot).archived_at is None
    # The meeting has begun: its reminder is not posted late, but dropped as expired, saying why.
    [expired] = deliveries(bot, kind="reminder")
    assert (expired.status, expired.last_error) == (
        DeliveryStatus.EXPIRED, "expired: its meeting had begun when the channel came back")
    assert "its meeting had begun" in cop("UBOB", "outbox")
    now_posted = bot.posts_in("CDEVOPS")[posted:]
    assert [m for m in now_posted if "Write the runbook" in everything([m])]
    assert not [m for m in now_posted if "Kick-off" in m.text]


def test_the_archive_event_pauses_digests_and_the_unarchive_event_resumes_them(cop):
    bot = cop.bot
    send(bot, bot.requests.channel_archived(channel="CDEVOPS", user="UBOB"))
    assert community(bot).archived_at is not None
    slot = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)  # Monday 09:05 in New York, the community's zone
    posted = len(bot.posts_in("CDEVOPS"))
    tick_at(bot, slot)
    assert deliveries(bot, kind="digest") == [] and len(bot.posts_in("CDEVOPS")) == posted

    bot.services.clock.set(slot + dt.timedelta(hours=2))
    send(bot, bot.requests.channel_archived(channel="CDEVOPS", user="UBOB", archived=False))
    tick_at(bot, slot + dt.timedelta(hours=2))
    assert len(bot.posts_in("CDEVOPS")) == posted + 1  # the week's digest, still within its grace


def test_a_renamed_channel_keeps_the_name_its_lead_chose_and_records_the_new_one(bot):
    setup_devops(bot)
    assert (community(bot).name, community(bot).channel_name) == ("DevOps CoP", "devops")
    send(bot, bot.requests.channel_rename(channel="CDEVOPS", name="platform-guild"))
    assert (community(bot).name, community(bot).channel_name) == ("DevOps CoP", "platform-guild")


def test_a_community_named_after_its_channel_follows_the_rename(bot):
    bot.command("UBOB", "setup devops")
    bot.wait_reply("UBOB")
    send(bot, bot.requests.channel_rename(channel="CDEVOPS", name="platform"))
    assert (community(bot).name, community(bot).channel_name) == ("platform", "platform")


def test_a_private_channel_archived_unarchived_and_renamed_is_followed_like_a_public_one(bot):
    setup_devops(bot)
    send(bot, bot.requests.channel_archived(channel="CDEVOPS", user="UBOB", private=True))
    assert community(bot).archived_at is not None
    send(bot, bot.requests.channel_archived(channel="CDEVOPS", user="UBOB", archived=False, private=True))
    assert community(bot).archived_at is None
    send(bot, bot.requests.channel_rename(channel="CDEVOPS", name="platform-guild", private=True))
    assert (community(bot).name, community(bot).channel_name) == ("DevOps CoP", "platform-guild")


def test_uninstalling_stops_every_send_once_and_a_restart_with_a_valid_token_resumes(cop, caplog):
    bot = cop.bot
    cop("UBOB", 'meeting schedule "Kick-off" tomorrow 10am')
    start = meeting_start(bot)
    bot.settle()
    calls = len(bot.slack.calls)
    with caplog.at_level(logging.WARNING):
        send(bot, bot.requests.app_uninstalled())
        send(bot, bot.requests.tokens_revoked(bot=[bot.slack.bot_user_id]))
    assert len([r for r in caplog.records if "nothing more is sent" in r.getMessage()]) == 1
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    tick_at(bot, start - dt.timedelta(hours=24))
    tick_at(bot, start - dt.timedelta(hours=23, minutes=55))
    assert deliveries(bot, kind="reminder") == []  # the scheduler does nothing for the workspace
    posts = [c for c in bot.slack.calls[calls:] if c.method == "chat.postMessage"]
    assert posts == []
    [card] = deliveries(bot, kind="action")
    assert (card.status, card.attempts) == (DeliveryStatus.PENDING, 0)

    create_app(bot.services)  # a process starting with a token Slack accepts
    tick_at(bot, start - dt.timedelta(hours=23, minutes=50))
    assert deliveries(bot, kind="action")[0].status is DeliveryStatus.SENT
    assert len(deliveries(bot, kind="reminder")) == 1


def test_a_token_refused_on_a_post_stops_sends_instead_of_failing_them(cop):
    bot = cop.bot
    bot.settle()
    bot.slack.fail_next("chat.postMessage", error="token_revoked")
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    bot.settle()
    [card] = deliveries(bot, kind="action")
    assert (card.status, card.attempts, card.last_error) == (DeliveryStatus.PENDING, 0, "token_revoked")
    tick_at(bot, bot.services.clock.now() + dt.timedelta(hours=1))
    assert deliveries(bot, kind="action")[0].status is DeliveryStatus.PENDING
    create_app(bot.services)
    bot.services.dispatcher.dispatch(now=bot.services.clock.now())
    assert deliveries(bot, kind="action")[0].status is DeliveryStatus.SENT


def test_leaving_the_channel_ends_the_membership_and_returns_open_actions(cop):
    bot = cop.bot
    always_at_work(bot, "UBOB")  # 03:00 in New York: the leads' DM would wait for his hours
    cop("UCHANDRA", 'action add "Write the runbook" <@UCHANDRA|chandra>')
    send(bot, bot.requests.member_left(user="UCHANDRA", channel="CDEVOPS"))
    [action] = actions(bot)
    assert owner_of(bot, action.id) is None
    assert [m for m in dms(bot, "UBOB") if "back in the pool" in m.text]
    with bot.services.sessions() as session:
        chandra = [m for m in session.scalars(select(Membership)) if m.person.user_id == "UCHANDRA"][0]
        assert chandra.active is False
