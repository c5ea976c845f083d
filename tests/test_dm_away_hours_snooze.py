"""When an unasked-for DM may reach someone: never while they are away (it waits in their digest), only inside
their working hours on their own clock, and again the next working day when they ask for it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from handlers.ids import ActionId
from models import ActionStatus, Community, Delivery, Role
from models.attention import dms_used
from scheduler.runner import run_tick
from tests import factories
from tests.conftest import START, TEAM
from tests.test_action_buttons_http import click, click_in_dm, press, responses_to
from tests.test_dm_budget import digest_to, dm_texts, held, meeting, text_of, waiting_part

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
LONG_AGO = dt.datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def place(bot):
    """#devops in London: Bob (New York) leads; Dana (Berlin) reads the digest by DM, Chandra is in Bengaluru.
    Everyone keeps the default hours, 09:00-17:00 Monday to Friday on their own clock, and nobody is nudged."""
    with bot.services.sessions.begin() as session:
        community = factories.community(session, team_id=TEAM, now=LONG_AGO)
        factories.member(session, community, "UBOB", joined=LONG_AGO, role=Role.LEAD, nudges_enabled=False)
        factories.member(session, community, "UDANA", joined=LONG_AGO, digest_dm=True, nudges_enabled=False)
        factories.member(session, community, "UCHANDRA", joined=LONG_AGO, nudges_enabled=False)
        return community.id


def action_for(bot, place: int, user: str, title: str, **fields: object) -> int:
    with bot.services.sessions.begin() as session:
        owner = factories.person(session, user, team_id=TEAM, now=LONG_AGO)
        return factories.action(session, session.get(Community, place), title, created=LONG_AGO, owner=owner,
                                **fields).id


def away_until(bot, user: str, until: dt.datetime) -> None:
    with bot.services.sessions.begin() as session:
        factories.person(session, user, team_id=TEAM, now=LONG_AGO, away_until=until)


def dm_deliveries(bot, user: str) -> list[Delivery]:
    with bot.services.sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.channel == user).order_by(Delivery.id)))


def snooze_buttons(message) -> list[str]:
    return [e["value"] for b in message.blocks or [] for e in b.get("elements", [])
            if e.get("action_id") == ActionId.SNOOZE_DM]


# ----------------------------------------------------------------------------- away


def test_someone_away_gets_no_reminder_nor_due_dm_they_wait_in_the_digest_and_away_ends_by_itself(bot, place):
    # Dana is away until Saturday 28 November; she said yes to Thursday's meeting and owns an action due then.
    away_until(bot, "UDANA", utc(2026, 11, 28, 0, 0))
    thursday = utc(2026, 11, 26, 13, 0)  # 14:00 in Berlin
    meeting(bot, place, "Design review", thursday, coming=("UDANA",))
    action_for(bot, place, "UDANA", "Rotate the keys", due=thursday)
    run_tick(bot.services, now=thursday - 24 * HOUR)  # Wednesday 14:00 in Berlin, inside her hours
    assert [m.text for m in bot.posts_in("CDEVOPS")] == ["Reminder: Design review starts tomorrow"]
    run_tick(bot.services, now=thursday - HOUR)
    run_tick(bot.services, now=thursday + MINUTE)
    assert dm_texts(bot, "UDANA") == [] and dm_deliveries(bot, "UDANA") == []
    assert sorted(n.kind for n in held(bot, "UDANA")) == ["action_reminder", "action_reminder", "reminder_dm",
                                                         "reminder_dm"]
    # Back on Monday: her digest (09:00 in Berlin) has what waited and is still news, the meeting being over.
    monday = utc(2026, 11, 30, 8, 0)
    run_tick(bot.services, now=monday)
    part = waiting_part(digest_to(bot, "UDANA"))
    assert "Your action #1 Rotate the keys is overdue" in part and "Design review" not in part
    # Away has ended by itself: the next reminder reaches her as a DM.
    action_for(bot, place, "UDANA", "Renew the certificate", due=monday + DAY + 4 * HOUR)
    run_tick(bot.services, now=monday + 4 * HOUR)  # 13:00 in Berlin
    assert dm_texts(bot, "UDANA")[-1] == "Action #2 is due soon"


# ----------------------------------------------------------------------------- working hours


def test_action_reminders_and_escalations_wait_for_each_persons_working_hours(bot, place):
    # Dana's reminder comes due at 23:00 in Berlin; Chandra's at 18:30 in Bengaluru; Bob's escalation at 03:00
    # in New York. Each waits in the outbox until the person's own 09:00.
    tuesday_night = utc(2026, 11, 24, 22, 0)
    action_for(bot, place, "UDANA", "Rotate the keys", due=tuesday_night + DAY)
    action_for(bot, place, "UCHANDRA", "Write the runbook", due=utc(2026, 11, 25, 13, 0))
    action_for(bot, place, "UCHANDRA", "Migrate the DNS", status=ActionStatus.BLOCKED, blocker_reason="vendor",
               blocked_at=utc(2026, 11, 23, 8, 0))
    run_tick(bot.services, now=utc(2026, 11, 24, 13, 0))  # Chandra's reminder: 18:30 in Bengaluru
    run_tick(bot.services, now=tuesday_night)  # Dana's: 23:00 in Berlin
    run_tick(bot.services, now=utc(2026, 11, 25, 3, 29))  # 08:59 in Bengaluru
    assert dm_texts(bot, "UCHANDRA") == [] and dm_texts(bot, "UDANA") == []
    [chandras] = dm_deliveries(bot, "UCHANDRA")
    assert chandras.next_attempt_at == utc(2026, 11, 25, 3, 30)  # 09:00 in Bengaluru
    run_tick(bot.services, now=utc(2026, 11, 25, 3, 30))
    assert dm_texts(bot, "UCHANDRA") == ["Action #2 is due soon"] and dm_texts(bot, "UDANA") == []
    run_tick(bot.services, now=utc(2026, 11, 25, 8, 0))  # 09:00 in Berlin
    assert dm_texts(bot, "UDANA") == ["Action #1 is due soon"]
    # Three days blocked: the rung is reached at 08:00 UTC on Thursday, 03:00 in New York.
    run_tick(bot.services, now=utc(2026, 11, 26, 8, 0))
    run_tick(bot.services, now=utc(2026, 11, 26, 13, 59))
    assert dm_texts(bot, "UBOB") == []
    run_tick(bot.services, now=utc(2026, 11, 26, 14, 0))  # 09:00 in New York
    assert dm_texts(bot, "UBOB") == ["Action #3 has been blocked for 3 days"]
    assert held(bot, "UBOB") == [] and held(bot, "UDANA") == [] and held(bot, "UCHANDRA") == []


def test_a_meeting_reminder_comes_in_working_hours_saying_the_time_left_or_not_after_the_meeting_began(bot, place):
    thursday = utc(2026, 11, 26, 13, 0)  # 08:00 in New York, before Bob's hours
    meeting(bot, place, "Early sync", thursday, coming=("UBOB",))
    run_tick(bot.services, now=thursday - 24 * HOUR)  # the day before, also 08:00 in New York
    assert dm_texts(bot, "UBOB") == []
    run_tick(bot.services, now=thursday - 23 * HOUR)  # his 09:00: it comes, with the time really left
    [reminder] = bot.posts_in("UBOB")
    assert reminder.text == "Reminder: Early sync starts in 23 hours"
    assert snooze_buttons(reminder) == []  # about a meeting, not work to do
    run_tick(bot.services, now=thursday - HOUR)  # 07:00 in New York: by his 09:00 it will have begun
    run_tick(bot.services, now=thursday + 2 * HOUR)
    assert dm_texts(bot, "UBOB") == ["Reminder: Early sync starts in 23 hours"]
    assert [n.key for n in held(bot, "UBOB")] == ["reminder:1:20261126T1300Z:60m:dm:UBOB"]
    with bot.services.sessions() as session:
        assert session.scalars(select(Delivery.key).where(Delivery.key.like("%60m:dm:%"))).all() == []


def test_a_standup_ask_that_would_only_come_after_the_standup_closed_is_not_sent_nor_missed(bot, place):
    from models.standups.settings import set_schedule, standup_for

    with bot.services.sessions.begin() as session:
        # Dana works Monday to Wednesday; the standup is on Thursdays at 09:30 each member's time.
        factories.person(session, "UDANA", team_id=TEAM, now=LONG_AGO, work_days="123")
        set_schedule(session, standup=standup_for(session, community=session.get(Community, place)), days="4",
                     at=dt.time(9, 30))
    thursday = utc(2026, 11, 26, 0, 0)
    for at in (4, 8.5, 9.5, 14.5, 18.5):  # Bengaluru's, Berlin's, London's and New York's 09:30; then it closes
        run_tick(bot.services, now=thursday + dt.timedelta(hours=at))
    assert [m.text for m in bot.posts_in("UCHANDRA")] == ["Standup for DevOps CoP: how's it going?"]
    assert dm_texts(bot, "UDANA") == []
    assert [n.kind for n in held(bot, "UDANA")] == ["standup_ask"]
    [missing] = [m for m in bot.posts_in("UBOB") if "who did not answer" in m.text]
    assert "<@UDANA>" not in text_of(missing) and "<@UCHANDRA>" in text_of(missing)


# ----------------------------------------------------------------------------- remind me tomorrow


def test_remind_me_tomorrow_brings_an_action_reminder_back_the_next_working_day_in_hours(bot, place):
    friday = utc(2026, 11, 27, 15, 0)  # 10:00 in New York
    action_for(bot, place, "UBOB", "Rotate the keys", due=friday + 12 * HOUR)
    run_tick(bot.services, now=friday)
    [reminder] = bot.posts_in("UBOB")
    assert reminder.text == "Action #1 is due soon"
    assert snooze_buttons(reminder) == ["action:1:due_soon"]
    assert "out of date" in click(bot, "UDANA", reminder, ActionId.SNOOZE_DM)  # not hers to snooze
    bot.services.clock.set(friday + MINUTE)
    monday = utc(2026, 11, 30, 14, 0)  # the next working day, 09:00 in New York
    answer = click_in_dm(bot, "UBOB", reminder, ActionId.SNOOZE_DM)
    said = json.dumps(answer["blocks"])
    assert f"I'll send this again <!date^{int(monday.timestamp())}^" in said
    assert ActionId.SNOOZE_DM not in said and "Rotate the keys" in said
    assert snooze_buttons(reminder) == []  # the message now says when it comes back, in place of its buttons
    press(bot, "UBOB", reminder, ActionId.SNOOZE_DM, value="action:1:due_soon")  # twice: it still comes back once
    bot.settle()
    [again] = [d for d in dm_deliveries(bot, "UBOB") if d.key != "action:1:due_soon"]
    assert (again.key, again.kind, again.next_attempt_at) == ("action:1:due_soon:snooze:20261130", "action_reminder",
                                                              monday)
    with bot.services.sessions() as session:
        assert dms_used(session, team_id=TEAM, user_ids=["UBOB"], now=friday + HOUR) == {"UBOB": 2}
    run_tick(bot.services, now=monday - MINUTE)  # overdue since Saturday: that reminder waits for Monday too
    assert dm_texts(bot, "UBOB") == ["Action #1 is due soon"]
    run_tick(bot.services, now=monday)
    assert dm_texts(bot, "UBOB") == ["Action #1 is due soon", "Action #1 is due soon", "Action #1 is overdue"]
    back = bot.posts_in("UBOB")[1]
    assert "Rotate the keys" in text_of(back) and snooze_buttons(back) == ["action:1:due_soon"]


def test_remind_me_tomorrow_is_offered_on_escalations_and_on_requests_to_take_an_action(bot, place):
    with bot.services.sessions() as session:
        dana_id = factories.person(session, "UDANA", team_id=TEAM, now=LONG_AGO).id
    action_for(bot, place, "UCHANDRA", "Migrate the DNS", status=ActionStatus.BLOCKED, blocker_reason="vendor",
               blocked_at=utc(2026, 11, 23, 15, 0))
    run_tick(bot.services, now=utc(2026, 11, 26, 15, 0))  # 10:00 in New York
    [escalation] = bot.posts_in("UBOB")
    assert snooze_buttons(escalation) == [f"action:1:escalate:1:{int(utc(2026, 11, 23, 15).timestamp())}:UBOB"]
    tag = press(bot, "UBOB", escalation, ActionId.SNOOZE_DM)
    assert bot.slack.wait_for(lambda: responses_to(bot, tag))
    assert ":zzz: I'll send this again" in json.dumps(responses_to(bot, tag)[0]["blocks"])
    # On the bot's clock it is Monday 09:00 in Berlin: Chandra's request reaches Dana at once, with the button.
    bot.command("UCHANDRA", 'action add "Review the modules" <@UDANA|dana>')
    bot.wait_reply("UCHANDRA")
    assert bot.slack.wait_for(lambda: bot.posts_in("UDANA"))
    [offer] = bot.posts_in("UDANA")
    assert "asks whether you could take action #2" in offer.text
    assert snooze_buttons(offer) == [f"action:2:offer:{dana_id}:{int(START.timestamp())}"]
