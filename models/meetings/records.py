"""What a meeting records: who attended, decisions, notes, and the actions it raised."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.actions import Action, ActionStatus
from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.contributions import ContributionKind, record_contribution
from models.meetings.agenda import validate_text
from models.meetings.occurrences import MeetingOccurrence
from models.people import Person
from models.upsert import insert_ignore

MAX_DECISION = 2000


class Decision(Base):
    """A decision, taken in a meeting or on its own."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_occurrences.id", ondelete="SET NULL"), index=True, default=None)
    text: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)

    person: Mapped[Person | None] = relationship(lazy="joined")


class MeetingNote(Base):
    """Something worth knowing that was said in a meeting (`info:` in its thread)."""

    __tablename__ = "meeting_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("meeting_occurrences.id", ondelete="CASCADE"),
                                               index=True)
    text: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)

    person: Mapped[Person | None] = relationship(lazy="joined")


class AttendedBy(enum.StrEnum):
    LEAD = "lead"  # started the meeting
    SPOKE = "spoke"  # wrote in its thread
    HERE = "here"  # pressed "I'm here"


class Attendance(Base):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("occurrence_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("meeting_occurrences.id", ondelete="CASCADE"),
                                               index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    attended_by: Mapped[AttendedBy] = mapped_column(str_enum(AttendedBy, 8))
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)

    person: Mapped[Person] = relationship(lazy="joined")


def record_attendance(
    session: Session, *, occurrence: MeetingOccurrence, person: Person, attended_by: AttendedBy,
    now: dt.datetime, permalink: str | None = None,
) -> bool:
    """Count a person as present, once however often they speak; True the first time."""
    added = insert_ignore(session, Attendance,
                          dict(occurrence_id=occurrence.id, person_id=person.id, attended_by=attended_by,
                               first_seen_at=now, permalink=permalink),
                          conflict=("occurrence_id", "person_id"))
    record_contribution(session, key=f"attended:{occurrence.id}:{person.id}",
                        community_id=occurrence.meeting.community_id, person_id=person.id,
                        kind=ContributionKind.MEETING_ATTENDED, occurred_at=now)
    return added


def attendees(session: Session, *, occurrence: MeetingOccurrence) -> list[Attendance]:
    return list(session.scalars(select(Attendance).where(Attendance.occurrence_id == occurrence.id)
                                .order_by(Attendance.first_seen_at, Attendance.id)))


def record_decision(
    session: Session, *, community: Community, occurrence: MeetingOccurrence | None, text: str,
    person: Person | None, now: dt.datetime, permalink: str | None = None,
) -> Decision:
    decision = Decision(community_id=community.id, occurrence_id=occurrence.id if occurrence else None,
                        text=validate_text(text, what="decision", limit=MAX_DECISION),
                        person_id=person.id if person else None, created_at=now, permalink=permalink)
    session.add(decision)
    session.flush()
    if person is not None:
        record_contribution(session, key=f"decision:{decision.id}", community_id=community.id,
                            person_id=person.id, kind=ContributionKind.DECISION, occurred_at=now)
    return decision


def record_note(
    session: Session, *, occurrence: MeetingOccurrence, text: str, person: Person | None, now: dt.datetime,
    permalink: str | None = None,
) -> MeetingNote:
    note = MeetingNote(occurrence_id=occurrence.id, text=validate_text(text, what="note", limit=MAX_DECISION),
                       person_id=person.id if person else None, created_at=now, permalink=permalink)
    session.add(note)
    session.flush()
    if person is not None:
        record_contribution(session, key=f"note:{note.id}", community_id=occurrence.meeting.community_id,
                            person_id=person.id, kind=ContributionKind.MEETING_NOTE, occurred_at=now)
    return note


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


def open_actions(session: Session, *, community: Community, limit: int = 100) -> list[Action]:
    """The community's unfinished actions, which every meeting's agenda carries; oldest first."""
    return list(session.scalars(select(Action).where(Action.community_id == community.id,
                                                     Action.status.in_(OPEN_STATUSES))
                                .order_by(Action.created_at, Action.id).limit(limit)))


def owners_of(session: Session, actions: Sequence[Action]) -> dict[int, str]:
    """person id -> Slack user id of the actions' owners, in one query."""
    ids = sorted({a.owner_id for a in actions if a.owner_id})
    if not ids:
        return {}
    return {person_id: user_id for person_id, user_id in
            session.execute(select(Person.id, Person.user_id).where(Person.id.in_(ids)))}
