"""Fading communities caught early: the weekly scan's rules, and each community's fading episodes.

A community fades when its meetings lapsed (none held for twice its cadence), its attendance or its
active members fell four weeks running, its channel went quiet for three weeks, or its health fell 15
points within eight weeks. An episode starts the first week one of these holds and ends the first week
none does; its leads and the overall leads hear of it once, at its start. A community set up in the
last four weeks is never fading, nor one whose channel is archived (paused), nor one copbot has watched
(taken weekly snapshots of) for less than four weeks: copbot only knows the messages and meetings since it
was there, so a community it has just met would look quiet for no reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ForeignKey, func, insert, select
from sqlalchemy.orm import Mapped, Session, lazyload, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from models.base import Base
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.health.measure import _utc
from models.health.snapshots import HealthSnapshot, history, week_of
from models.meetings import Meeting, MeetingOccurrence
from models.people import LEAD_ROLES, Membership, Person, overall_lead_clause
from models.when import format_day

NEW_COMMUNITY = dt.timedelta(weeks=4)
FALLING_WEEKS = 4
QUIET_FOR = dt.timedelta(weeks=3)
HEALTH_DROP = 15
HEALTH_DROP_WEEKS = 8
MONTH = dt.timedelta(days=30)


class FadingEpisode(Base):
    __tablename__ = "fading_episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # What the last scan found: [{"rule": ..., "evidence": ...}], the latest first seen kept up to date.
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    checked_at: Mapped[dt.datetime]

    community: Mapped[Community] = relationship(lazy="joined")


@dataclass(frozen=True)
class Reason:
    rule: str  # lapsed | attendance | active | quiet | health
    evidence: str  # plain text; escaped where shown


# The one suggestion each rule leads to, in the order they are preferred when several hold.
SUGGESTIONS = {
    "lapsed": "Move the meeting slot: a time that suits more members may bring the meetings back.",
    "attendance": "Invite a guest speaker: an outside voice on a topic members care about draws people back.",
    "active": "Ask the members in a poll what would help, e.g. `/cop poll \"What would make this community "
              "worth your time?\" \"Shorter meetings\" \"A guest speaker\" \"Another slot\" anonymous`.",
    "quiet": "Ask the members in a poll what would help, e.g. `/cop poll \"What would make this community "
             "worth your time?\" \"Shorter meetings\" \"A guest speaker\" \"Another slot\" anonymous`.",
    "health": "Ask the members in a poll what would help, e.g. `/cop poll \"What would make this community "
              "worth your time?\" \"Shorter meetings\" \"A guest speaker\" \"Another slot\" anonymous`.",
}


def suggestion_for(reasons: Sequence[Reason | dict]) -> str:
    rules = {r.rule if isinstance(r, Reason) else r["rule"] for r in reasons}
    return next(SUGGESTIONS[rule] for rule in SUGGESTIONS if rule in rules)


def cadence_of(meeting: Meeting) -> dt.timedelta | None:
    rule = meeting.rule
    if rule is None:
        return None
    return dt.timedelta(weeks=rule.interval) if rule.freq == "weekly" else MONTH * rule.interval


def fading_reasons(session: Session, *, communities: Sequence[Community],
                   now: dt.datetime) -> dict[int, list[Reason]]:
    """Why each community fades at `now` (communities that do not are left out); four statements."""
    snapshots = history(session, community_ids=[c.id for c in communities], now=now, weeks=HEALTH_DROP_WEEKS + 1)
    watched_since = week_of(now) - NEW_COMMUNITY
    # An archived channel pauses its community: quiet by choice, not fading (an open episode ends).
    old = [c for c in communities if c.archived_at is None and now - _utc(c.created_at) >= NEW_COMMUNITY
           and snapshots.get(c.id) and snapshots[c.id][0].week <= watched_since]
    ids = [c.id for c in old]
    if not ids:
        return {}
    series = session.scalars(select(Meeting).options(lazyload(Meeting.community)).where(
        Meeting.community_id.in_(ids), Meeting.cancelled_at.is_(None), Meeting.recurrence.is_not(None))).all()
    last_held = dict(session.execute(
        select(Meeting.community_id, func.max(MeetingOccurrence.started_at))
        .join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .where(Meeting.community_id.in_(ids), MeetingOccurrence.cancelled_at.is_(None),
               MeetingOccurrence.started_at <= now).group_by(Meeting.community_id)).all())
    last_said = dict(session.execute(
        select(Contribution.community_id, func.max(Contribution.occurred_at))
        .where(Contribution.community_id.in_(ids), Contribution.occurred_at <= now,
               Contribution.kind.in_((ContributionKind.MESSAGE, ContributionKind.THREAD_REPLY)))
        .group_by(Contribution.community_id)).all())
    cadences: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in series:
        cadences[meeting.community_id].append(meeting)
    found: dict[int, list[Reason]] = {}
    for community in old:
        cid = community.id
        reasons = [*_lapsed(cadences.get(cid, []), last_held.get(cid), now), *_falling(snapshots.get(cid, []), now)]
        said = _utc(last_said[cid]) if cid in last_said else None
        if said is None or now - said >= QUIET_FOR:
            since = f"since {format_day(said.date())}" if said else "since it was set up"
            reasons.append(Reason("quiet", f"No message in the channel {since}."))
        if reasons:
            found[cid] = reasons
    return found


def _lapsed(series: list[Meeting], last: dt.datetime | str | None, now: dt.datetime) -> list[Reason]:
    if not series:
        return []
    meeting = min(series, key=lambda m: cadence_of(m) or MONTH * 12)
    cadence = cadence_of(meeting) or MONTH * 12
    first = min(_utc(m.starts_at) for m in series)
    since = max(_utc(last), first) if last is not None else first
    if now - since <= 2 * cadence:
        return []
    held = f"the last one was held on {format_day(_utc(last).date())}" if last is not None else "none was ever held"
    return [Reason("lapsed", f"No meeting for {(now - since).days} days, twice the {meeting.rule.describe()} "
                             f"cadence of “{meeting.title}” and more; {held}.")]


def _falling(snapshots: list[HealthSnapshot], now: dt.datetime) -> list[Reason]:
    by_week = {s.week: s for s in snapshots}
    this_week = week_of(now)
    current = by_week.get(this_week)
    if current is None:
        return []
    found = []
    run = [by_week.get(this_week - dt.timedelta(weeks=n)) for n in range(FALLING_WEEKS, -1, -1)]
    if all(s is not None for s in run):
        attendees = [s.attendees for s in run]  # type: ignore[union-attr]
        if all(a is not None for a in attendees) and _falls(attendees):
            found.append(Reason("attendance", "Attendance fell four weeks running: "
                                + " → ".join(f"{a}" for a in attendees) + " people at an average meeting."))
        active = [s.active_members for s in run]  # type: ignore[union-attr]
        if _falls(active):
            found.append(Reason("active", "Active members fell four weeks running: "
                                + " → ".join(str(a) for a in active) + "."))
    earlier = [s for s in snapshots if s.week < this_week and s.health is not None]
    if current.health is not None and earlier:
        best = max(earlier, key=lambda s: s.health or 0)
        if (best.health or 0) - current.health >= HEALTH_DROP:
            found.append(Reason("health", f"Health fell from {best.health} (week of {format_day(best.week)}) to "
                                          f"{current.health} now."))
    return found


def _falls(figures: list) -> bool:
    """Lower every week than the week before."""
    return all(later < earlier for earlier, later in zip(figures, figures[1:], strict=False))


@dataclass(frozen=True)
class EpisodeChange:
    started: list[FadingEpisode]
    ended: list[FadingEpisode]


def scan_fading(session: Session, *, now: dt.datetime, communities: Sequence[Community] | None = None
                ) -> EpisodeChange:
    """Open an episode for each community that starts fading, end the episodes of those that no longer do,
    and keep the reasons of the rest up to date."""
    if communities is None:
        communities = session.scalars(select(Community).order_by(Community.id)).all()
    fading = fading_reasons(session, communities=communities, now=now)
    open_ = current_fading(session, community_ids=[c.id for c in communities])
    new, ended = [], []
    for community in communities:
        reasons = fading.get(community.id)
        episode = open_.get(community.id)
        stored = [dict(rule=r.rule, evidence=r.evidence) for r in reasons or []]
        if reasons and episode is None:
            new.append(dict(community_id=community.id, started_at=now, reasons=stored, checked_at=now))
        elif reasons and episode is not None:
            episode.reasons, episode.checked_at = stored, now
        elif episode is not None:
            episode.ended_at, episode.checked_at = now, now
            ended.append(episode)
    session.flush()
    # One INSERT for every episode that starts, however many.
    started = list(session.scalars(insert(FadingEpisode).returning(FadingEpisode), new)) if new else []
    by_id = {c.id: c for c in communities}
    for episode in started:  # their communities are at hand: not loaded again one by one
        set_committed_value(episode, "community", by_id[episode.community_id])
    return EpisodeChange(started, ended)


def current_fading(session: Session, *, community_ids: Iterable[int] | None = None) -> dict[int, FadingEpisode]:
    """The open fading episode of each community that has one (all communities of the workspace if None),
    with its reasons as the last weekly scan found them; one query. For overall leads' eyes only."""
    query = select(FadingEpisode).where(FadingEpisode.ended_at.is_(None))
    if community_ids is not None:
        query = query.where(FadingEpisode.community_id.in_(sorted(set(community_ids))))
    return {episode.community_id: episode for episode in session.scalars(query)}


