"""Actions: the community's shared work, its fair sharing and its follow-up."""

from models.actions.model import ACTIVE_STATUSES, Action, ActionStatus, DueNotice, Escalation

__all__ = ["ACTIVE_STATUSES", "Action", "ActionStatus", "DueNotice", "Escalation"]
