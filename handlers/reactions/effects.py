"""The reaction map's effects on a message: make it an action, close its action, keep it as knowledge.

Each is keyed by the reaction that caused it, so that taking the reaction back undoes exactly
that, and the same reaction delivered twice does it once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.blocks import knowledge as knowledge_blocks
from bot.render import truncate
from bot.slack import message_text, permalink
from handlers import action_steps as steps
from handlers.base import Request
from handlers.commands.parse import first_link
from handlers.mentions import note_mentions
from models.actions.model import MAX_TITLE
from models.actions.queries import action_for_message, action_from_source, card_key
from models.actions.workflow import Actor, add_action, reopen_closed_by, undo_added_by
from models.communities import Community
from models.deliveries import DeliveryStatus, cancel_pending, delivery_by_key, enqueue
from models.errors import UserFacingError
from models.knowledge import KnowledgeKind
from models.knowledge.items import add_item, item_from_source, undo_pinned
from models.mentions import MentionSource
from models.people import Person, active_membership, is_community_lead
from models.reactions import ReactionEffect
from models.sources import Source

if TYPE_CHECKING:
    from handlers.reactions import ReactionEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetched:
    """What Slack told us about the reacted-to message; its text may be unavailable."""

    text: str | None
    permalink: str | None


def read_message(request: Request, community: Community, reaction: ReactionEvent,
                 effect: ReactionEffect | None) -> Fetched | None:
    """The message's text and link, when the effect needs them and the message is not a record yet."""
    if effect not in (ReactionEffect.CREATE_ACTION, ReactionEffect.SAVE_KNOWLEDGE):
        return None
    if reaction.item_user == request.bot_user_id:
        return None  # copbot's own messages (cards, notes) are not turned into records
    key = Source(reaction.channel, reaction.ts).key
    taken = action_from_source if effect == ReactionEffect.CREATE_ACTION else item_from_source
    if taken(request.session, key=key) is not None:
        return None
    return Fetched(message_text(request.client, reaction.channel, reaction.ts),
                   permalink(request.workspace_url, reaction.channel, reaction.ts))


def author_of(request: Request, reaction: ReactionEvent) -> Person | None:
    """The message's author, when that is a person other than whoever reacted."""
    if not reaction.item_user or reaction.item_user in (reaction.user, request.bot_user_id):
        return None
    author = request.person(reaction.item_user)
    return None if author.is_bot else author


def writer_of(request: Request, reaction: ReactionEvent, reactor: Person) -> Person:
    """Whoever wrote the message (a bot, a stranger or the reactor themselves): who its mentions are by."""
    if not reaction.item_user or reaction.item_user == reaction.user:
        return reactor
    return request.person(reaction.item_user)


def _actor(request: Request, community: Community, person: Person) -> Actor:
    return Actor(person, is_community_lead(request.session, community=community, person=person,
                                           admin_ids=request.services.settings.admin_ids))


def _title(request: Request, fetched: Fetched, author: Person | None) -> str:
    lines = [line.strip() for line in request.plain(fetched.text or "", urls=False).splitlines() if line.strip()]
    if lines:
        return truncate(lines[0], MAX_TITLE)
    return f"Follow up on {author.display_name}'s message" if author else "Follow up on a message"


def create_action(request: Request, community: Community, reaction: ReactionEvent, reactor: Person,
                  fetched: Fetched) -> None:
    """The message becomes an action, owned by its author: if they reacted, or a lead did; else they are asked."""
    author = request.person(reaction.item_user) if reaction.item_user else None
    if author is not None and (author.is_bot or active_membership(request.session, community=community,
                                                                  person=author) is None):
        author = None  # a bot's or a stranger's message goes to the pool
    try:
        added = add_action(request.session, community=community, title=_title(request, fetched, author),
                           actor=_actor(request, community, reactor), now=request.now, owner=author,
                           source=Source(reaction.channel, reaction.ts, fetched.permalink), via=reaction.given_key)
    except UserFacingError as error:
        logger.info("reaction by %s made no action: %s", reactor.user_id, error)
        return
    if added.created:
        note_mentions(request, fetched.text or "", community_id=community.id, source=MentionSource.ACTION,
                      record_id=added.action.id, by=writer_of(request, reaction, reactor), text=added.action.title,
                      permalink=fetched.permalink)
        steps.announce(request, added.action, thread_ts=reaction.ts)
        steps.tell_new_owner(request, added.action, by=reactor)


def close_action(request: Request, community: Community, reaction: ReactionEvent, reactor: Person) -> None:
    """On an action's message (the one it came from, or its card), the action is done."""
    action = action_for_message(request.session, community=community, channel=reaction.channel, ts=reaction.ts)
    if action is None or not action.is_active:
        return
    try:
        steps.complete(request, action, _actor(request, community, reactor), via=reaction.given_key, in_reply=False)
    except UserFacingError as error:  # not theirs to close: the reaction stays a reaction
        logger.info("reaction by %s closed nothing: %s", reactor.user_id, error)


def save_knowledge(request: Request, community: Community, reaction: ReactionEvent, reactor: Person,
                   fetched: Fetched) -> None:
    author = author_of(request, reaction) or reactor
    raw = fetched.text or ""
    url = first_link(raw)
    text = request.plain(raw, urls=False).strip() or f"A message by {author.display_name}"
    kind = KnowledgeKind.LINK if url and text == url else KnowledgeKind.TIP
    try:
        item, created = add_item(request.session, community=community, kind=kind, text=text, url=url,
                                 added_by=reactor, author=author, now=request.now, via=reaction.given_key,
                                 source=Source(reaction.channel, reaction.ts, fetched.permalink))
    except UserFacingError as error:
        logger.info("reaction by %s saved nothing: %s", reactor.user_id, error)
        return
    if created:
        note_mentions(request, raw, community_id=community.id, source=MentionSource.KNOWLEDGE, record_id=item.id,
                      by=writer_of(request, reaction, reactor), text=item.title, permalink=fetched.permalink)
        note = knowledge_blocks.pinned_note(item)
        enqueue(request.session, key=f"knowledge:{item.id}:pinned", team_id=community.team_id,
                channel=community.channel_id, text=note.text, blocks=note.blocks, kind="knowledge",
                community_id=community.id, thread_ts=reaction.ts, now=request.now)


def withdraw(request: Request, key: str) -> None:
    """Take back a message copbot sent (or was about to send) about something now undone."""
    if cancel_pending(request.session, key=key):
        return
    delivery = delivery_by_key(request.session, key=key)
    if delivery is not None and delivery.status == DeliveryStatus.SENT and delivery.sent_ts:
        channel, ts = delivery.sent_channel or delivery.channel, delivery.sent_ts
        request.after_commit(lambda: request.client.chat_delete(channel=channel, ts=ts))


def undo(request: Request, via: str) -> None:
    """Whatever the removed reaction did to its message, undone."""
    if (action_id := undo_added_by(request.session, via=via)) is not None:
        withdraw(request, card_key(action_id))
    if (reopened := reopen_closed_by(request.session, via=via)) is not None:
        steps.refresh_card(request, reopened)
    if (item_id := undo_pinned(request.session, via=via)) is not None:
        withdraw(request, f"knowledge:{item_id}:pinned")
