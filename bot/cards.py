"""An action's card in its channel, built from the records and kept current when what it shows changes,
whether a person's step changed it (handlers) or copbot learnt the names it shows (the profile job)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bot.blocks import actions as blocks
from bot.render import Message
from models.actions import Action
from models.actions.fairness import suggest_owners
from models.actions.model import ACTIVE_STATUSES
from models.actions.queries import card_key
from models.deliveries import Delivery, DeliveryStatus, delivery_by_key
from models.meetings import Meeting
from models.people import Membership, Person

# The pool cards looked at when names arrive, newest first: those people are reading now.
CARDS_PER_RUN = 50


@dataclass(frozen=True)
class CardEdit:
    """A card already in Slack that needs a chat.update, made after the transaction commits."""

    channel: str
    ts: str
    message: Message


def show_current(delivery: Delivery, message: Message) -> CardEdit | None:
    """Make a message copbot posted through the outbox read as `message`: rewritten in the outbox while queued
    (or being posted: see `bot.outbox`); once sent, kept as shown (so that the next change compares with what
    Slack has) and the edit returned."""
    if (message.text, message.blocks) == (delivery.text, delivery.blocks):
        return None
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT):
        # A row being posted right now is rewritten too: its sender updates Slack once the post is done.
        delivery.text, delivery.blocks = message.text, message.blocks
    if delivery.status == DeliveryStatus.SENT and delivery.sent_ts:
        return CardEdit(delivery.sent_channel or delivery.channel, delivery.sent_ts, message)
    return None


def card(session: Session, action: Action, *, now: dt.datetime,
         want_names: Callable[[Sequence[Person]], object] | None = None) -> Message:
    """The card as the records have it. `want_names` is told of the suggested people copbot has never looked up
    (enrolled at set-up), who read "someone" for now: a request has them looked up once its transaction has
    committed, and the card corrected then (handlers.naming)."""
    suggestions = suggest_owners(session, action=action) if action.owner is None and action.is_active else []
    if want_names is not None:
        strangers = [s.person for s in suggestions if not s.person.display_name and not s.person.deleted]
        if strangers:
            want_names(strangers)
    meeting = session.get(Meeting, action.meeting_id) if action.meeting_id else None
    return blocks.action_card(action, now=now, suggestions=suggestions,
                              meeting_title=meeting.title if meeting else None)


def rewrite_card(session: Session, action: Action, *, now: dt.datetime, delivery: Delivery | None = None,
                 want_names: Callable[[Sequence[Person]], object] | None = None) -> CardEdit | None:
    """Show the action's state on its card: rewritten in the outbox if still queued; if sent, the edit to make
    (none when the card already reads so)."""
    delivery = delivery or delivery_by_key(session, key=card_key(action.id))
    if delivery is None:
        return None
    return show_current(delivery, card(session, action, now=now, want_names=want_names))


def cards_naming(session: Session, *, people: Collection[tuple[str, str]], now: dt.datetime) -> list[CardEdit]:
    """The pool cards of these people's communities (by team and user id), rewritten where they now read
    differently: a card posted before copbot knew their names said "someone"."""
    if not people:
        return []
    named = select(Person.id).where(tuple_(Person.team_id, Person.user_id).in_(sorted(people)))
    places = select(Membership.community_id).where(Membership.person_id.in_(named), Membership.active.is_(True))
    actions = session.scalars(select(Action).where(
        Action.community_id.in_(places), Action.owner_id.is_(None), Action.status.in_(ACTIVE_STATUSES),
    ).order_by(Action.id.desc()).limit(CARDS_PER_RUN)).unique().all()
    if not actions:
        return []
    deliveries = {d.key: d for d in session.scalars(select(Delivery).where(
        Delivery.key.in_([card_key(a.id) for a in actions])))}
    edits = []
    for action in actions:
        delivery = deliveries.get(card_key(action.id))
        if delivery is not None and (edit := rewrite_card(session, action, now=now, delivery=delivery)) is not None:
            edits.append(edit)
    return edits
