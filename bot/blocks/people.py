"""Roles, capacity and expertise as people see them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import name, tag_list
from bot.render import Message, context, escape, section
from models.communities import Community
from models.people import Membership, Person, Role

ROLE_WORDS = {Role.LEAD: "Leads", Role.CO_LEAD: "Co-leads", Role.SECRETARY: "Secretaries",
              Role.SME: "Subject-matter experts", Role.CORE: "Core team"}


def roles_list(community: Community, memberships: Sequence[Membership]) -> Message:
    lines = []
    for role, heading in ROLE_WORDS.items():
        people = [name(m.person) for m in memberships if m.role == role]
        lines.append(f"*{heading}:* {', '.join(people) if people else '_none yet_'}")
    return Message.of(f"Roles in {community.name}", [
        section(f"*Roles in {escape(community.name)}*\n" + "\n".join(lines)),
        context("A lead names them: `/cop role @someone lead|co-lead|secretary|sme|core|member|guest`"),
    ])


def role_set(community: Community, person: Person, role: Role) -> Message:
    return Message.of("Role changed", [section(
        f":white_check_mark: {name(person)} is now *{role.value}* in *{escape(community.name)}*.")])


def overall_lead_named(person: Person) -> Message:
    return Message.of("Overall lead named", [section(
        f":white_check_mark: {name(person)} is now an *overall lead*: they may set up and lead every community "
        "here, and blocked actions reach them.")])


def capacity_reply(community: Community, membership: Membership, open_actions: int, *, changed: bool) -> Message:
    if membership.capacity == 0:
        head = f"You are not taking on new actions in *{escape(community.name)}* for now"
    else:
        head = (f"You take on up to *{membership.capacity}* open actions at a time in *{escape(community.name)}*"
                f"{' from now on' if changed else ''}")
    expertise = membership.person.expertise or []
    knows = f"Your expertise: {tag_list(expertise)}." if expertise else "No expertise declared: `/cop expertise #tag`."
    return Message.of("Your capacity", [
        section(f"{head}; you have {open_actions} open now."),
        context(f"{knows} copbot suggests people with room, and matching expertise, for actions nobody owns."),
    ])


def expertise_reply(person: Person) -> Message:
    if not person.expertise:
        return Message.of("Your expertise", [section("You have no expertise declared. "
                                                    "`/cop expertise #terraform #ci` declares some.")])
    return Message.of("Your expertise", [
        section(f"Your expertise: {tag_list(person.expertise)}"),
        context("Actions with these tags may be suggested to you when nobody owns them. "
                "`/cop expertise clear` forgets them."),
    ])
