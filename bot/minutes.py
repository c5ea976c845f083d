"""Posting a meeting's minutes: after `/cop meeting end`, or when the scheduler closes a forgotten meeting."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.blocks.meetings import minutes_message
from models.deliveries import enqueue
from models.links import link_to
from models.meetings import MeetingOccurrence


def post_minutes(session: Session, *, occurrence: MeetingOccurrence, now: dt.datetime) -> bool:
    """Queue the minutes for the community's channel, once per meeting."""
    if occurrence.minutes is None:
        return False
    community = occurrence.meeting.community
    message = minutes_message(occurrence.minutes)
    return enqueue(session, key=f"minutes:{occurrence.id}", team_id=community.team_id, channel=community.channel_id,
                   text=message.text, blocks=message.blocks, kind="minutes", community_id=community.id, now=now,
                   link_to=link_to("minutes", occurrence.id))
