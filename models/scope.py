"""One workspace's rows: a session scoped to a team sees, changes and deletes nothing of another's.

Several deployments, each for its own workspace, may share one database. Every row belongs to one
workspace, directly (`team_id`) or through what it hangs from (its community, its person, its meeting,
its standup). A scoped session adds that condition to every ORM statement it runs, SELECT, UPDATE and
DELETE alike, including relationship loads and subqueries, so that no scan a job or a worker makes can
reach another workspace's rows, whether or not it remembered to filter them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, sessionmaker
from sqlalchemy.orm.util import LoaderCriteriaOption

from models.base import Base
from models.communities import Community
from models.meetings.occurrences import MeetingOccurrence
from models.meetings.series import Meeting
from models.people import Person
from models.polls import Poll
from models.standups.tables import Standup, StandupRun
from models.terms import TermsVersion

TEAM_KEY = "copbot.team_id"


class WorkspaceUnknown(Exception):
    """The workspace this process serves is not known yet (Slack did not say): nothing may be read."""


# How each kind of row names its workspace, most direct first, as a condition on the row's class (or an
# alias of it) given the workspace's id. A nullable community (a held notice about no community in
# particular) cannot say, so its person does. Lambdas, so that SQLAlchemy applies each to aliases too and
# caches the statement with the team as a parameter.
def _by_team(team: str) -> Any:
    return lambda row: row.team_id == team


def _by_community(team: str) -> Any:
    return lambda row: row.community_id.in_(select(Community.id).where(Community.team_id == team))


def _by_person(team: str) -> Any:
    return lambda row: row.person_id.in_(select(Person.id).where(Person.team_id == team))


def _by_poll(team: str) -> Any:
    # Before the person: an anonymous poll's vote names nobody, so its poll says whose it is.
    return lambda row: row.poll_id.in_(select(Poll.id).where(Poll.team_id == team))


def _by_meeting(team: str) -> Any:
    return lambda row: row.meeting_id.in_(
        select(Meeting.id).join(Community, Community.id == Meeting.community_id).where(Community.team_id == team))


def _by_standup(team: str) -> Any:
    return lambda row: row.standup_id.in_(
        select(Standup.id).join(Community, Community.id == Standup.community_id).where(Community.team_id == team))


def _by_occurrence(team: str) -> Any:
    return lambda row: row.occurrence_id.in_(
        select(MeetingOccurrence.id).join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .join(Community, Community.id == Meeting.community_id).where(Community.team_id == team))


def _by_run(team: str) -> Any:
    return lambda row: row.run_id.in_(
        select(StandupRun.id).join(Standup, Standup.id == StandupRun.standup_id)
        .join(Community, Community.id == Standup.community_id).where(Community.team_id == team))


def _by_version(team: str) -> Any:
    return lambda row: row.version_id.in_(
        select(TermsVersion.id).join(Community, Community.id == TermsVersion.community_id)
        .where(Community.team_id == team))


_OWNERS: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("team_id", _by_team), ("community_id", _by_community), ("poll_id", _by_poll), ("person_id", _by_person),
    ("meeting_id", _by_meeting),
    ("standup_id", _by_standup), ("occurrence_id", _by_occurrence), ("run_id", _by_run),
    ("version_id", _by_version),
)


def _rule(cls: type) -> Callable[[str], Any] | None:
    columns = cls.__table__.columns  # type: ignore[attr-defined]
    for name, rule in _OWNERS:
        column = columns.get(name)
        if column is not None and not (name == "community_id" and column.nullable):
            return rule
    return None


class _ScopeCriteria(LoaderCriteriaOption):
    """One rule's condition on every kind of row the rule covers, as one option.

    A statement carries the scope's options wherever it goes (subqueries, relationship loads), and SQLAlchemy
    coerces, keys and binds each option at every execution, whichever rows the statement reads. One option
    per kind of row (35 of them) cost about a fifth of the CPU of a scheduler tick; one per rule (7) costs a
    fifth of that. The rule's lambda is written against a column every kind of row in the group has, so it
    applies to each as it would to the first; the group is fixed, so the option's cache key (the first
    kind's mapper and the lambda's code and team) names it whole.
    """

    __slots__ = ("_group",)
    # Keyed as LoaderCriteriaOption is: the group is fixed by its first kind and its rule.
    _traverse_internals = LoaderCriteriaOption._traverse_internals

    def __init__(self, group: tuple[Mapper[Any], ...], condition: Any) -> None:
        super().__init__(group[0].class_, condition, include_aliases=True)
        self._group = group

    def _all_mappers(self) -> Iterator[Mapper[Any]]:
        for mapper in self._group:
            yield from mapper.self_and_descendants


@functools.cache
def _groups() -> tuple[tuple[Callable[[str], Any], tuple[Mapper[Any], ...]], ...]:
    """The mappers each rule covers, every mapper under the first rule that fits it."""
    groups: dict[Callable[[str], Any], list[Mapper[Any]]] = {}
    for mapper in Base.registry.mappers:
        rule = _rule(mapper.class_)
        if rule is not None:
            groups.setdefault(rule, []).append(mapper)
    return tuple((rule, tuple(mappers)) for rule, mappers in groups.items())


@functools.lru_cache(maxsize=16)
def _criteria(team: str) -> tuple[Any, ...]:
    """The scope's options for every kind of row, built once per workspace."""
    return tuple(_ScopeCriteria(mappers, rule(team)) for rule, mappers in _groups())


def scope_sessions(factory: sessionmaker[Session], team_id: Callable[[], str | None]) -> sessionmaker[Session]:
    """Scope every session `factory` makes to the workspace `team_id()` names (asked at each statement
    until known); a statement run before it is known raises WorkspaceUnknown rather than read everything."""

    @event.listens_for(factory, "do_orm_execute")
    def _scoped(state: ORMExecuteState) -> None:
        if state.is_column_load or state.is_relationship_load:
            return  # loads of an object already read: its statement carried the scope
        if not (state.is_select or state.is_update or state.is_delete):
            return
        team = state.session.info.get(TEAM_KEY) or team_id()
        if not team:
            raise WorkspaceUnknown("the workspace this process serves is not known yet")
        state.session.info[TEAM_KEY] = team
        state.statement = state.statement.options(*_criteria(team))

    return factory
