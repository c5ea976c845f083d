"""Who is coming (RSVPs), and which reminders are due before each occurrence."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, UniqueConstraint, and_, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.contributions import ContributionKind, record_contribution
from models.errors import BadArgument
from models.meetings.occurrences import MeetingOccurrence, effective_occurrences, overrides
from models.meetings.series import MAX_REMINDER_OFFSET, Meeting
from models.people import Person


class RsvpAnswer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class Rsvp(Base):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("occurrence_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("meeting_occurrences.id", ondelete="CASCADE"),
                                               index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    answer: Mapped[RsvpAnswer] = mapped_column(str_enum(RsvpAnswer, 8))
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The reminder whose button was pressed, when it was one.
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)

    person: Mapped[Person] = relationship(lazy="joined")


def record_rsvp(
    session: Session, *, occurrence: MeetingOccurrence, person: Person, answer: RsvpAnswer, now: dt.datetime,
    permalink: str | None = None,
) -> Rsvp:
    """Record or change a person's answer; answering at all counts as a contribution, once."""
    rsvp = session.scalars(select(Rsvp).where(Rsvp.occurrence_id == occurrence.id,
                                              Rsvp.person_id == person.id)).one_or_none()
    if rsvp is None:
        rsvp = Rsvp(occurrence_id=occurrence.id, person_id=person.id, answer=answer, answered_at=now,
                    permalink=permalink)
        session.add(rsvp)
    else:
        rsvp.answer, rsvp.answered_at = answer, now
        rsvp.permalink = permalink or rsvp.permalink
    session.flush()
    record_contribution(session, key=f"rsvp:{occurrence.id}:{person.id}",
                        community_id=occurrence.meeting.community_id, person_id=person.id,
                        kind=ContributionKind.RSVP, occurred_at=now, detail=answer.value)
    return rsvp


def rsvp_counts(session: Session, *, occurrence_ids: Iterable[int]) -> dict[int, dict[RsvpAnswer, int]]:
    counts: dict[int, dict[RsvpAnswer, int]] = defaultdict(lambda: dict.fromkeys(RsvpAnswer, 0))
    for row in session.scalars(select(Rsvp).where(Rsvp.occurrence_id.in_(sorted(set(occurrence_ids))))):
        counts[row.occurrence_id][row.answer] += 1
    return counts


def coming(session: Session, *, occurrence_ids: Iterable[int]) -> dict[int, list[Person]]:
    """Who said yes to each occurrence, in one query."""
    found: dict[int, list[Person]] = defaultdict(list)
    rows = session.scalars(select(Rsvp).where(Rsvp.occurrence_id.in_(sorted(set(occurrence_ids))),
                                              Rsvp.answer == RsvpAnswer.YES).order_by(Rsvp.id))
    for row in rows:
        found[row.occurrence_id].append(row.person)
    return found


MAX_OFFSETS = 4
_OFFSET = re.compile(r"(?P<n>[0-9]{1,4})\s*(?P<unit>d|days?|h|hrs?|hours?|m|mins?|minutes?)")


def parse_offsets(text: str) -> list[int]:
    """`24h, 1h`, `2d 30m`, `off` -> minutes before a meeting, farthest first (an empty list for `off`)."""
    cleaned = (text or "").strip().lower()
    if cleaned in ("off", "none"):
        return []
    found: set[int] = set()
    for part in re.split(r"[,\s]+(?:and\s+)?", cleaned):
        match = _OFFSET.fullmatch(part)
        if match is None:
            raise BadArgument(f"I couldn't read “{part}” as a time before the meeting; try `24h, 1h` or `30m`.")
        unit = match["unit"][0]
        found.add(int(match["n"]) * {"d": 24 * 60, "h": 60, "m": 1}[unit])
    if not found or len(found) > MAX_OFFSETS:
        raise BadArgument(f"Give 1 to {MAX_OFFSETS} reminder times, e.g. `24h, 1h`.")
    if max(found) > MAX_REMINDER_OFFSET.total_seconds() // 60 or min(found) < 5:
        raise BadArgument("Reminders can come between 5 minutes and 7 days before a meeting.")
    return sorted(found, reverse=True)


