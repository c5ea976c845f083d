"""`/cop meeting ...`: scheduling meetings; running one is in `running.py`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from bot import messages
from bot.blocks import meetings as blocks
from bot.render import escape, notice
from handlers import meeting_steps as steps
from handlers.base import Request
from handlers.commands.parse import on_or_off, take_quoted
from handlers.commands.registry import Command, Who
from handlers.commands.resolve import led_community, target_community
from handlers.interactivity.meeting_form import EDITING, SCHEDULING, open_meeting_form
from models.attention import set_wanted
from models.communities import Community
from models.errors import BadArgument
from models.meetings import RsvpAnswer, upcoming_meetings
from models.meetings.occurrences import cancel_occurrence, find_occurrence, occurrence_row, reschedule_occurrence
from models.meetings.reminders import parse_offsets, record_rsvp, set_reminder_offsets
from models.meetings.series import Meeting, cancel_meeting, get_meeting
from models.numbers import whole_number
from models.people import Person, is_community_lead
from models.when import WhenError, format_local, parse_day, parse_duration, parse_recurrence, parse_when

T = TypeVar("T")

_DURATION = re.compile(r"\s+for\s+(?P<duration>\S.*)$", re.I)
_RECURRENCE = re.compile(
    r"\s+(?P<rule>weekly|monthly|fortnightly|every\s+(?:[0-9]+\s+)?(?:weeks?|months?))$", re.I
)
_ON_DAY = re.compile(r"on\s+(?P<day>.+?)\s+to\s+(?P<when>.+)", re.I | re.S)
_NEXT = re.compile(r"(?:next\s+)?(?:to\s+)?(?P<when>.+)", re.I | re.S)


def split_schedule(rest: str) -> tuple[str, str | None, str | None]:
    """`<when> [recurrence] [for <duration>]` -> (when, recurrence, duration); either order of the tail."""
    recurrence = duration = None
    for _ in range(2):
        if duration is None and (match := _DURATION.search(" " + rest)):
            duration = match.group("duration").strip()
            rest = (" " + rest)[: match.start()].strip()
        if recurrence is None and (match := _RECURRENCE.search(" " + rest)):
            recurrence = match.group("rule").strip()
            rest = (" " + rest)[: match.start()].strip()
    return rest, recurrence, duration


def meeting_number(word: str) -> int:
    number = whole_number((word or "").removeprefix("#"))
    if number is None:
        raise BadArgument("Say which meeting by its number, e.g. `3` (`/cop meeting list` shows them).")
    return number


def _lead_and_meeting(request: Request, args: str, *, doing: str) -> tuple[Community, Person, Meeting, str]:
    number, _, rest = args.strip().partition(" ")
    meeting_id = meeting_number(number)
    community, person = led_community(request, doing=doing)
    return community, person, get_meeting(request.session, community=community, meeting_id=meeting_id), rest.strip()


def _read(read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Turn what `models.when` could not read into the person's error."""
    try:
        return read(*args, **kwargs)
    except WhenError as error:
        raise BadArgument(str(error)) from None


def handle_meeting_schedule(request: Request, args: str) -> None:
    if not args.strip():
        open_meeting_form(request, *led_community(request, doing=SCHEDULING))
        return
    title, rest = take_quoted(args, what="meeting title")
    when_text, rule_text, duration_text = split_schedule(rest)
    if not when_text:
        raise BadArgument("Say when the meeting starts, e.g. `next tue 3pm`.")
    community, person = led_community(request, doing=SCHEDULING)
    starts_at = _read(parse_when, when_text, tz=person.tz, now=request.now)
    recurrence = _read(parse_recurrence, rule_text) if rule_text else None
    duration = _read(parse_duration, duration_text) if duration_text else None
    steps.schedule(request, community, person, title=title, starts_at=starts_at, recurrence=recurrence,
                   duration=duration, understood=when_text)


def handle_meeting_edit(request: Request, args: str) -> None:
    community, person, meeting, rest = _lead_and_meeting(request, args, doing=EDITING)
    if rest:
        raise BadArgument("Give only the meeting's number; the form that opens holds the rest.")
    open_meeting_form(request, community, person, meeting)


