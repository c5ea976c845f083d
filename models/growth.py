"""Growth: members, active members and their contributions, newcomers, joins and leaves per month, per community
and for the programme.

Each figure is read in a few set-based statements whatever the number of communities: the months are a small
table of instants (each month's start and end in a time zone) joined to the membership periods and to the
contributions, so that a month is cut where its community's own calendar cuts it.

- members: members at the end of the month (for the month under way, now);
- active: members who contributed themselves in the month (receiving kudos or thanks, or joining, is not acting);
- contributions: those members' own acts in the month (messages, actions closed, knowledge shared, ...), every act
  counted: the acts that make them active, read in the same statement;
- newcomers: people who became members for the first time that month, after the community was set up (those
  already in the channel when it was set up are its founders, not newcomers);
- joined, left: joins (a rejoin counts again) and leaves in the month.

For the whole programme, members, active members and newcomers are people counted once however many communities
they are in (a newcomer is new to every community), and joins, leaves and contributions are summed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Integer, String, and_, case, distinct, exists, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from models.base import UTCDateTime
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.errors import BadArgument
from models.membership_periods import MembershipPeriod as Period

DEFAULT_MONTHS = 12
MAX_MONTHS = 36
# Rows of the months table in one statement: SQLite joins at most 500 SELECTs in one UNION.
MONTH_ROWS_PER_STATEMENT = 400
# What someone did themselves; the rest happened to them.
OWN_KINDS = tuple(sorted(set(ContributionKind) - {
    ContributionKind.JOINED, ContributionKind.APPRECIATION_RECEIVED, ContributionKind.KUDOS_RECEIVED}))


@dataclass(frozen=True)
class MonthRow:
    """One month of one community (`community_id` None: the whole programme)."""

    community_id: int | None
    month: dt.date  # its first day, in the community's (or the programme's) time zone
    members: int
    active: int
    newcomers: int
    joined: int
    left: int
    contributions: int  # own acts in the month by members then, each counted


@dataclass(frozen=True)
class Month:
    zone: str
    index: int  # 0 for the oldest
    first: dt.date
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC: the next month's start


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def months_of(zone: str, *, now: dt.datetime, months: int = DEFAULT_MONTHS) -> list[Month]:
    """The last `months` calendar months in `zone`, the one under way last."""
    if not 1 <= months <= MAX_MONTHS:
        raise BadArgument(f"Growth is shown for 1 to {MAX_MONTHS} months.")
    tz = zone_of(zone)
    local = now.astimezone(tz)
    latest = local.year * 12 + local.month - 1
    firsts = [dt.date(n // 12, n % 12 + 1, 1) for n in range(latest - months + 1, latest + 2)]
    instants = [dt.datetime.combine(first, dt.time(0), tzinfo=tz).astimezone(dt.UTC) for first in firsts]
    return [Month(zone, index, firsts[index], instants[index], instants[index + 1]) for index in range(months)]


def _table(months: Sequence[Month]) -> Any:
    rows = [select(literal(m.zone, String).label("zone"), literal(m.index, Integer).label("idx"),
                   literal(m.start, UTCDateTime()).label("start_at"), literal(m.end, UTCDateTime()).label("end_at"))
            for m in months]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("months")


def _overlaps(table: Any) -> Any:
    return and_(Period.started_at < table.c.end_at, or_(Period.ended_at.is_(None), Period.ended_at >= table.c.start_at))


def _measures(table: Any, *, people: bool) -> list[Any]:
    """Members at the month's end, joins and leaves, over periods already joined to the months they overlap."""
    at_end = and_(Period.started_at < table.c.end_at, or_(Period.ended_at.is_(None), Period.ended_at >= table.c.end_at))
    members = (func.count(distinct(case((at_end, Period.person_id)))) if people
               else func.sum(case((at_end, 1), else_=0)))
    return [members, func.sum(case((Period.started_at >= table.c.start_at, 1), else_=0)),
            func.sum(case((and_(Period.ended_at.is_not(None), Period.ended_at < table.c.end_at), 1), else_=0))]


def _own_acts(table: Any, months: Sequence[Month]) -> Any:
    """Acts of their own, in a month, by someone who was a member during it."""
    member_then = exists().where(Period.community_id == Contribution.community_id,
                                 Period.person_id == Contribution.person_id, _overlaps(table))
    return and_(Contribution.kind.in_(OWN_KINDS), Contribution.occurred_at >= min(m.start for m in months),
                Contribution.occurred_at < max(m.end for m in months), member_then)


def _in(column: Any, ids: Collection[int] | None) -> Any:
    return column.in_(sorted(ids)) if ids is not None else true()


@dataclass
class _Tally:
    members: int = 0
    active: int = 0
    newcomers: int = 0
    joined: int = 0
    left: int = 0
    contributions: int = 0


