"""The year's top-performing communities, by criteria published with the ranking.

1. The average of the community's weekly health snapshots over the year (weeks starting in it), highest first;
   only communities with at least `MIN_WEEKS` snapshots with a figure are ranked, so that a few good weeks
   are not a year.
2. Ties broken by KPIs on track (with a target set for the year), most first;
3. then by meetings held in the year, most first; then by name.

It names communities, never people, and says nothing of fading: it is a publication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.communities import Community
from models.errors import BadArgument
from models.governance import MIN_YEAR
from models.governance.kpis import scores_many
from models.health.snapshots import HealthSnapshot

MIN_WEEKS = 4
TOP = 10
CRITERIA = (f"Ranked by the average of the weekly health snapshots over the year (communities with at least "
            f"{MIN_WEEKS} of them); ties broken by KPIs on track, then by meetings held in the year.")


@dataclass(frozen=True)
class YearRow:
    community: Community
    average: Decimal  # one decimal
    weeks: int
    on_track: int
    with_targets: int
    meetings: int


@dataclass(frozen=True)
class YearLeague:
    year: int
    under_way: bool
    rows: list[YearRow]  # every ranked community, best first
    unranked: int  # communities with fewer than MIN_WEEKS snapshots in the year


def parse_league_year(word: str, *, this_year: int) -> int:
    """A year as typed (four ASCII digits), not before MIN_YEAR nor after this one; this year when empty."""
    word = word.strip()
    if not word:
        return this_year
    if not (len(word) == 4 and word.isascii() and word.isdigit()):
        raise BadArgument(f"“{word[:20]}” is not a year: say one like `{this_year}`, or nothing for this year.")
    year = int(word)
    if year > this_year:
        raise BadArgument(f"{year} has not begun yet: say {this_year} or an earlier year.")
    if year < MIN_YEAR:
        raise BadArgument(f"There is nothing to rank before {MIN_YEAR}.")
    return year


def year_league(session: Session, *, year: int, now: dt.datetime) -> YearLeague:
    """The year's ranking at `now`; four statements (KPIs take a few more per time zone), whatever the number of
    communities."""
    communities = {c.id: c for c in session.scalars(select(Community).where(Community.archived_at.is_(None)))}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    figures = session.execute(
        select(HealthSnapshot.community_id, func.sum(HealthSnapshot.health), func.count(HealthSnapshot.health))
        .where(HealthSnapshot.community_id.in_(sorted(communities)), HealthSnapshot.week >= first,
               HealthSnapshot.week <= last, HealthSnapshot.health.is_not(None))
        .group_by(HealthSnapshot.community_id)).all()
    eligible = {cid: (int(total), int(weeks)) for cid, total, weeks in figures if weeks >= MIN_WEEKS}
    unranked = len(communities) - len(eligible)
    under_way = now < dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    if not eligible:
        return YearLeague(year, under_way, [], unranked)
    scored = scores_many(session, communities=[communities[cid] for cid in sorted(eligible)], year=year, now=now)
    rows = []
    for cid, (total, weeks) in eligible.items():
        targeted = [s for s in scored[cid] if s.target is not None]
        meetings = next(int(s.value) for s in scored[cid] if s.name == "meetings-held")
        rows.append(YearRow(communities[cid], (Decimal(total) / weeks).quantize(Decimal("0.1")), weeks,
                            sum(1 for s in targeted if s.on_track), len(targeted), meetings))
    rows.sort(key=lambda r: (-r.average, -r.on_track, -r.meetings, r.community.name.lower(), r.community.id))
    return YearLeague(year, under_way, rows, unranked)
