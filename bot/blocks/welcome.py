"""What a newcomer reads: the public welcome (with what they are into, once they say), and the DM."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, SectionBlock

from bot import messages
from bot.blocks.attention import why_footer
from bot.render import (
    SECTION_LIMIT,
    Message,
    channel_link,
    context,
    divider,
    escape,
    fit_lines,
    header,
    mention,
    section,
    slack_date,
    truncate,
)
from models.actions import Action
from models.communities import Community
from models.hours import WorkingHours
from models.meetings import Occurrence
from models.newcomers import Buddy
from models.people import Person, Role
from models.terms import TOR_FIELDS, TermsFields, TermsOfReference

# What follows `/cop intro`: the registry's entry for the command takes it from here (handlers import these
# blocks, so the blocks cannot import the registry), and the welcome DM teaches the command with it.
INTRO_ARGUMENTS = "<what you work on or are curious about>"


def public_welcome(community: Community, person: Person, next_meeting: Occurrence | None) -> Message:
    """The channel's welcome, plus what the newcomer said they are interested in when it is known."""
    message = messages.welcome(community, person.user_id, next_meeting)
    if not person.interests:
        return message
    line = section(f":sparkles: {mention(person.user_id)} is into: _{escape(person.interests)}_")
    return Message(message.text, [*message.blocks, line.to_dict()])


def intro_post(community: Community, person: Person) -> Message:
    return Message.of(f"{person.display_name or 'A newcomer'} introduced themselves", [
        section(f":speech_balloon: {mention(person.user_id)} is into: _{escape(person.interests or '')}_ "
                f"— if that's you too, say hi!"),
    ])


def terms_lines(terms: TermsFields | None) -> str | None:
    """The fields in one section's text, each cut short enough that all seven fit."""
    if terms is None:
        return None
    return fit_lines([f"*{TOR_FIELDS[name]}:* {escape(truncate(text, 400))}" for name, text in terms.filled()])


def terms_sections(terms: TermsFields) -> list[SectionBlock]:
    """The fields whole, a section each (a field's thousand characters fit one section, not seven)."""
    return [section(truncate(f"*{TOR_FIELDS[name]}:* {escape(text)}", SECTION_LIMIT))
            for name, text in terms.filled()]


def welcome_dm(community: Community, person: Person, *, terms: TermsOfReference | None,
               next_meeting: Occurrence | None, action: Action | None, buddy: Buddy | None) -> Message:
    where = channel_link(community.channel_id)
    blocks: list[Block] = [
        header(f"Welcome to {community.name}!"),
        section(f":wave: Hi {mention(person.user_id)}! I'm copbot: I keep *{escape(community.name)}* ({where}) "
                "ticking along. Here's what you need to get going."),
    ]
    about = terms_lines(terms)
    blocks.append(section(about if about else
                          "*What we're for:* the leads haven't written it down yet: ask in the channel. "
                          "(`/cop tor` shows it once they have.)"))
    if next_meeting is not None:
        blocks.append(section(f":calendar: *Next meeting:* {escape(next_meeting.meeting.title)}, "
                              f"{slack_date(next_meeting.starts_at)}. Come along, even just to listen."))
    else:
        blocks.append(section(":calendar: *Next meeting:* none scheduled yet; you'll hear when there is one."))
    if action is not None:
        blocks.append(section(f":seedling: *A good first step:* `#{action.id}` *{escape(action.title)}* is waiting "
                              "in the pool for someone to pick it up."))
    if buddy is not None:
        blocks.append(section(_buddy_line(buddy, community)))
    blocks += [
        section(":speech_balloon: Tell everyone what you work on or are curious about: "
                f"`/cop intro {escape(INTRO_ARGUMENTS)}`."),
        divider(),
        *why_footer("newcomer", f"You got this because you joined *{escape(community.name)}*."),
    ]
    return Message.of(f"Welcome to {community.name}!", blocks)


def _buddy_line(buddy: Buddy, community: Community) -> str:
    role = "subject-matter expert" if buddy.role == Role.SME else "lead"
    who = f":handshake: *Your buddy:* {mention(buddy.person.user_id)}, our {role}"
    if buddy.overlap:
        hours = int(buddy.overlap.total_seconds() // 3600)
        return f"{who}, who works when you do ({hours} hours a week in common). Ask them anything."
    # Nobody's hours meet theirs: say so, and how to talk without being online at once.
    return (f"{who}. Your working hours and theirs don't overlap (they work "
            f"{escape(WorkingHours.of(buddy.person).describe())}), so don't wait to catch them live: ask in a "
            f"thread in {channel_link(community.channel_id)} or send them a DM, and they'll answer in their day; "
            "the reply will be waiting in yours.")


def welcome_summary(community: Community) -> str:
    return f"Welcome to {community.name}! `/cop tor` shows what it is for and `/cop meeting list` when it meets."


def intro_reply(told: Community | None) -> Message:
    """`told`: the community whose channel heard the intro, if one did."""
    if told is not None:
        text = f":white_check_mark: Saved, and I've told *{escape(told.name)}* what you're into."
    else:
        text = ":white_check_mark: Saved. I use it to suggest things that fit you."
    return Message.of("Saved what you're into", [section(text),
                                                  context("`/cop intro <text>` again to change it.")])
