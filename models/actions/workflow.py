"""What people do with actions, and who may: add, claim, complete, drop, assign, block, unblock.

A member works on their own actions and on the pool's; a lead (or an overall lead) on any action
of the community. Nobody becomes an action's owner without agreeing, except when a lead says so:
anyone else naming an owner only asks them, and the action stays in the pool until they accept. Even a
lead's assignment can be declined: the action goes back to the pool, and the lead is told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actions.model import ACTIVE_STATUSES, MAX_REASON, MAX_TITLE, Action, ActionStatus, DueNotice, Escalation
from models.communities import Community
from models.contributions import ContributionKind, record_contribution, undo_contribution
from models.errors import BadArgument, NotAMember, NotPermitted
from models.meetings import Meeting
from models.mentions import MentionSource, forget_mentions
from models.people import Person, active_membership
from models.sources import Source
from models.tags import normalise_tags
from models.upsert import insert_ignore
from models.when import WhenError, occurrence_at_or_before, parse_when

# An action added this long after a meeting ended still came from it (people write them up after).
MEETING_AFTERGLOW = dt.timedelta(hours=1)
# "due friday" means the end of that working day in the person's zone.
END_OF_DAY = "17:00"


@dataclass(frozen=True)
class Actor:
    """Who is acting, and whether they lead the action's community (or all communities)."""

    person: Person
    is_lead: bool


@dataclass(frozen=True)
class Added:
    action: Action
    created: bool  # False: the message already was an action


def validate_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise BadArgument("Give the action a title in double quotes.")
    if len(title) > MAX_TITLE:
        raise BadArgument(f"That title is {len(title)} characters long; keep it to {MAX_TITLE}.")
    return title


def parse_due(text: str, *, tz: str, now: dt.datetime) -> dt.datetime:
    """A due date in the person's zone; a day without a time means the end of that working day."""
    try:
        return parse_when(text, tz=tz, now=now)
    except WhenError as first:
        try:
            return parse_when(f"{text} {END_OF_DAY}", tz=tz, now=now)
        except WhenError:
            raise first from None


def meeting_in_progress(session: Session, *, community: Community, now: dt.datetime) -> Meeting | None:
    """The community's meeting happening now (or just ended), which an action added now came from.

    A meeting a lead started with `/cop meeting start` and has not ended is the one; failing that,
    one whose scheduled time is now.
    """
    from models.meetings.running import running_occurrence  # the meetings package imports actions

    running = running_occurrence(session, community=community)
    if running is not None:
        return running.meeting
    meetings = session.scalars(select(Meeting).where(
        Meeting.community_id == community.id, Meeting.cancelled_at.is_(None), Meeting.starts_at <= now)).all()
    for meeting in meetings:
        start = occurrence_at_or_before(meeting.starts_at, meeting.rule, tz=community.timezone, at=now)
        if start is not None and now <= start + meeting.duration + MEETING_AFTERGLOW:
            return meeting
    return None


def _require_member(session: Session, action: Action, person: Person) -> None:
    if active_membership(session, community=action.community, person=person) is None:
        raise NotAMember(f"Join *{action.community.name}* first (`/cop join` in its channel) to work on its actions.")


def _require_active(action: Action) -> None:
    if not action.is_active:
        raise BadArgument(f"Action #{action.id} is already {action.status.value}.")


def _require_owner_or_lead(action: Action, actor: Actor, doing: str) -> None:
    if actor.is_lead or (action.owner_id is not None and action.owner_id == actor.person.id):
        return
    whose = f"{action.owner.display_name}'s" if action.owner is not None else "in the pool"
    raise NotPermitted(f"Action #{action.id} is {whose}: only its owner or a lead can {doing} it.")


def _assignable(session: Session, community: Community, person: Person) -> None:
    if person.is_bot:
        raise BadArgument("A bot can't own an action; name a person.")
    if active_membership(session, community=community, person=person) is None:
        raise NotAMember(f"{person.display_name or 'That person'} is not a member of *{community.name}*; they can "
                         "`/cop join` in its channel first.")


def _working_status(action: Action) -> ActionStatus:
    return ActionStatus.IN_PROGRESS if action.owner_id is not None else ActionStatus.OPEN


