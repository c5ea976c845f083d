"""Who could take an action: work spread by declared capacity, and matched to expertise.

Members are ranked by how many of the action's tags their expertise covers (when it has tags),
then by their open work relative to the capacity they declared (`/cop capacity`), so the person
with the most room comes first. Whoever is at capacity, has declared none, or is a guest or a
bot is not suggested. Suggesting is all it does: nobody is assigned without agreeing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.actions.model import ACTIVE_STATUSES, Action
from models.people import Membership, Person, Role


@dataclass(frozen=True)
class Suggestion:
    person: Person
    open_actions: int
    capacity: int
    matched_tags: tuple[str, ...]

    @property
    def load(self) -> float:
        return self.open_actions / self.capacity


def suggest_owners(session: Session, *, action: Action, limit: int = 3) -> list[Suggestion]:
    """Up to `limit` members with room for this action, best first; one query."""
    load = (
        select(Action.owner_id.label("person_id"), func.count().label("open_actions"))
        .where(Action.community_id == action.community_id, Action.status.in_(ACTIVE_STATUSES),
               Action.owner_id.is_not(None))
        .group_by(Action.owner_id)
        .subquery()
    )
    rows = session.execute(
        select(Person, Membership.capacity, func.coalesce(load.c.open_actions, 0))
        .join(Membership, Membership.person_id == Person.id)
        .outerjoin(load, load.c.person_id == Person.id)
        .where(Membership.community_id == action.community_id, Membership.active.is_(True),
               Membership.role != Role.GUEST, Membership.capacity > 0, Person.is_bot.is_(False),
               Person.deleted.is_(False))
    ).all()
    wanted = set(action.tags or [])
    candidates = []
    for person, capacity, open_actions in rows:
        if open_actions >= capacity or person.id in (action.owner_id, action.proposed_owner_id):
            continue
        matched = tuple(t for t in action.tags or [] if t in set(person.expertise or []))
        candidates.append(Suggestion(person, open_actions, capacity, matched))
    candidates.sort(key=lambda s: (-len(s.matched_tags) if wanted else 0, s.load, s.open_actions,
                                   (s.person.display_name or "").lower(), s.person.id))
    return candidates[:limit]
