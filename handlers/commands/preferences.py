"""How copbot may reach a person: `/cop nudges|lurker|tips on|off`, `/cop hours`, `/cop dm-budget`, `/cop intro`."""

from __future__ import annotations

from bot.blocks import preferences
from bot.blocks.welcome import INTRO_USAGE, intro_reply
from bot.welcome import post_intro
from handlers.base import Request
from handlers.commands.quiet import quiet_days
from handlers.commands.resolve import community_here, target_community
from models.attention import dms_used, set_budget, set_wanted
from models.errors import BadArgument
from models.hours import parse_hours
from models.numbers import whole_number
from models.people import active_membership, communities_of, require_lead

MAX_INTERESTS = 300


def parse_switch(args: str, *, usage: str) -> bool:
    word = args.strip().lower()
    if word in ("on", "yes", "true"):
        return True
    if word in ("off", "no", "false"):
        return False
    raise BadArgument("Say `on` or `off`.", usage=usage)


NUDGES_USAGE = "/cop nudges on|off · /cop nudges after <days> (leads)"


def handle_nudges(request: Request, args: str) -> None:
    """Your own nudges on or off; or, for a lead, after how many quiet days the community's nudges begin."""
    if args.lower().split()[:1] == ["after"]:
        community = target_community(request)
        require_lead(request.session, community=community, person=request.person(),
                     admin_ids=request.services.settings.admin_ids, doing="change when nudges begin")
        community.quiet_after_days = quiet_days(args, usage=NUDGES_USAGE)
        request.reply(preferences.nudges_after(community))
        return
    on = parse_switch(args, usage=NUDGES_USAGE)
    set_wanted(request.person(), "nudge", on)
    request.reply(preferences.switched("nudge", on))


def handle_tips(request: Request, args: str) -> None:
    on = parse_switch(args, usage="/cop tips on|off")
    set_wanted(request.person(), "newcomer", on)
    request.reply(preferences.switched("newcomer", on))


def handle_lurker(request: Request, args: str) -> None:
    on = parse_switch(args, usage="/cop lurker on|off")
    request.person().lurker = on
    request.reply(preferences.lurker_switched(on))


def handle_hours(request: Request, args: str) -> None:
    """Without arguments, shows the hours; nudges and check-ins only arrive inside them."""
    person = request.person()
    if args.strip():
        person.work_start, person.work_end, person.work_days = parse_hours(args)
    request.reply(preferences.hours_set(person))


def handle_dm_budget(request: Request, args: str) -> None:
    person = request.person()
    if args.strip():
        budget = whole_number(args, digits=3)
        if budget is None:
            raise BadArgument("Give the number of messages a week, e.g. `3`.", usage="/cop dm-budget <0-20>")
        set_budget(person, budget)
    used = dms_used(request.session, team_id=person.team_id, user_ids=[person.user_id], now=request.now)
    request.reply(preferences.budget(person, used.get(person.user_id, 0)))


def handle_intro(request: Request, args: str) -> None:
    """What the person works on or is curious about; told to the community of this channel, once per join."""
    text = " ".join(args.split())
    if not text:
        raise BadArgument("Tell us in a line what you work on or are curious about.", usage=INTRO_USAGE)
    if len(text) > MAX_INTERESTS:
        raise BadArgument(f"That is {len(text)} characters long; keep it to {MAX_INTERESTS}.", usage=INTRO_USAGE)
    person = request.person()
    person.interests = text
    community = community_here(request)
    if community is None:
        mine = communities_of(request.session, person=person)
        community = mine[0] if len(mine) == 1 else None
    membership = active_membership(request.session, community=community, person=person) if community else None
    posted = False
    if community is not None and membership is not None:
        posted = post_intro(request.session, community=community, membership=membership, now=request.now)
    request.reply(intro_reply(community if posted else None))
