"""`/cop outbox`: what copbot could not deliver for a community yet, for its leads."""

from __future__ import annotations

from bot.blocks.outbox import outbox_list
from handlers.base import Request
from handlers.commands.resolve import target_community
from models.deliveries import undelivered
from models.errors import BadArgument
from models.people import require_lead

OUTBOX_USAGE = "/cop outbox"


def handle_outbox(request: Request, args: str) -> None:
    """Messages for this community still retrying after an error, or failed for good; leads only, privately."""
    if args.strip():
        raise BadArgument("`/cop outbox` takes nothing after it.", usage=OUTBOX_USAGE)
    community = target_community(request)
    require_lead(request.session, community=community, person=request.person(),
                 admin_ids=request.services.settings.admin_ids, doing="see what copbot could not deliver")
    request.reply(outbox_list(community, undelivered(request.session, community_id=community.id, now=request.now)))
