"""Standups: a community's questions and schedule, each run of them, and each person's answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.communities import Community
from models.people import Person

DEFAULT_QUESTIONS = ["What did you do since the last standup?", "What will you do next?",
                     "Is anything blocking you?"]
DEFAULT_WINDOW = dt.timedelta(hours=4)


class Standup(Base):
    """A community's standup settings: its questions, and when (if ever) it runs on its own."""

    __tablename__ = "standups"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), unique=True)
    questions: Mapped[list[Any]] = mapped_column(default=lambda: list(DEFAULT_QUESTIONS))
    # ISO weekdays of the asynchronous standup ("135" is Monday, Wednesday, Friday); empty: none.
    days: Mapped[str] = mapped_column(String(7), default="")
    # The local time, in each member's own zone, at which they are asked.
    ask_time: Mapped[dt.time | None] = mapped_column(Time, default=None)
    window_minutes: Mapped[int] = mapped_column(Integer, default=int(DEFAULT_WINDOW.total_seconds() // 60))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship(lazy="joined")

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.window_minutes)

    @property
    def scheduled(self) -> bool:
        return bool(self.days) and self.ask_time is not None


class StandupRun(Base):
    """One standup: run now in the channel, or asked by DM on a scheduled day (`run_date`)."""

    __tablename__ = "standup_runs"
    __table_args__ = (UniqueConstraint("standup_id", "run_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    # The scheduled day of an asynchronous run; None for a standup started in the channel.
    run_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    questions: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    closes_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    thread_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    summary: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    standup: Mapped[Standup] = relationship(lazy="joined")

    @property
    def is_async(self) -> bool:
        return self.run_date is not None

    @property
    def open(self) -> bool:
        return self.closed_at is None

    @property
    def thread_key(self) -> str:
        return f"standup:{self.id}:thread"


class StandupAnswer(Base):
    """A person's part in a run: when they were asked (async), and what they answered."""

    __tablename__ = "standup_answers"
    __table_args__ = (UniqueConstraint("run_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("standup_runs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    answered_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    answers: Mapped[list[Any] | None] = mapped_column(default=None)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    blocker_action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"),
                                                          default=None)

    person: Mapped[Person] = relationship(lazy="joined")
