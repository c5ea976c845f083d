"""Agenda items: added before or during a meeting, ticked off, and carried over when left unfinished.

An item belongs to one occurrence, or to the community's pool (no occurrence): the agenda of
whichever meeting of the community comes next, which claims the pool when it starts.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.contributions import ContributionKind, record_contribution
from models.errors import BadArgument, NotFound
from models.meetings.occurrences import (
    MeetingOccurrence,
    find_row,
    next_occurrences,
    occurrence_row,
    upcoming_meetings,
)
from models.meetings.series import Occurrence
from models.people import Person

MAX_ITEM = 500
# "The next meeting" may be months away; a meeting ten years off is as good as none.
FAR = dt.timedelta(days=3660)


class AgendaStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CARRIED = "carried"  # left unfinished; a copy went on to the next meeting


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_occurrences.id", ondelete="SET NULL"), index=True, default=None)
    text: Mapped[str] = mapped_column(String(MAX_ITEM))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    status: Mapped[AgendaStatus] = mapped_column(str_enum(AgendaStatus), default=AgendaStatus.OPEN)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"),
                                                        default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    permalink: Mapped[str | None] = mapped_column(String(500), default=None)

    added_by: Mapped[Person | None] = relationship(lazy="joined")


def validate_text(text: str, *, what: str, limit: int = MAX_ITEM) -> str:
    text = " ".join(text.split())
    if not text:
        raise BadArgument(f"Say what the {what} is.")
    if len(text) > limit:
        raise BadArgument(f"That {what} is {len(text)} characters long; keep it to {limit}.")
    return text


def next_meeting_row(session: Session, *, community: Community, now: dt.datetime) -> MeetingOccurrence | None:
    """The row of the community's next meeting occurrence (created if needed), or None without one."""
    upcoming = upcoming_meetings(session, community=community, now=now, limit=1, horizon=FAR)
    return occurrence_row(session, upcoming[0]) if upcoming else None


def add_agenda_item(
    session: Session, *, community: Community, occurrence: MeetingOccurrence | None, text: str,
    person: Person | None, now: dt.datetime, permalink: str | None = None,
) -> AgendaItem:
    """Put an item on an occurrence's agenda, or in the pool when there is none."""
    item = AgendaItem(community_id=community.id, occurrence_id=occurrence.id if occurrence else None,
                      text=validate_text(text, what="agenda item"), added_by_id=person.id if person else None,
                      status=AgendaStatus.OPEN, created_at=now, permalink=permalink)
    session.add(item)
    session.flush()
    if person is not None:
        record_contribution(session, key=f"agenda:{item.id}", community_id=community.id, person_id=person.id,
                            kind=ContributionKind.AGENDA_ITEM, occurred_at=now)
    return item


def agendas(
    session: Session, *, occurrences: Sequence[MeetingOccurrence], with_pool: bool = True,
) -> dict[int, list[AgendaItem]]:
    """Each occurrence's open and done items, oldest first, followed by its community's pool when
    `with_pool` (the pool is the agenda of whichever meeting comes next); one query for them all."""
    ids = [o.id for o in occurrences]
    owner = AgendaItem.occurrence_id.in_(ids)
    if with_pool:
        communities = sorted({o.meeting.community_id for o in occurrences})
        owner = owner | (AgendaItem.occurrence_id.is_(None) & AgendaItem.community_id.in_(communities))
    query = select(AgendaItem).where(owner, AgendaItem.status.in_([AgendaStatus.OPEN, AgendaStatus.DONE]))
    found: dict[int, list[AgendaItem]] = defaultdict(list)
    pools: dict[int, list[AgendaItem]] = defaultdict(list)
    for item in session.scalars(query.order_by(AgendaItem.id)):
        if item.occurrence_id is None:
            pools[item.community_id].append(item)
        else:
            found[item.occurrence_id].append(item)
    return {o.id: found[o.id] + pools[o.meeting.community_id] for o in occurrences}


def pool(session: Session, *, community: Community) -> list[AgendaItem]:
    return list(session.scalars(select(AgendaItem).where(
        AgendaItem.community_id == community.id, AgendaItem.occurrence_id.is_(None),
        AgendaItem.status == AgendaStatus.OPEN).order_by(AgendaItem.id)))


@dataclass(frozen=True)
class Agenda:
    """The agenda people see now: the running meeting's, else the next meeting's (pool included)."""

    occurrence: Occurrence | None
    running: bool
    items: list[AgendaItem]


def current_agenda(
    session: Session, *, community: Community, now: dt.datetime, running: MeetingOccurrence | None
) -> Agenda:
    if running is not None:
        items = agendas(session, occurrences=[running], with_pool=False)[running.id]
        return Agenda(Occurrence(running.meeting, running.starts_at, running.original_at), True, items)
    upcoming = upcoming_meetings(session, community=community, now=now, limit=1, horizon=FAR)
    if not upcoming:
        return Agenda(None, False, pool(session, community=community))
    row = find_row(session, upcoming[0])
    items = agendas(session, occurrences=[row])[row.id] if row else pool(session, community=community)
    return Agenda(upcoming[0], False, items)


def claim_pool(session: Session, *, community: Community, occurrence: MeetingOccurrence) -> None:
    """The meeting that starts takes the open items waiting for "the next meeting"."""
    session.execute(update(AgendaItem).where(
        AgendaItem.community_id == community.id, AgendaItem.occurrence_id.is_(None),
        AgendaItem.status == AgendaStatus.OPEN).values(occurrence_id=occurrence.id))
    session.expire_all()


def get_item(session: Session, *, community: Community, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None or item.community_id != community.id or item.status == AgendaStatus.CARRIED:
        raise NotFound(f"There is no agenda item `{item_id}` here; `/cop agenda` lists them with their numbers.")
    return item


def mark_done(session: Session, *, item: AgendaItem, now: dt.datetime) -> AgendaItem:
    item.status = AgendaStatus.DONE
    item.closed_at = now
    session.flush()
    return item


def carry_over(session: Session, *, occurrence: MeetingOccurrence, now: dt.datetime) -> list[AgendaItem]:
    """Move what the meeting left open to the same meeting's next occurrence, or to the pool."""
    left = list(session.scalars(select(AgendaItem).where(
        AgendaItem.occurrence_id == occurrence.id, AgendaItem.status == AgendaStatus.OPEN).order_by(AgendaItem.id)))
    if not left:
        return []
    following = next_occurrences(session, meeting=occurrence.meeting, after=max(now, occurrence.starts_at))
    target = occurrence_row(session, following[0]) if following else None
    for item in left:
        item.status = AgendaStatus.CARRIED
        item.closed_at = now
    session.flush()
    # One INSERT for every copy: added one by one to the session, they would cost a statement each on SQLite,
    # where the ORM cannot tell which new id is whose in a batch.
    session.execute(insert(AgendaItem), [
        dict(community_id=item.community_id, occurrence_id=target.id if target else None, text=item.text,
             added_by_id=item.added_by_id, status=AgendaStatus.OPEN, carried_from_id=item.id, created_at=now,
             permalink=item.permalink) for item in left])
    return left
