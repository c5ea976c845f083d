"""Adding knowledge (typed, pinned from a message, or learned from an action) and reviewing it.

Anyone in a community adds tips, lessons and links; a guideline is a tip that a subject-matter
expert (or a lead) has reviewed and promoted, or one they add themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actions.model import Action
from models.communities import Community
from models.contributions import ContributionKind, record_contribution, undo_contribution
from models.errors import BadArgument, NotFound, NotPermitted
from models.knowledge.model import MAX_BODY, MAX_TITLE, KnowledgeItem, KnowledgeKind
from models.mentions import MentionSource, forget_mentions
from models.people import Person, Role, active_membership, is_community_lead
from models.sources import Source
from models.tags import normalise_tags
from models.upsert import insert_ignore

TITLE_WORDS = 120  # characters of the text a title keeps
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def title_from(text: str) -> str:
    """The first line or sentence of a text, cut at a word, as its title."""
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    first = _SENTENCE_END.split(first, maxsplit=1)[0].strip()
    if len(first) <= TITLE_WORDS:
        return first
    cut = first[:TITLE_WORDS].rsplit(" ", 1)[0]
    return (cut or first[:TITLE_WORDS]) + "…"


def _title(text: str, url: str | None) -> str:
    """The text's first sentence, without the link it carries (the link is kept on its own)."""
    words = " ".join(text.replace(url, " ").split()) if url else text
    return (title_from(words) or url or "")[:MAX_TITLE]


def get_item(session: Session, *, team_id: str, item_id: int) -> KnowledgeItem:
    item = session.get(KnowledgeItem, item_id)
    if item is None or item.community.team_id != team_id:
        raise NotFound(f"There is no knowledge item #{item_id}.")
    return item


def item_from_source(session: Session, *, key: str) -> KnowledgeItem | None:
    return session.scalars(select(KnowledgeItem).where(KnowledgeItem.source_key == key)).one_or_none()


def can_review(session: Session, *, community: Community, person: Person, admin_ids: frozenset[str]) -> bool:
    """Subject-matter experts and leads review a community's knowledge."""
    if is_community_lead(session, community=community, person=person, admin_ids=admin_ids):
        return True
    membership = active_membership(session, community=community, person=person)
    return membership is not None and membership.role == Role.SME


def add_item(
    session: Session, *, community: Community, kind: KnowledgeKind, text: str, added_by: Person, now: dt.datetime,
    author: Person | None = None, url: str | None = None, tags: Iterable[str] = (), source: Source | None = None,
    via: str | None = None, action: Action | None = None, reviewer: bool = False,
) -> tuple[KnowledgeItem, bool]:
    """Add an item; one per message it came from. Returns the item and whether it is new.

    Only a reviewer (an SME or a lead) adds a guideline directly; the item's author is credited.
    """
    text = (text or "").strip()
    if kind == KnowledgeKind.GUIDELINE and not reviewer:
        raise NotPermitted("A guideline is a tip an SME has reviewed: add it as a tip, and an SME or a lead "
                           "promotes it with `/cop kb promote <id>`.")
    if kind == KnowledgeKind.LINK and not url:
        raise BadArgument("A link needs a link in it: paste the address.")
    if not text and not url:
        raise BadArgument("Say what to keep: a tip, a lesson or a link.")
    if len(text) > MAX_BODY:
        raise BadArgument(f"That is {len(text)} characters long; keep it to {MAX_BODY}.")
    author = author or added_by
    values = dict(
        community_id=community.id, kind=kind, title=_title(text, url), body=text, url=url,
        tags=normalise_tags(tags), author_id=author.id, added_by_id=added_by.id, created_at=now, created_via=via,
        action_id=action.id if action else None,
        reviewed_by_id=added_by.id if kind == KnowledgeKind.GUIDELINE else None,
        reviewed_at=now if kind == KnowledgeKind.GUIDELINE else None,
        source_key=source.key if source else None, source_permalink=source.permalink if source else None,
    )
    if source is not None:
        created = insert_ignore(session, KnowledgeItem, values, conflict="source_key")
        item = item_from_source(session, key=source.key)
    else:
        item, created = KnowledgeItem(**values), True
        session.add(item)
        session.flush()
    if created:
        record_contribution(session, key=f"knowledge:{item.id}", community_id=community.id, person_id=author.id,
                            kind=ContributionKind.KNOWLEDGE_ITEM, occurred_at=now, detail=kind.value)
    return item, created


def record_lesson(session: Session, *, action: Action, author: Person, text: str, tags: Iterable[str],
                  now: dt.datetime) -> KnowledgeItem:
    """The lesson an action taught, kept in its community's knowledge and linked to the action."""
    if active_membership(session, community=action.community, person=author) is None:
        raise NotPermitted(f"Only members of *{action.community.name}* record its lessons.")
    item, _ = add_item(session, community=action.community, kind=KnowledgeKind.LESSON, text=text, added_by=author,
                       tags=tags, action=action, now=now)
    return item


def promote_item(session: Session, *, item: KnowledgeItem, reviewer: Person, may_review: bool,
                 now: dt.datetime) -> None:
    """An SME's review: a tip (or a lesson) becomes one of the community's guidelines."""
    if not may_review:
        raise NotPermitted(f"Only an SME or a lead of *{item.community.name}* promotes its tips to guidelines.")
    if item.kind not in (KnowledgeKind.TIP, KnowledgeKind.LESSON):
        raise BadArgument(f"#{item.id} is a {item.kind.value}; only tips and lessons become guidelines.")
    item.kind = KnowledgeKind.GUIDELINE
    item.reviewed_by_id = reviewer.id
    item.reviewed_at = now
    session.flush()


def awaiting_review(session: Session, *, community: Community, limit: int = 20) -> list[KnowledgeItem]:
    return list(session.scalars(
        select(KnowledgeItem).where(KnowledgeItem.community_id == community.id,
                                    KnowledgeItem.kind == KnowledgeKind.TIP, KnowledgeItem.reviewed_at.is_(None))
        .order_by(KnowledgeItem.created_at, KnowledgeItem.id).limit(limit)))


def recent_items(session: Session, *, community: Community, limit: int = 10) -> list[KnowledgeItem]:
    return list(session.scalars(
        select(KnowledgeItem).where(KnowledgeItem.community_id == community.id)
        .order_by(KnowledgeItem.created_at.desc(), KnowledgeItem.id.desc()).limit(limit)))


def undo_pinned(session: Session, *, via: str) -> int | None:
    """Take back what a pin reaction saved, unless an SME has reviewed it since; returns its id."""
    item = session.scalars(select(KnowledgeItem).where(KnowledgeItem.created_via == via)).one_or_none()
    if item is None or item.reviewed_at is not None:
        return None
    item_id = item.id
    undo_contribution(session, key=f"knowledge:{item_id}")
    forget_mentions(session, source=MentionSource.KNOWLEDGE, record_id=item_id)
    session.delete(item)
    session.flush()
    return item_id
