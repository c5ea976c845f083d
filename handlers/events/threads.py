"""Replies in threads copbot opened: a running meeting's (attendance, and `action:`, `decision:`, `info:`
lines) and an open standup's (updates)."""

from __future__ import annotations

import re
from typing import Any

from bot.render import error_message
from bot.slack import permalink
from handlers import action_steps as steps
from handlers.base import Request
from handlers.mentions import note_mentions
from handlers.slack_text import mentioned_users, without_mentions
from handlers.standup_steps import record_update
from models.actions import Action
from models.actions.workflow import add_action, parse_due
from models.communities import Community
from models.errors import UserFacingError
from models.meetings import MeetingOccurrence
from models.meetings.records import AttendedBy, record_attendance, record_decision, record_note
from models.meetings.running import meeting_in_thread
from models.mentions import MentionSource
from models.people import Person
from models.sources import Source
from models.standups.runs import parse_update, run_in_thread
from models.when import WhenError

# `action: ...`, also as Slack formats it when typed bold (`*action:*`) or with a bullet in front; the
# markup after the colon never takes the `<` of a mention or link that starts the line.
THREAD_LINE = re.compile(r"^\W{0,3}(?P<kind>action|decision|info|note)\W{0,3}\s*:[^\w<]{0,2}\s*(?P<rest>\S.*)$",
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
        # Each of these checks what it was given before it writes anything, so a refusal leaves the
        # rest of this reply (its attendance) recorded.
        if kind == "action":
            action = _meeting_action(request, community=community, occurrence=occurrence, text=rest,
                                     source=Source(channel, ts, link), thread_ts=thread_ts)
            source, record_id, text = MentionSource.ACTION, action.id, action.title
        elif kind == "decision":
            decision = record_decision(request.session, community=community, occurrence=occurrence,
                                       text=request.plain(rest), person=person, now=request.now, permalink=link)
            source, record_id, text = MentionSource.DECISION, decision.id, decision.text
        else:
            note = record_note(request.session, occurrence=occurrence, text=request.plain(rest), person=person,
                               now=request.now, permalink=link)
            source, record_id, text = MentionSource.MEETING_NOTE, note.id, note.text
        note_mentions(request, rest, community_id=community.id, source=source, record_id=record_id, by=person,
                      text=text, permalink=link)
    except UserFacingError as error:
        # The line stays in the thread for everyone to read; its writer alone hears why it was not recorded.
        _tell_privately(request, channel=channel, thread_ts=thread_ts, user_id=person.user_id,
                        text=f"Your `{kind}:` line was not recorded: {error}")
    return True


def _meeting_action(request: Request, *, community: Community, occurrence: MeetingOccurrence, text: str,
                    source: Source, thread_ts: str) -> Action:
    """`action: <title> [@owner] [due <when>]`, added as `/cop action add` adds one, with its card in the thread.

    Naming someone else as owner asks them unless a lead names them, as everywhere else.
    """
    actor = steps.actor_in(request, community)
    owners = mentioned_users(text)
    title, due_at = without_mentions(text), None
    if (due := _DUE.search(title)) is not None:
        try:
            due_at = parse_due(due["when"], tz=actor.person.tz, now=request.now)
            title = title[: due.start()]
        except WhenError:
            pass  # kept in the title rather than lost: "due when the vendor replies"
    added = add_action(request.session, community=community, title=request.plain(title), actor=actor,
                       now=request.now, owner=request.person(owners[0]) if owners else None, due_at=due_at,
                       meeting=occurrence.meeting, source=source)
    if added.created:
        steps.announce(request, added.action, thread_ts=thread_ts)
        steps.tell_new_owner(request, added.action, by=actor.person)
    return added.action


def _tell_privately(request: Request, *, channel: str, thread_ts: str, user_id: str, text: str) -> None:
    message = error_message(text)
    request.after_commit(lambda: request.client.chat_postEphemeral(
        channel=channel, user=user_id, thread_ts=thread_ts, text=message.text, blocks=message.blocks))


def handle_standup_thread_reply(request: Request, *, community: Community, person: Person,
                                event: dict[str, Any]) -> bool:
    """A reply in an open standup's thread is (more of) that person's update."""
    run = run_in_thread(request.session, community=community, thread_ts=event.get("thread_ts", ""))
    if run is None:
        return False
    link = permalink(request.workspace_url, event.get("channel", ""), event.get("ts", ""), event.get("thread_ts"))
    said = request.plain(event.get("text") or "")
    try:
        answer = record_update(request, run=run, person=person, answers=parse_update(said, questions=run.questions),
                               permalink=link, add=True)
    except UserFacingError:
        return True  # an empty reply (a file, an emoji) is no update, and the thread still shows it
    note_mentions(request, event.get("text") or "", community_id=community.id, source=MentionSource.STANDUP_ANSWER,
                  record_id=answer.id, by=person, text=said, permalink=link)
    return True

