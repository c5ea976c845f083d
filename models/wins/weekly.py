"""The weekly post of wins: when it is due, what goes in it, and what happens when Slack refused the last one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from models.communities import Community
from models.deliveries import Delivery, DeliveryStatus
from models.people import Person
from models.wins.model import Win, WinsChannel, week_of

FRIDAY = 4
POST_FROM = dt.time(15, 0)  # Friday afternoon, on the clock of whoever chose the channel


def post_due(now: dt.datetime, zone: ZoneInfo) -> bool:
    """From Friday 15:00 to the end of Sunday: a run missed on Friday still posts that week."""
    local = now.astimezone(zone)
    return local.weekday() > FRIDAY or (local.weekday() == FRIDAY and local.time() >= POST_FROM)


def post_key(team_id: str, week: str) -> str:
    return f"wins:{team_id}:{week}"


@dataclass
class Refused:
    """A weekly post Slack refused for good, its wins back in the queue."""

    key: str
    channel: str
    error: str


@dataclass
class Waiting:
    """What a workspace's weekly run found: its queued wins with their communities, and who to name."""

    wins: list[Win]
    communities: dict[int, Community]
    names: dict[int, str] = field(default_factory=dict)


def teams_with_wins(session: Session) -> list[str]:
    """Workspaces with a wins channel or a win waiting for one: one statement."""
    waiting = select(Community.team_id).join(Win, Win.community_id == Community.id).where(Win.post_key.is_(None))
    return sorted(set(session.scalars(select(WinsChannel.team_id).union(waiting))))


def take_back_refused(session: Session, *, team_id: str, channel: WinsChannel | None) -> list[Refused]:
    """Posts of this workspace's wins that failed for good: their wins go back in the queue, and the channel is
    marked broken if the post went to it (nothing more is posted there until another is chosen)."""
    rows = session.execute(
        select(Delivery.key, Delivery.channel, Delivery.last_error).distinct()
        .join(Win, Win.post_key == Delivery.key).join(Community, Community.id == Win.community_id)
        .where(Community.team_id == team_id, Delivery.status == DeliveryStatus.FAILED)).all()
    refused = [Refused(key, channel_id, error or "unknown_error") for key, channel_id, error in rows]
    if refused:
        session.execute(update(Win).where(Win.post_key.in_([r.key for r in refused]))
                        .values(post_key=None, posted_at=None).execution_options(synchronize_session="fetch"))
        if channel is not None:
            channel.last_week = None  # the week's post did not happen: it may still, to the next channel chosen
        if channel is not None and any(r.channel == channel.channel_id for r in refused):
            channel.broken = next(r.error for r in refused if r.channel == channel.channel_id)[:64]
        session.flush()
    return refused


def waiting_wins(session: Session, *, team_id: str, now: dt.datetime) -> Waiting:
    """The workspace's wins that are neither held nor posted, by community name then number: two statements."""
    rows = session.execute(
        select(Win, Community).join(Community, Community.id == Win.community_id)
        .where(Community.team_id == team_id, Win.post_key.is_(None), Win.held_at.is_(None),
               Win.recorded_at <= now)
        .order_by(Community.name, Community.id, Win.number)).all()
    wins = [win for win, _ in rows]
    communities = {community.id: community for _, community in rows}
    return Waiting(wins, communities, names_for(session, wins=wins))


def names_for(session: Session, *, wins: Collection[Win]) -> dict[int, str]:
    """The names these wins show, in one statement: display names (never mentions: a post to the wider business
    pings nobody) of whoever ratified and of the most thanked. Someone who opted out of the leaderboard, or is
    gone, is never ranked among the most thanked, so is left out (and not named at all, to be sure)."""
    ratifiers = {int(win.detail["by"]) for win in wins if win.detail.get("by")}
    thanked = {int(person_id) for win in wins for person_id, _ in win.detail.get("notable", [])}
    if not ratifiers | thanked:
        return {}
    rows = session.execute(select(Person.id, Person.display_name, unrankable()).where(
        Person.id.in_(sorted(ratifiers | thanked))))
    return {person_id: name or "someone" for person_id, name, hidden in rows
            if not (hidden and person_id in thanked)}


def unrankable() -> ColumnElement[bool]:
    """Who is never ranked by name: whoever opted out of the leaderboard, left the workspace or is a bot."""
    return Person.leaderboard_opt_out.is_(True) | Person.deleted.is_(True) | Person.is_bot.is_(True)


def mark_posted(session: Session, *, win_ids: Collection[int], key: str, now: dt.datetime) -> None:
    session.execute(update(Win).where(Win.id.in_(sorted(win_ids))).values(post_key=key, posted_at=now)
                    .execution_options(synchronize_session="fetch"))


def this_week(now: dt.datetime, channel: WinsChannel) -> str:
    return week_of(now, channel.zone)
