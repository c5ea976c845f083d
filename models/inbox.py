"""The inbox: every request from Slack, recorded before it is acknowledged, then worked on once.

Slack never sends a slash command or a click again, and does not retry an event it got a 200 for,
so what was acknowledged must survive the process that acknowledged it. A request is one row, keyed
by what makes it unique (an event's `event_id`, an interaction's `trigger_id`): a retried event or
a replayed request finds its key taken and is not worked on twice. Any process may work on a row:
it claims it (a token and a deadline), does the work, and marks it finished in the same transaction
as the work's effects, so a claim that expired and was taken over can never finish twice.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, Integer, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, str_enum, utcnow
from models.upsert import insert_ignore_returning

# A worker that died mid-work frees its row after this; work on one request takes well under a second.
CLAIM_FOR = dt.timedelta(seconds=60)
# A row nobody has claimed this long after it arrived was lost by the process that accepted it.
STRANDED_AFTER = dt.timedelta(seconds=10)
# After this many claims a request that keeps killing its worker is given up, visibly.
MAX_ATTEMPTS = 5
# Finished rows are kept past Slack's five-minute signature window, so that a replay is still recognised.
KEEP_FOR = dt.timedelta(days=1)


class InboxStatus(enum.StrEnum):
    PENDING = "pending"
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"


class InboxItem(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_status_received_at", "status", "received_at"),
        Index("ix_inbox_finished_at", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    team_id: Mapped[str] = mapped_column(String(20))
    # command, event, action (a button), view (a form) or options.
    kind: Mapped[str] = mapped_column(String(16))
    # The name of the listener that does the work, so that any process can do it.
    listener: Mapped[str] = mapped_column(String(64))
    # Requests in one lane are worked on in the order they came (one person's commands and clicks).
    lane: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column()
    user_id: Mapped[str | None] = mapped_column(String(32), default=None)
    channel_id: Mapped[str | None] = mapped_column(String(32), default=None)
    bot_user_id: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[InboxStatus] = mapped_column(str_enum(InboxStatus), default=InboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    claim_token: Mapped[str | None] = mapped_column(String(32), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # How it ended: done, refused (the person's mistake, told to them), or the error's reference.
    outcome: Mapped[str | None] = mapped_column(String(255), default=None)


@dataclass(frozen=True)
class Arrival:
    """A request as the door records it."""

    key: str
    team_id: str
    kind: str
    listener: str
    lane: str
    body: dict[str, Any]
    user_id: str | None
    channel_id: str | None
    bot_user_id: str | None


@dataclass(frozen=True)
class Claim:
    """A row this worker may work on, with the token that lets it finish the row."""

    item: Arrival
    id: int
    token: str
    received_at: dt.datetime
    attempts: int


def _values(arrival: Arrival, now: dt.datetime) -> dict[str, Any]:
    return dict(key=arrival.key[:255], team_id=arrival.team_id[:20], kind=arrival.kind, listener=arrival.listener,
                lane=arrival.lane[:64], body=arrival.body, user_id=arrival.user_id, channel_id=arrival.channel_id,
                bot_user_id=arrival.bot_user_id, status=InboxStatus.PENDING, attempts=0, received_at=now)


def record(session: Session, arrival: Arrival, *, now: dt.datetime) -> int | None:
    """Add the request unless its key is taken; its id, or None for a retry or a replay."""
    return insert_ignore_returning(session, InboxItem, _values(arrival, now), conflict="key", returning=InboxItem.id)


def _claimable(now: dt.datetime):  # noqa: ANN202
    return or_(InboxItem.status == InboxStatus.PENDING,
               (InboxItem.status == InboxStatus.WORKING) & (InboxItem.claimed_until < now))


def claim(session: Session, *, item_id: int, now: dt.datetime) -> Claim | None:
    """Take the row for this worker, unless another has it (or has finished it)."""
    token = secrets.token_hex(8)
    row = session.execute(
        update(InboxItem).where(InboxItem.id == item_id, _claimable(now))
        .values(status=InboxStatus.WORKING, claim_token=token, claimed_until=now + CLAIM_FOR,
                attempts=InboxItem.attempts + 1)
        .returning(InboxItem.key, InboxItem.team_id, InboxItem.kind, InboxItem.listener, InboxItem.lane,
                   InboxItem.body, InboxItem.user_id, InboxItem.channel_id, InboxItem.bot_user_id,
                   InboxItem.received_at, InboxItem.attempts)
    ).first()
    if row is None:
        return None
    arrival = Arrival(row.key, row.team_id, row.kind, row.listener, row.lane, row.body, row.user_id, row.channel_id,
                      row.bot_user_id)
    return Claim(arrival, item_id, token, row.received_at, row.attempts)


def finish(session: Session, claim: Claim, *, outcome: str, now: dt.datetime,
           status: InboxStatus = InboxStatus.DONE) -> bool:
    """Mark the row finished, in the transaction of the work's effects; False if the claim was lost.

    A worker whose claim expired and was taken over must not commit its work: the taker's work counts.
    """
    result = session.execute(
        update(InboxItem).where(InboxItem.id == claim.id, InboxItem.claim_token == claim.token,
                                InboxItem.status == InboxStatus.WORKING)
        .values(status=status, finished_at=now, outcome=outcome[:255], claimed_until=None)
        .returning(InboxItem.id)
    ).first()
    return result is not None


def give_back(session: Session, claim: Claim, *, error: str) -> None:
    """The work could not be done now (the database went away mid-work): let any worker try again."""
    session.execute(
        update(InboxItem).where(InboxItem.id == claim.id, InboxItem.claim_token == claim.token)
        .values(status=InboxStatus.PENDING, claim_token=None, claimed_until=None, outcome=error[:255])
    )


def stranded(session: Session, *, now: dt.datetime, limit: int = 100) -> list[tuple[int, str]]:
    """(id, lane) of rows that were accepted but never worked on, or whose worker died.

    On PostgreSQL, rows another process is looking at right now are skipped rather than waited for.
    """
    query = (
        select(InboxItem.id, InboxItem.lane)
        .where(or_((InboxItem.status == InboxStatus.PENDING) & (InboxItem.received_at < now - STRANDED_AFTER),
                   (InboxItem.status == InboxStatus.WORKING) & (InboxItem.claimed_until < now)))
        .order_by(InboxItem.received_at, InboxItem.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [(row.id, row.lane) for row in session.execute(query)]


def give_up(session: Session, *, item_id: int, now: dt.datetime) -> None:
    """A row claimed MAX_ATTEMPTS times without finishing: it is failed for good, and says so."""
    session.execute(
        update(InboxItem).where(InboxItem.id == item_id)
        .values(status=InboxStatus.FAILED, finished_at=now, claimed_until=None,
                outcome=f"given up after {MAX_ATTEMPTS} attempts")
    )


def backlog(session: Session) -> dict[str, int]:
    """How many rows wait in each unfinished state."""
    rows = session.execute(
        select(InboxItem.status, func.count()).where(InboxItem.status.in_([InboxStatus.PENDING, InboxStatus.WORKING]))
        .group_by(InboxItem.status)
    )
    counts = {status.value: 0 for status in (InboxStatus.PENDING, InboxStatus.WORKING)}
    counts.update({InboxStatus(status).value: count for status, count in rows})
    return counts


def forget_finished(session: Session, *, now: dt.datetime) -> int:
    """Delete finished rows older than KEEP_FOR; unfinished ones are kept whatever their age."""
    result = session.execute(delete(InboxItem).where(
        InboxItem.status.in_([InboxStatus.DONE, InboxStatus.FAILED]), InboxItem.finished_at < now - KEEP_FOR))
    return result.rowcount or 0
