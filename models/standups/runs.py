"""Running a standup: starting one, answers (blockers become blocked actions), and its summary."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actions import Action, ActionStatus
from models.actions.model import MAX_REASON, MAX_TITLE
from models.actions.workflow import Actor, add_action, block_action, drop_action
from models.communities import Community
from models.contributions import ContributionKind, record_contribution
from models.deliveries import sent_ts
from models.errors import BadArgument, NotAMember, NotFound
from models.people import LEAD_ROLES, Membership, Person
from models.standups.settings import blocker_question, standup_for
from models.standups.tables import Standup, StandupAnswer, StandupRun

MAX_ANSWER = 2000
# Answers to "is anything blocking you?" that mean no.
_NOT_BLOCKED = re.compile(
    r"(?:no|nope|nah|none|nothing|n/?a|-+|all good|not (?:really|blocked)|no blockers?|nothing blocking(?: me)?"
    r"|none so far|not at the moment|no, all good)(?:,? (?:today|right now|for now|thanks))?", re.I)
# "1." (or "1)", "1:", "1-") at the start of a line; "2." further on in it, after a space.
_NUMBERED = re.compile(r"^\s*(?P<n>[0-9])\s*[.):-]\s*")
_NUMBERED_INLINE = re.compile(r"(?<=\s)(?P<n>[0-9])[.)]\s+")
# "Yesterday: … / Today: … / Blockers: …": a label opens the answer to the question it names.
_PAST, _NEXT, _BLOCKERS = "past", "next", "blockers"
_LABELS = {
    "yesterday": _PAST, "done": _PAST, "did": _PAST, "last time": _PAST, "since last": _PAST,
    "today": _NEXT, "next": _NEXT, "plan": _NEXT, "plans": _NEXT, "todo": _NEXT, "to do": _NEXT,
    "blocker": _BLOCKERS, "blockers": _BLOCKERS, "blocked": _BLOCKERS, "blocking": _BLOCKERS,
    "impediment": _BLOCKERS, "impediments": _BLOCKERS, "stuck": _BLOCKERS,
}
_LABEL = re.compile(r"(?:^|(?<=[\s/|;·,.]))(?P<label>" + "|".join(sorted(_LABELS, key=len, reverse=True))
                    + r")\s*:\s*", re.I)
_SEPARATORS = " \t/|;·,"


def is_blocker(text: str) -> bool:
    cleaned = re.sub(r"[.!\s]+$", "", (text or "").strip())
    return bool(cleaned) and _NOT_BLOCKED.fullmatch(cleaned) is None


def _label_targets(questions: list[str]) -> dict[str, int]:
    """Which question each kind of label answers: the blocker question, and the others in order (past, next)."""
    blockers = blocker_question(questions)
    others = [i for i in range(len(questions)) if i != blockers]
    targets = dict(zip((_PAST, _NEXT), others, strict=False))
    if blockers is not None:
        targets[_BLOCKERS] = blockers
    return targets


def _segments(line: str, *, count: int, targets: dict[str, int]) -> list[tuple[int | None, str]]:
    """A line cut where an answer starts: (the question's index, or None to go on with the last, the text)."""
    cuts: list[tuple[int, int, int]] = []  # where the marker starts, where its text starts, which question
    numbered = _NUMBERED.match(line)
    if numbered and 1 <= int(numbered["n"]) <= count:
        cuts.append((0, numbered.end(), int(numbered["n"]) - 1))
        # Further numbers on the same line, in order ("1. shipped 2. docs 3. blocked on review").
        expected = int(numbered["n"]) + 1
        for inline in _NUMBERED_INLINE.finditer(line, numbered.end()):
            if int(inline["n"]) == expected <= count:
                cuts.append((inline.start(), inline.end(), expected - 1))
                expected += 1
    for label in _LABEL.finditer(line):
        target = targets.get(_LABELS[label["label"].lower()])
        if target is not None:
            cuts.append((label.start(), label.end(), target))
    cuts.sort()
    segments: list[tuple[int | None, str]] = [(None, line[:cuts[0][0]] if cuts else line)]
    for n, (_, start, target) in enumerate(cuts):
        segments.append((target, line[start:cuts[n + 1][0] if n + 1 < len(cuts) else len(line)]))
    return [(target, text.strip(_SEPARATORS)) for target, text in segments if target is not None or text.strip()]


def parse_update(text: str, *, questions: list[str]) -> list[str]:
    """A free-text update split by question.

    `1.` `2.` (on their lines or on one), and labels such as `Yesterday:` `Today:` `Blockers:`, start an
    answer; unmarked lines, as many as the questions or fewer, answer one question each; otherwise
    what comes before any mark answers the first question.
    """
    count, targets = len(questions), _label_targets(questions)
    lines = [line for line in (text or "").splitlines() if line.strip()]
    segments = [segment for line in lines for segment in _segments(line, count=count, targets=targets)]
    if 1 < len(segments) <= count and all(target is None for target, _ in segments):
        segments = [(index, said) for index, (_, said) in enumerate(segments)]  # a line per question
    answers: list[list[str]] = [[] for _ in questions]
    current = 0
    for target, said in segments:
        current = current if target is None else target
        if said:
            answers[current].append(said)
    return ["\n".join(parts) for parts in answers]


def open_sync_run(session: Session, *, community: Community) -> StandupRun | None:
    return session.scalars(select(StandupRun).join(Standup).where(
        Standup.community_id == community.id, StandupRun.run_date.is_(None), StandupRun.closed_at.is_(None))
        .order_by(StandupRun.id.desc())).first()


def start_standup(session: Session, *, community: Community, person: Person, now: dt.datetime) -> StandupRun:
    """A standup in the channel, now; it collects answers until ended or until its window closes."""
    if open_sync_run(session, community=community) is not None:
        raise BadArgument("A standup is already running here; `/cop standup end` closes it.")
    standup = standup_for(session, community=community)
    run = StandupRun(standup_id=standup.id, run_date=None, questions=list(standup.questions), started_at=now,
                     started_by_id=person.id, closes_at=now + standup.window)
    run.standup = standup
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, *, team_id: str, run_id: int) -> StandupRun:
    run = session.get(StandupRun, run_id)
    if run is None or run.standup.community.team_id != team_id:
        raise NotFound("I can't find that standup any more.")
    return run


