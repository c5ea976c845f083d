"""Action follow-up from the clock: due-soon and overdue reminders, and the blocker ladder."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.blocks import actions as blocks
from models.actions import DueNotice
from models.actions.follow_up import due_steps, escalation_steps
from models.attention import wants
from models.deliveries import enqueue


def follow_up_actions(*, session: Session, now: dt.datetime, admin_ids: frozenset[str] = frozenset()) -> int:
    """Queue each reminder and escalation whose moment has come; returns how many messages were new.

    `admin_ids` are the overall leads named in COPBOT_ADMINS, who get escalations besides the
    workspace admins copbot knows.
    """
    queued = 0
    for due in due_steps(session, now=now):
        action = due.action
        if not wants(action.owner, "actions"):
            continue  # the step is taken all the same: turning reminders back on does not replay old ones
        message = blocks.due_dm(due)
        step = "overdue" if due.step == DueNotice.OVERDUE else "due_soon"
        queued += enqueue(session, key=f"action:{action.id}:{step}", team_id=action.community.team_id,
                          channel=action.owner.user_id, text=message.text, blocks=message.blocks,
                          kind="action_reminder", community_id=action.community_id, now=now)
    for step in escalation_steps(session, now=now, admin_ids=admin_ids):
        action = step.action
        message = blocks.escalation_dm(step)
        # One ladder per blocking: blocked again later, the action climbs again.
        blocking = int(action.blocked_at.timestamp())
        for user_id in step.recipients:
            queued += enqueue(session, key=f"action:{action.id}:escalate:{step.level.value}:{blocking}:{user_id}",
                              team_id=action.community.team_id, channel=user_id, text=message.text,
                              blocks=message.blocks, kind="escalation", community_id=action.community_id, now=now)
    return queued
