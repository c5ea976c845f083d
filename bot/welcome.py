"""Welcoming a newcomer: the public post, through the outbox, once per join."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot import messages
from models.communities import Community
from models.deliveries import enqueue
from models.meetings import upcoming_meetings
from models.people import Membership


def welcome_newcomer(session: Session, *, community: Community, membership: Membership, now: dt.datetime) -> bool:
    """Queue the public welcome for this join; the key makes a second call for the same join a no-op."""
    upcoming = upcoming_meetings(session, community=community, now=now, limit=1)
    message = messages.welcome(community, membership.person.user_id, upcoming[0] if upcoming else None)
    joined = int(membership.joined_at.timestamp())
    return enqueue(session, key=f"welcome:{membership.id}:{joined}", team_id=community.team_id,
                   channel=community.channel_id, text=message.text, blocks=message.blocks, kind="welcome",
                   community_id=community.id, now=now)
