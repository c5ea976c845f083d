"""People (cached Slack profiles and preferences) and their memberships of communities."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
    or_,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, chunked, str_enum, utcnow
from models.communities import Community
from models.errors import BadArgument, NotAMember, NotPermitted
from models.membership_periods import close_periods, open_period, open_periods

PROFILE_MAX_AGE = dt.timedelta(hours=24)
# How many open actions a member takes on at a time in a community, until they say otherwise.
DEFAULT_CAPACITY = 3


class Role(enum.StrEnum):
    LEAD = "lead"
    CO_LEAD = "co-lead"
    SME = "sme"
    MEMBER = "member"
    GUEST = "guest"
    # Records decisions and minutes and edits the draft Terms of Reference, without leading.
    SECRETARY = "secretary"
    # The core team: members who carry the community, counted apart from the rest.
    CORE = "core"


LEAD_ROLES = frozenset({Role.LEAD, Role.CO_LEAD})


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_fetched_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    nudges_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_dm: Mapped[bool] = mapped_column(Boolean, default=False)
    lurker: Mapped[bool] = mapped_column(Boolean, default=False)
    work_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(9, 0))
    work_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(17, 0))
    work_days: Mapped[str] = mapped_column(String(7), default="12345")  # ISO weekdays
    # On leave until then: not asked for standups, not counted as missing.
    away_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    meeting_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    standup_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # How many unasked-for direct messages a week (every kind in models.attention.DM_KINDS but the digest they
    # asked for); the rest wait for the digest.
    dm_budget: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    newcomer_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # What the person said they work on or are curious about (`/cop intro`), as they typed it.
    interests: Mapped[str | None] = mapped_column(String(300), default=None)
    # Reminders about their actions and requests to take one on; blocked actions reaching them as a lead.
    action_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    escalation_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The twice-yearly reminder, as a lead, to run the community's maturity self-assessment.
    maturity_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Lower-case tags the person knows about ("terraform"), matched against an action's tags.
    expertise: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    leaderboard_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Named an overall lead in copbot by another overall lead (`/cop role @user overall-lead`), in this
    # workspace, besides its admins and COPBOT_ADMINS.
    overall_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The quarter's scorecard by DM, for a community they lead.
    scorecard_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # As a lead or overall lead: a private word when a community starts fading.
    fading_dms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def profile_is_stale(self, now: dt.datetime) -> bool:
        return self.profile_fetched_at is None or now - self.profile_fetched_at > PROFILE_MAX_AGE

    def is_away(self, at: dt.datetime) -> bool:
        return self.away_until is not None and self.away_until > at


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("community_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.MEMBER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    left_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Open actions this member takes on at a time here; 0 means "not taking new work now".
    capacity: Mapped[int] = mapped_column(Integer, default=DEFAULT_CAPACITY, server_default=text(str(DEFAULT_CAPACITY)))

    person: Mapped[Person] = relationship(lazy="joined")
    community: Mapped[Community] = relationship(lazy="joined")


@dataclass(frozen=True)
class ProfileUpdate:
    """What we keep of a Slack user's profile."""

    display_name: str
    tz: str
    is_bot: bool
    is_admin: bool
    is_guest: bool
    deleted: bool


def get_person(session: Session, *, team_id: str, user_id: str) -> Person | None:
    return session.scalars(
        select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
    ).one_or_none()


def upsert_person(
    session: Session, *, team_id: str, user_id: str, profile: ProfileUpdate | None, now: dt.datetime
) -> Person:
    """Find or create a person, refreshing the cached profile when one is given."""
    person = get_person(session, team_id=team_id, user_id=user_id)
    if person is None:
        person = Person(team_id=team_id, user_id=user_id, created_at=now)
        session.add(person)
    if profile is not None:
        for name, value in _cached(profile, now).items():
            setattr(person, name, value)
    session.flush()
    return person


