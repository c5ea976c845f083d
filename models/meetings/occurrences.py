"""Single occurrences of a meeting: moved, cancelled or run on their own, without touching the series.

An occurrence gets a row only when something happens to it (a reminder, an RSVP, an agenda item,
a move, a run). Its `original_at`, the time the series gave it, identifies it within the series
whatever time it was moved to; everything else is computed from the series on the fly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, delete, or_, select, tuple_
from sqlalchemy.orm import Mapped, Session, defer, lazyload, mapped_column, relationship

from models.base import Base, utcnow
from models.communities import Community
from models.errors import BadArgument, NotFound
from models.meetings.series import Meeting, Occurrence
from models.upsert import insert_ignore_many
from models.when import Recurrence, format_day, local_date

# How far ahead `on <day>` looks for an occurrence: a weekly series for more than a year.
DAY_SEARCH = 60
DEFAULT_HORIZON = dt.timedelta(days=92)


class MeetingOccurrence(Base):
    __tablename__ = "meeting_occurrences"
    __table_args__ = (UniqueConstraint("meeting_id", "original_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    original_at: Mapped[dt.datetime]
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_by_scheduler: Mapped[bool] = mapped_column(Boolean, default=False)
    # The thread the meeting ran in: the channel message copbot posted when it started.
    thread_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    minutes: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # The channel message the minutes were posted in.
    minutes_permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(lazy="joined")

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    @property
    def planned_end(self) -> dt.datetime:
        """When it was meant to end: its planned length after it was due, or after it started if later."""
        return max(self.starts_at, self.started_at or self.starts_at) + self.meeting.duration

    @property
    def thread_key(self) -> str:
        """The outbox key of the message that opens the meeting's thread."""
        return f"meeting:{self.id}:thread"


def overrides(
    session: Session, *, meeting_ids: Iterable[int], after: dt.datetime
) -> dict[int, list[MeetingOccurrence]]:
    """The rows that can change which occurrences come after `after`, by meeting, in one query."""
    ids = sorted(set(meeting_ids))
    found: dict[int, list[MeetingOccurrence]] = defaultdict(list)
    if not ids:
        return found
    # The meetings are the caller's already: not joined again, and the minutes are not needed to know when.
    rows = session.scalars(select(MeetingOccurrence).options(lazyload(MeetingOccurrence.meeting),
                                                             defer(MeetingOccurrence.minutes)).where(
        MeetingOccurrence.meeting_id.in_(ids),
        or_(MeetingOccurrence.original_at > after, MeetingOccurrence.starts_at > after)))
    for row in rows:
        found[row.meeting_id].append(row)
    return found


def effective_occurrences(
    meeting: Meeting, rows: Sequence[MeetingOccurrence], *, after: dt.datetime, count: int = 1
) -> list[Occurrence]:
    """The next `count` occurrences after `after`, with moved ones moved and cancelled or held ones left out.

    `rows` must hold every row of the meeting whose original or actual time is after `after`.
    """
    taken = {row.original_at for row in rows}
    # Each row can take at most one occurrence of the series out of the running, so asking the
    # series for `count + len(rows)` always leaves enough.
    found = [Occurrence(meeting, start, start)
             for start in meeting.next_occurrences(after=after, count=count + len(rows)) if start not in taken]
    found += [Occurrence(meeting, row.starts_at, row.original_at) for row in rows
              if row.cancelled_at is None and row.ended_at is None and row.starts_at > after]
    found.sort(key=lambda occurrence: occurrence.starts_at)
    return found[:count]


def next_occurrences(session: Session, *, meeting: Meeting, after: dt.datetime, count: int = 1) -> list[Occurrence]:
    if meeting.cancelled_at is not None:
        return []
    rows = overrides(session, meeting_ids=[meeting.id], after=after)[meeting.id]
    return effective_occurrences(meeting, rows, after=after, count=count)


