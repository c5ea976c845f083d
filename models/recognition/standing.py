"""A person's contributions over time (their portfolio), and the communities' league table.

Both read the contribution ledger with a handful of grouped queries, whatever its size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session

from models.actions.model import ACTIVE_STATUSES, Action, ActionStatus
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.people import Membership, Person

PERIODS = {"week": 7, "month": 30, "quarter": 91}
PORTFOLIO_MONTHS = 6

# What each act is worth on the leaderboard: doing the community's work counts more than reacting.
POINTS = {
    ContributionKind.REACTION_GIVEN: 1,
    ContributionKind.MESSAGE: 2,
    ContributionKind.THREAD_REPLY: 2,
    ContributionKind.APPRECIATION_RECEIVED: 2,
    ContributionKind.KUDOS_GIVEN: 2,
    ContributionKind.STANDUP_UPDATE: 2,
    ContributionKind.RSVP: 1,
    ContributionKind.AGENDA_ITEM: 2,
    ContributionKind.MEETING_NOTE: 2,
    ContributionKind.DECISION: 3,
    ContributionKind.MEETING_LED: 4,
    ContributionKind.IDEA: 3,
    ContributionKind.KUDOS_RECEIVED: 3,
    ContributionKind.ACTION_CREATED: 3,
    ContributionKind.MEETING_ATTENDED: 3,
    ContributionKind.KNOWLEDGE_ITEM: 4,
    ContributionKind.ACTION_CLOSED: 5,
}
# Health weighs how many members took part against how the action plan is kept.
PARTICIPATION_WEIGHT = 0.6
FOLLOW_THROUGH_WEIGHT = 0.4


@dataclass(frozen=True)
class Portfolio:
    person: Person
    months: list[dt.date]  # the first day of each month shown, oldest first
    by_month: dict[ContributionKind, list[int]]
    all_time: dict[ContributionKind, int]


def _month_starts(now: dt.datetime, zone: ZoneInfo, count: int) -> list[dt.datetime]:
    """The starts of the last `count` months in `zone`, plus the next one's, as aware UTC."""
    local = now.astimezone(zone)
    year, month = local.year, local.month
    starts = []
    for _ in range(count):
        starts.append(dt.datetime(year, month, 1, tzinfo=zone))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    last = starts[-1]
    starts.append(dt.datetime(last.year + (last.month == 12), last.month % 12 + 1, 1, tzinfo=zone))
    return [s.astimezone(dt.UTC) for s in starts]


def portfolio(session: Session, *, person: Person, now: dt.datetime, months: int = PORTFOLIO_MONTHS) -> Portfolio:
    """What a person did, by kind and by month in their own zone, across every community; one query."""
    zone = ZoneInfo(person.tz)
    bounds = _month_starts(now, zone, months)
    columns = [func.sum(case((and_(Contribution.occurred_at >= start, Contribution.occurred_at < end), 1), else_=0))
               for start, end in zip(bounds, bounds[1:], strict=False)]
    rows = session.execute(select(Contribution.kind, func.count(), *columns)
                           .where(Contribution.person_id == person.id, Contribution.kind != ContributionKind.JOINED)
                           .group_by(Contribution.kind))
    by_month: dict[ContributionKind, list[int]] = {}
    all_time: dict[ContributionKind, int] = {}
    for kind, total, *per_month in rows:
        all_time[kind] = total
        by_month[kind] = [int(n or 0) for n in per_month]
    return Portfolio(person, [b.astimezone(zone).date() for b in bounds[:-1]], by_month, all_time)


@dataclass(frozen=True)
class Health:
    community: Community
    members: int
    active: int
    contributions: int
    closed: int
    overdue: int

    @property
    def score(self) -> int:
        """0 to 100: the share of members who took part, and actions closed against actions overdue."""
        participation = min(1.0, self.active / self.members) if self.members else 0.0
        if self.closed + self.overdue == 0:
            return round(100 * participation)
        follow_through = self.closed / (self.closed + self.overdue)
        return round(100 * (PARTICIPATION_WEIGHT * participation + FOLLOW_THROUGH_WEIGHT * follow_through))


def league(session: Session, *, team_id: str, now: dt.datetime, days: int) -> list[Health]:
    """Every community of the workspace, healthiest first; five queries."""
    since = now - dt.timedelta(days=days)
    communities = session.scalars(select(Community).where(Community.team_id == team_id)).all()
    ids = [c.id for c in communities]

    def grouped(query) -> dict[int, tuple]:  # noqa: ANN001
        return {row[0]: tuple(row[1:]) for row in session.execute(query)}

    members = grouped(select(Membership.community_id, func.count()).where(
        Membership.community_id.in_(ids), Membership.active.is_(True)).group_by(Membership.community_id))
    acts = grouped(select(Contribution.community_id, func.count(distinct(Contribution.person_id)), func.count())
                   .where(Contribution.community_id.in_(ids), Contribution.occurred_at >= since,
                          Contribution.kind != ContributionKind.JOINED).group_by(Contribution.community_id))
    closed = grouped(select(Action.community_id, func.count()).where(
        Action.community_id.in_(ids), Action.status == ActionStatus.DONE, Action.closed_at >= since)
        .group_by(Action.community_id))
    overdue = grouped(select(Action.community_id, func.count()).where(
        Action.community_id.in_(ids), Action.status.in_(ACTIVE_STATUSES), Action.due_at < now)
        .group_by(Action.community_id))
    table = [Health(c, members.get(c.id, (0,))[0], *acts.get(c.id, (0, 0)), closed.get(c.id, (0,))[0],
                    overdue.get(c.id, (0,))[0]) for c in communities]
    table.sort(key=lambda h: (-h.score, -h.contributions, h.community.name.lower()))
    return table


def top_contributors(session: Session, *, team_id: str, now: dt.datetime, days: int,
                     limit: int = 5) -> list[tuple[Person, int]]:
    """The people with the most points in the period, leaving out whoever opted out; one query."""
    points = func.sum(case(*((Contribution.kind == kind, value) for kind, value in POINTS.items()), else_=0))
    rows = session.execute(
        select(Person, points.label("points")).join(Contribution, Contribution.person_id == Person.id)
        .where(Person.team_id == team_id, Person.leaderboard_opt_out.is_(False), Person.is_bot.is_(False),
               Person.deleted.is_(False), Contribution.occurred_at >= now - dt.timedelta(days=days))
        .group_by(Person.id).order_by(points.desc(), Person.id).limit(limit)
    ).all()
    return [(person, int(score)) for person, score in rows if score]

