"""`/cop digest [preview]` shows the last seven days privately; `/cop digest dm on|off` subscribes;
`/cop digest slot` says when the channel's digest comes, and a lead moves it."""

from __future__ import annotations

from bot.blocks import preferences
from bot.blocks.digest import Copy, digest_message, slot_reply
from bot.digests import post_channel_digest
from handlers.base import Request
from handlers.commands.parse import on_or_off
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import led_community, target_community
from models.attention import set_wanted
from models.digests import build_digest
from models.digests.period import week_ending
from models.digests.slot import digest_plan, move_digest_slot
from models.errors import BadArgument
from models.when import WhenError, parse_clock, parse_weekday


def handle_digest_slot(request: Request, args: str) -> None:
    """Without arguments, when the channel's digest comes; with a day and a time, a lead moves it."""
    words = [w for w in args.split() if w.lower() != "at"]
    if not words:
        community = target_community(request)
        request.reply(slot_reply(community, request.person(), digest_plan(request.session, community=community,
                                                                          now=request.now), changed=False,
                                  now=request.now))
        return
    community, person = led_community(request, doing="change when its digest is posted")
    if len(words) < 2:
        raise BadArgument("Give a day and a time of day, e.g. `/cop digest slot fri 16:30`.")
    try:
        weekday, at = parse_weekday(words[0]), parse_clock(" ".join(words[1:]))
    except WhenError as error:
        raise BadArgument(str(error)) from None
    plan = move_digest_slot(request.session, community=community, weekday=weekday, at=at, now=request.now)
    if plan.catch_up is not None:
        post_channel_digest(request.session, due=plan.catch_up, now=request.now)
    request.reply(slot_reply(community, person, plan, changed=True, now=request.now))


def handle_digest_dm(request: Request, args: str) -> None:
    on = on_or_off(args)
    set_wanted(request.person(), "digest", on)
    request.reply(preferences.switched("digest", on))


def handle_digest_preview(request: Request, args: str) -> None:
    if args.strip():
        raise BadArgument(f"I don't know “{args.strip()[:30]}” here: `/cop digest preview` takes nothing more.")
    community = target_community(request)
    person = request.person()
    digest = build_digest(request.session, community=community, period=week_ending(request.now, person.tz),
                          reader=person)
    request.reply(digest_message(digest, Copy.PREVIEW))


DIGEST = Topic("digest", about=(
    "The weekly digest: what happened in the community (actions, new members, contributions) and what is "
    "coming. It is posted in the channel once a week at the community's slot, Monday at 09:00 in its zone unless a "
    "lead moves it with `slot` (a day, full or short, and a time, 24-hour or am/pm); `slot` alone says when, in the "
    "community's zone and yours. Moved mid-week, it still comes once that week: not again if this week's went out, "
    "at once if its new time has passed and it had not. With `dm on` you also get your own copy, with your open "
    "actions and what mentioned you that week, at 09:00 in *your* zone on that day. `preview` shows the last "
    "seven days now, only to you, with your own part."), commands=(
    Command("digest preview", handle_digest_preview, bare=True,
            help="the last seven days of this community, with your own part (your actions, where you were "
                 "mentioned), shown only to you", examples=("/cop digest preview",)),
    Command("digest dm", handle_digest_dm, usage="on|off",
            help="your own copy of each community's weekly digest, by DM at 09:00 in your zone on its digest day",
            examples=("/cop digest dm on",)),
    Command("digest slot", handle_digest_slot, usage="[<day> <HH:MM>]",
            help="when the channel's digest comes, in the community's zone and yours; a lead moves it",
            examples=("/cop digest slot", "/cop digest slot fri 16:30", "/cop digest slot thursday 8am")),
))
