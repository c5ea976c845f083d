"""Polls: a question with 2-10 options, one vote per person, changeable until the poll closes.

An open poll keeps who chose what. An anonymous poll keeps, for each vote, only
HMAC-SHA256(poll secret, user id) and the option: enough to find a returning voter's row (so a second
click changes their vote rather than adding one), and nothing that names them. The secret is random
per poll and is erased when the poll closes; from then on no key in the table can be linked to anyone.

What this does not hide, said plainly: while an anonymous poll is open, someone who can read the
database can compute the HMAC of every member's id with the stored secret and so learn each vote; and
the request log (`inbox`) keeps each click's payload, which names the clicker and the option, until it
is forgotten a day after it was handled. A vote row carries no time, so its order of insertion (its id)
is the only thing left to correlate with other records after that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.communities import Community
from models.errors import BadArgument, NotPermitted
from models.people import Person

MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_OPTION = 75  # Slack's limit on a button's text
MAX_QUESTION = 300
DEFAULT_OPEN_FOR = dt.timedelta(days=7)
MAX_OPEN_FOR = dt.timedelta(days=366)


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(MAX_QUESTION))
    options: Mapped[list[Any]] = mapped_column()
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # The HMAC key of an anonymous poll's votes while it is open; erased when it closes.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary(32), default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column()
    closes_at: Mapped[dt.datetime] = mapped_column(index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    def is_open(self, now: dt.datetime) -> bool:
        return self.closed_at is None and now < self.closes_at


class PollVote(Base):
    """One person's current choice. `person_id` on an open poll; `voter_key` (the HMAC) on an anonymous one."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "person_id"), UniqueConstraint("poll_id", "voter_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), default=None)
    voter_key: Mapped[str | None] = mapped_column(String(64), default=None)
    option: Mapped[int] = mapped_column(Integer)


def voter_key(secret: bytes, user_id: str) -> str:
    return hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()


def check_poll(question: str, options: Sequence[str]) -> None:
    if not question:
        raise BadArgument("Ask a question: the first quoted text is the question.")
    if len(question) > MAX_QUESTION:
        raise BadArgument(f"The question is {len(question)} characters long; keep it to {MAX_QUESTION}.")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise BadArgument(f"Give {MIN_OPTIONS} to {MAX_OPTIONS} options, each in double quotes "
                          f"(you gave {len(options)}).")
    for option in options:
        if not option:
            raise BadArgument("An option is empty.")
        if len(option) > MAX_OPTION:
            raise BadArgument(f"“{option[:30]}…” is {len(option)} characters long; keep each option to "
                              f"{MAX_OPTION} (a button's limit).")
    if len({option.casefold() for option in options}) != len(options):
        raise BadArgument("Two options say the same thing.")


def create_poll(session: Session, *, community: Community, by: Person, question: str, options: Sequence[str],
                anonymous: bool, closes_at: dt.datetime | None, now: dt.datetime) -> Poll:
    question = " ".join(question.split())
    options = [" ".join(option.split()) for option in options]
    check_poll(question, options)
    closes_at = closes_at or now + DEFAULT_OPEN_FOR
    if closes_at <= now:
        raise BadArgument("That closing time has passed; say a time to come, e.g. `closes friday 5pm`.")
    if closes_at - now > MAX_OPEN_FOR:
        raise BadArgument("A poll stays open for a year at most.")
    poll = Poll(team_id=community.team_id, community_id=community.id, question=question, options=options,
                anonymous=anonymous, secret=secrets.token_bytes(32) if anonymous else None, created_by_id=by.id,
                created_at=now, closes_at=closes_at)
    session.add(poll)
    session.flush()
    return poll


def get_poll(session: Session, *, team_id: str, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    if poll is None or poll.team_id != team_id:
        raise BadArgument(f"There is no poll #{poll_id}.")
    return poll


def _mine(poll: Poll, person: Person) -> Any:
    if poll.anonymous:
        if poll.secret is None:
            raise NotPermitted("This poll has closed.")
        return PollVote.voter_key == voter_key(poll.secret, person.user_id)
    return PollVote.person_id == person.id


def vote(session: Session, *, poll: Poll, person: Person, option: int, now: dt.datetime) -> bool:
    """Record or change the person's one vote; True if it changed anything."""
    if not poll.is_open(now):
        raise NotPermitted("This poll has closed; its results stay on it.")
    if not 0 <= option < len(poll.options):
        raise BadArgument("That button no longer points at an option of this poll.")
    if person.is_bot:
        raise NotPermitted("Bots don't vote.")
    mine = _mine(poll, person)
    current = session.scalars(select(PollVote).where(PollVote.poll_id == poll.id, mine)).one_or_none()
    if current is not None:
        changed = current.option != option
        current.option = option
        session.flush()
        return changed
    row = PollVote(poll_id=poll.id, option=option)
    if poll.anonymous:
        row.voter_key = voter_key(poll.secret or b"", person.user_id)
    else:
        row.person_id = person.id
    session.add(row)
    session.flush()
    return True


@dataclass(frozen=True)
class Tally:
    """How many chose each option and, on an open poll only, who (display names in the order they voted)."""

    counts: list[int]
    names: list[list[str]]

    @property
    def total(self) -> int:
        return sum(self.counts)


def tallies(session: Session, *, polls: Sequence[Poll]) -> dict[int, Tally]:
    """Every poll's tally, in two queries whatever their number."""
    ids = [poll.id for poll in polls]
    counted: Counter[tuple[int, int]] = Counter()
    if ids:
        counted.update({(poll_id, option): n for poll_id, option, n in session.execute(
            select(PollVote.poll_id, PollVote.option, func.count()).where(PollVote.poll_id.in_(ids))
            .group_by(PollVote.poll_id, PollVote.option))})
    open_ids = [poll.id for poll in polls if not poll.anonymous]
    names: dict[tuple[int, int], list[str]] = {}
    if open_ids:
        for poll_id, option, name in session.execute(
                select(PollVote.poll_id, PollVote.option, Person.display_name)
                .join(Person, Person.id == PollVote.person_id).where(PollVote.poll_id.in_(open_ids))
                .order_by(PollVote.id)):
            names.setdefault((poll_id, option), []).append(name or "someone")
    return {poll.id: Tally([counted[(poll.id, n)] for n in range(len(poll.options))],
                           [names.get((poll.id, n), []) for n in range(len(poll.options))]) for poll in polls}


def due_polls(session: Session, *, now: dt.datetime) -> list[Poll]:
    return list(session.scalars(select(Poll).where(Poll.closed_at.is_(None), Poll.closes_at <= now)
                                .order_by(Poll.id)))


def close_polls(session: Session, *, polls: Sequence[Poll], now: dt.datetime) -> None:
    """Close them and erase their secrets, in one statement: from then on no vote can be tied to a voter."""
    if polls:
        session.execute(update(Poll).where(Poll.id.in_([poll.id for poll in polls]))
                        .values(closed_at=now, secret=None), execution_options={"synchronize_session": "fetch"})
