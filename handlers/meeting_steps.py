"""What happens around each change to a meeting series, whichever door it came through: command or form.

Each step calls the domain, tells the channel and confirms to the person, so `/cop meeting schedule`
typed out and the meeting form submitted do exactly the same thing.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from bot import messages
from bot.blocks import meetings as blocks
from bot.render import Message, escape, notice
from handlers.base import Request
from models.communities import Community
from models.deliveries import enqueue
from models.links import link_to
from models.meetings import Meeting, schedule_meeting
from models.meetings.occurrences import next_occurrences
from models.meetings.occurrences import reschedule_series as move_series_in_records
from models.meetings.series import retitle_meeting
from models.people import Person
from models.when import Recurrence, format_local


def announce(request: Request, community: Community, key: str, message: Message, *, link: str | None = None) -> None:
    """Post to the community's channel; `link` names the record the message is for (`models.links`)."""
    enqueue(request.session, key=key, team_id=request.team_id, channel=community.channel_id, text=message.text,
            blocks=message.blocks, kind="announcement", community_id=community.id, now=request.now, link_to=link)


def schedule(
    request: Request, community: Community, person: Person, *, title: str, starts_at: dt.datetime,
    recurrence: Recurrence | None, duration: dt.timedelta | None, understood: str,
) -> Meeting:
    """Schedule a meeting, tell the channel, and echo the time back to the lead in their zone."""
    meeting = schedule_meeting(request.session, community=community, title=title, starts_at=starts_at,
                               recurrence=recurrence, created_by=person, now=request.now,
                               **({"duration": duration} if duration else {}))
    announce(request, community, f"meeting:{meeting.id}:scheduled",
             messages.meeting_scheduled(meeting, starts_at, scheduled_by=person.user_id),
             link=link_to("meeting", meeting.id))
    request.reply(messages.meeting_confirmation(meeting, starts_at, understood=understood,
                                                local=format_local(starts_at, person.tz)))
    return meeting


def move_series(
    request: Request, community: Community, person: Person, meeting: Meeting, *, starts_at: dt.datetime,
    recurrence: Recurrence | None, duration: dt.timedelta, understood: str, was_titled: str | None = None,
) -> None:
    """Move the whole series from its next meeting on, tell the channel, and echo the time back."""
    move_series_in_records(request.session, meeting=meeting, starts_at=starts_at, recurrence=recurrence,
                           duration=duration, now=request.now)
    # The rule and length are in the key: a series kept at its time but made longer is news too.
    shape = f"{meeting.recurrence or 'once'}:{meeting.duration_minutes}"
    announce(request, community, f"meeting:{meeting.id}:rescheduled:{int(starts_at.timestamp())}:{shape}",
             blocks.series_moved(meeting, starts_at, by=person.user_id, was_titled=was_titled),
             link=link_to("meeting", meeting.id))  # the series' latest announcement says what it now is
    request.reply(blocks.moved_reply(meeting, understood=understood, local=format_local(starts_at, person.tz)))


def edit_series(
    request: Request, community: Community, person: Person, meeting: Meeting, *, title: str,
    starts_at: dt.datetime, recurrence: Recurrence | None, duration: dt.timedelta, understood: str,
) -> None:
    """Apply what the edit form says: a new title alone keeps every time (and every moved or cancelled
    meeting) as it was; a new time, repeat or length moves the series as `reschedule <id> series` does."""
    upcoming = next_occurrences(request.session, meeting=meeting, after=request.now, count=1)
    moves = (not upcoming or upcoming[0].starts_at != starts_at or recurrence != meeting.rule
             or duration != meeting.duration)
    was = meeting.title
    renamed = title != was
    if not moves and not renamed:
        request.reply(notice(f"Nothing to change: `#{meeting.id}` *{escape(was)}* stays as it was."))
        return
    if renamed:
        retitle_meeting(request.session, meeting=meeting, title=title)
    if moves:
        move_series(request, community, person, meeting, starts_at=starts_at, recurrence=recurrence,
                    duration=duration, understood=understood, was_titled=was if renamed else None)
        return
    digest = hashlib.sha256(meeting.title.encode()).hexdigest()[:12]
    announce(request, community, f"meeting:{meeting.id}:renamed:{int(request.now.timestamp())}:{digest}",
             blocks.meeting_renamed(meeting, was=was, by=person.user_id))
    request.reply(notice(f"Renamed `#{meeting.id}` to *{escape(meeting.title)}*; its times stay as they were. "
                         "The channel has been told."))
