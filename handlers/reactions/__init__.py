"""Reactions in a community's channel become contributions; removing one undoes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from slack_bolt import App

from handlers.base import Request, listener
from models.communities import community_for_channel
from models.contributions import ContributionKind, record_contribution, undo_contribution

# Reactions that credit the message's author, by default (a community's reaction map overrides).
DEFAULT_AUTHOR_CREDIT = {
    "bulb": ContributionKind.IDEA,
    "raised_hands": ContributionKind.APPRECIATION_RECEIVED,
    "tada": ContributionKind.APPRECIATION_RECEIVED,
    "clap": ContributionKind.APPRECIATION_RECEIVED,
}


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


def _author_credit(reaction_map: dict, reaction: str) -> ContributionKind | None:
    kind = (reaction_map or {}).get(reaction)
    if kind is not None:
        try:
            return ContributionKind(kind)
        except ValueError:
            return None
    return DEFAULT_AUTHOR_CREDIT.get(reaction)


def handle_reaction_added_event(request: Request) -> None:
    reaction = ReactionEvent.parse(request.body.get("event") or {})
    if reaction is None or reaction.user == request.bot_user_id:
        return
    community = community_for_channel(request.session, team_id=request.team_id, channel_id=reaction.channel)
    if community is None:
        return
    reactor = request.person(reaction.user)
    if reactor.is_bot:
        return
    when = reaction.occurred_at or request.now
    record_contribution(request.session, key=reaction.given_key, community_id=community.id, person_id=reactor.id,
                        kind=ContributionKind.REACTION_GIVEN, occurred_at=when, detail=reaction.reaction)
    credit = _author_credit(community.reaction_map, reaction.reaction)
    if credit is not None and reaction.item_user and reaction.item_user not in (reaction.user, request.bot_user_id):
        author = request.person(reaction.item_user)
        if not author.is_bot:
            record_contribution(request.session, key=reaction.credit_key, community_id=community.id,
                                person_id=author.id, kind=credit, occurred_at=when, detail=reaction.reaction)


def handle_reaction_removed_event(request: Request) -> None:
    reaction = ReactionEvent.parse(request.body.get("event") or {})
    if reaction is None:
        return
    undo_contribution(request.session, key=reaction.given_key)
    undo_contribution(request.session, key=reaction.credit_key)


def register(app: App) -> None:
    app.event("reaction_added")(listener(handle_reaction_added_event, dedupe_events=True))
    app.event("reaction_removed")(listener(handle_reaction_removed_event, dedupe_events=True))
