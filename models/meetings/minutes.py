"""Minutes: what a meeting decided, who took which action, who was there and what carries over.

Stored with the occurrence as a snapshot (plain JSON), so the minutes read the same years later
whatever happens to the actions or people they mention.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actions import Action
from models.communities import Community
from models.errors import NotFound
from models.meetings.agenda import AgendaItem, AgendaStatus
from models.meetings.occurrences import MeetingOccurrence
from models.meetings.records import Decision, MeetingNote, attendees, open_actions
from models.meetings.series import Meeting
from models.people import Person

MAX_CARRIED_ACTIONS = 20


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _who(person: Person | None) -> str | None:
    return person.user_id if person is not None else None


def _action(action: Action, people: dict[int, Person]) -> dict[str, Any]:
    return {"id": action.id, "title": action.title, "owner": _who(people.get(action.owner_id or 0)),
            "asked": _who(people.get(action.proposed_owner_id or 0)) if action.owner_id is None else None,
            "due_at": _iso(action.due_at), "status": action.status.value, "permalink": action.source_permalink}


def build_minutes(
    session: Session, *, occurrence: MeetingOccurrence, carried: Sequence[AgendaItem]
) -> dict[str, Any]:
    meeting = occurrence.meeting
    start, end = occurrence.started_at, occurrence.ended_at
    raised = list(session.scalars(select(Action).where(
        Action.meeting_id == meeting.id, Action.created_at >= start, Action.created_at <= end)
        .order_by(Action.id)))
    raised_ids = {a.id for a in raised}
    still_open = [a for a in open_actions(session, community=meeting.community) if a.id not in raised_ids]
    owner_ids = {i for a in raised + still_open for i in (a.owner_id, a.proposed_owner_id) if i}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(sorted(owner_ids))))}
    decisions = list(session.scalars(select(Decision).where(Decision.occurrence_id == occurrence.id)
                                    .order_by(Decision.id)))
    notes = list(session.scalars(select(MeetingNote).where(MeetingNote.occurrence_id == occurrence.id)
                                 .order_by(MeetingNote.id)))
    present = attendees(session, occurrence=occurrence)
    if occurrence.closed_by_scheduler and end is not None:
        # Nobody said when it ended, and it was closed well after: it lasted as planned, or until
        # the last thing said in it, not until the scheduler noticed.
        said = [occurrence.planned_end, *(r.created_at for r in [*decisions, *notes, *raised]),
                *(a.first_seen_at for a in present)]
        end = min(end, max(said))
    discussed = session.scalars(select(AgendaItem).where(AgendaItem.occurrence_id == occurrence.id,
                                                         AgendaItem.status == AgendaStatus.DONE)
                                .order_by(AgendaItem.id))
    return {
        "occurrence_id": occurrence.id, "meeting_id": meeting.id, "title": meeting.title,
        "community": meeting.community.name, "scheduled_for": _iso(occurrence.starts_at),
        "started_at": _iso(start), "ended_at": _iso(end), "closed_by_scheduler": occurrence.closed_by_scheduler,
        "thread": occurrence.permalink,
        "attendees": [a.person.user_id for a in present],
        "decisions": [{"text": d.text, "by": _who(d.person), "permalink": d.permalink} for d in decisions],
        "actions": [_action(a, people) for a in raised],
        "notes": [{"text": n.text, "by": _who(n.person), "permalink": n.permalink} for n in notes],
        "discussed": [item.text for item in discussed],
        "carried_over": [item.text for item in carried],
        "open_actions": [_action(a, people) for a in still_open[:MAX_CARRIED_ACTIONS]],
        "open_actions_total": len(still_open),
    }


def minutes_of(session: Session, *, community: Community, occurrence_id: int) -> MeetingOccurrence:
    row = session.get(MeetingOccurrence, occurrence_id)
    if row is None or row.meeting.community_id != community.id:
        raise NotFound(f"*{community.name}* has no minutes `#{occurrence_id}`; `/cop meeting minutes` lists them.")
    if row.minutes is None:
        raise NotFound(f"Meeting record `#{occurrence_id}` ({row.meeting.title}) has no minutes yet: it "
                       + ("is still running." if row.running else "was not held."))
    return row


def recent_minutes(session: Session, *, community: Community, limit: int = 10) -> list[MeetingOccurrence]:
    """The community's meetings that have minutes, latest first."""
    return list(session.scalars(
        select(MeetingOccurrence).join(Meeting).where(
            # Not `minutes IS NOT NULL`: a JSON column may hold JSON null rather than SQL NULL.
            Meeting.community_id == community.id, MeetingOccurrence.ended_at.is_not(None))
        .order_by(MeetingOccurrence.ended_at.desc(), MeetingOccurrence.id.desc()).limit(limit)))
