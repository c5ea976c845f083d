"""`/cop setup`, `/cop join`, `/cop leave`."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot import messages
from bot.slack import channel_member_ids
from bot.welcome import welcome_newcomer
from handlers.action_steps import left_community
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import require_community_here
from models.communities import create_community, validate_name
from models.deliveries import enqueue
from models.errors import BadArgument, NotPermitted
from models.people import Role, enroll_members, is_overall_lead, join_community, leave_community


def handle_setup(request: Request, args: str) -> None:
    name = validate_name(request.plain(args))
    if request.channel_id.startswith("D"):
        raise BadArgument("Run `/cop setup` in the channel that should become the community.")
    person = request.person()
    try:
        channel = request.client.conversations_info(channel=request.channel_id)["channel"]
    except SlackApiError:
        raise BadArgument("I can't see this channel. Invite me first (`/invite @copbot`), then run "
                          "`/cop setup` again.") from None
    if not is_overall_lead(person, request.services.settings.admin_ids) and channel.get("creator") != person.user_id:
        raise NotPermitted("Only the channel's creator or an overall CoP lead (a workspace admin) can turn "
                           "this channel into a community.")
    if not channel.get("is_member"):
        if channel.get("is_private"):
            raise BadArgument("Invite me to this private channel first (`/invite @copbot`).")
        request.client.conversations_join(channel=request.channel_id)
    # Ask Slack everything before writing, so no Slack call waits inside a write transaction.
    already_here = [u for u in channel_member_ids(request.client, request.channel_id)
                    if u not in (request.bot_user_id, "USLACKBOT", person.user_id)]
    community = create_community(request.session, team_id=request.team_id, channel_id=request.channel_id,
                                 name=name, created_by=person.user_id, timezone=person.tz, now=request.now)
    community.channel_name = channel.get("name") or None
    join_community(request.session, community=community, person=person, now=request.now, role=Role.LEAD)
    enroll_members(request.session, community=community, user_ids=already_here, now=request.now)
    announcement = messages.community_created(community, person.user_id)
    enqueue(request.session, key=f"community:{community.id}:created", team_id=request.team_id,
            channel=community.channel_id, text=announcement.text, blocks=announcement.blocks,
            kind="announcement", community_id=community.id, now=request.now)
    request.reply(messages.setup_reply(community))


def handle_join(request: Request, args: str) -> None:
    community = require_community_here(request)
    person = request.person()
    if person.is_bot:
        raise NotPermitted("Bots cannot join a community.")
    result = join_community(request.session, community=community, person=person, now=request.now)
    if result.newly_joined:
        welcome_newcomer(request.session, community=community, membership=result.membership, now=request.now)
    request.reply(messages.joined_reply(community, newly=result.newly_joined))


def handle_leave(request: Request, args: str) -> None:
    community = require_community_here(request)
    leave_community(request.session, community=community, person=request.person(), now=request.now)
    left_community(request, community, request.person())
    request.reply(messages.left_reply(community))


SETUP = Topic("setup", about=(
    "Turns this channel into a community and makes you its lead. Open to the channel's creator and to overall "
    "CoP leads (workspace admins)."), commands=(
    Command("setup", handle_setup, usage="<name>", who=Who.CREATOR,
            help="turn this channel into a community with you as its lead (the channel's creator or an overall "
                 "lead)", examples=("/cop setup DevOps CoP",)),
))
JOIN = Topic("join", aliases=("leave",), about=(
    "Join or leave the community of this channel. Joining or leaving the channel itself does the same; what "
    "someone leaving still owned goes back to the pool, and the community's leads are told by DM."), commands=(
    Command("join", handle_join, help="join the community of this channel", examples=("/cop join",)),
    Command("leave", handle_leave, help="leave the community of this channel; your open actions go back to the pool "
                                        "and its leads are told", examples=("/cop leave",)),
))
