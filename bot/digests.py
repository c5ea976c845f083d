"""Posting a community's weekly digest to its channel: from the clock at its slot, or when a lead's move of
the slot would otherwise leave this week without one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.blocks.digest import Copy, digest_message
from models.deliveries import enqueue
from models.digests import build_digest
from models.digests.due import CHANNEL_KIND, DueCommunity


def post_channel_digest(session: Session, *, due: DueCommunity, now: dt.datetime) -> bool:
    """Queue the channel's digest of `due.period`; False if that week's was queued already."""
    community = due.community
    message = digest_message(build_digest(session, community=community, period=due.period), Copy.CHANNEL)
    return enqueue(session, key=due.key, team_id=community.team_id, channel=community.channel_id, text=message.text,
                   blocks=message.blocks, kind=CHANNEL_KIND, community_id=community.id, now=now)
