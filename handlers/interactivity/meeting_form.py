"""The meeting form: opened by `/cop meeting schedule` alone, `/cop meeting edit <id>` or a list's Edit button.

A submission is read with the command's own parsers, refused field by field while the form is still
open, and then goes through the same steps as the command (`handlers/meeting_steps.py`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.blocks.meeting_form import MeetingFormValues, meeting_form
from handlers import meeting_steps as steps
from handlers.base import Request
from handlers.errors import InvalidFields
from handlers.ids import ActionId, BlockId, ViewId
from handlers.routes import Routes
from models.communities import Community
from models.errors import BadArgument, NotFound
from models.meetings import DEFAULT_DURATION, Meeting, validate_title
from models.meetings.occurrences import next_occurrences
from models.meetings.series import get_meeting
from models.people import Person, require_lead
from models.when import (
    Recurrence,
    WhenError,
    parse_duration,
    parse_recurrence,
    parse_when,
    typed_duration,
    typed_local,
)

T = TypeVar("T")

SCHEDULING = "schedule its meetings"
EDITING = "edit its meetings"
# The form's repeat choices (bot.blocks.meeting_form.REPEATS) in the command's words; "weeks" and
# "months" take their number from the "every" input.
RULE_WORDS: dict[str, str | None] = {"once": None, "weekly": "weekly", "monthly": "monthly", "weeks": "weeks",
                                     "months": "months"}


@dataclass(frozen=True)
class MeetingChange:
    """A submitted form, read: what the meeting is to be."""

    title: str
    starts_at: dt.datetime
    recurrence: Recurrence | None
    duration: dt.timedelta
    when_text: str


@dataclass(frozen=True)
class FormTarget:
    """What the form was opened for, kept in its private_metadata."""

    community_id: int
    meeting_id: int | None
    channel: str

    def dumps(self) -> str:
        return json.dumps({"community": self.community_id, "meeting": self.meeting_id, "channel": self.channel})

    @classmethod
    def loads(cls, text: str) -> FormTarget:
        try:
            data = json.loads(text)
            return cls(int(data["community"]), int(data["meeting"]) if data.get("meeting") else None,
                       str(data.get("channel") or ""))
        except (ValueError, TypeError, KeyError):
            raise BadArgument("This form no longer points at a community; open it again with "
                              "`/cop meeting schedule`.") from None


def form_values(meeting: Meeting, *, next_start: dt.datetime | None, tz: str) -> MeetingFormValues:
    """The series as the form shows it, in the editor's zone."""
    rule = meeting.rule
    if rule is None:
        repeat, every = "once", ""
    elif rule.interval == 1:
        repeat, every = rule.freq, ""
    else:
        repeat, every = ("weeks" if rule.freq == "weekly" else "months"), str(rule.interval)
    return MeetingFormValues(title=meeting.title, when=typed_local(next_start, tz) if next_start else "",
                             repeat=repeat, every=every, duration=typed_duration(meeting.duration))


def open_meeting_form(request: Request, community: Community, person: Person, meeting: Meeting | None = None) -> None:
    """Open the form on this request's trigger: a trigger_id lives three seconds, so now, not after the commit."""
    values = MeetingFormValues()
    if meeting is not None:
        upcoming = next_occurrences(request.session, meeting=meeting, after=request.now, count=1)
        values = form_values(meeting, next_start=upcoming[0].starts_at if upcoming else None, tz=person.tz)
    target = FormTarget(community.id, meeting.id if meeting else None, request.channel_id)
    view = meeting_form(community=community.name, tz=person.tz, values=values, metadata=target.dumps(),
                        meeting_id=meeting.id if meeting else None)
    request.client.views_open(trigger_id=request.body["trigger_id"], view=view)


def _typed(values: dict[str, Any], block: BlockId, action: ActionId) -> str:
    state = (values.get(block) or {}).get(action) or {}
    if state.get("type") == "static_select":
        return str((state.get("selected_option") or {}).get("value") or "")
    return str(state.get("value") or "")


def read_typed(view: dict[str, Any]) -> MeetingFormValues:
    values = (view.get("state") or {}).get("values") or {}
    return MeetingFormValues(
        title=_typed(values, BlockId.MEETING_TITLE, ActionId.MEETING_TITLE),
        when=_typed(values, BlockId.MEETING_WHEN, ActionId.MEETING_WHEN),
        repeat=_typed(values, BlockId.MEETING_REPEAT, ActionId.MEETING_REPEAT) or "once",
        every=_typed(values, BlockId.MEETING_EVERY, ActionId.MEETING_EVERY),
        duration=_typed(values, BlockId.MEETING_DURATION, ActionId.MEETING_DURATION),
    )


