"""`/cop tor [show | set <field> <text>]`: what a community is for; leads write it, anyone reads it."""

from __future__ import annotations

from bot.blocks import preferences
from handlers.base import Request
from handlers.commands.registry import Command, Topic, Who
from handlers.commands.resolve import target_community
from models.errors import BadArgument
from models.people import require_lead
from models.terms import TOR_FIELDS, set_term, terms_of


def handle_tor_show(request: Request, args: str) -> None:
    community = target_community(request)
    request.reply(preferences.terms(community, terms_of(request.session, community=community)))


def handle_tor_set(request: Request, args: str) -> None:
    community = target_community(request)
    field, _, text = args.strip().partition(" ")
    if not field:
        raise BadArgument(f"Say which field to set: {', '.join(TOR_FIELDS)}.")
    person = request.person()
    require_lead(request.session, community=community, person=person,
                 admin_ids=request.services.settings.admin_ids, doing="change its Terms of Reference")
    set_term(request.session, community=community, field=field, text=request.plain(text), by=person,
             now=request.now)
    request.reply(preferences.terms(community, terms_of(request.session, community=community)))


TOR = Topic("tor", about=(
    "The community's Terms of Reference: why it exists, what it covers, who it is for and how often it meets. "
    "Anyone can read them; leads write them, and newcomers get them in their welcome."), commands=(
    Command("tor show", handle_tor_show, bare=True, help="the community's Terms of Reference",
            examples=("/cop tor",)),
    Command("tor set", handle_tor_set, usage="<purpose|scope|members|cadence> <text>", who=Who.LEADS,
            help="write a field of the Terms of Reference (an empty text clears it)",
            examples=("/cop tor set purpose Share what we learn running production systems",
                      "/cop tor set cadence Monthly, first Tuesday, 15:00 London")),
))
