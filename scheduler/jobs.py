"""Plain job functions: each scans the tables for what is due at `now` and writes to the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks import meetings as blocks
from bot.blocks import standups as standup_blocks
from bot.minutes import post_minutes
from bot.render import Message
from bot.standups import post_summary
from models.attention import Outcome, arrival
from models.deliveries import Delivery, enqueue_many
from models.inbox import forget_finished
from models.meetings import Occurrence, due_reminders
from models.meetings.agenda import agendas
from models.meetings.occurrences import materialize
from models.meetings.reminders import coming, rsvp_counts
from models.meetings.running import end_meeting, overdue_meetings
from models.standups.asks import async_runs, due_asks, not_yet_asked, record_asks
from models.standups.runs import close_run, due_closures
from models.standups.settings import describe_days


def send_due_reminders(*, session: Session, now: dt.datetime) -> int:
    """Queue each meeting reminder whose moment has come, in the channel and by DM to those coming.

    Reminders already queued are skipped before anything else, so a tick only does work for new
    ones; everything for the new ones (occurrence rows, RSVPs, agendas, everyone's DM budget, the posts
    and the DMs) is a handful of queries. A DM that would go over someone's budget, find them away, or reach them
    only after the meeting began (outside their working hours) waits for their digest, which shows it only while
    the meeting is still to come.
    """
    due = due_reminders(session, now=now)
    keys = [d.key(d.meeting.community.channel_id) for d in due]
    queued = set(session.scalars(select(Delivery.key).where(Delivery.key.in_(keys)))) if keys else set()
    # Soonest meeting first: someone with room for one more DM gets the reminder that matters sooner.
    fresh = sorted((d for d, key in zip(due, keys, strict=True) if key not in queued),
                   key=lambda d: (d.starts_at, d.meeting.id, d.offset_minutes))
    if not fresh:
        return 0
    rows = materialize(session, [Occurrence(d.meeting, d.starts_at, d.slot) for d in fresh])
    ids = [row.id for row in rows.values()]
    yes, counts = coming(session, occurrence_ids=ids), rsvp_counts(session, occurrence_ids=ids)
    agenda = agendas(session, occurrences=list(rows.values()))
    posts: list[dict] = []
    dms: list[Dm] = []
    for item in fresh:
        community = item.meeting.community
        row = rows[(item.meeting.id, item.slot)]
        occurrence = Occurrence(item.meeting, item.starts_at, item.slot)
        left = item.minutes_left(now)
        message = blocks.reminder(occurrence, occurrence_id=row.id, minutes_left=left, agenda=agenda[row.id],
                                  counts=counts[row.id])
        posts.append(dict(key=item.key(community.channel_id), team_id=community.team_id,
                          channel=community.channel_id, text=message.text, blocks=message.blocks, kind="reminder",
                          community_id=community.id, now=now))
        # Each person's copy says the time left when it reaches them, which is later outside their working hours.
        direct: dict[dt.datetime, Message] = {}
        for person in (p for p in yes[row.id] if not p.deleted):
            at = arrival(person, now)
            if at not in direct:
                direct[at] = blocks.reminder_dm(occurrence, occurrence_id=row.id, minutes_left=item.minutes_left(at),
                                                agenda=agenda[row.id])
            dms.append(Dm(person, "meetings", "reminder_dm", item.key(f"dm:{person.user_id}"), direct[at],
                          blocks.reminder_summary(occurrence), community.id, expires=item.starts_at))
    sent = enqueue_many(session, posts)
    outcomes = deliver_dms(session, dms, now=now)
    return sent + sum(outcome is Outcome.SEND for outcome in outcomes)


def close_overdue_meetings(*, session: Session, now: dt.datetime) -> int:
    """Close meetings nobody ended, some time after their planned end, and post their minutes."""
    closed = 0
    for occurrence in overdue_meetings(session, now=now):
        end_meeting(session, occurrence=occurrence, now=now, by_scheduler=True)
        closed += post_minutes(session, occurrence=occurrence, now=now)
    return closed


def ask_standups(*, session: Session, now: dt.datetime) -> int:
    """DM each member whose standup time has come in their own zone, once per standup day.

    An ask that would go over someone's weekly budget is held for their digest instead, and they are
    not expected to answer: the leads are never told they were missing.
    """
    due = due_asks(session, now=now)
    if not due.asks:
        return 0
    questions = {ask.standup.id: list(ask.standup.questions) for ask in due.asks}
    runs = async_runs(session, closes=due.closes, questions=questions, now=now)
    fresh = not_yet_asked(session, asks=due.asks, runs=runs)
    texts: dict[int, Message] = {}
    dms: list[Dm] = []
    for ask, run in fresh:
        standup, community = ask.standup, ask.standup.community
        if run.id not in texts:
            texts[run.id] = standup_blocks.ask_dm(community=community.name, questions=run.questions, day=ask.day,
                                                  run_id=run.id, days=describe_days(standup.days),
                                                  at=standup.ask_time)
        dms.append(Dm(ask.person, "standups", "standup_ask",
                      f"standup:{standup.id}:{ask.day.isoformat()}:ask:{ask.person.user_id}", texts[run.id],
                      standup_blocks.held_ask_summary(community=community.name, day=ask.day), community.id,
                      expires=run.closes_at))
    outcomes = deliver_dms(session, dms, now=now)
    record_asks(session, asked=[pair for pair, o in zip(fresh, outcomes, strict=True) if o is Outcome.SEND],
                held=[pair for pair, o in zip(fresh, outcomes, strict=True) if o is not Outcome.SEND], now=now)
    return sum(outcome is Outcome.SEND for outcome in outcomes)


def close_standups(*, session: Session, now: dt.datetime) -> int:
    """Close standups whose window has passed: the summary to the channel, who was missing to the leads."""
    queued = 0
    for run in due_closures(session, now=now):
        close_run(session, run=run, now=now)
        queued += post_summary(session, run=run, now=now, tell_leads=True)
    return queued


def forget_finished_requests(*, session: Session, now: dt.datetime) -> int:
    """Drop requests finished more than a day ago (past Slack's retry and replay windows); the inbox would
    otherwise only grow."""
    return forget_finished(session, now=now)
