"""What a community's leads see of its outbox: messages retrying after an error, held back, failed for good, or
dropped as out of date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Subquery, case, func, or_, select
from sqlalchemy.orm import Session

from models.deliveries import Delivery, DeliveryStatus, Held, held_because

SHOWN_FAILED_FOR = dt.timedelta(days=14)  # how far back a lead's outbox listing shows what failed for good
# Never sent and never to be: failed for good, or dropped as out of date when an archived channel came back.
ENDED = (DeliveryStatus.FAILED, DeliveryStatus.EXPIRED)


@dataclass(frozen=True)
class Undelivered:
    """What a community's lead sees of a delivery that is retrying, held back, or failed for good."""

    kind: str
    channel: str
    text: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime
    created_at: dt.datetime
    held: Held | None = None  # why it is held back, when it is: no try is made until that is over


def _shown(community_id: int, now: dt.datetime) -> Subquery:
    """A community's deliveries not sent, with why each is held back (NULL if it is not)."""
    why = held_because().label("held")
    waiting = Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
    failed = (Delivery.status.in_(ENDED) & (Delivery.created_at >= now - SHOWN_FAILED_FOR))
    return select(Delivery.kind, Delivery.channel, Delivery.text, Delivery.status, Delivery.attempts,
                   Delivery.last_error, Delivery.next_attempt_at, Delivery.created_at, why, Delivery.id
                  ).where(Delivery.community_id == community_id, waiting | failed).subquery()


def _states(shown: Subquery) -> tuple[ColumnElement[bool], ...]:
    """Held back, retrying after an error, failed for good, dropped as out of date: each row shown is in exactly
    one."""
    ended = shown.c.status.in_(ENDED)
    held = ~ended & shown.c.held.is_not(None)
    retrying = (shown.c.status == DeliveryStatus.PENDING) & shown.c.held.is_(None) & shown.c.last_error.is_not(None)
    return held, retrying, shown.c.status == DeliveryStatus.FAILED, shown.c.status == DeliveryStatus.EXPIRED


def undelivered_counts(session: Session, *, community_id: int, now: dt.datetime) -> dict[str, int]:
    """How many of a community's deliveries are held back, retrying, failed and expired (as `undelivered` shows
    them)."""
    shown = _shown(community_id, now)
    held, retrying, failed, expired = _states(shown)

    def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(select(counted(held).label("held"), counted(retrying).label("retrying"),
                                 counted(failed).label("failed"), counted(expired).label("expired"))).one()
    return dict(row._mapping)


def undelivered(session: Session, *, community_id: int, now: dt.datetime, limit: int = 30) -> list[Undelivered]:
    """A community's deliveries that are held back, retrying after an error, or failed in the last
    SHOWN_FAILED_FOR, oldest first."""
    shown = _shown(community_id, now)
    rows = session.execute(
        select(shown).where(or_(*_states(shown)))
        .order_by(shown.c.created_at, shown.c.id).limit(limit)
    )
    # What failed for good stays failed, whatever holds its channel now.
    return [Undelivered(*row[:8], held=Held(row.held) if row.held and row.status not in ENDED else None)
            for row in rows]
