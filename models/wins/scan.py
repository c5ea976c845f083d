"""Finding wins in the records: a scan that records each one once, whenever it runs and however often.

A scan rather than a hook in each place a win happens: it cannot miss one that happened another way (a
ratification by a button, a KPI crossing its target because a meeting was held), and what it finds is
recorded under a key unique in the community, so running it again finds nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.communities import Community
from models.governance import year_now
from models.governance.kpis import KpiTarget, Score, scores_many
from models.governance.plan import Objective, ObjectiveStatus
from models.people import Person
from models.recognition.kudos import Kudos
from models.terms import TermsVersion, VersionStatus
from models.wins.model import MAX_TITLE, Win, WinKind
from models.wins.weekly import unrankable

# How far back an objective done or a ratification is still news (and so how long the scan may be down).
HORIZON = dt.timedelta(days=31)
NOTABLE = 3  # the people thanked most in the month, named in its summary


def collect_wins(session: Session, *, now: dt.datetime, community_ids: Collection[int] | None = None) -> int:
    """Record every win not yet recorded, of every community (or of these); returns how many were new."""
    query = select(Community).where(Community.archived_at.is_(None)).order_by(Community.id)
    if community_ids is not None:
        query = query.where(Community.id.in_(sorted(community_ids)))
    communities = list(session.scalars(query))
    if not communities:
        return 0
    ids = [c.id for c in communities]
    _withdraw_undone(session, ids)
    found = (_objectives(session, ids, now) + _ratifications(session, ids, now) + _kpis(session, communities, now)
             + _kudos(session, communities, now))
    return _record(session, found, now)


def _withdraw_undone(session: Session, ids: list[int]) -> None:
    """An objective marked done, then dropped before the post: its win is no win."""
    session.execute(delete(Win).where(
        Win.community_id.in_(ids), Win.kind == WinKind.OBJECTIVE, Win.post_key.is_(None),
        Win.source_id.not_in(select(Objective.id).where(Objective.status == ObjectiveStatus.DONE))))


def _win(community_id: int, kind: WinKind, ref: str, title: str, occurred_at: dt.datetime, *,
         source_id: int | None = None, **detail: Any) -> dict[str, Any]:
    return dict(community_id=community_id, kind=kind, ref=ref, source_id=source_id,
                title=" ".join(title.split())[:MAX_TITLE], detail=detail, occurred_at=occurred_at)


def _objectives(session: Session, ids: list[int], now: dt.datetime) -> list[dict[str, Any]]:
    rows = session.scalars(select(Objective).where(
        Objective.community_id.in_(ids), Objective.status == ObjectiveStatus.DONE,
        Objective.closed_at >= now - HORIZON, Objective.closed_at <= now).order_by(Objective.id))
    return [_win(o.community_id, WinKind.OBJECTIVE, f"objective:{o.id}", o.text, o.closed_at or now,
                 source_id=o.id, year=o.year, number=o.number) for o in rows]


def _ratifications(session: Session, ids: list[int], now: dt.datetime) -> list[dict[str, Any]]:
    rows = session.scalars(select(TermsVersion).where(
        TermsVersion.community_id.in_(ids),
        TermsVersion.status.in_([VersionStatus.RATIFIED, VersionStatus.SUPERSEDED]),
        TermsVersion.ratified_at >= now - HORIZON, TermsVersion.ratified_at <= now).order_by(TermsVersion.id))
    return [_win(v.community_id, WinKind.TERMS, f"tor:{v.id}", v.title or "", v.ratified_at or now,
                 source_id=v.id, version=v.number, agreed=v.agreed or 0, objected=v.objected or 0,
                 by=v.ratified_by_id) for v in rows]


def _kpis(session: Session, communities: list[Community], now: dt.datetime) -> list[dict[str, Any]]:
    """KPIs of the year at their target, scored only in the communities with a target not yet met (a met one
    is recorded, so it is never found again, even if its value falls back): a few statements per year and zone."""
    years = {c.id: year_now(c, now) for c in communities}
    targets = list(session.scalars(select(KpiTarget).where(
        tuple_(KpiTarget.community_id, KpiTarget.year).in_(sorted(years.items())), KpiTarget.target > 0)))
    if not targets:
        return []
    met = set(session.scalars(select(Win.source_id).where(
        Win.community_id.in_(sorted({t.community_id for t in targets})), Win.kind == WinKind.KPI)))
    waiting: dict[int, dict[str, KpiTarget]] = defaultdict(dict)
    for target in targets:
        if target.id not in met:
            waiting[target.community_id][target.name.lower()] = target
    scored: dict[int, list[Score]] = {}
    by_year: dict[int, list[Community]] = defaultdict(list)
    for community in communities:
        if community.id in waiting:
            by_year[years[community.id]].append(community)
    # Only what a waiting target names is measured: each metric, for just the communities with a target of it.
    wanted = {community_id: set(names) for community_id, names in waiting.items()}
    for year, group in sorted(by_year.items()):
        scored.update(scores_many(session, communities=group, year=year, now=now, metrics=wanted))
    found = []
    for community_id, community_scores in sorted(scored.items()):
        for score in community_scores:
            target = waiting[community_id].get(score.name.lower())
            if target is None or score.value < target.target:
                continue
            found.append(_win(community_id, WinKind.KPI, f"kpi:{target.id}", target.name, now, source_id=target.id,
                              year=target.year, target=_plain(target.target), value=_plain(score.value),
                              custom=target.custom))
    return found


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _kudos(session: Session, communities: list[Community], now: dt.datetime) -> list[dict[str, Any]]:
    """Last month's kudos of each community, on its own clock: how many, to how many people, and who was thanked
    most. One statement per zone the communities keep."""
    by_zone: dict[str, list[Community]] = defaultdict(list)
    for community in communities:
        by_zone[community.timezone].append(community)
    found = []
    for _, group in sorted(by_zone.items()):
        zone = group[0].zone
        local = now.astimezone(zone)
        end = dt.datetime(local.year, local.month, 1, tzinfo=zone)
        start = (end - dt.timedelta(days=1)).replace(day=1)
        month = f"{start.year}-{start.month:02d}"
        rows = session.execute(select(Kudos.community_id, Kudos.receiver_id, func.count()).where(
            Kudos.community_id.in_([c.id for c in group]), Kudos.created_at >= start.astimezone(dt.UTC),
            Kudos.created_at < end.astimezone(dt.UTC)).group_by(Kudos.community_id, Kudos.receiver_id)).all()
        received: dict[int, Counter[int]] = defaultdict(Counter)
        for community_id, receiver_id, count in rows:
            received[community_id][receiver_id] += int(count)
        unranked = _unrankable(session, {receiver_id for _, receiver_id, _ in rows})
        for community_id, counts in sorted(received.items()):
            # The most thanked first, among those who may be ranked; among equals, a stable order.
            notable = sorted(((person_id, n) for person_id, n in counts.items() if person_id not in unranked),
                             key=lambda item: (-item[1], item[0]))[:NOTABLE]
            found.append(_win(community_id, WinKind.KUDOS, f"kudos:{month}", start.strftime("%B %Y"),
                              end.astimezone(dt.UTC), month=month, kudos=sum(counts.values()), people=len(counts),
                              notable=[[person_id, n] for person_id, n in notable]))
    return found


def _unrankable(session: Session, person_ids: set[int]) -> set[int]:
    """Of these people, those never ranked by name (opted out of the leaderboard, gone, bots): one statement."""
    if not person_ids:
        return set()
    return set(session.scalars(select(Person.id).where(Person.id.in_(sorted(person_ids)), unrankable())))


def _record(session: Session, found: list[dict[str, Any]], now: dt.datetime) -> int:
    """Insert what is new, each numbered after the community's last win: three statements in all."""
    if not found:
        return 0
    known = set(session.execute(select(Win.community_id, Win.ref).where(
        tuple_(Win.community_id, Win.ref).in_(sorted({(w["community_id"], w["ref"]) for w in found})))).all())
    new = [w for w in found if (w["community_id"], w["ref"]) not in known]
    if not new:
        return 0
    last = dict(session.execute(select(Win.community_id, func.max(Win.number)).where(
        Win.community_id.in_(sorted({w["community_id"] for w in new}))).group_by(Win.community_id)).all())
    rows = []
    for win in sorted(new, key=lambda w: (w["community_id"], w["occurred_at"], w["ref"])):
        last[win["community_id"]] = (last.get(win["community_id"]) or 0) + 1
        rows.append(dict(win, number=last[win["community_id"]], recorded_at=now))
    # No conflict target: a win recorded at the same moment by another scan (its ref, or its number, taken) is
    # skipped here and found, or numbered afresh, by the next scan.
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(Win.__table__).on_conflict_do_nothing().returning(Win.__table__.c.id)
    return len(session.execute(statement, rows).all())
