"""`/cop meeting schedule|list`."""

from __future__ import annotations

import re

from bot import messages
from handlers.base import Request
from handlers.commands.parse import take_quoted
from handlers.commands.resolve import target_community
from models.deliveries import enqueue
from models.errors import BadArgument
from models.meetings import schedule_meeting, upcoming_meetings
from models.people import require_lead
from models.when import WhenError, format_local, parse_duration, parse_recurrence, parse_when

SCHEDULE_USAGE = '/cop meeting schedule "<title>" <when> [weekly | monthly | every <n> weeks] [for <duration>]'
MEETING_USAGE = "/cop meeting schedule|list"

_DURATION = re.compile(r"\s+for\s+(?P<duration>\S.*)$", re.I)
_RECURRENCE = re.compile(
    r"\s+(?P<rule>weekly|monthly|fortnightly|every\s+(?:\d+\s+)?(?:weeks?|months?))$", re.I
)


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


def handle_meeting(request: Request, args: str) -> None:
    sub, _, rest = args.strip().partition(" ")
    sub = sub.lower()
    if sub == "schedule":
        handle_meeting_schedule(request, rest)
    elif sub in ("list", ""):
        handle_meeting_list(request)
    else:
        raise BadArgument(f"I don't know `/cop meeting {sub[:30]}`.", usage=MEETING_USAGE)


def handle_meeting_schedule(request: Request, args: str) -> None:
    title, rest = take_quoted(args, what="meeting title", usage=SCHEDULE_USAGE)
    when_text, rule_text, duration_text = split_schedule(rest)
    if not when_text:
        raise BadArgument("Say when the meeting starts, e.g. `next tue 3pm`.", usage=SCHEDULE_USAGE)
    community = target_community(request)
    person = request.person()
    require_lead(request.session, community=community, person=person,
                 admin_ids=request.services.settings.admin_ids, doing="schedule its meetings")
    try:
        starts_at = parse_when(when_text, tz=person.tz, now=request.now)
        recurrence = parse_recurrence(rule_text) if rule_text else None
        duration = parse_duration(duration_text) if duration_text else None
    except WhenError as error:
        raise BadArgument(str(error), usage=SCHEDULE_USAGE) from None
    try:
        meeting = schedule_meeting(request.session, community=community, title=title, starts_at=starts_at,
                                   recurrence=recurrence, created_by=person, now=request.now,
                                   **({"duration": duration} if duration else {}))
    except BadArgument as error:
        error.usage = error.usage or SCHEDULE_USAGE
        raise
    announcement = messages.meeting_scheduled(meeting, starts_at, scheduled_by=person.user_id)
    enqueue(request.session, key=f"meeting:{meeting.id}:scheduled", team_id=request.team_id,
            channel=community.channel_id, text=announcement.text, blocks=announcement.blocks,
            kind="announcement", community_id=community.id, now=request.now)
    request.reply(messages.meeting_confirmation(meeting, starts_at, understood=when_text,
                                                local=format_local(starts_at, person.tz)))


def handle_meeting_list(request: Request) -> None:
    community = target_community(request)
    request.reply(messages.meeting_list(community, upcoming_meetings(request.session, community=community,
                                                                     now=request.now, limit=20)))



