"""How copbot may reach a person: `/cop nudges|lurker|tips on|off`, `/cop hours`, `/cop dm-budget`, `/cop intro`."""

from __future__ import annotations

from bot.blocks import preferences
from bot.blocks.welcome import INTRO_ARGUMENTS, intro_reply
from bot.welcome import post_intro
from handlers.base import Request
from handlers.commands.parse import on_or_off
from handlers.commands.quiet import quiet_days
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import community_here, led_community
from models.attention import dms_used, set_budget, set_wanted
from models.errors import BadArgument
from models.hours import parse_hours
from models.numbers import whole_number
from models.people import active_membership, communities_of

MAX_INTERESTS = 300


def handle_nudges(request: Request, args: str) -> None:
    """Your own nudges on or off."""
    on = on_or_off(args)
    set_wanted(request.person(), "nudge", on)
    request.reply(preferences.switched("nudge", on))


def handle_nudges_after(request: Request, args: str) -> None:
    """For a lead: after how many quiet days the community's nudges begin."""
    community, _ = led_community(request, doing="change when nudges begin")
    community.quiet_after_days = quiet_days(args)
    request.reply(preferences.nudges_after(community))


def handle_tips(request: Request, args: str) -> None:
    on = on_or_off(args)
    set_wanted(request.person(), "newcomer", on)
    request.reply(preferences.switched("newcomer", on))


def handle_lurker(request: Request, args: str) -> None:
    on = on_or_off(args)
    request.person().lurker = on
    request.reply(preferences.lurker_switched(on))


def handle_hours(request: Request, args: str) -> None:
    """Without arguments, shows the hours; what copbot sends unasked only arrives inside them."""
    person = request.person()
    if args.strip():
        person.work_start, person.work_end, person.work_days = parse_hours(args)
    request.reply(preferences.hours_set(person))


def handle_dm_budget(request: Request, args: str) -> None:
    person = request.person()
    if args.strip():
        budget = whole_number(args, digits=3)
        if budget is None:
            raise BadArgument("Give the number of messages a week, e.g. `3`.")
        set_budget(person, budget)
    used = dms_used(request.session, team_id=person.team_id, user_ids=[person.user_id], now=request.now)
    request.reply(preferences.budget(person, used.get(person.user_id, 0)))


def handle_intro(request: Request, args: str) -> None:
    """What the person works on or is curious about; told to the community of this channel, once per join."""
    text = " ".join(request.plain(args).split())
    if not text:
        raise BadArgument("Tell us in a line what you work on or are curious about.")
    if len(text) > MAX_INTERESTS:
        raise BadArgument(f"That is {len(text)} characters long; keep it to {MAX_INTERESTS}.")
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


NUDGES = Topic("nudges", aliases=("lurker", "tips", "hours", "dm-budget"), about=(
    "What copbot may send you unasked. After three quiet weeks in a community (a lead changes how many days with "
    "`nudges after <days>`, 7 to 365) it may suggest one small thing, at most once a fortnight and only in your "
    "working hours (09:00-17:00 your time, Monday to Friday unless you say otherwise); whatever else it sends you "
    "unasked waits for those hours too (a meeting reminder that could only come after the meeting began is not sent)."
    " Happy lurkers are never nudged. `tips` are the welcome and check-in messages when you join. `dm-budget` caps "
    "every message copbot sends you unasked (these, meeting reminders, standup questions, action reminders and "
    "requests, escalations, quarterly scorecards) at so many a week; the rest wait for your digest. The digest you "
    "asked for, and answers to what you did, never count."), commands=(
    Command("nudges", handle_nudges, usage="on|off", help="whether copbot may nudge you when you go quiet",
            examples=("/cop nudges off",)),
    Command("nudges after", handle_nudges_after, usage="<days>", who=Who.LEADS,
            help="after how many days without a contribution members count as quiet and may be nudged (21 unless "
                 "changed)", examples=("/cop nudges after 30",)),
    Command("lurker", handle_lurker, usage="on|off", help="declare yourself a happy lurker: never nudged",
            examples=("/cop lurker on",)),
    Command("tips", handle_tips, usage="on|off", help="the welcome and check-in DMs when you join a community",
            examples=("/cop tips off",)),
    Command("hours", handle_hours, usage="[<start>-<end> [days]]",
            help="your working hours (default `09:00-17:00 mon-fri`, in your zone): every unasked-for DM waits for "
                 "them; a meeting reminder that could only come after the meeting began is not sent",
            examples=("/cop hours 08:30-16:30 mon-thu",)),
    Command("dm-budget", handle_dm_budget, usage="[<0-20>]",
            help="at most this many unasked-for DMs a week (default 5), of every kind but the digest you asked for; "
                 "what would go over waits for your digest", examples=("/cop dm-budget 2",)),
))
INTRO = Topic("intro", about=(
    "Tell the community what you're into: it is posted under your welcome, and copbot uses it to suggest actions "
    "that fit you."), commands=(
    Command("intro", handle_intro, usage=INTRO_ARGUMENTS,
            help="say what you work on or are curious about: told to the channel under your welcome, and used to "
                 "suggest actions that fit you",
            examples=("/cop intro Terraform modules, platform testing and on-call tooling",)),
))
