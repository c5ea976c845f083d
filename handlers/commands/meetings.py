"""`/cop meeting schedule|edit|list|cancel|reschedule|rsvp|dms`; running a meeting is in `running.py`."""

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
from handlers.commands.resolve import led_community, target_community
from handlers.interactivity.meeting_form import EDITING, SCHEDULING, open_meeting_form
from models.attention import set_wanted
from models.communities import Community
from models.errors import BadArgument
from models.meetings import RsvpAnswer, upcoming_meetings
from models.meetings.occurrences import cancel_occurrence, find_occurrence, occurrence_row, reschedule_occurrence
from models.meetings.reminders import parse_offsets, record_rsvp, set_reminder_offsets
from models.meetings.series import Meeting, cancel_meeting, get_meeting
from models.people import Person, is_community_lead
from models.when import WhenError, format_local, parse_day, parse_duration, parse_recurrence, parse_when

SCHEDULE_USAGE = ('/cop meeting schedule "<title>" <when> [weekly | monthly | every <n> weeks] [for <duration>]  ·  '
                  "/cop meeting schedule (a form)")
EDIT_USAGE = "/cop meeting edit <id>"
CANCEL_USAGE = "/cop meeting cancel <id> [next | on <day>]"
RESCHEDULE_USAGE = ("/cop meeting reschedule <id> [on <day>] to <when>  ·  "
                    "/cop meeting reschedule <id> series <when> [weekly | monthly | every <n> weeks] [for <duration>]")
RSVP_USAGE = "/cop meeting rsvp <id> yes|maybe|no"
DMS_USAGE = "/cop meeting dms on|off"
REMINDERS_USAGE = "/cop meeting reminders <times before, e.g. 24h, 1h> | off"
MEETING_USAGE = "/cop meeting schedule|edit|list|cancel|reschedule|start|end|minutes|rsvp|dms|reminders"

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


def meeting_number(word: str, *, usage: str) -> int:
    if not re.fullmatch(r"#?[0-9]{1,9}", word or ""):
        raise BadArgument("Say which meeting by its number, e.g. `3` (`/cop meeting list` shows them).", usage=usage)
    return int(word.lstrip("#"))


def _lead_and_meeting(request: Request, args: str, *, usage: str, doing: str) -> tuple[Community, Person, Meeting, str]:
    number, _, rest = args.strip().partition(" ")
    meeting_id = meeting_number(number, usage=usage)
    community, person = led_community(request, doing=doing)
    return community, person, get_meeting(request.session, community=community, meeting_id=meeting_id), rest.strip()


