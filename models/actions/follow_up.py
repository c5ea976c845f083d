"""Follow-up: due-soon and overdue reminders to owners, and the blocker ladder, each step once.

A blocked action goes to the community's leads after `blocker_lead_days` and to the overall
leads after `blocker_overall_days` (3 and 7 unless the community says otherwise). Each step is
recorded on the action, so a scan finds only what is newly due: running it twice at the same
instant, or every minute for a year, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.actions.model import ACTIVE_STATUSES, Action, ActionStatus, DueNotice, Escalation
from models.communities import Community
from models.errors import BadArgument
from models.people import LEAD_ROLES, Membership, Person, overall_lead_clause

DUE_SOON = dt.timedelta(hours=24)
MIN_LADDER_DAYS = 1
MAX_LADDER_DAYS = 60


@dataclass(frozen=True)
class DueStep:
    action: Action
    step: DueNotice


@dataclass(frozen=True)
class EscalationStep:
    action: Action
    level: Escalation
    recipients: tuple[Person, ...]
    after_days: int


def due_steps(session: Session, *, now: dt.datetime) -> list[DueStep]:
    """Owned open actions whose next due-date reminder has come; each is marked as sent.

    A bot that was down past an action's due date sends only the overdue reminder: "due soon"
    would be wrong by then.
    """
    actions = session.scalars(select(Action).where(
        Action.status.in_(ACTIVE_STATUSES), Action.owner_id.is_not(None), Action.due_at.is_not(None),
        Action.due_at <= now + DUE_SOON, Action.due_notice < DueNotice.OVERDUE,
    ).order_by(Action.id)).unique().all()
    steps = []
    for action in actions:
        step = DueNotice.OVERDUE if action.due_at <= now else DueNotice.DUE_SOON
        if step <= action.due_notice:
            continue
        action.due_notice = step
        steps.append(DueStep(action, step))
    session.flush()
    return steps


def escalation_steps(
    session: Session, *, now: dt.datetime, admin_ids: frozenset[str] = frozenset()
) -> list[EscalationStep]:
    """Blocked actions that have reached the next rung of their community's ladder; each is marked.

    A few queries whatever the number of communities: the blocked actions' times and their communities'
    ladders, the actions whose rung has come, their communities' leads, and the overall leads (workspace
    admins copbot knows, plus `admin_ids`).
    """
    # Most blocked actions are waiting for their next rung: only their times are read, and whole actions are
    # loaded for the few whose rung has come.
    blocked = session.execute(select(Action.id, Action.community_id, Action.blocked_at, Action.escalation_level)
                              .where(Action.status == ActionStatus.BLOCKED,
                                     Action.escalation_level < Escalation.OVERALL_LEAD,
                                     Action.blocked_at <= now - dt.timedelta(days=MIN_LADDER_DAYS))).all()
    ladders = {c.id: c for c in session.scalars(select(Community).where(
        Community.id.in_(sorted({row.community_id for row in blocked}))))} if blocked else {}
    climbing: dict[int, list[tuple[Escalation, int]]] = defaultdict(list)
    for row in blocked:
        community = ladders[row.community_id]
        waited = now - row.blocked_at
        rungs = ((Escalation.LEAD, community.blocker_lead_days),
                 (Escalation.OVERALL_LEAD, community.blocker_overall_days))
        for level, days in rungs:
            # A bot that was down across both rungs climbs both: the lead should know as well.
            if row.escalation_level < level and waited >= dt.timedelta(days=days):
                climbing[row.id].append((level, days))
    actions = session.scalars(select(Action).where(Action.id.in_(sorted(climbing))).order_by(Action.id)
                              ).unique().all() if climbing else []
    due = [(action, level, days) for action in actions for level, days in climbing[action.id]]
    if not due:
        return []
    leads = _community_leads(session, {a.community_id for a, _, _ in due})
    overall = _overall_leads(session, {a.community.team_id for a, _, _ in due}, admin_ids, now)
    steps = []
    for action, level, days in due:
        everyone = leads[action.community_id] if level == Escalation.LEAD else overall[action.community.team_id]
        steps.append(EscalationStep(action, level, tuple(p for p in everyone if p.id != action.owner_id), days))
        action.escalation_level = max(action.escalation_level, level)
        action.escalated_at = now
    session.flush()
    return steps


def _community_leads(session: Session, community_ids: set[int]) -> dict[int, list[Person]]:
    rows = session.execute(
        select(Membership.community_id, Person).join(Person, Person.id == Membership.person_id)
        .where(Membership.community_id.in_(sorted(community_ids)), Membership.active.is_(True),
               Membership.role.in_(sorted(LEAD_ROLES)), Person.is_bot.is_(False), Person.deleted.is_(False),
               Person.escalation_dms.is_(True))
        .order_by(Membership.community_id, Person.user_id))
    found: dict[int, list[Person]] = defaultdict(list)
    for community_id, person in rows:
        found[community_id].append(person)
    return found


def _overall_leads(session: Session, team_ids: set[str], admin_ids: frozenset[str],
                   now: dt.datetime) -> dict[str, list[Person]]:
    """Workspace admins copbot knows, those named overall leads in copbot and the ids in COPBOT_ADMINS, less
    whoever turned escalations off.

    Someone named in COPBOT_ADMINS whom copbot has never met gets a row here, so that their messages
    count against their budget like anyone's, and what goes over it can wait for them.
    """
    people = session.scalars(select(Person).where(
        Person.team_id.in_(sorted(team_ids)), overall_lead_clause(admin_ids),
    ).order_by(Person.id)).all()
    known = {(p.team_id, p.user_id) for p in people}
    found: dict[str, list[Person]] = {team: [] for team in team_ids}
    for person in people:
        if person.escalation_dms and not person.is_bot and not person.deleted:
            found[person.team_id].append(person)
    for team in sorted(team_ids):
        for user_id in sorted(admin_ids):
            if (team, user_id) not in known:
                stranger = Person(team_id=team, user_id=user_id, created_at=now)
                session.add(stranger)
                found[team].append(stranger)
    session.flush()
    return {team: sorted(people, key=lambda p: p.user_id) for team, people in found.items()}


def set_ladder(community: Community, *, lead_days: int, overall_days: int) -> None:
    if not MIN_LADDER_DAYS <= lead_days < overall_days <= MAX_LADDER_DAYS:
        raise BadArgument(f"Give two numbers of days, the first smaller: {MIN_LADDER_DAYS} to {MAX_LADDER_DAYS}, "
                          "e.g. `3 7`.")
    community.blocker_lead_days = lead_days
    community.blocker_overall_days = overall_days
