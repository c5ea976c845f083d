"""What a month's newsletter says, drafted from the records of every community in the workspace.

Each section is a handful of set-based statements over all the communities at once, kept as plain data
(the records' own text, people by name): the renderer escapes it and cuts long lists with "and N more".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from models.communities import Community
from models.governance.plan import Objective, ObjectiveStatus, plan_of
from models.knowledge.helped import most_reused
from models.knowledge.model import KnowledgeItem
from models.meetings import Decision, Meeting, MeetingOccurrence
from models.meetings.occurrences import effective_occurrences, meetings_ahead, overrides
from models.newsletter.model import Section
from models.people import LEAD_ROLES, Membership, Person
from models.recognition.kudos import Kudos
from models.terms import TermsVersion

ITEMS = 10  # items a section keeps before "…and N more"
NAMES = 5   # new members named per community


@dataclass(frozen=True)
class Month:
    """A calendar month on a workspace's clock: its bounds in UTC."""

    year: int
    month: int
    tz: str

    @classmethod
    def of(cls, instant: dt.datetime, tz: str) -> Month:
        local = instant.astimezone(ZoneInfo(tz))
        return cls(local.year, local.month, tz)

    @classmethod
    def from_key(cls, key: str, tz: str = "UTC") -> Month:
        year, month = key.split("-")
        return cls(int(year), int(month), tz)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(0), ZoneInfo(self.tz)).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1, self.tz)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1, self.tz)


def _name(person: Person | None) -> str:
    return (person.display_name or person.user_id) if person is not None else "someone"


