"""The reaction map: what a reaction on a message in a community's channel does.

Every reaction is a light contribution for whoever reacts; some also do something with the
message. A community's own map (`communities.reaction_map`, reaction name -> effect) overrides
these defaults one reaction at a time; "none" there turns a default off.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from models.contributions import ContributionKind


class ReactionEffect(enum.StrEnum):
    CREATE_ACTION = "create_action"  # the message becomes an action, owned by its author
    CLOSE_ACTION = "close_action"  # on an action's message: the action is done
    SAVE_KNOWLEDGE = "save_knowledge"  # the message becomes a knowledge item
    IDEA = "idea"  # an idea, credited to the message's author
    APPRECIATION = "appreciation"  # appreciation, credited to the message's author


DEFAULT_REACTION_MAP: dict[str, ReactionEffect] = {
    "ballot_box_with_check": ReactionEffect.CREATE_ACTION,
    "white_check_mark": ReactionEffect.CLOSE_ACTION,
    "pushpin": ReactionEffect.SAVE_KNOWLEDGE,
    "bulb": ReactionEffect.IDEA,
    "raised_hands": ReactionEffect.APPRECIATION,
    "tada": ReactionEffect.APPRECIATION,
    "clap": ReactionEffect.APPRECIATION,
}

# What the author of the message is credited with, for the effects that credit them.
AUTHOR_CREDIT = {
    ReactionEffect.IDEA: ContributionKind.IDEA,
    ReactionEffect.APPRECIATION: ContributionKind.APPRECIATION_RECEIVED,
}

# Maps written before effects existed named the contribution to credit.
_LEGACY = {ContributionKind.IDEA.value: ReactionEffect.IDEA,
           ContributionKind.APPRECIATION_RECEIVED.value: ReactionEffect.APPRECIATION}


def reaction_effect(reaction_map: Mapping[str, Any] | None, reaction: str) -> ReactionEffect | None:
    """What `reaction` does in a community with this map; None when it is only a light contribution."""
    configured = (reaction_map or {}).get(reaction)
    if configured is None:
        return DEFAULT_REACTION_MAP.get(reaction)
    if configured in _LEGACY:
        return _LEGACY[configured]
    try:
        return ReactionEffect(configured)
    except ValueError:
        return None  # "none", or a value this version does not know
