"""What copbot says about one meeting: reminders with RSVP buttons, agendas, its thread and its minutes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.blocks.attention import why_footer
from bot.messages import meeting_line
from bot.render import (
    Message,
    context,
    divider,
    escape,
    fit_lines,
    header,
    mention,
    notice,
    plural,
    section,
    slack_date,
    truncate,
)
from handlers.ids import ActionId, BlockId
from models.actions import Action
from models.meetings import AgendaItem, AgendaStatus, Meeting, MeetingOccurrence, Occurrence, RsvpAnswer

RSVP_BUTTONS = ((RsvpAnswer.YES, ActionId.RSVP_YES, "Yes, I'll be there"),
                (RsvpAnswer.MAYBE, ActionId.RSVP_MAYBE, "Maybe"),
                (RsvpAnswer.NO, ActionId.RSVP_NO, "Can't make it"))
MAX_LISTED = 15


def _announce(text: str, fallback: str) -> Message:
    return Message.of(fallback, [section(text), context("Times show in your own time zone. "
                                                        "`/cop meeting list` shows what is coming.")])


def meeting_cancelled(meeting: Meeting, *, by: str) -> Message:
    what = "every meeting of the series" if meeting.rule else "the meeting"
    return _announce(f":no_entry_sign: {mention(by)} cancelled `#{meeting.id}` *{escape(meeting.title)}* ({what}).",
                     f"Cancelled: {meeting.title}")


def occurrence_cancelled(occurrence: Occurrence, *, by: str) -> Message:
    return _announce(f":no_entry_sign: {mention(by)} cancelled *{escape(occurrence.meeting.title)}* of "
                     f"{slack_date(occurrence.starts_at)}. The rest of the series goes on.",
                     f"Cancelled: {occurrence.meeting.title} on one day")


def occurrence_moved(meeting: Meeting, *, was: dt.datetime, to: dt.datetime, by: str) -> Message:
    return _announce(f":arrows_counterclockwise: {mention(by)} moved *{escape(meeting.title)}* of "
                     f"{slack_date(was)} to *{slack_date(to)}*. Only this one moved; RSVPs and agenda went with it.",
                     f"Moved: {meeting.title}")


def series_moved(meeting: Meeting, first: dt.datetime, *, by: str, was_titled: str | None = None) -> Message:
    renamed = f" (renamed from *{escape(was_titled)}*)" if was_titled else ""
    return _announce(f":arrows_counterclockwise: {mention(by)} rescheduled the series{renamed}; from now on:\n"
                     f"{meeting_line(Occurrence(meeting, first, first))}", f"Rescheduled: {meeting.title}")


def meeting_renamed(meeting: Meeting, *, was: str, by: str) -> Message:
    return _announce(f":pencil2: {mention(by)} renamed `#{meeting.id}` *{escape(was)}* to *{escape(meeting.title)}*; "
                     "its times stay as they were.", f"Renamed: {meeting.title}")


def moved_reply(meeting: Meeting, *, understood: str, local: str) -> Message:
    """The confirmation to whoever moved a meeting, with the time echoed back in their zone."""
    return notice(f"Moved *{escape(meeting.title)}*: I read “{escape(understood)}” as *{local}* in your time zone; "
                  "everyone sees it in theirs. The channel has been told.")


def rsvp_buttons(occurrence_id: int) -> ActionsBlock:
    return ActionsBlock(block_id=f"{BlockId.RSVP}:{occurrence_id}", elements=[
        ButtonElement(text=label, action_id=action_id, value=str(occurrence_id),
                      style="primary" if answer == RsvpAnswer.YES else None)
        for answer, action_id, label in RSVP_BUTTONS])


def agenda_lines(items: Sequence[AgendaItem]) -> list[str]:
    lines = []
    for item in items:
        tick = ":white_check_mark:" if item.status == AgendaStatus.DONE else "•"
        by = f" _({mention(item.added_by.user_id)})_" if item.added_by else ""
        carried = " _carried over_" if item.carried_from_id else ""
        lines.append(f"{tick} `{item.id}` {escape(item.text)}{by}{carried}")
    return lines


def action_line(action: Action | Mapping[str, Any], owners: Mapping[int, str] | None = None) -> str:
    """One action, from a row (with `owners`: person id -> user id) or from a minutes snapshot."""
    if isinstance(action, Action):
        owner = (owners or {}).get(action.owner_id or 0)
        data = {"id": action.id, "title": action.title, "owner": owner, "status": action.status.value,
                "due_at": action.due_at.isoformat() if action.due_at else None}
    else:
        data = dict(action)
    if data.get("owner"):
        who = mention(data["owner"])
    elif data.get("asked"):
        who = f"{mention(data['asked'])} _(asked, not yet accepted)_"
    else:
        who = "_nobody yet (in the pool)_"
    due = f" · due {slack_date(dt.datetime.fromisoformat(data['due_at']), '{date_short_pretty}')}" \
        if data.get("due_at") else ""
    blocked = " · :no_entry: blocked" if data.get("status") == "blocked" else ""
    return f"• `{data['id']}` {escape(data['title'])} · {who}{due}{blocked}"


def _agenda_blocks(items: Sequence[AgendaItem], actions: Sequence[Action], owners: Mapping[int, str]) -> list[Block]:
    blocks: list[Block] = [section("*Agenda*\n" + (fit_lines(agenda_lines(items), max_items=MAX_LISTED) if items
                                                   else "_Nothing yet: `/cop agenda add &lt;topic&gt;`_"))]
    if actions:
        blocks.append(section(f"*Open actions ({len(actions)})*\n"
                              + fit_lines([action_line(a, owners) for a in actions], max_items=MAX_LISTED)))
    return blocks


def reminder(
    occurrence: Occurrence, *, occurrence_id: int, minutes_left: int, agenda: Sequence[AgendaItem],
    counts: Mapping[RsvpAnswer, int],
) -> Message:
    meeting = occurrence.meeting
    when = describe_time_left(minutes_left)
    going = counts.get(RsvpAnswer.YES, 0)
    blocks: list[Block] = [
        section(f":alarm_clock: *{escape(meeting.title)}* starts {when}: "
                f"{slack_date(occurrence.starts_at, '{date_long} at {time}')} ({meeting.duration_minutes} min)."),
    ]
    if agenda:
        blocks.append(section("*Agenda so far*\n" + fit_lines(agenda_lines(agenda), max_items=MAX_LISTED)))
    blocks += [rsvp_buttons(occurrence_id),
               context(f"{going} coming so far · a meeting of *{escape(meeting.community.name)}* · "
                       "`/cop agenda add &lt;topic&gt;` to add to the agenda")]
    return Message.of(f"Reminder: {meeting.title} starts {when}", blocks)


def reminder_dm(occurrence: Occurrence, *, occurrence_id: int, minutes_left: int,
                agenda: Sequence[AgendaItem]) -> Message:
    meeting = occurrence.meeting
    when = describe_time_left(minutes_left)
    blocks: list[Block] = [
        section(f":alarm_clock: *{escape(meeting.title)}* starts {when}: "
                f"{slack_date(occurrence.starts_at, '{date_long} at {time}')}, in the "
                f"*{escape(meeting.community.name)}* channel."),
    ]
    if agenda:
        blocks.append(section("*Agenda so far*\n" + fit_lines(agenda_lines(agenda), max_items=MAX_LISTED)))
    blocks += [rsvp_buttons(occurrence_id),
               *why_footer("meetings", "You got this because you said you'd come. Changed your mind? Answer "
                                       "*Maybe* or *Can't make it*.")]
    return Message.of(f"Reminder: {meeting.title} starts {when}", blocks)


def reminder_summary(occurrence: Occurrence) -> str:
    """A held reminder in the person's digest, which adds when it starts, while it is still to come."""
    meeting = occurrence.meeting
    return f"{meeting.title} in {meeting.community.name}: you said you'd come"