def _cached(profile: ProfileUpdate, now: dt.datetime) -> dict[str, Any]:
    """The columns a fetched profile sets."""
    return dict(display_name=profile.display_name[:120], tz=profile.tz or "UTC", is_bot=profile.is_bot,
                is_admin=profile.is_admin, is_guest=profile.is_guest, deleted=profile.deleted,
                profile_fetched_at=now)


def store_profiles(session: Session, *, profiles: Mapping[tuple[str, str], ProfileUpdate],
                   gone: Iterable[tuple[str, str]], now: dt.datetime) -> None:
    """What `users.info` said about people copbot knows, by (team id, user id), in a few statements whatever
    their number: each profile found, and who has left the workspace for good (never looked up again, and
    never messaged)."""
    gone = set(gone)
    ids: dict[tuple[str, str], int] = {}
    who = tuple_(Person.team_id, Person.user_id)
    for chunk in chunked(sorted(set(profiles) | gone)):
        ids.update({(team_id, user_id): person_id for person_id, team_id, user_id in session.execute(
            select(Person.id, Person.team_id, Person.user_id).where(who.in_(chunk)))})
    # Bulk UPDATEs by primary key: one executemany for the profiles, one for the gone.
    fetched = [dict(id=ids[key], **_cached(profile, now)) for key, profile in profiles.items() if key in ids]
    left = [dict(id=ids[key], deleted=True) for key in sorted(gone) if key in ids]
    for rows in (fetched, left):
        if rows:
            session.execute(update(Person), rows)


def membership_of(session: Session, *, community: Community, person: Person) -> Membership | None:
    return session.scalars(
        select(Membership).where(Membership.community_id == community.id, Membership.person_id == person.id)
    ).one_or_none()


def active_membership(session: Session, *, community: Community, person: Person) -> Membership | None:
    membership = membership_of(session, community=community, person=person)
    return membership if membership is not None and membership.active else None


@dataclass(frozen=True)
class JoinResult:
    membership: Membership
    newly_joined: bool


def join_community(
    session: Session, *, community: Community, person: Person, now: dt.datetime, role: Role | None = None
) -> JoinResult:
    """Make `person` an active member; joining twice is harmless and says so."""
    membership = membership_of(session, community=community, person=person)
    if membership is not None and membership.active:
        if role is not None:
            membership.role = role
        return JoinResult(membership, newly_joined=False)
    if membership is None:
        membership = Membership(community_id=community.id, person_id=person.id,
                                role=role or (Role.GUEST if person.is_guest else Role.MEMBER))
        session.add(membership)
    else:
        membership.active = True
        membership.left_at = None
        if role is not None:
            membership.role = role
    membership.joined_at = now
    session.flush()
    open_period(session, community_id=community.id, person_id=person.id, at=now)
    return JoinResult(membership, newly_joined=True)


def leave_community(session: Session, *, community: Community, person: Person, now: dt.datetime) -> Membership:
    """Deactivate a membership, keeping its history; the last lead cannot leave a led community."""
    membership = active_membership(session, community=community, person=person)
    if membership is None:
        raise NotAMember(f"You are not a member of *{community.name}*.")
    if membership.role == Role.LEAD:
        other_leads = session.scalars(
            select(Membership.id).where(
                Membership.community_id == community.id, Membership.active.is_(True),
                Membership.role.in_(list(LEAD_ROLES)), Membership.id != membership.id,
            )
        ).first()
        if other_leads is None:
            raise NotPermitted(
                f"You are the only lead of *{community.name}*: name another lead or co-lead before leaving."
            )
    end_membership(session, membership=membership, now=now)
    return membership


def end_membership(session: Session, *, membership: Membership, now: dt.datetime) -> None:
    """The member is gone from the community from `now`: the membership stays, inactive, and its period ends."""
    membership.active = False
    membership.left_at = now
    session.flush()
    close_periods(session, community_id=membership.community_id, person_ids=[membership.person_id], at=now)


