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

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.people import Person
from models.upsert import insert_ignore, insert_ignore_many
from models.workspaces import StoppedWorkspace

# Slack's outages last minutes, sometimes hours: a transient failure is tried again, each wait twice the last
# up to MAX_BACKOFF, for as many tries as fit in GIVE_UP_AFTER. Only then, or on an error another try cannot
# cure, does a delivery fail for good.
FIRST_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(minutes=10)
GIVE_UP_AFTER = dt.timedelta(hours=24)
CLAIM_FOR = dt.timedelta(minutes=2)  # a sender that died mid-send frees its rows after this


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Not sent, on purpose: held while its channel was archived, it was out of date by the time the channel came
    # back (a reminder of a meeting since begun); `last_error` says why.
    EXPIRED = "expired"


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
    # When the row was last claimed for a post; and, while Slack may or may not have an earlier post of it (its
    # sender died mid-post, or the answer never came), when the first such post began: before posting it
    # again, the sender looks for it in its channel.
    attempted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    unsure_since: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Set on an edit of a message already sent (a poll's final form): chat.update of that ts, not a new post.
    edit_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    # Set on a chart to share as an image (`bot.charts.Chart.to_dict`), `text` its comment: an upload, not a post.
    chart: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    sent_channel: Mapped[str | None] = mapped_column(String(20), default=None)
    sent_ts: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


def _row(
    *, key: str, team_id: str, channel: str, text: str, kind: str, now: dt.datetime,
    blocks: list[dict[str, Any]] | None = None, community_id: int | None = None,
    thread_ts: str | None = None, not_before: dt.datetime | None = None, link_to: str | None = None,
    edit_ts: str | None = None, chart: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return dict(key=key, team_id=team_id, channel=channel, text=text, blocks=blocks, kind=kind,
                community_id=community_id, thread_ts=thread_ts, link_to=link_to, next_attempt_at=not_before or now,
                created_at=now, status=DeliveryStatus.PENDING, attempts=0, edit_ts=edit_ts, chart=chart)


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


class Held(enum.StrEnum):
    """Why a message is held back rather than sent or failed; it goes once the reason is gone."""

    STOPPED = "stopped"  # copbot removed from the workspace, or its token revoked
    ARCHIVED = "archived"  # the community's channel is archived
    DEACTIVATED = "deactivated"  # the person it is for is no longer in the workspace


def _holds() -> list[tuple[Held, ColumnElement[bool]]]:
    return [
        (Held.STOPPED, exists().where(StoppedWorkspace.team_id == Delivery.team_id)),
        (Held.ARCHIVED, exists().where(Community.team_id == Delivery.team_id, Community.channel_id == Delivery.channel,
                                       Community.archived_at.is_not(None))),
        (Held.DEACTIVATED, exists().where(Person.team_id == Delivery.team_id, Person.user_id == Delivery.channel,
                                          Person.deleted.is_(True))),
    ]


def sendable() -> ColumnElement[bool]:
    """What may go to Slack at all, due or not: held, not failed, are messages to a workspace that removed
    copbot, to an archived community's channel (until it is back) and to someone no longer in the workspace."""
    condition = ~_holds()[0][1]
    for _, held in _holds()[1:]:
        condition = condition & ~held
    return condition


def held_because() -> ColumnElement[str | None]:
    """Why a row is held back (a `Held`), or NULL for one that may go."""
    return case(*[(held, reason.value) for reason, held in _holds()], else_=None)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        (Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= now),
        (Delivery.status == DeliveryStatus.SENDING) & (Delivery.claimed_until < now),
    ) & sendable()


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


def count_backlog(session: Session, *, now: dt.datetime) -> dict[str, int]:
    """What is not sent, in one statement: due now, waiting for its time, retrying, being sent, failed, and
    held back (counted apart: nothing can send it until its reason is gone, however long it waits)."""
    free = sendable()
    pending = (Delivery.status == DeliveryStatus.PENDING) & free

    def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(select(
        counted(_due(now)).label("due"),
        counted(pending & (Delivery.next_attempt_at > now)).label("waiting"),
        counted(pending & Delivery.last_error.is_not(None)).label("retrying"),
        counted((Delivery.status == DeliveryStatus.SENDING) & free).label("sending"),
        counted(Delivery.status == DeliveryStatus.FAILED).label("failed"),
        counted((Delivery.status != DeliveryStatus.FAILED) & ~free).label("held"),
    ).where(Delivery.status != DeliveryStatus.SENT)).one()
    return dict(row._mapping)


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
    attempted_at: dt.datetime
    # Set when Slack may already have this message from an earlier post: look before posting it again.
    unsure_since: dt.datetime | None
    edit_ts: str | None = None
    chart: dict[str, Any] | None = None


def claim_many(session: Session, *, ids: Sequence[int], now: dt.datetime, at: dt.datetime | None = None
               ) -> list[Outgoing]:
    """Mark these deliveries as being sent by this process, if due at `now`, and return those it got.

    One conditional UPDATE: two dispatchers never send the same row, and a claim that was never
    settled (the process died) expires after CLAIM_FOR, counted from `at` (the clock's time of the claim,
    just before the post, however long ago the dispatch began; `now` unless given). A row claimed again while
    still "sending" was left mid-post: whether Slack got it is unknown from then on.
    """
    if not ids:
        return []
    at = at or now
    left_mid_post = func.coalesce(Delivery.unsure_since, Delivery.attempted_at, Delivery.created_at)
    rows = session.execute(
        update(Delivery).where(Delivery.id.in_(list(ids)), _due(now))
        .values(status=DeliveryStatus.SENDING, claimed_until=at + CLAIM_FOR, attempted_at=at,
                unsure_since=case((Delivery.status == DeliveryStatus.SENDING, left_mid_post),
                                  else_=Delivery.unsure_since))
        .returning(Delivery.id, Delivery.key, Delivery.channel, Delivery.text, Delivery.blocks, Delivery.thread_ts,
                   Delivery.attempts, Delivery.link_to, Delivery.attempted_at, Delivery.unsure_since, Delivery.edit_ts,
                   Delivery.chart)
    ).all()
    by_id = {row.id: Outgoing(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def release_claims(session: Session, *, now: dt.datetime) -> int:
    """Make every row claimed by another sender due at once; how many there were.

    Called by a sender that has just taken the outbox's lock: only the lock's holder sends, so a claim still
    held is that of a sender that died (or lost its lock). Its rows need not wait for the claim to expire:
    claimed again, they are looked for in their channel before they are posted (see `claim_many`).
    """
    result = session.execute(
        update(Delivery).where(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_until >= now)
        .values(claimed_until=now - dt.timedelta(seconds=1))
    )
    return result.rowcount or 0


def mark_sent(session: Session, *, delivery_id: int, channel: str, ts: str, now: dt.datetime) -> Any:
    """Record the post; returns the row's text and blocks as they read now (a row rewritten while it was being
    posted reads otherwise than what was posted), or None if the row is gone."""
    return session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(
            status=DeliveryStatus.SENT, sent_channel=channel, sent_ts=ts, sent_at=now,
            attempts=Delivery.attempts + 1, claimed_until=None, last_error=None, unsure_since=None,
        ).returning(Delivery.text, Delivery.blocks)
    ).first()


def mark_retry(
    session: Session, *, delivery_id: int, error: str, retry_at: dt.datetime, count_attempt: bool = True,
    unsure_since: dt.datetime | None = None,
) -> None:
    """Put a delivery back for a later try; after MAX_ATTEMPTS counted tries it has failed.

    `unsure_since`: Slack may have the message from a post begun then (its answer never came).
    """
    delivery = session.get_one(Delivery, delivery_id)
    attempts = delivery.attempts + (1 if count_attempt else 0)
    delivery.attempts = attempts
    delivery.last_error = error[:255]
    delivery.claimed_until = None
    delivery.unsure_since = unsure_since
    if attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = retry_at
    session.flush()


def mark_failed(session: Session, *, delivery_id: int, error: str) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id).values(
            status=DeliveryStatus.FAILED, last_error=error[:255], claimed_until=None, unsure_since=None,
            attempts=Delivery.attempts + 1,
        )
    )


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, ... capped at MAX_BACKOFF, so that a recovered Slack gets the message soon."""
    return min(FIRST_BACKOFF * 2 ** min(max(attempts, 0), 16), MAX_BACKOFF)


def _attempts_within(period: dt.timedelta) -> int:
    """How many tries the back-off spreads over `period`."""
    attempts, waited = 0, dt.timedelta(0)
    while waited < period:
        waited += backoff(attempts)
        attempts += 1
    return attempts


MAX_ATTEMPTS = _attempts_within(GIVE_UP_AFTER)


def cancel_pending(session: Session, *, key: str) -> bool:
    """Withdraw a message that has not been sent yet (what caused it was undone); True if one was."""
    result = session.execute(delete(Delivery).where(Delivery.key == key, Delivery.status == DeliveryStatus.PENDING))
    return bool(result.rowcount)
