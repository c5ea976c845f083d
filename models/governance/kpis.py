"""KPIs: targets per community and year, scored from the records (or, for custom ones, counted by hand)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    and_,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.actions.model import Action, ActionStatus
from models.base import Base, utcnow
from models.communities import Community
from models.contributions import Contribution, ContributionKind
from models.errors import BadArgument, NotFound
from models.governance import year_bounds
from models.knowledge.model import KnowledgeItem
from models.meetings import Attendance, Decision, Meeting, MeetingOccurrence
from models.membership_periods import member_before
from models.people import Membership, Person, leads_by_community
from models.recognition.kudos import Kudos

RECENT = dt.timedelta(days=30)
MAX_NAME = 80
MAX_NOTE = 300

# Each built-in metric and exactly what it counts, as the help says it. "Contributed" is any act in the
# contribution ledger but joining.
METRICS: dict[str, str] = {
    "meetings-held": "meetings started (and not cancelled) in the year",
    "attendance": "people who attended, per meeting held in the year (an average)",
    "actions-closed": "actions marked done in the year",
    "knowledge-items": "knowledge items kept in the year",
    "decisions": "decisions recorded in the year",
    "kudos": "kudos given in the year",
    "newcomers-active": "people who joined in the year and contributed within 30 days of joining",
    "active-members": "people who contributed in the last 30 days (of the year, for a past year)",
}
# Levels, not totals: compared with the target as they are, not with a share of it.
LEVELS = frozenset({"attendance", "active-members"})


class KpiTarget(Base):
    __tablename__ = "kpi_targets"
    __table_args__ = (UniqueConstraint("community_id", "year", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    # A built-in metric (`meetings-held`) or a custom KPI's name as typed.
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    custom: Mapped[bool] = mapped_column(Boolean, default=False)
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class KpiRecord(Base):
    """A custom KPI's count, entered by hand with a note saying what it was."""

    __tablename__ = "kpi_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi_targets.id", ondelete="CASCADE"), index=True)
    # Its community, so that a workspace's scope reaches it directly.
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(String(MAX_NOTE), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Score:
    name: str
    custom: bool
    target: Decimal | None
    value: Decimal
    expected: Decimal | None  # what the target asks of the year so far

    @property
    def on_track(self) -> bool | None:
        return None if self.expected is None else self.value >= self.expected


def elapsed(community: Community, year: int, at: dt.datetime) -> Decimal:
    """How much of the year has passed at `at`, from 0 to 1."""
    start, end = year_bounds(community, year)
    if at <= start:
        return Decimal(0)
    if at >= end:
        return Decimal(1)
    return Decimal((at - start) / (end - start)).quantize(Decimal("0.0001"))


def measure(session: Session, *, community: Community, year: int, now: dt.datetime) -> dict[str, Decimal]:
    """Every built-in metric of the year up to `now`, in two statements whatever the number of members."""
    return measure_many(session, communities=[community], year=year, now=now)[community.id]


def measure_many(session: Session, *, communities: Sequence[Community], year: int, now: dt.datetime,
                 metrics: Mapping[int, Collection[str]] | None = None) -> dict[int, dict[str, Decimal]]:
    """`measure` for many communities at once: two statements for each time zone among them (a year starts at
    its community's own midnight), whatever the number of communities and members. With `metrics` (community id
    -> the metrics wanted of it), only those are counted, each only for the communities that want it, and the
    others are left at 0."""
    by_window: dict[tuple[dt.datetime, dt.datetime], list[int]] = defaultdict(list)
    for community in communities:
        start, end = year_bounds(community, year)
        # Records made at `now` count; the next year's first instant does not.
        by_window[(start, min(end - dt.timedelta(microseconds=1), now))].append(community.id)
    found: dict[int, dict[str, Decimal]] = {}
    for (start, until), ids in by_window.items():
        found.update(_measure_window(session, ids=ids, start=start, until=until, metrics=metrics))
    return found


# What each count below is needed for: the average attendance is attendees per meeting held.
_NEEDED_FOR = {"meetings-held": ("meetings-held", "attendance"), "attendees": ("attendance",)}


def _measure_window(session: Session, *, ids: list[int], start: dt.datetime, until: dt.datetime,
                    metrics: Mapping[int, Collection[str]] | None = None) -> dict[int, dict[str, Decimal]]:
    def wanting(count: str) -> list[int]:
        if metrics is None:
            return ids
        return [cid for cid in ids if any(m in metrics.get(cid, ()) for m in _NEEDED_FOR.get(count, (count,)))]

    held = (select(MeetingOccurrence.id).join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
            .where(Meeting.community_id.in_(wanting("meetings-held")), MeetingOccurrence.cancelled_at.is_(None),
                   MeetingOccurrence.started_at >= start, MeetingOccurrence.started_at <= until))
    contributed = and_(Contribution.community_id == Membership.community_id,
                       Contribution.kind != ContributionKind.JOINED)
    # Each newcomer's first contribution after joining (date arithmetic on a column is not portable, so the
    # 30 days are checked here): one row per newcomer, one statement whatever their number.
    newcomer_ids = wanting("newcomers-active")
    firsts = [] if not newcomer_ids else session.execute(
        select(Membership.community_id, Membership.joined_at, func.min(Contribution.occurred_at))
        .join(Person, Person.id == Membership.person_id).join(Community, Community.id == Membership.community_id)
        .outerjoin(Contribution, and_(contributed, Contribution.person_id == Membership.person_id,
                                      Contribution.occurred_at >= Membership.joined_at,
                                      Contribution.occurred_at <= until))
        .where(Membership.community_id.in_(newcomer_ids), Person.is_bot.is_(False), Membership.joined_at >= start,
               Membership.joined_at <= until,
               # the members enrolled at set-up were there already, and someone rejoining was a member before:
               # they are not newcomers
               Membership.joined_at > Community.created_at,
               ~member_before(Membership.community_id, Membership.person_id, Membership.joined_at))
        .group_by(Membership.id, Membership.community_id, Membership.joined_at)).all()
    newcomers: dict[int, int] = defaultdict(int)
    for community_id, joined, first in firsts:
        if first is not None and _utc(first) - _utc(joined) <= RECENT:
            newcomers[community_id] += 1

    meeting_of = (select(MeetingOccurrence.id.label("occurrence_id"), Meeting.community_id.label("community_id"))
                  .join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
                  .where(MeetingOccurrence.id.in_(held)).subquery())
    counts = {
        "meetings-held": select(meeting_of.c.community_id, func.count()).group_by(meeting_of.c.community_id),
        "attendees": select(meeting_of.c.community_id, func.count())
        .join(Attendance, Attendance.occurrence_id == meeting_of.c.occurrence_id)
        .group_by(meeting_of.c.community_id),
        "actions-closed": select(Action.community_id, func.count()).where(
            Action.community_id.in_(wanting("actions-closed")), Action.status == ActionStatus.DONE,
            Action.closed_at >= start, Action.closed_at <= until).group_by(Action.community_id),
        "knowledge-items": select(KnowledgeItem.community_id, func.count()).where(
            KnowledgeItem.community_id.in_(wanting("knowledge-items")), KnowledgeItem.created_at >= start,
            KnowledgeItem.created_at <= until).group_by(KnowledgeItem.community_id),
        "decisions": select(Decision.community_id, func.count()).where(
            Decision.community_id.in_(wanting("decisions")), Decision.created_at >= start,
            Decision.created_at <= until).group_by(Decision.community_id),
        "kudos": select(Kudos.community_id, func.count()).where(
            Kudos.community_id.in_(wanting("kudos")), Kudos.created_at >= start, Kudos.created_at <= until)
        .group_by(Kudos.community_id),
        "active-members": select(Contribution.community_id, func.count(func.distinct(Contribution.person_id))).where(
            Contribution.community_id.in_(wanting("active-members")), Contribution.kind != ContributionKind.JOINED,
            Contribution.occurred_at > until - RECENT, Contribution.occurred_at <= until,
            Contribution.occurred_at >= start).group_by(Contribution.community_id),
    }
    # One statement for every count: each grouped query tagged with its name, all in one UNION ALL (the counts no
    # community wants left out).
    parts = [query.add_columns(literal(name).label("metric")) for name, query in counts.items() if wanting(name)]
    values: dict[int, dict[str, int]] = {cid: dict.fromkeys(counts, 0) for cid in ids}
    for community_id, number, name in (session.execute(union_all(*parts)) if parts else []):
        values[community_id][name] = int(number or 0)
    found = {}
    for cid, row in values.items():
        meetings, attendees = row.pop("meetings-held"), row.pop("attendees")
        average = (Decimal(attendees) / meetings).quantize(Decimal("0.1")) if meetings else Decimal(0)
        found[cid] = {"meetings-held": Decimal(meetings), "attendance": average,
                      "newcomers-active": Decimal(newcomers.get(cid, 0)), **{n: Decimal(v) for n, v in row.items()}}
    return found


def _utc(instant: dt.datetime) -> dt.datetime:
    """An aggregate's datetime: SQLite gives it back as text-typed and naive, in UTC."""
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant)
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def scores(session: Session, *, community: Community, year: int, now: dt.datetime) -> list[Score]:
    """Every built-in metric (with its target, if set) and every custom KPI of the year, scored at `now`."""
    return scores_many(session, communities=[community], year=year, now=now)[community.id]


