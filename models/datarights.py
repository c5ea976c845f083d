"""People's rights over their data: a copy of the records (export), and being forgotten (forget-me).

Both walk the tables generically, so a table added later is covered by naming it once below (an export) or
without doing anything (forgetting scrubs every text column of every table).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    String,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from models.attention import HeldNotice
from models.base import Base
from models.communities import Community
from models.deliveries import Delivery, DeliveryStatus
from models.membership_periods import close_periods
from models.mentions import Mention
from models.people import Membership, Person

FORMER_MEMBER = "a former member"
# What a forgotten person's Slack user id becomes: never a Slack id, so the same user returning is someone new.
FORGOTTEN_PREFIX = "forgotten-"
FORMATS = ("json", "csv")
ROWS_PER_FETCH = 500


def forgotten_id(person_id: int) -> str:
    return f"{FORGOTTEN_PREFIX}{person_id}"


def is_forgotten(user_id: str) -> bool:
    return user_id.startswith(FORGOTTEN_PREFIX)


# ---------------------------------------------------------------- export

def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _in_meetings(community_id: int) -> ColumnElement[bool]:
    meetings = _table("meetings")
    return _table("meeting_occurrences").c.meeting_id.in_(
        select(meetings.c.id).where(meetings.c.community_id == community_id))


def _occurrence_of(name: str) -> Callable[[int], ColumnElement[bool]]:
    def where(community_id: int) -> ColumnElement[bool]:
        occurrences = _table("meeting_occurrences")
        return _table(name).c.occurrence_id.in_(select(occurrences.c.id).where(_in_meetings(community_id)))
    return where


def _by_community(name: str) -> Callable[[int], ColumnElement[bool]]:
    return lambda community_id: _table(name).c.community_id == community_id


def _standup_runs(community_id: int) -> ColumnElement[bool]:
    standups = _table("standups")
    return _table("standup_runs").c.standup_id.in_(
        select(standups.c.id).where(standups.c.community_id == community_id))


def _standup_answers(community_id: int) -> ColumnElement[bool]:
    runs = _table("standup_runs")
    return _table("standup_answers").c.run_id.in_(select(runs.c.id).where(_standup_runs(community_id)))


# A community's records, in the order the file gives them: (kind, table, which of its rows are the community's).
# A new record of a community (a governance table) is one line here.
COMMUNITY_RECORDS: tuple[tuple[str, str, Callable[[int], ColumnElement[bool]]], ...] = (
    ("community", "communities", lambda community_id: _table("communities").c.id == community_id),
    ("terms_of_reference", "terms_of_reference", _by_community("terms_of_reference")),
    ("memberships", "memberships", _by_community("memberships")),
    ("membership_periods", "membership_periods", _by_community("membership_periods")),
    ("meetings", "meetings", _by_community("meetings")),
    ("meeting_occurrences", "meeting_occurrences", _in_meetings),
    ("agenda_items", "agenda_items", _by_community("agenda_items")),
    ("rsvps", "rsvps", _occurrence_of("rsvps")),
    ("attendances", "attendances", _occurrence_of("attendances")),
    ("decisions", "decisions", _by_community("decisions")),
    ("meeting_notes", "meeting_notes", _occurrence_of("meeting_notes")),
    ("actions", "actions", _by_community("actions")),
    ("knowledge_items", "knowledge_items", _by_community("knowledge_items")),
    ("contributions", "contributions", _by_community("contributions")),
    ("kudos", "kudos", _by_community("kudos")),
    ("standups", "standups", _by_community("standups")),
    ("standup_runs", "standup_runs", _standup_runs),
    ("standup_answers", "standup_answers", _standup_answers),
)

# A member's own records: the rows of these tables where one of the columns naming a person names them.
PERSONAL_RECORDS: tuple[str, ...] = (
    "memberships", "membership_periods", "contributions", "actions", "kudos", "rsvps", "attendances",
    "standup_answers", "knowledge_items", "decisions", "meeting_notes", "agenda_items", "knowledge_helped",
)


def _people_columns(table: Table) -> list[Any]:
    return [column for column in table.columns if any(fk.column.table.name == "people" for fk in column.foreign_keys)]


def _person_ref(table: Table, person_id: int) -> ColumnElement[bool]:
    return or_(*(column == person_id for column in _people_columns(table)))


@dataclass(frozen=True)
class Kind:
    """One kind of record in an export: its name and the statement that reads its rows."""

    name: str
    statement: Any


def community_kinds(*, community: Community) -> list[Kind]:
    kinds = [Kind(kind, select(_table(name)).where(where(community.id)).order_by(*_table(name).primary_key.columns))
             for kind, name, where in COMMUNITY_RECORDS]
    people = Person.__table__
    memberships = Membership.__table__
    # Who the person ids in the other records are: the community's members, by name and Slack id.
    kinds.insert(3, Kind("people", select(people.c.id, people.c.user_id, people.c.display_name, people.c.tz)
                         .where(people.c.id.in_(select(memberships.c.person_id)
                                                .where(memberships.c.community_id == community.id)))
                         .order_by(people.c.id)))
    return kinds


def personal_kinds(*, person: Person) -> list[Kind]:
    people = Person.__table__
    kinds = [Kind("profile", select(people).where(people.c.id == person.id))]
    for name in PERSONAL_RECORDS:
        table = _table(name)
        statement = select(table).where(_person_ref(table, person.id)).order_by(*table.primary_key.columns)
        kinds.append(Kind(name, statement))
    return kinds


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _rows(session: Session, kind: Kind) -> Iterator[tuple[list[str], Iterator[Any]]]:
    result = session.execute(kind.statement.execution_options(yield_per=ROWS_PER_FETCH))
    return result.keys(), result  # type: ignore[return-value]


@dataclass(frozen=True)
class ExportSummary:
    counts: dict[str, int]


def write_export(session: Session, *, kinds: list[Kind], fmt: str, out: IO[bytes]) -> ExportSummary:
    """Stream every kind's rows into `out`, a fetch of rows at a time: one JSON document, or a zip of CSVs."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    counts: dict[str, int] = {}
    if fmt == "json":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)
        text.write("{")
        for index, kind in enumerate(kinds):
            keys, rows = _rows(session, kind)
            text.write(("," if index else "") + f"\n{json.dumps(kind.name)}: [")
            count = 0
            for row in rows:
                record = {key: _plain(value) for key, value in zip(keys, row, strict=True)}
                text.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False, default=str))
                count += 1
            text.write("\n]")
            counts[kind.name] = count
        text.write("\n}\n")
        text.detach()
        return ExportSummary(counts)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind in kinds:
            keys, rows = _rows(session, kind)
            with archive.open(f"{kind.name}.csv", "w", force_zip64=True) as entry:
                text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(keys)
                count = 0
                for row in rows:
                    writer.writerow([json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict)
                                     else _plain(value) for value in row])
                    count += 1
                text.flush()
                text.detach()
            counts[kind.name] = count
    return ExportSummary(counts)


