"""`/cop outbox`: a lead sees what copbot could not deliver for their community, and why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.db import unit_of_work
from models import Community, Delivery, DeliveryStatus, Person
from models.deliveries import count_backlog, enqueue
from models.undelivered import SHOWN_FAILED_FOR
from tests.community import said
from tests.conftest import START, TEAM
from tests.test_http_app import setup_devops


def undelivered(bot, key: str, *, channel: str, text: str, status: DeliveryStatus, error: str | None,
                created: dt.datetime = START) -> None:
    with unit_of_work(bot.services.sessions) as session:
        community = session.scalars(select(Community)).one()
        enqueue(session, key=key, team_id=TEAM, channel=channel, text=text, kind=key.split(":")[0], now=created,
                community_id=community.id)
        session.execute(update(Delivery).where(Delivery.key == key).values(
            status=status, last_error=error, attempts=7, next_attempt_at=START + dt.timedelta(minutes=10)))


def test_a_lead_sees_what_is_retrying_and_what_failed_for_good(bot):
    setup_devops(bot)
    bot.settle()
    undelivered(bot, "card:1", channel="CDEVOPS", text="Action #1 Write the runbook", status=DeliveryStatus.PENDING,
                error="internal_error")
    undelivered(bot, "welcome:2", channel="UCHANDRA", text="Welcome, our secret plans", status=DeliveryStatus.FAILED,
                error="account_inactive")
    undelivered(bot, "minutes:3", channel="CDEVOPS", text="Long ago", status=DeliveryStatus.FAILED,
                error="not_in_channel", created=START - SHOWN_FAILED_FOR - dt.timedelta(days=1))
    bot.command("UBOB", "outbox")
    shown = said(bot.wait_reply("UBOB", 2))
    assert "*card* in <#CDEVOPS>: _Action #1 Write the runbook_" in shown
    assert "7 tries since" in shown and "`internal_error`" in shown and "next try" in shown
    assert "*welcome* DM to <@UCHANDRA>" in shown
    # Slack's account_inactive is about copbot's own token, not the person it wrote to.
    assert ("`account_inactive` (copbot's token is for an app that was uninstalled or a workspace that was "
            "deactivated: reinstall the app)") in shown
    assert "left the workspace" not in shown
    assert "secret plans" not in shown  # the words of someone's DM are not shown to the lead
    assert "Long ago" not in shown  # failures older than a fortnight are not


def test_what_is_held_back_shows_as_held_with_why_and_is_counted_apart(bot):
    setup_devops(bot)
    bot.settle()
    # Refused as archived: held, not retrying, though Slack's answer is kept.
    undelivered(bot, "reminder:1", channel="CDEVOPS", text="Kick-off in an hour", status=DeliveryStatus.PENDING,
                error="is_archived")
    undelivered(bot, "card:2", channel="UDANA", text="Your action", status=DeliveryStatus.PENDING, error=None)
    undelivered(bot, "card:3", channel="CDEVOPS", text="Action #3", status=DeliveryStatus.FAILED,
                error="not_in_channel")
    undelivered(bot, "card:4", channel="UCHANDRA", text="Action #4", status=DeliveryStatus.PENDING,
                error="internal_error")
    with unit_of_work(bot.services.sessions) as session:
        session.execute(update(Community).values(archived_at=START))
        session.add(Person(team_id=TEAM, user_id="UDANA", deleted=True, created_at=START))
    with unit_of_work(bot.services.sessions) as session:
        backlog = count_backlog(session, now=START)
    assert (backlog["held"], backlog["retrying"], backlog["failed"]) == (2, 1, 1)
    assert backlog["due"] == 0 and backlog["waiting"] == 1  # only the retrying one waits for a try

    bot.command("UBOB", "outbox")
    shown = said(bot.wait_reply("UBOB", 2))
    assert "(2 held back · 1 retrying · 1 failed)" in shown
    assert ("*reminder* in <#CDEVOPS>: _Kick-off in an hour_ · held: the channel is archived; it goes once the "
            "channel is unarchived") in shown
    assert "*card* DM to <@UDANA> · held: the person is deactivated in Slack" in shown
    assert "`is_archived`" not in shown and shown.count("tries since") == 1  # only card:4 is retrying
    assert "`not_in_channel` (invite copbot to the channel)" in shown


def test_nothing_undelivered_says_so(bot):
    setup_devops(bot)
    bot.command("UBOB", "outbox")
    assert "has been delivered" in said(bot.wait_reply("UBOB", 2))


def test_only_a_lead_sees_the_outbox_and_it_takes_no_argument(bot):
    setup_devops(bot)
    bot.command("UCHANDRA", "outbox")
    assert "Only a lead of *DevOps CoP* can see what copbot could not deliver" in said(bot.wait_reply("UCHANDRA"))
    bot.command("UBOB", "outbox everything")
    reply = said(bot.wait_reply("UBOB", 2))
    assert "takes nothing after it" in reply and "/cop outbox" in reply


def test_help_explains_the_outbox():
    from bot.blocks.help import help_message
    from handlers.commands import REGISTRY

    assert "tried again for a day" in str(help_message(REGISTRY, "outbox").blocks)
