"""Records made directly, for tests of scheduled jobs that need a community as it would be after weeks of use."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Action, ActionStatus, Community, ContributionKind, Delivery, Membership, Person, Role
from models.contributions import record_contribution
from models.people import join_community

# The emulated workspace's people (tests/conftest.py): user id -> (name, zone).
PEOPLE = {
    "UALICE": ("Alice Archer", "Europe/London"),
    "UBOB": ("Bob Baker", "America/New_York"),
    "UCHANDRA": ("Chandra Rao", "Asia/Kolkata"),
    "UDANA": ("Dana Vogel", "Europe/Berlin"),
    "UEVE": ("Eve Evans", "America/Los_Angeles"),
}
_keys = itertools.count(1)
# Working hours around the clock, for tests whose instants are about something else than working hours.
AROUND_THE_CLOCK: dict[str, object] = dict(work_start=dt.time(0, 0), work_end=dt.time(23, 59), work_days="1234567")


def person(session: Session, user_id: str, *, team_id: str, now: dt.datetime, **prefs: object) -> Person:
    name, tz = PEOPLE.get(user_id, (user_id.title(), "UTC"))
    found = session.scalars(select(Person).where(Person.team_id == team_id, Person.user_id == user_id)).first()
    if found is None:
        # A fresh profile, so that handlers do not ask users.info for it again.
        found = Person(team_id=team_id, user_id=user_id, display_name=name, tz=tz, profile_fetched_at=now,
                       created_at=now)
        session.add(found)
    for field, value in prefs.items():
        setattr(found, field, value)
    session.flush()
    return found


def around_the_clock(session: Session, *user_ids: str, team_id: str, now: dt.datetime) -> None:
    """These people work at every hour: an unasked-for DM reaches them at once."""
    for user_id in user_ids:
        person(session, user_id, team_id=team_id, now=now, **AROUND_THE_CLOCK)


def community(session: Session, *, team_id: str, channel_id: str = "CDEVOPS", name: str = "DevOps CoP",
              tz: str = "Europe/London", now: dt.datetime, **settings: object) -> Community:
    made = Community(team_id=team_id, channel_id=channel_id, name=name, timezone=tz, created_by="UALICE",
                     created_at=now, **settings)
    session.add(made)
    session.flush()
    return made


def member(session: Session, place: Community, user_id: str, *, joined: dt.datetime, role: Role = Role.MEMBER,
           **prefs: object) -> Membership:
    who = person(session, user_id, team_id=place.team_id, now=joined, **prefs)
    return join_community(session, community=place, person=who, now=joined, role=role).membership


def contribute(session: Session, place: Community, who: Person, at: dt.datetime,
               kind: ContributionKind = ContributionKind.MESSAGE) -> None:
    record_contribution(session, key=f"test:{next(_keys)}", community_id=place.id, person_id=who.id, kind=kind,
                        occurred_at=at)


def action(session: Session, place: Community, title: str, *, created: dt.datetime, owner: Person | None = None,
           status: ActionStatus = ActionStatus.OPEN, due: dt.datetime | None = None, **fields: object) -> Action:
    made = Action(community_id=place.id, title=title, owner_id=owner.id if owner else None, status=status,
                  due_at=due, created_at=created, **fields)
    session.add(made)
    session.flush()
    return made


def deliveries(session: Session, *, kind: str | None = None) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.id)
    if kind is not None:
        query = query.where(Delivery.kind == kind)
    return list(session.scalars(query))
