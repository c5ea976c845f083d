"""Newcomers: a buddy whose hours overlap theirs, a first action from the pool, a check-in after a week."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, lazyload

from models.actions import Action, ActionStatus
from models.base import chunked
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.deliveries import Delivery
from models.hours import WorkingHours, overlap, zone_of
from models.people import Membership, Person, Role, not_away

CHECKIN_AFTER = dt.timedelta(days=7)
# A check-in much later than a week reads oddly; past this it is skipped rather than sent late.
CHECKIN_UNTIL = dt.timedelta(days=14)
BUDDY_ROLES = (Role.SME, Role.LEAD, Role.CO_LEAD)
_WORD = re.compile(r"[a-z0-9][a-z0-9+#.-]{2,}")
# Words too common to say anything about what someone is interested in.
_COMMON = frozenset("""
the and for with from that this into about are was were our your you all any can how what when who why
not but use using work working things stuff some more most make new get set out via per its it's
""".split())


def _joined_stamp(membership: Membership) -> int:
    return int(membership.joined_at.timestamp())


def public_welcome_key(membership: Membership) -> str:
    return f"welcome:{membership.id}:{_joined_stamp(membership)}"


def welcome_dm_key(membership: Membership) -> str:
    return f"welcome-dm:{membership.id}:{_joined_stamp(membership)}"


def checkin_key(membership: Membership) -> str:
    return f"checkin:{membership.id}:{_joined_stamp(membership)}"


def welcome_thread(session: Session, *, membership: Membership) -> str | None:
    """The `ts` of the member's public welcome once it was posted, to reply in its thread."""
    return session.scalar(select(Delivery.sent_ts).where(Delivery.key == public_welcome_key(membership),
                                                         Delivery.sent_ts.is_not(None)))


@dataclass(frozen=True)
class Buddy:
    person: Person
    role: Role
    overlap: dt.timedelta


def zone_gap(a: str, b: str, *, at: dt.datetime) -> dt.timedelta:
    """How far apart two zones' clocks are at `at`, the short way round the world (at most 12 hours)."""
    offset_a = at.astimezone(zone_of(a)).utcoffset() or dt.timedelta()
    offset_b = at.astimezone(zone_of(b)).utcoffset() or dt.timedelta()
    gap = abs(offset_a - offset_b)
    return min(gap, dt.timedelta(hours=24) - gap)


def choose_buddy(session: Session, *, community: Community, newcomer: Person, now: dt.datetime) -> Buddy | None:
    """The SME or lead who shares most working hours with the newcomer this coming week; SMEs first on a tie.

    When nobody's hours overlap theirs (Sydney in a London community), still the best there is: the one whose
    clock is nearest theirs. The welcome says so, and how to reach them without meeting live.
    """
    rows = session.execute(
        select(Membership.role, Person).join(Person, Person.id == Membership.person_id).where(
            Membership.community_id == community.id, Membership.active.is_(True),
            Membership.role.in_(list(BUDDY_ROLES)), Person.id != newcomer.id,
            Person.is_bot.is_(False), Person.deleted.is_(False),
        )
    ).all()
    mine = WorkingHours.of(newcomer)
    scored = []
    for role, person in rows:
        shared = overlap(mine, WorkingHours.of(person), week_from=now)
        # Whole hours, so that an SME is not passed over for a lead who overlaps ten minutes more; any overlap
        # beats none, and without one the nearest clock wins.
        hours = shared // dt.timedelta(hours=1)
        gap = zone_gap(newcomer.tz, person.tz, at=now) if not shared else dt.timedelta()
        scored.append(((-hours, not shared, gap, role != Role.SME, person.id), Buddy(person, role, shared)))
    return min(scored, key=lambda s: s[0])[1] if scored else None


def pools(session: Session, *, community_ids: Iterable[int], now: dt.datetime,
          limit: int = 50) -> dict[int, list[Action]]:
    """`pool_actions` of many communities: one statement per IN_CHUNK communities."""
    found: dict[int, list[Action]] = defaultdict(list)
    first = (or_(Action.due_at.is_(None), Action.due_at > now).desc(), Action.created_at.desc(), Action.id.desc())
    for chunk in chunked(sorted(set(community_ids))):
        ranked = (
            select(Action.id, func.row_number().over(partition_by=Action.community_id, order_by=first).label("n"))
            .where(Action.community_id.in_(chunk), Action.owner_id.is_(None), Action.status == ActionStatus.OPEN)
            .subquery()
        )
        # Read for what they say (their titles), fifty a community: their community and people, joined to
        # every row, would cost more to load than the actions themselves, and are read only if asked for.
        for action in session.scalars(select(Action).join(ranked, ranked.c.id == Action.id).options(lazyload("*"))
                                      .where(ranked.c.n <= limit).order_by(Action.community_id, ranked.c.n)):
            found[action.community_id].append(action)
    return found


def pool_actions(session: Session, *, community_id: int, now: dt.datetime, limit: int = 50) -> list[Action]:
    """Open actions nobody owns yet, the ones not yet overdue first, then the newest."""
    return pools(session, community_ids=[community_id], now=now, limit=limit)[community_id]


def interest_words(text: str | None) -> set[str]:
    return {w.strip(".-") for w in _WORD.findall((text or "").lower())} - _COMMON


def best_fit(actions: Sequence[Action], interests: str | None) -> Action | None:
    """The action whose title shares most words with what the person said they are interested in."""
    wanted = interest_words(interests)
    if not wanted:
        return None
    scored = [(len(wanted & interest_words(a.title)), -index, a) for index, a in enumerate(actions)]
    best = max(scored, key=lambda s: s[:2], default=None)
    return best[2] if best and best[0] > 0 else None


def first_action(session: Session, *, community: Community, person: Person, now: dt.datetime) -> Action | None:
    """One good first step from the pool: one that fits the newcomer's interests if any does."""
    pool = pool_actions(session, community_id=community.id, now=now)
    return best_fit(pool, person.interests) or (pool[0] if pool else None)


def checkins_due(session: Session, *, now: dt.datetime) -> list[Membership]:
    """Newcomers a week in who have not contributed since joining and still want newcomer messages.

    One query; whether each was welcomed, is inside working hours and was already checked in on is
    for the caller to settle over the whole list.
    """
    contributed = exists().where(
        Contribution.community_id == Membership.community_id, Contribution.person_id == Membership.person_id,
        Contribution.occurred_at >= Membership.joined_at, Contribution.kind != ContributionKind.JOINED,
    )
    return list(session.scalars(
        select(Membership).join(Person, Person.id == Membership.person_id).where(
            Membership.active.is_(True), Membership.joined_at <= now - CHECKIN_AFTER,
            Membership.joined_at > now - CHECKIN_UNTIL,
            and_(Person.is_bot.is_(False), Person.deleted.is_(False), Person.newcomer_dms.is_(True)),
            not_away(now),
            ~contributed,
        ).order_by(Membership.id)
    ).unique())
