"""Kudos: public thanks from one person to another, with a reason, a few a day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.communities import Community
from models.people import Person

MAX_REASON = 500


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
