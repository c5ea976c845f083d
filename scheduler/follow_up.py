"""Action follow-up from the clock: due-soon and overdue reminders, and the blocker ladder."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.attention import Dm, deliver_dms
from bot.blocks import actions as blocks
from models.actions import DueNotice
from models.actions.follow_up import due_steps, escalation_steps
from models.attention import Outcome


def follow_up_actions(*, session: Session, now: dt.datetime, admin_ids: frozenset[str] = frozenset()) -> int:
    """Queue each reminder and escalation whose moment has come; returns how many messages were new.

    `admin_ids` are the overall leads named in COPBOT_ADMINS, who get escalations besides the
    workspace admins copbot knows. Each step is taken whatever becomes of its message: turned off,
    nothing is sent and turning it back on replays nothing; over someone's weekly budget, it waits
    for their digest.
    """
    dms: list[Dm] = []
    for due in due_steps(session, now=now):
        action = due.action
        step = "overdue" if due.step == DueNotice.OVERDUE else "due_soon"
        dms.append(Dm(action.owner, "actions", "action_reminder", f"action:{action.id}:{step}", blocks.due_dm(due),
                      blocks.due_summary(due), action.community_id))
    for step in escalation_steps(session, now=now, admin_ids=admin_ids):
        action = step.action
        message, summary = blocks.escalation_dm(step), blocks.escalation_summary(step)
        # One ladder per blocking: blocked again later, the action climbs again.
        blocking = int(action.blocked_at.timestamp())
        dms += [Dm(person, "escalations", "escalation",
                   f"action:{action.id}:escalate:{step.level.value}:{blocking}:{person.user_id}", message, summary,
                   action.community_id) for person in step.recipients]
    outcomes = deliver_dms(session, dms, now=now)
    return sum(outcome is Outcome.SEND for outcome in outcomes)
