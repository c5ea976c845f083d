"""Questions asked in a community's channel, kept until someone answers them in the thread.

The ledger records that someone spoke, not what they said; a nudge that invites a quiet member
to answer a question needs the question itself, so it is kept here, briefly and truncated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import ForeignKey, String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, chunked, utcnow
from models.upsert import insert_ignore

MAX_TEXT = 300
# Old questions have usually been answered somewhere else; stop offering them.
STILL_OPEN_FOR = dt.timedelta(days=14)


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # "{channel}:{ts}", the message's identity
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(20))
    ts: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(MAX_TEXT))
    asked_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(default=None)


def looks_like_a_question(text: str) -> bool:
    """A message that asks something: it has a question mark outside links and mentions."""
    plain = []
    depth = 0
    for char in text or "":
        depth += char == "<"
        if depth == 0:
            plain.append(char)
        depth -= char == ">" and depth > 0
    return "?" in "".join(plain)


def note_question(session: Session, *, community_id: int, person_id: int, channel_id: str, ts: str, text: str,
                  asked_at: dt.datetime) -> bool:
    if not looks_like_a_question(text):
        return False
    snippet = " ".join(text.split())
    if len(snippet) > MAX_TEXT:
        snippet = snippet[: MAX_TEXT - 1] + "…"
    return insert_ignore(
        session, Question,
        dict(key=_key(channel_id, ts), community_id=community_id, person_id=person_id, channel_id=channel_id,
             ts=ts, text=snippet, asked_at=asked_at),
        conflict="key",
    )


def _key(channel_id: str, ts: str) -> str:
    return f"{channel_id}:{ts}"


def note_reply(session: Session, *, channel_id: str, thread_ts: str, person_id: int, now: dt.datetime) -> None:
    """A reply in the question's thread by someone other than the asker answers it."""
    session.execute(
        update(Question).where(Question.key == _key(channel_id, thread_ts), Question.person_id != person_id,
                               Question.answered_at.is_(None))
        .values(answered_at=now)
    )


def forget_question(session: Session, *, channel_id: str, ts: str) -> None:
    session.execute(delete(Question).where(Question.key == _key(channel_id, ts)))


def open_questions(session: Session, *, community_ids: Iterable[int], now: dt.datetime) -> dict[int, list[Question]]:
    """By community, the latest unanswered question of each of its two most recent askers, newest first.

    Whoever a member is, the most recent question someone else asked is among those two (see
    `asked_by_someone_else`), so one statement per IN_CHUNK communities serves all their members.
    """
    found: dict[int, list[Question]] = defaultdict(list)
    for chunk in chunked(sorted(set(community_ids))):
        per_asker = (
            select(Question.id, Question.community_id, Question.asked_at,
                   func.row_number().over(partition_by=(Question.community_id, Question.person_id),
                                          order_by=(Question.asked_at.desc(), Question.id.desc())).label("n"))
            .where(Question.community_id.in_(chunk), Question.answered_at.is_(None),
                   Question.asked_at > now - STILL_OPEN_FOR, Question.asked_at <= now)
            .subquery()
        )
        askers = (
            select(per_asker.c.id,
                   func.row_number().over(partition_by=per_asker.c.community_id,
                                          order_by=(per_asker.c.asked_at.desc(), per_asker.c.id.desc())).label("rank"))
            .where(per_asker.c.n == 1)
            .subquery()
        )
        for question in session.scalars(select(Question).join(askers, askers.c.id == Question.id)
                                        .where(askers.c.rank <= 2).order_by(Question.community_id, askers.c.rank)):
            found[question.community_id].append(question)
    return found


def asked_by_someone_else(questions: Sequence[Question], person_id: int) -> Question | None:
    """The first of `questions` (newest first) that this person did not ask: of a community's `open_questions`,
    the most recent unanswered question someone else asked there."""
    return next((question for question in questions if question.person_id != person_id), None)
