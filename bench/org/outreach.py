"""What copbot sent on its own to people and channels: welcomes and check-ins, nudges to quiet members, and the
weekly digests, each at the tick an earlier run of its job would have sent it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.org.context import DAY, WEEK, CommunityPlan, MemberPlan, Org, PersonPlan
from bench.org.outbox import in_past_week
from models import Nudge
from models.attention import Outcome
from models.digests.due import channel_key
from models.digests.period import READER_TIME, week_ending
from models.hours import zone_of
from models.newcomers import CHECKIN_AFTER, CHECKIN_UNTIL
from models.nudges import MAX_QUIET_AFTER_DAYS
from models.when import at_local

NUDGE_HISTORY = dt.timedelta(days=30)  # older nudges no longer decide anything
INVITATIONS = ("action", "question", "meeting", "hello")


def plan_outreach(org: Org) -> list[dict[str, Any]]:
    """Welcomes, check-ins, nudges and digests; returns the nudges, whose `held` waits for the week to settle."""
    org.writer.stage("welcomes, nudges and digests")
    _newcomers(org)
    nudges = _nudges(org)
    _channel_digests(org)
    _digest_dms(org)
    return nudges


def write_nudges(org: Org, nudges: list[dict[str, Any]]) -> None:
    org.writer.insert(Nudge, nudges)


def _next_working_tick(org: Org, person: PersonPlan, after: dt.datetime, job: str,
                       until: dt.datetime) -> dt.datetime | None:
    """The first tick of `job` at or after `after`, before `until`, that falls inside the person's working hours."""
    start = after
    while start < until:
        for begins, ends in person.hours.intervals(start, min(until, start + 8 * DAY)):
            tick = org.tick_after(max(begins, after), job)
            if tick < ends and tick < until:
                return tick
        start += 8 * DAY
    return None


def _joined_stamp(member: MemberPlan) -> int:
    return int(member.joined_at.timestamp())


def _newcomers(org: Org) -> None:
    """The public welcome and the DM when each newcomer joined; a week on, the check-in, in their working hours,
    for those who have not contributed since."""
    for member in org.members:
        if member.joined_at <= org.now - CHECKIN_UNTIL or not member.row["active"] or not member.person.reachable:
            continue
        community, person = member.community, member.person
        stamp = _joined_stamp(member)
        at = member.joined_at + dt.timedelta(seconds=3)
        org.outbox.post(key=f"welcome:{member.id}:{stamp}", channel=community.channel, kind="welcome", at=at,
                        community_id=community.id, text=f"Welcome {person.name}!")
        if in_past_week(org, at):
            org.outbox.dm(person, kind="newcomer", delivery_kind="welcome_dm", key=f"welcome-dm:{member.id}:{stamp}",
                          at=at, community_id=community.id, text=f"Welcome to {community.row['name']}",
                          summary=f"Welcome to {community.row['name']}")
        contributed = org.last_contribution.get((community.id, person.id))
        if (contributed is not None and contributed >= member.joined_at) or person.away_at(org.now):
            continue
        tick = _next_working_tick(org, person, member.joined_at + CHECKIN_AFTER, "newcomers.check_in",
                                  until=min(member.joined_at + CHECKIN_UNTIL, org.now))
        if tick is not None and org.handled(tick, "newcomers.check_in"):
            org.outbox.dm(person, kind="newcomer", delivery_kind="checkin", key=f"checkin:{member.id}:{stamp}", at=tick,
                          community_id=community.id, text=f"How is {community.row['name']} going?",
                          summary=f"A check-in from {community.row['name']}")


def _nudgeable(person: PersonPlan, at: dt.datetime) -> bool:
    row = person.row
    return (row["nudges_enabled"] and not row["lurker"] and person.reachable and row["profile_fetched_at"] is not None
            and not person.away_at(at))


