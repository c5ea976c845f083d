"""The annual plan: objectives per community and year, each moved forward by the actions linked to it."""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.actions.model import Action, ActionStatus
from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.errors import BadArgument, NotFound
from models.people import Person

MAX_OBJECTIVE = 300


class ObjectiveStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Objective(Base):
    __tablename__ = "plan_objectives"
    __table_args__ = (UniqueConstraint("community_id", "year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    # Its number within the community's plan for the year, as people type it: `plan done 2`.
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(MAX_OBJECTIVE))
    status: Mapped[ObjectiveStatus] = mapped_column(str_enum(ObjectiveStatus), default=ObjectiveStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)


@dataclass(frozen=True)
class Progress:
    """An objective with what its linked actions say of it."""

    objective: Objective
    linked: int  # linked actions, but those dropped
    closed: int  # of which done
    actions: tuple[tuple[int, str, ActionStatus], ...] = ()

    @property
    def percent(self) -> int | None:
        return round(100 * self.closed / self.linked) if self.linked else None


def add_objective(session: Session, *, community: Community, year: int, text: str, by: Person,
                  now: dt.datetime) -> Objective:
    text = " ".join(text.split())
    if not text:
        raise BadArgument("Say what the objective is, in quotes.")
    if len(text) > MAX_OBJECTIVE:
        raise BadArgument(f"That objective is {len(text)} characters long; keep it to {MAX_OBJECTIVE}.")
    last = session.scalar(select(func.max(Objective.number)).where(Objective.community_id == community.id,
                                                                   Objective.year == year))
    objective = Objective(community_id=community.id, year=year, number=(last or 0) + 1, text=text,
                          created_by_id=by.id, created_at=now)
    session.add(objective)
    session.flush()
    return objective


def get_objective(session: Session, *, community: Community, year: int, number: int) -> Objective:
    objective = session.scalars(select(Objective).where(
        Objective.community_id == community.id, Objective.year == year, Objective.number == number)).one_or_none()
    if objective is None:
        raise NotFound(f"The {year} plan of *{community.name}* has no objective {number}; `/cop plan` lists them.")
    return objective


def close_objective(objective: Objective, *, status: ObjectiveStatus, now: dt.datetime) -> Objective:
    """Mark an objective done or dropped (leads only: the caller checks)."""
    if objective.status == status:
        raise BadArgument(f"Objective {objective.number} is already {status.value}.")
    objective.status = status
    objective.closed_at = now
    return objective


def link_action(session: Session, *, community: Community, action_id: int, objective: Objective) -> Action:
    """Link an action of the community to an objective: its progress becomes the objective's."""
    action = session.get(Action, action_id)
    if action is None or action.community_id != community.id:
        raise NotFound(f"*{community.name}* has no action #{action_id}.")
    if objective.status != ObjectiveStatus.OPEN:
        raise BadArgument(f"Objective {objective.number} is {objective.status.value}: link actions to an open one.")
    action.objective_id = objective.id
    session.flush()
    return action


def plan_of(session: Session, *, community: Community, year: int) -> list[Progress]:
    """Every objective of the year, in order, with its linked actions: two statements."""
    objectives = list(session.scalars(select(Objective).where(
        Objective.community_id == community.id, Objective.year == year).order_by(Objective.number)))
    if not objectives:
        return []
    linked: dict[int, list[tuple[int, str, ActionStatus]]] = defaultdict(list)
    for action_id, title, status, objective_id in session.execute(
            select(Action.id, Action.title, Action.status, Action.objective_id)
            .where(Action.objective_id.in_([o.id for o in objectives])).order_by(Action.id)):
        linked[objective_id].append((action_id, title, status))
    return [_progress(o, linked[o.id]) for o in objectives]


def _progress(objective: Objective, actions: list[tuple[int, str, ActionStatus]]) -> Progress:
    live = [a for a in actions if a[2] != ActionStatus.DROPPED]
    return Progress(objective, len(live), sum(a[2] == ActionStatus.DONE for a in live), tuple(live))


def plans_of(session: Session, *, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[Progress]]:
    """The open objectives of many (community id, year) plans, with counts of their actions: one statement."""
    pairs = sorted(set(wanted))
    if not pairs:
        return {}
    live = Action.status != ActionStatus.DROPPED
    linked = (select(func.count()).where(Action.objective_id == Objective.id, live)
              .correlate(Objective).scalar_subquery())
    closed = (select(func.count()).where(Action.objective_id == Objective.id, Action.status == ActionStatus.DONE)
              .correlate(Objective).scalar_subquery())
    found: dict[tuple[int, int], list[Progress]] = defaultdict(list)
    for objective, n_linked, n_closed in session.execute(
            select(Objective, linked, closed).where(tuple_(Objective.community_id, Objective.year).in_(pairs),
                                                    Objective.status == ObjectiveStatus.OPEN)
            .order_by(Objective.community_id, Objective.year, Objective.number)):
        found[objective.community_id, objective.year].append(Progress(objective, n_linked, n_closed))
    return found