def leads_by_community(session: Session, community_ids: Iterable[int]) -> dict[int, list[Person]]:
    """Each community's leads and co-leads who can still be told anything (in Slack, not bots), by user id: one
    statement for any number of communities."""
    found: dict[int, list[Person]] = {}
    for community_id, person in session.execute(
            select(Membership.community_id, Person).join(Person, Person.id == Membership.person_id)
            .where(Membership.community_id.in_(sorted(set(community_ids))), Membership.active.is_(True),
                   Membership.role.in_(sorted(LEAD_ROLES)), Person.deleted.is_(False), Person.is_bot.is_(False))
            .order_by(Membership.community_id, Person.user_id)):
        found.setdefault(community_id, []).append(person)
    return found


def is_overall_lead(person: Person, admin_ids: frozenset[str] = frozenset()) -> bool:
    """A workspace admin, someone named in COPBOT_ADMINS, or someone an overall lead named in copbot."""
    return person.is_admin or person.overall_lead or person.user_id in admin_ids


def overall_lead_clause(admin_ids: frozenset[str] = frozenset()) -> ColumnElement[bool]:
    """`is_overall_lead` as SQL, for scans that look for every overall lead at once."""
    return or_(Person.is_admin.is_(True), Person.overall_lead.is_(True), Person.user_id.in_(sorted(admin_ids)))


def name_overall_lead(person: Person, *, by: Person, admin_ids: frozenset[str] = frozenset()) -> None:
    """Only an overall lead names another, in their own workspace."""
    if not is_overall_lead(by, admin_ids):
        raise NotPermitted("Only an overall lead can name another overall lead.")
    if person.is_bot:
        raise BadArgument("Bots don't take roles.")
    person.overall_lead = True


DRAFTING_ROLES = frozenset({Role.LEAD, Role.CO_LEAD, Role.SECRETARY})


def _holds(session: Session, community: Community, person: Person, admin_ids: frozenset[str],
           roles: frozenset[Role]) -> bool:
    if is_overall_lead(person, admin_ids):
        return True
    membership = active_membership(session, community=community, person=person)
    return membership is not None and membership.role in roles


def is_drafter(
    session: Session, *, community: Community, person: Person, admin_ids: frozenset[str] = frozenset()
) -> bool:
    """A lead, co-lead or secretary of this community, or an overall lead: who edits its draft records."""
    return _holds(session, community, person, admin_ids, DRAFTING_ROLES)


def is_community_lead(
    session: Session, *, community: Community, person: Person, admin_ids: frozenset[str] = frozenset()
) -> bool:
    """A lead or co-lead of this community, or an overall lead."""
    return _holds(session, community, person, admin_ids, LEAD_ROLES)


def require_lead(
    session: Session, *, community: Community, person: Person, admin_ids: frozenset[str] = frozenset(),
    doing: str,
) -> None:
    """Raise NotPermitted unless the person leads this community or is an overall lead."""
    if not is_community_lead(session, community=community, person=person, admin_ids=admin_ids):
        raise NotPermitted(f"Only a lead of *{community.name}* can {doing}.")


def require_member_or_overall_lead(
    session: Session, *, community: Community, person: Person, admin_ids: frozenset[str] = frozenset(),
) -> None:
    """Raise NotAMember unless the person is an active member of the community (or an overall lead)."""
    if is_overall_lead(person, admin_ids) or active_membership(session, community=community, person=person):
        return
    raise NotAMember(f"You are not a member of *{community.name}*; `/cop join` in its channel first.")


def not_away(now: dt.datetime) -> ColumnElement[bool]:
    """Not on leave (`/cop away`) at `now`: someone away is neither asked, nudged nor checked in on."""
    return or_(Person.away_until.is_(None), Person.away_until <= now)


def set_away(person: Person, *, until: dt.datetime | None, now: dt.datetime) -> None:
    """On leave until `until` (None: back now): not asked for standups and not counted as missing."""
    if until is not None and until <= now:
        raise BadArgument("That is already past; say until when you are away, e.g. `dec 10`.")
    person.away_until = until


