"""Sending an unasked-for direct message: into the outbox if the person wants it and has budget left,
held for their digest if they have not, not at all if they turned that kind off."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.render import Message
from models.attention import Outcome, decide, dms_used, hold
from models.deliveries import enqueue
from models.people import Person


def deliver_dm(
    session: Session, *, person: Person, kind: str, delivery_kind: str, key: str, message: Message, summary: str,
    community_id: int | None, now: dt.datetime, used: dict[str, int] | None = None,
) -> Outcome:
    """Queue, hold or skip one DM. `used` (user id -> DMs this week) lets a job count for many people
    in one query and keeps the count right when one person gets two messages in one run."""
    if used is None:
        used = dms_used(session, team_id=person.team_id, user_ids=[person.user_id], now=now)
    outcome = decide(person, kind, used=used.get(person.user_id, 0))
    if outcome is Outcome.SEND:
        if enqueue(session, key=key, team_id=person.team_id, channel=person.user_id, text=message.text,
                   blocks=message.blocks, kind=delivery_kind, community_id=community_id, now=now):
            used[person.user_id] = used.get(person.user_id, 0) + 1
    elif outcome is Outcome.HOLD:
        hold(session, key=key, person_id=person.id, community_id=community_id, kind=delivery_kind, summary=summary,
             now=now)
    return outcome
