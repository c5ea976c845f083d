"""The reader's own part of a digest ("Your open actions", "Saved for your digest"), for every reader at once.

The DM job builds thousands of copies in one run, so each part is read with one statement per
IN_CHUNK readers, not one per reader.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from models.actions import Action, ActionStatus
from models.attention import HOLD_FOR, HeldNotice, sort_out
from models.base import chunked
from models.digests.parts import MAX_ITEMS, Item, Reading, Section
from models.meetings.reminders import occurrence_in_key
from models.people import Membership

STILL_OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


def _action_item(action: Action) -> Item:
    return Item(action.title, ref=f"#{action.id}", when=action.due_at, when_label="due",
                note="blocked" if action.status == ActionStatus.BLOCKED else None)


def your_actions(session: Session, readings: Sequence[Reading]) -> dict[tuple[int, int], Section]:
    """Each reader's open actions in the community of their copy, those due soonest first, and how many."""
    owner = (Action.community_id, Action.owner_id)
    found: dict[tuple[int, int], list[Item]] = defaultdict(list)
    totals: dict[tuple[int, int], int] = {}
    for chunk in chunked(readings):
        ranked = (
            select(Action.id,
                   func.row_number().over(partition_by=owner,
                                          order_by=(Action.due_at.is_(None), Action.due_at, Action.id)).label("n"),
                   func.count().over(partition_by=owner).label("total"))
            .where(Action.community_id.in_(sorted({r.community.id for r in chunk})),
                   Action.owner_id.in_(sorted({r.reader.id for r in chunk})), Action.status.in_(STILL_OPEN))
            .subquery()
        )
        wanted = {r.key for r in chunk}
        for action, total in session.execute(
            select(Action, ranked.c.total).join(ranked, ranked.c.id == Action.id).where(ranked.c.n <= MAX_ITEMS)
            .order_by(ranked.c.n)
        ):
            key = (action.community_id, action.owner_id)
            if key in wanted:  # not a reader's actions in another reader's community
                found[key].append(_action_item(action))
                totals[key] = total
    return {key: Section("your_actions", "Your open actions", tuple(items), totals[key])
            for key, items in found.items()}


def held_item(notice: HeldNotice) -> Item:
    """A held message as a line: its summary, and when its meeting starts if it was a meeting reminder."""
    occurrence = occurrence_in_key(notice.key)
    if occurrence is None:
        return Item(notice.summary)
    return Item(notice.summary, when=occurrence[1], when_label="starts")


def _held(session: Session, readings: Sequence[Reading]) -> dict[int, list[tuple[HeldNotice, bool]]]:
    """By reader: what waits for them in the weeks of these readings, oldest first, and whether it is about
    a community they are in."""
    since = min(r.period.end for r in readings) - HOLD_FOR
    until = max(r.period.end for r in readings)
    theirs = exists().where(Membership.person_id == HeldNotice.person_id,
                            Membership.community_id == HeldNotice.community_id, Membership.active.is_(True))
    found: dict[int, list[tuple[HeldNotice, bool]]] = defaultdict(list)
    for chunk in chunked(sorted({r.reader.id for r in readings})):
        for notice, in_theirs in session.execute(
            select(HeldNotice, theirs).where(HeldNotice.person_id.in_(chunk), HeldNotice.released_at.is_(None),
                                             HeldNotice.created_at > since, HeldNotice.created_at <= until)
            .order_by(HeldNotice.id)
        ):
            found[notice.person_id].append((notice, bool(in_theirs)))
    return found


def waiting_for_you(session: Session, readings: Sequence[Reading]) -> dict[tuple[int, int], Section]:
    """What copbot held back so as not to go over each reader's budget of messages.

    Besides its own community's, a copy shows what was held about communities the reader is not in (an
    escalation to an overall lead) or about none: they have no other digest to read it in. Readings are
    taken in the order their copies are queued, and each copy releases what it shows or lets go, so a
    reader's later copy in the same run does not show it again.
    """
    if not readings:
        return {}
    held = _held(session, readings)
    released: set[int] = set()
    found: dict[tuple[int, int], Section] = {}
    for reading in readings:
        end = reading.period.end
        notices = [notice for notice, in_theirs in held[reading.reader.id]
                   if notice.id not in released and end - HOLD_FOR < notice.created_at <= end
                   and (notice.community_id in (reading.community.id, None) or not in_theirs)]
        worth, spent = sort_out(notices, at=end)  # a reminder of a meeting already begun is let go
        if not worth:
            continue
        shown = worth[:MAX_ITEMS]  # the rest stay waiting for the next digest
        found[reading.key] = Section("waiting_for_you", "Saved for your digest", tuple(held_item(n) for n in shown),
                                     len(worth), releases=tuple(n.id for n in shown) + tuple(spent))
        released.update(found[reading.key].releases)
    return found
