"""Replies in threads copbot opened: a running meeting's (attendance, and `action:`, `decision:`, `info:`
lines) and an open standup's (updates)."""

from __future__ import annotations

import re
from typing import Any

from bot.slack import permalink
from handlers.base import Request
from handlers.slack_text import mentioned_users, to_plain, without_mentions
from models.communities import Community
from models.errors import UserFacingError
from models.meetings.records import AttendedBy, record_action, record_attendance, record_decision, record_note
from models.meetings.running import meeting_in_thread
from models.people import Person
from models.standups.runs import parse_update, record_answer, run_in_thread
from models.when import WhenError, parse_until

# `action: ...`, also as Slack formats it when typed bold (`*action:*`) or with a bullet in front.
THREAD_LINE = re.compile(r"^\W{0,3}(?P<kind>action|decision|info|note)\W{0,3}\s*:\W{0,2}\s*(?P<rest>\S.*)$",
                         re.I | re.S)
_DUE = re.compile(r"\s+due\s+(?P<when>\S.*)$", re.I | re.S)


def handle_meeting_thread_reply(request: Request, *, community: Community, person: Person,
                                event: dict[str, Any]) -> bool:
    """Record a reply in a running meeting's thread; False when the thread is not a meeting's."""
    channel, ts, thread_ts = event.get("channel", ""), event.get("ts", ""), event.get("thread_ts", "")
    occurrence = meeting_in_thread(request.session, community=community, thread_ts=thread_ts)
    if occurrence is None:
        return False
    link = permalink(request.workspace_url, channel, ts, thread_ts)
    record_attendance(request.session, occurrence=occurrence, person=person, attended_by=AttendedBy.SPOKE,
                      now=request.now, permalink=link)
    match = THREAD_LINE.match((event.get("text") or "").strip())
    if match is None:
        return True
    kind, rest = match["kind"].lower(), match["rest"]
    try:
        if kind == "action":
            owners = mentioned_users(rest)
            title, due_at = without_mentions(rest), None
            if (due := _DUE.search(title)) is not None:
                try:
                    due_at = parse_until(due["when"], tz=person.tz, now=request.now)
                    title = title[: due.start()]
                except WhenError:
                    pass  # kept in the title rather than lost: "due when the vendor replies"
            record_action(request.session, community_id=community.id, title=_plain(request, title), creator=person,
                          owner=request.person(owners[0]) if owners else None, now=request.now,
                          meeting_id=occurrence.meeting_id, due_at=due_at, permalink=link)
        elif kind == "decision":
            record_decision(request.session, community=community, occurrence=occurrence, text=_plain(request, rest),
                            person=person, now=request.now, permalink=link)
        else:
            record_note(request.session, occurrence=occurrence, text=_plain(request, rest), person=person,
                        now=request.now, permalink=link)
    except UserFacingError:
        # A line too long for a record stays in the thread, where everyone can still read it.
        pass
    return True


def handle_standup_thread_reply(request: Request, *, community: Community, person: Person,
                                event: dict[str, Any]) -> bool:
    """A reply in an open standup's thread is (more of) that person's update."""
    run = run_in_thread(request.session, community=community, thread_ts=event.get("thread_ts", ""))
    if run is None:
        return False
    link = permalink(request.workspace_url, event.get("channel", ""), event.get("ts", ""), event.get("thread_ts"))
    answers = parse_update(_plain(request, event.get("text") or ""), questions=run.questions)
    try:
        record_answer(request.session, run=run, person=person, answers=answers, now=request.now, permalink=link,
                      add=True)
    except UserFacingError:
        pass  # an empty reply (a file, an emoji) is no update, and the thread still shows it
    return True


def _plain(request: Request, text: str) -> str:
    return to_plain(text, lambda user_id: request.person(user_id).display_name or user_id)
