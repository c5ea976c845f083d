"""`/cop health [<community>]`: the health index with its formula, each component and its trend, and a chart;
`/cop health dms on|off`: a lead's private word when a community starts fading."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from bot.blocks import health as blocks
from bot.files import share_chart
from handlers.base import Request
from handlers.channels import channel_in
from handlers.commands.parse import on_or_off
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import target_community
from models.attention import set_wanted
from models.communities import Community
from models.errors import BadArgument, NotFound
from models.health import formula_text, history, read_health
from models.health.snapshots import TREND_WEEKS, week_of, weeks_back
from models.people import require_member_or_overall_lead

logger = logging.getLogger(__name__)

MAX_NAME = 80


def named_community(request: Request, words: str) -> Community:
    """The community named by `words` (its name, or its channel as `#channel`); this channel's without words."""
    words = " ".join(words.split())
    if not words:
        return target_community(request)
    channel = channel_in(words)
    if channel:
        found = request.session.scalars(select(Community).where(
            Community.team_id == request.team_id, Community.channel_id == channel)).one_or_none()
        if found is None:
            raise NotFound("That channel is not a community's channel.")
        return found
    if len(words) > MAX_NAME:
        raise BadArgument(f"A community's name is at most {MAX_NAME} characters; that was {len(words)}.")
    wanted = words.lstrip("#").lower()
    matches = request.session.scalars(select(Community).where(
        Community.team_id == request.team_id,
        (func.lower(Community.name) == wanted) | (func.lower(Community.channel_name) == wanted))).all()
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise BadArgument(f"More than one community is called “{words}”: name it by its channel, e.g. "
                          f"`/cop health #{matches[0].channel_name or 'channel'}`.")
    raise NotFound(f"There is no community called “{words}”. Name it as it was set up, or by its channel.")


def handle_health(request: Request, args: str) -> None:
    community = named_community(request, args)
    viewer = request.person()
    require_member_or_overall_lead(request.session, community=community, person=viewer,
                                   admin_ids=request.services.settings.admin_ids)
    [reading] = read_health(request.session, now=request.now, communities=[community])
    snapshots = history(request.session, community_ids=[community.id], now=request.now)[community.id]
    request.reply(blocks.health_message(reading, weeks_back(snapshots, now=request.now, weeks=TREND_WEEKS)))
    # The weeks before this one, then this moment's reading (which this week's snapshot would repeat).
    chart = blocks.health_chart(community, [s for s in snapshots if s.week < week_of(request.now)], reading)
    user_id, client = request.user_id, request.client

    def share() -> None:
        try:
            share_chart(client, chart=chart, filename=f"health-{community.id}",
                        comment=f"Health of {community.name} over the last weeks.", user_id=user_id)
        except Exception as error:
            logger.warning("could not share a health chart (%s)", type(error).__name__)

    request.after_commit(share)


def handle_health_dms(request: Request, args: str) -> None:
    on = on_or_off(args)
    set_wanted(request.person(), "fading", on)
    request.reply(blocks.dms_switched(on))


HEALTH = Topic("health", about=(
    "A community's health index, 0 to 100, and exactly how it is made: " + formula_text() + ". Each "
    "component is shown with the counts behind it and its trend over four weeks; a component with no data is "
    "said to be missing and left out, the other weights scaled up. Open to the community's members; a chart "
    "of the last weeks comes to your DM. Leads hear privately, once, when a community starts fading."),
    commands=(
    Command("health", handle_health, usage="[<community>]",
            help="the health index with its weights, each component and its trend, and a chart of the last weeks "
                 "in your DM; members of the community only",
            examples=("/cop health", "/cop health DevOps CoP", "/cop health #devops")),
    Command("health dms", handle_health_dms, usage="on | off",
            help="as a lead, a private word when a community you lead (or oversee) starts fading, or not",
            examples=("/cop health dms off",)),
))