def set_reminder_offsets(session: Session, *, community: Community, offsets: list[int]) -> None:
    community.reminder_offsets = list(offsets)
    session.flush()


@dataclass(frozen=True)
class DueReminder:
    meeting: Meeting
    starts_at: dt.datetime
    offset_minutes: int
    original_at: dt.datetime | None = None

    @property
    def slot(self) -> dt.datetime:
        return self.original_at or self.starts_at

    def minutes_left(self, now: dt.datetime) -> int:
        """What the reminder says is left: its offset when sent on time, else the real time to the start.

        The clock ticks each minute, so a reminder up to a minute after its moment is on time; one sent
        later (the bot was down, or a nearer offset was set) says how long there really is.
        """
        left = max(1, round((self.starts_at - now).total_seconds() / 60))
        return self.offset_minutes if self.offset_minutes - left <= 1 else left

    def key(self, target: str) -> str:
        """One reminder per occurrence, offset and channel (or `dm:<user>`): what makes it exactly-once."""
        return f"reminder:{self.meeting.id}:{self.starts_at:%Y%m%dT%H%MZ}:{self.offset_minutes}m:{target}"


_REMINDER_KEY = re.compile(r"^reminder:(?P<meeting>[0-9]+):(?P<starts>[0-9]{8}T[0-9]{4})Z:")


def occurrence_in_key(key: str) -> tuple[int, dt.datetime] | None:
    """The meeting and start a reminder's outbox key is about (see `DueReminder.key`); None for other keys."""
    found = _REMINDER_KEY.match(key)
    if found is None:
        return None
    return int(found["meeting"]), dt.datetime.strptime(found["starts"], "%Y%m%dT%H%M").replace(tzinfo=dt.UTC)


def due_reminders(session: Session, *, now: dt.datetime) -> list[DueReminder]:
    """Reminders whose moment has come and that still make sense at `now`.

    A reminder `offset` minutes before an occurrence is due from that moment until the occurrence
    starts; once a nearer reminder is also due, the farther one is skipped, so a bot that was down
    for a day sends one "starts in 1 hour" instead of a late "tomorrow" followed by it. A moved
    occurrence is reminded at its new time; a cancelled one, or one already under way, is not.
    """
    horizon = now + MAX_REMINDER_OFFSET
    moved_here = select(MeetingOccurrence.meeting_id).where(
        MeetingOccurrence.starts_at > now, MeetingOccurrence.starts_at <= horizon)
    meetings = session.scalars(
        select(Meeting).join(Community).where(
            # An archived channel is reminded of nothing; once back, the reminder that still makes sense goes.
            Meeting.cancelled_at.is_(None), Community.archived_at.is_(None),
            or_(and_(Meeting.starts_at <= horizon, Meeting.recurrence.is_not(None) | (Meeting.starts_at > now)),
                Meeting.id.in_(moved_here)),
        )
    ).all()
    rows = overrides(session, meeting_ids=[m.id for m in meetings], after=now)
    started = {(row.meeting_id, row.original_at) for rows_of in rows.values() for row in rows_of
               if row.started_at is not None}
    due: list[DueReminder] = []
    for meeting in meetings:
        offsets = sorted(meeting.community.reminder_offsets or [])
        for occurrence in effective_occurrences(meeting, rows[meeting.id], after=now, count=1):
            if (meeting.id, occurrence.slot) in started:
                continue
            passed = [o for o in offsets if occurrence.starts_at - dt.timedelta(minutes=o) <= now]
            if passed:
                due.append(DueReminder(meeting, occurrence.starts_at, min(passed), occurrence.slot))
    return due
