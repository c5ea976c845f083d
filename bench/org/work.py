"""The action plan with its follow-up, and what members give and keep: kudos, knowledge, open questions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from bench.org.context import DAY, WEEK, CommunityPlan, MemberPlan, Org, PersonPlan
from bench.org.meetings import spread
from bench.org.outbox import in_past_week
from bench.org.people import TAGS
from models import (
    Action,
    ActionStatus,
    ContributionKind,
    KnowledgeItem,
    KnowledgeKind,
    Kudos,
    MentionSource,
    Question,
    Role,
)
from models.actions.follow_up import DUE_SOON
from models.actions.model import DueNotice, Escalation
from models.hours import zone_of
from models.recognition.kudos import KUDOS_PER_DAY
from models.when import at_local

VERBS = ("Write up", "Review", "Draft", "Organise", "Fix", "Share", "Automate", "Document", "Survey", "Plan")
THINGS = ("the onboarding guide", "the pipeline template", "the terraform modules", "the incident checklist",
          "the accessibility audit", "the metrics dashboard", "the testing strategy", "next month's talk",
          "the budget request", "the design critique notes", "the security review", "the reading list")
REASONS = ("Waiting for access from the platform team", "Needs a decision from the leads", "Vendor has not replied",
           "Blocked on the budget approval", "Depends on the new pipeline")
DUE_AT = (dt.time(9), dt.time(12), dt.time(17))
KUDOS_WHY = ("for the brilliant demo", "for unblocking the release", "for mentoring the newcomers",
             "for the clear write-up", "for running the session", "for reviewing everything so fast")
KNOWLEDGE = ("Keep pipelines under ten minutes", "Pair on the first change", "Tag every module with its owner",
             "Write the runbook before the launch", "Test with a screen reader", "Ask the users, not the stakeholders")
QUESTIONS = ("Has anyone used the new runners?", "Who owns the shared dashboard?", "Is there a template for this?",
             "Can someone review my draft?", "What do we do about flaky tests?", "Any tips for a first talk?")
YEAR = dt.timedelta(days=365)


def plan_work(org: Org) -> None:
    org.writer.stage("actions")
    sizes = [len(c.members) for c in org.communities]
    actions: list[dict[str, Any]] = []
    for community, count in zip(org.communities, _by_size(org.scale.actions, sizes), strict=True):
        meetings = org.meeting_ids.get(community.id, [])
        for _ in range(count):
            actions.append(_action(org, community, meetings))
    org.writer.insert(Action, actions)
    org.writer.stage("kudos, knowledge and questions")
    org.writer.insert(Kudos, _kudos(org))
    org.writer.insert(KnowledgeItem, _knowledge(org, actions))
    org.writer.insert(Question, _questions(org))


def _by_size(total: int, sizes: list[int]) -> list[int]:
    """`total` shared out in proportion to `sizes` (largest remainders get the rest)."""
    whole = sum(sizes) or 1
    exact = [total * s / whole for s in sizes]
    counts = [int(x) for x in exact]
    for index in sorted(range(len(sizes)), key=lambda i: exact[i] - counts[i], reverse=True)[:total - sum(counts)]:
        counts[index] += 1
    return counts if any(sizes) else spread(total, len(sizes))


def _active_at(community: CommunityPlan, at: dt.datetime) -> list[MemberPlan]:
    return [m for m in community.members if m.active_at(at) and m.person.reachable]


def _status(org: Org, age: dt.timedelta) -> ActionStatus:
    weights = (75, 12, 6, 4, 3) if age > 45 * DAY else (30, 5, 35, 20, 10)
    return org.rng.choices((ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.OPEN, ActionStatus.IN_PROGRESS,
                            ActionStatus.BLOCKED), weights=weights)[0]


def _action(org: Org, community: CommunityPlan, meetings: list[int]) -> dict[str, Any]:
    rng, now = org.rng, org.now
    created = org.between(max(community.created_at + DAY, now - YEAR), now - dt.timedelta(minutes=10))
    creator = org.one(_active_at(community, created)) or community.founder()
    status = _status(org, now - created)
    action_id = org.writer.next_id("actions")
    row: dict[str, Any] = dict(
        id=action_id, community_id=community.id, title=f"{rng.choice(VERBS)} {rng.choice(THINGS)}", owner_id=None,
        creator_id=creator.person.id, status=status.value, due_at=None, blocker_reason=None, blocked_at=None,
        escalation_level=Escalation.OWNER.value, meeting_id=rng.choice(meetings) if meetings and rng.random() < 0.15
        else None, source_permalink=None, created_at=created, closed_at=None,
        tags=sorted(rng.sample(TAGS, rng.randint(1, 2))) if rng.random() < 0.3 else [], source_key=None,
        created_via=None, closed_via=None, proposed_owner_id=None, proposed_at=None, escalated_at=None,
        due_notice=DueNotice.NONE.value)
    if rng.random() < 0.2:  # turned into an action by a reaction on a message
        ts, _ = org.ts(created - dt.timedelta(minutes=rng.randint(1, 600)))
        row.update(source_key=f"message:{community.channel}:{ts}",
                   source_permalink=org.permalink(community.channel, ts),
                   created_via=f"reaction:{community.channel}:{ts}:{creator.person.user_id}:ballot_box_with_check")
    if rng.random() < 0.6:
        day = (created + dt.timedelta(days=rng.uniform(1, 45))).astimezone(zone_of(community.tz)).date()
        row["due_at"] = max(at_local(day, rng.choice(DUE_AT), community.tz), created + dt.timedelta(hours=1))
    org.contribute(creator, community, ContributionKind.ACTION_CREATED, key=f"action:{action_id}:created", at=created)
    if status in (ActionStatus.DONE, ActionStatus.DROPPED):
        closed = org.between(created + dt.timedelta(hours=1), min(now - dt.timedelta(minutes=1), created + 60 * DAY))
        owner = org.one(_active_at(community, closed))
        row.update(closed_at=closed, owner_id=owner.person.id if owner else None)
        if status is ActionStatus.DONE and owner is not None:
            org.contribute(owner, community, ContributionKind.ACTION_CLOSED, key=f"action:{action_id}:closed",
                           at=closed)
        elif status is ActionStatus.DONE:
            row["status"] = ActionStatus.DROPPED.value  # nobody left who could have finished it
    else:
        _active(org, community, row, creator)
    if rng.random() < 0.08:
        row["title"] = org.mention(MentionSource.ACTION, action_id, community, by=creator.person, text=row["title"],
                                   at=created)[:200]
    return row


def _active(org: Org, community: CommunityPlan, row: dict[str, Any], creator: MemberPlan) -> None:
    """Work still to do: owned by someone who is still a member (or in the pool), followed up as copbot does."""
    rng, now = org.rng, org.now
    status = ActionStatus(row["status"])
    owners = [m for m in community.active_members() if m.joined_at <= row["created_at"] and m.row["capacity"] > 0]
    owner = org.one(owners or community.active_members())
    if status is ActionStatus.OPEN and rng.random() < 0.35:
        owner = None
        if rng.random() < 0.2:
            asked = org.one(community.active_members())
            if asked is not None:
                row.update(proposed_owner_id=asked.person.id,
                           proposed_at=org.between(row["created_at"], now - dt.timedelta(minutes=1)))
    if owner is None and status is not ActionStatus.OPEN:
        row["status"] = ActionStatus.OPEN.value
    row["owner_id"] = owner.person.id if owner else None
    if owner is not None and row["due_at"] is not None:
        _due_notices(org, community, row, owner.person)
    if row["status"] == ActionStatus.BLOCKED.value:
        # On the hour, as people block things when they hit them in a meeting or a standup.
        blocked = org.between(max(row["created_at"], now - 20 * DAY), now - dt.timedelta(hours=1))
        blocked = max(blocked.replace(minute=0, second=0, microsecond=0), row["created_at"])
        row.update(blocked_at=blocked, blocker_reason=rng.choice(REASONS))
        _escalations(org, community, row, owner.person if owner else None)


def _due_notices(org: Org, community: CommunityPlan, row: dict[str, Any], owner: PersonPlan) -> None:
    """The due-soon and overdue reminders earlier ticks sent (and marked on the action)."""
    due, created = row["due_at"], row["created_at"]
    steps = []
    soon = org.tick_after(max(due - DUE_SOON, created), "actions.follow_up")
    if soon < due:
        steps.append((DueNotice.DUE_SOON, soon))
    steps.append((DueNotice.OVERDUE, org.tick_after(max(due, created), "actions.follow_up")))
    for step, tick in steps:
        if not org.handled(tick, "actions.follow_up"):
            break
        row["due_notice"] = step.value
        if in_past_week(org, tick):
            name = "overdue" if step is DueNotice.OVERDUE else "due_soon"
            org.outbox.dm(owner, kind="actions", delivery_kind="action_reminder", key=f"action:{row['id']}:{name}",
                          at=tick, community_id=community.id, text=f"{row['title']} is {name.replace('_', ' ')}",
                          summary=f"{row['title']} ({name.replace('_', ' ')})")


def _escalations(org: Org, community: CommunityPlan, row: dict[str, Any], owner: PersonPlan | None) -> None:
    """The rungs of the blocker ladder earlier ticks climbed, and the DMs each sent to leads or overall leads."""
    blocked = row["blocked_at"]
    overall = [p for p in org.people if p.row["is_admin"] and p.reachable and p.row["escalation_dms"]]
    leads = [m.person for m in community.leads() if m.person.row["escalation_dms"]]
    rungs = ((Escalation.LEAD, community.row["blocker_lead_days"], leads),
             (Escalation.OVERALL_LEAD, community.row["blocker_overall_days"], overall))
    for level, days, recipients in rungs:
        tick = org.tick_after(blocked + dt.timedelta(days=days), "actions.follow_up")
        if not org.handled(tick, "actions.follow_up"):
            break
        row.update(escalation_level=level.value, escalated_at=tick)
        if not in_past_week(org, tick):
            continue
        for person in sorted(recipients, key=lambda p: p.user_id):
            if owner is not None and person is owner:
                continue
            org.outbox.dm(person, kind="escalations", delivery_kind="escalation",
                          key=f"action:{row['id']}:escalate:{level.value}:{int(blocked.timestamp())}:{person.user_id}",
                          at=tick, community_id=community.id, text=f"Blocked: {row['title']}",
                          summary=f"Blocked for {days} days: {row['title']}")


def _kudos(org: Org) -> list[dict[str, Any]]:
    """Two kudos a person on average, each within the giver's five a day on their own calendar."""
    rng, now = org.rng, org.now
    rows: list[dict[str, Any]] = []
    slots: Counter[tuple[int, dt.date]] = Counter()
    givers = [m for m in org.members if m.person.reachable]
    for _ in range(2 * len([p for p in org.people if p.reachable])):
        giver = rng.choice(givers)
        start = max(giver.joined_at, now - YEAR)
        if giver.active_until <= start:
            continue
        at = org.between(start, giver.active_until - dt.timedelta(minutes=1))
        receiver = org.one([m for m in _active_at(giver.community, at) if m.person is not giver.person])
        day = at.astimezone(zone_of(giver.person.tz)).date()
        if receiver is None or slots[(giver.person.id, day)] >= KUDOS_PER_DAY:
            continue
        slots[(giver.person.id, day)] += 1
        kudos_id = org.writer.next_id("kudos")
        community = giver.community
        reason = rng.choice(KUDOS_WHY)
        # `/kudos @someone ...` names its receiver, so the receiver's digest shows it among their mentions.
        org.mention(MentionSource.KUDOS, kudos_id, community, by=giver.person, text=reason, at=at, among=[receiver])
        rows.append(dict(id=kudos_id, community_id=community.id, giver_id=giver.person.id,
                         receiver_id=receiver.person.id, reason=reason, given_on=day,
                         slot_key=f"{giver.person.id}:{day.isoformat()}:{slots[(giver.person.id, day)]}",
                         created_at=at))
        org.contribute(giver, community, ContributionKind.KUDOS_GIVEN, key=f"kudos:{kudos_id}:given", at=at)
        org.contribute(receiver, community, ContributionKind.KUDOS_RECEIVED, key=f"kudos:{kudos_id}:received", at=at)
        if in_past_week(org, at):
            org.outbox.post(key=f"kudos:{kudos_id}:announced", channel=community.channel, kind="kudos", at=at,
                            community_id=community.id, text=f"Kudos to {receiver.person.name} {reason}")
    return rows


