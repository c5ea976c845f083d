"""Who a record names: the people mentioned in what members typed, kept so each reader's digest can show them.

Text is stored as people read it ("@Dana"), so who was mentioned would otherwise be lost; each
(record, person) pair is one row, however often Slack delivers the event that made it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, delete, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.people import Person
from models.upsert import insert_ignore_many

MAX_TEXT = 200  # enough to recognise the record by; the link leads to the rest


class MentionSource(enum.StrEnum):
    """The kinds of record members write themselves, and so can mention someone in."""

    DECISION = "decision"
    MEETING_NOTE = "meeting_note"
    AGENDA_ITEM = "agenda_item"
    ACTION = "action"
    KUDOS = "kudos"
    KNOWLEDGE = "knowledge"
    STANDUP_ANSWER = "standup_answer"


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("source", "record_id", "person_id"),
        # A reader's mentions of the week: the digest asks by person and time.
        Index("ix_mentions_person_id_created_at", "person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    # Who was mentioned, and who wrote the text that mentions them.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    source: Mapped[MentionSource] = mapped_column(str_enum(MentionSource, 20))
    record_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(MAX_TEXT))
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    by: Mapped[Person | None] = relationship(foreign_keys=[by_id], lazy="joined")


def short_text(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def record_mentions(
    session: Session, *, community_id: int, source: MentionSource, record_id: int, mentioned: Iterable[Person],
    by: Person | None, text: str, now: dt.datetime, permalink: str | None = None,
) -> int:
    """Note that a record mentions these people, once per (record, person); returns how many were new.

    Nobody is told they mentioned themselves, and bots and people who have left are not readers.
    """
    rows = [dict(community_id=community_id, person_id=person.id, by_id=by.id if by else None, source=source,
                 record_id=record_id, text=short_text(text), permalink=permalink, created_at=now)
            for person in {p.id: p for p in mentioned}.values()
            if not person.is_bot and not person.deleted and (by is None or person.id != by.id)]
    if not rows:
        return 0
    return insert_ignore_many(session, Mention, rows, conflict=("source", "record_id", "person_id"))


def forget_mentions(session: Session, *, source: MentionSource, record_id: int) -> None:
    """A record taken back (its reaction removed) mentions nobody any more."""
    session.execute(delete(Mention).where(Mention.source == source, Mention.record_id == record_id))


def link_mentions(session: Session, *, source: str, record_id: int, permalink: str | None) -> None:
    """The record was posted (its kudos announced, its card shown): its mentions without a link lead there."""
    if permalink is None or source not in {kind.value for kind in MentionSource}:
        return
    session.execute(update(Mention).where(Mention.source == MentionSource(source), Mention.record_id == record_id,
                                          Mention.permalink.is_(None)).values(permalink=permalink))
