"""When a community's channel digest goes out, and moving it to another day and time.

The channel gets one digest per week, Monday to Sunday on the community's wall clock: its outbox key
names that week (models.digests.due.channel_key). Moving the slot keeps to that. A slot moved later in
a week whose digest has gone out waits for next week, since the key is taken; a slot moved earlier in a
week whose digest has not gone out, to a time already past (beyond the grace a late bot has), would
leave that week without one, so the move itself makes this week's digest due at once. Either way the
first digest after a move covers everything since the one before (models.digests.due.since_last_digest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.attention import handled_keys
from models.communities import Community
from models.digests.due import DueCommunity, channel_key, since_last_digest
from models.digests.period import GRACE, week_ending
from models.hours import zone_of
from models.when import at_local

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class DigestPlan:
    """What the channel can expect from its digest, seen at one instant."""

    next_at: dt.datetime  # the next digest's slot, in UTC (in the past while a late bot may still post it)
    sent_this_week: bool
    # This week's digest, to be posted now: its new slot has already passed and it has not gone out.
    catch_up: DueCommunity | None = None


def _monday(community: Community, now: dt.datetime) -> dt.date:
    local = now.astimezone(zone_of(community.timezone)).date()
    return local - dt.timedelta(days=local.weekday())


def _slot_in_week(community: Community, monday: dt.date) -> dt.datetime:
    return at_local(monday + dt.timedelta(days=community.digest_weekday), community.digest_time,
                    community.timezone)


def digest_plan(session: Session, *, community: Community, now: dt.datetime) -> DigestPlan:
    """When the channel's next digest comes, given its slot and whether this week's has gone out."""
    monday = _monday(community, now)
    this_week = week_ending(now, community.timezone).week
    sent = channel_key(community.id, this_week) in handled_keys(session, [channel_key(community.id, this_week)])
    slot = _slot_in_week(community, monday)
    if sent or slot + GRACE <= now:
        return DigestPlan(_slot_in_week(community, monday + WEEK), sent)
    return DigestPlan(slot, sent)


def move_digest_slot(
    session: Session, *, community: Community, weekday: int, at: dt.time, now: dt.datetime
) -> DigestPlan:
    """Post the channel's digest on `weekday` (Monday is 0) at `at` on the community's clock from now on."""
    moved = (community.digest_weekday, community.digest_time) != (weekday, at)
    community.digest_weekday, community.digest_time = weekday, at
    session.flush()
    plan = digest_plan(session, community=community, now=now)
    missed = not plan.sent_this_week and _slot_in_week(community, _monday(community, now)) + GRACE <= now
    if moved and missed:
        [catch_up] = since_last_digest(session, [DueCommunity(community, week_ending(now, community.timezone))])
        return DigestPlan(plan.next_at, False, catch_up)
    return plan
