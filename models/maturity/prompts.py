"""Twice a year, the leads of a community that has not assessed its maturity for about six months are asked to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.communities import Community
from models.maturity.assessments import MaturityAssessment
from models.people import Person, leads_by_community

# About six months: a community is asked once in each such period since its last assessment (or its start).
PROMPT_EVERY = dt.timedelta(days=182)


@dataclass(frozen=True)
class MaturityPrompt:
    community: Community
    period: int  # how many PROMPT_EVERY have passed since `since`: one prompt per period
    since: dt.datetime | None  # the last assessment opened; None if it never had one
    leads: tuple[Person, ...]

    def key(self, person: Person) -> str:
        return f"maturity_prompt:{self.community.id}:{int((self.since or self.community.created_at).timestamp())}" \
               f":{self.period}:{person.user_id}"


def prompts_due(session: Session, *, now: dt.datetime) -> list[MaturityPrompt]:
    """Communities with no assessment opened in the last PROMPT_EVERY (counting from their set-up when they never
    had one), none open now, and a channel that is not archived, each with its leads: three statements."""
    last = dict(session.execute(select(MaturityAssessment.community_id, func.max(MaturityAssessment.opened_at))
                                .group_by(MaturityAssessment.community_id)).all())
    running = set(session.scalars(select(MaturityAssessment.community_id)
                                  .where(MaturityAssessment.closed_at.is_(None))))
    due: dict[int, tuple[Community, int, dt.datetime | None]] = {}
    for community in session.scalars(select(Community).where(Community.archived_at.is_(None))
                                     .order_by(Community.id)):
        since = last.get(community.id)
        elapsed = now - (since or community.created_at)
        if community.id not in running and elapsed >= PROMPT_EVERY:
            due[community.id] = (community, elapsed // PROMPT_EVERY, since)
    if not due:
        return []
    leads = leads_by_community(session, due)
    return [MaturityPrompt(community, period, since, tuple(leads[community_id]))
            for community_id, (community, period, since) in due.items() if community_id in leads]
