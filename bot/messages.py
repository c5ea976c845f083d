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
    header,
    mention,
    section,
    slack_date,
    truncate,
)
from handlers.ids import ActionId
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
    "role": (
        ["/cop role", "/cop role @user lead|co-lead|sme|member|guest"],
        "Shows who leads the community and who its subject-matter experts (SMEs) are; a lead names them. "
        "SMEs review tips into guidelines. A community always keeps at least one lead.",
        ["/cop role", "/cop role @dana sme"],
    ),
    "action": (
        ['/cop action add "<title>" [@owner] [due <when>] [#tag ...]',
         "/cop action list [open | mine | pool | overdue | blocked | escalated | done]",
         "/cop action claim | done | drop | decline <id>", "/cop action assign <id> @user",
         "/cop action block <id> <reason>", "/cop action unblock <id>", "/cop action ladder [<days> <days>]",
         "/cop action dms on|off", "/cop action escalations on|off"],
        "The community's action plan. An action without an owner waits in the pool, and copbot suggests who has "
        "room (see `/cop help capacity`). Naming someone else as owner only asks them, unless a lead does it. "
        "Owners are reminded a day before the due date and once it is overdue; a blocked action goes to the "
        "community's leads after 3 days and to the overall leads after 7 (`ladder` changes that). React "
        ":ballot_box_with_check: to a message to make it an action, :white_check_mark: to close one.",
        ['/cop action add "Write the runbook" @chandra due friday #ci', "/cop action claim 12",
         "/cop action block 12 waiting for the vendor", "/cop action list mine"],
    ),
    "capacity": (
        ["/cop capacity [<number>]", "/cop expertise #tag [#tag ...] | clear"],
        "How many open actions you take on at a time in this community (3 unless you say; 0 for none for now), "
        "and what you know about. Suggestions for unowned actions go to members with the most room, matched to "
        "the action's tags; nobody is assigned without agreeing.",
        ["/cop capacity 2", "/cop expertise #terraform #kubernetes"],
    ),
    "kudos": (
        ["/kudos @user <what for>", "/cop kudos @user <what for>"],
        "Thanks someone in public, in the community's channel, with the reason. Five a day each (your day, "
        "in your time zone); not for yourself, and not for bots. Kudos count for both of you.",
        ["/kudos @chandra for halving the CI bill"],
    ),
    "stats": (
        ["/cop stats [@user]"],
        "A person's contributions by kind and month, in every community, with the kudos they received: a "
        "portfolio for review time. Whoever opted out of the leaderboard is shown only to themselves and their leads.",
        ["/cop stats", "/cop stats @dana"],
    ),
    "leaderboard": (
        ["/cop leaderboard [week | month | quarter]", "/cop leaderboard opt-out | opt-in"],
        "Ranks the communities by health (how many members took part, and actions closed against actions "
        "overdue) and names the top contributors of the period, without pinging anyone. Opt out to stay off it.",
        ["/cop leaderboard", "/cop leaderboard quarter"],
    ),
    "kb": (
        ["/cop kb add [tip | lesson | link | guideline] <text or link> [#tag ...]", "/cop kb search <words>",
         "/cop kb review", "/cop kb promote <id>", "/cop kb"],
        "The community's knowledge: tips, lessons learned, links and guidelines, with tags. Search looks through "
        "every community's titles, text and tags, best match first. An SME or a lead reviews tips and promotes the "
        "good ones to guidelines. React :pushpin: to a message to keep it; closing an action offers to record its "
        "lesson.",
        ["/cop kb add Run terraform plan on every PR #terraform #ci", "/cop kb search terraform state",
         "/cop kb promote 7"],
    ),
    "join": (
        ["/cop join", "/cop leave"],
        "Join or leave the community of this channel. Joining the channel itself does the same.",
        ["/cop join"],
    ),
    "meeting": (
        ['/cop meeting schedule "<title>" <when> [weekly | monthly | every <n> weeks] [for <duration>]',
         "/cop meeting schedule", "/cop meeting edit <id>",
         "/cop meeting list", "/cop meeting cancel <id> [next | on <day>]",
         "/cop meeting reschedule <id> [on <day>] to <when>", "/cop meeting reschedule <id> series <when> [...]",
         "/cop meeting start [<id>] | end | minutes [<number>]", "/cop meeting rsvp <id> yes|maybe|no",
         "/cop meeting dms on|off", "/cop meeting reminders [<times before> | off]"],
        "Leads schedule, move, cancel, start and end meetings; anyone lists them and reads the minutes. `<when>` "
        "is read in *your* time zone unless it names one (`tomorrow 3pm America/New_York`, `3pm UTC`) and shown to "
        "everyone in theirs; a series repeats on the community's clock, "
        "so 15:00 in London stays 15:00 in London when the clocks change. `schedule` alone opens a form with "
        "the same fields, read the same way; `edit <id>` (or *Edit* on a lead's `list`) opens it filled in with "
        "the series, and a new time, repeat or length moves the whole series from its next meeting on. The "
        "channel is reminded 24 hours and "
        "1 hour before each meeting (a lead can change that: `reminders 2d, 30m`), with buttons to say whether "
        "you're coming; if you say yes, you're also reminded by DM (within your weekly DM budget: over it, the "
        "reminder waits in your digest while the meeting is still to come). `start` opens a thread with the agenda: "
        "reply there with `action: <title> @owner due <when>`, `decision: <text>` or `info: <note>`; everyone "
        "who speaks there, or presses *I'm here*, is in the attendance. `end` posts the minutes; unfinished "
        "agenda items and open actions carry over. A meeting nobody ends is closed 30 minutes after its planned "
        "end, with minutes.",
        ['/cop meeting schedule "Monthly sync" next tue 3pm monthly for 45m',
         "/cop meeting reschedule 3 on dec 22 to dec 23 3pm", "/cop meeting cancel 3 next",
         "/cop meeting start", "/cop meeting minutes"],
    ),
    "agenda": (
        ["/cop agenda", "/cop agenda add <topic>", "/cop agenda done <number>"],
        "The agenda of the running meeting, or of the next one. Topics added when no meeting is scheduled wait "
        "for whichever comes first. Topics not ticked off carry over to the next meeting, and so do the "
        "community's open actions.",
        ["/cop agenda add Move CI to spot instances", "/cop agenda done 4"],
    ),
    "decision": (
        ["/cop decision <text>"],
        "Records a decision: in the running meeting (it goes into its thread and minutes), or for the community "
        "when no meeting is running. In a meeting's thread, a reply starting `decision:` does the same.",
        ["/cop decision We adopt trunk-based development from January"],
    ),
    "standup": (
        ["/cop standup [start]", "/cop standup end", "/cop standup schedule <days> <HH:MM> | off",
         '/cop standup questions ["<question>" ...]', "/cop standup dms on|off"],
        "Leads run a standup in the channel now (answers in its thread: a line per question, `1.` `2.` `3.` on "
        "one line or more, or `Yesterday:` `Today:` `Blockers:`; or with the *Post my update* button), or "
        "schedule one: every member is then asked by DM at that time *in "
        "their own zone* on those days, and one summary is posted in the channel when the last of them has had "
        "four hours to answer. A blocker becomes a blocked action; answering again that nothing blocks you "
        "drops it. Who did not answer is told to the leads "
        "privately, never in the channel; members away (`/cop away`) are neither asked nor counted, and nor is "
        "anyone whose ask would have gone over their weekly DM budget (it waits for their digest instead).",
        ["/cop standup", "/cop standup schedule mon,wed,fri 09:30", "/cop standup schedule weekdays 9am",
         '/cop standup questions "What shipped?" "What is next?" "What is blocking you?"'],
    ),
    "away": (
        ["/cop away <until>", "/cop away off"],
        "On leave: until then you are not asked for standups, nor counted as missing, and nothing copbot would "
        "send you unasked reaches you: reminders and requests wait in your digest. It ends by itself; a day "
        "means to the end of that day, your time.",
        ["/cop away dec 24", "/cop away in 2 weeks", "/cop away off"],
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
        ["/cop digest [preview]", "/cop digest dm on|off", "/cop digest slot [<day> <HH:MM>]"],
        "The weekly digest: what happened in the community (actions, new members, contributions) and what is "
        "coming. It is posted in the channel once a week at the community's slot, Monday at 09:00 in its zone "
        "unless a lead moves it with `slot` (a day, full or short, and a time, 24-hour or am/pm); `slot` alone "
        "says when, in the community's zone and yours. Moved mid-week, it still comes once that week: not again "
        "if this week's went out, at once if its new time has passed and it had not. With `dm on` you also get "
        "your own copy, with your open actions and what mentioned you that week, at 09:00 in *your* zone on that "
        "day. `preview` shows the last seven days now, only to you, with your own part.",
        ["/cop digest preview", "/cop digest dm on", "/cop digest slot", "/cop digest slot fri 16:30"],
    ),
    "nudges": (
        ["/cop nudges on|off", "/cop nudges after <days>", "/cop lurker on|off", "/cop tips on|off",
         "/cop hours <start>-<end> [days]", "/cop dm-budget <0-20>"],
        "What copbot may send you unasked. After three quiet weeks in a community (a lead changes how many "
        "days with `nudges after <days>`, 7 to 365) it may suggest one small "
        "thing, at most once a fortnight and only in your working hours (09:00-17:00 your time, Monday to "
        "Friday unless you say otherwise); whatever else it sends you unasked waits for those hours too (a "
        "meeting reminder that could only come after the meeting began is not sent). "
        "Happy lurkers are never nudged. `tips` are the welcome and check-in "
        "messages when you join. `dm-budget` caps every message copbot sends you unasked (these, meeting "
        "reminders, standup questions, action reminders and requests, escalations) at so many a week; the rest "
        "wait for your digest. The digest you asked for, and answers to what you did, never count.",
        ["/cop nudges off", "/cop lurker on", "/cop hours 08:30-16:30 mon-thu", "/cop dm-budget 2"],
    ),
    "quiet": (
        ["/cop quiet [after <days>]"],
        "For leads: who in this community has contributed nothing lately (for the days after which nudges "
        "begin, or for `after <days>`), whether copbot may nudge them, and when it last did. Only you see it; "
        "nobody is ever named as quiet in public. Looking never changes when nudges begin: "
        "`/cop nudges after <days>` does.",
        ["/cop quiet", "/cop quiet after 30"],
    ),
}


def help_message(topic: str | None = None) -> Message:
    if topic and topic in HELP_TOPICS:
        usages, explanation, examples = HELP_TOPICS[topic]
        return Message.of(
            f"/cop {topic}",
            [section("\n".join(f"`{escape(u)}`" for u in usages)), section(escape(explanation)),
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
