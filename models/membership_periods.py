"""Membership history: each stretch of someone's membership of a community, from a join to the leave that ended it.

A `Membership` says where someone stands now (and since when); these rows keep what it overwrites on a rejoin, so
that members over time, joins and leaves per month, and who is new can be counted for any month since. They hold
no text: a forgotten person's periods stay, tied to their anonymous tombstone, and keep the counts whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, ForeignKey, Index, exists, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, chunked


class MembershipPeriod(Base):
    __tablename__ = "membership_periods"
    __table_args__ = (
        # Months of a community's members are ranges over its periods by start.
        Index("ix_membership_periods_community_id_started_at", "community_id", "started_at"),
        # At most one open period per member: a second join while still a member is no new period.
        Index("uq_membership_periods_open", "community_id", "person_id", unique=True,
              sqlite_where="ended_at IS NULL", postgresql_where="ended_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime]
    # None while they are still a member.
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)


def open_period(session: Session, *, community_id: int, person_id: int, at: dt.datetime) -> None:
    """Someone joined (or rejoined): a new period starts. One still open (a record that missed a leave) ends first."""
    close_periods(session, community_id=community_id, person_ids=[person_id], at=at)
    session.add(MembershipPeriod(community_id=community_id, person_id=person_id, started_at=at))
    session.flush()


def open_periods(session: Session, *, community_id: int, person_ids: Iterable[int], at: dt.datetime) -> None:
    """Many people became members at once (a channel turned into a community): one period each, in one insert."""
    rows = [dict(community_id=community_id, person_id=person_id, started_at=at, ended_at=None)
            for person_id in sorted(set(person_ids))]
    if rows:
        session.execute(MembershipPeriod.__table__.insert(), rows)


def close_periods(session: Session, *, at: dt.datetime, community_id: int | None = None,
                  person_ids: Iterable[int] | None = None) -> None:
    """The open periods of these people (in this community, or in every one) end at `at`."""
    wanted = sorted(set(person_ids)) if person_ids is not None else None
    for chunk in (chunked(wanted) if wanted is not None else [None]):
        statement = update(MembershipPeriod).where(MembershipPeriod.ended_at.is_(None))
        if community_id is not None:
            statement = statement.where(MembershipPeriod.community_id == community_id)
        if chunk is not None:
            statement = statement.where(MembershipPeriod.person_id.in_(chunk))
        session.execute(statement.values(ended_at=at))


def member_before(community_id: ColumnElement[int], person_id: ColumnElement[int],
                  at: ColumnElement[dt.datetime]) -> ColumnElement[bool]:
    """Whether the person had a period in the community that began before `at`: someone rejoining, who is no
    newcomer however recently they came back. Correlated on the given columns."""
    return exists(select(MembershipPeriod.id).where(
        MembershipPeriod.community_id == community_id, MembershipPeriod.person_id == person_id,
        MembershipPeriod.started_at < at))
