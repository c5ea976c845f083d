"""The digest's sections, each built from one kind of record; SECTIONS is their order on the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models.actions import Action, ActionStatus
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.digests.mentioned import mentioned_you
from models.digests.parts import MAX_ITEMS, Item, Section, SectionSpec
from models.digests.period import Period
from models.digests.personal import waiting_for_you, your_actions
from models.knowledge.model import KnowledgeItem
from models.meetings import Attendance, Decision, Meeting, MeetingOccurrence, upcoming_meetings
from models.people import Membership, Person
from models.recognition.kudos import Kudos

TOP_CONTRIBUTORS = 5
UPCOMING_HORIZON = dt.timedelta(days=7)
KIND_WORDS = {
    ContributionKind.MESSAGE: ("message", "messages"),
    ContributionKind.THREAD_REPLY: ("thread reply", "thread replies"),
    ContributionKind.REACTION_GIVEN: ("reaction", "reactions"),
    ContributionKind.IDEA: ("idea", "ideas"),
    ContributionKind.APPRECIATION_RECEIVED: ("appreciation", "appreciations"),
    ContributionKind.KUDOS_GIVEN: ("kudos given", "kudos given"),
    ContributionKind.KUDOS_RECEIVED: ("kudos received", "kudos received"),
    ContributionKind.ACTION_CREATED: ("action created", "actions created"),
    ContributionKind.ACTION_CLOSED: ("action closed", "actions closed"),
    ContributionKind.MEETING_ATTENDED: ("meeting attended", "meetings attended"),
    ContributionKind.MEETING_LED: ("meeting led", "meetings led"),
    ContributionKind.RSVP: ("RSVP", "RSVPs"),
    ContributionKind.AGENDA_ITEM: ("agenda item", "agenda items"),
    ContributionKind.DECISION: ("decision", "decisions"),
    ContributionKind.MEETING_NOTE: ("meeting note", "meeting notes"),
    ContributionKind.STANDUP_UPDATE: ("standup update", "standup updates"),
    ContributionKind.KNOWLEDGE_ITEM: ("knowledge item", "knowledge items"),
    ContributionKind.JOINED: ("member joined", "members joined"),
}


def counted(n: int, kind: ContributionKind) -> str:
    one, many = KIND_WORDS.get(kind, (kind.value.replace("_", " "),) * 2)
    return f"{n} {one if n == 1 else many}"


def _name(person: Person | None) -> str:
    return (person.display_name or person.user_id) if person is not None else ""


def _action_rows(session: Session, community: Community, *where: ColumnElement[bool],
                 order: Sequence[ColumnElement]) -> tuple[list[tuple[Action, Person | None]], int]:
    """Up to MAX_ITEMS actions with their owners, and how many there are in all (counted only when more)."""
    rows = session.execute(
        select(Action, Person).outerjoin(Person, Person.id == Action.owner_id)
        .where(Action.community_id == community.id, *where).order_by(*order, Action.id).limit(MAX_ITEMS + 1)
    ).all()
    total = len(rows)
    if total > MAX_ITEMS:
        total = session.scalar(select(func.count()).select_from(Action)
                               .where(Action.community_id == community.id, *where)) or total
    return [(row[0], row[1]) for row in rows[:MAX_ITEMS]], total


def _owner_note(owner: Person | None) -> str:
    return f"owner: {_name(owner)}" if owner is not None else "in the pool: anyone can pick it up"


def meetings_held(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    """Meetings that ended this week, each linked to its posted minutes (failing that, to its thread)."""
    attended = (select(func.count()).where(Attendance.occurrence_id == MeetingOccurrence.id)
                .correlate(MeetingOccurrence).scalar_subquery())
    rows = session.execute(
        select(MeetingOccurrence, attended).join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
        .where(Meeting.community_id == community.id, MeetingOccurrence.ended_at > period.start,
               MeetingOccurrence.ended_at <= period.end)
        .order_by(MeetingOccurrence.starts_at, MeetingOccurrence.id).limit(MAX_ITEMS + 1)
    ).all()
    items = tuple(
        Item(occurrence.meeting.title, ref=f"minutes {occurrence.id}", when=occurrence.starts_at,
             note=f"{count} attended" if count else None, link=occurrence.minutes_permalink or occurrence.permalink)
        for occurrence, count in rows[:MAX_ITEMS])
    return Section("meetings_held", "Meetings held (each links to its minutes; `/cop meeting minutes <n>` shows them)",
                   items, len(rows) if len(rows) <= MAX_ITEMS else None) if items else None


def decisions(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    where = (Decision.community_id == community.id, Decision.created_at > period.start,
             Decision.created_at <= period.end)
    found = session.scalars(select(Decision).where(*where).order_by(Decision.created_at, Decision.id)
                            .limit(MAX_ITEMS + 1)).all()
    total = len(found)
    if total > MAX_ITEMS:
        total = session.scalar(select(func.count()).select_from(Decision).where(*where)) or total
    items = tuple(Item(d.text, note=f"by {_name(d.person)}" if d.person else None, link=d.permalink)
                  for d in found[:MAX_ITEMS])
    return Section("decisions", "Decisions", items, total) if items else None


def actions_opened(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    rows, total = _action_rows(session, community, Action.created_at > period.start, Action.created_at <= period.end,
                               order=[Action.created_at])
    items = tuple(Item(a.title, ref=f"#{a.id}", note=_owner_note(owner), when=a.due_at, when_label="due")
                  for a, owner in rows)
    return Section("actions_opened", "Actions opened", items, total) if items else None


def actions_closed(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    rows, total = _action_rows(session, community, Action.status == ActionStatus.DONE,
                               Action.closed_at > period.start, Action.closed_at <= period.end,
                               order=[Action.closed_at])
    items = tuple(Item(a.title, ref=f"#{a.id}", note=f"done by {_name(owner)}" if owner else None)
                  for a, owner in rows)
    return Section("actions_closed", "Actions done", items, total) if items else None


def actions_overdue(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    rows, total = _action_rows(session, community, Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
                               Action.due_at.is_not(None), Action.due_at <= period.end, order=[Action.due_at])
    items = tuple(Item(a.title, ref=f"#{a.id}", note=_owner_note(owner), when=a.due_at, when_label="was due")
                  for a, owner in rows)
    return Section("actions_overdue", "Overdue actions", items, total) if items else None


def actions_blocked(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    rows, total = _action_rows(session, community, Action.status == ActionStatus.BLOCKED,
                               order=[Action.blocked_at])
    items = tuple(Item(a.title, ref=f"#{a.id}", note=" ".join((a.blocker_reason or "no reason given").split())[:150],
                       when=a.blocked_at, when_label="blocked since") for a, _owner in rows)
    return Section("actions_blocked", "Blocked actions: can anyone help?", items, total) if items else None


def kudos(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    """Who thanked whom for what: by name, as the channel already saw it, without pinging anyone again."""
    where = (Kudos.community_id == community.id, Kudos.created_at > period.start, Kudos.created_at <= period.end)
    found = session.scalars(select(Kudos).where(*where).order_by(Kudos.created_at, Kudos.id)
                            .limit(MAX_ITEMS + 1)).unique().all()
    total = len(found)
    if total > MAX_ITEMS:
        total = session.scalar(select(func.count()).select_from(Kudos).where(*where)) or total
    items = tuple(Item(k.reason, note=f"{_name(k.giver)} to {_name(k.receiver)}") for k in found[:MAX_ITEMS])
    return Section("kudos", "Kudos", items, total) if items else None


def knowledge(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    where = (KnowledgeItem.community_id == community.id, KnowledgeItem.created_at > period.start,
             KnowledgeItem.created_at <= period.end)
    found = session.scalars(select(KnowledgeItem).where(*where).order_by(KnowledgeItem.created_at, KnowledgeItem.id)
                            .limit(MAX_ITEMS + 1)).unique().all()
    total = len(found)
    if total > MAX_ITEMS:
        total = session.scalar(select(func.count()).select_from(KnowledgeItem).where(*where)) or total
    items = tuple(Item(item.title, ref=f"kb {item.id}", note=item.kind.value.replace("_", " "),
                       link=item.url or item.source_permalink) for item in found[:MAX_ITEMS])
    return Section("knowledge", "Knowledge kept this week (`/cop kb search` finds it again)", items, total) \
        if items else None


def new_members(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    people = session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id).where(
            Membership.community_id == community.id, Membership.active.is_(True), Person.is_bot.is_(False),
            Membership.joined_at > period.start, Membership.joined_at <= period.end,
        ).order_by(Membership.joined_at, Person.id)
    ).all()
    items = tuple(Item(_name(p)) for p in people[:MAX_ITEMS])
    return Section("new_members", "New members: say hello!", items, len(people)) if items else None


def contributions(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    """Counts by kind and the most active people, by name: a digest thanks people, it does not ping them."""
    in_week = (Contribution.community_id == community.id, Contribution.occurred_at > period.start,
               Contribution.occurred_at <= period.end, Contribution.kind != ContributionKind.JOINED)
    by_kind = session.execute(select(Contribution.kind, func.count()).where(*in_week).group_by(Contribution.kind)
                              ).all()
    if not by_kind:
        return None
    by_kind = sorted(by_kind, key=lambda row: (-row[1], row[0].value))
    total = sum(n for _, n in by_kind)
    top = session.execute(
        select(Person, func.count().label("n")).join(Contribution, Contribution.person_id == Person.id)
        .where(*in_week).group_by(Person.id).order_by(func.count().desc(), Person.id).limit(TOP_CONTRIBUTORS)
    ).all()
    summary = f"{total} in all: " + ", ".join(counted(n, kind) for kind, n in by_kind) + "."
    items = tuple(Item(_name(person), note=f"{n}") for person, n in top)
    return Section("contributions", "Contributions this week", items, summary=summary)


def coming_up(session: Session, community: Community, period: Period, reader: Person | None) -> Section | None:
    occurrences = upcoming_meetings(session, community=community, now=period.end, limit=MAX_ITEMS,
                                    horizon=UPCOMING_HORIZON)
    items = tuple(Item(o.meeting.title, ref=f"#{o.meeting.id}", when=o.starts_at) for o in occurrences)
    return Section("coming_up", "Coming up", items, news=False) if items else None


# The order on the page.
SECTIONS: list[SectionSpec] = [
    SectionSpec("meetings_held", meetings_held),
    SectionSpec("decisions", decisions),
    SectionSpec("actions_opened", actions_opened),
    SectionSpec("actions_closed", actions_closed),
    SectionSpec("actions_overdue", actions_overdue),
    SectionSpec("actions_blocked", actions_blocked),
    SectionSpec("kudos", kudos),
    SectionSpec("new_members", new_members),
    SectionSpec("knowledge", knowledge),
    SectionSpec("contributions", contributions),
    SectionSpec("coming_up", coming_up),
    SectionSpec("your_actions", personal=True, build_for_readers=your_actions),
    SectionSpec("mentioned_you", personal=True, build_for_readers=mentioned_you),
    SectionSpec("waiting_for_you", personal=True, build_for_readers=waiting_for_you),
]
