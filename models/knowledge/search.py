"""Searching a workspace's knowledge: across titles, text and tags, best match first.

One query finds the candidates (any word in a title, the text or the tags, case-insensitively, on
SQLite and PostgreSQL alike); ranking them is done here, where the weights can be read:
a tag that is a search word counts most, then a word of the title, then the text. Items that
match every word come before those matching some, guidelines before tips, newer before older.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from models.communities import Community
from models.knowledge.model import KnowledgeItem, KnowledgeKind

MAX_WORDS = 8
CANDIDATES = 200
TAG_WEIGHT = 5
TITLE_WORD_WEIGHT = 3
TITLE_PART_WEIGHT = 2
TEXT_WEIGHT = 1
_WORD = re.compile(r"[\w+#.-]+")
_STOP = frozenset({"a", "an", "and", "the", "of", "to", "in", "on", "for", "is", "how", "what", "with", "do", "i"})


@dataclass(frozen=True)
class Hit:
    item: KnowledgeItem
    score: int
    matched: int  # how many of the search words it matched


def search_words(text: str) -> list[str]:
    words = [w.strip(".#-").lower() for w in _WORD.findall(text or "")]
    kept = [w for w in words if len(w) > 1 and w not in _STOP]
    return list(dict.fromkeys(kept))[:MAX_WORDS] or list(dict.fromkeys(w for w in words if w))[:MAX_WORDS]


def _score(item: KnowledgeItem, words: list[str]) -> Hit:
    title_words = set(_WORD.findall(item.title.lower()))
    title, body, tags = item.title.lower(), (item.body or "").lower() + " " + (item.url or "").lower(), set(item.tags)
    score = matched = 0
    for word in words:
        points = (TAG_WEIGHT if word in tags else 0) + (
            TITLE_WORD_WEIGHT if word in title_words else TITLE_PART_WEIGHT if word in title else 0) + (
            TEXT_WEIGHT if word in body else 0)
        score += points
        matched += points > 0
    return Hit(item, score, matched)


def search(session: Session, *, team_id: str, text: str, limit: int = 10) -> list[Hit]:
    words = search_words(text)
    if not words:
        return []
    fields = (func.lower(KnowledgeItem.title), func.lower(KnowledgeItem.body), func.lower(KnowledgeItem.url),
              func.lower(cast(KnowledgeItem.tags, String)))
    conditions = [field.contains(word, autoescape=True) for word in words for field in fields]
    candidates = session.scalars(
        select(KnowledgeItem).join(Community, Community.id == KnowledgeItem.community_id)
        .where(Community.team_id == team_id, or_(*conditions))
        .order_by(KnowledgeItem.created_at.desc(), KnowledgeItem.id.desc()).limit(CANDIDATES)
    ).unique().all()
    hits = [hit for hit in (_score(item, words) for item in candidates) if hit.score > 0]
    hits.sort(key=lambda h: (-h.matched, -h.score, h.item.kind != KnowledgeKind.GUIDELINE,
                             -h.item.created_at.timestamp(), -h.item.id))
    return hits[:limit]
