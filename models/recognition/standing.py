"""A person's contributions over time (their portfolio), and the period's top contributors.

Both read the contribution ledger with a handful of grouped queries, whatever its size. The communities'
league table ranks by the health index: `models.health.league`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from models.contributions import Contribution, ContributionKind
from models.people import Person

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

