"""A community's standup settings: its questions and its asynchronous schedule."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.communities import Community
from models.errors import BadArgument
from models.standups.tables import DEFAULT_QUESTIONS, DEFAULT_WINDOW, Standup
from models.upsert import insert_ignore
from models.when import WhenError
from models.when import parse_clock as read_clock

MAX_QUESTIONS = 5
MAX_QUESTION = 150
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {**{name: str(n) for n, name in enumerate(DAY_NAMES, start=1)},
              **{"monday": "1", "tuesday": "2", "tues": "2", "wednesday": "3", "thursday": "4", "thur": "4",
                 "thurs": "4", "friday": "5", "saturday": "6", "sunday": "7"}}
_DAY_SETS = {"weekdays": "12345", "daily": "1234567", "everyday": "1234567", "every day": "1234567"}


def standup_for(session: Session, *, community: Community) -> Standup:
    """The community's standup settings, created with the defaults the first time they are needed."""
    insert_ignore(session, Standup, dict(community_id=community.id, questions=list(DEFAULT_QUESTIONS), days="",
                                         ask_time=None, window_minutes=int(DEFAULT_WINDOW.total_seconds() // 60),
                                         created_at=dt.datetime.now(dt.UTC)),
                  conflict="community_id")
    return session.scalars(select(Standup).where(Standup.community_id == community.id)).one()


def parse_days(text: str) -> str:
    """`mon,wed,fri`, `mon-fri`, `weekdays`, `daily` -> ISO weekday digits, e.g. "135"."""
    cleaned = " ".join((text or "").lower().split())
    if cleaned in _DAY_SETS:
        return _DAY_SETS[cleaned]
    days: set[str] = set()
    for part in re.split(r"[,\s]+", cleaned):
        if not part:
            continue
        first, dash, last = part.partition("-")
        if dash:
            if first not in _DAY_WORDS or last not in _DAY_WORDS:
                raise BadArgument(f"I couldn't read “{part}” as days.")
            start, end = int(_DAY_WORDS[first]), int(_DAY_WORDS[last])
            days |= {str(d) for d in range(start, end + 1)} if start <= end else set()
        elif part in _DAY_WORDS:
            days.add(_DAY_WORDS[part])
        else:
            raise BadArgument(f"I couldn't read “{part}” as a day; use mon, tue, ... sun.")
    if not days:
        raise BadArgument("Say on which days, e.g. `mon,wed,fri`.")
    return "".join(sorted(days))


def parse_clock(text: str) -> dt.time:
    """`09:30`, `9.30`, `9am`, `4:15pm` -> a time of day."""
    try:
        return read_clock(text)
    except WhenError as error:
        raise BadArgument(str(error)) from None


def describe_days(days: str) -> str:
    if days == "12345":
        return "weekdays"
    if days == "1234567":
        return "every day"
    return ", ".join(DAY_NAMES[int(d) - 1].capitalize() for d in days)


def set_schedule(session: Session, *, standup: Standup, days: str | None, at: dt.time | None) -> Standup:
    """Ask every member on `days` at `at`, their own time; None for both stops the asynchronous standup."""
    standup.days = days or ""
    standup.ask_time = at if days else None
    session.flush()
    return standup


def set_questions(session: Session, *, standup: Standup, questions: list[str]) -> Standup:
    cleaned = [" ".join(q.split()) for q in questions if q.strip()]
    if not cleaned:
        raise BadArgument('Give the questions in quotes: `/cop standup questions "Done?" "Next?" "Blocked?"`')
    if len(cleaned) > MAX_QUESTIONS:
        raise BadArgument(f"Keep it to {MAX_QUESTIONS} questions; standups are short.")
    too_long = [q for q in cleaned if len(q) > MAX_QUESTION]
    if too_long:
        raise BadArgument(f"Keep each question to {MAX_QUESTION} characters.")
    standup.questions = cleaned
    session.flush()
    return standup


BLOCKER_WORDS = ("block", "stuck", "imped", "obstacle", "in your way")


def blocker_question(questions: list[str]) -> int | None:
    """Which question asks about blockers: the first that speaks of being blocked, stuck or impeded."""
    for index, question in enumerate(questions):
        if any(word in question.lower() for word in BLOCKER_WORDS):
            return index
    return None