def _read(usage: str, read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Turn what `models.when` could not read into the person's error, with this command's usage."""
    try:
        return read(*args, **kwargs)
    except WhenError as error:
        raise BadArgument(str(error), usage=usage) from None


def handle_meeting_schedule(request: Request, args: str) -> None:
    if not args.strip():
        open_meeting_form(request, *led_community(request, doing=SCHEDULING))
        return
    title, rest = take_quoted(args, what="meeting title", usage=SCHEDULE_USAGE)
    when_text, rule_text, duration_text = split_schedule(rest)
    if not when_text:
        raise BadArgument("Say when the meeting starts, e.g. `next tue 3pm`.", usage=SCHEDULE_USAGE)
    community, person = led_community(request, doing=SCHEDULING)
    starts_at = _read(SCHEDULE_USAGE, parse_when, when_text, tz=person.tz, now=request.now)
    recurrence = _read(SCHEDULE_USAGE, parse_recurrence, rule_text) if rule_text else None
    duration = _read(SCHEDULE_USAGE, parse_duration, duration_text) if duration_text else None
    try:
        steps.schedule(request, community, person, title=title, starts_at=starts_at, recurrence=recurrence,
                       duration=duration, understood=when_text)
    except BadArgument as error:
        error.usage = error.usage or SCHEDULE_USAGE
        raise


def handle_meeting_edit(request: Request, args: str) -> None:
    community, person, meeting, rest = _lead_and_meeting(request, args, usage=EDIT_USAGE, doing=EDITING)
    if rest:
        raise BadArgument("Give only the meeting's number; the form that opens holds the rest.", usage=EDIT_USAGE)
    open_meeting_form(request, community, person, meeting)


def handle_meeting_list(request: Request, args: str) -> None:
    community = target_community(request)
    leads = is_community_lead(request.session, community=community, person=request.person(),
                              admin_ids=request.services.settings.admin_ids)
    # Every series, however far its next meeting: a summit in 200 days is still coming up.
    upcoming = upcoming_meetings(request.session, community=community, now=request.now, limit=None, horizon=None)
    request.reply(messages.meeting_list(community, upcoming, editable=leads))


def handle_meeting_cancel(request: Request, args: str) -> None:
    community, person, meeting, rest = _lead_and_meeting(request, args, usage=CANCEL_USAGE,
                                                         doing="cancel its meetings")
    if not rest:
        cancel_meeting(request.session, meeting=meeting, now=request.now)
        steps.announce(request, community, f"meeting:{meeting.id}:cancelled",
                       blocks.meeting_cancelled(meeting, by=person.user_id))
        request.reply(notice(f"Cancelled `#{meeting.id}` *{escape(meeting.title)}*; the channel has been told."))
        return
    match = re.fullmatch(r"next|on\s+(?P<day>.+)", rest, re.I | re.S)
    if match is None:
        raise BadArgument(f"I don't understand “{rest[:40]}”: say `next`, or `on` and a day (`on dec 22`).",
                          usage=CANCEL_USAGE)
    day = _read(CANCEL_USAGE, parse_day, match["day"], tz=person.tz, now=request.now) if match["day"] else None
    occurrence = find_occurrence(request.session, meeting=meeting, now=request.now, on=day, tz=person.tz)
    row = cancel_occurrence(request.session, occurrence=occurrence, now=request.now)
    steps.announce(request, community, f"occurrence:{row.id}:cancelled",
                   blocks.occurrence_cancelled(occurrence, by=person.user_id))
    request.reply(notice(f"Cancelled *{escape(meeting.title)}* of {format_local(occurrence.starts_at, person.tz)} "
                         "(your time); the rest of the series goes on."))


def handle_meeting_reschedule(request: Request, args: str) -> None:
    community, person, meeting, rest = _lead_and_meeting(request, args, usage=RESCHEDULE_USAGE,
                                                         doing="reschedule its meetings")
    word, _, tail = rest.partition(" ")
    if word.lower() in ("series", "all"):
        when_text, rule_text, duration_text = split_schedule(tail.strip())
        starts_at = _read(RESCHEDULE_USAGE, parse_when, when_text, tz=person.tz, now=request.now)
        rule = _read(RESCHEDULE_USAGE, parse_recurrence, rule_text) if rule_text else meeting.rule
        duration = _read(RESCHEDULE_USAGE, parse_duration, duration_text) if duration_text else meeting.duration
        steps.move_series(request, community, person, meeting, starts_at=starts_at, recurrence=rule,
                          duration=duration, understood=when_text)
        return
    match = _ON_DAY.fullmatch(rest) or _NEXT.fullmatch(rest)
    if not rest or match is None:
        raise BadArgument("Say when it moves to, e.g. `to thu 3pm`.", usage=RESCHEDULE_USAGE)
    day_text = match.groupdict().get("day")
    day = _read(RESCHEDULE_USAGE, parse_day, day_text, tz=person.tz, now=request.now) if day_text else None
    when_text = match["when"]
    starts_at = _read(RESCHEDULE_USAGE, parse_when, when_text, tz=person.tz, now=request.now)
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
        raise BadArgument("Answer `yes`, `maybe` or `no`.", usage=RSVP_USAGE) from None
    community = target_community(request)
    meeting = get_meeting(request.session, community=community, meeting_id=meeting_number(number, usage=RSVP_USAGE))
    occurrence = find_occurrence(request.session, meeting=meeting, now=request.now)
    record_rsvp(request.session, occurrence=occurrence_row(request.session, occurrence), person=request.person(),
                answer=answer, now=request.now)
    request.reply(blocks.rsvp_reply(occurrence, answer))


def handle_meeting_dms(request: Request, args: str) -> None:
    on = on_or_off(args, usage=DMS_USAGE)
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
