"""The week's records that name the reader ("Mentioned you"), for every reader of a digest run at once.

The DM job builds thousands of copies in one go, so this part is read with one statement per
week being reported on (one per zone whose 09:00 has come), not one per reader.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, exists, func, not_, select
from sqlalchemy.orm import Session

from models.actions.model import ACTIVE_STATUSES, Action
from models.base import chunked
from models.communities import Community
from models.digests.parts import MAX_ITEMS, Item, Reading, Section
from models.digests.period import Period
from models.mentions import Mention, MentionSource
from models.people import Person

TITLE = "Mentioned you"
RECENT = dt.timedelta(days=7)
WHAT = {
    MentionSource.DECISION: "a decision",
    MentionSource.MEETING_NOTE: "a meeting note",
    MentionSource.AGENDA_ITEM: "an agenda item",
    MentionSource.ACTION: "an action",
    MentionSource.KUDOS: "kudos",
    MentionSource.KNOWLEDGE: "knowledge",
    MentionSource.STANDUP_ANSWER: "a standup update",
}
REFS = {MentionSource.ACTION: "#{}", MentionSource.KNOWLEDGE: "kb {}"}


def _shown_as_yours() -> ColumnElement[bool]:
    """An open action the reader owns is already in "Your open actions": it is not repeated here."""
    owned = exists().where(Action.id == Mention.record_id, Action.owner_id == Mention.person_id,
                           Action.status.in_(ACTIVE_STATUSES))
    return and_(Mention.source == MentionSource.ACTION, owned)


def _item(mention: Mention, where: str | None = None) -> Item:
    by = (mention.by.display_name or mention.by.user_id) if mention.by is not None else None
    note = f"{WHAT[mention.source]} by {by}" if by else WHAT[mention.source]
    ref = REFS.get(mention.source)
    return Item(mention.text, ref=ref.format(mention.record_id) if ref else None, when=mention.created_at,
                note=f"{note} in {where}" if where else note, link=mention.permalink)


def _newest(session: Session, period: Period, readings: Sequence[Reading]) -> list[tuple[Mention, int]]:
    """Up to MAX_ITEMS of each reader's mentions in the period, newest first, with how many there were."""
    reader = (Mention.community_id, Mention.person_id)
    ranked = (
        select(Mention.id,
               func.row_number().over(partition_by=reader, order_by=(Mention.created_at.desc(), Mention.id.desc()))
               .label("n"),
               func.count().over(partition_by=reader).label("total"))
        .where(Mention.person_id.in_(sorted({r.reader.id for r in readings})),
               Mention.community_id.in_(sorted({r.community.id for r in readings})),
               Mention.created_at > period.start, Mention.created_at <= period.end, not_(_shown_as_yours()))
        .subquery()
    )
    rows = session.execute(
        select(Mention, ranked.c.total).join(ranked, ranked.c.id == Mention.id).where(ranked.c.n <= MAX_ITEMS)
        .order_by(Mention.created_at.desc(), Mention.id.desc())
    ).all()
    return [(mention, total) for mention, total in rows]


def mentioned_you(session: Session, readings: Sequence[Reading]) -> dict[tuple[int, int], Section]:
    """Each reader's section: one statement per period and IN_CHUNK readers, whatever their number."""
    by_period: dict[Period, list[Reading]] = defaultdict(list)
    for reading in readings:
        by_period[reading.period].append(reading)
    found: dict[tuple[int, int], list[Item]] = defaultdict(list)
    totals: dict[tuple[int, int], int] = {}
    for period, group in by_period.items():
        for chunk in chunked(group):
            wanted = {r.key for r in chunk}
            for mention, total in _newest(session, period, chunk):
                key = (mention.community_id, mention.person_id)
                if key in wanted:  # not someone asked about for another community in the same statement
                    found[key].append(_item(mention))
                    totals[key] = total
    return {key: Section("mentioned_you", TITLE, tuple(items), totals[key]) for key, items in found.items()}


def recent_mentions(session: Session, *, person: Person, now: dt.datetime, limit: int = MAX_ITEMS) -> list[Item]:
    """The last seven days' mentions of a person in every community, newest first (for their Home tab)."""
    found = session.execute(
        select(Mention, Community.name).join(Community, Community.id == Mention.community_id)
        .where(Mention.person_id == person.id, Mention.created_at > now - RECENT, Mention.created_at <= now,
               not_(_shown_as_yours()))
        .order_by(Mention.created_at.desc(), Mention.id.desc()).limit(limit)
    ).all()
    return [_item(mention, where=name) for mention, name in found]
