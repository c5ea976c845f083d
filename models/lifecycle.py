"""What Slack's life-cycle events change: a member deactivated or back, a channel archived or back, renamed.

The outbox holds what may not go (`models.deliveries.sendable`); this module decides what a held or queued
message becomes when the person or the channel comes back: still posted if it lasts, dropped as expired if its
moment has passed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from models.communities import MAX_NAME, Community
from models.deliveries import Delivery, DeliveryStatus
from models.digests.due import CHANNEL_KIND
from models.meetings.occurrences import MeetingOccurrence
from models.meetings.reminders import occurrence_in_key
from models.people import Membership, Person
from models.standups.tables import StandupRun

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
    """The channel is back: what was held for it goes out, but what was only worth posting at its time, and whose
    time has passed, is dropped as expired with the reason (see `expired_posts`). Returns how many were dropped."""
    if community.archived_at is None:
        return 0
    community.archived_at = None
    held = session.execute(select(Delivery.id, Delivery.kind, Delivery.key, Delivery.created_at).where(
        Delivery.team_id == community.team_id, Delivery.channel == community.channel_id,
        Delivery.status == DeliveryStatus.PENDING)).all()
    stale = expired_posts(session, held, now=now)
    by_reason: dict[str, list[int]] = {}
    for delivery_id, reason in stale.items():
        by_reason.setdefault(reason, []).append(delivery_id)
    for reason, ids in sorted(by_reason.items()):
        session.execute(update(Delivery).where(Delivery.id.in_(sorted(ids)))
                        .values(status=DeliveryStatus.EXPIRED, last_error=reason[:255]))
    session.flush()
    return len(stale)


# Why a held post was dropped, recorded on it.
MEETING_BEGUN = "expired: its meeting had begun when the channel came back"
STANDUP_CLOSED = "expired: its standup had closed when the channel came back"
MEETING_ENDED = "expired: its meeting had ended when the channel came back"
DIGEST_SUPERSEDED = "expired: the next week's digest was due when the channel came back"
# A channel's digest is news until the next week's is due.
DIGEST_NEWS_FOR = dt.timedelta(days=7)
_STANDUP = re.compile(r"^standup:(\d+):(?:thread|update:)")
_MEETING_THREAD = re.compile(r"^meeting:(\d+):thread$")


def expired_posts(session: Session, held: Sequence[Row], *, now: dt.datetime) -> dict[int, str]:
    """Which of these held channel posts (rows of id, kind, key, created_at) are no longer worth posting at
    `now`, each with why: the time-bound ones whose moment has passed. A meeting's reminder once it has begun;
    a standup's ask, and the answers for its thread, once it has closed; a running meeting's thread once it has
    ended; a week's digest once the next is due. What lasts (an action's card, a decision, a kudos, minutes, a
    standup's summary) is never stale. Two queries at most, whatever the number."""
    stale: dict[int, str] = {}
    runs: dict[int, list[int]] = {}
    occurrences: dict[int, list[int]] = {}
    for row in held:
        if row.kind == "reminder":
            about = occurrence_in_key(row.key)
            if about is not None and about[1] <= now:
                stale[row.id] = MEETING_BEGUN
        elif row.kind == CHANNEL_KIND:
            if row.created_at + DIGEST_NEWS_FOR <= now:
                stale[row.id] = DIGEST_SUPERSEDED
        elif match := _STANDUP.match(row.key):
            runs.setdefault(int(match[1]), []).append(row.id)
        elif match := _MEETING_THREAD.match(row.key):
            occurrences.setdefault(int(match[1]), []).append(row.id)
    if runs:
        for run_id in session.scalars(select(StandupRun.id).where(
                StandupRun.id.in_(sorted(runs)), StandupRun.closed_at.is_not(None), StandupRun.closed_at <= now)):
            stale.update(dict.fromkeys(runs[run_id], STANDUP_CLOSED))
    if occurrences:
        for occurrence_id in session.scalars(select(MeetingOccurrence.id).where(
                MeetingOccurrence.id.in_(sorted(occurrences)), MeetingOccurrence.ended_at.is_not(None),
                MeetingOccurrence.ended_at <= now)):
            stale.update(dict.fromkeys(occurrences[occurrence_id], MEETING_ENDED))
    return stale


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
