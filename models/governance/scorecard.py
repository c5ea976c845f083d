"""The lead's scorecard: a community's plan, KPIs, budget and health for a quarter or a year, on one page.

Periods are on the community's own clock. KPIs are yearly: a quarter's scorecard shows them as they stood at
the quarter's end (or now, for the quarter under way), against the share of the target due by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.communities import Community
from models.errors import BadArgument
from models.governance import MAX_YEAR, MIN_YEAR, year_now
from models.governance.budget import Budget, LineKind, budget_of
from models.governance.kpis import Score, elapsed, scores
from models.governance.plan import ObjectiveStatus, Progress, plan_of
from models.health.formula import COMPONENTS
from models.health.measure import read_health
from models.people import Person, leads_by_community

USAGE_HINT = "`quarter` (this one), `year`, `q1`-`q4` with a year if not this one (`q3 2026`), or a year (`2026`)"


@dataclass(frozen=True)
class Period:
    """A quarter (1-4) or a whole year (quarter None), with its bounds in UTC on the community's clock."""

    year: int
    quarter: int | None
    start: dt.datetime
    end: dt.datetime

    @property
    def label(self) -> str:
        return f"Q{self.quarter} {self.year}" if self.quarter else str(self.year)

    @property
    def key(self) -> str:
        return f"{self.year}-q{self.quarter}" if self.quarter else str(self.year)


def quarter_of(community: Community, at: dt.datetime) -> tuple[int, int]:
    """(year, quarter) it is at `at` on the community's clock."""
    local = at.astimezone(community.zone)
    return local.year, (local.month - 1) // 3 + 1


def period(community: Community, year: int, quarter: int | None = None) -> Period:
    zone = community.zone
    if quarter is None:
        first, last = dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)
    else:
        month = 3 * (quarter - 1) + 1
        first = dt.datetime(year, month, 1, tzinfo=zone)
        last = dt.datetime(year + (quarter == 4), month + 3 if quarter < 4 else 1, 1, tzinfo=zone)
    return Period(year, quarter, first.astimezone(dt.UTC), last.astimezone(dt.UTC))


def previous_quarter(community: Community, at: dt.datetime) -> Period:
    year, quarter = quarter_of(community, at)
    return period(community, year - 1, 4) if quarter == 1 else period(community, year, quarter - 1)


def parse_period(text: str, *, community: Community, now: dt.datetime) -> Period:
    """What follows `/cop scorecard`: nothing or `quarter` (this quarter), `year`, `q3 [2026]`, or `2026`."""
    words = text.lower().split()
    this_year, this_quarter = quarter_of(community, now)
    if not words or words == ["quarter"]:
        return period(community, this_year, this_quarter)
    if words == ["year"]:
        return period(community, year_now(community, now))
    quarter = None
    if len(words[0]) == 2 and words[0][0] == "q" and words[0][1] in "1234":
        quarter, words = int(words[0][1]), words[1:]
        if not words:
            return _begun(period(community, this_year, quarter), now)
    if len(words) == 1 and len(words[0]) == 4 and words[0].isascii() and words[0].isdigit() \
            and MIN_YEAR <= int(words[0]) <= MAX_YEAR:
        return _begun(period(community, int(words[0]), quarter), now)
    raise BadArgument(f"“{text.strip()[:30]}” is not a period the scorecard knows: say {USAGE_HINT}.")


def _begun(asked: Period, now: dt.datetime) -> Period:
    """A period that has begun: one still to come has no results to show, only today's under its name."""
    if asked.start > now:
        raise BadArgument(f"{asked.label} has not begun yet: say {USAGE_HINT}, for a period under way or past.")
    return asked


@dataclass(frozen=True)
class HealthLine:
    """The community's health for the scorecard: a score out of 100 and what it is made of, in words."""

    score: int
    detail: str


@dataclass(frozen=True)
class Scorecard:
    community: Community
    period: Period
    at: dt.datetime  # the instant it is measured at: the period's end, or now while it runs
    plan: list[Progress]
    kpis: list[Score]
    share: Decimal  # of the year gone at `at`
    budget: Budget
    spent_in_period: Decimal
    health: HealthLine | None

    @property
    def finished(self) -> bool:
        return self.at == measured_at(self.period, self.period.end)

    def objectives(self, status: ObjectiveStatus) -> int:
        return sum(1 for item in self.plan if item.objective.status == status)

    @property
    def closed_in_period(self) -> int:
        """Objectives done in the period."""
        return sum(1 for item in self.plan if item.objective.status == ObjectiveStatus.DONE
                   and item.objective.closed_at is not None
                   and self.period.start <= item.objective.closed_at < self.period.end)

    @property
    def targeted(self) -> list[Score]:
        return [score for score in self.kpis if score.target is not None]