def _title(text: str) -> str:
    if not text.strip():
        raise BadArgument("Give the meeting a title.")
    return validate_title(text)


def _recurrence(typed: MeetingFormValues) -> Recurrence | None:
    if typed.repeat not in RULE_WORDS:
        raise WhenError("Pick how the meeting repeats.")
    words = RULE_WORDS[typed.repeat]
    if words in ("weeks", "months"):
        every = typed.every.strip()
        if not every:
            raise WhenError(f"Say every how many {words}, e.g. 2 for every other one.")
        if not re.fullmatch(r"[0-9]{1,3}", every):
            raise WhenError(f"“{every}” is not a whole number of {words}; try 2.")
        words = f"every {every} {words}"
    return parse_recurrence(words) if words else None


def parse_form(typed: MeetingFormValues, *, tz: str, now: dt.datetime) -> MeetingChange:
    """Read every field with the command's parsers; all that is wrong is refused at once, field by field."""
    errors: dict[str, str] = {}

    def read(block: BlockId, reader: Callable[[], T]) -> T | None:
        try:
            return reader()
        except (WhenError, BadArgument) as error:
            errors[block] = str(error)
            return None

    title = read(BlockId.MEETING_TITLE, lambda: _title(typed.title))
    starts_at = read(BlockId.MEETING_WHEN, lambda: parse_when(typed.when, tz=tz, now=now))
    rule_block = BlockId.MEETING_EVERY if typed.repeat in ("weeks", "months") else BlockId.MEETING_REPEAT
    recurrence = read(rule_block, lambda: _recurrence(typed))
    duration = read(BlockId.MEETING_DURATION,
                    lambda: parse_duration(typed.duration) if typed.duration.strip() else DEFAULT_DURATION)
    if errors:
        raise InvalidFields(errors)
    assert title is not None and starts_at is not None and duration is not None
    return MeetingChange(title, starts_at, recurrence, duration, typed.when.strip())


def _submitted(request: Request) -> tuple[FormTarget, Community, Person, Meeting | None, MeetingChange]:
    view = request.body.get("view") or {}
    target = FormTarget.loads(str(view.get("private_metadata", "")))
    community = request.session.get(Community, target.community_id)
    if community is None or community.team_id != request.team_id:
        raise NotFound("That community no longer exists.")
    person = request.person()
    require_lead(request.session, community=community, person=person, admin_ids=request.services.settings.admin_ids,
                 doing=EDITING if target.meeting_id else SCHEDULING)
    meeting = get_meeting(request.session, community=community, meeting_id=target.meeting_id) \
        if target.meeting_id else None
    return target, community, person, meeting, parse_form(read_typed(view), tz=person.tz, now=request.now)


def check_meeting_form_submission(request: Request) -> None:
    """Everything the submission will need, checked before Slack is answered, so mistakes show on the form."""
    _submitted(request)


def handle_meeting_form_submission(request: Request) -> None:
    target, community, person, meeting, change = _submitted(request)
    # The form has closed; the confirmation goes where it was opened, as the command's reply would.
    request.reply_channel = target.channel or person.user_id
    if meeting is None:
        steps.schedule(request, community, person, title=change.title, starts_at=change.starts_at,
                       recurrence=change.recurrence, duration=change.duration, understood=change.when_text)
    else:
        steps.edit_series(request, community, person, meeting, title=change.title, starts_at=change.starts_at,
                          recurrence=change.recurrence, duration=change.duration, understood=change.when_text)


def handle_edit_meeting_action(request: Request) -> None:
    value = str(((request.body.get("actions") or [{}])[0]).get("value", ""))
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise BadArgument("That button no longer points at a meeting.")
    community, person, meeting = led_meeting(request, int(value))
    open_meeting_form(request, community, person, meeting)


def led_meeting(request: Request, meeting_id: int) -> tuple[Community, Person, Meeting]:
    """A live meeting of a community the person leads (or an overall lead), for editing."""
    meeting = request.session.get(Meeting, meeting_id)
    if meeting is None or meeting.community.team_id != request.team_id:
        raise NotFound(f"There is no meeting `#{meeting_id}`; `/cop meeting list` shows the meetings.")
    person = request.person()
    require_lead(request.session, community=meeting.community, person=person,
                 admin_ids=request.services.settings.admin_ids, doing=EDITING)
    return meeting.community, person, get_meeting(request.session, community=meeting.community,
                                                  meeting_id=meeting_id)


def register(routes: Routes) -> None:
    routes.view(ViewId.MEETING.value, handle_meeting_form_submission, validate=check_meeting_form_submission)
    routes.action(re.compile(rf"^{re.escape(ActionId.MEETING_EDIT.value)}\."), handle_edit_meeting_action)