def stale_member_ids(session: Session, *, community: Community, now: dt.datetime, limit: int = 500) -> list[str]:
    """Active members whose cached profile (and so time zone) is missing or older than a day."""
    return list(session.scalars(
        select(Person.user_id).join(Membership, Membership.person_id == Person.id).where(
            Membership.community_id == community.id, Membership.active.is_(True), Person.is_bot.is_(False),
            (Person.profile_fetched_at.is_(None)) | (Person.profile_fetched_at < now - PROFILE_MAX_AGE))
        .order_by(Person.id).limit(limit)))


def require_member(session: Session, *, community: Community, person: Person) -> Membership:
    membership = active_membership(session, community=community, person=person)
    if membership is None:
        raise NotAMember(f"Join *{community.name}* first: `/cop join` in its channel.")
    return membership


def set_role(session: Session, *, community: Community, person: Person, role: Role) -> Membership:
    """Give a member a role; the community keeps at least one lead."""
    membership = active_membership(session, community=community, person=person)
    if membership is None:
        raise NotAMember(f"{person.display_name or 'They'} must join *{community.name}* before they can have a "
                         "role in it: `/cop join` in its channel, or joining the channel, does it.")
    if membership.role == Role.LEAD and role != Role.LEAD:
        others = session.scalars(select(Membership.id).where(
            Membership.community_id == community.id, Membership.active.is_(True), Membership.role == Role.LEAD,
            Membership.id != membership.id)).first()
        if others is None:
            raise NotPermitted(f"*{community.name}* needs a lead: name another lead before changing this one's role.")
    membership.role = role
    session.flush()
    return membership


def members_with_roles(session: Session, *, community: Community, roles: frozenset[Role]) -> list[Membership]:
    return list(session.scalars(
        select(Membership).where(Membership.community_id == community.id, Membership.active.is_(True),
                                 Membership.role.in_(sorted(roles))).order_by(Membership.role, Membership.id)))


MAX_CAPACITY = 20


def set_capacity(membership: Membership, capacity: int) -> None:
    if not 0 <= capacity <= MAX_CAPACITY:
        raise BadArgument(f"Capacity is how many open actions you take on at a time: 0 to {MAX_CAPACITY}.",
                          usage="/cop capacity <number>")
    membership.capacity = capacity


def communities_of(session: Session, *, person: Person) -> list[Community]:
    return list(
        session.scalars(
            select(Community).join(Membership, Membership.community_id == Community.id)
            .where(Membership.person_id == person.id, Membership.active.is_(True))
            .order_by(Community.name)
        )
    )


def enroll_members(
    session: Session, *, community: Community, user_ids: list[str], now: dt.datetime
) -> int:
    """Make people already in the channel members, quietly (no welcome: they were already here).

    Set-based, since a channel may hold thousands: one query for who exists, one for who is enrolled.
    Profiles are fetched later, when each person is next needed.
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return 0
    known = {p.user_id: p for p in session.scalars(
        select(Person).where(Person.team_id == community.team_id, Person.user_id.in_(wanted)))}
    for user_id in wanted:
        if user_id not in known:
            known[user_id] = Person(team_id=community.team_id, user_id=user_id, created_at=now)
            session.add(known[user_id])
    session.flush()
    enrolled = set(session.scalars(
        select(Membership.person_id).where(Membership.community_id == community.id)))
    added = [person.id for person in known.values() if person.id not in enrolled and not person.is_bot]
    for person_id in added:
        session.add(Membership(community_id=community.id, person_id=person_id, role=Role.MEMBER, joined_at=now))
    session.flush()
    open_periods(session, community_id=community.id, person_ids=added, at=now)
    return len(added)


def display_names(session: Session, *, team_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """The names copbot knows for these people, in one query; someone unknown, or without a name, is left out."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Person.user_id, Person.display_name).where(
        Person.team_id == team_id, Person.user_id.in_(wanted), Person.display_name != ""))
    return {user_id: name for user_id, name in rows}