def handle_meeting_list(request: Request, args: str) -> None:
    community = target_community(request)
    leads = is_community_lead(request.session, community=community, person=request.person(),
                              admin_ids=request.services.settings.admin_ids)
    # Every series, however far its next meeting: a summit in 200 days is still coming up.
    upcoming = upcoming_meetings(request.session, community=community, now=request.now, limit=None, horizon=None)
    request.reply(messages.meeting_list(community, upcoming, editable=leads))


def handle_meeting_cancel(request: Request, args: str) -> None:
    community, person, meeting, rest = _lead_and_meeting(request, args,
                                                         doing="cancel its meetings")
    if not rest:
        cancel_meeting(request.session, meeting=meeting, now=request.now)
        steps.announce(request, community, f"meeting:{meeting.id}:cancelled",
                       blocks.meeting_cancelled(meeting, by=person.user_id))
        request.reply(notice(f"Cancelled `#{meeting.id}` *{escape(meeting.title)}*; the channel has been told."))
        return
    match = re.fullmatch(r"next|on\s+(?P<day>.+)", rest, re.I | re.S)
    if match is None:
        raise BadArgument(f"I don't understand “{rest[:40]}”: say `next`, or `on` and a day (`on dec 22`).")
    day = _read(parse_day, match["day"], tz=person.tz, now=request.now) if match["day"] else None
    occurrence = find_occurrence(request.session, meeting=meeting, now=request.now, on=day, tz=person.tz)
    row = cancel_occurrence(request.session, occurrence=occurrence, now=request.now)
    steps.announce(request, community, f"occurrence:{row.id}:cancelled",
                   blocks.occurrence_cancelled(occurrence, by=person.user_id))
    request.reply(notice(f"Cancelled *{escape(meeting.title)}* of {format_local(occurrence.starts_at, person.tz)} "
                         "(your time); the rest of the series goes on."))


def handle_meeting_reschedule(request: Request, args: str) -> None:
    community, person, meeting, rest = _lead_and_meeting(request, args,
                                                         doing="reschedule its meetings")
    word, _, tail = rest.partition(" ")
    if word.lower() in ("series", "all"):
        when_text, rule_text, duration_text = split_schedule(tail.strip())
        starts_at = _read(parse_when, when_text, tz=person.tz, now=request.now)
        rule = _read(parse_recurrence, rule_text) if rule_text else meeting.rule
        duration = _read(parse_duration, duration_text) if duration_text else meeting.duration
        steps.move_series(request, community, person, meeting, starts_at=starts_at, recurrence=rule,
                          duration=duration, understood=when_text)
        return
    match = _ON_DAY.fullmatch(rest) or _NEXT.fullmatch(rest)
    if not rest or match is None:
        raise BadArgument("Say when it moves to, e.g. `to thu 3pm`.")
    day_text = match.groupdict().get("day")
    day = _read(parse_day, day_text, tz=person.tz, now=request.now) if day_text else None
    when_text = match["when"]
    starts_at = _read(parse_when, when_text, tz=person.tz, now=request.now)
    occurrence = find_occurrence(request.session, meeting=meeting, now=request.now, on=day, tz=person.tz)
    row = reschedule_occurrence(request.session, occurrence=occurrence, starts_at=starts_at, now=request.now)
    steps.announce(request, community, f"occurrence:{row.id}:moved:{int(starts_at.timestamp())}",
                   blocks.occurrence_moved(meeting, was=occurrence.starts_at, to=starts_at, by=person.user_id))
    request.reply(blocks.moved_reply(meeting, understood=when_text, local=format_local(starts_at, person.tz)))


def handle_meeting_rsvp(request: Request, args: str) -> None:
    number, _, answer_text = args.strip().partition(" ")
    try:
        answer = RsvpAnswer(answer_text.strip().lower())
    except ValueError:
        raise BadArgument("Answer `yes`, `maybe` or `no`.") from None
    community = target_community(request)
    meeting = get_meeting(request.session, community=community, meeting_id=meeting_number(number))
    occurrence = find_occurrence(request.session, meeting=meeting, now=request.now)
    record_rsvp(request.session, occurrence=occurrence_row(request.session, occurrence), person=request.person(),
                answer=answer, now=request.now)
    request.reply(blocks.rsvp_reply(occurrence, answer))


def handle_meeting_dms(request: Request, args: str) -> None:
    on = on_or_off(args)
    set_wanted(request.person(), "meetings", on)
    request.reply(notice("You'll get a reminder by DM before meetings you said yes to." if on else
                         "No more meeting reminders by DM; the channel's reminders go on."))


