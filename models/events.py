"""Events already handled, by Slack's `event_id`: Slack retries, Bolt does not de-duplicate."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.upsert import insert_ignore

KEEP_FOR = dt.timedelta(days=7)  # Slack's last retry comes minutes after the first delivery


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(20))
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


def first_delivery(session: Session, *, event_id: str, team_id: str, event_type: str, now: dt.datetime) -> bool:
    """Claim an event; False if it was handled before. Commits with the event's own effects."""
    return insert_ignore(
        session, ProcessedEvent,
        dict(event_id=event_id, team_id=team_id, event_type=event_type, received_at=now),
        conflict="event_id",
    )


def forget_old_events(session: Session, *, now: dt.datetime) -> int:
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < now - KEEP_FOR))
    return result.rowcount or 0
