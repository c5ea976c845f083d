"""Plain job functions: each scans the tables for what is due at `now` and writes to the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import meetings as blocks
from bot.blocks import standups as standup_blocks
from bot.minutes import post_minutes
from bot.standups import post_summary
from models.deliveries import Delivery, enqueue, enqueue_many
from models.events import forget_old_events
from models.meetings import DueReminder, Occurrence, due_reminders
from models.meetings.agenda import agendas
from models.meetings.occurrences import materialize
from models.meetings.reminders import coming, rsvp_counts
from models.meetings.running import end_meeting, overdue_meetings
from models.standups.asks import async_runs, due_asks, not_yet_asked
from models.standups.runs import close_run, due_closures
from models.standups.settings import describe_days


def reminder_key(due: DueReminder, target: str) -> str:
    """One reminder per occurrence, offset and channel (or `dm:<user>`): what makes it exactly-once."""
    return f"reminder:{due.meeting.id}:{due.starts_at:%Y%m%dT%H%MZ}:{due.offset_minutes}m:{target}"


def send_due_reminders(*, session: Session, now: dt.datetime) -> int:
    """Queue each meeting reminder whose moment has come, in the channel and by DM to those coming.

    Reminders already queued are skipped before anything else, so a tick only does work for new
    ones; everything for the new ones (occurrence rows, RSVPs, agendas) is a handful of queries.
    """
    due = due_reminders(session, now=now)
    keys = [reminder_key(d, d.meeting.community.channel_id) for d in due]
    queued = set(session.scalars(select(Delivery.key).where(Delivery.key.in_(keys)))) if keys else set()
    fresh = [d for d, key in zip(due, keys, strict=True) if key not in queued]
    if not fresh:
        return 0
    rows = materialize(session, [Occurrence(d.meeting, d.starts_at, d.slot) for d in fresh])
    ids = [row.id for row in rows.values()]
    yes, counts = coming(session, occurrence_ids=ids), rsvp_counts(session, occurrence_ids=ids)
    agenda = agendas(session, occurrences=list(rows.values()))
    sent = 0
    for item in fresh:
        community = item.meeting.community
        row = rows[(item.meeting.id, item.slot)]
        occurrence = Occurrence(item.meeting, item.starts_at, item.slot)
        message = blocks.reminder(occurrence, occurrence_id=row.id, offset_minutes=item.offset_minutes,
                                  agenda=agenda[row.id], counts=counts[row.id])
        sent += enqueue(session, key=reminder_key(item, community.channel_id), team_id=community.team_id,
                        channel=community.channel_id, text=message.text, blocks=message.blocks, kind="reminder",
                        community_id=community.id, now=now)
        direct = blocks.reminder_dm(occurrence, occurrence_id=row.id, offset_minutes=item.offset_minutes,
                                    agenda=agenda[row.id])
        for person in yes[row.id]:
            if person.meeting_dms and not person.deleted:
                sent += enqueue(session, key=reminder_key(item, f"dm:{person.user_id}"), team_id=community.team_id,
                                channel=person.user_id, text=direct.text, blocks=direct.blocks, kind="reminder_dm",
                                community_id=community.id, now=now)
    return sent


def close_overdue_meetings(*, session: Session, now: dt.datetime) -> int:
    """Close meetings nobody ended, some time after their planned end, and post their minutes."""
    closed = 0
    for occurrence in overdue_meetings(session, now=now):
        end_meeting(session, occurrence=occurrence, now=now, by_scheduler=True)
        closed += post_minutes(session, occurrence=occurrence, now=now)
    return closed


def ask_standups(*, session: Session, now: dt.datetime) -> int:
    """DM each member whose standup time has come in their own zone, once per standup day."""
    due = due_asks(session, now=now)
    if not due.asks:
        return 0
    questions = {ask.standup.id: list(ask.standup.questions) for ask in due.asks}
    runs = async_runs(session, closes=due.closes, questions=questions, now=now)
    messages, texts = [], {}
    for ask, run in not_yet_asked(session, asks=due.asks, runs=runs, now=now):
        standup, community = ask.standup, ask.standup.community
        if run.id not in texts:
            texts[run.id] = standup_blocks.ask_dm(community=community.name, questions=run.questions, day=ask.day,
                                                  run_id=run.id, days=describe_days(standup.days),
                                                  at=standup.ask_time)
        messages.append(dict(key=f"standup:{standup.id}:{ask.day.isoformat()}:ask:{ask.person.user_id}",
                             team_id=community.team_id, channel=ask.person.user_id, text=texts[run.id].text,
                             blocks=texts[run.id].blocks, kind="standup_ask", community_id=community.id, now=now))
    return enqueue_many(session, messages)


def close_standups(*, session: Session, now: dt.datetime) -> int:
    """Close standups whose window has passed: the summary to the channel, who was missing to the leads."""
    queued = 0
    for run in due_closures(session, now=now):
        close_run(session, run=run, now=now)
        queued += post_summary(session, run=run, now=now, tell_leads=True)
    return queued


def forget_processed_events(*, session: Session, now: dt.datetime) -> int:
    """Drop event ids older than Slack's retry window; the table would otherwise only grow."""
    return forget_old_events(session, now=now)
