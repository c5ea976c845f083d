"""The monthly newsletter's records: each month's issue (drafted, approved or skipped) and the workspace's
settings for it (where it is posted, which community an overall lead chose to feature next)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.people import Person

MAX_INTRO = 2000


class IssueStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SKIPPED = "skipped"


class Section(enum.StrEnum):
    """The newsletter's sections, in their order on the page; an overall lead may cut any of them."""

    FEATURED = "featured"
    NEW_MEMBERS = "new_members"
    KNOWLEDGE = "knowledge"
    KUDOS = "kudos"
    DECISIONS = "decisions"
    WINS = "wins"
    COMING = "coming"


SECTION_TITLES = {
    Section.FEATURED: "Community of the month",
    Section.NEW_MEMBERS: "New members",
    Section.KNOWLEDGE: "Most reused knowledge",
    Section.KUDOS: "Recognition",
    Section.DECISIONS: "Decisions",
    Section.WINS: "Wins",
    Section.COMING: "Coming up next month",
}


class NewsletterSettings(Base):
    """One row per workspace, made when an overall lead first sets something."""

    __tablename__ = "newsletter_settings"

    team_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel_id: Mapped[str | None] = mapped_column(String(20), default=None)
    # Featured in the next issue instead of the rotation's choice; cleared once an issue featuring it is posted.
    feature_community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), default=None)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NewsletterIssue(Base):
    """One month's newsletter: what was drafted from the records, and what an overall lead decided."""

    __tablename__ = "newsletter_issues"
    __table_args__ = (UniqueConstraint("team_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7))  # the month it tells of: "2026-11"
    status: Mapped[IssueStatus] = mapped_column(str_enum(IssueStatus), default=IssueStatus.DRAFT)
    featured_community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), default=None, index=True)
    # The sections as drafted, in plain data (records' own text: the renderer escapes it).
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    intro: Mapped[str] = mapped_column(Text, default="")
    cuts: Mapped[list[Any]] = mapped_column(default=list)  # Section values left out
    drafted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    channel_id: Mapped[str | None] = mapped_column(String(20), default=None)  # where it was posted

    featured: Mapped[Community | None] = relationship(lazy="joined")
    decided_by: Mapped[Person | None] = relationship(lazy="joined")

    @property
    def kept(self) -> list[Section]:
        return [s for s in Section if s.value not in self.cuts]
