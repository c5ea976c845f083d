"""The newsletter's calendar: on the first working day of each month, last month's issue is drafted and sent
to the overall leads for approval; an approved issue Slack would not post comes back to them as a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.newsletter import draft_dm, refused_dm
from models.communities import Community
from models.deliveries import enqueue_many
from models.governance.budget import overall_lead_ids
from models.newsletter import issues
from models.newsletter.schedule import month_due, newsletter_hours


def draft_newsletters(*, session: Session, now: dt.datetime, admin_ids: frozenset[str] = frozenset()) -> int:
    """Draft each workspace's newsletter once a month, from the start of its first working day, and send the
    draft to every overall lead. Work that waits on their answer, like a budget request: it is sent whatever
    their DM budget. A month whose issue exists already (drafted on demand, or earlier today) is left alone."""
    messages = _refused(session, now=now, admin_ids=admin_ids)
    teams = session.scalars(select(Community.team_id).where(Community.archived_at.is_(None)).distinct()).all()
    for team_id in sorted(teams):
        month = month_due(newsletter_hours(session, team_id=team_id, admin_ids=admin_ids), now=now)
        if month is None or issues.issue_of(session, team_id=team_id, month=month) is not None:
            continue
        issue, created = issues.draft_issue(session, team_id=team_id, month=month, now=now)
        if not created:
            continue
        found = issues.settings_of(session, team_id=team_id)
        message = draft_dm(issue, found.channel_id if found else None)
        messages += [dict(key=f"newsletter:{issue.id}:draft:{user_id}", team_id=team_id, channel=user_id,
                          text=message.text, blocks=message.blocks, kind="newsletter", now=now)
                     for user_id in overall_lead_ids(session, team_id=team_id, admin_ids=admin_ids)]
    return enqueue_many(session, messages)


def _refused(session: Session, *, now: dt.datetime, admin_ids: frozenset[str]) -> list[dict[str, Any]]:
    """Approved issues whose post failed for good come back to every overall lead as a draft, with what Slack
    said: work only they can act on, so it is sent whatever their DM budget, once per failed post."""
    messages = []
    for refused in issues.reopen_refused(session):
        issue = refused.issue
        found = issues.settings_of(session, team_id=issue.team_id)
        message = refused_dm(issue, failed_in=refused.channel_id, error=refused.error,
                             approved_by=refused.approved_by, channel_id=found.channel_id if found else None)
        messages += [dict(key=f"newsletter:{issue.id}:refused:{refused.delivery_id}:{user_id}", team_id=issue.team_id,
                          channel=user_id, text=message.text, blocks=message.blocks, kind="newsletter", now=now)
                     for user_id in overall_lead_ids(session, team_id=issue.team_id, admin_ids=admin_ids)]
    return messages
