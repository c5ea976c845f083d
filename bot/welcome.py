"""Welcoming a newcomer: the public post and the direct message, through the outbox, once per join."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import deliver_dm
from bot.blocks.welcome import intro_post, public_welcome, welcome_dm, welcome_summary
from models.communities import Community
from models.deliveries import enqueue
from models.meetings import upcoming_meetings
from models.newcomers import choose_buddy, first_action, public_welcome_key, welcome_dm_key, welcome_thread
from models.people import Membership
from models.terms import terms_of


def welcome_newcomer(session: Session, *, community: Community, membership: Membership, now: dt.datetime) -> bool:
    """Queue the public welcome and the newcomer's DM for this join; a second call for the same join is a no-op."""
    person = membership.person
    upcoming = upcoming_meetings(session, community=community, now=now, limit=1)
    next_meeting = upcoming[0] if upcoming else None
    message = public_welcome(community, person, next_meeting)
    queued = enqueue(session, key=public_welcome_key(membership), team_id=community.team_id,
                     channel=community.channel_id, text=message.text, blocks=message.blocks, kind="welcome",
                     community_id=community.id, now=now)
    if queued:
        dm = welcome_dm(community, person, terms=terms_of(session, community=community), next_meeting=next_meeting,
                        action=first_action(session, community=community, person=person, now=now),
                        buddy=choose_buddy(session, community=community, newcomer=person, now=now))
        deliver_dm(session, person=person, kind="newcomer", delivery_kind="welcome_dm", key=welcome_dm_key(membership),
                   message=dm, summary=welcome_summary(community), community_id=community.id, now=now)
    return queued


def post_intro(session: Session, *, community: Community, membership: Membership, now: dt.datetime) -> bool:
    """Tell the channel what a member is into, once per join: in the thread of their welcome when it was sent."""
    message = intro_post(community, membership.person)
    joined = int(membership.joined_at.timestamp())
    return enqueue(session, key=f"intro:{membership.id}:{joined}", team_id=community.team_id,
                   channel=community.channel_id, text=message.text, blocks=message.blocks, kind="intro",
                   community_id=community.id, now=now, thread_ts=welcome_thread(session, membership=membership))
