"""Quiet members: who has gone quiet, who may be nudged now, and the one small invitation to offer.

Quiet is private: this module answers the lead's `/cop quiet` and the nudge job, nothing public.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, ForeignKey, String, and_, case, func, literal, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.actions import Action
from models.base import Base, UTCDateTime, utcnow
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.hours import WorkingHours, zone_of
from models.meetings import Occurrence
from models.meetings.occurrences import upcoming_by_community
from models.newcomers import best_fit, pools
from models.people import Membership, Person, not_away
from models.questions import Question, asked_by_someone_else, open_questions
from models.upsert import insert_ignore_many

MEETING_HORIZON = dt.timedelta(days=14)
POOL_SIZE = 50  # the pool's actions looked through for one that fits someone's interests
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
                  only_nudgeable: bool = False, where: Sequence[ColumnElement[bool]] = (),
                  spaced: bool = False, after_days: int | None = None) -> list[QuietMember]:
    """Active people with nothing in the ledger for their community's `quiet_after_days`, quietest first.

    Joining, a contribution or a reply to a nudge starts the quiet clock again. `spaced` keeps only those
    not nudged (anywhere) within their community's `nudge_every_days`. `after_days` looks with another
    threshold than the communities' own, for a lead's list; it changes no setting. Two statements, whatever the number
    of communities and members: the communities' few distinct settings, then the members, each one's last
    contribution looked up by the ledger's index (community, person, time) once the other conditions have
    left only those it decides, rather than the whole ledger aggregated.
    """
    distinct = select(Community.quiet_after_days, Community.nudge_every_days).distinct()
    if community_id is not None:
        distinct = distinct.where(Community.id == community_id)
    settings = session.execute(distinct).all()
    if not settings:
        return []
    # Each member's cutoffs, from their community's settings: a CASE, not a condition per setting, which
    # PostgreSQL would copy into the scan of the members and evaluate, lookups and all, for every setting.
    quiet_after = _by_setting(Community.quiet_after_days, {
        days: now - dt.timedelta(days=min(days, MAX_QUIET_AFTER_DAYS)) for days, _ in settings}) \
        if after_days is None else literal(now - dt.timedelta(days=after_days), UTCDateTime())
    # Correlated with the person rather than the membership (the same id), so that PostgreSQL looks the
    # ledger up only once the conditions on the person have been applied, not for every membership. On the
    # table rather than the entity: the workspace's scope (models/scope.py) would add its own condition on the
    # community, which PostgreSQL checks on every one of the member's contributions instead of reading the
    # latest from the index; the membership it is correlated with carries the scope already.
    ledger = Contribution.__table__
    contributed = (
        select(func.max(ledger.c.occurred_at))
        .where(ledger.c.community_id == Membership.community_id, ledger.c.person_id == Person.id,
               ledger.c.kind != ContributionKind.JOINED.value, ledger.c.occurred_at <= now)
        .correlate(Membership, Person).scalar_subquery()
    )
    replied = (
        select(func.max(Nudge.replied_at))
        .where(Nudge.community_id == Membership.community_id, Nudge.person_id == Membership.person_id)
        .correlate(Membership).scalar_subquery()
    )
    nudged = select(func.max(Nudge.created_at)).where(Nudge.person_id == Membership.person_id).correlate(
        Membership).scalar_subquery()
    replied_since = select(Nudge.id).where(Nudge.community_id == Membership.community_id,
                                           Nudge.person_id == Membership.person_id, Nudge.replied_at > quiet_after)
    query = (
        select(Membership, contributed, replied, nudged)
        .join(Person, Person.id == Membership.person_id)
        .join(Community, Community.id == Membership.community_id)
        .where(Membership.active.is_(True), Person.is_bot.is_(False), Person.deleted.is_(False),
               Membership.joined_at <= quiet_after, ~replied_since.exists())
    )
    if community_id is not None:
        query = query.where(Membership.community_id == community_id)
    if only_nudgeable:
        query = query.where(*_nudgeable())
    if spaced:
        every = _by_setting(Community.nudge_every_days, {days: now - dt.timedelta(days=days) for _, days in settings})
        # Whoever was nudged within the shortest spacing of all is out whatever their community: one set of
        # people, read once, leaves the ledger fewer members to be looked up for.
        shortest = now - dt.timedelta(days=min(days for _, days in settings))
        query = query.where(Membership.person_id.not_in(select(Nudge.person_id).where(Nudge.created_at > shortest)),
                            ~select(Nudge.id).where(Nudge.person_id == Membership.person_id,
                                                    Nudge.created_at > every).exists())
    # The costliest condition, so PostgreSQL applies it after the others: the ledger is looked up only for
    # the members they leave.
    query = query.where(*where, func.coalesce(contributed, Membership.joined_at) <= quiet_after)
    found = [QuietMember(membership, contributed_at, max(t for t in (membership.joined_at, contributed_at, replied_at)
                                                          if t is not None), nudged_at)
             for membership, contributed_at, replied_at, nudged_at in session.execute(query)]
    found.sort(key=lambda q: (q.quiet_since, q.membership.id))
    return found


def _by_setting(setting: ColumnElement[int], instants: dict[int, dt.datetime]) -> ColumnElement[dt.datetime]:
    """The instant that goes with each value of a community's setting, as one SQL expression."""
    return case({value: literal(at, UTCDateTime()) for value, at in instants.items()}, value=setting)


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
    for quiet in quiet_members(session, now=now, only_nudgeable=True, where=[or_(*working), not_away(now)],
                               spaced=True):
        person = quiet.person
        if person.id in chosen:
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


