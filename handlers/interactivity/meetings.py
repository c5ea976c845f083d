"""Meeting buttons: RSVP on reminders, and "I'm here" on a running meeting's thread."""

from __future__ import annotations

from bot.blocks.meetings import rsvp_reply
from bot.render import escape, notice
from bot.slack import permalink
from handlers.base import Request
from handlers.ids import ActionId
from handlers.routes import Routes
from models.errors import BadArgument, NotFound
from models.meetings import MeetingOccurrence, Occurrence, RsvpAnswer
from models.meetings.records import AttendedBy, record_attendance
from models.meetings.reminders import record_rsvp
from models.numbers import whole_number

ANSWERS = {ActionId.RSVP_YES: RsvpAnswer.YES, ActionId.RSVP_MAYBE: RsvpAnswer.MAYBE, ActionId.RSVP_NO: RsvpAnswer.NO}


def _pressed(request: Request) -> tuple[str, MeetingOccurrence]:
    """The button's action id and the occurrence its value names, refusing one from another workspace."""
    action = (request.body.get("actions") or [{}])[0]
    value = str(action.get("value", ""))
    number = whole_number(value)
    row = request.session.get(MeetingOccurrence, number) if number is not None else None
    if row is None or row.meeting.community.team_id != request.team_id:
        raise NotFound("I can't find that meeting any more.")
    return str(action.get("action_id", "")), row


def _message_link(request: Request) -> str | None:
    container = request.body.get("container") or {}
    return permalink(request.workspace_url, container.get("channel_id", ""), container.get("message_ts", ""))


def handle_rsvp_action(request: Request) -> None:
    action_id, row = _pressed(request)
    if row.cancelled_at is not None or row.meeting.cancelled_at is not None:
        raise BadArgument(f"*{escape(row.meeting.title)}* of that day was cancelled.")
    if row.ended_at is not None:
        raise BadArgument(f"*{escape(row.meeting.title)}* is over; `/cop meeting minutes {row.id}` shows its minutes.")
    answer = ANSWERS[ActionId(action_id)]
    record_rsvp(request.session, occurrence=row, person=request.person(), answer=answer, now=request.now,
                permalink=_message_link(request))
    request.reply(rsvp_reply(Occurrence(row.meeting, row.starts_at, row.original_at), answer))


def handle_im_here_action(request: Request) -> None:
    _, row = _pressed(request)
    if not row.running:
        raise BadArgument(f"*{escape(row.meeting.title)}* is not running any more.")
    record_attendance(request.session, occurrence=row, person=request.person(), attended_by=AttendedBy.HERE,
                      now=request.now, permalink=_message_link(request))
    request.reply(notice(f":wave: You're in the attendance of *{escape(row.meeting.title)}*."))


def register(routes: Routes) -> None:
    for action_id in ANSWERS:
        routes.action(action_id.value, handle_rsvp_action)
    routes.action(ActionId.IM_HERE.value, handle_im_here_action)
