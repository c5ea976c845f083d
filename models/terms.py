"""A community's Terms of Reference: what it is for, what it covers, who it is for, how often it meets."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.communities import Community
from models.errors import BadArgument
from models.people import Person

# In the order they are shown, with what each answers.
TOR_FIELDS: dict[str, str] = {
    "purpose": "Why we exist",
    "scope": "What we cover",
    "members": "Who it is for",
    "cadence": "How often we meet",
}
MAX_FIELD = 1000


class TermsOfReference(Base):
    __tablename__ = "terms_of_reference"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    scope: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    members: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    cadence: Mapped[str | None] = mapped_column(String(MAX_FIELD), default=None)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def filled(self) -> list[tuple[str, str]]:
        """(field, text) of the fields that are set, in the order they are shown."""
        return [(name, getattr(self, name)) for name in TOR_FIELDS if getattr(self, name)]


def terms_of(session: Session, *, community: Community) -> TermsOfReference | None:
    terms = session.get(TermsOfReference, community.id)
    return terms if terms is not None and terms.filled() else None


def set_term(session: Session, *, community: Community, field: str, text: str, by: Person,
             now: dt.datetime) -> TermsOfReference:
    """Set one field (leads only: the caller checks); empty text clears it."""
    field = field.lower()
    if field not in TOR_FIELDS:
        raise BadArgument(f"The Terms of Reference have no field “{field[:30]}”; use one of "
                          f"{', '.join(TOR_FIELDS)}.")
    text = " ".join(text.split())
    if len(text) > MAX_FIELD:
        raise BadArgument(f"That is {len(text)} characters long; keep each field to {MAX_FIELD}.")
    terms = session.get(TermsOfReference, community.id)
    if terms is None:
        terms = TermsOfReference(community_id=community.id)
        session.add(terms)
    setattr(terms, field, text or None)
    terms.updated_by_id = by.id
    terms.updated_at = now
    session.flush()
    return terms
