""""This helped": a person saying a knowledge item was of use to them, once per person and item.

The count is the evidence that knowledge is reused, not only kept: search results and digests show it
beside each item, and the monthly newsletter lists the most reused. Pressing again takes it back, so a
mistaken press is undone the way it was made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ForeignKey, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.communities import Community
from models.errors import BadArgument
from models.knowledge.model import KnowledgeItem
from models.people import Person
from models.upsert import insert_ignore


class KnowledgeHelp(Base):
    __tablename__ = "knowledge_helped"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("knowledge_items.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


@dataclass(frozen=True)
class Helped:
    """What a press did: counted (True) or taken back (False), and how many it has helped now."""

    counted: bool
    total: int


def helped_count(session: Session, *, item_id: int) -> int:
    return session.scalar(select(func.count()).select_from(KnowledgeHelp)
                          .where(KnowledgeHelp.item_id == item_id)) or 0


def press_helped(session: Session, *, item: KnowledgeItem, person: Person, now: dt.datetime) -> Helped:
    """Count `person` once for `item`; a second press takes their count back."""
    if person.is_bot:
        raise BadArgument("Bots don't say what helped them.")
    counted = insert_ignore(session, KnowledgeHelp, dict(item_id=item.id, person_id=person.id, created_at=now),
                            conflict=("item_id", "person_id"))
    if not counted:
        session.execute(delete(KnowledgeHelp).where(KnowledgeHelp.item_id == item.id,
                                                    KnowledgeHelp.person_id == person.id))
    session.flush()
    return Helped(counted=counted, total=helped_count(session, item_id=item.id))


def helped_counts(session: Session, *, item_ids: Iterable[int]) -> dict[int, int]:
    """How many people each item helped, for a page of items: one statement."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    rows = session.execute(select(KnowledgeHelp.item_id, func.count()).where(KnowledgeHelp.item_id.in_(ids))
                           .group_by(KnowledgeHelp.item_id))
    return {item_id: n for item_id, n in rows}


def helped_column() -> object:
    """The item's count as a correlated subquery, for statements that list items (the digest's)."""
    return (select(func.count()).where(KnowledgeHelp.item_id == KnowledgeItem.id)
            .correlate(KnowledgeItem).scalar_subquery().label("helped"))


@dataclass(frozen=True)
class Reused:
    item: KnowledgeItem
    helped: int  # presses in the period
    community: Community


def most_reused(session: Session, *, team_id: str, start: dt.datetime, end: dt.datetime,
                limit: int = 10) -> tuple[list[Reused], int]:
    """The workspace's items people said helped them between `start` and `end`, most presses first, and how
    many such items there were in all: two statements."""
    ours = KnowledgeItem.community_id.in_(select(Community.id).where(Community.team_id == team_id))
    counts = (select(KnowledgeHelp.item_id, func.count().label("n"))
              .where(KnowledgeHelp.created_at >= start, KnowledgeHelp.created_at < end)
              .group_by(KnowledgeHelp.item_id).subquery())
    total = session.scalar(select(func.count()).select_from(KnowledgeItem)
                           .join(counts, counts.c.item_id == KnowledgeItem.id).where(ours)) or 0
    rows = session.execute(
        select(KnowledgeItem, counts.c.n).join(counts, counts.c.item_id == KnowledgeItem.id).where(ours)
        .order_by(counts.c.n.desc(), KnowledgeItem.id).limit(limit)).unique().all()
    return [Reused(item, n, item.community) for item, n in rows], total