def describe_time_left(minutes: int) -> str:
    """`1440` -> "tomorrow", `60` -> "in 1 hour", `90` -> "in 1 hour and 30 minutes", `29` -> "in 29 minutes"."""
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return "tomorrow" if days == 1 else f"in {days} days"
    if minutes > 24 * 60:
        # Days away, the hour is exact enough.
        days, hours = divmod(round(minutes / 60), 24)
        return f"in {plural(days, 'day')}" + (f" and {plural(hours, 'hour')}" if hours else "")
    hours, rest = divmod(minutes, 60)
    parts = [plural(n, unit) for n, unit in ((hours, "hour"), (rest, "minute")) if n]
    return "in " + " and ".join(parts)


def span_words(minutes: int) -> str:
    """`1440` -> "24 hours", `2880` -> "2 days", `90` -> "90 minutes"."""
    if minutes % (24 * 60) == 0 and minutes > 24 * 60:
        return f"{minutes // (24 * 60)} days"
    if minutes % 60 == 0:
        return "1 hour" if minutes == 60 else f"{minutes // 60} hours"
    return f"{minutes} minutes"


def reminder_times(offsets: Sequence[int], *, changed: bool) -> Message:
    times = " and ".join(span_words(o) for o in offsets)
    text = (f"Reminders come {times} before each meeting" if offsets else "No reminders before meetings") + \
        (", in the channel and by DM to those coming." if offsets else ".")
    return Message.of("Meeting reminders", [section(("From now on: " if changed else "") + text)])


