"""`/cop quiet [after <days>]`: who has gone quiet, for a community's leads only and only privately."""

from __future__ import annotations

from bot.blocks.nudges import quiet_list
from handlers.base import Request
from handlers.commands.resolve import target_community
from models.errors import BadArgument
from models.nudges import MAX_QUIET_AFTER_DAYS, quiet_members
from models.numbers import whole_number
from models.people import require_lead

QUIET_USAGE = "/cop quiet [after <days>]"


def handle_quiet(request: Request, args: str) -> None:
    """The quiet list, for the community's threshold or `after <days>`; leads only, and only ever shown to the
    lead who asked. Reading it changes nothing: `/cop nudges after <days>` sets when nudges begin."""
    community = target_community(request)
    require_lead(request.session, community=community, person=request.person(),
                 admin_ids=request.services.settings.admin_ids, doing="see who has gone quiet")
    days = quiet_days(args, usage=QUIET_USAGE) if args.strip() else None
    members = quiet_members(request.session, now=request.now, community_id=community.id, after_days=days)
    request.reply(quiet_list(community, members, now=request.now, after_days=days))


def quiet_days(args: str, *, usage: str) -> int:
    """`after <days>`: days without a contribution, 7 to MAX_QUIET_AFTER_DAYS."""
    words = args.lower().split()
    if len(words) != 2 or words[0] != "after" or whole_number(words[1]) is None:
        raise BadArgument("Say after how many days without a contribution someone counts as quiet, "
                          "e.g. `after 30`.", usage=usage)
    days = int(words[1])
    if not 7 <= days <= MAX_QUIET_AFTER_DAYS:
        raise BadArgument(f"Choose between 7 and {MAX_QUIET_AFTER_DAYS} days.", usage=usage)
    return days
