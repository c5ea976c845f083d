"""Which digests are due at an instant: one scan for the communities, one for the readers.

A reader's copy is due at 09:00 on their own wall clock, on their community's digest day; every
zone is worked out once, and the readers are then fetched in one query for just the zones whose
09:00 has come.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from models.communities import Community
from models.deliveries import Delivery
from models.digests.period import READER_TIME, Period, slot_due
from models.hours import zone_of
from models.people import Membership, Person

CHANNEL_KIND = "digest"  # the outbox kind of a channel's digest
MAX_STRETCH = dt.timedelta(days=7)


def channel_key(community_id: int, week: str) -> str:
    """The channel's digest of one week: there is one per community and week, whatever its slot."""
    return f"digest:{community_id}:{week}:channel"


@dataclass(frozen=True)
class DueCommunity:
    community: Community
    period: Period

    @property
    def key(self) -> str:
        return channel_key(self.community.id, self.period.week)


@dataclass(frozen=True)
class DueReader:
    membership: Membership
    period: Period

    @property
    def key(self) -> str:
        return f"digest:{self.membership.community_id}:{self.period.week}:dm:{self.membership.person.user_id}"


def channel_digests_due(session: Session, *, now: dt.datetime) -> list[DueCommunity]:
    """Communities whose weekly slot, in their own zone, came within the grace period."""
    due = []
    # An archived channel gets no digest; once back, one still within the grace period goes.
    for community in session.scalars(select(Community).where(Community.archived_at.is_(None)).order_by(Community.id)):
        period = slot_due(tz=community.timezone, weekday=community.digest_weekday, at=community.digest_time, now=now)
        if period is not None:
            due.append(DueCommunity(community, period))
    return since_last_digest(session, due)


def since_last_digest(session: Session, due: list[DueCommunity]) -> list[DueCommunity]:
    """Stretch each week back to the community's last channel digest, when that came more than a week before
    (by up to a week more): the first digest after its slot moved later covers the days between. One query."""
    if not due:
        return due
    last = {community_id: at for community_id, at in session.execute(
        select(Delivery.community_id, func.max(Delivery.created_at))
        .where(Delivery.kind == CHANNEL_KIND, Delivery.community_id.in_(sorted({d.community.id for d in due})))
        .group_by(Delivery.community_id))}
    stretched = []
    for item in due:
        previous, period = last.get(item.community.id), item.period
        if previous is not None and period.start - MAX_STRETCH <= previous < period.start:
            period = Period(start=previous, end=period.end, week=period.week)
        stretched.append(DueCommunity(item.community, period))
    return stretched


def _subscriber() -> tuple:
    return (Person.digest_dm.is_(True), Person.is_bot.is_(False), Person.deleted.is_(False))


def dm_digests_due(session: Session, *, now: dt.datetime) -> list[DueReader]:
    """Subscribers whose own 09:00 has come on their community's digest day (within the grace period)."""
    zones = session.scalars(select(Person.tz).where(*_subscriber()).distinct()).all()
    due: dict[str, tuple[int, Period]] = {}
    for tz in zones:
        weekday = now.astimezone(zone_of(tz)).weekday()
        period = slot_due(tz=tz, weekday=weekday, at=READER_TIME, now=now)
        if period is not None:
            due[tz] = (weekday, period)
    if not due:
        return []
    # Thousands of readers share a few hundred communities: those are read once, and each membership finds
    # its community in the session rather than in a join repeated on every row.
    communities = {c.id: c for c in session.scalars(select(Community))}
    memberships = session.scalars(
        select(Membership).options(lazyload(Membership.community)).join(Person, Person.id == Membership.person_id)
        .join(Community, Community.id == Membership.community_id)
        .where(Membership.active.is_(True), *_subscriber(),
               or_(*(and_(Person.tz == tz, Community.digest_weekday == weekday) for tz, (weekday, _) in due.items())))
        .order_by(Membership.community_id, Membership.id)
    ).all()
    for membership in memberships:
        set_committed_value(membership, "community", communities[membership.community_id])
    return [DueReader(m, due[m.person.tz][1]) for m in memberships]
