"""Slack saying, in answer to a post, what a life-cycle event would have said: the channel was archived, or
copbot's token no longer works. The message is held rather than failed, and the community or the workspace
is paused as the event itself would pause it."""

from __future__ import annotations

import datetime as dt
import logging

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.db import unit_of_work
from bot.slack import Workspace
from models.communities import community_for_channel
from models.deliveries import mark_retry
from models.lifecycle import archive_community
from models.workspaces import resume_workspace, stop_workspace

logger = logging.getLogger(__name__)

# What Slack answers for a token it will not take: wrong, revoked (the app uninstalled), or its user deactivated.
TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})
# Errors that pause rather than fail: another try cures them once the channel or the token is back.
PAUSING_ERRORS = TOKEN_REFUSED | {"is_archived"}


def hold_after_error(sessions: sessionmaker[Session], client: WebClient, workspace: Workspace, *,
                     delivery_id: int, channel: str, code: str, now: dt.datetime) -> bool:
    """Pause what `code` says is gone and hold the delivery for when it is back; False if nothing could be
    paused (an archived channel that is no community's), and the delivery fails as before."""
    team_id = workspace.team_id(client)
    if team_id is None:  # Slack cannot say now whose workspace this is (asked here, never inside the transaction)
        return False
    with unit_of_work(sessions) as session:
        if code == "is_archived":
            community = community_for_channel(session, team_id=team_id, channel_id=channel)
            if community is None:
                return False
            if archive_community(session, community=community, now=now):
                logger.warning("channel %s is archived: community %d is paused until it is back", channel,
                               community.id)
        else:
            stop_sends(session, team_id=team_id, reason=code, now=now)
        # Back to pending, no attempt spent: the outbox holds it while the pause lasts.
        mark_retry(session, delivery_id=delivery_id, error=code, retry_at=now, count_attempt=False)
    return True


def stop_sends(session: Session, *, team_id: str, reason: str, now: dt.datetime) -> None:
    """The app was uninstalled or its token revoked: the outbox and the scheduler stop for the workspace."""
    if stop_workspace(session, team_id=team_id, reason=reason, now=now):
        logger.warning("%s: nothing more is sent for workspace %s until copbot starts with a token Slack accepts",
                       reason, team_id)


def resume_sends(sessions: sessionmaker[Session], client: WebClient, workspace: Workspace) -> None:
    """Slack took this process's token (auth.test): whatever stopped the workspace's sends is over."""
    team_id = workspace.team_id(client)
    if team_id is None:
        return
    with unit_of_work(sessions) as session:
        if resume_workspace(session, team_id=team_id):
            logger.warning("Slack accepts the token again: sends resume for workspace %s", team_id)
