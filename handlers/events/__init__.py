"""Channel membership and messages in a community's channel."""

from __future__ import annotations

import datetime as dt

from bot.welcome import welcome_newcomer
from handlers.action_steps import left_community
from handlers.base import Request
from handlers.events.home import handle_app_home_opened_event
from handlers.events.lifecycle import (
    handle_app_uninstalled_event,
    handle_channel_archive_event,
    handle_channel_rename_event,
    handle_channel_unarchive_event,
    handle_tokens_revoked_event,
    handle_user_change_event,
)
from handlers.events.threads import handle_meeting_thread_reply, handle_standup_thread_reply
from handlers.routes import Routes
from models.communities import community_for_channel
from models.contributions import ContributionKind, record_contribution, undo_contribution
from models.nudges import note_dm_reply
from models.people import active_membership, end_membership, get_person, join_community
from models.questions import forget_question, note_question, note_reply

# Message subtypes that are a person speaking; the rest (joins, edits, bot posts...) are not.
SPOKEN_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def handle_member_joined_channel_event(request: Request) -> None:
    event = request.body.get("event") or {}
    user_id, channel_id = event.get("user", ""), event.get("channel", "")
    # Bolt does not filter the bot's own join, and a bot is never welcomed.
    if not user_id or user_id == request.bot_user_id or user_id == "USLACKBOT":
        return
    community = community_for_channel(request.session, team_id=request.team_id, channel_id=channel_id)
    if community is None:
        return
    person = request.known_person(user_id)
    if person is None or person.is_bot or person.deleted:  # a user Slack does not know is nobody to welcome
        return
    result = join_community(request.session, community=community, person=person, now=request.now)
    if result.newly_joined:
        welcome_newcomer(request.session, community=community, membership=result.membership, now=request.now)


def handle_member_left_channel_event(request: Request) -> None:
    event = request.body.get("event") or {}
    community = community_for_channel(request.session, team_id=request.team_id, channel_id=event.get("channel", ""))
    person = get_person(request.session, team_id=request.team_id, user_id=event.get("user", ""))
    if community is None or person is None:
        return
    membership = active_membership(request.session, community=community, person=person)
    if membership is not None:
        # Leaving the channel is leaving the community, even for its last lead: the channel
        # is where the community lives. The overall lead can name a new lead.
        end_membership(request.session, membership=membership, now=request.now)
        left_community(request, community, person)


def _message_instant(ts: str, fallback: dt.datetime) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(float(ts), dt.UTC)
    except ValueError:
        return fallback


def handle_message_event(request: Request) -> None:
    event = request.body.get("event") or {}
    subtype = event.get("subtype")
    channel = event.get("channel", "")
    if subtype == "message_deleted":
        undo_contribution(request.session, key=f"message:{channel}:{event.get('deleted_ts', '')}")
        forget_question(request.session, channel_id=channel, ts=event.get("deleted_ts", ""))
        return
    user_id = event.get("user")
    if subtype not in SPOKEN_SUBTYPES or event.get("bot_id") or not user_id or user_id == request.bot_user_id:
        return
    if event.get("channel_type") == "im":
        # Someone writing to copbot directly: an answer to a nudge starts their quiet clock again.
        note_dm_reply(request.session, person=request.person(user_id), now=request.now)
        return
    community = community_for_channel(request.session, team_id=request.team_id, channel_id=channel)
    if community is None:
        return
    person = request.person(user_id)
    if person.is_bot:
        return
    ts = event.get("ts", "")
    thread_ts = event.get("thread_ts")
    kind = ContributionKind.THREAD_REPLY if thread_ts and thread_ts != ts else ContributionKind.MESSAGE
    said_at = _message_instant(ts, request.now)
    record_contribution(request.session, key=f"message:{channel}:{ts}", community_id=community.id,
                        person_id=person.id, kind=kind, occurred_at=said_at)
    if kind is ContributionKind.THREAD_REPLY:
        note_reply(request.session, channel_id=channel, thread_ts=thread_ts, person_id=person.id, now=request.now)
        (handle_meeting_thread_reply(request, community=community, person=person, event=event)
         or handle_standup_thread_reply(request, community=community, person=person, event=event))
    else:
        note_question(request.session, community_id=community.id, person_id=person.id, channel_id=channel, ts=ts,
                      text=event.get("text") or "", asked_at=said_at)


def register(routes: Routes) -> None:
    # Messages first: they are most of what Slack sends.
    routes.event("message", handle_message_event)
    routes.event("member_joined_channel", handle_member_joined_channel_event)
    routes.event("member_left_channel", handle_member_left_channel_event)
    routes.event("app_home_opened", handle_app_home_opened_event)
    routes.event("user_change", handle_user_change_event)
    routes.event("channel_archive", handle_channel_archive_event)
    routes.event("channel_unarchive", handle_channel_unarchive_event)
    routes.event("channel_rename", handle_channel_rename_event)
    # A private channel's twins of the three: the same payloads under another name.
    routes.event("group_archive", handle_channel_archive_event)
    routes.event("group_unarchive", handle_channel_unarchive_event)
    routes.event("group_rename", handle_channel_rename_event)
    routes.event("app_uninstalled", handle_app_uninstalled_event)
    routes.event("tokens_revoked", handle_tokens_revoked_event)
