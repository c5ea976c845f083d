"""`/cop digest [preview]` shows the last seven days privately; `/cop digest dm on|off` subscribes."""

from __future__ import annotations

from bot.blocks import preferences
from bot.blocks.digest import Copy, digest_message
from handlers.base import Request
from handlers.commands.preferences import parse_switch
from handlers.commands.resolve import target_community
from models.attention import set_wanted
from models.digests import build_digest
from models.digests.period import week_ending
from models.errors import BadArgument

DIGEST_USAGE = "/cop digest [preview] | /cop digest dm on|off"


def handle_digest(request: Request, args: str) -> None:
    words = args.lower().split()
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
