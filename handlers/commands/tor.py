"""`/cop tor [show | set <field> <text>]`: what a community is for; leads write it, anyone reads it."""

from __future__ import annotations

from bot.blocks import preferences
from handlers.base import Request
from handlers.commands.resolve import target_community
from models.errors import BadArgument
from models.people import require_lead
from models.terms import TOR_USAGE, set_term, terms_of


def handle_tor(request: Request, args: str) -> None:
    sub, _, rest = args.strip().partition(" ")
    community = target_community(request)
    if sub.lower() in ("", "show"):
        request.reply(preferences.terms(community, terms_of(request.session, community=community)))
        return
    if sub.lower() != "set":
        raise BadArgument(f"I don't know `/cop tor {sub[:30]}`.", usage=TOR_USAGE)
    field, _, text = rest.strip().partition(" ")
    if not field:
        raise BadArgument("Say which field to set: purpose, scope, members or cadence.", usage=TOR_USAGE)
    person = request.person()
    require_lead(request.session, community=community, person=person,
                 admin_ids=request.services.settings.admin_ids, doing="change its Terms of Reference")
    set_term(request.session, community=community, field=field, text=request.plain(text), by=person,
             now=request.now)
    request.reply(preferences.terms(community, terms_of(request.session, community=community)))