# ---------------------------------------------------------------- forgetting

def _is_text(column: Any) -> bool:
    return isinstance(column.type, String | Text | JSON)


class _Scrubber:
    """Rewrites text so that it no longer names the person: mentions and the name become "a former member", the
    bare user id (in keys and channels) an id that is not theirs."""

    def __init__(self, user_id: str, name: str, token: str) -> None:
        self.user_id, self.name, self.token = user_id, name, token
        self._mention = re.compile(rf"<@{re.escape(user_id)}(?:\|[^<>]*)?>", re.IGNORECASE)
        self._id = re.compile(re.escape(user_id), re.IGNORECASE)
        # A name shorter than two letters would rewrite ordinary words.
        self._name = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE) if len(name.strip()) >= 2 else None

    def needles(self) -> list[str]:
        return [self.user_id.lower()] + ([self.name.lower()] if self._name is not None else [])

    def text(self, value: str) -> str:
        value = self._mention.sub(FORMER_MEMBER, value)
        value = self._id.sub(self.token, value)
        return self._name.sub(FORMER_MEMBER, value) if self._name is not None else value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(key): self.value(item) for key, item in value.items()}
        return value


@dataclass(frozen=True)
class Forgotten:
    rows_rewritten: int


def _scrub_table(session: Session, table: Table, scrubber: _Scrubber) -> int:
    [key] = table.primary_key.columns
    columns = [column for column in table.columns if _is_text(column) and column is not key]
    changed = 0
    for column in columns:
        found = func.lower(cast(column, Text))
        matches = or_(*(found.contains(needle, autoescape=True) for needle in scrubber.needles()))
        rows = session.execute(select(key, column).where(matches)).all()
        updates = [{"_key": row_key, "_value": scrubber.value(value)} for row_key, value in rows]
        if updates:
            session.execute(table.update().where(key == bindparam("_key")).values({column.name: bindparam("_value")}),
                            updates)
            changed += len(updates)
    return changed


def communities_joined(session: Session, *, person: Person) -> list[Community]:
    """Every community the person was ever a member of, left or not: where their open actions may wait."""
    return list(session.scalars(select(Community).join(Membership, Membership.community_id == Community.id)
                                .where(Membership.person_id == person.id).order_by(Community.id)))


def forget_person(session: Session, *, person: Person, now: dt.datetime) -> Forgotten:
    """Delete the person's profile and preferences and take their name and Slack id out of every record.

    Their row stays as an anonymous tombstone, so that what they did (contributions, actions, kudos, minutes)
    still counts and reads "a former member". Their open actions must have gone back to the pool first.
    """
    scrubber = _Scrubber(person.user_id, person.display_name, forgotten_id(person.id))
    # What waits to be sent to them, and what only their own digest read, goes with them.
    session.execute(delete(Delivery).where(Delivery.channel == person.user_id,
                                           Delivery.status == DeliveryStatus.PENDING))
    session.execute(delete(Mention).where(Mention.person_id == person.id))
    session.execute(delete(HeldNotice).where(HeldNotice.person_id == person.id))
    session.execute(update(Membership).where(Membership.person_id == person.id, Membership.active.is_not(false()))
                    .values(active=False, left_at=now))
    close_periods(session, person_ids=[person.id], at=now)
    session.flush()
    changed = sum(_scrub_table(session, table, scrubber) for table in Base.metadata.sorted_tables
                  if table.name != "people")
    # The rows were rewritten beneath the session: what it holds must be read again.
    session.expire_all()
    defaults = {column.key: column.default.arg for column in Person.__table__.columns
                if column.default is not None and not callable(column.default.arg)}
    for name in ("tz", "work_start", "work_end", "work_days", "interests", "away_until",
                 "is_admin", "is_guest"):
        setattr(person, name, defaults.get(name))
    person.user_id = forgotten_id(person.id)
    person.display_name = FORMER_MEMBER
    person.expertise = []
    person.deleted = True
    person.profile_fetched_at = now
    # Nothing reaches a tombstone and it is never named on a leaderboard.
    for switch in ("nudges_enabled", "digest_dm", "meeting_dms", "standup_dms", "newcomer_dms", "action_dms",
                   "escalation_dms", "scorecard_dms", "maturity_dms", "lurker"):
        setattr(person, switch, False)
    person.dm_budget = 0
    person.leaderboard_opt_out = True
    session.flush()
    return Forgotten(rows_rewritten=changed)
