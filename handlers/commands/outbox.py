"""`/cop outbox`: what copbot could not deliver for a community yet, for its leads."""

from __future__ import annotations

from bot.blocks.outbox import outbox_list
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import target_community
from models.deliveries import undelivered
from models.errors import BadArgument
from models.people import require_lead


def handle_outbox(request: Request, args: str) -> None:
    """Messages for this community still retrying after an error, or failed for good; leads only, privately."""
    if args.strip():
        raise BadArgument("`/cop outbox` takes nothing after it.")
    community = target_community(request)
    require_lead(request.session, community=community, person=request.person(),
                 admin_ids=request.services.settings.admin_ids, doing="see what copbot could not deliver")
    request.reply(outbox_list(community, undelivered(request.session, community_id=community.id, now=request.now)))


OUTBOX = Topic("outbox", about=(
    "For leads: what copbot could not deliver for this community yet. A message Slack refused for a passing reason "
    "(an outage, a timeout) is tried again for a day; one it cannot take (copbot not in the channel, an archived "
    "channel, someone who left) fails at once and is listed with what to do about it."), commands=(
    Command("outbox", handle_outbox, who=Who.LEADS,
            help="what copbot could not deliver for this community yet: still retrying, or failed for good in the "
                 "last 14 days, with what to do about it", examples=("/cop outbox",)),
))
