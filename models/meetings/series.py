"""A meeting series: its title, first start, length and how it repeats; scheduled and cancelled by leads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.communities import Community
from models.errors import BadArgument, NotFound
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
    # The first occurrence; for a series, the anchor every later occurrence is computed from.
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    recurrence: Mapped[str | None] = mapped_column(String(32), default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The channel message that announced the series.
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)

    community: Mapped[Community] = relationship(lazy="joined")

    @property
    def rule(self) -> Recurrence | None:
        return Recurrence.from_rule(self.recurrence) if self.recurrence else None

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    def next_occurrences(self, *, after: dt.datetime, count: int = 1) -> list[dt.datetime]:
        """The series' own occurrences after `after`, before any single one was moved or cancelled."""
        return occurrences(self.starts_at, self.rule, tz=self.community.timezone, after=after, count=count)


@dataclass(frozen=True)
class Occurrence:
    """One meeting of a series at the time it happens; `original_at` is when the series put it."""

    meeting: Meeting
    starts_at: dt.datetime
    original_at: dt.datetime | None = None

    @property
    def slot(self) -> dt.datetime:
        """What identifies this occurrence within its series, however it was moved."""
        return self.original_at or self.starts_at


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
    # Not a contribution: typing a command leads nothing. Whoever starts the meeting has led it.
    return meeting


def retitle_meeting(session: Session, *, meeting: Meeting, title: str) -> Meeting:
    """Give a meeting a new title; its times, records and past minutes stay as they are."""
    meeting.title = validate_title(title)
    session.flush()
    return meeting


def get_meeting(session: Session, *, community: Community, meeting_id: int, live: bool = True) -> Meeting:
    """A meeting of this community by its number; `live` refuses a cancelled one."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.community_id != community.id:
        raise NotFound(f"*{community.name}* has no meeting `#{meeting_id}`; `/cop meeting list` shows its meetings.")
    if live and meeting.cancelled_at is not None:
        raise BadArgument(f"Meeting `#{meeting_id}` ({meeting.title}) was cancelled.")
    return meeting


def cancel_meeting(session: Session, *, meeting: Meeting, now: dt.datetime) -> Meeting:
    """Cancel the whole series; what it already recorded stays."""
    if meeting.cancelled_at is not None:
        raise BadArgument(f"Meeting `#{meeting.id}` is already cancelled.")
    meeting.cancelled_at = now
    session.flush()
    return meeting