def rsvp_reply(occurrence: Occurrence, answer: RsvpAnswer) -> Message:
    words = {RsvpAnswer.YES: "you'll be there :raised_hands: I'll remind you by DM before it starts",
             RsvpAnswer.MAYBE: "maybe", RsvpAnswer.NO: "you can't make it; the minutes will be posted in the channel"}
    return Message.of(f"RSVP: {answer.value}", [section(
        f"Noted for *{escape(occurrence.meeting.title)}* ({slack_date(occurrence.starts_at)}): {words[answer]}.")])


def agenda_message(
    community_name: str, occurrence: Occurrence | None, items: Sequence[AgendaItem], actions: Sequence[Action],
    owners: Mapping[int, str], *, running: bool = False,
) -> Message:
    if occurrence is None:
        title = f"*Agenda for the next meeting of {escape(community_name)}* (none is scheduled yet)"
    else:
        state = "running now" if running else slack_date(occurrence.starts_at)
        title = f"*Agenda of {escape(occurrence.meeting.title)}* · {state}"
    return Message.of("Agenda", [
        section(title), *_agenda_blocks(items, actions, owners),
        context("`/cop agenda add &lt;topic&gt;` · `/cop agenda done &lt;number&gt;` · "
                "open actions carry over to every meeting")])


def agenda_item_added(text: str, *, by: str, occurrence: MeetingOccurrence | None) -> Message:
    """An item put on a meeting's agenda before it starts, as the channel sees it."""
    where = (f"*{escape(occurrence.meeting.title)}* ({slack_date(occurrence.starts_at)})" if occurrence is not None
             else "the next meeting")
    return Message.of(f"Added to the agenda: {text}", [
        section(f":memo: {mention(by)} added to the agenda of {where}: {escape(text)}"),
        context("`/cop agenda` shows it all · `/cop agenda add &lt;topic&gt;` adds yours"),
    ])


def meeting_thread(
    title: str, *, started_by: str, items: Sequence[AgendaItem], actions: Sequence[Action],
    owners: Mapping[int, str], occurrence_id: int,
) -> Message:
    return Message.of(f"Meeting started: {title}", [
        header(truncate(f"{title} has started", 150)),
        section(f"Started by {mention(started_by)}. Minutes are kept in this thread: reply with a line starting "
                "`action:`, `decision:` or `info:`. Everyone who speaks here counts as present."),
        *_agenda_blocks(items, actions, owners),
        ActionsBlock(elements=[ButtonElement(text="I'm here", action_id=ActionId.IM_HERE, value=str(occurrence_id),
                                             style="primary")]),
        context("`action: &lt;title&gt; @owner due &lt;when&gt;` · `decision: &lt;text&gt;` · `info: &lt;note&gt;` · "
                "`/cop meeting end` posts the minutes"),
    ])


