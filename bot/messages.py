"""The words and layout of what copbot says about communities, meetings and newcomers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.render import Message, channel_link, context, divider, escape, fit_lines, header, mention, section, slack_date
from models.communities import Community
from models.meetings import Meeting, Occurrence

# One entry per help topic: (usage lines, explanation, examples).
HELP_TOPICS: dict[str, tuple[list[str], str, list[str]]] = {
    "setup": (
        ["/cop setup <name>"],
        "Turns this channel into a community and makes you its lead. Open to the channel's creator and "
        "to overall CoP leads (workspace admins).",
        ["/cop setup DevOps CoP"],
    ),
    "join": (
        ["/cop join", "/cop leave"],
        "Join or leave the community of this channel. Joining the channel itself does the same.",
        ["/cop join"],
    ),
    "meeting": (
        ['/cop meeting schedule "<title>" <when> [weekly | monthly | every <n> weeks] [for <duration>]',
         "/cop meeting list"],
        "Schedules a meeting of this community (leads only) and lists what is coming. `<when>` is read in "
        "*your* time zone and shown to everyone in theirs. The channel is reminded 24 hours and 1 hour "
        "before each meeting.",
        ['/cop meeting schedule "Monthly sync" next tue 3pm monthly for 45m',
         '/cop meeting schedule "Show and tell" 2026-12-01 15:00 every 2 weeks', "/cop meeting list"],
    ),
    "tor": (
        ["/cop tor [show]", "/cop tor set <purpose|scope|members|cadence> <text>"],
        "The community's Terms of Reference: why it exists, what it covers, who it is for and how often it "
        "meets. Anyone can read them; leads write them, and newcomers get them in their welcome.",
        ["/cop tor", "/cop tor set purpose Share what we learn running production systems",
         "/cop tor set cadence Monthly, first Tuesday, 15:00 London"],
    ),
    "intro": (
        ["/cop intro <what you work on or are curious about>"],
        "Tell the community what you're into: it is posted under your welcome, and copbot uses it to suggest "
        "actions that fit you.",
        ["/cop intro Terraform modules, platform testing and on-call tooling"],
    ),
    "digest": (
        ["/cop digest [preview]", "/cop digest dm on|off"],
        "The weekly digest: what happened in the community (actions, new members, contributions) and what is "
        "coming. It is posted in the channel on Monday at 09:00 in the community's zone; with `dm on` you also "
        "get your own copy, with your open actions, at 09:00 in *your* zone. `preview` shows the last seven "
        "days now, only to you.",
        ["/cop digest preview", "/cop digest dm on"],
    ),
    "nudges": (
        ["/cop nudges on|off", "/cop lurker on|off", "/cop tips on|off", "/cop hours <start>-<end> [days]",
         "/cop dm-budget <0-20>"],
        "What copbot may send you unasked. After three quiet weeks in a community it may suggest one small "
        "thing, at most once a fortnight and only in your working hours (09:00-17:00 your time, Monday to "
        "Friday unless you say otherwise). Happy lurkers are never nudged. `tips` are the welcome and check-in "
        "messages when you join. `dm-budget` caps these messages per week; the rest wait for your digest.",
        ["/cop nudges off", "/cop lurker on", "/cop hours 08:30-16:30 mon-thu", "/cop dm-budget 2"],
    ),
    "quiet": (
        ["/cop quiet [after <days>]"],
        "For leads: who in this community has contributed nothing lately, whether copbot may nudge them, and "
        "when it last did. Only you see it; nobody is ever named as quiet in public.",
        ["/cop quiet", "/cop quiet after 30"],
    ),
}


def help_message(topic: str | None = None) -> Message:
    if topic and topic in HELP_TOPICS:
        usages, explanation, examples = HELP_TOPICS[topic]
        return Message.of(
            f"/cop {topic}",
            [section("\n".join(f"`{escape(u)}`" for u in usages)), section(explanation),
             context("Examples: " + " · ".join(f"`{escape(e)}`" for e in examples))],
        )
    lines = [f"*{name}*  " + "  ".join(f"`{escape(u)}`" for u in usages)
             for name, (usages, _, _) in HELP_TOPICS.items()]
    blocks = [
        header("copbot keeps your community of practice going"),
        section("It records meetings and contributions, reminds people before meetings and welcomes "
                "newcomers, right here in Slack."),
        section("\n".join(lines)),
        context("`/cop help &lt;topic&gt;` shows one topic with examples; topics: "
                + ", ".join(HELP_TOPICS) + ". Reactions on messages in a community's channel count as "
                "contributions."),
    ]
    if topic:
        blocks.insert(0, section(f":grey_question: There is no help topic `{escape(topic)}`."))
    return Message.of("copbot help", blocks)


def community_created(community: Community, lead_user_id: str) -> Message:
    text = (f":seedling: This channel is now the community *{escape(community.name)}*, led by "
            f"{mention(lead_user_id)}. Everyone in the channel is a member (`/cop leave` if you would rather "
            "not be), and whoever joins it later is welcomed. `/cop help` shows what I can do.")
    return Message.of(f"{community.name} is now a community", [section(text)])


def meeting_line(occurrence: Occurrence) -> str:
    meeting = occurrence.meeting
    repeat = f" · {meeting.rule.describe()}" if meeting.rule else ""
    return (f"`#{meeting.id}` *{escape(meeting.title)}* · {slack_date(occurrence.starts_at)} "
            f"· {meeting.duration_minutes} min{repeat}")


def meeting_scheduled(meeting: Meeting, first: dt.datetime, *, scheduled_by: str) -> Message:
    line = meeting_line(Occurrence(meeting, first))
    return Message.of(
        f"Meeting scheduled: {meeting.title}",
        [section(f":calendar: {mention(scheduled_by)} scheduled a meeting of *{escape(meeting.community.name)}*"
                 f"\n{line}"),
         context("Times show in your own time zone. `/cop meeting list` shows what is coming.")],
    )


def meeting_list(community: Community, occurrences: Sequence[Occurrence]) -> Message:
    if not occurrences:
        return Message.of(
            "No meetings scheduled",
            [section(f"*{escape(community.name)}* has no meetings coming up."),
             context('A lead can add one: `/cop meeting schedule "Monthly sync" next tue 3pm monthly`')],
        )
    return Message.of(
        f"Upcoming meetings of {community.name}",
        [section(f"*Upcoming meetings of {escape(community.name)}*"),
         section(fit_lines([meeting_line(o) for o in occurrences]))],
    )


def describe_offset(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return "tomorrow" if days == 1 else f"in {days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "in 1 hour" if hours == 1 else f"in {hours} hours"
    return f"in {minutes} minutes"


def meeting_reminder(meeting: Meeting, starts_at: dt.datetime, offset_minutes: int) -> Message:
    when = describe_offset(offset_minutes)
    return Message.of(
        f"Reminder: {meeting.title} starts {when}",
        [section(f":alarm_clock: *{escape(meeting.title)}* starts {when}: "
                 f"{slack_date(starts_at, '{date_long} at {time}')} ({meeting.duration_minutes} min)."),
         context(f"A meeting of *{escape(meeting.community.name)}* · `/cop meeting list` for what else is coming")],
    )


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
