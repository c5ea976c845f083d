"""Plain job functions: each scans the tables for what is due at `now` and writes to the outbox."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot import messages
from models.deliveries import enqueue
from models.events import forget_old_events
from models.meetings import due_reminders


def send_due_reminders(*, session: Session, now: dt.datetime) -> int:
    """Queue each meeting reminder whose moment has come; returns how many were new."""
    queued = 0
    for due in due_reminders(session, now=now):
        meeting = due.meeting
        community = meeting.community
        message = messages.meeting_reminder(meeting, due.starts_at, due.offset_minutes)
        occurrence = due.starts_at.strftime("%Y%m%dT%H%MZ")
        key = f"reminder:{meeting.id}:{occurrence}:{due.offset_minutes}m:{community.channel_id}"
        queued += enqueue(session, key=key, team_id=community.team_id, channel=community.channel_id,
                          text=message.text, blocks=message.blocks, kind="reminder",
                          community_id=community.id, now=now)
    return queued


def forget_processed_events(*, session: Session, now: dt.datetime) -> int:
    """Drop event ids older than Slack's retry window; the table would otherwise only grow."""
    return forget_old_events(session, now=now)