def invitations(session: Session, *, wanted: Sequence[tuple[Community, Person]],
                now: dt.datetime) -> dict[tuple[int, int], Invitation]:
    """`choose_invitation` for many (community, person) pairs, by (community id, person id).

    Each kind of invitation is read once for all the communities of those still without one: four
    statements at most for a few hundred communities, whatever the number of people.
    """
    chosen: dict[tuple[int, int], Invitation] = {}
    if not wanted:
        return chosen
    pool = pools(session, community_ids=[c.id for c, _ in wanted], now=now, limit=POOL_SIZE)
    for community, person in wanted:
        fitting = best_fit(pool[community.id], person.interests)
        if fitting is not None:
            chosen[community.id, person.id] = Invitation("action", fits_interests=True, action=fitting)
    left = [(c, p) for c, p in wanted if (c.id, p.id) not in chosen]
    if left:
        questions = open_questions(session, community_ids=[c.id for c, _ in left], now=now)
        for community, person in left:
            question = asked_by_someone_else(questions[community.id], person.id)
            if question is not None:
                chosen[community.id, person.id] = Invitation("question", question=question)
    left = [(c, p) for c, p in left if (c.id, p.id) not in chosen]
    if left:
        upcoming = upcoming_by_community(session, community_ids=[c.id for c, _ in left], now=now, limit=1,
                                         horizon=MEETING_HORIZON)
        for community, person in left:
            if upcoming[community.id]:
                chosen[community.id, person.id] = Invitation("meeting", meeting=upcoming[community.id][0])
            elif pool[community.id]:
                chosen[community.id, person.id] = Invitation("action", action=pool[community.id][0])
            else:
                chosen[community.id, person.id] = Invitation("hello")
    return chosen


def choose_invitation(session: Session, *, community: Community, person: Person, now: dt.datetime) -> Invitation:
    """An unowned action that fits their interests, else a recent unanswered question, else the next
    meeting, else any action in the pool, else simply saying hello."""
    return invitations(session, wanted=[(community, person)], now=now)[community.id, person.id]


def record_nudges(session: Session, *, nudges: Sequence[dict[str, Any]], now: dt.datetime) -> int:
    """Note the nudges decided in a run (each a dict of key, community_id, person_id, invitation and held),
    sent or held for the digest: either way their person is not nudged again for a while."""
    return insert_ignore_many(session, Nudge, [dict(nudge, created_at=now) for nudge in nudges], conflict="key")


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
