"""Asynchronous standups: who is asked now, at the standup's time in *their* zone, and the runs they belong to.

The scan is set-based: the times are worked out once per standup and zone, and only the members
whose time has come are read; a member's day is their own calendar day, so Bengaluru is asked hours
before Los Angeles and the run for that day closes a window after the last of them was asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from models.people import Membership, Person
from models.standups.tables import Standup, StandupAnswer, StandupRun
from models.upsert import insert_ignore_many
from models.when import WhenError, at_local, local_date

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Ask:
    standup: Standup
    person: Person
    day: dt.date
    ask_at: dt.datetime

    @property
    def run_key(self) -> tuple[int, dt.date]:
        return self.standup.id, self.day


@dataclass(frozen=True)
class DueAsks:
    asks: list[Ask]
    # When each run (standup, day) should close: a window after its last member is asked.
    closes: dict[tuple[int, dt.date], dt.datetime]


def _usable_zone(tz: str) -> str:
    """The person's zone, or UTC for a name the zone database does not know."""
    try:
        local_date(dt.datetime.now(dt.UTC), tz)
    except WhenError:
        return "UTC"
    return tz


def due_asks(session: Session, *, now: dt.datetime) -> DueAsks:
    """Every member whose standup time has come today, their time, and whose window is still open.

    Three statements whatever the number of members: when each standup asks and closes depends only on the
    zones its members are in (and whether anyone in a zone is not away), read as one row per standup and
    zone; then the standups due, and the members of their zones whose time has come, and no others.
    """
    eligible = (Standup.ask_time.is_not(None), Standup.days != "", Membership.active.is_(True),
                Person.is_bot.is_(False), Person.deleted.is_(False), Person.standup_dms.is_(True))
    groups = session.execute(
        select(Standup.id, Standup.days, Standup.ask_time, Standup.window_minutes, Person.tz, func.count(),
               func.count(Person.away_until), func.min(Person.away_until))
        .join(Membership, Membership.community_id == Standup.community_id)
        .join(Person, Person.id == Membership.person_id)
        .where(*eligible)
        .group_by(Standup.id, Standup.days, Standup.ask_time, Standup.window_minutes, Person.tz)
    ).all()
    times: dict[tuple[int, str], list[tuple[dt.date, dt.datetime]]] = {}
    last: dict[tuple[int, dt.date], dt.datetime] = {}
    windows: dict[int, dt.timedelta] = {}
    for standup_id, days, ask_time, window_minutes, tz, members, away, first_back in groups:
        windows[standup_id] = dt.timedelta(minutes=window_minutes)
        zone = _usable_zone(tz)
        today = local_date(now, zone)
        # Zones are at most a day apart, so a member's yesterday, today and tomorrow cover every run
        # that another member may be in.
        for day in (today - ONE_DAY, today, today + ONE_DAY):
            if str(day.isoweekday()) not in days:
                continue
            ask_at = at_local(day, ask_time, zone)
            if members == away and first_back > ask_at:  # everyone there is away then
                continue
            times.setdefault((standup_id, tz), []).append((day, ask_at))
            last[(standup_id, day)] = max(last.get((standup_id, day), ask_at), ask_at)
    closes = {key: at + windows[key[0]] for key, at in last.items()}
    # An ask still makes sense until its run closes: a bot that was down asks late rather than never.
    due = {group: [(day, at) for day, at in asked if at <= now < closes[(group[0], day)]]
           for group, asked in times.items()}
    due = {group: asked for group, asked in due.items() if asked}
    if not due:
        return DueAsks([], {})
    # The standups on their own: joined to each of thousands of members, each row would carry them again.
    standups = {standup.id: standup for standup in session.scalars(
        select(Standup).where(Standup.id.in_(sorted({standup_id for standup_id, _ in due}))))}
    rows = session.execute(
        select(Standup.id, Person).join(Membership, Membership.community_id == Standup.community_id)
        .join(Person, Person.id == Membership.person_id)
        .where(*eligible, tuple_(Standup.id, Person.tz).in_(sorted(due)))
    ).all()
    asks = [Ask(standups[standup_id], person, day, ask_at) for standup_id, person in rows
            for day, ask_at in due[(standup_id, person.tz)] if not person.is_away(ask_at)]
    due_runs = {a.run_key for a in asks}
    return DueAsks(asks, {key: at for key, at in closes.items() if key in due_runs})


def async_runs(
    session: Session, *, closes: dict[tuple[int, dt.date], dt.datetime], questions: dict[int, list[str]],
    now: dt.datetime,
) -> dict[tuple[int, dt.date], StandupRun]:
    """The run of each (standup, day), created the first time one of its members is asked."""
    keys = sorted(closes)
    if not keys:
        return {}
    insert_ignore_many(session, StandupRun, [
        dict(standup_id=standup_id, run_date=day, questions=questions[standup_id], started_at=now,
             started_by_id=None, closes_at=closes[(standup_id, day)])
        for standup_id, day in keys], conflict=("standup_id", "run_date"))
    runs = session.scalars(select(StandupRun).where(tuple_(StandupRun.standup_id, StandupRun.run_date).in_(keys)))
    return {(run.standup_id, run.run_date): run for run in runs if run.run_date is not None}


def not_yet_asked(session: Session, *, asks: Sequence[Ask],
                  runs: dict[tuple[int, dt.date], StandupRun]) -> list[tuple[Ask, StandupRun]]:
    """The asks still to make (open runs, people neither asked nor held back yet), earliest first; one statement."""
    pending = [(ask, runs[ask.run_key]) for ask in asks if runs[ask.run_key].open]
    done = _seen(session, run_ids=[run.id for _, run in pending])
    fresh = [(ask, run) for ask, run in pending if (run.id, ask.person.id) not in done]
    return sorted(fresh, key=lambda pair: (pair[0].ask_at, pair[0].standup.id, pair[0].person.id))


def record_asks(session: Session, *, asked: Sequence[tuple[Ask, StandupRun]],
                held: Sequence[tuple[Ask, StandupRun]], now: dt.datetime) -> None:
    """Note who was asked, and who was not because it would have gone over their weekly DM budget.

    Neither is asked again for that run; only those asked are expected to answer, so someone whose
    ask was held back is never reported as missing (see models.standups.runs.close_run).
    """
    rows = [dict(run_id=run.id, person_id=ask.person.id, asked_at=now) for ask, run in asked]
    rows += [dict(run_id=run.id, person_id=ask.person.id, asked_at=None) for ask, run in held]
    insert_ignore_many(session, StandupAnswer, rows, conflict=("run_id", "person_id"))


def _seen(session: Session, *, run_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(run, person) pairs with a row already: asked, held back, or answered."""
    ids = sorted(set(run_ids))
    if not ids:
        return set()
    return {(run_id, person_id) for run_id, person_id in session.execute(
        select(StandupAnswer.run_id, StandupAnswer.person_id).where(StandupAnswer.run_id.in_(ids)))}