def _health_of(session: Session, *, communities: Iterable[Community], at: dt.datetime) -> dict[int, HealthLine]:
    """Each community's health index at `at` (by id), with what it is made of: one reading for all of them."""
    found = {}
    for reading in read_health(session, now=at, communities=list(communities)):
        if reading.health is None:
            continue
        parts = [f"{component.label} {reading.components[component.key]}" for component in COMPONENTS
                 if reading.components[component.key] is not None]
        missing = [component.label for component in COMPONENTS if component.key in reading.missing]
        found[reading.community.id] = HealthLine(
            reading.health, " · ".join(parts) + (f" (no data: {', '.join(missing)})" if missing else ""))
    return found


def measured_at(period: Period, now: dt.datetime) -> dt.datetime:
    """A period is measured at its end, or at `now` while it runs."""
    return min(now, period.end - dt.timedelta(microseconds=1))


def health_of_many(session: Session, *, cards: Iterable[tuple[Community, Period]],
                   now: dt.datetime) -> dict[int, HealthLine]:
    """The health of many communities for their scorecards: one reading per instant they are measured at."""
    by_instant: dict[dt.datetime, list[Community]] = {}
    for community, period in cards:
        by_instant.setdefault(measured_at(period, now), []).append(community)
    found: dict[int, HealthLine] = {}
    for at, communities in by_instant.items():
        found.update(_health_of(session, communities=communities, at=at))
    return found


def scorecard_of(session: Session, *, community: Community, period: Period, now: dt.datetime,
                 health: dict[int, HealthLine] | None = None) -> Scorecard:
    """The scorecard of `period`, measured at its end (or at `now` if it has not ended). `health` is what
    `health_of_many` read for a job's many scorecards at once; read here otherwise."""
    at = measured_at(period, now)
    if health is None:
        health = _health_of(session, communities=[community], at=at)
    budget = budget_of(session, community=community, year=period.year)
    # As it stood at the period's end: the lines written by then (each request with its answer, whenever given).
    budget = Budget(budget.community, budget.year, budget.currency, [line for line in budget.lines
                                                                     if line.created_at <= at])
    spent = sum((line.amount for line in budget.lines if line.kind == LineKind.SPEND
                 and period.start <= line.created_at < period.end), Decimal("0.00"))
    return Scorecard(
        community=community, period=period, at=at,
        plan=plan_of(session, community=community, year=period.year),
        kpis=scores(session, community=community, year=period.year, now=at),
        share=elapsed(community, period.year, at), budget=budget, spent_in_period=spent,
        health=health.get(community.id))


@dataclass(frozen=True)
class ScorecardRound:
    """A community whose leads are due the scorecard of the quarter just ended, and which of them are."""

    community: Community
    period: Period
    leads: tuple[Person, ...]

    def key(self, person: Person) -> str:
        return scorecard_key(self.community.id, self.period, person.user_id)


def scorecard_key(community_id: int, period: Period, user_id: str) -> str:
    return f"scorecard:{community_id}:{period.key}:dm:{user_id}"


# The scorecard of a quarter goes out in the first days of the next; a bot that was down for longer lets it be.
SEND_WITHIN = dt.timedelta(days=7)


def scorecard_rounds(session: Session, *, now: dt.datetime) -> list[ScorecardRound]:
    """Communities in the first week of a quarter on their own clock, each with its leads (every one, active and
    human): two statements whatever the number of communities and members. The caller leaves out the keys
    already sent or held."""
    due: dict[int, tuple[Community, Period]] = {}
    # An archived channel pauses its community: nothing is due to its leads until it is back.
    for community in session.scalars(select(Community).where(Community.archived_at.is_(None)).order_by(Community.id)):
        ended = previous_quarter(community, now)
        if now - ended.end < SEND_WITHIN and community.created_at < ended.end:
            due[community.id] = (community, ended)
    if not due:
        return []
    leads = leads_by_community(session, due)
    return [ScorecardRound(community, ended, tuple(leads[cid])) for cid, (community, ended) in due.items()
            if cid in leads]
