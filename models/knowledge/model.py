"""Knowledge items: what a community learned, kept where it can be found again."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.people import Person

MAX_TITLE = 200
MAX_BODY = 3000


class KnowledgeKind(enum.StrEnum):
    TIP = "tip"
    GUIDELINE = "guideline"
    LESSON = "lesson"
    LINK = "link"


class KnowledgeItem(Base):
    __tablename__ = "knowledge_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[KnowledgeKind] = mapped_column(str_enum(KnowledgeKind))
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500), default=None)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    # Whose knowledge it is (a pinned message's author) and who put it here.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The message it was pinned from ("message:{channel}:{ts}"), at most one item per message.
    source_key: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    source_permalink: Mapped[str | None] = mapped_column(String(500), default=None)
    created_via: Mapped[str | None] = mapped_column(String(255), default=None)
    # The action whose lesson this is.
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)

    community: Mapped[Community] = relationship(lazy="joined")
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id], lazy="joined")