def meeting_started_reply(title: str) -> Message:
    return Message.of(f"Started {title}", [section(
        f":arrow_forward: *{escape(title)}* has started: its thread is in the channel. `/cop decision &lt;text&gt;`, "
        "`/cop agenda add &lt;topic&gt;` and lines in the thread are recorded; `/cop meeting end` posts the minutes.")])


def recorded_in_thread(kind: str, text: str, *, by: str) -> Message:
    emoji = {"decision": ":scales:", "agenda": ":memo:"}.get(kind, ":pushpin:")
    label = {"decision": "Decision", "agenda": "Added to the agenda"}.get(kind, kind.capitalize())
    return Message.of(f"{label}: {text}", [section(f"{emoji} *{label}* ({mention(by)}): {escape(text)}")])


def _entries(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for entry in entries:
        by = f" _({mention(entry['by'])})_" if entry.get("by") else ""
        link = f" <{entry['permalink']}|view>" if entry.get("permalink") else ""
        lines.append(f"• {escape(entry['text'])}{by}{link}")
    return lines


def minutes_message(minutes: Mapping[str, Any]) -> Message:
    """The minutes an absent member reads: who came, what was decided and who does what next."""
    started = dt.datetime.fromisoformat(minutes["started_at"])
    ended = dt.datetime.fromisoformat(minutes["ended_at"])
    length = max(1, round((ended - started).total_seconds() / 60))
    who = ", ".join(mention(u) for u in minutes["attendees"]) or "_nobody recorded_"
    thread = f" · <{minutes['thread']}|the meeting's thread>" if minutes.get("thread") else ""
    closed = " · closed by copbot after its planned end" if minutes.get("closed_by_scheduler") else ""
    blocks: list[Block] = [
        header(truncate(f"Minutes: {minutes['title']}", 150)),
        context(f"`#{minutes['occurrence_id']}` · *{escape(minutes['community'])}* · {slack_date(started)} · "
                f"{length} min{thread}{closed}"),
        section(f"*Attendees ({len(minutes['attendees'])})*\n{who}"),
        section("*Decisions*\n" + (fit_lines(_entries(minutes["decisions"])) or "_None recorded_")),
        section("*Actions*\n" + (fit_lines([action_line(a) for a in minutes["actions"]]) or "_None raised_")),
    ]
    if minutes["notes"]:
        blocks.append(section("*Notes*\n" + fit_lines(_entries(minutes["notes"]))))
    if minutes["discussed"]:
        blocks.append(section("*Discussed*\n" + fit_lines([f"• {escape(t)}" for t in minutes["discussed"]])))
    carried = [f"• {escape(t)}" for t in minutes["carried_over"]]
    carried += [action_line(a) for a in minutes["open_actions"]]
    more = minutes["open_actions_total"] - len(minutes["open_actions"])
    if more > 0:
        carried.append(f"…and {more} more open actions")
    blocks += [divider(), section("*Carries over to the next meeting*\n" + (fit_lines(carried) or "_Nothing_"))]
    return Message.of(f"Minutes: {minutes['title']}", blocks)


def minutes_list(community_name: str, entries: Sequence[tuple[int, str, dt.datetime]]) -> Message:
    if not entries:
        return Message.of("No minutes yet", [section(f"*{escape(community_name)}* has no minutes yet: a lead runs "
                                                     "a meeting with `/cop meeting start` and `/cop meeting end`.")])
    lines = [f"`#{number}` *{escape(title)}* · {slack_date(held)}" for number, title, held in entries]
    return Message.of(f"Minutes of {community_name}", [
        section(f"*Minutes of {escape(community_name)}*\n" + fit_lines(lines)),
        context("`/cop meeting minutes &lt;number&gt;` shows one in full.")])
