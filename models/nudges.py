"""Quiet members: who has gone quiet, who may be nudged now, and the one small invitation to offer.

Quiet is private: this module answers the lead's `/cop quiet` and the nudge job, nothing public.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Boolean, ColumnElement, ForeignKey, String, and_, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.actions import Action
from models.base import Base, utcnow
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.hours import WorkingHours, zone_of
from models.meetings import Occurrence, upcoming_meetings
from models.newcomers import best_fit, pool_actions
from models.people import Membership, Person, not_away
from models.questions import Question, open_question_for
from models.upsert import insert_ignore

MEETING_HORIZON = dt.timedelta(days=14)
MAX_QUIET_AFTER_DAYS = 365


class Nudge(Base):
    """A nudge decided for a person in a community: sent, or held for their digest when over budget."""

    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    invitation: Mapped[str] = mapped_column(String(20))
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A reply to the nudge (any direct message to copbot after it) counts as being back.
    replied_at: Mapped[dt.datetime | None] = mapped_column(default=None)


@dataclass(frozen=True)
class QuietMember:
    membership: Membership
    last_contribution: dt.datetime | None
    quiet_since: dt.datetime
    last_nudged: dt.datetime | None

    @property
    def person(self) -> Person:
        return self.membership.person

    @property
    def community(self) -> Community:
        return self.membership.community

    def days_quiet(self, now: dt.datetime) -> int:
        return (now - self.quiet_since).days


def nudge_key(*, person: Person, community_id: int, now: dt.datetime) -> str:
    """One nudge per person, community and day of the person's own calendar."""
    local_day = now.astimezone(zone_of(person.tz)).date().isoformat()
    return f"nudge:{person.id}:{community_id}:{local_day}"


def quiet_members(session: Session, *, now: dt.datetime, community_id: int | None = None,
                  only_nudgeable: bool = False, where: Sequence[ColumnElement[bool]] = ()) -> list[QuietMember]:
    """Active people with nothing in the ledger for their community's `quiet_after_days`, quietest first.

    Joining, a contribution or a reply to a nudge starts the quiet clock again. One statement, whatever
    the number of communities and members.
    """
    last_contribution = (
        select(Contribution.community_id, Contribution.person_id, func.max(Contribution.occurred_at).label("at"))
        .where(Contribution.kind != ContributionKind.JOINED, Contribution.occurred_at <= now)
        .group_by(Contribution.community_id, Contribution.person_id).subquery()
    )
    last_reply = (
        select(Nudge.community_id, Nudge.person_id, func.max(Nudge.replied_at).label("at"))
        .group_by(Nudge.community_id, Nudge.person_id).subquery()
    )
    last_nudge = select(Nudge.person_id, func.max(Nudge.created_at).label("at")).group_by(Nudge.person_id).subquery()
    query = (
        select(Membership, last_contribution.c.at, last_reply.c.at, last_nudge.c.at)
        .join(Person, Person.id == Membership.person_id)
        .outerjoin(last_contribution, (last_contribution.c.community_id == Membership.community_id)
                   & (last_contribution.c.person_id == Membership.person_id))
        .outerjoin(last_reply, (last_reply.c.community_id == Membership.community_id)
                   & (last_reply.c.person_id == Membership.person_id))
        .outerjoin(last_nudge, last_nudge.c.person_id == Membership.person_id)
        .where(Membership.active.is_(True), Person.is_bot.is_(False), Person.deleted.is_(False))
    )
    if community_id is not None:
        query = query.where(Membership.community_id == community_id)
    if only_nudgeable:
        query = query.where(*_nudgeable())
    query = query.where(*where)
    found: list[QuietMember] = []
    for membership, contributed, replied, nudged in session.execute(query):
        since = max(t for t in (membership.joined_at, contributed, replied) if t is not None)
        days = min(membership.community.quiet_after_days, MAX_QUIET_AFTER_DAYS)
        if since <= now - dt.timedelta(days=days):
            found.append(QuietMember(membership, contributed, since, nudged))
    found.sort(key=lambda q: (q.quiet_since, q.membership.id))
    return found


