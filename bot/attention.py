"""Sending unasked-for direct messages: into the outbox, for their person's working hours, if they want them,
are not away and have budget left; held for their digest if they are away or have not; not at all if they
turned that kind off (the rule is `models.attention.decide`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.blocks.attention import archived_note, with_snooze
from bot.render import MAX_BLOCKS, Message
from models.attention import DM_KINDS, SNOOZABLE_DELIVERY_KINDS, Outcome, decide, dms_used_by_team, hold_many
from models.deliveries import enqueue_many
from models.lifecycle import archived_channels
from models.people import Person

# Workspace -> user id -> unasked-for DMs in the last seven days (models.attention.dms_used_by_team).
Budgets = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Dm:
    """One unasked-for direct message: who, which kind (models.attention.DM_KINDS), and its one-line summary,
    which is what the person reads in their digest if the message is held."""

    person: Person
    kind: str
    delivery_kind: str
    key: str
    message: Message
    summary: str
    community_id: int | None
    # When the message stops being worth sending (its meeting starts); past it, only the digest may say it.
    expires: dt.datetime | None = None


def deliver_dm(
    session: Session, *, person: Person, kind: str, delivery_kind: str, key: str, message: Message, summary: str,
    community_id: int | None, now: dt.datetime, used: dict[str, int] | None = None,
) -> Outcome:
    """Queue, hold or skip one DM. `used` (user id -> DMs this week, in the person's workspace) lets a caller
    count for many people in one query and keeps the count right when one person gets two messages."""
    dm = Dm(person, kind, delivery_kind, key, message, summary, community_id)
    return deliver_dms(session, [dm], now=now, used=None if used is None else {person.team_id: used})[0]


def deliver_dms(session: Session, dms: Sequence[Dm], *, now: dt.datetime, used: Budgets | None = None) -> list[Outcome]:
    """`deliver_dm` for a job's many messages, in their order, with a few statements in all.

    Each is sent for its person's working hours: one written outside them waits in the outbox until they begin.
    Decided one after another, so that someone due two messages in one run gets the second only if the
    first left room; then what is sent goes into the outbox in one batch, and what is held in another.
    Callers pass keys not yet queued or held (a key already there is not counted twice by the outbox,
    but it is by this run's count, which can only hold back more, never send more).
    """
    if used is None:  # counted only for the kinds the budget applies to
        used = dms_used_by_team(session, (dm.person for dm in dms if DM_KINDS[dm.kind].budgeted), now=now)
    archived = archived_channels(session, ids={dm.community_id for dm in dms if dm.community_id is not None})
    outcomes, send, held = [], [], []
    for dm in dms:
        counts = used.setdefault(dm.person.team_id, {})
        decision = decide(dm.person, dm.kind, used=counts.get(dm.person.user_id, 0), now=now, expires=dm.expires)
        outcome = decision.outcome
        outcomes.append(outcome)
        if outcome is Outcome.SEND:
            message = with_snooze(dm.message, dm.key) if dm.delivery_kind in SNOOZABLE_DELIVERY_KINDS else dm.message
            message = _noting_archive(message, archived.get(dm.community_id or 0))
            send.append(dict(key=dm.key, team_id=dm.person.team_id, channel=dm.person.user_id, text=message.text,
                             blocks=message.blocks, kind=dm.delivery_kind, community_id=dm.community_id, now=now,
                             not_before=decision.arrives))
            if DM_KINDS[dm.kind].budgeted:
                counts[dm.person.user_id] = counts.get(dm.person.user_id, 0) + 1
        elif outcome is Outcome.HOLD:
            held.append(dict(key=dm.key, person_id=dm.person.id, community_id=dm.community_id, kind=dm.delivery_kind,
                             summary=dm.summary))
    if send:
        enqueue_many(session, send)
    if held:
        hold_many(session, held, now=now)
    return outcomes


def _noting_archive(message: Message, channel_id: str | None) -> Message:
    """A DM about a community whose channel is archived says so, right under what it is about."""
    if channel_id is None or len(message.blocks) >= MAX_BLOCKS:
        return message  # a message already at Slack's limit of blocks goes as it is
    return Message(text=message.text, blocks=[*message.blocks[:1], archived_note(channel_id), *message.blocks[1:]])
