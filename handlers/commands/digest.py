"""`/cop digest [preview]` shows the last seven days privately; `/cop digest dm on|off` subscribes;
`/cop digest slot` says when the channel's digest comes, and a lead moves it."""

from __future__ import annotations

from bot.blocks import preferences
from bot.blocks.digest import Copy, digest_message, slot_reply
from bot.digests import post_channel_digest
from handlers.base import Request
from handlers.commands.preferences import parse_switch
from handlers.commands.resolve import led_community, target_community
from models.attention import set_wanted
from models.digests import build_digest
from models.digests.period import week_ending
from models.digests.slot import digest_plan, move_digest_slot
from models.errors import BadArgument
from models.when import WhenError, parse_clock, parse_weekday

DIGEST_USAGE = "/cop digest [preview] | /cop digest dm on|off | /cop digest slot [<day> <HH:MM>]"
SLOT_USAGE = "/cop digest slot [<day> <HH:MM>]   e.g. fri 16:30 · monday 9am · thu 4:30pm"


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
        raise BadArgument("Give a day and a time of day, e.g. `/cop digest slot fri 16:30`.", usage=SLOT_USAGE)
    try:
        weekday, at = parse_weekday(words[0]), parse_clock(" ".join(words[1:]))
    except WhenError as error:
        raise BadArgument(str(error), usage=SLOT_USAGE) from None
    plan = move_digest_slot(request.session, community=community, weekday=weekday, at=at, now=request.now)
    if plan.catch_up is not None:
        post_channel_digest(request.session, due=plan.catch_up, now=request.now)
    request.reply(slot_reply(community, person, plan, changed=True, now=request.now))


def handle_digest(request: Request, args: str) -> None:
    words = args.lower().split()
    if words[:1] == ["slot"]:
        handle_digest_slot(request, args.strip()[len("slot"):])
        return
    if words[:1] == ["dm"]:
        on = parse_switch(" ".join(words[1:]), usage=DIGEST_USAGE)
        set_wanted(request.person(), "digest", on)
        request.reply(preferences.switched("digest", on))
        return
    if words not in ([], ["preview"]):
        raise BadArgument(f"I don't know `/cop digest {args.strip()[:30]}`.", usage=DIGEST_USAGE)
    community = target_community(request)
    person = request.person()
    digest = build_digest(request.session, community=community, period=week_ending(request.now, person.tz),
                          reader=person)
    request.reply(digest_message(digest, Copy.PREVIEW))
