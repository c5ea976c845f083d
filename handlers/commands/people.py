"""`/cop role`, `/cop capacity`, `/cop expertise`: who does what in a community, and how much."""

from __future__ import annotations

from bot.blocks import people as blocks
from handlers.base import Request
from handlers.commands.parse import take_hashtags, take_mentions
from handlers.commands.registry import Command, Topic
from handlers.commands.resolve import target_community
from models.actions.queries import open_counts
from models.errors import BadArgument
from models.numbers import whole_number
from models.people import (
    Role,
    members_with_roles,
    name_overall_lead,
    require_lead,
    require_member,
    set_capacity,
    set_role,
)
from models.tags import normalise_tags

# Not a role in one community: an overall lead leads them all, in this workspace.
OVERALL_LEAD = "overall-lead"
ROLE_NAMES = "lead, co-lead, secretary, sme, core, member, guest or overall-lead"


def handle_role(request: Request, args: str) -> None:
    community = target_community(request)
    if not args.strip():
        listed = members_with_roles(request.session, community=community, roles=frozenset(blocks.ROLE_WORDS))
        for membership in listed:
            request.person(membership.person.user_id)  # fresh names
        request.reply(blocks.roles_list(community, listed))
        return
    people, rest = take_mentions(args)
    word = rest.strip().lower()
    if word != OVERALL_LEAD and word not in set(Role):
        raise BadArgument(f"Name one of the roles {ROLE_NAMES}.")
    if len(people) != 1:
        raise BadArgument("Mention the one person whose role changes, e.g. `@dana`.")
    if word == OVERALL_LEAD:
        person = request.person(people[0])
        name_overall_lead(person, by=request.person(), admin_ids=request.services.settings.admin_ids)
        request.reply(blocks.overall_lead_named(person))
        return
    role = Role(word)
    require_lead(request.session, community=community, person=request.person(),
                 admin_ids=request.services.settings.admin_ids, doing="name its leads, co-leads and SMEs")
    person = request.person(people[0])
    if person.is_bot:
        raise BadArgument("Bots don't take roles.")
    set_role(request.session, community=community, person=person, role=role)
    request.reply(blocks.role_set(community, person, role))


def handle_capacity(request: Request, args: str) -> None:
    community = target_community(request)
    membership = require_member(request.session, community=community, person=request.person())
    word = args.strip()
    if word:
        capacity = whole_number(word, digits=3)
        if capacity is None:
            raise BadArgument("Say how many open actions you take on at a time, e.g. `/cop capacity 2` "
                              "(0 for none for now).")
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
            raise BadArgument(f"I didn't understand “{rest[:40]}”.")
        person.expertise = normalise_tags(tags)
    request.reply(blocks.expertise_reply(person))


ROLE = Topic("role", aliases=("roles",), about=(
    "Shows who leads the community, its secretaries, subject-matter experts (SMEs) and core team; a lead names "
    "them. SMEs review tips into guidelines; a secretary edits the draft Terms of Reference; the core team is "
    "counted apart. A community always keeps at least one lead. An overall lead can name another overall lead "
    "(`overall-lead`), for every community in the workspace."), commands=(
    Command("role", handle_role, usage="[@user lead|co-lead|secretary|sme|core|member|guest|overall-lead]",
            help="who leads the community, its secretaries, SMEs and core team; a lead names them (the community "
                 "keeps at least one lead), an overall lead names another overall lead",
            examples=("/cop role", "/cop role @dana sme", "/cop role @dana secretary")),
))
CAPACITY = Topic("capacity", aliases=("expertise",), about=(
    "How many open actions you take on at a time in this community (3 unless you say; 0 for none for now), and "
    "what you know about. Suggestions for unowned actions go to members with the most room, matched to the "
    "action's tags; nobody is assigned without agreeing."), commands=(
    Command("capacity", handle_capacity, usage="[<number of open actions>]",
            help="how many open actions you take on here (3 by default; 0 for none)", examples=("/cop capacity 2",)),
    Command("expertise", handle_expertise, usage="[#tag ...] | clear",
            help="what you know: what suggestions for unowned actions are based on",
            examples=("/cop expertise #terraform #kubernetes",)),
))
