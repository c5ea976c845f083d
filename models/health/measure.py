"""Reading every component of the health index for many communities at once: one statement per
component whatever the number of communities, members or meetings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, lazyload

from models.actions.model import Action, ActionStatus
from models.communities import Community
from models.contributions import Contribution
from models.health.formula import (
    ACTIVE_WINDOW,
    ATTENDANCE_WINDOW,
    CADENCE_WINDOW,
    COMPONENT_KEYS,
    FOLLOW_THROUGH_WINDOW,
    KNOWLEDGE_WEEKS,
    NEWCOMER_GRACE,
    NEWCOMER_WINDOW,
    OWN_KINDS,
    index_of,
    share,
)
from models.knowledge.model import KnowledgeItem
from models.meetings import Attendance, Meeting, MeetingOccurrence
from models.membership_periods import member_before
from models.people import Membership, Person
from models.when import occurrences

# Enough slots for a weekly series over the cadence window, with room to spare.
MAX_SLOTS = 64


@dataclass(frozen=True)
class Reading:
    """One community's health at an instant: each component (None: no data), with the counts behind it."""

    community: Community
    at: dt.datetime
    components: dict[str, int | None]
    members: int
    active: int
    planned: int
    held: int
    attendees: Decimal | None  # people at an average meeting held in the attendance window
    due: int
    closed: int
    newcomers: int
    activated: int
    knowledge_weeks: int
    weeks_counted: int
    missing: tuple[str, ...] = field(default=())

    @property
    def health(self) -> int | None:
        return index_of(self.components)


def read_health(session: Session, *, now: dt.datetime,
                communities: Sequence[Community] | None = None) -> list[Reading]:
    """The health of `communities` (every community of the workspace if None) at `now`, in a handful of
    statements. In the order given, or by name."""
    if communities is None:
        communities = session.scalars(select(Community).order_by(Community.name, Community.id)).all()
    ids = sorted(c.id for c in communities)
    if not ids:
        return []
    members = _members(session, ids)
    active = _active(session, ids, now)
    planned, held, attendees = _meetings(session, communities, now)
    actions = _actions(session, ids, now)
    newcomers = _newcomers(session, ids, now)
    knowledge = _knowledge(session, ids, now)
    readings = []
    for community in communities:
        cid = community.id
        n_members, n_active = members.get(cid, 0), active.get(cid, 0)
        due, closed = actions.get(cid, (0, 0))
        joined, activated = newcomers.get(cid, (0, 0))
        weeks_counted = _weeks_counted(community, now)
        weeks_with = sum(1 for week in knowledge.get(cid, [0] * KNOWLEDGE_WEEKS)[:weeks_counted] if week)
        average = attendees.get(cid)
        components: dict[str, int | None] = {
            "cadence": share(held.get(cid, 0), planned.get(cid, 0)),
            "attendance": share(float(average), n_members) if average is not None else None,
            "breadth": share(n_active, n_members),
            "follow_through": share(closed, due),
            "newcomers": share(activated, joined),
            "knowledge": share(weeks_with, weeks_counted),
        }
        readings.append(Reading(
            community, now, components, n_members, n_active, planned.get(cid, 0), held.get(cid, 0), average, due,
            closed, joined, activated, weeks_with, weeks_counted,
            tuple(key for key in COMPONENT_KEYS if components[key] is None)))
    return readings


