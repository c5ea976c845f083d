"""`/cop quiet [after <days>]`: who has gone quiet, for a community's leads only and only privately."""

from __future__ import annotations

from bot.blocks.nudges import quiet_list
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import led_community
from models.errors import BadArgument
from models.nudges import MAX_QUIET_AFTER_DAYS, quiet_members
from models.numbers import whole_number


def handle_quiet(request: Request, args: str) -> None:
    """The quiet list, for the community's threshold or `after <days>`; leads only, and only ever shown to the
    lead who asked. Reading it changes nothing: `/cop nudges after <days>` sets when nudges begin."""
    community, _ = led_community(request, doing="see who has gone quiet")
    words = args.lower().split()
    if words and (len(words) != 2 or words[0] != "after"):
        raise BadArgument("Say after how many days without a contribution someone counts as quiet, e.g. `after 30`.")
    days = quiet_days(words[1]) if words else None
    members = quiet_members(request.session, now=request.now, community_id=community.id, after_days=days)
    request.reply(quiet_list(community, members, now=request.now, after_days=days))


def quiet_days(word: str) -> int:
    """Days without a contribution after which someone counts as quiet, 7 to MAX_QUIET_AFTER_DAYS."""
    days = whole_number(word.strip(), digits=4)
    if days is None:
        raise BadArgument("Say after how many days without a contribution someone counts as quiet, e.g. `30`.")
    if not 7 <= days <= MAX_QUIET_AFTER_DAYS:
        raise BadArgument(f"Choose between 7 and {MAX_QUIET_AFTER_DAYS} days.")
    return days


QUIET = Topic("quiet", about=(
    "For leads: who in this community has contributed nothing lately (for the days after which nudges begin, or "
    "for `after <days>`), whether copbot may nudge them, and when it last did. Only you see it; nobody is ever "
    "named as quiet in public. Looking never changes when nudges begin: `/cop nudges after <days>` does."),
    commands=(
    Command("quiet", handle_quiet, usage="[after <days>]", who=Who.LEADS,
            help="who has contributed nothing for the community's quiet days (or `<days>`), privately; never shown "
                 "in public, and never changes when nudges begin", examples=("/cop quiet", "/cop quiet after 30")),
))