def _nudges(org: Org) -> list[dict[str, Any]]:
    """Each quiet, willing member nudged at the first tick inside their working hours once they had been quiet
    long enough, then again each time their spacing ran out: one person, one nudge a tick, quietest first."""
    rows: list[dict[str, Any]] = []
    for person in org.people:
        if not _nudgeable(person, org.now):
            continue
        quiet: list[tuple[dt.datetime, int, MemberPlan, dt.datetime]] = []
        for member in person.members:
            if not member.row["active"]:
                continue
            community = member.community
            contributed = org.last_contribution.get((community.id, person.id))
            since = max(t for t in (member.joined_at, contributed) if t is not None)
            days = min(community.row["quiet_after_days"], MAX_QUIET_AFTER_DAYS)
            quiet.append((since, member.id, member, since + dt.timedelta(days=days)))
        quiet.sort(key=lambda q: (q[0], q[1]))
        if not quiet:
            continue
        at = min(q[3] for q in quiet)
        until = org.now - dt.timedelta(microseconds=1)
        while at < until:
            tick = _next_working_tick(org, person, at, "nudges.send", until=org.now)
            if tick is None or not org.handled(tick, "nudges.send"):
                break
            _, _, member, _ = next(q for q in quiet if q[3] <= tick)
            community = member.community
            if tick > org.now - NUDGE_HISTORY:
                rows.append(_nudge(org, person, community, tick))
            at = tick + dt.timedelta(days=community.row["nudge_every_days"])
    return rows


def _nudge(org: Org, person: PersonPlan, community: CommunityPlan, at: dt.datetime) -> dict[str, Any]:
    local_day = at.astimezone(zone_of(person.tz)).date().isoformat()
    key = f"nudge:{person.id}:{community.id}:{local_day}"
    row = dict(id=org.writer.next_id("nudges"), key=key, community_id=community.id, person_id=person.id,
               invitation=org.rng.choice(INVITATIONS), held=False, created_at=at, replied_at=None)
    if in_past_week(org, at):
        def decided(outcome: Outcome, row: dict[str, Any] = row) -> None:
            row["held"] = outcome is Outcome.HOLD

        org.outbox.dm(person, kind="nudge", delivery_kind="nudge", key=key, at=at, community_id=community.id,
                      text=f"We miss you in {community.row['name']}", summary=f"A nudge from {community.row['name']}",
                      then=decided)
    return row


def _latest_slot(org: Org, tz: str, weekday: int, at: dt.time) -> dt.datetime:
    """The latest instant at or before `now` when the clocks in `tz` showed `at` on `weekday` (0 is Monday)."""
    local = org.now.astimezone(zone_of(tz))
    day = local.date() - dt.timedelta(days=(local.weekday() - weekday) % 7)
    slot = at_local(day, at, tz)
    return slot if slot <= org.now else at_local(day - WEEK, at, tz)


def _channel_digests(org: Org) -> None:
    """This week's digest where its slot has come (and a tick since), and last week's everywhere."""
    for community in org.communities:
        tz, row = community.tz, community.row
        latest = _latest_slot(org, tz, row["digest_weekday"], row["digest_time"])
        local_day = latest.astimezone(zone_of(tz)).date()
        for slot in (at_local(local_day - WEEK, row["digest_time"], tz), latest):
            tick = org.tick_after(slot, "digests.post_channel")
            if slot <= community.created_at or not org.handled(tick, "digests.post_channel"):
                continue
            org.outbox.post(key=channel_key(community.id, week_ending(slot, tz).week), channel=community.channel,
                            kind="digest", at=tick, community_id=community.id,
                            text=f"This week in {row['name']}")


def _digest_dms(org: Org) -> None:
    """Each subscriber's copy of each of their communities' digests, at 09:00 their time on its day."""
    for person in org.people:
        if not person.row["digest_dm"] or not person.reachable:
            continue
        for member in person.members:
            community = member.community
            if not member.row["active"]:
                continue
            slot = _latest_slot(org, person.tz, community.row["digest_weekday"], READER_TIME)
            tick = org.tick_after(slot, "digests.send_dms")
            if slot <= member.joined_at or not org.handled(tick, "digests.send_dms") or not in_past_week(org, tick):
                continue
            week = week_ending(slot, person.tz).week
            org.outbox.dm(person, kind="digest", delivery_kind="digest_dm",
                          key=f"digest:{community.id}:{week}:dm:{person.user_id}", at=tick, community_id=community.id,
                          text=f"This week in {community.row['name']}", summary="Your digest")
