"""Wins told beyond the channel: found in the records every hour, posted once a week per workspace."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.blocks.wins import no_channel_dm, refused_dm, weekly_post
from bot.render import Message
from models.deliveries import enqueue, enqueue_many
from models.governance.budget import overall_lead_ids
from models.wins import channel_of, collect_wins, queued_counts
from models.wins.weekly import (
    mark_posted,
    post_due,
    post_key,
    take_back_refused,
    teams_with_wins,
    this_week,
    waiting_wins,
)

UTC = ZoneInfo("UTC")


def post_weekly_wins(*, session: Session, now: dt.datetime, admin_ids: frozenset[str] = frozenset()) -> int:
    """Record the wins that happened since the last run (so that leads see them, and can hold one, in time), then
    make one post a week per workspace to its wins channel, from Friday afternoon on the channel's clock; nothing in
    a week without wins. Without a channel (or with one Slack refused) the wins wait and the overall leads are told,
    once each time. Returns the messages it queued."""
    collect_wins(session, now=now)
    queued = 0
    for team_id in teams_with_wins(session):
        channel = channel_of(session, team_id=team_id)
        for refused in take_back_refused(session, team_id=team_id, channel=channel):
            queued += _tell(session, team_id, f"wins:refused:{refused.key}", refused_dm(refused.channel, refused.error),
                            now=now, admin_ids=admin_ids)
        if not post_due(now, channel.zone if channel is not None else UTC):
            continue
        if channel is None:
            counts = queued_counts(session, team_id=team_id)
            if any(waiting for _, waiting, _ in counts):
                queued += _tell(session, team_id, f"wins:no-channel:{team_id}", no_channel_dm(counts), now=now,
                                admin_ids=admin_ids)
            continue
        week = this_week(now, channel)
        if channel.broken or channel.last_week == week:
            continue
        channel.last_week = week
        waiting = waiting_wins(session, team_id=team_id, now=now)
        if not waiting.wins:
            continue
        message, shown = weekly_post(waiting)
        # Per week and per choice of channel: a week whose post was refused can still post to the next one chosen.
        key = f"{post_key(team_id, week)}:{int(channel.set_at.timestamp())}"
        if enqueue(session, key=key, team_id=team_id, channel=channel.channel_id, text=message.text,
                   blocks=message.blocks, kind="wins", now=now):
            mark_posted(session, win_ids=shown, key=key, now=now)
            queued += 1
    return queued


def _tell(session: Session, team_id: str, key: str, message: Message, *, now: dt.datetime,
          admin_ids: frozenset[str]) -> int:
    """A notice only an overall lead can act on: sent whatever their DM budget, like a budget request."""
    return enqueue_many(session, [dict(key=f"{key}:{user_id}", team_id=team_id, channel=user_id, text=message.text,
                                       blocks=message.blocks, kind="wins_notice", now=now)
                                  for user_id in overall_lead_ids(session, team_id=team_id, admin_ids=admin_ids)])