def _batches(zones: Sequence[str], months: int) -> Iterator[list[str]]:
    """Zones a few at a time, so that no months table outgrows one statement."""
    per = max(1, MONTH_ROWS_PER_STATEMENT // months)
    for start in range(0, len(zones), per):
        yield list(zones[start:start + per])


def growth(session: Session, *, community_ids: Collection[int] | None, now: dt.datetime,
           months: int = DEFAULT_MONTHS) -> list[MonthRow]:
    """Each community's last `months` months in its own time zone, oldest first, community by community (every
    community of the workspace when `community_ids` is None); a month with nothing in it is there with zeros."""
    communities = session.execute(select(Community.id, Community.timezone)
                                  .where(_in(Community.id, community_ids)).order_by(Community.id)).all()
    zones = sorted({row.timezone for row in communities})
    calendars = {zone: months_of(zone, now=now, months=months) for zone in zones}
    tallies = {(row.id, index): _Tally() for row in communities for index in range(months)}
    for batch in _batches(zones, months):
        spans = [m for zone in batch for m in calendars[zone]]
        table = _table(spans)
        in_zone = Community.timezone.in_(batch)
        by_zone = table.c.zone == Community.timezone
        for cid, idx, members, joined, left in session.execute(
                select(Period.community_id, table.c.idx, *_measures(table, people=False))
                .join(Community, Community.id == Period.community_id)
                .join(table, and_(by_zone, _overlaps(table)))
                .where(_in(Period.community_id, community_ids), in_zone)
                .group_by(Period.community_id, table.c.idx)):
            tally = tallies[(cid, idx)]
            tally.members, tally.joined, tally.left = int(members or 0), int(joined or 0), int(left or 0)
        first = (select(Period.community_id, Period.person_id, func.min(Period.started_at).label("first"))
                 .where(_in(Period.community_id, community_ids)).group_by(Period.community_id, Period.person_id)
                 .subquery("firsts"))
        for cid, idx, count in session.execute(
                select(first.c.community_id, table.c.idx, func.count())
                .join(Community, Community.id == first.c.community_id)
                .join(table, and_(by_zone, first.c.first >= table.c.start_at, first.c.first < table.c.end_at))
                .where(first.c.first > Community.created_at, in_zone)
                .group_by(first.c.community_id, table.c.idx)):
            tallies[(cid, idx)].newcomers = int(count)
        for cid, idx, people, acts in session.execute(
                select(Contribution.community_id, table.c.idx, func.count(distinct(Contribution.person_id)),
                       func.count())
                .join(Community, Community.id == Contribution.community_id)
                .join(table, and_(by_zone, Contribution.occurred_at >= table.c.start_at,
                                  Contribution.occurred_at < table.c.end_at))
                .where(_in(Contribution.community_id, community_ids), in_zone, _own_acts(table, spans))
                .group_by(Contribution.community_id, table.c.idx)):
            tallies[(cid, idx)].active, tallies[(cid, idx)].contributions = int(people), int(acts)
    return [MonthRow(row.id, calendars[row.timezone][index].first, **vars(tallies[(row.id, index)]))
            for row in communities for index in range(months)]


def programme_growth(session: Session, *, community_ids: Collection[int] | None, now: dt.datetime,
                     months: int = DEFAULT_MONTHS, zone: str = "UTC") -> list[MonthRow]:
    """The whole programme's last `months` months in `zone` (every community of the workspace when
    `community_ids` is None), oldest first: people counted once however many communities they are in."""
    spans = months_of(zone, now=now, months=months)
    table = _table(spans)
    tallies = [_Tally() for _ in spans]
    for idx, members, joined, left in session.execute(
            select(table.c.idx, *_measures(table, people=True)).select_from(Period).join(table, _overlaps(table))
            .where(_in(Period.community_id, community_ids)).group_by(table.c.idx)):
        tally = tallies[idx]
        tally.members, tally.joined, tally.left = int(members or 0), int(joined or 0), int(left or 0)
    first = (select(Period.person_id, func.min(Period.started_at).label("first"))
             .where(_in(Period.community_id, community_ids)).group_by(Period.person_id).subquery("firsts"))
    for idx, count in session.execute(
            select(table.c.idx, func.count(distinct(first.c.person_id))).select_from(first)
            .join(Period, and_(Period.person_id == first.c.person_id, Period.started_at == first.c.first,
                               _in(Period.community_id, community_ids)))
            .join(Community, Community.id == Period.community_id)
            .join(table, and_(first.c.first >= table.c.start_at, first.c.first < table.c.end_at))
            .where(first.c.first > Community.created_at).group_by(table.c.idx)):
        tallies[idx].newcomers = int(count)
    for idx, people, acts in session.execute(
            select(table.c.idx, func.count(distinct(Contribution.person_id)), func.count()).select_from(Contribution)
            .join(table, and_(Contribution.occurred_at >= table.c.start_at, Contribution.occurred_at < table.c.end_at))
            .where(_in(Contribution.community_id, community_ids), _own_acts(table, spans)).group_by(table.c.idx)):
        tallies[idx].active, tallies[idx].contributions = int(people), int(acts)
    return [MonthRow(None, month.first, **vars(tally)) for month, tally in zip(spans, tallies, strict=True)]