def add_action(
    session: Session, *, community: Community, title: str, actor: Actor, now: dt.datetime,
    owner: Person | None = None, due_at: dt.datetime | None = None, tags: Iterable[str] = (),
    meeting: Meeting | None = None, source: Source | None = None, via: str | None = None,
) -> Added:
    """Add an action: owned (by the adder, or by whoever a lead names), proposed to someone, or in the pool.

    An action from a message is added once however many people react to it: the message is its key.
    """
    title = validate_title(title)
    tags = normalise_tags(tags)
    if due_at is not None and due_at <= now:
        raise BadArgument("The due date has to be in the future.")
    if not actor.is_lead and active_membership(session, community=community, person=actor.person) is None:
        raise NotAMember(f"Join *{community.name}* first (`/cop join` in its channel) to add its actions.")
    owned_by = proposed = None
    if owner is not None:
        _assignable(session, community, owner)
        if owner.id == actor.person.id or actor.is_lead:
            owned_by = owner
        else:
            proposed = owner
    assigned_by = actor.person if owned_by is not None and owned_by.id != actor.person.id else None
    values = dict(
        community_id=community.id, title=title, creator_id=actor.person.id,
        owner_id=owned_by.id if owned_by else None, status=ActionStatus.OPEN, due_at=due_at, tags=tags,
        meeting_id=meeting.id if meeting else None, created_at=now, escalation_level=Escalation.OWNER,
        due_notice=DueNotice.NONE, created_via=via, proposed_owner_id=proposed.id if proposed else None,
        proposed_at=now if proposed else None, assigned_by_id=assigned_by.id if assigned_by else None,
        source_key=source.key if source else None, source_permalink=source.permalink if source else None,
    )
    created = insert_ignore(session, Action, values, conflict="source_key") if source else None
    if source is not None:
        action = session.scalars(select(Action).where(Action.source_key == source.key)).one()
    else:
        action = Action(**values)
        session.add(action)
        session.flush()
        created = True
    if created:
        record_contribution(session, key=f"action:{action.id}:created", community_id=community.id,
                            person_id=actor.person.id, kind=ContributionKind.ACTION_CREATED, occurred_at=now)
    return Added(action, bool(created))


def claim_action(session: Session, *, action: Action, actor: Actor, now: dt.datetime) -> None:
    """Take an action from the pool (or accept it when asked); a lead may take anyone's."""
    _require_active(action)
    if action.owner_id == actor.person.id:
        raise BadArgument(f"Action #{action.id} is already yours.")
    if action.owner_id is not None and not actor.is_lead:
        raise NotPermitted(f"Action #{action.id} is {action.owner.display_name}'s: ask them or a lead to hand "
                           "it over.")
    _require_member(session, action, actor.person)
    action.owner, action.owner_id = actor.person, actor.person.id
    if action.status != ActionStatus.BLOCKED:
        action.status = ActionStatus.IN_PROGRESS
    _clear_proposal(action)
    _clear_assignment(action)
    session.flush()


def complete_action(
    session: Session, *, action: Action, actor: Actor, now: dt.datetime, via: str | None = None
) -> bool:
    """Mark an action done, crediting its owner; returns whether it was blocked until now."""
    _require_active(action)
    if action.owner_id is None:
        # Whoever finishes a pool action did it.
        _require_member(session, action, actor.person)
        action.owner, action.owner_id = actor.person, actor.person.id
    _require_owner_or_lead(action, actor, "complete")
    was_blocked = action.status == ActionStatus.BLOCKED
    action.status = ActionStatus.DONE
    action.closed_at = now
    action.closed_by_id = actor.person.id
    action.closed_via = via
    _clear_proposal(action)
    record_contribution(session, key=f"action:{action.id}:closed", community_id=action.community_id,
                        person_id=action.owner_id, kind=ContributionKind.ACTION_CLOSED, occurred_at=now)
    session.flush()
    return was_blocked


def drop_action(session: Session, *, action: Action, actor: Actor, now: dt.datetime) -> None:
    """Drop an action that will not be done: its owner, a lead, or any member for the pool's."""
    _require_active(action)
    if action.owner_id is None:
        if not actor.is_lead:
            _require_member(session, action, actor.person)
    else:
        _require_owner_or_lead(action, actor, "drop")
    action.status = ActionStatus.DROPPED
    action.closed_at = now
    _clear_proposal(action)
    session.flush()


def decline_action(session: Session, *, action: Action, actor: Actor) -> Person | None:
    """Say no to being asked to take an action, or to a lead's assignment: either way it is the pool's.

    A lead's word does not outweigh the room a person has; returns the lead who assigned it, to be told.
    """
    if action.is_active and action.proposed_owner_id == actor.person.id:
        _clear_proposal(action)
        session.flush()
        return None
    if not (action.is_active and action.owner_id == actor.person.id and action.assigned_by_id is not None):
        raise BadArgument(f"Nobody is waiting for your answer on action #{action.id}.")
    lead = action.assigned_by
    action.owner, action.owner_id = None, None
    if action.status == ActionStatus.IN_PROGRESS:
        action.status = ActionStatus.OPEN
    _clear_assignment(action)
    session.flush()
    return lead


