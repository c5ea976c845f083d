"""What a person's Home tab shows: their communities, actions, meetings, contributions and settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.actions import Action
from models.attention import HeldNotice, dms_used, waiting_notices
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.digests.mentioned import recent_mentions
from models.digests.parts import Item
from models.digests.personal import STILL_OPEN
from models.governance import year_now
from models.governance.plan import Progress, plans_of
from models.meetings import Meeting, Occurrence
from models.people import Membership, Person, Role

RECENT = dt.timedelta(days=30)
MEETINGS_AHEAD = dt.timedelta(days=30)
MAX_ROWS = 10


@dataclass(frozen=True)
class Home:
    person: Person
    memberships: list[tuple[Community, Role]]
    actions: list[tuple[Action, Community]]
    meetings: list[Occurrence]
    contributions: dict[ContributionKind, int]
    dms_this_week: int
    waiting: list[HeldNotice]
    mentioned: list[Item]
    # Each community's open objectives for its current year, in the order of `memberships`.
    plans: list[tuple[Community, list[Progress]]]


def home_of(session: Session, *, person: Person, now: dt.datetime) -> Home:
    """Everything the Home tab shows, in a handful of queries whatever the number of communities."""
    memberships = [(m.community, m.role) for m in session.scalars(
        select(Membership).where(Membership.person_id == person.id, Membership.active.is_(True)))]
    memberships.sort(key=lambda pair: pair[0].name.lower())
    community_ids = [c.id for c, _ in memberships]
    actions = [(a, c) for a, c in session.execute(
        select(Action, Community).join(Community, Community.id == Action.community_id)
        .where(Action.owner_id == person.id, Action.status.in_(STILL_OPEN))
        .order_by(Action.due_at.is_(None), Action.due_at, Action.id).limit(MAX_ROWS)
    )]
    meetings: list[Occurrence] = []
    if community_ids:
        for meeting in session.scalars(select(Meeting).where(Meeting.community_id.in_(community_ids),
                                                             Meeting.cancelled_at.is_(None))):
            meetings += [Occurrence(meeting, start) for start in meeting.next_occurrences(after=now, count=1)
                         if start <= now + MEETINGS_AHEAD]
    meetings.sort(key=lambda o: (o.starts_at, o.meeting.id))
    contributions = {kind: n for kind, n in session.execute(
        select(Contribution.kind, func.count()).where(
            Contribution.person_id == person.id, Contribution.occurred_at > now - RECENT,
            Contribution.occurred_at <= now, Contribution.kind != ContributionKind.JOINED,
        ).group_by(Contribution.kind))}
    used = dms_used(session, team_id=person.team_id, user_ids=[person.user_id], now=now).get(person.user_id, 0)
    waiting = waiting_notices(session, person_ids=[person.id], now=now).get(person.id, [])
    mentioned = recent_mentions(session, person=person, now=now, limit=MAX_ROWS)
    years = {c.id: year_now(c, now) for c, _ in memberships}
    found = plans_of(session, wanted=years.items())
    plans = [(c, found[c.id, years[c.id]]) for c, _ in memberships if found.get((c.id, years[c.id]))]
    return Home(person, memberships, actions, meetings[:MAX_ROWS], contributions, used, waiting, mentioned, plans)
