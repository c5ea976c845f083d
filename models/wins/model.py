"""The wins and the workspace's wins channel: what is queued, held and posted, and who may change it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, str_enum, utcnow
from models.communities import Community
from models.errors import BadArgument, NotFound
from models.people import Person

MAX_TITLE = 300
# What the weekly run keeps of the week it last ran, so that it runs once a week: "2026-W49".
WEEK_FORMAT = "{0}-W{1:02d}"


class WinKind(enum.StrEnum):
    OBJECTIVE = "objective"  # an objective of the plan marked done
    TERMS = "terms"          # a version of the Terms of Reference ratified
    KPI = "kpi"              # a KPI reaching its target for the year
    KUDOS = "kudos"          # the month's kudos, summarised


class WinState(enum.StrEnum):
    QUEUED = "queued"
    HELD = "held"
    POSTED = "posted"


class Win(Base):
    """One win of a community, recorded once (its `ref` is unique in the community) and numbered for its leads."""

    __tablename__ = "wins"
    __table_args__ = (UniqueConstraint("community_id", "ref"), UniqueConstraint("community_id", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    # As the leads type it: `/cop wins hold 3`.
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[WinKind] = mapped_column(str_enum(WinKind))
    # What it is the win of, once: "objective:12", "tor:4", "kpi:7", "kudos:2026-11".
    ref: Mapped[str] = mapped_column(String(64))
    # The record it is the win of (an objective, a ToR version, a KPI target), when there is one.
    source_id: Mapped[int | None] = mapped_column(Integer, default=None)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    # What the post says besides the title (counts, targets, who): person ids, resolved to names when shown.
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[dt.datetime] = mapped_column()
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    held_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The outbox key of the weekly post it went out in.
    post_key: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    posted_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    @property
    def state(self) -> WinState:
        if self.post_key is not None:
            return WinState.POSTED
        return WinState.HELD if self.held_at is not None else WinState.QUEUED


class WinsChannel(Base):
    """The workspace's announcements channel for wins, chosen by an overall lead."""

    __tablename__ = "wins_channels"

    team_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(20))
    # The zone of whoever chose it: the weekly post goes on Friday afternoon there.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_week: Mapped[str | None] = mapped_column(String(10), default=None)
    # Slack's answer when a post to it failed for good (archived, removed, copbot not in it): nothing is posted
    # there again until an overall lead chooses a channel.
    broken: Mapped[str | None] = mapped_column(String(64), default=None)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def channel_of(session: Session, *, team_id: str) -> WinsChannel | None:
    return session.get(WinsChannel, team_id)


def set_channel(session: Session, *, team_id: str, channel_id: str, by: Person, now: dt.datetime) -> WinsChannel:
    """Choose the announcements channel (overall leads: the caller checks); a broken one is forgotten."""
    found = session.get(WinsChannel, team_id)
    if found is None:
        found = WinsChannel(team_id=team_id)
        session.add(found)
    found.channel_id, found.timezone, found.set_by_id, found.set_at = channel_id, by.tz or "UTC", by.id, now
    found.broken = None
    session.flush()
    return found


def week_of(instant: dt.datetime, zone: ZoneInfo) -> str:
    year, week, _ = instant.astimezone(zone).isocalendar()
    return WEEK_FORMAT.format(year, week)


def list_wins(session: Session, *, community: Community, now: dt.datetime,
              posted_since: dt.timedelta = dt.timedelta(days=28)) -> list[Win]:
    """The community's queued and held wins, and those posted lately, by number."""
    recent = now - posted_since
    return list(session.scalars(select(Win).where(
        Win.community_id == community.id, (Win.post_key.is_(None)) | (Win.posted_at >= recent))
        .order_by(Win.number)))


def queued_counts(session: Session, *, team_id: str) -> list[tuple[str, int, int]]:
    """(community name, queued, held) for every community of the workspace with a win waiting: one statement."""
    held = func.count(Win.held_at)
    rows = session.execute(
        select(Community.name, func.count(Win.id) - held, held).join(Community, Community.id == Win.community_id)
        .where(Community.team_id == team_id, Win.post_key.is_(None))
        .group_by(Community.id, Community.name).order_by(Community.name))
    return [(name, int(queued), int(n_held)) for name, queued, n_held in rows]


def _get(session: Session, community: Community, number: int) -> Win:
    win = session.scalars(select(Win).where(Win.community_id == community.id, Win.number == number)).one_or_none()
    if win is None:
        raise NotFound(f"*{community.name}* has no win {number}; `/cop wins` lists them.")
    return win


def hold(session: Session, *, community: Community, number: int, by: Person, now: dt.datetime) -> Win:
    """Keep a win out of the weekly post (leads: the caller checks)."""
    win = _get(session, community, number)
    if win.state is WinState.POSTED:
        raise BadArgument(f"Win {number} was already posted; it cannot be held back now.")
    if win.state is WinState.HELD:
        raise BadArgument(f"Win {number} is already held; `/cop wins release {number}` lets it go out.")
    win.held_at, win.held_by_id = now, by.id
    session.flush()
    return win


def release(session: Session, *, community: Community, number: int) -> Win:
    """Let a held win go out in the next weekly post (leads: the caller checks)."""
    win = _get(session, community, number)
    if win.state is not WinState.HELD:
        raise BadArgument(f"Win {number} is not held{' (it was posted)' if win.state is WinState.POSTED else ''}.")
    win.held_at, win.held_by_id = None, None
    session.flush()
    return win