def scores_many(session: Session, *, communities: Sequence[Community], year: int, now: dt.datetime,
                metrics: Mapping[int, Collection[str]] | None = None) -> dict[int, list[Score]]:
    """`scores` for many communities: a few statements whatever their number (see `measure_many`). With `metrics`
    (community id -> built-in metrics wanted), only those built-in metrics are measured and scored."""
    ids = [c.id for c in communities]
    targets: dict[int, dict[str, KpiTarget]] = {cid: {} for cid in ids}
    for target in session.scalars(select(KpiTarget).where(KpiTarget.community_id.in_(ids), KpiTarget.year == year)
                                  .order_by(KpiTarget.id)):
        targets[target.community_id][target.name] = target
    measured = measure_many(session, communities=communities, year=year, now=now, metrics=metrics)
    counted = dict(session.execute(
        select(KpiRecord.kpi_id, func.sum(KpiRecord.amount)).join(KpiTarget, KpiTarget.id == KpiRecord.kpi_id)
        .where(KpiTarget.community_id.in_(ids), KpiTarget.year == year).group_by(KpiRecord.kpi_id)).all())
    found: dict[int, list[Score]] = {}
    for community in communities:
        share = elapsed(community, year, now)
        mine, values = targets[community.id], measured[community.id]
        found[community.id] = [_score(name, False, mine[name].target if name in mine else None, values[name], share)
                               for name in METRICS if metrics is None or name in metrics.get(community.id, ())]
        found[community.id] += [_score(t.name, True, t.target, Decimal(counted.get(t.id) or 0), share)
                                for t in mine.values() if t.custom]
    return found