def _listed(items: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    return {"items": items[:ITEMS], "total": len(items) if total is None else total}


def featured(session: Session, *, community: Community, month: Month) -> dict[str, Any]:
    """The featured community: its leads (those still in Slack), its plan for the year and what it did in the month."""
    leads = session.scalars(select(Person).join(Membership, Membership.person_id == Person.id).where(
        Membership.community_id == community.id, Membership.active.is_(True), Membership.role.in_(LEAD_ROLES),
        # Someone deleted in Slack, or forgotten at their request (a tombstone, deleted too), is named nowhere.
        Person.deleted.is_(False), Person.is_bot.is_(False))
        .order_by(Person.display_name, Person.id)).all()
    in_month = (month.start, month.end)
    members = session.scalar(select(func.count()).select_from(Membership).where(
        Membership.community_id == community.id, Membership.active.is_(True))) or 0
    held = session.scalar(select(func.count()).select_from(MeetingOccurrence)
                          .join(Meeting, Meeting.id == MeetingOccurrence.meeting_id)
                          .where(Meeting.community_id == community.id,
                                 MeetingOccurrence.ended_at >= in_month[0], MeetingOccurrence.ended_at < in_month[1]))
    kudos = session.scalar(select(func.count()).select_from(Kudos).where(
        Kudos.community_id == community.id, Kudos.created_at >= in_month[0], Kudos.created_at < in_month[1]))
    kept = session.scalar(select(func.count()).select_from(KnowledgeItem).where(
        KnowledgeItem.community_id == community.id, KnowledgeItem.created_at >= in_month[0],
        KnowledgeItem.created_at < in_month[1]))
    plan = plan_of(session, community=community, year=month.year)
    return {
        "community": community.name, "leads": [_name(p) for p in leads],
        "objectives": [{"number": p.objective.number, "text": p.objective.text, "status": p.objective.status.value,
                        "closed": p.closed, "linked": p.linked} for p in plan[:ITEMS]],
        "objectives_total": len(plan),
        "results": {"members": members, "meetings": held or 0, "kudos": kudos or 0, "knowledge": kept or 0,
                    "objectives_done": sum(p.objective.status == ObjectiveStatus.DONE for p in plan)},
    }


def new_members(session: Session, *, communities: dict[int, Community], month: Month) -> dict[str, Any]:
    """Per community, how many joined in the month and the first few by name (not those enrolled at setup)."""
    rows = session.execute(
        select(Membership.community_id, Person.display_name, Person.user_id)
        .join(Person, Person.id == Membership.person_id).join(Community, Community.id == Membership.community_id)
        .where(Membership.community_id.in_(sorted(communities)), Membership.active.is_(True),
               Person.is_bot.is_(False), Membership.joined_at > Community.created_at,
               Membership.joined_at >= month.start, Membership.joined_at < month.end)
        .order_by(Membership.community_id, Membership.joined_at, Membership.id)).all()
    by_community: dict[int, list[str]] = defaultdict(list)
    for community_id, display_name, user_id in rows:
        by_community[community_id].append(display_name or user_id)
    items = [{"community": communities[cid].name, "count": len(names), "names": names[:NAMES]}
             for cid, names in sorted(by_community.items(), key=lambda kv: (-len(kv[1]), communities[kv[0]].name))]
    return _listed(items)


def knowledge(session: Session, *, team_id: str, month: Month) -> dict[str, Any]:
    reused, total = most_reused(session, team_id=team_id, start=month.start, end=month.end, limit=ITEMS)
    return {"items": [{"id": r.item.id, "title": r.item.title, "kind": r.item.kind.value,
                       "community": r.community.name, "helped": r.helped} for r in reused], "total": total}


def recognitions(session: Session, *, communities: dict[int, Community], month: Month) -> dict[str, Any]:
    giver, receiver = aliased(Person), aliased(Person)
    where = (Kudos.community_id.in_(sorted(communities)), Kudos.created_at >= month.start,
             Kudos.created_at < month.end)
    total = session.scalar(select(func.count()).select_from(Kudos).where(*where)) or 0
    rows = session.execute(select(Kudos.community_id, Kudos.reason, giver, receiver)
                           .join(giver, giver.id == Kudos.giver_id).join(receiver, receiver.id == Kudos.receiver_id)
                           .where(*where).order_by(Kudos.created_at, Kudos.id).limit(ITEMS)).all()
    return _listed([{"community": communities[cid].name, "reason": reason, "giver": _name(g), "receiver": _name(r)}
                    for cid, reason, g, r in rows], total)


def decisions(session: Session, *, communities: dict[int, Community], month: Month) -> dict[str, Any]:
    where = (Decision.community_id.in_(sorted(communities)), Decision.created_at >= month.start,
             Decision.created_at < month.end)
    total = session.scalar(select(func.count()).select_from(Decision).where(*where)) or 0
    rows = session.execute(select(Decision.community_id, Decision.text).where(*where)
                           .order_by(Decision.created_at, Decision.id).limit(ITEMS)).all()
    return _listed([{"community": communities[cid].name, "text": text} for cid, text in rows], total)


def wins(session: Session, *, communities: dict[int, Community], month: Month) -> dict[str, Any]:
    """Objectives done and Terms of Reference ratified in the month."""
    ids = sorted(communities)
    done = session.execute(select(Objective.community_id, Objective.text, Objective.closed_at).where(
        Objective.community_id.in_(ids), Objective.status == ObjectiveStatus.DONE,
        Objective.closed_at >= month.start, Objective.closed_at < month.end)).all()
    ratified = session.execute(select(TermsVersion.community_id, TermsVersion.number, TermsVersion.ratified_at).where(
        TermsVersion.community_id.in_(ids), TermsVersion.ratified_at >= month.start,
        TermsVersion.ratified_at < month.end)).all()
    found = [(at, {"community": communities[cid].name, "kind": "objective", "text": text}) for cid, text, at in done]
    found += [(at, {"community": communities[cid].name, "kind": "terms", "text": f"version {number}"})
              for cid, number, at in ratified]
    found.sort(key=lambda pair: pair[0])
    return _listed([win for _, win in found])


def coming(session: Session, *, communities: dict[int, Community], month: Month) -> dict[str, Any]:
    """Each live meeting's first occurrence in the month after the newsletter's, with how many there are."""
    after, until = month.end, month.next().end
    meetings = meetings_ahead(session, community_ids=sorted(communities), after=after)
    rows = overrides(session, meeting_ids=[m.id for m in meetings], after=after)
    found = []
    for meeting in meetings:
        times = [o.starts_at for o in effective_occurrences(meeting, rows[meeting.id], after=after,
                                                           count=6 + len(rows[meeting.id])) if o.starts_at < until]
        if times:
            found.append({"community": communities[meeting.community_id].name, "title": meeting.title,
                          "starts_at": times[0].isoformat(), "times": len(times)})
    found.sort(key=lambda m: (m["starts_at"], m["community"], m["title"]))
    return _listed(found)


def draft_content(session: Session, *, team_id: str, month: Month, feature: Community | None) -> dict[str, Any]:
    """Every section of the month's newsletter, from the records of the workspace's live communities."""
    communities = {c.id: c for c in session.scalars(
        select(Community).where(Community.team_id == team_id, Community.archived_at.is_(None)))}
    content: dict[str, Any] = {"month": month.key, "label": month.label}
    content[Section.FEATURED] = featured(session, community=feature, month=month) if feature else None
    content[Section.NEW_MEMBERS] = new_members(session, communities=communities, month=month)
    content[Section.KNOWLEDGE] = knowledge(session, team_id=team_id, month=month)
    content[Section.KUDOS] = recognitions(session, communities=communities, month=month)
    content[Section.DECISIONS] = decisions(session, communities=communities, month=month)
    content[Section.WINS] = wins(session, communities=communities, month=month)
    content[Section.COMING] = coming(session, communities=communities, month=month)
    return {str(k): v for k, v in content.items()}
