"""Replies to a person changing how copbot may reach them, and the Terms of Reference."""

from __future__ import annotations

from bot.blocks.welcome import terms_sections
from bot.render import Message, context, escape, section
from models.attention import DM_KINDS
from models.communities import Community
from models.hours import WorkingHours
from models.people import Person
from models.terms import TOR_FIELDS, TermsOfReference


def switched(kind: str, on: bool) -> Message:
    """After `/cop nudges|tips|digest dm on|off` or the mute button."""
    dm_kind = DM_KINDS[kind]
    if on:
        text = f":white_check_mark: You'll get {dm_kind.describe}."
        if kind == "digest":
            text += " It comes at 09:00 your time on each community's digest day."
        hint = f"`{dm_kind.turn_off}` turns it off again."
    else:
        text = f":mute: Done: no more {dm_kind.describe}."
        hint = f"`{dm_kind.turn_on}` brings it back."
    return Message.of(text, [section(text), context(hint)])


def nudges_after(community: Community) -> Message:
    """After a lead's `/cop nudges after <days>`."""
    text = (f":hourglass: In *{escape(community.name)}*, members now count as quiet, and may be nudged, after "
            f"{community.quiet_after_days} days without a contribution.")
    return Message.of(f"Nudges in {community.name} begin after {community.quiet_after_days} quiet days",
                      [section(text), context("`/cop quiet` lists who is quiet now; it never changes this.")])


def lurker_switched(on: bool) -> Message:
    if on:
        text = (":eyes: Happy lurking! Reading along is a fine way to belong. I won't nudge you; digests still "
                "come if you asked for them.")
        hint = "`/cop lurker off` when you'd like the occasional suggestion again."
    else:
        text = ":wave: Welcome back! If you go quiet for a while I may suggest one small thing now and then."
        hint = "`/cop lurker on` any time."
    return Message.of(text, [section(text), context(hint)])


def hours_set(person: Person) -> Message:
    text = (f":clock9: Your working hours: *{WorkingHours.of(person).describe()}*. What I send you unasked waits "
            "for them; a meeting reminder that could only come after the meeting began is not sent.")
    return Message.of(text, [section(text), context("`/cop hours 08:30-16:30 mon-thu` to change them.")])


def budget(person: Person, used: int) -> Message:
    text = (f":inbox_tray: At most *{person.dm_budget}* unasked-for messages a week (welcomes and check-ins, "
            "nudges, meeting reminders, standup questions, action reminders and requests, escalations, quarterly "
            f"scorecards; not the digest you asked for); {used} in the last seven days. What would go over waits for "
            "your digest.")
    return Message.of(text, [section(text), context("`/cop dm-budget <0-20>` to change it.")])


def terms(community: Community, terms_of: TermsOfReference | None) -> Message:
    if terms_of is None:
        return Message.of("No Terms of Reference yet", [
            section(f"*{escape(community.name)}* has no Terms of Reference yet."),
            context("Its leads and secretaries write a draft (`/cop tor set purpose <why we exist>`; fields: "
                    + ", ".join(TOR_FIELDS) + "), a lead puts it to the members (`/cop tor propose`) and "
                    "ratifies it (`/cop tor ratify`)."),
        ])
    return Message.of(f"Terms of Reference of {community.name}", [
        section(f"*Terms of Reference of {escape(community.name)}*"),
        *terms_sections(terms_of),
        context("The ratified version. Leads and secretaries edit the next draft with `/cop tor set <field> "
                "<text>`; `/cop tor history` shows every version."),
    ])