def told_of_fading(session: Session, *, community_ids: Iterable[int], admin_ids: frozenset[str],
                   now: dt.datetime) -> dict[int, list[Person]]:
    """Who hears of each community's fading: its leads and every overall lead, each once; two statements.
    Someone named in COPBOT_ADMINS whom copbot has never met gets a row, so their budget counts."""
    ids = sorted(set(community_ids))
    if not ids:
        return {}
    leads = session.execute(
        select(Membership.community_id, Person).join(Person, Person.id == Membership.person_id)
        .where(Membership.community_id.in_(ids), Membership.active.is_(True),
               Membership.role.in_(sorted(LEAD_ROLES))).order_by(Person.user_id)).all()
    overall = list(session.scalars(select(Person).where(overall_lead_clause(admin_ids)).order_by(Person.user_id)))
    teams = dict(session.execute(select(Community.id, Community.team_id).where(Community.id.in_(ids))).all())
    known = {(p.team_id, p.user_id) for p in overall}
    for team in sorted(set(teams.values())):
        for user_id in sorted(admin_ids):
            if (team, user_id) not in known:
                stranger = Person(team_id=team, user_id=user_id, created_at=now)
                session.add(stranger)
                overall.append(stranger)
    session.flush()
    found: dict[int, dict[int, Person]] = {cid: {} for cid in ids}
    for community_id, person in leads:
        found[community_id][person.id] = person
    for cid in ids:
        for person in overall:
            if person.team_id == teams.get(cid):
                found[cid].setdefault(person.id, person)
    return {cid: [p for p in people.values() if not p.is_bot and not p.deleted] for cid, people in found.items()}
