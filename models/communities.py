"""Communities: a Slack channel plus its settings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Integer, String, Time, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.errors import BadArgument, NotFound

DEFAULT_REMINDER_OFFSETS = [24 * 60, 60]  # minutes before a meeting
# A blocked action goes to the community's leads after this many days, then to the overall leads.
DEFAULT_BLOCKER_LEAD_DAYS = 3
DEFAULT_BLOCKER_OVERALL_DAYS = 7
MAX_NAME = 80


class Community(Base):
    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)  # Monday
    digest_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(9, 0))
    reminder_offsets: Mapped[list[Any]] = mapped_column(default=lambda: list(DEFAULT_REMINDER_OFFSETS))
    quiet_after_days: Mapped[int] = mapped_column(Integer, default=21)
    nudge_every_days: Mapped[int] = mapped_column(Integer, default=14)
    reaction_map: Mapped[dict[str, Any]] = mapped_column(default=dict)
    blocker_lead_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_BLOCKER_LEAD_DAYS, server_default=text(str(DEFAULT_BLOCKER_LEAD_DAYS)))
    blocker_overall_days: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_BLOCKER_OVERALL_DAYS, server_default=text(str(DEFAULT_BLOCKER_OVERALL_DAYS)))
    created_by: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Since when its channel is archived: nothing is posted there and no meeting is reminded until it is back.
    archived_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The channel's name as Slack last gave it (at set-up, then at each rename), without the `#`.
    channel_name: Mapped[str | None] = mapped_column(String(MAX_NAME), default=None)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def community_for_channel(session: Session, *, team_id: str, channel_id: str) -> Community | None:
    return session.scalars(
        select(Community).where(Community.team_id == team_id, Community.channel_id == channel_id)
    ).one_or_none()


def validate_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise BadArgument("Give the community a name.", usage="/cop setup <name>")
    if len(name) > MAX_NAME:
        raise BadArgument(f"That name is {len(name)} characters long; keep it to {MAX_NAME}.",
                          usage="/cop setup <name>")
    return name


def create_community(
    session: Session, *, team_id: str, channel_id: str, name: str, created_by: str, timezone: str,
    now: dt.datetime | None = None,
) -> Community:
    """Turn a channel into a community; refuses a channel that already is one."""
    existing = community_for_channel(session, team_id=team_id, channel_id=channel_id)
    if existing is not None:
        raise BadArgument(f"This channel is already the community *{existing.name}*.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        timezone = "UTC"
    community = Community(
        team_id=team_id, channel_id=channel_id, name=validate_name(name), created_by=created_by,
        timezone=timezone, created_at=now or utcnow(),
    )
    session.add(community)
    session.flush()
    return community


def get_community(session: Session, *, team_id: str, community_id: int) -> Community:
    community = session.get(Community, community_id)
    if community is None or community.team_id != team_id:
        raise NotFound(f"There is no community #{community_id}.")
    return community
