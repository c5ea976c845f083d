"""Posting a community's weekly digest to its channel: from the clock at its slot, or when a lead's move of
the slot would otherwise leave this week without one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks.digest import Copy, digest_message
from models.deliveries import enqueue
from models.digests import Section, build_digest
from models.digests.due import CHANNEL_KIND, DueCommunity


def channel_digest(session: Session, *, due: DueCommunity, now: dt.datetime,
                   shared: Sequence[Section] | None = None) -> dict[str, Any]:
    """The channel's digest of `due.period`, as `enqueue`'s arguments. `shared` is its sections when the
    caller built them already (for many communities at once)."""
    community = due.community
    message = digest_message(build_digest(session, community=community, period=due.period, shared=shared),
                             Copy.CHANNEL)
    return dict(key=due.key, team_id=community.team_id, channel=community.channel_id, text=message.text,
                blocks=message.blocks, kind=CHANNEL_KIND, community_id=community.id, now=now)


def post_channel_digest(session: Session, *, due: DueCommunity, now: dt.datetime) -> bool:
    """Queue the channel's digest of `due.period`; False if that week's was queued already."""
    return enqueue(session, **channel_digest(session, due=due, now=now))