def _nudgeable() -> tuple[ColumnElement[bool], ...]:
    # Someone enrolled quietly at set-up has no profile until they next interact: copbot does not
    # know their zone (so when their working hours are) nor whether they are a bot, so it waits.
    return (Person.nudges_enabled.is_(True), Person.lurker.is_(False), Person.is_bot.is_(False),
            Person.deleted.is_(False), Person.profile_fetched_at.is_not(None))


def _working_now(session: Session, *, now: dt.datetime) -> list[ColumnElement[bool]]:
    """Conditions matching the people whose working hours these are, from the few distinct sets of hours."""
    hours = session.execute(
        select(Person.tz, Person.work_start, Person.work_end, Person.work_days).where(*_nudgeable()).distinct()
    ).all()
    return [
        and_(Person.tz == tz, Person.work_start == start, Person.work_end == end, Person.work_days == days)
        for tz, start, end, days in hours if WorkingHours(tz, start, end, days).contains(now)
    ]


def nudges_due(session: Session, *, now: dt.datetime) -> list[QuietMember]:
    """Who may be nudged at `now`: quiet, willing, inside working hours, not nudged lately; one each.

    Nights and weekends cost one small query: the quiet scan only runs for the hours that are working ones now.
    """
    working = _working_now(session, now=now)
    if not working:
        return []
    due: list[QuietMember] = []
    chosen: set[int] = set()
    for quiet in quiet_members(session, now=now, only_nudgeable=True, where=[or_(*working), not_away(now)]):
        person = quiet.person
        spacing = dt.timedelta(days=quiet.community.nudge_every_days)
        if person.id in chosen or (quiet.last_nudged is not None and quiet.last_nudged > now - spacing):
            continue
        chosen.add(person.id)
        due.append(quiet)
    return due


@dataclass(frozen=True)
class Invitation:
    """One concrete, small thing a quiet member could do next."""

    kind: str  # "action", "question", "meeting" or "hello"
    fits_interests: bool = False
    action: Action | None = None
    question: Question | None = None
    meeting: Occurrence | None = None


def choose_invitation(session: Session, *, community: Community, person: Person, now: dt.datetime) -> Invitation:
    """An unowned action that fits their interests, else a recent unanswered question, else the next
    meeting, else any action in the pool, else simply saying hello."""
    pool = pool_actions(session, community_id=community.id, now=now, limit=50)
    fitting = best_fit(pool, person.interests)
    if fitting is not None:
        return Invitation("action", fits_interests=True, action=fitting)
    question = open_question_for(session, community_id=community.id, person_id=person.id, now=now)
    if question is not None:
        return Invitation("question", question=question)
    upcoming = upcoming_meetings(session, community=community, now=now, limit=1, horizon=MEETING_HORIZON)
    if upcoming:
        return Invitation("meeting", meeting=upcoming[0])
    if pool:
        return Invitation("action", action=pool[0])
    return Invitation("hello")


def record_nudge(session: Session, *, key: str, community_id: int, person_id: int, invitation: str, held: bool,
                 now: dt.datetime) -> bool:
    return insert_ignore(
        session, Nudge,
        dict(key=key, community_id=community_id, person_id=person_id, invitation=invitation, held=held,
             created_at=now),
        conflict="key",
    )


def note_dm_reply(session: Session, *, person: Person, now: dt.datetime) -> bool:
    """A direct message from the person answers their latest nudge, which starts their quiet clock again."""
    latest = session.scalars(
        select(Nudge).where(Nudge.person_id == person.id, Nudge.created_at <= now, Nudge.held.is_(False))
        .order_by(Nudge.created_at.desc(), Nudge.id.desc()).limit(1)
    ).first()
    if latest is None:
        return False
    latest.replied_at = now
    session.flush()
    return True
