"""Finding actions: by id, by the message they came from or were announced in, and as lists."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.actions.model import ACTIVE_STATUSES, Action, ActionStatus, Escalation
from models.communities import Community
from models.deliveries import Delivery
from models.errors import NotFound
from models.people import Person

# The outbox kind and key of the message announcing an action, with its buttons.
CARD_KIND = "action"


def card_key(action_id: int) -> str:
    return f"action:{action_id}:card"


class ListFilter(enum.StrEnum):
    OPEN = "open"
    MINE = "mine"
    POOL = "pool"
    OVERDUE = "overdue"
    BLOCKED = "blocked"
    ESCALATED = "escalated"
    DONE = "done"


def get_action(session: Session, *, team_id: str, action_id: int, for_update: bool = False) -> Action:
    """An action of this workspace; `for_update` locks its row until the transaction ends (PostgreSQL).

    Two people clicking Claim at once then take turns, and the second is told it is taken, rather
    than both being told it is theirs. (SQLite lets one writer in at a time anyway.)
    """
    if for_update:
        # Locked on its own: FOR UPDATE cannot reach the outer joins that load an action's people.
        session.execute(select(Action.id).where(Action.id == action_id).with_for_update())
    action = session.get(Action, action_id)
    if action is None or action.community.team_id != team_id:
        raise NotFound(f"There is no action #{action_id}.")
    return action


def action_from_source(session: Session, *, key: str) -> Action | None:
    return session.scalars(select(Action).where(Action.source_key == key)).one_or_none()


def action_for_message(session: Session, *, community: Community, channel: str, ts: str) -> Action | None:
    """The action a message turned into, or whose announcement it is."""
    action = action_from_source(session, key=f"message:{channel}:{ts}")
    if action is not None:
        return action
    key = session.scalars(select(Delivery.key).where(
        Delivery.community_id == community.id, Delivery.kind == CARD_KIND, Delivery.sent_channel == channel,
        Delivery.sent_ts == ts)).first()
    if key is None:
        return None
    action = session.get(Action, int(key.split(":")[1]))
    return action if action is not None and action.community_id == community.id else None


def list_actions(
    session: Session, *, which: ListFilter, now: dt.datetime, person: Person, community: Community | None,
    limit: int = 50,
) -> tuple[list[Action], int]:
    """The actions a list shows, soonest due first, and how many there are in all.

    `mine` spans every community; `escalated` spans the workspace when no community is given
    (the overall lead's view); the rest are one community's.
    """
    query = select(Action).join(Community, Community.id == Action.community_id).where(
        Community.team_id == person.team_id)
    if community is not None and which != ListFilter.MINE:
        query = query.where(Action.community_id == community.id)
    active = Action.status.in_(ACTIVE_STATUSES)
    conditions = {
        ListFilter.OPEN: [active],
        ListFilter.MINE: [active, Action.owner_id == person.id],
        ListFilter.POOL: [active, Action.owner_id.is_(None)],
        ListFilter.OVERDUE: [active, Action.due_at.is_not(None), Action.due_at < now],
        ListFilter.BLOCKED: [Action.status == ActionStatus.BLOCKED],
        ListFilter.ESCALATED: [Action.status == ActionStatus.BLOCKED, Action.escalation_level > Escalation.OWNER],
        ListFilter.DONE: [Action.status == ActionStatus.DONE],
    }[which]
    query = query.where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if which == ListFilter.DONE:
        order = [Action.closed_at.desc(), Action.id.desc()]
    else:
        # Undated actions after dated ones, on both databases (PostgreSQL sorts NULL last, SQLite first).
        order = [Action.due_at.is_(None), Action.due_at, Action.id]
    return list(session.scalars(query.order_by(*order).limit(limit)).unique()), total


def open_counts(session: Session, *, community: Community) -> dict[int, int]:
    """Open actions per owner in a community, in one query."""
    rows = session.execute(
        select(Action.owner_id, func.count()).where(
            Action.community_id == community.id, Action.owner_id.is_not(None), Action.status.in_(ACTIVE_STATUSES))
        .group_by(Action.owner_id))
    return {owner_id: count for owner_id, count in rows}
