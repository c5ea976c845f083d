"""The digest's sections, each built from one kind of record; SECTIONS is their order on the page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import CTE, ColumnElement, Integer, Row, and_, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from models.actions import Action, ActionStatus
from models.base import UTCDateTime, chunked
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.digests.mentioned import mentioned_you
from models.digests.parts import MAX_ITEMS, Item, Section, SectionSpec, Week, WeeksBuilder
from models.digests.period import Period
from models.digests.personal import waiting_for_you, your_actions
from models.governance.plan import plans_of
from models.knowledge.helped import helped_column
from models.knowledge.model import KnowledgeItem
from models.meetings import Attendance, Decision, Meeting, MeetingOccurrence
from models.meetings.occurrences import effective_occurrences, meetings_ahead, overrides
from models.meetings.series import Occurrence
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


# Weeks per statement: the derived table that joins each section's records to their weeks has a row per week.
WEEKS_PER_STATEMENT = 500
Built = dict[tuple[int, Period], Section]
WeekKey = tuple[int, int]  # (community id, the period's place in _periods(weeks))


def _periods(weeks: Sequence[Week]) -> list[Period]:
    """The distinct periods of `weeks`, in the order they first come: a few (one per zone whose 09:00 it
    is) for readers' copies, up to one per community for the channels'."""
    return list(dict.fromkeys(week.period for week in weeks))


def _weeks_table(weeks: Sequence[Week]) -> CTE:
    """The weeks as rows (community_id, p, start, end), p being the period's place in `_periods(weeks)`.

    A UNION ALL of one SELECT per period over the communities read in it (SQLite has no column list for
    a VALUES alias, so this is the derived table both databases read); every section's statement joins
    its records to it, so one statement serves the weeks of every community, whatever their bounds."""
    moment = UTCDateTime()
    periods = _periods(weeks)
    rows = [select(Community.id.label("community_id"), literal(p, Integer()).label("p"),
                   literal(period.start, moment).label("start"), literal(period.end, moment).label("end"))
            .where(Community.id.in_(sorted({w.community.id for w in weeks if w.period == period})))
            for p, period in enumerate(periods)]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("weeks")


def _in_week(table: CTE, community: Any, instant: Any = None, *, by_end: Any = None) -> ColumnElement[bool]:
    """A record of `community` that happened in the week (`instant`), or that was due by its end (`by_end`),
    or any record of it (neither)."""
    found = [table.c.community_id == community]
    if instant is not None:
        found += [instant > table.c.start, instant <= table.c.end]
    if by_end is not None:
        found.append(by_end <= table.c.end)
    return and_(*found)


def _firsts(session: Session, weeks: Sequence[Week], model: type, *, community: Any, show: Sequence[Any],
            instant: Any = None, by_end: Any = None, where: Sequence[ColumnElement[bool]] = (),
            order: Sequence[Any] = (), joins: Sequence[Any] = (), outer: Sequence[Any] = ()
            ) -> dict[WeekKey, tuple[list[Row[Any]], int]]:
    """By week: the first MAX_ITEMS records of `model` in it, as rows of the columns in `show` (joined to
    `outer`, (target, on) pairs, for what they name), and how many there are in all. One statement for all
    the weeks: the records are ranked within their week by `order`, then `model.id`. Only the columns a
    section shows are read: a Monday reads thousands of these rows, and whole records cost far more."""
    table = _weeks_table(weeks)
    week = (table.c.community_id, table.c.p)
    place = func.row_number().over(partition_by=week, order_by=(*order, model.id))
    ranked = select(model.id.label("id"), *week, place.label("n"),
                    func.count().over(partition_by=week).label("total")).select_from(model)
    for target, on in joins:
        ranked = ranked.join(target, on)
    ranked = ranked.join(table, _in_week(table, community, instant, by_end=by_end)).where(*where).subquery()
    statement = select(ranked.c.community_id, ranked.c.p, ranked.c.total, *show).select_from(model) \
        .join(ranked, ranked.c.id == model.id)
    for target, on in outer:
        statement = statement.outerjoin(target, on)
    found: dict[WeekKey, tuple[list[Row[Any]], int]] = {}
    for row in session.execute(statement.where(ranked.c.n <= MAX_ITEMS)
                               .order_by(ranked.c.community_id, ranked.c.p, ranked.c.n)):
        found.setdefault((row.community_id, row.p), ([], row.total))[0].append(row)
    return found


def _person(alias: Any, label: str) -> tuple[Any, Any]:
    """The columns `_shown_name` needs of a person, labelled `<label>_name` and `<label>_user`."""
    return alias.display_name.label(f"{label}_name"), alias.user_id.label(f"{label}_user")


def _shown_name(row: Row[Any], label: str) -> str | None:
    """A person by name (their user id while their profile is unknown), None when there is nobody."""
    user = getattr(row, f"{label}_user")
    return (getattr(row, f"{label}_name") or user) if user is not None else None


def _sections(key: str, title: str, found: dict[WeekKey, tuple[list[Row[Any]], int]],
              item: Callable[[Row[Any]], Item]) -> dict[WeekKey, Section]:
    return {week: Section(key, title, tuple(item(row) for row in rows), total)
            for week, (rows, total) in found.items()}


def shared(build: Callable[[Session, Sequence[Week]], dict[WeekKey, Section]]) -> WeeksBuilder:
    """A shared section's builder (by Week.key) from one that works on at most WEEKS_PER_STATEMENT weeks and
    keys them by (community id, place of the period)."""
    def for_weeks(session: Session, weeks: Sequence[Week]) -> Built:
        built: Built = {}
        for chunk in chunked(list(weeks), WEEKS_PER_STATEMENT):
            periods = _periods(chunk)
            built.update({(community_id, periods[p]): section
                          for (community_id, p), section in build(session, chunk).items()})
        return built
    for_weeks.__doc__ = build.__doc__
    return for_weeks


def _owner_note(owner: str | None) -> str:
    return f"owner: {owner}" if owner is not None else "in the pool: anyone can pick it up"


@shared
def meetings_held(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    """Meetings that ended this week, each linked to its posted minutes (failing that, to its thread)."""
    attended = (select(func.count()).where(Attendance.occurrence_id == MeetingOccurrence.id)
                .correlate(MeetingOccurrence).scalar_subquery())
    found = _firsts(session, weeks, MeetingOccurrence, community=Meeting.community_id,
                    instant=MeetingOccurrence.ended_at, order=[MeetingOccurrence.starts_at],
                    joins=[(Meeting, Meeting.id == MeetingOccurrence.meeting_id)],
                    outer=[(Meeting, Meeting.id == MeetingOccurrence.meeting_id)],
                    show=[MeetingOccurrence.id, Meeting.title, MeetingOccurrence.starts_at,
                          MeetingOccurrence.minutes_permalink, MeetingOccurrence.permalink, attended.label("attended")])
    title = "Meetings held (each links to its minutes; `/cop meeting minutes <n>` shows them)"
    return _sections("meetings_held", title, found,
                     lambda row: Item(row.title, ref=f"minutes {row.id}", when=row.starts_at,
                                      note=f"{row.attended} attended" if row.attended else None,
                                      link=row.minutes_permalink or row.permalink))


@shared
def decisions(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    found = _firsts(session, weeks, Decision, community=Decision.community_id, instant=Decision.created_at,
                    order=[Decision.created_at], outer=[(Person, Person.id == Decision.person_id)],
                    show=[Decision.text, Decision.permalink, *_person(Person, "by")])
    return _sections("decisions", "Decisions", found,
                     lambda row: Item(row.text, note=f"by {by}" if (by := _shown_name(row, "by")) else None,
                                      link=row.permalink))


OWNER = aliased(Person)
ACTION_SHOWN = (Action.id, Action.title, Action.due_at, Action.blocked_at, Action.blocker_reason,
                *_person(OWNER, "owner"))


def _actions(session: Session, weeks: Sequence[Week], *where: ColumnElement[bool], instant: Any = None,
             by_end: Any = None, order: Sequence[Any]) -> dict[WeekKey, tuple[list[Row[Any]], int]]:
    return _firsts(session, weeks, Action, community=Action.community_id, instant=instant, by_end=by_end,
                   where=where, order=order, outer=[(OWNER, OWNER.id == Action.owner_id)], show=ACTION_SHOWN)


@shared
def actions_opened(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    found = _actions(session, weeks, instant=Action.created_at, order=[Action.created_at])
    return _sections("actions_opened", "Actions opened", found,
                     lambda a: Item(a.title, ref=f"#{a.id}", note=_owner_note(_shown_name(a, "owner")), when=a.due_at,
                                    when_label="due"))


CLOSER = aliased(Person)


@shared
def actions_closed(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    """Actions marked done this week, credited to who closed them (their owner, unless a lead closed it)."""
    found = _firsts(session, weeks, Action, community=Action.community_id, instant=Action.closed_at,
                    where=[Action.status == ActionStatus.DONE], order=[Action.closed_at],
                    outer=[(OWNER, OWNER.id == Action.owner_id), (CLOSER, CLOSER.id == Action.closed_by_id)],
                    show=[*ACTION_SHOWN, *_person(CLOSER, "closer")])
    return _sections("actions_closed", "Actions done", found,
                     lambda a: Item(a.title, ref=f"#{a.id}",
                                    note=f"done by {by}" if (by := _shown_name(a, "closer")
                                                             or _shown_name(a, "owner")) else None))


@shared
def actions_overdue(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    """Open actions whose due date had passed when the week ended."""
    found = _actions(session, weeks, Action.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
                     by_end=Action.due_at, order=[Action.due_at])
    return _sections("actions_overdue", "Overdue actions", found,
                     lambda a: Item(a.title, ref=f"#{a.id}", note=_owner_note(_shown_name(a, "owner")), when=a.due_at,
                                    when_label="was due"))


@shared
def actions_blocked(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    found = _actions(session, weeks, Action.status == ActionStatus.BLOCKED, order=[Action.blocked_at])
    return _sections("actions_blocked", "Blocked actions: can anyone help?", found,
                     lambda a: Item(a.title, ref=f"#{a.id}",
                                    note=" ".join((a.blocker_reason or "no reason given").split())[:150],
                                    when=a.blocked_at, when_label="blocked since"))


GIVER, RECEIVER = aliased(Person), aliased(Person)


@shared
def kudos(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    """Who thanked whom for what: by name, as the channel already saw it, without pinging anyone again."""
    found = _firsts(session, weeks, Kudos, community=Kudos.community_id, instant=Kudos.created_at,
                    order=[Kudos.created_at], outer=[(GIVER, GIVER.id == Kudos.giver_id),
                                                     (RECEIVER, RECEIVER.id == Kudos.receiver_id)],
                    show=[Kudos.reason, *_person(GIVER, "giver"), *_person(RECEIVER, "receiver")])
    return _sections("kudos", "Kudos", found,
                     lambda k: Item(k.reason, note=f"{_shown_name(k, 'giver') or ''} to "
                                                   f"{_shown_name(k, 'receiver') or ''}"))


@shared
def knowledge(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    found = _firsts(session, weeks, KnowledgeItem, community=KnowledgeItem.community_id,
                    instant=KnowledgeItem.created_at, order=[KnowledgeItem.created_at],
                    show=[KnowledgeItem.id, KnowledgeItem.title, KnowledgeItem.kind, KnowledgeItem.url,
                          KnowledgeItem.source_permalink, helped_column()])
    return _sections("knowledge", "Knowledge kept this week (`/cop kb search` finds it again)", found,
                     lambda item: Item(item.title, ref=f"kb {item.id}", note=_kind_and_helped(item),
                                       link=item.url or item.source_permalink, helped_id=item.id))


def _kind_and_helped(item: Row[Any]) -> str:
    """`tip`, or `tip · helped 3 people` once someone pressed "This helped"."""
    kind = item.kind.value.replace("_", " ")
    return f"{kind} · helped {item.helped} {'person' if item.helped == 1 else 'people'}" if item.helped else kind


@shared
def new_members(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    """Who joined this week. Those enrolled when the community was set up were in the channel already: they
    are its first members, not newcomers to greet."""
    found = _firsts(session, weeks, Person, community=Membership.community_id, instant=Membership.joined_at,
                    joins=[(Membership, Membership.person_id == Person.id),
                           (Community, Community.id == Membership.community_id)],
                    where=[Membership.active.is_(True), Person.is_bot.is_(False),
                           Membership.joined_at > Community.created_at],
                    order=[Membership.joined_at], show=_person(Person, "member"))
    return _sections("new_members", "New members: say hello!", found,
                     lambda row: Item(_shown_name(row, "member") or ""))


@shared
def contributions(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    """Counts by kind and the most active people, by name: a digest thanks people, it does not ping them."""
    table = _weeks_table(weeks)
    in_week = and_(_in_week(table, Contribution.community_id, Contribution.occurred_at),
                   Contribution.kind != ContributionKind.JOINED)
    week = (table.c.community_id, table.c.p)
    by_kind: dict[WeekKey, list[tuple[ContributionKind, int]]] = defaultdict(list)
    for community_id, p, kind, n in session.execute(select(*week, Contribution.kind, func.count())
                                                    .join(table, in_week).group_by(*week, Contribution.kind)):
        by_kind[community_id, p].append((kind, n))
    counts = (select(*week, Contribution.person_id, func.count().label("n")).join(table, in_week)
              .group_by(*week, Contribution.person_id).subquery())
    ranked = select(counts, func.row_number().over(partition_by=(counts.c.community_id, counts.c.p),
                                                   order_by=(counts.c.n.desc(), counts.c.person_id))
                    .label("place")).subquery()
    top: dict[WeekKey, list[tuple[Person, int]]] = defaultdict(list)
    leaders = (select(Person, ranked.c.community_id, ranked.c.p, ranked.c.n)
               .join(ranked, ranked.c.person_id == Person.id).where(ranked.c.place <= TOP_CONTRIBUTORS)
               .order_by(ranked.c.community_id, ranked.c.p, ranked.c.place))
    for person, community_id, p, n in session.execute(leaders):
        top[community_id, p].append((person, n))
    built = {}
    for key, kinds in by_kind.items():
        kinds.sort(key=lambda row: (-row[1], row[0].value))
        summary = f"{sum(n for _, n in kinds)} in all: " + ", ".join(counted(n, kind) for kind, n in kinds) + "."
        built[key] = Section("contributions", "Contributions this week",
                           tuple(Item(_name(person), note=f"{n}") for person, n in top[key]), summary=summary)
    return built


@shared
def coming_up(session: Session, weeks: Sequence[Week]) -> dict[WeekKey, Section]:
    """Each live meeting's next occurrence in the seven days after the week, soonest first."""
    first, last = min(w.period.end for w in weeks), max(w.period.end for w in weeks) + UPCOMING_HORIZON
    meetings = meetings_ahead(session, community_ids=[w.community.id for w in weeks], after=first)
    rows = overrides(session, meeting_ids=[m.id for m in meetings], after=first)
    # Each series is expanded once for all the weeks: every occurrence from the first week's end to the last
    # one's horizon. A series meets at most once a week, and each row of its own adds at most one more.
    spread = (last - first) // dt.timedelta(weeks=1) + 2
    ahead: dict[int, list[Occurrence]] = defaultdict(list)
    for meeting in meetings:
        ahead[meeting.community_id] += effective_occurrences(meeting, rows[meeting.id], after=first,
                                                             count=spread + len(rows[meeting.id]))
    built = {}
    places = {period: p for p, period in enumerate(_periods(weeks))}
    for week in weeks:
        end = week.period.end
        found: dict[int, Occurrence] = {}
        for occurrence in sorted(ahead[week.community.id], key=lambda o: (o.starts_at, o.meeting.id)):
            if end < occurrence.starts_at <= end + UPCOMING_HORIZON:
                found.setdefault(occurrence.meeting.id, occurrence)  # a series appears once: its next
        if found:
            items = tuple(Item(o.meeting.title, ref=f"#{o.meeting.id}", when=o.starts_at)
                          for o in list(found.values())[:MAX_ITEMS])
            built[week.community.id, places[week.period]] = Section("coming_up", "Coming up", items, news=False)
    return built