def _score(name: str, custom: bool, target: Decimal | None, value: Decimal, share: Decimal) -> Score:
    if target is None:
        return Score(name, custom, None, value, None)
    expected = target if name in LEVELS and not custom else (target * share).quantize(Decimal("0.01"))
    return Score(name, custom, target, value, expected)


def metric_named(word: str) -> str:
    name = word.strip().lower()
    if name not in METRICS:
        raise BadArgument(f"There is no metric “{word[:30]}”. The metrics are: {', '.join(METRICS)}; a KPI no record "
                          "can count is added with `/cop kpi add \"<name>\" <target>`.")
    return name


def set_target(session: Session, *, community: Community, year: int, name: str, target: Decimal, by: Person,
               now: dt.datetime, custom: bool = False) -> KpiTarget:
    """Set (or change) a target; a custom KPI is created by its first target."""
    found = session.scalars(select(KpiTarget).where(KpiTarget.community_id == community.id, KpiTarget.year == year,
                                                    func.lower(KpiTarget.name) == name.lower())).one_or_none()
    if found is None:
        found = KpiTarget(community_id=community.id, year=year, name=name, custom=custom)
        session.add(found)
    elif found.custom != custom:
        raise BadArgument(f"“{name}” is a built-in metric: set its target with `/cop kpi set {name} <target>`."
                          if not found.custom else f"“{name}” is a custom KPI already.")
    found.target, found.set_by_id, found.set_at = target, by.id, now
    session.flush()
    return found


def custom_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise BadArgument("Name the KPI in quotes.")
    if len(name) > MAX_NAME:
        raise BadArgument(f"That name is {len(name)} characters long; keep it to {MAX_NAME}.")
    if name.lower() in METRICS:
        raise BadArgument(f"“{name}” is a built-in metric, counted from the records: `/cop kpi set {name} <target>`.")
    return name


def record_count(session: Session, *, community: Community, year: int, name: str, amount: Decimal, note: str,
                 by: Person, now: dt.datetime) -> KpiRecord:
    kpi = session.scalars(select(KpiTarget).where(
        KpiTarget.community_id == community.id, KpiTarget.year == year, KpiTarget.custom.is_(True),
        func.lower(KpiTarget.name) == name.lower())).one_or_none()
    if kpi is None:
        raise NotFound(f"*{community.name}* has no custom KPI “{name}” for {year}; add it with "
                       f"`/cop kpi add \"{name}\" <target>`.")
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise BadArgument(f"That note is {len(note)} characters long; keep it to {MAX_NOTE}.")
    record = KpiRecord(kpi_id=kpi.id, community_id=community.id, amount=amount, note=note, person_id=by.id,
                       recorded_at=now)
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class KpiAsk:
    """A community whose leads are to be asked to set the year's KPIs."""

    community: Community
    year: int
    leads: tuple[Person, ...]

    def key(self, user_id: str) -> str:
        return f"kpis:ask:{self.community.id}:{self.year}:dm:{user_id}"


def kpi_asks_due(session: Session, *, now: dt.datetime) -> list[KpiAsk]:
    """Communities in the January of their own clock with no KPI set for the year, each with its leads: three
    statements, whatever the number of communities and members."""
    january = [c for c in session.scalars(select(Community).order_by(Community.id))
               if now.astimezone(c.zone).month == 1 and c.created_at < now]
    if not january:
        return []
    years = {c.id: now.astimezone(c.zone).year for c in january}
    started = {(community_id, year) for community_id, year in session.execute(
        select(KpiTarget.community_id, KpiTarget.year).distinct()
        .where(tuple_(KpiTarget.community_id, KpiTarget.year).in_(sorted(years.items()))))}
    due = [c for c in january if (c.id, years[c.id]) not in started]
    if not due:
        return []
    leads = leads_by_community(session, (c.id for c in due))
    return [KpiAsk(c, years[c.id], tuple(leads[c.id])) for c in due if c.id in leads]