def thread_of_run(session: Session, *, run: StandupRun) -> str | None:
    """The ts of a standup's thread once copbot has posted it; None for a standup held by DM.

    Read, not stored: see `models.meetings.running.thread_of`.
    """
    if run.is_async:
        return None
    return run.thread_ts or sent_ts(session, key=run.thread_key)


def run_in_thread(session: Session, *, community: Community, thread_ts: str) -> StandupRun | None:
    """The open standup whose thread this is, if any."""
    run = open_sync_run(session, community=community)
    if run is None:
        return None
    return run if thread_of_run(session, run=run) == thread_ts else None


def answer_of(session: Session, *, run: StandupRun, person: Person) -> StandupAnswer | None:
    return session.scalars(select(StandupAnswer).where(StandupAnswer.run_id == run.id,
                                                       StandupAnswer.person_id == person.id)).one_or_none()


def _merged(old: list[str] | None, new: list[str]) -> list[str]:
    old = list(old or []) + [""] * (len(new) - len(old or []))
    return ["\n".join(part for part in (before, after) if part) for before, after in zip(old, new, strict=False)]


@dataclass(frozen=True)
class Answered:
    answer: StandupAnswer
    new_blocker: Action | None  # the blocked action this update raised, if it raised one
    cleared_blocker: Action | None = None  # the one an earlier answer raised, dropped as this one says no blocker


def record_answer(
    session: Session, *, run: StandupRun, person: Person, answers: list[str], now: dt.datetime,
    permalink: str | None = None, add: bool = False, is_lead: bool = False,
) -> Answered:
    """Store a person's update (`add`: a further thread reply, added to what they said before).

    `is_lead`: the person leads the community (or all of them), which a blocker's action needs to know.
    """
    if not run.open:
        raise BadArgument("That standup has closed; its summary is in the channel.")
    answers = [a.strip()[:MAX_ANSWER] for a in answers][: len(run.questions)]
    answers += [""] * (len(run.questions) - len(answers))
    if not any(answers):
        raise BadArgument("Your update is empty; answer at least one question.")
    row = answer_of(session, run=run, person=person)
    if row is None:
        row = StandupAnswer(run_id=run.id, person_id=person.id)
        session.add(row)
    which = blocker_question(run.questions)
    if add:
        merged = _merged(row.answers, answers)
        if which is not None and answers[which] and not is_blocker(answers[which]):
            merged[which] = answers[which]  # "Blockers: none" now: what blocked them before does no longer
        answers = merged
    row.answers = answers
    row.answered_at = now
    row.permalink = row.permalink or permalink
    session.flush()
    community_id = run.standup.community_id
    record_contribution(session, key=f"standup:{run.id}:{person.id}", community_id=community_id,
                        person_id=person.id, kind=ContributionKind.STANDUP_UPDATE, occurred_at=now)
    actor = Actor(person, is_lead=is_lead)
    text = answers[which] if which is not None else ""
    if is_blocker(text):
        return Answered(row, _block(session, row=row, run=run, actor=actor, text=text, now=now))
    return Answered(row, None, _unblock(session, row=row, actor=actor, now=now))


