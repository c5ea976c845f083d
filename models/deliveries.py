"""The outbox: every message the bot sends on its own initiative, keyed so it is sent once.

Jobs and handlers write deliveries inside their transaction; one dispatcher sends them afterwards.
Nothing here knows how a message reaches Slack: the payload is kept as given.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Index, Integer, String, Text, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, str_enum, utcnow
from models.upsert import insert_ignore, insert_ignore_many

MAX_ATTEMPTS = 6
CLAIM_FOR = dt.timedelta(minutes=2)  # a sender that died mid-send frees its rows after this


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Delivery(Base):
    __tablename__ = "deliveries"
    # The weekly budget of direct messages counts a person's recent deliveries by channel (their user id).
    __table_args__ = (Index("ix_deliveries_channel_created_at", "channel", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    team_id: Mapped[str] = mapped_column(String(20))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    # A channel id, or a user id for a direct message.
    channel: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[Any] | None] = mapped_column(default=None)
    thread_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus), default=DeliveryStatus.PENDING,
                                                   index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(255), default=None)
    # The record this message was posted for (`decision:12`), which is given its link once it is sent.
    link_to: Mapped[str | None] = mapped_column(String(64), default=None)
    # Set on an edit of a message already sent (a poll's final form): chat.update of that ts, not a new post.
    edit_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    sent_channel: Mapped[str | None] = mapped_column(String(20), default=None)
    sent_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


def _row(
    *, key: str, team_id: str, channel: str, text: str, kind: str, now: dt.datetime,
    blocks: list[dict[str, Any]] | None = None, community_id: int | None = None,
    thread_ts: str | None = None, not_before: dt.datetime | None = None, link_to: str | None = None,
    edit_ts: str | None = None,
) -> dict[str, Any]:
    return dict(key=key, team_id=team_id, channel=channel, text=text, blocks=blocks, kind=kind,
                community_id=community_id, thread_ts=thread_ts, link_to=link_to, next_attempt_at=not_before or now,
                created_at=now, status=DeliveryStatus.PENDING, attempts=0, edit_ts=edit_ts)


def enqueue(
    session: Session, *, key: str, team_id: str, channel: str, text: str, kind: str, now: dt.datetime,
    blocks: list[dict[str, Any]] | None = None, community_id: int | None = None,
    thread_ts: str | None = None, not_before: dt.datetime | None = None, link_to: str | None = None,
) -> bool:
    """Add a message to the outbox unless one with the same key exists; True if added.

    `link_to` names the record the message is posted for (see `models.links`): once Slack has the
    message, that record keeps a link to it.
    """
    return insert_ignore(
        session, Delivery,
        _row(key=key, team_id=team_id, channel=channel, text=text, blocks=blocks, kind=kind,
             community_id=community_id, thread_ts=thread_ts, not_before=not_before, link_to=link_to, now=now),
        conflict="key",
    )


def enqueue_many(session: Session, messages: list[dict[str, Any]]) -> int:
    """`enqueue` for many messages (each a dict of its keyword arguments) in a few statements."""
    return insert_ignore_many(session, Delivery, [_row(**message) for message in messages], conflict="key")


def sent_ts(session: Session, *, key: str) -> str | None:
    """The Slack ts of the message sent under `key`, once it has been sent."""
    return session.scalars(select(Delivery.sent_ts).where(
        Delivery.key == key, Delivery.status == DeliveryStatus.SENT)).first()


def delivery_by_key(session: Session, *, key: str) -> Delivery | None:
    return session.scalars(select(Delivery).where(Delivery.key == key)).one_or_none()


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        (Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= now),
        (Delivery.status == DeliveryStatus.SENDING) & (Delivery.claimed_until < now),
    )


def due_heads(session: Session, *, now: dt.datetime, exclude: Collection[str] = (), limit: int = 50
              ) -> list[tuple[int, str]]:
    """(id, channel) of the first due delivery of each channel not in `exclude`: the longest queues first,
    then the oldest.

    One per channel, because a channel's messages go one after another in the order they were written
    (a thread's first message before its replies), so one busy channel never hides the others. The
    longest queues come first because each is held to about one message a second of its own: a channel
    with 150 cards must use every second it gets, while a thousand channels of one message each share
    the workspace's pace between them whatever their order.
    """
    ranked = (
        select(Delivery.id, Delivery.channel, Delivery.next_attempt_at,
               func.row_number().over(partition_by=Delivery.channel, order_by=Delivery.id).label("place"),
               func.count().over(partition_by=Delivery.channel).label("depth"))
        .where(_due(now), *([Delivery.channel.not_in(list(exclude))] if exclude else []))
        .subquery()
    )
    rows = session.execute(select(ranked.c.id, ranked.c.channel).where(ranked.c.place == 1)
                           .order_by(ranked.c.depth.desc(), ranked.c.next_attempt_at, ranked.c.id).limit(limit))
    return [(row.id, row.channel) for row in rows]


def count_due(session: Session, *, now: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(Delivery).where(_due(now))) or 0


@dataclass(frozen=True)
class Outgoing:
    """The fields needed to send a delivery, read as its row was claimed."""

    id: int
    key: str
    channel: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    attempts: int
    link_to: str | None
    edit_ts: str | None = None


def claim_many(session: Session, *, ids: Sequence[int], now: dt.datetime) -> list[Outgoing]:
    """Mark these deliveries as being sent by this process, if still due, and return those it got.

    One conditional UPDATE: two dispatchers never send the same row, and a claim that was never
    settled (the process died) expires after CLAIM_FOR, counted from this moment, just before the post.
    """
    if not ids:
        return []
    rows = session.execute(
        update(Delivery).where(Delivery.id.in_(list(ids)), _due(now))
        .values(status=DeliveryStatus.SENDING, claimed_until=now + CLAIM_FOR)
        .returning(Delivery.id, Delivery.key, Delivery.channel, Delivery.text, Delivery.blocks, Delivery.thread_ts,
                   Delivery.attempts, Delivery.link_to, Delivery.edit_ts)
    ).all()
    by_id = {row.id: Outgoing(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def mark_sent(session: Session, *, delivery_id: int, channel: str, ts: str, now: dt.datetime) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(
            status=DeliveryStatus.SENT, sent_channel=channel, sent_ts=ts, sent_at=now,
            attempts=Delivery.attempts + 1, claimed_until=None, last_error=None,
        )
    )


def mark_retry(
    session: Session, *, delivery_id: int, error: str, retry_at: dt.datetime, count_attempt: bool = True
) -> None:
    """Put a delivery back for a later try; after MAX_ATTEMPTS counted tries it has failed."""
    delivery = session.get_one(Delivery, delivery_id)
    attempts = delivery.attempts + (1 if count_attempt else 0)
    delivery.attempts = attempts
    delivery.last_error = error[:255]
    delivery.claimed_until = None
    if attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = retry_at
    session.flush()


def mark_failed(session: Session, *, delivery_id: int, error: str) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(
            status=DeliveryStatus.FAILED, last_error=error[:255], claimed_until=None,
            attempts=Delivery.attempts + 1,
        )
    )


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... capped at an hour."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts, 0), 3600))


def cancel_pending(session: Session, *, key: str) -> bool:
    """Withdraw a message that has not been sent yet (what caused it was undone); True if one was."""
    result = session.execute(delete(Delivery).where(Delivery.key == key, Delivery.status == DeliveryStatus.PENDING))
    return bool(result.rowcount)