def upcoming_by_community(
    session: Session, *, community_ids: Iterable[int], now: dt.datetime, limit: int | None = 10,
    horizon: dt.timedelta | None = DEFAULT_HORIZON,
) -> dict[int, list[Occurrence]]:
    """`upcoming_meetings` of many communities, in two statements; `None` sets no limit, or no horizon."""
    found: dict[int, list[Occurrence]] = defaultdict(list)
    ids = sorted(set(community_ids))
    if not ids:
        return found
    meetings = meetings_ahead(session, community_ids=ids, after=now)
    rows = overrides(session, meeting_ids=[m.id for m in meetings], after=now)
    for meeting in meetings:
        found[meeting.community_id] += [occurrence for occurrence in
                                        effective_occurrences(meeting, rows[meeting.id], after=now, count=1)
                                        if horizon is None or occurrence.starts_at <= now + horizon]
    for occurrences in found.values():
        occurrences.sort(key=lambda o: (o.starts_at, o.meeting.id))
        if limit is not None:
            del occurrences[limit:]
    return found


def upcoming_meetings(
    session: Session, *, community: Community, now: dt.datetime, limit: int | None = 10,
    horizon: dt.timedelta | None = DEFAULT_HORIZON,
) -> list[Occurrence]:
    """Each live meeting's next occurrence within `horizon` (None: however far), soonest first (a series once)."""
    return upcoming_by_community(session, community_ids=[community.id], now=now, limit=limit,
                                 horizon=horizon)[community.id]


def find_occurrence(
    session: Session, *, meeting: Meeting, now: dt.datetime, on: dt.date | None = None, tz: str = "UTC"
) -> Occurrence:
    """The meeting's next occurrence, or its occurrence on day `on` as the person (in `tz`) reads days."""
    upcoming = next_occurrences(session, meeting=meeting, after=now, count=1 if on is None else DAY_SEARCH)
    if on is None:
        if not upcoming:
            raise NotFound(f"Meeting `#{meeting.id}` ({meeting.title}) has no occurrence coming up.")
        return upcoming[0]
    for occurrence in upcoming:
        if local_date(occurrence.starts_at, tz) == on:
            return occurrence
    raise NotFound(f"Meeting `#{meeting.id}` ({meeting.title}) has no occurrence on {format_day(on)}.")


def materialize(
    session: Session, occurrences: Sequence[Occurrence]
) -> dict[tuple[int, dt.datetime], MeetingOccurrence]:
    """The row of each occurrence, created if it has none yet; keyed by (meeting id, original time)."""
    if not occurrences:
        return {}
    # The first of any occurrence given twice, as if they were inserted one after another.
    first: dict[tuple[int, dt.datetime], Occurrence] = {}
    for occurrence in occurrences:
        first.setdefault((occurrence.meeting.id, occurrence.slot), occurrence)
    insert_ignore_many(session, MeetingOccurrence, [
        dict(meeting_id=meeting_id, original_at=slot, starts_at=occurrence.starts_at, closed_by_scheduler=False,
             created_at=utcnow()) for (meeting_id, slot), occurrence in first.items()],
        conflict=("meeting_id", "original_at"))
    wanted = set(first)
    rows = session.scalars(select(MeetingOccurrence).where(
        tuple_(MeetingOccurrence.meeting_id, MeetingOccurrence.original_at).in_(sorted(wanted))))
    return {(row.meeting_id, row.original_at): row for row in rows}


def find_row(session: Session, occurrence: Occurrence) -> MeetingOccurrence | None:
    """The occurrence's row if it has one, without creating it."""
    return session.scalars(select(MeetingOccurrence).where(
        MeetingOccurrence.meeting_id == occurrence.meeting.id,
        MeetingOccurrence.original_at == occurrence.slot)).one_or_none()


def occurrence_row(session: Session, occurrence: Occurrence) -> MeetingOccurrence:
    return materialize(session, [occurrence])[(occurrence.meeting.id, occurrence.slot)]