def _knowledge(org: Org, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """About 25 items a community: tips, links, guidelines an SME reviewed, lessons from finished actions."""
    rng, now = org.rng, org.now
    done: dict[int, list[dict[str, Any]]] = {}
    for action in actions:
        if action["status"] == ActionStatus.DONE.value:
            done.setdefault(action["community_id"], []).append(action)
    rows: list[dict[str, Any]] = []
    for community in org.communities:
        reviewers = [m for m in community.active_members() if m.role in (Role.SME, Role.LEAD, Role.CO_LEAD)]
        for _ in range(rng.randint(15, 35)):
            at = org.between(max(community.created_at, now - YEAR), now - dt.timedelta(minutes=1))
            author = org.one(_active_at(community, at))
            if author is None:
                continue
            kind = rng.choices((KnowledgeKind.TIP, KnowledgeKind.LINK, KnowledgeKind.LESSON, KnowledgeKind.GUIDELINE),
                               weights=(50, 20, 15, 15))[0]
            item_id = org.writer.next_id("knowledge_items")
            title = rng.choice(KNOWLEDGE)
            row: dict[str, Any] = dict(
                id=item_id, community_id=community.id, kind=kind.value, title=title, body=title, url=None,
                tags=sorted(rng.sample(TAGS, rng.randint(0, 2))), author_id=author.person.id,
                added_by_id=author.person.id, source_key=None, source_permalink=None, created_via=None,
                action_id=None, reviewed_by_id=None, reviewed_at=None, created_at=at)
            if kind is KnowledgeKind.LINK:
                row["url"] = f"https://wiki.example.org/{community.channel.lower()}/{item_id}"
            elif kind is KnowledgeKind.LESSON and done.get(community.id):
                action = rng.choice(done[community.id])
                if action["closed_at"] < at:
                    row["action_id"] = action["id"]
            elif kind is KnowledgeKind.GUIDELINE:
                reviewer = org.one([m for m in reviewers if m.active_at(at)]) or author
                row.update(reviewed_by_id=reviewer.person.id, reviewed_at=at, added_by_id=reviewer.person.id)
            if rng.random() < 0.25:  # kept with :pushpin: from the message it was said in
                ts, _ = org.ts(at - dt.timedelta(minutes=rng.randint(1, 300)))
                row.update(source_key=f"message:{community.channel}:{ts}",
                           source_permalink=org.permalink(community.channel, ts),
                           created_via=f"reaction:{community.channel}:{ts}:{author.person.user_id}:pushpin")
            if rng.random() < 0.1:
                row["body"] = org.mention(MentionSource.KNOWLEDGE, item_id, community, by=author.person, text=title,
                                          at=at, permalink=row["source_permalink"])
            rows.append(row)
            org.contribute(author, community, ContributionKind.KNOWLEDGE_ITEM, key=f"knowledge:{item_id}", at=at,
                           detail=kind.value)
    return rows


def _questions(org: Org) -> list[dict[str, Any]]:
    """Questions asked in the last two weeks, about one for every ten members, most answered in their thread."""
    rng, now = org.rng, org.now
    rows = []
    for community in org.communities:
        for _ in range(max(1, len(community.members) // 10)):
            at = org.between(now - 2 * WEEK, now - dt.timedelta(minutes=5))
            asker = org.one(_active_at(community, at))
            if asker is None:
                continue
            ts, said = org.ts(at)
            rows.append(dict(id=org.writer.next_id("questions"), key=f"{community.channel}:{ts}",
                             community_id=community.id, person_id=asker.person.id, channel_id=community.channel,
                             ts=ts, text=rng.choice(QUESTIONS), asked_at=said,
                             answered_at=org.between(said, now) if rng.random() < 0.6 else None))
            org.contribute(asker, community, ContributionKind.MESSAGE, key=f"message:{community.channel}:{ts}", at=said)
    return rows