def assign_action(
    session: Session, *, action: Action, actor: Actor, assignee: Person, now: dt.datetime
) -> bool:
    """A lead assigns; anyone else asks. Returns True when assigned, False when the assignee was asked."""
    _require_active(action)
    _assignable(session, action.community, assignee)
    if assignee.id == action.owner_id:
        raise BadArgument(f"Action #{action.id} is already {assignee.display_name}'s.")
    if assignee.id == actor.person.id:
        claim_action(session, action=action, actor=actor, now=now)
        return True
    if actor.is_lead:
        action.owner, action.owner_id = assignee, assignee.id
        action.assigned_by, action.assigned_by_id = actor.person, actor.person.id
        if action.status != ActionStatus.BLOCKED:
            action.status = ActionStatus.OPEN
        _clear_proposal(action)
        session.flush()
        return True
    if action.owner_id is not None and action.owner_id != actor.person.id:
        raise NotPermitted(f"Action #{action.id} is {action.owner.display_name}'s: only they or a lead can hand "
                           "it to someone else.")
    _require_member(session, action, actor.person)
    action.proposed_owner, action.proposed_owner_id = assignee, assignee.id
    action.proposed_at = now
    session.flush()
    return False


def block_action(session: Session, *, action: Action, actor: Actor, reason: str, now: dt.datetime) -> None:
    """Record what blocks an action; its escalation ladder starts now."""
    _require_active(action)
    reason = " ".join((reason or "").split())
    if not reason:
        raise BadArgument("Say what blocks it, so the lead can help.")
    if len(reason) > MAX_REASON:
        raise BadArgument(f"That reason is {len(reason)} characters long; keep it to {MAX_REASON}.")
    if action.status == ActionStatus.BLOCKED:
        raise BadArgument(f"Action #{action.id} is already blocked: {action.blocker_reason}")
    _require_owner_or_lead(action, actor, "block")
    action.status = ActionStatus.BLOCKED
    action.blocker_reason = reason
    action.blocked_at = now
    action.escalation_level = Escalation.OWNER
    action.escalated_at = None
    session.flush()


def unblock_action(session: Session, *, action: Action, actor: Actor) -> None:
    if action.status != ActionStatus.BLOCKED:
        raise BadArgument(f"Action #{action.id} is not blocked.")
    _require_owner_or_lead(action, actor, "unblock")
    action.status = _working_status(action)
    action.blocked_at = None
    action.escalation_level = Escalation.OWNER
    action.escalated_at = None
    session.flush()


def _clear_proposal(action: Action) -> None:
    action.proposed_owner, action.proposed_owner_id, action.proposed_at = None, None, None


def _clear_assignment(action: Action) -> None:
    action.assigned_by, action.assigned_by_id = None, None


def undo_added_by(session: Session, *, via: str) -> int | None:
    """Take back an action its reaction created, if nobody has touched it since; returns its id."""
    action = session.scalars(select(Action).where(Action.created_via == via)).one_or_none()
    if action is None or action.status != ActionStatus.OPEN:
        return None
    action_id = action.id
    undo_contribution(session, key=f"action:{action_id}:created")
    forget_mentions(session, source=MentionSource.ACTION, record_id=action_id)
    session.delete(action)
    session.flush()
    return action_id


def return_to_pool(session: Session, *, community: Community, person: Person) -> list[Action]:
    """Someone left the community: what they still owned there goes back to the pool, for anyone to take.

    A blocked action stays blocked (its blocker did not leave with them); one under way is open again.
    """
    actions = list(session.scalars(select(Action).where(
        Action.community_id == community.id, Action.owner_id == person.id, Action.status.in_(ACTIVE_STATUSES),
    ).order_by(Action.id)).unique())
    for action in actions:
        action.owner, action.owner_id = None, None
        if action.status == ActionStatus.IN_PROGRESS:
            action.status = ActionStatus.OPEN
        _clear_proposal(action)
        _clear_assignment(action)
    session.flush()
    return actions


def reopen_closed_by(session: Session, *, via: str) -> Action | None:
    """Undo a completion its reaction made: the action is open again and the credit taken back."""
    action = session.scalars(select(Action).where(Action.closed_via == via)).one_or_none()
    if action is None or action.status != ActionStatus.DONE:
        return None
    action.status = ActionStatus.BLOCKED if action.blocked_at is not None else _working_status(action)
    action.closed_at = None
    action.closed_by_id = None
    action.closed_via = None
    undo_contribution(session, key=f"action:{action.id}:closed")
    session.flush()
    return action