def get_occurrence(session: Session, *, community: Community, occurrence_id: int) -> MeetingOccurrence:
    row = session.get(MeetingOccurrence, occurrence_id)
    if row is None or row.meeting.community_id != community.id:
        raise NotFound(f"*{community.name}* has no meeting record `#{occurrence_id}`.")
    return row


def _require_not_started(row: MeetingOccurrence) -> None:
    if row.started_at is not None:
        raise BadArgument("That meeting has already started; `/cop meeting end` closes it.")


def cancel_occurrence(session: Session, *, occurrence: Occurrence, now: dt.datetime) -> MeetingOccurrence:
    """Cancel one occurrence; the rest of the series goes on."""
    row = occurrence_row(session, occurrence)
    _require_not_started(row)
    row.cancelled_at = now
    session.flush()
    return row


def reschedule_occurrence(
    session: Session, *, occurrence: Occurrence, starts_at: dt.datetime, now: dt.datetime
) -> MeetingOccurrence:
    """Move one occurrence; its RSVPs and agenda go with it, and the series keeps its own times."""
    if starts_at <= now:
        raise BadArgument("A meeting has to move to a time in the future.")
    row = occurrence_row(session, occurrence)
    _require_not_started(row)
    row.starts_at = starts_at
    session.flush()
    return row


def reschedule_series(
    session: Session, *, meeting: Meeting, starts_at: dt.datetime, recurrence: Recurrence | None,
    duration: dt.timedelta, now: dt.datetime,
) -> Meeting:
    """Move the whole series from its next occurrence on. Past occurrences keep their records.

    Occurrences already prepared (RSVPs, agenda) move in order onto the new times, so the next
    meeting's agenda stays the next meeting's agenda; cancellations of old times no longer apply.
    """
    if starts_at <= now:
        raise BadArgument("A meeting has to move to a time in the future.")
    future = list(session.scalars(select(MeetingOccurrence).where(
        MeetingOccurrence.meeting_id == meeting.id, MeetingOccurrence.started_at.is_(None),
        MeetingOccurrence.original_at > now).order_by(MeetingOccurrence.original_at)))
    meeting.starts_at = starts_at
    meeting.recurrence = recurrence.to_rule() if recurrence else None
    meeting.duration_minutes = int(duration.total_seconds() // 60)
    keep = [row for row in future if row.cancelled_at is None]
    dropped = [row.id for row in future if row.cancelled_at is not None]
    just_before = starts_at - dt.timedelta(microseconds=1)
    new_times = meeting.next_occurrences(after=just_before, count=len(keep)) if keep else []
    dropped += [row.id for row in keep[len(new_times):]]
    if dropped:
        session.execute(delete(MeetingOccurrence).where(MeetingOccurrence.id.in_(dropped)))
    keep = keep[: len(new_times)]
    # Two passes, so a new time equal to another row's old one never trips the unique constraint.
    for row in keep:
        row.original_at = row.original_at - dt.timedelta(days=365 * 200)
    session.flush()
    for row, start in zip(keep, new_times, strict=True):
        row.original_at = row.starts_at = start
    session.flush()
    session.expire_all()
    return meeting


def meetings_ahead(session: Session, *, community_ids: Iterable[int], after: dt.datetime) -> list[Meeting]:
    """The communities' meetings that can still meet after `after`: every live series, and the one-off
    meetings set for later or moved to later (a community's past one-offs are most of its meetings, and can
    never come again). Each meeting's community is the session's (callers have their communities loaded),
    not joined again to every meeting."""
    moved_later = select(MeetingOccurrence.meeting_id).where(MeetingOccurrence.starts_at > after)
    return list(session.scalars(
        select(Meeting).options(lazyload(Meeting.community))
        .where(Meeting.community_id.in_(sorted(set(community_ids))), Meeting.cancelled_at.is_(None),
               or_(Meeting.recurrence.is_not(None), Meeting.starts_at > after, Meeting.id.in_(moved_later)))
    ))
