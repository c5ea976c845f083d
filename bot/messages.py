"""The words and layout of what copbot says about communities, meetings and newcomers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.render import (
    Message,
    channel_link,
    context,
    divider,
    escape,
    fit_lines,
    mention,
    section,
    slack_date,
    truncate,
)
from handlers.ids import ActionId
from models.communities import Community
from models.meetings import Meeting, Occurrence


def community_created(community: Community, lead_user_id: str) -> Message:
    text = (f":seedling: This channel is now the community *{escape(community.name)}*, led by "
            f"{mention(lead_user_id)}. Everyone in the channel is a member (`/cop leave` if you would rather "
            "not be), and whoever joins it later is welcomed. `/cop help` shows what I can do.")
    return Message.of(f"{community.name} is now a community", [section(text)])


def meeting_line(occurrence: Occurrence) -> str:
    meeting = occurrence.meeting
    repeat = f" · {meeting.rule.describe()}" if meeting.rule else ""
    moved = " · _moved_" if occurrence.original_at and occurrence.original_at != occurrence.starts_at else ""
    return (f"`#{meeting.id}` *{escape(meeting.title)}* · {slack_date(occurrence.starts_at)} "
            f"· {meeting.duration_minutes} min{repeat}{moved}")


def meeting_scheduled(meeting: Meeting, first: dt.datetime, *, scheduled_by: str) -> Message:
    line = meeting_line(Occurrence(meeting, first))
    return Message.of(
        f"Meeting scheduled: {meeting.title}",
        [section(f":calendar: {mention(scheduled_by)} scheduled a meeting of *{escape(meeting.community.name)}*"
                 f"\n{line}"),
         context("Times show in your own time zone. `/cop meeting list` shows what is coming.")],
    )


MAX_MEETINGS_LISTED = 20


def meeting_list(community: Community, occurrences: Sequence[Occurrence], *, editable: bool = False) -> Message:
    """The coming meetings; `editable` (for a lead) adds an Edit button for each, which opens the meeting form."""
    if not occurrences:
        return Message.of(
            "No meetings scheduled",
            [section(f"*{escape(community.name)}* has no meetings coming up."),
             context('A lead can add one: `/cop meeting schedule "Monthly sync" next tue 3pm monthly`, or '
                     "`/cop meeting schedule` alone for a form.")],
        )
    blocks: list[Block] = [section(f"*Upcoming meetings of {escape(community.name)}*"),
                           section(fit_lines([meeting_line(o) for o in occurrences], max_items=MAX_MEETINGS_LISTED))]
    if editable:
        # Slack allows 25 elements in an actions block; the list shows at most 20 meetings.
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text=truncate(f"Edit #{o.meeting.id} {o.meeting.title}", 75),
                          action_id=f"{ActionId.MEETING_EDIT}.{o.meeting.id}", value=str(o.meeting.id))
            for o in occurrences[:MAX_MEETINGS_LISTED]]))
    return Message.of(f"Upcoming meetings of {community.name}", blocks)


def welcome(community: Community, user_id: str, next_meeting: Occurrence | None) -> Message:
    lines = [f":wave: Everyone, please welcome {mention(user_id)} to *{escape(community.name)}*! :tada:"]
    if next_meeting is not None:
        lines.append(f"Our next meeting is *{escape(next_meeting.meeting.title)}*, "
                     f"{slack_date(next_meeting.starts_at)}: come and say hello.")
    lines.append("Tell us what you're working on or curious about, and react to anything useful you see here.")
    return Message.of(f"A warm welcome to our newest member of {community.name}!", [section("\n".join(lines))])


def joined_reply(community: Community, *, newly: bool) -> Message:
    if newly:
        return Message.of(f"You joined {community.name}", [
            section(f":white_check_mark: You are now a member of *{escape(community.name)}* "
                    f"({channel_link(community.channel_id)}).")])
    return Message.of("Already a member", [section(f"You are already a member of *{escape(community.name)}*.")])


def left_reply(community: Community) -> Message:
    return Message.of(f"You left {community.name}", [
        section(f"You have left *{escape(community.name)}*. Your past contributions stay on record; "
                "`/cop join` brings you back any time.")])


def setup_reply(community: Community) -> Message:
    return Message.of("Community created", [
        section(f":white_check_mark: *{escape(community.name)}* is set up and you are its lead. "
                f"Its time zone is *{community.timezone}* (yours)."),
        divider(),
        context('Next: `/cop meeting schedule "Kick-off" next tue 3pm` · `/cop help`'),
    ])


def meeting_confirmation(meeting: Meeting, first: dt.datetime, *, understood: str, local: str) -> Message:
    return Message.of(f"Scheduled {meeting.title}", [
        section(f":white_check_mark: Scheduled {meeting_line(Occurrence(meeting, first))}"),
        context(f"I read “{escape(understood)}” as *{local}* in your time zone; everyone sees it in theirs. "
                "The channel has been told."),
    ])
