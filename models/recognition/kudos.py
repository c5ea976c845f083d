"""Kudos: public thanks from one person to another, with a reason, a few a day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Date, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, utcnow
from models.communities import Community
from models.contributions import ContributionKind, record_contribution
from models.errors import BadArgument, NotPermitted
from models.people import Person
from models.upsert import insert_ignore

MAX_REASON = 500
# Kudos a person can give a day, so that each one still means something.
KUDOS_PER_DAY = 5


class Kudos(Base):
    __tablename__ = "kudos"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    receiver_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # The giver's own calendar day, and which of their kudos that day this is ("{giver}:{day}:{n}"):
    # the unique key makes the daily limit hold even when two kudos race each other.
    given_on: Mapped[dt.date] = mapped_column(Date)
    slot_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    community: Mapped[Community] = relationship(lazy="joined")
    giver: Mapped[Person] = relationship(foreign_keys=[giver_id], lazy="joined")
    receiver: Mapped[Person] = relationship(foreign_keys=[receiver_id], lazy="joined")


def kudos_given_on(session: Session, *, giver: Person, day: dt.date) -> int:
    return session.scalar(select(func.count()).select_from(Kudos).where(
        Kudos.giver_id == giver.id, Kudos.given_on == day)) or 0


def give_kudos(
    session: Session, *, community: Community, giver: Person, receiver: Person, reason: str, now: dt.datetime,
    per_day: int = KUDOS_PER_DAY,
) -> tuple[Kudos, int]:
    """Thank someone, for a reason; returns the kudos and how many more the giver has today.

    The limit is per giver and per day in the giver's own zone, and is counted in the database:
    each kudos takes one of the day's numbered slots, which are unique, so two given at the same
    moment cannot both take the last one.
    """
    reason = " ".join((reason or "").split())
    if receiver.id == giver.id:
        raise BadArgument("Kudos are for someone else: who helped you?")
    if receiver.is_bot:
        raise BadArgument("Bots don't need kudos; thank the person behind the bot.")
    if receiver.deleted:
        raise BadArgument("That person has left the workspace.")
    if not reason:
        raise BadArgument("Say what the kudos are for: the reason is what makes them count.")
    if len(reason) > MAX_REASON:
        raise BadArgument(f"That reason is {len(reason)} characters long; keep it to {MAX_REASON}.")
    day = now.astimezone(ZoneInfo(giver.tz)).date()
    for slot in range(kudos_given_on(session, giver=giver, day=day) + 1, per_day + 1):
        key = f"{giver.id}:{day.isoformat()}:{slot}"
        if insert_ignore(session, Kudos, dict(community_id=community.id, giver_id=giver.id, receiver_id=receiver.id,
                                              reason=reason, given_on=day, slot_key=key, created_at=now),
                         conflict="slot_key"):
            break
    else:
        raise NotPermitted(f"You have given your {per_day} kudos for today; there are more tomorrow. "
                           "A reaction like :clap: on their message thanks them too.")
    kudos = session.scalars(select(Kudos).where(Kudos.slot_key == key)).one()
    record_contribution(session, key=f"kudos:{kudos.id}:given", community_id=community.id, person_id=giver.id,
                        kind=ContributionKind.KUDOS_GIVEN, occurred_at=now)
    record_contribution(session, key=f"kudos:{kudos.id}:received", community_id=community.id,
                        person_id=receiver.id, kind=ContributionKind.KUDOS_RECEIVED, occurred_at=now)
    return kudos, per_day - slot


def kudos_received(session: Session, *, person: Person, limit: int = 5) -> list[Kudos]:
    return list(session.scalars(select(Kudos).where(Kudos.receiver_id == person.id)
                                .order_by(Kudos.created_at.desc(), Kudos.id.desc()).limit(limit)).unique())
