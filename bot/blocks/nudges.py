"""A quiet member's nudge, a newcomer's check-in, the one invitation they carry, and the lead's quiet list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.blocks.attention import why_footer
from bot.render import Message, channel_link, context, escape, fit_lines, mention, section, slack_date
from models.communities import Community
from models.hours import WorkingHours
from models.nudges import Invitation, QuietMember
from models.people import Person


def invitation_line(invitation: Invitation, community: Community) -> str:
    """The one small, concrete thing on offer, as mrkdwn."""
    if invitation.kind == "action" and invitation.action is not None:
        action = invitation.action
        fits = " It sounds close to what you told us you're into." if invitation.fits_interests else ""
        return (f"`#{action.id}` *{escape(action.title)}* is waiting in the pool for someone to pick it up."
                f"{fits}")
    if invitation.kind == "question" and invitation.question is not None:
        return (f"A question in {channel_link(community.channel_id)} has no answer yet: "
                f"“{escape(invitation.question.text)}” Do you know, or know who would?")
    if invitation.kind == "meeting" and invitation.meeting is not None:
        occurrence = invitation.meeting
        return (f"*{escape(occurrence.meeting.title)}* is on {slack_date(occurrence.starts_at)}: "
                "come along, even just to listen.")
    return f"Say hello in {channel_link(community.channel_id)}: what are you working on at the moment?"


def invitation_summary(invitation: Invitation) -> str:
    """The same invitation in plain words, kept for the digest when a message would go over budget."""
    if invitation.kind == "action" and invitation.action is not None:
        return f"#{invitation.action.id} {invitation.action.title} is waiting in the pool for someone to pick it up"
    if invitation.kind == "question" and invitation.question is not None:
        return f"a question has no answer yet: “{invitation.question.text}”"
    if invitation.kind == "meeting" and invitation.meeting is not None:
        return f"come along to {invitation.meeting.meeting.title}, even just to listen"
    return "say hello in the channel: what are you working on at the moment?"


def nudge_summary(invitation: Invitation) -> str:
    return "One small thing you could do: " + invitation_summary(invitation)


def nudge_message(quiet: QuietMember, invitation: Invitation, *, now: dt.datetime) -> Message:
    person, community = quiet.person, quiet.community
    hours = WorkingHours.of(person)
    reason = (f"You got this because nothing of yours has shown up in *{escape(community.name)}* for "
              f"{quiet.days_quiet(now)} days. I send at most one every {community.nudge_every_days} days, "
              f"and only in your working hours ({hours.describe()}, `/cop hours` to change).")
    blocks = [
        section(f":wave: Hi {mention(person.user_id)}! It's been a while since we heard from you in "
                f"*{escape(community.name)}*, and that's fine: everyone has busy weeks. If you have ten minutes, "
                "here is one small thing:"),
        section(invitation_line(invitation, community)),
        context("Reply here any time. Happy just reading along? `/cop lurker on` and I'll stop asking."),
        *why_footer("nudge", reason),
    ]
    return Message.of(f"Something small you could help with in {community.name}", blocks)


def checkin_message(person: Person, community: Community, invitation: Invitation) -> Message:
    reason = f"You got this because you joined *{escape(community.name)}* a week ago."
    blocks = [
        section(f":seedling: Hi {mention(person.user_id)}, you've been in *{escape(community.name)}* for a week "
                "now. How is it going? The easiest way in is often something small:"),
        section(invitation_line(invitation, community)),
        context(f"Questions are welcome in {channel_link(community.channel_id)}, or reply here."),
        *why_footer("newcomer", reason),
    ]
    return Message.of(f"A week in {community.name}: how is it going?", blocks)


def checkin_summary(invitation: Invitation) -> str:
    return "A week in! One way in: " + invitation_summary(invitation)


def quiet_list(community: Community, members: Sequence[QuietMember], *, now: dt.datetime,
               after_days: int | None = None) -> Message:
    """Private to the lead who asked: who has gone quiet (for `after_days`, or the community's threshold), and
    whether copbot may nudge them."""
    days = after_days or community.quiet_after_days
    if not members:
        return Message.of("Nobody is quiet", [section(
            f"Everyone in *{escape(community.name)}* has contributed in the last {days} days.")])
    lines = []
    for quiet in members:
        person = quiet.person
        if person.lurker:
            status = "happy lurker: not nudged"
        elif not person.nudges_enabled:
            status = "turned nudges off"
        elif person.profile_fetched_at is None:
            status = "not nudged: I don't know their time zone yet"
        elif quiet.last_nudged is not None:
            status = f"last nudged {slack_date(quiet.last_nudged, '{date_short}')}"
        else:
            status = "not nudged yet"
        seen = (f"last contribution {slack_date(quiet.last_contribution, '{date_short}')}"
                if quiet.last_contribution else "no contribution yet")
        lines.append(f"• {mention(person.user_id)}: quiet {quiet.days_quiet(now)} days · {seen} · {status}")
    return Message.of(f"Quiet members of {community.name}", [
        section(f"*Quiet in {escape(community.name)}* (nothing for {days} days or more)"),
        section(fit_lines(lines)),
        context("Only you can see this. A friendly word often helps more than a nudge; nobody is ever named "
                "as quiet in public. Nudges begin after "
                f"{community.quiet_after_days} quiet days; `/cop nudges after <days>` changes that."),
    ])
