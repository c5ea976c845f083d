"""What Slack's life-cycle events change: a member deactivated or back, a channel archived or back, renamed.

The outbox holds what may not go (`models.deliveries.sendable`); this module decides what a held or queued
message becomes when the person or the channel comes back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.communities import MAX_NAME, Community
from models.deliveries import Delivery, DeliveryStatus
from models.meetings.reminders import occurrence_in_key
from models.people import Membership, Person

DEACTIVATED_ERROR = "user_deactivated"


def deactivate_person(session: Session, *, person: Person) -> list[Community]:
    """Someone left the workspace: they are sent nothing more, and what was waiting for them fails with a
    reason. Their memberships stay, so that a re-activation finds them where they were; returns the
    communities they were in, whose open actions go back to the pool."""
    person.deleted = True
    session.execute(update(Delivery).where(
        Delivery.team_id == person.team_id, Delivery.channel == person.user_id,
        Delivery.status == DeliveryStatus.PENDING).values(status=DeliveryStatus.FAILED, last_error=DEACTIVATED_ERROR))
    session.flush()
    return list(session.scalars(select(Community).join(Membership, Membership.community_id == Community.id).where(
        Membership.person_id == person.id, Membership.active.is_(True)).order_by(Community.id)))


def archive_community(session: Session, *, community: Community, now: dt.datetime) -> bool:
    """The channel was archived: the community is paused; True if it was not already."""
    if community.archived_at is not None:
        return False
    community.archived_at = now
    session.flush()
    return True


def unarchive_community(session: Session, *, community: Community, now: dt.datetime) -> int:
    """The channel is back: what was held for it goes out, but a reminder of a meeting that has already begun
    is dropped. Returns how many held reminders were dropped."""
    if community.archived_at is None:
        return 0
    community.archived_at = None
    held = session.execute(select(Delivery.id, Delivery.key).where(
        Delivery.team_id == community.team_id, Delivery.channel == community.channel_id,
        Delivery.kind == "reminder", Delivery.status == DeliveryStatus.PENDING)).all()
    stale = [row.id for row in held if (about := occurrence_in_key(row.key)) is not None and about[1] <= now]
    if stale:
        session.execute(delete(Delivery).where(Delivery.id.in_(stale)))
    session.flush()
    return len(stale)


def rename_channel(session: Session, *, community: Community, name: str) -> bool:
    """Record the channel's new name. The community's name follows only if it was the channel's name (the
    lead named it after the channel); a name the lead chose stays. True if the community's name changed."""
    name = name.lstrip("#")[:MAX_NAME]
    follows = community.channel_name is not None and community.name == community.channel_name
    community.channel_name = name or community.channel_name
    if follows and name:
        community.name = name
    session.flush()
    return follows and bool(name)


def archived_channels(session: Session, *, ids: set[int]) -> dict[int, str]:
    """Which of these communities are archived, with their channel's id, in one query."""
    if not ids:
        return {}
    return {row.id: row.channel_id for row in session.execute(select(Community.id, Community.channel_id).where(
        Community.id.in_(sorted(ids)), Community.archived_at.is_not(None)))}
