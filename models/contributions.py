"""The contribution ledger: who did what, when, in which community; each act counted once."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, str_enum, utcnow
from models.upsert import insert_ignore


class ContributionKind(enum.StrEnum):
    MESSAGE = "message"
    THREAD_REPLY = "thread_reply"
    REACTION_GIVEN = "reaction_given"
    IDEA = "idea"
    APPRECIATION_RECEIVED = "appreciation_received"
    KUDOS_GIVEN = "kudos_given"
    KUDOS_RECEIVED = "kudos_received"
    ACTION_CREATED = "action_created"
    ACTION_CLOSED = "action_closed"
    MEETING_ATTENDED = "meeting_attended"
    MEETING_LED = "meeting_led"
    RSVP = "rsvp"
    AGENDA_ITEM = "agenda_item"
    DECISION = "decision"
    MEETING_NOTE = "meeting_note"
    STANDUP_UPDATE = "standup_update"
    KNOWLEDGE_ITEM = "knowledge_item"
    JOINED = "joined"


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        # A community's acts between two instants, by kind and by person, from the index alone (on PostgreSQL).
        Index("ix_contributions_community_occurred", "community_id", "occurred_at",
              postgresql_include=["kind", "person_id"]),
        # A member's latest contribution in a community (who has gone quiet, who is still new) is one step
        # down this index, not an aggregate over the whole ledger.
        Index("ix_contributions_community_id_person_id_occurred_at", "community_id", "person_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What makes this act unique (e.g. "reaction:C1:1700000000.0001:U1:tada"), so that however
    # often Slack delivers it, it is counted once, and its removal can find it.
    key: Mapped[str] = mapped_column(String(255), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(str_enum(ContributionKind, 32))
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    detail: Mapped[str | None] = mapped_column(String(255), default=None)


def record_contribution(
    session: Session, *, key: str, community_id: int, person_id: int, kind: ContributionKind,
    occurred_at: dt.datetime, detail: str | None = None,
) -> bool:
    """Record an act once; returns False when the same act was already recorded."""
    return insert_ignore(
        session, Contribution,
        dict(key=key, community_id=community_id, person_id=person_id, kind=kind,
             occurred_at=occurred_at, detail=detail),
        conflict="key",
    )


def undo_contribution(session: Session, *, key: str) -> bool:
    """Remove an act (a reaction taken back); returns False when there was nothing to remove."""
    result = session.execute(delete(Contribution).where(Contribution.key == key))
    return bool(result.rowcount)


def contribution_counts(session: Session, *, community_id: int, person_id: int | None = None) -> dict[str, int]:
    query = select(Contribution.kind, func.count()).where(Contribution.community_id == community_id)
    if person_id is not None:
        query = query.where(Contribution.person_id == person_id)
    return {kind.value: n for kind, n in session.execute(query.group_by(Contribution.kind))}