def _shortened(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unblock(session: Session, *, row: StandupAnswer, actor: Actor, now: dt.datetime) -> Action | None:
    """An update saying nothing blocks them takes back the blocked action their earlier answer raised.

    Dropped rather than unblocked: it was only ever that answer's blocker, and no longer is. One that
    someone has unblocked since stays as it is; the update just no longer counts as blocked.
    """
    action = session.get(Action, row.blocker_action_id) if row.blocker_action_id else None
    row.blocker_action_id = None
    if action is None or action.status != ActionStatus.BLOCKED:
        return None
    drop_action(session, action=action, actor=actor, now=now)
    return action


def _block(session: Session, *, row: StandupAnswer, run: StandupRun, actor: Actor, text: str,
           now: dt.datetime) -> Action | None:
    """A blocker in the update becomes a blocked action owned by its author (one per update); returns it
    when this update raised it.

    It is added and blocked the way `/cop action add` and `/cop action block` do it, so it has the
    same card, follow-ups and escalation ladder as any other blocked action.
    """
    title, reason = _shortened(text, MAX_TITLE), _shortened(text, MAX_REASON)
    action = session.get(Action, row.blocker_action_id) if row.blocker_action_id else None
    if action is not None and action.status == ActionStatus.BLOCKED:
        action.title, action.blocker_reason = title, reason
        return None
    community = run.standup.community
    try:
        action = add_action(session, community=community, title=title, actor=actor, now=now,
                            owner=actor.person).action
    except NotAMember:
        return None  # someone outside the community (an overall lead) has no actions here; the summary keeps the text
    action.source_permalink = row.permalink or run.permalink
    block_action(session, action=action, actor=actor, reason=reason, now=now)
    row.blocker_action_id = action.id
    session.flush()
    return action


def _expected(session: Session, *, run: StandupRun, rows: list[StandupAnswer]) -> list[Person]:
    """Who should have answered: those asked (asynchronous), or the community's members (in the channel)."""
    if run.is_async:
        return [row.person for row in rows if row.asked_at is not None]
    return list(session.scalars(select(Person).join(Membership, Membership.person_id == Person.id).where(
        Membership.community_id == run.standup.community_id, Membership.active.is_(True),
        Person.is_bot.is_(False), Person.deleted.is_(False)).order_by(Person.id)))


def close_run(session: Session, *, run: StandupRun, now: dt.datetime) -> dict[str, Any]:
    """Close a standup and keep its summary; who did not answer is in it, for the lead's eyes only."""
    if not run.open:
        raise BadArgument("That standup has already closed.")
    rows = list(session.scalars(select(StandupAnswer).where(StandupAnswer.run_id == run.id)
                                .order_by(StandupAnswer.answered_at, StandupAnswer.id)))
    answered = [row for row in rows if row.answered_at is not None]
    done = {row.person_id for row in answered}
    expected = [p for p in _expected(session, run=run, rows=rows) if p.id not in done]
    run.closed_at = now
    run.summary = {
        "run_id": run.id, "community": run.standup.community.name, "date": run.run_date.isoformat()
        if run.run_date else None, "started_at": run.started_at.isoformat(), "closed_at": now.isoformat(),
        "questions": list(run.questions), "thread": run.permalink,
        "updates": [{"user": row.person.user_id, "answers": row.answers, "permalink": row.permalink,
                     "blocker_action": row.blocker_action_id} for row in answered],
        "missing": [p.user_id for p in expected if not p.is_away(now)],
        "away": [p.user_id for p in expected if p.is_away(now)],
    }
    session.flush()
    return run.summary


def due_closures(session: Session, *, now: dt.datetime) -> list[StandupRun]:
    return list(session.scalars(select(StandupRun).where(StandupRun.closed_at.is_(None),
                                                         StandupRun.closes_at <= now).order_by(StandupRun.id)))


def leads_to_tell(session: Session, *, run: StandupRun) -> list[Person]:
    """The community's leads who take standup DMs, and whoever started the run."""
    leads = list(session.scalars(select(Person).join(Membership, Membership.person_id == Person.id).where(
        Membership.community_id == run.standup.community_id, Membership.active.is_(True),
        Membership.role.in_(list(LEAD_ROLES)), Person.standup_dms.is_(True)).order_by(Person.id)))
    if run.started_by_id and run.started_by_id not in {p.id for p in leads}:
        starter = session.get(Person, run.started_by_id)
        if starter is not None and starter.standup_dms:
            leads.append(starter)
    return leads
