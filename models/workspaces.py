"""Whether copbot may still act for a workspace: uninstalled or with its token revoked, it sends nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.upsert import insert_ignore


class StoppedWorkspace(Base):
    """A workspace that removed copbot (`app_uninstalled`) or revoked its token (`tokens_revoked`, or Slack
    refusing the token on a post): its outbox and its scheduled jobs stand still until a process starts
    with a token Slack accepts."""

    __tablename__ = "stopped_workspaces"

    team_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    reason: Mapped[str] = mapped_column(String(64))
    stopped_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def stop_workspace(session: Session, *, team_id: str, reason: str, now: dt.datetime) -> bool:
    """Stop every send for the workspace; True if it was not stopped already (so it is logged once)."""
    return insert_ignore(session, StoppedWorkspace, dict(team_id=team_id, reason=reason[:64], stopped_at=now),
                         conflict="team_id")


def resume_workspace(session: Session, *, team_id: str) -> bool:
    """The token works again: the workspace's sends resume; True if it had been stopped."""
    return bool(session.execute(delete(StoppedWorkspace).where(StoppedWorkspace.team_id == team_id)).rowcount)


def workspace_stopped(session: Session) -> bool:
    """Whether the session's workspace is stopped (a scoped session sees only its own workspace's row)."""
    return session.scalars(select(StoppedWorkspace.team_id).limit(1)).first() is not None
