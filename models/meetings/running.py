"""Running a meeting: starting an occurrence, finding its thread, and closing it with minutes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.communities import Community
from models.contributions import ContributionKind, record_contribution
from models.deliveries import sent_ts
from models.errors import BadArgument, NotFound
from models.meetings.agenda import carry_over, claim_pool
from models.meetings.minutes import build_minutes
from models.meetings.occurrences import MeetingOccurrence, effective_occurrences, occurrence_row, overrides
from models.meetings.records import AttendedBy, record_attendance
from models.meetings.series import DEFAULT_DURATION, Meeting, Occurrence
from models.people import Person

# A meeting nobody ended is closed this long after its planned end.
GRACE = dt.timedelta(minutes=30)
# `/cop meeting start` picks a scheduled occurrence this close to now; otherwise it starts an ad-hoc one.
START_WINDOW = dt.timedelta(hours=12)
AD_HOC_TITLE = "Meeting"


def running_occurrence(session: Session, *, community: Community) -> MeetingOccurrence | None:
    return session.scalars(
        select(MeetingOccurrence).join(Meeting).where(
            Meeting.community_id == community.id, MeetingOccurrence.started_at.is_not(None),
            MeetingOccurrence.ended_at.is_(None)).order_by(MeetingOccurrence.started_at.desc())
    ).first()


def require_running(session: Session, *, community: Community) -> MeetingOccurrence:
    running = running_occurrence(session, community=community)
    if running is None:
        raise NotFound(f"No meeting of *{community.name}* is running; a lead starts one with `/cop meeting start`.")
    return running


def _closest(occurrences: list[Occurrence], now: dt.datetime) -> Occurrence | None:
    near = [o for o in occurrences if abs(o.starts_at - now) <= START_WINDOW]
    return min(near, key=lambda o: abs(o.starts_at - now)) if near else None


def occurrence_to_start(
    session: Session, *, community: Community, now: dt.datetime, meeting: Meeting | None = None
) -> Occurrence | None:
    """The scheduled occurrence nearest to now (within START_WINDOW), of `meeting` or of any meeting."""
    if meeting is not None:
        meetings = [meeting]
    else:
        meetings = list(session.scalars(select(Meeting).where(Meeting.community_id == community.id,
                                                              Meeting.cancelled_at.is_(None))))
    since = now - START_WINDOW
    rows = overrides(session, meeting_ids=[m.id for m in meetings], after=since)
    candidates = [o for m in meetings for o in effective_occurrences(m, rows[m.id], after=since, count=2)]
    return _closest(candidates, now)


def start_meeting(
    session: Session, *, community: Community, person: Person, now: dt.datetime, meeting: Meeting | None = None,
) -> MeetingOccurrence:
    """Start the nearest occurrence (of `meeting`, or of the community's meetings), or an ad-hoc meeting."""
    running = running_occurrence(session, community=community)
    if running is not None:
        raise BadArgument(f"*{running.meeting.title}* is already running; `/cop meeting end` closes it first.")
    occurrence = occurrence_to_start(session, community=community, now=now, meeting=meeting)
    if occurrence is None and meeting is not None:
        raise BadArgument(f"Meeting `#{meeting.id}` ({meeting.title}) has no occurrence within 12 hours of now. "
                          "`/cop meeting start` without a number starts an ad-hoc meeting.")
    if occurrence is None:
        ad_hoc = Meeting(community_id=community.id, title=AD_HOC_TITLE, starts_at=now,
                         duration_minutes=int(DEFAULT_DURATION.total_seconds() // 60), recurrence=None,
                         created_by_id=person.id, created_at=now)
        ad_hoc.community = community
        session.add(ad_hoc)
        session.flush()
        occurrence = Occurrence(ad_hoc, now, now)
    row = occurrence_row(session, occurrence)
    if row.ended_at is not None:
        raise BadArgument(f"*{row.meeting.title}* was already held; `/cop meeting minutes {row.id}` shows its minutes.")
    row.started_at = now
    row.started_by_id = person.id
    row.cancelled_at = None
    session.flush()
    claim_pool(session, community=community, occurrence=row)
    record_attendance(session, occurrence=row, person=person, attended_by=AttendedBy.LEAD, now=now)
    record_contribution(session, key=f"led:{row.id}", community_id=community.id, person_id=person.id,
                        kind=ContributionKind.MEETING_LED, occurred_at=now, detail="started")
    return row


def thread_of(session: Session, *, occurrence: MeetingOccurrence) -> str | None:
    """The ts of the message the meeting's thread hangs from, once copbot has posted it.

    Read, not stored: every reply in a busy thread asks, and concurrent writes to the one meeting
    row from those events would only contend (and, with people's rows, deadlock).
    """
    return occurrence.thread_ts or sent_ts(session, key=occurrence.thread_key)


def meeting_in_thread(session: Session, *, community: Community, thread_ts: str) -> MeetingOccurrence | None:
    """The running meeting whose thread this is, if any."""
    running = running_occurrence(session, community=community)
    if running is not None and thread_of(session, occurrence=running) == thread_ts:
        return running
    return None


def end_meeting(
    session: Session, *, occurrence: MeetingOccurrence, now: dt.datetime, by_scheduler: bool = False
) -> MeetingOccurrence:
    """Close a running meeting: carry over what is unfinished and store its minutes."""
    if not occurrence.running:
        raise BadArgument("That meeting is not running.")
    occurrence.ended_at = now
    occurrence.closed_by_scheduler = by_scheduler
    carried = carry_over(session, occurrence=occurrence, now=now)
    occurrence.minutes = build_minutes(session, occurrence=occurrence, carried=carried)
    session.flush()
    return occurrence


def overdue_meetings(session: Session, *, now: dt.datetime) -> list[MeetingOccurrence]:
    """Running meetings past their planned end plus GRACE: one query over what is running."""
    running = session.scalars(select(MeetingOccurrence).where(
        MeetingOccurrence.started_at.is_not(None), MeetingOccurrence.ended_at.is_(None)))
    return [row for row in running if row.planned_end + GRACE <= now]
