"""The communities' league table: every community of the workspace ranked by the health index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.contributions import Contribution, ContributionKind
from models.health.measure import Reading, read_health


@dataclass(frozen=True)
class LeagueRow:
    reading: Reading
    contributions: int  # acts recorded in the period shown (joining aside); shown, not ranked on


def league(session: Session, *, now: dt.datetime, days: int) -> list[LeagueRow]:
    """Every community, healthiest first (those with no data last), then by contributions in the last `days`
    and by name; the health statements plus one."""
    readings = read_health(session, now=now)
    counts = dict(session.execute(
        select(Contribution.community_id, func.count())
        .where(Contribution.community_id.in_([r.community.id for r in readings]),
               Contribution.occurred_at >= now - dt.timedelta(days=days), Contribution.occurred_at <= now,
               Contribution.kind != ContributionKind.JOINED)
        .group_by(Contribution.community_id)).all())
    rows = [LeagueRow(r, int(counts.get(r.community.id, 0))) for r in readings]
    rows.sort(key=lambda row: (row.reading.health is None, -(row.reading.health or 0), -row.contributions,
                               row.reading.community.name.lower()))
    return rows
