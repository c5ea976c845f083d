"""Reactions in a community's channel: contributions, and the reaction map's effects; removal undoes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handlers.base import Request
from handlers.reactions import effects
from handlers.routes import Routes
from models.communities import community_for_channel
from models.contributions import ContributionKind, record_contribution, undo_contribution
from models.reactions import AUTHOR_CREDIT, ReactionEffect, reaction_effect


@dataclass(frozen=True)
class ReactionEvent:
    user: str
    reaction: str
    channel: str
    ts: str
    item_user: str | None
    event_ts: str

    @classmethod
    def parse(cls, event: dict) -> ReactionEvent | None:
        item = event.get("item") or {}
        if item.get("type") != "message" or not event.get("user") or not event.get("reaction"):
            return None
        # Skin tones are the same reaction for counting purposes.
        reaction = str(event["reaction"]).split("::", 1)[0]
        return cls(user=event["user"], reaction=reaction, channel=item.get("channel", ""),
                   ts=item.get("ts", ""), item_user=event.get("item_user"), event_ts=event.get("event_ts", ""))

    @property
    def given_key(self) -> str:
        return f"reaction:{self.channel}:{self.ts}:{self.user}:{self.reaction}"

    @property
    def credit_key(self) -> str:
        return f"credit:{self.channel}:{self.ts}:{self.user}:{self.reaction}"

    @property
    def occurred_at(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromtimestamp(float(self.event_ts), dt.UTC)
        except ValueError:
            return None


def handle_reaction_added_event(request: Request) -> None:
    reaction = ReactionEvent.parse(request.body.get("event") or {})
    if reaction is None or reaction.user == request.bot_user_id:
        return
    community = community_for_channel(request.session, team_id=request.team_id, channel_id=reaction.channel)
    if community is None:
        return
    effect = reaction_effect(community.reaction_map, reaction.reaction)
    # What the message says is asked of Slack before anything is written.
    message = effects.read_message(request, community, reaction, effect)
    reactor = request.person(reaction.user)
    if reactor.is_bot:
        return
    when = reaction.occurred_at or request.now
    record_contribution(request.session, key=reaction.given_key, community_id=community.id, person_id=reactor.id,
                        kind=ContributionKind.REACTION_GIVEN, occurred_at=when, detail=reaction.reaction)
    if effect in AUTHOR_CREDIT:
        author = effects.author_of(request, reaction)
        if author is not None:
            record_contribution(request.session, key=reaction.credit_key, community_id=community.id,
                                person_id=author.id, kind=AUTHOR_CREDIT[effect], occurred_at=when,
                                detail=reaction.reaction)
    elif effect == ReactionEffect.CREATE_ACTION and message is not None:
        effects.create_action(request, community, reaction, reactor, message)
    elif effect == ReactionEffect.SAVE_KNOWLEDGE and message is not None:
        effects.save_knowledge(request, community, reaction, reactor, message)
    elif effect == ReactionEffect.CLOSE_ACTION:
        effects.close_action(request, community, reaction, reactor)


def handle_reaction_removed_event(request: Request) -> None:
    reaction = ReactionEvent.parse(request.body.get("event") or {})
    if reaction is None:
        return
    undo_contribution(request.session, key=reaction.given_key)
    undo_contribution(request.session, key=reaction.credit_key)
    effects.undo(request, reaction.given_key)


def register(routes: Routes) -> None:
    routes.event("reaction_added", handle_reaction_added_event)
    routes.event("reaction_removed", handle_reaction_removed_event)
