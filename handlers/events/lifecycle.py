"""Slack's life-cycle events: a member deactivated or back, a channel archived, back or renamed, copbot
removed from the workspace or its token revoked."""

from __future__ import annotations

import logging

from bot.lifecycle import stop_sends
from bot.slack import profile_from_user
from handlers.action_steps import left_community
from handlers.base import Request
from models.communities import Community, community_for_channel
from models.lifecycle import archive_community, deactivate_person, rename_channel, unarchive_community
from models.people import get_person, upsert_person

logger = logging.getLogger(__name__)


def handle_user_change_event(request: Request) -> None:
    user = (request.body.get("event") or {}).get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return
    person = get_person(request.session, team_id=request.team_id, user_id=user["id"])
    if person is None:
        return  # someone copbot never met: nothing waits for them, and the profile is fetched when needed
    was_gone = person.deleted
    upsert_person(request.session, team_id=request.team_id, user_id=person.user_id, profile=profile_from_user(user),
                  now=request.now)
    if person.deleted and not was_gone:
        # Deactivated: nothing more reaches them, and what they owned goes back to each community's pool.
        for community in deactivate_person(request.session, person=person):
            left_community(request, community, person)
    # Re-activated: `deleted` is false again, so what is sent to them from now on goes.


def _community(request: Request, channel: object) -> Community | None:
    if not isinstance(channel, str) or not channel:
        return None
    return community_for_channel(request.session, team_id=request.team_id, channel_id=channel)


def handle_channel_archive_event(request: Request) -> None:
    community = _community(request, (request.body.get("event") or {}).get("channel"))
    if community is not None and archive_community(request.session, community=community, now=request.now):
        logger.info("channel %s archived: community %d paused", community.channel_id, community.id)


def handle_channel_unarchive_event(request: Request) -> None:
    community = _community(request, (request.body.get("event") or {}).get("channel"))
    if community is not None:
        dropped = unarchive_community(request.session, community=community, now=request.now)
        logger.info("channel %s unarchived: community %d resumes (%d out-of-date posts dropped as expired)",
                    community.channel_id, community.id, dropped)


def handle_channel_rename_event(request: Request) -> None:
    channel = (request.body.get("event") or {}).get("channel")
    if not isinstance(channel, dict) or not isinstance(channel.get("name"), str):
        return
    community = _community(request, channel.get("id"))
    if community is not None:
        rename_channel(request.session, community=community, name=channel["name"])


def handle_app_uninstalled_event(request: Request) -> None:
    stop_sends(request.session, team_id=request.team_id, reason="app_uninstalled", now=request.now)


def handle_tokens_revoked_event(request: Request) -> None:
    tokens = (request.body.get("event") or {}).get("tokens")
    # copbot holds only its bot token: users' tokens being revoked changes nothing for it.
    if isinstance(tokens, dict) and tokens.get("bot"):
        stop_sends(request.session, team_id=request.team_id, reason="tokens_revoked", now=request.now)
