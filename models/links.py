"""Records that are told where copbot posted them, once the outbox has sent the message.

A decision made with `/cop decision`, a meeting's opening message, its minutes, a standup update
given through the form: each exists before its Slack message does, because messages are sent after
the transaction that made the record commits. The delivery carries `link_to` (`decision:12`); when
Slack answers with the message's ts, the dispatcher calls `attach`, which gives the record its link,
and the mentions of the record that have none yet (see `models.mentions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actions import Action
from models.meetings import Decision, Meeting, MeetingOccurrence
from models.meetings.agenda import AgendaItem
from models.mentions import link_mentions
from models.numbers import whole_number
from models.recognition.kudos import Kudos
from models.standups import StandupAnswer, StandupRun


@dataclass(frozen=True)
class Posted:
    """Where a message went: its channel and ts, and its permalink when the workspace's address is known."""

    channel: str
    ts: str
    permalink: str | None


def link_to(kind: str, record_id: int) -> str:
    if kind not in LINKERS:
        raise ValueError(f"no record kind {kind!r} takes links")
    return f"{kind}:{record_id}"


def attach(session: Session, ref: str, posted: Posted) -> bool:
    """Give the record `ref` names its link; False when it is gone (or the reference is unknown)."""
    kind, _, number = ref.partition(":")
    linker = LINKERS.get(kind)
    record_id = whole_number(number)
    if linker is None or record_id is None:
        return False
    if not linker(session, record_id, posted):
        return False
    link_mentions(session, source=kind, record_id=record_id, permalink=posted.permalink)
    return True


def _with(document: dict | None, **changes: object) -> dict | None:
    """A JSON document with some keys replaced: a new dict, so the change is seen and saved."""
    return None if document is None else {**document, **changes}


def _sets(model: type, attribute: str) -> Callable[[Session, int, Posted], bool]:
    """A linker that stores the message's permalink in one column of one kind of record."""

    def link(session: Session, record_id: int, posted: Posted) -> bool:
        record = session.get(model, record_id)
        if record is None:
            return False
        setattr(record, attribute, posted.permalink)
        return True

    return link


def _thread(model: type, document: str) -> Callable[[Session, int, Posted], bool]:
    """A linker for the message a meeting or a standup runs under: its thread's ts and link, also in the
    stored minutes or summary when the scheduler closed it before the message was sent."""

    def link(session: Session, record_id: int, posted: Posted) -> bool:
        record = session.get(model, record_id)
        if record is None:
            return False
        record.thread_ts = record.thread_ts or posted.ts
        record.permalink = posted.permalink
        stored = getattr(record, document)
        if stored is not None and not stored.get("thread"):
            setattr(record, document, _with(stored, thread=posted.permalink))
        return True

    return link


def _exists(model: type) -> Callable[[Session, int, Posted], bool]:
    """For a record that keeps no link of its own: only the mentions of it are given one (see `attach`)."""

    def link(session: Session, record_id: int, posted: Posted) -> bool:
        return session.get(model, record_id) is not None

    return link


def _standup_answer(session: Session, record_id: int, posted: Posted) -> bool:
    """An update given through the form, posted in the standup's thread for everyone to read."""
    answer = session.get(StandupAnswer, record_id)
    if answer is None:
        return False
    answer.permalink = posted.permalink
    run = session.get(StandupRun, answer.run_id)
    if run is not None and run.summary is not None:
        user_id = answer.person.user_id
        updates = [{**u, "permalink": posted.permalink} if u.get("user") == user_id else u
                   for u in run.summary.get("updates", [])]
        run.summary = _with(run.summary, updates=updates)
    return True


def _standup_summary(session: Session, record_id: int, posted: Posted) -> bool:
    """Updates that had no message of their own (asked by DM, answered in the form) live in the summary."""
    run = session.get(StandupRun, record_id)
    if run is None:
        return False
    for answer in session.scalars(select(StandupAnswer).where(
            StandupAnswer.run_id == run.id, StandupAnswer.answered_at.is_not(None),
            StandupAnswer.permalink.is_(None))):
        answer.permalink = posted.permalink
    if run.summary is not None:
        updates = [u if u.get("permalink") else {**u, "permalink": posted.permalink}
                   for u in run.summary.get("updates", [])]
        run.summary = _with(run.summary, updates=updates, posted=posted.permalink)
    return True


LINKERS: dict[str, Callable[[Session, int, Posted], bool]] = {
    "meeting": _sets(Meeting, "permalink"),  # the announcement of a series
    "meeting_thread": _thread(MeetingOccurrence, "minutes"),
    "minutes": _sets(MeetingOccurrence, "minutes_permalink"),
    # A decision or agenda item recorded by command: copbot's message saying so is where it was made.
    "decision": _sets(Decision, "permalink"),
    "agenda_item": _sets(AgendaItem, "permalink"),
    "standup_thread": _thread(StandupRun, "summary"),
    "standup_answer": _standup_answer,
    "standup_summary": _standup_summary,
    # An action's card and a kudos announcement: what a digest's "Mentioned you" links to.
    "action": _exists(Action),
    "kudos": _exists(Kudos),
}
