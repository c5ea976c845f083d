"""Meetings: when they happen, how they repeat, and which reminders are due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.communities import Community
from models.errors import BadArgument
from models.people import Person
from models.when import Recurrence, occurrences

MAX_TITLE = 150
DEFAULT_DURATION = dt.timedelta(hours=1)
# Reminder offsets are capped so the reminder scan can bound its query by start time.
MAX_REMINDER_OFFSET = dt.timedelta(days=7)


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    recurrence: Mapped[str | None] = mapped_column(String(32), default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    community: Mapped[Community] = relationship(lazy="joined")

    @property
    def rule(self) -> Recurrence | None:
        return Recurrence.from_rule(self.recurrence) if self.recurrence else None

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    def next_occurrences(self, *, after: dt.datetime, count: int = 1) -> list[dt.datetime]:
        return occurrences(self.starts_at, self.rule, tz=self.community.timezone, after=after, count=count)


def validate_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise BadArgument("Give the meeting a title in quotes.")
    if len(title) > MAX_TITLE:
        raise BadArgument(f"That title is {len(title)} characters long; keep it to {MAX_TITLE}.")
    return title


def schedule_meeting(
    session: Session, *, community: Community, title: str, starts_at: dt.datetime,
    duration: dt.timedelta = DEFAULT_DURATION, recurrence: Recurrence | None = None,
    created_by: Person | None, now: dt.datetime,
) -> Meeting:
    if starts_at <= now:
        raise BadArgument("A meeting has to start in the future.")
    meeting = Meeting(
        community_id=community.id, title=validate_title(title), starts_at=starts_at,
        duration_minutes=int(duration.total_seconds() // 60),
        recurrence=recurrence.to_rule() if recurrence else None,
        created_by_id=created_by.id if created_by else None, created_at=now,
    )
    meeting.community = community
    session.add(meeting)
    session.flush()
    return meeting


@dataclass(frozen=True)
class Occurrence:
    meeting: Meeting
    starts_at: dt.datetime


def upcoming_meetings(
    session: Session, *, community: Community, now: dt.datetime, limit: int = 10,
    horizon: dt.timedelta = dt.timedelta(days=92),
) -> list[Occurrence]:
    """Each live meeting's next occurrence within `horizon`, soonest first (a series appears once)."""
    meetings = session.scalars(
        select(Meeting).where(Meeting.community_id == community.id, Meeting.cancelled_at.is_(None))
    ).all()
    found: list[Occurrence] = []
    for meeting in meetings:
        for start in meeting.next_occurrences(after=now, count=1):
            if start <= now + horizon:
                found.append(Occurrence(meeting, start))
    found.sort(key=lambda o: (o.starts_at, o.meeting.id))
    return found[:limit]


@dataclass(frozen=True)
class DueReminder:
    meeting: Meeting
    starts_at: dt.datetime
    offset_minutes: int


def due_reminders(session: Session, *, now: dt.datetime) -> list[DueReminder]:
    """Reminders whose moment has come and that still make sense at `now`.

    A reminder `offset` minutes before an occurrence is due from that moment until the occurrence
    starts; once a nearer reminder is also due, the farther one is skipped, so a bot that was down
    for a day sends one "starts in 1 hour" instead of a late "tomorrow" followed by it.
    """
    meetings = session.scalars(
        select(Meeting).join(Community).where(
            Meeting.cancelled_at.is_(None),
            (Meeting.recurrence.is_not(None)) | (Meeting.starts_at > now),
            Meeting.starts_at <= now + MAX_REMINDER_OFFSET,
        )
    ).all()
    due: list[DueReminder] = []
    for meeting in meetings:
        offsets = sorted(meeting.community.reminder_offsets or [])
        for start in meeting.next_occurrences(after=now, count=1):
            passed = [o for o in offsets if start - dt.timedelta(minutes=o) <= now]
            if passed:
                due.append(DueReminder(meeting, start, min(passed)))
    return due
