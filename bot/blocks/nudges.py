"""A newcomer's check-in, and the one small invitation it carries."""

from __future__ import annotations

from bot.blocks.attention import why_footer
from bot.render import Message, channel_link, context, escape, mention, section, slack_date
from models.communities import Community
from models.nudges import Invitation
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
