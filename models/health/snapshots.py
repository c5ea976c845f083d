"""A weekly snapshot of each community's health, so that every figure has a trend."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.communities import Community
from models.health.measure import Reading, read_health
from models.upsert import insert_ignore_many

TREND_WEEKS = 4
CHART_WEEKS = 12


class HealthSnapshot(Base):
    __tablename__ = "health_snapshots"
    __table_args__ = (UniqueConstraint("community_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    # The Monday (UTC) of the week it stands for.
    week: Mapped[dt.date] = mapped_column(Date)
    taken_at: Mapped[dt.datetime]
    health: Mapped[int | None] = mapped_column(Integer, default=None)
    cadence: Mapped[int | None] = mapped_column(Integer, default=None)
    attendance: Mapped[int | None] = mapped_column(Integer, default=None)
    breadth: Mapped[int | None] = mapped_column(Integer, default=None)
    follow_through: Mapped[int | None] = mapped_column(Integer, default=None)
    newcomers: Mapped[int | None] = mapped_column(Integer, default=None)
    knowledge: Mapped[int | None] = mapped_column(Integer, default=None)
    members: Mapped[int] = mapped_column(Integer, default=0)
    active_members: Mapped[int] = mapped_column(Integer, default=0)
    # People at an average meeting held in the four weeks before; None when none was held.
    attendees: Mapped[Decimal | None] = mapped_column(Numeric(8, 1), default=None)


def week_of(at: dt.datetime) -> dt.date:
    """The Monday (UTC) of the week `at` falls in."""
    day = at.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def _row(reading: Reading, week: dt.date) -> dict:
    return dict(community_id=reading.community.id, week=week, taken_at=reading.at, health=reading.health,
                members=reading.members, active_members=reading.active, attendees=reading.attendees,
                **reading.components)


def take_snapshots(session: Session, *, now: dt.datetime) -> list[Reading]:
    """This week's snapshot of every community that has none yet; returns the readings taken (empty when the
    week's snapshots were all taken already). A handful of statements, whatever the number of communities."""
    week = week_of(now)
    done = select(HealthSnapshot.community_id).where(HealthSnapshot.week == week)
    due = session.scalars(select(Community).where(Community.id.not_in(done), Community.created_at <= now)
                          .order_by(Community.id)).all()
    readings = read_health(session, now=now, communities=due)
    insert_ignore_many(session, HealthSnapshot, [_row(r, week) for r in readings], conflict=("community_id", "week"))
    return readings


def history(session: Session, *, community_ids: Iterable[int], now: dt.datetime,
            weeks: int = CHART_WEEKS) -> dict[int, list[HealthSnapshot]]:
    """The snapshots of the last `weeks` weeks (this one included) of each community, oldest first; one query."""
    ids = sorted(set(community_ids))
    since = week_of(now) - dt.timedelta(weeks=weeks - 1)
    found: dict[int, list[HealthSnapshot]] = defaultdict(list)
    if not ids:
        return found
    for snapshot in session.scalars(select(HealthSnapshot).where(
            HealthSnapshot.community_id.in_(ids), HealthSnapshot.week >= since, HealthSnapshot.week <= week_of(now))
            .order_by(HealthSnapshot.community_id, HealthSnapshot.week)):
        found[snapshot.community_id].append(snapshot)
    return found


def weeks_back(snapshots: list[HealthSnapshot], *, now: dt.datetime, weeks: int) -> HealthSnapshot | None:
    """The snapshot of the week `weeks` before `now`'s, if it was taken."""
    wanted = week_of(now) - dt.timedelta(weeks=weeks)
    return next((s for s in snapshots if s.week == wanted), None)