def handle_meeting_reminders(request: Request, args: str) -> None:
    """The community's reminder times (leads change them); without arguments, what they are."""
    if not args.strip():
        request.reply(blocks.reminder_times(target_community(request).reminder_offsets or [], changed=False))
        return
    community, _ = led_community(request, doing="change its meeting reminders")
    offsets = parse_offsets(args)
    set_reminder_offsets(request.session, community=community, offsets=offsets)
    request.reply(blocks.reminder_times(offsets, changed=True))


ABOUT = (
    "Leads schedule, move, cancel, start and end meetings; anyone lists them and reads the minutes. `<when>` "
    "is read in *your* time zone unless it names one (`tomorrow 3pm America/New_York`, `3pm UTC`) and shown to "
    "everyone in theirs; a series repeats on the community's clock, so 15:00 in London stays 15:00 in London "
    "when the clocks change. The channel is reminded 24 hours and 1 hour before each meeting (a lead can change "
    "that: `reminders 2d, 30m`), with buttons to say whether you're coming; if you say yes, you're also "
    "reminded by DM (within your weekly DM budget: over it, the reminder waits in your digest while the meeting "
    "is still to come). `start` opens a thread with the agenda: reply there with `action: <title> @owner due "
    "<when>`, `decision: <text>` or `info: <note>`; everyone who speaks there, or presses *I'm here*, is in the "
    "attendance. `end` posts the minutes; unfinished agenda items and open actions carry over. A meeting nobody "
    "ends is closed 30 minutes after its planned end, with minutes.")
REPEAT = "[weekly | monthly | every <n> weeks] [for <duration>]"
COMMANDS = (
    Command("meeting schedule", handle_meeting_schedule, who=Who.LEADS, usage=f'["<title>" <when> {REPEAT}]',
            help="schedule a meeting; `<when>` is natural language in your zone (`tomorrow 10am`, `next tue 3pm`, "
                 "`2026-12-01 15:00`, `in 2 hours`, `dec 3 at 9:30`) or in a zone it names (`tomorrow 3pm "
                 "America/New_York`, `3pm UTC`). Alone, it opens a form with the same fields, each checked as you "
                 "submit",
            examples=('/cop meeting schedule "Monthly sync" next tue 3pm monthly for 45m', "/cop meeting schedule")),
    Command("meeting edit", handle_meeting_edit, who=Who.LEADS, usage="<id>",
            help="the form filled in with that series, in your zone: a new title renames it; a new time, repeat or "
                 "length moves the series from its next meeting on (a lead's `meeting list` has an *Edit* button "
                 "per meeting)", examples=("/cop meeting edit 3",)),
    Command("meeting list", handle_meeting_list, bare=True,
            help="the next occurrence of each meeting series, however far away, soonest first, in your local time",
            examples=("/cop meeting list",)),
    Command("meeting cancel", handle_meeting_cancel, who=Who.LEADS, usage="<id> [next | on <day>]",
            help="cancel a whole meeting, or one occurrence of a series", examples=("/cop meeting cancel 3 next",)),
    Command("meeting reschedule", handle_meeting_reschedule, who=Who.LEADS, aliases=("meeting move",),
            usage=f"<id> [on <day>] to <when> | <id> series <when> {REPEAT}",
            help="move the next occurrence, or the one on that day, with its RSVPs and agenda; or, with `series`, "
                 "the whole series from now on",
            examples=("/cop meeting reschedule 3 on dec 22 to dec 23 3pm", "/cop meeting reschedule 3 series thu 4pm")),
    Command("meeting rsvp", handle_meeting_rsvp, usage="<id> yes|maybe|no",
            help="answer for the next occurrence (the reminders' buttons do the same)",
            examples=("/cop meeting rsvp 3 yes",)),
    Command("meeting dms", handle_meeting_dms, usage="on|off",
            help="reminders by DM before meetings you said yes to", examples=("/cop meeting dms off",)),
    Command("meeting reminders", handle_meeting_reminders, usage="[<times before> | off]",
            help="when the channel is reminded before meetings, e.g. `24h, 1h` (leads change it)",
            examples=("/cop meeting reminders 2d, 30m",)),
)
