"""The programme at a glance, for overall leads: every community with its health and trend, members and growth,
KPIs on track, meetings kept, budget used and any fading warning, those needing attention first.

A community needs attention when it is fading (an open fading episode) or its health fell by `FALLING` points
or more since the snapshot of `TREND_WEEKS` weeks ago. Those come first (fading before falling, the lowest
health first); the rest follow by health, highest first, those with no data last.

Everything is read in a fixed number of statements whatever the number of communities (KPIs and growth take a
few per time zone among them): never one per community or per member.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.communities import Community
from models.governance import year_now
from models.governance.budget import DEFAULT_CURRENCY, Budget, budgets_of
from models.governance.kpis import scores_many
from models.growth import MonthRow, growth
from models.health.fading import NEW_COMMUNITY, FadingEpisode, current_fading
from models.health.measure import Reading, _utc, read_health
from models.health.snapshots import TREND_WEEKS, history, weeks_back

FALLING = 5  # points of health lost in TREND_WEEKS weeks that make a community need attention
# This month and the three before it: members now against the end of the month three months back, and the
# newcomers of last month.
GROWTH_MONTHS = 4


@dataclass(frozen=True)
class KpiTally:
    on_track: int
    with_targets: int


@dataclass(frozen=True)
class CommunityView:
    """One community as the programme view shows it. Growth, KPIs and budget are None in the Home tab's summary."""

    reading: Reading
    before: int | None  # health in the snapshot of TREND_WEEKS weeks ago
    fading: FadingEpisode | None
    months: Sequence[MonthRow] | None = None  # oldest first, the month under way last
    kpis: KpiTally | None = None
    budget: Budget | None = None

    @property
    def community(self) -> Community:
        return self.reading.community

    @property
    def health(self) -> int | None:
        return self.reading.health

    @property
    def change(self) -> int | None:
        if self.health is None or self.before is None:
            return None
        return self.health - self.before

    @property
    def falling(self) -> bool:
        return self.change is not None and self.change <= -FALLING

    @property
    def needs_attention(self) -> bool:
        return self.fading is not None or self.falling

    @property
    def new(self) -> bool:
        """Set up in the last four weeks: too young to be called fading, or to have a trend."""
        return self.reading.at - _utc(self.community.created_at) < NEW_COMMUNITY

    @property
    def grown(self) -> int | None:
        """Members gained (or lost) since the end of the first month of `months`."""
        return self.months[-1].members - self.months[0].members if self.months else None


@dataclass(frozen=True)
class Programme:
    at: dt.datetime
    views: list[CommunityView]  # those needing attention first, then by health
    currency: str

    @property
    def attention(self) -> list[CommunityView]:
        return [v for v in self.views if v.needs_attention]

    @property
    def fading(self) -> int:
        return sum(1 for v in self.views if v.fading is not None)

    @property
    def falling(self) -> int:
        return sum(1 for v in self.views if v.falling and v.fading is None)

    @property
    def average(self) -> int | None:
        known = [v.health for v in self.views if v.health is not None]
        return round(sum(known) / len(known)) if known else None


def _order(view: CommunityView) -> tuple:
    name = view.community.name.lower()
    if view.needs_attention:
        return 0, view.fading is None, view.health is None, view.health or 0, name
    return 1, view.health is None, -(view.health or 0), name


def programme(session: Session, *, now: dt.datetime, full: bool = True) -> Programme:
    """Every community of the workspace (archived ones left out), in the programme's order. `full=False` is the
    Home tab's summary: health, trend and fading only."""
    communities = session.scalars(select(Community).where(Community.archived_at.is_(None))
                                  .order_by(Community.name, Community.id)).all()
    ids = [c.id for c in communities]
    readings = read_health(session, now=now, communities=communities)
    snapshots = history(session, community_ids=ids, now=now, weeks=TREND_WEEKS + 1)
    fading = current_fading(session, community_ids=ids) if ids else {}
    months: dict[int, list[MonthRow]] = defaultdict(list)
    kpis: dict[int, KpiTally] = {}
    budgets: dict[int, Budget] = {}
    if full and ids:
        for row in growth(session, community_ids=ids, now=now, months=GROWTH_MONTHS):
            months[row.community_id].append(row)
        by_year: dict[int, list[Community]] = defaultdict(list)
        for community in communities:
            by_year[year_now(community, now)].append(community)
        for year, some in by_year.items():
            for cid, scores in scores_many(session, communities=some, year=year, now=now).items():
                targeted = [s for s in scores if s.target is not None]
                kpis[cid] = KpiTally(sum(1 for s in targeted if s.on_track), len(targeted))
            budgets.update(budgets_of(session, communities=some, year=year))
    views = []
    for reading in readings:
        cid = reading.community.id
        before = weeks_back(snapshots.get(cid, []), now=now, weeks=TREND_WEEKS)
        views.append(CommunityView(reading, before.health if before is not None else None, fading.get(cid),
                                   months.get(cid) if full else None, kpis.get(cid), budgets.get(cid)))
    views.sort(key=_order)
    currency = next((b.currency for b in budgets.values()), DEFAULT_CURRENCY)
    return Programme(now, views, currency)
