"""`/cop role`, `/cop capacity`, `/cop expertise`: who does what in a community, and how much."""

from __future__ import annotations

from bot.blocks import people as blocks
from handlers.base import Request
from handlers.commands.parse import take_hashtags, take_mentions
from handlers.commands.resolve import target_community
from models.actions.queries import open_counts
from models.errors import BadArgument
from models.numbers import whole_number
from models.people import Role, members_with_roles, require_lead, require_member, set_capacity, set_role
from models.tags import normalise_tags

ROLE_USAGE = "/cop role @user lead|co-lead|sme|member|guest"
CAPACITY_USAGE = "/cop capacity [<number of open actions>]"
EXPERTISE_USAGE = "/cop expertise #tag [#tag ...] | clear"


def handle_role(request: Request, args: str) -> None:
    community = target_community(request)
    if not args.strip():
        listed = members_with_roles(request.session, community=community, roles=frozenset(blocks.ROLE_WORDS))
        for membership in listed:
            request.person(membership.person.user_id)  # fresh names
        request.reply(blocks.roles_list(community, listed))
        return
    people, rest = take_mentions(args)
    try:
        role = Role(rest.strip().lower())
    except ValueError:
        raise BadArgument("Name one of the roles lead, co-lead, sme, member or guest.", usage=ROLE_USAGE) from None
    if len(people) != 1:
        raise BadArgument("Mention the one person whose role changes, e.g. `@dana`.", usage=ROLE_USAGE)
    require_lead(request.session, community=community, person=request.person(),
                 admin_ids=request.services.settings.admin_ids, doing="name its leads, co-leads and SMEs")
    person = request.person(people[0])
    if person.is_bot:
        raise BadArgument("Bots don't take roles.", usage=ROLE_USAGE)
    set_role(request.session, community=community, person=person, role=role)
    request.reply(blocks.role_set(community, person, role))


def handle_capacity(request: Request, args: str) -> None:
    community = target_community(request)
    membership = require_member(request.session, community=community, person=request.person(), usage=CAPACITY_USAGE)
    word = args.strip()
    if word:
        capacity = whole_number(word, digits=3)
        if capacity is None:
            raise BadArgument("Say how many open actions you take on at a time, e.g. `/cop capacity 2` "
                              "(0 for none for now).", usage=CAPACITY_USAGE)
        set_capacity(membership, capacity)
    open_now = open_counts(request.session, community=community).get(membership.person_id, 0)
    request.reply(blocks.capacity_reply(community, membership, open_now, changed=bool(word)))


def handle_expertise(request: Request, args: str) -> None:
    person = request.person()
    text = args.strip()
    if text.lower() == "clear":
        person.expertise = []
    elif text:
        tags, rest = take_hashtags(text if "#" in text else " ".join(f"#{w}" for w in text.replace(",", " ").split()))
        if rest:
            raise BadArgument(f"I didn't understand “{rest[:40]}”.", usage=EXPERTISE_USAGE)
        person.expertise = normalise_tags(tags, usage=EXPERTISE_USAGE)
    request.reply(blocks.expertise_reply(person))