def plan(session: Session, weeks: Sequence[Week]) -> Built:
    """The open objectives of the community's plan for the year the week ends in, with their progress: one
    statement for every week."""
    year = {week.key: week.period.end.astimezone(week.community.zone).year for week in weeks}
    plans = plans_of(session, wanted={(week.community.id, year[week.key]) for week in weeks})
    built: Built = {}
    for week in weeks:
        found = plans.get((week.community.id, year[week.key]))
        if found:
            items = tuple(Item(p.objective.text, ref=str(p.objective.number),
                               note=f"{p.closed} of {p.linked} linked actions done" if p.linked else "no actions yet")
                          for p in found[:MAX_ITEMS])
            built[week.key] = Section("plan", f"Our {year[week.key]} plan (`/cop plan`)", items, total=len(found),
                                      news=False)
    return built


# The order on the page.
SECTIONS: list[SectionSpec] = [
    SectionSpec("meetings_held", build_for_weeks=meetings_held),
    SectionSpec("decisions", build_for_weeks=decisions),
    SectionSpec("actions_opened", build_for_weeks=actions_opened),
    SectionSpec("actions_closed", build_for_weeks=actions_closed),
    SectionSpec("actions_overdue", build_for_weeks=actions_overdue),
    SectionSpec("actions_blocked", build_for_weeks=actions_blocked),
    SectionSpec("kudos", build_for_weeks=kudos),
    SectionSpec("new_members", build_for_weeks=new_members),
    SectionSpec("knowledge", build_for_weeks=knowledge),
    SectionSpec("contributions", build_for_weeks=contributions),
    SectionSpec("coming_up", build_for_weeks=coming_up),
    SectionSpec("plan", build_for_weeks=plan),
    SectionSpec("your_actions", build_for_readers=your_actions),
    SectionSpec("mentioned_you", build_for_readers=mentioned_you),
    SectionSpec("waiting_for_you", build_for_readers=waiting_for_you),
]
