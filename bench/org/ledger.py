"""The everyday part of the ledger: messages, thread replies and reactions, shared out by how active each member
is over the time they took part, so that the contributions add up to exactly what was asked; and the Slack
requests copbot has finished lately."""

from __future__ import annotations

import datetime as dt

from bench.org.context import DAY, TEAM_ID, WEEK, MemberPlan, Org
from models import ContributionKind, InboxItem, InboxStatus
from models.inbox import KEEP_FOR

YEAR = dt.timedelta(days=365)
KINDS = ((ContributionKind.MESSAGE, 45), (ContributionKind.THREAD_REPLY, 25), (ContributionKind.REACTION_GIVEN, 20),
         (ContributionKind.APPRECIATION_RECEIVED, 6), (ContributionKind.IDEA, 4))
EMOJI = {ContributionKind.REACTION_GIVEN: ("eyes", "+1", "heart", "rocket", "tada"),
         ContributionKind.APPRECIATION_RECEIVED: ("tada", "clap", "raised_hands"), ContributionKind.IDEA: ("bulb",)}
LATEST = dt.timedelta(minutes=1)  # nothing in the ledger is later than a minute before `now`


def _window(org: Org, member: MemberPlan) -> tuple[dt.datetime, dt.datetime] | None:
    start = max(member.joined_at, org.now - YEAR)
    end = min(member.active_until, org.now - LATEST)
    return (start, end) if end > start and not member.person.row["is_bot"] else None


def _still_active(org: Org, member: MemberPlan) -> bool:
    return member.active_until >= org.now and member.row["active"]


def fill_ledger(org: Org, *, reserve: int) -> None:
    """Everyday contributions up to the target, less `reserve` (what the week's standup answers may add).

    Every member still taking part contributed within their community's quiet period, so that who is quiet
    is exactly who went quiet; the rest is shared by activity times days taken part.
    """
    org.writer.stage("contributions")
    room = org.scale.contributions - org.writer.contributions - reserve
    active = [m for m in org.members if _still_active(org, m) and _window(org, m) is not None]
    if room < len(active):
        raise ValueError(f"{org.scale.contributions} contributions are too few: the meetings, actions, kudos, "
                         f"knowledge and standups alone make {org.scale.contributions - room}, and each of the "
                         f"{len(active)} active members needs one more; ask for more contributions")
    for member in active:
        recent = org.now - dt.timedelta(days=member.community.row["quiet_after_days"] - 2)
        start, end = _window(org, member) or (recent, recent)
        _everyday(org, member, max(start, recent), end, 1)
    room -= len(active)
    windows = [(m, w) for m in org.members if (w := _window(org, m)) is not None]
    shares = [m.weight * max((end - start) / DAY, 0.01) for m, (start, end) in windows]
    _share(org, windows, shares, room)


def top_up(org: Org) -> None:
    """What the standup answers did not use of their reserve, given to members still taking part, this fortnight,
    so that nobody's quiet clock or check-in changes."""
    room = org.scale.contributions - org.writer.contributions
    cutoff = org.now - 2 * WEEK
    windows = [(m, (max(m.joined_at, cutoff), org.now - LATEST)) for m in org.members
               if _still_active(org, m) and m.joined_at < cutoff and not m.person.row["is_bot"]]
    _share(org, windows, [m.weight for m, _ in windows], room)


def _share(org: Org, windows: list[tuple[MemberPlan, tuple[dt.datetime, dt.datetime]]], shares: list[float],
           total: int) -> None:
    """`total` contributions over `windows`, each in proportion to its share (largest remainders get the rest)."""
    if total <= 0 or not windows:
        if total > 0:
            raise ValueError("no member could have made the remaining contributions")
        return
    whole = sum(shares)
    exact = [total * share / whole for share in shares]
    counts = [int(x) for x in exact]
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[:total - sum(counts)]:
        counts[index] += 1
    for (member, (start, end)), count in zip(windows, counts, strict=True):
        if count:
            _everyday(org, member, start, end, count)


def _everyday(org: Org, member: MemberPlan, start: dt.datetime, end: dt.datetime, count: int) -> None:
    rng = org.rng
    community, person = member.community, member.person
    kinds = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS], k=count)
    others = [m.person.user_id for m in community.members[:50] if m.person is not person] or [person.user_id]
    for kind in kinds:
        # A ts some seconds after the moment drawn: keep the moment early enough for it to stay in the window.
        ts, at = org.ts(org.between(start, end - dt.timedelta(seconds=20)) if end - start > dt.timedelta(seconds=20)
                        else start)
        if kind in (ContributionKind.MESSAGE, ContributionKind.THREAD_REPLY):
            org.contribute(member, community, kind, key=f"message:{community.channel}:{ts}", at=at)
        elif kind is ContributionKind.REACTION_GIVEN:
            emoji = rng.choice(EMOJI[kind])
            org.contribute(member, community, kind, key=f"reaction:{community.channel}:{ts}:{person.user_id}:{emoji}",
                           at=at, detail=emoji)
        else:
            emoji = rng.choice(EMOJI[kind])
            org.contribute(member, community, kind, at=at, detail=emoji,
                           key=f"credit:{community.channel}:{ts}:{rng.choice(others)}:{emoji}")


def finished_requests(org: Org) -> None:
    """Requests the inbox finished in the last day, and the few hours past it that the next clean-up drops."""
    rng = org.rng
    span = KEEP_FOR + dt.timedelta(hours=6)
    listeners = ("handle_reaction_added_event", "handle_message_event", "handle_message_event",
                 "handle_reaction_removed_event", "handle_cop_command")
    rows = []
    for n in range(2 * org.scale.people):
        received = org.between(org.now - span, org.now - LATEST)
        listener = rng.choice(listeners)
        kind = "command" if listener == "handle_cop_command" else "event"
        rows.append(dict(key=f"{kind}:Ev{n:010d}", team_id=TEAM_ID, kind=kind, listener=listener, lane=f"U{n:06d}",
                         body={"type": "event_callback" if kind == "event" else "command"}, status=InboxStatus.DONE,
                         attempts=1, received_at=received, finished_at=received, outcome="done"))
    org.writer.insert(InboxItem, rows)