def _weeks_counted(community: Community, now: dt.datetime) -> int:
    """How many of the knowledge weeks the community has lived (a part week counts as one)."""
    age = now - _utc(community.created_at)
    return max(1, min(KNOWLEDGE_WEEKS, -(-age.days // 7) if age > dt.timedelta(0) else 1))


def _grouped(session: Session, query) -> dict[int, tuple]:  # noqa: ANN001
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def _members(session: Session, ids: list[int]) -> dict[int, int]:
    rows = _grouped(session, select(Membership.community_id, func.count())
                    .join(Person, Person.id == Membership.person_id)
                    .where(Membership.community_id.in_(ids), Membership.active.is_(True), Person.is_bot.is_(False),
                           Person.deleted.is_(False)).group_by(Membership.community_id))
    return {cid: int(row[0]) for cid, row in rows.items()}


def _active(session: Session, ids: list[int], now: dt.datetime) -> dict[int, int]:
    """Members who did something themselves in the window (kudos received and joining do not count)."""
    rows = _grouped(session, select(Contribution.community_id, func.count(func.distinct(Contribution.person_id)))
                    .join(Membership, and_(Membership.community_id == Contribution.community_id,
                                           Membership.person_id == Contribution.person_id))
                    .join(Person, Person.id == Contribution.person_id)
                    .where(Contribution.community_id.in_(ids), Contribution.kind.in_(OWN_KINDS),
                           Contribution.occurred_at > now - ACTIVE_WINDOW, Contribution.occurred_at <= now,
                           Membership.active.is_(True), Person.is_bot.is_(False), Person.deleted.is_(False))
                    .group_by(Contribution.community_id))
    return {cid: int(row[0]) for cid, row in rows.items()}


def _meetings(session: Session, communities: Sequence[Community], now: dt.datetime
              ) -> tuple[dict[int, int], dict[int, int], dict[int, Decimal]]:
    """Meetings planned and held in the cadence window, and people at an average meeting held in the
    attendance window; three statements. A slot the schedule gave counts as planned whether it was held,
    moved or cancelled: a cancelled meeting is a meeting not kept."""
    since = now - CADENCE_WINDOW
    zones = {c.id: c.timezone for c in communities}
    meetings = session.scalars(select(Meeting).options(lazyload(Meeting.community)).where(
        Meeting.community_id.in_(sorted(zones)), or_(Meeting.cancelled_at.is_(None), Meeting.cancelled_at > since),
        or_(Meeting.recurrence.is_not(None), and_(Meeting.starts_at > since, Meeting.starts_at <= now)))).all()
    planned: dict[int, int] = defaultdict(int)
    for meeting in meetings:
        until = min(now, _utc(meeting.cancelled_at)) if meeting.cancelled_at else now
        planned[meeting.community_id] += len(occurrences(_utc(meeting.starts_at), meeting.rule,
                                                         tz=zones[meeting.community_id], after=since, until=until,
                                                         count=MAX_SLOTS))
    held_rows = session.execute(
        select(Meeting.community_id, MeetingOccurrence.started_at, func.count(Attendance.id))
        .join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .outerjoin(Attendance, Attendance.occurrence_id == MeetingOccurrence.id)
        .where(Meeting.community_id.in_(sorted(zones)), MeetingOccurrence.cancelled_at.is_(None),
               MeetingOccurrence.started_at > since, MeetingOccurrence.started_at <= now)
        .group_by(MeetingOccurrence.id, Meeting.community_id, MeetingOccurrence.started_at)).all()
    held: dict[int, int] = defaultdict(int)
    attended: dict[int, list[int]] = defaultdict(list)
    for community_id, started_at, people in held_rows:
        held[community_id] += 1
        if _utc(started_at) > now - ATTENDANCE_WINDOW:
            attended[community_id].append(int(people))
    averages = {cid: (Decimal(sum(counts)) / len(counts)).quantize(Decimal("0.1"))
                for cid, counts in attended.items()}
    return planned, held, averages


def _actions(session: Session, ids: list[int], now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Actions due in the window (not dropped), and how many of them are closed."""
    done = func.sum(case((Action.status == ActionStatus.DONE, 1), else_=0))
    rows = _grouped(session, select(Action.community_id, func.count(), done).where(
        Action.community_id.in_(ids), Action.status != ActionStatus.DROPPED, Action.due_at.is_not(None),
        Action.due_at > now - FOLLOW_THROUGH_WINDOW, Action.due_at <= now).group_by(Action.community_id))
    return {cid: (int(due), int(closed or 0)) for cid, (due, closed) in rows.items()}


def _newcomers(session: Session, ids: list[int], now: dt.datetime) -> dict[int, tuple[int, int]]:
    """People who joined in the window (not the members enrolled at set-up) whose first 30 days have passed
    or who took part already, and how many of them took part within 30 days of joining. One row per newcomer
    (date arithmetic on a column is not portable, so the 30 days are checked here)."""
    rows = session.execute(
        select(Membership.community_id, Membership.joined_at, func.min(Contribution.occurred_at))
        .join(Person, Person.id == Membership.person_id).join(Community, Community.id == Membership.community_id)
        .outerjoin(Contribution, and_(Contribution.community_id == Membership.community_id,
                                      Contribution.person_id == Membership.person_id,
                                      Contribution.kind.in_(OWN_KINDS),
                                      Contribution.occurred_at >= Membership.joined_at,
                                      Contribution.occurred_at <= now))
        .where(Membership.community_id.in_(ids), Person.is_bot.is_(False),
               Membership.joined_at > now - NEWCOMER_WINDOW,
               Membership.joined_at <= now, Membership.joined_at > Community.created_at,
               # someone rejoining was a member before: no newcomer
               ~member_before(Membership.community_id, Membership.person_id, Membership.joined_at))
        .group_by(Membership.id, Membership.community_id, Membership.joined_at)).all()
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for community_id, joined, first in rows:
        joined = _utc(joined)
        took_part = first is not None and _utc(first) - joined <= NEWCOMER_GRACE
        if took_part or now - joined > NEWCOMER_GRACE:
            found[community_id][0] += 1
            found[community_id][1] += took_part
    return {cid: (pair[0], pair[1]) for cid, pair in found.items()}


def _knowledge(session: Session, ids: list[int], now: dt.datetime) -> dict[int, list[int]]:
    """Knowledge items added in each of the last weeks, the latest week first."""
    week = dt.timedelta(weeks=1)
    columns = [func.sum(case((and_(KnowledgeItem.created_at > now - (n + 1) * week,
                                   KnowledgeItem.created_at <= now - n * week), 1), else_=0))
               for n in range(KNOWLEDGE_WEEKS)]
    rows = _grouped(session, select(KnowledgeItem.community_id, *columns).where(
        KnowledgeItem.community_id.in_(ids), KnowledgeItem.created_at > now - KNOWLEDGE_WEEKS * week,
        KnowledgeItem.created_at <= now).group_by(KnowledgeItem.community_id))
    return {cid: [int(n or 0) for n in row] for cid, row in rows.items()}


def _utc(instant: dt.datetime | str) -> dt.datetime:
    """A datetime as aware UTC: SQLite gives aggregates back as naive text, in UTC."""
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant)
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)
