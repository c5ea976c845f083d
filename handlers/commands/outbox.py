"""`/cop outbox`: what copbot could not deliver for a community yet, for its leads."""

from __future__ import annotations

from bot.blocks.outbox import outbox_list
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import target_community
from models.errors import BadArgument
from models.people import require_lead
from models.undelivered import undelivered, undelivered_counts


def handle_outbox(request: Request, args: str) -> None:
    """Messages for this community held back, still retrying after an error, or failed for good; leads only,
    privately."""
    if args.strip():
        raise BadArgument("`/cop outbox` takes nothing after it.")
    community = target_community(request)
    require_lead(request.session, community=community, person=request.person(),
                 admin_ids=request.services.settings.admin_ids, doing="see what copbot could not deliver")
    items = undelivered(request.session, community_id=community.id, now=request.now)
    counts = undelivered_counts(request.session, community_id=community.id, now=request.now)
    request.reply(outbox_list(community, items, counts))


OUTBOX = Topic("outbox", about=(
    "For leads: what copbot could not deliver for this community yet. A message Slack refused for a passing reason "
    "(an outage, a timeout) is tried again for a day; one it cannot take (copbot not in the channel, the channel "
    "gone) fails at once and is listed with what to do about it. One held back while the channel is archived, the "
    "person deactivated or copbot removed is listed as held, with why, and goes once that is over."), commands=(
    Command("outbox", handle_outbox, who=Who.LEADS,
            help="what copbot could not deliver for this community yet: held back, still retrying, or failed for "
                 "good in the last 14 days, with what to do about it", examples=("/cop outbox",)),
))
