"""A month of one community's meetings and standups, run from Slack alone and read by someone who missed it all.

Bob (New York) leads DevOps CoP: a weekly sync on Wednesdays at 10:00 his time (15:00 UTC) and an
asynchronous standup on Mondays at 09:30 in each member's own zone. Alice (London) says yes to each
sync; Chandra (Bengaluru) brings agenda items, decisions and a blocker; one sync is never ended and the
scheduler closes it. Dana (Berlin) joins at the end and catches up from the minutes alone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from sqlalchemy import select

from handlers.ids import ActionId
from models import Action, ActionStatus, Contribution, Delivery, Person
from models.meetings import AgendaItem, AgendaStatus, MeetingOccurrence
from scheduler.runner import run_tick
from tests.test_events_http import settle
from tests.test_http_app import setup_devops
from tests.test_meeting_loop_http import button_value, command, posted, rows, say_in_thread, wait_posted
from tests.test_standups_http import submit_update

FIRST_SYNC = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # Wed 10:00 in New York
SYNCS = [FIRST_SYNC + dt.timedelta(weeks=n) for n in range(4)]
STANDUP_MONDAYS = [dt.datetime(2026, 11, 30, tzinfo=dt.UTC) + dt.timedelta(weeks=n) for n in range(3)]
# 09:30 in Bengaluru, London and New York, as UTC hours and minutes (no clock changes in this month).
ASK_TIMES = [(4, 0), (9, 30), (14, 30)]


def at(bot, when: dt.datetime) -> None:
    bot.services.clock.set(when)


def tick(bot, when: dt.datetime) -> None:
    for _ in range(2):  # every instant twice: nothing may go out twice
        run_tick(bot.services, now=when)


def run_standup(bot, monday: dt.datetime, *, blocker: str) -> None:
    for hour, minute in ASK_TIMES:
        tick(bot, monday.replace(hour=hour, minute=minute))
    for user, answers in (("UCHANDRA", ["Runner images", "Spot fleet", blocker]),
                          ("UALICE", ["Docs", "More docs", "none"])):
        ask = [m for m in bot.posts_in(user) if m.text.startswith("Standup for")][-1]
        at(bot, monday.replace(hour=15))
        submit_update(bot, user, int(button_value(ask, ActionId.STANDUP_OPEN)), answers)
    settle(bot)


def run_sync(bot, week: int, when: dt.datetime) -> None:
    at(bot, when - dt.timedelta(days=2))
    command(bot, "UCHANDRA", f"agenda add Topic {week}")
    command(bot, "UALICE", "meeting rsvp 1 yes")
    tick(bot, when - dt.timedelta(hours=24))
    tick(bot, when - dt.timedelta(hours=1))
    at(bot, when + dt.timedelta(minutes=1))
    assert "has started" in command(bot, "UBOB", "meeting start")
    thread = wait_posted(bot, "CDEVOPS", "Meeting started")[-1].ts
    say_in_thread(bot, "UCHANDRA", f"decision: Decision {week}", thread)
    say_in_thread(bot, "UALICE", f"action: Follow-up {week}", thread)
    settle(bot)
    if week == 1:  # nobody ends this one: the scheduler does, after its 45 minutes and the grace period
        tick(bot, when + dt.timedelta(minutes=45 + 30))
    else:
        at(bot, when + dt.timedelta(minutes=40))
        assert "Ended" in command(bot, "UBOB", "meeting end")
    wait_posted(bot, "CDEVOPS", "Minutes: Platform sync")


@pytest.mark.long
def test_a_month_of_meetings_and_standups_run_from_slack(bot):
    setup_devops(bot)
    at(bot, dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC))
    assert "Scheduled" in command(bot, "UBOB", 'meeting schedule "Platform sync" 2026-11-25 10:00 weekly for 45m')
    assert "own time zone" in command(bot, "UBOB", "standup schedule mon 09:30")

    run_sync(bot, 0, SYNCS[0])
    for week, (monday, sync) in enumerate(zip(STANDUP_MONDAYS, SYNCS[1:], strict=True), start=1):
        run_standup(bot, monday, blocker="waiting on the VPN team" if week == 1 else "nothing")
        tick(bot, monday.replace(hour=18, minute=30))  # the standup's window has closed everywhere
        run_sync(bot, week, sync)

    # Reminders: two per sync in the channel, and two by DM to Alice, who said yes each week; each once.
    with bot.services.sessions() as session:
        kinds = Counter(session.scalars(select(Delivery.kind)))
        reminder_keys = list(session.scalars(select(Delivery.key).where(
            Delivery.kind.in_(["reminder", "reminder_dm"]))))
    assert kinds["reminder"] == 8 and kinds["reminder_dm"] == 8
    assert len(posted(bot, "CDEVOPS", "Reminder")) == 8
    assert len([m for m in bot.posts_in("UALICE") if m.text.startswith("Reminder")]) == 8
    assert len(set(reminder_keys)) == len(reminder_keys)

    # Minutes: one per sync, each with its decision; the one the scheduler closed still links its thread.
    minutes = posted(bot, "CDEVOPS", "Minutes: Platform sync")
    assert len(minutes) == 4
    for week, post in enumerate(minutes):
        assert f"Decision {week}" in json.dumps(post.blocks)
    held = rows(bot, MeetingOccurrence)[:4]
    assert [o.closed_by_scheduler for o in held] == [False, True, False, False]
    assert all(o.minutes["thread"] and o.minutes_permalink for o in held)
    assert held[1].minutes["thread"] in json.dumps(minutes[1].blocks)

    # Carry-over: agenda items nobody ticked off travel from sync to sync; open actions are on every agenda.
    topic_zero = [i for i in rows(bot, AgendaItem) if i.text == "Topic 0"]
    # Added for the first sync, carried to the second, third, fourth, and now waiting for the fifth.
    assert [i.status for i in topic_zero] == [AgendaStatus.CARRIED] * 4 + [AgendaStatus.OPEN]
    assert [i.carried_from_id for i in topic_zero[1:]] == [i.id for i in topic_zero[:-1]]
    last_opening = json.dumps(posted(bot, "CDEVOPS", "Meeting started")[-1].blocks)
    assert "Topic 0" in last_opening and "Follow-up 0" in last_opening

    # Standups: a summary each Monday; who did not answer went to Bob alone; the blocker is an action.
    summaries = posted(bot, "CDEVOPS", "Standup summary")
    assert len(summaries) == 3
    assert all("<@UBOB>" not in json.dumps(s.blocks) for s in summaries)
    assert len([m for m in bot.posts_in("UBOB") if "who did not answer" in m.text]) == 3
    [blocked] = [a for a in rows(bot, Action) if a.status == ActionStatus.BLOCKED]
    assert blocked.title == "waiting on the VPN team" and blocked.owner.user_id == "UCHANDRA"

    # Everyone's part is theirs: Chandra's decisions, agenda items, standup updates and attendance count.
    with bot.services.sessions() as session:
        chandra = session.scalars(select(Person.id).where(Person.user_id == "UCHANDRA")).one()
        mine = Counter(c.kind.value for c in session.scalars(select(Contribution).where(
            Contribution.person_id == chandra)))
    assert mine["decision"] == 4 and mine["agenda_item"] == 4 and mine["standup_update"] == 3
    assert mine["meeting_attended"] == 4

    # Dana missed all of it: she joins and reads every sync's minutes, decisions and actions included.
    bot.slack.join("CDEVOPS", "UDANA")
    at(bot, SYNCS[-1] + dt.timedelta(days=1))
    command(bot, "UDANA", "join")
    for week, occurrence in enumerate(held):
        shown = command(bot, "UDANA", f"meeting minutes {occurrence.id}")
        assert f"Decision {week}" in shown and f"Follow-up {week}" in shown
