"""Actions: the community's shared work, owned by someone or waiting in the pool."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.people import Person

MAX_TITLE = 200
MAX_REASON = 500


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    DROPPED = "dropped"


# Statuses of work still to do: what counts against an owner's capacity and gets followed up.
ACTIVE_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


class DueNotice(enum.IntEnum):
    """How far the due-date follow-up of an action has gone; each step is sent once."""

    NONE = 0
    DUE_SOON = 1
    OVERDUE = 2


class Escalation(enum.IntEnum):
    """Who a blocked action has reached: its owner, the community's leads, the overall leads."""

    OWNER = 0
    LEAD = 1
    OVERALL_LEAD = 2


class Action(Base):
    __tablename__ = "actions"
    # The follow-up job reads the live actions by due date and the blocked ones, a few of a hundred thousand.
    __table_args__ = (Index("ix_actions_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), default=ActionStatus.OPEN)
    due_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    blocker_reason: Mapped[str | None] = mapped_column(Text, default=None)
    blocked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"), index=True)
    source_permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Who marked it done: its owner, or a lead closing it for them (the digest credits who closed it).
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    # Lower-case tags ("terraform", "ci"), matched against people's expertise when suggesting owners.
    tags: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    # The message it came from ("message:{channel}:{ts}"): one action per message, however many
    # people react to it and however often Slack delivers the reaction.
    source_key: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    # The reaction that created or closed it, so that taking the reaction back undoes just that.
    created_via: Mapped[str | None] = mapped_column(String(255), default=None)
    closed_via: Mapped[str | None] = mapped_column(String(255), default=None)
    # Someone asked to take it, who has not yet agreed: nobody is assigned without agreeing but by a lead.
    proposed_owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    proposed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The lead who gave it to its owner without asking: the owner may still say no, and that lead hears of it.
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    due_notice: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # The objective of the annual plan it moves forward (models.governance.plan), if any.
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("plan_objectives.id", ondelete="SET NULL"),
                                                     index=True, default=None)

    community: Mapped[Community] = relationship(lazy="joined")
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    proposed_owner: Mapped[Person | None] = relationship(foreign_keys=[proposed_owner_id], lazy="joined")
    assigned_by: Mapped[Person | None] = relationship(foreign_keys=[assigned_by_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
